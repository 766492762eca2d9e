"""Fingerprint ranking weighs how much each variant documents: few violations because little was
documented do not win (issue: a relay in front of the openai mock ranked aiid and xiexus first)."""

from __future__ import annotations

from specforge.check.replay import Match


def ranked(*matches: Match) -> list[str]:
    return [m.variant for m in sorted(matches, key=Match.rank_key)]


def test_documenting_more_outweighs_a_few_more_violations() -> None:
    openai = Match("openai", violations=6, failed_exchanges=20, explained=33, checks=4000)
    aiid = Match("aiid", violations=2, failed_exchanges=3, explained=7, checks=100)
    xiexus = Match("xiexus", violations=2, failed_exchanges=3, explained=7, checks=100)
    assert ranked(aiid, xiexus, openai) == ["openai", "aiid", "xiexus"]
    assert "6 violation(s) in 4000 checks (1.5 per 1,000) over 33 documented exchanges" in openai.why()


def test_equal_density_goes_to_the_variant_documenting_more_then_affinity_then_name() -> None:
    small = Match("aiid", violations=0, failed_exchanges=0, explained=7, checks=57, affinity=0.9)
    large = Match("openai", violations=0, failed_exchanges=0, explained=33, checks=900)
    assert ranked(small, large) == ["openai", "aiid"]
    a = Match("b-variant", violations=0, failed_exchanges=0, explained=7, checks=57, affinity=0.2)
    b = Match("a-variant", violations=0, failed_exchanges=0, explained=7, checks=57, affinity=0.8)
    assert ranked(a, b) == ["a-variant", "b-variant"]
    c = Match("a-variant", violations=0, failed_exchanges=0, explained=7, checks=57, affinity=0.2)
    assert ranked(b, c) == ["a-variant", "a-variant"] and sorted([b, c], key=Match.rank_key)[0] is b


def test_to_dict_says_why() -> None:
    data = Match("x", violations=1, failed_exchanges=1, explained=2, checks=10).to_dict()
    assert data["violations_per_1000_checks"] == 100.0 and data["why"].startswith(
        "1 violation(s) in 10 checks"
    )


def test_one_defect_on_several_operations_is_one_violation() -> None:
    """Causes, not lines: a relay that drops `prompt` from every job object breaks one thing,
    however many operations of a variant share that job schema."""
    from specforge.check.model import CaseRecord, CaseStatus, CheckResult, Failure
    from specforge.core.diagnostics import Diagnostic, Severity

    result = CheckResult(run_id="r", base_url="http://x", spec_name="openai", spec_hash="h")
    missing = Diagnostic(
        code="response_schema_conformance", severity=Severity.ERROR, message='"prompt" is a required property'
    )
    for n, op in enumerate(
        ("POST /v1/videos", "GET /v1/videos/{video_id}", "POST /v1/videos/{video_id}/remix")
    ):
        result.add_failure(
            Failure(diagnostic=missing, operation=op, check="response_schema_conformance", status_code=200)
        )
        result.cases.append(
            CaseRecord(f"c{n}", op, "replay", CaseStatus.FAILED, ("response_schema_conformance", "x"))
        )
    result.tool_versions["example_affinity"] = "0.5"
    match = Match.of("openai", result)
    assert (match.violations, match.explained, match.checks, match.affinity) == (1, 3, 6, 0.5)
    assert len(result.failures) == 3  # the report still shows each operation


def _spec(not_offered: list[str]) -> dict:
    job = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/v1/videos": {
                "post": {
                    "responses": {
                        "200": {"description": "job", "content": {"application/json": {"schema": job}}}
                    }
                }
            }
        },
        "x-specforge-not-offered": [{"operation": text} for text in not_offered],
    }


def _entry(seq: int, method: str, path: str, status: int) -> dict:
    return {
        "seq": seq,
        "request": {"method": method, "url": f"http://relay.test{path}", "headers": {}},
        "response": {
            "status": status,
            "headers": {"Content-Type": "application/json"},
            "body": '{"id": "v1"}',
        },
    }


def test_a_route_documented_as_not_offered_must_not_be_served() -> None:
    """newapi's page says it has no list and no remix: an endpoint serving them (2xx) contradicts
    that page; 404/405/501 confirm it; other answers say nothing either way."""
    from specforge.check.replay import replay
    from specforge.check.spec import LoadedSpec

    spec = _spec(["GET /v1/videos", "POST /v1/videos/{video_id}/remix"])
    loaded = LoadedSpec("newapi", spec, "h", variant="newapi")
    served = replay(
        [_entry(1, "GET", "/v1/videos", 200), _entry(2, "POST", "/v1/videos/abc/remix", 200)], loaded
    )
    assert [(c.check, c.operations) for c in served.causes] == [
        ("not_offered_operation_is_absent", ("GET /v1/videos", "POST /v1/videos/{video_id}/remix"))
    ]
    absent = replay(
        [
            _entry(1, "GET", "/v1/videos", 404),
            _entry(2, "POST", "/v1/videos/abc/remix", 405),
            _entry(3, "GET", "/v1/videos", 400),
        ],
        loaded,
    )
    assert not absent.failures
    judged = [c for c in absent.cases if "not_offered_operation_is_absent" in c.checks]
    assert [c.operation for c in judged] == ["GET /v1/videos", "POST /v1/videos/{video_id}/remix"]
    nothing = replay([_entry(1, "GET", "/v1/videos", 200)], LoadedSpec("x", _spec([]), "h"))
    assert not nothing.failures and not nothing.cases  # undocumented, not documented as absent


def test_the_ranking_text_shares_a_rank_between_ties() -> None:
    from specforge.render.report_text import render_fingerprint

    openai = Match("openai", violations=0, failed_exchanges=0, explained=33, checks=900)
    aiid = Match("aiid", violations=2, failed_exchanges=3, explained=7, checks=100)
    xiexus = Match("xiexus", violations=2, failed_exchanges=3, explained=7, checks=100)
    text = render_fingerprint("cassette.jsonl", sorted([xiexus, openai, aiid], key=Match.rank_key))
    assert text.splitlines() == [
        "Fingerprint of cassette.jsonl:",
        f"  1. behaves like openai: {openai.why()}",
        f"  2. behaves like aiid (tie, by name): {aiid.why()}",
        f"  2. behaves like xiexus (tie, by name): {xiexus.why()}",
    ]
