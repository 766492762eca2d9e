"""Applying an Overlay exactly as the OAI Overlay 1.0/1.1 specifications say, without mutating the
input.

Per action, the ``target`` selects nodes (RFC 9535); then
- ``remove: true`` removes each selected node from its object or array;
- ``update`` (or 1.1 ``copy``, whose value is the single node its own JSONPath selects) is merged
  into each node: objects merge recursively (a property only in the target stays, one only in the
  update is added, primitives replace primitives, arrays concatenate, objects recurse), an array
  target gets an array update concatenated or any other value appended, and a primitive target is
  replaced by a primitive. Other combinations are incompatible: an error, the node is left alone.

Purity is copy-on-write: before changing a node we shallow-copy every container on the path from
the root (once per apply), so the result shares untouched subtrees with the input and the input is
never modified. Values taken from the overlay are copied in, so no two places in the result alias.

Bounded memory: a container is copied at most once per apply and changed in place afterwards, so
memory is linear in the number of actions (no superseded copies are kept), and the nodes an
overlay adds and selects are counted against limits (repeated ``$..*`` updates double the document
each time): crossing one is an :class:`OverlayError` naming the action.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from specforge.core import DEFAULT_LIMITS, Diagnostic, Document, InputError, Severity, load_mapping
from specforge.core import pointer as jp
from specforge.core.guard import inside
from specforge.overlay.paths import Location, compile_query
from specforge.overlay.validate import check_overlay


class OverlayError(InputError):
    """The overlay itself is invalid (schema or JSONPath); ``diagnostics`` lists every problem."""

    def __init__(self, message: str, diagnostics: list[Diagnostic], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.diagnostics = diagnostics


@dataclass
class ApplyResult:
    """The new document, findings (pointers into the overlay) and one match count per action."""

    document: Any
    diagnostics: list[Diagnostic] = field(default_factory=list)
    matches: list[int] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors


def fresh(value: Any) -> Any:
    """A copy of JSON-like ``value`` sharing nothing mutable (faster than ``copy.deepcopy``)."""
    if isinstance(value, dict):
        return {k: fresh(v) for k, v in value.items()}
    if isinstance(value, list):
        return [fresh(v) for v in value]
    return value


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "primitive"


#: nodes an overlay may add in one apply: this many, plus 4 per node of the overlay itself (a big
#: update copied to a few targets is fine; a small one copied to every node, over and over, is not)
BASE_ADDED_NODES = 100_000
#: nodes the targets of one apply may select in total
MAX_SELECTED_NODES = DEFAULT_LIMITS.max_nodes


class _Writer:
    """Copy-on-write access to a document by location: each container of the input is copied
    at most once (then owned and changed in place), so no superseded copy is ever kept."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self._owned: set[int] = set()
        self._keep: list[Any] = []  # owned containers stay alive, so their ids stay unique
        self.added = 0  # nodes copied in from the overlay so far
        self.selected = 0  # nodes the targets selected so far
        self.max_added = BASE_ADDED_NODES

    def owns(self, container: Any) -> bool:
        return id(container) in self._owned

    def own(self, container: Any) -> Any:
        if id(container) in self._owned:
            return container
        copied = dict(container) if isinstance(container, dict) else list(container)
        self.adopt(copied)
        return copied

    def adopt(self, container: Any) -> None:
        self._owned.add(id(container))
        self._keep.append(container)

    def get(self, location: Location) -> Any:
        node = self.root
        for step in location:
            node = node[step]
        return node

    def parent(self, location: Location) -> Any:
        """The (owned) container holding ``location``'s last step; copies the path on the way."""
        node = self.root = self.own(self.root)
        for step in location[:-1]:
            child = node[step]
            owned = self.own(child)
            if owned is not child:
                node[step] = owned
            node = owned
        return node

    def set(self, location: Location, value: Any) -> None:
        if not location:
            self.root = value
        else:
            self.parent(location)[location[-1]] = value

    def remove(self, location: Location) -> None:
        del self.parent(location)[location[-1]]


class _Merge:
    """One merge of an update value into a node; collects incompatibilities."""

    def __init__(self, writer: _Writer) -> None:
        self.writer = writer
        self.conflicts: list[tuple[tuple[str, ...], str, str]] = []
        self.changed = False

    def fresh(self, value: Any) -> Any:
        copied = fresh(value)
        self.writer.added += _count(copied)
        return copied

    def node(self, target: Any, update: Any, path: tuple[str, ...]) -> Any:
        """The merged value (a new container when anything changed, else ``target`` itself)."""
        if isinstance(target, dict):
            if not isinstance(update, dict):
                self.conflicts.append((path, "object", _kind(update)))
                return target
            return self._object(target, update, path)
        if isinstance(target, list):
            added = list(update) if isinstance(update, list) else [update]
            if not added:
                return target
            merged = self.writer.own(target)
            merged.extend(self.fresh(v) for v in added)
            self.changed = True
            return merged
        if isinstance(update, dict | list):
            self.conflicts.append((path, "primitive", _kind(update)))
            return target
        if type(update) is not type(target) or update != target:
            self.changed = True
            return update
        return target

    def _object(
        self, target: dict[str, Any], update: dict[str, Any], path: tuple[str, ...]
    ) -> dict[str, Any]:
        result: dict[str, Any] | None = target if self.writer.owns(target) else None
        for key, value in update.items():
            if key not in target:
                if result is None:
                    result = self.writer.own(target)
                result[key] = self.fresh(value)
                self.changed = True
                continue
            old = target[key]
            if isinstance(old, list) and not isinstance(value, list):
                # appending a single value is for array *targets*; a property merges array+array only
                self.conflicts.append(((*path, key), "array", _kind(value)))
                continue
            new = self.node(old, value, (*path, key))
            if new is not old:
                if result is None:
                    result = self.writer.own(target)
                result[key] = new
        return target if result is None else result


def _count(value: Any) -> int:
    """Containers and scalars in ``value`` (iterative)."""
    count, stack = 0, [value]
    while stack:
        node = stack.pop()
        count += 1
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return count


def _where(overlay: dict[str, Any] | Document, pointer: str) -> dict[str, Any]:
    """file/line/col of ``pointer`` in the overlay, for errors (empty for plain data)."""
    if not isinstance(overlay, Document):
        return {}
    location = overlay.locate(pointer)
    if location is None:
        return {"file": overlay.path}
    return {"file": overlay.path, "line": location.line, "col": location.col}


def _origin(overlay: dict[str, Any], base_dir: Path | None, where: dict[str, Any]) -> Any:
    """The document named by the overlay's ``extends`` (local files only)."""
    extends = overlay.get("extends")
    if not isinstance(extends, str) or not extends:
        raise InputError(
            "no document to apply the overlay to: the overlay has no `extends`",
            hint="pass the OpenAPI document to apply it to",
        )
    parts = urlsplit(extends)
    if parts.scheme and parts.scheme != "file" and len(parts.scheme) > 1:
        raise InputError(
            f"`extends: {extends}` is remote; specforge does not fetch documents over the network",
            hint="download it and pass the local file, or make `extends` a relative path",
            **where,
        )
    base = base_dir or Path.cwd()
    path = Path(parts.path) if parts.scheme == "file" else base / parts.path
    if not inside(path, base):
        raise InputError(
            f"`extends: {extends}` escapes the project folder (the overlay's folder, {base})",
            hint="copy the document next to the overlay and name it by a relative path, "
            "or pass the document to apply to explicitly",
            **where,
        )
    return load_mapping(path, "OpenAPI document").data


def _overlay_data(overlay: dict[str, Any] | Document) -> dict[str, Any]:
    data = overlay.data if isinstance(overlay, Document) else overlay
    if not isinstance(data, dict):
        raise InputError("an overlay must be a mapping at the top level", hint="check the overlay file")
    return data


def apply(
    document: Any,
    overlay: dict[str, Any] | Document,
    *,
    strict: bool = False,
    base_dir: Path | None = None,
) -> ApplyResult:
    """Apply ``overlay``'s actions in order to ``document`` (``None``: the overlay's local
    ``extends``, resolved against ``base_dir``). Never mutates either argument.

    Raises ``OverlayError`` (an ``InputError``) when the overlay is invalid. An action that
    matches nothing, or an update that changes nothing, is a warning (an error with ``strict``).
    """
    data = _overlay_data(overlay)
    findings = check_overlay(data)
    errors = [d for d in findings if d.severity is Severity.ERROR]
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        where = first.pointer or "/"
        raise OverlayError(
            f"invalid overlay: {first.message} at {where}{more}",
            errors,
            hint=first.hint or "run `specforge overlay validate` for every finding",
        )
    if document is None:
        if base_dir is None and isinstance(overlay, Document) and overlay.path:
            base_dir = Path(overlay.path).parent
        document = _origin(data, base_dir, _where(overlay, "/extends"))
    diagnostics = list(findings)
    writer = _Writer(document)
    writer.max_added = BASE_ADDED_NODES + 4 * _count(data["actions"])
    matches: list[int] = []
    soft = Severity.ERROR if strict else Severity.WARNING
    for index, action in enumerate(data["actions"]):
        here = jp.join("actions", index)
        nodes = compile_query(action["target"]).find(writer.root)
        writer.selected += len(nodes)
        _check_growth(writer, overlay, index)
        matches.append(len(nodes))
        if not nodes:
            diagnostics.append(
                Diagnostic(
                    "overlay-no-match",
                    soft,
                    f"actions[{index}] target {action['target']!r} matches nothing",
                    pointer=jp.child(here, "target"),
                    hint="check the path against the document (names are case-sensitive; "
                    "keys like '/v1/videos' need brackets)",
                )
            )
            continue
        if action.get("remove") is True:
            diagnostics.extend(_remove(writer, nodes, index))
        elif "copy" in action:
            diagnostics.extend(_copy(writer, nodes, action["copy"], index, soft))
        elif "update" in action:
            diagnostics.extend(_update(writer, nodes, action["update"], index, soft, "update"))
        _check_growth(writer, overlay, index)
    return ApplyResult(writer.root, diagnostics, matches)


def _check_growth(writer: _Writer, overlay: dict[str, Any] | Document, index: int) -> None:
    """OverlayError at ``actions[index]`` once the overlay has added or selected too much."""
    if writer.added <= writer.max_added and writer.selected <= MAX_SELECTED_NODES:
        return
    what = (
        f"adds more than {writer.max_added:,} nodes"
        if writer.added > writer.max_added
        else f"selects more than {MAX_SELECTED_NODES:,} nodes in total"
    )
    pointer = jp.join("actions", index)
    where = _where(overlay, pointer)
    diagnostic = Diagnostic(
        "overlay-too-large", Severity.ERROR, f"the overlay {what} by actions[{index}]", pointer=pointer
    )
    raise OverlayError(
        f"the overlay {what} by actions[{index}]: the result grows without bound",
        [diagnostic],
        hint="target specific nodes instead of repeating updates on `$..*` (each one multiplies the document)",
        **where,
    )


def _remove(writer: _Writer, nodes: list[tuple[Location, Any]], index: int) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    # deepest / last first, so removing one node never shifts another's array index
    for location, _value in sorted(nodes, key=lambda n: n[0], reverse=True):
        if not location:
            found.append(
                Diagnostic(
                    "overlay-remove-root",
                    Severity.ERROR,
                    f"actions[{index}] removes the document root, which is not contained in anything",
                    pointer=jp.join("actions", index, "target"),
                    hint="target the members to remove instead of `$`",
                )
            )
            continue
        writer.remove(location)
    return found


def _copy(
    writer: _Writer, nodes: list[tuple[Location, Any]], source: str, index: int, soft: Severity
) -> list[Diagnostic]:
    sources = compile_query(source).find(writer.root)
    if len(sources) != 1:
        return [
            Diagnostic(
                "overlay-copy-source",
                Severity.ERROR,
                f"actions[{index}] copy {source!r} must select exactly one node, it selects {len(sources)}",
                pointer=jp.join("actions", index, "copy"),
                hint="make the copy path select a single node",
            )
        ]
    # snapshot: the writer mutates containers it owns in place, and the source may be (inside) a target
    return _update(writer, nodes, fresh(sources[0][1]), index, soft, "copy")


def _update(
    writer: _Writer, nodes: list[tuple[Location, Any]], update: Any, index: int, soft: Severity, verb: str
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    here = jp.join("actions", index)
    kinds = {_kind(value) for _location, value in nodes}
    if len(kinds) > 1:
        found.append(
            Diagnostic(
                "overlay-mixed-targets",
                Severity.WARNING,
                f"actions[{index}] selects a mix of {', '.join(sorted(kinds))} nodes; the specification "
                "requires all objects, all arrays or all primitives",
                pointer=jp.child(here, "target"),
                hint="narrow the target",
            )
        )
    merge = _Merge(writer)
    for location, _value in nodes:
        current = writer.get(location)
        merged = merge.node(current, update, ())
        if merged is not current:
            writer.set(location, merged)
    for path, target_kind, update_kind in merge.conflicts:
        inner = "".join(f".{p}" for p in path)
        found.append(
            Diagnostic(
                "overlay-incompatible-update",
                Severity.ERROR,
                f"actions[{index}] cannot merge {'an' if update_kind[0] in 'ao' else 'a'} {update_kind} "
                f"{verb}{inner} into {'an' if target_kind[0] in 'ao' else 'a'} {target_kind}",
                pointer=jp.join("actions", index, verb, *path) if verb == "update" else jp.child(here, verb),
                hint="to change a value's type, remove it first, then add it with an update on its parent",
            )
        )
    if not merge.changed and not merge.conflicts:
        empty = update in ({}, [])
        found.append(
            Diagnostic(
                "overlay-no-change",
                soft,
                f"actions[{index}] {verb} changes nothing"
                + (" (an empty update merges nothing)" if empty else " (the values are already there)"),
                pointer=jp.child(here, verb),
                hint="to empty an array or object, `remove` it and then `update` its parent"
                if empty
                else "drop the action",
            )
        )
    return found
