"""The ``[lint]`` table of ``specforge.toml`` and the command-line flags that refine it, resolved
into one immutable ``LintSettings`` (which rules run, at which severity, what fails the run)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specforge.core.config import Config, suggest
from specforge.core.diagnostics import Severity
from specforge.core.errors import InputError
from specforge.lint.registry import REGISTRY, Rule, RuleRegistry
from specforge.openapi.videojob import LIFECYCLE

ALLOWED_KEYS = (
    "enable",
    "disable",
    "severity",
    "fail-on",
    "baseline",
    "reference",
    "lifecycle-states",
    "full-validation-max-bytes",
)

#: Documents up to this size also get openapi-spec-validator's full (slower) validation.
FULL_VALIDATION_MAX_BYTES = 512 * 1024


@dataclass(frozen=True)
class LintSettings:
    """Which rules run and how findings are judged. ``enable`` empty means every rule."""

    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.ERROR
    baseline: Path | None = None
    reference: str = "openai"
    lifecycle_states: tuple[str, ...] = LIFECYCLE
    full_validation_max_bytes: int = FULL_VALIDATION_MAX_BYTES
    registry: RuleRegistry = field(default=REGISTRY, compare=False)

    def rules(self) -> list[Rule]:
        """The rules that run, in registration order."""
        return [r for r in self.registry if self.enabled(r.id)]

    def enabled(self, rule_id: str) -> bool:
        if self.enable and not any(_matches(rule_id, s) for s in self.enable):
            return False
        return not any(_matches(rule_id, s) for s in self.disable)

    def severity_of(self, rule: Rule) -> Severity:
        return self.severity.get(rule.id, rule.severity)


def _matches(rule_id: str, selector: str) -> bool:
    """ruff-style selection: an exact id or a prefix ending at a dash (``SF-EXAMPLE``)."""
    selector = selector.upper()
    return selector in ("ALL", "SF") or rule_id == selector or rule_id.startswith(selector + "-")


_SEVERITIES = [s.value for s in Severity]
_RULE_IDS = {
    "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
    "x-expect": "a list of rule ids",
    "x-fix": 'e.g. ["SF-EXAMPLE", "SF-REF-UNRESOLVED"] (`specforge lint --list-rules` lists them)',
}
#: the ``[lint]`` table of specforge.toml
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "enable": _RULE_IDS,
        "disable": _RULE_IDS,
        "severity": {
            "type": "object",
            "additionalProperties": {
                "type": "string",
                "pattern": f"(?i)^({'|'.join([*_SEVERITIES, 'off'])})$",
                "x-expect": " or ".join(f'"{s}"' for s in [*_SEVERITIES, "off"]),
                "x-fix": 'e.g. severity = { "SF-NO-ERROR-RESPONSE" = "info" }',
            },
        },
        "fail-on": {
            "type": "string",
            "pattern": f"(?i)^({'|'.join(_SEVERITIES)})$",
            "x-expect": " or ".join(f'"{s}"' for s in _SEVERITIES),
        },
        "baseline": {"type": "string", "x-expect": "a path (a string, relative to specforge.toml)"},
        "reference": {"type": "string", "x-expect": "a variant name"},
        "lifecycle-states": {
            "type": "array",
            "items": {"type": "string"},
            "x-expect": "a list of status names",
        },
        "full-validation-max-bytes": {"type": "integer", "minimum": 0},
    },
    "additionalProperties": False,
}
assert set(SCHEMA["properties"]) == set(ALLOWED_KEYS)


def check_selectors(
    selectors: Iterable[str],
    registry: RuleRegistry,
    where: str,
    *,
    file: str | None = None,
    line: int | None = None,
) -> tuple[str, ...]:
    """Reject selectors that match no rule (a typo would silently lint nothing)."""
    out: list[str] = []
    for selector in selectors:
        if not any(_matches(r.id, selector) for r in registry):
            raise InputError(
                f"{where}: unknown rule `{selector}`{suggest(selector.upper(), registry.ids())}",
                hint="`specforge lint --list-rules` lists every rule id",
                file=file,
                line=line,
            )
        out.append(selector.upper())
    return tuple(out)


def load_settings(
    config: Config | None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    fail_on: str | None = None,
    baseline: Path | None = None,
    registry: RuleRegistry = REGISTRY,
) -> LintSettings:
    """``[lint]`` from ``config`` (validated by :data:`SCHEMA`) refined by flags (flags win)."""
    table: dict[str, Any] = config.section("lint", schema=SCHEMA) if config is not None else {}
    file = str(config.file) if config is not None and config.file else None

    def line(*path: str) -> int | None:
        return config.lines.line(("lint", *path)) if config is not None and config.lines else None

    def selectors(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        return check_selectors(
            [value] if isinstance(value, str) else value, registry, f"[lint] {key}", file=file, line=line(key)
        )

    enable = selectors("enable")
    disable = list(selectors("disable"))
    severities: dict[str, Severity] = {}
    for rule_id, value in table.get("severity", {}).items():
        (selector,) = check_selectors(
            [rule_id], registry, "[lint] severity", file=file, line=line("severity", rule_id)
        )
        if value.lower() == "off":
            disable.append(selector)
            continue
        for r in registry:
            if _matches(r.id, selector):
                severities[r.id] = Severity.parse(value)
    if select:
        enable = check_selectors(select, registry, "--select")
    disable.extend(check_selectors(ignore, registry, "--ignore"))
    try:
        fail_level = Severity.parse(fail_on if fail_on is not None else table.get("fail-on", "error"))
    except ValueError as exc:
        raise InputError(f"--fail-on: {exc}") from None
    baseline_path = baseline
    if baseline_path is None and table.get("baseline"):
        root = config.root if config is not None else Path.cwd()
        baseline_path = root / str(table["baseline"])
    states = table.get("lifecycle-states", list(LIFECYCLE))
    max_bytes = table.get("full-validation-max-bytes", FULL_VALIDATION_MAX_BYTES)
    reference = table.get("reference", "openai")
    return LintSettings(
        enable=enable,
        disable=tuple(disable),
        severity=severities,
        fail_on=fail_level,
        baseline=baseline_path,
        reference=reference,
        lifecycle_states=tuple(states),
        full_validation_max_bytes=max_bytes,
        registry=registry,
    )
