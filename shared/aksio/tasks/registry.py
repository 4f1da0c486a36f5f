"""Named task handlers.

A handler takes ``(payload, delivery)`` and must be idempotent: Cloud Tasks
delivers at least once, and a retry may follow a run that did its work but failed
to answer. It raises ``PermanentTaskError`` when retrying cannot help, anything
else to be retried. ``on_give_up`` runs when the last allowed attempt fails, so a
domain can mark its resource ``failed`` with a readable error.
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from aksio.ports.tasks import TaskDelivery

TaskHandler = Callable[[dict[str, Any], TaskDelivery], None]
GiveUpHandler = Callable[[dict[str, Any], TaskDelivery, Exception], None]
H = TypeVar("H", bound=TaskHandler)

_KIND = re.compile(r"^[a-z][a-z0-9_.]{0,99}$")

HANDLER_MODULES: tuple[str, ...] = (
    "aksio.courses.deletion",
    "aksio.assessments.personalization",
    "aksio.assessments.generation.tasks",
    "aksio.learning.plans.tasks",
    "aksio.learning.progress.tasks",
)
"""Modules whose import registers the real task kinds (added as domains land).
The worker imports them on its first request; nothing else needs them."""


@dataclass(frozen=True)
class Registration:
    kind: str
    handler: TaskHandler
    on_give_up: GiveUpHandler | None = None


class TaskRegistry:
    def __init__(self) -> None:
        self._by_kind: dict[str, Registration] = {}
        self._lock = threading.Lock()
        self._loaded = False

    def register(self, kind: str, *, on_give_up: GiveUpHandler | None = None) -> Callable[[H], H]:
        if not _KIND.match(kind):
            raise ValueError(f"invalid task kind {kind!r} (lowercase, digits, '_' and '.')")

        def decorate(handler: H) -> H:
            with self._lock:
                existing = self._by_kind.get(kind)
                # Re-importing a module registers the same function again: harmless.
                if existing is not None and existing.handler is not handler:
                    raise ValueError(f"task kind {kind!r} is already registered")
                self._by_kind[kind] = Registration(kind, handler, on_give_up)
            return handler

        return decorate

    def unregister(self, kind: str) -> None:
        with self._lock:
            self._by_kind.pop(kind, None)

    def get(self, kind: str) -> Registration | None:
        return self._by_kind.get(kind)

    def kinds(self) -> list[str]:
        return sorted(self._by_kind)

    def load(self, modules: Iterable[str] = HANDLER_MODULES) -> None:
        """Import the handler modules once (they register themselves on import)."""
        if self._loaded:
            return
        for module in modules:
            importlib.import_module(module)
        self._loaded = True


registry = TaskRegistry()
"""The process-wide registry the task_worker function dispatches with."""

register = registry.register
