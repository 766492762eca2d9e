"""specforge's own scenarios, run before schemathesis' phases so the first (often the only)
budgeted create goes to the most informative test:

- auth: missing and wrong token on a non-creating operation -> 401/403, documented error shape;
- lifecycle: create -> poll (Retry-After, interval with backoff, job timeout) -> terminal state,
  legal statuses and transitions, progress, round-trip of request fields, MP4 content;
- invalid input: bad seconds/size/input_reference, missing prompt -> 4xx (each costs budget).

Every request goes through the run's Gate session; every response is also validated with
schemathesis' response checks (through ``validate``) and specforge's response checks.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from specforge.check import checks as sc
from specforge.check.judge import EngineCase, EngineFailure, Judge, exchange_of, failure_of, settle
from specforge.check.registry import Exchange, Finding, Step, run_scenario_check
from specforge.check.spec import Operation, SpecModel, resolve
from specforge.check.transport import BudgetExhausted, Gate, Issue, classify, retry_after
from specforge.openapi.videojob import TERMINAL_FAILED, TERMINAL_OK, stage
from specforge.openapi.videojob import job_id as job_id_of

PROMPT = "specforge conformance probe: a red ball bouncing on a wooden floor"
WRONG_TOKEN = "sk-specforge-wrong-token-0000"


@dataclass
class Scenario:
    """Shared state for the scenarios of one run."""

    spec: SpecModel
    gate: Gate
    base_url: str  # API base including the spec's path prefix
    token: str | None
    validate: Callable[[requests.Response, Any], list[EngineFailure]]
    poll_interval: float = 2.0
    job_timeout: float = 600.0
    request_timeout: float = 30.0
    cases: list[EngineCase] = field(default_factory=list)
    jobs: list[dict[str, Any]] = field(default_factory=list)
    on_case: Callable[[EngineCase], None] | None = None
    #: set when the run is interrupted: polling stops at once (the trace so far is kept)
    stop: threading.Event = field(default_factory=threading.Event)
    session: requests.Session = field(init=False)
    judge: Judge = field(init=False)
    #: the answer to the last create sent (what a negotiation reads the blamed fields from)
    last_answer: Exchange | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.session = self.gate.session()
        self.judge = Judge(self.spec, self.validate)

    # -- plumbing ------------------------------------------------------------------------------

    def url(self, op: Operation, **params: str) -> str:
        path = op.path
        for name, value in params.items():
            path = path.replace("{" + name + "}", value)
        return self.base_url.rstrip("/") + path

    def headers(self, token: str | None = "default") -> dict[str, str]:
        value = self.token if token == "default" else token
        return {"Authorization": f"Bearer {value}"} if value else {}

    def send(
        self,
        phase: str,
        op: Operation,
        method: str,
        url: str,
        *,
        token: str | None = "default",
        body: Any = None,
        media: str | None = None,
        validate: bool = True,
    ) -> tuple[EngineCase, requests.Response | None]:
        case = EngineCase(
            id=uuid.uuid4().hex[:10],
            operation=op.label,
            phase=phase,
            method=method,
            url=self.gate.redactor.text(url),
        )
        kwargs: dict[str, Any] = {"headers": self.headers(token), "timeout": self.request_timeout}
        if body is not None:
            if media and "multipart" in media:
                kwargs["files"] = {
                    k: (None, v if isinstance(v, str) else json.dumps(v)) for k, v in body.items()
                }
            elif media and "form-urlencoded" in media:
                kwargs["data"] = body
            else:
                kwargs["json"] = body
        try:
            response = self.session.request(method, url, **kwargs)
        except BudgetExhausted as exc:
            case.error, case.error_kind = str(exc), "budget"
            return self._done(case), None
        except requests.RequestException as exc:
            case.error, case.error_kind = self.gate.redactor.text(str(exc)), classify(exc)
            return self._done(case), None
        case.status_code = response.status_code
        case.elapsed = response.elapsed.total_seconds()
        sent = response.request.body if response.request is not None else None
        case.request_body = (
            sent.encode("utf-8") if isinstance(sent, str) else sent if isinstance(sent, bytes) else None
        )
        case.curl = curl(method, url, kwargs, self.gate.redactor)
        case.response_excerpt = _excerpt(response)
        if validate and response.status_code not in (429, 502, 503, 504):
            self.judge.judge(case, op, method, url, response, body)
            settle(case)
        return case, response

    def _done(self, case: EngineCase) -> EngineCase:
        self.cases.append(case)
        if self.on_case is not None:
            self.on_case(case)
        return case

    def answer(
        self, op: Operation, method: str, url: str, response: requests.Response, body: Any = None
    ) -> Exchange:
        """``response`` as the exchange the checks judge."""
        return exchange_of(
            self.spec, op, method, url, response.status_code, response.headers, response.content or b"", body
        )

    def judge_step(self, name: str, step: Step) -> list[Finding]:
        """The registered scenario check ``name`` on what a step observed."""
        return run_scenario_check(name, step)

    def finish(self, case: EngineCase, *findings: Finding, passed: tuple[str, ...] = ()) -> EngineCase:
        case.failures.extend(failure_of(f) for f in findings)
        case.passed.extend(passed)
        return self._done(settle(case))

    # -- auth ----------------------------------------------------------------------------------

    def auth(self) -> None:
        op = self.spec.find("list") or self.spec.find("retrieve")
        if op is None or not self.spec.requires_auth(op):
            return  # nothing to probe, or the spec does not ask for a token here
        params = {name: f"video_specforge_{uuid.uuid4().hex[:8]}" for name in _path_params(op.path)}
        url = self.url(op, **params)
        for label, token in (("missing token", None), ("wrong token", WRONG_TOKEN)):
            case, response = self.send("auth", op, "GET", url, token=token, validate=False)
            case.id = f"auth-{label.replace(' ', '-')}"
            if response is None:
                self._done(case)
                continue
            answer = self.answer(op, "GET", url, response)
            findings = self.judge_step(sc.AUTH_ENFORCED, Step(self.spec, answer, label=label))
            self.finish(case, *findings, passed=(sc.AUTH_ENFORCED,))

    # -- lifecycle -----------------------------------------------------------------------------

    def create_body(
        self, op: Operation, *, with_reference: bool = False, media: str | None = None
    ) -> tuple[str | None, dict[str, Any]]:
        return create_body(self.spec, op, with_reference=with_reference, media=media)

    def can_spend(self) -> bool:
        return not self.gate.no_create and self.gate.budget.remaining != 0

    def lifecycle(self, background: Callable[[Callable[[], None]], None] | None = None) -> None:
        """Create (negotiating if refused), then follow the job — in ``background`` when given,
        so polling overlaps schemathesis' phases instead of adding its waits to the run."""
        op = self.spec.find("create")
        if op is None:
            return
        media, body = self.create_body(op)
        job, status = self._create(op, body, media, "lifecycle")
        # a server that only speaks another documented media type (415) gets that one
        for other in self.spec.request_media(op)[1:]:
            if job is not None or status != 415 or not self.can_spend():
                break
            media, body = self.create_body(op, media=other)
            job, status = self._create(op, body, media, "lifecycle")
        if job is None and status is not None and 400 <= status < 500 and status not in (401, 403, 415, 429):
            job, body = self._negotiate(op, media, body, self.cases[-1])
        if job is not None:
            created, sent = job, body

            def follow() -> None:
                self._follow(op, created, sent)

            if background is not None:
                background(follow)
            else:
                follow()
        media, body = self.create_body(op, with_reference=True, media=media)
        if body and self.can_spend():
            job, _ = self._create(op, body, media, "lifecycle", field="input_reference")
            if job is not None:
                self._round_trip(op, job, body, only=("input_reference",))
        elif body:  # listed as prevented by the budget in the report
            self._done(
                EngineCase(
                    id="lifecycle-input-reference",
                    operation=op.label,
                    phase="lifecycle",
                    method=op.method,
                    error="not sent: the create budget is spent",
                    error_kind="budget",
                )
            )

    def _negotiate(
        self, op: Operation, media: str | None, body: dict[str, Any], rejected: EngineCase
    ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """A create valid per the spec was rejected. Name the fields the server blames, then, while
        the budget allows, retry with values the server says it accepts *that the spec also
        allows* (or without the blamed optional field), so the lifecycle can still be exercised."""
        _, schema = self.spec.request_schema(op, media)
        required = set(schema.get("required") or [])
        for _attempt in range(3):
            text = rejected.response_excerpt
            blamed = [name for name in body if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text)]
            if not blamed:
                return self._diagnose(op, media, body)
            diagnosis = EngineCase(
                id=f"diagnose-{rejected.id}",
                operation=op.label,
                phase="lifecycle",
                method=op.method,
                url=rejected.url,
                status_code=rejected.status_code,
                response_excerpt=text,
                curl=rejected.curl,
                request_body=rejected.request_body,
            )
            answer = self.last_answer
            self.finish(
                diagnosis,
                *(
                    finding
                    for name in blamed
                    for finding in self.judge_step(
                        sc.VALID_ACCEPTED,
                        Step(self.spec, answer, sent=body, fields=(name,), detail=self.spec_label(op, name)),
                    )
                ),
            )
            retry = dict(body)
            for name in blamed:
                prop = self.spec.property_schema(schema, name)
                offered = [
                    v for v in _offered_values(text, name) if v != body[name] and self.spec.is_valid(prop, v)
                ]
                if offered:
                    retry[name] = offered[0]
                elif name not in required:
                    retry.pop(name)
                else:
                    return None, body
            if not self.can_spend():
                return None, body
            job, status = self._create(op, retry, media, "lifecycle", report=False)
            if job is not None:
                return job, retry
            if status is None or not 400 <= status < 500:
                return None, body
            body, rejected = retry, self.cases[-1]
        return None, body

    def spec_label(self, op: Operation, name: str) -> str:
        prop = self.spec.request_schema(op)[1]
        declared = self.spec.property_schema(prop, name) or {}
        enum = self.spec.enum_of(declared)
        return "the spec: " + (
            f"one of {', '.join(map(str, enum[:6]))}"
            if enum
            else "/".join(sorted(self.spec.types_of(declared))) or "any value"
        )

    def _diagnose(
        self, op: Operation, media: str | None, body: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """A valid create was rejected: find which documented field values the server refuses
        (required fields alone, then one optional field at a time). Each probe is a budgeted
        create; returns a created job to follow, if any."""
        _, schema = self.spec.request_schema(op, media)
        required = {k: v for k, v in body.items() if k in (schema.get("required") or []) or k == "prompt"}
        if not self.can_spend():
            return None, body
        job, status = self._create(op, required, media, "lifecycle", report=False)
        if job is None:
            return None, body
        for name in [k for k in body if k not in required]:
            if not self.can_spend():
                break
            _, status = self._create(op, {**required, name: body[name]}, media, "lifecycle", field=name)
        return job, required

    def _create(
        self,
        op: Operation,
        body: dict[str, Any],
        media: str | None,
        phase: str,
        *,
        field: str | None = None,
        report: bool = True,
    ) -> tuple[dict[str, Any] | None, int | None]:
        case, response = self.send(phase, op, op.method, self.url(op), body=body, media=media)
        case.id = f"create-{case.id}"
        if response is None:
            self._done(case)
            return None, None
        if response.status_code in (401, 403):
            case.error, case.error_kind = (
                f"HTTP {response.status_code}: the token was refused",
                "unauthorized",
            )
            self.gate.note(
                Issue(
                    "unauthorized",
                    f"HTTP {response.status_code} on {op.label}: check the token in the environment variable",
                    op.method,
                    self.gate.redactor.text(self.url(op)),
                )
            )
            self._done(case)
            return None, response.status_code
        if response.status_code >= 300 and (not report or response.status_code in (415, 429)):
            self.last_answer = self.answer(op, op.method, self.url(op), response, body)
            self.finish(case)
            return None, response.status_code
        answer = self.last_answer = self.answer(op, op.method, self.url(op), response, body)
        step = Step(self.spec, answer, sent=body, fields=(field,) if field else ())
        refused = self.judge_step(sc.VALID_ACCEPTED, step)
        if refused:
            self.finish(case, *refused)
            return None, response.status_code
        job = json.loads(answer.body)
        self.finish(
            case,
            *self._round_trip_findings(op, job, body, ("seconds", "size", "model")),
            passed=(sc.VALID_ACCEPTED, sc.ROUND_TRIP),
        )
        return job, response.status_code

    def _round_trip(
        self, op: Operation, job: dict[str, Any], body: dict[str, Any], only: tuple[str, ...]
    ) -> None:
        findings = self._round_trip_findings(op, job, body, only)
        if findings:
            self.cases[-1].failures.extend(failure_of(f) for f in findings)
            self.cases[-1].passed = [p for p in self.cases[-1].passed if p != sc.ROUND_TRIP]

    def _round_trip_findings(
        self, op: Operation, job: dict[str, Any], body: dict[str, Any], fields: tuple[str, ...]
    ) -> list[Finding]:
        return self.judge_step(sc.ROUND_TRIP, Step(self.spec, job=job, sent=body, fields=fields))

    def _follow(self, create_op: Operation, job: dict[str, Any], body: dict[str, Any]) -> None:
        op = self.spec.find("retrieve")
        job_id = str(job_id_of(job))
        if op is None:
            return  # the spec documents no way to poll a job: nothing to follow
        trace: dict[str, Any] = {
            "job_id": job_id,
            "operation": create_op.label,
            "statuses": [],
            "progress": [],
            "polls": 0,
            "outcome": "pending",
            "content_type": None,
            "content_bytes": None,
        }
        self.jobs.append(trace)
        started = time.monotonic()
        observed: list[dict[str, Any]] = [job]
        delay = self.poll_interval
        status = str(job.get("status", ""))
        while op is not None and stage(status) != 2:
            if time.monotonic() - started >= self.job_timeout or self.stop.is_set():
                break
            params = {name: job_id for name in _path_params(op.path)}
            case, response = self.send("lifecycle", op, "GET", self.url(op, **params))
            trace["polls"] += 1
            if response is None:
                self._done(case)
                if case.error_kind in ("connection_refused", "connection_reset"):
                    trace["outcome"] = "lost"
                    break
                self.stop.wait(min(delay, max(0.0, self.job_timeout - (time.monotonic() - started))))
                continue
            self.finish(case)
            if response.status_code == 404:
                # the job is gone: deleted by this run's own schemathesis phases (they reuse ids
                # seen in responses, and polling overlaps them), or lost by the server
                trace["outcome"] = "deleted" if self.gate.deleted_by_run(job_id) else "lost"
                break
            if response.status_code == 429 or response.status_code >= 500:
                wait = retry_after(response.headers.get("Retry-After"), delay)
            elif response.status_code >= 300:
                wait = delay  # an error object is not a job state: keep polling until the timeout
            else:
                try:
                    current = response.json()
                except ValueError:
                    trace["outcome"] = "lost"
                    break
                if isinstance(current, dict):
                    observed.append(current)
                    status = str(current.get("status", ""))
                wait = retry_after(response.headers.get("Retry-After"), delay)
                delay = min(delay * 1.5, max(self.poll_interval, 30.0))
            remaining = self.job_timeout - (time.monotonic() - started)
            self.stop.wait(max(0.0, min(wait, remaining)))
        trace["statuses"] = [str(o.get("status")) for o in observed]
        trace["progress"] = [
            o["progress"]
            for o in observed
            if isinstance(o.get("progress"), int) and not isinstance(o.get("progress"), bool)
        ]
        trace["duration"] = round(time.monotonic() - started, 3)
        final = str(observed[-1].get("status", "")).lower()
        if final in TERMINAL_OK:
            trace["outcome"] = "completed"
        elif final in TERMINAL_FAILED:
            trace["outcome"] = "failed"
        elif trace["outcome"] not in ("lost", "deleted"):
            trace["outcome"] = "pending"
        summary = EngineCase(
            id=f"lifecycle-{job_id}",
            operation=create_op.label,
            phase="lifecycle",
            method="",
            url="",
            response_excerpt=json.dumps(trace["statuses"]),
        )
        self.finish(
            summary,
            *self._sequence_findings(observed),
            passed=(sc.LIFECYCLE_TRANSITIONS, sc.PROGRESS_MONOTONIC),
        )
        if trace["outcome"] == "completed":
            self._content(job_id, trace)

    def _sequence_findings(self, observed: list[dict[str, Any]]) -> list[Finding]:
        return sequence_findings(self.spec, observed)

    def _content(self, job_id: str, trace: dict[str, Any]) -> None:
        op = self.spec.find("content")
        if op is None:
            return
        params = {name: job_id for name in _path_params(op.path)}
        case, response = self.send("lifecycle", op, "GET", self.url(op, **params))
        if response is None:
            self._done(case)
            return
        if response.status_code == 404 and self.gate.deleted_by_run(job_id):
            # schemathesis' phases deleted the completed job before its content was fetched:
            # the 404 is right, and the content of a job that no longer exists cannot be judged
            self.finish(case)
            return
        answer = self.answer(op, "GET", self.url(op, **params), response)
        trace["content_type"], trace["content_bytes"] = answer.content_type, len(answer.body)
        findings = self.judge_step(sc.CONTENT_IS_MP4, Step(self.spec, answer))
        self.finish(case, *findings, passed=(sc.CONTENT_IS_MP4,))

    # -- invalid input -------------------------------------------------------------------------

    def invalid_inputs(self) -> None:
        op = self.spec.find("create")
        if op is None:
            return
        media, _ = self.create_body(op)
        variants = invalid_variants(self.spec, op)
        for label, body in variants:
            case, response = self.send(
                "invalid-input", op, op.method, self.url(op), body=body, media=media, validate=False
            )
            case.id = "invalid-" + label.replace(" ", "-")
            if response is None:
                self._done(case)
                continue
            answer = self.answer(op, op.method, self.url(op), response, body)
            findings = self.judge_step(sc.INVALID_REJECTED, Step(self.spec, answer, label=label))
            self.finish(case, *findings, passed=(sc.INVALID_REJECTED,))


def create_body(
    spec: SpecModel, op: Operation, *, with_reference: bool = False, media: str | None = None
) -> tuple[str | None, dict[str, Any]]:
    """(media type, body) of the cheapest valid create; with ``with_reference`` an
    input_reference is added ({} when the spec documents none)."""
    media, schema = spec.request_schema(op, media)
    body: dict[str, Any] = {}
    for name in schema.get("required") or []:
        required = spec.property_schema(schema, name) or {}
        body[name] = PROMPT if name == "prompt" else sample(spec, required)
    for name in ("model", "seconds", "size"):
        optional = spec.property_schema(schema, name)
        if optional is not None:
            body[name] = cheapest(spec, name, optional)
    if "prompt" in (schema.get("properties") or {}):
        body["prompt"] = PROMPT
    if with_reference:
        prop = spec.property_schema(schema, "input_reference")
        if prop is None:
            return media, {}
        body["input_reference"] = reference_value(spec, prop)
    return media, body


def invalid_variants(spec: SpecModel, op: Operation) -> list[tuple[str, dict[str, Any]]]:
    """The invalid creates the invalid-input scenario sends (label, body): each costs budget."""
    media, valid = create_body(spec, op)
    _, schema = spec.request_schema(op)
    variants: list[tuple[str, dict[str, Any]]] = []
    if "prompt" in valid and "prompt" in (schema.get("required") or []):
        variants.append(("missing prompt", {k: v for k, v in valid.items() if k != "prompt"}))
    for name, bad in (("seconds", "999"), ("size", "13x7")):
        prop = spec.property_schema(schema, name)
        if prop is not None and spec.enum_of(prop):
            variants.append(
                (
                    f"bad {name}",
                    {
                        **valid,
                        name: bad if "string" in spec.types_of(prop) or not spec.types_of(prop) else 999,
                    },
                )
            )
    ref = spec.property_schema(schema, "input_reference")
    if ref is not None and (media is None or "json" in media) and spec.types_of(ref) & {"object", "array"}:
        # a wrong *shape* only exists for structured values sent as JSON (multipart is all text)
        types = spec.types_of(ref)
        wrong: Any = (
            {"image_url": "https://example.com/ref.png"}
            if types == {"array"}
            else ["https://example.com/ref.png"]
            if "array" not in types
            else 12345
        )
        variants.append(("wrong input_reference shape", {**valid, "input_reference": wrong}))
    return variants


def sequence_findings(spec: SpecModel, observed: list[dict[str, Any]]) -> list[Finding]:
    """Transition and progress findings over the successive job objects of one job."""
    step = Step(spec, jobs=tuple(observed))
    return [
        *run_scenario_check(sc.LIFECYCLE_TRANSITIONS, step),
        *run_scenario_check(sc.PROGRESS_MONOTONIC, step),
    ]


def _offered_values(text: str, name: str) -> list[Any]:
    """Values a validation message says the server accepts for ``name``
    ("model: 'x' is not one of ['a', 'b']")."""
    import ast

    for match in re.finditer(r"is not one of (\[[^\]]*\])", text):
        if name not in text[max(0, match.start() - 120) : match.start()]:
            continue
        try:
            values = ast.literal_eval(match.group(1))
        except (ValueError, SyntaxError):
            continue
        if isinstance(values, list):
            return values
    return []


def _path_params(path: str) -> list[str]:
    import re

    return re.findall(r"\{([^}]+)\}", path)


def sample(spec: SpecModel, schema: dict[str, Any]) -> Any:
    """A valid value for ``schema``: example, else a non-default enum value, else a typed dummy."""
    schema = resolve(spec.document, schema)
    enum = spec.enum_of(schema)
    if "example" in schema and (not enum or schema["example"] in enum):
        return schema["example"]
    if enum:
        default = schema.get("default")
        choices = [v for v in enum if v != default and v is not None]
        return choices[0] if choices else enum[0]
    if schema.get("default") is not None:
        return schema["default"]
    types = spec.types_of(schema)
    if "integer" in types or "number" in types:
        return int(schema.get("minimum", 1) or 1)
    if "boolean" in types:
        return False
    if "array" in types:
        return []
    if "object" in types:
        return {}
    return "specforge"


def cheapest(spec: SpecModel, name: str, schema: dict[str, Any]) -> Any:
    """The least costly valid value: the shortest ``seconds`` and the smallest ``size`` (pixel
    area) the spec lists; other fields (and unlisted values) as ``sample`` picks them."""
    schema = resolve(spec.document, schema)
    enum = [v for v in spec.enum_of(schema) if v is not None]
    if name == "seconds" and enum:
        numeric = [v for v in enum if str(v).strip().isdigit()]
        if numeric:
            return min(numeric, key=lambda v: int(str(v)))
    if name == "size" and enum:
        areas = [
            (int(m.group(1)) * int(m.group(2)), v)
            for v in enum
            if (m := re.fullmatch(r"(\d+)\s*[x×*]\s*(\d+)", str(v)))
        ]
        if areas:
            return min(areas, key=lambda pair: pair[0])[1]
    return sample(spec, schema)


def reference_value(spec: SpecModel, schema: dict[str, Any]) -> Any:
    url = "https://example.com/specforge-reference.png"
    types = spec.types_of(schema)
    if "array" in types and "object" not in types:
        return [url]
    if "object" in types or spec.property_schema(schema, "image_url") is not None:
        return {"image_url": url}
    return url


def _excerpt(response: requests.Response, limit: int = 600) -> str:
    """The start of a body (the Gate already masked secrets in it as it arrived); redacted
    again before it is cut, binary bodies described."""
    from specforge.check.redact import Redactor

    return Redactor(None).excerpt(response.content, limit)


def curl(method: str, url: str, kwargs: dict[str, Any], red: Any) -> str:
    """A shell-ready reproduction; the token is always shown as ``Bearer ***``."""
    import shlex

    parts = ["curl", "-X", method]
    for name, value in (kwargs.get("headers") or {}).items():
        parts += ["-H", f"{name}: {value}"]
    if "json" in kwargs:
        parts += [
            "-H",
            "Content-Type: application/json",
            "-d",
            json.dumps(kwargs["json"], ensure_ascii=False),
        ]
    elif "files" in kwargs:
        for name, (_, value) in kwargs["files"].items():
            parts += ["-F", f"{name}={value}"]
    elif "data" in kwargs:
        for name, value in kwargs["data"].items():
            parts += ["--data-urlencode", f"{name}={value}"]
    parts.append(url)
    return red.text(" ".join(shlex.quote(p) for p in parts))
