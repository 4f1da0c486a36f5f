"""Where accounts data lives: everything under ``users/{uid}``."""

from __future__ import annotations


def user(uid: str) -> str:
    return f"users/{uid}"


def activity(uid: str) -> str:
    return f"users/{uid}/activity"


def activity_days(uid: str) -> str:
    return f"users/{uid}/activity_days"


def streak(uid: str) -> str:
    return f"users/{uid}/stats/streak"


def feedback(uid: str) -> str:
    return f"users/{uid}/feedback"


def files_prefix(uid: str) -> str:
    """Blob names of a user's uploads start with this."""
    return f"users/{uid}/"
