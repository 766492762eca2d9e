"""The OpenAI-SDK compatibility phase: every call works against the openai mock; each deliberate
break (tests/fixtures/check/sdk-breaks.json) fails exactly the calls a real SDK user would see
fail; creates count against the budget; the phase's rows reach every report format."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sdk_breaker import Breaker

from conftest import TOKEN
from specforge.check import CheckOptions, run_check
from specforge.check.redact import Redactor
from specforge.check.sdk import CALLS, CHECK, SdkPhase, sdk_api_root
from specforge.check.spec import SpecModel
from specforge.check.transport import Budget, Cassette, Gate
from specforge.mock import MockServer, create_app, load_spec, serve
from specforge.render.reports import write_reports

ROOT = Path(__file__).resolve().parents[2]
BREAKS = json.loads((ROOT / "tests" / "fixtures" / "check" / "sdk-breaks.json").read_text(encoding="utf-8"))[
    "breaks"
]
ALL_CALLS = [name for name, _ in CALLS]


@pytest.fixture(scope="module")
def openai_spec() -> dict[str, Any]:
    return load_spec("openai").spec


@contextlib.contextmanager
def broken_mock(spec: dict[str, Any], match: dict[str, Any], action: dict[str, Any]) -> Iterator[str]:
    app = create_app(spec, variant="openai", token=TOKEN, job_seconds=0.1, state=None)
    server = MockServer(Breaker(app, match, action), log_level="error")  # type: ignore[arg-type]
    thread = server.start()
    try:
        yield server.url
    finally:
        server.stop(thread)


def phase(url: str, spec: dict[str, Any], budget: int | None = None) -> tuple[SdkPhase, Gate]:
    red = Redactor(TOKEN)
    gate = Gate(budget=Budget(budget), cassette=Cassette(None, red), redactor=red)
    model = SpecModel.of(spec)
    return SdkPhase(model, gate, sdk_api_root(url, model), TOKEN, job_timeout=10, request_timeout=5), gate


def outcomes(sdk: SdkPhase) -> dict[str, str]:
    return {c.call: c.outcome for c in sdk.calls}


def test_every_call_works_against_the_openai_mock(openai_spec: dict[str, Any]) -> None:
    with serve("openai", token=TOKEN, job_seconds=0.1) as url:
        sdk, gate = phase(url, openai_spec)
        sdk.run()
    assert outcomes(sdk) == dict.fromkeys(ALL_CALLS, "works"), [(c.call, c.why) for c in sdk.calls]
    assert gate.budget.used == 3  # create_and_poll, remix, create
    assert gate.cassette.entries and all(
        "sk-specforge-secret" not in json.dumps(e) for e in gate.cassette.entries
    )
    assert {e["request"]["headers"].get("user-agent", "").split("/")[0] for e in gate.cassette.entries} == {
        "OpenAI"
    }


@pytest.mark.parametrize("case", BREAKS, ids=[b["name"] for b in BREAKS])
def test_each_break_fails_the_right_calls(case: dict[str, Any], openai_spec: dict[str, Any]) -> None:
    with broken_mock(openai_spec, case["match"], case["action"]) as url:
        sdk, _ = phase(url, openai_spec)
        sdk.run()
    expected = {name: "works" for name in ALL_CALLS}
    expected.update(dict.fromkeys(case["fails"], "fails"))
    expected.update(dict.fromkeys(case["skipped"], "skipped"))
    assert outcomes(sdk) == expected, [(c.call, c.outcome, c.why) for c in sdk.calls]
    assert all(c.why for c in sdk.calls if c.outcome != "works")


def test_budget_limits_the_phase_creates(openai_spec: dict[str, Any]) -> None:
    with serve("openai", token=TOKEN, job_seconds=0.1) as url:
        sdk, gate = phase(url, openai_spec, budget=1)
        sdk.run()
    got = outcomes(sdk)
    assert (
        got["videos.create_and_poll"] == "works" and got["videos.create"] == got["videos.remix"] == "skipped"
    )
    assert gate.budget.used == 1 and gate.budget.blocked == 0  # skipped before sending, not refused
    assert "budget" in next(c.why for c in sdk.calls if c.call == "videos.create")


def test_create_and_poll_is_bounded_by_the_job_timeout(openai_spec: dict[str, Any]) -> None:
    with broken_mock(
        openai_spec,
        {"method": "GET", "path": "^/v1/videos/video_[0-9a-f]+$"},
        {"json_set": {"status": "queued", "progress": 0}},
    ) as url:
        sdk, _ = phase(url, openai_spec)
        sdk.job_timeout = 0.5
        sdk.run()
    polled = next(c for c in sdk.calls if c.call == "videos.create_and_poll")
    assert polled.outcome == "fails" and "--job-timeout" in polled.why


def test_a_run_reports_the_sdk_table_and_failing_calls(
    tmp_path: Path, token: str, openai_spec: dict[str, Any]
) -> None:
    match, action = {"method": "DELETE", "path": "^/v1/videos/[^/]+$"}, {"status": 500}
    with broken_mock(openai_spec, match, action) as url:
        result = run_check(
            CheckOptions(
                base_url=url,
                spec_data=openai_spec,
                spec_name="openai",
                sdk=True,
                max_examples=1,
                poll_interval=0.05,
                job_timeout=10,
                request_timeout=5,
                phases=("sdk",),
            )
        )
    assert {c.call: c.outcome for c in result.sdk}["videos.delete"] == "fails"
    failures = [f for f in result.failures if f.check == CHECK]
    assert [f.diagnostic.pointer for f in failures] == ["sdk:videos.delete"] and failures[
        0
    ].status_code == 500
    assert (
        "HTTP 500" in failures[0].diagnostic.message
        and failures[0].operation == "DELETE /v1/videos/{video_id}"
    )
    cause = next(c for c in result.causes if c.check == CHECK)
    assert (
        cause.severity.value == "blocking" and cause.source == "sdk" and cause.cassette
    )  # SDK failures block
    write_reports(result, tmp_path)
    report = json.loads((tmp_path / "report.json").read_text())
    assert [s["outcome"] for s in report["sdk"]].count("works") == len(ALL_CALLS) - 1
    assert (
        "| `client.videos.delete` | `DELETE /v1/videos/{video_id}` | fails |"
        in (tmp_path / "report.md").read_text()
    )
    assert "<code>client.videos.delete</code>" in (tmp_path / "report.html").read_text()
    assert TOKEN not in (tmp_path / "cassette.jsonl").read_text()


def test_a_vendor_variant_run_skips_the_phase_with_a_note(token: str) -> None:
    from specforge.core import load_config

    config = load_config(ROOT / "specforge.toml")
    with serve("aiid", config=config, token=TOKEN, job_seconds=0.1) as url:
        result = run_check(
            CheckOptions(base_url=url, variant="aiid", config=config, phases=("sdk",), request_timeout=5)
        )
    assert result.sdk == [] and any("OpenAI-SDK phase did not run" in n for n in result.notes)


def test_plan_lists_the_sdk_calls_and_their_creates() -> None:
    from specforge.check.runner import plan_check
    from specforge.core import load_config

    config = load_config(ROOT / "specforge.toml")
    rows = [
        r
        for r in plan_check(CheckOptions(base_url="http://127.0.0.1:9", variant="openai", config=config))
        if r["phase"] == "sdk"
    ]
    assert [r["note"].removeprefix("OpenAI SDK client.") for r in rows] == ALL_CALLS
    assert sum(r["creates_job"] for r in rows) == 3
    off = plan_check(CheckOptions(base_url="http://127.0.0.1:9", variant="openai", config=config, sdk=False))
    assert not any(r["phase"] == "sdk" for r in off)
