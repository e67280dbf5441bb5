"""Helpers shared by test packages: real servers and fixtures that are not tied to one app."""
