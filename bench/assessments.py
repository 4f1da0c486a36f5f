"""Flashcards benchmark (`nox -s bench`): document reads and writes of one
review and of one due-queue call, at 10 and at 10,000 cards in a course.

The cards are seeded on the SQLite store (the embedded default) in a
temporary folder with batched writes, all of them due (due times spread over
the last 30 days), then operations run through the product's own code
(``aksio.assessments.flashcards.reviews``) on the store wrapped in
``CountingDocumentStore``, which counts reads and writes as Firestore bills
them. Each figure is the median over several calls:

- review: ``review_card`` on a random card; target at most 3 reads and 3
  writes (card, profile, stats read; card, log entry, stats written);
- due: ``due_cards`` at limit 20, all courses and one course; target at most
  limit + 3 reads;
- undo: ``undo_review`` of a review, for information (no target).

Results: a table on stdout and build/bench/assessments.json. Exits non-zero
when a figure is over its target.

Usage: ``python bench/assessments.py [--sizes 10 10000] [--repeats 9]``
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "shared"))

from aksio.accounts.profiles import create_profile  # noqa: E402
from aksio.adapters.counting_store import CountingDocumentStore  # noqa: E402
from aksio.adapters.sqlite_store import SqliteDocumentStore  # noqa: E402
from aksio.assessments import paths, stats  # noqa: E402
from aksio.assessments.flashcards import domain, reviews  # noqa: E402
from aksio.assessments.scheduling import RATINGS  # noqa: E402
from aksio.courses.models import CourseCreate  # noqa: E402
from aksio.courses.repository import create_course  # noqa: E402
from aksio.ids import new_id  # noqa: E402
from aksio.ports.documents import MAX_BATCH_WRITES  # noqa: E402

OUT = ROOT / "build" / "bench" / "assessments.json"
UID = "bench-user"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
DUE_LIMIT = 20
REVIEW_READS = REVIEW_WRITES = 3
DUE_EXTRA_READS = 3


def seed(store: SqliteDocumentStore, n: int) -> tuple[str, list[str]]:
    """A profile, a course and ``n`` due cards; returns the course and card ids."""
    create_profile(store, UID, "bench@example.org", "Bench", NOW)
    course_id = create_course(store, UID, CourseCreate(title="Cell Biology"), NOW).id
    rng = random.Random(n)
    ids: list[str] = []
    batch = store.batch()
    for i in range(n):
        created = NOW - timedelta(minutes=rng.randint(1, 30 * 24 * 60))
        fields = {
            "course_id": course_id,
            "section_id": None,
            "front": f"Question {i}: what does organelle {i} do?",
            "back": f"Answer {i}.",
            "tags": ["bench"],
            "source": None,
        }
        card_id = new_id()
        batch.create(paths.flashcard(UID, card_id), domain.new_card_document(fields, created))
        ids.append(card_id)
        if len(ids) % MAX_BATCH_WRITES == 0:
            batch.commit()
            batch = store.batch()
    batch.set(paths.stats(UID), stats.card_added(course_id, "new", n=n), merge=True)
    batch.commit()
    return course_id, ids


def measure(counting: CountingDocumentStore, call: Callable[[], Any]) -> tuple[int, int, float]:
    counting.reset()
    started = time.perf_counter()
    call()
    elapsed_ms = (time.perf_counter() - started) * 1000
    return counting.reads, counting.writes, elapsed_ms


def median_of(samples: list[tuple[int, int, float]]) -> dict[str, float]:
    return {
        "reads": statistics.median(s[0] for s in samples),
        "writes": statistics.median(s[1] for s in samples),
        "max_reads": max(s[0] for s in samples),
        "max_writes": max(s[1] for s in samples),
        "median_ms": round(statistics.median(s[2] for s in samples), 2),
    }


def run(n: int, repeats: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteDocumentStore(Path(tmp) / "bench.sqlite3")
        started = time.perf_counter()
        course_id, ids = seed(store, n)
        seed_s = time.perf_counter() - started
        counting = CountingDocumentStore(store)
        rng = random.Random(7)
        at = NOW

        def clock() -> datetime:
            return at

        review_samples, undo_samples = [], []
        for _ in range(repeats):
            card_id = rng.choice(ids)
            at += timedelta(minutes=1)
            rating = rng.choice(RATINGS)
            review = partial(
                reviews.review_card,
                counting,
                UID,
                card_id,
                rating=rating,
                duration_ms=4000,
                now=clock,
            )
            review_samples.append(measure(counting, review))
            undo = partial(reviews.undo_review, counting, UID, card_id)
            undo_samples.append(measure(counting, undo))
        due_all = [
            measure(counting, lambda: reviews.due_cards(counting, UID, None, at, DUE_LIMIT))
            for _ in range(repeats)
        ]
        due_course = [
            measure(counting, lambda: reviews.due_cards(counting, UID, course_id, at, DUE_LIMIT))
            for _ in range(repeats)
        ]
        returned = len(reviews.due_cards(store, UID, None, at, DUE_LIMIT).items)
        store.close()
    return {
        "cards": n,
        "seed_seconds": round(seed_s, 2),
        "due_items_returned": returned,
        "review": median_of(review_samples),
        "undo_review": median_of(undo_samples),
        "due_all_courses": median_of(due_all),
        "due_one_course": median_of(due_course),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 10_000])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args(argv)

    targets: dict[str, tuple[float | None, float | None]] = {
        "review": (REVIEW_READS, REVIEW_WRITES),
        "undo_review": (None, None),
        "due_all_courses": (DUE_LIMIT + DUE_EXTRA_READS, 0),
        "due_one_course": (DUE_LIMIT + DUE_EXTRA_READS, 0),
    }
    results = [run(n, args.repeats) for n in args.sizes]
    failures: list[str] = []

    print(f"Flashcards: document operations per call (median of {args.repeats}, SQLite store)")
    header = (
        f"{'cards':>6} {'operation':<16} {'reads':>6} {'writes':>6} "
        f"{'target r/w':>11} {'ms':>8} {'ok':>3}"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        for op, (max_reads, max_writes) in targets.items():
            row = result[op]
            ok = (max_reads is None or row["max_reads"] <= max_reads) and (
                max_writes is None or row["max_writes"] <= max_writes
            )
            if not ok:
                failures.append(f"{op} at {result['cards']} cards")
            target = "-" if max_reads is None else f"<={max_reads:g}/<={max_writes:g}"
            print(
                f"{result['cards']:>6} {op:<16} {row['reads']:>6g} {row['writes']:>6g} "
                f"{target:>11} {row['median_ms']:>8.2f} {'yes' if ok else 'NO':>3}"
            )
    for result in results:
        print(
            f"seeded {result['cards']} cards in {result['seed_seconds']} s; "
            f"due queue returned {result['due_items_returned']} of limit {DUE_LIMIT}"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps({"due_limit": DUE_LIMIT, "results": results}, indent=2) + "\n",
        encoding="utf-8",
    )
    print(f"written: {OUT.relative_to(ROOT)}")
    if failures:
        print("over target: " + ", ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
