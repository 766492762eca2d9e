"""Overlay action descriptions in the vendor's terms ("hingnet-veo: input_reference is an array of
1–3 image URLs, not an object"), computed from the canonical value and the variant's value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from specforge.core import pointer as jp
from specforge.merge.fields import field_info
from specforge.openapi.operations import operation_kind


def _article(text: str) -> str:
    return ("an " if text[:1].lower() in "aeiou" else "a ") + text


def _get(document: Any, tokens: list[str]) -> Any:
    try:
        return jp.resolve(document, tokens)
    except KeyError:
        return None


def _short(value: Any, limit: int = 60) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describer(variant: str, canonical: Any, target: Any) -> Callable[[str, Any, Any], str]:
    """``describe(pointer, old, new)`` for :func:`specforge.overlay.compare`: ``pointer`` is where
    the action applies, ``old`` the canonical value there and ``new`` the variant's (None when
    absent)."""

    def describe(pointer: str, old: Any, new: Any) -> str:
        tokens = jp.parts(pointer)
        text = _describe(variant, tokens, old, new, canonical, target)
        return f"{variant}: {text}"

    return describe


def _describe(variant: str, tokens: list[str], old: Any, new: Any, canonical: Any, target: Any) -> str:
    if not tokens:
        changed = _changed_keys(old, new)
        return f"{', '.join(changed) or 'top level'} as the vendor documents it"
    head = tokens[0]
    if head == "info":
        return "title, version and description of the vendor's document"
    if head == "servers":
        urls = [s.get("url") for s in (target.get("servers") or []) if isinstance(s, dict)]
        return f"served from {', '.join(map(str, urls))}" if urls else "documents no server"
    if head == "security":
        names = [n for r in (target.get("security") or []) if isinstance(r, dict) for n in r]
        return f"authenticates with {', '.join(names)}" if names else "documents no security requirement"
    if head == "tags":
        return "tags as the vendor documents them"
    if head == "paths" and len(tokens) >= 2:
        return _describe_path(tokens, old, new)
    if head == "components" and len(tokens) >= 3 and tokens[1] == "schemas":
        return _describe_schema(tokens, old, new, canonical, target)
    if head == "components" and len(tokens) == 2 and tokens[1] == "securitySchemes":
        names = sorted((target.get("components") or {}).get("securitySchemes") or {})
        return f"security schemes {', '.join(names)}" if names else "defines no security scheme"
    if head == "components" and len(tokens) >= 3 and tokens[1] == "securitySchemes":
        scheme = _get(target, tokens[:3])
        if scheme is None:
            return f"does not use the security scheme {tokens[2]}"
        kind = (
            f"{scheme.get('type', '')} {scheme.get('scheme', '')}".strip() if isinstance(scheme, dict) else ""
        )
        return f"security scheme {tokens[2]} ({kind})" if kind else f"security scheme {tokens[2]}"
    if head.startswith("x-"):
        return f"{head} (vendor-specific annotation from its page)"
    where = "/".join(tokens)
    return f"{where} as the vendor documents it" if new is not None else f"does not document {where}"


def _describe_path(tokens: list[str], old: Any, new: Any) -> str:
    path = tokens[1]
    if len(tokens) == 2:
        if new is None:
            return f"does not document {path}"
        if old is None:
            return f"documents {path}"
        return f"{path} as the vendor documents it"
    method = tokens[2]
    kind = operation_kind(method, path)
    label = f"{method.upper()} {path} ({kind})"
    if len(tokens) == 3:
        if new is None:
            return f"does not offer {label}"
        if old is None:
            return f"offers {label}"
        return f"{label} as the vendor documents it"
    rest = tokens[3:]
    if rest[0] in ("summary", "description"):
        return f"{kind}: {rest[0]} in the vendor's words"
    if rest[0] == "operationId":
        return f"{kind}: operationId is {new!r}" if new is not None else f"{kind}: no operationId"
    if "examples" in rest or "example" in rest:
        return f"{kind}: examples the vendor's page shows"
    if rest[0] == "responses" and len(rest) >= 2:
        status = rest[1]
        if len(rest) == 2:
            if new is None:
                return f"{kind}: documents no {status} response"
            if old is None:
                return f"{kind}: documents a {status} response"
        if "content" in rest:
            media = rest[rest.index("content") + 1] if len(rest) > rest.index("content") + 1 else None
            if media and rest[-1] == media:
                verb = "does not return" if new is None else "returns"
                return f"{kind}: {status} response {verb} {media}"
        return f"{kind}: {status} response as the vendor documents it"
    if rest[0] == "requestBody":
        if "content" in rest:
            index = rest.index("content")
            media = rest[index + 1] if len(rest) > index + 1 else None
            if media and rest[-1] == media:
                return f"{kind}: does not accept {media}" if new is None else f"{kind}: accepts {media}"
            if media:
                return f"{kind}: {media} request body as the vendor documents it"
        if rest[-1] == "required":
            return f"{kind}: request body is {'required' if new else 'optional'}"
        if len(rest) == 1 and new is None:
            return f"{kind}: takes no request body"
        return f"{kind}: request body as the vendor documents it"
    if rest[0] == "parameters":
        return f"{kind}: parameters as the vendor documents them"
    if rest[0] == "security":
        return f"{kind}: security as the vendor documents it"
    if rest[0] == "deprecated":
        return f"{kind}: {'deprecated' if new else 'not marked deprecated'}"
    return f"{kind}: {'/'.join(rest)} as the vendor documents it"


def _describe_schema(tokens: list[str], old: Any, new: Any, canonical: Any, target: Any) -> str:
    name = tokens[2]
    if len(tokens) == 3:
        if new is None:
            return f"does not use schema {name}"
        if old is None:
            return f"defines schema {name}"
        changed = _changed_keys(old, new)
        parts = []
        if "required" in changed:
            parts.append(
                f"{name} requires {_short(new['required'])}"
                if new["required"]
                else f"{name} requires no field"
            )
        if "properties" in changed:
            fields = _changed_keys(old.get("properties"), new.get("properties"))
            added = [f for f in fields if f not in (old.get("properties") or {})]
            if added:
                parts.append(f"{name} adds {_short(added)}")
            for field in [f for f in fields if f not in added][:3]:
                parts.append(_describe_field([*tokens, "properties", field], None, None, canonical, target))
        other = [k for k in changed if k not in ("required", "properties")]
        if other:
            parts.append(f"{name} {', '.join(other)} as the vendor documents it")
        return "; ".join(parts) if parts else f"schema {name} as the vendor documents it"
    if tokens[3] == "properties" and len(tokens) >= 5:
        return _describe_field(tokens, old, new, canonical, target)
    if tokens[3] == "properties" and len(tokens) == 4:
        return f"{name} has the properties the vendor lists"
    if tokens[3] == "required":
        required = _get(target, tokens[:4])
        if not required:
            return f"{name} requires no field"
        return f"{name} requires {_short(required)}"
    if tokens[3] in ("description", "title"):
        if new is None:
            return f"{name} has no {tokens[3]} in the vendor's document"
        return f"{name} {tokens[3]} in the vendor's words"
    return f"{name} {'/'.join(tokens[3:])} as the vendor documents it"


def _changed_keys(old: Any, new: Any) -> list[str]:
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []
    return [k for k in new if k not in old or old[k] != new[k]]


def _values(info: Any) -> str:
    return ", ".join(map(str, info.enum[:6])) + (", …" if len(info.enum) > 6 else "")


def _shape_change(field: str, new: Any, old: Any) -> str:
    """One sentence for a field whose shape differs from the canonical one."""
    text = _shape_sentence(field, new.with_prose_bounds(), old.with_prose_bounds())
    if "image" in field or "reference" in field:
        text = text.replace(" URLs", " image URLs")  # reference inputs are images: say so
    return text


def _shape_sentence(field: str, new: Any, old: Any) -> str:
    if new.shape == "any":
        return f"{field} has no stated type (canonical: {old.describe()})"
    if old.shape == "oneOf" and new.shape != "oneOf" and new.shape in old.forms:
        return f"{field} accepts only {new.describe()}, not {old.describe()}"
    if new.shape == "oneOf" and old.shape != "oneOf":
        return f"{field} accepts {new.describe()}, not only {old.describe()}"
    if (new.shape, new.forms, new.items, new.enum) == (old.shape, old.forms, old.items, old.enum):
        if new.format != old.format and set(new.types) == set(old.types):
            return f"{field} has format {new.format or 'unstated'}, not {old.format or 'none'}"
        if set(new.types) - {"null"} == set(old.types) - {"null"}:
            return f"{field} is {'nullable' if 'null' in new.types else 'not nullable'} ({new.describe()})"
    same_kind = (new.shape, new.types, new.format, new.forms, new.items) == (
        old.shape,
        old.types,
        old.format,
        old.forms,
        old.items,
    )
    if same_kind and new.enum != old.enum:
        if not new.enum:
            return f"{field} is any {new.shape}, not limited to {_values(old)}"
        if not old.enum:
            return f"{field} is limited to {_values(new)}"
        return f"{field} allows {_values(new)}, not {_values(old)}"
    return f"{field} is {_article(new.describe())}, not {_article(old.describe())}"


def _describe_field(tokens: list[str], old: Any, new: Any, canonical: Any, target: Any) -> str:
    field = tokens[4]
    owner = tokens[2]
    if len(tokens) == 5 and (old is not None or new is not None):
        if new is None:
            return f"{field} is not documented ({owner})"
        if old is None:
            return f"documents {field}: {field_info(field, new, target).describe()} ({owner})"
    whole_new = _get(target, tokens[:5])
    whole_old = _get(canonical, tokens[:5])
    if whole_new is None:
        return f"{field} is not documented ({owner})"
    new_info = field_info(field, whole_new, target)
    if whole_old is None:
        return f"documents {field}: {new_info.describe()} ({owner})"
    old_info = field_info(field, whole_old, canonical)
    last = tokens[-1] if len(tokens) > 5 else None
    if new_info.signature != old_info.signature:
        return _shape_change(field, new_info, old_info)
    if last == "description" or (len(tokens) == 5 and isinstance(new, dict) and "description" in new):
        said_new = whole_new.get("description") if isinstance(whole_new, dict) else None
        said_old = whole_old.get("description") if isinstance(whole_old, dict) else None
        if isinstance(said_new, str) and isinstance(said_old, str) and said_old.startswith(said_new.rstrip()):
            return f"{field} has the vendor's description, without the canonical note on how variants differ"
        if said_new is None:
            return f"{field} has no description in the vendor's document"
        return f"describes {field} in its own words"
    if last in ("examples", "example") or (len(tokens) > 5 and "examples" in tokens[5:]):
        return f"example values of {field}"
    if last == "x-specforge-alias-of" or "x-specforge-alias-of" in tokens[5:]:
        return f"{field} is an alias of {_get(target, [*tokens[:5], 'x-specforge-alias-of'])}"
    if last is not None:
        return f"{field} {last} as the vendor documents it"
    return f"{field} as the vendor documents it"
