"""seed_demo: document requests in every review state (filled in below)."""
