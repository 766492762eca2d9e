"""The comparison itself: two NORMALIZED documents walked side by side — operations matched by
method and path shape (``{id}`` and ``{video_id}`` are one path), parameters by location and name,
bodies by media type, responses by status, schemas through their ``$ref``s — yielding one
:class:`RawChange` per difference with a *logical* pointer on each side: the pointer the changed
node would have if every ``$ref`` on the way were inlined. Logical pointers mean the same thing in
the normalized document and in its source (normalize renames and hoists components, never the
path from an operation to a field), which is how :mod:`specforge.diff.locate` finds source lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from specforge.core import pointer as jp
from specforge.core.document import json_type
from specforge.diff import kinds as K
from specforge.normalize import ALIASES
from specforge.openapi.operations import iter_operations, operation_kind, template
from specforge.openapi.schemas import media_class
from specforge.openapi.videojob import is_milliseconds

_MAX_DEPTH = 24
_BOUNDS_LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_BOUNDS_UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")


@dataclass(frozen=True)
class RawChange:
    """One difference, before positions: kind, both logical pointers ("" when the side lacks it),
    a sentence, and where in the API it is (for grouping and the compatibility matrix)."""

    kind: str
    direction: str | None
    old_pointer: str
    new_pointer: str
    message: str
    operation: str = ""  # "POST /v1/videos"
    op_kind: str = ""  # "create"
    field: str = ""  # "input_reference", "error.code"
    status: str | None = None
    media_type: str | None = None
    old_value: Any = None
    new_value: Any = None


@dataclass
class _Where:
    """Context of the walk: which operation, side, status and media type, and the field path."""

    operation: str
    op_kind: str
    direction: str | None
    status: str | None = None
    media_type: str | None = None
    field: str = ""
    #: example values the documents show at this point (media examples followed down the fields):
    #: evidence for units, which a schema rarely states
    old_samples: tuple[Any, ...] = ()
    new_samples: tuple[Any, ...] = ()

    def at(self, **changes: Any) -> _Where:
        data = dict(self.__dict__)
        data.update(changes)
        return _Where(**data)

    def label(self) -> str:
        if self.direction == "response":
            return f"{self.operation} {self.status} response"
        return f"{self.operation} request"


def _aliases() -> dict[str, set[str]]:
    """name -> every name known to mean the same input (both directions)."""
    groups: dict[str, set[str]] = {}
    for canonical, names in ALIASES.items():
        if canonical == "size":  # width+height is a split, not a rename; resolution/aspect_ratio are
            names = ("resolution",)
        group = {canonical, *names}
        for name in group:
            groups.setdefault(name, set()).update(group - {name})
    return groups


_ALIASES = _aliases()


class _Side:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def deref(self, node: Any) -> tuple[Any, str | None]:
        """``node`` with its local ``$ref`` chain followed (3.1 siblings of ``$ref`` kept on top);
        the last ref followed, for cycle detection."""
        last = None
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
            ref = node["$ref"]
            seen.add(ref)
            if not ref.startswith("#"):
                break
            try:
                target = jp.resolve(self.data, ref[1:])
            except (KeyError, ValueError):
                break
            last = ref
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            node = {**target, **siblings} if isinstance(target, dict) and siblings else target
        return node, last


def diff_documents(old: dict[str, Any], new: dict[str, Any], *, observed: bool = False) -> list[RawChange]:
    """Every difference between two normalized documents, in a stable order. ``observed``: NEW is
    an observation (a cassette), so "absent in NEW" proves nothing and is not reported."""
    walker = _Walker(_Side(old), _Side(new))
    changes = list(walker.document())
    if observed:
        changes = [c for c in changes if not _unproven(c)]
    return changes


def _unproven(change: RawChange) -> bool:
    """Against an observation, a change that only says NEW lacks something (an operation, a
    value, a format, a bound) proves nothing: the endpoint was not asked, or not every value came up."""
    kind = K.KINDS[change.kind]
    if change.kind in (K.FORMAT_CHANGED, K.BOUNDS_RELAXED) and change.new_value is None:
        return True
    if not kind.absence:
        return False
    # a documented-required response field missing from every observed answer IS evidence
    return change.kind != K.REQUIRED_PROPERTY_REMOVED or change.direction != "response"


def _operations(data: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str, dict[str, Any]]]:
    out: dict[tuple[str, str], tuple[str, str, dict[str, Any]]] = {}
    for path, method, operation in iter_operations(data):
        out.setdefault((method, template(path)), (path, method, operation))
    return out


def _status_class(status: str) -> str:
    return (
        "success"
        if status.startswith("2")
        else "error"
        if status[:1] in ("4", "5") or status == "default"
        else "other"
    )


def _base_media(media_type: str) -> str:
    return media_type.split(";")[0].strip().lower()


class _Walker:
    def __init__(self, old: _Side, new: _Side) -> None:
        self.old = old
        self.new = new

    # -- document / operations ------------------------------------------------------------------

    def document(self) -> Iterator[RawChange]:
        old_ops, new_ops = _operations(self.old.data), _operations(self.new.data)
        for key in sorted(set(old_ops) | set(new_ops), key=lambda k: (k[1], k[0])):
            method = key[0]
            if key not in new_ops:
                path, _, _ = old_ops[key]
                label = f"{method.upper()} {path}"
                yield RawChange(
                    K.OPERATION_REMOVED,
                    "request",
                    jp.join("paths", path, method),
                    "",
                    f"{label} ({operation_kind(method, path)}) is gone",
                    operation=label,
                    op_kind=operation_kind(method, path),
                )
                continue
            path, _, new_op = new_ops[key]
            label = f"{method.upper()} {path}"
            if key not in old_ops:
                yield RawChange(
                    K.OPERATION_ADDED,
                    "request",
                    "",
                    jp.join("paths", path, method),
                    f"{label} ({operation_kind(method, path)}) is new",
                    operation=label,
                    op_kind=operation_kind(method, path),
                )
                continue
            old_path, _, old_op = old_ops[key]
            where = _Where(label, operation_kind(method, path), "request")
            yield from self.operation(where, (old_path, method, old_op), (path, method, new_op))

    def operation(
        self, where: _Where, old: tuple[str, str, dict[str, Any]], new: tuple[str, str, dict[str, Any]]
    ) -> Iterator[RawChange]:
        old_ptr, new_ptr = jp.join("paths", old[0], old[1]), jp.join("paths", new[0], new[1])
        yield from self.security(where, old[2], new[2], old_ptr, new_ptr)
        yield from self.parameters(where, old, new)
        yield from self.request_body(
            where,
            old[2].get("requestBody"),
            new[2].get("requestBody"),
            old_ptr + "/requestBody",
            new_ptr + "/requestBody",
        )
        yield from self.responses(
            where.at(direction="response"),
            old[2].get("responses"),
            new[2].get("responses"),
            old_ptr + "/responses",
            new_ptr + "/responses",
        )

    # -- security -------------------------------------------------------------------------------

    def _schemes(self, side: _Side, operation: dict[str, Any]) -> frozenset[frozenset[str]] | None:
        """Each alternative of the effective security requirement as a set of scheme descriptions
        (``http bearer``, ``apiKey header X-API-Key``); None when nothing is required."""
        security = operation["security"] if "security" in operation else side.data.get("security")
        if not isinstance(security, list) or not security:
            return None
        schemes = (side.data.get("components") or {}).get("securitySchemes") or {}
        out = set()
        for requirement in security:
            if not isinstance(requirement, dict):
                continue
            if not requirement:
                return None  # `{}` alternative: anonymous access allowed
            described = set()
            for name in requirement:
                scheme, _ = side.deref(schemes.get(name)) if isinstance(schemes, dict) else (None, None)
                described.add(_describe_scheme(scheme) if isinstance(scheme, dict) else f"unknown {name}")
            out.add(frozenset(described))
        return frozenset(out) or None

    def security(
        self, where: _Where, old_op: dict[str, Any], new_op: dict[str, Any], old_ptr: str, new_ptr: str
    ) -> Iterator[RawChange]:
        old, new = self._schemes(self.old, old_op), self._schemes(self.new, new_op)
        if old == new:
            return
        old_at = old_ptr + "/security" if "security" in old_op else "/security"
        new_at = new_ptr + "/security" if "security" in new_op else "/security"
        if old is None:
            yield self._change(
                K.SECURITY_ADDED, where, "", new_at, f"{where.operation} now requires {_alts(new)}"
            )
        elif new is None:
            yield self._change(
                K.SECURITY_REMOVED, where, old_at, "", f"{where.operation} no longer requires {_alts(old)}"
            )
        elif not (old & new):
            yield self._change(
                K.SECURITY_CHANGED,
                where,
                old_at,
                new_at,
                f"{where.operation} authenticates with {_alts(new)}, not {_alts(old)}",
                old_value=_alts(old),
                new_value=_alts(new),
            )

    # -- parameters -----------------------------------------------------------------------------

    def _parameters(
        self, side: _Side, path: str, method: str, operation: dict[str, Any]
    ) -> dict[tuple[str, str], tuple[dict[str, Any], str]]:
        item = side.data["paths"][path]
        found: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        path_names = re.findall(r"\{([^}/]*)\}", path)
        for holder, base in ((item, jp.join("paths", path)), (operation, jp.join("paths", path, method))):
            for index, raw in enumerate(holder.get("parameters") or []):
                parameter, _ = side.deref(raw)
                if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str):
                    continue
                where = str(parameter.get("in"))
                name = parameter["name"]
                if where == "path" and name in path_names:
                    name = f"#{path_names.index(name)}"  # path parameters match by position
                found[(where, name)] = (parameter, f"{base}/parameters/{index}")
        return found

    def parameters(
        self, where: _Where, old: tuple[str, str, dict[str, Any]], new: tuple[str, str, dict[str, Any]]
    ) -> Iterator[RawChange]:
        before = self._parameters(self.old, *old)
        after = self._parameters(self.new, *new)
        for key in sorted(set(before) | set(after)):
            location, _ = key
            if key not in after:
                parameter, ptr = before[key]
                yield self._change(
                    K.PARAMETER_REMOVED,
                    where,
                    ptr,
                    "",
                    f"{where.operation}: {location} parameter `{parameter['name']}` is gone",
                )
                continue
            parameter, ptr = after[key]
            name = parameter["name"]
            if key not in before:
                kind = K.REQUIRED_PARAMETER_ADDED if parameter.get("required") else K.PARAMETER_ADDED
                yield self._change(
                    kind,
                    where,
                    "",
                    ptr,
                    f"{where.operation}: new {'required ' if parameter.get('required') else ''}"
                    f"{location} parameter `{name}`",
                )
                continue
            old_parameter, old_ptr = before[key]
            sub = where.at(field=f"{location} {name}")
            if bool(old_parameter.get("required")) != bool(parameter.get("required")):
                kind = K.BECAME_REQUIRED if parameter.get("required") else K.BECAME_OPTIONAL
                yield self._change(
                    kind,
                    sub,
                    old_ptr + "/required",
                    ptr + "/required",
                    f"{where.operation}: {location} parameter `{name}` is "
                    f"{'required' if parameter.get('required') else 'optional'} now",
                )
            yield from self.schema(
                sub,
                old_parameter.get("schema"),
                parameter.get("schema"),
                old_ptr + "/schema",
                ptr + "/schema",
                f"{location} parameter `{name}`",
                set(),
                0,
            )

    # -- bodies ---------------------------------------------------------------------------------

    def request_body(
        self, where: _Where, old: Any, new: Any, old_ptr: str, new_ptr: str
    ) -> Iterator[RawChange]:
        old, _ = self.old.deref(old)
        new, _ = self.new.deref(new)
        has_old, has_new = isinstance(old, dict), isinstance(new, dict)
        if not has_old and not has_new:
            return
        if has_old and not has_new:
            yield self._change(
                K.BODY_REMOVED, where, old_ptr, "", f"{where.operation} takes no request body any more"
            )
            return
        if has_new and not has_old:
            required = bool(new.get("required"))
            kind = K.REQUIRED_BODY_ADDED if required else K.BODY_ADDED
            yield self._change(
                kind,
                where,
                "",
                new_ptr,
                f"{where.operation} takes a {'required ' if required else ''}request body now",
            )
            return
        if bool(old.get("required")) != bool(new.get("required")):
            kind = K.BECAME_REQUIRED if new.get("required") else K.BECAME_OPTIONAL
            yield self._change(
                kind,
                where.at(field="(body)"),
                old_ptr + "/required",
                new_ptr + "/required",
                f"{where.operation}: the request body is {'required' if new.get('required') else 'optional'} now",
            )
        yield from self.content(
            where, old.get("content"), new.get("content"), old_ptr + "/content", new_ptr + "/content"
        )

    def content(self, where: _Where, old: Any, new: Any, old_ptr: str, new_ptr: str) -> Iterator[RawChange]:
        old_media = {_base_media(k): k for k in old} if isinstance(old, dict) else {}
        new_media = {_base_media(k): k for k in new} if isinstance(new, dict) else {}
        label = where.label()
        for base in sorted(set(old_media) | set(new_media)):
            if base not in new_media:
                yield self._change(
                    K.MEDIA_TYPE_REMOVED,
                    where,
                    jp.child(old_ptr, old_media[base]),
                    "",
                    f"{label}: no {base} any more",
                    media_type=base,
                )
                continue
            if base not in old_media:
                yield self._change(
                    K.MEDIA_TYPE_ADDED,
                    where,
                    "",
                    jp.child(new_ptr, new_media[base]),
                    f"{label}: {base} is new",
                    media_type=base,
                )
                continue
            o = old[old_media[base]]
            n = new[new_media[base]]
            if isinstance(o, dict) and isinstance(n, dict):
                o_at = jp.child(old_ptr, old_media[base]) + "/schema"
                n_at = jp.child(new_ptr, new_media[base]) + "/schema"
                sub = where.at(media_type=base, old_samples=_media_samples(o), new_samples=_media_samples(n))
                yield from self.schema(
                    sub,
                    o.get("schema"),
                    n.get("schema"),
                    o_at,
                    n_at,
                    f"{label} ({media_class(base)} body)",
                    set(),
                    0,
                )

    def responses(self, where: _Where, old: Any, new: Any, old_ptr: str, new_ptr: str) -> Iterator[RawChange]:
        old = old if isinstance(old, dict) else {}
        new = new if isinstance(new, dict) else {}
        for status in sorted(set(old) | set(new), key=str):
            sub = where.at(status=str(status))
            klass = _status_class(str(status))
            if status not in new:
                kind = K.SUCCESS_STATUS_REMOVED if klass == "success" else K.ERROR_STATUS_REMOVED
                yield self._change(
                    kind,
                    sub,
                    jp.child(old_ptr, status),
                    "",
                    f"{where.operation}: no {status} response any more",
                )
                continue
            if status not in old:
                kind = K.SUCCESS_STATUS_ADDED if klass == "success" else K.ERROR_STATUS_ADDED
                yield self._change(
                    kind, sub, "", jp.child(new_ptr, status), f"{where.operation}: new {status} response"
                )
                continue
            o, _ = self.old.deref(old[status])
            n, _ = self.new.deref(new[status])
            if isinstance(o, dict) and isinstance(n, dict):
                yield from self.content(
                    sub,
                    o.get("content"),
                    n.get("content"),
                    jp.child(old_ptr, status) + "/content",
                    jp.child(new_ptr, status) + "/content",
                )

    # -- schemas --------------------------------------------------------------------------------

    def schema(
        self,
        where: _Where,
        old: Any,
        new: Any,
        old_ptr: str,
        new_ptr: str,
        label: str,
        seen: set[tuple[str | None, str | None]],
        depth: int,
    ) -> Iterator[RawChange]:
        if depth > _MAX_DEPTH:
            return
        old, old_ref = self.old.deref(old)
        new, new_ref = self.new.deref(new)
        if not isinstance(old, dict) or not isinstance(new, dict):
            return
        if old_ref is not None or new_ref is not None:
            if (old_ref, new_ref) in seen:
                return
            seen = seen | {(old_ref, new_ref)}
        name = f"`{where.field}`" if where.field else "the body"
        subject = f"{label}: {name}" if where.field else f"{label}"
        old_types, new_types = self.types(self.old, old), self.types(self.new, new)
        type_kind = None
        if old_types and new_types:
            old_null, new_null = "null" in old_types, "null" in new_types
            o, n = old_types - {"null"}, new_types - {"null"}
            if o and n and o != n:
                type_kind = _type_change(o, n)
                yield self._change(
                    type_kind,
                    where,
                    old_ptr,
                    new_ptr,
                    f"{subject} type {_types(o)} → {_types(n)}",
                    old_value=sorted(o),
                    new_value=sorted(n),
                )
            if old_null != new_null:
                kind = K.NULLABLE_ADDED if new_null else K.NULLABLE_REMOVED
                yield self._change(
                    kind,
                    where,
                    old_ptr,
                    new_ptr,
                    f"{subject} {'may be null now' if new_null else 'may no longer be null'}",
                )
        if type_kind == K.TYPE_CHANGED:
            return  # a different kind of value altogether: its enum/format/properties do not compare
        yield from self.values(where, old, new, old_ptr, new_ptr, subject)
        yield from self.bounds(where, old, new, old_ptr, new_ptr, subject)
        old_obj, old_obj_ptr = self.branch(self.old, old, old_ptr, "object")
        new_obj, new_obj_ptr = self.branch(self.new, new, new_ptr, "object")
        if old_obj is not None and new_obj is not None:
            yield from self.properties(where, old_obj, new_obj, old_obj_ptr, new_obj_ptr, label, seen, depth)
        old_arr, old_arr_ptr = self.branch(self.old, old, old_ptr, "array")
        new_arr, new_arr_ptr = self.branch(self.new, new, new_ptr, "array")
        if (
            old_arr is not None
            and new_arr is not None
            and isinstance(old_arr.get("items"), dict)
            and isinstance(new_arr.get("items"), dict)
        ):
            item_where = where.at(
                field=f"{where.field}[]" if where.field else "[]",
                old_samples=_items(where.old_samples),
                new_samples=_items(where.new_samples),
            )
            yield from self.schema(
                item_where,
                old_arr["items"],
                new_arr["items"],
                old_arr_ptr + "/items",
                new_arr_ptr + "/items",
                label,
                seen,
                depth + 1,
            )

    def types(self, side: _Side, schema: dict[str, Any], depth: int = 0) -> set[str]:
        """The JSON types a schema admits (empty: unconstrained); ``oneOf``/``anyOf`` alternatives and
        enum/const values count."""
        declared = schema.get("type")
        if isinstance(declared, str):
            found = {declared}
        elif isinstance(declared, list):
            found = {t for t in declared if isinstance(t, str)}
        else:
            found = set()
        if not found and "const" in schema:
            found = {json_type(schema["const"])}
        if not found and isinstance(schema.get("enum"), list) and schema["enum"]:
            found = {json_type(v) for v in schema["enum"]}
        if not found and depth < 8:
            for key in ("oneOf", "anyOf"):
                alternatives = schema.get(key)
                if isinstance(alternatives, list) and alternatives:
                    union: set[str] = set()
                    for alternative in alternatives:
                        resolved, _ = side.deref(alternative)
                        sub = self.types(side, resolved, depth + 1) if isinstance(resolved, dict) else set()
                        if not sub:
                            return set()  # one unconstrained alternative: anything goes
                        union |= sub
                    return union
        if not found and isinstance(schema.get("properties"), dict):
            found = {"object"}
        if "integer" in found and "number" in found:
            found.discard("integer")
        return found

    def branch(
        self, side: _Side, schema: dict[str, Any], pointer: str, kind: str
    ) -> tuple[dict[str, Any] | None, str]:
        """The (sub)schema describing ``kind`` values (object/array): the schema itself, or its one
        ``oneOf``/``anyOf`` alternative of that type."""
        types = self.types(side, schema)
        if kind == "object" and (
            isinstance(schema.get("properties"), dict) or isinstance(schema.get("allOf"), list)
        ):
            return schema, pointer
        if kind in types and not any(isinstance(schema.get(k), list) for k in ("oneOf", "anyOf")):
            return schema, pointer
        for key in ("oneOf", "anyOf"):
            alternatives = schema.get(key)
            if not isinstance(alternatives, list):
                continue
            for index, alternative in enumerate(alternatives):
                resolved, _ = side.deref(alternative)
                if isinstance(resolved, dict) and kind in self.types(side, resolved):
                    return resolved, f"{pointer}/{key}/{index}"
        return None, pointer

    def values(
        self,
        where: _Where,
        old: dict[str, Any],
        new: dict[str, Any],
        old_ptr: str,
        new_ptr: str,
        subject: str,
    ) -> Iterator[RawChange]:
        old_enum, new_enum = self.enum(self.old, old), self.enum(self.new, new)
        if old_enum is not None and new_enum is not None:
            added = [v for v in new_enum if v not in old_enum and v is not None]
            removed = [v for v in old_enum if v not in new_enum and v is not None]
            if added:
                yield self._change(
                    K.ENUM_VALUE_ADDED,
                    where,
                    old_ptr,
                    new_ptr,
                    f"{subject} allows {_values(added)} now",
                    new_value=added,
                )
            if removed:
                yield self._change(
                    K.ENUM_VALUE_REMOVED,
                    where,
                    old_ptr,
                    new_ptr,
                    f"{subject} no longer allows {_values(removed)}",
                    old_value=removed,
                )
        elif old_enum is None and new_enum is not None:
            yield self._change(
                K.ENUM_ADDED,
                where,
                old_ptr,
                new_ptr,
                f"{subject} is restricted to {_values(new_enum)} now",
                new_value=new_enum,
            )
        elif old_enum is not None and new_enum is None:
            yield self._change(
                K.ENUM_REMOVED,
                where,
                old_ptr,
                new_ptr,
                f"{subject} is no longer restricted to {_values(old_enum)}",
                old_value=old_enum,
            )
        old_format, new_format = _format(old), _format(new)
        if old_format != new_format and (old_format or new_format):
            yield self._change(
                K.FORMAT_CHANGED,
                where,
                old_ptr,
                new_ptr,
                f"{subject} format {old_format or '(none)'} → {new_format or '(none)'}",
                old_value=old_format,
                new_value=new_format,
            )
        old_unit, new_unit = (
            unit_of(where.field, old, where.old_samples),
            unit_of(where.field, new, where.new_samples),
        )
        if old_unit and new_unit and old_unit != new_unit:
            yield self._change(
                K.UNIT_CHANGED,
                where,
                old_ptr,
                new_ptr,
                f"{subject} is in {new_unit}, not {old_unit}",
                old_value=old_unit,
                new_value=new_unit,
            )

    def enum(self, side: _Side, schema: dict[str, Any], depth: int = 0) -> list[Any] | None:
        if isinstance(schema.get("enum"), list):
            return list(schema["enum"])
        if "const" in schema:
            return [schema["const"]]
        for key in ("oneOf", "anyOf"):
            alternatives = schema.get(key)
            if isinstance(alternatives, list) and alternatives and depth < 8:
                values: list[Any] = []
                for alternative in alternatives:
                    resolved, _ = side.deref(alternative)
                    if isinstance(resolved, dict) and resolved.get("type") == "null":
                        values.append(None)
                        continue
                    sub = self.enum(side, resolved, depth + 1) if isinstance(resolved, dict) else None
                    if sub is None:
                        return None
                    values.extend(v for v in sub if v not in values)
                return values
        return None

    def bounds(
        self,
        where: _Where,
        old: dict[str, Any],
        new: dict[str, Any],
        old_ptr: str,
        new_ptr: str,
        subject: str,
    ) -> Iterator[RawChange]:
        for key in (*_BOUNDS_LOWER, *_BOUNDS_UPPER):
            o, n = old.get(key), new.get(key)
            if o == n or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in (o, n) if v is not None
            ):
                continue
            lower = key in _BOUNDS_LOWER
            if o is None:
                tightened = True
            elif n is None:
                tightened = False
            else:
                tightened = n > o if lower else n < o
            kind = K.BOUNDS_TIGHTENED if tightened else K.BOUNDS_RELAXED
            yield self._change(
                kind,
                where,
                jp.child(old_ptr, key) if o is not None else old_ptr,
                jp.child(new_ptr, key) if n is not None else new_ptr,
                f"{subject} {key} {_show(o)} → {_show(n)}",
                old_value=o,
                new_value=n,
            )

    def _properties(
        self, side: _Side, schema: dict[str, Any], pointer: str, depth: int = 0
    ) -> tuple[dict[str, tuple[Any, str]], set[str]]:
        props: dict[str, tuple[Any, str]] = {}
        required = set(schema.get("required") or []) if isinstance(schema.get("required"), list) else set()
        for index, part in enumerate(schema.get("allOf") or []):
            resolved, _ = side.deref(part)
            if isinstance(resolved, dict) and depth < 8:
                sub, sub_required = self._properties(side, resolved, f"{pointer}/allOf/{index}", depth + 1)
                for name, value in sub.items():
                    props.setdefault(name, value)
                required |= sub_required
        if isinstance(schema.get("properties"), dict):
            for name, prop in schema["properties"].items():
                props[name] = (prop, jp.child(pointer + "/properties", name))
        return props, required

    def properties(
        self,
        where: _Where,
        old: dict[str, Any],
        new: dict[str, Any],
        old_ptr: str,
        new_ptr: str,
        label: str,
        seen: set[tuple[str | None, str | None]],
        depth: int,
    ) -> Iterator[RawChange]:
        before, old_required = self._properties(self.old, old, old_ptr)
        after, new_required = self._properties(self.new, new, new_ptr)
        prefix = f"{where.field}." if where.field and not where.field.endswith("[]") else where.field
        prefix = prefix.replace("[]", "[].") if prefix.endswith("[]") else prefix
        gone = [n for n in before if n not in after]
        fresh = [n for n in after if n not in before]
        renamed: dict[str, str] = {}
        for name in gone:
            match = next(
                (f for f in fresh if f in _ALIASES.get(name, ()) and f not in renamed.values()), None
            )
            if match is not None:
                renamed[name] = match
        for name in gone:
            _, ptr = before[name]
            field = prefix + name
            if name in renamed:
                target = renamed[name]
                yield self._change(
                    K.PROPERTY_RENAMED,
                    where.at(field=field),
                    ptr,
                    after[target][1],
                    f"{label}: `{field}` is called `{prefix + target}` now",
                    old_value=name,
                    new_value=target,
                )
                continue
            kind = K.REQUIRED_PROPERTY_REMOVED if name in old_required else K.PROPERTY_REMOVED
            yield self._change(
                kind,
                where.at(field=field),
                ptr,
                "",
                f"{label}: `{field}` is gone" + (" (it was required)" if name in old_required else ""),
            )
        for name in fresh:
            if name in renamed.values():
                continue
            _, ptr = after[name]
            field = prefix + name
            kind = K.REQUIRED_PROPERTY_ADDED if name in new_required else K.PROPERTY_ADDED
            yield self._change(
                kind,
                where.at(field=field),
                "",
                ptr,
                f"{label}: new {'required ' if name in new_required else ''}property `{field}`",
            )
        for name in before:
            if name not in after:
                continue
            (o, o_ptr), (n, n_ptr) = before[name], after[name]
            field = prefix + name
            sub = where.at(
                field=field,
                old_samples=_child(where.old_samples, name),
                new_samples=_child(where.new_samples, name),
            )
            if (name in old_required) != (name in new_required):
                kind = K.BECAME_REQUIRED if name in new_required else K.BECAME_OPTIONAL
                yield self._change(
                    kind,
                    sub,
                    o_ptr,
                    n_ptr,
                    f"{label}: `{field}` is {'required' if name in new_required else 'optional'} now",
                )
            yield from self.schema(sub, o, n, o_ptr, n_ptr, label, seen, depth + 1)

    # -- plumbing -------------------------------------------------------------------------------

    @staticmethod
    def _change(
        kind: str,
        where: _Where,
        old_ptr: str,
        new_ptr: str,
        message: str,
        *,
        media_type: str | None = None,
        old_value: Any = None,
        new_value: Any = None,
    ) -> RawChange:
        return RawChange(
            kind=kind,
            direction=where.direction,
            old_pointer=old_ptr,
            new_pointer=new_ptr,
            message=message,
            operation=where.operation,
            op_kind=where.op_kind,
            field=where.field,
            status=where.status,
            media_type=media_type or where.media_type,
            old_value=old_value,
            new_value=new_value,
        )


def _type_change(old: set[str], new: set[str]) -> str:
    def accepts(types: set[str], value: str) -> bool:
        return value in types or (value == "integer" and "number" in types)

    if all(accepts(new, t) for t in old):
        return K.TYPE_WIDENED
    if all(accepts(old, t) for t in new):
        return K.TYPE_NARROWED
    return K.TYPE_CHANGED


_MS_WORDS = re.compile(r"millisecond|\bms\b|毫秒", re.IGNORECASE)
_S_WORDS = re.compile(r"unix (?:time|timestamp|seconds)|\bseconds?\b|秒", re.IGNORECASE)


def _media_samples(media: dict[str, Any]) -> tuple[Any, ...]:
    examples = media.get("examples")
    if not isinstance(examples, dict):
        return ()
    return tuple(e["value"] for e in examples.values() if isinstance(e, dict) and "value" in e)


def _child(samples: tuple[Any, ...], name: str) -> tuple[Any, ...]:
    return tuple(s[name] for s in samples if isinstance(s, dict) and name in s)


def _items(samples: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(item for s in samples if isinstance(s, list) for item in s)


def unit_of(field: str, schema: dict[str, Any], samples: tuple[Any, ...] = ()) -> str | None:
    """The time unit of a timestamp field (``*_at``), from its description, ``format``, schema
    examples or the example bodies the document shows (``samples``): "milliseconds", "seconds" or
    None (not a timestamp, or unstated)."""
    name = field.rsplit(".", 1)[-1]
    if not (name.endswith("_at") or name in ("created", "timestamp", "expires")):
        return None
    text = str(schema["description"]) if isinstance(schema.get("description"), str) else ""
    if _MS_WORDS.search(text) or schema.get("format") in ("unixtime-ms", "timestamp-ms"):
        return "milliseconds"
    listed = schema.get("examples")
    shown = [*(listed if isinstance(listed, list) else []), *samples]
    examples = [e for e in shown if isinstance(e, int | float) and not isinstance(e, bool)]
    if examples:
        return "milliseconds" if is_milliseconds(max(examples)) else "seconds"
    if _S_WORDS.search(text) or schema.get("format") == "unixtime":
        return "seconds"
    return None


def _format(schema: dict[str, Any]) -> str | None:
    value = schema.get("format")
    if isinstance(value, str):
        return value
    if isinstance(schema.get("contentMediaType"), str):
        return "binary"
    return None


def _describe_scheme(scheme: dict[str, Any]) -> str:
    kind = str(scheme.get("type", "?"))
    if kind == "http":
        return f"http {str(scheme.get('scheme', '')).lower()}".strip()
    if kind == "apiKey":
        return f"apiKey {scheme.get('in', '?')} {str(scheme.get('name', '?')).lower()}"
    return kind


def _alts(alternatives: frozenset[frozenset[str]] | None) -> str:
    if not alternatives:
        return "nothing"
    return " or ".join(sorted(" + ".join(sorted(a)) for a in alternatives))


def _types(types: set[str]) -> str:
    return " or ".join(sorted(types))


def _values(values: list[Any]) -> str:
    shown = [f'"{v}"' if isinstance(v, str) else "null" if v is None else str(v) for v in values[:12]]
    return ", ".join(shown) + (f", … ({len(values)} in all)" if len(values) > 12 else "")


def _show(value: Any) -> str:
    return "(none)" if value is None else str(value)
