"""Join what the client sent through a relay (the check's cassette) with what the upstream mock
received (its recorder), and name every difference a client would pay for or trip over:

- ``relay_forwards_fields``: a create's ``seconds``/``size``/``model``/``input_reference``/prompt or
  extra field dropped, rewritten or added on the way up;
- ``relay_creates_once``: one client create became several upstream creates (a retried create
  is a paid video the client never sees), or the relay created upstream jobs no client create
  explains;
- ``relay_keeps_credentials_apart``: the client's token reached the upstream, or the upstream key
  came back to the client;
- ``relay_keeps_client_ids``: an id the client was never given (the upstream's own) shows up in a
  client answer, or a remix does not name the id the client remixed;
- ``relay_passes_headers``: a header the upstream sets (``openai-poll-after-ms``) lost on the way.

Pure functions over plain data (cassette entries and recorder records), so the join is tested
without any relay running. Each finding shows both sides."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs, urlsplit

from specforge.check.spec import SpecModel
from specforge.core.cassette import body_bytes
from specforge.mock.recorder import credential_sha256

FIELDS_CHECK = "relay_forwards_fields"
CREATES_CHECK = "relay_creates_once"
CREDENTIALS_CHECK = "relay_keeps_credentials_apart"
IDS_CHECK = "relay_keeps_client_ids"
HEADERS_CHECK = "relay_passes_headers"
#: headers the upstream sets that a client relies on (the OpenAI SDK's poll pacing)
PASSED_HEADERS = ("openai-poll-after-ms",)
#: seconds of slack around a client exchange when looking for the upstream requests it caused
SLACK = 0.25
UPSTREAM_KEY_LABEL = "upstream-key"


@dataclass(frozen=True)
class RelayFinding:
    """One difference between the two sides; ``count`` exchanges showed it (one example kept).
    ``severity``: blocking (a client breaks or a secret leaks), major (cost or wrong output),
    minor (degraded, e.g. slower polling)."""

    check: str
    message: str
    client: str
    upstream: str
    operation: str
    severity: str
    count: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "message": self.message,
            "client": self.client,
            "upstream": self.upstream,
            "operation": self.operation,
            "severity": self.severity,
            "count": self.count,
        }


@dataclass
class JoinSummary:
    """Counts of the join: what the client sent, what reached the upstream, and the findings."""

    client_creates: int = 0
    upstream_creates: int = 0
    upstream_requests: int = 0
    matched_creates: int = 0
    retried_creates: int = 0
    findings: list[RelayFinding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "client_creates": self.client_creates,
            "upstream_creates": self.upstream_creates,
            "upstream_requests": self.upstream_requests,
            "matched_creates": self.matched_creates,
            "retried_creates": self.retried_creates,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass
class _Create:
    """A create (or remix) the client sent, with the upstream creates it caused."""

    entry: dict[str, Any]
    label: str
    fields: dict[str, Any] | None
    start: float
    end: float
    upstream: list[dict[str, Any]] = field(default_factory=list)


def join(
    client: list[dict[str, Any]],
    upstream: list[dict[str, Any]],
    *,
    client_spec: SpecModel,
    upstream_spec: SpecModel,
    client_token: str | None,
    upstream_key: str | None,
) -> JoinSummary:
    """The findings of one relay run. ``client``: cassette entries (redacted, as written);
    ``upstream``: the mock's recorder records."""
    summary = JoinSummary(upstream_requests=len(upstream))
    creates = _client_creates(client, client_spec)
    up_creates = [r for r in upstream if _creates(upstream_spec, r["method"], r["path"])]
    summary.client_creates, summary.upstream_creates = len(creates), len(up_creates)
    _match(creates, up_creates)
    summary.matched_creates = sum(1 for c in creates if c.upstream)
    summary.retried_creates = sum(1 for c in creates if len(c.upstream) > 1)
    findings: list[RelayFinding] = []
    findings += _multiplied(creates, up_creates)
    findings += _fields(creates)
    findings += _credentials(client, upstream, client_token, upstream_key, client_spec)
    findings += _ids(client, creates, client_spec)
    findings += _headers(client, upstream, client_spec, upstream_spec)
    order = {"blocking": 0, "major": 1, "minor": 2}
    summary.findings = sorted(findings, key=lambda f: (order.get(f.severity, 3), f.check, f.message))
    return summary


# -- reading both sides ----------------------------------------------------------------------------


def _creates(spec: SpecModel, method: str, path: str) -> bool:
    op = spec.operation_for(method, path)
    return op is not None and op.kind in ("create", "remix")


def _client_creates(client: list[dict[str, Any]], spec: SpecModel) -> list[_Create]:
    out = []
    for entry in client:
        request, response = entry["request"], entry.get("response")
        path = urlsplit(request["url"]).path
        if response is None or not _creates(spec, request["method"], path):
            continue
        op = spec.operation_for(request["method"], path)
        end = float(entry["time"])
        start = end - float(response.get("elapsed") or 0.0)
        out.append(_Create(entry, op.label if op else path, request_fields(request), start, end))
    return out


def request_fields(request: dict[str, Any]) -> dict[str, Any] | None:
    """The body fields of a cassette request as the recorder writes them (form files as
    ``{"file": name, "size": bytes}``); None when the body cannot be read back."""
    body = request.get("body")
    if body is None:
        return None
    raw = body_bytes(request)
    if request.get("truncated"):
        return None
    media = next((v for k, v in (request.get("headers") or {}).items() if k.lower() == "content-type"), "")
    if "multipart/form-data" in media:
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + media.encode("latin-1") + b"\r\n\r\n" + raw
        )
        fields: dict[str, list[Any]] = defaultdict(list)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            raw_payload = part.get_payload(decode=True)
            payload = raw_payload if isinstance(raw_payload, bytes) else b""
            filename = part.get_filename()
            if filename is not None:
                fields[name].append({"file": filename, "size": len(payload)})
            else:
                fields[name].append(payload.decode("utf-8", "replace"))
        return {k: v[0] if len(v) == 1 else v for k, v in fields.items()}
    if "form-urlencoded" in media:
        return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _match(creates: list[_Create], up_creates: list[dict[str, Any]]) -> None:
    """Each upstream create goes to the client create that was in flight when it arrived (same
    prompt where both sides have one); the relay's own creates stay unmatched."""
    for record in up_creates:
        when = float(record["time"])
        prompt = (record.get("fields") or {}).get("prompt")
        candidates = [c for c in creates if c.start - SLACK <= when <= c.end + SLACK]
        same = [
            c
            for c in candidates
            if prompt is None or c.fields is None or c.fields.get("prompt") in (None, prompt)
        ]
        pool = same or candidates
        if not pool:
            continue
        # a create whose request was in flight beats one that merely sits within the slack; then
        # one that has no upstream create yet (sequential creates), then the nearest start
        chosen = min(
            pool, key=lambda c: (not c.start <= when <= c.end, bool(c.upstream), abs(when - c.start))
        )
        chosen.upstream.append(record)


# -- the checks ------------------------------------------------------------------------------------


def _show(value: Any) -> str:
    return "(absent)" if value is _ABSENT else json.dumps(value, ensure_ascii=False)[:200]


_ABSENT = object()


def _same(a: Any, b: Any) -> bool:
    """Equal as a client means it: a form's "4" and JSON's 4 are the same value; files by size."""
    if (
        isinstance(a, dict)
        and isinstance(b, dict)
        and "size" in a
        and "size" in b
        and ("file" in a or "file" in b)
    ):
        return bool(a.get("size") == b.get("size"))
    if isinstance(a, dict | list) or isinstance(b, dict | list):
        return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    return (
        str(a).lower() == str(b).lower() if isinstance(a, bool) or isinstance(b, bool) else str(a) == str(b)
    )


def _fields(creates: list[_Create]) -> list[RelayFinding]:
    grouped: dict[tuple[str, str, str], list[tuple[Any, Any]]] = defaultdict(list)
    for create in creates:
        if create.fields is None or not create.upstream or create.upstream[0].get("fields") is None:
            continue
        sent, got = create.fields, create.upstream[0]["fields"]
        for name in sorted(set(sent) | set(got)):
            a, b = sent.get(name, _ABSENT), got.get(name, _ABSENT)
            if a is _ABSENT:
                kind = "added"
            elif b is _ABSENT:
                kind = "dropped"
            elif _same(a, b):
                continue
            else:
                kind = "rewritten"
            grouped[(create.label, name, kind)].append((a, b))
    out = []
    for (label, name, kind), pairs in grouped.items():
        a, b = pairs[0]
        verb = {
            "added": "was added by the relay (the client did not send it)",
            "dropped": "was not forwarded to the upstream",
            "rewritten": "reached the upstream with another value",
        }[kind]
        key_field = name in ("seconds", "size", "model", "input_reference", "prompt")
        out.append(
            RelayFinding(
                FIELDS_CHECK,
                f"create field `{name}` {verb}",
                f"client sent {name}={_show(a)}",
                f"upstream received {name}={_show(b)}",
                label,
                "major" if key_field or kind != "added" else "minor",
                len(pairs),
            )
        )
    return out


def _multiplied(creates: list[_Create], up_creates: list[dict[str, Any]]) -> list[RelayFinding]:
    out = []
    retried = [c for c in creates if len(c.upstream) > 1]
    if retried:
        extra = sum(len(c.upstream) - 1 for c in retried)
        example = retried[0]
        statuses = ", ".join(str(r.get("status")) for r in example.upstream)
        out.append(
            RelayFinding(
                CREATES_CHECK,
                f"{len(retried)} client create(s) were sent upstream more than once ({extra} extra paid job(s))",
                f"1 create ({example.label}) answered HTTP {example.entry['response']['status']}",
                f"{len(example.upstream)} upstream creates answered {statuses}",
                example.label,
                "major",
                len(retried),
            )
        )
    stray = [r for r in up_creates if not any(r in c.upstream for c in creates)]
    if stray:
        out.append(
            RelayFinding(
                CREATES_CHECK,
                f"{len(stray)} upstream create(s) match no client create in flight",
                "no create in flight",
                f"{stray[0]['method']} {stray[0]['path']} at {stray[0]['time']}",
                stray[0]["path"],
                "major",
                len(stray),
            )
        )
    return out


def _credentials(
    client: list[dict[str, Any]],
    upstream: list[dict[str, Any]],
    client_token: str | None,
    upstream_key: str | None,
    spec: SpecModel,
) -> list[RelayFinding]:
    out = []
    if client_token:
        digest = credential_sha256(client_token)
        forwarded = [r for r in upstream if digest in (r.get("credentials_sha256") or {}).values()]
        if forwarded:
            r = forwarded[0]
            out.append(
                RelayFinding(
                    CREDENTIALS_CHECK,
                    "the client's token was forwarded to the upstream",
                    "Authorization: Bearer *** (the client's token)",
                    f"{r['method']} {r['path']} arrived with the client's token",
                    r["path"],
                    "blocking",
                    len(forwarded),
                )
            )
    if upstream_key:
        digest = credential_sha256(upstream_key)
        refused = [
            r
            for r in upstream
            if r.get("status") == 401 and digest not in (r.get("credentials_sha256") or {}).values()
        ]
        if refused:
            r = refused[0]
            out.append(
                RelayFinding(
                    CREDENTIALS_CHECK,
                    "the relay did not send its upstream key: the upstream refused it (HTTP 401)",
                    "a request with the client's own token",
                    f"{r['method']} {r['path']} arrived "
                    + ("with another credential" if r.get("credentials_sha256") else "without credentials"),
                    r["path"],
                    "blocking",
                    len(refused),
                )
            )
    leaked = [e for e in client if UPSTREAM_KEY_LABEL in (e.get("secrets") or ())]
    if leaked:
        e = leaked[0]
        op = spec.operation_for(e["request"]["method"], urlsplit(e["request"]["url"]).path)
        out.append(
            RelayFinding(
                CREDENTIALS_CHECK,
                "the upstream key was returned to the client",
                f"{e['request']['method']} {e['request']['url']} "
                f"answered HTTP {e['response']['status']} containing the upstream key (masked as ***)",
                "the key the relay uses upstream",
                op.label if op else e["request"]["url"],
                "blocking",
                len(leaked),
            )
        )
    return out


def _json_body(part: dict[str, Any] | None) -> Any:
    if not part or not part.get("body") or part.get("body_encoding") == "base64":
        return None
    try:
        return json.loads(part["body"])
    except ValueError:
        return None


def _ids(client: list[dict[str, Any]], creates: list[_Create], spec: SpecModel) -> list[RelayFinding]:
    """Ids the client sees must be the ones the relay gave it: an upstream id that differs from
    the client id of the same job is a leak of the upstream's id space."""
    mapping: dict[str, str] = {}  # upstream id -> client id
    for create in creates:
        client_job = _json_body(create.entry.get("response"))
        up_job = create.upstream[0].get("response_body") if create.upstream else None
        if (
            isinstance(client_job, dict)
            and isinstance(up_job, dict)
            and isinstance(client_job.get("id"), str)
            and isinstance(up_job.get("id"), str)
        ):
            mapping[up_job["id"]] = client_job["id"]
    out = []
    leaks: list[tuple[str, str, str, str]] = []
    remix_wrong: list[tuple[str, str, str]] = []
    for entry in client:
        request, response = entry["request"], entry.get("response")
        body = _json_body(response)
        if response is None or not isinstance(body, dict) or not 200 <= int(response["status"]) < 300:
            continue
        path = urlsplit(request["url"]).path
        op = spec.operation_for(request["method"], path)
        label = op.label if op else path
        data = body.get("data")
        jobs: list[Any] = data if isinstance(data, list) else [body]
        for job in jobs:
            if not isinstance(job, dict):
                continue
            for key in ("id", "remixed_from_video_id"):
                value = job.get(key)
                if isinstance(value, str) and value in mapping and mapping[value] != value:
                    leaks.append((label, key, value, mapping[value]))
        if op is not None and op.kind == "remix":
            source = path.rstrip("/").split("/")[-2]
            named = body.get("remixed_from_video_id")
            if named != source:
                remix_wrong.append((label, source, str(named)))
    if leaks:
        label, key, up_id, client_id = leaks[0]
        out.append(
            RelayFinding(
                IDS_CHECK,
                f"an upstream job id reached the client in `{key}` instead of the relay's id for that job",
                f"the client knows this job as {client_id}",
                f"the upstream's id {up_id}",
                label,
                "major",
                len(leaks),
            )
        )
    if remix_wrong:
        label, source, named = remix_wrong[0]
        out.append(
            RelayFinding(
                IDS_CHECK,
                "a remix does not name the video the client remixed in `remixed_from_video_id`",
                f"the client remixed {source}",
                f"the answer says remixed_from_video_id={named}",
                label,
                "major",
                len(remix_wrong),
            )
        )
    return out


def _headers(
    client: list[dict[str, Any]],
    upstream: list[dict[str, Any]],
    client_spec: SpecModel,
    upstream_spec: SpecModel,
) -> list[RelayFinding]:
    out = []
    for header in PASSED_HEADERS:
        upstream_sets = [
            r
            for r in upstream
            if header in (r.get("response_headers") or {})
            and (op := upstream_spec.operation_for(r["method"], r["path"])) is not None
            and op.kind == "retrieve"
        ]
        if not upstream_sets:
            continue
        lost = []
        for entry in client:
            request, response = entry["request"], entry.get("response")
            if response is None or not 200 <= int(response["status"]) < 300:
                continue
            op = client_spec.operation_for(request["method"], urlsplit(request["url"]).path)
            if op is None or op.kind != "retrieve":
                continue
            if header not in {k.lower() for k in (response.get("headers") or {})}:
                lost.append(entry)
        if lost:
            value = upstream_sets[0]["response_headers"][header]
            retrieve = client_spec.find("retrieve")
            out.append(
                RelayFinding(
                    HEADERS_CHECK,
                    f"`{header}` set by the upstream does not reach the client",
                    f"{len(lost)} successful poll(s) without `{header}`",
                    f"the upstream answers polls with `{header}: {value}`",
                    retrieve.label if retrieve else "retrieve",
                    "minor",
                    len(lost),
                )
            )
    return out
