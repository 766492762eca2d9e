"""A runner whose module cannot be imported in a worker (the import fails when the environment
says so), to prove a broken runner is recorded per provider instead of aborting the night."""

from __future__ import annotations

import os
from typing import Any

if os.environ.get("SPECFORGE_TEST_BREAK_RUNNER"):
    raise ImportError("this runner needs a module the worker does not have")


def runner(provider: Any) -> dict[str, Any]:
    return {"verdict": "conformant", "checks": []}
