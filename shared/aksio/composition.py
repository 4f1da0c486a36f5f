"""Composition root: picks each port's adapter from configuration.

Adapters are built lazily, once per instance, on first use: a function that
never touches a port never imports that port's SDK (cold starts are paid per
instance). Tests pass ready-made adapters to ``Services`` instead.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from aksio.clock import Clock, SystemClock
from aksio.config import Settings, get_settings

if TYPE_CHECKING:
    from aksio.adapters.local_storage_events import LocalStorageEvents
    from aksio.ports.blobs import BlobStore
    from aksio.ports.documents import DocumentStore
    from aksio.ports.identity import IdentityProvider, PasswordAuth
    from aksio.ports.llm import LanguageModel
    from aksio.ports.retrieval import Retriever
    from aksio.ports.tasks import TaskQueue


class Services:
    def __init__(self, settings: Settings | None = None, **overrides: Any) -> None:
        self.settings = settings or get_settings()
        self.clock: Clock = overrides.pop("clock", None) or SystemClock()
        self._built: dict[str, Any] = dict(overrides)
        self._lock = threading.RLock()  # a builder may need another port

    def _get(self, name: str) -> Any:
        if name not in self._built:
            with self._lock:
                if name not in self._built:
                    self._built[name] = getattr(self, f"_build_{name}")()
        return self._built[name]

    @property
    def documents(self) -> DocumentStore:
        store: DocumentStore = self._get("documents")
        return store

    @property
    def blobs(self) -> BlobStore:
        store: BlobStore = self._get("blobs")
        return store

    @property
    def tasks(self) -> TaskQueue:
        queue: TaskQueue = self._get("tasks")
        return queue

    @property
    def retriever(self) -> Retriever:
        retriever: Retriever = self._get("retriever")
        return retriever

    @property
    def identity(self) -> IdentityProvider:
        provider: IdentityProvider = self._get("identity")
        return provider

    @property
    def password_auth(self) -> PasswordAuth:
        auth: PasswordAuth = self._get("password_auth")
        return auth

    @property
    def language_model(self) -> LanguageModel:
        model: LanguageModel = self._get("language_model")
        return model

    def close(self) -> None:
        """Stop what was built, producers before the store they write to: a
        queue thread still delivering a task must not find its SQLite
        connection closed under it (that crashes the process, not just the task)."""
        for name in ("tasks", "storage_events", "retriever", "documents"):
            close = getattr(self._built.get(name), "close", None)
            if close is not None:
                close()

    # -- builders: each imports its adapter (and so its SDK) only when called
    def _build_documents(self) -> DocumentStore:
        s = self.settings
        if s.document_store == "firestore":
            from aksio.adapters.firestore_store import FirestoreDocumentStore

            return FirestoreDocumentStore(project=s.project_id, database=s.firestore_database)
        from aksio.adapters.sqlite_store import SqliteDocumentStore

        s.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteDocumentStore(s.sqlite_path)

    def _build_blobs(self) -> BlobStore:
        s = self.settings
        if s.blob_store == "gcs":
            from aksio.adapters.gcs_blobs import GcsBlobStore

            return GcsBlobStore(bucket=s.bucket)
        from aksio.adapters.local_blobs import LocalBlobStore
        from aksio.adapters.local_uploads import LocalUploads

        return LocalBlobStore(
            root=s.blob_dir,
            bucket=s.bucket,
            # Cloud Storage tells Eventarc about new objects; locally the store does.
            on_finalize=self.storage_events.object_finalized,
            uploads=LocalUploads(s.public_base_url, s.task_shared_secret),
        )

    @property
    def storage_events(self) -> LocalStorageEvents:
        events: LocalStorageEvents = self._get("storage_events")
        return events

    def _build_storage_events(self) -> LocalStorageEvents:
        from aksio.adapters.local_storage_events import LocalStorageEvents
        from aksio.documents.trigger import on_object_finalized

        return LocalStorageEvents(
            self.settings.bucket, lambda event: on_object_finalized(event, self)
        )

    def _build_retriever(self) -> Retriever:
        s = self.settings
        if s.retriever == "vector":
            from aksio.adapters.vector_retriever import build_vector_retriever

            return build_vector_retriever(s)
        from aksio.adapters.bm25_retriever import Bm25Retriever

        return Bm25Retriever(self.documents, self.blobs)

    def _build_language_model(self) -> LanguageModel:
        s = self.settings
        if s.language_model == "openai":
            from aksio.adapters.openai_llm import OpenAILanguageModel

            return OpenAILanguageModel(
                api_key=s.openai_api_key,
                model=s.llm_model,
                base_url=s.openai_base_url,
                timeout_s=s.llm_timeout_s,
                max_retries=s.llm_max_retries,
            )
        from aksio.adapters.local_llm import LocalLanguageModel

        return LocalLanguageModel()

    def _build_tasks(self) -> TaskQueue:
        s = self.settings
        if s.task_queue == "cloudtasks":
            from aksio.adapters.cloud_tasks import CloudTasksQueue

            return CloudTasksQueue(
                project=s.project_id,
                location=s.region,
                queue=s.tasks_queue_name,
                target_url=s.task_worker_url,
                service_account_email=s.tasks_service_account,
            )
        from aksio.tasks.local import local_queue

        return local_queue(self)

    def _build_identity(self) -> IdentityProvider:
        from aksio.adapters.firebase_identity import FirebaseIdentity

        s = self.settings
        return FirebaseIdentity(project_id=s.project_id, emulator_host=s.auth_emulator_host)

    def _build_password_auth(self) -> PasswordAuth:
        from aksio.adapters.firebase_auth_rest import FirebaseAuthRest

        s = self.settings
        return FirebaseAuthRest(api_key=s.firebase_api_key, emulator_host=s.auth_emulator_host)


_current: dict[str, Services] = {}
_current_lock = threading.Lock()


def get_services() -> Services:
    """The instance-wide services, created on first use."""
    if "services" not in _current:
        with _current_lock:
            _current.setdefault("services", Services())
    return _current["services"]


def set_services(services: Services | None) -> None:
    """Replace the instance-wide services (tests); None rebuilds from settings."""
    with _current_lock:
        _current.pop("services", None)
        if services is not None:
            _current["services"] = services
