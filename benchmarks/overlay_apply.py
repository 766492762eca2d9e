"""Benchmark: apply a 585-action overlay to the full OpenAI description (2.97 MB), YAML in, YAML
out, each tool as a cold process, side by side with npm's openapi-overlays-js (`overlayjs`) and
openapi-format (`-l`). Prints wall times (best and median of --runs), ratios against specforge,
and whether each peer's output equals ours as data (with the first differences when not).

    /work/venv/bin/python benchmarks/overlay_apply.py [--runs 5] [--spec ...] [--overlay ...]

The npm peers are installed on first use into benchmarks/.node/ (gitignored).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NODE = HERE / ".node"
SHARED = ROOT.parent.parent / "shared" / "benchmarks"
if not SHARED.exists():  # worktrees live in /work/wt/<name>; a clone of main sits next to shared/
    SHARED = ROOT.parent / "shared" / "benchmarks"
PEERS = ("openapi-overlays-js", "openapi-format")

sys.path.insert(0, str(ROOT / "src"))


def ensure_peers() -> Path:
    bin_dir = NODE / "node_modules" / ".bin"
    if not (bin_dir / "overlayjs").exists() or not (bin_dir / "openapi-format").exists():
        if shutil.which("npm") is None:
            sys.exit("npm is needed to install the peers (apt-get install npm)")
        subprocess.run(
            ["npm", "install", "--prefix", str(NODE), "--no-audit", "--no-fund", *PEERS],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return bin_dir


def version(package: str) -> str:
    import json

    manifest = NODE / "node_modules" / package / "package.json"
    return str(json.loads(manifest.read_text())["version"]) if manifest.exists() else "?"


def run(command: list[str], stdout_path: Path | None, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child): CPU time is the figure a busy machine distorts least."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    if stdout_path is not None:
        with stdout_path.open("wb") as handle:
            done = subprocess.run(command, stdout=handle, stderr=subprocess.PIPE, env=env)
    else:
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{command[0]} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def differences(a: Any, b: Any, pointer: str = "", limit: int = 5) -> list[str]:
    from specforge.overlay.compare import same

    found: list[str] = []
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if len(found) >= limit:
                break
            if key not in b:
                found.append(f"{pointer}/{key}: only in ours")
            elif key not in a:
                found.append(f"{pointer}/{key}: only in peer")
            elif not same(a[key], b[key]):
                found.extend(differences(a[key], b[key], f"{pointer}/{key}", limit - len(found)))
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            if len(found) >= limit:
                break
            if not same(x, y):
                found.extend(differences(x, y, f"{pointer}/{index}", limit - len(found)))
    elif isinstance(a, str) and isinstance(b, str):
        at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        found.append(f"{pointer}: from character {at}: ours {a[at : at + 30]!r} vs peer {b[at : at + 30]!r}")
    else:
        found.append(f"{pointer}: ours {str(a)[:60]!r} vs peer {str(b)[:60]!r}")
    return found[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--spec", type=Path, default=SHARED / "openai-openapi.yaml")
    parser.add_argument("--overlay", type=Path, default=SHARED / "openai-overlay-585.yaml")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    bin_dir = ensure_peers()
    from specforge.core import load_document
    from specforge.overlay.compare import same

    out = Path(tempfile.mkdtemp(prefix="overlay-bench-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    spec, overlay = str(args.spec), str(args.overlay)
    tools: dict[str, tuple[list[str], Path, bool]] = {
        "specforge": (
            [sys.executable, "-m", "specforge", "overlay", "apply", spec, overlay, "-q"],
            out / "specforge.yaml",
            True,
        ),
        f"openapi-overlays-js {version('openapi-overlays-js')}": (
            [str(bin_dir / "overlayjs"), "--openapi", spec, "--overlay", overlay],
            out / "overlayjs.yaml",
            True,
        ),
        f"openapi-format {version('openapi-format')} -l": (
            [str(bin_dir / "openapi-format"), spec, "-l", overlay, "-o", str(out / "openapi-format.yaml")],
            out / "openapi-format.yaml",
            False,
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in tools}
    cpus: dict[str, list[float]] = {name: [] for name in tools}
    for _ in range(args.runs):  # interleaved, so machine load hits every tool alike
        for name, (command, path, to_stdout) in tools.items():
            wall, cpu = run(command, path if to_stdout else None, env)
            times[name].append(wall)
            cpus[name].append(cpu)
    ours = load_document(out / "specforge.yaml").data
    # independent check: a deep-copy-and-mutate implementation of the spec's prose, action by action
    sys.path.insert(0, str(ROOT / "tests" / "overlay"))
    from test_overlay_reference import reference_apply

    expected = reference_apply(load_document(args.spec).data, load_document(args.overlay).data)
    oracle = same(ours, expected)
    base = min(times["specforge"])
    print(
        f"apply {args.overlay.name} to {args.spec.name} ({args.spec.stat().st_size / 1e6:.2f} MB), "
        f"{args.runs} cold runs each, YAML in -> YAML out\n"
    )
    print(
        f"{'tool':34} {'best s':>7} {'median s':>9} {'vs ours':>8} {'CPU s':>6} {'vs ours':>8}  output equals ours"
    )
    base_cpu = min(cpus["specforge"])
    for name, (_command, path, _stdout) in tools.items():
        best, median = min(times[name]), statistics.median(times[name])
        if name == "specforge":
            verdict = "- (equals the naive oracle: " + ("yes)" if oracle else "NO)")
        else:
            theirs = load_document(path).data
            diff = [] if same(ours, theirs) else differences(ours, theirs)
            verdict = "yes" if not diff else "NO: " + "; ".join(diff)
        cpu = min(cpus[name])
        print(
            f"{name:34} {best:7.2f} {median:9.2f} {best / base:7.2f}x {cpu:6.2f} {cpu / base_cpu:7.2f}x  {verdict}"
        )
    print(f"\noutputs in {out}")


if __name__ == "__main__":
    main()
