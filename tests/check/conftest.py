"""Fixtures for check tests: the fake provider (fault injection) and the project's mock."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # check_fakeserver

FIXTURE_SPEC = HERE.parent / "fixtures" / "check" / "videos.yaml"
TOKEN = "sk-specforge-secret-token-4242"


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SPECFORGE_TOKEN", TOKEN)
    return TOKEN


@pytest.fixture
def fixture_spec() -> Path:
    return FIXTURE_SPEC


@contextmanager
def lifecycle_scenario(behaviour: Any = None, budget: int = 1) -> Iterator[tuple[Any, Any]]:
    """(specforge's live ``Scenario`` against the fake provider, the server's state): the fixture
    spec, 0.2 s jobs unless ``behaviour`` (a ``check_fakeserver.Behaviour``) says otherwise; the
    Gate's cassette keeps its entries in memory."""
    from check_fakeserver import Behaviour, serve

    from specforge.check import engine
    from specforge.check.lifecycle import Scenario
    from specforge.check.redact import Redactor
    from specforge.check.spec import SpecModel, load_spec, with_implicit_errors
    from specforge.check.transport import Budget, Cassette, Gate

    document, _ = with_implicit_errors(load_spec(spec=FIXTURE_SPEC).data)
    spec = SpecModel.of(document)
    red = Redactor(TOKEN)
    gate = Gate(budget=Budget(budget), cassette=Cassette(None, red), redactor=red)
    with serve(behaviour or Behaviour(token=TOKEN, job_seconds=0.2)) as (url, state):
        schema = engine.load_schema(document, url, spec=spec, headers={"Authorization": f"Bearer {TOKEN}"})
        yield (
            Scenario(
                spec=spec,
                gate=gate,
                base_url=engine.api_base_url(url, spec),
                token=TOKEN,
                validate=lambda response, body: engine.validate(schema, response, red=red, body=body),
                poll_interval=0.02,
                job_timeout=3,
                request_timeout=2,
            ),
            state,
        )


def quick_check(url: str, tmp_path: Path, **kw: object) -> Any:
    """A short check of the fixture spec at ``url`` (2 examples, seed 3, 3 s jobs), its reports
    written to ``tmp_path``; ``kw`` sets or overrides any option (phases, request_timeout, ...)."""
    from specforge.check import CheckOptions, run_check
    from specforge.render.reports import write_reports

    options: dict[str, object] = dict(
        base_url=url,
        spec=FIXTURE_SPEC,
        max_examples=2,
        seed=3,
        poll_interval=0.05,
        job_timeout=3,
    )
    options.update(kw)
    result = run_check(CheckOptions(**options), report_dir=tmp_path)  # type: ignore[arg-type]
    write_reports(result, tmp_path)
    return result
