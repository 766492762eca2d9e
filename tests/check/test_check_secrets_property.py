"""Property: whatever the secret (short, full of regex metacharacters) and however a server
echoes it back (any mix of headers, cookies, bodies plain / URL-encoded / base64 / JSON-escaped,
non-UTF-8 bodies), it never shows up in the cassette or any report in any encoding, and the
ordinary words around it survive."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_server import ECHOES, Hostile, hostile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from leaks import leaks_in

from conftest import FIXTURE_SPEC  # at import time: later the name may be another folder's conftest
from specforge.check.engine import EngineCase, EngineFailure
from specforge.check.model import CheckResult
from specforge.check.redact import MIN_SECRET_LENGTH, Redactor
from specforge.check.transport import Budget, Cassette, Gate
from specforge.render.reports import write_reports

METACHARS = ".^$*+?{}[]\\|()%=/-_~:;,'\"<>&#@!"
secret_text = st.text(
    alphabet=st.sampled_from("abcXYZ0189" + METACHARS), min_size=MIN_SECRET_LENGTH - 2, max_size=40
).map(lambda s: "k9" + s)  # never a plain word of the report itself
words = st.lists(
    st.sampled_from(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "video", "queued"]),
    min_size=1,
    max_size=6,
).map(" ".join)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, object]]:
    with hostile(Hostile()) as running:
        yield running


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    secret=secret_text,
    echo=st.lists(st.sampled_from(ECHOES), min_size=1, max_size=6, unique=True),
    binary=st.booleans(),
    text=words,
)
def test_no_secret_in_any_output_and_words_survive(
    server: tuple[str, object], secret: str, echo: list[str], binary: bool, text: str
) -> None:
    url, running = server
    running.mode = Hostile(echo=tuple(echo), fault="binary" if binary else None, words=text)  # type: ignore[attr-defined]
    folder = Path(tempfile.mkdtemp())
    red = Redactor.for_endpoint(secret, url)
    gate = Gate(
        budget=Budget(None), cassette=Cassette(folder / "cassette.jsonl", red), redactor=red, deadline=5
    )
    session = gate.session()
    response = session.get(
        url + "/v1/videos/video_1", headers={"Authorization": f"Bearer {secret}"}, timeout=5
    )
    session.close()
    gate.cassette.close()
    assert response.status_code == 200
    failure = EngineFailure(
        "lifecycle_statuses_are_legal", "t", f"status echoed {response.text[:50]}", actual=response.text[:80]
    )
    case = EngineCase(
        id="c1",
        operation="GET /v1/videos/{video_id}",
        phase="lifecycle",
        status_code=200,
        response_excerpt=red.excerpt(response.content),
        failures=[failure],
    )
    from specforge.check.model import CheckOptions
    from specforge.check.runner import CheckRun  # the same folding a live run does
    from specforge.check.spec import load_spec

    loaded = load_spec(spec=FIXTURE_SPEC)
    run = CheckRun(CheckOptions(base_url=url, spec=FIXTURE_SPEC, phases=()), loaded, gate, red)
    run.add_case(case)
    run.finish()
    result: CheckResult = run.result
    write_reports(result, folder)
    assert leaks_in(folder, [secret]) == {}
    everything = "".join(p.read_text(encoding="utf-8", errors="replace") for p in folder.iterdir())
    if not binary:
        assert text in everything  # ordinary words are not masked
