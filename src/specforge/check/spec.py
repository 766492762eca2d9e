"""Which spec a check runs against, and what the check needs to know about it: the base path,
which operation creates jobs, retrieves them, downloads content, and the job/error schemas.
Pure functions over the OpenAPI document; no network, no schemathesis."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from specforge.core import InputError, load_document
from specforge.core.config import Config

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: the lifecycle specforge defines; a spec's own status enum extends it
LIFECYCLE = ("queued", "in_progress", "completed", "failed")


@dataclass(frozen=True)
class LoadedSpec:
    name: str
    data: dict[str, Any]
    sha256: str
    path: Path | None = None
    variant: str | None = None


def spec_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def load_spec(
    *,
    spec: Path | None = None,
    variant: str | None = None,
    spec_data: dict[str, Any] | None = None,
    spec_name: str | None = None,
    config: Config | None = None,
) -> LoadedSpec:
    """``--spec FILE``, ``--variant NAME`` (canonical + overlay) or the canonical spec."""
    if sum(x is not None for x in (spec, variant, spec_data)) > 1:
        raise InputError("give only one of --spec, --variant or a spec document", hint="drop one of them")
    if spec_data is not None:
        data = copy.deepcopy(spec_data)
        return LoadedSpec(spec_name or variant or "spec", data, spec_hash(data), variant=variant)
    if spec is not None:
        if not spec.is_file():
            raise InputError("spec file not found", file=str(spec), hint="pass an OpenAPI file to --spec")
        data = _mapping(load_document(spec).data, str(spec))
        return LoadedSpec(spec_name or spec.stem, data, spec_hash(data), path=spec)
    if config is None:
        from specforge.core import load_config

        config = load_config()
    if variant is not None:
        config.variant(variant)  # unknown names fail with a suggestion
        try:
            from specforge.overlay import load_variant
        except ImportError:
            raise InputError(
                f"cannot build variant `{variant}`: the overlay engine is not installed",
                hint="pass the variant's spec file with --spec",
            ) from None
        data = _mapping(load_variant(config, variant), variant)
        return LoadedSpec(spec_name or variant, data, spec_hash(data), variant=variant)
    canonical = config.canonical
    if not canonical.is_file():
        raise InputError(
            "no spec to check against: the canonical spec does not exist",
            file=str(canonical),
            hint="run `specforge merge`, or pass --spec FILE or --variant NAME",
        )
    data = _mapping(load_document(canonical).data, str(canonical))
    return LoadedSpec(spec_name or "canonical", data, spec_hash(data), path=canonical)


def _mapping(data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, dict) or "paths" not in data:
        raise InputError("not an OpenAPI document (no `paths`)", file=where, hint="check the spec file")
    return data


def resolve(document: dict[str, Any], node: Any, depth: int = 0) -> Any:
    """Follow local ``$ref`` chains (only ``#/...``)."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < 32:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return {}
        target: Any = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                return {}
            target = target[part]
        node = target
        depth += 1
    return node


def base_path(document: dict[str, Any]) -> str:
    """Path prefix from the first server URL ("/v1" for ``https://api.openai.com/v1``)."""
    servers = document.get("servers") or []
    if servers and isinstance(servers[0], dict):
        path = urlsplit(str(servers[0].get("url", ""))).path
        return path.rstrip("/")
    return ""


@dataclass
class Operation:
    method: str  # upper case
    path: str  # as in the spec (without the server prefix)
    data: dict[str, Any]
    kind: str  # create, remix, retrieve, content, list, delete, other

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def creates_job(self) -> bool:
        return self.method not in ("GET", "HEAD", "OPTIONS", "DELETE", "TRACE")


def _kind(method: str, path: str) -> str:
    template = re.sub(r"\{[^}]+\}", "{}", path.rstrip("/"))
    if method == "POST" and template.endswith("/remix"):
        return "remix"
    if method == "GET" and template.endswith("/content"):
        return "content"
    if method == "POST" and not template.endswith("}"):
        parts = template.rsplit("/", 1)[-1]
        if parts in ("videos", "video", "generations", "create", "tasks", "jobs", "submit") or template.count("/") <= 2:
            return "create"
    if method == "GET" and template.endswith("{}"):
        return "retrieve"
    if method == "GET":
        return "list"
    if method == "DELETE":
        return "delete"
    return "other"


@dataclass
class SpecModel:
    """What the lifecycle scenarios need from a spec."""

    document: dict[str, Any]
    prefix: str
    operations: list[Operation] = field(default_factory=list)

    @classmethod
    def of(cls, document: dict[str, Any]) -> SpecModel:
        ops = []
        for path, item in (document.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            for method in METHODS:
                op = item.get(method)
                if isinstance(op, dict):
                    ops.append(Operation(method.upper(), path, op, _kind(method.upper(), path)))
        create = [o for o in ops if o.kind == "create"]
        # prefer the shortest create path (POST /videos over POST /videos/characters)
        create.sort(key=lambda o: len(o.path))
        for extra in create[1:]:
            extra.kind = "other"
        return cls(document, base_path(document), ops)

    def find(self, kind: str) -> Operation | None:
        for op in self.operations:
            if op.kind == kind:
                return op
        return None

    def operation_for(self, method: str, url_path: str) -> Operation | None:
        """The operation a concrete request path belongs to (prefix stripped, templates matched)."""
        path = url_path
        if self.prefix and path.startswith(self.prefix):
            path = path[len(self.prefix) :] or "/"
        best: Operation | None = None
        for op in self.operations:
            if op.method != method.upper():
                continue
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(op.path)) + "/?$"
            # literal segments beat templated ones (/videos/characters over /videos/{id})
            if re.match(pattern, path) and (best is None or best.path.count("{") > op.path.count("{")):
                best = op
        return best

    # -- schemas -------------------------------------------------------------------------------

    def request_schema(self, op: Operation) -> tuple[str | None, dict[str, Any]]:
        """(media type, resolved schema) of the request body, JSON preferred."""
        body = resolve(self.document, op.data.get("requestBody") or {})
        content = body.get("content") or {} if isinstance(body, dict) else {}
        for media in sorted(content, key=lambda m: (0 if "json" in m else 1 if "multipart" in m else 2)):
            schema = resolve(self.document, (content[media] or {}).get("schema") or {})
            return media, schema if isinstance(schema, dict) else {}
        return None, {}

    def response_schema(self, op: Operation, status: int) -> dict[str, Any] | None:
        responses = op.data.get("responses") or {}
        for key in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default"):
            if key in responses:
                response = resolve(self.document, responses[key])
                content = (response or {}).get("content") or {}
                for media, item in content.items():
                    if "json" in media:
                        schema = resolve(self.document, (item or {}).get("schema") or {})
                        return schema if isinstance(schema, dict) else {}
                return None
        return None

    def documents_status(self, op: Operation, status: int) -> bool:
        responses = op.data.get("responses") or {}
        return any(k in responses for k in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default"))

    def property_schema(self, schema: dict[str, Any], name: str) -> dict[str, Any] | None:
        """Schema of property ``name`` (looking through allOf/anyOf/oneOf)."""
        schema = resolve(self.document, schema)
        if not isinstance(schema, dict):
            return None
        props = schema.get("properties") or {}
        if name in props:
            found = resolve(self.document, props[name])
            return found if isinstance(found, dict) else None
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in schema.get(key) or []:
                found = self.property_schema(sub, name)
                if found is not None:
                    return found
        return None

    def enum_of(self, schema: dict[str, Any] | None) -> list[Any]:
        """Values of an enum, looking through anyOf/oneOf alternatives."""
        if not isinstance(schema, dict):
            return []
        schema = resolve(self.document, schema)
        values: list[Any] = list(schema.get("enum") or [])
        if "const" in schema:
            values.append(schema["const"])
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key) or []:
                values.extend(v for v in self.enum_of(sub) if v not in values)
        return values

    def types_of(self, schema: dict[str, Any] | None) -> set[str]:
        if not isinstance(schema, dict):
            return set()
        schema = resolve(self.document, schema)
        found: set[str] = set()
        declared = schema.get("type")
        if isinstance(declared, str):
            found.add(declared)
        elif isinstance(declared, list):
            found.update(str(t) for t in declared)
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key) or []:
                found |= self.types_of(sub)
        return found

    def job_schema(self) -> dict[str, Any] | None:
        for kind in ("retrieve", "create"):
            op = self.find(kind)
            if op is not None:
                for status in (200, 201, 202):
                    schema = self.response_schema(op, status)
                    if schema:
                        return schema
        return None

    def statuses(self) -> tuple[str, ...]:
        """Legal job statuses: the spec's status enum when it has one, else the lifecycle."""
        job = self.job_schema()
        enum = [v for v in self.enum_of(self.property_schema(job, "status") if job else None) if isinstance(v, str)]
        return tuple(enum) if enum else LIFECYCLE
