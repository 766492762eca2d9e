"""``providers.toml``: the list of endpoints a nightly run checks, validated by JSON Schema
(``core.tomlconf``). Every mistake is an ``InputError`` naming ``file:line`` and a fix and, for
misspelt keys or variants, the closest valid name."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from specforge.core.errors import InputError
from specforge.core.guard import inside
from specforge.core.tomlconf import NAME_FIX, NAME_PATTERN, TomlLines, load_toml, suggest, validate
from specforge.history.model import FAIL_ON_LEVELS

PROVIDERS_FILE = "providers.toml"
DEFAULT_TIMEOUT = 600.0

_ENV = r"^[A-Za-z_][A-Za-z0-9_]*$"


@dataclass(frozen=True)
class Provider:
    """One endpoint to check. ``variant`` None means the canonical spec ("is it OpenAI-compatible
    as specforge defines it?"). ``report_dir`` is filled in by the nightly runner."""

    name: str
    base_url: str
    variant: str | None = None
    token_env: str | None = None
    budget: int | None = None
    tags: tuple[str, ...] = ()
    enabled: bool = True
    timeout: float = DEFAULT_TIMEOUT
    spec: Path | None = None
    check: dict[str, Any] = field(default_factory=dict, compare=False)
    project: Path | None = None
    report_dir: Path | None = None

    def with_report_dir(self, directory: Path) -> Provider:
        return replace(self, report_dir=directory)


@dataclass(frozen=True)
class NightlySettings:
    """The optional ``[nightly]`` table; command-line flags override it."""

    concurrency: int | None = None
    trend: int = 10
    unreachable_exit: int = 3
    fail_on: str = "blocking"
    project: Path | None = None
    isolation: str = "process"


@dataclass(frozen=True)
class ProvidersFile:
    path: Path
    providers: tuple[Provider, ...]
    settings: NightlySettings
    sha256: str

    def select(self, *, only: Sequence[str] = (), shard: tuple[int, int] | None = None) -> list[Provider]:
        """Enabled providers carrying any tag in ``only`` (all when empty), then the ``shard``
        (index 1..N, count N) share: round-robin over the names sorted, so every provider lands in
        exactly one shard and shards differ in size by at most one."""
        chosen = [p for p in self.providers if p.enabled and (not only or set(only) & set(p.tags))]
        chosen.sort(key=lambda p: p.name)
        if shard is not None:
            index, count = shard
            chosen = chosen[index - 1 :: count]
        return chosen

    def tags(self) -> set[str]:
        return {tag for p in self.providers for tag in p.tags}


VariantSource = Iterable[str] | Callable[[Path | None], Iterable[str]] | None

_PROVIDER_SCHEMA: dict[str, Any] = {
    "name": {"type": "string", "pattern": NAME_PATTERN, "x-expect": "a provider name", "x-fix": NAME_FIX},
    "base_url": {
        "type": "string",
        "format": "http-url",
        "x-fix": 'write the endpoint root, e.g. "https://api.example.com" (without /v1/videos)',
    },
    "variant": {"type": "string", "x-expect": "a variant name"},
    "token_env": {
        "type": "string",
        "pattern": _ENV,
        "x-expect": "an environment variable name",
        "x-fix": "give the NAME of the variable holding the token (e.g. ACME_API_KEY), never the token",
    },
    "budget": {"type": "integer", "minimum": 0, "x-expect": "an integer >= 0 (jobs the check may create)"},
    "tags": {
        "type": "array",
        "items": {"type": "string", "minLength": 1},
        "x-expect": "a list of non-empty strings",
    },
    "enabled": {"type": "boolean"},
    "timeout": {
        "type": "number",
        "format": "finite",
        "exclusiveMinimum": 0,
        "x-expect": "a number of seconds > 0",
    },
    "spec": {"type": "string", "x-expect": "a path (a string, relative to this file)"},
    "check": {"type": "object"},
}
_NIGHTLY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "concurrency": {"type": "integer", "minimum": 1},
        "trend": {
            "type": "integer",
            "minimum": 1,
            "x-expect": "an integer >= 1 (runs shown in the trend chart)",
        },
        "unreachable_exit": {"enum": [0, 3]},
        "fail_on": {"enum": list(FAIL_ON_LEVELS)},
        "project": {"type": "string", "x-expect": "a path (a string, relative to this file)"},
        "isolation": {"enum": ["process", "thread"]},
    },
    "additionalProperties": False,
}


def schema(check_options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON Schema of providers.toml; ``check_options`` is the schema of a ``check = {...}``
    table (``specforge.check.model.options_schema``), when the check package is there."""
    provider = dict(_PROVIDER_SCHEMA)
    if check_options is not None:
        provider["check"] = dict(check_options)
    defaults = {k: v for k, v in provider.items() if k not in ("name", "base_url")}
    return {
        "type": "object",
        "properties": {
            "defaults": {"type": "object", "properties": defaults, "additionalProperties": False},
            "nightly": _NIGHTLY_SCHEMA,
            "providers": {
                "type": "array",
                "x-expect": "an array of tables",
                "x-fix": "write one [[providers]] table per provider",
                "items": {
                    "type": "object",
                    "properties": provider,
                    "required": ["name", "base_url"],
                    "x-fix-required": {
                        "name": 'add name = "my-provider"',
                        "base_url": 'add base_url = "https://api.example.com"',
                    },
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
    }


def load_providers(
    path: str | Path, *, variants: VariantSource = None, project: Path | None = None
) -> ProvidersFile:
    """Parse and validate ``path`` (JSON Schema: :func:`schema`, then names, variants and spec
    files). ``variants`` are the known variant names (from specforge.toml), or a function from
    the project file (``project``, else ``[nightly] project``) to them; when given, a provider's
    ``variant`` must be one of them."""
    file = Path(path)
    if not file.is_file():
        raise InputError(
            "providers file not found",
            file=str(file),
            hint=f"create {PROVIDERS_FILE} (see docs/nightly.md) or pass --config",
        )
    raw, lines, raw_bytes = load_toml(file, PROVIDERS_FILE)
    from specforge.history.adapter import check_options_schema

    validate(raw, schema(check_options_schema()), file=str(file), lines=lines)
    return _Loader(file, lines, variants).load(raw, raw_bytes, project)


class _Loader:
    """What a schema cannot say: unique names, known variants, spec files inside the folder."""

    def __init__(self, file: Path, lines: TomlLines, variants: VariantSource) -> None:
        self.file = file
        self.lines = lines
        self._variant_source = variants
        self.variants: set[str] | None = None

    def error(self, message: str, line: int | None, hint: str | None = None) -> InputError:
        return InputError(message, file=str(self.file), line=line, hint=hint)

    def load(self, raw: dict[str, Any], raw_bytes: bytes, project: Path | None) -> ProvidersFile:
        settings = self.settings(raw.get("nightly", {}))
        if project is None and settings.project is not None:
            project = settings.project
        if callable(self._variant_source):
            self.variants = set(self._variant_source(project)) or None  # none configured: no check
        elif self._variant_source is not None:
            self.variants = set(self._variant_source)
        defaults = raw.get("defaults", {})
        entries = raw.get("providers", [])
        if not entries:
            raise self.error(
                "no providers defined", None, hint="add a [[providers]] table with name and base_url"
            )
        providers: list[Provider] = []
        seen: dict[str, int] = {}
        for index, entry in enumerate(entries):
            provider = self.provider(index, {**defaults, **entry}, entry, project)
            if provider.name in seen:
                raise self.error(
                    f"duplicate provider name `{provider.name}` (first defined in provider #{seen[provider.name] + 1})",
                    self.lines.line(("providers", index, "name")),
                    hint="provider names must be unique: they key the history",
                )
            seen[provider.name] = index
            providers.append(provider)
        return ProvidersFile(
            path=self.file,
            providers=tuple(providers),
            settings=settings,
            sha256=hashlib.sha256(raw_bytes).hexdigest(),
        )

    def settings(self, table: dict[str, Any]) -> NightlySettings:
        project = table.get("project")
        return NightlySettings(
            concurrency=table.get("concurrency"),
            trend=table.get("trend", 10),
            unreachable_exit=table.get("unreachable_exit", 3),
            fail_on=table.get("fail_on", "blocking"),
            project=(self.file.parent / project).resolve() if project else None,
            isolation=table.get("isolation", "process"),
        )

    def provider(
        self, index: int, table: dict[str, Any], own: dict[str, Any], project: Path | None
    ) -> Provider:
        def line(key: str) -> int | None:
            return self.lines.line(("providers", index, key) if key in own else ("defaults", key))

        name = table["name"]
        where = f"providers `{name}`"
        variant = table.get("variant")
        if variant is not None and self.variants is not None and variant not in self.variants:
            known = ", ".join(sorted(self.variants)) or "none configured"
            raise self.error(
                f"[{where}] unknown variant `{variant}`{suggest(variant, self.variants)}",
                line("variant"),
                hint=f"known variants: {known} (or leave `variant` out to check against the canonical spec)",
            )
        spec = table.get("spec")
        spec_path = None
        if spec is not None:
            spec_path = (self.file.parent / spec).resolve()
            if not inside(spec_path, self.file.parent) and not (
                project and inside(spec_path, project.parent)
            ):
                raise self.error(
                    f"[{where}] spec {spec!r} escapes the project folder ({self.file.parent})",
                    line("spec"),
                    hint="copy the spec next to providers.toml (or into the project) and name it by a relative path",
                )
            if not spec_path.is_file():
                raise self.error(
                    f"[{where}] spec file {spec!r} not found",
                    line("spec"),
                    hint="the path is relative to this file",
                )
        tags = table.get("tags", [])
        return Provider(
            name=name,
            base_url=table["base_url"].rstrip("/"),
            variant=variant,
            token_env=table.get("token_env"),
            budget=table.get("budget"),
            tags=tuple(dict.fromkeys(tags)),
            enabled=table.get("enabled", True),
            timeout=float(table.get("timeout", DEFAULT_TIMEOUT)),
            spec=spec_path,
            check=dict(table.get("check", {})),
            project=project,
        )


def parse_shard(value: str) -> tuple[int, int]:
    """``"I/N"`` -> (I, N) with 1 <= I <= N; ValueError with a readable message otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", value)
    if not match:
        raise ValueError(f"{value!r} is not I/N (e.g. 1/4)")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"{value!r}: the shard index must be between 1 and {max(count, 1)}")
    return index, count
