"""The only module that imports schemathesis (pinned 4.32.5: its v4 engine API is not a documented
contract, so an upgrade touches this file and ``tests/check/test_check_engine.py`` only).

It offers specforge three things:
- ``run_engine``: schemathesis' engine (examples, coverage, fuzzing, stateful phases) with all its
  built-in checks plus specforge's registered response checks, every request going through the
  run's ``Gate`` (budget, cassette, redaction), results turned into plain ``EngineCase`` records;
- ``validate``: schemathesis' response-validation checks on one exchange specforge sent itself
  (lifecycle scenarios) or read back from a cassette (replay);
- ``plan``: the operations the engine would exercise, for ``--plan``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import AcceptedNegativeData, ServerError
from schemathesis.core.failures import Failure as StFailure
from schemathesis.engine import StopReason, events, from_schema
from schemathesis.engine.run import PhaseName
from schemathesis.openapi.checks import (
    JsonSchemaError,
    MissingHeaderNotRejected,
    RejectedPositiveData,
    UndefinedContentType,
    UndefinedStatusCode,
    UnsupportedMethodResponse,
)

import specforge.check.checks  # noqa: F401 - registers specforge's response checks
from specforge.check.judge import (
    RESPONSE_CHECKS,
    EngineCase,
    EngineFailure,
    exchange_of,
    failure_of,
    first_finding,
)
from specforge.check.registry import REGISTRY, Exchange, Finding
from specforge.check.spec import SpecModel
from specforge.check.transport import BudgetExhausted, Gate, classify
from specforge.openapi.validation import RefGuard

VERSION = schemathesis.__version__
ENGINE_PHASES = ("examples", "coverage", "fuzzing", "stateful")


@dataclass
class EngineOutcome:
    stop_reason: str = "completed"
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, operation, message)
    fatal: str | None = None


class SpecforgeFailure(StFailure):
    """A specforge response check's finding, carried through schemathesis' failure machinery."""

    code = "ST950"
    kind_title = "specforge check failed"

    def __init__(self, *, operation: str, finding: Finding) -> None:
        super().__init__(operation=operation, title=finding.check, message=finding.message)
        self.finding = finding

    @property
    def _unique_key(self) -> str:
        # Coarse and stable (values and list indices left out), or the stateful phase keeps
        # "discovering" the same finding with a new timestamp in it and never ends.
        return self.finding.check + ":" + re.sub(r"/\d+(?=/|$)", "/*", self.finding.pointer)


# -- run registry: schemathesis calls back with only a config / schema at hand ------------------

_RUNS: dict[int, _Route] = {}
_LOCK = threading.Lock()
_INSTALLED = False
#: runs inside ``_routed`` right now, and the originals its patches replaced (while any is)
_ACTIVE = 0
_ORIGINALS: tuple[Any, Any] | None = None


@dataclass
class _Route:
    gate: Gate
    spec: SpecModel


def _install() -> None:
    """Register specforge's response checks with schemathesis and guard its reference loading.
    Both are global in schemathesis by design and cannot be scoped: ``schemathesis.check`` adds
    to the one check registry (the wrapped checks are no-ops for configs not in ``_RUNS``, so
    they judge nothing outside a specforge run), and the reference guard only ever refuses.
    Idempotent. Routing sessions through a run's Gate is scoped: see ``_routed``."""
    global _INSTALLED
    with _LOCK:
        if _INSTALLED:
            return
        _guard_references()
        for registered in REGISTRY.response_checks():
            schemathesis.check(_wrap(registered.name))
        _INSTALLED = True


@contextmanager
def _routed(config: Any, route: _Route) -> Iterator[None]:
    """Route every engine session of ``config`` (and checks that re-send without one) through
    ``route.gate`` while the block runs. The first run in patches schemathesis'
    ``make_session`` and ``RequestsTransport.send``, the last one out restores the originals
    (a count under the lock, so concurrent runs in one process share one installation)."""
    global _ACTIVE
    with _LOCK:
        if _ACTIVE == 0:
            _patch()
        _ACTIVE += 1
        _RUNS[id(config)] = route
    try:
        yield
    finally:
        with _LOCK:
            _RUNS.pop(id(config), None)
            _ACTIVE -= 1
            if _ACTIVE == 0:
                _unpatch()


def _patch() -> None:
    global _ORIGINALS
    import schemathesis.engine.context as context
    from schemathesis.transport.requests import RequestsTransport, SameHostRedirectsSession

    original = context.make_session
    original_send = RequestsTransport.send
    _ORIGINALS = (original, original_send)

    def make_session(config: Any, *, operation: Any = None) -> requests.Session:
        session = original(config, operation=operation)
        run = _RUNS.get(id(config))
        if run is not None:
            run.gate.mount(session)
        return session

    # Checks that re-send a request (ignored_auth, unsupported_method, ...) may call the
    # transport without a session; give them a gated one too.
    def send(self: Any, case: Any, *, session: requests.Session | None = None, **kwargs: Any) -> Any:
        run = _RUNS.get(id(case.operation.schema.config))
        if run is None:
            return original_send(self, case, session=session, **kwargs)
        if session is not None:
            run.gate.mount(session)
            return original_send(self, case, session=session, **kwargs)
        own = run.gate.mount(SameHostRedirectsSession())
        try:
            return original_send(self, case, session=own, **kwargs)
        finally:
            own.close()

    context.make_session = make_session
    RequestsTransport.send = send  # type: ignore[method-assign]


def _unpatch() -> None:
    global _ORIGINALS
    import schemathesis.engine.context as context
    from schemathesis.transport.requests import RequestsTransport

    assert _ORIGINALS is not None
    context.make_session, RequestsTransport.send = _ORIGINALS  # type: ignore[method-assign]
    _ORIGINALS = None


def _guard_references() -> None:
    """schemathesis resolves every non-local ``$ref`` through the module-level
    ``schemathesis.core.jsonschema.resolver.retrieve`` (``open``, ``urlopen`` or ``requests.get``)
    and fetches ``externalValue`` examples with ``requests.get``. Specs reach it self-contained
    (``spec.load_spec`` inlines in-folder files through core's resolver), so any reference still
    asking for a file or URL is hostile: both hooks are replaced by core's guard, which refuses."""
    import schemathesis.core.jsonschema.resolver as resolver
    import schemathesis.specs.openapi.examples as examples

    guard = RefGuard(None)
    resolver.retrieve = guard.load

    def no_external_example(url: str) -> bytes:
        raise requests.exceptions.InvalidURL(f"externalValue `{url}` is not fetched")

    examples.load_external_example = no_external_example  # type: ignore[assignment]


def _wrap(name: str) -> Callable[..., None]:
    def run_check(ctx: Any, response: Any, case: Any) -> None:
        run = _RUNS.get(id(case.operation.schema.config))
        if run is None:
            return None
        finding = first_finding(name, _exchange_from(run.spec, case, response))
        if finding is not None:
            raise SpecforgeFailure(operation=case.operation.label, finding=finding)
        return None

    run_check.__name__ = name
    run_check.__qualname__ = name
    return run_check


def _exchange_from(spec: SpecModel, case: Any, response: Any) -> Exchange:
    request = response.request
    url = str(getattr(request, "url", "") or "")
    method = str(getattr(request, "method", "") or case.method).upper()
    body = case.body if isinstance(case.body, dict | list) else None
    return exchange_of(
        spec,
        spec.operation_for(method, urlsplit(url).path),
        method,
        url,
        int(response.status_code),
        {k: v[0] if isinstance(v, list) else v for k, v in response.headers.items()},
        response.content or b"",
        body,
    )


# -- configuration ---------------------------------------------------------------------------


def warm_generation() -> None:
    """Fill hypothesis' process-wide caches that the first generated string would fill: the
    character table of the codec schemathesis draws strings with (``utf-8``) and the constants
    it collects from loaded modules. Values drawn afterwards are the same (the caches are pure);
    only where the CPU time is spent moves (see ``check.warm``)."""
    import hypothesis.strategies as st

    st.characters(codec="utf-8").validate()
    try:  # private, best effort: a renamed internal costs speed, never correctness
        from hypothesis.internal.conjecture.providers import _get_local_constants

        _get_local_constants()
    except ImportError:
        pass


def api_base_url(base_url: str, spec: SpecModel) -> str:
    """``http://host:port`` + the spec's server path prefix, unless the URL already has a path."""
    base = base_url.rstrip("/")
    if urlsplit(base).path not in ("", "/"):
        return base
    return base + spec.prefix


def _config(
    base_url: str,
    *,
    headers: dict[str, str],
    max_examples: int,
    seed: int | None,
    workers: int,
    request_timeout: float,
    phases: tuple[str, ...],
    shrink: bool = False,
) -> SchemathesisConfig:
    data: dict[str, Any] = {
        "base-url": base_url,
        "headers": headers,
        "workers": workers,
        "request-timeout": request_timeout,
        # no example database: the same seed must send the same requests every run (a database
        # replays earlier failures first), and nothing is written to the user's folder for it
        "generation": {"max-examples": max_examples, "no-shrink": not shrink, "database": "none"},
        "phases": {name: {"enabled": name in phases} for name in ENGINE_PHASES},
        "output": {"sanitization": {"enabled": True}},
        "cache": {"enabled": False},
    }
    if seed is not None:
        data["seed"] = seed
    return SchemathesisConfig.from_dict(data)


def load_schema(
    document: dict[str, Any],
    base_url: str,
    *,
    spec: SpecModel,
    headers: dict[str, str] | None = None,
    max_examples: int = 20,
    seed: int | None = None,
    workers: int = 1,
    request_timeout: float = 30.0,
    phases: tuple[str, ...] = ENGINE_PHASES,
) -> Any:
    config = _config(
        api_base_url(base_url, spec),
        headers=headers or {},
        max_examples=max_examples,
        seed=seed,
        workers=workers,
        request_timeout=request_timeout,
        phases=phases,
    )
    try:
        return schemathesis.openapi.from_dict(document, config=config)
    except Exception as exc:  # noqa: BLE001 - schemathesis' loader errors have no common base we can rely on
        from specforge.core import InputError

        raise InputError(
            f"schemathesis cannot load the spec: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
            hint="run `specforge lint` on the spec",
        ) from None


# -- engine run ------------------------------------------------------------------------------


def run_engine(
    schema: Any,
    *,
    gate: Gate,
    spec: SpecModel,
    exclude_methods: tuple[str, ...] = (),
    on_case: Callable[[EngineCase], None] | None = None,
    stop: threading.Event | None = None,
) -> EngineOutcome:
    """Run schemathesis' engine; every finished case is handed to ``on_case``."""
    _install()
    if exclude_methods:
        schema = schema.exclude(method=list(exclude_methods))
    outcome = EngineOutcome()
    with _routed(schema.config, _Route(gate, spec)):
        stream = from_schema(schema).execute()
        for event in stream:
            if stop is not None and stop.is_set():
                stream.stop()
            if isinstance(event, events.ScenarioFinished):
                for case in _cases(event, gate):
                    if on_case is not None:
                        on_case(case)
            elif isinstance(event, events.NonFatalError):
                kind = (
                    classify(event.value)
                    if isinstance(event.value, requests.RequestException)
                    else "engine_error"
                )
                if kind != "budget":
                    outcome.errors.append((kind, event.label, gate.redactor.text(event.info.message)))
            elif isinstance(event, events.FatalError):
                outcome.fatal = gate.redactor.text(f"{type(event.exception).__name__}: {event.exception}")
            elif isinstance(event, events.EngineFinished):
                outcome.stop_reason = str(event.stop_reason.value)
                if event.stop_reason == StopReason.SERVER_UNAVAILABLE:
                    outcome.errors.append(("server_gone", "", "the server stopped responding"))
    return outcome


def _cases(event: Any, gate: Gate) -> Iterator[EngineCase]:
    recorder = event.recorder
    phase = PhaseName(event.phase).value
    red = gate.redactor
    for case_id, node in recorder.cases.items():
        case = node.value
        interaction = recorder.interactions.get(case_id)
        checks = recorder.checks.get(case_id, [])
        label = case.operation.label
        record = EngineCase(id=case_id, operation=label, phase=phase, method=case.method.upper())
        if interaction is not None:
            record.url = red.text(interaction.request.uri)
            record.request_body = interaction.request.body
            response = interaction.response
            if response is not None:
                record.status_code = response.status_code
                record.response_excerpt = red.excerpt(response.content)
                record.elapsed = float(getattr(response, "elapsed", 0.0) or 0.0)
        elif not checks:
            continue  # generated but never sent (e.g. filtered out)
        seen: set[str] = set()
        for node_check in checks:
            if node_check.failure_info is None:
                if node_check.name not in seen:
                    record.passed.append(node_check.name)
                    seen.add(node_check.name)
                continue
            info = node_check.failure_info
            if node_check.name == "negative_data_rejection" and _multipart_type_only(
                info.failure, interaction
            ):
                # multipart/form-data carries text only: "wrong type" values (a number for an
                # array, "null" for an object) are indistinguishable from valid text on the wire
                record.passed.append(node_check.name)
                continue
            record.curl = red.text(info.code_sample)
            record.failures.append(_failure(node_check.name, info.failure, red))
        record.passed = [name for name in record.passed if name not in {f.check for f in record.failures}]
        if interaction is not None and interaction.response is None:
            record.error = "no response"
        yield record
    # network errors are reported as NonFatalError events; budget blocks show up here as cases
    for case_id, error in getattr(
        recorder, "network_errors", {}
    ).items():  # pragma: no cover - version dependent
        yield EngineCase(
            id=case_id, operation=recorder.label, phase=phase, error=str(error), error_kind=classify(error)
        )


def _multipart_type_only(failure: Any, interaction: Any) -> bool:
    if interaction is None:
        return False
    ctype = str(
        interaction.request.headers.get("Content-Type", [""])[0]
        if isinstance(interaction.request.headers.get("Content-Type"), list)
        else interaction.request.headers.get("Content-Type", "")
    )
    message = str(getattr(failure, "message", ""))
    return (
        "multipart/form-data" in ctype
        and "Invalid component" in message
        and ("Incorrect type" in message or "violates `type`" in message)
    )


def _failure(name: str, failure: Any, red: Any) -> EngineFailure:
    if isinstance(failure, SpecforgeFailure):
        return failure_of(failure.finding, red.text)
    expected, actual, pointer, keyword = "", "", "", ""
    if isinstance(failure, JsonSchemaError):
        keyword = str(list(failure.schema_path or [""])[-1])
        expected = _schema_expectation(failure._root_schema, list(failure.schema_path or []))
        actual = _short(red.data(failure.instance))  # redacted before it is cut
        path = failure.instance_path or []
        pointer = "/" + "/".join(str(p) for p in path) if path else ""
    elif isinstance(failure, UndefinedStatusCode):
        expected = "one of " + ", ".join(str(c) for c in failure.defined_status_codes)
        actual = str(failure.status_code)
    elif isinstance(failure, UndefinedContentType):
        expected = ", ".join(failure.defined_content_types)
        actual = str(failure.content_type)
    elif isinstance(failure, RejectedPositiveData):
        expected = "one of " + ", ".join(str(c) for c in failure.allowed_statuses)
        actual = f"HTTP {failure.status_code}"
    elif isinstance(failure, AcceptedNegativeData | MissingHeaderNotRejected):
        expected = "one of " + ", ".join(str(c) for c in failure.expected_statuses)
        actual = str(failure.status_code)
    elif isinstance(failure, ServerError | UnsupportedMethodResponse):
        actual = f"HTTP {failure.status_code}"
        expected = "a non-5xx response" if name == "not_a_server_error" else ""
    message = red.text(str(getattr(failure, "message", "") or failure))
    return EngineFailure(
        name,
        red.text(str(getattr(failure, "title", name))),
        message,
        red.text(expected),
        red.text(actual),
        pointer,
        keyword=keyword,
    )


def _schema_expectation(root: Any, path: list[Any]) -> str:
    """The schema keyword a JSON Schema error is about, e.g. `enum: ["queued", ...]`."""
    node = root
    for part in path:
        if (
            isinstance(node, dict)
            and part in node
            or isinstance(node, list)
            and isinstance(part, int)
            and part < len(node)
        ):
            node = node[part]
        else:
            return "/".join(str(p) for p in path)
    keyword = str(path[-1]) if path else "schema"
    return f"{keyword}: {_short(node)}"


def _short(value: Any, limit: int = 400) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


# -- single-exchange validation (lifecycle scenarios, replay) -----------------------------------


def validate(schema: Any, response: requests.Response, *, red: Any, body: Any = None) -> list[EngineFailure]:
    """schemathesis' response checks on one exchange; [] when the request matches no operation."""
    _install()
    request = response.request
    path = urlsplit(request.url or "").path
    base_path = urlsplit(schema.get_base_url()).path.rstrip("/")
    if base_path and path.startswith(base_path):
        path = path[len(base_path) :] or "/"
    operation = schema.find_operation_by_path(request.method or "GET", path)
    if operation is None:
        return []
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    checks = [CHECKS.get_one(name) for name in RESPONSE_CHECKS]
    params = _path_parameters(str(operation.path), path)
    checked: Any = response
    if response.raw is None:  # rebuilt from a cassette: no urllib3 headers to read
        from schemathesis.core.transport import Response as StResponse

        checked = StResponse(
            status_code=response.status_code,
            headers={name.lower(): [value] for name, value in response.headers.items()},
            content=response.content or b"",
            request=request,
            elapsed=response.elapsed.total_seconds(),
            verify=True,
            message=response.reason or "",
            encoding=response.encoding,
            http_version="1.1",
        )
    try:
        if body is not None:
            media = str(request.headers.get("Content-Type", "application/json")).split(";")[0].strip()
            case = operation.Case(path_parameters=params, body=body, media_type=media)
        else:
            case = operation.Case(path_parameters=params)
        case.validate_response(checked, checks=checks)
    except (AssertionError, BaseExceptionGroup) as group:
        failures = list(getattr(group, "exceptions", None) or [group])
        out = []
        for failure in failures:
            name = next(
                (c for c in getattr(failure, "checks", ()) if c in RESPONSE_CHECKS),
                "response_schema_conformance",
            )
            out.append(_failure(name, failure, red))
        return out
    except Exception as exc:  # noqa: BLE001 - a validator crash must not abort the run
        return [
            EngineFailure(
                "response_schema_conformance", "validation error", red.text(f"{type(exc).__name__}: {exc}")
            )
        ]
    return []


def _path_parameters(template: str, path: str) -> dict[str, str]:
    names = re.findall(r"\{([^}]+)\}", template)
    pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(template)) + "/?$"
    match = re.match(pattern, path)
    return dict(zip(names, match.groups(), strict=False)) if match else {}


def find_label(schema: Any, method: str, url: str) -> str | None:
    path = urlsplit(url).path
    base_path = urlsplit(schema.get_base_url()).path.rstrip("/")
    if base_path and path.startswith(base_path):
        path = path[len(base_path) :] or "/"
    operation = schema.find_operation_by_path(method, path)
    return None if operation is None else str(operation.label)


def plan(schema: Any) -> list[tuple[str, str, str]]:
    """(method, path, operation label) of every operation the engine would test."""
    out = []
    for result in schema.get_all_operations():
        try:
            operation = result.ok()
        except Exception:  # noqa: BLE001 - an invalid operation is listed by label only
            continue
        out.append((operation.method.upper(), operation.path, operation.label))
    return out


def builtin_check_names() -> list[str]:
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    names = [n for n in CHECKS.get_all_names() if not n.startswith("_") and n not in REGISTRY]
    return sorted(names)


__all__ = [
    "ENGINE_PHASES",
    "RESPONSE_CHECKS",
    "VERSION",
    "BudgetExhausted",
    "EngineCase",
    "EngineFailure",
    "EngineOutcome",
    "api_base_url",
    "builtin_check_names",
    "find_label",
    "load_schema",
    "plan",
    "run_engine",
    "validate",
]
