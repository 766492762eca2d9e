"""Lint the 2.97 MB official OpenAI spec with specforge, Redocly CLI and Spectral, each as a
cold process, and print wall time, CPU time, ratios and finding counts side by side.

    python benchmarks/lint_large.py [--runs 5] [--spec PATH]

specforge runs its single-spec rules (positions included) with JSON output; Redocly runs its
default `recommended` ruleset; Spectral runs `spectral:oas`. The npm peers are installed by this
script into benchmarks/.node/ (gitignored) on first use.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NODE = HERE / ".node"
#: shared/ sits beside the repository (or beside the folder holding its worktrees)
DEFAULT_SPEC = (
    next(
        (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if (p / "benchmarks").is_dir()),
        ROOT.parent / "shared",
    )
    / "benchmarks"
    / "openai-openapi.yaml"
)
PACKAGES = ("@redocly/cli", "@stoplight/spectral-cli")


def ensure_node_tools() -> None:
    missing = [p for p in ("redocly", "spectral") if not (NODE / "node_modules" / ".bin" / p).exists()]
    if not missing:
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is needed to install the comparison tools (Redocly CLI, Spectral)")
    print(f"installing {', '.join(PACKAGES)} into {NODE} ...", file=sys.stderr)
    subprocess.run([npm, "install", "--prefix", str(NODE), "--no-audit", "--no-fund", *PACKAGES], check=True)


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the child, stdout) of one cold process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):
        sys.exit(f"{command[0]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return wall, cpu, done.stdout


def count_specforge(output: str) -> int:
    return len(json.loads(output)["findings"])


def count_redocly(output: str) -> int:
    totals = json.loads(output)["totals"]
    return int(totals["errors"]) + int(totals["warnings"])


def count_spectral(output: str) -> int:
    return len(json.loads(output or "[]"))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="cold runs per tool (median reported)")
    parser.add_argument("--spectral-runs", type=int, default=1, help="Spectral is slow: runs for it")
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--skip-spectral", action="store_true")
    args = parser.parse_args()
    spec = args.spec.resolve()
    if not spec.is_file():
        sys.exit(f"benchmark spec not found: {spec}")
    ensure_node_tools()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "REDOCLY_TELEMETRY": "off",
        "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
        "NO_COLOR": "1",
    }
    bin_dir = NODE / "node_modules" / ".bin"
    ruleset = NODE / "spectral-oas.yaml"
    ruleset.write_text('extends: ["spectral:oas"]\n', encoding="utf-8")
    tools: list[tuple[str, list[str], Callable[[str], int], int]] = [
        (
            "specforge",
            [sys.executable, "-m", "specforge", "lint", str(spec), "--format", "json"],
            count_specforge,
            args.runs,
        ),
        ("redocly", [str(bin_dir / "redocly"), "lint", str(spec), "--format=json"], count_redocly, args.runs),
    ]
    if not args.skip_spectral:
        tools.append(
            (
                "spectral",
                [
                    str(bin_dir / "spectral"),
                    "lint",
                    str(spec),
                    "--ruleset",
                    str(ruleset),
                    "-f",
                    "json",
                    "--quiet",
                ],
                count_spectral,
                args.spectral_runs,
            )
        )
    print(f"spec: {spec} ({spec.stat().st_size / 1e6:.2f} MB); machine load average {os.getloadavg()[0]:.2f}")
    rows = []
    for name, command, count, runs in tools:
        walls, cpus, findings = [], [], 0
        for _ in range(runs):
            wall, cpu, output = run(command, env)
            walls.append(wall)
            cpus.append(cpu)
            findings = count(output)
        rows.append((name, statistics.median(walls), min(walls), statistics.median(cpus), findings))
        print(
            f"  {name:<10} median wall {statistics.median(walls):6.2f} s (min {min(walls):.2f}, {runs} runs), "
            f"CPU {statistics.median(cpus):.2f} s, {findings} findings",
            flush=True,
        )
    base_wall, base_cpu = rows[0][1], rows[0][3]
    print()
    print(f"{'tool':<10} {'wall s':>8} {'min s':>8} {'CPU s':>8} {'wall x':>8} {'CPU x':>8} {'findings':>9}")
    for name, wall, fastest, cpu, findings in rows:
        print(
            f"{name:<10} {wall:8.2f} {fastest:8.2f} {cpu:8.2f} {wall / base_wall:8.2f} {cpu / base_cpu:8.2f} {findings:9d}"
        )
    print("\n(x = time relative to specforge; above 1 means slower than specforge)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
