"""End to end: real mock providers (specforge.mock), the real check (specforge.check.run_check) in
the nightly's worker processes, the CLI, the history and the summary."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from specforge.cli import cli

pytest.importorskip("specforge.mock")
pytest.importorskip("specforge.check")

from specforge.mock import serve  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TOKEN_ENV = "SPECFORGE_NIGHTLY_E2E_TOKEN"
CHECK = '{ max_examples = 3, poll_interval = 0.05, job_timeout = 20.0, phases = ["auth", "invalid-input", "examples"] }'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def providers_toml(path: Path, urls: dict[str, tuple[str, str]]) -> None:
    blocks = []
    for name, (url, variant) in urls.items():
        blocks.append(
            f'[[providers]]\nname = "{name}"\nbase_url = "{url}"\nvariant = "{variant}"\n'
            f'token_env = "{TOKEN_ENV}"\ntimeout = 120\ncheck = {CHECK}\n'
        )
    path.write_text("\n".join(blocks), encoding="utf-8")


def nightly(tmp_path: Path, night: int) -> Any:
    return CliRunner().invoke(
        cli,
        [
            "nightly",
            "--config",
            str(tmp_path / "providers.toml"),
            "--project",
            str(ROOT / "specforge.toml"),
            "--db",
            str(tmp_path / "history.sqlite"),
            "--out",
            str(tmp_path / f"night{night}"),
            "--concurrency",
            "2",
        ],
    )


@pytest.mark.slow
def test_variant_switch_is_a_regression_and_switching_back_a_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "sk-e2e")
    port = free_port()
    switcher = f"http://127.0.0.1:{port}"
    with (
        serve("openai", token="sk-e2e", job_seconds=0.2) as steady,
        serve("hingnet-veo", token="sk-e2e", job_seconds=0.2) as veo,
    ):
        providers_toml(
            tmp_path / "providers.toml",
            {"steady": (steady, "openai"), "switcher": (switcher, "openai"), "veo": (veo, "hingnet-veo")},
        )
        verdicts: list[dict[str, Any]] = []
        for night, variant in enumerate(["openai", "aiid", "openai"], start=1):
            with serve(variant, token="sk-e2e", job_seconds=0.2, port=port):
                result = nightly(tmp_path, night)
            summary = json.loads((tmp_path / f"night{night}" / "summary.json").read_text())
            rows = {row["provider"]: row for row in summary["providers"]}
            verdicts.append({name: (row["verdict"], row["status"]) for name, row in rows.items()})
            if night == 1:
                assert result.exit_code == 0, result.output
                assert {row["status"] for row in rows.values()} == {"baseline"}, verdicts
                assert all(row["verdict"] in ("conformant", "non-conformant") for row in rows.values()), rows
            elif night == 2:
                # the same provider now behaves like aiid (millisecond timestamps, other statuses ...)
                assert result.exit_code == 1, (result.output, verdicts)
                assert rows["switcher"]["status"] == "regressed" and rows["switcher"]["regressions"], verdicts
                assert rows["steady"]["status"] == "unchanged", verdicts
                assert rows["veo"]["status"] == "unchanged", verdicts
                assert "REGRESSED: switcher" in result.output
            else:
                assert result.exit_code == 0, (result.output, verdicts)
                assert rows["switcher"]["status"] == "fixed", verdicts
                night2 = json.loads((tmp_path / "night2" / "summary.json").read_text())
                regressed = next(r for r in night2["providers"] if r["provider"] == "switcher")["regressions"]
                assert {f["key"] for f in rows["switcher"]["fixes"]} == {r["key"] for r in regressed}
                assert rows["steady"]["status"] == rows["veo"]["status"] == "unchanged", verdicts
            report = tmp_path / f"night{night}" / "switcher"
            assert report.is_dir() and (report / "report.json").is_file()
            html = (tmp_path / f"night{night}" / "summary.html").read_text()
            assert "<svg" in html
    # every run is in the history, with the check's own findings and spec hash
    shown = CliRunner().invoke(
        cli, ["history", "list", "--provider", "switcher", "--db", str(tmp_path / "history.sqlite")]
    )
    assert shown.exit_code == 0 and len(shown.output.splitlines()) == 4
    latest = json.loads(
        CliRunner()
        .invoke(
            cli, ["history", "show", "switcher", "--format", "json", "--db", str(tmp_path / "history.sqlite")]
        )
        .output
    )
    assert (
        latest["variant"] == "openai" and len(latest["spec_hash"]) == 64 and len(latest["source_hash"]) == 64
    )
    assert latest["comparison"]["status"] == "fixed" and latest["counts"]["passed"] > 0
