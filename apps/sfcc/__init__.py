"""SFCC connector; the HTTP client is ``apps.sfcc.client``, mapping and inbound handling join it."""
