"""Demo data for the dev command: a demo student a new developer can sign in
as at once. Idempotent: running it again changes nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from aksio.accounts import activity, paths, profiles
from aksio.accounts.models import ActivityCreate, ProfileUpdate
from aksio.composition import Services
from aksio.courses import repository as courses
from aksio.courses.models import CourseCreate, CourseListQuery
from aksio.documents import service as documents
from aksio.pagination import PageQuery
from aksio.ports.identity import EmailExists, InvalidCredentials, TokenSet

DEMO_EMAIL = "demo@aksio.dev"
DEMO_PASSWORD = "aksio-demo-password"
DEMO_NAME = "Demo Student"
DEMO_DOCUMENT = Path(__file__).parent / "demo" / "darwin_domestic_pigeons.md"


def _demo_tokens(services: Services) -> TokenSet:
    try:
        return services.password_auth.sign_up(DEMO_EMAIL, DEMO_PASSWORD, DEMO_NAME)
    except EmailExists:
        return services.password_auth.sign_in(DEMO_EMAIL, DEMO_PASSWORD)


def seed_demo(services: Services) -> TokenSet:
    """Create the demo user and a few days of activity; returns its tokens."""
    try:
        tokens = _demo_tokens(services)
    except InvalidCredentials as exc:
        raise RuntimeError(f"{DEMO_EMAIL} exists with another password; reset .local/") from exc
    store, now = services.documents, services.clock.now()
    uid = tokens.uid
    if store.get(paths.user(uid)) is None:
        profiles.create_profile(store, uid, DEMO_EMAIL, DEMO_NAME, now)
        profiles.update_profile(
            store,
            uid,
            ProfileUpdate(
                university="University of Oslo",
                program="BSc Informatics",
                timezone="Europe/Oslo",
                locale="en",
                study_goals=["Pass INF1000 with an A"],
                daily_goal_minutes=45,
            ),
            now,
        )
    if not activity.list_activity(store, uid, PageQuery(limit=1)).items:
        for days_ago, minutes in ((3, 30), (2, 45), (1, 25)):
            activity.record_activity(
                store,
                uid,
                ActivityCreate(
                    kind="study", minutes=minutes, occurred_at=now - timedelta(days=days_ago)
                ),
                now,
            )
    _seed_course(services, uid)
    return tokens


def _seed_course(services: Services, uid: str) -> None:
    """A course holding one processed document, so search has data at once."""
    store, now = services.documents, services.clock.now()
    if courses.list_courses(store, uid, CourseListQuery(limit=1)).items:
        return
    course = courses.create_course(
        store,
        uid,
        CourseCreate(
            title="Evolutionary Biology",
            code="BIO2100",
            description="Variation, selection and the origin of species.",
            term="Autumn 2026",
            exam_date=(now + timedelta(days=45)).date(),
        ),
        now,
    )
    documents.upload(
        services,
        uid,
        course.id,
        filename=DEMO_DOCUMENT.name,
        data=DEMO_DOCUMENT.read_bytes(),
        title="Darwin: the breeds of the domestic pigeon",
    )
    # Processing is asynchronous (the storage trigger); wait so the demo is ready.
    services.storage_events.drain(60)
