"""Planner inputs and the falling-behind measure: pure functions on plain data."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aksio.learning import effort
from aksio.learning.plans import difficulty, inputs
from aksio.learning.plans.inputs import CourseSize, SectionRef
from aksio.learning.plans.service import behind_by_minutes
from aksio.ports.llm import DifficultyEstimate

TODAY = date(2026, 3, 10)


def session(day: date, minutes: int, status: str = "planned", **extra: object) -> dict[str, object]:
    return {"date": day.isoformat(), "minutes": minutes, "status": status, **extra}


# ------------------------------------------------------------------ size
def test_course_size_adds_known_counts_and_ignores_junk() -> None:
    docs: list[dict[str, object]] = [
        {"word_count": 1200, "page_count": 4},
        {"word_count": None, "page_count": 10},
        {"word_count": "many", "page_count": -3},
        {"word_count": True},
    ]
    assert inputs.course_size(docs) == CourseSize(words=1200, pages=14)


def test_course_size_without_documents_is_unknown() -> None:
    assert inputs.course_size([]) == CourseSize(None, None)
    assert inputs.course_size([{"word_count": 0, "page_count": 0}]) == CourseSize(None, None)


@given(total=st.integers(0, 10**7), n=st.integers(1, 200))
def test_share_splits_exactly_and_evenly(total: int, n: int) -> None:
    parts = inputs.share(total, n)
    assert sum(p for p in parts if p is not None) == total
    assert max(p or 0 for p in parts) - min(p or 0 for p in parts) <= 1


def test_share_of_unknown_is_unknown() -> None:
    assert inputs.share(None, 3) == [None, None, None]


def test_unlinked_documents_are_shared_equally_as_before_links() -> None:
    refs = [SectionRef("a", "Cells"), SectionRef("b", "Membranes"), SectionRef("c", "Enzymes")]
    docs: list[dict[str, object]] = [
        {"word_count": 2001, "page_count": 7},
        {"word_count": 1000, "page_count": 2, "section_id": None},
    ]
    sizes = inputs.section_sizes(refs, docs)
    assert [sizes[r.section_id] for r in refs] == [
        CourseSize(words, pages)
        for words, pages in zip(inputs.share(3001, 3), inputs.share(9, 3), strict=True)
    ]
    assert inputs.section_sizes(refs, []) == {r.section_id: CourseSize(None, None) for r in refs}


def test_linked_documents_size_their_section_plus_a_share_of_the_rest() -> None:
    refs = [SectionRef("a", "Cells"), SectionRef("b", "Membranes"), SectionRef("c", "Enzymes")]
    docs: list[dict[str, object]] = [
        {"word_count": 9000, "page_count": 30, "section_id": "a"},
        {"word_count": 1000, "page_count": None, "section_id": "a"},
        {"word_count": 500, "page_count": 2, "section_id": "b"},
        {"word_count": 300, "page_count": 3},  # the whole course
        {"word_count": 3, "page_count": 3, "section_id": "deleted"},  # counts as unlinked
    ]
    sizes = inputs.section_sizes(refs, docs)
    assert sizes == {
        "a": CourseSize(9000 + 1000 + 101, 30 + 2),
        "b": CourseSize(500 + 101, 2 + 2),
        "c": CourseSize(101, 2),
    }


def test_a_section_without_documents_and_nothing_to_share_is_unknown() -> None:
    refs = [SectionRef("a", "Cells"), SectionRef("b", "Membranes")]
    sizes = inputs.section_sizes(refs, [{"word_count": 4000, "section_id": "a"}])
    assert sizes == {"a": CourseSize(4000, None), "b": CourseSize(None, None)}
    got = inputs.section_inputs(refs, sizes, {}, {})
    assert effort.full_minutes(got[1]) == effort.full_minutes(
        inputs.section_inputs(refs, {}, {}, {})[0]
    )  # the effort model's default for an unknown size


def test_a_bigger_linked_section_takes_longer_to_learn() -> None:
    refs = [SectionRef("a", "Slides 1"), SectionRef("b", "Slides 2")]
    docs: list[dict[str, object]] = [
        {"word_count": 12_000, "page_count": 40, "section_id": "a"},
        {"word_count": 2_000, "page_count": 8, "section_id": "b"},
    ]
    a, b = inputs.section_inputs(refs, inputs.section_sizes(refs, docs), {}, {})
    assert effort.full_minutes(a) > 3 * effort.full_minutes(b)


def test_section_inputs_carry_size_weakness_and_learning() -> None:
    refs = [SectionRef("a", "Cells"), SectionRef("b", "Membranes"), SectionRef("c", "Enzymes")]
    sizes = inputs.section_sizes(refs, [{"word_count": 3001}])
    got = inputs.section_inputs(refs, sizes, {"b": 0.5, "x": 0.9, "c": 7.0}, {"a": 40})
    assert [s.section_id for s in got] == ["a", "b", "c"]
    assert [s.words for s in got] == [1001, 1000, 1000]
    assert [s.weakness for s in got] == [0.0, 0.5, 1.0]  # clamped into 0..1
    assert [s.learned_minutes for s in got] == [40, 0, 0]
    # the weak section takes longer to learn than an equal-sized strong one
    assert effort.full_minutes(got[1]) > effort.full_minutes(
        inputs.section_inputs([refs[1]], {"b": CourseSize(1000, None)}, {}, {})[0]
    )


def test_section_inputs_carry_difficulty_clamped_and_unknown_as_none() -> None:
    refs = [SectionRef(sid, sid.upper()) for sid in "abcd"]
    sizes = {r.section_id: CourseSize(1000, None) for r in refs}
    got = inputs.section_inputs(refs, sizes, {}, {}, {"a": 0.2, "b": 1.5, "c": float("nan")})
    assert [s.difficulty for s in got] == [0.2, 1.0, None, None]
    assert effort.full_minutes(got[1]) > effort.full_minutes(got[0])


def test_course_language_is_the_one_with_most_chunks() -> None:
    docs: list[dict[str, object]] = [
        {"language": "en", "chunk_count": 10},
        {"language": "nb", "chunk_count": 4},
        {"language": "nb", "chunk_count": 9},
        {"language": None, "chunk_count": 100},
    ]
    assert inputs.course_language(docs) == "nb"
    assert inputs.course_language([]) == "en"


@given(
    estimates=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "zz"]),
            st.floats(allow_nan=True, allow_infinity=True),
        ),
        max_size=8,
    )
)
def test_accepted_estimates_are_asked_for_unique_and_in_range(
    estimates: list[tuple[str, float]],
) -> None:
    found = difficulty.accepted(
        [
            DifficultyEstimate.model_construct(section_id=sid, difficulty=value, reason="r")
            for sid, value in estimates
        ],
        ["a", "b", "c"],
    )
    assert set(found) <= {"a", "b", "c"}
    assert all(0.0 <= r.difficulty <= 1.0 for r in found.values())
    # the first finite rating of a section counts; infinities and NaN are dropped
    firsts = dict(reversed([(sid, v) for sid, v in estimates if math.isfinite(v)]))
    assert set(found) == set(firsts) & {"a", "b", "c"}
    for sid, rated in found.items():
        assert rated.difficulty == round(min(1.0, max(0.0, firsts[sid])), 3)


def test_stored_estimates_skip_junk() -> None:
    plan = {
        "section_difficulty": [
            {"section_id": "a", "difficulty": 0.4, "reason": "Dense."},
            {"section_id": "b", "difficulty": 3},
            {"section_id": "c", "difficulty": True},
            "junk",
        ]
    }
    assert difficulty.stored(plan) == {"a": difficulty.Rated("a", 0.4, "Dense.")}
    assert difficulty.stored({}) == {}


def test_learned_minutes_counts_completed_learn_sessions_only() -> None:
    sessions = [
        session(TODAY, 45, "completed", kind="learn", section_id="a", actual_minutes=30),
        session(TODAY, 45, "completed", kind="learn", section_id="a", actual_minutes=None),
        session(TODAY, 45, "skipped", kind="learn", section_id="a"),
        session(TODAY, 20, "completed", kind="review", section_id="a"),
        session(TODAY, 60, "completed", kind="learn", section_id="b", actual_minutes=50),
        session(TODAY, 30, "completed", kind="quiz", section_id=None),
    ]
    assert inputs.learned_minutes(sessions) == {"a": 75, "b": 50}


# ------------------------------------------------------------------ behind
def test_behind_counts_missed_past_and_skipped_sessions() -> None:
    yesterday, tomorrow = TODAY - timedelta(days=1), TODAY + timedelta(days=1)
    sessions = [
        session(yesterday, 45),  # missed
        session(yesterday, 30, "completed"),
        session(yesterday, 20, "in_progress"),  # started, never finished
        session(TODAY, 60),  # still today: not missed yet
        session(tomorrow, 25, "skipped"),  # will not happen
        session(tomorrow, 50),
    ]
    assert behind_by_minutes(sessions, TODAY) == 45 + 20 + 25


def test_behind_is_zero_when_on_track() -> None:
    past = TODAY - timedelta(days=3)
    assert behind_by_minutes([session(past, 45, "completed"), session(TODAY, 30)], TODAY) == 0
    assert behind_by_minutes([], TODAY) == 0


@pytest.mark.parametrize("value", [TODAY - timedelta(days=1), "2026-03-09"])
def test_behind_reads_dates_and_iso_strings(value: object) -> None:
    assert behind_by_minutes([{"date": value, "minutes": 30, "status": "planned"}], TODAY) == 30
