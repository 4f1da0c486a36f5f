"""Learning: plans."""
