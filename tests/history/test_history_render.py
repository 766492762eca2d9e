from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from history_fakes import make_run

from specforge.history import compare
from specforge.history.model import NightlySummary, ProviderRow, TrendPoint
from specforge.render.nightly_summary import (
    render_summary_html,
    render_summary_json,
    render_summary_markdown,
    trend_svg,
)
from specforge.render.nightly_text import (
    render_aborted,
    render_diff,
    render_nightly_start,
    render_nothing_selected,
    render_pruned,
    render_run,
    render_runs_table,
    render_shard_merged,
    render_store_count,
    render_totals,
)
from specforge.render.terminal import Line


def sample() -> NightlySummary:
    old = make_run("acme|<b>", started="2026-01-01T00:00:00Z", failing=("a",))
    new = make_run("acme|<b>", started="2026-01-02T00:00:00Z", failing=("a", "b<script>"))
    down = make_run("down", started="2026-01-02T00:00:00Z", verdict="timeout")
    trend = (
        TrendPoint("r1", "2026-01-01T00:00:00Z", "non-conformant", 1),
        TrendPoint("r2", "2026-01-02T00:00:00Z", "non-conformant", 2),
    )
    return NightlySummary(
        batch="b1",
        date="2026-01-02",
        generated_at="2026-01-02T01:00:00Z",
        rows=(
            ProviderRow(run=new, diff=compare(old, new), trend=trend, report_link="acme/report.html"),
            ProviderRow(run=down, diff=compare(None, down), trend=(TrendPoint("d", "x", "timeout", 0),)),
        ),
    )


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_is_self_contained_and_escaped() -> None:
    html = render_summary_html(sample())
    parser = _Collector()
    parser.feed(html)
    tags = [t for t, _ in parser.tags]
    assert "script" not in tags  # the finding named b<script> is escaped
    assert "b&lt;script&gt;" in html
    assert not any(a.get("src") for _, a in parser.tags)  # nothing loaded from elsewhere
    assert not [t for t, a in parser.tags if t == "link"]
    assert tags.count("svg") == 2 and tags.count("rect") == 3
    assert 'href="acme/report.html"' in html
    assert render_summary_html(sample()) == html  # pure: same input, same output


def test_markdown_escapes_table_cells() -> None:
    md = render_summary_markdown(sample())
    row = next(line for line in md.splitlines() if line.startswith("| acme"))
    assert row.startswith("| acme\\|<b> | openai | non-conformant | REGRESSED | 1 | 0 | 1 |")
    assert "[report](acme/report.html)" in row
    assert "**regression**" in md and "timeout" in md


def test_json_has_totals_and_rows() -> None:
    data = json.loads(render_summary_json(sample()))
    assert data["schema_version"] == "1.1"
    assert data["totals"]["regressions"] == 1 and data["totals"]["unreachable_providers"] == 1
    assert data["regressed"] == ["acme|<b>"] and data["unreachable"] == ["down"]
    acme = data["providers"][0]
    assert acme["regressions"][0]["message"] == "b<script> broke"
    assert [p["failures"] for p in acme["trend"]] == [1, 2]


def test_trend_svg_scales_bars_and_has_tooltips() -> None:
    points = [
        TrendPoint(f"r{i}", f"2026-01-0{i}", v, f)
        for i, (v, f) in enumerate(
            [("conformant", 0), ("non-conformant", 5), ("non-conformant", 10), ("error", 0)], 1
        )
    ]
    svg = trend_svg(points)
    heights = [float(h) for h in re.findall(r'height="([\d.]+)" fill', svg)]
    assert heights[0] < heights[1] < heights[2]
    assert svg.count("<title>") == 4 and "r3" in svg
    assert trend_svg([]) == ""


def test_text_renderers() -> None:
    old = make_run(started="2026-01-01T00:00:00Z", failing=("a",))
    new = make_run(started="2026-01-02T00:00:00.250Z", failing=("b",))
    table = render_runs_table([new, old])
    assert table.splitlines()[1].split()[0] == new.run_id and "2026-01-02 00:00:00" in table
    text = render_run(new, compare(old, new))
    assert "+ regression POST /v1/videos · b" in text and "- fixed      POST /v1/videos · a" in text
    assert "1 regression(s), 1 fix(es), 0 unchanged" in render_diff(compare(old, new))
    assert render_runs_table([]) == "no runs\n"


def graded_sample() -> NightlySummary:
    from dataclasses import replace

    from specforge.history.model import CauseRecord

    def cause(severity: str, check: str) -> CauseRecord:
        return CauseRecord(f"{check} · {check}", check, severity, f"{check} <broke>", ("POST /v1/videos",))

    old = replace(make_run(failing=("a",)), causes=(cause("major", "a"),), score=50.0, index=80.0)
    new = replace(
        make_run(started="2026-01-02T00:00:00Z", failing=("a", "b")),
        causes=(cause("major", "a"), cause("blocking", "b")),
        score=42.5,
        index=80.0,
    )
    trend = (
        TrendPoint("r0", "2025-12-31T00:00:00Z", "non-conformant", 1),  # stored before scores
        TrendPoint("r1", "2026-01-01T00:00:00Z", "non-conformant", 1, 50.0, 80.0),
        TrendPoint("r2", "2026-01-02T00:00:00Z", "non-conformant", 2, 42.5, 80.0),
    )
    return NightlySummary(
        batch="b1",
        date="2026-01-02",
        generated_at="2026-01-02T01:00:00Z",
        rows=(ProviderRow(run=new, diff=compare(old, new), trend=trend),),
    )


def test_score_index_and_causes_in_every_format() -> None:
    summary = graded_sample()
    md = render_summary_markdown(summary)
    row = next(line for line in md.splitlines() if line.startswith("| acme"))
    assert "| 42.5 | 80 | 1/1/0 |" in row and "| — → 50/80 → 42.5/80 |" in row
    assert "**Fails the run** (`--fail-on blocking`)" in md and "- acme: 1 new cause(s) at blocking" in md
    assert "- **new cause, blocking** `b · b`: b <broke> (POST /v1/videos)" in md
    data = json.loads(render_summary_json(summary))
    acme = data["providers"][0]
    assert (acme["score"], acme["index"]) == (42.5, 80.0)
    assert [c["key"] for c in acme["new_causes"]] == ["b · b"] and data["failing"] == {
        "acme": ["1 new cause(s) at blocking or worse"]
    }
    assert [p["score"] for p in acme["trend"]] == [None, 50.0, 42.5]
    html = render_summary_html(summary)
    assert '<td class="n">42.5</td><td class="n">80</td><td>1/1/0</td>' in html
    assert "b &lt;broke&gt;" in html and "Fails the run (--fail-on blocking)" in html
    svg = trend_svg(summary.rows[0].trend)
    # the score line joins the two runs that recorded one: y = 1 + 26 * (1 - score / 100)
    assert re.search(r'<polyline points="60\.0,14\.0 100\.0,15\.9"', svg), svg
    assert "score 42.5 of index 80" in svg


def test_totals_on_stdout_and_each_problem_provider_on_stderr() -> None:
    summary = sample()
    written = [Path("n/summary.json"), Path("n/summary.md"), Path("n/summary.html")]
    assert render_totals(summary, written, "blocking") == [
        Line("2 provider(s): 1 regression(s) in 1, 0 fix(es), 1 unreachable, 0 with spec drift"),
        Line("REGRESSED: acme|<b>", err=True),
        Line("FAIL acme|<b> (--fail-on blocking): 1 new failure(s), severity not recorded", err=True),
        Line("unreachable: down", err=True),
        Line("summary: n/summary.html"),
    ]
    assert not render_totals(summary, [], "blocking")[-1].text.startswith("summary:")


def test_nightly_and_store_bookkeeping_lines() -> None:
    assert render_nightly_start(3, 2, Path("r/h.sqlite"), "1/2") == (
        "checking 3 provider(s) (shard 1/2), concurrency 2, history r/h.sqlite"
    )
    assert (
        render_nightly_start(3, 2, Path("h.sqlite"), None)
        == "checking 3 provider(s), concurrency 2, history h.sqlite"
    )
    assert render_nothing_selected("2/2") == "no enabled providers selected for shard 2/2; nothing to do"
    assert render_nothing_selected(None) == "no enabled providers selected; nothing to do"
    assert render_aborted("interrupted by SIGINT", sample(), 5) == (
        "ABORTED interrupted by SIGINT: 2 of 5 provider(s) recorded; the summary is partial"
    )
    assert render_pruned(4, 6) == "deleted 4 run(s), 6 left"
    assert render_shard_merged(Path("s/1.sqlite"), 3) == "s/1.sqlite: 3 run(s) added"
    assert render_store_count(9, Path("r/h.sqlite")) == "9 run(s) in r/h.sqlite"
