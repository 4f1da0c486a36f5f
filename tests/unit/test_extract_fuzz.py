"""Whatever the bytes, extract() ends in an Extraction or ExtractionFailed.

Random bytes under every supported name, and valid files of every kind
mutated (bytes flipped, cut short, spliced): the parsers underneath see
broken input of each format, and nothing but ExtractionFailed may escape.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from aksio.documents.extract import extract
from aksio.documents.model import Extraction, ExtractionFailed, ExtractionLimits
from tests.factories import files

NAMES = ["a.pdf", "a.docx", "a.pptx", "a.md", "a.txt", "a.html", "a", "a.jpg"]
# Small limits keep each example fast; the limits themselves are tested elsewhere.
LIMITS = ExtractionLimits(max_pages=50)

BUILDERS: dict[str, Callable[[], bytes]] = {
    "a.pdf": lambda: files.textbook_pdf(2),
    "a.docx": files.docx,
    "a.pptx": files.pptx,
    "a.md": files.markdown,
    "a.txt": files.text,
    "a.html": files.html,
}


@cache
def _valid(name: str) -> bytes:
    return BUILDERS[name]()


def _ok(data: bytes, name: str) -> None:
    try:
        result = extract(data, filename=name, limits=LIMITS)
    except ExtractionFailed as exc:
        assert exc.reason and isinstance(exc.reason, str)
        event(f"{name}: {exc.reason[:40]}")  # --hypothesis-show-statistics: what was hit
        return
    assert isinstance(result, Extraction)
    event(f"{name}: extracted")


FUZZ = settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(data=st.binary(max_size=4096), name=st.sampled_from(NAMES))
def test_random_bytes(data: bytes, name: str) -> None:
    _ok(data, name)


@settings(FUZZ, max_examples=300)
@given(
    name=st.sampled_from(sorted(BUILDERS)),
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=8),
    cut=st.one_of(st.just(1.0), st.floats(0.05, 1.0)),
)
def test_mutated_valid_files(name: str, flips: list[tuple[float, int]], cut: float) -> None:
    data = bytearray(_valid(name))
    for where, value in flips:
        data[int(where * len(data))] = value
    _ok(bytes(data[: max(1, int(len(data) * cut))]), name)


@FUZZ
@given(
    name=st.sampled_from(sorted(BUILDERS)),
    other=st.sampled_from(sorted(BUILDERS)),
    at=st.floats(0, 1),
)
def test_spliced_files(name: str, other: str, at: float) -> None:
    """Half of one file followed by half of another (a botched upload)."""
    a, b = _valid(name), _valid(other)
    _ok(a[: int(len(a) * at)] + b[int(len(b) * at) :], name)


@settings(FUZZ, max_examples=150)
@given(
    flips=st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=16
    ),
)
def test_mutated_pdf_body(flips: list[tuple[float, int]]) -> None:
    """Damage inside a PDF whose header and trailer are intact: what reaches
    PDFium's parser (objects, streams, xref), not the checks in front of it."""
    data = bytearray(_valid("a.pdf"))
    head, tail = 16, 64
    for where, value in flips:
        data[head + int(where * (len(data) - head - tail))] = value
    _ok(bytes(data), "a.pdf")
