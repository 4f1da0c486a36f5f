"""Flashcards: CRUD, reviews on FSRS, undo, the due queue, suspension."""
