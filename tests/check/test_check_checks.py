from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURE_SPEC
from specforge.check import checks as sc
from specforge.check.registry import REGISTRY, CheckRegistry, Exchange, run_response_checks
from specforge.check.spec import SpecModel, load_spec
from specforge.core import load_document

SPEC = SpecModel.of(load_document(FIXTURE_SPEC).data)


def exchange(
    body: Any, status: int = 200, path: str = "/v1/videos/video_1", spec: SpecModel = SPEC
) -> Exchange:
    return Exchange(
        spec,
        spec.operation_for("GET", path),
        "GET",
        "http://127.0.0.1" + path,
        status,
        {"content-type": "application/json"},
        json.dumps(body).encode(),
    )


JOB = {
    "id": "video_1",
    "object": "video",
    "status": "in_progress",
    "progress": 40,
    "created_at": 1_700_000_000,
    "completed_at": None,
    "model": "sora-2",
}

CASES = [
    ("seconds timestamps pass", JOB, []),
    (
        "13-digit timestamp is milliseconds",
        {**JOB, "created_at": 1_700_000_000_123},
        ["timestamps_are_unix_seconds"],
    ),
    ("string timestamp", {**JOB, "created_at": "2024-01-01T00:00:00Z"}, ["timestamps_are_unix_seconds"]),
    ("unknown status", {**JOB, "status": "processing"}, ["lifecycle_statuses_are_legal"]),
    ("progress over 100", {**JOB, "progress": 140}, ["progress_is_a_percentage"]),
    ("fractional progress", {**JOB, "progress": 0.5}, ["progress_is_a_percentage"]),
    ("failed without error", {**JOB, "status": "failed", "error": None}, ["failed_job_has_error_object"]),
    ("failed with error", {**JOB, "status": "failed", "error": {"code": "x", "message": "bad prompt"}}, []),
    (
        "list items are checked",
        {"object": "list", "data": [JOB, {**JOB, "created_at": 1_700_000_000_000}]},
        ["timestamps_are_unix_seconds"],
    ),
    ("errors are not jobs", {"error": {"message": "nope", "status": "x"}}, []),
]


@pytest.mark.parametrize(("name", "body", "expected"), CASES, ids=[c[0] for c in CASES])
def test_response_checks(name: str, body: Any, expected: list[str]) -> None:
    failed = sorted(n for n, findings in run_response_checks(exchange(body)) if findings)
    assert failed == sorted(expected)


def test_millisecond_finding_names_the_field_and_unit() -> None:
    findings = list(sc.timestamps_are_unix_seconds(exchange({**JOB, "created_at": 1_700_000_000_123})))
    assert findings[0].pointer == "/created_at" and "milliseconds" in findings[0].message
    assert findings[0].actual == "1700000000123"


def test_documented_milliseconds_are_not_flagged() -> None:
    doc = load_document(FIXTURE_SPEC).data
    doc["components"]["schemas"]["VideoResource"]["properties"]["created_at"]["description"] = (
        "Unix time in milliseconds"
    )
    spec = SpecModel.of(doc)
    body = {**JOB, "created_at": 1_700_000_000_123}
    assert not list(sc.timestamps_are_unix_seconds(exchange(body, spec=spec)))
    assert list(sc.timestamps_are_unix_seconds(exchange(JOB, spec=spec)))  # seconds where ms are documented


def test_registry_rejects_duplicates_with_exact_message() -> None:
    registry = CheckRegistry()
    registry.register("x_is_y", "response", "d", lambda e: [])
    with pytest.raises(ValueError, match=r"^check `x_is_y` is already registered$"):
        registry.register("x_is_y", "response", "d", lambda e: [])
    assert "timestamps_are_unix_seconds" in REGISTRY and "lifecycle_transitions_are_legal" in REGISTRY


def test_sequence_findings() -> None:
    from specforge.check.lifecycle import sequence_findings

    ok = [
        {"status": "queued", "progress": 0},
        {"status": "in_progress", "progress": 50},
        {"status": "completed", "progress": 100},
    ]
    assert sequence_findings(SPEC, ok) == []
    backwards = [{"status": "in_progress", "progress": 50}, {"status": "queued", "progress": 60}]
    assert [f.check for f in sequence_findings(SPEC, backwards)] == ["lifecycle_transitions_are_legal"]
    out_of_terminal = [{"status": "completed", "progress": 100}, {"status": "failed", "progress": 100}]
    assert [f.check for f in sequence_findings(SPEC, out_of_terminal)] == ["lifecycle_transitions_are_legal"]
    decreasing = [{"status": "in_progress", "progress": 60}, {"status": "in_progress", "progress": 40}]
    assert [f.check for f in sequence_findings(SPEC, decreasing)] == ["progress_never_decreases"]


def test_check_spec_hands_schemathesis_pointers_for_anchor_refs(tmp_path: Path) -> None:
    """schemathesis reads an OpenAPI document's refs as JSON pointers: `check --spec` bundles a
    spec with `$anchor` refs so each becomes the pointer core's resolver found."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
        "components:\n  schemas:\n    Video: {$anchor: video, type: object}\n    Alias: {$ref: '#video'}\n"
    )
    schemas = load_spec(spec=spec).data["components"]["schemas"]
    assert schemas["Alias"] == {"$ref": "#/components/schemas/Video"}


@pytest.mark.parametrize(
    ("query", "judged"),
    [
        ("?variant=spritesheet", False),
        ("?after=x&variant=spritesheet&limit=2", False),  # schemathesis sends more parameters
        ("?variant=thumbnail&variant=video", False),
        ("?variant=video", True),
        ("?note=variant%3Dthumbnail", True),  # the word in another parameter is not a preview
        ("", True),
    ],
)
def test_a_preview_variant_is_not_judged_as_the_video(query: str, judged: bool) -> None:
    from specforge.check.registry import Step, run_scenario_check

    path = "/v1/videos/video_1/content"
    answer = Exchange(
        SPEC,
        SPEC.operation_for("GET", path),
        "GET",
        "http://127.0.0.1" + path + query,
        200,
        {"content-type": "text/html"},  # undocumented: a finding wherever the video is judged
        b"<html>",
    )
    found = run_scenario_check("completed_job_content_is_mp4", Step(SPEC, exchange=answer))
    assert bool(found) is judged
