"""The run as a stream of typed events. A check emits what happens (the plan, a phase starting, an
exchange recorded, a case judged, a failure found, the run finished); everything that shows or
keeps it — the terminal progress (``cli``, through ``render``), the cassette file, the report
writer (``render.reports.ReportWriter``) — is a handler subscribed to the stream."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from specforge.check.model import CheckResult, Failure


@dataclass(frozen=True, slots=True)
class Planned:
    """The run is about to start: its id, the spec it holds the endpoint to and its phases."""

    run_id: str
    spec: str
    phases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PhaseStarted:
    phase: str
    message: str


@dataclass(frozen=True, slots=True)
class ExchangeRecorded:
    """One request/response (or network error) as the cassette keeps it: redacted, with its seq."""

    entry: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CaseJudged:
    """A case finished with ``status`` (passed, failed, error, skipped)."""

    phase: str
    message: str
    status: str


@dataclass(frozen=True, slots=True)
class FailureFound:
    """A failure not seen before in this run (repeats only add occurrences to it)."""

    failure: Failure


@dataclass(frozen=True, slots=True)
class Finished:
    """The run's result is final (scrubbed of secrets): what report writers render."""

    result: CheckResult


Event = Planned | PhaseStarted | ExchangeRecorded | CaseJudged | FailureFound | Finished
Handler = Callable[[Event], None]


class EventStream:
    """Hands every event to every handler, in order. Events come from several threads (the
    scenario driver, the job follower, schemathesis' workers); one lock keeps each handler
    seeing them one at a time."""

    def __init__(self, handlers: Iterable[Handler] = ()) -> None:
        self.handlers: list[Handler] = list(handlers)
        self._lock = threading.RLock()

    def subscribe(self, handler: Handler) -> None:
        with self._lock:
            self.handlers.append(handler)

    def emit(self, event: Event) -> None:
        with self._lock:
            for handler in self.handlers:
                handler(event)


class CassetteWriter:
    """Handler streaming ``ExchangeRecorded`` entries to a JSON Lines file as they come, so a
    run that is killed still leaves the exchanges it made."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle: Any = path.open("w", encoding="utf-8")

    def __call__(self, event: Event) -> None:
        if isinstance(event, ExchangeRecorded) and self._handle is not None:
            self._handle.write(json.dumps(event.entry, ensure_ascii=False) + "\n")
            self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
