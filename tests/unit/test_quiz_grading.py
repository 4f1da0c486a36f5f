"""Grading of every question kind: normalisation, numbers, edge cases."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from aksio.assessments.quizzes import grading
from aksio.assessments.quizzes.grading import (
    AnswerTypeError,
    grade,
    normalize_text,
    parse_number,
    short_answer_matches,
)

OPTIONS = ["Mitochondrion", "Ribosome", "Golgi apparatus", "Café au lait"]


# ------------------------------------------------------------------ text
@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("  Photosynthesis ", "photosynthesis"),
        ("PHOTOSYNTHESIS.", "photosynthesis"),
        ("Krebs   cycle", "krebs cycle"),
        ("Krebs\tcycle\n", "krebs cycle"),
        ("Café", "cafe"),
        ("Ångström", "angstrom"),
        ("naïve", "naive"),
        ("Straße", "strasse"),  # casefold, not lower
        ("Yes!", "yes"),
        ("Why?!…", "why"),
        ("end ;", "end"),
        ("C#", "c#"),
        ("C++", "c++"),
        ("ﬁsh", "fish"),  # NFKD: compatibility ligature
        ("", ""),
        ("...", ""),
    ],
)
def test_normalize_text(raw: str, normal: str) -> None:
    assert normalize_text(raw) == normal


def test_inner_punctuation_is_kept() -> None:
    assert normalize_text("e.g. this") == "e.g. this"
    assert normalize_text("U.S.A.") == "u.s.a"


# ------------------------------------------------------------------ numbers
@pytest.mark.parametrize(
    ("raw", "values", "unit"),
    [
        ("3.5", {3.5}, ""),
        ("3,5", {3.5}, ""),
        ("+3.50", {3.5}, ""),
        ("-3.5", {-3.5}, ""),
        ("\u22123.5", {-3.5}, ""),  # Unicode minus sign
        (".5", {0.5}, ""),
        (",5", {0.5}, ""),
        ("0,125", {0.125}, ""),
        ("1 234,5", {1234.5}, ""),
        ("1\u00a0234\u00a0567", {1234567.0}, ""),  # no-break spaces
        ("1\u202f234", {1234.0}, ""),  # narrow no-break space (French)
        ("1'234'567.5", {1234567.5}, ""),  # Swiss
        ("1,234.5", {1234.5}, ""),
        ("1.234,5", {1234.5}, ""),
        ("1,234,567", {1234567.0}, ""),
        ("1.234.567,89", {1234567.89}, ""),
        ("1,234", {1234.0, 1.234}, ""),  # ambiguous: both readings
        ("1.234", {1234.0, 1.234}, ""),
        ("2,000", {2000.0}, ""),  # three zeros: only a thousands separator
        ("5.000", {5000.0}, ""),
        ("12.5", {12.5}, ""),
        ("1.5e3", {1500.0}, ""),
        ("2E-3", {0.002}, ""),
        ("9,81 m/s", {9.81}, "m/s"),
        ("9.81m/s", {9.81}, "m/s"),
        ("46 chromosomes.", {46.0}, "chromosomes"),
        ("7", {7.0}, ""),
    ],
)
def test_parse_number(raw: str, values: set[float], unit: str) -> None:
    parsed = parse_number(raw)
    assert parsed is not None
    assert parsed.values == frozenset(values)
    assert parsed.unit == unit


@pytest.mark.parametrize(
    "raw",
    ["abc", "", "1,5,3", "1.2.3", "1,23,456", "12,34.5", "1.234,5,6", "e5", "1e999", "--3", "."],
)
def test_not_a_number(raw: str) -> None:
    assert parse_number(raw) is None


# ------------------------------------------------------------------ short answers
@pytest.mark.parametrize(
    ("given_", "expected", "tolerance", "ok"),
    [
        ("photosynthesis", "Photosynthesis", None, True),
        ("  PHOTOSYNTHESIS. ", "Photosynthesis", None, True),
        ("photo synthesis", "Photosynthesis", None, False),
        ("cafe", "Café", None, True),
        ("Ribosome", "Ribosomes", None, False),
        ("3,5", "3.5", None, True),
        ("3.50", "3.5", None, True),
        ("3.5000001", "3.5", None, True),  # within the default relative tolerance
        ("3.51", "3.5", None, False),
        ("3.14", "3.14159", None, False),  # rounding is not accepted by default...
        ("3.14", "3.14159", 0.01, True),  # ...unless the question says so
        ("3.13", "3.14159", 0.01, False),
        ("3.15159", "3.14159", 0.01, True),  # exactly on the boundary
        ("0", "0", None, True),
        ("0.0", "-0", None, True),
        ("1e-13", "0", None, True),
        ("1e-9", "0", None, False),
        ("1 000 000", "1000000", None, True),
        ("1,000,000", "1e6", None, True),
        ("1.000.000", "1000000", None, True),
        ("1,5", "1.5", None, True),
        ("2", "2,000", None, False),  # a key of two thousand is not 2...
        ("2,000", "2", None, False),
        ("2000", "2,000", None, True),  # ...but any way of writing 2000
        ("2 000", "2.000", None, True),
        ("1.234", "1,234", None, True),  # still ambiguous both ways: accepted
        ("9,81 m/s", "9.81 m/s", None, True),
        ("9.81 km/s", "9.81 m/s", None, False),
        ("9.81", "9.81 m/s", None, False),  # the unit is part of the answer
        ("-1", "\u22121", None, True),
        ("1", "-1", None, False),
        ("", "Photosynthesis", None, False),
        ("   ", "", None, False),
        ("...", "...", None, False),  # nothing left to compare: never right
    ],
)
def test_short_answer(given_: str, expected: str, tolerance: float | None, ok: bool) -> None:
    assert short_answer_matches(given_, [expected], tolerance) is ok


def test_accepted_answers_are_alternatives() -> None:
    forms = ["Adenosine triphosphate", "ATP", "adenosine-5'-triphosphate"]
    assert short_answer_matches("atp", forms)
    assert short_answer_matches("Adenosine 5'-triphosphate", forms) is False
    assert short_answer_matches("ADENOSINE-5'-TRIPHOSPHATE.", forms)


def test_text_answer_that_looks_numeric_still_compares_as_text() -> None:
    assert short_answer_matches("Route 66", ["route 66"])
    assert not short_answer_matches("Route 67", ["route 66"])


# ------------------------------------------------------------------ every kind
def test_single_choice() -> None:
    key: dict[str, Any] = {"options": OPTIONS, "answer": "Ribosome"}
    assert grade("single_choice", **key, given="Ribosome")
    assert grade("single_choice", **key, given=" ribosome ")
    assert not grade("single_choice", **key, given="Mitochondrion")
    assert not grade("single_choice", **key, given=None)
    assert grade("single_choice", options=OPTIONS, answer="Café au lait", given="cafe au lait")


def test_multiple_choice_is_an_exact_set() -> None:
    key: dict[str, Any] = {"options": OPTIONS, "answer": ["Mitochondrion", "Golgi apparatus"]}
    assert grade("multiple_choice", **key, given=["Golgi apparatus", "Mitochondrion"])
    assert grade(
        "multiple_choice", **key, given=["golgi apparatus", "Mitochondrion", "mitochondrion"]
    )
    assert not grade("multiple_choice", **key, given=["Mitochondrion"])
    assert not grade(
        "multiple_choice", **key, given=["Mitochondrion", "Golgi apparatus", "Ribosome"]
    )
    assert not grade("multiple_choice", **key, given=[])
    assert grade("multiple_choice", options=OPTIONS, answer=["Ribosome"], given=["Ribosome"])


def test_true_false() -> None:
    assert grade("true_false", options=[], answer=True, given=True)
    assert not grade("true_false", options=[], answer=True, given=False)
    assert grade("true_false", options=[], answer=False, given=False)
    assert not grade("true_false", options=[], answer=False, given=None)


def test_short_answer_kind_uses_accepted_and_tolerance() -> None:
    key: dict[str, Any] = {
        "options": [],
        "answer": "6.022e23",
        "accepted_answers": ["Avogadro's number"],
    }
    assert grade("short_answer", **key, given="6,022 e23") is False  # a space splits the unit
    assert grade("short_answer", **key, given="6.022E23")
    assert grade("short_answer", **key, given="602200000000000000000000")
    assert grade("short_answer", **key, given="avogadro's number")
    assert grade("short_answer", options=[], answer="100", tolerance=5, given="96")
    assert not grade("short_answer", options=[], answer="100", tolerance=5, given="94")


@pytest.mark.parametrize(
    ("kind", "answer", "given_"),
    [
        ("single_choice", "Ribosome", ["Ribosome"]),
        ("single_choice", "Ribosome", True),
        ("single_choice", "Ribosome", "Nucleus"),  # not an option
        ("multiple_choice", ["Ribosome"], "Ribosome"),
        ("multiple_choice", ["Ribosome"], ["Ribosome", "Nucleus"]),
        ("multiple_choice", ["Ribosome"], False),
        ("true_false", True, "true"),
        ("true_false", True, ["true"]),
        ("short_answer", "x", True),
        ("short_answer", "x", ["x"]),
    ],
)
def test_answers_the_question_cannot_take(kind: str, answer: object, given_: object) -> None:
    with pytest.raises(AnswerTypeError):
        grade(kind, options=OPTIONS, answer=answer, given=given_)  # type: ignore[arg-type]


def test_score() -> None:
    assert grading.score(3, 4) == 0.75
    assert grading.score(1, 3) == 0.3333
    assert grading.score(0, 0) == 0.0


# ------------------------------------------------------------------ properties
words = st.text(
    alphabet=st.characters(categories=["L", "N", "Zs"], exclude_characters="\x00"),
    min_size=1,
    max_size=30,
).filter(lambda s: normalize_text(s) != "")


@given(words)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(words, st.sampled_from(["", " ", "  ", "\t"]), st.sampled_from(["", ".", "!", " ?"]))
def test_an_answer_matches_itself_however_typed(text: str, pad: str, end: str) -> None:
    # upper() is lossy for a few letters (dotless i -> I); case-insensitive means casefold
    assume(text.upper().casefold() == text.casefold())
    typed = pad + text.upper() + pad + end
    assert short_answer_matches(typed, [text])


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).map(lambda f: round(f, 6)))
def test_a_number_matches_its_decimal_comma_and_grouped_forms(value: float) -> None:
    dotted = f"{value:.6f}"
    comma = dotted.replace(".", ",")
    grouped = f"{value:,.6f}"  # 1,234,567.5
    assert short_answer_matches(comma, [dotted])
    assert short_answer_matches(grouped, [dotted])
    assert short_answer_matches(dotted, [grouped])


@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.floats(min_value=0, max_value=1e3, allow_nan=False),
    st.floats(min_value=-3, max_value=3, allow_nan=False),
)
def test_tolerance_is_absolute(expected: float, tolerance: float, offset: float) -> None:
    given_value = expected + offset * tolerance
    ok = short_answer_matches(repr(given_value), [repr(expected)], tolerance)
    if abs(offset) <= 0.999:
        assert ok
    elif abs(offset) >= 1.001 and tolerance > 1e-6:
        assert not ok


@given(
    st.lists(st.sampled_from(OPTIONS), max_size=6),
    st.lists(st.sampled_from(OPTIONS), min_size=1, max_size=4),
)
def test_multiple_choice_right_exactly_when_sets_equal(chosen: list[str], key: list[str]) -> None:
    assert grade("multiple_choice", options=OPTIONS, answer=sorted(set(key)), given=chosen) == (
        set(chosen) == set(key)
    )
