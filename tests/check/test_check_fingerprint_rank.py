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
