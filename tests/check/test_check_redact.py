"""The redactor's shortcuts give the same text as its plain patterns, and a response body is
scanned once however many outputs it reaches (cassette entry, the case's excerpt)."""

from __future__ import annotations

import re
import sys

from hypothesis import example, given
from hypothesis import strategies as st

from specforge.check import redact
from specforge.check.redact import MASK, Redactor


def test_no_other_character_matches_the_literal_parts_case_insensitively() -> None:
    """`_redact` runs the userinfo, [Filtered] and bearer patterns only where the text holds
    `://`, `ltered]` and `bearer` (lower-cased): exact only if no other character matches those
    letters under re.IGNORECASE (it does for `i`: İ and ı, hence `ltered]`, not `filtered]`)."""
    for letter in set("ltered]bearer"):
        pattern = re.compile("(?i)" + re.escape(letter))
        odd = [c for c in map(chr, range(sys.maxunicode + 1)) if pattern.fullmatch(c) and c.lower() != letter]
        assert odd == [], letter


def _plain(red: Redactor, value: str) -> str:
    """The patterns applied one after the other, without shortcuts."""
    if red._text is not None:
        value = red._text.sub(MASK, value)
    value = redact._USERINFO.sub(lambda m: m.group(1) + MASK + "@", value)
    value = redact._FILTERED.sub(r"\1Bearer " + MASK, value)
    return redact._BEARER.sub(lambda m: m.group(1) + MASK, value)


_PIECES = st.sampled_from(
    [
        "Bearer ",
        "BEARER\t",
        "bearer",
        "[Filtered]",
        "[FILTERED]",
        "authorization: ",
        "https://",
        "u:p@",
        "://",
        " ",
        "x",
    ]
)


@given(st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=12).map("".join))
@example("authorization: [Filtered][Filtered]")  # the [Filtered] pattern writes a Bearer to mask
def test_shortcuts_give_the_plain_patterns_text(value: str) -> None:
    red = Redactor("sk-secret-token")
    assert red._redact(value) == _plain(red, value)


def test_a_large_body_is_scanned_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    red = Redactor("sk-secret-token")
    scanned: list[int] = []
    original = red._redact
    monkeypatch.setattr(red, "_redact", lambda value: scanned.append(len(value)) or original(value))
    body = (
        '{"data": ['
        + ",".join(f'{{"id": "video_{i}", "note": "sk-secret-token"}}' for i in range(400))
        + "]}"
    )
    assert len(body) > 10_000
    first = red.text(body)
    assert red.text(str(body)) == first and red.excerpt(body.encode()) == first[:600] + "…"
    assert "sk-secret-token" not in first and scanned == [len(body)]
