"""Course rules without I/O: ids, colours, exam dates and section order maths."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aksio.courses import domain
from aksio.errors import InvalidInput
from aksio.ids import is_valid_id


@pytest.mark.parametrize("value", ["01hx", "a", "A_b-9", "x" * 128])
def test_valid_ids(value: str) -> None:
    assert is_valid_id(value)


@pytest.mark.parametrize("value", ["", "x" * 129, "a/b", "a.b", "..", "ä", "a b", "%2F"])
def test_invalid_ids(value: str) -> None:
    assert not is_valid_id(value)


def test_colours_are_normalised_to_lowercase() -> None:
    assert domain.normalize_color("#AaBbCc") == "#aabbcc"


@pytest.mark.parametrize("value", ["red", "#abc", "#abcdeg", "aabbcc", "#aabbccdd", " #aabbcc"])
def test_bad_colours(value: str) -> None:
    with pytest.raises(ValueError, match="#RRGGBB"):
        domain.normalize_color(value)


def test_default_colour_is_stable_and_from_the_palette() -> None:
    colours = {domain.default_color(f"course-{i}") for i in range(200)}
    assert colours <= set(domain.PALETTE)
    assert len(colours) > 1  # varied across courses
    assert domain.default_color("abc") == domain.default_color("abc")


@pytest.mark.parametrize(
    "exam", [None, date(2026, 1, 1), date(2016, 3, 1), date(2036, 3, 1), date(2025, 6, 30)]
)
def test_exam_dates_within_ten_years_either_way(exam: date | None) -> None:
    domain.check_exam_date(exam, today=date(2026, 3, 1))


@pytest.mark.parametrize("exam", [date(2016, 2, 29), date(2036, 3, 2), date(1999, 1, 1)])
def test_exam_dates_far_off_are_refused(exam: date) -> None:
    with pytest.raises(InvalidInput) as err:
        domain.check_exam_date(exam, today=date(2026, 3, 1))
    assert err.value.details[0]["field"] == "exam_date"


def test_exam_window_from_the_29th_of_february() -> None:
    domain.check_exam_date(date(2034, 2, 28), today=date(2024, 2, 29))
    with pytest.raises(InvalidInput):
        domain.check_exam_date(date(2034, 3, 1), today=date(2024, 2, 29))


# ------------------------------------------------------------------ sections
def test_current_order_breaks_ties_by_id() -> None:
    assert domain.current_order({"b": 0, "a": 0, "c": -1, "d": 5}) == ["c", "a", "b", "d"]


def test_renumber_returns_only_what_changed() -> None:
    orders = {"a": 0, "b": 1, "c": 2}
    assert domain.renumber(["a", "b", "c"], orders) == {}
    assert domain.renumber(["a", "c"], orders) == {"c": 1}
    assert domain.renumber(["c", "a", "b"], orders) == {"c": 0, "a": 1, "b": 2}


def test_insert_position() -> None:
    assert domain.insert_position(3, None) == 3
    assert domain.insert_position(3, 0) == 0
    assert domain.insert_position(3, 3) == 3
    with pytest.raises(InvalidInput) as err:
        domain.insert_position(3, 4)
    assert "between 0 and 3" in err.value.message
    assert domain.with_inserted(["a", "b"], "n", 1) == ["a", "n", "b"]


def test_reorder_must_name_every_section_once() -> None:
    assert domain.check_reorder(["a", "b", "c"], ["c", "a", "b"]) == ["c", "a", "b"]
    assert domain.check_reorder([], []) == []
    for bad, problem in [
        (["a", "b"], "missing: ['c']"),
        (["a", "b", "c", "x"], "unknown: ['x']"),
        (["a", "b", "c", "a"], "duplicates: ['a']"),
        ([], "missing: ['a', 'b', 'c']"),
    ]:
        with pytest.raises(InvalidInput) as err:
            domain.check_reorder(["a", "b", "c"], bad)
        assert problem in {d["message"] for d in err.value.details}
        assert {d["field"] for d in err.value.details} == {"section_ids"}


@settings(derandomize=True)  # deterministic runs
@given(
    n=st.integers(min_value=0, max_value=30),
    data=st.data(),
)
def test_any_sequence_of_changes_keeps_positions_contiguous(n: int, data: st.DataObject) -> None:
    orders = {f"s{i}": i for i in range(n)}
    for step in range(10):
        ordered = domain.current_order(orders)
        action = data.draw(st.sampled_from(["insert", "delete", "reorder"]))
        if action == "insert" and len(ordered) < domain.MAX_SECTIONS_PER_COURSE:
            pos = data.draw(st.integers(min_value=0, max_value=len(ordered)))
            ordered = domain.with_inserted(
                ordered, f"new{step}", domain.insert_position(len(ordered), pos)
            )
        elif action == "delete" and ordered:
            gone = data.draw(st.sampled_from(ordered))
            ordered = [sid for sid in ordered if sid != gone]
        elif action == "reorder":
            ordered = domain.check_reorder(ordered, data.draw(st.permutations(ordered)))
        orders = {
            **{k: v for k, v in orders.items() if k in ordered},
            **domain.renumber(ordered, orders),
        }
        assert sorted(orders.values()) == list(range(len(ordered)))
        assert domain.current_order(orders) == ordered
