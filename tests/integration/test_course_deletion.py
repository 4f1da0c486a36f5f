"""Deleting a course: everything under it goes, in the background, with
nothing orphaned and nothing else touched, even when it holds thousands of
documents; the task survives being delivered twice or interrupted midway."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aksio.adapters.inprocess_tasks import InProcessTaskQueue
from aksio.adapters.local_blobs import LocalBlobStore
from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.composition import Services, set_services
from aksio.config import Settings
from aksio.courses import deletion, paths, repository
from aksio.courses.models import CourseCreate
from aksio.ports.blobs import BlobStore
from aksio.ports.documents import MAX_BATCH_WRITES, DocumentStore
from aksio.ports.tasks import RetryPolicy, Task, TaskAlreadyExists, TaskDelivery
from aksio.tasks.local import deliver_via_worker
from aksio.tasks.registry import registry
from tests.factories.users import TestUser
from tests.integration import test_courses_api as http
from tests.integration.test_courses_api import CoursesApi
from tests.unit.test_task_inprocess_queue import FakeClock

SETTINGS = Settings(task_queue="inprocess", task_shared_secret="test-secret", environment="test")
POLICY = RetryPolicy(max_attempts=5, min_backoff_s=1)

# the HTTP fixtures of the API tests (same app, stores and Auth emulator)
courses_app, api, user = http.courses_app, http.api, http.user


# ------------------------------------------------------------------ seeding
def seed_course(
    store: DocumentStore, blobs: BlobStore, uid: str, cid: str, *, n: int, files: int
) -> None:
    """``n`` documents and ``n`` chunks, some sections and cards (a later
    area's data), a nested document, and ``files`` blobs under the course."""
    base = paths.course(uid, cid)
    docs = [f"{base}/documents/d{i:05d}" for i in range(n)]
    docs += [f"{base}/chunks/d{i:05d}-00000" for i in range(n)]
    docs += [f"{base}/sections/s{i:03d}" for i in range(10)]
    docs += [f"{base}/cards/c{i:03d}" for i in range(25)]
    docs += [f"{base}/quizzes/q1/attempts/a{i}" for i in range(3)]  # deeper than one level
    for i in range(0, len(docs), MAX_BATCH_WRITES):
        batch = store.batch()
        for path in docs[i : i + MAX_BATCH_WRITES]:
            batch.set(path, {"text": "x" * 50, "order": i})
        batch.commit()
    for i in range(files):
        blobs.put(f"{base}/documents/d{i:05d}/notes.pdf", b"%PDF-1.7 " + bytes(i % 250))
    blobs.put(f"{base}/index/bm25/manifest.json", b"{}")


def tree(store: DocumentStore, uid: str, cid: str) -> int:
    return sum(1 for _ in store.list_tree(paths.course(uid, cid)))


def files(blobs: BlobStore, uid: str, cid: str) -> int:
    return sum(1 for _ in blobs.list(paths.course_blobs(uid, cid)))


def test_big_course_goes_entirely_and_nothing_else_does(api: CoursesApi, user: TestUser) -> None:
    store, blobs = api.services.documents, api.services.blobs
    doomed = api.course(user)["id"]
    kept = api.course(user)["id"]
    other = api.user()
    theirs = api.course(other)["id"]
    for section in ("Intro", "Cells"):
        api.call(user, "POST", f"/{doomed}/sections/", json={"title": section})
    seed_course(store, blobs, user.uid, doomed, n=1000, files=400)  # 2,000+ docs, 400 files
    seed_course(store, blobs, user.uid, kept, n=20, files=5)
    seed_course(store, blobs, other.uid, theirs, n=20, files=5)
    # a neighbour whose id starts with the doomed id: prefixes must end at "/"
    store.set(paths.course(user.uid, doomed + "x"), {"title": "neighbour"})
    blobs.put(f"{paths.course(user.uid, doomed)}x/file.txt", b"keep me")
    before = {
        "kept": (tree(store, user.uid, kept), files(blobs, user.uid, kept)),
        "theirs": (tree(store, other.uid, theirs), files(blobs, other.uid, theirs)),
    }
    assert tree(store, user.uid, doomed) > 2000

    started = time.perf_counter()
    r = api.call(user, "DELETE", f"/{doomed}/")
    assert r.status_code == 202
    assert time.perf_counter() - started < 2  # the answer does not wait for the purge
    assert api.queue.drain(60)

    assert store.get(paths.course(user.uid, doomed)) is None
    assert tree(store, user.uid, doomed) == 0
    assert files(blobs, user.uid, doomed) == 0
    assert before == {
        "kept": (tree(store, user.uid, kept), files(blobs, user.uid, kept)),
        "theirs": (tree(store, other.uid, theirs), files(blobs, other.uid, theirs)),
    }
    assert store.get(paths.course(user.uid, doomed + "x")) is not None
    assert blobs.get(f"{paths.course(user.uid, doomed)}x/file.txt") == b"keep me"
    assert api.call(user, "GET", f"/{kept}/").status_code == 200
    assert api.call(other, "GET", f"/{theirs}/").status_code == 200
    assert [c["id"] for c in api.call(user, "GET", "/").json["items"]] == [kept]


def test_enqueue_failure_is_503_and_a_retried_delete_finishes(
    api: CoursesApi, user: TestUser
) -> None:
    class DownQueue:
        def enqueue(self, task: Task) -> str:
            raise ConnectionError("Cloud Tasks unreachable")

        def ping(self) -> None:
            raise ConnectionError("Cloud Tasks unreachable")

    cid = api.course(user)["id"]
    seed_course(api.services.documents, api.services.blobs, user.uid, cid, n=5, files=2)
    real = api.queue
    api.services._built["tasks"] = DownQueue()
    r = api.call(user, "DELETE", f"/{cid}/")
    assert r.status_code == 503 and r.json["error"]["code"] == "unavailable"
    assert api.call(user, "GET", f"/{cid}/").status_code == 404  # hidden all the same
    api.services._built["tasks"] = real
    assert api.call(user, "DELETE", f"/{cid}/").status_code == 202  # the retry queues it
    assert real.drain(10)
    assert tree(api.services.documents, user.uid, cid) == 0
    assert files(api.services.blobs, user.uid, cid) == 0


# ------------------------------------------------------------------ the task itself
@pytest.fixture
def local(tmp_path: Path) -> Iterator[Services]:
    services = Services(
        SETTINGS,
        documents=SqliteDocumentStore(tmp_path / "db.sqlite3"),
        blobs=LocalBlobStore(tmp_path / "blobs", "bucket"),
    )
    set_services(services)
    yield services
    set_services(None)
    services.documents.close()


def doomed_course(services: Services, uid: str = "u1", n: int = 1200, n_files: int = 30) -> str:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    cid = repository.create_course(services.documents, uid, CourseCreate(title="Doomed"), now).id
    seed_course(services.documents, services.blobs, uid, cid, n=n, files=n_files)
    repository.mark_deleting(services.documents, uid, cid, now)
    return cid


def queue_with(clock: FakeClock) -> InProcessTaskQueue:
    deliver = deliver_via_worker(SETTINGS, registry=registry, retry=POLICY)
    return InProcessTaskQueue(deliver, POLICY, clock=clock, sleep=clock.sleep)


def test_the_kind_is_registered_for_the_worker() -> None:
    registration = registry.get(deletion.TASK_KIND)
    assert registration is not None and registration.handler is deletion.handle_delete_course


def test_delivered_twice_is_harmless(local: Services) -> None:
    cid = doomed_course(local)
    task = deletion.deletion_task("u1", cid)
    assert task.dedupe_key == paths.course("u1", cid)
    delivery = TaskDelivery(task, attempt=1, task_name="t")
    deletion.handle_delete_course(task.payload, delivery)
    deletion.handle_delete_course(task.payload, delivery)  # e.g. the first answer was lost
    assert tree(local.documents, "u1", cid) == 0
    assert files(local.blobs, "u1", cid) == 0


def test_a_repeated_delete_while_queued_adds_no_task(local: Services) -> None:
    gate = threading.Event()
    worker = deliver_via_worker(SETTINGS, registry=registry, retry=POLICY)
    delivered: list[str] = []

    def deliver(delivery: TaskDelivery) -> None:
        gate.wait(10)  # hold the first task so the second DELETE finds it pending
        delivered.append(delivery.task_name)
        worker(delivery)

    cid = doomed_course(local, n=10, n_files=1)
    with InProcessTaskQueue(deliver, POLICY) as queue:
        deletion.request_deletion(local.documents, queue, "u1", cid, local.clock.now())
        with pytest.raises(TaskAlreadyExists):
            queue.enqueue(deletion.deletion_task("u1", cid))
        deletion.request_deletion(local.documents, queue, "u1", cid, local.clock.now())
        gate.set()
        assert queue.drain(10)
    assert len(delivered) == 1
    assert tree(local.documents, "u1", cid) == 0


class InterruptedStore:
    """Delegates to a real store; its first delete_tree deletes one batch and
    then dies, as an instance killed mid-purge would."""

    def __init__(self, inner: DocumentStore) -> None:
        self.inner = inner
        self.interrupted = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def delete_tree(self, path: str) -> int:
        if self.interrupted == 0:
            self.interrupted += 1
            batch = self.inner.batch()
            for snap in list(self.inner.list_tree(path))[: MAX_BATCH_WRITES - 1]:
                batch.delete(snap.path)
            batch.delete(path)  # the course document itself may go first
            batch.commit()
            raise ConnectionError("instance stopped mid-purge")
        return self.inner.delete_tree(path)


class InterruptedBlobs:
    def __init__(self, inner: BlobStore) -> None:
        self.inner = inner
        self.failures = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def delete_prefix(self, prefix: str) -> int:
        if self.failures == 0:
            self.failures += 1
            for info in list(self.inner.list(prefix))[:10]:
                self.inner.delete(info.name)
            raise TimeoutError("storage timed out")
        return self.inner.delete_prefix(prefix)


def test_interrupted_purge_resumes_on_retry(local: Services) -> None:
    cid = doomed_course(local)
    keep = doomed_course(local, uid="u2", n=10, n_files=3)  # marked too, but never queued
    store = InterruptedStore(local.documents)
    blobs = InterruptedBlobs(local.blobs)
    local._built.update(documents=store, blobs=blobs)
    clock = FakeClock()
    with queue_with(clock) as queue:
        queue.enqueue(deletion.deletion_task("u1", cid))
        assert queue.drain(30)
    assert clock.sleeps == [1, 2]  # two failed attempts, retried with Cloud Tasks' backoff
    assert (blobs.failures, store.interrupted) == (1, 1)
    assert tree(store, "u1", cid) == 0 and store.get(paths.course("u1", cid)) is None
    assert files(blobs, "u1", cid) == 0
    assert tree(store, "u2", keep) > 0 and files(blobs, "u2", keep) == 3 + 1  # + index


def test_a_stray_task_never_deletes_a_live_course(local: Services) -> None:
    live = repository.create_course(
        local.documents, "u1", CourseCreate(title="Live"), local.clock.now()
    ).id
    seed_course(local.documents, local.blobs, "u1", live, n=3, files=1)
    clock = FakeClock()
    with queue_with(clock) as queue:
        queue.enqueue(deletion.deletion_task("u1", live))
        queue.enqueue(Task(deletion.TASK_KIND, {"uid": "../u1", "course_id": live}))
        queue.enqueue(Task(deletion.TASK_KIND, {"uid": "u1"}))
        assert queue.drain(10)
    assert clock.sleeps == []  # discarded, not retried
    assert tree(local.documents, "u1", live) > 0 and files(local.blobs, "u1", live) == 2
    assert repository.get_course(local.documents, "u1", live).title == "Live"
