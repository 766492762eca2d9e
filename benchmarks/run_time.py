"""How long does the main job (`specforge run` on the bundled project) take, and how well does it
use the cores?

    python benchmarks/run_time.py [--runs 2]

Copies the bundled project to a temporary folder and runs `specforge run` there as a cold
process, `--runs` times in a row (the first run has no previous summary to schedule by; later ones
order the checks by the previous run's seconds, as a user's second run does). For each run it
prints the wall time, the CPU time of the whole process tree and CPU / wall (2.0 = both of two
cores busy all the time), then each check task's seconds and the stages'.

The CPU figure needs every descendant: check workers are children of multiprocessing's fork
server, which the run never waits for, so this script makes itself a child subreaper
(``PR_SET_CHILD_SUBREAPER``, Linux) and reaps every orphan before reading ``RUSAGE_CHILDREN``.
The peer is the run's own critical path: wall time can not go below its longest check task.

Goal (issue 13): at most 30 s wall on 2 cores.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Orphaned descendants (the fork server and its workers) are re-parented to this process,
    so their CPU time reaches ``RUSAGE_CHILDREN`` once they are reaped."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap_all() -> None:
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(project: Path, command: list[str]) -> tuple[float, float, dict[str, object]]:
    before = cpu_seconds()
    started = time.perf_counter()
    subprocess.run(command, cwd=project, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    reap_all()  # the fork server exits once the run has gone; its workers are reaped by it
    time.sleep(0.2)
    reap_all()
    newest = max((project / "reports").glob("run-*/summary.json"), key=lambda p: p.stat().st_mtime)
    return wall, cpu_seconds() - before, json.loads(newest.read_text(encoding="utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    exact = become_subreaper()
    specforge = shutil.which("specforge") or str(Path(sys.executable).with_name("specforge"))
    command = [specforge, "run"]
    print(f"{os.cpu_count()} CPU(s); command: specforge run (bundled project, copied)")
    if not exact:
        print("(no PR_SET_CHILD_SUBREAPER here: the CPU figure misses the check workers)")
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(ROOT / "specs", project / "specs")
        shutil.copy(ROOT / "specforge.toml", project / "specforge.toml")
        for number in range(1, args.runs + 1):
            wall, cpu, summary = one_run(project, command)
            tasks: dict[str, float] = {}
            for section, suffix in (("checks", ""), ("compat", "/vs-canonical")):
                for variant, brief in summary.get(section, {}).items():  # type: ignore[union-attr]
                    if isinstance(brief.get("seconds"), int | float):
                        tasks[variant + suffix] = brief["seconds"]
            longest = max(tasks.items(), key=lambda item: item[1]) if tasks else ("-", 0.0)
            print(
                f"run {number}: wall {wall:.1f} s, CPU {cpu:.1f} s, CPU/wall {cpu / wall:.2f}; "
                f"longest check {longest[0]} {longest[1]:.1f} s; exit {summary.get('exit_code')}"
            )
            stages = ", ".join(
                f"{s['name']} {s['seconds']:.1f}"
                for s in summary.get("stages", [])  # type: ignore[union-attr]
                if s["name"] != "check"
            )
            print(f"  stages: {stages}")
            print(
                "  checks: "
                + ", ".join(f"{k} {v:.1f}" for k, v in sorted(tasks.items(), key=lambda kv: -kv[1]))
            )


if __name__ == "__main__":
    main()
