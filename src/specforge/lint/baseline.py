"""Baseline files: the findings a project accepted, so CI fails only on new ones.

A finding's fingerprint is built from its rule, its file (relative to the project root), its JSON
pointer and its message, never from line numbers: editing an unrelated part of a file does not
invalidate the baseline. Matching counts occurrences (two identical findings need two entries)."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from specforge.core.diagnostics import Diagnostic
from specforge.core.errors import InputError
from specforge.core.output import dump_json, write_atomic

VERSION = 1


def _relative(file: str | None, root: Path) -> str:
    if not file:
        return ""
    path = Path(file)
    if not path.is_absolute():
        path = Path.cwd() / path
    try:
        return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return path.as_posix()


def fingerprint(diagnostic: Diagnostic, root: Path) -> str:
    """Stable identity of a finding across edits elsewhere in the file."""
    parts = (diagnostic.code, _relative(diagnostic.file, root), diagnostic.pointer, diagnostic.message)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class Baseline:
    fingerprints: Counter[str]

    def filter(self, diagnostics: Iterable[Diagnostic], root: Path) -> tuple[list[Diagnostic], int]:
        """(findings not in the baseline, how many the baseline absorbed)."""
        budget = Counter(self.fingerprints)
        kept: list[Diagnostic] = []
        absorbed = 0
        for diagnostic in diagnostics:
            key = fingerprint(diagnostic, root)
            if budget[key] > 0:
                budget[key] -= 1
                absorbed += 1
            else:
                kept.append(diagnostic)
        return kept, absorbed


def load_baseline(path: Path) -> Baseline:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            "baseline file not found",
            file=str(path),
            hint="create it with `specforge lint --update-baseline`",
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"baseline is not valid JSON: {exc.msg}", file=str(path), line=exc.lineno) from None
    if (
        not isinstance(raw, dict)
        or raw.get("version") != VERSION
        or not isinstance(raw.get("findings"), list)
    ):
        raise InputError(
            f"not a specforge lint baseline (version {VERSION})",
            file=str(path),
            hint="regenerate it with `specforge lint --update-baseline`",
        )
    counts: Counter[str] = Counter()
    for entry in raw["findings"]:
        if isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str):
            counts[entry["fingerprint"]] += 1
    return Baseline(counts)


def baseline_text(diagnostics: Iterable[Diagnostic], root: Path) -> str:
    """The baseline file for ``diagnostics``: sorted, one entry per finding, human-readable
    fields next to each fingerprint so reviews of the file make sense."""
    entries = [
        {
            "fingerprint": fingerprint(d, root),
            "code": d.code,
            "file": _relative(d.file, root),
            "pointer": d.pointer,
            "message": d.message,
        }
        for d in diagnostics
    ]
    entries.sort(key=lambda e: (e["file"], e["code"], e["pointer"], e["message"]))
    return dump_json({"version": VERSION, "tool": "specforge lint", "findings": entries})


def write_baseline(path: Path, diagnostics: Iterable[Diagnostic], root: Path) -> Path:
    return write_atomic(path, baseline_text(diagnostics, root))
