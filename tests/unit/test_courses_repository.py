"""Courses and sections on the embedded SQLite store (real transactions), no
HTTP: storage layout, counters, limits, ordering and concurrency."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aksio.adapters.sqlite_store import SqliteDocumentStore
from aksio.courses import domain, paths, repository
from aksio.courses.models import CourseCreate, CourseListQuery, SectionCreate, SectionListQuery
from aksio.documents import paths as doc_paths
from aksio.errors import Conflict, InvalidInput, NotFound
from aksio.ports.documents import collection

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
UID = "user-a"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteDocumentStore]:
    s = SqliteDocumentStore(tmp_path / "db.sqlite3")
    yield s
    s.close()


def new_course(store: SqliteDocumentStore, uid: str = UID, **fields: object) -> str:
    body = CourseCreate.model_validate({"title": "Biology", **fields})
    return repository.create_course(store, uid, body, NOW).id


def section_titles(store: SqliteDocumentStore, course_id: str) -> list[str]:
    page = repository.list_sections(store, UID, course_id, SectionListQuery())
    assert [s.order for s in page.items] == list(range(len(page.items)))
    return [s.title for s in page.items]


def add_sections(store: SqliteDocumentStore, course_id: str, *titles: str) -> list[str]:
    return [
        repository.create_section(store, UID, course_id, SectionCreate(title=t), NOW).id
        for t in titles
    ]


# ------------------------------------------------------------------ courses
def test_course_is_stored_under_the_user_with_its_bookkeeping(store: SqliteDocumentStore) -> None:
    course_id = new_course(store, code="BIO101", exam_date="2026-06-01")
    snap = store.get(paths.course(UID, course_id))
    assert snap is not None
    assert snap.data["exam_date"] == "2026-06-01"  # dates as ISO strings
    assert (snap.data["status"], snap.data["list_state"], snap.data["section_count"]) == (
        "active",
        "active",
        0,
    )
    assert snap.data["color"] in domain.PALETTE  # default colour is stored, so it never moves
    counter = store.get(paths.course_counter(UID))
    assert counter is not None and counter.data["count"] == 1


def test_list_state_follows_archived(store: SqliteDocumentStore) -> None:
    course_id = new_course(store)
    repository.update_course(store, UID, course_id, {"archived": True}, NOW)
    snap = store.get(paths.course(UID, course_id))
    assert snap is not None and snap.data["list_state"] == "archived"
    repository.update_course(store, UID, course_id, {"title": "Renamed"}, NOW)
    snap = store.get(paths.course(UID, course_id))
    assert snap is not None and snap.data["list_state"] == "archived"


def test_list_is_newest_first_and_filtered(store: SqliteDocumentStore) -> None:
    ids = []
    for i in range(5):
        body = CourseCreate(title=f"C{i}", archived=i % 2 == 1)
        ids.append(repository.create_course(store, UID, body, NOW + timedelta(minutes=i)).id)
    new_course(store, uid="someone-else")

    def listed(archived: bool | None) -> list[str]:
        query = CourseListQuery(archived=archived)
        return [c.id for c in repository.list_courses(store, UID, query).items]

    assert listed(None) == ids[::-1]
    assert listed(True) == [ids[3], ids[1]]
    assert listed(False) == [ids[4], ids[2], ids[0]]


def test_course_limit_counts_live_courses(
    store: SqliteDocumentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(domain, "MAX_COURSES_PER_USER", 3)
    ids = [new_course(store) for _ in range(3)]
    with pytest.raises(Conflict, match="limit of 3 courses"):
        new_course(store)
    new_course(store, uid="other-user")  # per user
    assert repository.mark_deleting(store, UID, ids[0], NOW)
    assert not repository.mark_deleting(store, UID, ids[0], NOW)  # counted once
    new_course(store)  # a deleted course frees its slot
    with pytest.raises(Conflict):
        new_course(store)


def test_concurrent_creates_respect_the_limit(
    store: SqliteDocumentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(domain, "MAX_COURSES_PER_USER", 5)

    def attempt(_: int) -> bool:
        try:
            new_course(store)
            return True
        except Conflict:
            return False

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(attempt, range(12)))
    assert results.count(True) == 5
    counter = store.get(paths.course_counter(UID))
    assert counter is not None and counter.data["count"] == 5


def test_deleting_course_is_gone_for_reads_and_writes(store: SqliteDocumentStore) -> None:
    course_id = new_course(store)
    repository.mark_deleting(store, UID, course_id, NOW)
    with pytest.raises(NotFound):
        repository.get_course(store, UID, course_id)
    with pytest.raises(NotFound):
        repository.update_course(store, UID, course_id, {"archived": True}, NOW)
    with pytest.raises(NotFound):
        add_sections(store, course_id, "Late")
    assert repository.list_courses(store, UID, CourseListQuery()).items == []
    snap = store.get(paths.course(UID, course_id))
    # the archive toggle above did not bring it back to lists
    assert snap is not None and snap.data["list_state"] == "deleting"


@pytest.mark.parametrize("bad", ["", "a/b", "../x", "x" * 200])
def test_ids_that_cannot_be_paths_are_not_found(store: SqliteDocumentStore, bad: str) -> None:
    with pytest.raises(NotFound):
        repository.get_course(store, UID, bad)
    with pytest.raises(NotFound):
        repository.mark_deleting(store, UID, bad, NOW)


# ------------------------------------------------------------------ sections
def test_sections_append_insert_reorder_delete(store: SqliteDocumentStore) -> None:
    course_id = new_course(store)
    a, b, c = add_sections(store, course_id, "A", "B", "C")
    first = repository.create_section(
        store, UID, course_id, SectionCreate(title="0", position=0), NOW
    )
    assert first.order == 0
    assert section_titles(store, course_id) == ["0", "A", "B", "C"]
    repository.create_section(store, UID, course_id, SectionCreate(title="B2", position=3), NOW)
    assert section_titles(store, course_id) == ["0", "A", "B", "B2", "C"]

    ids = [s.id for s in repository.list_sections(store, UID, course_id, SectionListQuery()).items]
    moved = repository.reorder_sections(store, UID, course_id, ids[::-1])
    assert [s.title for s in moved] == ["C", "B2", "B", "A", "0"]
    assert section_titles(store, course_id) == ["C", "B2", "B", "A", "0"]

    repository.delete_section(store, UID, course_id, b)
    assert section_titles(store, course_id) == ["C", "B2", "A", "0"]
    snap = store.get(paths.course(UID, course_id))
    assert snap is not None and snap.data["section_count"] == 4
    with pytest.raises(NotFound):
        repository.delete_section(store, UID, course_id, b)
    with pytest.raises(InvalidInput):
        repository.reorder_sections(store, UID, course_id, [a, c])


def test_deleting_a_section_unlinks_its_documents_past_one_transaction(
    store: SqliteDocumentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repository, "UNLINK_IN_TRANSACTION", 2)
    monkeypatch.setattr(repository, "MAX_BATCH_WRITES", 2)  # the rest: several batches
    course_id = new_course(store)
    gone, kept = add_sections(store, course_id, "A", "B")
    links = [gone] * 7 + [kept, None]
    for i, section_id in enumerate(links):
        store.set(doc_paths.document(UID, course_id, f"d{i}"), {"section_id": section_id})
    repository.delete_section(store, UID, course_id, gone)
    docs = store.query(collection(doc_paths.documents(UID, course_id)))
    assert sorted((d.id, d.data["section_id"]) for d in docs) == [
        (f"d{i}", kept if i == 7 else None) for i in range(9)
    ]
    assert section_titles(store, course_id) == ["B"]


def test_section_limit(store: SqliteDocumentStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(domain, "MAX_SECTIONS_PER_COURSE", 3)
    course_id = new_course(store)
    add_sections(store, course_id, "A", "B", "C")
    with pytest.raises(Conflict, match="at most 3 sections"):
        add_sections(store, course_id, "D")


def test_position_past_the_end_is_invalid(store: SqliteDocumentStore) -> None:
    course_id = new_course(store)
    add_sections(store, course_id, "A")
    with pytest.raises(InvalidInput, match="between 0 and 1"):
        repository.create_section(store, UID, course_id, SectionCreate(title="x", position=2), NOW)


def test_concurrent_inserts_never_share_a_position(store: SqliteDocumentStore) -> None:
    course_id = new_course(store)
    add_sections(store, course_id, "A", "B")

    def insert(i: int) -> None:
        body = SectionCreate(title=f"N{i}", position=i % 3)
        repository.create_section(store, UID, course_id, body, NOW)

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(insert, range(18)))
    titles = section_titles(store, course_id)  # asserts 0..n-1 without ties
    assert len(titles) == 20


def test_sections_page_in_order(store: SqliteDocumentStore) -> None:
    course_id = new_course(store)
    add_sections(store, course_id, *[f"S{i:02d}" for i in range(7)])
    seen: list[str] = []
    cursor = None
    while True:
        page = repository.list_sections(
            store, UID, course_id, SectionListQuery(limit=3, cursor=cursor)
        )
        seen += [s.title for s in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [f"S{i:02d}" for i in range(7)]


def test_another_users_course_has_no_sections_for_you(store: SqliteDocumentStore) -> None:
    theirs = new_course(store, uid="someone-else")
    with pytest.raises(NotFound):
        repository.list_sections(store, UID, theirs, SectionListQuery())
    with pytest.raises(NotFound):
        add_sections(store, theirs, "Mine now?")
