"""Fixtures for check tests: the fake provider (fault injection) and the project's mock."""

from __future__ import annotations

import sys
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
