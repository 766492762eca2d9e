"""The OpenAI-SDK compatibility phase: the official ``openai`` Python SDK drives the video calls a
client makes (``create``, ``create_and_poll``, ``retrieve``, ``list``, ``download_content`` for the
video and its thumbnail, ``remix``, ``delete``) against the endpoint, and each call is judged
*works* or *fails, why* — an endpoint can pass every schema check and still break the client
people actually use.

The SDK's HTTP goes through the run's ``Gate`` (an ``httpx`` transport over the Gate's
``requests`` session), so its creates count against the budget, are refused once it is spent,
and every exchange lands in the redacted cassette. The SDK is built with ``max_retries=0`` (a
retried create costs money) and strict response validation, so a response its own types cannot
read is a failing call rather than a silent ``None`` later in user code.
"""

from __future__ import annotations

import re
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import requests

from specforge.check.checks import SDK_CALL_WORKS
from specforge.check.judge import EngineCase, failure_of
from specforge.check.model import SdkCall
from specforge.check.registry import Step, run_scenario_check
from specforge.check.spec import SpecModel
from specforge.check.transport import BudgetExhausted, Gate
from specforge.openapi.videojob import LIFECYCLE

CHECK = SDK_CALL_WORKS
PROMPT = "specforge SDK probe: a paper boat on a pond"
REMIX_PROMPT = "the same scene at night"
#: the calls of the phase, in order, with the operation kind each one needs from the spec
CALLS = (
    ("videos.create_and_poll", "create"),
    ("videos.retrieve", "retrieve"),
    ("videos.list", "list"),
    ("videos.download_content", "content"),
    ("videos.download_content(variant=thumbnail)", "content"),
    ("videos.remix", "remix"),
    ("videos.create", "create"),
    ("videos.delete", "delete"),
)
#: calls that create a job (cost one unit of budget each)
CREATING = frozenset({"videos.create_and_poll", "videos.remix", "videos.create"})


class _Refused(httpx.TransportError):
    """The Gate did not send the request (budget spent, or the phase's deadline passed)."""


class GateTransport(httpx.BaseTransport):
    """``httpx`` transport that sends through the run's Gate (budget, cassette, redaction, caps).
    ``deadline`` (monotonic seconds) bounds ``create_and_poll``, whose loop has no timeout."""

    def __init__(self, gate: Gate, *, request_timeout: float) -> None:
        self.gate = gate
        self.session = gate.session()
        self.request_timeout = request_timeout
        self.deadline: float | None = None
        self.refused: str | None = None  # why the last request was not sent
        self.last: requests.Response | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.refused = None
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.refused = "deadline"
            raise _Refused("the job did not reach a terminal status within --job-timeout", request=request)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "host")}
        try:
            response = self.session.request(
                request.method,
                str(request.url),
                headers=headers,
                data=request.read() or None,
                timeout=self.request_timeout,
                allow_redirects=False,
            )
        except BudgetExhausted as exc:
            self.refused = "budget"
            raise _Refused(str(exc), request=request) from None
        except requests.RequestException as exc:
            raise httpx.ConnectError(self.gate.redactor.text(str(exc)), request=request) from None
        self.last = response
        # requests already decoded the body: drop the headers that describe the encoded form
        kept = [
            (k, v)
            for k, v in response.headers.items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(response.status_code, headers=kept, content=response.content, request=request)


@dataclass
class SdkPhase:
    """Runs the calls of ``CALLS`` once against ``api_root`` (the URL the SDK's ``base_url`` is
    set to, e.g. ``http://host/v1``)."""

    spec: SpecModel
    gate: Gate
    api_root: str
    token: str | None
    job_timeout: float = 600.0
    request_timeout: float = 30.0
    on_case: Callable[[EngineCase], None] | None = None
    #: a completed job another phase created, used when the budget leaves none for this one
    known_job: str | None = None
    calls: list[SdkCall] = field(default_factory=list)

    def run(self) -> list[SdkCall]:
        try:
            import openai
        except ImportError:  # a runtime dependency, but a broken install must not lose the run
            self.calls = [
                SdkCall(name, "skipped", "the openai package is not importable") for name, _ in CALLS
            ]
            return self.calls
        transport = GateTransport(self.gate, request_timeout=self.request_timeout)
        self.version = f"openai-python {openai.__version__}"
        client = openai.OpenAI(
            base_url=self.api_root,
            api_key=self.token or "sk-specforge-no-token",
            max_retries=0,
            timeout=self.request_timeout,
            http_client=httpx.Client(transport=transport),  # type: ignore[arg-type]  # accepted: the SDK takes httpx or httpx2 clients
            _strict_response_validation=True,
        )
        self._transport = transport
        state: dict[str, Any] = {"job": self.known_job}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # the SDK marks the Sora API deprecated
            try:
                for name, kind in CALLS:
                    self._call(name, kind, client, state)
            finally:
                client.close()
        return self.calls

    # -- one call ------------------------------------------------------------------------------

    def _call(self, name: str, kind: str, client: Any, state: dict[str, Any]) -> None:
        op = self.spec.find(kind)
        label = op.label if op else ""
        needs_job = name not in ("videos.create_and_poll", "videos.create", "videos.list")
        if op is None:
            return self._record(name, "skipped", f"the spec documents no {kind} operation", label)
        if needs_job and not (state.get("deletable") if name == "videos.delete" else state.get("job")):
            return self._record(name, "skipped", "no job to call it on (no earlier create succeeded)", label)
        if name in CREATING and (self.gate.no_create or self.gate.budget.remaining == 0):
            return self._record(
                name,
                "skipped",
                "not sent: the create budget is spent"
                if not self.gate.no_create
                else "not sent: --no-create",
                label,
            )
        started = time.monotonic()
        self._first_seq = self.gate.cassette.seq + 1
        try:
            with self._deadline(name == "videos.create_and_poll"):
                why = getattr(self, "_" + name.split("(")[0].split(".")[1])(client, state, name)
        except Exception as exc:  # noqa: BLE001 - any exception the SDK raises is the finding
            if self._transport.refused == "budget":
                return self._record(name, "skipped", "not sent: the create budget is spent", label, started)
            why = self._explain(exc)
        self._record(name, "fails" if why else "works", why or "", label, started)

    @contextmanager
    def _deadline(self, bounded: bool) -> Iterator[None]:
        self._transport.deadline = time.monotonic() + self.job_timeout if bounded else None
        try:
            yield
        finally:
            self._transport.deadline = None

    def _explain(self, exc: Exception) -> str:
        import openai

        red = self.gate.redactor.text
        if self._transport.refused == "deadline":
            return f"the job did not reach completed or failed within {self.job_timeout:g} s (--job-timeout)"
        if isinstance(exc, openai.APIResponseValidationError):
            return red(
                f"the SDK's types cannot read the response (HTTP {exc.status_code}): {_validation_detail(exc)}"[
                    :400
                ]
            )
        if isinstance(exc, openai.APIStatusError):
            body = exc.body
            message = (
                body.get("message")
                if isinstance(body, dict) and isinstance(body.get("message"), str)
                else None
            )
            text = message or re.sub(r"^Error code: \d+ - ", "", exc.message)
            return red(f"HTTP {exc.status_code}: {_first_line(text)}"[:300])
        if isinstance(exc, openai.APIConnectionError):
            return red(f"connection failed: {_first_line(str(exc.__cause__ or exc))}"[:300])
        return red(f"{type(exc).__name__}: {_first_line(str(exc))}"[:300])

    def _record(self, name: str, outcome: str, why: str, label: str, started: float | None = None) -> None:
        call = SdkCall(name, outcome, why, label, getattr(self, "version", ""))
        self.calls.append(call)
        if self.on_case is None:
            return
        case = EngineCase(
            id=f"sdk-{uuid.uuid4().hex[:8]}",
            operation=label or name,
            phase="sdk",
            method="",
            url=self.api_root,
            elapsed=time.monotonic() - started if started else 0.0,
        )
        last = self._transport.last if hasattr(self, "_transport") else None
        if started is not None:  # the exchanges this call made, for the cause's cassette entries
            case.cassette = list(range(getattr(self, "_first_seq", 1), self.gate.cassette.seq + 1))
        if outcome == "skipped":
            case.error, case.error_kind = (
                why,
                "budget" if "budget" in why or "no-create" in why else "skipped",
            )
        elif outcome == "fails":
            step = Step(self.spec, label=name, detail=why)
            case.failures.extend(failure_of(f) for f in run_scenario_check(CHECK, step))
            if last is not None:
                case.status_code = last.status_code
                case.response_excerpt = (
                    self.gate.redactor.text(last.text[:600])
                    if _is_text(last)
                    else f"<{len(last.content)} bytes>"
                )
                req = last.request
                case.curl = self.gate.redactor.text(
                    f"curl -X {req.method} '{req.url}' -H 'Authorization: Bearer ***'"
                )
        else:
            case.passed.append(CHECK)
            if last is not None:
                case.status_code = last.status_code
        self.on_case(case)

    # -- the calls (each returns "" when it works, else why it does not) ----------------------

    def _create_and_poll(self, client: Any, state: dict[str, Any], name: str) -> str:
        sent = self.gate.cassette.seq
        video = client.videos.create_and_poll(prompt=PROMPT)
        created = _created_id(self.gate.cassette.entries, sent)
        if created and video.id != created:
            state["deletable"] = created
            return f"polling job `{created}` returned a job with id `{video.id}`"
        state["deletable"] = video.id
        if video.status != "completed":
            return f"the job ended `{video.status}`" + (
                f": {video.error.message}" if getattr(video, "error", None) else ""
            )
        state["job"] = video.id
        return ""

    def _retrieve(self, client: Any, state: dict[str, Any], name: str) -> str:
        video = client.videos.retrieve(state["job"])
        return "" if video.id == state["job"] else f"asked for `{state['job']}`, got `{video.id}`"

    def _list(self, client: Any, state: dict[str, Any], name: str) -> str:
        page = client.videos.list(limit=100)
        ids = [v.id for v in page.data]
        if state.get("job") and state["job"] not in ids and not page.has_more:
            return f"the job `{state['job']}` this run created is not listed ({len(ids)} listed)"
        return ""

    def _download_content(self, client: Any, state: dict[str, Any], name: str) -> str:
        thumbnail = "thumbnail" in name
        content = (
            client.videos.download_content(state["job"], variant="thumbnail")
            if thumbnail
            else client.videos.download_content(state["job"])
        )
        data = content.read()
        media = content.response.headers.get("content-type", "")
        if thumbnail:
            return (
                ""
                if data and media.startswith("image/")
                else f"got {len(data)} bytes of `{media or 'no content type'}`, not an image"
            )
        if data[4:8] != b"ftyp":
            return (
                f"got {len(data)} bytes of `{media or 'no content type'}` that are not an MP4 (no `ftyp` box)"
            )
        return ""

    def _remix(self, client: Any, state: dict[str, Any], name: str) -> str:
        video = client.videos.remix(state["job"], prompt=REMIX_PROMPT)
        state["deletable"] = video.id
        if video.remixed_from_video_id != state["job"]:
            return (
                f"`remixed_from_video_id` is {video.remixed_from_video_id!r}, not the source `{state['job']}`"
            )
        return ""

    def _create(self, client: Any, state: dict[str, Any], name: str) -> str:
        video = client.videos.create(model="sora-2", prompt=PROMPT, seconds="4", size="720x1280")
        state["deletable"] = video.id
        if video.status not in LIFECYCLE or video.status == "failed":
            return f"a new job has status `{video.status}`"
        return ""

    def _delete(self, client: Any, state: dict[str, Any], name: str) -> str:
        target = state["deletable"]
        deleted = client.videos.delete(target)
        if deleted.id != target or deleted.deleted is not True:
            return f"answer says id={deleted.id!r}, deleted={deleted.deleted!r} for `{target}`"
        return ""


def _created_id(entries: list[dict[str, Any]], after: int) -> str | None:
    """The job id in the first create answer recorded after cassette entry ``after``."""
    import json

    for entry in entries:
        if (
            entry["seq"] > after
            and entry["request"]["method"] == "POST"
            and (entry.get("response") or {}).get("body")
        ):
            try:
                data = json.loads(entry["response"]["body"])
            except ValueError:
                return None
            return data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
    return None


def _validation_detail(exc: Exception) -> str:
    """``field: problem`` for each error pydantic found (the first three)."""
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        try:
            items = errors()
        except Exception:  # noqa: BLE001 - fall back to the text
            items = []
        parts = [
            f"`{'.'.join(str(p) for p in e.get('loc', ()))}` {e.get('msg', '')} (got {e.get('input')!r:.60})"
            for e in items[:3]
        ]
        if parts:
            return "; ".join(parts) + (f"; and {len(items) - 3} more" if len(items) > 3 else "")
    return _first_line(str(cause or exc))


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0][:240]


def _is_text(response: requests.Response) -> bool:
    media = response.headers.get("content-type", "")
    return "json" in media or media.startswith("text/")


def sdk_api_root(api_base: str, spec: SpecModel) -> str:
    """What an SDK user would set ``base_url`` to: the create URL without ``/videos``."""
    create = spec.find("create")
    path = create.path if create else "/v1/videos"
    if path.endswith("/videos"):
        return api_base.rstrip("/") + path[: -len("/videos")]
    return api_base.rstrip("/") + "/v1"
