"""Wall-time overhead of ``specforge check`` over bare ``schemathesis run``.

Both run as subprocesses against the same mock server, with the same spec file, max-examples, seed
and worker count, all phases, shrinking off on both sides (specforge's default; a conformant
server never shrinks anyway). specforge additionally runs its own scenarios (auth, lifecycle with
polling, invalid input), writes five reports and a cassette. Goal: <= 1.15x.

    PYTHONPATH=src python benchmarks/check_overhead.py [--rounds 3] [--warmup 1] [--max-examples 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

TOKEN = "sk-bench"


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - start, proc.returncode, (proc.stdout + proc.stderr)[-400:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="rounds run first and not counted (as hyperfine --warmup): the first process after a "
        "code change fills caches both tools keep on disk (hypothesis' .hypothesis/)",
    )
    parser.add_argument("--max-examples", type=int, default=20)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--spec",
        type=Path,
        default=ROOT / "tests" / "fixtures" / "check" / "videos.yaml",
        help="spec file given to both tools (default: the check test spec, errors documented)",
    )
    args = parser.parse_args()

    from specforge.core import dump_yaml, load_document
    from specforge.mock import serve

    spec = load_document(args.spec).data
    python = sys.executable
    schemathesis = str(Path(python).with_name("schemathesis"))
    env = dict(os.environ, SPECFORGE_TOKEN=TOKEN, PYTHONPATH=str(ROOT / "src"), NO_COLOR="1")
    rows: list[tuple[float, float]] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        serve("openai", spec=spec, token=TOKEN, job_seconds=0.2) as url,
    ):
        spec_file = Path(tmp) / "spec.yaml"
        spec_file.write_text(dump_yaml(spec), encoding="utf-8")
        common = [
            "--max-examples",
            str(args.max_examples),
            "--seed",
            str(args.seed),
            "--workers",
            str(args.workers),
        ]
        bare = [
            schemathesis,
            "run",
            str(spec_file),
            "--url",
            url + "/v1",
            "-H",
            f"Authorization: Bearer {TOKEN}",
            "--no-shrink",
            *common,
        ]
        ours = [
            python,
            "-m",
            "specforge",
            "check",
            url,
            "--spec",
            str(spec_file),
            "--report-dir",
            str(Path(tmp) / "reports"),
            "--poll-interval",
            "0.1",
            "--job-timeout",
            "10",
            "-q",
            *common,
        ]
        for round_ in range(args.warmup + args.rounds):
            t_bare, rc_bare, out_bare = timed(bare, env)
            t_ours, rc_ours, out_ours = timed(ours, env)
            if round_ < args.warmup:
                print(
                    f"warm-up: schemathesis run {t_bare:6.2f}s, specforge check {t_ours:6.2f}s (not counted)"
                )
                continue
            rows.append((t_bare, t_ours))
            print(
                f"schemathesis run: {t_bare:6.2f}s (exit {rc_bare})   specforge check: {t_ours:6.2f}s (exit {rc_ours})"
                f"   ratio {t_ours / t_bare:.2f}x"
            )
            if rc_ours not in (0, 1):
                print(out_ours)
    bare_med = statistics.median(r[0] for r in rows)
    ours_med = statistics.median(r[1] for r in rows)
    print(
        f"\nmedian over {args.rounds} rounds, max-examples {args.max_examples}, seed {args.seed}, workers {args.workers}:"
    )
    print(f"  schemathesis run  {bare_med:.2f}s")
    print(f"  specforge check   {ours_med:.2f}s")
    print(f"  overhead          {ours_med / bare_med:.2f}x (goal <= 1.15x)")


if __name__ == "__main__":
    main()
