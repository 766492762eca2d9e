"""Shared test helpers. Tests talk only to servers they start on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests judge behaviour, not speed: a CI machine busy with other suites must not turn
# hypothesis' "too slow" health check or per-example deadline into a failure.
settings.register_profile("specforge", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("specforge")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def project_root() -> Path:
    return ROOT
