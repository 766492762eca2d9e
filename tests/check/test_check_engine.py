"""The schemathesis adapter on its own: the pinned version, the engine through the Gate, the
registration of specforge checks, single-exchange validation. A schemathesis upgrade should only
need this file and specforge/check/engine.py."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests
from check_fakeserver import Behaviour, serve

from conftest import FIXTURE_SPEC, TOKEN
from specforge.check import engine
from specforge.check.redact import Redactor
from specforge.check.registry import REGISTRY
from specforge.check.spec import SpecModel
from specforge.check.transport import Budget, Cassette, Gate
from specforge.core import load_document

DOC = load_document(FIXTURE_SPEC).data
SPEC = SpecModel.of(DOC)


def gate(limit: int | None = None) -> Gate:
    red = Redactor(TOKEN)
    return Gate(budget=Budget(limit), cassette=Cassette(None, red), redactor=red)


def authorized_schema(url: str, phases: tuple[str, ...]) -> Any:
    """The fixture spec as schemathesis loads it for ``url``: the token, 2 examples, seed 1."""
    return engine.load_schema(
        DOC,
        url,
        spec=SPEC,
        headers={"Authorization": f"Bearer {TOKEN}"},
        max_examples=2,
        seed=1,
        phases=phases,
    )


def test_pinned_version() -> None:
    assert engine.VERSION == "4.32.5"


def test_builtin_checks_are_listed_and_specforge_checks_registered() -> None:
    names = engine.builtin_check_names()
    assert {"not_a_server_error", "response_schema_conformance", "status_code_conformance"} <= set(names)
    engine._install()
    from schemathesis.checks import CHECKS

    registered = set(CHECKS.get_all_names())
    assert {c.name for c in REGISTRY.response_checks()} <= registered


def test_engine_runs_every_request_through_the_gate() -> None:
    g = gate()
    cases: list[engine.EngineCase] = []
    with serve(Behaviour(token=TOKEN)) as (url, state):
        schema = authorized_schema(url, ("examples", "fuzzing"))
        outcome = engine.run_engine(schema, gate=g, spec=SPEC, on_case=cases.append)
    assert outcome.stop_reason == "completed" and not outcome.fatal
    assert cases and all(c.operation for c in cases)
    # nothing reaches the server around the gate (the gate may count one more: the NUL-byte
    # header probe, which the server's HTTP parser rejects before the app sees it)
    assert state.requests <= g.sent == len(g.cassette.entries) <= state.requests + 1
    assert any("timestamps_are_unix_seconds" in c.passed for c in cases)
    assert g.budget.used == sum(1 for e in g.cassette.entries if e["request"]["method"] == "POST")


def test_engine_reports_specforge_findings_with_expected_and_actual() -> None:
    cases: list[engine.EngineCase] = []
    with serve(Behaviour(token=TOKEN, ms_timestamps=True)) as (url, _):
        schema = authorized_schema(url, ("examples",))
        engine.run_engine(schema, gate=gate(), spec=SPEC, on_case=cases.append)
    found = [f for c in cases for f in c.failures if f.check == "timestamps_are_unix_seconds"]
    assert (
        found
        and found[0].origin == "specforge"
        and len(found[0].actual) == 13
        and found[0].pointer == "/created_at"
    )
    curls = [c.curl for c in cases if c.curl]
    assert curls and all(TOKEN not in c for c in curls) and any("Bearer ***" in c for c in curls)


def test_excluded_methods_are_not_generated_and_the_gate_blocks_the_rest() -> None:
    g = gate(limit=0)
    with serve(Behaviour(token=TOKEN)) as (url, state):
        schema = authorized_schema(url, ("examples", "coverage"))
        engine.run_engine(schema, gate=g, spec=SPEC, exclude_methods=("POST",))
        assert state.creates == 0
        # even without planning, the gate holds
        schema = authorized_schema(url, ("examples",))
        engine.run_engine(schema, gate=g, spec=SPEC)
        assert state.creates == 0 and g.budget.blocked > 0


def test_validate_one_exchange() -> None:
    with serve(Behaviour(token=TOKEN, bad_status="processing", job_seconds=0.0)) as (url, _):
        session = gate().session()
        created = session.post(
            url + "/v1/videos", json={"prompt": "x"}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        schema = engine.load_schema(DOC, url, spec=SPEC)
        assert engine.validate(schema, created, red=Redactor(TOKEN), body={"prompt": "x"}) == []
        bad = requests.Response()
        bad.status_code = 200
        bad._content = b'{"id": "v", "status": "processing"}'
        bad.headers["Content-Type"] = "application/json"
        bad.request = requests.Request("GET", url + "/v1/videos/v").prepare()
        failures = engine.validate(schema, bad, red=Redactor(TOKEN))
    assert {f.check for f in failures} == {"response_schema_conformance"}
    assert (
        failures[0].expected.startswith("required") or "enum" in failures[0].expected or failures[0].expected
    )


def test_session_patches_last_only_while_runs_are_active() -> None:
    import schemathesis.engine.context as context
    from schemathesis.transport.requests import RequestsTransport

    originals = (context.make_session, RequestsTransport.send)
    first, second = object(), object()
    route = engine._Route(gate(), SPEC)
    with engine._routed(first, route):
        patched = (context.make_session, RequestsTransport.send)
        assert patched[0] is not originals[0] and patched[1] is not originals[1]
        with engine._routed(second, route):  # a concurrent run shares the installation
            assert (context.make_session, RequestsTransport.send) == patched
        assert (context.make_session, RequestsTransport.send) == patched and id(second) not in engine._RUNS
    assert (context.make_session, RequestsTransport.send) == originals and not engine._RUNS


def test_the_engine_keeps_no_example_database() -> None:
    """Nightly gates compare runs with the same seed: hypothesis' example database would replay
    earlier failures first (other requests on the next run) and write `.hypothesis/examples`
    into the folder the user runs specforge in (`specforge run` left 1.3 MB there). The engine's
    hypothesis settings have no database and no reuse phase."""
    import hypothesis

    schema = engine.load_schema(DOC, "http://127.0.0.1:9", spec=SPEC, max_examples=5, seed=7)
    for phase in ("examples", "coverage", "fuzzing", "stateful"):
        settings = schema.config.get_hypothesis_settings(phase=phase)
        assert settings.database is None, phase
        assert hypothesis.Phase.reuse not in settings.phases, phase


def test_the_fork_servers_warm_module_fills_hypothesis_caches(tmp_path: Path) -> None:
    """The check workers' fork servers (`specforge run`, nightly) import `specforge.check.warm`
    last, so each forked worker inherits the codec tables and the module constants instead of
    building them itself (2.7 + 1.3 CPU-s per process in a fresh folder)."""
    from specforge.history.adapter import NIGHTLY_PRELOAD, WARM_MODULE
    from specforge.pipeline.run import CHECK_PRELOAD

    assert NIGHTLY_PRELOAD[-1] == CHECK_PRELOAD[-1] == WARM_MODULE
    assert CHECK_PRELOAD.count(WARM_MODULE) == 1
    probe = (
        "import importlib\n"
        "from hypothesis.internal import charmap\n"
        "from hypothesis.internal.conjecture import providers\n"
        "before = (charmap.intervals_from_codec.cache_info().currsize, len(providers._seen_modules))\n"
        f"importlib.import_module({WARM_MODULE!r})\n"
        "after = (charmap.intervals_from_codec.cache_info().currsize, len(providers._seen_modules))\n"
        "print((before, after))\n"
    )
    env = {**os.environ, "HYPOTHESIS_STORAGE_DIRECTORY": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    (codecs_before, seen_before), (codecs_after, seen_after) = ast.literal_eval(
        out.stdout.strip().splitlines()[-1]
    )
    assert (codecs_before, codecs_after) == (0, 1)
    assert seen_after > seen_before
    assert sorted(p.name for p in tmp_path.rglob("codec-*")) == ["codec-v2-utf-8.json.gz"]
