"""Post-processing of generated overlays: consecutive removals of siblings become one action with a
union selector (``$.components.schemas.X.properties['a','b']``), so an overlay that drops twenty
fields a vendor does not document reads as one line, not twenty."""

from __future__ import annotations

import re
from typing import Any

_SHORT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)\Z")
_QUOTED = re.compile(r"\[('(?:[^'\\]|\\.)*')\]\Z")
_FIELD = re.compile(r"^(?P<v>[^:]+): (?P<name>\S+) is not documented \((?P<owner>[^)]+)\)\Z")
_SCHEMA = re.compile(r"^(?P<v>[^:]+): does not use schema (?P<name>\S+)\Z")
_PATH = re.compile(r"^(?P<v>[^:]+): does not document (?P<name>/\S*)\Z")


def _split(target: str) -> tuple[str, str] | None:
    """(parent path, quoted last name) of a singular target, or None."""
    for pattern in (_SHORT, _QUOTED):
        match = pattern.search(target)
        if match:
            parent = target[: match.start()]
            if "?" in parent or "*" in parent or ".." in parent or "," in parent:
                return None
            name = match.group(1)
            return parent, name if name.startswith("'") else f"'{name}'"
    return None


def _category(description: str) -> tuple[str, str, str, str] | None:
    """(kind, variant, owner, name) for the removal descriptions that can be joined."""
    for kind, pattern in (("field", _FIELD), ("schema", _SCHEMA), ("path", _PATH)):
        match = pattern.match(description)
        if match:
            groups = match.groupdict()
            return kind, groups["v"], groups.get("owner") or "", groups["name"]
    return None


def _joined(kind: str, variant: str, owner: str, names: list[str]) -> str:
    listed = ", ".join(names)
    if kind == "field":
        return f"{variant}: does not document {listed} ({owner})"
    if kind == "schema":
        return f"{variant}: does not use the schemas {listed}"
    return f"{variant}: does not document the paths {listed}"


def coalesce_removals(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``actions`` with runs of sibling removals of one kind merged; order otherwise kept."""
    out: list[dict[str, Any]] = []
    run: list[tuple[dict[str, Any], str, str, tuple[str, str, str, str]]] = []

    def flush() -> None:
        if len(run) == 1:
            out.append(run[0][0])
        elif run:
            parent = run[0][1]
            kind, variant, owner, _ = run[0][3]
            names = [category[3] for _, _, _, category in run]
            out.append(
                {
                    "target": f"{parent}[{','.join(quoted for _, _, quoted, _ in run)}]",
                    "description": _joined(kind, variant, owner, names),
                    "remove": True,
                }
            )
        run.clear()

    for action in actions:
        split = _split(str(action.get("target", ""))) if action.get("remove") is True else None
        category = _category(str(action.get("description", ""))) if split else None
        if split is None or category is None or set(action) - {"target", "description", "remove"}:
            flush()
            out.append(action)
            continue
        if run and (run[0][1] != split[0] or run[0][3][:3] != category[:3]):
            flush()
        run.append((action, split[0], split[1], category))
    flush()
    return out
