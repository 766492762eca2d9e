"""Nightly compatibility runs: many providers checked concurrently, every run kept in a SQLite
history, each provider compared with its previous run (regressions, fixes, spec drift), and a
summary with trends. Never imports the check engine at import time (see ``adapter``)."""

from specforge.history.diff import build_summary, compare, compare_runs, exit_code, spec_changes, spec_drift
from specforge.history.model import (
    CheckOutcome,
    NightlySummary,
    ProviderRow,
    RunDiff,
    RunRecord,
    TrendPoint,
    failure_key,
)
from specforge.history.providers import (
    NightlySettings,
    Provider,
    ProvidersFile,
    load_providers,
    parse_shard,
)
from specforge.history.runner import NightlyRun, Runner, run_nightly
from specforge.history.store import HistoryStore

__all__ = [
    "CheckOutcome",
    "HistoryStore",
    "NightlyRun",
    "NightlySettings",
    "NightlySummary",
    "Provider",
    "ProviderRow",
    "ProvidersFile",
    "RunDiff",
    "RunRecord",
    "Runner",
    "TrendPoint",
    "build_summary",
    "compare",
    "compare_runs",
    "exit_code",
    "failure_key",
    "load_providers",
    "parse_shard",
    "run_nightly",
    "spec_changes",
    "spec_drift",
]
