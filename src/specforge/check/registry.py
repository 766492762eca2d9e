"""specforge's own checks: plain functions registered by a decorator and named after the property
they assert (``timestamps_are_unix_seconds``), each returning typed ``Finding``s like a
schemathesis check raises its failures. Response checks (``@check``) are given one ``Exchange``
and run on every response (inside schemathesis' engine, in the scenarios and on replayed
cassettes); scenario checks (``@scenario_check``) are given a ``Step`` — what a scenario (auth,
lifecycle, content, invalid input, the SDK phase, replay) observed and meant — and the scenario
driver calls them by name through ``run_scenario_check``. A new check is one decorated function."""

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


@dataclass(frozen=True)
class Step:
    """What one scenario step observed, for a scenario check to judge."""

    spec: SpecModel
    exchange: Exchange | None = None  # the answer the step got, when it made a request
    label: str = ""  # what the step sent, in words ("missing token", "bad seconds", an SDK call)
    sent: dict[str, Any] | None = None  # the request body the step sent
    fields: tuple[str, ...] = ()  # the request fields the step is about (round trip, blamed fields)
    job: dict[str, Any] | None = None  # the job object the step got back
    jobs: tuple[dict[str, Any], ...] = ()  # the successive job objects of one followed job
    detail: str = ""  # what went wrong, as the step saw it (an SDK call's failure)


CheckFunction = Callable[[Exchange], Iterable[Finding]]
ScenarioFunction = Callable[[Step], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class RegisteredCheck:
    name: str
    scope: str  # "response" or "scenario"
    description: str
    func: Callable[[Any], Iterable[Finding]] | None = None


class CheckRegistry:
    def __init__(self) -> None:
        self._checks: dict[str, RegisteredCheck] = {}

    def register(
        self, name: str, scope: str, description: str, func: Callable[[Any], Iterable[Finding]] | None = None
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

    def scenario_checks(self) -> list[RegisteredCheck]:
        return [c for c in self._checks.values() if c.scope == "scenario"]

    def names(self) -> list[str]:
        return list(self._checks)

    def get(self, name: str) -> RegisteredCheck:
        return self._checks[name]

    def __contains__(self, name: object) -> bool:
        return name in self._checks


REGISTRY = CheckRegistry()


def _first_line(func: Callable[..., Any]) -> str:
    doc = (func.__doc__ or "").strip().splitlines()
    return doc[0] if doc else ""


def check(func: CheckFunction) -> CheckFunction:
    """Register a response check; its name is the function's name, its description the first
    docstring line."""
    REGISTRY.register(func.__name__, "response", _first_line(func), func)
    return func


def scenario_check(func: ScenarioFunction) -> ScenarioFunction:
    """Register a scenario check, named and described like a response check."""
    REGISTRY.register(func.__name__, "scenario", _first_line(func), func)
    return func


def run_scenario_check(name: str, step: Step) -> list[Finding]:
    """The findings of the registered scenario check ``name`` on ``step``."""
    registered = REGISTRY.get(name)
    if registered.scope != "scenario" or registered.func is None:
        raise ValueError(f"`{name}` is not a registered scenario check")
    return list(registered.func(step))


def run_response_checks(exchange: Exchange) -> list[tuple[str, list[Finding]]]:
    """Every registered response check on ``exchange``: (name, findings) per check."""
    results = []
    for registered in REGISTRY.response_checks():
        assert registered.func is not None
        results.append((registered.name, list(registered.func(exchange))))
    return results
