"""How does `specforge nightly` scale with the number of providers?

Starts N mock providers (specforge.mock, in a separate process so the servers do not compete with
the runner for the GIL), then times a nightly run of 1 provider and of N providers with the real
check runner, and samples the resident memory of the nightly process plus its worker processes.

    PYTHONPATH=src python benchmarks/nightly_scale.py [--providers 20] [--concurrency 8]

Goal: N=20 takes at most 3x the wall time of N=1. Prints both wall times, the ratio, and the peak
memory (the runner process, the largest worker, and runner + workers together as PSS, so pages
the forked workers share are not counted twice). Checks are CPU-bound while schemathesis
generates cases and I/O-bound while a video job runs, so the ratio on 2 cores depends on
``--job-seconds`` (the mock's job duration; real providers take minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
sys.path.insert(0, str(SRC))

VARIANTS = ["openai", "hingnet-sora", "hingnet-veo", "newapi", "xiexus", "aiid"]

HOST = """
import contextlib, json, sys, time
from specforge.mock import serve
variants = sys.argv[1:]
with contextlib.ExitStack() as stack:
    job_seconds = float(variants.pop(0))
    urls = [stack.enter_context(serve(v, token="sk-bench", job_seconds=job_seconds)) for v in variants]
    print(json.dumps(urls), flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin
"""


def _memory_kib(pid: int) -> int:
    """Proportional set size (shared pages split between the processes sharing them, so forked
    workers are not counted N times), falling back to RSS."""
    for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(path, encoding="ascii") as handle:
                for line in handle:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return found


class MemorySampler:
    """Peak of (this process + its descendants except ``exclude``) PSS, sampled every 50 ms."""

    def __init__(self, exclude: set[int]) -> None:
        self.exclude = exclude
        self.peak_total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree(self) -> list[int]:
        pending, seen = [os.getpid()], []
        while pending:
            pid = pending.pop()
            if pid in self.exclude:
                continue
            seen.append(pid)
            pending += _children(pid)
        return seen

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_total = max(self.peak_total, sum(_memory_kib(p) for p in self._tree()))
            time.sleep(0.05)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run(
    urls: list[str],
    variants: list[str],
    concurrency: int,
    workdir: Path,
    label: str,
    check: dict[str, object],
) -> float:
    from specforge.history import HistoryStore, Provider, run_nightly

    providers = [
        Provider(
            name=f"{label}-{index:02d}-{variant}",
            base_url=url,
            variant=variant,
            token_env="BENCH_TOKEN",
            timeout=300,
            check=check,
            project=ROOT / "specforge.toml",
        )
        for index, (url, variant) in enumerate(zip(urls, variants, strict=True))
    ]
    with HistoryStore(workdir / "history.sqlite") as store:
        started = time.perf_counter()
        result = run_nightly(providers, store, concurrency=concurrency, report_root=workdir / label)
        elapsed = time.perf_counter() - started
    verdicts: dict[str, int] = {}
    for record in result.runs:
        verdicts[record.verdict] = verdicts.get(record.verdict, 0) + 1
    print(f"  {label}: {len(providers)} provider(s) in {elapsed:.2f} s, verdicts {verdicts}", flush=True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--providers", type=int, default=20)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=4,
        help="providers checked at once (default: 4, what `specforge nightly` uses by default)",
    )
    parser.add_argument("--max-examples", type=int, default=5)
    parser.add_argument(
        "--phases", default=None, help="comma-separated check phases (default: all of the check's phases)"
    )
    parser.add_argument(
        "--job-seconds",
        type=float,
        default=2.0,
        help="how long a mock video job takes (real providers: minutes)",
    )
    args = parser.parse_args()
    os.environ["BENCH_TOKEN"] = "sk-bench"
    variants = [VARIANTS[i % len(VARIANTS)] for i in range(args.providers)]
    host = subprocess.Popen(
        [sys.executable, "-c", HOST, str(args.job_seconds), *variants],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    try:
        assert host.stdout is not None and host.stdin is not None
        urls = json.loads(host.stdout.readline())
        with tempfile.TemporaryDirectory() as tmp, MemorySampler(exclude={host.pid}) as memory:
            workdir = Path(tmp)
            print(
                f"{args.providers} mock providers up (jobs take {args.job_seconds:g} s); "
                f"concurrency {args.concurrency}; {os.cpu_count()} CPU(s)"
            )
            check: dict[str, object] = {
                "max_examples": args.max_examples,
                "poll_interval": 0.1,
                "job_timeout": 60.0,
            }
            if args.phases:
                check["phases"] = tuple(args.phases.split(","))
            print(f"check options: {check}")
            one = run(urls[:1], variants[:1], args.concurrency, workdir, "one", check)
            many = run(urls, variants, args.concurrency, workdir, "many", check)
        runner_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # the workers are children of multiprocessing's fork server, which reaps them; their peak
        # reaches RUSAGE_CHILDREN only once this process has reaped the fork server itself
        import multiprocessing.forkserver

        multiprocessing.forkserver._forkserver._stop()  # type: ignore[attr-defined]
        worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(
            f"wall time: 1 provider {one:.2f} s, {args.providers} providers {many:.2f} s, "
            f"ratio {many / one:.2f}x (goal <= 3x)"
        )
        print(
            f"peak memory: runner process {runner_peak / 1024:.0f} MiB, largest worker {worker_peak / 1024:.0f} MiB, "
            f"runner + zygote + workers together {memory.peak_total / 1024:.0f} MiB PSS (sampled every 50 ms)"
        )
    finally:
        if host.stdin:
            host.stdin.close()
        host.wait(30)


if __name__ == "__main__":
    main()
