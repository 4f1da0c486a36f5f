"""Removing a deleted course's cards, reviews, quizzes, jobs, plans and sessions.

They live in per-user collections keyed by ``course_id`` (see paths), so the
course's subtree does not hold them; the course-deletion task calls
:func:`purge_course_items` after it empties the subtree. Each call deletes
only what is left, so a retried task finishes the job.
"""

from __future__ import annotations

from contextlib import suppress

from aksio.accounts.paths import user
from aksio.assessments import paths
from aksio.learning import paths as learning_paths
from aksio.ports.documents import DELETE_FIELD, MAX_BATCH_WRITES, DocumentStore, collection
from aksio.ports.documents import NotFound as MissingDocument

_WITH_SUBCOLLECTIONS = frozenset({"quizzes"})  # attempts


def purge_course_items(store: DocumentStore, uid: str, course_id: str) -> int:
    """Delete the course's items (with their subcollections, such as quiz
    attempts) and its entries in the stats document; returns documents deleted."""
    deleted = 0
    plan_ids: list[str] = []
    for name in paths.COURSE_KEYED_COLLECTIONS:
        query = collection(f"{user(uid)}/{name}").where("course_id", "==", course_id)
        # Collected first: deleting while a query streams is not safe on every store.
        found = [snap.path for snap in store.stream(query)]
        if name == "study_plans":
            plan_ids = [path.rsplit("/", 1)[1] for path in found]
        if name in _WITH_SUBCOLLECTIONS:
            deleted += sum(store.delete_tree(path) for path in found)
            continue
        for start in range(0, len(found), MAX_BATCH_WRITES):
            batch = store.batch()
            for path in found[start : start + MAX_BATCH_WRITES]:
                batch.delete(path)
            batch.commit()
        deleted += len(found)
    with suppress(MissingDocument):  # no stats: the user never had cards or quizzes
        store.update(
            paths.stats(uid),
            {
                f"cards.{course_id}": DELETE_FIELD,
                f"weakness.{course_id}": DELETE_FIELD,
                f"course_reviews.{course_id}": DELETE_FIELD,
            },
        )
    # The learning aggregates keep per-course and per-plan counters; the user's
    # minutes per day stay (the time was studied, whatever happened to the course).
    learning = {f"courses.{course_id}": DELETE_FIELD}
    learning.update({f"plans.{plan_id}": DELETE_FIELD for plan_id in plan_ids})
    with suppress(MissingDocument):
        store.update(learning_paths.stats(uid), learning)
    return deleted
