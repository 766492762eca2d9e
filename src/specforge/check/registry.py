"""specforge's own checks: plain functions registered by a decorator and named after the property
they assert (``timestamps_are_unix_seconds``). Response checks run on every response (inside
schemathesis' engine, in the lifecycle scenarios and on replayed cassettes); scenario checks are
asserted by the lifecycle/auth/invalid-input scenarios and only registered here so that reports
list them and their names stay unique."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from specforge.check.spec import Operation, SpecModel
from specforge.openapi.videojob import ID_KEYS

_MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class Finding:
    """A property violated by one response (or one scenario)."""

    check: str
    message: str
    pointer: str = ""
    expected: str = ""
    actual: str = ""
    hint: str | None = None


@dataclass
class Exchange:
    """One request/response pair as specforge checks see it."""

    spec: SpecModel
    operation: Operation | None
    method: str
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    request_body: Any = None  # decoded JSON (or form fields) of the request, when known
    _json: Any = field(default=_MISSING, repr=False)

    @property
    def kind(self) -> str:
        return self.operation.kind if self.operation else "other"

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        """Decoded JSON body, or ``None`` when the body is not JSON."""
        if self._json is _MISSING:
            try:
                self._json = json.loads(self.body) if self.body and "json" in self.content_type else None
            except (ValueError, UnicodeDecodeError):
                self._json = None
        return self._json

    def jobs(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(pointer, job object) for every video job in the body (the object, or list items)."""
        data = self.json()
        if self.status >= 300 or not isinstance(data, dict):
            return
        if _is_job(data):
            yield "", data
        items = data.get("data")
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict) and _is_job(item):
                    yield f"/data/{i}", item


def _is_job(value: dict[str, Any]) -> bool:
    return "status" in value and (any(key in value for key in ID_KEYS) or value.get("object") == "video")


CheckFunction = Callable[[Exchange], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class RegisteredCheck:
    name: str
    scope: str  # "response" or "scenario"
    description: str
    func: CheckFunction | None = None


class CheckRegistry:
    def __init__(self) -> None:
        self._checks: dict[str, RegisteredCheck] = {}

    def register(
        self, name: str, scope: str, description: str, func: CheckFunction | None = None
    ) -> RegisteredCheck:
        if scope not in ("response", "scenario"):
            raise ValueError(f"check scope must be 'response' or 'scenario', not {scope!r}")
        if name in self._checks:
            raise ValueError(f"check `{name}` is already registered")
        check = RegisteredCheck(name, scope, description, func)
        self._checks[name] = check
        return check

    def response_checks(self) -> list[RegisteredCheck]:
        return [c for c in self._checks.values() if c.scope == "response"]

    def names(self) -> list[str]:
        return list(self._checks)

    def get(self, name: str) -> RegisteredCheck:
        return self._checks[name]

    def __contains__(self, name: object) -> bool:
        return name in self._checks


REGISTRY = CheckRegistry()


def check(func: CheckFunction) -> CheckFunction:
    """Register a response check; its name is the function's name, its description the first
    docstring line."""
    doc = (func.__doc__ or "").strip().splitlines()
    REGISTRY.register(func.__name__, "response", doc[0] if doc else "", func)
    return func


def scenario_check(name: str, description: str) -> str:
    """Register a property asserted by a scenario; returns the name to report findings under."""
    REGISTRY.register(name, "scenario", description)
    return name


def run_response_checks(exchange: Exchange) -> list[tuple[str, list[Finding]]]:
    """Every registered response check on ``exchange``: (name, findings) per check."""
    results = []
    for registered in REGISTRY.response_checks():
        assert registered.func is not None
        results.append((registered.name, list(registered.func(exchange))))
    return results
