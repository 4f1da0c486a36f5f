"""Grading answers: pure functions, no I/O.

Choice questions compare option texts after :func:`normalize_text` (so
``"Mitochondria "`` picks the option ``"mitochondria"``); multiple choice is
graded as an exact set: every correct option and no other. Short answers
compare normalised text, and numbers numerically:

- text: Unicode NFKD with combining marks dropped (``"Café"`` == ``"cafe"``),
  case folded, whitespace runs collapsed and stripped, trailing sentence
  punctuation (``. , ; : ! ? …``) removed. Other symbols stay: ``C#`` is not
  ``C`` and ``C++`` is not ``C``.
- numbers: ``3.5``, ``3,5``, ``+3.50``, ``\u2212 3.5`` (Unicode minus), ``1 234,5``,
  ``1,234.5``, ``1.234,5``, ``1'234``, ``1.5e3``, optionally followed by a unit
  that must match as text (``"9,81 m/s"`` == ``"9.81 m/s"``). A lone separator
  followed by exactly three digits (``1,234`` or ``1.234``) is read both ways
  (1234 and 1.234): the writing is ambiguous between conventions and the two
  readings differ a thousandfold, so accepting either cannot reward a guess.
  Two numbers match within the question's absolute ``tolerance``, or by
  default within a relative ``DEFAULT_REL_TOLERANCE`` (rounding noise, not
  rounding by the student: a quiz that accepts 3.14 for pi says so with a
  tolerance).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DEFAULT_REL_TOLERANCE = 1e-6
_ABS_FLOOR = 1e-12
"""Two zeros (or numbers that small) still match under a relative tolerance."""

_TRAILING_PUNCTUATION = ".,;:!?…。、"
_MINUS_SIGNS = "\u2212\u2012\u2013\u2014\ufe63\uff0d"
_GROUP_SPACES = re.compile(r"(?<=\d)[ \u00a0\u2009\u202f'\u2019](?=\d{3}(?!\d))")
"""A space (incl. no-break and thin spaces) or apostrophe between digit groups: thousands."""
_NUMBER = re.compile(
    r"^(?P<sign>[+-]?)(?P<mantissa>\d[\d.,]*|[.,]\d+)(?:e(?P<exp>[+-]?\d{1,4}))?"
    r"(?:\s*(?P<unit>\D.*))?$"
)
_DIGITS = re.compile(r"\d+")


def normalize_text(value: str) -> str:
    """Case, accents, whitespace and trailing punctuation removed (see module doc)."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    collapsed = " ".join(stripped.casefold().split())
    return collapsed.rstrip(_TRAILING_PUNCTUATION + " ")


@dataclass(frozen=True)
class ParsedNumber:
    values: frozenset[float]
    """Every reading of the digits (two when the separator is ambiguous)."""
    unit: str
    """The normalised text after the number ("" for a bare number)."""


def parse_number(value: str) -> ParsedNumber | None:
    """The number an answer states, or None when it is not a number (a unit may follow)."""
    text = normalize_text(value)
    for minus in _MINUS_SIGNS:
        text = text.replace(minus, "-")
    text = _GROUP_SPACES.sub("", text)
    match = _NUMBER.match(text)
    if match is None:
        return None
    readings = _mantissa_readings(match["mantissa"])
    if not readings:
        return None
    exponent = match["exp"] or "0"
    values = set()
    for reading in readings:
        # One float() of the whole literal: exact where the digits allow (2e-3 is 0.002)
        number = float(f"{match['sign']}{reading}e{exponent}")
        if not math.isfinite(number):
            return None
        values.add(number)
    return ParsedNumber(frozenset(values), (match["unit"] or "").strip())


def _mantissa_readings(mantissa: str) -> list[str]:
    """``1.234,5`` -> ``["1234.5"]``; ``1,234`` -> ``["1234", "1.234"]``;
    ``2,000`` -> ``["2000"]``; [] if malformed."""
    commas, dots = mantissa.count(","), mantissa.count(".")
    if commas and dots:
        # Both: the last one is the decimal mark, the other groups thousands.
        decimal = "," if mantissa.rfind(",") > mantissa.rfind(".") else "."
        group = "." if decimal == "," else ","
        whole, _, fraction = mantissa.rpartition(decimal)
        if decimal in whole or not _grouped(whole, group) or not fraction.isdigit():
            return []
        return [whole.replace(group, "") + "." + fraction]
    mark = "," if commas else "." if dots else ""
    if not mark:
        return [mantissa]
    parts = mantissa.split(mark)
    if len(parts) > 2:  # 1,234,567: only a thousands separator repeats
        return [mantissa.replace(mark, "")] if _grouped(mantissa, mark) else []
    whole, fraction = parts
    if not fraction.isdigit() or (whole and not whole.isdigit()):
        return []
    decimal = (whole or "0") + "." + fraction
    if len(fraction) == 3 and 1 <= len(whole) <= 3 and not whole.startswith("0"):
        # "2,000" is two thousand: a decimal 2 is not written with three zeros
        # (and reading it as 2 too would accept "2" for a key of 2,000).
        return [whole + fraction] if fraction == "000" else [whole + fraction, decimal]
    return [decimal]


def _grouped(number: str, separator: str) -> bool:
    """``1,234,567``: a first group of 1-3 digits then groups of exactly 3."""
    groups = number.split(separator)
    return (
        all(_DIGITS.fullmatch(g) for g in groups)
        and 1 <= len(groups[0]) <= 3
        and all(len(g) == 3 for g in groups[1:])
    )


def numbers_match(expected: float, given: float, tolerance: float | None) -> bool:
    if tolerance is not None:
        # A hair of slack so that 0.1 + 0.2 style float noise never flips a boundary.
        return abs(expected - given) <= tolerance * (1 + 1e-9) + _ABS_FLOOR
    scale = max(abs(expected), abs(given))
    return abs(expected - given) <= max(DEFAULT_REL_TOLERANCE * scale, _ABS_FLOOR)


def short_answer_matches(
    given: str, accepted: Iterable[str], tolerance: float | None = None
) -> bool:
    """Whether ``given`` matches one of the accepted forms (the answer first)."""
    given_text = normalize_text(given)
    if not given_text:
        return False
    given_number = parse_number(given)
    for form in accepted:
        if normalize_text(form) == given_text:
            return True
        expected_number = parse_number(form)
        if (
            given_number is not None
            and expected_number is not None
            and given_number.unit == expected_number.unit
            and any(
                numbers_match(e, g, tolerance)
                for e in expected_number.values
                for g in given_number.values
            )
        ):
            return True
    return False


def match_option(options: Sequence[str], given: str) -> str | None:
    """The option ``given`` names (exactly, else after normalisation), or None."""
    if given in options:
        return given
    wanted = normalize_text(given)
    for option in options:
        if normalize_text(option) == wanted:
            return option
    return None


AnswerValue = str | list[str] | bool


class AnswerTypeError(ValueError):
    """The answer is not of the type the question kind takes, or names no option."""


def expected_type(kind: str) -> str:
    return {
        "single_choice": "one option text (a string)",
        "multiple_choice": "a list of option texts",
        "true_false": "a boolean",
        "short_answer": "a string",
    }[kind]


def grade(
    kind: str,
    *,
    options: Sequence[str],
    answer: AnswerValue,
    accepted_answers: Sequence[str] = (),
    tolerance: float | None = None,
    given: AnswerValue | None,
) -> bool:
    """Whether ``given`` answers a question of ``kind`` whose key is ``answer``.

    ``given=None`` is an unanswered question: wrong. A value of the wrong type
    for the kind, or a choice that is not among the options, raises
    AnswerTypeError (the client sent something the question cannot take)."""
    if given is None:
        return False
    if kind == "true_false":
        if not isinstance(given, bool):
            raise AnswerTypeError(f"expected {expected_type(kind)}")
        return given is answer
    if kind == "single_choice":
        if not isinstance(given, str):
            raise AnswerTypeError(f"expected {expected_type(kind)}")
        return _chosen(options, [given]) == {answer}
    if kind == "multiple_choice":
        if not isinstance(given, list):
            raise AnswerTypeError(f"expected {expected_type(kind)}")
        assert isinstance(answer, list)
        return _chosen(options, given) == set(answer)
    if kind == "short_answer":
        if not isinstance(given, str):
            raise AnswerTypeError(f"expected {expected_type(kind)}")
        assert isinstance(answer, str)
        return short_answer_matches(given, [answer, *accepted_answers], tolerance)
    raise ValueError(f"unknown question kind {kind!r}")


def _chosen(options: Sequence[str], given: Sequence[str]) -> set[str]:
    chosen = set()
    for value in given:
        if not isinstance(value, str):
            raise AnswerTypeError("expected option texts (strings)")
        option = match_option(options, value)
        if option is None:
            raise AnswerTypeError(f"{value[:100]!r} is not one of the options")
        chosen.add(option)
    return chosen


def score(correct_count: int, total: int) -> float:
    """The share of questions answered right, 0 to 1 (4 decimals)."""
    return round(correct_count / total, 4) if total else 0.0
