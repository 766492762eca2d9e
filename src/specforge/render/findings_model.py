"""The input every findings renderer takes: ``FindingsReport`` (diagnostics, files, texts, rule
metadata) and its one-line summary. Kept apart from the renderer registry in
``render.findings`` so renderers import their input without importing the registry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from specforge.core.diagnostics import Diagnostic


@dataclass(frozen=True)
class RuleInfo:
    """What a renderer may say about a rule (SARIF rule metadata, docs links)."""

    id: str
    title: str
    severity: str
    hint: str = ""
    rationale: str = ""
    docs: str = ""


@dataclass(frozen=True)
class FindingsReport:
    diagnostics: tuple[Diagnostic, ...]
    #: every file that was checked (JUnit test cases, SARIF artifacts), in order
    files: tuple[str, ...] = ()
    #: file -> its text, for code frames
    texts: Mapping[str, str] = field(default_factory=dict)
    rules: Mapping[str, RuleInfo] = field(default_factory=dict)
    tool: str = "specforge"
    version: str = ""
    #: findings silenced inline / by the baseline (shown in summaries)
    suppressed: int = 0
    baselined: int = 0
    #: base URL of the rule docs (SARIF helpUri); relative docs paths are joined to it
    docs_url: str = ""
    #: fingerprints by diagnostic index (SARIF partialFingerprints), when the caller has them
    fingerprints: tuple[str, ...] = ()
    #: what the report is of ("lint" unless said): headings and the summary line use it
    title: str = ""
    #: the summary line, when the producer words its own (diff: "3 changes: 1 breaking, ...")
    summary: str = ""

    def counts(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for d in self.diagnostics:
            counts[d.severity.value] += 1
        return counts

    def by_file(self) -> dict[str, list[Diagnostic]]:
        grouped: dict[str, list[Diagnostic]] = {}
        for d in self.diagnostics:
            grouped.setdefault(d.file or "<input>", []).append(d)
        return grouped

    def help_uri(self, code: str) -> str | None:
        rule = self.rules.get(code)
        if rule is None or not rule.docs:
            return None
        if "://" in rule.docs or not self.docs_url:
            return rule.docs
        return self.docs_url.rstrip("/") + "/" + rule.docs.lstrip("/")


def summary_line(report: FindingsReport) -> str:
    """ "Found 3 problems (1 error, 2 warnings) in 2 files." or "All checks passed!"."""
    if report.summary:
        return report.summary
    counts = report.counts()
    total = sum(counts.values())
    extra = []
    if report.suppressed:
        extra.append(f"{report.suppressed} suppressed inline")
    if report.baselined:
        extra.append(f"{report.baselined} in the baseline")
    tail = f" ({'; '.join(extra)})" if extra else ""
    if not total:
        return f"All checks passed! {len(report.files)} file{'s' if len(report.files) != 1 else ''} linted{tail}."
    parts = [f"{n} {name}{'s' if n != 1 else ''}" for name, n in counts.items() if n]
    files = len({d.file for d in report.diagnostics})
    return (
        f"Found {total} problem{'s' if total != 1 else ''} ({', '.join(parts)}) in {files} "
        f"file{'s' if files != 1 else ''}{tail}."
    )
