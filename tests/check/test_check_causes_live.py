"""Causes, score/index and the budget plan on real runs against the fake provider."""

from __future__ import annotations

import json
from pathlib import Path

from check_fakeserver import Behaviour, serve
from click.testing import CliRunner

from conftest import FIXTURE_SPEC, TOKEN, quick_check
from specforge.check import CheckResult
from specforge.check.severity import LEVELS
from specforge.cli import check as cli_check
from specforge.render.report_text import render_outcome

QUICK = ("auth", "lifecycle", "invalid-input", "examples")


def run(url: str, tmp_path: Path, **kw: object) -> CheckResult:
    result: CheckResult = quick_check(url, tmp_path, **{"phases": QUICK, "request_timeout": 2.0, **kw})
    return result


def test_distinct_causes_in_one_run(tmp_path: Path, token: str) -> None:
    with serve(
        Behaviour(
            token=TOKEN, job_seconds=1.0, ms_timestamps=True, accept_garbage=True, bad_status="processing"
        )
    ) as (url, _):
        result = run(url, tmp_path)
    causes = result.causes
    assert len(causes) >= 3 and len(causes) < sum(f.occurrences for f in result.failures)
    ranks = [c.severity.rank for c in causes]
    assert ranks == sorted(ranks)
    assert causes[0].severity.value == "blocking"  # `processing` breaks polling
    ms = [c for c in causes if c.check == "timestamps_are_unix_seconds"]
    assert len(ms) == 1 and len(ms[0].operations) >= 2  # one defect, seen on create and poll
    garbage = [c for c in causes if c.check == "invalid_input_is_rejected"]
    assert garbage and all(c.severity.value == "major" for c in garbage)
    for cause in causes:
        assert cause.cassette, cause  # evidence in the cassette
        assert TOKEN not in cause.reproduction
    seqs = {json.loads(line)["seq"] for line in (tmp_path / "cassette.jsonl").read_text().splitlines()}
    assert {s for c in causes for s in c.cassette} <= seqs
    report = json.loads((tmp_path / "report.json").read_text())
    assert [c["id"] for c in report["causes"]] == [c.id for c in causes]
    md = (tmp_path / "report.md").read_text()
    assert md.index("## Causes") < md.index("## Failures")
    out = render_outcome(result)
    for cause in causes:  # the terminal lists every cause, nothing cut
        assert cause.statement in out
    assert 0 <= result.score <= result.index <= 100
    assert all(o.score <= o.index for o in result.operations)


def test_budget_one_on_a_non_mock_endpoint_goes_to_the_lifecycle(tmp_path: Path, token: str) -> None:
    with serve(Behaviour(token=TOKEN, identify_as_mock=False)) as (url, state):
        result = run(url, tmp_path)
        assert state.creates == 1
    assert result.budget == 1 and "not a specforge mock" in result.budget_source
    posts = [json.loads(line) for line in (tmp_path / "cassette.jsonl").read_text().splitlines()]
    creates = [e for e in posts if e["request"]["method"] == "POST"]
    assert len(creates) == 1
    sent = json.loads(creates[0]["request"]["body"])
    assert sent["seconds"] == "4" and sent["size"] == "720x1280"  # the cheapest valid create
    assert result.jobs and result.jobs[0].outcome == "completed"  # the one job was followed
    phases = {p["phase"] for p in result.prevented}
    assert "invalid-input" in phases and result.budget_needed and result.budget_needed > 1
    assert result.index < 100 and result.score <= result.index


def test_the_mock_header_makes_the_default_unlimited(tmp_path: Path, token: str) -> None:
    with serve(Behaviour(token=TOKEN)) as (url, state):
        result = run(url, tmp_path, phases=("lifecycle", "invalid-input"))
        assert state.creates > 1
    assert result.budget is None and "identifies as the specforge mock" in result.budget_source
    assert not result.prevented and result.budget_needed is None


def test_fail_on_picks_the_severity_that_fails(tmp_path: Path, token: str) -> None:
    assert LEVELS == cli_check.LEVELS
    runner = CliRunner()
    with serve(Behaviour(token=TOKEN, accept_garbage=True)) as (url, _):
        args = [
            url,
            "--spec",
            str(FIXTURE_SPEC),
            "--max-examples",
            "1",
            "--seed",
            "1",
            "--poll-interval",
            "0.05",
            "--job-timeout",
            "3",
            "--report-dir",
            str(tmp_path),
        ]
        lenient = runner.invoke(cli_check.command, [*args, "--fail-on", "blocking"], catch_exceptions=False)
        strict = runner.invoke(cli_check.command, [*args, "--fail-on", "major"], catch_exceptions=False)
    assert "invalid_input_is_rejected" in strict.output and "MAJOR" in strict.output
    assert strict.exit_code == 1, strict.output
    assert "BLOCKING" not in lenient.output and lenient.exit_code == 0, lenient.output


def test_plan_gives_the_budget_to_the_lifecycle_first(token: str) -> None:
    runner = CliRunner()
    out = runner.invoke(
        cli_check.command,
        ["https://api.vendor.invalid", "--spec", str(FIXTURE_SPEC), "--plan"],
        catch_exceptions=False,
    )
    assert out.exit_code == 0, out.output
    assert "allowed: 1" in out.output
    lines = out.output.splitlines()
    lifecycle = next(line for line in lines if "lifecycle" in line and "CREATES JOB" in line)
    assert "not sent" not in lifecycle
    assert any("invalid-input" in line and "not sent: budget 1 spent" in line for line in lines)
    assert any(line.startswith("A budget of ") for line in lines)
