"""Organization kinds and membership roles."""

from django.db import models


class OrganizationKind(models.TextChoices):
    INTERNAL = "internal", "Internal team"
    SUPPLIER = "supplier", "Supplier"
    WAREHOUSE = "warehouse", "Warehouse"
    CARRIER = "carrier", "Logistics carrier"
    MARKETPLACE = "marketplace", "Drop-ship / marketplace seller"


PARTNER_KINDS = frozenset(kind for kind in OrganizationKind if kind != OrganizationKind.INTERNAL)


class Role(models.TextChoices):
    AGENT = "agent", "Customer-service agent"
    MERCHANDISER = "merchandiser", "Merchandiser"
    OPERATIONS = "operations", "Operations"
    ADMIN = "admin", "Administrator"
    PARTNER_ADMIN = "partner_admin", "Partner administrator"
    PARTNER_MEMBER = "partner_member", "Partner member"


INTERNAL_ROLES = frozenset({Role.AGENT, Role.MERCHANDISER, Role.OPERATIONS, Role.ADMIN})
PARTNER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_MEMBER})
# The retailer's tool pages (operations, EDI ledger) are theirs.
OPERATIONS_ROLES = frozenset({Role.OPERATIONS, Role.ADMIN})


class Channel(models.TextChoices):
    PORTAL = "portal", "Portal only"
    TRADING_GRID = "tradinggrid", "Trading Grid only"
    BOTH = "both", "Portal and Trading Grid"


class EdiStandard(models.TextChoices):
    X12 = "x12", "ANSI X12"
    EDIFACT = "edifact", "UN/EDIFACT"
