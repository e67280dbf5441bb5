"""Tests of the Trading Grid connector: EDI library, transport, simulator."""
