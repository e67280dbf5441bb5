"""The demo's organizations and people: one place, read by seed_demo, the README and tests.

The demo data of the apps above (mirrored orders, the flows' cases) is theirs: each app's
`demo` module registers a seeder here, and seed_demo imports those modules (as the admin
imports `admin.py`) and runs the seeders after the organizations and people exist. This app
names none of them.
"""

from collections.abc import Callable

from django.apps import apps

from .roles import Channel, EdiStandard, OrganizationKind, Role

DEMO_PASSWORD = "crossdock-demo"  # noqa: S105 - published in the README on purpose
# Demo users whom the MFA policy covers are enrolled with this published TOTP secret: the
# policy is enforced in the demo exactly as in production (no bypass switch exists to be left
# on by mistake), and the secret is no more public than the demo password beside it.
DEMO_TOTP_SECRET = "CROSSDOCKDEMOTOTPSECRETXYZ234567"  # noqa: S105

INTERNAL_TEAMS = [
    ("Customer Service", "RET-CS"),
    ("Merchandising", "RET-MERCH"),
    ("Fulfilment Operations", "RET-OPS"),
    ("Administration", "RET-ADMIN"),
]

# code, name, kind, time zone, channel, EDI standard, Trading Grid id
PARTNERS = [
    ("SUP-001", "Northwind Apparel", OrganizationKind.SUPPLIER, "America/New_York", Channel.BOTH, EdiStandard.X12, "SUP001"),
    ("SUP-002", "Alpine Outdoor Goods", OrganizationKind.SUPPLIER, "Europe/Zurich", Channel.PORTAL, EdiStandard.X12, "SUP002"),
    ("SUP-003", "Meridian Home", OrganizationKind.SUPPLIER, "Europe/Berlin", Channel.BOTH, EdiStandard.EDIFACT, "SUP003"),
    ("SUP-004", "Kestrel Electronics", OrganizationKind.SUPPLIER, "Asia/Shanghai", Channel.TRADING_GRID, EdiStandard.X12, "SUP004"),
    ("WH-001", "Harbor Logistics Centre", OrganizationKind.WAREHOUSE, "America/Chicago", Channel.BOTH, EdiStandard.X12, "WH001"),
    ("WH-002", "Midlands Fulfilment", OrganizationKind.WAREHOUSE, "Europe/London", Channel.PORTAL, EdiStandard.EDIFACT, "WH002"),
    ("WH-003", "Pacific Crossdock DC", OrganizationKind.WAREHOUSE, "America/Los_Angeles", Channel.PORTAL, EdiStandard.X12, "WH003"),
    ("CAR-001", "SwiftParcel", OrganizationKind.CARRIER, "America/New_York", Channel.BOTH, EdiStandard.X12, "CAR001"),
    ("CAR-002", "Bluewater Freight", OrganizationKind.CARRIER, "Europe/Amsterdam", Channel.PORTAL, EdiStandard.EDIFACT, "CAR002"),
    ("MKT-001", "Urban Loom Marketplace", OrganizationKind.MARKETPLACE, "America/Denver", Channel.BOTH, EdiStandard.X12, "MKT001"),
    ("MKT-002", "Tidewater Gifts", OrganizationKind.MARKETPLACE, "America/New_York", Channel.PORTAL, EdiStandard.X12, "MKT002"),
    ("MKT-003", "Greenleaf Home", OrganizationKind.MARKETPLACE, "Europe/Dublin", Channel.PORTAL, EdiStandard.X12, "MKT003"),
]

# e-mail, name, organization code, role
INTERNAL_USERS = [
    ("admin@crossdock.test", "Avery Admin", "RET-ADMIN", Role.ADMIN),
    ("agent@crossdock.test", "Casey Agent", "RET-CS", Role.AGENT),
    ("merch@crossdock.test", "Morgan Merchandiser", "RET-MERCH", Role.MERCHANDISER),
    ("ops@crossdock.test", "Oakley Operations", "RET-OPS", Role.OPERATIONS),
]


def partner_users() -> list[tuple[str, str, str, str]]:
    """An administrator for every partner, and a member for the first of each kind."""
    users = []
    seen_kinds = set()
    for code, name, kind, *_ in PARTNERS:
        slug = code.lower()
        users.append((f"admin@{slug}.test", f"{name} Admin", code, Role.PARTNER_ADMIN))
        if kind not in seen_kinds:
            seen_kinds.add(kind)
            users.append((f"member@{slug}.test", f"{name} Member", code, Role.PARTNER_MEMBER))
    return users


# --- demo data of the apps above ----------------------------------------------------------

# A seeder creates what is missing and leaves what exists, so a second run changes nothing;
# it returns one line for the command's summary.
Seeder = Callable[[], str]
_seeders: dict[str, Seeder] = {}


def register_seeder(name: str, seeder: Seeder) -> Seeder:
    _seeders[name] = seeder
    return seeder


def _app_rank(seeder: Seeder) -> int:
    config = apps.get_containing_app_config(seeder.__module__)
    configs = list(apps.get_app_configs())
    return configs.index(config) if config in configs else len(configs)


def seeders() -> list[tuple[str, Seeder]]:
    """In INSTALLED_APPS order, which follows the layers upward: a flow's seeder runs after
    the orders it opens cases on exist."""
    return sorted(_seeders.items(), key=lambda item: _app_rank(item[1]))
