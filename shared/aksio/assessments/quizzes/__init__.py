"""Quizzes: CRUD, attempts, grading."""
