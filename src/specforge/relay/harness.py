"""``run_relay_check``: put a recording specforge mock behind a relay, run ``specforge check``
through the relay, and join both sides (``specforge.relay.join``).

The relay (LiteLLM, new-api, one-api, your own) must already be configured to send its video
traffic to the mock's URL with the upstream key (docs/relays.md shows how for each); the harness
either starts that mock on 127.0.0.1:``upstream_port`` or attaches to one started with
``specforge mock --record`` (``upstream_url``)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from specforge.check.model import CheckOptions, CheckResult, Failure, Verdict
from specforge.check.spec import SpecModel, load_spec
from specforge.core import Diagnostic, InputError, Severity, write_atomic
from specforge.mock.recorder import EXCHANGES_PATH
from specforge.relay.join import UPSTREAM_KEY_LABEL, JoinSummary, join

STATS_PATH = "/__specforge__/stats"
DEFAULT_UPSTREAM_PORT = 4010
#: the key relays are configured with in docs/relays.md; the mock accepts only it
DEFAULT_UPSTREAM_KEY = "sk-specforge-upstream"
UPSTREAM_KEY_ENV = "SPECFORGE_UPSTREAM_KEY"
#: job-creating requests relay-check sends by default: the upstream is a free mock, but a relay
#: may route some traffic elsewhere, so the run is bounded anyway
DEFAULT_BUDGET = 60


@dataclass(frozen=True)
class RelayOptions:
    """``check`` is the check run through the relay (its ``base_url`` is the relay's URL)."""

    check: CheckOptions
    upstream: str = "openai"
    upstream_url: str | None = None
    upstream_host: str = "127.0.0.1"
    upstream_port: int = DEFAULT_UPSTREAM_PORT
    upstream_key: str = DEFAULT_UPSTREAM_KEY
    job_seconds: float = 1.0


@dataclass
class RelayResult:
    """The check as seen by the client, plus the join with the upstream side."""

    check: CheckResult
    upstream: str
    upstream_url: str
    join: JoinSummary
    upstream_stats: dict[str, int] = field(default_factory=dict)
    #: what the upstream received (credentials named, never their digests): upstream.jsonl
    upstream_records: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "relay_url": self.check.base_url,
            "upstream_variant": self.upstream,
            "upstream_url": self.upstream_url,
            "run_id": self.check.run_id,
            "verdict": self.check.verdict.value,
            "upstream_stats": dict(self.upstream_stats),
            "client_budget": {"limit": self.check.budget, "creates_used": self.check.creates_used},
            **self.join.to_dict(),
        }


def upstream_key_from_env() -> str:
    return os.environ.get(UPSTREAM_KEY_ENV) or DEFAULT_UPSTREAM_KEY


@contextmanager
def upstream_mock(options: RelayOptions) -> Iterator[str]:
    """The recording mock the relay forwards to: started here, or the running one at
    ``upstream_url`` (its recorder cleared first). Yields its base URL."""
    if options.upstream_url:
        url = options.upstream_url.rstrip("/")
        try:
            answer = requests.delete(url + EXCHANGES_PATH, timeout=10)
        except requests.RequestException as exc:
            raise InputError(
                f"cannot reach the upstream mock at {url}: {type(exc).__name__}",
                file=url,
                hint="start it with `specforge mock --record --token-env SPECFORGE_UPSTREAM_KEY`",
            ) from None
        if answer.status_code != 200:
            raise InputError(
                f"{url} does not record exchanges (HTTP {answer.status_code} for {EXCHANGES_PATH})",
                file=url,
                hint="start the mock with `specforge mock --record`",
            )
        yield url
        return
    from specforge.mock import MockServer, create_app
    from specforge.mock import load_spec as load_mock_spec

    config = options.check.config
    source = load_mock_spec(options.upstream, config)
    app = create_app(
        source.spec,
        variant=options.upstream,
        token=options.upstream_key,
        job_seconds=options.job_seconds,
        state=None,
        record=True,
    )
    server = MockServer(app, host=options.upstream_host, port=options.upstream_port, log_level="error")
    thread = server.start()
    try:
        yield server.url
    finally:
        server.stop(thread)


def run_relay_check(options: RelayOptions, *, report_dir: Path | None = None) -> RelayResult:
    """Run the check through the relay and join both sides. Relay findings are added to the
    check result's failures (check names ``relay_*``), so every report format shows them."""
    from specforge.check import run_check
    from specforge.check.runner import read_token

    check = options.check
    if check.budget is None and not check.no_create:
        check = dataclasses.replace(check, budget=DEFAULT_BUDGET)
    check = dataclasses.replace(check, secrets=(*check.secrets, (UPSTREAM_KEY_LABEL, options.upstream_key)))
    client_spec = SpecModel.of(
        load_spec(
            spec=check.spec,
            variant=check.variant,
            spec_data=check.spec_data,
            spec_name=check.spec_name,
            config=check.config,
        ).data
    )
    from specforge.mock import load_spec as load_mock_spec

    upstream_spec = SpecModel.of(load_mock_spec(options.upstream, check.config).spec)
    with upstream_mock(options) as url:
        result = run_check(check, report_dir=report_dir)
        try:
            records = requests.get(url + EXCHANGES_PATH, timeout=30).json()["exchanges"]
            stats = requests.get(url + STATS_PATH, timeout=10).json()
        except (requests.RequestException, ValueError, KeyError) as exc:
            raise InputError(
                f"cannot read the upstream mock's exchanges at {url}: {type(exc).__name__}",
                file=url,
                hint="keep the mock running until relay-check ends",
            ) from None
    summary = join(
        result.exchanges,
        records,
        client_spec=client_spec,
        upstream_spec=upstream_spec,
        client_token=read_token(check.token_env),
        upstream_key=options.upstream_key,
    )
    kinds = {op.label: op.kind for op in client_spec.operations}
    for finding in summary.findings:
        result.add_failure(
            Failure(
                diagnostic=Diagnostic(
                    code=finding.check,
                    severity=Severity.ERROR if finding.severity != "minor" else Severity.WARNING,
                    message=finding.message + (f" (x{finding.count})" if finding.count > 1 else ""),
                    pointer="relay",
                    file=result.spec_name,
                ),
                operation=finding.operation,
                check=finding.check,
                expected=finding.client,
                actual=finding.upstream,
                case_id="relay",
                kind=kinds.get(finding.operation, "other"),
                source="relay",
                severity=finding.severity,
                occurrences=finding.count,
            ),
            refresh=False,
        )
    result.refresh_causes()
    if summary.findings and result.verdict is Verdict.CONFORMANT:
        result.verdict = Verdict.NON_CONFORMANT
    relay = RelayResult(
        result,
        options.upstream,
        url,
        summary,
        {k: int(v) for k, v in stats.items() if isinstance(v, int)},
        upstream_evidence(records, read_token(check.token_env), options.upstream_key),
    )
    if report_dir is not None:
        write_relay_reports(relay, report_dir)
    return relay


def write_relay_reports(relay: RelayResult, directory: Path) -> list[Path]:
    """relay.json and relay.md (the join, both sides of every finding) and upstream.jsonl (what
    the upstream received) next to the check reports."""
    import json

    from specforge.render.relay_md import render_relay_md

    directory.mkdir(parents=True, exist_ok=True)
    upstream = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in relay.upstream_records)
    return [
        write_atomic(
            directory / "relay.json", json.dumps(relay.to_dict(), indent=2, ensure_ascii=False) + "\n"
        ),
        write_atomic(directory / "relay.md", render_relay_md(relay.to_dict())),
        write_atomic(directory / "upstream.jsonl", upstream),
    ]


def upstream_evidence(
    records: list[dict[str, Any]], client_token: str | None, upstream_key: str
) -> list[dict[str, Any]]:
    """The recorder's records as written to upstream.jsonl: each credential digest becomes whose
    it was (``upstream-key``, ``client-token``, ``other``), so no digest of a secret is written."""
    from specforge.mock.recorder import credential_sha256

    names = {credential_sha256(upstream_key): UPSTREAM_KEY_LABEL}
    if client_token:
        names[credential_sha256(client_token)] = "client-token"
    out = []
    for record in records:
        shown = {k: v for k, v in record.items() if k != "credentials_sha256"}
        shown["credentials"] = {
            header: names.get(digest, "other")
            for header, digest in (record.get("credentials_sha256") or {}).items()
        }
        out.append(shown)
    return out
