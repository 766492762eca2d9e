"""What ``specforge ingest`` (extract = "auto") recovers from the vendor page corpus, and how fast.

Every page in a folder of pages with ``<stem>.expected.json`` facts files (default:
tests/fixtures/pages/) is ingested the way ``specforge ingest PAGE --out DIR`` does, then scored
(``specforge.ingest.score``): create operation found, field recall and precision, type accuracy,
enums exact, invented names, status values and other routes. Goal: <= 1 s per page.

    PYTHONPATH=src python benchmarks/ingest_corpus.py [--pages DIR] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from specforge.core import Config  # noqa: E402
from specforge.ingest import extract_source  # noqa: E402
from specforge.ingest.score import PageScore, score_source  # noqa: E402


def score_pages(pages: Path) -> list[PageScore]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = Config(
            root=pages,
            file=None,
            docs=pages,
            sources=root,
            canonical=root / "c.yaml",
            overlays=root,
            reports=root,
        )
        scores = []
        # warm-up: the first call pays for imports (validator, parsers), not for reading a page
        first = sorted(pages.glob("*.expected.json"))[:1]
        for facts_file in first:
            extract_source(pages / json.loads(facts_file.read_text(encoding="utf-8"))["page"], config=config)
        for facts_file in sorted(pages.glob("*.expected.json")):
            facts = json.loads(facts_file.read_text(encoding="utf-8"))
            page = pages / facts["page"]
            text = page.read_text(encoding="utf-8")
            start = time.perf_counter()
            try:
                data = extract_source(page, config=config).data
            except Exception as exc:  # noqa: BLE001  # a page that fails is a row with nothing found
                print(f"{page.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
                data = {}
            elapsed = time.perf_counter() - start
            score = score_source(data, facts, text)
            score.seconds = elapsed
            scores.append(score)
        return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=ROOT / "tests" / "fixtures" / "pages")
    parser.add_argument("--verbose", action="store_true", help="list what each page missed")
    args = parser.parse_args()
    scores = score_pages(args.pages)
    header = f"{'page':<28} {'create':>6} {'recall':>6} {'prec':>5} {'types':>5} {'enums':>6} {'stat':>4} {'routes':>6} {'s':>6}  ok"
    print(header)
    print("-" * len(header))
    for s in scores:
        print(
            f"{s.page[:28]:<28} {'yes' if s.create_found else 'NO':>6} {s.recall:>6.2f} {s.precision:>5.2f} "
            f"{s.type_accuracy:>5.2f} {s.enums_exact:>3}/{s.enums:<2} {'ok' if not s.missing_statuses else 'miss':>4} "
            f"{'ok' if not s.missing_routes else 'miss':>6} {s.seconds:>6.3f}  {'PASS' if s.passed else 'fail'}"
        )
        if args.verbose and not s.passed:
            for label, items in (
                ("missing fields", s.missing_fields),
                ("wrong types", s.wrong_types),
                ("wrong enums", s.wrong_enums),
                ("invented", s.invented),
                ("missing statuses", s.missing_statuses),
                ("missing routes", s.missing_routes),
            ):
                if items:
                    print(f"    {label}: {'; '.join(items)}")
    n = len(scores)
    print("-" * len(header))
    print(
        f"pages {n}, passed {sum(s.passed for s in scores)}, create found {sum(s.create_found for s in scores)}, "
        f"mean recall {statistics.fmean(s.recall for s in scores):.3f}, "
        f"mean precision {statistics.fmean(s.precision for s in scores):.3f}, "
        f"mean type accuracy {statistics.fmean(s.type_accuracy for s in scores):.3f}, "
        f"enums exact {sum(s.enums_exact for s in scores)}/{sum(s.enums for s in scores)}, "
        f"seconds/page mean {statistics.fmean(s.seconds for s in scores):.3f} max {max(s.seconds for s in scores):.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
