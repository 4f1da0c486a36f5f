"""Configuration from the environment (prefix ``AKSIO_``), defaulting to the
embedded adapters so that nothing needs a cloud account."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from aksio.ports.tasks import RetryPolicy


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AKSIO_", extra="ignore")

    project_id: str = "demo-aksio"
    environment: Literal["local", "test", "production"] = "local"
    region: str = "europe-west1"

    # document store
    document_store: Literal["sqlite", "firestore"] = "sqlite"
    sqlite_path: Path = Path(".local/aksio.sqlite3")
    firestore_database: str = "(default)"

    # blob store
    blob_store: Literal["local", "gcs"] = "local"
    blob_dir: Path = Path(".local/blobs")
    bucket: str = "demo-aksio-uploads"

    # task queue
    task_queue: Literal["inprocess", "cloudtasks"] = "inprocess"
    tasks_queue_name: str = "aksio-jobs"
    task_worker_url: str = "http://127.0.0.1:8080/tasks/"
    tasks_service_account: str = ""
    """Service account whose OIDC token Cloud Tasks attaches (production)."""
    task_shared_secret: str = "local-dev-task-secret"
    """Locally the in-process queue authenticates to task_worker with this."""
    # The queue's RetryConfig: Terraform sets the same values on the Cloud Tasks
    # queue, and the worker needs them to know which attempt is the last.
    task_max_attempts: int = 5
    task_min_backoff_s: float = 1.0
    task_max_backoff_s: float = 300.0
    task_max_doublings: int = 5
    task_stuck_after_s: int = 7200
    """A plan, generation job or quiz still queued/running (a document still
    processing) this long after its last update is shown failed
    (``aksio.tasks.stuck``): longer than every attempt timing out (8 x 540 s
    with Terraform's defaults) plus the backoffs."""

    def task_retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.task_max_attempts,
            min_backoff_s=self.task_min_backoff_s,
            max_backoff_s=self.task_max_backoff_s,
            max_doublings=self.task_max_doublings,
        )

    # identity (Firebase Auth; the emulator when auth_emulator_host is set)
    auth_emulator_host: str | None = Field(
        default=None,
        validation_alias=AliasChoices("AKSIO_AUTH_EMULATOR_HOST", "FIREBASE_AUTH_EMULATOR_HOST"),
    )
    firebase_api_key: str = "fake-api-key"
    """Web API key for the Auth REST API; the emulator accepts any value."""
    check_revoked_tokens: bool = True

    # HTTP
    cors_origins: list[str] = ["http://localhost:3000", "http://127.0.0.1:3000"]
    max_body_bytes: int = 1_000_000
    page_limit_default: int = 20
    page_limit_max: int = 100

    # documents
    max_upload_bytes: int = 25 * 1024 * 1024
    """Multipart uploads through the API (Cloud Functions caps requests at 32 MB)."""
    max_direct_upload_bytes: int = 200 * 1024 * 1024
    """Uploads straight to the bucket through an upload URL."""
    public_base_url: str = "http://127.0.0.1:8080"
    """Where the dev gateway is reachable (local upload URLs point there)."""
    retriever: Literal["bm25", "vector"] = "bm25"
    openai_api_key: str = ""
    embedding_model: str = "text-embedding-3-small"
    embedding_dimensions: int = 256

    # assessments
    language_model: Literal["local", "openai"] = "local"
    """Who drafts cards and questions: the deterministic local provider or OpenAI."""
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = 60.0
    llm_max_retries: int = 3
    """Retries of 429s, 5xx and timeouts, with the SDK's exponential backoff."""
    openai_base_url: str | None = None
    """Another OpenAI-compatible endpoint (tests point this at a local fake)."""
    generation_daily_limit: int = 20
    """Generation requests per user per UTC day (each one may call the model)."""
    generation_max_count: int = 50
    """Most cards or questions one generation request may ask for."""
    plan_daily_limit: int = 20
    """Study plan requests and replans a student asks for, per user per UTC
    day (a build may call the model to rate the sections); automatic replans
    do not count."""
    fsrs_min_reviews_to_fit: int = 500
    """Personal FSRS parameters are first fitted at this many reviews (the optimiser
    needs 400 in the earlier 80% it trains on)..."""
    fsrs_refit_every: int = 1000
    """...and fitted again every this many reviews after that."""

    # learning
    plan_replan_margin_minutes: int = 120
    """A plan is regenerated from today when the student is this far behind."""

    # abuse limits: attempts per window, per client address and per email
    auth_rate_limit: int = 10
    auth_rate_window_s: int = 300

    log_level: str = "INFO"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
