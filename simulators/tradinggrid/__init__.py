"""A stand-in for OpenText Trading Grid: SFTP mailboxes, a router, partner bots, fault switches."""
