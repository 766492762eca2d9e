"""How much of what a page states an ingested source recovered, measured against the page's
expected-facts file (``tests/fixtures/pages/README.md`` describes the format). Used by the corpus
test and ``benchmarks/ingest_corpus.py``, and by anyone holding their own pages with facts files:
``specforge ingest PAGE --out DIR`` then ``score_source(DIR/<stem>.yaml data, facts, page text)``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from specforge.core.refs import resolve_local
from specforge.openapi.operations import HTTP_METHODS


def _key(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path.rstrip("/") or "/")


def _prefix(document: dict[str, Any]) -> str:
    servers = document.get("servers")
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        url = str(servers[0].get("url", ""))
        path = re.sub(r"^[a-z]+://[^/]+", "", url) if "://" in url else url
        return path.rstrip("/")
    return ""


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(METHOD, template key of the full path) -> operation; the server's path prefix included."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return out
    prefix = _prefix(document)
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method, op in item.items():
            if method in HTTP_METHODS and isinstance(op, dict):
                out[(method.upper(), _key(prefix + str(path)))] = op
                out.setdefault((method.upper(), _key(str(path))), op)
    return out


def _deref(document: dict[str, Any], node: Any, depth: int = 0) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < 20:
        found = resolve_local(document, node["$ref"])
        node = found[0] if found else None
        depth += 1
    return node


def _types(document: dict[str, Any], schema: Any) -> set[str] | None:
    """The page-level types a property schema says (``file`` for a binary string), None when unstated."""
    schema = _deref(document, schema)
    if not isinstance(schema, dict):
        return None
    if schema.get("x-specforge-type") == "unstated":
        return None
    out: set[str] = set()
    for key in ("oneOf", "anyOf"):
        for option in schema.get(key) or []:
            found = _types(document, option)
            if found:
                out |= found
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else []
    for k in kinds:
        if k == "null":
            continue
        if k == "string" and (schema.get("format") == "binary" or "contentMediaType" in schema):
            out.add("file")
        else:
            out.add(k)
    return out or None


def request_fields(document: dict[str, Any], op: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Body property name -> its schema under each media type of the operation's request body."""
    out: dict[str, list[dict[str, Any]]] = {}
    body = _deref(document, op.get("requestBody"))
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict):
        return out
    for media in content.values():
        schema = _deref(document, media.get("schema") if isinstance(media, dict) else None)
        if not isinstance(schema, dict):
            continue
        parts = [schema, *[_deref(document, s) for s in schema.get("allOf") or []]]
        for part in parts:
            props = part.get("properties") if isinstance(part, dict) else None
            if isinstance(props, dict):
                for name, prop in props.items():
                    resolved = _deref(document, prop)
                    if isinstance(resolved, dict):
                        out.setdefault(str(name), []).append(resolved)
    return out


def _walk_status(document: dict[str, Any], node: Any, found: set[str], depth: int = 0) -> None:
    node = _deref(document, node)
    if depth > 30:
        return
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            status = _deref(document, props.get("status"))
            if isinstance(status, dict):
                found.update(str(v) for v in status.get("enum") or [] if isinstance(v, str))
        for key, value in node.items():
            if (
                key in ("value", "example")
                and isinstance(value, dict)
                and isinstance(value.get("status"), str)
            ):
                found.add(value["status"])
            if key != "$ref":
                _walk_status(document, value, found, depth + 1)
    elif isinstance(node, list):
        for value in node:
            _walk_status(document, value, found, depth + 1)


def status_values(document: dict[str, Any]) -> set[str]:
    """Every status value a source records: the status facts list, ``status`` enums, examples."""
    found: set[str] = set()
    for entry in document.get("x-specforge-status-values") or []:
        if isinstance(entry, dict) and isinstance(entry.get("value"), str):
            found.add(entry["value"])
    _walk_status(document, document, found)
    for entry in document.get("x-specforge-examples") or []:
        if isinstance(entry, dict) and isinstance(entry.get("value"), dict):
            status = entry["value"].get("status")
            if isinstance(status, str):
                found.add(status)
    return found


@dataclass
class PageScore:
    page: str
    create_found: bool
    expected_fields: int
    found_fields: int
    matched: int
    typed: int
    typed_right: int
    enums: int
    enums_exact: int
    invented: list[str] = field(default_factory=list)
    missing_fields: list[str] = field(default_factory=list)
    wrong_types: list[str] = field(default_factory=list)
    wrong_enums: list[str] = field(default_factory=list)
    missing_statuses: list[str] = field(default_factory=list)
    missing_routes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected_fields if self.expected_fields else 1.0

    @property
    def precision(self) -> float:
        return (
            self.matched / self.found_fields
            if self.found_fields
            else (1.0 if not self.expected_fields else 0.0)
        )

    @property
    def type_accuracy(self) -> float:
        return self.typed_right / self.typed if self.typed else 1.0

    @property
    def passed(self) -> bool:
        return (
            self.create_found
            and self.recall >= 0.9
            and self.type_accuracy >= 0.9
            and self.enums_exact == self.enums
            and not self.invented
            and not self.missing_statuses
            and not self.missing_routes
        )


def _same_values(found: list[Any], wanted: list[Any]) -> bool:
    key = lambda v: (type(v).__name__, str(v))  # noqa: E731
    return sorted(map(key, found)) == sorted(map(key, wanted))


def score_source(document: dict[str, Any], facts: dict[str, Any], page_text: str) -> PageScore:
    """Compare one ingested source with the page's expected facts."""
    ops = operations(document)
    create = facts["create"]
    op = ops.get((create["method"].upper(), _key(create["path"])))
    found = request_fields(document, op) if op is not None else {}
    wanted: dict[str, Any] = facts.get("fields") or {}
    score = PageScore(facts.get("page", "?"), op is not None, len(wanted), len(found), 0, 0, 0, 0, 0)
    for name, schemas in found.items():
        if name not in wanted:
            if name not in page_text:
                score.invented.append(name)
            continue
        score.matched += 1
        fact = wanted[name]
        if fact.get("type") is not None:
            score.typed += 1
            expected_types = set(fact["type"] if isinstance(fact["type"], list) else [fact["type"]])
            got: set[str] = set()
            for schema in schemas:
                got |= _types(document, schema) or set()
            binary = fact.get("format") == "binary" and expected_types == {"string"}
            if got == expected_types or (binary and got == {"file"}):
                score.typed_right += 1
            else:
                score.wrong_types.append(f"{name}: {sorted(got)} != {sorted(expected_types)}")
        enums: list[list[Any]] = [s["enum"] for s in schemas if isinstance(s.get("enum"), list)]
        if fact.get("enum") is not None:
            score.enums += 1
            if enums and all(_same_values(e, fact["enum"]) for e in enums):
                score.enums_exact += 1
            else:
                score.wrong_enums.append(f"{name}: {enums} != {fact['enum']}")
        elif enums:
            score.enums += 1
            score.wrong_enums.append(f"{name}: {enums} listed, the page lists none")
        for values in enums:
            for value in values:
                if str(value) not in page_text:
                    score.invented.append(f"{name}={value}")
    score.missing_fields = sorted(set(wanted) - set(found))
    statuses = status_values(document)
    want_status = [*facts["status_values"].get("listed", []), *facts["status_values"].get("examples", [])]
    score.missing_statuses = sorted({s for s in want_status if s not in statuses})
    for route in facts.get("other_routes") or []:
        if (route["method"].upper(), _key(route["path"])) not in ops:
            score.missing_routes.append(f"{route['method']} {route['path']}")
    return score
