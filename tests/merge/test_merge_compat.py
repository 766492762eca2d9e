"""The compatibility matrix: data, Markdown, and the HTML rendered in headless Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
VARIANTS = ["openai", "hingnet-sora", "hingnet-veo", "newapi", "xiexus", "aiid"]


def _matrix() -> dict:
    return json.loads((ROOT / "specs" / "compat.json").read_text(encoding="utf-8"))


def _row(name: str) -> dict:
    for group in _matrix()["groups"]:
        for row in group["rows"]:
            if row["name"] == name:
                return row["cells"]
    raise AssertionError(name)


def test_matrix_rows_and_columns() -> None:
    matrix = _matrix()
    assert matrix["variants"] == VARIANTS
    names = [row["name"] for group in matrix["groups"] for row in group["rows"]]
    for expected in (
        "create",
        "input_reference forms",
        "seconds: type and values",
        "size values",
        "aliases of seconds",
        "timestamp unit (created_at)",
        "error shape",
        "auth",
    ):
        assert expected in names


def test_matrix_cells_say_what_each_vendor_documents() -> None:
    assert _row("input_reference forms")["hingnet-veo"]["value"].startswith("JSON: array of 1–3 image URLs")
    assert _row("timestamp unit (created_at)")["aiid"]["value"].startswith("milliseconds")
    assert _row("timestamp unit (created_at)")["hingnet-veo"]["state"] == "same"
    assert _row("list")["newapi"]["value"] == "not offered (page says so)"
    assert _row("aliases of seconds")["xiexus"]["value"] == "duration"
    assert "video_url" in _row("status values")["aiid"]["value"]


def test_markdown_has_one_column_per_variant() -> None:
    text = (ROOT / "specs" / "compat.md").read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("| |"))
    assert header == "| | " + " | ".join(VARIANTS) + " |"


def test_html_is_self_contained() -> None:
    html = (ROOT / "specs" / "compat.html").read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.split("<body>")[0]
    assert "<link" not in html and "<style>" in html


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="headless chromium not installed")
def test_html_renders_in_headless_chromium(tmp_path: Path) -> None:
    page = ROOT / "specs" / "compat.html"
    common = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=90)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert '<table id="compat">' in dom.stdout
    assert dom.stdout.count('data-variant="hingnet-veo"') == sum(len(g["rows"]) for g in _matrix()["groups"])
    shot = tmp_path / "compat.png"
    result = subprocess.run(
        [*common, f"--screenshot={shot}", "--window-size=1400,1800", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
