"""Examples of what the embedded language model drafts (``LocalLanguageModel``),
for reading rather than scoring: the cards and questions it makes from a few
real pages of a textbook-length book (Darwin's *Origin of Species*, 1859,
public domain: tests/data/corpus/) cut into passages by the product's own
pipeline, and from a short modern textbook-style passage written for this.

Usage: ``python bench/llm_examples.py [--count 6] [--pages 12 40 112]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "shared"))

from aksio.adapters.local_llm import LocalLanguageModel  # noqa: E402
from aksio.assessments.keyterms import key_terms  # noqa: E402
from aksio.documents.chunking import chunk  # noqa: E402
from aksio.documents.extract import extract  # noqa: E402
from aksio.ports.llm import DraftRequest, SourcePassage  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "corpus" / "origin_of_species.txt"

# Written for Aksio in the style of an introductory biology text; one passage a paragraph.
CELL_MEMBRANE = (
    (ROOT / "tests" / "data" / "corpus" / "cell_membrane.txt").read_text().strip().split("\n\n")
)


def darwin_pages(pages: list[int]) -> list[SourcePassage]:
    chunks = chunk(extract(CORPUS.read_bytes(), filename=CORPUS.name))
    return [
        SourcePassage(f"origin-{c.index:05d}", "origin", c.text, c.page, c.heading, "Origin")
        for c in chunks
        if c.page in pages
    ] or [
        # a plain-text file has no pages: take runs of passages instead
        SourcePassage(f"origin-{c.index:05d}", "origin", c.text, c.page, c.heading, "Origin")
        for c in chunks
        if any(p <= c.index < p + 3 for p in pages)
    ]


def show(title: str, passages: list[SourcePassage], count: int) -> None:
    model = LocalLanguageModel()
    vocabulary = key_terms([p.text for p in passages], limit=40)
    request = DraftRequest(passages, count, vocabulary=vocabulary)
    start = time.perf_counter()
    cards = model.draft_flashcards(request)
    questions = model.draft_questions(request)
    elapsed = (time.perf_counter() - start) * 1000
    print(f"\n=== {title}: {len(passages)} passages, {elapsed:.0f} ms ===")
    print("key terms:", ", ".join(vocabulary[:15]))
    print("\n-- cards --")
    for card in cards:
        back = card.back.replace("\n\n", "  |  ")
        print(f"[{card.kind}] {card.front}\n    -> {back}  ({card.passage_id})")
    print("\n-- questions --")
    for q in questions:
        print(f"[{q.kind}] {q.prompt}")
        if q.kind == "single_choice":
            print(f"    options: {q.options}")
        print(f"    answer: {q.answer}  ({q.passage_id})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=6)
    parser.add_argument("--pages", type=int, nargs="+", default=[30, 160, 420])
    args = parser.parse_args()
    for start in args.pages:
        show(f"Origin of Species, passages {start}-{start + 2}", darwin_pages([start]), args.count)
    passages = [
        SourcePassage(f"membrane-{i}", "membrane", text, i + 1, "The plasma membrane")
        for i, text in enumerate(CELL_MEMBRANE)
    ]
    show("Cell membrane (modern textbook style)", passages, args.count)


if __name__ == "__main__":
    main()
