"""The lines ``specforge mock`` prints when it starts: the URL on stdout (for scripts), then what
it serves and every assumption it made on stderr (the CLI only echoes them)."""

from __future__ import annotations

from typing import Any

from specforge.render.terminal import Line, err, out


def render_mock_start(
    url: str,
    *,
    variant: str,
    origin: str,
    profile: Any,
    auth: bool,
    state: str | None,
    record: bool,
) -> list[Line]:
    """``profile`` is the served ``specforge.mock.profile.Profile`` (collection, kinds, assumptions)."""
    served = (
        f"variant {variant} from {origin}; API at {url}{profile.collection}; "
        f"operations: {', '.join(sorted(profile.kinds))}; "
        + ("bearer auth" if auth else "no auth")
        + (f"; jobs kept in {state}" if state else "; jobs kept in memory")
        + ("; recording requests (GET /__specforge__/exchanges)" if record else "")
        + "; Ctrl-C stops"
    )
    notes = [served, *(f"note: {note.message}" for note in profile.assumptions)]
    return [out(url), *(err(f"specforge mock: {note}") for note in notes)]
