"""The embedded language model drafts sensible cards and questions from real
textbook pages (Darwin's Origin of Species, public domain) and from a modern
textbook-style passage: every draft cites one of the given passages, quotes
its sentences faithfully, repeats nothing, and the same request always gives
the same drafts."""

from __future__ import annotations

import difflib
import random
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from polyfactory import Use
from polyfactory.factories import DataclassFactory

from aksio.adapters.local_llm import LocalLanguageModel
from aksio.adapters.local_llm.sentences import BLANK, TermIndex, normalise
from aksio.assessments.keyterms import key_terms
from aksio.documents.chunking import split_sentences
from aksio.ids import new_id
from aksio.ports.llm import (
    CardDraft,
    DifficultyEstimate,
    DifficultyRequest,
    DraftRequest,
    LanguageModel,
    QuestionDraft,
    SectionSample,
    SourcePassage,
)

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus" / "origin_of_species.txt"
MEMBRANE = CORPUS.with_name("cell_membrane.txt").read_text(encoding="utf-8").strip().split("\n\n")
PARAGRAPHS = [
    re.sub(r"\s+", " ", p).strip()
    for p in re.split(r"\n\s*\n", CORPUS.read_text(encoding="utf-8"))
    if p.strip()
]

# Our own text, in the style of an introductory biochemistry textbook.
ENZYMES = [
    "An enzyme is a protein that speeds up a chemical reaction without being used up by it. "
    "The molecule an enzyme acts on is called its substrate. Each enzyme has an active site, "
    "a pocket whose shape fits only certain substrates.",
    "Activation energy is the energy needed to start a chemical reaction. Enzymes lower the "
    "activation energy, so reactions in the cell run quickly at body temperature. Without "
    "enzymes, most reactions of metabolism would be far too slow to sustain life.",
    "Temperature and pH affect how well an enzyme works. Above its optimum temperature an "
    "enzyme loses its shape, and the active site no longer binds the substrate; the enzyme "
    "is then said to be denatured.",
    "A competitive inhibitor is a molecule that binds to the active site and blocks the "
    "substrate. A noncompetitive inhibitor binds elsewhere on the enzyme and changes the "
    "shape of the active site. Many drugs and poisons work as enzyme inhibitors.",
]


class PassageFactory(DataclassFactory[SourcePassage]):
    passage_id = Use(lambda: f"{new_id()}-{random.randint(0, 999):05d}")
    document_id = Use(new_id)
    text = Use(lambda: random.choice(ENZYMES))
    page = Use(lambda: random.randint(1, 300))
    heading = Use(lambda: random.choice(["Enzymes", "Metabolism", None]))
    document_title = Use(lambda: random.choice(["Biochemistry notes", "Lecture 4", None]))


def enzymes() -> list[SourcePassage]:
    return [PassageFactory.build(text=text) for text in ENZYMES]


def membrane() -> list[SourcePassage]:
    return [PassageFactory.build(text=text) for text in MEMBRANE]


def darwin(start: int, n: int = 4) -> list[SourcePassage]:
    document = new_id()
    return [
        PassageFactory.build(document_id=document, text=text)
        for text in PARAGRAPHS[start : start + n]
    ]


MODEL: LanguageModel = LocalLanguageModel()
SAMPLES = [pytest.param(enzymes, id="enzymes"), pytest.param(membrane, id="membrane")] + [
    pytest.param(lambda s=s: darwin(s), id=f"darwin-{s}") for s in (40, 140, 300, 500, 690)
]


def _sentences(passages: Sequence[SourcePassage], passage_id: str) -> list[str]:
    text = next(p.text for p in passages if p.passage_id == passage_id)
    return split_sentences(" ".join(text.split()))


def _check_cards(passages: Sequence[SourcePassage], cards: list[CardDraft], count: int) -> None:
    assert 0 < len(cards) <= count
    assert len({normalise(c.front) for c in cards}) == len(cards)
    ids = {p.passage_id for p in passages}
    for card in cards:
        assert card.passage_id in ids
        sentences = _sentences(passages, card.passage_id)
        if card.kind == "cloze":
            answer, sentence = card.back.split("\n\n")
            assert sentence in sentences  # quoted, not invented
            assert BLANK in card.front
            assert answer.lower() in sentence.lower()
            assert card.front.replace(BLANK, answer).lower() == sentence.lower()
            assert 7 <= len(sentence.split()) <= 45  # neither fragment nor paragraph
        else:
            assert card.kind == "definition"
            assert card.back in sentences
            assert card.front.startswith("What ") and card.front.endswith("?")
            term = re.sub(r"^What (?:is|are) (?:the |an? )?", "", card.front)[:-1]
            assert term.lower() in card.back.lower()


def _check_questions(
    passages: Sequence[SourcePassage], questions: list[QuestionDraft], count: int
) -> None:
    assert 0 < len(questions) <= count
    assert len({normalise(q.prompt) for q in questions}) == len(questions)
    ids = {p.passage_id for p in passages}
    for q in questions:
        assert q.passage_id in ids
        assert q.explanation in _sentences(passages, q.passage_id)
        if q.kind == "single_choice":
            assert len(q.answer) == 1 and q.answer[0] in q.options
            assert 3 <= len(q.options) <= 4
            assert len({normalise(o) for o in q.options}) == len(q.options)
            assert q.prompt.replace(BLANK, q.answer[0]).lower() == q.explanation.lower()
            for wrong in set(q.options) - set(q.answer):
                # a distractor named in the sentence would be a second right answer
                assert not re.search(rf"\b{re.escape(wrong)}\b", q.explanation, re.IGNORECASE)
                # ... and one discussed with it may be another name or a part of it
                assert not any(
                    _mentions(p.text, q.answer[0]) and _mentions(p.text, wrong) for p in passages
                ), (q.answer[0], wrong)
        else:
            assert q.kind == "true_false"
            assert q.options == ["true", "false"]
            assert q.answer in (["true"], ["false"])
            assert (q.prompt == q.explanation) == (q.answer == ["true"])
            if q.answer == ["false"]:
                removed, inserted = _swap(q.explanation, q.prompt)
                # terms one passage discusses together may be the same thing
                # under two names: the false statement could still be true
                assert not any(
                    _mentions(p.text, removed) and _mentions(p.text, inserted) for p in passages
                ), (removed, inserted)


def _swap(original: str, changed: str) -> tuple[str, str]:
    """The words a false statement replaced, and the words it put there."""
    a, b = original.split(), changed.split()
    matcher = difflib.SequenceMatcher(a=[w.lower() for w in a], b=[w.lower() for w in b])
    ops = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    assert ops and all(op[0] == "replace" for op in ops), (original, changed)
    _, i1, i2, j1, j2 = ops[0]
    return " ".join(a[i1:i2]).strip(".,;:"), " ".join(b[j1:j2]).strip(".,;:")


def _mentions(text: str, term: str) -> bool:
    return re.search(rf"\b{re.escape(term)}\b", text, re.IGNORECASE) is not None


@pytest.mark.parametrize("make", SAMPLES)
def test_cards_quote_the_cited_passage_and_repeat_nothing(make: object) -> None:
    passages = make()  # type: ignore[operator]
    cards = MODEL.draft_flashcards(DraftRequest(passages, 8))
    _check_cards(passages, cards, 8)


@pytest.mark.parametrize("make", SAMPLES)
def test_questions_have_one_right_answer_among_distinct_options(make: object) -> None:
    passages = make()  # type: ignore[operator]
    questions = MODEL.draft_questions(DraftRequest(passages, 9))
    _check_questions(passages, questions, 9)
    kinds = {q.kind for q in questions}
    assert kinds == {"single_choice", "true_false"}
    assert {tuple(q.answer) for q in questions if q.kind == "true_false"} == {
        ("true",),
        ("false",),
    }


def test_definition_cards_from_defining_sentences() -> None:
    passages = enzymes()
    cards = MODEL.draft_flashcards(DraftRequest(passages, 10))
    fronts = {c.front: c for c in cards if c.kind == "definition"}
    assert "What is an enzyme?" in fronts
    assert fronts["What is an enzyme?"].back.startswith("An enzyme is a protein")
    assert fronts["What is an enzyme?"].passage_id == passages[0].passage_id
    assert "What is activation energy?" in fronts
    # definitions come first: they are the most useful cards
    assert cards[0].kind == "definition"


def test_cards_spread_over_passages_and_terms() -> None:
    passages = darwin(300, 6)
    cards = MODEL.draft_flashcards(DraftRequest(passages, 6))
    assert len({c.passage_id for c in cards}) >= 5
    answers = [c.back.split("\n\n")[0].lower() for c in cards if c.kind == "cloze"]
    assert len(set(answers)) == len(answers)


def test_same_request_same_drafts() -> None:
    passages = darwin(140, 5)
    request = DraftRequest(passages, 7, vocabulary=key_terms(PARAGRAPHS[100:200]))
    again = DraftRequest(list(passages), 7, vocabulary=list(request.vocabulary))
    assert MODEL.draft_flashcards(request) == MODEL.draft_flashcards(again)
    assert MODEL.draft_questions(request) == MODEL.draft_questions(again)


def test_avoid_skips_existing_fronts_and_prompts() -> None:
    passages = enzymes()
    first = MODEL.draft_flashcards(DraftRequest(passages, 4))
    # compared normalised: case, punctuation and spacing do not make a card new
    avoid = [f"  {c.front.upper()}!! " for c in first]
    second = MODEL.draft_flashcards(DraftRequest(passages, 4, avoid=avoid))
    assert second and not {normalise(c.front) for c in first} & {normalise(c.front) for c in second}
    questions = MODEL.draft_questions(DraftRequest(passages, 3))
    more = MODEL.draft_questions(DraftRequest(passages, 3, avoid=[q.prompt for q in questions]))
    assert not {q.prompt for q in questions} & {q.prompt for q in more}


def test_distractors_come_from_the_course_vocabulary() -> None:
    passages = enzymes()
    vocabulary = ["ribosome", "mitochondrion", "cell membrane", "nucleus", "chloroplast"]
    questions = MODEL.draft_questions(DraftRequest(passages, 6, vocabulary=vocabulary))
    distractors = {
        o for q in questions if q.kind == "single_choice" for o in q.options if o not in q.answer
    }
    assert distractors & set(vocabulary)
    own = set(key_terms([p.text for p in passages], limit=40))
    assert distractors <= set(vocabulary) | own


def test_never_more_than_count_and_nothing_from_nothing() -> None:
    passages = darwin(600, 8)
    for count in (1, 2, 5):
        assert len(MODEL.draft_flashcards(DraftRequest(passages, count))) == count
        assert len(MODEL.draft_questions(DraftRequest(passages, count))) == count
    assert MODEL.draft_flashcards(DraftRequest(passages, 0)) == []
    assert MODEL.draft_questions(DraftRequest([], 5)) == []
    blank = [PassageFactory.build(text="Figure 3.")]
    assert MODEL.draft_flashcards(DraftRequest(blank, 5)) == []
    assert MODEL.draft_questions(DraftRequest(blank, 5)) == []


def test_outline_lines_and_questions_are_not_cards() -> None:
    passages = [
        PassageFactory.build(
            text="On the absence of intermediate varieties at the present day. "
            "What is the role of intermediate varieties in the theory of descent? "
            "Intermediate varieties are generally rarer than the forms which they connect, "
            "because intermediate varieties exist in lesser numbers."
        )
    ]
    cards = MODEL.draft_flashcards(DraftRequest(passages, 5))
    assert cards
    assert all("Intermediate varieties are generally rarer" in c.back for c in cards)


def test_norwegian_passages_get_norwegian_definition_questions() -> None:
    passages = [
        PassageFactory.build(
            text="Fotosyntese er en prosess der planter lager sukker av lys, vann og "
            "karbondioksid. Klorofyll fanger lyset i kloroplastene hos planter. "
            "Uten klorofyll kan planter ikke drive fotosyntese i bladene."
        )
    ]
    cards = MODEL.draft_flashcards(DraftRequest(passages, 3, language="nb"))
    assert cards[0].front == "Hva er fotosyntese?"
    assert {c.kind for c in cards} == {"definition", "cloze"}


def test_name_is_local() -> None:
    assert LocalLanguageModel().name == "local"


@pytest.mark.parametrize(
    ("term", "sentence", "found"),
    [
        ("process", "Each of these processes needs energy.", True),
        ("process", "The process runs in the cytoplasm.", True),
        ("bodies", "The body of the cell is round.", True),
        ("cells", "A cell divides.", True),
        ("species", "Many species lack wings.", True),
        ("genus", "The horse-genus is striped.", False),  # not blanked out of a compound
        ("America", "They live in South America.", False),  # inside a longer course term
    ],
)
def test_terms_are_found_as_whole_words_in_either_number(
    term: str, sentence: str, found: bool
) -> None:
    index = TermIndex([term, "South America"], "en")
    assert (0 in index.in_sentence(sentence)) is found


# ------------------------------------------------------------------ difficulty
# Our own texts at two ends of the scale: a story for young readers and a
# dense physical chemistry passage (long words, terminology, formulas).
STORY = (
    "Tom has a red ball. He likes to play with it in the park. His dog Max runs after "
    "the ball. Max is fast and happy. When the sun goes down, Tom and Max walk home. "
    "Mom makes soup for dinner. Tom gives Max a bone. Then they all go to sleep."
)
ELECTROCHEMISTRY = (
    "The Gibbs free energy change of a reaction, \u0394G = \u0394H \u2212 T\u0394S, determines its "
    "spontaneity at constant temperature and pressure. For an electrochemical cell, "
    "\u0394G = \u2212nFE, where n is the number of electrons transferred and "
    "F = 96485 C/mol is the Faraday constant. Consequently, the equilibrium constant "
    "satisfies ln K = nFE\u00b0/RT, "
    "linking standard electrode potentials to thermodynamic equilibrium. Deviations from "
    "ideality are accommodated through activity coefficients, which the Debye\u2013H\u00fcckel "
    "approximation estimates for dilute electrolyte solutions."
)


class SectionSampleFactory(DataclassFactory[SectionSample]):
    section_id = Use(new_id)
    title = Use(lambda: random.choice(["Enzymes", "Selection", "Variation"]))
    passages = Use(lambda: [random.choice(ENZYMES)])


def _by_id(request: DifficultyRequest) -> dict[str, DifficultyEstimate]:
    return {e.section_id: e for e in MODEL.estimate_difficulty(request)}


def test_dense_technical_text_is_harder_than_a_childrens_story() -> None:
    easy = SectionSampleFactory.build(passages=[STORY])
    hard = SectionSampleFactory.build(passages=[ELECTROCHEMISTRY])
    middle = SectionSampleFactory.build(passages=ENZYMES)
    found = _by_id(DifficultyRequest([easy, middle, hard]))
    assert found[easy.section_id].difficulty < 0.2
    assert found[hard.section_id].difficulty > 0.7
    # an introductory textbook sits between the two
    assert (
        found[easy.section_id].difficulty
        < found[middle.section_id].difficulty
        < found[hard.section_id].difficulty
    )
    assert "plain" in found[easy.section_id].reason
    assert "dense" in found[hard.section_id].reason
    assert re.search(r"sentences average \d+ words", found[hard.section_id].reason)


def test_each_section_is_judged_on_its_own_text_in_any_order() -> None:
    sections = [
        SectionSampleFactory.build(passages=[STORY]),
        SectionSampleFactory.build(passages=[ELECTROCHEMISTRY]),
        SectionSampleFactory.build(passages=[p.text for p in darwin(40, 3)]),
    ]
    request = DifficultyRequest(sections)
    first = MODEL.estimate_difficulty(request)
    assert MODEL.estimate_difficulty(request) == first  # deterministic
    assert _by_id(DifficultyRequest(sections[::-1])) == {e.section_id: e for e in first}
    assert [e.section_id for e in first] == [s.section_id for s in sections]


def test_difficulty_stays_in_range_on_varied_real_text() -> None:
    rng = random.Random(5)
    sections = [
        SectionSampleFactory.build(
            passages=[PARAGRAPHS[rng.randrange(len(PARAGRAPHS))] for _ in range(3)]
        )
        for _ in range(30)
    ]
    found = MODEL.estimate_difficulty(DifficultyRequest(sections))
    assert found, "Darwin's paragraphs are long enough to judge"
    for estimate in found:
        assert 0.0 <= estimate.difficulty <= 1.0
        DifficultyEstimate.model_validate(estimate.model_dump())  # valid port output


def test_too_little_text_unknown_and_repeated_sections_are_left_out() -> None:
    short = SectionSampleFactory.build(passages=["Enzymes."])
    empty = SectionSampleFactory.build(passages=[])
    story = SectionSampleFactory.build(passages=[STORY])
    again = SectionSampleFactory.build(section_id=story.section_id, passages=[ELECTROCHEMISTRY])
    found = MODEL.estimate_difficulty(DifficultyRequest([short, empty, story, again]))
    assert [e.section_id for e in found] == [story.section_id]
    assert found[0].difficulty < 0.2  # the first sample of a section counts
    assert MODEL.estimate_difficulty(DifficultyRequest([])) == []


def test_norwegian_sections_are_judged_too() -> None:
    easy = SectionSampleFactory.build(
        passages=[
            "Per har en katt. Katten heter Mons. Mons liker fisk og melk. Per og Mons leker "
            "i hagen hver dag. Om kvelden sover Mons i sengen til Per."
        ]
    )
    hard = SectionSampleFactory.build(
        passages=[
            "Fotosyntesens lysavhengige reaksjoner foregår i tylakoidmembranene, der "
            "klorofyllmolekyler absorberer fotoner og driver elektrontransportkjeden som "
            "genererer adenosintrifosfat og redusert nikotinamidadenindinukleotidfosfat. "
            "Calvinsyklusen fikserer deretter karbondioksid ved hjelp av enzymet rubisko."
        ]
    )
    found = _by_id(DifficultyRequest([easy, hard], language="nb"))
    assert found[easy.section_id].difficulty < found[hard.section_id].difficulty
