"""The one registry of change kinds: what changed (the kind) and what it means for a client written
against OLD (the effect), separately for the request side (what the client sends) and the response
side (what the client reads). ``docs/diff-kinds.md`` is generated from this table
(``python -m specforge.render.reference_docs``), so the reference never drifts from the code."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from specforge.core.diagnostics import Severity


class Effect(StrEnum):
    """What a change means for a client of OLD talking to NEW."""

    BREAKING = "breaking"
    POTENTIALLY_BREAKING = "potentially-breaking"
    COMPATIBLE = "compatible"

    @property
    def rank(self) -> int:
        return {"compatible": 0, "potentially-breaking": 1, "breaking": 2}[self.value]

    @property
    def severity(self) -> Severity:
        """Findings renderers speak severities: breaking is an error, potentially-breaking a warning."""
        return {"breaking": Severity.ERROR, "potentially-breaking": Severity.WARNING}.get(
            self.value, Severity.INFO
        )


B, P, C = Effect.BREAKING, Effect.POTENTIALLY_BREAKING, Effect.COMPATIBLE


@dataclass(frozen=True)
class ChangeKind:
    """One kind of change. ``request``/``response`` is its effect on that side (None: the kind
    does not occur there); ``why`` is the rule in one sentence; ``absence`` marks kinds that only say
    something is missing, which an observed source (a cassette) cannot prove."""

    id: str
    title: str
    request: Effect | None
    response: Effect | None
    why: str
    area: str
    absence: bool = False
    #: how oasdiff classifies the same change, when it differs from ours (docs only)
    oasdiff: str = ""

    def effect(self, direction: str | None) -> Effect:
        if direction == "request" and self.request is not None:
            return self.request
        if direction == "response" and self.response is not None:
            return self.response
        found = self.request or self.response
        assert found is not None
        return found

    @property
    def anchor(self) -> str:
        return self.id


class KindRegistry:
    def __init__(self) -> None:
        self._kinds: dict[str, ChangeKind] = {}

    def add(self, kind: ChangeKind) -> ChangeKind:
        if kind.id in self._kinds:
            raise ValueError(f"change kind {kind.id!r} is already registered")
        if kind.request is None and kind.response is None:
            raise ValueError(f"change kind {kind.id!r} needs an effect on at least one side")
        self._kinds[kind.id] = kind
        return kind

    def __getitem__(self, kind_id: str) -> ChangeKind:
        return self._kinds[kind_id]

    def __iter__(self) -> Iterator[ChangeKind]:
        return iter(self._kinds.values())

    def __len__(self) -> int:
        return len(self._kinds)

    def __contains__(self, kind_id: object) -> bool:
        return kind_id in self._kinds


KINDS = KindRegistry()


def _kind(
    id: str,
    title: str,
    request: Effect | None,
    response: Effect | None,
    why: str,
    area: str,
    *,
    absence: bool = False,
    oasdiff: str = "",
) -> str:
    KINDS.add(
        ChangeKind(
            id, title, request, response, " ".join(why.split()), area, absence, " ".join(oasdiff.split())
        )
    )
    return id


# -- operations --------------------------------------------------------------------------------
OPERATION_REMOVED = _kind(
    "operation-removed",
    "operation removed",
    B,
    None,
    "A client of OLD calls it and gets 404/405.",
    "operations",
    absence=True,
)
OPERATION_ADDED = _kind(
    "operation-added", "operation added", C, None, "A client of OLD never calls it.", "operations"
)
SECURITY_ADDED = _kind(
    "security-added",
    "authentication required",
    B,
    None,
    "A client of OLD sends no credentials and gets 401.",
    "operations",
    oasdiff="info (`api-security-added`): oasdiff reports it for the changelog only",
)
SECURITY_REMOVED = _kind(
    "security-removed",
    "authentication no longer required",
    C,
    None,
    "Credentials a client of OLD sends are ignored.",
    "operations",
    absence=True,
)
SECURITY_CHANGED = _kind(
    "security-changed",
    "authentication scheme changed",
    B,
    None,
    "A client of OLD authenticates the old way (e.g. `Authorization: Bearer` instead of an `X-API-Key` "
    "header) and gets 401.",
    "operations",
    oasdiff="info (`api-security-added`/`-removed`): oasdiff does not compare what the schemes are",
)

# -- parameters --------------------------------------------------------------------------------
PARAMETER_ADDED = _kind(
    "parameter-added",
    "optional parameter added",
    C,
    None,
    "A client of OLD omits it, which NEW allows.",
    "parameters",
)
REQUIRED_PARAMETER_ADDED = _kind(
    "required-parameter-added",
    "required parameter added",
    B,
    None,
    "A client of OLD omits it; NEW rejects the request.",
    "parameters",
)
PARAMETER_REMOVED = _kind(
    "parameter-removed",
    "parameter removed",
    P,
    None,
    "A client of OLD still sends it; NEW may ignore it (its effect is lost) or reject it.",
    "parameters",
    absence=True,
    oasdiff="breaking (`request-parameter-removed`) unless deprecated first",
)

# -- bodies and media types ----------------------------------------------------------------------
BODY_REMOVED = _kind(
    "request-body-removed",
    "request body removed",
    B,
    None,
    "A client of OLD sends a body NEW does not describe.",
    "bodies",
    absence=True,
)
BODY_ADDED = _kind(
    "request-body-added",
    "optional request body added",
    C,
    None,
    "A client of OLD sends none, which an optional body allows.",
    "bodies",
)
REQUIRED_BODY_ADDED = _kind(
    "required-request-body-added",
    "required request body added",
    B,
    None,
    "A client of OLD sends none; NEW rejects the request.",
    "bodies",
)
MEDIA_TYPE_REMOVED = _kind(
    "media-type-removed",
    "media type removed",
    B,
    B,
    "Request: a client of OLD sends that media type and is refused (415). Response: a client of OLD "
    "parses that media type and gets another.",
    "bodies",
    absence=True,
)
MEDIA_TYPE_ADDED = _kind(
    "media-type-added",
    "media type added",
    C,
    C,
    "Request: a new way to send the body, unused by OLD's clients. Response: answered only to clients "
    "that ask for it (Accept).",
    "bodies",
)
SUCCESS_STATUS_REMOVED = _kind(
    "success-status-removed",
    "success status removed",
    None,
    B,
    "A client of OLD waits for that status (e.g. 200) and gets another.",
    "responses",
    absence=True,
)
SUCCESS_STATUS_ADDED = _kind(
    "success-status-added",
    "success status added",
    None,
    P,
    "A client of OLD that checks for the old success status (200) treats the new one (202) as an error.",
    "responses",
    oasdiff="info (`response-success-status-added`): listed for the changelog only",
)
ERROR_STATUS_REMOVED = _kind(
    "error-status-removed",
    "error status removed",
    None,
    C,
    "A client of OLD keeps a handler that no longer fires.",
    "responses",
    absence=True,
)
ERROR_STATUS_ADDED = _kind(
    "error-status-added",
    "error status added",
    None,
    C,
    "A client of OLD handles unknown error statuses generically.",
    "responses",
)

# -- schemas -----------------------------------------------------------------------------------
PROPERTY_ADDED = _kind(
    "property-added",
    "optional property added",
    C,
    C,
    "Request: a client of OLD omits it, which NEW allows. Response: clients ignore fields they do not know.",
    "schemas",
)
REQUIRED_PROPERTY_ADDED = _kind(
    "required-property-added",
    "required property added",
    B,
    C,
    "Request: a client of OLD omits it; NEW rejects the body (a default does not help: the body is "
    "invalid under NEW). Response: one more field a client may ignore.",
    "schemas",
)
PROPERTY_REMOVED = _kind(
    "property-removed",
    "optional property removed",
    P,
    P,
    "Request: a client of OLD still sends it; NEW may ignore it or reject it. Response: a client of OLD "
    "that reads it finds it missing more often (it was already optional).",
    "schemas",
    absence=True,
    oasdiff="request: breaking with a warning; response: breaking with a warning",
)
REQUIRED_PROPERTY_REMOVED = _kind(
    "required-property-removed",
    "required property removed",
    P,
    B,
    "Request: a client of OLD sends it; NEW does not describe it. Response: a client of OLD reads it "
    "unconditionally and fails without it.",
    "schemas",
    absence=True,
)
PROPERTY_RENAMED = _kind(
    "property-renamed",
    "property renamed to a known alias",
    B,
    B,
    "The same value under another name (`seconds`/`duration`, `size`/`resolution`, ...): a client of "
    "OLD sends or reads the old name, which NEW does not know.",
    "schemas",
    oasdiff="not detected: oasdiff reports a removed and an added property",
)
BECAME_REQUIRED = _kind(
    "became-required",
    "optional became required",
    B,
    C,
    "Request: a client of OLD may omit it; NEW rejects that. Response: guaranteed now, which no reader "
    "minds.",
    "schemas",
)
BECAME_OPTIONAL = _kind(
    "became-optional",
    "required became optional",
    C,
    B,
    "Request: a client of OLD always sends it, still fine. Response: a client of OLD reads it "
    "unconditionally and fails when it is missing.",
    "schemas",
)
TYPE_CHANGED = _kind(
    "type-changed",
    "type changed",
    B,
    B,
    "The JSON type sets do not nest (e.g. string → integer, object → array): a value valid for one is "
    "invalid for the other on both sides.",
    "schemas",
    oasdiff="breaking; a null alternative added through `anyOf` was reported as `response-property-type-changed` "
    "(its issue #398); specforge reports that as nullable-added",
)
TYPE_WIDENED = _kind(
    "type-widened",
    "type widened",
    C,
    B,
    "NEW accepts every type OLD did and more (integer → number, string → string or integer). Request: "
    "OLD's values still valid. Response: a client of OLD gets values of a type it cannot parse.",
    "schemas",
)
TYPE_NARROWED = _kind(
    "type-narrowed",
    "type narrowed",
    B,
    C,
    "NEW accepts fewer types than OLD (number → integer). Request: some values of OLD's clients are "
    "refused. Response: every value is still one a client of OLD parses.",
    "schemas",
)
NULLABLE_ADDED = _kind(
    "nullable-added",
    "became nullable",
    C,
    B,
    "Request: null now allowed too. Response: a client of OLD gets null where it expects a value.",
    "schemas",
)
NULLABLE_REMOVED = _kind(
    "nullable-removed",
    "no longer nullable",
    B,
    C,
    "Request: a client of OLD that sends null is refused. Response: never null now.",
    "schemas",
    absence=True,
)
ENUM_VALUE_ADDED = _kind(
    "enum-value-added",
    "enum value added",
    C,
    B,
    "Request: one more value a client of OLD never sends. Response: a client of OLD gets a value it "
    "does not know (an exhaustive `match`, a typed SDK's enum) — e.g. a job status besides "
    "queued/in_progress/completed/failed.",
    "schemas",
    oasdiff="response: a warning (`response-property-enum-value-added`, level WARN in its checker), not an error",
)
ENUM_VALUE_REMOVED = _kind(
    "enum-value-removed",
    "enum value removed",
    B,
    C,
    "Request: a client of OLD that sends it is refused. Response: one value fewer to handle.",
    "schemas",
    absence=True,
    oasdiff="request: breaking (`request-property-enum-value-removed`); response: info",
)
ENUM_ADDED = _kind(
    "enum-added",
    "values restricted to a list",
    B,
    C,
    "Request: a free value of OLD's clients may not be on the list. Response: fewer values to handle.",
    "schemas",
)
ENUM_REMOVED = _kind(
    "enum-removed",
    "values no longer restricted",
    C,
    B,
    "Request: every old value still valid. Response: a client of OLD may get values outside the list it "
    "handled.",
    "schemas",
    absence=True,
)
FORMAT_CHANGED = _kind(
    "format-changed",
    "format changed",
    P,
    P,
    "`format` is an annotation most validators ignore, but a client may parse by it (date-time, uri, "
    "int64): a changed format may or may not break it.",
    "schemas",
    oasdiff="request: breaking when the new format is narrower (none → int32); response: info (changelog only)",
)
UNIT_CHANGED = _kind(
    "unit-changed",
    "unit changed",
    B,
    B,
    "Same type, other unit (a timestamp in milliseconds instead of seconds): every value is valid and "
    "every value is wrong by a factor of 1000.",
    "schemas",
    oasdiff="not detected: units are outside JSON Schema",
)
BOUNDS_TIGHTENED = _kind(
    "bounds-tightened",
    "bounds tightened",
    B,
    C,
    "A smaller maximum or larger minimum (value, length or item count). Request: some values of OLD's "
    "clients are refused. Response: still within what OLD promised.",
    "schemas",
)
BOUNDS_RELAXED = _kind(
    "bounds-relaxed",
    "bounds relaxed",
    C,
    P,
    "A larger maximum or smaller minimum. Request: OLD's values still valid. Response: values beyond "
    "what OLD promised, which a client may not size for.",
    "schemas",
    oasdiff="response: an error since v1.31.0 for removed constraints (`response-property-max-length-unset`, ...)",
)
