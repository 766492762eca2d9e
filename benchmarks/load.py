"""Load-time benchmark: specforge's loader (data + positions) against ruamel.yaml's pure-Python
round-trip loader, each in a cold process, several runs, median; plus ``locate()`` for 10k random
pointers and ``dump_yaml`` of the loaded data.

    python benchmarks/load.py [SPEC] [--runs N]

SPEC defaults to ../shared/benchmarks/openai-openapi.yaml (2.97 MB). Run by hand, not by tests.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = Path("/work/shared/benchmarks/openai-openapi.yaml")

# Each snippet runs in a fresh interpreter and prints one JSON object: the load itself and,
# separately, the imports it needed (interpreter start-up is not counted).
SPECFORGE = """
import json, sys, time
t0 = time.perf_counter()
from specforge.core import load_document
t1 = time.perf_counter()
doc = load_document(sys.argv[1])
t2 = time.perf_counter()
print(json.dumps({"load": t2 - t1, "import": t1 - t0}))
"""

RUAMEL_RT = """
import json, sys, time
t0 = time.perf_counter()
from ruamel.yaml import YAML
t1 = time.perf_counter()
with open(sys.argv[1], encoding="utf-8") as handle:
    YAML(typ="rt").load(handle)
t2 = time.perf_counter()
print(json.dumps({"load": t2 - t1, "import": t1 - t0}))
"""

LOCATE_AND_DUMP = """
import json, random, sys, time
from specforge.core import load_document, dump_yaml
from specforge.core import pointer as jp
doc = load_document(sys.argv[1])
pointers = []
stack = [("", doc.data)]
while stack:
    p, v = stack.pop()
    pointers.append(p)
    if isinstance(v, dict):
        stack.extend((jp.child(p, k), x) for k, x in v.items())
    elif isinstance(v, list):
        stack.extend((jp.child(p, i), x) for i, x in enumerate(v))
rng = random.Random(2024)
sample = [rng.choice(pointers) for _ in range(10_000)]
t0 = time.perf_counter()
for p in sample:
    doc.locate(p)
t1 = time.perf_counter()
dump_yaml(doc.data)
t2 = time.perf_counter()
print(json.dumps({"locate": t1 - t0, "dump": t2 - t1, "pointers": len(pointers)}))
"""


def run(snippet: str, spec: Path) -> dict[str, float]:
    env_path = str(ROOT / "src")
    out = subprocess.run(
        [sys.executable, "-c", snippet, str(spec)],
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("spec", nargs="?", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    spec: Path = args.spec
    if not spec.is_file():
        print(f"error: {spec} not found (pass the spec's path)", file=sys.stderr)
        return 2
    size = spec.stat().st_size / 1e6
    print(f"{spec} ({size:.2f} MB), {args.runs} cold runs each, median")
    ours_runs = [run(SPECFORGE, spec) for _ in range(args.runs)]
    theirs_runs = [run(RUAMEL_RT, spec) for _ in range(args.runs)]
    ours = [r["load"] for r in ours_runs]
    theirs = [r["load"] for r in theirs_runs]
    imports = statistics.median(r["import"] for r in ours_runs)
    extra = [run(LOCATE_AND_DUMP, spec) for _ in range(max(1, args.runs // 2))]
    ours_median, theirs_median = statistics.median(ours), statistics.median(theirs)
    locate = statistics.median(e["locate"] for e in extra)
    dump = statistics.median(e["dump"] for e in extra)
    print(f"  specforge load_document (data + positions): {ours_median:6.3f} s   runs: {_fmt(ours)}")
    print(f"  ruamel YAML(typ='rt').load (pure Python):   {theirs_median:6.3f} s   runs: {_fmt(theirs)}")
    print(f"  (specforge.core import, not included above: {imports:.3f} s)")
    print(f"  ratio ruamel-rt / specforge:                {theirs_median / ours_median:6.1f}x")
    print(
        f"  locate() x 10,000 random pointers:          {locate:6.3f} s   ({locate / 10_000 * 1e6:.1f} us each,"
        f" {int(extra[0]['pointers']):,} pointers in the document)"
    )
    print(f"  dump_yaml of the loaded data:               {dump:6.3f} s")
    return 0


def _fmt(values: list[float]) -> str:
    return " ".join(f"{v:.3f}" for v in values)


if __name__ == "__main__":
    raise SystemExit(main())
