"""Generate the Overlay that turns one document into another: ``apply(S, compare(S, T)).document == T``.

The overlay is small and readable rather than a list of leaf edits:
- one ``update`` per changed object carries every added key and changed primitive of that object,
  and the updates of its changed child objects are folded into it (the spec's update merges
  recursively); an object with no direct change of its own lets its children stand alone;
- keys that disappear are ``remove``d; a value whose kind changes (object/array/primitive) is
  removed and then re-added by its parent's update, because update merges and never replaces
  (members are never replaced wholesale: the per-member actions carry per-field descriptions);
- arrays: pure appends become one concatenating update; elements with identity (parameters by
  ``name`` + ``in``, tags by ``name``, servers by ``url``) are removed/edited through filters such as
  ``[?@.name=='limit' && @.in=='query']`` (indexes shift, identities do not) and new ones appended;
  anything else (reordered, shortened, primitive items changed) is replaced: remove, then update,
  since update appends to an array and cannot replace it.
Keys that need it (``'/v1/videos'``, ``'x-foo'``, quotes, ``~``, non-ASCII) use bracket notation
with RFC 9535 escaping. Every action gets a human ``description``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from specforge.core import InputError
from specforge.core import pointer as jp
from specforge.overlay.engine import fresh
from specforge.overlay.paths import literal, name_segment

Describe = Callable[[str, Any, Any], str]

#: identity fields tried in order for arrays of objects (OpenAPI parameters, tags, servers, ...)
IDENTITIES: tuple[tuple[str, ...], ...] = (("name", "in"), ("name",), ("url",))


def same(a: Any, b: Any) -> bool:
    """JSON equality that tells ``1`` from ``True`` and ``1.0`` (Python's ``==`` does not)."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is dict:
        return len(a) == len(b) and all(k in b and same(v, b[k]) for k, v in a.items())
    if kind is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _kind(value: Any) -> str:
    return "object" if isinstance(value, dict) else "array" if isinstance(value, list) else "primitive"


@dataclass(frozen=True)
class _Where:
    """A place in the source: JSONPath for targeting, JSON pointer for describing."""

    path: str
    pointer: str

    def key(self, name: str) -> _Where:
        return _Where(self.path + name_segment(name), jp.child(self.pointer, name))

    def index(self, index: int) -> _Where:
        return _Where(f"{self.path}[{index}]", jp.child(self.pointer, index))

    def element(self, fields: tuple[str, ...], values: tuple[Any, ...], index: int) -> _Where:
        test = " && ".join(f"@{name_segment(f)}=={literal(v)}" for f, v in zip(fields, values, strict=True))
        return _Where(f"{self.path}[?{test}]", jp.child(self.pointer, index))

    def all(self) -> str:
        return f"{self.path}[*]"


def _human(pointer: str) -> str:
    """``/paths/~1v1~1videos/post`` -> ``paths › /v1/videos › post`` (pointer escapes are for machines)."""
    return "the document root" if not pointer else "`" + " › ".join(jp.parts(pointer)) + "`"


def _names(keys: list[str], limit: int = 6) -> str:
    shown = ", ".join(f"`{k}`" for k in keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def _describe_patch(pointer: str, old: Any, patch: Any) -> str:
    where = _human(pointer)
    if isinstance(patch, list):
        return (
            f"Append {len(patch)} item(s) to {where}." if old else f"Set the items of {where} ({len(patch)})."
        )
    if isinstance(old, dict) and isinstance(patch, dict):
        added = [k for k in patch if k not in old]
        changed = [k for k in patch if k in old]
        parts = [f"add {_names(added)}"] if added else []
        if changed:
            parts.append(f"change {_names(changed)}")
        return f"In {where}: {'; '.join(parts)}."
    return f"Set {where} to {literal(patch) if not isinstance(patch, dict | list) else _kind(patch)}."


def default_describe(pointer: str, old: Any, new: Any) -> str:
    """A one-line description of the change at ``pointer`` from ``old`` to ``new`` (``None``
    for a removal) — the fallback when ``compare`` gets no ``describe`` callback."""
    where = _human(pointer)
    if new is None and old is not None:
        return f"Remove {where}."
    if isinstance(old, list) and isinstance(new, list):
        if len(new) > len(old) and all(same(a, b) for a, b in zip(old, new, strict=False)):
            return f"Append {len(new) - len(old)} item(s) to {where}."
        return f"Replace the items of {where} ({len(old)} -> {len(new)} item(s))."
    if isinstance(old, dict) and isinstance(new, dict):
        added = [k for k in new if k not in old]
        removed = [k for k in old if k not in new]
        changed = [k for k in new if k in old and not same(old[k], new[k])]
        parts = []
        if added:
            parts.append(f"add {_names(added)}")
        if changed:
            parts.append(f"change {_names(changed)}")
        if removed:
            parts.append(f"drop {_names(removed)}")
        return f"In {where}: {'; '.join(parts) or 'no change'}."
    return f"Set {where} to {literal(new) if not isinstance(new, dict | list) else _kind(new)}."


class _Comparer:
    def __init__(self, describe: Describe) -> None:
        self.describe = describe
        self.actions: list[dict[str, Any]] = []

    # -- emitting -------------------------------------------------------------------------------
    def remove(self, where: _Where, old: Any, target: str | None = None) -> None:
        if self.describe is default_describe:
            what = f"every item of {_human(where.pointer)}" if target else _human(where.pointer)
            text = f"Remove {what}."
        else:
            text = self.describe(where.pointer, old, None)
        self.actions.append({"target": target or where.path, "description": text, "remove": True})

    def update(self, where: _Where, old: Any, new: Any, patch: Any) -> None:
        if self.describe is default_describe:
            text = _describe_patch(where.pointer, old, patch)
        else:
            text = self.describe(where.pointer, old, new)
        self.actions.append({"target": where.path, "description": text, "update": patch})

    # -- objects --------------------------------------------------------------------------------
    def object(self, old: dict[str, Any], new: dict[str, Any], where: _Where) -> dict[str, Any] | None:
        """Emit removes and child actions; return the patch for an update at ``where`` (or None)."""
        patch: dict[str, Any] = {}
        children: list[str] = []
        for key in old:
            if key not in new:
                self.remove(where.key(key), old[key])
        for key, value in new.items():
            if key not in old:
                patch[key] = fresh(value)
                continue
            before = old[key]
            if same(before, value):
                continue
            if _kind(before) != _kind(value):
                self.remove(where.key(key), before)
                patch[key] = fresh(value)
            elif isinstance(value, dict | list):
                children.append(key)
            else:
                patch[key] = value
        direct = bool(patch)
        for key in children:
            before, value = old[key], new[key]
            if isinstance(value, dict):
                child = self.object(before, value, where.key(key))
                if child is None:
                    continue
                if direct:
                    patch[key] = child  # merges recursively: one action for the whole subtree
                else:
                    self.update(where.key(key), before, value, child)
            elif self.array(before, value, where.key(key), replaceable=True):
                self.remove(where.key(key), before)
                patch[key] = fresh(value)
                direct = True
        return patch or None

    # -- arrays ---------------------------------------------------------------------------------
    def array(self, old: list[Any], new: list[Any], where: _Where, *, replaceable: bool) -> bool:
        """Emit actions turning ``old`` into ``new``; return True when the caller must replace
        the array through its parent (only asked when ``replaceable``)."""
        if len(new) > len(old) and all(same(a, b) for a, b in zip(old, new, strict=False)):
            self.update(where, old, new, [fresh(v) for v in new[len(old) :]])
            return False
        if self._by_identity(old, new, where) or self._by_index(old, new, where):
            return False
        if replaceable:
            return True
        if old:
            self.remove(where, old, target=where.all())
        if new:
            self.update(where, [], new, [fresh(v) for v in new])
        return False

    def _by_identity(self, old: list[Any], new: list[Any], where: _Where) -> bool:
        fields = _identity(old, new)
        if fields is None:
            return False
        ids_old = [tuple(item[f] for f in fields) for item in old]
        ids_new = [tuple(item[f] for f in fields) for item in new]
        kept = [i for i in ids_old if i in set(ids_new)]
        if kept != [i for i in ids_new if i in set(ids_old)]:
            return False  # reordered: identities cannot express it
        if [i for i in ids_new if i not in set(ids_old)] != ids_new[len(kept) :]:
            return False  # new elements are not all at the end
        position = {identity: index for index, identity in enumerate(ids_old)}
        target = {identity: item for identity, item in zip(ids_new, new, strict=True)}
        for identity, item in zip(ids_old, old, strict=True):
            element = where.element(fields, identity, position[identity])
            if identity not in target:
                self.remove(element, item)
            elif not same(item, target[identity]):
                patch = self.object(item, target[identity], element)
                if patch is not None:
                    self.update(element, item, target[identity], patch)
        added = new[len(kept) :]
        if added:
            self.update(where, old, new, [fresh(v) for v in added])
        return True

    def _by_index(self, old: list[Any], new: list[Any], where: _Where) -> bool:
        if len(old) != len(new):
            return False
        pairs = [(i, a, b) for i, (a, b) in enumerate(zip(old, new, strict=True)) if not same(a, b)]
        if not all(_kind(a) == _kind(b) != "primitive" for _i, a, b in pairs):
            return False  # a primitive item or a kind change: only replacing the array can do it
        for index, a, b in pairs:
            element = where.index(index)
            if isinstance(a, dict):
                patch = self.object(a, b, element)
                if patch is not None:
                    self.update(element, a, b, patch)
            else:
                self.array(a, b, element, replaceable=False)
        return True


def _identity(old: list[Any], new: list[Any]) -> tuple[str, ...] | None:
    items = [*old, *new]
    if not old or not items or not all(isinstance(item, dict) for item in items):
        return None
    for fields in IDENTITIES:
        if not all(all(f in item and isinstance(item[f], str | int) for f in fields) for item in items):
            continue
        ids_old = [tuple(item[f] for f in fields) for item in old]
        ids_new = [tuple(item[f] for f in fields) for item in new]
        if len(set(ids_old)) == len(ids_old) and len(set(ids_new)) == len(ids_new):
            return fields
    return None


def compare(
    source: Any,
    target: Any,
    *,
    info: dict[str, Any] | None = None,
    describe: Describe | None = None,
) -> dict[str, Any]:
    """An Overlay 1.0.0 document such that ``apply(source, it).document == target``.

    ``describe(json_pointer, old_value, new_value)`` writes each action's description: the pointer
    is into ``source`` (for an element addressed by identity, its index there), old/new are the
    values there before and after; ``new_value`` is ``None`` for a removal."""
    comparer = _Comparer(describe or default_describe)
    root = _Where("$", "")
    if isinstance(source, dict) and isinstance(target, dict):
        patch = comparer.object(source, target, root)
        if patch is not None:
            comparer.update(root, source, target, patch)
    elif isinstance(source, list) and isinstance(target, list):
        comparer.array(source, target, root, replaceable=False)
    elif not same(source, target):
        raise InputError(
            f"cannot express a change of the document root from {_kind(source)} to {_kind(target)} as an overlay",
            hint="an overlay edits inside a document; its root cannot be replaced",
        )
    actions = comparer.actions or [
        {"target": "$", "description": "No differences: the documents are identical."}
    ]
    return {
        "overlay": "1.0.0",
        "info": dict(info)
        if info
        else {"title": "Generated by specforge overlay compare", "version": "1.0.0"},
        "actions": actions,
    }
