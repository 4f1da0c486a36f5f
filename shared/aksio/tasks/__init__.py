"""The task_worker side of the task queue: named handlers and the HTTP entry.

- ``aksio.tasks.registry``: ``register(kind)(handler)``; importing it is cheap, so
  domain modules register their kinds without pulling in the web stack.
- ``aksio.tasks.worker.handle_task_request``: authenticates the caller (OIDC from
  Cloud Tasks, or the shared secret of the in-process queue) and dispatches.
- ``aksio.tasks.local``: the in-process queue delivering through that same entry.
"""

from aksio.tasks.registry import Registration, TaskRegistry, register, registry

__all__ = ["Registration", "TaskRegistry", "register", "registry"]
