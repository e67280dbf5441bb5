"""The sync backbone: an outbox for what the outside world must hear, an inbox for what it says."""
