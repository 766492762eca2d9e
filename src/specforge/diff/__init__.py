"""What changed between two OpenAPI documents, and what it means for a client written against the
older one. Both sides are normalized first (:func:`specforge.normalize.normalize`), so OpenAPI 3.0
versus 3.1 of the same API, a ``/v1`` server prefix versus ``/v1`` in the paths, or a component
renamed are no change. Each change has a kind from :data:`specforge.diff.kinds.KINDS`, an effect
(breaking / potentially-breaking / compatible, request and response side each in its own
direction), its logical JSON pointer and the file:line of both sides in their SOURCE documents.

    >>> from specforge.diff import diff, load_spec
    >>> changes = diff(load_spec("canonical"), load_spec("hingnet-veo"))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from specforge.core import Document
from specforge.core.diagnostics import Diagnostic, Location
from specforge.diff.engine import RawChange, diff_documents, unit_of
from specforge.diff.kinds import KINDS, ChangeKind, Effect
from specforge.diff.locate import source_pointer
from specforge.normalize import normalize

__all__ = [
    "KINDS",
    "Change",
    "ChangeKind",
    "Effect",
    "Spec",
    "diff",
    "load_spec",
    "unit_of",
    "worst",
]


@dataclass(frozen=True)
class Spec:
    """One side of a diff: the source document as read (data, and for positions its ``Document``)
    and the name the user gave it."""

    name: str
    data: dict[str, Any]
    document: Document | None = None

    @property
    def file(self) -> str:
        return self.document.path if self.document is not None else self.name

    @property
    def text(self) -> str | None:
        return self.document.text if self.document is not None else None

    @property
    def observed(self) -> bool:
        """An observed source (``specforge ingest --cassette``): absence proves nothing."""
        info = self.data.get("info")
        return isinstance(info, dict) and bool(info.get("x-specforge-observed"))

    @classmethod
    def of(cls, value: Spec | Document | dict[str, Any], name: str = "<spec>") -> Spec:
        if isinstance(value, Spec):
            return value
        if isinstance(value, Document):
            return cls(
                name=value.path, data=value.data if isinstance(value.data, dict) else {}, document=value
            )
        return cls(name=name, data=value)

    def locate(self, logical: str) -> Location | None:
        """Where the node at ``logical`` (a pointer into the normalized form) is in this source."""
        if not logical:
            return None
        concrete = source_pointer(self.data, logical)
        if self.document is None:
            return Location(self.file, 0, 0, concrete)
        found = self.document.locate(concrete, key=True)
        return Location(found.file, found.line, found.col, concrete) if found is not None else None


@dataclass(frozen=True)
class Change:
    """One classified change. ``pointer`` is the logical JSON pointer (NEW's when NEW has the node,
    else OLD's); ``old``/``new`` are the source positions of each side (None where absent)."""

    kind: str
    effect: Effect
    direction: str | None
    message: str
    pointer: str
    old_pointer: str
    new_pointer: str
    old: Location | None
    new: Location | None
    operation: str = ""
    op_kind: str = ""
    field: str = ""
    status: str | None = None
    media_type: str | None = None
    old_value: Any = None
    new_value: Any = None

    @property
    def info(self) -> ChangeKind:
        return KINDS[self.kind]

    def to_diagnostic(self) -> Diagnostic:
        """The change as the findings renderers take it: placed at NEW (OLD when it is gone), the
        other side as the related location; effect as severity (breaking = error)."""
        primary = self.new or self.old
        related = tuple(loc for loc in (self.old if primary is self.new else self.new,) if loc is not None)
        side = f"{self.direction} " if self.direction else ""
        return Diagnostic(
            code=self.kind,
            severity=self.effect.severity,
            message=f"{self.effect.value}: {self.message}",
            pointer=self.pointer,
            file=primary.file if primary else None,
            line=primary.line if primary and primary.line else None,
            col=primary.col if primary and primary.col else None,
            hint=f"{side}side: {self.info.why}",
            related=related,
        )

    def to_dict(self) -> dict[str, Any]:
        def where(location: Location | None) -> dict[str, Any] | None:
            if location is None:
                return None
            return {
                "file": location.file,
                "line": location.line or None,
                "col": location.col or None,
                "pointer": location.pointer,
            }

        return {
            "kind": self.kind,
            "effect": self.effect.value,
            "direction": self.direction,
            "message": self.message,
            "pointer": self.pointer,
            "old_pointer": self.old_pointer,
            "new_pointer": self.new_pointer,
            "old": where(self.old),
            "new": where(self.new),
            "operation": self.operation,
            "field": self.field,
            "status": self.status,
            "media_type": self.media_type,
        }


def diff(old: Spec | Document | dict[str, Any], new: Spec | Document | dict[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new``, classified for a client written against ``old``."""
    before, after = Spec.of(old, "old"), Spec.of(new, "new")
    raw = diff_documents(normalize(before.data), normalize(after.data), observed=after.observed)
    return [_placed(change, before, after) for change in raw]


def _placed(change: RawChange, old: Spec, new: Spec) -> Change:
    kind = KINDS[change.kind]
    return Change(
        kind=change.kind,
        effect=kind.effect(change.direction),
        direction=change.direction if (kind.request and kind.response) or change.direction else None,
        message=change.message,
        pointer=change.new_pointer or change.old_pointer,
        old_pointer=change.old_pointer,
        new_pointer=change.new_pointer,
        old=old.locate(change.old_pointer),
        new=new.locate(change.new_pointer),
        operation=change.operation,
        op_kind=change.op_kind,
        field=change.field,
        status=change.status,
        media_type=change.media_type,
        old_value=change.old_value,
        new_value=change.new_value,
    )


def worst(changes: list[Change]) -> Effect | None:
    """The most serious effect among ``changes`` (None when there are none)."""
    return max((c.effect for c in changes), key=lambda e: e.rank, default=None)


def load_spec(ref: str, config: Any = None, *, history: Any = None) -> Spec:
    """A side named as on the command line (file, ``canonical``, ``VARIANT``, ``X@REV``, a history
    run through the ``history`` loader); see :func:`specforge.diff.sources.load_spec`."""
    from specforge.diff.sources import load_spec as load

    return load(ref, config, history=history)
