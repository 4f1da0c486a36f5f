"""Assessments: flashcard scheduling (FSRS) and per-user parameter fitting."""
