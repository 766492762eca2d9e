"""Table-driven: every case of tests/fixtures/diff/cases.yaml, both directions, gives exactly the
expected (kind, effect) pairs; every registered kind is exercised by some case."""

from __future__ import annotations

from pathlib import Path

import pytest
from diffcases import CASES, documents

from specforge.diff import KINDS, diff
from specforge.render.reference_docs import kinds_markdown

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_both_directions(case: dict) -> None:
    old, new = documents(case)
    forward = sorted([c.kind, c.effect.value] for c in diff(old, new))
    backward = sorted([c.kind, c.effect.value] for c in diff(new, old))
    assert forward == sorted(case["expect"])
    assert backward == sorted(case["reverse"])


def test_every_kind_has_a_case() -> None:
    seen = {kind for case in CASES for kind, _ in [*case["expect"], *case["reverse"]]}
    assert seen == {k.id for k in KINDS}, "add a case to tests/fixtures/diff/cases.yaml for each kind"


def test_every_expected_effect_matches_the_registry() -> None:
    for case in CASES:
        for kind, effect in [*case["expect"], *case["reverse"]]:
            assert effect in {e.value for e in (KINDS[kind].request, KINDS[kind].response) if e}, (
                case["name"],
                kind,
            )


def test_docs_table_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "diff-kinds.md").read_text(encoding="utf-8")
    assert committed == kinds_markdown(), (
        "run `python -m specforge.render.reference_docs` and commit docs/diff-kinds.md"
    )


def test_positions_come_from_the_sources() -> None:
    """The 3.0 side's change is located at its own line even though normalize rewrote it."""
    from specforge.core import load_text
    from specforge.diff import Spec

    old = load_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers: [{url: /v1}]\npaths:\n  /videos:\n"
        "    get:\n      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema:\n                $ref: '#/components/schemas/Job'\n"
        "components:\n  schemas:\n    Job:\n      type: object\n      properties:\n"
        "        seconds: {type: string, nullable: true}\n",
        "old.yaml",
    )
    new = load_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /v1/videos:\n    get:\n      responses:\n"
        "        '200':\n          description: ok\n          content:\n            application/json:\n"
        "              schema:\n                type: object\n                properties:\n"
        "                  seconds: {type: integer}\n",
        "new.yaml",
    )
    (change, nullable) = sorted(diff(Spec.of(old), Spec.of(new)), key=lambda c: c.kind != "type-changed")
    assert change.kind == "type-changed" and nullable.kind == "nullable-removed"
    assert (change.old.file, change.old.line) == ("old.yaml", 19)
    assert change.old.pointer == "/components/schemas/Job/properties/seconds"
    assert (change.new.file, change.new.line) == ("new.yaml", 14)
    assert (
        change.pointer
        == "/paths/~1v1~1videos/get/responses/200/content/application~1json/schema/properties/seconds"
    )
