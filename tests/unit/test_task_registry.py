"""The registry of task kinds."""

from __future__ import annotations

from typing import Any

import pytest

from aksio.ports.tasks import TaskDelivery
from aksio.tasks.registry import TaskRegistry


def test_register_get_unregister() -> None:
    reg = TaskRegistry()

    @reg.register("plans.generate")
    def handler(payload: dict[str, Any], delivery: TaskDelivery) -> None:
        pass

    found = reg.get("plans.generate")
    assert found is not None and found.handler is handler and found.on_give_up is None
    assert reg.kinds() == ["plans.generate"]
    reg.register("plans.generate")(handler)  # same function again: harmless (re-import)
    reg.unregister("plans.generate")
    assert reg.get("plans.generate") is None


def test_a_kind_has_one_handler() -> None:
    reg = TaskRegistry()
    reg.register("k")(lambda p, d: None)
    with pytest.raises(ValueError, match="already registered"):
        reg.register("k")(lambda p, d: None)


@pytest.mark.parametrize("kind", ["", "Upper", "with space", "1st", "a/b", "x" * 101])
def test_kind_names_are_checked(kind: str) -> None:
    with pytest.raises(ValueError):
        TaskRegistry().register(kind)


def test_load_imports_handler_modules_once() -> None:
    reg = TaskRegistry()
    reg.load(["json"])
    reg.load(["no.such.module"])  # already loaded: not imported again
    with pytest.raises(ModuleNotFoundError):
        TaskRegistry().load(["no.such.module"])
