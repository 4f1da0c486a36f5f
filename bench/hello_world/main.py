"""Baseline for bench/import_times.py: the smallest functions-framework HTTP
function. Every Aksio entry point is measured as a ratio to this one."""

from __future__ import annotations

from typing import Any

import functions_framework


@functions_framework.http
def hello(request: Any) -> str:
    return "ok"
