"""overlay validate/apply's terminal lines come from render, each on its stream."""

from __future__ import annotations

from specforge.render.overlay_text import NOT_WRITTEN, render_applied, render_validated
from specforge.render.terminal import Line


def test_validate_line_is_the_verdict_on_its_stream() -> None:
    assert render_validated("o.yaml", 0, "1.0.0", 3) == Line("o.yaml: valid Overlay 1.0.0 (3 action(s))")
    assert render_validated("o.yaml", 2, "1.0.0", 3) == Line("o.yaml: invalid (2 problem(s))", err=True)


def test_apply_lines_are_each_action_then_the_totals_on_stderr() -> None:
    actions = [{"target": "$.info"}, {"target": "$.paths.x"}]
    lines = render_applied("o.yaml", actions, [1, 0], quiet=False)
    assert lines == [
        Line("o.yaml: actions[0] $.info -> 1 match(es)", err=True),
        Line("o.yaml: actions[1] $.paths.x -> 0 match(es)", err=True),
        Line("o.yaml: 2 action(s), 1 matched 1 node(s), 1 matched nothing", err=True),
    ]
    assert render_applied("o.yaml", actions, [1, 0], quiet=True) == lines[-1:]
    assert Line("not written: the overlay did not apply cleanly", err=True) == NOT_WRITTEN
