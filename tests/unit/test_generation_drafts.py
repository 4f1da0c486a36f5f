"""Model output treated as data: only cited, valid, distinct drafts survive,
and each becomes the card or question it describes."""

from __future__ import annotations

from typing import Any

import pytest

from aksio.assessments.flashcards.domain import fingerprint
from aksio.assessments.generation import drafts
from aksio.assessments.sources import PASSAGE_MAX_CHARS
from aksio.ids import new_id
from aksio.ports.llm import CardDraft, QuestionDraft, SourcePassage
from tests.factories.generation import CardDraftFactory, QuestionDraftFactory, SourcePassageFactory

COURSE = new_id()


@pytest.fixture
def passage() -> SourcePassage:
    return SourcePassageFactory.build(document_id=new_id(), page=12)


def card(passage: SourcePassage, **fields: Any) -> CardDraft:
    return CardDraftFactory.build(passage_id=passage.passage_id, **fields)


def question(passage: SourcePassage, **fields: Any) -> QuestionDraft:
    return QuestionDraftFactory.build(passage_id=passage.passage_id, **fields)


# ------------------------------------------------------------------ cards
def test_a_kept_card_cites_its_passage_and_is_tagged(passage: SourcePassage) -> None:
    draft = card(passage, kind="cloze", front="The ___ controls what enters the cell.")
    kept = drafts.cards_from_drafts([draft], [passage], course_id=COURSE, sections={}, count=5)
    [made] = kept.items
    assert made.course_id == COURSE
    assert made.front == draft.front and made.back == draft.back
    assert made.tags == ["generated", "cloze"]
    assert made.source is not None
    assert made.source.document_id == passage.document_id
    assert made.source.page == 12
    assert made.source.passage == " ".join(passage.text.split())
    assert kept.fingerprints == [fingerprint(draft.front)]


def test_drafts_citing_unknown_passages_or_blank_are_dropped(passage: SourcePassage) -> None:
    other = SourcePassageFactory.build()
    batch = [
        card(other),  # a passage the request did not send
        card(passage, front="   \n "),  # blank once stripped
        card(passage, back="\t"),
        card(passage),
    ]
    kept = drafts.cards_from_drafts(batch, [passage], course_id=COURSE, sections={}, count=5)
    assert len(kept.items) == 1 and kept.unusable == 3


def test_repeats_within_the_batch_count_as_duplicates(passage: SourcePassage) -> None:
    batch = [
        card(passage, front="What is ATP?"),
        card(passage, front="  what is   ATP ? "),
        card(passage, front="What is DNA?"),
    ]
    kept = drafts.cards_from_drafts(batch, [passage], course_id=COURSE, sections={}, count=5)
    assert [c.front for c in kept.items] == ["What is ATP?", "What is DNA?"]
    assert kept.duplicates == 1


def test_never_more_than_the_count(passage: SourcePassage) -> None:
    batch = [card(passage) for _ in range(6)]
    kept = drafts.cards_from_drafts(batch, [passage], course_id=COURSE, sections={}, count=4)
    assert len(kept.items) == 4 and kept.surplus == 2


def test_cards_the_course_has_are_dropped(passage: SourcePassage) -> None:
    batch = [card(passage, front="What is ATP?"), card(passage, front="What is DNA?")]
    kept = drafts.cards_from_drafts(batch, [passage], course_id=COURSE, sections={}, count=5)
    left = drafts.without_existing(kept, {fingerprint("what is atp")})
    assert [c.front for c in left.items] == ["What is DNA?"]
    assert left.fingerprints == [fingerprint("What is DNA?")]
    assert left.duplicates == 1


def test_items_take_the_section_of_the_document_they_cite() -> None:
    linked, loose = SourcePassageFactory.build(), SourcePassageFactory.build()
    sections = {linked.document_id: "s1"}
    kept = drafts.cards_from_drafts(
        [card(linked), card(loose)], [linked, loose], course_id=COURSE, sections=sections, count=5
    )
    assert [c.section_id for c in kept.items] == ["s1", None]
    asked = [question(linked, answer=["mitochondria"]), question(loose, answer=["mitochondria"])]
    made = drafts.questions_from_drafts(asked, [linked, loose], sections=sections, count=5)
    assert [q.section_id for q in made.items] == ["s1", None]


def test_a_long_passage_is_cut_to_fit_the_citation() -> None:
    long = SourcePassageFactory.build(text="word " * 1000)
    kept = drafts.cards_from_drafts([card(long)], [long], course_id=COURSE, sections={}, count=1)
    source = kept.items[0].source
    assert source is not None
    assert len(source.passage) <= PASSAGE_MAX_CHARS and source.passage.endswith("…")


# ------------------------------------------------------------------ questions
def test_single_choice_maps_to_its_option(passage: SourcePassage) -> None:
    q = drafts.question_from_draft(question(passage, answer=["mitochondria"]), passage, None)
    assert q.kind == "single_choice"
    assert q.answer == "Mitochondria"  # the option's own text
    assert q.options == ["Mitochondria", "Ribosome", "Nucleus", "Golgi apparatus"]
    assert q.source is not None and q.source.document_id == passage.document_id


def test_multiple_choice_keeps_every_correct_option(passage: SourcePassage) -> None:
    draft = question(passage, kind="multiple_choice", answer=["Nucleus", "Mitochondria"])
    q = drafts.question_from_draft(draft, passage, None)
    assert q.answer == ["Mitochondria", "Nucleus"]


@pytest.mark.parametrize(("word", "expected"), [("true", True), ("False", False), (" TRUE ", True)])
def test_true_false_becomes_a_boolean(passage: SourcePassage, word: str, expected: bool) -> None:
    draft = question(passage, kind="true_false", options=["True", "False"], answer=[word])
    q = drafts.question_from_draft(draft, passage, None)
    assert q.answer is expected and q.options == []


def test_short_answer_accepts_the_other_forms(passage: SourcePassage) -> None:
    draft = question(
        passage, kind="short_answer", options=[], answer=["ATP", "adenosine triphosphate"],
        accepted=["A.T.P.", "ATP"],
    )  # fmt: skip
    q = drafts.question_from_draft(draft, passage, None)
    assert q.answer == "ATP"
    assert q.accepted_answers == ["adenosine triphosphate", "A.T.P.", "ATP"]


@pytest.mark.parametrize(
    "fields",
    [
        {"answer": ["Chloroplast"]},  # not among the options
        {"options": ["Mitochondria"]},  # one option is no choice
        {"options": ["Cell", "cell ", "Nucleus"], "answer": ["Nucleus"]},  # ambiguous
        {"kind": "true_false", "options": [], "answer": ["maybe"]},
        {"kind": "short_answer", "answer": ["ATP"]},  # short answers have no options
        {"prompt": "   "},
    ],
)
def test_unsound_questions_are_dropped(passage: SourcePassage, fields: dict[str, object]) -> None:
    batch = [question(passage, **fields), question(passage)]
    kept = drafts.questions_from_drafts(batch, [passage], sections={}, count=5)
    assert len(kept.items) == 1 and kept.unusable == 1


def test_questions_uncited_repeated_or_surplus_are_dropped(passage: SourcePassage) -> None:
    batch = [
        question(SourcePassageFactory.build()),
        question(passage, prompt="Which organelle converts energy?"),
        question(passage, prompt="Which organelle converts ENERGY"),
        question(passage),
        question(passage),
    ]
    kept = drafts.questions_from_drafts(batch, [passage], sections={}, count=2)
    assert len(kept.items) == 2
    assert (kept.unusable, kept.duplicates, kept.surplus) == (1, 1, 1)


# ------------------------------------------------------------------ warnings
def test_a_shortfall_is_explained_in_a_sentence() -> None:
    kept = drafts.Kept(items=[object()], duplicates=3, unusable=1)
    warning = drafts.shortfall_warning(kept, 10, "card")
    assert warning == (
        "Only 1 of the 10 cards requested were made "
        "(3 duplicates skipped, 1 unusable draft dropped)."
    )
    none = drafts.shortfall_warning(drafts.Kept(), 2, "question")
    assert none == "Only 0 of the 2 questions requested were made: the material did not yield more."
    assert drafts.shortfall_warning(drafts.Kept(items=[1, 2]), 2, "card") is None
