"""Fixtures for check tests: the fake provider (fault injection) and the project's mock."""

from __future__ import annotations

import sys
from pathlib import Path

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
