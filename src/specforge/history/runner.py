"""The nightly runner: checks many providers concurrently (bounded), each under its own timeout,
and stores every run the moment it finishes, so one provider's crash or hang never loses the
others' results.

Isolation "process" (the default) runs checks in a small pool of long-lived worker processes
from multiprocessing's fork server with ``set_forkserver_preload`` (the check machinery is
imported once, workers share its pages): a hung
provider's worker is killed at its timeout and replaced; a worker that dies is recorded as a
crash. Isolation "thread" runs checks in threads of this process: cheaper, but a hung check can
only be abandoned, not stopped; meant for tests and runners that are pure I/O."""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import secrets
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkServerContext
from pathlib import Path
from typing import Any

from specforge.core.interrupt import interruptible
from specforge.history.model import CRASHED, TIMEOUT, RunRecord
from specforge.history.providers import Provider
from specforge.history.results import normalize_result, record_from
from specforge.history.store import HistoryStore

Runner = Callable[[Provider], Any]


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """UTC, millisecond precision: runs order by this text, and a quick re-run within the same
    second must still come after the run before it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def new_batch_id(moment: datetime | None = None) -> str:
    return f"{(moment or utc_now()).strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def new_run_id(provider: str, moment: datetime) -> str:
    """Globally unique (random suffix), sortable and readable; unique ids make `history merge`
    of shard databases idempotent."""
    return f"{moment.strftime('%Y%m%dT%H%M%S')}-{provider}-{secrets.token_hex(3)}"


@dataclass
class NightlyRun:
    """What ``run_nightly`` did: the batch id and every stored run."""

    batch: str
    started_at: str
    finished_at: str = ""
    runs: list[RunRecord] = field(default_factory=list)
    #: "interrupted by SIGINT" when a signal stopped the batch (the runs stored so far are kept)
    interrupted: str | None = None


class NightlyInterrupted(KeyboardInterrupt):
    """SIGINT/SIGTERM stopped a batch; ``run`` holds what was stored before (for a partial summary)."""

    def __init__(self, run: NightlyRun) -> None:
        super().__init__(run.interrupted)
        self.run = run


# -- workers ----------------------------------------------------------------------------------------


def execute(runner: Runner, provider: Provider) -> tuple[str, Any]:
    """Run one check; a runner's exception is data about that provider (verdict "crashed")."""
    try:
        return ("ok", normalize_result(runner(provider)))
    except BaseException as exc:  # noqa: BLE001 - reported as the provider's result, never re-raised
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        where = "".join(traceback.format_tb(exc.__traceback__)[-2:]).rstrip()
        return (CRASHED, f"runner raised {detail}\n{where}")


def runner_reference(runner: Runner) -> str:
    """``module:qualname`` of an importable runner (worker processes import it by name)."""
    module = getattr(runner, "__module__", None)
    qualname = getattr(runner, "__qualname__", None)
    if not module or not qualname or module == "__main__" or "<" in qualname:
        raise ValueError(
            f"runner {runner!r} is not importable by name; process isolation needs a module-level "
            "function (or use isolation='thread')"
        )
    return f"{module}:{qualname}"


class _Worker:
    conn: Connection

    def submit(self, provider: Provider) -> None:
        raise NotImplementedError

    def kill(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    @property
    def exitcode(self) -> int | None:
        return None


def _context(reference: str) -> ForkServerContext:
    """multiprocessing's fork server: a fresh interpreter (never a fork of this process, which may
    hold server or progress threads) that imports the modules the runner's module lists in
    ``NIGHTLY_PRELOAD`` once; every worker is forked from it, starts in milliseconds and shares
    those pages copy-on-write. The preload applies when the server starts (once per process); the
    runner's own module is imported by each worker, under the environment of this run."""
    context = multiprocessing.get_context("forkserver")
    module = reference.partition(":")[0]
    try:
        preload = list(getattr(importlib.import_module(module), "NIGHTLY_PRELOAD", ()))
    except Exception:  # noqa: BLE001 - the worker reports the runner's import error per provider
        preload = []
    context.set_forkserver_preload(preload)
    return context


class _ProcessWorker(_Worker):
    """A long-lived worker process from the fork server, in its own process group."""

    def __init__(self, context: ForkServerContext, reference: str, startup_timeout: float = 300.0) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=serve_worker, args=(child, reference, dict(os.environ)), name="specforge-nightly-worker"
        )
        self.process.start()
        child.close()
        if not self.conn.poll(startup_timeout):
            self.kill()
            raise RuntimeError(f"the check worker did not start within {startup_timeout:g} s")
        try:
            kind, detail = self.conn.recv()
        except (EOFError, OSError):
            self.kill()
            raise RuntimeError(
                f"the check worker exited while starting (exit code {self.exitcode})"
            ) from None
        if kind != "ready":
            self.close()
            raise RuntimeError(str(detail))

    def submit(self, provider: Provider) -> None:
        self.conn.send(provider)

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            os.killpg(self.process.pid or 0, signal.SIGKILL)  # the check and whatever it started
        self.process.join(5)
        self.conn.close()

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(5)
        if self.process.exitcode is None:
            self.kill()
        self.conn.close()

    @property
    def exitcode(self) -> int | None:
        self.process.join(2)
        return self.process.exitcode


def serve_worker(conn: Connection, reference: str, environ: dict[str, str]) -> None:
    """A worker's life: its own session (a timeout kills its whole group), Ctrl-C left to the
    nightly process, this run's environment (tokens are read from it; the fork server's is from
    when it started), the runner loaded by name, then one provider at a time until ``None``."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.clear()
    os.environ.update(environ)
    try:
        runner = resolve(reference)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which records it per provider
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        conn.send(("error", f"cannot load runner {reference}: {detail}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if task is None:
            return
        conn.send(execute(runner, task))


def resolve(reference: str) -> Any:
    """The object ``module:qualname`` names."""
    module_name, _, qualname = reference.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


class _ThreadWorker(_Worker):
    def __init__(self, runner: Runner) -> None:
        self.conn, self._child = multiprocessing.Pipe()
        self.runner = runner

    def submit(self, provider: Provider) -> None:
        child = self._child

        def target() -> None:
            result = execute(self.runner, provider)
            # abandoned after a timeout: nobody listens any more
            with contextlib.suppress(OSError, ValueError):
                child.send(result)

        threading.Thread(target=target, name=f"nightly-{provider.name}", daemon=True).start()

    def kill(self) -> None:
        # a thread cannot be stopped; closing both ends makes its late result vanish
        self.conn.close()
        self._child.close()

    def close(self) -> None:
        self.conn.close()
        self._child.close()


# -- the loop ---------------------------------------------------------------------------------------


def run_nightly(
    providers: Iterable[Provider],
    store: HistoryStore,
    *,
    runner: Runner | None = None,
    concurrency: int = 4,
    isolation: str = "process",
    batch: str | None = None,
    report_root: Path | None = None,
    shard: str | None = None,
    config_hash: str | None = None,
    source_hash: Callable[[Provider], str] | None = None,
    on_result: Callable[[RunRecord], None] | None = None,
    spec_of: Callable[[Provider], tuple[str, str] | None] | None = None,
) -> NightlyRun:
    """Check every provider, store each run as soon as it ends, return them all.

    ``runner(provider)`` performs one check and returns a CheckResult (or its ``to_dict()``);
    default: :func:`specforge.history.adapter.check_provider`. With isolation "process" it must be
    importable (a module-level function). ``report_root/<provider>`` is handed to the runner as
    the provider's report folder."""
    if concurrency < 1:
        raise ValueError("concurrency must be >= 1")
    if runner is None:
        from specforge.history.adapter import check_provider

        runner = check_provider
    if source_hash is None:
        from specforge.history.adapter import project_source_hash

        source_hash = project_source_hash
    if spec_of is None:
        from specforge.history.adapter import project_spec

        spec_of = project_spec
    started = utc_now()
    batch = batch or new_batch_id(started)
    result = NightlyRun(batch=batch, started_at=iso(started))
    store.begin_batch(batch, started_at=result.started_at, shard=shard, config_hash=config_hash)
    queue: deque[Provider] = deque(
        p.with_report_dir(report_root / p.name) if report_root is not None and p.report_dir is None else p
        for p in providers
    )
    if isolation not in ("process", "thread"):
        raise ValueError(f"isolation must be 'process' or 'thread', not {isolation!r}")
    if os.name != "posix":  # the fork server needs fork() and fd passing
        isolation = "thread"
    reference = runner_reference(runner) if isolation == "process" else ""
    context = _context(reference) if isolation == "process" else None

    def make_worker() -> _Worker:
        if context is None:
            return _ThreadWorker(runner)
        return _ProcessWorker(context, reference)

    idle: list[_Worker] = []
    busy: dict[_Worker, tuple[Provider, datetime, float]] = {}

    def finish(provider: Provider, began: datetime, outcome: tuple[str, Any]) -> None:
        ended = utc_now()
        kind, payload = outcome
        hashed = ""
        try:
            hashed = source_hash(provider)
        except Exception:  # noqa: BLE001 - a missing doc file must not lose the run
            hashed = ""
        try:
            spec = spec_of(provider)
        except Exception:  # noqa: BLE001 - nor an unreadable spec: the run is stored without it
            spec = None
        record = record_from(
            payload if kind == "ok" else None,
            provider=provider,
            run_id=new_run_id(provider.name, began),
            batch=batch,
            started_at=iso(began),
            finished_at=iso(ended),
            duration=(ended - began).total_seconds(),
            source_hash=hashed,
            shard=shard,
            failure=None if kind == "ok" else (kind, str(payload)),
        )
        from specforge.history.adapter import redact_record

        record = redact_record(provider, record)  # the one sink of the history: database and summary
        store.add_run(record, spec=spec)
        result.runs.append(record)
        if on_result is not None:
            on_result(record)

    interruption = contextlib.ExitStack()
    seen = interruption.enter_context(interruptible())
    try:
        while queue or busy:
            while queue and len(busy) < concurrency:
                provider = queue.popleft()
                try:
                    worker = idle.pop() if idle else make_worker()
                except (OSError, EOFError, RuntimeError) as exc:
                    finish(provider, utc_now(), (CRASHED, f"could not start the check: {exc}"))
                    continue
                try:
                    worker.submit(provider)
                except (OSError, ValueError) as exc:
                    worker.kill()
                    finish(provider, utc_now(), (CRASHED, f"could not start the check: {exc}"))
                    continue
                busy[worker] = (provider, utc_now(), time.monotonic() + provider.timeout)
            if not busy:
                continue
            now = time.monotonic()
            wait_for = max(0.0, min(deadline for _, _, deadline in busy.values()) - now)
            ready = set(wait([w.conn for w in busy], timeout=wait_for))
            for worker in list(busy):
                provider, began, deadline = busy[worker]
                if worker.conn in ready:
                    try:
                        outcome = worker.conn.recv()
                    except (EOFError, OSError):
                        outcome = None
                    if outcome is not None:
                        del busy[worker]
                        idle.append(worker)
                        finish(provider, began, outcome)
                        continue
                    del busy[worker]
                    code = worker.exitcode
                    worker.kill()
                    finish(provider, began, (CRASHED, f"check worker died (exit code {code})"))
                    continue
                if time.monotonic() >= deadline:
                    del busy[worker]
                    worker.kill()
                    finish(
                        provider,
                        began,
                        (
                            TIMEOUT,
                            f"no result within the provider's timeout of {provider.timeout:g} s; stopped",
                        ),
                    )
    except KeyboardInterrupt:
        # committed runs stay committed; the checks still running are stopped, not recorded
        result.interrupted = seen.reason or "interrupted by the user"
        raise NightlyInterrupted(result) from None
    finally:
        interruption.close()
        for worker in busy:
            worker.kill()
        for worker in idle:
            worker.close()
        finished = iso(utc_now())
        result.finished_at = finished
        store.finish_batch(batch, finished_at=finished)
    return result
