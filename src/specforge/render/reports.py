"""``write_reports``: every report format of a CheckResult into one folder, atomically (the
check package returns the result; writing its formats is render's job)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from specforge.check.events import Event, Finished
from specforge.check.model import CheckResult
from specforge.core import InputError, write_atomic
from specforge.render.report_html import render_report_html
from specforge.render.report_json import render_report_json
from specforge.render.report_junit import render_report_junit
from specforge.render.report_md import render_report_md

FORMATS = ("json", "md", "html", "junit")
FILE_NAMES = {"json": "report.json", "md": "report.md", "html": "report.html", "junit": "junit.xml"}


def write_reports(result: CheckResult, directory: Path, formats: Iterable[str] = FORMATS) -> list[Path]:
    """Write the chosen formats (json, md, html, junit) plus the cassette when the result holds
    exchanges that are not on disk yet. Returns the written paths."""
    renderers = {
        "json": render_report_json,
        "md": render_report_md,
        "html": render_report_html,
        "junit": render_report_junit,
    }
    chosen = list(dict.fromkeys(formats))
    unknown = [f for f in chosen if f not in renderers]
    if unknown:
        raise InputError(
            f"unknown report format(s): {', '.join(unknown)}", hint=f"choose from {', '.join(FORMATS)}"
        )
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    cassette = directory / "cassette.jsonl"
    if result.exchanges and not cassette.exists():
        write_atomic(cassette, "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in result.exchanges))
        result.cassette = cassette.name
    if cassette.exists():
        written.append(cassette)
    for fmt in chosen:
        written.append(write_atomic(directory / FILE_NAMES[fmt], renderers[fmt](result)))
    return written


class ReportWriter:
    """Handler of a check's event stream: when the run has ``Finished`` it writes the reports to
    ``root/<run id>/``, or to ``root`` itself with ``per_run=False`` (the folders that
    ``specforge run`` and the nightly name themselves); ``written`` holds their paths. A full disk
    or an unwritable folder is kept in ``error`` for the caller to report, so the run itself still
    ends normally."""

    def __init__(self, root: Path, formats: Iterable[str] = FORMATS, *, per_run: bool = True) -> None:
        self.root = root
        self.formats = tuple(formats)
        self.per_run = per_run
        self.written: list[Path] = []
        self.error: OSError | None = None

    def folder(self, run_id: str) -> Path:
        return self.root / run_id if self.per_run else self.root

    def __call__(self, event: Event) -> None:
        if isinstance(event, Finished):
            try:
                self.written = write_reports(event.result, self.folder(event.result.run_id), self.formats)
            except OSError as exc:
                self.error = exc
