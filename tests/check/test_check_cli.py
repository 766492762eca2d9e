"""The CLI end to end (CliRunner): reports, exit codes, --plan, --replay, fingerprint, and the token
never appearing in any output."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
from check_fakeserver import Behaviour, free_port
from check_fakeserver import serve as fake_serve
from click.testing import CliRunner

from conftest import FIXTURE_SPEC, TOKEN
from specforge.check.reports import report_schema
from specforge.cli import cli
from specforge.mock import serve

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "specforge.toml")
FAST = [
    "--max-examples",
    "2",
    "--seed",
    "1",
    "--poll-interval",
    "0.05",
    "--job-timeout",
    "5",
    "--request-timeout",
    "3",
]


def invoke(*args: str) -> tuple[int, str]:
    """Exit code and output (stdout + stderr) as a user sees them."""
    result = CliRunner().invoke(cli, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def check_fixture_spec(url: str, report_dir: Path, *extra: str) -> tuple[int, str]:
    """``specforge check URL`` of the fixture spec, fast settings, reports in ``report_dir``."""
    return invoke(
        "check",
        url,
        "--spec",
        str(FIXTURE_SPEC),
        "--report-dir",
        str(report_dir),
        *FAST,
        *extra,
        "--config",
        CONFIG,
    )


def only_run(reports: Path) -> Path:
    runs = [p for p in reports.iterdir() if p.is_dir()]
    assert len(runs) == 1
    return runs[0]


def test_help_has_examples() -> None:
    for command in ("check", "fingerprint"):
        code, out = invoke(command, "--help")
        assert code == 0 and "Example" in out


def test_check_writes_every_report_and_never_the_token(tmp_path: Path, token: str) -> None:
    with fake_serve(Behaviour(token=TOKEN, ms_timestamps=True)) as (url, _):
        code, out = check_fixture_spec(url, tmp_path)
    assert code == 1, out
    assert "non-conformant" in out and "timestamps_are_unix_seconds" in out
    run = only_run(tmp_path)
    names = {p.name for p in run.iterdir()}
    assert {"report.json", "report.md", "report.html", "junit.xml", "cassette.jsonl"} <= names
    # the token is nowhere: not in stdout, not in any file
    assert TOKEN not in out
    for path in run.iterdir():
        assert TOKEN not in path.read_text(encoding="utf-8", errors="replace"), path.name
    cassette = [json.loads(line) for line in (run / "cassette.jsonl").read_text().splitlines()]
    auth = {e["request"]["headers"].get("Authorization") for e in cassette} - {None}
    assert auth == {"Bearer ***"}
    report = json.loads((run / "report.json").read_text())
    jsonschema.Draft202012Validator(report_schema()).validate(report)
    assert report["failures"] and all(
        "Bearer ***" in f["curl"] or not f["curl"] or "Authorization" not in f["curl"]
        for f in report["failures"]
    )
    # junit: one testcase per cause first (suite "causes"), then every case, passed ones too
    root = ET.parse(run / "junit.xml").getroot()
    assert (
        int(root.get("tests", "0"))
        == len(report["cases"]) + len(report["causes"])
        == len(root.findall(".//testcase"))
    )
    suites = root.findall("testsuite")
    assert suites[0].get("name") == "causes" and len(suites[0].findall("testcase")) == len(report["causes"])
    props = {p.get("name"): p.get("value") for p in suites[0].iter("property")}
    assert float(props["score"]) <= float(props["index"]) and props["causes.blocking"].isdigit()
    assert root.findall(".//failure") and any(
        not list(tc) or tc.find("properties") is not None for tc in root.iter("testcase")
    )
    # html is self-contained and tells the story
    html = (run / "report.html").read_text()
    assert "<script" not in html and 'src="http' not in html and "stylesheet" not in html
    for piece in ("non-conformant", "Operations", "Checks", "expected", "actual", "reproduce", "curl"):
        assert piece in html


def test_conformant_exit_0_and_replay_against_another_spec(tmp_path: Path, token: str) -> None:
    with fake_serve(Behaviour(token=TOKEN)) as (url, _):
        code, out = check_fixture_spec(url, tmp_path, "-q")
    assert code == 0, out
    assert out.strip().startswith("conformant")
    cassette = only_run(tmp_path) / "cassette.jsonl"
    # offline: same spec -> still conformant; a spec documenting milliseconds -> the seconds are flagged
    code, out = invoke(
        "check",
        "--replay",
        str(cassette),
        "--spec",
        str(FIXTURE_SPEC),
        "--report-dir",
        str(tmp_path / "r1"),
        "--config",
        CONFIG,
    )
    assert code == 0, out
    ms_spec = tmp_path / "ms.yaml"
    ms_spec.write_text(
        FIXTURE_SPEC.read_text().replace(
            "Unix timestamp (seconds) for when the job was created.", "Unix timestamp in milliseconds."
        )
    )
    code, out = invoke(
        "check",
        "--replay",
        str(cassette),
        "--spec",
        str(ms_spec),
        "--report-dir",
        str(tmp_path / "r2"),
        "--config",
        CONFIG,
    )
    assert code == 1 and "timestamps_are_unix_seconds" in out, out
    replayed = json.loads((only_run(tmp_path / "r2") / "report.json").read_text())
    assert replayed["mode"] == "replay" and replayed["budget"]["creates_used"] == 0


def test_unreachable_endpoint_exit_3_with_partial_report(tmp_path: Path, token: str) -> None:
    code, out = check_fixture_spec(f"http://127.0.0.1:{free_port()}", tmp_path)
    assert code == 3, out
    assert "ABORTED" in out and "unreachable" in out
    assert (only_run(tmp_path) / "report.json").is_file()


def test_bad_input_exit_2(tmp_path: Path) -> None:
    code, out = invoke(
        "check", "http://127.0.0.1:1", "--spec", str(tmp_path / "missing.yaml"), "--config", CONFIG
    )
    assert code == 2
    code, out = invoke(
        "check", "http://127.0.0.1:1", "--variant", "openai", "--spec", str(FIXTURE_SPEC), "--config", CONFIG
    )
    assert code == 2
    code, out = invoke("check", "--config", CONFIG)
    assert code == 2
    code, out = invoke("check", "ftp://x", "--spec", str(FIXTURE_SPEC), "--config", CONFIG)
    assert code == 2


def test_plan_sends_nothing(tmp_path: Path) -> None:
    with fake_serve(Behaviour(token=TOKEN)) as (url, state):
        code, out = invoke(
            "check", url, "--spec", str(FIXTURE_SPEC), "--plan", "--no-create", "--config", CONFIG
        )
        assert state.requests == 0 and state.creates == 0
    assert code == 0, out
    assert "CREATES JOB" in out and "not sent: --no-create" in out and "POST /videos" in out


def test_remote_default_budget_is_one_in_the_plan() -> None:
    code, out = invoke(
        "check", "https://api.example.com", "--spec", str(FIXTURE_SPEC), "--plan", "--config", CONFIG
    )
    assert code == 0 and "job-creating requests allowed: 1" in out


def test_fingerprint_cli_live_and_replay(tmp_path: Path, token: str) -> None:
    with serve("aiid", token=TOKEN, job_seconds=0.2) as url:
        code, out = invoke(
            "fingerprint",
            url,
            "--max-examples",
            "2",
            "--seed",
            "1",
            "--poll-interval",
            "0.05",
            "--job-timeout",
            "5",
            "--report-dir",
            str(tmp_path),
            "--config",
            CONFIG,
        )
    assert code == 0, out
    first = next(line for line in out.splitlines() if line.strip().startswith("1."))
    assert "behaves like aiid: 0 violation" in first
    cassette = only_run(tmp_path) / "cassette.jsonl"
    # the live check's reports, written by its event stream's report writer
    assert {"report.json", "report.md", "report.html", "junit.xml"} <= {
        p.name for p in only_run(tmp_path).iterdir()
    }
    code, out = invoke("fingerprint", "--replay", str(cassette), "--json", "--config", CONFIG)
    assert code == 0, out
    assert json.loads(out)["ranking"][0]["variant"] == "aiid"


def test_fingerprint_of_an_unreachable_endpoint_still_writes_its_report(tmp_path: Path, token: str) -> None:
    code, out = invoke(
        "fingerprint", f"http://127.0.0.1:{free_port()}", "--report-dir", str(tmp_path), "--config", CONFIG
    )
    assert code == 3 and "endpoint unreachable" in out, out
    assert json.loads((only_run(tmp_path) / "report.json").read_text())["verdict"] == "error"


def test_check_table_in_specforge_toml(tmp_path: Path) -> None:
    project = tmp_path / "specforge.toml"
    project.write_text("[check]\nmax-examples = 7\nbudget = 0\n")
    code, out = invoke(
        "check", "https://api.example.com", "--spec", str(FIXTURE_SPEC), "--plan", "--config", str(project)
    )
    assert code == 0 and "up to 7 examples" in out and "allowed: 0" in out
    code, out = invoke(
        "check",
        "https://api.example.com",
        "--spec",
        str(FIXTURE_SPEC),
        "--plan",
        "--max-examples",
        "3",
        "--config",
        str(project),
    )
    assert "up to 3 examples" in out  # the flag wins
    project.write_text('[check]\nmax-examples = "many"\n')
    code, out = invoke(
        "check", "https://api.example.com", "--spec", str(FIXTURE_SPEC), "--plan", "--config", str(project)
    )
    assert code == 2 and "max-examples" in out
    project.write_text("[check]\nmax-exampels = 3\n")
    code, out = invoke(
        "check", "https://api.example.com", "--spec", str(FIXTURE_SPEC), "--plan", "--config", str(project)
    )
    assert code == 2 and "did you mean `max-examples`" in out


def test_a_spec_schemathesis_refuses_is_bad_input(tmp_path: Path, token: str) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "openapi: 9.9.9\ninfo: {title: x, version: '1'}\npaths:\n  /v1/videos:\n    get:\n      responses: 12\n"
    )
    code, out = invoke(
        "check",
        "http://127.0.0.1:9",
        "--spec",
        str(broken),
        "--report-dir",
        str(tmp_path / "r"),
        "--config",
        CONFIG,
    )
    assert code == 2, out
