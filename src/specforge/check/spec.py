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

from specforge.core import Document, InputError, load_document
from specforge.core.config import Config
from specforge.core.refs import bundle, follow_local, iter_refs
from specforge.openapi.operations import (
    HTTP_METHODS,
    base_path,
    creates_job,
    iter_operations,
    job_kind,
    path_pattern,
)
from specforge.openapi.validation import RefGuard
from specforge.openapi.videojob import LIFECYCLE


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
        if not spec.exists():  # a FIFO or device is refused by the guarded reader, by name
            raise InputError("spec file not found", file=str(spec), hint="pass an OpenAPI file to --spec")
        data = _mapping(_self_contained(load_document(spec)), str(spec))
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


def _self_contained(document: Document) -> Any:
    """The spec's data with refs into other files of its folder inlined by core's resolver, so
    schemathesis is handed a document with local refs only; a remote ref or one leaving the
    folder is an InputError at its file:line (schemathesis itself would fetch or open it); an
    ``$anchor`` ref becomes a JSON pointer."""
    if all(site.ref == "#" or site.ref.startswith("#/") for site in iter_refs(document)):
        return document.data
    return bundle(document)


def _mapping(data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, dict) or "paths" not in data:
        raise InputError("not an OpenAPI document (no `paths`)", file=where, hint="check the spec file")
    return data


def _format_checker() -> Any:
    """jsonschema's format checker plus `uri` (absolute, with a scheme), which it lacks without
    optional packages; schemathesis treats a scheme-less string as an invalid `uri`."""
    import jsonschema

    checker = copy.copy(jsonschema.Draft202012Validator.FORMAT_CHECKER)
    checker.checkers = dict(checker.checkers)
    checker.checks("uri")(
        lambda value: (
            not isinstance(value, str) or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S", value) is not None
        )
    )
    return checker


IMPLICIT_ERRORS = "specforge: implicit error responses (the spec documents no 4xx for this operation)"


def with_implicit_errors(document: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A copy of ``document`` where every operation that documents no 4xx response (and no
    ``default``) gets ``4XX``: a spec that documents only its happy path does not promise the
    operation never fails, so 401/404/409 are not "undocumented status codes" there. Operations
    that document some 4xx are held to exactly those. Returns (document, labels changed)."""
    out = copy.deepcopy(document)
    changed = []
    for path, item in (out.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict) or not isinstance(op.get("responses"), dict):
                continue
            keys = [str(k).upper() for k in op["responses"]]
            if "DEFAULT" in keys or "4XX" in keys:
                continue
            if not any(k.startswith("4") for k in keys):
                op["responses"]["4XX"] = {"description": IMPLICIT_ERRORS}
                changed.append(f"{method.upper()} {path}")
                continue
            # documents some client errors: auth failures are still implied by HTTP auth itself
            missing = [status for status in ("401", "403") if status not in keys]
            for status in missing:
                op["responses"][status] = {"description": IMPLICIT_ERRORS}
            if missing:
                changed.append(f"{method.upper()} {path}")
    return out, changed


def with_implied_bodies(document: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A copy of ``document`` where an optional request body that no documented schema allows to
    be empty (each requires a field, such as the OpenAI reference's create body and its
    ``prompt``) is required: a request without it lacks that field, real APIs answer 400 and so
    does specforge's mock, so a body-less request is not "valid data" to send expecting 2xx.
    Returns (document, labels changed)."""
    model = SpecModel.of(document)
    changed: list[tuple[str, str]] = []
    for path, method, op in iter_operations(document):
        body = resolve(document, op.get("requestBody"))
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(content, dict) or not content or body.get("required") is True:
            continue
        schemas = [m.get("schema") if isinstance(m, dict) else None for m in content.values()]
        if all(isinstance(s, dict) and not model.is_valid(s, {}) for s in schemas):
            changed.append((path, method))
    if not changed:
        return document, []
    out = copy.deepcopy(document)
    for path, method in changed:
        op = out["paths"][path][method]
        op["requestBody"] = {**resolve(out, op["requestBody"]), "required": True}
    return out, [f"{method.upper()} {path}" for path, method in changed]


def resolve(document: dict[str, Any], node: Any) -> Any:
    """What ``node`` stands for after its local ``$ref`` chain (core's one lookup); ``{}`` when
    the chain ends at a remote, dangling or cyclic ref (the check then knows nothing of it)."""
    value, _ = follow_local(document, node, "")
    return {} if isinstance(value, dict) and isinstance(value.get("$ref"), str) else value


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
        return creates_job(self.method)


@dataclass
class SpecModel:
    """What the lifecycle scenarios need from a spec."""

    document: dict[str, Any]
    prefix: str
    operations: list[Operation] = field(default_factory=list)
    #: memo of derived facts (job schema, statuses, example values): checks ask on every response
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, document: dict[str, Any]) -> SpecModel:
        ops = [
            Operation(method.upper(), path, op, job_kind(method, path, guess=True))
            for path, method, op in iter_operations(document)
        ]
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
            pattern = path_pattern(op.path)
            # literal segments beat templated ones (/videos/characters over /videos/{id})
            if (pattern.fullmatch(path) or pattern.fullmatch(path.removesuffix("/"))) and (
                best is None or best.path.count("{") > op.path.count("{")
            ):
                best = op
        return best

    # -- schemas -------------------------------------------------------------------------------

    def request_schema(self, op: Operation, media: str | None = None) -> tuple[str | None, dict[str, Any]]:
        """(media type, resolved schema) of the request body: ``media`` if given, else JSON first."""
        body = resolve(self.document, op.data.get("requestBody") or {})
        content = body.get("content") or {} if isinstance(body, dict) else {}
        for candidate in [media] if media in content else self.request_media(op):
            schema = resolve(self.document, (content[candidate] or {}).get("schema") or {})
            return candidate, schema if isinstance(schema, dict) else {}
        return None, {}

    def request_media(self, op: Operation) -> list[str]:
        """Documented request media types, JSON first, then multipart, then the rest."""
        body = resolve(self.document, op.data.get("requestBody") or {})
        content = body.get("content") or {} if isinstance(body, dict) else {}
        return sorted(content, key=lambda m: 0 if "json" in m else 1 if "multipart" in m else 2)

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

    def content_types(self, op: Operation, status: int) -> list[str]:
        responses = op.data.get("responses") or {}
        response = resolve(self.document, responses.get(str(status)) or {})
        return [str(m).lower() for m in ((response or {}).get("content") or {})]

    def example_values(self, name: str) -> list[Any]:
        """Every value documented for job field ``name`` in response examples of the spec."""
        key = ("example_values", name)
        if key not in self._memo:
            self._memo[key] = self._example_values(name)
        values: list[Any] = self._memo[key]
        return values

    def _example_values(self, name: str) -> list[Any]:
        found: list[Any] = []
        for sample in self.response_examples():
            if name in sample:
                found.append(sample[name])
            for item in sample.get("data") or [] if isinstance(sample.get("data"), list) else []:
                if isinstance(item, dict) and name in item:
                    found.append(item[name])
        return found

    def response_examples(self) -> list[dict[str, Any]]:
        """Every object the spec shows as a 2xx response example (``example`` and
        ``examples.*.value`` of each media type), in document order."""
        found: list[dict[str, Any]] = []
        for op in self.operations:
            for key, response in (op.data.get("responses") or {}).items():
                if not str(key).startswith("2"):
                    continue
                for media in ((resolve(self.document, response) or {}).get("content") or {}).values():
                    if not isinstance(media, dict):
                        continue
                    samples = [media.get("example")] + [
                        (e or {}).get("value")
                        for e in (media.get("examples") or {}).values()
                        if isinstance(e, dict)
                    ]
                    found.extend(s for s in samples if isinstance(s, dict))
        return found

    def is_valid(self, schema: dict[str, Any] | None, value: Any) -> bool:
        """Whether ``value`` satisfies ``schema`` (local refs resolved against this document)."""
        if not isinstance(schema, dict):
            return True
        import jsonschema

        root = {**schema, "components": self.document.get("components", {})}
        try:
            validator = jsonschema.Draft202012Validator(
                root, format_checker=_format_checker(), registry=RefGuard(None).registry()
            )
            return bool(validator.is_valid(value))
        except Exception:  # noqa: BLE001 - an unusable schema constrains nothing we can check
            return True

    def requires_auth(self, op: Operation) -> bool:
        """Whether the spec asks for credentials on ``op`` (its own `security`, else the global one;
        an empty requirement object means anonymous access is allowed)."""
        security = op.data.get("security", self.document.get("security"))
        if not isinstance(security, list) or not security:
            return False
        return all(isinstance(req, dict) and req for req in security)

    def documents_status(self, op: Operation, status: int) -> bool:
        responses = op.data.get("responses") or {}
        return any(
            k in responses for k in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default")
        )

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
        if "job_schema" not in self._memo:
            self._memo["job_schema"] = self._job_schema()
        schema: dict[str, Any] | None = self._memo["job_schema"]
        return schema

    def _job_schema(self) -> dict[str, Any] | None:
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
        if "statuses" in self._memo:
            cached: tuple[str, ...] = self._memo["statuses"]
            return cached
        job = self.job_schema()
        enum = [
            v
            for v in self.enum_of(self.property_schema(job, "status") if job else None)
            if isinstance(v, str)
        ]
        self._memo["statuses"] = tuple(enum) if enum else LIFECYCLE
        return tuple(self._memo["statuses"])
