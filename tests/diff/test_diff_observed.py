"""`specforge ingest --cassette` infers what an endpoint answered; `specforge diff VARIANT
observed.yaml` lists where it departs from the docs — and nothing it merely did not exercise.
The fixture cassette is written for these tests: a provider answering with millisecond
timestamps (aiid's page shows one), an integer `seconds` (hingnet-veo's) and a `processing` status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from specforge.cli import cli
from specforge.core import load_mapping
from specforge.ingest.observed import observe, read_cassette

ROOT = Path(__file__).resolve().parents[2]
CASSETTE = ROOT / "tests" / "fixtures" / "diff" / "cassette-ms-timestamps.jsonl"


def test_observed_source_has_what_was_answered() -> None:
    document = observe(
        read_cassette(CASSETTE),
        templates=["/v1/videos", "/v1/videos/{video_id}", "/v1/videos/{video_id}/content"],
    )
    assert sorted(document["paths"]) == [
        "/v1/videos",
        "/v1/videos/{video_id}",
        "/v1/videos/{video_id}/content",
    ]
    assert "put" not in document["paths"]["/v1/videos"]  # a 405 is not an operation
    job = document["paths"]["/v1/videos/{video_id}"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    assert job["properties"]["status"]["enum"] == ["completed", "processing"]
    assert job["properties"]["created_at"]["examples"] == [1761234567890]
    assert "completed_at" not in job["required"] and "id" in job["required"]
    content = document["paths"]["/v1/videos/{video_id}/content"]["get"]["responses"]["200"]
    assert list(content["content"]) == ["video/mp4"]
    assert document["components"]["securitySchemes"] == {"BearerAuth": {"type": "http", "scheme": "bearer"}}


def test_diff_docs_against_observed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    wrote = runner.invoke(cli, ["ingest", "--cassette", str(CASSETTE), "--out", str(tmp_path)])
    assert wrote.exit_code == 0, wrote.output
    observed = tmp_path / "observed.yaml"
    assert load_mapping(observed).data["info"]["x-specforge-observed"]["exchanges"] == 5
    result = runner.invoke(
        cli, ["diff", "openai", str(observed), "--format", "json", "--fail-on", "breaking"]
    )
    assert result.exit_code == 1, result.output
    found = {
        (f["code"], f["message"].split("`")[1] if "`" in f["message"] else "")
        for f in json.loads(result.output)["findings"]
    }
    assert ("unit-changed", "created_at") in found
    assert ("type-changed", "seconds") in found
    assert ("enum-value-added", "status") in found
    # not exercised, so not reported: the list/delete/remix operations, error statuses, formats
    codes = {code for code, _ in found}
    assert not codes & {
        "operation-removed",
        "success-status-removed",
        "error-status-removed",
        "format-changed",
        "property-removed",
        "enum-value-removed",
        "nullable-removed",
    }


def test_bad_cassette_line_is_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "cassette.jsonl"
    bad.write_text(CASSETTE.read_text(encoding="utf-8").splitlines()[0] + "\n{not json\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", "--cassette", str(bad), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "cassette.jsonl:2:" in result.output


@pytest.mark.slow
def test_a_real_check_cassette_shows_the_mock_departing_from_openai(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end on 127.0.0.1: aiid's mock (millisecond `created_at`, from its page's example)
    checked with the lifecycle scenario, its cassette ingested, then diffed against the official
    contract and against aiid's own docs."""
    import os

    from specforge.check import CheckOptions, run_check
    from specforge.core import load_config
    from specforge.diff import Spec, diff, load_spec
    from specforge.ingest.observed import write_observed
    from specforge.mock import serve

    config = load_config(ROOT / "specforge.toml")
    monkeypatch.setenv("SPECFORGE_TOKEN", "sk-test")
    with serve("aiid", config=config, token=os.environ["SPECFORGE_TOKEN"], job_seconds=0.1) as url:
        run_check(
            CheckOptions(
                base_url=url,
                variant="aiid",
                config=config,
                phases=("lifecycle",),
                poll_interval=0.05,
                job_timeout=10,
                seed=1,
            ),
            report_dir=tmp_path,
        )
    target, _ = write_observed(config, tmp_path / "cassette.jsonl", tmp_path / "observed")
    observed = Spec.of(load_mapping(target))
    against_openai = {(c.kind, c.field) for c in diff(load_spec("openai", config), observed)}
    assert ("unit-changed", "created_at") in against_openai
    against_own_docs = {(c.kind, c.field) for c in diff(load_spec("aiid", config), observed)}
    assert ("unit-changed", "created_at") not in against_own_docs


def test_a_cassette_line_holding_a_line_separator_is_one_exchange(tmp_path: Path) -> None:
    """The cassette writer keeps non-ASCII text as it is (``ensure_ascii=False``), so a vendor's
    message may hold U+2028 inside a JSON string: one exchange still, not two broken lines."""
    entries = [json.loads(line) for line in CASSETTE.read_text(encoding="utf-8").splitlines()]
    entries[0]["response"]["body"] = json.dumps(
        {"error": {"message": "bad key\u2028try again"}}, ensure_ascii=False
    )
    cassette = tmp_path / "cassette.jsonl"
    cassette.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries), encoding="utf-8")
    assert "\u2028" in cassette.read_text(encoding="utf-8")
    assert read_cassette(cassette) == entries
