"""The registry of findings renderers by format name (their input, ``FindingsReport``, is in
``render.findings_model``). Renderers are pure functions ``(report, color) -> str``; the exit code never comes
from a renderer."""

from __future__ import annotations

from collections.abc import Callable

from specforge.render.findings_model import FindingsReport, RuleInfo, summary_line

__all__ = ["RENDERERS", "FindingsReport", "Renderer", "RuleInfo", "render_findings", "summary_line"]


Renderer = Callable[[FindingsReport, bool], str]


def _text(report: FindingsReport, color: bool) -> str:
    from specforge.render.diagnostics_text import render_text

    return render_text(report, color=color)


def _json(report: FindingsReport, color: bool) -> str:
    from specforge.render.diagnostics_json import render_json

    return render_json(report)


def _sarif(report: FindingsReport, color: bool) -> str:
    from specforge.render.sarif import render_sarif

    return render_sarif(report)


def _junit(report: FindingsReport, color: bool) -> str:
    from specforge.render.junit_findings import render_junit

    return render_junit(report)


def _github(report: FindingsReport, color: bool) -> str:
    from specforge.render.github_annotations import render_github

    return render_github(report)


def _markdown(report: FindingsReport, color: bool) -> str:
    from specforge.render.diagnostics_markdown import render_markdown

    return render_markdown(report)


#: format name -> renderer (modules load lazily: `--format json` never imports rich)
RENDERERS: dict[str, Renderer] = {
    "text": _text,
    "json": _json,
    "sarif": _sarif,
    "junit": _junit,
    "github": _github,
    "markdown": _markdown,
}


def render_findings(report: FindingsReport, format: str, *, color: bool = False) -> str:
    try:
        renderer = RENDERERS[format]
    except KeyError:
        raise ValueError(f"unknown format {format!r} (choose one of: {', '.join(RENDERERS)})") from None
    return renderer(report, color)
