"""``providers.toml``: the list of endpoints a nightly run checks. Every mistake is an ``InputError``
naming ``file:line`` and, for misspelt keys or variants, the closest valid name."""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from specforge.core.config import suggest
from specforge.core.errors import InputError

PROVIDERS_FILE = "providers.toml"
DEFAULT_TIMEOUT = 600.0

_TOP_KEYS = {"defaults", "nightly", "providers"}
_PROVIDER_KEYS = {
    "name", "base_url", "variant", "token_env", "budget", "tags", "enabled", "timeout", "spec", "check",
}
_DEFAULT_KEYS = _PROVIDER_KEYS - {"name", "base_url"}
_NIGHTLY_KEYS = {"concurrency", "trend", "unreachable_exit", "project", "isolation"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


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


class _Lines:
    """Approximate line numbers for TOML keys: tomllib does not report positions, so we scan the
    text for table headers and ``key =`` lines. Good enough to point an editor at the right spot."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_.\-\"']+)\s*=")

    def __init__(self, text: str) -> None:
        self.tables: dict[tuple[str, int], int] = {}
        self.keys: dict[tuple[str, int, str], int] = {}
        counters: dict[str, int] = {}
        current: tuple[str, int] = ("", 0)
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header:
                name = header.group(2).strip()
                if header.group(1) == "[[":
                    counters[name] = counters.get(name, -1) + 1
                    current = (name, counters[name])
                else:
                    current = (name, 0)
                self.tables.setdefault(current, number)
                continue
            key = self._KEY.match(line)
            if key:
                self.keys.setdefault((*current, key.group(1).strip("\"'")), number)

    def table(self, name: str, index: int = 0) -> int | None:
        return self.tables.get((name, index))

    def key(self, table: str, index: int, key: str) -> int | None:
        return self.keys.get((table, index, key)) or self.table(table, index)


VariantSource = Iterable[str] | Callable[[Path | None], Iterable[str]] | None


def load_providers(path: str | Path, *, variants: VariantSource = None, project: Path | None = None) -> ProvidersFile:
    """Parse and validate ``path``. ``variants`` are the known variant names (from specforge.toml),
    or a function from the project file (``project``, else ``[nightly] project``) to them; when
    given, a provider's ``variant`` must be one of them."""
    file = Path(path)
    if not file.is_file():
        raise InputError(
            "providers file not found",
            file=str(file),
            hint=f"create {PROVIDERS_FILE} (see docs/nightly.md) or pass --config",
        )
    raw_bytes = file.read_bytes()
    try:
        text = raw_bytes.decode("utf-8")
        raw = tomllib.loads(text)
    except UnicodeDecodeError:
        raise InputError("providers file is not UTF-8 text", file=str(file)) from None
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise InputError(f"invalid TOML: {exc}", file=str(file), line=line, hint="fix the TOML syntax") from None
    lines = _Lines(text)
    loader = _Loader(file, lines, variants)
    return loader.load(raw, raw_bytes, project)


def _toml_error_line(message: str) -> int | None:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else None


class _Loader:
    def __init__(self, file: Path, lines: _Lines, variants: VariantSource) -> None:
        self.file = file
        self.lines = lines
        self._variant_source = variants
        self.variants: set[str] | None = None

    def error(self, message: str, line: int | None, hint: str | None = None) -> InputError:
        return InputError(message, file=str(self.file), line=line, hint=hint)

    def check_keys(self, table: dict[str, Any], allowed: set[str], where: str, name: str, index: int) -> None:
        for key in table:
            if key not in allowed:
                raise self.error(
                    f"unknown key `{key}` in [{where}]{suggest(key, allowed)}",
                    self.lines.key(name, index, key),
                    hint=f"allowed keys: {', '.join(sorted(allowed))}",
                )

    def load(self, raw: dict[str, Any], raw_bytes: bytes, project: Path | None) -> ProvidersFile:
        for key in raw:
            if key not in _TOP_KEYS:
                line = self.lines.table(key) or self.lines.key("", 0, key)
                raise self.error(
                    f"unknown table `{key}`{suggest(key, _TOP_KEYS)}",
                    line,
                    hint="top-level tables: [defaults], [nightly], [[providers]]",
                )
        settings = self.settings(raw.get("nightly", {}))
        if project is None and settings.project is not None:
            project = settings.project
        if callable(self._variant_source):
            self.variants = set(self._variant_source(project)) or None  # none configured: no check
        elif self._variant_source is not None:
            self.variants = set(self._variant_source)
        defaults = raw.get("defaults", {})
        if not isinstance(defaults, dict):
            raise self.error("`defaults` must be a table", self.lines.key("", 0, "defaults"))
        self.check_keys(defaults, _DEFAULT_KEYS, "defaults", "defaults", 0)
        entries = raw.get("providers", [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise self.error(
                "`providers` must be an array of tables", self.lines.key("", 0, "providers"),
                hint="write one [[providers]] table per provider",
            )
        if not entries:
            raise self.error("no providers defined", None, hint="add a [[providers]] table with name and base_url")
        providers: list[Provider] = []
        seen: dict[str, int] = {}
        for index, entry in enumerate(entries):
            provider = self.provider(index, {**defaults, **entry}, entry, project)
            if provider.name in seen:
                raise self.error(
                    f"duplicate provider name `{provider.name}` (first defined in provider #{seen[provider.name] + 1})",
                    self.lines.key("providers", index, "name"),
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

    def settings(self, table: Any) -> NightlySettings:
        if not isinstance(table, dict):
            raise self.error("`nightly` must be a table", self.lines.key("", 0, "nightly"))
        self.check_keys(table, _NIGHTLY_KEYS, "nightly", "nightly", 0)

        def line(key: str) -> int | None:
            return self.lines.key("nightly", 0, key)

        concurrency = table.get("concurrency")
        if concurrency is not None and (not _is_int(concurrency) or concurrency < 1):
            raise self.error("`concurrency` must be an integer >= 1", line("concurrency"))
        trend = table.get("trend", 10)
        if not _is_int(trend) or trend < 1:
            raise self.error("`trend` must be an integer >= 1 (runs shown in the trend chart)", line("trend"))
        unreachable = table.get("unreachable_exit", 3)
        if unreachable not in (0, 3) or isinstance(unreachable, bool):
            raise self.error("`unreachable_exit` must be 0 or 3", line("unreachable_exit"))
        isolation = table.get("isolation", "process")
        if isolation not in ("process", "thread"):
            raise self.error(
                f"`isolation` must be \"process\" or \"thread\", not {isolation!r}{suggest(str(isolation), ['process', 'thread'])}",
                line("isolation"),
            )
        project = table.get("project")
        if project is not None and not isinstance(project, str):
            raise self.error("`project` must be a path string", line("project"))
        return NightlySettings(
            concurrency=concurrency,
            trend=trend,
            unreachable_exit=unreachable,
            project=(self.file.parent / project).resolve() if project else None,
            isolation=isolation,
        )

    def provider(self, index: int, table: dict[str, Any], own: dict[str, Any], project: Path | None) -> Provider:
        where = f"providers #{index + 1}"
        self.check_keys(own, _PROVIDER_KEYS, where, "providers", index)

        def line(key: str) -> int | None:
            return self.lines.key("providers", index, key) if key in own else (
                self.lines.key("defaults", 0, key) if key in table else self.lines.table("providers", index)
            )

        name = table.get("name")
        if name is None:
            raise self.error(f"[{where}] has no `name`", line("name"), hint='add name = "my-provider"')
        if not isinstance(name, str) or not _NAME.match(name):
            raise self.error(
                f"provider name {name!r} is not valid",
                line("name"),
                hint="use 1-64 letters, digits, '.', '_' or '-' (it names report folders)",
            )
        where = f"providers `{name}`"
        base_url = table.get("base_url")
        if base_url is None:
            raise self.error(f"[{where}] has no `base_url`", line("base_url"), hint='add base_url = "https://api.example.com"')
        if not isinstance(base_url, str) or not _valid_url(base_url):
            raise self.error(
                f"[{where}] base_url {base_url!r} is not an http(s) URL",
                line("base_url"),
                hint='write the endpoint root, e.g. "https://api.example.com" (without /v1/videos)',
            )
        variant = table.get("variant")
        if variant is not None:
            if not isinstance(variant, str):
                raise self.error(f"[{where}] `variant` must be a string", line("variant"))
            if self.variants is not None and variant not in self.variants:
                known = ", ".join(sorted(self.variants)) or "none configured"
                raise self.error(
                    f"[{where}] unknown variant `{variant}`{suggest(variant, self.variants)}",
                    line("variant"),
                    hint=f"known variants: {known} (or leave `variant` out to check against the canonical spec)",
                )
        token_env = table.get("token_env")
        if token_env is not None and (not isinstance(token_env, str) or not _ENV.match(token_env)):
            raise self.error(
                f"[{where}] token_env {token_env!r} is not an environment variable name",
                line("token_env"),
                hint="give the NAME of the variable holding the token (e.g. ACME_API_KEY), never the token",
            )
        budget = table.get("budget")
        if budget is not None and (not _is_int(budget) or budget < 0):
            raise self.error(f"[{where}] `budget` must be an integer >= 0 (jobs the check may create)", line("budget"))
        tags = table.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
            raise self.error(f"[{where}] `tags` must be a list of non-empty strings", line("tags"))
        enabled = table.get("enabled", True)
        if not isinstance(enabled, bool):
            raise self.error(f"[{where}] `enabled` must be true or false", line("enabled"))
        timeout = table.get("timeout", DEFAULT_TIMEOUT)
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise self.error(f"[{where}] `timeout` must be a number of seconds > 0", line("timeout"))
        spec = table.get("spec")
        if spec is not None:
            if not isinstance(spec, str):
                raise self.error(f"[{where}] `spec` must be a path string", line("spec"))
            spec_path = (self.file.parent / spec).resolve()
            if not spec_path.is_file():
                raise self.error(f"[{where}] spec file {spec!r} not found", line("spec"), hint="the path is relative to this file")
        check = table.get("check", {})
        if not isinstance(check, dict):
            raise self.error(f"[{where}] `check` must be a table of check options", line("check"))
        self.check_options(check, where, line("check"))
        return Provider(
            name=name,
            base_url=base_url.rstrip("/"),
            variant=variant,
            token_env=token_env,
            budget=budget,
            tags=tuple(dict.fromkeys(tags)),
            enabled=enabled,
            timeout=float(timeout),
            spec=spec_path if spec is not None else None,
            check=dict(check),
            project=project,
        )

    def check_options(self, options: dict[str, Any], where: str, line: int | None) -> None:
        """Extra options are forwarded to ``CheckOptions``; unknown names are caught here, not
        hours later in CI."""
        if not options:
            return
        from specforge.history.adapter import check_option_names

        allowed = check_option_names()
        if allowed is None:
            return
        for key in options:
            if key not in allowed:
                raise self.error(
                    f"[{where}] unknown check option `{key}`{suggest(key, allowed)}",
                    line,
                    hint=f"check options: {', '.join(sorted(allowed))}",
                )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _valid_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def parse_shard(value: str) -> tuple[int, int]:
    """``"I/N"`` -> (I, N) with 1 <= I <= N; ValueError with a readable message otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", value)
    if not match:
        raise ValueError(f"{value!r} is not I/N (e.g. 1/4)")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"{value!r}: the shard index must be between 1 and {max(count, 1)}")
    return index, count
