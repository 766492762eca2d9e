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

#: The states of the async video job lifecycle (``queued -> in_progress -> completed|failed``).
LIFECYCLE_STATES = ("queued", "in_progress", "completed", "failed")
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
    lifecycle_states: tuple[str, ...] = LIFECYCLE_STATES
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


def check_selectors(selectors: Iterable[str], registry: RuleRegistry, where: str) -> tuple[str, ...]:
    """Reject selectors that match no rule (a typo would silently lint nothing)."""
    out: list[str] = []
    for selector in selectors:
        if not isinstance(selector, str):
            raise InputError(f"{where}: rule ids are strings, not {selector!r}")
        if not any(_matches(r.id, selector) for r in registry):
            raise InputError(
                f"{where}: unknown rule `{selector}`{suggest(selector.upper(), registry.ids())}",
                hint="`specforge lint --list-rules` lists every rule id",
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
    """``[lint]`` from ``config`` refined by command-line flags (flags win)."""
    table: dict[str, Any] = config.section("lint", ALLOWED_KEYS) if config is not None else {}
    where = f"{config.file.name if config and config.file else 'specforge.toml'} [lint]"

    def strings(key: str) -> list[str]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise InputError(f"{where}: `{key}` must be a list of rule ids", hint=f'{key} = ["SF-..."]')
        return value

    enable = check_selectors(strings("enable"), registry, f"{where} enable")
    disable = list(check_selectors(strings("disable"), registry, f"{where} disable"))
    severities: dict[str, Severity] = {}
    raw_severity = table.get("severity", {})
    if not isinstance(raw_severity, dict):
        raise InputError(f"{where}: `severity` must be a table", hint='severity = { "SF-NO-ERROR-RESPONSE" = "info" }')
    for rule_id, value in raw_severity.items():
        (selector,) = check_selectors([rule_id], registry, f"{where} severity")
        if str(value).lower() == "off":
            disable.append(selector)
            continue
        try:
            level = Severity.parse(str(value))
        except ValueError as exc:
            raise InputError(f"{where} severity.{rule_id}: {exc}", hint='use "error", "warning", "info" or "off"') from None
        for r in registry:
            if _matches(r.id, selector):
                severities[r.id] = level
    if select:
        enable = check_selectors(select, registry, "--select")
    disable.extend(check_selectors(ignore, registry, "--ignore"))
    threshold = fail_on if fail_on is not None else table.get("fail-on", "error")
    try:
        fail_level = Severity.parse(str(threshold))
    except ValueError as exc:
        raise InputError(f"{where} fail-on: {exc}") from None
    states = table.get("lifecycle-states", list(LIFECYCLE_STATES))
    if not isinstance(states, list) or not all(isinstance(s, str) for s in states):
        raise InputError(f"{where}: `lifecycle-states` must be a list of strings")
    max_bytes = table.get("full-validation-max-bytes", FULL_VALIDATION_MAX_BYTES)
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes < 0:
        raise InputError(f"{where}: `full-validation-max-bytes` must be a non-negative integer")
    baseline_path = baseline
    if baseline_path is None and table.get("baseline"):
        root = config.root if config is not None else Path.cwd()
        baseline_path = root / str(table["baseline"])
    reference = table.get("reference", "openai")
    if not isinstance(reference, str):
        raise InputError(f"{where}: `reference` must be a variant name")
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
