"""The relay harness against a fake relay with deliberate defects (tests/fixtures/relay/defects.json):
each defect is reported as the right relay finding with both sides shown, a clean relay has none,
creates are counted on both sides, and no secret reaches any output."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
import requests
from fake_relay import serve_relay

from specforge.check import CheckOptions
from specforge.core import load_config
from specforge.mock import serve
from specforge.relay import RelayOptions, run_relay_check
from specforge.relay.harness import DEFAULT_UPSTREAM_KEY

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "tests" / "fixtures" / "relay" / "defects.json").read_text(encoding="utf-8"))[
    "cases"
]
CLIENT_TOKEN = "sk-relay-client-token-7777"
UPSTREAM_KEY = "sk-relay-upstream-key-9999"


@pytest.fixture(autouse=True)
def client_token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SPECFORGE_TOKEN", CLIENT_TOKEN)
    return CLIENT_TOKEN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def check_options(url: str) -> CheckOptions:
    return CheckOptions(
        base_url=url,
        variant="openai",
        config=load_config(ROOT / "specforge.toml"),
        phases=("lifecycle", "sdk"),
        poll_interval=0.05,
        job_timeout=10,
        request_timeout=5,
    )


def relay_run(defects: dict[str, Any], tmp_path: Path) -> Any:
    port = free_port()
    with serve_relay(f"http://127.0.0.1:{port}", UPSTREAM_KEY, CLIENT_TOKEN, defects) as relay_url:
        options = RelayOptions(
            check=check_options(relay_url),
            upstream="openai",
            upstream_port=port,
            upstream_key=UPSTREAM_KEY,
            job_seconds=0.1,
        )
        return run_relay_check(options, report_dir=tmp_path)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_each_defect_is_the_right_finding(case: dict[str, Any], tmp_path: Path) -> None:
    relay = relay_run(case["defects"], tmp_path)
    found = sorted({f.check for f in relay.join.findings})
    assert found == sorted(case["expect"]), [
        (f.check, f.message, f.client, f.upstream) for f in relay.join.findings
    ]
    assert all(f.client and f.upstream for f in relay.join.findings)  # both sides shown
    for path in tmp_path.iterdir():
        text = path.read_text(encoding="utf-8")
        assert CLIENT_TOKEN not in text and UPSTREAM_KEY not in text, path.name
    if case["expect"]:
        assert relay.check.verdict.value == "non-conformant"
        assert {f.check for f in relay.check.failures} >= set(case["expect"])
        causes = {c.check: c for c in relay.check.causes if c.source == "relay"}
        assert set(causes) == set(case["expect"])
        for finding in relay.join.findings:
            assert (
                causes[finding.check].severity.rank
                <= {"blocking": 0, "major": 1, "minor": 2}[finding.severity]
            )


def test_clean_relay_counts_creates_on_both_sides(tmp_path: Path) -> None:
    relay = relay_run({}, tmp_path)
    join = relay.join
    assert (
        join.client_creates
        == join.upstream_creates
        == join.matched_creates
        == relay.upstream_stats["creates"]
        >= 4
    )
    assert join.retried_creates == 0 and not join.findings
    assert relay.check.sdk and {c.outcome for c in relay.check.sdk} == {"works"}, [
        (c.call, c.why) for c in relay.check.sdk
    ]
    report = json.loads((tmp_path / "relay.json").read_text())
    assert report["client_creates"] == join.client_creates and report["findings"] == []


def test_retries_are_counted_as_extra_paid_creates(tmp_path: Path) -> None:
    relay = relay_run({"retries": 2}, tmp_path)
    join = relay.join
    assert join.upstream_creates == 3 * join.client_creates and join.retried_creates == join.client_creates
    finding = next(f for f in join.findings if f.check == "relay_creates_once")
    assert (
        f"({2 * join.client_creates} extra paid job(s))" in finding.message
        and "3 upstream creates" in finding.upstream
    )
    assert finding.severity == "major"
    from specforge.render.relay_text import render_relay_outcome

    text = render_relay_outcome(relay, tmp_path, [tmp_path / "report.json"], quiet=False)
    times = f" (x{finding.count})" if finding.count > 1 else ""
    assert (
        f"RELAY major [relay_creates_once] {finding.message}{times}\n    client:   {finding.client}\n" in text
    )
    summary = (
        f"{relay.check.verdict.value}: {len(join.findings)} relay finding(s), "
        f"{len(relay.check.failures) - len(join.findings)} check failure(s); creates: {join.client_creates} "
        f"client, {join.upstream_creates} upstream ({join.retried_creates} multiplied)\n"
    )
    assert text.endswith(
        f"reports: {tmp_path} (report.json, relay.json, relay.md, upstream.jsonl)\n" + summary
    )
    assert render_relay_outcome(relay, tmp_path, [], quiet=True) == summary


def test_rewritten_and_dropped_fields_show_both_values(tmp_path: Path) -> None:
    relay = relay_run({"set": {"seconds": "12"}, "drop": ["model"]}, tmp_path)
    by_field = {f.message.split("`")[1]: f for f in relay.join.findings if f.check == "relay_forwards_fields"}
    assert (
        'upstream received seconds="12"' in by_field["seconds"].upstream
        and "client sent seconds=" in by_field["seconds"].client
    )
    assert (
        by_field["model"].upstream == "upstream received model=(absent)"
        and "sora-2" in by_field["model"].client
    )
    assert (
        "(relay_forwards_fields" not in (tmp_path / "relay.md").read_text()
        and "| major | `relay_forwards_fields` |" in (tmp_path / "relay.md").read_text()
    )


def test_attach_to_a_running_recording_mock(tmp_path: Path) -> None:
    with serve("openai", token=DEFAULT_UPSTREAM_KEY, job_seconds=0.1, record=True) as upstream:
        requests.post(
            upstream + "/v1/videos",
            json={"prompt": "before the run"},
            headers={"Authorization": f"Bearer {DEFAULT_UPSTREAM_KEY}"},
            timeout=5,
        )
        with serve_relay(upstream, DEFAULT_UPSTREAM_KEY, CLIENT_TOKEN, {"retries": 1}) as relay_url:
            relay = run_relay_check(
                RelayOptions(check=check_options(relay_url), upstream_url=upstream), report_dir=tmp_path
            )
    # the create sent before the run was cleared from the recorder; every client create doubled
    assert relay.join.upstream_creates == 2 * relay.join.client_creates
    assert [f.check for f in relay.join.findings] == ["relay_creates_once"]


def test_attaching_to_a_mock_that_does_not_record_is_bad_input(tmp_path: Path) -> None:
    from specforge.core import InputError

    with (
        serve("openai", token=DEFAULT_UPSTREAM_KEY, job_seconds=0.1) as upstream,
        pytest.raises(InputError, match="--record"),
    ):
        run_relay_check(
            RelayOptions(check=check_options("http://127.0.0.1:9"), upstream_url=upstream),
            report_dir=tmp_path,
        )
