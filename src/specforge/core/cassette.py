"""A check's cassette read back: JSON Lines, one exchange a line (``seq``, ``request``,
``response`` or ``error``; bodies as text or ``body_encoding: base64``), as
``check.transport.Cassette`` writes it. Replay and fingerprint, ``ingest --cassette`` and
relay-check's join all read cassettes here."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from specforge.core.errors import InputError
from specforge.core.guard import read_regular

#: a cassette of a long nightly check is tens of megabytes; this bounds a mistaken path
MAX_CASSETTE_BYTES = 1 << 30

_HINT = "pass the cassette.jsonl an earlier `specforge check` wrote"


def read_cassette(path: Path, display: str | None = None) -> list[dict[str, Any]]:
    """The exchanges of the cassette at ``path`` (a regular file, read through the guarded
    reader); an InputError naming the line for anything that is not one, or for no exchange."""
    shown = display or str(path)
    if not path.exists():
        raise InputError("cassette not found", file=shown, hint=_HINT)
    raw = read_regular(path, max_bytes=MAX_CASSETTE_BYTES, display=shown)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            "cassette is not UTF-8 text", file=shown, line=raw.count(b"\n", 0, exc.start) + 1, hint=_HINT
        ) from None
    entries = []
    # split on "\n" only: str.splitlines() would also break inside strings holding U+2028 & co.
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"invalid cassette line: {exc.msg}",
                file=shown,
                line=number,
                col=exc.colno,
                hint="a cassette has one exchange per line (JSON Lines), as `specforge check` writes it",
            ) from None
        if not isinstance(entry, dict) or not isinstance(entry.get("request"), dict):
            raise InputError(
                "not a cassette entry (no `request` object)",
                file=shown,
                line=number,
                hint="a cassette has one exchange per line (JSON Lines), as `specforge check` writes it",
            )
        entries.append(entry)
    if not entries:
        raise InputError(
            "the cassette holds no exchange: there is nothing to read back",
            file=shown,
            hint="record one with `specforge check BASE_URL` (its cassette.jsonl)",
        )
    return entries


def body_bytes(part: dict[str, Any]) -> bytes:
    """The body of a cassette request or response as bytes (``b""`` when it has none); a
    malformed base64 body is a ``ValueError``."""
    body = part.get("body")
    if body is None:
        return b""
    if part.get("body_encoding") == "base64":
        return base64.b64decode(body)
    return str(body).encode("utf-8")
