"""Regression diffing: a run against the provider's previous one. New failures are regressions,
failures that are gone are fixes, and a changed spec or vendor-doc hash is spec drift (so a reader
knows whether the provider or the contract moved)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from specforge.core.diagnostics import Diagnostic, Severity
from specforge.history.model import (
    SEVERITIES,
    SPEC_KEY,
    CauseRecord,
    NightlySummary,
    ProviderRow,
    RunDiff,
    RunRecord,
)
from specforge.history.store import HistoryStore


def spec_changes(
    store: HistoryStore, previous: RunRecord | None, current: RunRecord
) -> tuple[Diagnostic, ...]:
    """The classified changes (``specforge.diff``) between the specs two runs were checked
    against, as diagnostics (breaking = error); empty when either spec was not recorded or the
    texts are equal."""
    if previous is None:
        return ()
    before, after = store.spec_snapshot(previous.run_id), store.spec_snapshot(current.run_id)
    if before is None or after is None or before[1] == after[1]:
        return ()
    from specforge.core import InputError, load_text
    from specforge.diff import Spec, diff

    try:
        old = load_text(before[1], f"{before[0]}@{previous.run_id}")
        new = load_text(after[1], f"{after[0]}@{current.run_id}")
    except InputError:
        return ()
    if not isinstance(old.data, dict) or not isinstance(new.data, dict):
        return ()
    return tuple(
        c.to_diagnostic()
        for c in diff(Spec(previous.run_id, old.data, old), Spec(current.run_id, new.data, new))
    )


def compare_runs(store: HistoryStore, previous: RunRecord | None, current: RunRecord) -> RunDiff:
    """:func:`compare` with the runs' recorded specs diffed into classified drift."""
    return compare(previous, current, spec_changes=spec_changes(store, previous, current))


def _spec_key(diagnostic: Diagnostic) -> str:
    return f"{SPEC_KEY} · {diagnostic.code} · {diagnostic.pointer}"


def compare(
    previous: RunRecord | None, current: RunRecord, *, spec_changes: tuple[Diagnostic, ...] = ()
) -> RunDiff:
    """How ``current`` differs from ``previous`` (same provider, or any two runs for ``history diff``).
    ``spec_changes`` are the classified changes of the spec between them: a breaking one is a
    regression of its own (the contract a client relies on broke), whatever the check found."""
    if not current.comparable:
        return RunDiff(
            provider=current.provider,
            current=current.run_id,
            previous=previous.run_id if previous else None,
            status="not-compared",
            previous_verdict=previous.verdict if previous else None,
            current_verdict=current.verdict,
        )
    now = current.failures()
    if previous is None or not previous.comparable:
        return RunDiff(
            provider=current.provider,
            current=current.run_id,
            previous=previous.run_id if previous else None,
            status="baseline",
            unchanged=tuple(sorted(now)),
            current_verdict=current.verdict,
            previous_verdict=previous.verdict if previous else None,
            details=dict(now),
            graded=current.graded,
            known_causes=tuple(c.key for c in current.causes),
            causes={c.key: c for c in current.causes},
        )
    causes = _compare_causes(previous, current)
    before = previous.failures()
    breaking = {_spec_key(d): d for d in spec_changes if d.severity is Severity.ERROR}
    regressions = tuple(sorted(set(now) - set(before))) + tuple(sorted(breaking))
    fixes = tuple(sorted(set(before) - set(now)))
    unchanged = tuple(sorted(set(now) & set(before)))
    drift = spec_drift(previous, current)
    if regressions or causes.get("new_causes"):
        status = "regressed"
    elif fixes or causes.get("gone_causes"):
        status = "fixed"
    elif drift or previous.verdict != current.verdict:
        status = "changed"
    else:
        status = "unchanged"
    details: dict[str, Diagnostic | None] = {
        key: now[key] for key in (*regressions, *unchanged) if key in now
    }
    details.update({key: before[key] for key in fixes})
    details.update(breaking)
    return RunDiff(
        provider=current.provider,
        current=current.run_id,
        previous=previous.run_id,
        status=status,
        regressions=regressions,
        fixes=fixes,
        unchanged=unchanged,
        spec_drift=drift,
        spec_changes=spec_changes,
        previous_verdict=previous.verdict,
        current_verdict=current.verdict,
        details=details,
        **causes,
    )


def _compare_causes(previous: RunRecord, current: RunRecord) -> dict[str, Any]:
    """The cause lists of a ``RunDiff`` (all empty unless both runs recorded their causes): a
    cause is new when its key is, or when its severity rose (a known defect that now breaks
    the SDK is news); order: most severe first, then by key."""
    if not (previous.graded and current.graded):
        return {"graded": False}
    old = {c.key: c for c in previous.causes}
    new = {c.key: c for c in current.causes}

    def rank(cause: CauseRecord) -> int:
        return SEVERITIES.index(cause.severity) if cause.severity in SEVERITIES else len(SEVERITIES)

    def ordered(keys: set[str], source: dict[str, CauseRecord]) -> tuple[str, ...]:
        return tuple(sorted(keys, key=lambda k: (rank(source[k]), k)))

    escalated = {k for k in new.keys() & old.keys() if rank(new[k]) < rank(old[k])}
    added = (new.keys() - old.keys()) | escalated
    gone = old.keys() - new.keys()
    return {
        "graded": True,
        "new_causes": ordered(added, new),
        "escalated": ordered(escalated, new),
        "gone_causes": ordered(gone, old),
        "known_causes": ordered(new.keys() - added, new),
        "causes": {**{k: old[k] for k in gone}, **new},
    }


def spec_drift(previous: RunRecord, current: RunRecord) -> tuple[str, ...]:
    """What moved in the contract between two runs (empty when nothing did)."""
    drift = []
    if previous.spec_hash and current.spec_hash and previous.spec_hash != current.spec_hash:
        drift.append(
            f"spec {current.spec_name or 'hash'} changed ({previous.spec_hash[:12]} → {current.spec_hash[:12]})"
        )
    if previous.source_hash and current.source_hash and previous.source_hash != current.source_hash:
        drift.append(f"vendor doc/source changed ({previous.source_hash[:12]} → {current.source_hash[:12]})")
    if (previous.variant or "") != (current.variant or ""):
        drift.append(
            f"variant changed ({previous.variant or 'canonical'} → {current.variant or 'canonical'})"
        )
    return tuple(drift)


def build_summary(
    store: HistoryStore,
    batch: str | None = None,
    *,
    trend: int = 10,
    summary_dir: Path | None = None,
    now: datetime | None = None,
    fail_on: str = "blocking",
) -> NightlySummary:
    """The summary of ``batch`` (default: the newest) straight from the database, so a summary of
    merged shard databases is built exactly like one written by a single nightly process."""
    batch = batch or store.latest_batch()
    if batch is None:
        from specforge.core.errors import InputError

        raise InputError(
            "the history database has no runs", file=str(store.path), hint="run `specforge nightly` first"
        )
    runs = store.batch_runs(batch)
    if not runs:
        from specforge.core.config import suggest
        from specforge.core.errors import InputError

        known = [row[0] for row in store.conn.execute("SELECT DISTINCT batch FROM runs")]
        raise InputError(f"no runs in batch `{batch}`{suggest(batch, known)}", file=str(store.path))
    # a provider run twice in one batch (re-run of a shard): its newest run counts
    latest: dict[str, RunRecord] = {}
    for run in runs:
        latest[run.provider] = run
    rows = []
    for provider in sorted(latest):
        run = latest[provider]
        diff = compare_runs(store, store.previous(run), run)
        link = None
        report_dir = run.report_dir
        if summary_dir is not None and (not report_dir or not Path(report_dir).is_dir()):
            # a merged shard's absolute path from another machine: look beside the summary
            beside = summary_dir / run.provider
            report_dir = str(beside) if beside.is_dir() else report_dir
        if report_dir:
            target = Path(report_dir)
            for name in ("report.html", "report.md", "report.json"):
                if (target / name).is_file():
                    target = target / name
                    break
            if summary_dir is not None:
                try:
                    link = Path(os.path.relpath(target, summary_dir)).as_posix()
                except ValueError:  # other drive on Windows
                    link = target.as_posix()
            else:
                link = target.as_posix()
        rows.append(ProviderRow(run=run, diff=diff, trend=tuple(store.trend(run, trend)), report_link=link))
    started = store.batch_started(batch) or runs[0].started_at
    moment = now or datetime.now(UTC)
    return NightlySummary(
        batch=batch,
        date=started[:10],
        generated_at=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        rows=tuple(rows),
        trend_runs=trend,
        fail_on=fail_on,
    )


def exit_code(summary: NightlySummary, *, unreachable_exit: int = 3, fail_on: str = "blocking") -> int:
    """1 when a provider fails the gate (``RunDiff.gate``: a first-seen provider with causes at
    ``fail_on`` or worse, new causes at that level, a breaking spec change), else
    ``unreachable_exit`` when a provider could not be checked, else 0. Known, unchanged
    failures do not fail the job."""
    if summary.failing(fail_on):
        return 1
    if summary.unreachable and unreachable_exit:
        return unreachable_exit
    return 0


def recorded_spec(config: Any, ref: str) -> Any:
    """The spec the history run ``ref`` (id, id prefix, provider name, ``provider~N``) was checked
    against, as a ``specforge.diff.Spec``; None when there is no history or no such run (the
    ``history`` loader of ``specforge.diff.sources.load_spec``)."""
    from specforge.core import InputError, load_text
    from specforge.diff.sources import document_spec

    database = config.reports / "history.sqlite"
    if not database.is_file():
        return None
    with HistoryStore(database, create=False) as store:
        try:
            run = store.resolve(ref)
        except InputError:
            return None
        snapshot = store.spec_snapshot(run.run_id)
    if snapshot is None:
        raise InputError(
            f"history run `{run.run_id}` has no recorded spec",
            file=config.display(database),
            hint="runs recorded before specforge recorded specs cannot be diffed; compare newer runs",
        )
    name, text = snapshot
    return document_spec(ref, load_text(text, f"{name}@{run.run_id}"))
