"""Benchmark: core's `$ref` resolver on the 2.97 MB OpenAI description, whole and split in two
files (paths in spec.json, every component in components.json, so every ref of its paths
crosses files): `specforge lint` and `specforge check URL --spec ... --plan` as cold processes,
and `check --spec`'s load (`load_spec`, which bundles the split spec through the resolver)
timed inside a cold process. Median of --runs.

    /work/venv/bin/python benchmarks/refs_split.py [--runs 3] [--spec ...] [--src SRC ...]

Each --src (default: this checkout's src/) is measured in turn within every run, so two source
trees (before/after a change) see the same machine load.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent.parent / "shared" / "benchmarks"
if not SHARED.exists():  # worktrees live in /work/wt/<name>; a clone of main sits next to shared/
    SHARED = ROOT.parent / "shared" / "benchmarks"

# referencing is imported before the clock starts: every check process imports it anyway
# (schemathesis and jsonschema do); `check --plan` below is the whole command, cold
LOAD = """
import sys, time
from pathlib import Path
import referencing.jsonschema
from specforge.check.spec import load_spec
t = time.perf_counter()
load_spec(spec=Path(sys.argv[1]))
print(time.perf_counter() - t)
"""


def split(spec: Path, folder: Path) -> Path:
    """spec.json without components, its `#/components/...` refs pointing into components.json."""
    sys.path.insert(0, str(ROOT / "src"))
    from specforge.core import load_document
    from specforge.core.refs import rewrite_refs

    data = load_document(spec).data
    root = copy.deepcopy(data)
    root.pop("components", None)
    rewrite_refs(root, lambda ref: "components.json" + ref if ref.startswith("#/components/") else ref)
    (folder / "spec.json").write_text(json.dumps(root), encoding="utf-8")
    (folder / "components.json").write_text(json.dumps({"components": data["components"]}), encoding="utf-8")
    return folder / "spec.json"


def cold(argv: list[str], src: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(
        argv, capture_output=True, text=True, env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}
    )
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return time.perf_counter() - start, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--spec", type=Path, default=SHARED / "openai-openapi.yaml")
    parser.add_argument("--src", type=Path, action="append", help="a src/ folder to measure (repeatable)")
    args = parser.parse_args()
    if not args.spec.is_file():
        sys.exit(f"benchmark spec not found: {args.spec}")
    trees: list[Path] = [p.resolve() for p in args.src or [ROOT / "src"]]
    with tempfile.TemporaryDirectory() as tmp:
        whole, parts = args.spec.resolve(), split(args.spec, Path(tmp))
        measures = {
            "lint whole (wall s)": lambda src: cold(
                [sys.executable, "-m", "specforge", "lint", str(whole)], src
            )[0],
            "lint split (wall s)": lambda src: cold(
                [sys.executable, "-m", "specforge", "lint", str(parts)], src
            )[0],
            "check --plan split (wall s)": lambda src: cold(
                [
                    sys.executable,
                    "-m",
                    "specforge",
                    "check",
                    "http://127.0.0.1:9",
                    "--spec",
                    str(parts),
                    "--plan",
                ],
                src,
            )[0],
            "load_spec whole (s)": lambda src: float(cold([sys.executable, "-c", LOAD, str(whole)], src)[1]),
            "load_spec split (s)": lambda src: float(cold([sys.executable, "-c", LOAD, str(parts)], src)[1]),
        }
        times: dict[tuple[str, Path], list[float]] = {}
        for _ in range(args.runs):
            for name, measure in measures.items():
                for src in trees:
                    times.setdefault((name, src), []).append(measure(src))
    print(f"{args.spec} ({args.spec.stat().st_size / 1e6:.2f} MB), {args.runs} runs, median (runs)")
    for name in measures:
        for src in trees:
            values = times[(name, src)]
            runs = " ".join(f"{v:.3f}" for v in values)
            print(f"  {name:<27} {statistics.median(values):7.3f}   ({runs})   {src}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
