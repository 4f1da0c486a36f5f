"""Key terms of a course: the subject's vocabulary, ranked, deterministic,
on a real book (Darwin's Origin of Species, public domain) and on small texts."""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pytest

from aksio.assessments.keyterms import key_terms, stopwords

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus" / "origin_of_species.txt"
PARAGRAPHS = [
    re.sub(r"\s+", " ", p).strip()
    for p in re.split(r"\n\s*\n", CORPUS.read_text(encoding="utf-8"))
    if p.strip()
]
CHAPTER_I = PARAGRAPHS[40:60]  # variation under domestication: breeds, pigeons
INSTINCT = PARAGRAPHS[300:330]  # chapter VII, instinct: cuckoos, ants, bees


def _texts(terms: list[str], filler: list[str], n: int, seed: int) -> list[str]:
    """Passages mentioning ``terms`` among filler sentences."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        sentences = [
            f"The {rng.choice(terms)} {rng.choice(filler)} {rng.choice(terms)}." for _ in range(4)
        ]
        out.append(" ".join(sentences))
    return out


def test_darwin_chapter_terms_are_its_subject() -> None:
    terms = key_terms(CHAPTER_I, limit=25)
    assert len(terms) == 25
    lowered = {t.lower() for t in terms}
    assert {"breeds", "pigeons", "species", "varieties"} <= lowered
    assert not lowered & stopwords("en")


def test_whole_book_keeps_natural_selection_as_one_phrase() -> None:
    terms = key_terms(PARAGRAPHS, limit=40)
    assert "natural selection" in terms
    # the phrase replaces its parts: "natural" and "selection" alone would be noise
    assert "natural" not in terms and "selection" not in terms
    assert terms[0] == "species"


def test_names_keep_their_capital_and_common_nouns_are_lower_case() -> None:
    terms = key_terms(INSTINCT, limit=30)
    assert "Huber" in terms  # a naturalist: always capitalised
    assert "instincts" in terms and "Instincts" not in terms


def test_plural_and_singular_are_one_term_shown_in_the_commoner_form() -> None:
    texts = [
        "Each cell has a membrane. Most cells divide by mitosis.",
        "Cells store DNA in the nucleus. Red blood cells lack a nucleus.",
        "All cells use glucose.",
    ]
    terms = key_terms(texts, limit=10)
    assert terms.count("cells") + terms.count("cell") == 1
    assert "cells" in terms
    assert "DNA" in terms  # acronyms stay upper case


def test_deterministic_and_limited_and_without_duplicates() -> None:
    texts = _texts(
        ["enzyme", "substrate", "active site", "catalyst", "inhibitor"],
        ["binds to the", "is slowed by the", "is converted by the"],
        n=12,
        seed=7,
    )
    first = key_terms(texts, limit=4)
    assert first == key_terms(list(texts), limit=4)
    assert len(first) == 4
    assert len({t.lower() for t in first}) == 4
    assert "active site" in key_terms(texts, limit=10)
    assert key_terms(texts, limit=0) == []
    assert key_terms([], limit=5) == []
    assert key_terms(["", "  ", "123 456"], limit=5) == []


def test_order_of_passages_does_not_change_the_ranking_of_clear_winners() -> None:
    texts = CHAPTER_I
    assert key_terms(texts, limit=5) == key_terms(list(reversed(texts)), limit=5)


@pytest.mark.parametrize("language", ["nb", "no", "nb-NO"])
def test_norwegian_uses_norwegian_stopwords(language: str) -> None:
    texts = [
        "Fotosyntese er prosessen der planter lager sukker av lys og vann.",
        "Klorofyll fanger lyset. Fotosyntese skjer i kloroplaster hos planter.",
        "Uten klorofyll og lys kan planter ikke drive fotosyntese.",
    ]
    terms = key_terms(texts, limit=6, language=language)
    assert terms[0] == "fotosyntese"
    assert {"planter", "klorofyll"} <= set(terms)
    assert not {"er", "og", "der", "av", "kan", "ikke", "uten"} & set(terms)


def test_unknown_language_still_ranks_by_frequency() -> None:
    texts = ["zorb flim zorb", "zorb quax", "flim zorb"]
    assert key_terms(texts, limit=2, language="xx")[0] == "zorb"


def test_fast_on_a_batch_of_passages() -> None:
    batch = PARAGRAPHS[:60]
    start = time.perf_counter()
    key_terms(batch, limit=30)
    assert time.perf_counter() - start < 0.5
