"""Build the canonical document from the variants' normalized sources.

The preferred variant's operation is the skeleton of each operation kind; request/response media
types, status codes and parameters other variants add are kept and annotated with the variants that
document them. Schemas are merged by component name (normalize gives every document the same names
for the same role), property by property: the policy picks each property's shape, properties only
some variants document are optional and list their variants, and descriptions say how variants
differ. Every disagreement becomes a :class:`Conflict`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from specforge.core import pointer as jp
from specforge.merge.fields import field_info
from specforge.merge.policy import Policy
from specforge.normalize import body_role, role_name
from specforge.openapi.operations import (
    HTTP_METHODS,
    iter_operations,
    kind_sort_key,
    operation_kind,
    template,
)
from specforge.openapi.schemas import media_class, reachable_schemas

VARIANTS_KEY = "x-specforge-variants"
_REF = "#/components/schemas/"

#: operationIds by kind: the official names, fixed so generated clients never see churn
STABLE_OPERATION_IDS: dict[str, str] = {
    "create": "createVideo",
    "list": "ListVideos",
    "retrieve": "GetVideo",
    "delete": "DeleteVideo",
    "content": "RetrieveVideoContent",
    "remix": "CreateVideoRemix",
    "edit": "CreateVideoEdit",
    "extend": "CreateVideoExtend",
    "create_character": "CreateVideoCharacter",
    "retrieve_character": "GetVideoCharacter",
}


def operation_id(kind: str) -> str:
    """The canonical operationId of a kind (``get_videos_x_thumbnail`` -> ``getVideosXThumbnail``)."""
    if kind in STABLE_OPERATION_IDS:
        return STABLE_OPERATION_IDS[kind]
    head, *rest = kind.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass
class Conflict:
    """One place where variants document different shapes, and what the policy chose."""

    pointer: str  # into the canonical document
    subject: str  # "CreateVideoJsonBody.seconds", "required: CreateVideoJsonBody.model", ...
    shapes: dict[str, str]  # variant -> its shape, for the variants that document it
    missing: tuple[str, ...]  # variants that have the schema but not this field
    chosen: str
    winner: str
    rule: str
    sites: tuple[tuple[str, str], ...] = ()  # (operation kind, body key) the schema serves
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "pointer": self.pointer,
            "subject": self.subject,
            "shapes": dict(self.shapes),
            "missing": list(self.missing),
            "chosen": self.chosen,
            "winner": self.winner,
            "rule": self.rule,
            "sites": [list(s) for s in self.sites],
        }


@dataclass
class Built:
    canonical: dict[str, Any]
    conflicts: list[Conflict] = field(default_factory=list)
    #: kind -> variants documenting it (config order)
    support: dict[str, list[str]] = field(default_factory=dict)
    #: fields left out by min-variants: (schema, field) -> variants
    omitted: dict[tuple[str, str], list[str]] = field(default_factory=dict)


def _body_key(direction: str, status: str | None, media_type: str) -> str | None:
    media = media_class(media_type)
    if direction == "request":
        return f"request {media}"
    if status and status.startswith("2") and media == "json":
        return "response json"
    if status and (status[:1] in ("4", "5") or status == "default") and media == "json":
        return "response error"
    return None


def _schema_name(schema: Any) -> str | None:
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and schema["$ref"].startswith(_REF):
        rest = schema["$ref"][len(_REF) :]
        return jp.unescape(rest) if "/" not in rest else None
    return None


def _role_contributions(doc: dict[str, Any]) -> dict[str, tuple[Any, list[tuple[str, str]]]]:
    """role component name -> (the schema this document uses there, its sites)."""
    out: dict[str, tuple[Any, list[tuple[str, str]]]] = {}
    schemas = (doc.get("components") or {}).get("schemas") or {}
    for path, method, operation in iter_operations(doc):
        kind = operation_kind(method, path)
        for direction, status, content in _contents(operation):
            for media_type, media in content.items():
                role = body_role(kind, direction, status, str(media_type))
                name = role_name(role) if role else None
                key = _body_key(direction, status, str(media_type))
                if (
                    not name
                    or not key
                    or not isinstance(media, dict)
                    or not isinstance(media.get("schema"), dict)
                ):
                    continue
                ref = _schema_name(media["schema"])
                schema = schemas.get(ref) if ref else media["schema"]
                if schema is None:
                    continue
                if name not in out:
                    out[name] = (schema, [])
                if (kind, key) not in out[name][1]:
                    out[name][1].append((kind, key))
    return out


def _contents(operation: dict[str, Any]) -> list[tuple[str, str | None, dict[str, Any]]]:
    out: list[tuple[str, str | None, dict[str, Any]]] = []
    body = operation.get("requestBody")
    if isinstance(body, dict) and isinstance(body.get("content"), dict):
        out.append(("request", None, body["content"]))
    responses = operation.get("responses")
    if isinstance(responses, dict):
        for status, response in responses.items():
            if isinstance(response, dict) and isinstance(response.get("content"), dict):
                out.append(("response", str(status), response["content"]))
    return out


def _is_object(schema: Any) -> bool:
    return (
        isinstance(schema, dict)
        and (isinstance(schema.get("properties"), dict) or schema.get("type") == "object")
        and "$ref" not in schema
    )


def _group(shapes: dict[str, str]) -> str:
    """ "openai, hingnet-sora: object; hingnet-veo: array of URLs" (variants with one shape together)."""
    groups: dict[str, list[str]] = {}
    for variant, shape in shapes.items():
        groups.setdefault(shape, []).append(variant)
    return "; ".join(f"{', '.join(names)}: {shape}" for shape, names in groups.items())


def _note(shapes: dict[str, str], missing: list[str], winner: str, differing: bool) -> str:
    parts: list[str] = []
    if differing:
        parts.append(f"Variants differ — {_group(shapes)}. The canonical shape is {winner}'s.")
    elif missing:
        parts.append(f"Only {', '.join(shapes)} document this field.")
    if missing and differing:
        parts.append(f"Not documented by {', '.join(missing)}.")
    return " ".join(parts)


def _with_note(value: dict[str, Any], note: str) -> dict[str, Any]:
    if not note:
        return value
    text = value.get("description")
    value["description"] = f"{text.rstrip()}\n\n{note}" if isinstance(text, str) and text.strip() else note
    return value


class _Builder:
    def __init__(self, sources: dict[str, dict[str, Any]], policy: Policy) -> None:
        self.sources = sources
        self.policy = policy
        self.variants = [v for v in policy.variants if v in sources] or list(sources)
        self.order = [v for v in policy.order() if v in sources] or list(sources)
        self.result = Built(canonical={})
        self.sites: dict[str, list[tuple[str, str]]] = {}
        self.schema_names: set[str] = set()

    # -- schemas ---------------------------------------------------------------------------

    def contributions(self) -> dict[str, dict[str, Any]]:
        """schema name -> {variant: schema} (config order)."""
        names: dict[str, dict[str, Any]] = {}
        roles = {v: _role_contributions(self.sources[v]) for v in self.variants}
        for variant in self.variants:
            for name, (schema, sites) in roles[variant].items():
                names.setdefault(name, {})[variant] = schema
                for site in sites:
                    if site not in self.sites.setdefault(name, []):
                        self.sites[name].append(site)
        for variant in self.variants:
            schemas = (self.sources[variant].get("components") or {}).get("schemas") or {}
            for name, schema in schemas.items():
                names.setdefault(name, {}).setdefault(variant, schema)
        return {name: {v: by[v] for v in self.variants if v in by} for name, by in names.items()}

    def merge_schema(self, name: str, contributions: dict[str, Any]) -> dict[str, Any] | Any:
        base_variant = next(v for v in self.order if v in contributions)
        base = contributions[base_variant]
        pointer = jp.join("components", "schemas", name)
        if not all(_is_object(s) for s in contributions.values()):
            return self.merge_whole(name, contributions, pointer)
        out = {k: copy.deepcopy(v) for k, v in base.items() if k not in ("properties", "required")}
        order: list[str] = []
        for variant in [base_variant, *[v for v in self.order if v != base_variant]]:
            schema = contributions.get(variant)
            if schema is None:
                continue
            for prop in schema.get("properties") or {}:
                if prop not in order:
                    order.append(prop)
        properties: dict[str, Any] = {}
        everyone = list(contributions)
        for prop in order:
            documented = {
                v: s["properties"][prop]
                for v, s in contributions.items()
                if prop in (s.get("properties") or {})
            }
            if len(documented) < self.policy.min_variants:
                self.result.omitted[(name, prop)] = list(documented)
                continue
            infos = {v: field_info(prop, documented[v], self.sources[v]) for v in documented}
            signatures = _stated({v: info.signature for v, info in infos.items()}, infos)
            winner, rule = self.policy.choose(signatures)
            value = copy.deepcopy(documented[winner])
            if not isinstance(value, dict):
                properties[prop] = value
                continue
            missing = [v for v in everyone if v not in documented]
            differing = len(set(signatures.values())) > 1
            shapes = {v: infos[v].with_prose_bounds().describe() for v in documented}
            prop_pointer = jp.child(f"{pointer}/properties", prop)
            if differing:
                self.result.conflicts.append(
                    Conflict(
                        pointer=prop_pointer,
                        subject=f"{name}.{prop}",
                        shapes=shapes,
                        missing=tuple(missing),
                        chosen=infos[winner].describe(),
                        winner=winner,
                        rule=rule,
                        sites=tuple(self.sites.get(name, ())),
                        field=prop,
                    )
                )
            if missing:
                value[VARIANTS_KEY] = list(documented)
            properties[prop] = _with_note(value, _note(shapes, missing, winner, differing))
        if properties or "properties" in base:
            out["properties"] = properties
        required = self.merge_required(name, contributions, properties, pointer)
        if required or "required" in base:
            out["required"] = required
        # keep the base's key order: properties/required where the base had them
        ordered = {}
        for key in base:
            if key in out:
                ordered[key] = out[key]
        ordered.update({k: v for k, v in out.items() if k not in ordered})
        return ordered

    def merge_required(
        self, name: str, contributions: dict[str, Any], properties: dict[str, Any], pointer: str
    ) -> list[str]:
        required_by = {
            v: set(s.get("required") or []) if isinstance(s.get("required"), list) else set()
            for v, s in contributions.items()
        }
        out: list[str] = []
        for prop in properties:
            documented = [v for v, s in contributions.items() if prop in (s.get("properties") or {})]
            flags = {v: prop in required_by[v] for v in documented}
            winner, rule = self.policy.choose({v: flags[v] for v in documented})
            everyone = len(documented) == len(contributions)
            if flags[winner] and everyone:
                out.append(prop)
            if len(set(flags.values())) > 1:
                shapes = {v: "required" if flags[v] else "optional" for v in documented}
                chosen = "required" if flags[winner] and everyone else "optional"
                self.result.conflicts.append(
                    Conflict(
                        pointer=f"{pointer}/required",
                        subject=f"{name}.{prop} (required?)",
                        shapes=shapes,
                        missing=tuple(v for v in contributions if v not in documented),
                        chosen=chosen,
                        winner=winner,
                        rule=rule,
                        sites=tuple(self.sites.get(name, ())),
                        field=prop,
                    )
                )
        return out

    def merge_whole(self, name: str, contributions: dict[str, Any], pointer: str) -> Any:
        infos = {v: field_info(name, s, self.sources[v]) for v, s in contributions.items()}
        signatures = _stated({v: info.signature for v, info in infos.items()}, infos)
        winner, rule = self.policy.choose(signatures)
        value = copy.deepcopy(contributions[winner])
        if len(set(signatures.values())) > 1:
            shapes = {v: info.describe() for v, info in infos.items()}
            self.result.conflicts.append(
                Conflict(
                    pointer=pointer,
                    subject=name,
                    shapes=shapes,
                    missing=(),
                    chosen=infos[winner].describe(),
                    winner=winner,
                    rule=rule,
                    sites=tuple(self.sites.get(name, ())),
                )
            )
            if isinstance(value, dict):
                value = _with_note(value, _note(shapes, [], winner, True))
        return value

    # -- operations ------------------------------------------------------------------------

    def operations(self) -> dict[str, dict[str, tuple[str, str, dict[str, Any]]]]:
        kinds: dict[str, dict[str, tuple[str, str, dict[str, Any]]]] = {}
        for variant in self.variants:
            for path, method, operation in iter_operations(self.sources[variant]):
                kind = operation_kind(method, path)
                kinds.setdefault(kind, {}).setdefault(variant, (path, method, operation))
        return {k: kinds[k] for k in sorted(kinds, key=kind_sort_key)}

    def merge_operation(
        self, kind: str, documented: dict[str, tuple[str, str, dict[str, Any]]]
    ) -> dict[str, Any]:
        winner = next(v for v in self.order if v in documented)
        _, method, base = documented[winner]
        operation = copy.deepcopy(base)
        operation["operationId"] = operation_id(kind)
        precedence = [v for v in self.order if v in documented]
        everyone = list(documented)
        # parameters: union by (in, name)
        params: dict[tuple[str, str], tuple[Any, list[str]]] = {}
        for variant in precedence:
            for parameter in documented[variant][2].get("parameters") or []:
                if isinstance(parameter, dict) and "name" in parameter:
                    key = (str(parameter.get("in")), str(parameter["name"]))
                    if key not in params:
                        params[key] = (copy.deepcopy(parameter), [])
                    params[key][1].append(variant)
        if params or "parameters" in operation:
            merged_params = []
            for parameter, who in params.values():
                if len(who) < len(everyone) and parameter.get("in") != "path":
                    parameter[VARIANTS_KEY] = [v for v in everyone if v in who]
                merged_params.append(parameter)
            operation["parameters"] = merged_params
        # request body media types
        bodies: dict[str, dict[str, Any]] = {
            v: documented[v][2]["requestBody"]
            for v in precedence
            if isinstance(documented[v][2].get("requestBody"), dict)
        }
        with_body = [v for v in everyone if v in bodies]
        if with_body:
            first = next(v for v in precedence if v in with_body)
            body = copy.deepcopy(bodies[first])
            body["content"] = self.merge_content(
                kind,
                "request",
                None,
                {v: bodies[v].get("content") or {} for v in precedence if v in with_body},
            )
            if len(with_body) < len(everyone):
                body[VARIANTS_KEY] = with_body
            operation["requestBody"] = body
        # responses
        statuses: dict[str, list[str]] = {}
        for variant in precedence:
            for status in documented[variant][2].get("responses") or {}:
                statuses.setdefault(str(status), []).append(variant)
        responses: dict[str, Any] = {}
        for status in sorted(statuses, key=lambda s: (s == "default", s)):
            who = statuses[status]
            first_response = copy.deepcopy(documented[who[0]][2]["responses"][status])
            if isinstance(first_response, dict) and "$ref" not in first_response:
                contents = {
                    v: (documented[v][2]["responses"][status] or {}).get("content") or {}
                    for v in who
                    if isinstance(documented[v][2]["responses"][status], dict)
                }
                if any(contents.values()):
                    first_response["content"] = self.merge_content(kind, "response", status, contents)
                if len(who) < len(everyone):
                    first_response[VARIANTS_KEY] = [v for v in everyone if v in who]
            responses[status] = first_response
        operation["responses"] = responses
        operation[VARIANTS_KEY] = everyone
        ordered = {k: operation[k] for k in base if k in operation}
        ordered.update({k: v for k, v in operation.items() if k not in ordered})
        return ordered

    def merge_content(
        self, kind: str, direction: str, status: str | None, contents: dict[str, dict[str, Any]]
    ) -> dict[str, Any]:
        media_types: dict[str, list[str]] = {}
        for variant, content in contents.items():
            for media_type in content:
                media_types.setdefault(str(media_type), []).append(variant)
        everyone = [v for v in self.variants if v in contents]
        out: dict[str, Any] = {}
        for media_type, who in media_types.items():
            media = copy.deepcopy(contents[who[0]][media_type])
            if not isinstance(media, dict):
                out[media_type] = media
                continue
            role = body_role(kind, direction, status, media_type)
            name = role_name(role) if role else None
            if name and name in self.schema_names and "schema" in media:
                media["schema"] = {"$ref": _REF + jp.escape(name)}
            if len(who) < len(everyone):
                media[VARIANTS_KEY] = [v for v in self.variants if v in who]
            out[media_type] = media
        return out

    # -- the document ----------------------------------------------------------------------

    def build(self) -> Built:
        base_variant = self.order[0]
        base = self.sources[base_variant]
        canonical: dict[str, Any] = {"openapi": "3.1.0"}
        info = base.get("info") or {}
        described = ", ".join(self.variants)
        canonical["info"] = {
            "title": self.policy.title,
            "version": self.policy.version or str(info.get("version", "0.0.0")),
            "description": self.policy.description
            or (
                "Canonical OpenAPI description of the OpenAI-compatible video generation API, merged by "
                f"`specforge merge` from the variants {described}. Each operation lists the variants that "
                "document it in `x-specforge-variants`; fields only some variants document are optional "
                "and list theirs; descriptions say how variants differ. Each variant's exact shape is "
                "this document plus its overlay (specs/overlays/<variant>.overlay.yaml). Merge policy: "
                f"{self.policy.describe()}."
            ),
        }
        if isinstance(info.get("license"), dict):
            canonical["info"]["license"] = copy.deepcopy(info["license"])
        if self.policy.server:
            canonical["servers"] = [{"url": self.policy.server}]
        elif base.get("servers"):
            canonical["servers"] = copy.deepcopy(base["servers"])
        security_source = next((v for v in self.order if self.sources[v].get("security")), None)
        if security_source:
            canonical["security"] = copy.deepcopy(self.sources[security_source]["security"])
        if base.get("tags"):
            canonical["tags"] = copy.deepcopy(base["tags"])
        contributions = self.contributions()
        self.schema_names = set(contributions)
        paths: dict[str, dict[str, Any]] = {}
        templates: dict[str, str] = {}
        for kind, documented in self.operations().items():
            self.result.support[kind] = list(documented)
            winner = next(v for v in self.order if v in documented)
            path, method, _ = documented[winner]
            key = templates.setdefault(template(path), path)
            operation = self.merge_operation(kind, documented)
            if key != path:
                _rename_path_parameters(operation, path, key)
            paths.setdefault(key, {})[method] = operation
        canonical["paths"] = {p: {m: item[m] for m in HTTP_METHODS if m in item} for p, item in paths.items()}
        schemas = {name: self.merge_schema(name, by) for name, by in sorted(contributions.items())}
        components: dict[str, Any] = {"schemas": schemas}
        for section in (
            "responses",
            "parameters",
            "examples",
            "requestBodies",
            "headers",
            "links",
            "callbacks",
        ):
            table: dict[str, Any] = {}
            for variant in self.order:
                for name, value in (
                    (self.sources[variant].get("components") or {}).get(section) or {}
                ).items():
                    table.setdefault(name, copy.deepcopy(value))
            if table:
                components[section] = dict(sorted(table.items()))
        schemes: dict[str, Any] = {}
        used = _security_names(canonical)
        for variant in self.order:
            for name, value in (
                (self.sources[variant].get("components") or {}).get("securitySchemes") or {}
            ).items():
                if name in used:
                    schemes.setdefault(name, copy.deepcopy(value))
        if schemes:
            components["securitySchemes"] = dict(sorted(schemes.items()))
        canonical["components"] = components
        _prune_schemas(canonical)
        self.result.canonical = canonical
        return self.result


def _stated(signatures: dict[str, Any], infos: dict[str, Any]) -> dict[str, Any]:
    """Signatures of the variants that state a type: a field documented without one ("type
    unstated", shape ``any``) neither conflicts with nor wins over a stated shape."""
    stated = {v: s for v, s in signatures.items() if infos[v].shape != "any"}
    return stated or signatures


def _security_names(document: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    requirements = list(document.get("security") or [])
    for _, _, operation in iter_operations(document):
        requirements.extend(operation.get("security") or [])
    for requirement in requirements:
        if isinstance(requirement, dict):
            names.update(requirement)
    return names


_PARAM = re.compile(r"\{([^}/]*)\}")


def _rename_path_parameters(operation: dict[str, Any], path: str, key: str) -> None:
    renames = dict(zip(_PARAM.findall(path), _PARAM.findall(key), strict=False))
    for parameter in operation.get("parameters") or []:
        if isinstance(parameter, dict) and parameter.get("in") == "path" and parameter.get("name") in renames:
            parameter["name"] = renames[parameter["name"]]


def _prune_schemas(canonical: dict[str, Any]) -> None:
    """Drop schemas nothing in the canonical refers to (a vendor's leftovers stay in its overlay)."""
    schemas = canonical["components"]["schemas"]
    roots = {k: v for k, v in canonical.items() if k != "components"}
    roots["components"] = {k: v for k, v in canonical["components"].items() if k != "schemas"}
    reachable = reachable_schemas(roots, schemas)
    canonical["components"]["schemas"] = {k: v for k, v in schemas.items() if k in reachable}


def build_canonical(sources: dict[str, dict[str, Any]], policy: Policy) -> Built:
    """The canonical document for normalized ``sources`` (variant -> document) under ``policy``."""
    return _Builder(sources, policy).build()
