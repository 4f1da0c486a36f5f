"""What a document is: page and word counts, language, proposed sections.

Sections a course could be organised by come from the outline's top level
(bookmarks are the author's own table of contents), else from headings:
the highest level that has at least two of them (one "Title" heading is
the document's name, not a topic). Front and back matter ("Contents",
"Index", "References"...) is not a topic and is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from aksio.documents.model import DocumentFacts, Extraction, OutlineEntry

MAX_SECTIONS = 50
MAX_SECTION_CHARS = 200
SAMPLE_WORDS = 1500  # enough for a confident guess, cheap on a 500-page book
MIN_LANGUAGE_WORDS = 20
MIN_LANGUAGE_PROBABILITY = 0.6
_SAMPLE_SPOTS = 8  # pages the sample is taken from, spread over the document

_NOT_A_TOPIC = re.compile(
    r"^((table\s+of\s+)?contents|index|(subject|author)\s+index|bibliography|references|"
    r"works\s+cited|further\s+reading|acknowledge?ments?|copyright.*|about\s+the\s+authors?|"
    r"title\s+page|cover|dedication|list\s+of\s+(figures|tables|abbreviations)|preface|"
    r"foreword|notes|endnotes|innhold(sfortegnelse)?|register|litteratur(liste)?|forord)$",
    re.I,
)


def facts(extraction: Extraction) -> DocumentFacts:
    words = sum(len(b.text.split()) for p in extraction.pages for b in p.blocks)
    return DocumentFacts(
        page_count=len(extraction.pages),
        word_count=words,
        language=detect_language(_sample(extraction)),
        proposed_sections=propose_sections(extraction),
    )


def detect_language(text: str) -> str | None:
    """ISO 639-1 code, or None when there is too little text to tell or the
    guess is not confident (a page of formulas, a list of names)."""
    if len(text.split()) < MIN_LANGUAGE_WORDS:
        return None
    language, probability = _identifier().classify(text)
    return str(language) if float(probability) >= MIN_LANGUAGE_PROBABILITY else None


@lru_cache(maxsize=1)
def _identifier() -> Any:
    # The model ships inside py3langid (about 5 MB, loads in well under a
    # second); loaded once per instance, on first use, not at import.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _sample(extraction: Extraction) -> str:
    """Body text from pages spread over the document, up to SAMPLE_WORDS:
    one chapter in another language (a quotation, an abstract) does not
    decide for the whole book."""
    pages = [p for p in extraction.pages if any(b.heading_level is None for b in p.blocks)]
    if not pages:
        return ""
    spots = sorted({i * len(pages) // _SAMPLE_SPOTS for i in range(_SAMPLE_SPOTS)})
    per_spot = SAMPLE_WORDS // len(spots)
    parts: list[str] = []
    for spot in spots:
        taken = 0
        for page in pages[spot:]:
            for block in page.blocks:
                if block.heading_level is None and taken < per_spot:
                    words = block.text.split()[: per_spot - taken]
                    parts.append(" ".join(words))
                    taken += len(words)
            if taken >= per_spot:
                break
    return "\n".join(parts)


def propose_sections(extraction: Extraction) -> tuple[str, ...]:
    title = _key(extraction.title or "")
    from_outline = _outline_titles(extraction.outline, title)
    if from_outline:
        return from_outline
    headings = [
        (b.heading_level, b.text)
        for p in extraction.pages
        for b in p.blocks
        if b.heading_level is not None
    ]
    for level in sorted({lvl for lvl, _ in headings}):
        titles = _topics((t for lvl, t in headings if lvl == level), title)
        if len(titles) >= 2:
            return titles
    return ()


def _outline_titles(outline: Iterable[OutlineEntry], title: str) -> tuple[str, ...]:
    entries = list(outline)
    for level in sorted({e.level for e in entries}):
        titles = _topics((e.title for e in entries if e.level == level), title)
        if len(titles) >= 2:  # a single top entry is usually the book itself
            return titles
    return ()


def _topics(titles: Iterable[str], document_title: str) -> tuple[str, ...]:
    return tuple(_bounded(_distinct(t for t in titles if _is_topic(t, document_title))))


def _is_topic(text: str, document_title: str) -> bool:
    key = _key(text)
    return bool(key) and key != document_title and not _NOT_A_TOPIC.match(_plain(text))


def _distinct(titles: Iterable[str]) -> Iterator[str]:
    seen: set[str] = set()
    for text in titles:
        key = _key(text)
        if key not in seen:
            seen.add(key)
            yield " ".join(text.split())[:MAX_SECTION_CHARS]


def _bounded(titles: Iterator[str]) -> list[str]:
    return [t for _, t in zip(range(MAX_SECTIONS), titles, strict=False)]


def _plain(text: str) -> str:
    """The words of a heading without numbering: "10. Index" -> "Index"."""
    text = re.sub(r"^(\d+(\.\d+)*\.?|[ivxlc]+\.|[a-z]\.)\s+", "", text.strip(), flags=re.I)
    return text.strip(" .:")


def _key(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())
