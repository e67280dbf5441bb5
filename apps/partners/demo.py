"""The demo's organizations and people: one place, read by seed_demo, the README and tests."""

from .roles import Channel, EdiStandard, OrganizationKind, Role

DEMO_PASSWORD = "crossdock-demo"  # noqa: S105 - published in the README on purpose

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
