"""The HTML report renders in a real browser (headless Chromium), offline, with the verdict first."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from test_check_model import sample_result

from specforge.render.reports import write_reports

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="headless chromium not installed")
def test_html_report_renders_offline(tmp_path: Path) -> None:
    write_reports(sample_result(), tmp_path, ["html"])
    assert CHROMIUM is not None
    proc = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--dump-dom",
            (tmp_path / "report.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    dom = proc.stdout
    assert 'id="verdict"' in dom and "non-conformant" in dom
    assert dom.index('id="verdict"') < dom.index('id="failures"')
    assert "timestamps_are_unix_seconds" in dom and "Bearer ***" in dom
