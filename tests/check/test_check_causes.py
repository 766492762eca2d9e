"""Causes, not lines: clustering, severity order and the add_failure entry point other phases use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specforge.check.causes import cluster, pattern
from specforge.check.model import CheckResult, Failure
from specforge.check.severity import RULES, Level, Signal, classify
from specforge.core import Diagnostic, Severity
from specforge.render.reference_docs import severity_markdown

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "check" / "causes.json"
SCENARIOS = json.loads(FIXTURE.read_text(encoding="utf-8"))["scenarios"]
ROOT = Path(__file__).resolve().parents[2]


def failure(item: dict[str, Any]) -> Failure:
    return Failure(
        diagnostic=Diagnostic(
            code=item["check"],
            severity=Severity.ERROR,
            message=item["message"],
            pointer=item.get("pointer", ""),
        ),
        operation=item["operation"],
        check=item["check"],
        status_code=item.get("status"),
        response_excerpt=item.get("excerpt", ""),
        curl=f"curl -X GET -H 'Authorization: Bearer ***' http://h{item['operation'].split()[1]}",
        kind=item.get("kind", ""),
        keyword=item.get("keyword", ""),
        cassette=tuple(item.get("cassette", ())),
    )


def result_of(items: list[dict[str, Any]]) -> CheckResult:
    result = CheckResult(run_id="r", base_url="http://h", spec_name="s", spec_hash="0")
    for item in items:
        result.add_failure(failure(item))
    return result


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_scenarios_cluster_as_expected(scenario: dict[str, Any]) -> None:
    result = result_of(scenario["failures"])
    expect = scenario["expect"]
    assert len(result.causes) == expect["causes"]
    assert len(result.failures) == expect["details"]
    assert [c.severity.value for c in result.causes] == expect["severities"]
    if "operations" in expect:
        assert [len(c.operations) for c in result.causes] == expect["operations"]
    if "counts" in expect:
        assert [c.count for c in result.causes] == expect["counts"]
    for cause in result.causes:
        assert cause.reproduction.startswith("curl ") and "Bearer ***" in cause.reproduction
        assert "\n" not in cause.statement


def test_server_message_names_the_cause() -> None:
    result = result_of(SCENARIOS[1]["failures"])
    statements = [c.statement for c in result.causes]
    assert any("model is required" in s for s in statements)
    assert any("seconds must be one of 4, 8, 12" in s for s in statements)


def test_round_trip_keeps_causes() -> None:
    result = result_of(SCENARIOS[0]["failures"] + SCENARIOS[2]["failures"])
    again = CheckResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again.causes == result.causes
    old = result.to_dict()
    del old["causes"]  # a 1.1 report: causes are rebuilt from its failures
    assert [c.id for c in CheckResult.from_dict(old).causes] == [c.id for c in result.causes]


def test_explicit_severity_and_source_win() -> None:
    result = result_of([])
    base = failure(
        {"operation": "GET /v1/videos", "check": "sdk_list", "status": 200, "message": "list() raised"}
    )
    result.add_failure(base)
    assert result.causes[0].severity is Level.MAJOR
    from dataclasses import replace

    result.add_failure(replace(base, check="sdk_create", source="sdk"))
    result.add_failure(replace(base, check="relay_seconds", severity="minor", source="relay"))
    assert [c.severity for c in result.causes] == [Level.BLOCKING, Level.MAJOR, Level.MINOR]
    assert result.causes[0].source == "sdk"


def test_pattern_blanks_ids_not_words() -> None:
    assert pattern("video video_68d7512d07848190 not found") == pattern(
        "video video_1f2e3d4c5b6a7980 not found"
    )
    assert pattern("created_at = 1764590000123") == pattern("created_at = 1764590000999")
    assert pattern("seconds must be 4") != pattern("seconds must be 8")
    assert pattern("see https://x.example/v1/videos/abc") == "see <url>"


def test_severity_rules_cover_the_documented_examples() -> None:
    assert classify(Signal("unsupported_method", "create", 405)) is Level.MINOR
    assert classify(Signal("status_code_conformance", "list", 404)) is Level.MINOR
    assert classify(Signal("not_a_server_error", "retrieve", 500)) is Level.BLOCKING
    assert classify(Signal("not_a_server_error", "other", 500)) is Level.MAJOR
    assert (
        classify(Signal("response_schema_conformance", "retrieve", 200, "type", "/status")) is Level.BLOCKING
    )
    assert classify(Signal("response_schema_conformance", "retrieve", 200, "type", "/size")) is Level.MAJOR
    assert classify(Signal("positive_data_acceptance", "create", 400)) is Level.BLOCKING
    assert classify(Signal("request_fields_round_trip", "create", 200)) is Level.MAJOR
    assert RULES[-1].level is Level.MAJOR and not RULES[-1].checks


def test_severity_docs_are_generated_from_the_rules() -> None:
    assert (ROOT / "docs" / "severity.md").read_text(encoding="utf-8") == severity_markdown()


_items = st.fixed_dictionaries(
    {
        "operation": st.sampled_from(["POST /v1/videos", "GET /v1/videos/{video_id}", "GET /v1/videos"]),
        "kind": st.sampled_from(["create", "retrieve", "list"]),
        "check": st.sampled_from(
            ["not_a_server_error", "status_code_conformance", "positive_data_acceptance"]
        ),
        "status": st.sampled_from([400, 404, 500]),
        "message": st.sampled_from(
            ["Server error", "Undocumented HTTP status code", "Rejected positive data"]
        ),
        "excerpt": st.sampled_from(
            [
                "",
                '{"error": {"message": "model is required"}}',
                '{"error": {"message": "no video_1234567890ab"}}',
            ]
        ),
    }
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_items, max_size=25))
def test_every_occurrence_is_in_exactly_one_cause(items: list[dict[str, Any]]) -> None:
    result = result_of(items)
    assert sum(c.count for c in result.causes) == len(items)
    indices = sorted(i for c in result.causes for i in c.failures)
    assert indices == list(range(len(result.failures)))
    assert len(result.causes) <= len(result.failures) <= len(items)
    ranks = [c.severity.rank for c in result.causes]
    assert ranks == sorted(ranks)
    assert cluster(result.failures) == result.causes


def test_html_report_escapes_vendor_text_and_leads_with_causes() -> None:
    from specforge.render.report_html import render_report_html

    hostile = {
        "operation": "GET /v1/videos",
        "kind": "list",
        "check": "not_a_server_error",
        "status": 500,
        "message": "Server error",
        "excerpt": '{"error": {"message": "<script>alert(1)</script>"}}',
    }
    html = render_report_html(result_of([hostile, *SCENARIOS[2]["failures"]]))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.index('id="causes"') < html.index('id="operations"') < html.index('id="failures"')
    assert html.count('class="failure blocking"') == 2
