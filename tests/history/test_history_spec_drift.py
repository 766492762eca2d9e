"""Nightly records the spec of every run; drift between two runs is diffed into classified
changes, and a breaking one is a regression of its own (status regressed, nightly exit 1)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from history_fakes import make_run

from specforge.cli import cli
from specforge.history import HistoryStore, build_summary, compare_runs, exit_code

JOB = """openapi: 3.1.0
info: {{title: acme, version: "1"}}
paths:
  /v1/videos/{{video_id}}:
    get:
      responses:
        "200":
          description: the job
          content:
            application/json:
              schema:
                type: object
                properties:
                  seconds: {{type: {seconds}}}
                  status: {{type: string, enum: [{statuses}]}}
"""
V1 = JOB.format(seconds="string", statuses="queued, completed")


def _store(tmp_path: Path, second: str) -> HistoryStore:
    store = HistoryStore(tmp_path / "history.sqlite")
    store.add_run(make_run(run_id="r1", started="2026-01-01T00:00:00Z"), spec=("specs/sources/acme.yaml", V1))
    store.add_run(
        make_run(run_id="r2", started="2026-01-02T00:00:00Z"), spec=("specs/sources/acme.yaml", second)
    )
    return store


def test_breaking_doc_change_is_a_regression(tmp_path: Path) -> None:
    with _store(tmp_path, JOB.format(seconds="integer", statuses="queued, completed, cancelled")) as store:
        first, second = store.get("r1"), store.get("r2")
        assert first is not None and second is not None
        diff = compare_runs(store, first, second)
        summary = build_summary(store, "b1")
    kinds = sorted(d.code for d in diff.spec_changes)
    assert kinds == ["enum-value-added", "type-changed"]
    assert diff.status == "regressed"
    assert all(key.startswith("spec · ") for key in diff.regressions) and len(diff.regressions) == 2
    seconds = next(d for d in diff.spec_changes if d.code == "type-changed")
    assert seconds.file == "specs/sources/acme.yaml@r2" and seconds.line == 14
    assert exit_code(summary) == 1


def test_compatible_doc_change_is_drift_not_regression(tmp_path: Path) -> None:
    relaxed = V1.replace("enum: [queued, completed]", "enum: [queued]")  # response loses a value: compatible
    with _store(tmp_path, relaxed) as store:
        diff = compare_runs(store, store.get("r1"), store.get("r2"))
    assert [d.code for d in diff.spec_changes] == ["enum-value-removed"] and not diff.regressions
    assert diff.status == "unchanged"


def test_unchanged_spec_has_no_changes(tmp_path: Path) -> None:
    with _store(tmp_path, V1) as store:
        assert compare_runs(store, store.get("r1"), store.get("r2")).spec_changes == ()


def test_history_diff_cli_and_diff_of_run_ids(tmp_path: Path, monkeypatch) -> None:
    project = tmp_path / "specforge.toml"
    project.write_text('[project]\nreports = "reports"\n', encoding="utf-8")
    (tmp_path / "reports").mkdir()
    _store(tmp_path / "reports", JOB.format(seconds="integer", statuses="queued, completed")).close()
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    shown = runner.invoke(
        cli, ["history", "diff", "r1", "r2", "--db", "reports/history.sqlite", "--exit-code"]
    )
    assert shown.exit_code == 1, shown.output
    assert "regression spec · type-changed" in shown.output and "string → integer" in shown.output
    direct = runner.invoke(cli, ["diff", "r1", "r2", "--fail-on", "breaking"])
    assert direct.exit_code == 1, direct.output
    assert "specs/sources/acme.yaml@r2" in direct.output and "type-changed" in direct.output


def test_merge_and_prune_keep_specs_consistent(tmp_path: Path) -> None:
    with _store(tmp_path / "a", V1) as shard:
        shard_path = shard.path
    with HistoryStore(tmp_path / "main.sqlite") as main:
        assert main.merge(shard_path) == 2
        assert main.spec_snapshot("r2") == ("specs/sources/acme.yaml", V1)
        main.prune(0)
        assert main.conn.execute("SELECT COUNT(*) FROM spec_texts").fetchone()[0] == 0


def test_summary_formats_list_spec_changes(tmp_path: Path) -> None:
    from specforge.render.nightly_summary import (
        render_summary_html,
        render_summary_json,
        render_summary_markdown,
    )

    relaxed = V1.replace("enum: [queued, completed]", "enum: [queued]")
    with _store(tmp_path, relaxed) as store:
        summary = build_summary(store, "b1")
    assert "spec change `enum-value-removed`" in render_summary_markdown(summary)
    assert "spec change <code>enum-value-removed</code>" in render_summary_html(summary)
    assert '"enum-value-removed"' in render_summary_json(summary)
