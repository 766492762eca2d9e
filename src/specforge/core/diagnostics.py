"""The one record every finding of every kind is reported with (YAML problems, validator errors,
overlay no-matches, merge conflicts, lint findings, conformance failures), so that every renderer
and the history store take a single input type."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse; used by ``--fail-on`` thresholds."""
        return {"info": 0, "warning": 1, "error": 2}[self.value]

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls(value.lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {value!r} (choose one of: {choices})") from None


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a file: 1-based line and column, as editors count them; when the place is a
    node, ``end_line``/``end_col`` is the position just past its last character (SARIF's
    ``endLine``/``endColumn``)."""

    file: str
    line: int
    col: int
    pointer: str = ""
    end_line: int | None = None
    end_col: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. ``pointer`` is an RFC 6901 JSON pointer into the document ``file`` names;
    ``end_line``/``end_col`` (when known) end the span that starts at ``line``/``col``, just past
    its last character; ``related`` holds the other places a cross-variant finding is about."""

    code: str
    severity: Severity
    message: str
    pointer: str = ""
    file: str | None = None
    line: int | None = None
    col: int | None = None
    variants: tuple[str, ...] = ()
    hint: str | None = None
    related: tuple[Location, ...] = field(default=())
    end_line: int | None = None
    end_col: int | None = None

    @property
    def location(self) -> str:
        """``file:line:col`` (or as much of it as is known)."""
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def at(self, location: Location | None) -> Diagnostic:
        """The same finding placed at ``location`` (engines resolve pointers to lines late)."""
        if location is None:
            return self
        return replace(
            self,
            file=location.file,
            line=location.line,
            col=location.col,
            end_line=location.end_line,
            end_col=location.end_col,
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "pointer": self.pointer,
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "variants": list(self.variants),
            "hint": self.hint,
        }
        if self.end_line is not None:
            data["end_line"], data["end_col"] = self.end_line, self.end_col
        if self.related:
            data["related"] = [_location_dict(r) for r in self.related]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Diagnostic:
        return cls(
            code=data["code"],
            severity=Severity(data["severity"]),
            message=data["message"],
            pointer=data.get("pointer", ""),
            file=data.get("file"),
            line=data.get("line"),
            col=data.get("col"),
            variants=tuple(data.get("variants", ())),
            hint=data.get("hint"),
            related=tuple(Location(**r) for r in data.get("related", ())),
            end_line=data.get("end_line"),
            end_col=data.get("end_col"),
        )

    def __str__(self) -> str:
        text = f"{self.location}: {self.severity.value}: {self.message} [{self.code}]"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


def _location_dict(location: Location) -> dict[str, Any]:
    data: dict[str, Any] = {
        "file": location.file,
        "line": location.line,
        "col": location.col,
        "pointer": location.pointer,
    }
    if location.end_line is not None:
        data["end_line"], data["end_col"] = location.end_line, location.end_col
    return data
