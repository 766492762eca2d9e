"""The one judge of an exchange. Whoever sent it — a scenario, schemathesis' engine, or a cassette
being replayed — a response is held to the spec's conformance verdict (schemathesis' response
checks, handed in as ``conformance``: only ``engine`` imports schemathesis) and to every
registered response check, and comes out as typed failures on an ``EngineCase``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from specforge.check.registry import REGISTRY, Exchange, Finding
from specforge.check.spec import Operation, SpecModel

#: schemathesis' built-in checks that judge a single response on its own (the conformance verdict)
RESPONSE_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)


@dataclass
class EngineFailure:
    """One failed check on one exchange (schemathesis' or specforge's)."""

    check: str
    title: str
    message: str
    expected: str = ""
    actual: str = ""
    pointer: str = ""
    hint: str | None = None
    origin: str = "schemathesis"
    keyword: str = ""  # the JSON Schema keyword of a schema failure (type, enum, required, ...)


@dataclass
class EngineCase:
    """One exchange (or one scenario step), with the checks it passed and failed."""

    id: str
    operation: str
    phase: str
    method: str = ""
    url: str = ""
    status_code: int | None = None
    response_excerpt: str = ""
    curl: str = ""
    passed: list[str] = field(default_factory=list)
    failures: list[EngineFailure] = field(default_factory=list)
    error: str | None = None
    error_kind: str | None = None  # "budget" or an infrastructure kind
    elapsed: float = 0.0
    request_body: bytes | None = None  # as sent, to find the exchange in the cassette
    cassette: list[int] = field(default_factory=list)  # cassette seqs, when known directly (replay)


def failure_of(finding: Finding, text: Callable[[str], str] = str) -> EngineFailure:
    """A specforge finding as a case failure (``text`` redacts what it copied from a response)."""
    return EngineFailure(
        finding.check,
        finding.check,
        text(finding.message),
        text(finding.expected),
        text(finding.actual),
        finding.pointer,
        finding.hint,
        "specforge",
    )


def first_finding(name: str, exchange: Exchange) -> Finding | None:
    """The first finding of the registered response check ``name`` (one per check and exchange:
    the rest of a response's violations of one property add nothing a reader acts on)."""
    registered = REGISTRY.get(name)
    assert registered.func is not None
    return next(iter(registered.func(exchange)), None)


def exchange_of(
    spec: SpecModel,
    op: Operation | None,
    method: str,
    url: str,
    status: int,
    headers: Mapping[str, Any],
    body: bytes,
    request_body: Any = None,
) -> Exchange:
    return Exchange(
        spec, op, method, url, status, {k.lower(): str(v) for k, v in headers.items()}, body, request_body
    )


@dataclass
class Judge:
    """Judges exchanges against one spec: ``conformance(response, request body)`` is the spec's
    verdict from schemathesis (``engine.validate`` on the run's schema)."""

    spec: SpecModel
    conformance: Callable[[requests.Response, Any], list[EngineFailure]]

    def judge(
        self,
        case: EngineCase,
        op: Operation,
        method: str,
        url: str,
        response: requests.Response,
        body: Any = None,
        *,
        credit_failed_conformance: bool = True,
    ) -> Exchange:
        """Add the failures and passed checks of ``response`` to ``case``; returns the exchange
        the checks saw. With ``credit_failed_conformance`` off (replay), schemathesis' checks
        count as passed only on a response none of them failed — fingerprint ranks variants by
        violations per check, so that count is part of its result."""
        failures = list(self.conformance(response, body))
        case.failures.extend(failures)
        if credit_failed_conformance or not failures:
            case.passed.extend(RESPONSE_CHECKS)
        exchange = exchange_of(
            self.spec,
            op,
            method,
            url,
            response.status_code,
            response.headers,
            response.content or b"",
            body,
        )
        for registered in REGISTRY.response_checks():
            finding = first_finding(registered.name, exchange)
            if finding is None:
                case.passed.append(registered.name)
            else:
                case.failures.append(failure_of(finding))
        return exchange


def settle(case: EngineCase) -> EngineCase:
    """A check that failed on ``case`` did not pass on it: passed checks sorted, failed ones out."""
    failed = {f.check for f in case.failures}
    case.passed = sorted(set(case.passed) - failed)
    return case
