from __future__ import annotations

import json
from pathlib import Path

import pytest

from specforge.core import InputError, Limits, load_document, load_text
from specforge.core.output import dump_yaml, write_atomic


def test_yaml_positions_for_values_and_keys() -> None:
    doc = load_text("openapi: 3.1.0\npaths:\n  /v1/videos:\n    post:\n      summary: x\n", "a.yaml")
    assert doc.data == {"openapi": "3.1.0", "paths": {"/v1/videos": {"post": {"summary": "x"}}}}
    loc = doc.locate("/paths/~1v1~1videos/post/summary")
    assert (loc.line, loc.col) == (5, 16)
    key = doc.locate("/paths/~1v1~1videos/post/summary", key=True)
    assert (key.line, key.col) == (5, 7)


def test_json_positions_are_computed_lazily() -> None:
    text = json.dumps({"a": {"b": [1, {"c": True}]}}, indent=2)
    doc = load_text(text, "x.json")
    assert doc.data["a"]["b"][1]["c"] is True
    loc = doc.locate("/a/b/1/c")
    assert loc is not None and loc.line == 6


def test_scalars_follow_the_json_data_model() -> None:
    doc = load_text("a: 0x1f\nb: 1.5\nc: null\nd: true\n200: ok\ne: 2024-01-01\n", "s.yaml")
    assert doc.data == {"a": 31, "b": 1.5, "c": None, "d": True, "200": "ok", "e": "2024-01-01"}


def test_duplicate_keys_are_reported_with_position() -> None:
    doc = load_text("a: 1\nb: 2\na: 3\n", "d.yaml")
    assert doc.data == {"a": 3, "b": 2}
    [diag] = doc.diagnostics
    assert diag.code == "duplicate-key" and (diag.line, diag.col) == (3, 1)


def test_billion_laughs_fails_fast() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    with pytest.raises(InputError, match="aliases"):
        load_text("\n".join(lines) + "\n", "bomb.yaml")


def test_depth_limit() -> None:
    text = "[" * 50 + "]" * 50
    with pytest.raises(InputError, match="nests deeper"):
        load_text(text, "deep.yaml", limits=Limits(max_depth=20))


def test_syntax_error_names_line_and_column() -> None:
    with pytest.raises(InputError) as info:
        load_text("a: [1, 2\nb: 3\n", "bad.yaml")
    assert info.value.file == "bad.yaml" and info.value.line is not None


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_document(tmp_path / "nope.yaml")


def test_dump_is_deterministic_and_keeps_order(tmp_path: Path) -> None:
    data = {"z": 1, "a": {"paths": ["/v1/videos"], "ü": "non-ascii"}}
    text = dump_yaml(data, header="generated")
    assert text.startswith("# generated\nz: 1\na:\n")
    assert dump_yaml(data, header="generated") == text
    target = write_atomic(tmp_path / "out" / "x.yaml", text)
    assert load_document(target).data == data
    assert [p.name for p in target.parent.iterdir()] == ["x.yaml"]
