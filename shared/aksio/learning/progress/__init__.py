"""Learning: progress."""
