"""Where assessments live. Cards, reviews, quizzes and generation jobs sit in
per-user collections (``users/{uid}/...``) keyed to their course by a
``course_id`` field, not under the course document: the due queue and the
review log span all of a user's courses, and one collection (not a
collection-group query) serves both, with ownership still being the path.
Deleting a course removes its items from these collections
(``aksio.assessments.cleanup``)."""

from __future__ import annotations

from aksio.accounts.paths import user


def flashcards(uid: str) -> str:
    return f"{user(uid)}/flashcards"


def flashcard(uid: str, card_id: str) -> str:
    return f"{flashcards(uid)}/{card_id}"


def reviews(uid: str) -> str:
    """The review log: one document per review, the FSRS optimiser's input."""
    return f"{user(uid)}/reviews"


def review(uid: str, card_id: str, seq: int) -> str:
    """The ``seq``-th review of a card (1-based). Deterministic, so two
    concurrent reviews of one card cannot both become review ``seq``, and
    undo finds the last review from the card's ``review_count`` alone."""
    return f"{reviews(uid)}/{card_id}-{seq:06d}"


def quizzes(uid: str) -> str:
    return f"{user(uid)}/quizzes"


def quiz(uid: str, quiz_id: str) -> str:
    return f"{quizzes(uid)}/{quiz_id}"


def attempts(uid: str, quiz_id: str) -> str:
    return f"{quiz(uid, quiz_id)}/attempts"


def attempt(uid: str, quiz_id: str, attempt_id: str) -> str:
    return f"{attempts(uid, quiz_id)}/{attempt_id}"


def generation_jobs(uid: str) -> str:
    return f"{user(uid)}/generation_jobs"


def generation_job(uid: str, job_id: str) -> str:
    return f"{generation_jobs(uid)}/{job_id}"


def stats(uid: str) -> str:
    """The user's assessment aggregates (aksio.assessments.stats)."""
    return f"{user(uid)}/stats/assessments"


COURSE_KEYED_COLLECTIONS = (
    *("flashcards", "reviews", "quizzes", "generation_jobs"),
    *("study_plans", "study_sessions"),  # aksio.learning.paths
)
"""Collections under ``users/{uid}`` whose documents carry ``course_id``: a
deleted course's documents there go with it (aksio.assessments.cleanup)."""
