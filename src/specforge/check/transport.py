"""The one door every request of a check goes through (schemathesis' phases, hypothesis shrinking
and flaky replays, specforge's own scenarios): a ``requests`` transport adapter that

- enforces the job-creation budget *before* a byte is sent (so no planner bug, shrink or replay
  can spend more than ``--budget``),
- records every exchange into the cassette, token redacted,
- caps response size and classifies network faults into infrastructure issues,
- retries 429 on requests that cannot create a job, honouring ``Retry-After``.

It depends on ``requests`` (schemathesis' HTTP client) but not on schemathesis itself.
"""

from __future__ import annotations

import base64
import contextlib
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
import urllib3
import urllib3.connection
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from specforge.check.events import CassetteWriter, EventStream, ExchangeRecorded
from specforge.check.redact import Redactor
from specforge.openapi.operations import creates_job

MAX_RESPONSE_BYTES = 8 * 1024 * 1024
CASSETTE_BODY_LIMIT = 64 * 1024
GATEWAY_STATUSES = frozenset({502, 503, 504})


def default_budget(mock: str | None) -> int | None:
    """Unlimited only for an endpoint that identified itself as specforge's mock (``mock`` is
    the variant its header named), else 1: a local relay may forward to a paid upstream."""
    return None if mock else 1


def can_create(method: str) -> bool:
    """Methods other than the safe ones (POST, PUT, PATCH, unknown) count against the budget."""
    return creates_job(method)


class BudgetExhausted(requests.exceptions.RequestException):
    """A request that could create a job was not sent: the budget is spent (or --no-create)."""


class OversizedResponse(requests.exceptions.RequestException):
    """The response body exceeded the size cap; the rest was not read."""


@dataclass
class Budget:
    """Thread-safe count of job-creating requests. ``limit`` None = unlimited."""

    limit: int | None
    used: int = 0
    blocked: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self) -> bool:
        with self._lock:
            if self.limit is not None and self.used >= self.limit:
                self.blocked += 1
                return False
            self.used += 1
            return True

    def refuse(self) -> None:
        """Count a create refused without asking the budget (``--no-create``)."""
        with self._lock:
            self.blocked += 1

    @property
    def remaining(self) -> int | None:
        with self._lock:
            return None if self.limit is None else max(0, self.limit - self.used)


@dataclass(frozen=True, slots=True)
class Issue:
    kind: str
    message: str
    method: str
    url: str


class Cassette:
    """Append-only JSON Lines record of every exchange (schema: one object per line with
    ``seq, time, request{method,url,headers,body}, response{status,headers,body,body_encoding,
    body_size,truncated,elapsed} | null, error | null``), token redacted before writing."""

    def __init__(
        self,
        path: Path | None,
        redactor: Redactor,
        watch: tuple[tuple[str, str], ...] = (),
        *,
        events: EventStream | None = None,
    ) -> None:
        self.path = path
        self.redactor = redactor
        #: (label, secret): a response carrying the secret gets ``"secrets": [label]`` in its entry
        #: (the secret itself is masked like the token)
        self.watch = watch
        self._watchers = [(label, Redactor(None, secrets=(secret,))) for label, secret in watch if secret]
        self.seq = 0
        self.entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        #: every entry is emitted as ``ExchangeRecorded``; the file is one handler of that stream
        self.events = events if events is not None else EventStream()
        self._writer = CassetteWriter(path) if path is not None else None
        if self._writer is not None:
            self.events.subscribe(self._writer)

    def record(
        self,
        request: requests.PreparedRequest,
        response: requests.Response | None,
        error: Issue | None,
        elapsed: float,
        carried: list[str] | None = None,
    ) -> None:
        red = self.redactor
        entry: dict[str, Any] = {
            "time": round(time.time(), 3),
            "request": {
                "method": request.method,
                "url": red.text(request.url or ""),
                "headers": red.headers(request.headers),
                **_body(request.body, red),
            },
            "response": None,
            "error": None,
        }
        if response is not None:
            entry["response"] = {
                "status": response.status_code,
                "headers": red.headers(response.headers),
                "elapsed": round(elapsed, 4),
                **_body(response._content if isinstance(response._content, bytes) else None, red),
            }
        if carried:
            entry["secrets"] = list(carried)
        if error is not None:
            entry["error"] = {"kind": error.kind, "message": red.text(error.message)}
        with self._lock:
            self.seq += 1
            entry = {"seq": self.seq, **entry}
            self.entries.append(entry)
            self.events.emit(ExchangeRecorded(entry))

    def carried(self, response: requests.Response) -> list[str]:
        """Labels of the watched secrets ``response`` carries, in any encoding the redactor knows
        (plain, URL, JSON, base64 ...); asked before the response is redacted."""
        if not self._watchers:
            return []
        content = response._content if isinstance(response._content, bytes) else b""
        raw = (
            "\n".join(f"{k}: {v}" for k, v in response.headers.items())
            + "\n"
            + content.decode("utf-8", "replace")
        )
        return [label for label, finder in self._watchers if finder.text(raw) != raw]

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def _body(content: Any, red: Redactor) -> dict[str, Any]:
    if content is None:
        return {"body": None, "body_size": 0}
    data = (
        content.encode("utf-8")
        if isinstance(content, str)
        else bytes(content)
        if isinstance(content, bytes | bytearray)
        else None
    )
    if data is None:  # a streamed/generator body: not recordable
        return {"body": None, "body_size": None}
    size = len(data)
    try:
        text = data.decode("utf-8")  # text is redacted as text below (one pass, not two)
    except UnicodeDecodeError:
        data = red.binary(data)  # redacted whole, before it is cut or base64-encoded
        chunk = data[:CASSETTE_BODY_LIMIT]
        return {
            "body": base64.b64encode(chunk).decode("ascii"),
            "body_encoding": "base64",
            "body_size": size,
            "truncated": len(data) > len(chunk),
        }
    text = red.text(text)
    cut = text[:CASSETTE_BODY_LIMIT]
    return {"body": cut, "body_encoding": "utf-8", "body_size": size, "truncated": len(text) > len(cut)}


def classify(exc: BaseException) -> str:
    """Infrastructure issue kind for a network exception."""
    text = repr(exc).lower()
    if isinstance(exc, BudgetExhausted):
        return "budget"
    if isinstance(exc, OversizedResponse):
        return "oversized_response"
    if isinstance(exc, Interrupted):
        return "aborted"
    if isinstance(exc, Unresponsive):
        return "unresponsive"
    if isinstance(exc, requests.exceptions.Timeout) or "timed out" in text:
        return "timeout"
    if "refused" in text or "newconnectionerror" in text or "failed to establish" in text:
        return "connection_refused"
    if "reset" in text or "aborted" in text or "remotedisconnected" in text or "protocolerror" in text:
        return "connection_reset"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "connection_reset"
    return "network_error"


class Gate:
    """Shared state of one run's transport: budget, cassette, redactor, infrastructure issues."""

    def __init__(
        self,
        *,
        budget: Budget,
        cassette: Cassette,
        redactor: Redactor,
        no_create: bool = False,
        max_retries_429: int = 2,
        max_retry_after: float = 30.0,
        deadline: float | None = None,
    ) -> None:
        self.deadline = deadline
        self.budget = budget
        self.cassette = cassette
        self.redactor = redactor
        self.no_create = no_create
        self.max_retries_429 = max_retries_429
        self.max_retry_after = max_retry_after
        self.issues: list[Issue] = []
        self.statuses: Counter[int] = Counter()
        self.sent = 0
        #: answers to requests sent with the run's own credentials (or none, when it has none):
        #: evidence that authentication worked at least once
        self.credentialed = 0
        self.authenticated = 0
        #: job-creating requests the server refused with a 4xx (no job was made: not "used")
        self.creates_refused = 0
        self._deletes: list[tuple[str, ...]] = []  # path segments of every DELETE sent, in order
        self._timeouts_in_a_row = 0
        #: why the run stopped sending (``UNRESPONSIVE_AFTER`` deadlines missed in a row), or None
        self.unresponsive: str | None = None
        self._lock = threading.Lock()
        self.adapter = GateAdapter(self)

    def redact_response(self, response: requests.Response) -> None:
        """Mask secrets a server echoes back in the body or headers as the response arrives, so
        nothing downstream (checks, schemathesis, excerpts, the cassette) ever holds them."""
        red = self.redactor
        if response._content:
            response._content = red.binary(response._content)
        if any(red.text(f"{k}: {v}") != f"{k}: {v}" for k, v in response.headers.items()):
            response.headers = CaseInsensitiveDict(
                {red.text(k): red.text(v) for k, v in response.headers.items()}
            )

    def count(self, request: requests.PreparedRequest, response: requests.Response) -> None:
        status = response.status_code
        sent = str(request.headers.get("Authorization", ""))
        token = self.redactor.token
        own = (token is not None and token in sent) or (token is None and not sent)
        with self._lock:
            self.sent += 1
            self._timeouts_in_a_row = 0  # a complete answer: the missed deadlines in a row start again
            self.statuses[status] += 1
            if own:
                self.credentialed += 1
                self.authenticated += status not in (401, 403)
            if can_create(request.method or "GET") and 400 <= status < 500 and status != 429:
                self.creates_refused += 1

    @property
    def auth_never_succeeded(self) -> bool:
        with self._lock:
            return self.credentialed > 0 and self.authenticated == 0

    def note(self, issue: Issue) -> None:
        with self._lock:
            self.issues.append(issue)
            if issue.kind == "timeout":
                self._timeouts_in_a_row += 1
                if self._timeouts_in_a_row >= UNRESPONSIVE_AFTER and self.unresponsive is None:
                    self.unresponsive = (
                        f"the endpoint answered none of {self._timeouts_in_a_row} requests in a row within "
                        f"the {self.deadline:g} s deadline; stopped sending"
                        if self.deadline is not None
                        else f"the endpoint answered none of {self._timeouts_in_a_row} requests in a row "
                        "within their timeout; stopped sending"
                    )

    def note_delete(self, url: str) -> None:
        """Remember a DELETE *before* it is sent: a 404 that arrives after it may be its doing."""
        segments = tuple(unquote(part) for part in urlsplit(url).path.split("/") if part)
        with self._lock:
            self._deletes.append(segments)

    def deleted_by_run(self, resource_id: str) -> bool:
        """Whether this run itself sent a DELETE naming ``resource_id`` (e.g. schemathesis'
        phases deleting a job the lifecycle scenario is following with an id they picked up
        from a response): a 404 for that resource is then the server being right, not a fault."""
        with self._lock:
            return any(resource_id in segments for segments in self._deletes)

    def abort(self) -> None:
        """The run was interrupted: abandon what is in flight, send nothing more."""
        self.adapter.abort()

    def mount(self, session: requests.Session) -> requests.Session:
        session.mount("http://", self.adapter)
        session.mount("https://", self.adapter)
        return session

    def session(self) -> requests.Session:
        return self.mount(requests.Session())


class DeadlineExceeded(requests.exceptions.Timeout):
    """The request did not finish (headers and whole body) within its total deadline."""


class Interrupted(requests.exceptions.RequestException):
    """The run was interrupted (SIGINT/SIGTERM): the request was abandoned or never sent."""


class Unresponsive(requests.exceptions.RequestException):
    """Not sent: the endpoint left several requests in a row unanswered within their deadline."""


#: requests in a row without a complete answer within the deadline, after which the run stops
#: sending (one slow answer is the server's business; a run of them would make a check take
#: deadline × requests — hours at 30 s each — and say nothing more)
UNRESPONSIVE_AFTER = 3


_CURRENT = threading.local()


class _Watch:
    """The total deadline of one request. Per-read timeouts do not bound a server that sends one
    byte a second; at the deadline this shuts the connection's socket down, so whatever read is
    blocked (status line, headers or body) returns at once and the request fails as a timeout."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.sockets: list[socket.socket] = []
        self.fired = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self.fire) if seconds is not None else None
        if self._timer is not None:
            self._timer.daemon = True

    def __enter__(self) -> _Watch:
        _CURRENT.watch = self
        if self._timer is not None:
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        _CURRENT.watch = None

    def attach(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self.sockets.append(sock)
            fired = self.fired
        if fired:
            self._shutdown(sock)

    def fire(self) -> None:
        with self._lock:
            self.fired = True
            sockets = list(self.sockets)
        for sock in sockets:
            self._shutdown(sock)

    @staticmethod
    def _shutdown(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class _WatchedMixin:
    """urllib3 connection that hands its socket to the current request's deadline watch."""

    sock: socket.socket | None

    def request(self, *args: Any, **kwargs: Any) -> None:
        watch = getattr(_CURRENT, "watch", None)
        if watch is not None:
            watch.attach(self.sock)  # a kept-alive connection already has its socket
        try:
            super().request(*args, **kwargs)  # type: ignore[misc]
        finally:
            if watch is not None:
                watch.attach(self.sock)


class _WatchedHTTPConnection(_WatchedMixin, urllib3.connection.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedMixin, urllib3.connection.HTTPSConnection):
    pass


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def _seconds(timeout: Any) -> float | None:
    """The total a ``requests`` timeout allows: a number, or the larger part of (connect, read)."""
    if isinstance(timeout, tuple):
        parts = [float(t) for t in timeout if isinstance(t, int | float)]
        return max(parts) if parts else None
    return float(timeout) if isinstance(timeout, int | float) else None


class LimitedAdapter(HTTPAdapter):
    """A ``requests`` adapter whose responses are bounded: the body is streamed and capped at
    ``MAX_RESPONSE_BYTES`` (the rest is never read), and each request has a total deadline
    (``deadline`` seconds, else the request's own timeout) covering status line, headers and body."""

    def __init__(self, deadline: float | None = None, **kwargs: Any) -> None:
        self.deadline = deadline
        self.aborted = False
        self._active: set[_Watch] = set()
        self._active_lock = threading.Lock()
        super().__init__(**kwargs)

    def abort(self) -> None:
        """Abandon every request in flight and refuse new ones (the run was interrupted): blocked
        reads return at once instead of waiting out their deadline."""
        with self._active_lock:
            self.aborted = True
            active = list(self._active)
        for watch in active:
            watch.fire()

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}

    def send_limited(
        self, request: requests.PreparedRequest, timeout: Any, **kwargs: Any
    ) -> requests.Response:
        total = self.deadline if self.deadline is not None else _seconds(timeout)
        with _Watch(total) as watch:
            with self._active_lock:
                if self.aborted:
                    raise Interrupted("not sent: the run was interrupted", request=request)
                self._active.add(watch)
            try:
                response = super().send(request, stream=True, timeout=timeout, **kwargs)
                _read_capped(response)
            except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                if not watch.fired or isinstance(exc, OversizedResponse):
                    raise
                if self.aborted:
                    raise Interrupted("abandoned: the run was interrupted", request=request) from None
                message = f"no complete response within the {total:g} s deadline for the whole request"
                raise DeadlineExceeded(message, request=request) from None
            finally:
                with self._active_lock:
                    self._active.discard(watch)
        return response

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        return self.send_limited(request, timeout, verify=verify, cert=cert, proxies=proxies)


def _read_capped(response: requests.Response) -> None:
    """Read the body into ``response.content``, at most ``MAX_RESPONSE_BYTES``; a larger body is
    abandoned unread (the connection is closed) and nothing of it stays referenced."""
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
        response.close()
        raise OversizedResponse(
            f"response body of {declared} bytes exceeds the {MAX_RESPONSE_BYTES} byte cap"
        )
    body = bytearray()
    for chunk in response.iter_content(64 * 1024):
        body += chunk
        if len(body) > MAX_RESPONSE_BYTES:
            response.close()
            del body  # the exception's traceback must not keep the first 8 MiB alive
            raise OversizedResponse(
                f"response body exceeds the {MAX_RESPONSE_BYTES} byte cap; the rest was not read"
            )
    response._content = bytes(body)
    response._content_consumed = True


class GateAdapter(LimitedAdapter):
    def __init__(self, gate: Gate) -> None:
        super().__init__(deadline=gate.deadline, pool_maxsize=32)
        self.gate = gate

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        gate = self.gate
        method = (request.method or "GET").upper()
        url = request.url or ""
        if can_create(method) and (gate.no_create or not gate.budget.take()):
            if gate.no_create:
                gate.budget.refuse()
            raise BudgetExhausted(
                f"not sent: {method} {gate.redactor.text(url)} could create a job and "
                + ("--no-create is set" if gate.no_create else f"the budget of {gate.budget.limit} is spent"),
                request=request,
            )
        if gate.unresponsive is not None:
            raise Unresponsive(f"not sent: {gate.unresponsive}", request=request)
        if method == "DELETE":
            gate.note_delete(url)
        attempts = 0
        while True:
            started = time.monotonic()
            try:
                response = self.send_limited(request, timeout, verify=verify, cert=cert, proxies=proxies)
            except requests.exceptions.RequestException as exc:
                issue = Issue(classify(exc), gate.redactor.text(str(exc)), method, gate.redactor.text(url))
                gate.note(issue)
                gate.cassette.record(request, None, issue, time.monotonic() - started)
                raise
            elapsed = time.monotonic() - started
            carried = gate.cassette.carried(response)
            gate.redact_response(response)
            gate.count(request, response)
            gate.cassette.record(request, response, None, elapsed, carried)
            if response.status_code in GATEWAY_STATUSES:
                gate.note(
                    Issue(
                        "server_errors",
                        f"HTTP {response.status_code} from the gateway",
                        method,
                        gate.redactor.text(url),
                    )
                )
            if response.status_code == 429:
                if attempts < gate.max_retries_429 and not can_create(method):
                    attempts += 1
                    time.sleep(
                        min(
                            retry_after(response.headers.get("Retry-After"), 1.0 * attempts),
                            gate.max_retry_after,
                        )
                    )
                    continue
                gate.note(Issue("rate_limited", "HTTP 429 after retries", method, gate.redactor.text(url)))
            return response


def retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return default
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())
