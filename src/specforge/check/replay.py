"""Offline re-validation of a recorded cassette against any spec (no requests, no cost), and
variant fingerprinting: which known variant's documentation explains an endpoint best."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from specforge.check import checks as sc
from specforge.check.events import EventStream, Finished, Handler
from specforge.check.judge import EngineCase, Judge, exchange_of, failure_of, settle
from specforge.check.model import CheckOptions, CheckResult
from specforge.check.registry import Exchange, Finding, Step, run_scenario_check
from specforge.check.spec import LoadedSpec, SpecModel, load_spec, with_implicit_errors
from specforge.core.cassette import body_bytes, read_cassette
from specforge.openapi.videojob import is_milliseconds

#: answers that say "there is no such operation here"
_NOT_SERVED = frozenset({404, 405, 501})


def not_offered(spec: SpecModel) -> list[tuple[str, str, Any]]:
    """(method, path, path regex) of every route the spec says is not offered
    (``x-specforge-not-offered``: ``{"operation": "GET /v1/videos"}`` entries, from the vendor's
    prose), so a replay can hold the endpoint to their absence."""
    from specforge.openapi.operations import path_pattern

    out = []
    for entry in spec.document.get("x-specforge-not-offered") or []:
        text = entry.get("operation") if isinstance(entry, dict) else entry
        if isinstance(text, str) and " " in text.strip():
            method, path = text.strip().split(" ", 1)
            out.append((method.upper(), path.strip(), path_pattern(path.strip())))
    return out


def _not_offered_case(
    routes: list[tuple[str, str, Any]], spec: SpecModel, method: str, path: str
) -> str | None:
    """The label of the not-offered route a request hit, if any (with or without the prefix)."""
    bare = path[len(spec.prefix) :] if spec.prefix and path.startswith(spec.prefix) else path
    for verb, template, pattern in routes:
        if verb == method and any(pattern.fullmatch(p.removesuffix("/") or "/") for p in (path, bare)):
            return f"{verb} {template}"
    return None


def to_response(entry: dict[str, Any]) -> requests.Response:
    """A ``requests.Response`` (with its request) rebuilt from a cassette entry."""
    req = entry["request"]
    prepared = requests.Request(
        method=req["method"], url=req["url"], headers=req.get("headers") or {}
    ).prepare()
    prepared.body = body_bytes(req) or None
    data = entry["response"]
    response = requests.Response()
    response.status_code = int(data["status"])
    response.headers.update(data.get("headers") or {})
    response._content = body_bytes(data)
    response.url = req["url"]
    response.request = prepared
    response.encoding = "utf-8"
    import datetime as dt

    response.elapsed = dt.timedelta(seconds=float(data.get("elapsed") or 0.0))
    return response


def _request_json(entry: dict[str, Any]) -> Any:
    req = entry["request"]
    ctype = str((req.get("headers") or {}).get("Content-Type", ""))
    if "json" not in ctype:
        return None
    try:
        return json.loads(body_bytes(req))
    except (ValueError, UnicodeDecodeError):
        return None


def replay(
    entries: list[dict[str, Any]],
    loaded: LoadedSpec,
    *,
    base_url: str | None = None,
    strict_statuses: bool = False,
    run_id: str | None = None,
) -> CheckResult:
    """Validate recorded exchanges against ``loaded`` with schemathesis' response checks and
    specforge's checks (per response, per job sequence, content)."""
    from specforge.check import engine
    from specforge.check.redact import Redactor
    from specforge.check.runner import CheckRun, new_run_id
    from specforge.check.transport import Budget, Cassette, Gate

    first = next((e for e in entries), None)
    origin = base_url
    if origin is None and first is not None:
        parts = urlsplit(first["request"]["url"])
        origin = f"{parts.scheme}://{parts.netloc}"
    origin = origin or "http://replay.invalid"
    options = CheckOptions(
        base_url=origin,
        spec_data=loaded.data,
        spec_name=loaded.name,
        strict_statuses=strict_statuses,
        run_id=run_id or new_run_id(),
        phases=(),
    )
    redactor = Redactor(None)
    gate = Gate(budget=Budget(0), cassette=Cassette(None, redactor), redactor=redactor, no_create=True)
    run = CheckRun(options, loaded, gate, redactor)
    run.result.mode = "replay"
    run.result.variant = loaded.variant
    run.result.budget = 0
    spec = run.spec
    schema = engine.load_schema(run.document, origin, spec=spec)
    judge = Judge(spec, lambda response, body: engine.validate(schema, response, red=redactor, body=body))
    polls: dict[str, list[dict[str, Any]]] = defaultdict(list)
    observed_jobs: list[dict[str, Any]] = []
    absent_routes = not_offered(spec)
    for entry in entries:
        seq = entry.get("seq", "?")
        req = entry["request"]
        method = str(req["method"]).upper()
        path = urlsplit(req["url"]).path
        op = spec.operation_for(method, path)
        label = op.label if op else f"{method} {path}"
        case = EngineCase(
            id=f"replay-{seq}",
            operation=label,
            phase="replay",
            method=method,
            url=req["url"],
            cassette=[seq] if isinstance(seq, int) else [],
        )
        if entry.get("response") is None:
            case.error = (
                f"recorded without a response: {(entry.get('error') or {}).get('message', 'network error')}"
            )
            case.error_kind = (entry.get("error") or {}).get("kind", "network_error")
            run.add_case(case)
            continue
        data = entry["response"]
        case.status_code = int(data["status"])
        case.response_excerpt = redactor.excerpt(body_bytes(data))
        if op is None:
            route = _not_offered_case(absent_routes, spec, method, path) if absent_routes else None
            if route is not None and case.status_code < 500:
                # the spec says this route does not exist: a 2xx contradicts it, 404/405/501 confirm
                case.operation = route
                if 200 <= case.status_code < 300 or case.status_code in _NOT_SERVED:
                    answer = exchange_of(
                        spec, None, method, req["url"], case.status_code, data.get("headers") or {}, b""
                    )
                    found = run_scenario_check(sc.ABSENT, Step(spec, answer))
                    case.failures.extend(failure_of(f) for f in found)
                    case.passed.extend(() if found else (sc.ABSENT,))
                    run.add_case(case)
            continue  # otherwise not an operation of this spec: nothing it documents to hold it to
        if data.get("truncated"):
            case.error, case.error_kind = "body truncated in the cassette: not validated", "budget"
            run.add_case(case)
            continue
        response = to_response(entry)
        body = _request_json(entry)
        findings: list[Finding] = []
        sent_media = str((req.get("headers") or {}).get("Content-Type", "")).split(";")[0].strip().lower()
        documented_media = [m.lower() for m in spec.request_media(op)]
        if sent_media and documented_media and sent_media not in documented_media:
            # a request in a media type this spec does not document: the spec says nothing about
            # the answer, except that it must not be a server error
            if case.status_code >= 500:
                findings.append(
                    Finding(
                        "not_a_server_error",
                        f"HTTP {case.status_code}",
                        "",
                        "a non-5xx response",
                        f"HTTP {case.status_code}",
                    )
                )
            else:
                case.passed.append("not_a_server_error")
        elif served := run_scenario_check(
            sc.SERVED,
            Step(
                spec,
                exchange_of(
                    spec,
                    op,
                    method,
                    req["url"],
                    case.status_code,
                    response.headers,
                    response.content or b"",
                    body,
                ),
            ),
        ):
            findings.extend(served)
        else:
            case.passed.append(sc.SERVED)
            exchange = judge.judge(
                case, op, method, req["url"], response, body, credit_failed_conformance=False
            )
            if op.kind in ("retrieve", "create") and case.status_code < 300:
                job = exchange.json()
                if isinstance(job, dict) and isinstance(job.get("id"), str):
                    polls[job["id"]].append(job)
            if op.kind == "content" and case.status_code == 200:
                findings.extend(run_scenario_check(sc.CONTENT_IS_MP4, Step(spec, exchange)))
            if (
                isinstance(body, dict)
                and op.creates_job
                and case.status_code not in (401, 403, 404, 409, 415, 429)
                and case.status_code < 500
            ):
                findings.extend(_request_findings(spec, op, sent_media, exchange))
            if case.status_code < 300 and isinstance(exchange.json(), dict):
                observed_jobs.append(exchange.json())
        case.failures.extend(failure_of(f) for f in findings)
        run.add_case(settle(case))
    for job_id, observed in polls.items():
        if len(observed) < 2:
            continue
        from specforge.check.lifecycle import sequence_findings

        findings = sequence_findings(spec, observed)
        retrieve = spec.find("retrieve")
        case = EngineCase(
            id=f"replay-lifecycle-{job_id}",
            operation=retrieve.label if retrieve else "lifecycle",
            phase="replay",
            response_excerpt=json.dumps([o.get("status") for o in observed]),
        )
        case.failures.extend(failure_of(f) for f in findings)
        case.passed = sorted({sc.LIFECYCLE_TRANSITIONS, sc.PROGRESS_MONOTONIC} - {f.check for f in findings})
        run.add_case(case)
    run.finish()
    run.result.tool_versions["example_affinity"] = f"{example_affinity(spec, observed_jobs):.4f}"
    return run.result


def _request_findings(spec: SpecModel, op: Any, media: str, exchange: Exchange) -> list[Finding]:
    """Replay knows what was sent: a request valid per this spec must not be refused (4xx), an
    invalid one must not create a job (2xx), judged by the scenario checks a live run uses."""
    _, schema = spec.request_schema(op, media or None)
    if not schema:
        return []
    valid = spec.is_valid(schema, exchange.request_body)
    if valid and 400 <= exchange.status < 500:
        return run_scenario_check(sc.VALID_ACCEPTED, Step(spec, exchange, sent=exchange.request_body))
    if not valid and 200 <= exchange.status < 300:
        step = Step(
            spec, exchange, label="a create request invalid per this spec", sent=exchange.request_body
        )
        return run_scenario_check(sc.INVALID_REJECTED, step)
    return []


def _signature(value: dict[str, Any]) -> set[tuple[str, str]]:
    def kind(v: Any) -> str:
        if v is None:
            return "null"
        if isinstance(v, bool):
            return "boolean"
        if isinstance(v, int):
            return "integer-ms" if is_milliseconds(v) else "integer"
        return type(v).__name__

    return {(k, kind(v)) for k, v in value.items()}


def example_affinity(spec: SpecModel, observed: list[dict[str, Any]]) -> float:
    """How much the observed job objects look like the spec's own response examples (field names
    and JSON types, Jaccard, best example per object, averaged): the tie-break between variants
    whose schemas are equally satisfied."""
    examples = [_signature(s) for s in spec.response_examples() if "status" in s]
    if not examples or not observed:
        return 0.0
    total = 0.0
    for job in observed:
        sig = _signature(job)
        total += max(len(sig & ex) / max(1, len(sig | ex)) for ex in examples)
    return total / len(observed)


def replay_check(
    cassette: Path,
    *,
    variant: str | None = None,
    spec: Path | None = None,
    config: Any = None,
    strict_statuses: bool = False,
    handlers: tuple[Handler, ...] = (),
) -> CheckResult:
    """``specforge check --replay CASSETTE``: the cassette against a variant, a spec file or the
    canonical spec; ``handlers`` get the run's ``Finished`` event (e.g. a report writer)."""
    entries = read_cassette(cassette)
    loaded = load_spec(spec=spec, variant=variant, config=config)
    result = replay(entries, loaded, strict_statuses=strict_statuses)
    result.cassette = str(cassette)
    EventStream(handlers).emit(Finished(result))
    return result


# -- fingerprint --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """How well one variant's documentation explains the recorded behaviour."""

    variant: str
    #: distinct defects: causes (check x response signature), so one defect seen on every
    #: operation that shares a schema counts once, however many of them this variant documents
    violations: int
    failed_exchanges: int
    explained: int  # exchanges that hit an operation this variant documents
    checks: int
    affinity: float = 0.0  # resemblance of observed jobs to this variant's own examples (0..1)

    @property
    def density(self) -> float:
        """Violations per 1,000 checks this variant's documentation made possible: a variant that
        documents little cannot win by having had little to violate (a relay in front of the
        openai mock breaks some of openai's many checks, yet it is still openai)."""
        return 1000.0 * self.violations / max(1, self.checks)

    @classmethod
    def of(cls, variant: str, result: CheckResult) -> Match:
        """What a replay of the observed exchanges against ``variant``'s spec says."""
        from specforge.check.model import CaseStatus

        cases = [c for c in result.cases if c.status in (CaseStatus.PASSED, CaseStatus.FAILED)]
        return cls(
            variant=variant,
            violations=len(result.causes),
            failed_exchanges=sum(1 for c in cases if c.status is CaseStatus.FAILED),
            explained=len(cases),
            checks=sum(len(c.checks) for c in cases),
            affinity=float(result.tool_versions.get("example_affinity", "0")),
        )

    def rank_key(self) -> tuple[float, int, float, str]:
        """Fewest violations per check, then the variant documenting more of what was observed,
        then the one whose own examples the observed jobs resemble, then the name."""
        return (round(self.density, 3), -self.explained, -round(self.affinity, 4), self.variant)

    def why(self) -> str:
        """One line a person can check: what the ranking read."""
        return (
            f"{self.violations} violation(s) in {self.checks} checks ({self.density:.1f} per 1,000) over "
            f"{self.explained} documented exchanges, example affinity {self.affinity:.2f}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "variant": self.variant,
            "violations": self.violations,
            "failed_exchanges": self.failed_exchanges,
            "explained": self.explained,
            "checks": self.checks,
            "violations_per_1000_checks": round(self.density, 3),
            "affinity": round(self.affinity, 4),
            "why": self.why(),
        }


def fingerprint(entries: list[dict[str, Any]], config: Any, variants: list[str] | None = None) -> list[Match]:
    """Rank variants by violations (causes) per check (fewest first, so how much each documents counts);
    ties go to the variant documenting more of what was observed, then to the one whose own
    response examples the observed jobs resemble most, then by name (``Match.rank_key``)."""
    names = variants or list(config.variants)
    matches = []
    for name in names:
        result = replay(entries, load_spec(variant=name, config=config))
        matches.append(Match.of(name, result))
    matches.sort(key=Match.rank_key)
    return matches


def fingerprint_live(
    options: CheckOptions, config: Any, variants: list[str] | None = None, report_dir: Path | None = None
) -> tuple[CheckResult, list[Match]]:
    """One live run (canonical spec unless the options say otherwise), then offline replays of its
    cassette against every variant."""
    from specforge.check.runner import run_check

    result = run_check(options, report_dir=report_dir)
    return result, fingerprint(result.exchanges, config, variants)


__all__ = [
    "Match",
    "fingerprint",
    "fingerprint_live",
    "read_cassette",
    "replay",
    "replay_check",
    "to_response",
    "with_implicit_errors",
]
