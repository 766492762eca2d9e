"""Signals finish the partial report: SIGINT or SIGTERM during `specforge check` exits 3 with
`aborted` set and every report written (no secret in them), and `specforge nightly` keeps the runs
it committed and writes a partial summary."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_server import Hostile, hostile
from leaks import leaks_in

from conftest import FIXTURE_SPEC

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "sk-signal-Secret.*-77"


def _start(args: list[str], tmp_path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "SPECFORGE_TOKEN": TOKEN, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return subprocess.Popen(
        [sys.executable, "-m", "specforge", *args],
        cwd=tmp_path,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for(path: Path, process: subprocess.Popen[str], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never started"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_check_signal_writes_the_partial_report_and_exits_3(sig: signal.Signals, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    mode = Hostile(
        token=TOKEN, echo=("header-value", "body-b64"), fault="trickle", fault_paths=("/v1/videos/",)
    )
    with hostile(mode) as (url, _):
        process = _start(
            [
                "check",
                url,
                "--spec",
                str(FIXTURE_SPEC),
                "--report-dir",
                str(reports),
                "--config",
                str(ROOT / "specforge.toml"),
                "--poll-interval",
                "0.05",
                "--request-timeout",
                "60",
            ],
            tmp_path,
        )
        reports.mkdir(exist_ok=True)
        deadline = time.monotonic() + 60
        while (
            not list(reports.glob("*/cassette.jsonl"))
            or not list(reports.glob("*/cassette.jsonl"))[0].read_text()
        ):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5)  # now stuck in the trickling poll
        process.send_signal(sig)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 3, (out, err)
    assert "ABORTED interrupted by " + sig.name in out
    run = next(p for p in reports.iterdir() if p.is_dir())
    report = json.loads((run / "report.json").read_text())
    assert report["aborted"] == f"interrupted by {sig.name}"
    assert {"report.json", "report.md", "report.html", "junit.xml", "cassette.jsonl"} <= {
        p.name for p in run.iterdir()
    }
    assert "Traceback" not in err
    assert leaks_in(run, [TOKEN], out, err) == {}


NIGHTLY_RUNNER = """
import time
def run(provider):
    if provider.name == "slow":
        time.sleep(120)
    return {"verdict": "conformant", "spec_name": "s", "spec_hash": "h", "creates_used": 0}
"""


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_nightly_signal_keeps_committed_runs_and_writes_a_partial_summary(
    sig: signal.Signals, tmp_path: Path
) -> None:
    (tmp_path / "fake_runner.py").write_text(NIGHTLY_RUNNER)
    (tmp_path / "providers.toml").write_text(
        '[[providers]]\nname = "fast"\nbase_url = "http://127.0.0.1:9"\n\n'
        '[[providers]]\nname = "slow"\nbase_url = "http://127.0.0.1:9"\n'
    )
    out_dir = tmp_path / "out"
    env_path = str(tmp_path)
    sys.path.insert(0, env_path)
    try:
        process = _start(
            [
                "nightly",
                "--config",
                str(tmp_path / "providers.toml"),
                "--project",
                str(ROOT / "specforge.toml"),
                "--db",
                str(tmp_path / "h.sqlite"),
                "--out",
                str(out_dir),
                "--runner",
                "fake_runner:run",
                "--isolation",
                "thread",
                "--concurrency",
                "2",
            ],
            tmp_path,
        )
    finally:
        sys.path.remove(env_path)
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        if process.stdout is not None:
            line = process.stdout.readline()
            if "fast" in line:
                break
    process.send_signal(sig)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 3, (out, err)
    assert f"interrupted by {sig.name}" in out + err
    summary = json.loads((out_dir / "summary.json").read_text())
    names = json.dumps(summary)
    assert "fast" in names
    assert "Traceback" not in err
