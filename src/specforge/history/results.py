"""Turn whatever a runner returned (a ``CheckResult``, its ``to_dict()``, or the compact form below)
into a ``RunRecord``. Normalising happens inside the worker so only small plain data crosses the
process boundary.

Compact form::

    {"verdict": "conformant" | "non-conformant" | "error", "spec_name": str, "spec_hash": str,
     "variant": str | None, "creates_used": int, "budget": int | None, "errors": [str],
     "check_run_id": str | None, "report_dir": str | None,
     "checks": [{"check": str, "operation": str, "status": "passed|failed|skipped|error",
                 "failures": [Diagnostic.to_dict(), ...]}],
     "causes": [{"id": str, "check": str, "severity": "blocking|major|minor",
                 "statement": str, "operations": [str], "count": int}],   # optional
     "score": float, "index": float}                                        # optional

Without ``causes`` a run's failures have no recorded severity (``RunRecord.graded``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from specforge.core.diagnostics import Diagnostic, Severity
from specforge.history.model import (
    CHECK_STATUSES,
    CONFORMANT,
    ERROR,
    NON_CONFORMANT,
    SEVERITIES,
    CauseRecord,
    CheckOutcome,
    RunRecord,
    cause_key,
)
from specforge.history.providers import Provider

_VERDICTS = {CONFORMANT, NON_CONFORMANT, ERROR}


def _first(data: Mapping[str, Any], *names: str, default: Any = None) -> Any:
    for name in names:
        if name in data and data[name] is not None:
            return data[name]
    return default


def _diagnostic(value: Any) -> dict[str, Any]:
    if isinstance(value, Diagnostic):
        return value.to_dict()
    if isinstance(value, Mapping) and "code" in value and "message" in value:
        data = dict(value)
        data.setdefault("severity", "error")
        try:
            Severity(data["severity"])
        except ValueError:
            data["severity"] = "error"
        return Diagnostic.from_dict(data).to_dict()
    return Diagnostic(code="check-failure", severity=Severity.ERROR, message=str(value)).to_dict()


def _status(value: Any, failures: list[Any]) -> str:
    text = str(value or "").lower()
    aliases = {
        "pass": "passed",
        "ok": "passed",
        "success": "passed",
        "fail": "failed",
        "failure": "failed",
        "skip": "skipped",
        "errored": "error",
    }
    text = aliases.get(text, text)
    if text in CHECK_STATUSES:
        return text
    return "failed" if failures else "passed"


def _error_text(value: Any) -> str:
    if isinstance(value, Mapping):
        message = _first(value, "message", "error", "detail", default="")
        kind = _first(value, "kind", "type", "code", default="")
        where = _first(value, "operation", "url", default="")
        return " ".join(
            str(p) for p in (f"{kind}:" if kind else "", message, f"({where})" if where else "") if p
        )
    if isinstance(value, Diagnostic):
        return f"{value.code}: {value.message}"
    return str(value)


def _checks(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    if isinstance(data.get("cases"), list) and isinstance(data.get("failures"), list):
        return _checks_from_report(data)
    items = _first(data, "checks", "results", default=[])
    if isinstance(items, Mapping):  # {name: {...}}
        items = [{"check": k, **(v if isinstance(v, Mapping) else {"status": v})} for k, v in items.items()]
    checks = []
    for item in items or []:
        if not isinstance(item, Mapping):
            continue
        failures = list(_first(item, "failures", "diagnostics", "findings", default=[]) or [])
        checks.append(
            {
                "check": str(_first(item, "check", "name", "check_name", default="")),
                "operation": str(_first(item, "operation", "operation_id", "label", "endpoint", default="")),
                "status": _status(_first(item, "status", "outcome", "result"), failures),
                "failures": _dedup([_diagnostic(f) for f in failures]),
            }
        )
    return checks


def _checks_from_report(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per (operation, check) outcomes from a ``CheckResult.to_dict()``: failed when any case
    failed that check (with the findings), passed when some case passed it, else skipped/error."""
    state: dict[tuple[str, str], str] = {}
    rank = {"failed": 3, "passed": 2, "error": 1, "skipped": 0}

    def note(operation: str, check: str, status: str) -> None:
        key = (operation, check)
        if rank[status] > rank.get(state.get(key, ""), -1):
            state[key] = status

    for case in data.get("cases", []):
        operation = str(case.get("operation", ""))
        failed = set(case.get("failed_checks", ()))
        case_status = _status(case.get("status"), [])
        for check in (*case.get("checks", ()), *failed):
            if check in failed:
                note(operation, check, "failed")
            elif case_status in ("passed", "failed"):
                note(operation, check, "passed")
            else:
                note(operation, check, case_status)
    findings: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for failure in data.get("failures", []):
        operation, check = str(failure.get("operation", "")), str(failure.get("check", ""))
        findings.setdefault((operation, check), []).append(_diagnostic(failure.get("diagnostic", failure)))
        state[(operation, check)] = "failed"
    return [
        {
            "check": check,
            "operation": operation,
            "status": status,
            "failures": _dedup(findings.get((operation, check), [])),
        }
        for (operation, check), status in sorted(state.items())
    ]


def _dedup(diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One finding per (code, pointer): the history needs what failed where, not every example
    that showed it (the provider's report has those)."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for d in diagnostics:
        seen.setdefault((d["code"], d.get("pointer") or ""), d)
    return list(seen.values())


def _causes(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The causes of a result (``Cause.to_dict()`` or the compact form), keyed by check and
    signature id; a cause with an unknown severity is left out rather than guessed."""
    causes = []
    for item in data.get("causes") or ():
        if not isinstance(item, Mapping) or item.get("severity") not in SEVERITIES:
            continue
        check = str(_first(item, "check", default=""))
        ident = str(_first(item, "id", default=""))
        key = str(item.get("key") or cause_key(check, ident))
        operations = item.get("operations") or ()
        causes.append(
            {
                "key": key,
                "check": check,
                "severity": item["severity"],
                "statement": str(_first(item, "statement", default="")),
                "operations": [str(o) for o in operations] if isinstance(operations, list | tuple) else [],
                "count": int(_first(item, "count", default=1)),
            }
        )
    return causes


def _percent(data: Mapping[str, Any], name: str) -> float | None:
    summary = data.get("summary")
    value = _first(data, name, default=_first(summary, name) if isinstance(summary, Mapping) else None)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def normalize_result(value: Any) -> dict[str, Any]:
    """The compact, picklable form of a runner's return value."""
    if hasattr(value, "to_dict") and callable(value.to_dict):
        data = value.to_dict()
        report_dir = getattr(value, "report_dir", None)
    elif isinstance(value, Mapping):
        data = dict(value)
        report_dir = data.get("report_dir")
    else:
        raise TypeError(f"runner returned {type(value).__name__}, expected a CheckResult or a mapping")
    spec = data.get("spec") if isinstance(data.get("spec"), Mapping) else {}
    checks = _checks(data)
    errors = [_error_text(e) for e in _first(data, "errors", "infrastructure", default=[]) or []]
    if data.get("aborted"):
        errors.insert(0, f"aborted: {data['aborted']}")
    verdict = str(_first(data, "verdict", default="")).lower()
    if verdict not in _VERDICTS:
        verdict = (
            NON_CONFORMANT
            if any(c["status"] == "failed" for c in checks)
            else (ERROR if errors else CONFORMANT)
        )
    budget = _first(data, "budget")
    creates_used = _first(data, "creates_used", default=0)
    if isinstance(budget, Mapping):  # CheckResult.to_dict(): {"limit", "creates_used", ...}
        creates_used = _first(budget, "creates_used", default=creates_used)
        budget = _first(budget, "limit")
    return {
        "verdict": verdict,
        "spec_name": str(_first(data, "spec_name", default=_first(spec, "name", "title", default=""))),
        "spec_hash": str(_first(data, "spec_hash", default=_first(spec, "hash", "sha256", default=""))),
        "variant": _first(data, "variant", default=_first(spec, "variant")),
        "creates_used": int(creates_used or 0),
        "budget": int(budget) if isinstance(budget, int | float) and not isinstance(budget, bool) else None,
        "errors": errors,
        "check_run_id": _first(data, "check_run_id", "run_id"),
        "report_dir": str(report_dir) if report_dir else None,
        "checks": checks,
        "causes": _causes(data),
        "score": _percent(data, "score"),
        "index": _percent(data, "index"),
    }


def record_from(
    data: Mapping[str, Any] | None,
    *,
    provider: Provider,
    run_id: str,
    batch: str,
    started_at: str,
    finished_at: str,
    duration: float,
    source_hash: str = "",
    shard: str | None = None,
    failure: tuple[str, str] | None = None,
) -> RunRecord:
    """A ``RunRecord`` from a normalised result, or from ``failure`` = (verdict, message) when
    the check never produced one (timeout, crash)."""
    report_dir = provider.report_dir
    report = str(report_dir) if report_dir is not None and report_dir.is_dir() else None
    if data is None:
        verdict, message = failure or (ERROR, "no result")
        return RunRecord(
            run_id=run_id,
            batch=batch,
            provider=provider.name,
            base_url=provider.base_url,
            variant=provider.variant,
            verdict=verdict,
            started_at=started_at,
            finished_at=finished_at,
            duration=duration,
            source_hash=source_hash,
            budget=provider.budget,
            errors=(message,),
            tags=provider.tags,
            report_dir=report,
            shard=shard,
        )
    checks = tuple(
        CheckOutcome(
            check=c["check"],
            operation=c["operation"],
            status=c["status"],
            failures=tuple(Diagnostic.from_dict(f) for f in c["failures"]),
        )
        for c in data.get("checks", [])
    )
    return RunRecord(
        run_id=run_id,
        batch=batch,
        provider=provider.name,
        base_url=provider.base_url,
        variant=data.get("variant") if data.get("variant") is not None else provider.variant,
        verdict=data["verdict"],
        started_at=started_at,
        finished_at=finished_at,
        duration=duration,
        spec_name=data.get("spec_name", ""),
        spec_hash=data.get("spec_hash", ""),
        source_hash=source_hash,
        creates_used=int(data.get("creates_used", 0)),
        budget=data.get("budget") if data.get("budget") is not None else provider.budget,
        checks=checks,
        errors=tuple(data.get("errors", ())),
        tags=provider.tags,
        report_dir=data.get("report_dir") or report,
        check_run_id=data.get("check_run_id"),
        shard=shard,
        causes=tuple(
            CauseRecord(
                key=c["key"],
                check=c["check"],
                severity=c["severity"],
                statement=c.get("statement", ""),
                operations=tuple(c.get("operations", ())),
                count=int(c.get("count", 1)),
            )
            for c in data.get("causes", [])
        ),
        score=data.get("score"),
        index=data.get("index"),
    )
