"""Learning: sessions."""
