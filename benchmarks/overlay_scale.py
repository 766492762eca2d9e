"""Memory and time of ``overlay.apply`` against the number of actions (goal: linear).

Each size runs in a fresh interpreter (so one size's garbage does not flatter the next) on a
small OpenAPI document and an overlay whose actions mix the shapes that used to retain a copy
per action: one-key updates of the same object (``$.info``), appends to the same array
(``$.tags``) and updates of distinct operations. Peak memory is tracemalloc's peak of Python
allocations during ``apply`` (the input document and overlay are built before tracing starts).

    PYTHONPATH=src python benchmarks/overlay_scale.py [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _inputs(actions: int) -> tuple[dict, dict]:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "scale", "version": "1"},
        "tags": [],
        "paths": {f"/p{i}": {"get": {"responses": {"200": {"description": "ok"}}}} for i in range(50)},
    }
    steps = []
    for i in range(actions):
        kind = i % 3
        if kind == 0:
            steps.append({"target": "$.info", "update": {f"x-key-{i}": i}})
        elif kind == 1:
            steps.append({"target": "$.tags", "update": {"name": f"tag-{i}"}})
        else:
            steps.append({"target": f"$.paths['/p{i % 50}'].get", "update": {f"x-op-{i}": "v"}})
    return document, {"overlay": "1.0.0", "info": {"title": "scale", "version": "1"}, "actions": steps}


def _one(actions: int) -> dict[str, float]:
    sys.path.insert(0, str(ROOT / "src"))
    from specforge.overlay import apply

    document, overlay = _inputs(actions)
    tracemalloc.start()
    start = time.perf_counter()
    result = apply(document, overlay)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(result.document["tags"]) == (actions + 1) // 3, "the overlay was not applied"
    return {"actions": actions, "seconds": elapsed, "peak_mib": peak / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.one)))
        return
    rows = []
    for size in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size)], capture_output=True, text=True, check=True
        )
        rows.append(json.loads(out.stdout))
    print(f"{'actions':>8} {'seconds':>9} {'peak MiB':>9} {'us/action':>10} {'KiB/action':>11}")
    for row in rows:
        n = row["actions"]
        print(
            f"{n:>8} {row['seconds']:>9.3f} {row['peak_mib']:>9.1f} {row['seconds'] / n * 1e6:>10.1f} "
            f"{row['peak_mib'] * 1024 / n:>11.3f}"
        )
    first, last = rows[0], rows[-1]
    growth = last["actions"] / first["actions"]
    print(
        f"x{growth:.0f} actions: time x{last['seconds'] / first['seconds']:.1f}, "
        f"memory x{last['peak_mib'] / first['peak_mib']:.1f} (linear: x{growth:.0f})"
    )


if __name__ == "__main__":
    main()
