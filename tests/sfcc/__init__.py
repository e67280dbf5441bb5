"""Tests of the SFCC simulator and the SFCC client; they run without Django."""
