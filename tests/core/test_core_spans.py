"""Node spans: ``Document.locate`` gives where a node starts and just past where it ends."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from core_pointers import pointers
from hypothesis import given, settings
from hypothesis import strategies as st

from specforge.core import dump_yaml, load_document, load_text
from specforge.core import pointer as jp

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "positions"
EXPECTED = load_document(FIXTURES / "expected.yaml").data
NODES = [(name, case) for name, cases in EXPECTED.items() for case in cases["nodes"]]


@pytest.mark.parametrize(("name", "case"), NODES, ids=[f"{n}:{c['pointer'][-24:]}" for n, c in NODES])
def test_fixture_spans(name: str, case: dict[str, Any]) -> None:
    loc = load_document(FIXTURES / name).locate(case["pointer"], key=case.get("key", False))
    assert loc is not None
    assert [loc.line, loc.col, loc.end_line, loc.end_col] == case["span"]


def test_block_scalars_end_on_their_last_text() -> None:
    """libyaml ends a block scalar after its line breaks (and blank lines, with ``|+``): the
    span ends on its last character instead, whatever the line breaks are."""
    text = "a: |+\n  x\n\n\n# c\nb: >-\n\n  y\n  z\nc: |\n\nd: 1\n"
    for source in (text, text.replace("\n", "\r\n"), "\ufeff" + text):
        doc = load_text(source, "b.yaml")
        spans = {p: doc.locate(p) for p in ("/a", "/b", "/c", "")}
        assert {p: (s.line, s.col, s.end_line, s.end_col) for p, s in spans.items() if s} == {
            "/a": (1, 4, 5, 1),  # keep (`+`): its blank lines are content
            "/b": (6, 4, 9, 4),
            "/c": (10, 4, 10, 5),  # empty: ends after its indicator
            "": (1, 1, 12, 5),
        }


def test_duplicate_key_diagnostic_spans_the_key() -> None:
    for text, name in (("a: 1\n'a': 2\n", "d.yaml"), ('{"a": 1,\n "a": 2}', "d.json")):
        (dup,) = load_text(text, name).diagnostics
        assert (
            (dup.line, dup.col, dup.end_line, dup.end_col) == (2, 2, 2, 5)
            if name == "d.json"
            else (2, 1, 2, 4)
        )


_BREAKS = {"yaml": re.compile(r"\r\n|[\r\n\x85\u2028\u2029]"), "json": re.compile(r"\n")}


def _slice(text: str, kind: str, line: int, col: int, end_line: int, end_col: int) -> str:
    """The text from 1-based (line, col) to just before (end_line, end_col), lines counted as
    the parser counts them."""
    starts = [0, *(m.end() for m in _BREAKS[kind].finditer(text))]
    return text[starts[line - 1] + col - 1 : starts[end_line - 1] + end_col - 1]


_text = st.text(alphabet="ab :#'\"-\n\t\\é\u2028{}[],", max_size=12)
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | _text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_text, children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=120, deadline=None)
@given(st.dictionaries(_text, _values, min_size=1, max_size=4))
def test_every_span_holds_exactly_its_node(data: dict[str, Any]) -> None:
    """Cut out of the text, each value's span reads back as that value and each key's span as
    that key, in block YAML, flow YAML (JSON text read by the YAML parser) and JSON."""
    for source, name, kind in (
        (dump_yaml(data), "p.yaml", "yaml"),
        ("# flow\n" + json.dumps(data, indent=1), "f.yaml", "yaml"),
        (json.dumps(data, indent=2, ensure_ascii=False), "p.json", "json"),
    ):
        doc = load_text(source, name)
        assert doc.data == data
        for pointer, value in pointers(data):
            loc = doc.locate(pointer)
            assert loc is not None and loc.end_line is not None and loc.end_col is not None
            piece = _slice(source, kind, loc.line, loc.col, loc.end_line, loc.end_col)
            assert load_text(" " * (loc.col - 1) + piece, name).data == value, (pointer, piece)
            if pointer and isinstance(jp.resolve(data, jp.parts(pointer)[:-1]), dict):
                key = doc.locate(pointer, key=True)
                assert key is not None and key.end_line is not None and key.end_col is not None
                piece = _slice(source, kind, key.line, key.col, key.end_line, key.end_col)
                assert load_text(" " * (key.col - 1) + piece, name).data == jp.parts(pointer)[-1], piece
