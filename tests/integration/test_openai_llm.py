"""The OpenAI adapter against a local fake OpenAI server (tests/fixtures/fake_openai.py):
the real SDK sends real HTTP to 127.0.0.1; the fake checks what arrives
(model, strict JSON schema, passages and their ids, credentials) and answers
with good, malformed and error responses. Nothing reaches the network."""

from __future__ import annotations

import json
import logging
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from openai.lib._pydantic import to_strict_json_schema
from polyfactory import Use
from polyfactory.factories import DataclassFactory

from aksio.adapters.openai_llm import (
    UNUSABLE,
    DifficultyEstimates,
    FlashcardDrafts,
    OpenAILanguageModel,
    QuestionDrafts,
)
from aksio.ids import new_id
from aksio.ports.llm import (
    DifficultyRequest,
    DraftRequest,
    LanguageModelError,
    SectionSample,
    SourcePassage,
)
from tests.fixtures.fake_openai import FakeOpenAI, Reply

API_KEY = "sk-test-" + "x" * 24
TEXTS = [
    "Mitosis is the division of a nucleus into two identical nuclei.",
    "Meiosis produces four haploid cells, each with half the chromosomes of the parent cell.",
    "Crossing over exchanges segments between homologous chromosomes during prophase I.",
]


class PassageFactory(DataclassFactory[SourcePassage]):
    passage_id = Use(lambda: f"{new_id()}-{random.randint(0, 999):05d}")
    document_id = Use(new_id)
    text = Use(lambda: random.choice(TEXTS))
    page = Use(lambda: random.randint(1, 300))
    heading = Use(lambda: random.choice(["Cell division", None]))
    document_title = Use(lambda: random.choice(["Genetics, chapter 3", None]))


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def passages() -> list[SourcePassage]:
    return [PassageFactory.build(text=t) for t in TEXTS]


def _model(fake: FakeOpenAI, **kwargs: Any) -> OpenAILanguageModel:
    options: dict[str, Any] = {"timeout_s": 5.0, "max_retries": 2} | kwargs
    return OpenAILanguageModel(api_key=API_KEY, model="gpt-test", base_url=fake.base_url, **options)


def _card(passage: SourcePassage, **overrides: Any) -> dict[str, Any]:
    return {
        "kind": "definition",
        "front": f"What is described on page {passage.page}?",
        "back": passage.text,
        "passage_id": passage.passage_id,
    } | overrides


def _question(passage: SourcePassage, **overrides: Any) -> dict[str, Any]:
    return {
        "kind": "single_choice",
        "prompt": "Which process produces four haploid cells?",
        "options": ["mitosis", "meiosis", "fission", "budding"],
        "answer": ["meiosis"],
        "accepted": [],
        "explanation": passage.text,
        "passage_id": passage.passage_id,
    } | overrides


def _keys(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        return set(schema) | {k for v in schema.values() for k in _keys(v)}
    if isinstance(schema, list):
        return {k for v in schema for k in _keys(v)}
    return set()


def test_good_cards_and_the_request_that_asked_for_them(
    fake: FakeOpenAI, passages: list[SourcePassage]
) -> None:
    cards = [_card(passages[0]), _card(passages[2], kind="cloze", front="_____ exchanges")]
    fake.script(Reply.json_content({"cards": cards}))
    request = DraftRequest(passages, 5, language="en", course_title="Genetics", avoid=["Old?"])

    drafts = _model(fake).draft_flashcards(request)

    assert [d.model_dump() for d in drafts] == cards
    [sent] = fake.requests
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    body = sent.body
    assert body["model"] == "gpt-test"
    assert 0 < body["max_completion_tokens"] <= 16_000
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "FlashcardDrafts"
    assert fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert schema == to_strict_json_schema(FlashcardDrafts)
    # keywords strict mode refuses are absent; every object is closed
    assert not _keys(schema) & {"minLength", "maxLength", "default", "maxItems", "minItems"}
    card_schema = schema["$defs"]["FlashcardItem"]
    assert card_schema["additionalProperties"] is False
    assert set(card_schema["required"]) == {"kind", "front", "back", "passage_id"}

    system, user = body["messages"]
    assert system["role"] == "system" and user["role"] == "user"
    for phrase in ("only the passages", "passage_id", "language code: en", "at most 5 cards"):
        assert phrase in system["content"]
    material = json.loads(user["content"])
    assert [(p["passage_id"], p["text"]) for p in material["passages"]] == [
        (p.passage_id, p.text) for p in passages
    ]
    assert material["course"] == "Genetics" and material["avoid"] == ["Old?"]


def test_good_questions(fake: FakeOpenAI, passages: list[SourcePassage]) -> None:
    questions = [
        _question(passages[1]),
        _question(
            passages[0],
            kind="true_false",
            prompt="Mitosis gives two identical nuclei.",
            options=["true", "false"],
            answer=["true"],
        ),
    ]
    fake.script(Reply.json_content({"questions": questions}))
    drafts = _model(fake).draft_questions(
        DraftRequest(passages, 4, language="nb", vocabulary=["mitose", "meiose"])
    )
    assert [d.model_dump() for d in drafts] == questions
    body = fake.requests[0].body
    assert body["response_format"]["json_schema"]["name"] == "QuestionDrafts"
    assert body["response_format"]["json_schema"]["schema"] == to_strict_json_schema(QuestionDrafts)
    assert "language code: nb" in body["messages"][0]["content"]
    assert json.loads(body["messages"][1]["content"])["course_terms"] == ["mitose", "meiose"]


def test_refusal_is_a_clear_failure_not_retried(
    fake: FakeOpenAI, passages: list[SourcePassage]
) -> None:
    fake.script(Reply.completion(refusal="I can't help with that."))
    with pytest.raises(LanguageModelError) as caught:
        _model(fake).draft_flashcards(DraftRequest(passages, 3))
    assert "declined" in caught.value.reason
    assert caught.value.retryable is False
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    "content",
    [
        pytest.param('{"cards": [{"kind": "definition", "front": "Wh', id="truncated-json"),
        pytest.param("Here are your cards: 1. Mitosis", id="prose"),
        pytest.param('{"flashcards": []}', id="wrong-key"),
        pytest.param('{"cards": [{"kind": "poem", "front": "a", "back": "b"}]}', id="bad-item"),
        pytest.param('{"cards": "none"}', id="wrong-type"),
    ],
)
def test_output_that_is_not_the_schema_is_unusable(
    fake: FakeOpenAI, passages: list[SourcePassage], content: str
) -> None:
    fake.script(Reply.completion(content=content))
    with pytest.raises(LanguageModelError) as caught:
        _model(fake).draft_flashcards(DraftRequest(passages, 3))
    assert caught.value.reason == UNUSABLE
    assert caught.value.retryable is False
    assert len(fake.requests) == 1


def test_invalid_items_are_dropped_and_counted(
    fake: FakeOpenAI, passages: list[SourcePassage], caplog: pytest.LogCaptureFixture
) -> None:
    good = _question(passages[1])
    questions = [
        good,
        _question(passages[0], prompt=""),  # empty
        _question(passages[0], options=[f"o{i}" for i in range(9)]),  # too many options
        _question(passages[2], answer=[]),  # no answer
        _question(passages[2], passage_id="not-a-passage-we-sent"),  # cites the unknown
    ]
    fake.script(Reply.json_content({"questions": questions}))
    with caplog.at_level(logging.WARNING, logger="aksio.llm"):
        drafts = _model(fake).draft_questions(DraftRequest(passages, 5))
    assert [d.model_dump() for d in drafts] == [good]
    assert "dropped 4 of 5" in caplog.text


def test_every_item_invalid_is_a_failure(fake: FakeOpenAI, passages: list[SourcePassage]) -> None:
    cards = [_card(passages[0], front=""), _card(passages[1], passage_id="elsewhere")]
    fake.script(Reply.json_content({"cards": cards}))
    with pytest.raises(LanguageModelError) as caught:
        _model(fake).draft_flashcards(DraftRequest(passages, 3))
    assert caught.value.reason == UNUSABLE and not caught.value.retryable


def test_no_items_is_an_empty_answer_and_extra_items_are_cut(
    fake: FakeOpenAI, passages: list[SourcePassage]
) -> None:
    fake.script(
        Reply.json_content({"cards": []}),
        Reply.json_content({"cards": [_card(p) for p in passages * 2]}),
    )
    model = _model(fake)
    assert model.draft_flashcards(DraftRequest(passages, 3)) == []
    assert len(model.draft_flashcards(DraftRequest(passages, 4))) == 4


def test_rate_limit_then_success_is_retried_by_the_sdk(
    fake: FakeOpenAI, passages: list[SourcePassage]
) -> None:
    fake.script(Reply.error(429, "rate_limit_exceeded"), Reply.json_content({"cards": []}))
    assert _model(fake, max_retries=2).draft_flashcards(DraftRequest(passages, 2)) == []
    assert len(fake.requests) == 2
    assert fake.requests[1].headers.get("x-stainless-retry-count") == "1"
    assert fake.requests[0].body == fake.requests[1].body


def test_server_errors_after_every_retry_are_retryable(
    fake: FakeOpenAI, passages: list[SourcePassage]
) -> None:
    fake.script(*[Reply.error(500) for _ in range(3)])
    with pytest.raises(LanguageModelError) as caught:
        _model(fake, max_retries=2).draft_questions(DraftRequest(passages, 2))
    assert caught.value.retryable is True
    assert "Try again later" in caught.value.reason
    assert len(fake.requests) == 3  # the first try and max_retries retries


def test_rate_limit_after_every_retry_is_retryable(
    fake: FakeOpenAI, passages: list[SourcePassage]
) -> None:
    fake.script(*[Reply.error(429, "rate_limit_exceeded") for _ in range(2)])
    with pytest.raises(LanguageModelError) as caught:
        _model(fake, max_retries=1).draft_flashcards(DraftRequest(passages, 2))
    assert caught.value.retryable is True and "busy" in caught.value.reason
    assert len(fake.requests) == 2


def test_used_up_quota_is_not_retryable(fake: FakeOpenAI, passages: list[SourcePassage]) -> None:
    fake.script(Reply.error(429, "insufficient_quota"))
    with pytest.raises(LanguageModelError) as caught:
        _model(fake, max_retries=0).draft_flashcards(DraftRequest(passages, 2))
    assert caught.value.retryable is False and "quota" in caught.value.reason


def test_slow_answer_is_a_retryable_timeout(
    fake: FakeOpenAI, passages: list[SourcePassage]
) -> None:
    slow = Reply.json_content({"cards": []})
    fake.script(*[Reply(slow.status_code, slow.body, slow.headers, delay_s=2.0)] * 2)
    start = time.monotonic()
    with pytest.raises(LanguageModelError) as caught:
        _model(fake, timeout_s=0.3, max_retries=1).draft_flashcards(DraftRequest(passages, 2))
    assert caught.value.retryable is True
    assert "too long" in caught.value.reason
    assert len(fake.requests) == 2  # timeouts are retried too
    assert time.monotonic() - start < 2.0  # did not wait for the slow answers


@pytest.mark.parametrize(
    ("status", "phrase"),
    [(401, "credentials"), (403, "credentials"), (400, "rejected the request (400)")],
)
def test_client_errors_are_not_retried(
    fake: FakeOpenAI, passages: list[SourcePassage], status: int, phrase: str
) -> None:
    fake.script(Reply.error(status, "invalid_api_key" if status == 401 else None))
    with pytest.raises(LanguageModelError) as caught:
        _model(fake, max_retries=3).draft_flashcards(DraftRequest(passages, 2))
    assert caught.value.retryable is False and phrase in caught.value.reason
    assert len(fake.requests) == 1


def test_cut_off_answer_asks_for_fewer(fake: FakeOpenAI, passages: list[SourcePassage]) -> None:
    fake.script(Reply.completion(content='{"cards": [', finish_reason="length"))
    with pytest.raises(LanguageModelError) as caught:
        _model(fake).draft_flashcards(DraftRequest(passages, 40))
    assert "fewer" in caught.value.reason and not caught.value.retryable


def test_unreachable_service_is_retryable(passages: list[SourcePassage]) -> None:
    with FakeOpenAI() as gone:
        url = gone.base_url  # a port nobody listens on once it is closed
    model = OpenAILanguageModel(api_key=API_KEY, model="m", base_url=url, max_retries=0)
    with pytest.raises(LanguageModelError) as caught:
        model.draft_flashcards(DraftRequest(passages, 2))
    assert caught.value.retryable is True and "reached" in caught.value.reason


def test_missing_key_fails_before_any_request(
    fake: FakeOpenAI, passages: list[SourcePassage]
) -> None:
    model = OpenAILanguageModel(api_key="", model="gpt-test", base_url=fake.base_url)
    with pytest.raises(LanguageModelError) as caught:
        model.draft_flashcards(DraftRequest(passages, 2))
    assert "API key" in caught.value.reason and not caught.value.retryable
    assert fake.requests == []
    assert model.draft_flashcards(DraftRequest(passages, 0)) == []


def test_the_key_is_never_logged(
    fake: FakeOpenAI, passages: list[SourcePassage], caplog: pytest.LogCaptureFixture
) -> None:
    fake.script(Reply.error(401, "invalid_api_key"), Reply.json_content({"cards": []}))
    model = _model(fake)
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(LanguageModelError):
            model.draft_flashcards(DraftRequest(passages, 2))
        model.draft_flashcards(DraftRequest(passages, 2))
    assert caplog.records  # something was logged, and none of it is the key
    assert API_KEY not in caplog.text
    assert API_KEY not in repr(model)
    assert model.name == "openai:gpt-test"


def test_importing_the_adapter_does_not_import_the_sdk() -> None:
    code = (
        "import sys, aksio.adapters.openai_llm as m; "
        "m.OpenAILanguageModel(api_key='k', model='x'); "
        "assert 'openai' not in sys.modules, 'imported eagerly'"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr


# ------------------------------------------------------------------ difficulty
class SectionSampleFactory(DataclassFactory[SectionSample]):
    section_id = Use(new_id)
    title = Use(lambda: random.choice(["Cell division", "Meiosis", "Inheritance"]))
    passages = Use(lambda: random.sample(TEXTS, 2))


def _rating(section: SectionSample, **overrides: Any) -> dict[str, Any]:
    return {
        "section_id": section.section_id,
        "difficulty": 0.6,
        "reason": f"{section.title} introduces several new terms.",
    } | overrides


def test_difficulty_estimates_and_the_request_that_asked_for_them(fake: FakeOpenAI) -> None:
    sections = SectionSampleFactory.batch(3)
    empty = SectionSampleFactory.build(passages=[])
    answer = [_rating(sections[0], difficulty=0.2), _rating(sections[2], difficulty=0.9)]
    fake.script(Reply.json_content({"sections": answer}))
    request = DifficultyRequest([*sections, empty], language="nb", course_title="Genetics")

    estimates = _model(fake).estimate_difficulty(request)

    assert [e.model_dump() for e in estimates] == answer
    [sent] = fake.requests
    body = sent.body
    fmt = body["response_format"]["json_schema"]
    assert fmt["name"] == "DifficultyEstimates" and fmt["strict"] is True
    assert fmt["schema"] == to_strict_json_schema(DifficultyEstimates)
    assert not _keys(fmt["schema"]) & {"minimum", "maximum", "default", "minLength"}
    assert 0 < body["max_completion_tokens"] <= 16_000
    system, user = body["messages"]
    assert system["role"] == "system" and "nb" in system["content"]
    payload = json.loads(user["content"])
    assert payload["course"] == "Genetics"
    # the section without text is not sent; the others with their passages, as given
    assert payload["sections"] == [
        {"section_id": s.section_id, "title": s.title, "passages": list(s.passages)}
        for s in sections
    ]


def test_difficulty_items_out_of_range_unknown_or_repeated_are_dropped(
    fake: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    a, b, c = SectionSampleFactory.batch(3)
    answer = [
        _rating(a, difficulty=1.7),  # outside 0..1: not guessed at
        _rating(b, difficulty=-0.1),
        _rating(c, difficulty=0.4),
        _rating(c, difficulty=0.9),  # a second rating of c
        _rating(SectionSampleFactory.build(), difficulty=0.3),  # not asked about
        _rating(a, reason=""),
    ]
    fake.script(Reply.json_content({"sections": answer}))
    with caplog.at_level(logging.WARNING, logger="aksio.llm"):
        estimates = _model(fake).estimate_difficulty(DifficultyRequest([a, b, c]))
    assert [(e.section_id, e.difficulty) for e in estimates] == [(c.section_id, 0.4)]
    assert "dropped 5 of 6" in caplog.text


@pytest.mark.parametrize(
    "content",
    [
        '{"sections": [{"section_id": "x", "difficulty": "hard", "reason": "r"}]}',
        '{"sections": [{"section_id": "x", "difficulty": 0.5}]}',
        '{"ratings": []}',
        "a plain sentence",
    ],
)
def test_difficulty_output_that_is_not_the_schema_is_unusable(
    fake: FakeOpenAI, content: str
) -> None:
    fake.script(Reply.completion(content=content))
    with pytest.raises(LanguageModelError) as caught:
        _model(fake).estimate_difficulty(DifficultyRequest(SectionSampleFactory.batch(2)))
    assert caught.value.reason == UNUSABLE and not caught.value.retryable


def test_difficulty_all_items_invalid_is_a_failure_and_none_is_empty(fake: FakeOpenAI) -> None:
    sections = SectionSampleFactory.batch(2)
    fake.script(
        Reply.json_content({"sections": [_rating(s, section_id="other") for s in sections]}),
        Reply.json_content({"sections": []}),
    )
    model = _model(fake)
    with pytest.raises(LanguageModelError):
        model.estimate_difficulty(DifficultyRequest(sections))
    assert model.estimate_difficulty(DifficultyRequest(sections)) == []


def test_difficulty_errors_map_like_drafts(fake: FakeOpenAI) -> None:
    fake.script(*[Reply.error(503) for _ in range(2)], Reply.error(400))
    model = _model(fake, max_retries=1)
    request = DifficultyRequest(SectionSampleFactory.batch(2))
    with pytest.raises(LanguageModelError) as caught:
        model.estimate_difficulty(request)
    assert caught.value.retryable is True
    with pytest.raises(LanguageModelError) as caught:
        model.estimate_difficulty(request)
    assert caught.value.retryable is False and "(400)" in caught.value.reason
    assert len(fake.requests) == 3


def test_difficulty_of_nothing_sends_nothing(fake: FakeOpenAI) -> None:
    request = DifficultyRequest([SectionSampleFactory.build(passages=[])])
    assert _model(fake).estimate_difficulty(request) == []
    assert _model(fake).estimate_difficulty(DifficultyRequest([])) == []
    assert fake.requests == []
