"""Wall time and peak memory of ``specforge check`` against hostile servers (the ones the test
suite uses, tests/check/hostile_server.py): 200 MB streamed bodies on every API answer, a server
trickling its answers at 1 byte/s, a revoked key (401 to everything), and a server echoing the
token in every encoding. Each run is a fresh ``specforge check`` process (all phases); its peak
RSS comes from ``wait4``. Goals: bounded memory (no 200 MB body is ever held; well under 1 GB) and
a run that ends (the total deadline per request), with exit code 3 and its report written.

    PYTHONPATH=src python benchmarks/hostile_servers.py [--request-timeout 2] [--max-examples 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests" / "check"))

from hostile_server import ECHOES, Hostile, hostile  # noqa: E402

TOKEN = "sk-bench-hostile-0123456789"
SPEC = ROOT / "tests" / "fixtures" / "check" / "videos.yaml"

MODES = {
    "200 MB streamed bodies": Hostile(token=TOKEN, fault="huge", fault_paths=("/v1/videos",)),
    "1 byte/s trickle": Hostile(token=TOKEN, fault="trickle", fault_paths=("/v1/videos",)),
    "revoked key (401 to all)": Hostile(status=401, echo=("error-message", "set-cookie")),
    "token echoed in 20 encodings": Hostile(token=TOKEN, echo=ECHOES),
}


def measure(name: str, mode: Hostile, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder, hostile(mode) as (url, _):
        env = {**os.environ, "SPECFORGE_TOKEN": TOKEN, "PYTHONPATH": str(ROOT / "src")}
        command = [
            sys.executable,
            "-m",
            "specforge",
            "check",
            url,
            "--spec",
            str(SPEC),
            "--report-dir",
            folder,
            "--max-examples",
            str(args.max_examples),
            "--seed",
            "1",
            "--request-timeout",
            str(args.request_timeout),
            "--poll-interval",
            "0.05",
            "--job-timeout",
            "5",
            "-q",
            "--config",
            str(ROOT / "specforge.toml"),
        ]
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        out = process.stdout.read().decode() if process.stdout else ""
        reports = sorted(p.name for p in Path(folder).glob("*/*"))
        print(
            f"{name:<30} exit {os.waitstatus_to_exitcode(status)}  {wall:6.1f} s  peak RSS {usage.ru_maxrss / 1024:6.0f} MiB"
            f"  reports: {len(reports)} files  {out.strip().splitlines()[-1] if out.strip() else ''}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--request-timeout", type=float, default=2.0)
    parser.add_argument("--max-examples", type=int, default=2)
    parser.add_argument("--only", default=None, help="run only modes whose name contains this")
    args = parser.parse_args()
    for name, mode in MODES.items():
        if args.only is None or args.only in name:
            measure(name, mode, args)


if __name__ == "__main__":
    main()
