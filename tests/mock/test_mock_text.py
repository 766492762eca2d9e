"""mock's start lines come from render: the URL alone on stdout, what it serves on stderr."""

from __future__ import annotations

from types import SimpleNamespace

from specforge.render.mock_text import render_mock_start
from specforge.render.terminal import Line


def test_the_url_goes_to_stdout_and_the_rest_to_stderr() -> None:
    profile = SimpleNamespace(
        collection="/v1/videos",
        kinds={"retrieve": 1, "create": 1},
        assumptions=[SimpleNamespace(message="the documented statuses have no word for `failed`")],
    )
    lines = render_mock_start(
        "http://127.0.0.1:4010",
        variant="aiid",
        origin="specs/sources/aiid.yaml",
        profile=profile,
        auth=True,
        state=None,
        record=True,
    )
    assert lines == [
        Line("http://127.0.0.1:4010"),
        Line(
            "specforge mock: variant aiid from specs/sources/aiid.yaml; API at http://127.0.0.1:4010/v1/videos; "
            "operations: create, retrieve; bearer auth; jobs kept in memory; recording requests "
            "(GET /__specforge__/exchanges); Ctrl-C stops",
            err=True,
        ),
        Line("specforge mock: note: the documented statuses have no word for `failed`", err=True),
    ]
    served = render_mock_start(
        "u", variant="v", origin="o", profile=profile, auth=False, state="jobs.sqlite", record=False
    )[1].text
    assert "no auth; jobs kept in jobs.sqlite; Ctrl-C stops" in served
