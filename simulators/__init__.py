"""Stand-ins for the outside systems (SFCC, Trading Grid); each runs as its own process."""
