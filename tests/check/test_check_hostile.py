"""Hostile servers (tests/fixtures/hostile/cases.json): a revoked key, 200 MB bodies, 1 byte/s
trickles, cut bodies, and a server echoing the token back in every encoding. Each case asserts the
exit code, the message that explains it, and that no secret appears in any output file (or the
command's output) in any encoding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hostile_server import Hostile, hostile
from leaks import leaks_in

from conftest import FIXTURE_SPEC
from specforge.check import CheckOptions, run_check
from specforge.cli import cli
from specforge.render.reports import write_reports

CASES = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "hostile" / "cases.json").read_text())
ROOT = Path(__file__).resolve().parents[2]


def _mode(data: dict[str, Any]) -> Hostile:
    return Hostile(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


def _with_userinfo(url: str, userinfo: str | None) -> str:
    return url.replace("http://", f"http://{userinfo}@") if userinfo else url


def _secrets(case: dict[str, Any]) -> list[str]:
    return [case["token"], *case.get("secrets", [])]


def _params(cases: list[dict[str, Any]]) -> list[Any]:
    return [pytest.param(c, id=c["id"], marks=[pytest.mark.slow] if c.get("slow") else []) for c in cases]


@pytest.mark.parametrize("case", _params(CASES["api"]))
def test_hostile_server(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECFORGE_TOKEN", case["token"])
    with hostile(_mode(case["server"])) as (url, server):
        options = CheckOptions(
            base_url=_with_userinfo(url, case.get("userinfo")),
            spec=FIXTURE_SPEC,
            phases=tuple(case.get("phases", ("auth", "lifecycle", "invalid-input"))),
            max_examples=1,
            seed=1,
            poll_interval=0.05,
            job_timeout=2,
            request_timeout=1.5,
        )
        result = run_check(options, report_dir=tmp_path)
        write_reports(result, tmp_path)
    assert result.exit_code == case["exit"], (result.verdict, result.infrastructure, result.failures[:3])
    explained = " ".join(
        [
            result.aborted or "",
            *(i.message for i in result.infrastructure),
            *(f.diagnostic.message for f in result.failures),
        ]
    )
    if "max_requests" in case:
        assert server.mode.requests <= case["max_requests"], f"{server.mode.requests} requests sent"
    if "message" in case:
        assert case["message"] in explained
    if "infra" in case:
        assert case["infra"] in {i.kind for i in result.infrastructure}
    if "creates_used" in case:
        assert result.creates_used == case["creates_used"]
    assert {"report.json", "report.md", "report.html", "junit.xml", "cassette.jsonl"} <= {
        p.name for p in tmp_path.iterdir()
    }
    assert leaks_in(tmp_path, _secrets(case)) == {}
    if case.get("cassette_has") == "base64":
        encodings = {
            json.loads(line)["response"]["body_encoding"]
            for line in (tmp_path / "cassette.jsonl").read_text().splitlines()
            if json.loads(line)["response"]
        }
        assert "base64" in encodings
    if case.get("no_nul"):
        assert b"\x00" not in (tmp_path / "report.md").read_bytes()
        assert "bytes of binary data" in (tmp_path / "report.md").read_text()
    if case["server"].get("words"):
        assert (
            case["server"]["words"].encode() in b"".join(p.read_bytes() for p in tmp_path.iterdir())
            or "base64" in (tmp_path / "cassette.jsonl").read_text()
        )


@pytest.mark.parametrize("case", _params(CASES["cli"]))
def test_hostile_cli(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECFORGE_TOKEN", case["token"])
    cassette = tmp_path / "in.jsonl"
    if "cassette" in case:
        cassette.write_text(case["cassette"], encoding="utf-8")
    if "cassette_bytes" in case:
        cassette.write_bytes(bytes.fromhex(case["cassette_bytes"]))
    reports = tmp_path / "reports"
    with hostile(_mode(case.get("server", {}))) as (url, _):
        values = {
            "url": _with_userinfo(url, case.get("userinfo")),
            "spec": str(FIXTURE_SPEC),
            "cassette": str(cassette),
        }
        args = [a.format(**values) for a in case["args"]] + [
            "--report-dir",
            str(reports),
            "--config",
            str(ROOT / "specforge.toml"),
        ]
        outcome = CliRunner().invoke(cli, args)
    assert outcome.exit_code == case["exit"], outcome.output
    assert case["message"] in outcome.output
    assert "Traceback" not in outcome.output
    if case.get("refused"):  # refused before anything was sent: nothing written (and a 1-letter
        assert not reports.exists()  # "secret" cannot be looked for in text)
        return
    reports.mkdir(exist_ok=True)
    assert leaks_in(reports, _secrets(case), outcome.output) == {}
