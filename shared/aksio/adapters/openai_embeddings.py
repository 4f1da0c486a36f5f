"""Text embeddings from OpenAI through the official ``openai`` SDK (imported lazily).

Default model ``text-embedding-3-small`` at 256 dimensions: the cheapest current
OpenAI embedding model; its Matryoshka-trained vectors keep most of their
retrieval quality when shortened, and 256 floats (1 KiB as float32) keep chunk
documents small, well under Firestore's 1 MiB and 2048-dimension vector limits,
and make flat-index nearest-neighbour search cheap. Both are configurable; the
vector index in ``firestore.indexes.json`` must declare the same dimension.

Batching: up to ``batch_size`` inputs and ``max_batch_chars`` characters per
request (the API takes at most 2048 inputs and 300k tokens per request).
Retries: 408/409/429/5xx, connection errors and timeouts, with exponential
backoff and jitter, honouring ``Retry-After``; the SDK's own retries are off so
the policy (and its tests) live here. Anything else raises EmbeddingError with
a message that says what went wrong.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import openai

log = logging.getLogger("aksio.embeddings")

DEFAULT_MODEL = "text-embedding-3-small"
DEFAULT_DIMENSIONS = 256
MAX_INPUTS_PER_REQUEST = 2048  # the API's limit
MAX_INPUT_CHARS = 20_000
"""One input may hold 8192 tokens; at >= 2.5 characters a token in any text we
chunk, 20k characters stay under it. Chunks are far shorter; this is a guard."""
RETRY_STATUSES = frozenset({408, 409, 429})


class EmbeddingError(RuntimeError):
    """Embedding failed; ``retryable`` says whether trying later may help."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class OpenAIEmbeddings:
    def __init__(
        self,
        *,
        api_key: str,
        model: str = DEFAULT_MODEL,
        dimensions: int = DEFAULT_DIMENSIONS,
        base_url: str | None = None,
        timeout_s: float = 30.0,
        max_attempts: int = 5,
        batch_size: int = 128,
        max_batch_chars: int = 200_000,
        backoff_s: float = 0.5,
        max_backoff_s: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if not api_key:
            raise EmbeddingError("OpenAI embeddings need an API key (set OPENAI_API_KEY)")
        if not 1 <= batch_size <= MAX_INPUTS_PER_REQUEST:
            raise ValueError(f"batch_size must be within 1..{MAX_INPUTS_PER_REQUEST}")
        if dimensions <= 0 or max_attempts <= 0:
            raise ValueError("dimensions and max_attempts must be positive")
        self.model = model
        self.dimensions = dimensions
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.max_batch_chars = max_batch_chars
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._api_key = api_key
        self._base_url = base_url
        self._timeout_s = timeout_s
        self._client: openai.OpenAI | None = None

    @property
    def client(self) -> openai.OpenAI:
        # Built on first use, then reused (one HTTP connection pool per instance).
        if self._client is None:
            import openai

            self._client = openai.OpenAI(
                api_key=self._api_key,
                base_url=self._base_url,
                timeout=self._timeout_s,
                max_retries=0,
            )
        return self._client

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order. Empty texts are rejected (the API does too)."""
        inputs = [t[:MAX_INPUT_CHARS] for t in texts]
        if any(not t.strip() for t in inputs):
            raise EmbeddingError("cannot embed an empty text")
        vectors: list[list[float]] = []
        for batch in self._batches(inputs):
            vectors.extend(self._embed_batch(batch))
        return vectors

    def _batches(self, inputs: list[str]) -> list[list[str]]:
        batches: list[list[str]] = []
        current: list[str] = []
        chars = 0
        for text in inputs:
            if current and (
                len(current) >= self.batch_size or chars + len(text) > self.max_batch_chars
            ):
                batches.append(current)
                current, chars = [], 0
            current.append(text)
            chars += len(text)
        if current:
            batches.append(current)
        return batches

    def _embed_batch(self, batch: list[str]) -> list[list[float]]:
        import openai

        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self.client.embeddings.create(
                    model=self.model, input=batch, dimensions=self.dimensions
                )
            except (openai.APIConnectionError, openai.InternalServerError) as exc:
                error: Exception = exc  # timeouts are connection errors too
            except openai.APIStatusError as exc:
                if exc.status_code not in RETRY_STATUSES:
                    raise EmbeddingError(
                        f"OpenAI refused the embedding request ({exc.status_code}): {_message(exc)}"
                    ) from exc
                error = exc
            except (ValueError, TypeError, openai.APIResponseValidationError) as exc:
                # the SDK could not parse the body
                raise EmbeddingError(f"malformed embeddings response: {exc}") from exc
            else:
                return self._vectors(response, len(batch))
            if attempt == self.max_attempts:
                raise EmbeddingError(
                    f"OpenAI embeddings failed after {attempt} attempts: {_describe(error)}",
                    retryable=True,
                ) from error
            delay = self._delay(attempt, error)
            log.warning(
                "embedding request failed (%s); retry %d in %.2fs",
                _describe(error),
                attempt,
                delay,
            )
            self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int, error: Exception) -> float:
        retry_after = _retry_after(error)
        if retry_after is not None:
            return min(retry_after, self.max_backoff_s)
        ceiling = min(self.max_backoff_s, self.backoff_s * 2.0 ** (attempt - 1))
        return ceiling * (0.5 + self._rng.random() / 2)  # jitter: no thundering herd

    def _vectors(self, response: Any, expected: int) -> list[list[float]]:
        data = getattr(response, "data", None)
        if not isinstance(data, list) or len(data) != expected:
            got = len(data) if isinstance(data, list) else "no"
            raise EmbeddingError(f"malformed embeddings response: {got} vectors for {expected}")
        ordered = sorted(data, key=lambda item: int(getattr(item, "index", 0)))
        if [int(item.index) for item in ordered] != list(range(expected)):
            raise EmbeddingError("malformed embeddings response: indexes do not match inputs")
        vectors = []
        for item in ordered:
            vector = item.embedding
            if not isinstance(vector, list) or len(vector) != self.dimensions:
                size = len(vector) if isinstance(vector, list) else type(vector).__name__
                raise EmbeddingError(
                    f"malformed embeddings response: a vector of {size}, "
                    f"expected {self.dimensions} dimensions"
                )
            floats = [float(x) for x in vector]
            if not all(math.isfinite(x) for x in floats):
                raise EmbeddingError("malformed embeddings response: non-finite values")
            vectors.append(floats)
        return vectors


def _retry_after(error: Exception) -> float | None:
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    value = headers.get("retry-after")
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff
    return seconds if seconds is not None and seconds >= 0 else None


def _describe(error: Exception) -> str:
    status = getattr(error, "status_code", None)
    kind = type(error).__name__
    return f"{kind} {status}: {_message(error)}" if status else f"{kind}: {_message(error)}"


def _message(error: Exception) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
    return str(error)
