from __future__ import annotations

from history_fakes import make_run
from hypothesis import given
from hypothesis import strategies as st

from specforge.history import compare, exit_code
from specforge.history.model import NightlySummary, ProviderRow


def keys(*names: str) -> tuple[str, ...]:
    return tuple(sorted(make_run(failing=names).failures()))


def test_baseline_regressions_fixes_unchanged() -> None:
    first = make_run(started="2026-01-01T00:00:00Z", failing=("a", "b"))
    assert compare(None, first).status == "baseline"
    assert compare(None, first).unchanged == keys("a", "b")
    second = make_run(started="2026-01-02T00:00:00Z", failing=("b", "c"))
    diff = compare(first, second)
    assert diff.status == "regressed"
    assert diff.regressions == keys("c") and diff.fixes == keys("a") and diff.unchanged == keys("b")
    assert diff.details[keys("a")[0]].message == "a broke"  # a fix is explained by the old finding
    fixed = compare(second, make_run(started="2026-01-03T00:00:00Z", failing=("c",)))
    assert fixed.status == "fixed" and fixed.fixes == keys("b") and not fixed.regressions
    same = compare(second, make_run(started="2026-01-03T00:00:00Z", failing=("b", "c")))
    assert same.status == "unchanged" and not same.spec_drift


def test_volatile_messages_do_not_make_regressions() -> None:
    from dataclasses import replace

    first = make_run(failing=("a",))
    outcome = first.checks[-1]
    moved = replace(outcome, failures=(replace(outcome.failures[0], message="a broke for job 999 at 12:00"),))
    second = replace(first, run_id="x2", checks=(*first.checks[:-1], moved))
    assert compare(first, second).status == "unchanged"


def test_spec_drift_is_reported() -> None:
    first = make_run(spec_hash="s1", source_hash="d1")
    second = make_run(run_id="r2", spec_hash="s2", source_hash="d2", variant="aiid")
    diff = compare(first, second)
    assert diff.status == "changed"
    assert len(diff.spec_drift) == 3
    assert any("vendor doc" in d for d in diff.spec_drift) and any(
        "variant changed" in d for d in diff.spec_drift
    )


def test_unreachable_run_is_not_compared() -> None:
    first = make_run(failing=("a",))
    down = make_run(run_id="down", verdict="timeout")
    diff = compare(first, down)
    assert diff.status == "not-compared" and not diff.fixes and not diff.regressions
    assert compare(down, make_run(run_id="r3", failing=("a",))).status == "baseline"


def summary(*rows: tuple) -> NightlySummary:
    return NightlySummary(
        batch="b",
        date="2026-01-01",
        generated_at="2026-01-01T00:00:00Z",
        rows=tuple(ProviderRow(run=run, diff=diff, trend=()) for run, diff in rows),
    )


def test_exit_codes() -> None:
    ok = make_run("ok", verdict="conformant")
    known = make_run("known", failing=("a",))
    down = make_run("down", verdict="error")
    regressed = make_run("reg", run_id="r2", failing=("a", "b"))
    base = summary((ok, compare(None, ok)), (known, compare(known, known)))
    assert exit_code(base) == 0  # known failures do not fail the job
    with_down = summary((ok, compare(None, ok)), (down, compare(None, down)))
    assert exit_code(with_down) == 3 and exit_code(with_down, unreachable_exit=0) == 0
    worse = summary(
        (down, compare(None, down)), (regressed, compare(make_run("reg", failing=("a",)), regressed))
    )
    assert exit_code(worse) == 1  # a regression outranks an unreachable provider


names = st.sets(st.sampled_from(["a", "b", "c", "d", "e", "f"]), max_size=6)


@given(before=names, after=names)
def test_diff_partitions_failures(before: set[str], after: set[str]) -> None:
    old = make_run(started="2026-01-01T00:00:00Z", failing=tuple(before))
    new = make_run(started="2026-01-02T00:00:00Z", failing=tuple(after))
    diff = compare(old, new)
    assert set(diff.regressions) | set(diff.unchanged) == set(new.failures())
    assert set(diff.fixes) | set(diff.unchanged) == set(old.failures())
    assert not set(diff.regressions) & set(diff.fixes)
    back = compare(new, old)  # swapping the runs swaps regressions and fixes
    assert back.regressions == diff.fixes and back.fixes == diff.regressions


def test_failure_key_names_what_failed_where() -> None:
    from specforge.core.diagnostics import Diagnostic, Severity
    from specforge.history import failure_key

    own = Diagnostic(code="timestamps", severity=Severity.ERROR, message="ms", pointer="/created_at")
    other = Diagnostic(code="schema", severity=Severity.ERROR, message="bad", pointer="")
    assert (
        failure_key("timestamps", "GET /v1/videos/{id}", own)
        == "GET /v1/videos/{id} · timestamps · /created_at"
    )
    assert (
        failure_key("response_schema", "GET /v1/videos", other) == "GET /v1/videos · response_schema · schema"
    )
    assert failure_key("auth", "", None) == "* · auth"
