"""The demo's drop-ship dispatches (filled in below)."""
