"""Markdown outputs never render vendor or server HTML: every Markdown renderer (merge report,
compatibility matrix, lint findings, check report) is fed hostile text and the result is rendered
by a CommonMark parser with raw HTML enabled, as GitHub and most viewers do; no element of the
hostile text may come out as HTML, and no control character (NUL from a binary body) may be in the file."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from specforge.check.model import CheckResult, Failure, InfraIssue, JobTrace
from specforge.core.diagnostics import Diagnostic, Severity
from specforge.render import markdown as md
from specforge.render.compat import compat_markdown
from specforge.render.diagnostics_markdown import render_markdown
from specforge.render.findings import FindingsReport
from specforge.render.merge_report import merge_report_markdown
from specforge.render.report_md import render_report_md

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "`x` <iframe src=//evil></iframe>",
    "``<svg onload=alert(1)>``",
    "a | b <b>bold</b>\nnext line <details open>",
    "&lt;entity&gt; <a href='javascript:alert(1)'>x</a>",
    "nul\x00byte\x01<style>body{}</style>",
]
TAGS = ("<script", "<img", "<iframe", "<svg", "<b>", "<details", "<a ", "<style")


def rendered(markdown: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


def assert_inert(markdown: str) -> None:
    html = rendered(markdown)
    for tag in TAGS:
        assert tag not in html, (tag, html)
    assert not any(ch in markdown for ch in "\x00\x01"), "control characters reach the file"


@pytest.mark.parametrize("vendor", HOSTILE)
def test_merge_report(vendor: str) -> None:
    data = {
        "variants": ["a", "b"],
        "canonical": "specs/canonical.yaml",
        "policy": "prefer a",
        "support": {"create": ["a"]},
        "operation_ids": {"create": "createVideo"},
        "overlays": {"a": "a.overlay.yaml", "b": "b.overlay.yaml"},
        "actions": {"a": 1, "b": 2},
        "conflicts": [
            {
                "subject": vendor,
                "pointer": "/x/" + vendor,
                "sites": [("create", vendor)],
                "chosen": vendor,
                "winner": "a",
                "rule": vendor,
                "missing": [vendor],
                "shapes": {"a": vendor, "b": "string"},
                "locations": {"a": "src.yaml:3 " + vendor},
            }
        ],
        "omitted": [{"field": vendor, "variants": ["b"]}],
    }
    assert_inert(merge_report_markdown(data))


@pytest.mark.parametrize("vendor", HOSTILE)
def test_compat_matrix(vendor: str) -> None:
    matrix = {
        "variants": ["a", "b"],
        "reference": "a",
        "groups": [
            {
                "name": "fields",
                "rows": [
                    {
                        "name": vendor,
                        "cells": {
                            "a": {"value": vendor, "state": "same"},
                            "b": {"value": "—", "state": "absent"},
                        },
                    }
                ],
            }
        ],
    }
    assert_inert(compat_markdown(matrix))


@pytest.mark.parametrize("vendor", HOSTILE)
def test_lint_markdown(vendor: str) -> None:
    diagnostic = Diagnostic(
        code="SF-X",
        severity=Severity.ERROR,
        message=vendor,
        pointer="/a",
        file="spec`<b>`.yaml",
        line=1,
        col=1,
    )
    assert_inert(render_markdown(FindingsReport(diagnostics=(diagnostic,), files=("spec`<b>`.yaml",))))


@pytest.mark.parametrize("vendor", HOSTILE)
def test_check_report(vendor: str) -> None:
    result = CheckResult(
        run_id="r",
        base_url="http://127.0.0.1:1",
        spec_name="s",
        spec_hash="h" * 12,
        notes=[vendor],
        aborted=vendor,
    )
    result.failures.append(
        Failure(
            diagnostic=Diagnostic(
                code="c", severity=Severity.ERROR, message=vendor, pointer="/" + vendor, hint=vendor
            ),
            operation="GET /v1/" + vendor,
            check="c",
            expected=vendor,
            actual=vendor,
            status_code=200,
            response_excerpt=vendor,
            curl="curl " + vendor,
        )
    )
    result.infrastructure.append(InfraIssue("timeout", vendor, vendor))
    result.jobs.append(JobTrace(job_id=vendor, operation="POST /v1/videos", statuses=(vendor, "completed")))
    assert_inert(render_report_md(result))


def test_code_spans_hold_any_backticks() -> None:
    for value in ("`", "``a``", "a`b", " ", "x\ny"):
        html = rendered(md.code(value + "<b>"))
        assert "<code>" in html and "<b>" not in html


def test_ordinary_text_is_unchanged() -> None:
    assert md.text("seconds must be 4, 8 or 12") == "seconds must be 4, 8 or 12"
    assert md.table_cell("integer or string") == "integer or string"
