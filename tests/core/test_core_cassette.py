"""One cassette reader for replay, fingerprint, ``ingest --cassette`` and relay-check."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from specforge.core import InputError
from specforge.core.cassette import body_bytes, read_cassette


def test_a_fifo_is_refused_before_reading(tmp_path: Path) -> None:
    """Read through the guarded reader: a FIFO is named for what it is (replay said "cassette not
    found", and ``ingest --cassette`` blocked on it)."""
    fifo = tmp_path / "cassette.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(
        InputError, match=r"is a FIFO \(named pipe\), not a regular file: refused before reading"
    ):
        read_cassette(fifo)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('{"seq": 1, "request": {}}\n{"seq": 2\n', "invalid cassette line: Expecting ',' delimiter", 2),
        ('{"seq": 1, "request": "GET /"}\n', r"not a cassette entry \(no `request` object\)", 1),
        ("\n\n", "the cassette holds no exchange", None),
    ],
)
def test_what_is_not_a_cassette_is_one_error_at_its_line(
    tmp_path: Path, text: str, message: str, line: int | None
) -> None:
    cassette = tmp_path / "c.jsonl"
    cassette.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        read_cassette(cassette, "c.jsonl")
    assert (info.value.file, info.value.line) == ("c.jsonl", line)


def test_bodies_as_text_or_base64() -> None:
    assert body_bytes({"body": "é"}) == "é".encode()
    assert body_bytes({"body": "AAEC", "body_encoding": "base64"}) == b"\x00\x01\x02"
    assert body_bytes({"body": None}) == b""
