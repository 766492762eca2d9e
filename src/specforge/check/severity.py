"""How bad a conformance failure is, defined once: ``blocking`` (an OpenAI-SDK client or the job
lifecycle breaks), ``major`` (a real defect a client can work around), ``minor`` (cosmetic or
protocol hygiene). ``RULES`` is read top to bottom, the first matching rule wins, and
``docs/severity.md`` is generated from it (``render.reference_docs.severity_markdown``), so the
docs and the classifier cannot drift apart."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    BLOCKING = "blocking"
    MAJOR = "major"
    MINOR = "minor"

    @property
    def rank(self) -> int:
        """0 is the most severe (sort key)."""
        return _RANK[self.value]

    def reaches(self, threshold: Level | str) -> bool:
        """True when this level is at least as severe as ``threshold`` (``--fail-on``)."""
        return self.rank <= Level(threshold).rank


_RANK = {"blocking": 0, "major": 1, "minor": 2}
LEVELS = tuple(level.value for level in Level)


@dataclass(frozen=True, slots=True)
class Signal:
    """The facts a rule looks at: which check failed, on which kind of operation (create,
    retrieve, content, list, ...), with which HTTP status, schema keyword and JSON pointer, and
    who reported it (``check``, ``sdk`` or ``relay``)."""

    check: str
    kind: str = "other"
    status: int | None = None
    keyword: str = ""
    pointer: str = ""
    source: str = "check"


@dataclass(frozen=True, slots=True)
class Rule:
    level: Level
    checks: tuple[str, ...]  # empty: any check
    when: str  # the condition in words (the docs column)
    why: str
    test: Callable[[Signal], bool] = lambda s: True


#: operation kinds an OpenAI-SDK client needs for create -> poll -> download
LIFECYCLE_KINDS = frozenset({"create", "retrieve", "content"})
#: job fields the SDK (and any client) must be able to read to follow a job
IDENTITY_FIELDS = frozenset({"", "/id", "/status", "/object", "/data"})


def _sent_with_token(s: Signal) -> bool:
    return s.status in (401, 403) and s.check not in ("auth_is_enforced", "ignored_auth")


RULES: tuple[Rule, ...] = (
    Rule(
        Level.BLOCKING,
        (),
        "reported by the OpenAI-SDK phase",
        "an SDK call failed: clients written against the SDK break",
        lambda s: s.source == "sdk",
    ),
    Rule(
        Level.BLOCKING,
        (),
        "HTTP 401/403 on a request carrying the configured token",
        "auth broken: no call can succeed",
        _sent_with_token,
    ),
    Rule(Level.BLOCKING, ("valid_create_is_accepted",), "always", "create rejected: no job can be made"),
    Rule(
        Level.BLOCKING,
        ("positive_data_acceptance",),
        "on the create operation",
        "a create the spec allows is rejected (e.g. without an optional `model`): SDK defaults break",
        lambda s: s.kind == "create",
    ),
    Rule(
        Level.BLOCKING,
        ("not_a_server_error",),
        "on create, retrieve or content",
        "create, poll or download broken",
        lambda s: s.kind in LIFECYCLE_KINDS,
    ),
    Rule(
        Level.BLOCKING,
        ("completed_job_content_is_mp4",),
        "always",
        "download broken: the video cannot be fetched",
    ),
    Rule(
        Level.BLOCKING,
        ("lifecycle_statuses_are_legal", "lifecycle_transitions_are_legal"),
        "always",
        "poll broken: `create_and_poll` waits for a status it never sees",
    ),
    Rule(
        Level.BLOCKING,
        ("response_schema_conformance", "content_type_conformance"),
        "a 2xx answer of create or retrieve whose body, `id`, `status` or `object` has the wrong type/shape",
        "types the SDK cannot read: the job cannot be followed",
        lambda s: (
            s.kind in ("create", "retrieve")
            and (s.status or 0) < 300
            and (s.check == "content_type_conformance" or s.pointer in IDENTITY_FIELDS)
        ),
    ),
    Rule(
        Level.MINOR,
        ("unsupported_method",),
        "always",
        "a 405 without `Allow`, or another status for an undocumented method",
    ),
    Rule(
        Level.MINOR,
        ("status_code_conformance",),
        "an undocumented 4xx",
        "the answer is still an error the client sees as one",
        lambda s: s.status is not None and 400 <= s.status < 500,
    ),
    Rule(
        Level.MINOR,
        ("content_type_conformance", "response_headers_conformance"),
        "any other answer",
        "headers and media types of error or auxiliary answers",
    ),
    Rule(
        Level.MINOR,
        ("progress_is_a_percentage", "progress_never_decreases"),
        "always",
        "progress is informational",
    ),
    Rule(
        Level.MINOR,
        ("negative_data_rejection",),
        "always",
        "fuzzed invalid input accepted (invalid_input_is_rejected covers real creates)",
    ),
    Rule(
        Level.MINOR,
        ("auth_is_enforced",),
        "the 401/403 is there but its body is not the documented error shape",
        "clients still see an auth error",
        lambda s: s.status in (401, 403),
    ),
    Rule(
        Level.MAJOR,
        (),
        "everything else (wrong field types, milliseconds, round-trip, accepted garbage, 5xx elsewhere)",
        "a real defect a client has to work around",
    ),
)


def classify(signal: Signal) -> Level:
    """The level of the first rule that matches ``signal``."""
    for rule in RULES:
        if (not rule.checks or signal.check in rule.checks) and rule.test(signal):
            return rule.level
    return Level.MAJOR  # pragma: no cover - the last rule matches everything
