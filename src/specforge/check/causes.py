"""Causes, not lines: failures clustered by what is wrong rather than by where it was seen.

Two failures share a cause when they come from the same check with the same response signature —
HTTP status, the server's error code, the message pattern (failure message and server error message
with ids, long numbers and URLs blanked), the schema keyword and the JSON path (list indices
blanked) — whatever operation or case they were seen on. Different messages never merge.

Anything that finds failures feeds this module the same way: build a ``Failure`` (operation, check,
message, status, excerpt, curl, optionally ``kind``, ``keyword``, ``source`` and an explicit
``severity``) and call ``CheckResult.add_failure`` (or ``add_failure`` here on a list); the causes
are rebuilt from the details with ``cluster``. This module imports nothing from the result model
so the model can hold causes without an import cycle.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from specforge.check.severity import Level, Signal, classify

if TYPE_CHECKING:
    from specforge.check.model import Failure

_URL = re.compile(r"https?://[^\s\"'<>]+")
_UUIDISH = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
# ids such as video_68d7512d07848190, task-1a2b3c4d, cgt-20250101abcd: a word with a digit run
_ID = re.compile(
    r"\b[A-Za-z][A-Za-z0-9]*[_-](?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{6,}\b|\b(?=[A-Za-z]*\d)[0-9a-fA-F]{12,}\b"
)
_LONG_NUMBER = re.compile(r"\b\d{5,}\b")
_ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ][\d:.]+Z?\b")
_INDEX = re.compile(r"/\d+(?=/|$)")


def pattern(text: str) -> str:
    """``text`` with what varies between cases of one defect blanked: URLs, ids, timestamps and
    long numbers. Short numbers (statuses, seconds) and words stay, so different messages differ."""
    text = _URL.sub("<url>", text)
    text = _ISO_TIME.sub("<time>", text)
    text = _UUIDISH.sub("<id>", text)
    text = _ID.sub("<id>", text)
    text = _LONG_NUMBER.sub("<n>", text)
    return " ".join(text.split())


def path_pattern(pointer: str) -> str:
    return _INDEX.sub("/*", pointer or "")


def server_error(excerpt: str) -> tuple[str, str]:
    """(code, message) of the error object in a response excerpt, '' when there is none."""
    try:
        data: Any = json.loads(excerpt)
    except ValueError:
        found_code = re.search(r'"(?:code|type)"\s*:\s*"([^"]{1,80})"', excerpt)
        found_message = re.search(r'"(?:message|detail|msg)"\s*:\s*"([^"]{1,300})', excerpt)
        return (found_code.group(1) if found_code else "", found_message.group(1) if found_message else "")
    if not isinstance(data, dict):
        return "", ""
    error = data.get("error", data)
    if isinstance(error, str):
        return "", error
    if not isinstance(error, dict):
        return "", ""
    code = error.get("code") or error.get("type") or ""
    message = error.get("message") or error.get("detail") or error.get("msg") or ""
    if isinstance(message, list | dict):
        message = json.dumps(message, ensure_ascii=False, sort_keys=True)
    return str(code)[:80], str(message)[:300]


@dataclass(frozen=True, slots=True)
class Signature:
    """What makes two failures the same cause (the operation is deliberately not part of it)."""

    check: str
    status: int | None
    error_code: str
    message: str
    keyword: str
    path: str

    @property
    def id(self) -> str:
        raw = json.dumps([self.check, self.status, self.error_code, self.message, self.keyword, self.path])
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:10]

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "status": self.status,
            "error_code": self.error_code,
            "message": self.message,
            "keyword": self.keyword,
            "path": self.path,
        }


def signature(failure: Failure) -> Signature:
    code, server_message = server_error(failure.response_excerpt) if failure.response_excerpt else ("", "")
    message = pattern(failure.diagnostic.message.splitlines()[0] if failure.diagnostic.message else "")
    if server_message:
        message += " | server: " + pattern(server_message)
    return Signature(
        failure.check,
        failure.status_code,
        code,
        message,
        failure.keyword,
        path_pattern(failure.diagnostic.pointer),
    )


def level_of(failure: Failure) -> Level:
    """An explicit ``failure.severity`` wins; else the rules of ``specforge.check.severity``."""
    if failure.severity:
        return Level(failure.severity)
    return classify(
        Signal(
            failure.check,
            failure.kind or "other",
            failure.status_code,
            failure.keyword,
            path_pattern(failure.diagnostic.pointer),
            failure.source,
        )
    )


@dataclass(frozen=True, slots=True)
class Cause:
    """One defect: what is wrong (``statement``), how bad (``severity``), where (``operations``),
    how often (``count`` occurrences), how to see it (``reproduction``, a redacted curl line) and
    the evidence (``cassette`` sequence numbers, ``failures`` indices into the report's details)."""

    id: str
    severity: Level
    check: str
    statement: str
    operations: tuple[str, ...]
    count: int
    signature: Signature
    reproduction: str = ""
    cassette: tuple[int, ...] = ()
    failures: tuple[int, ...] = ()
    expected: str = ""
    actual: str = ""
    hint: str | None = None
    source: str = "check"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity.value,
            "check": self.check,
            "statement": self.statement,
            "operations": list(self.operations),
            "count": self.count,
            "signature": self.signature.to_dict(),
            "reproduction": self.reproduction,
            "cassette": list(self.cassette),
            "failures": list(self.failures),
            "expected": self.expected,
            "actual": self.actual,
            "hint": self.hint,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cause:
        sig = data.get("signature") or {}
        return cls(
            id=data["id"],
            severity=Level(data["severity"]),
            check=data["check"],
            statement=data["statement"],
            operations=tuple(data.get("operations", ())),
            count=int(data.get("count", 1)),
            signature=Signature(
                sig.get("check", data["check"]),
                sig.get("status"),
                sig.get("error_code", ""),
                sig.get("message", ""),
                sig.get("keyword", ""),
                sig.get("path", ""),
            ),
            reproduction=data.get("reproduction", ""),
            cassette=tuple(data.get("cassette", ())),
            failures=tuple(data.get("failures", ())),
            expected=data.get("expected", ""),
            actual=data.get("actual", ""),
            hint=data.get("hint"),
            source=data.get("source", "check"),
        )


def _statement(failure: Failure) -> str:
    text = failure.diagnostic.message.splitlines()[0].strip() if failure.diagnostic.message else failure.check
    if failure.status_code is not None and str(failure.status_code) not in text:
        text = f"HTTP {failure.status_code}: {text}"
    _, server_message = server_error(failure.response_excerpt) if failure.response_excerpt else ("", "")
    if server_message and server_message not in text:
        text += f' (server: "{" ".join(server_message.split())[:160]}")'
    return text


def add_failure(failures: list[Failure], failure: Failure, index: dict[Any, int] | None = None) -> Failure:
    """Add ``failure`` to the detail list: a repeat of a kept detail (same operation and same
    signature) only adds its occurrences and cassette entries to it. ``index`` (key -> position,
    kept by the caller across calls) makes this O(1); without it the list is scanned. Returns the
    kept detail."""
    if index is None:
        index = {(f.operation, signature(f)): i for i, f in enumerate(failures)}
    key = (failure.operation, signature(failure))
    at = index.get(key)
    if at is not None and at < len(failures):
        kept = failures[at]
        merged = replace(
            kept,
            occurrences=kept.occurrences + failure.occurrences,
            cassette=tuple(sorted(set(kept.cassette) | set(failure.cassette))),
        )
        failures[at] = merged
        return merged
    index[key] = len(failures)
    failures.append(failure)
    return failure


def cluster(failures: Sequence[Failure]) -> list[Cause]:
    """The causes behind ``failures``, most severe first, then most frequent."""
    groups: dict[Signature, list[int]] = {}
    for index, failure in enumerate(failures):
        groups.setdefault(signature(failure), []).append(index)
    causes = []
    for sig, members in groups.items():
        items = [failures[i] for i in members]
        first = items[0]
        level = min((level_of(f) for f in items), key=lambda lvl: lvl.rank)
        cassette = sorted({seq for f in items for seq in f.cassette})
        causes.append(
            Cause(
                id=sig.id,
                severity=level,
                check=first.check,
                statement=_statement(first),
                operations=tuple(dict.fromkeys(f.operation for f in items)),
                count=sum(f.occurrences for f in items),
                signature=sig,
                reproduction=next((f.curl for f in items if f.curl), ""),
                cassette=tuple(cassette),
                failures=tuple(members),
                expected=first.expected,
                actual=first.actual,
                hint=first.diagnostic.hint,
                source=first.source,
            )
        )
    return order(causes)


def order(causes: Iterable[Cause]) -> list[Cause]:
    return sorted(causes, key=lambda c: (c.severity.rank, -c.count, -len(c.operations), c.check, c.statement))


def worst(causes: Iterable[Cause]) -> Level | None:
    levels = [c.severity for c in causes]
    return min(levels, key=lambda lvl: lvl.rank) if levels else None


def counts(causes: Iterable[Cause]) -> dict[str, int]:
    out = {level.value: 0 for level in Level}
    for cause in causes:
        out[cause.severity.value] += 1
    return out
