"""Where learning data lives: per-user collections keyed to a course by
``course_id`` (like assessments: sessions span courses and plans)."""

from __future__ import annotations

from aksio.accounts.paths import user


def study_plans(uid: str) -> str:
    return f"{user(uid)}/study_plans"


def study_plan(uid: str, plan_id: str) -> str:
    return f"{study_plans(uid)}/{plan_id}"


def study_sessions(uid: str) -> str:
    """Every session of every plan (and ad-hoc ones), with ``plan_id`` and ``date``."""
    return f"{user(uid)}/study_sessions"


def study_session(uid: str, session_id: str) -> str:
    return f"{study_sessions(uid)}/{session_id}"


def stats(uid: str) -> str:
    """The user's learning aggregates: minutes by day, sessions done/planned per plan."""
    return f"{user(uid)}/stats/learning"
