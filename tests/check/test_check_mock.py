"""End to end against ``specforge.mock``: every variant is conformant to its own spec, the canonical
spec catches the documented deviations, fingerprint finds the variant, the budget holds on the
server side."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from conftest import TOKEN
from specforge.check import CheckOptions, CheckResult, run_check
from specforge.check.replay import fingerprint
from specforge.core import Config, load_config
from specforge.mock import serve

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = ("openai", "hingnet-sora", "hingnet-veo", "newapi", "xiexus", "aiid")
#: merged specs of these two differ only in their examples, so their mocks behave identically
INDISTINGUISHABLE = {"hingnet-sora": {"hingnet-veo"}, "hingnet-veo": {"hingnet-sora"}}


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(ROOT / "specforge.toml")


def check(url: str, config: Config, **kw: object) -> CheckResult:
    options = dict(
        base_url=url,
        config=config,
        max_examples=3,
        seed=7,
        poll_interval=0.05,
        job_timeout=10,
        request_timeout=5,
    )
    options.update(kw)
    return run_check(CheckOptions(**options))  # type: ignore[arg-type]


def stats(url: str) -> dict[str, int]:
    data: dict[str, int] = requests.get(url + "/__specforge__/stats", timeout=5).json()
    return data


@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS)
def test_each_mock_conforms_to_its_own_variant_and_fingerprints_as_it(
    variant: str, config: Config, token: str
) -> None:
    with serve(variant, config=config, token=TOKEN, job_seconds=0.2) as url:
        own = check(url, config, variant=variant)
        assert own.verdict.value == "conformant", [
            (f.operation, f.check, f.diagnostic.message[:200]) for f in own.failures
        ]
        assert not own.infrastructure and own.creates_used >= 1
        canonical = check(url, config)  # the canonical spec: what fingerprint records
    ranking = fingerprint(canonical.exchanges, config)
    best = ranking[0]
    # tied: the same violations per check and the same documented exchanges (names break it)
    tied = {m.variant for m in ranking if m.rank_key()[:2] == best.rank_key()[:2]}
    assert variant in tied, [m.to_dict() for m in ranking]
    assert tied <= {variant} | INDISTINGUISHABLE.get(variant, set())


def test_aiid_against_canonical_finds_millisecond_timestamps_and_status(config: Config, token: str) -> None:
    with serve("aiid", config=config, token=TOKEN, job_seconds=0.2) as url:
        result = check(url, config, phases=("lifecycle", "examples"))
    assert result.verdict.value == "non-conformant"
    checks = {f.check for f in result.failures}
    assert "timestamps_are_unix_seconds" in checks
    assert (
        "status_code_conformance" in checks
    )  # JSON create answered 415: a status the canonical does not document
    ms = next(f for f in result.failures if f.check == "timestamps_are_unix_seconds")
    assert ms.diagnostic.pointer == "/created_at" and len(ms.actual) == 13


def test_hingnet_veo_against_canonical_finds_seconds_and_input_reference(config: Config, token: str) -> None:
    with serve("hingnet-veo", config=config, token=TOKEN, job_seconds=0.2) as url:
        result = check(url, config, phases=("lifecycle",))
    pointers = {(f.check, f.diagnostic.pointer) for f in result.failures}
    assert ("request_fields_round_trip", "/seconds") in pointers
    assert ("response_schema_conformance", "/seconds") in pointers
    assert ("valid_create_is_accepted", "/input_reference") in pointers
    assert result.jobs and result.jobs[0].outcome == "completed"


def test_budget_is_enforced_on_the_server_side(config: Config, token: str) -> None:
    with serve("openai", config=config, token=TOKEN, job_seconds=0.2) as url:
        result = check(
            url,
            config,
            variant="openai",
            budget=2,
            phases=("lifecycle", "invalid-input", "examples", "coverage", "fuzzing"),
        )
        assert stats(url)["creates"] <= 2
        assert result.creates_used == 2 and result.creates_blocked >= 1
    with serve("openai", config=config, token=TOKEN, job_seconds=0.2) as url:
        result = check(url, config, variant="openai", no_create=True)
        assert stats(url)["creates"] == 0 and result.creates_used == 0
        skipped = [c for c in result.cases if c.status.value == "skipped"]
        assert skipped, "create operations are reported as skipped"


def test_lifecycle_follows_the_job_to_the_mp4(config: Config, token: str) -> None:
    with serve("openai", config=config, token=TOKEN, job_seconds=0.3) as url:
        result = check(url, config, variant="openai", phases=("lifecycle",))
    job = result.jobs[0]
    assert job.outcome == "completed" and job.statuses[-1] == "completed" and job.statuses[0] == "queued"
    assert list(job.progress) == sorted(job.progress)
    assert job.content_type == "video/mp4" and (job.content_bytes or 0) > 100


def test_pending_job_at_timeout_is_not_a_failure(config: Config, token: str) -> None:
    with serve("openai", config=config, token=TOKEN, job_seconds=30) as url:
        result = check(
            url, config, variant="openai", phases=("lifecycle",), job_timeout=0.4, poll_interval=0.1
        )
    assert result.jobs[0].outcome == "pending"
    assert result.verdict.value == "conformant"
