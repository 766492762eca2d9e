"""Live and replay share one definition of each scenario check: the finding a live scenario
reports on an exchange is the finding a replay of that exchange's cassette entry reports."""

from __future__ import annotations

import json
from typing import Any

import pytest
from check_fakeserver import Behaviour

from conftest import FIXTURE_SPEC, TOKEN, lifecycle_scenario
from specforge.check import checks as sc
from specforge.check.replay import replay
from specforge.check.spec import load_spec


def _replayed(entries: list[dict[str, Any]], check: str) -> list[tuple[Any, ...]]:
    """(cassette seqs, message, pointer, expected, actual, hint) of each ``check`` failure a replay
    of ``entries`` against the fixture spec finds."""
    result = replay(entries, load_spec(spec=FIXTURE_SPEC))
    return [
        (f.cassette, f.diagnostic.message, f.diagnostic.pointer, f.expected, f.actual, f.diagnostic.hint)
        for f in result.failures
        if f.check == check
    ]


@pytest.mark.parametrize(
    ("content", "media", "message"),
    [
        (b"<html>no video here</html>", "video/mp4", "content is not an MP4 (no `ftyp` box at offset 4)"),
        # one defect, one finding: the bytes of an undocumented type are not judged as an MP4 too
        (b"<html>no video here</html>", "text/html", "content served as text/html"),
    ],
)
def test_content_finding_is_the_same_live_and_replayed(content: bytes, media: str, message: str) -> None:
    behaviour = Behaviour(token=TOKEN, job_seconds=0.2, content=content, content_type=media)
    with lifecycle_scenario(behaviour) as (live, _):
        live.lifecycle()
    entries = live.gate.cassette.entries
    (content_entry,) = (e for e in entries if e["request"]["url"].endswith("/content"))
    live_found = [
        ((content_entry["seq"],), f.message, f.pointer, f.expected, f.actual, f.hint)
        for case in live.cases
        for f in case.failures
        if f.check == sc.CONTENT_IS_MP4
    ]
    assert [found[1] for found in live_found] == [message]
    assert _replayed(entries, sc.CONTENT_IS_MP4) == live_found


def test_accepted_invalid_input_is_the_same_finding_live_and_replayed() -> None:
    """Replay cannot know how a body was made invalid (the live label), only that it is: the rest
    of the finding is the one the live invalid-input step reports, on the same requests."""
    with lifecycle_scenario(Behaviour(token=TOKEN, accept_garbage=True), budget=20) as (live, _):
        live.invalid_inputs()
    entries = live.gate.cassette.entries
    seq_of = {json.dumps(json.loads(e["request"]["body"]), sort_keys=True): e["seq"] for e in entries}
    live_found = {
        (seq_of[json.dumps(json.loads(case.request_body), sort_keys=True)], f.pointer, f.expected, f.hint)
        for case in live.cases
        for f in case.failures
        if f.check == sc.INVALID_REJECTED
    }
    assert len(live_found) >= 3
    replayed = _replayed(entries, sc.INVALID_REJECTED)  # one detail for the repeats of one defect
    assert {(seq, *r[2:4], r[5]) for r in replayed for seq in r[0]} == live_found
    assert all("accepted with HTTP 200 (a job created from invalid input)" in r[1] for r in replayed)
