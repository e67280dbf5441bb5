"""The order mirror: SFCC's orders, lines and shipments, below the flows that read them.

Import direction: this app may import apps.workspace, apps.partners and apps.core, never a
connector (apps.sfcc) or a flow (apps.exceptions). Connectors write the mirror through
`services.order_upsert`; flows hear about applied orders through `events.subscribe`.
"""
