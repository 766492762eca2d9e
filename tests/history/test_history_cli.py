from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from specforge.cli import COMMANDS, cli
from specforge.history import HistoryStore

HERE = Path(__file__).resolve().parent
SRC = HERE.parent.parent / "src"
RUNNER = "history_fakes:fake_runner"

PROJECT = """\
[project]
reports = "reports"

[variants.openai]
source = "sources/openai.yaml"

[variants.aiid]
source = "sources/aiid.yaml"
"""


def setup(tmp_path: Path, behaviours: dict[str, str], extra: str = "", timeout: float = 5) -> Path:
    (tmp_path / "specforge.toml").write_text(PROJECT, encoding="utf-8")
    write_providers(tmp_path, behaviours, extra, timeout)
    return tmp_path


def code(result: Any) -> int:
    """The exit code `specforge` gives (the group maps SpecforgeError to 2/3 and one stderr line)."""
    return int(result.exit_code)


def write_providers(tmp_path: Path, behaviours: dict[str, str], extra: str = "", timeout: float = 5) -> None:
    blocks = [extra]
    for name, path in behaviours.items():
        blocks.append(
            f'[[providers]]\nname = "{name}"\nbase_url = "http://fake.test/{path}"\nvariant = "openai"\n'
            f'tags = ["{"tier1" if name.startswith("a") else "tier2"}"]\ntimeout = {timeout}\n'
        )
    (tmp_path / "providers.toml").write_text("\n".join(blocks), encoding="utf-8")


def nightly(tmp_path: Path, *args: str) -> object:
    return CliRunner().invoke(
        cli,
        [
            "nightly",
            "--config",
            str(tmp_path / "providers.toml"),
            "--project",
            str(tmp_path / "specforge.toml"),
            "--runner",
            RUNNER,
            "--isolation",
            "thread",
            "--out",
            str(tmp_path / "out"),
            *args,
        ],
    )


def history(tmp_path: Path, *args: str) -> object:
    return CliRunner().invoke(cli, ["history", *args, "--db", str(tmp_path / "reports" / "history.sqlite")])


def test_commands_registered_with_examples() -> None:
    assert {"nightly", "history"} <= set(COMMANDS)
    runner = CliRunner()
    for args in (
        ["nightly"],
        ["history"],
        *(["history", sub] for sub in ("list", "show", "diff", "prune", "merge", "report")),
    ):
        result = runner.invoke(cli, [*args, "--help"])
        assert result.exit_code == 0 and "Example" in result.output, args


def test_baseline_then_regression_then_fix(tmp_path: Path) -> None:
    setup(tmp_path, {"acme": "fail/a", "beta": "ok", "gamma": "fail/x"})
    first = nightly(tmp_path)
    assert first.exit_code == 0, first.output
    assert "3 provider(s): 0 regression(s)" in first.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert {p["provider"]: p["status"] for p in summary["providers"]} == {
        "acme": "baseline",
        "beta": "baseline",
        "gamma": "baseline",
    }

    write_providers(tmp_path, {"acme": "fail/a,b", "beta": "ok", "gamma": "ok"})
    second = nightly(tmp_path)
    assert second.exit_code == 1, second.output
    assert "REGRESSED: acme" in second.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    rows = {p["provider"]: p for p in summary["providers"]}
    assert [r["key"] for r in rows["acme"]["regressions"]] == ["POST /v1/videos · b · /paths/~1v1~1videos/b"]
    assert rows["gamma"]["status"] == "fixed" and len(rows["gamma"]["fixes"]) == 1
    assert rows["beta"]["status"] == "unchanged"
    assert [t["verdict"] for t in rows["acme"]["trend"]] == ["non-conformant", "non-conformant"]
    assert rows["acme"]["report"] == "acme/report.html"
    html = (tmp_path / "out" / "summary.html").read_text()
    assert "<svg" in html and 'href="acme/report.html"' in html and "REGRESSED" in html
    assert "http://" not in html.replace("http://fake.test", "").replace("http://www.w3.org/2000/svg", "")
    md = (tmp_path / "out" / "summary.md").read_text()
    assert "| acme | openai | non-conformant | REGRESSED | 1 | 0 | 1 |" in md

    third = nightly(tmp_path)  # nothing changed since: known failures do not fail the job
    assert third.exit_code == 0, third.output

    listed = history(tmp_path, "list", "--provider", "acme")
    assert listed.exit_code == 0 and len(listed.output.splitlines()) == 4  # header + 3 runs
    shown = history(tmp_path, "show", "acme~1")
    assert shown.exit_code == 0 and "regression POST /v1/videos · b" in shown.output
    shown = json.loads(history(tmp_path, "show", "gamma~1", "--format", "json").output)
    assert shown["verdict"] == "conformant" and shown["comparison"]["status"] == "fixed"
    diffed = history(tmp_path, "diff", "acme~2", "acme", "--exit-code")
    assert diffed.exit_code == 1 and "1 regression(s), 0 fix(es), 1 unchanged" in diffed.output
    as_json = json.loads(history(tmp_path, "diff", "gamma~2", "gamma", "--format", "json").output)
    assert as_json["status"] == "fixed"
    pruned = history(tmp_path, "prune", "--keep", "1")
    assert pruned.exit_code == 0 and "deleted 6 run(s), 3 left" in pruned.output


def test_unreachable_exit_code_is_configurable(tmp_path: Path) -> None:
    setup(tmp_path, {"acme": "ok", "down": "unreachable", "hung": "hang"}, timeout=0.5)
    result = nightly(tmp_path, "--concurrency", "3")
    assert result.exit_code == 3, result.output
    assert "unreachable: down" in result.output and "unreachable: hung" in result.output
    assert nightly(tmp_path, "--unreachable-exit", "0").exit_code == 0


def test_only_and_shard_select_providers(tmp_path: Path) -> None:
    setup(tmp_path, {"a1": "ok", "a2": "ok", "b1": "ok", "b2": "ok"})
    result = nightly(tmp_path, "--only", "tier1")
    assert result.exit_code == 0 and "2 provider(s)" in result.output
    result = nightly(tmp_path, "--shard", "2/3")
    assert result.exit_code == 0 and "1 provider(s)" in result.output and "shard 2/3" in result.output
    bad = nightly(tmp_path, "--only", "tier3")
    assert code(bad) == 2 and "did you mean `tier" in bad.stderr
    bad = nightly(tmp_path, "--shard", "4/3")
    assert bad.exit_code == 2 and "between 1 and 3" in bad.output


def test_config_errors_are_exit_2_with_position(tmp_path: Path) -> None:
    setup(tmp_path, {})
    (tmp_path / "providers.toml").write_text(
        '[[providers]]\nname = "x"\nbase_url = "https://x"\nvariant = "aiidd"\n'
    )
    from specforge.cli import main

    with pytest.raises(SystemExit) as info:
        main(
            [
                "nightly",
                "--config",
                str(tmp_path / "providers.toml"),
                "--project",
                str(tmp_path / "specforge.toml"),
            ]
        )
    assert info.value.code == 2


def test_merge_shards_and_report(tmp_path: Path) -> None:
    setup(tmp_path, {"a1": "fail/q", "a2": "ok", "b1": "unreachable"})
    dbs = []
    for index in (1, 2):
        db = tmp_path / f"shard{index}.sqlite"
        result = nightly(tmp_path, "--shard", f"{index}/2", "--db", str(db), "--batch", "ci-42")
        assert result.exit_code in (0, 3), result.output
        dbs.append(db)
    merged = history(tmp_path, "merge", *map(str, dbs))
    assert merged.exit_code == 0 and "3 run(s) in" in merged.output
    again = history(tmp_path, "merge", *map(str, dbs))
    assert "0 run(s) added" in again.output and "3 run(s) in" in again.output
    report = history(tmp_path, "report", "--batch", "ci-42", "--out", str(tmp_path / "merged"))
    assert report.exit_code == 3, report.output  # b1 unreachable
    summary = json.loads((tmp_path / "merged" / "summary.json").read_text())
    assert sorted(p["provider"] for p in summary["providers"]) == ["a1", "a2", "b1"]
    assert summary["batch"] == "ci-42"
    with HistoryStore(tmp_path / "reports" / "history.sqlite") as store:
        assert store.conn.execute("SELECT providers FROM batches WHERE batch = 'ci-42'").fetchone()[0] == 3


def test_history_errors(tmp_path: Path) -> None:
    result = history(tmp_path, "list")
    assert code(result) == 2 and "history database not found" in result.stderr


def test_two_nightly_processes_share_one_database(tmp_path: Path) -> None:
    setup(tmp_path, {f"p{i}": ("fail/a" if i % 2 else "ok") for i in range(12)})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(HERE)])}
    db = tmp_path / "shared.sqlite"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "specforge",
                "nightly",
                "--config",
                str(tmp_path / "providers.toml"),
                "--project",
                str(tmp_path / "specforge.toml"),
                "--runner",
                RUNNER,
                "--db",
                str(db),
                "--out",
                str(tmp_path / f"out{n}"),
                "--concurrency",
                "4",
                "-q",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in (1, 2)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, (out + err).decode()
    with HistoryStore(db) as store:
        assert store.integrity() == "ok"
        assert store.count() == 24
        assert len({r.batch for r in store.list_runs(limit=100)}) == 2
        assert (
            store.conn.execute("SELECT COUNT(*) FROM batches WHERE finished_at IS NOT NULL").fetchone()[0]
            == 2
        )
