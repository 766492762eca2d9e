"""GitHub Actions workflow commands (``::error file=...,line=...::message``): each finding shows
as an annotation on the pull request's diff, over the finding's span (``endLine``/``endColumn``,
the column just past the node as in SARIF). GitHub takes columns only for a span on one line, so a
span over several lines is given by its lines alone."""

from __future__ import annotations

from specforge.render.findings_model import FindingsReport

_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: FindingsReport) -> str:
    lines = []
    for d in report.diagnostics:
        props = [f"file={_escape_property(d.file or '')}"]
        if d.line is not None:
            props.append(f"line={d.line}")
            one_line = d.end_line is None or d.end_line == d.line
            if d.end_line is not None:
                props.append(f"endLine={d.end_line}")
            if d.col is not None and one_line:
                props.append(f"col={d.col}")
                if d.end_col is not None:
                    props.append(f"endColumn={d.end_col}")
        props.append(f"title={_escape_property(d.code)}")
        message = d.message
        if d.related:
            message += "\nalso: " + "; ".join(str(r) for r in d.related)
        if d.hint:
            message += f"\nfix: {d.hint}"
        lines.append(f"::{_COMMANDS[d.severity.value]} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")
