from __future__ import annotations

import datetime
import json
import math
import os
import time
from pathlib import Path
from typing import Any

import pytest
from core_pointers import pointers
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from specforge.core import InputError, Limits, dump_yaml, load_document, load_mapping, load_text
from specforge.core import pointer as jp

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "core"


def json_model(value: Any) -> Any:
    """ruamel's safe-load result with specforge's documented differences applied: mapping keys
    become strings (as json.dumps writes them) and timestamps stay the text they were written as."""
    if isinstance(value, dict):
        return {
            key
            if isinstance(key, str)
            else json.dumps(key)
            if not isinstance(key, int) or isinstance(key, bool)
            else str(key): json_model(v)
            for key, v in value.items()
        }
    if isinstance(value, list):
        return [json_model(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return TIMESTAMP_TEXT[value]
    if isinstance(value, bytes):
        return BINARY_TEXT[value]
    return value


TIMESTAMP_TEXT = {
    datetime.date(2024, 10, 1): "2024-10-01",
    datetime.datetime(
        2024, 10, 1, 12, 30, tzinfo=datetime.timezone(datetime.timedelta(0), "Z")
    ): "2024-10-01T12:30:00Z",
}
BINARY_TEXT = {b"hello": "aGVsbG8="}


def test_reference_spec_equals_ruamels_safe_load() -> None:
    path = FIXTURES / "openai-videos.yaml"
    expected = YAML(typ="safe").load(path)
    assert load_document(path).data == json_model(expected)


def test_fidelity_fixture_equals_ruamel_except_documented_differences() -> None:
    path = FIXTURES / "fidelity.yaml"
    ours = load_document(path).data
    theirs = YAML(typ="safe").load(path)
    spaced = theirs["timestamps_stay_strings"]["spaced"]
    TIMESTAMP_TEXT[spaced] = "2001-12-14 21:59:43.10 -5"
    assert ours == json_model(theirs)
    # and spelled out, so that a change in either loader shows up here
    assert ours["booleans_1_1_are_strings"] == ["yes", "no", "on", "off", "y", "n", "Yes", "NO"]
    assert ours["ints"] == [0, -7, 12, 15, 17, 31, 5, 1000]
    assert ours["floats"][5:7] == [math.inf, -math.inf]
    assert ours["sexagesimal_is_a_string"] == "1:20"
    assert ours["timestamps_stay_strings"] == {
        "date": "2024-10-01",
        "datetime": "2024-10-01T12:30:00Z",
        "spaced": "2001-12-14 21:59:43.10 -5",
    }
    assert list(ours["responses"]) == ["200", "201", "default"]
    assert list(ours["other_keys"]) == ["true", "null", "1.5", "16"]
    assert ours["explicit_tags"] == ["12", 12, 1.0, True]
    assert ours["binary_stays_text"] == "aGVsbG8="
    assert ours["anchors"]["copy"] is ours["anchors"]["base"]


def test_yaml_1_1_directive_does_not_switch_rules() -> None:
    assert load_text("%YAML 1.1\n---\na: yes\nb: 017\n", "v.yaml").data == {"a": "yes", "b": 17}


def test_yaml_positions_for_values_and_keys() -> None:
    doc = load_text("openapi: 3.1.0\npaths:\n  /v1/videos:\n    post:\n      summary: x\n", "a.yaml")
    assert doc.data == {"openapi": "3.1.0", "paths": {"/v1/videos": {"post": {"summary": "x"}}}}
    loc = doc.locate("/paths/~1v1~1videos/post/summary")
    assert loc is not None and (loc.line, loc.col) == (5, 16)
    key = doc.locate("/paths/~1v1~1videos/post/summary", key=True)
    assert key is not None and (key.line, key.col) == (5, 7)
    past = doc.locate("/paths/~1v1~1videos/post/nope/deeper")
    assert past is not None and (past.line, past.col, past.pointer) == (
        5,
        7,
        "/paths/~1v1~1videos/post/nope/deeper",
    )
    assert str(doc.locate("")) == "a.yaml:1:1"


def test_positions_of_converted_keys_sequences_and_aliases() -> None:
    doc = load_text("r:\n  200: {a: 1}\nl:\n  - x\n  - {b: 2}\nbase: &b\n  c: 3\ncopy: *b\n", "k.yaml")
    loc = doc.locate("/r/200/a")
    assert loc is not None and (loc.line, loc.col) == (2, 12)
    loc = doc.locate("/l/1/b")
    assert loc is not None and (loc.line, loc.col) == (5, 9)
    loc = doc.locate("/copy")
    assert loc is not None and loc.line == 8  # the alias itself
    loc = doc.locate("/copy/c")
    assert loc is not None and loc.line == 7  # inside: where the anchor defines it


def test_json_positions_are_computed_lazily_even_with_tabs() -> None:
    text = json.dumps({"a": {"b": [1, {"c": True}]}}, indent="\t")
    doc = load_text(text, "x.json")
    assert doc.data["a"]["b"][1]["c"] is True
    loc = doc.locate("/a/b/1/c")
    assert loc is not None and (loc.line, loc.col) == (6, 10)


def test_diagnostic_at_fills_in_the_position() -> None:
    from specforge.core import Diagnostic, Severity

    doc = load_text("a:\n  b: 1\n", "p.yaml")
    found = doc.diagnostic_at(Diagnostic("x", Severity.ERROR, "m", pointer="/a/b"))
    assert found.location == "p.yaml:2:6"
    placed = Diagnostic("x", Severity.ERROR, "m", file="other.yaml", line=9, col=9)
    assert doc.diagnostic_at(placed) is placed


def test_duplicate_keys_are_reported_with_position() -> None:
    doc = load_text("a: 1\nb:\n  x: 1\n  x: 2\na: 3\n", "d.yaml")
    assert doc.data == {"a": 3, "b": {"x": 2}}
    assert [(d.code, d.pointer, d.line, d.col) for d in doc.diagnostics] == [
        ("duplicate-key", "/b/x", 4, 3),
        ("duplicate-key", "/a", 5, 1),
    ]
    json_doc = load_text('{"a": {"b": 1, "b": 2}}', "d.json")
    assert [(d.pointer, d.line, d.col) for d in json_doc.diagnostics] == [("/a/b", 1, 16)]


def test_keys_equal_after_conversion_are_duplicates() -> None:
    doc = load_text("200: a\n'200': b\n", "d.yaml")
    assert doc.data == {"200": "b"} and doc.diagnostics[0].code == "duplicate-key"


def test_billion_laughs_fails_fast() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    started = time.perf_counter()
    with pytest.raises(InputError, match="expands to more than 5,000,000 nodes through YAML aliases") as info:
        load_text("\n".join(lines) + "\n", "bomb.yaml")
    assert time.perf_counter() - started < 2
    assert info.value.line == 7


def test_alias_expansion_limit_is_configurable() -> None:
    text = "a: &a [1, 2, 3, 4]\nb: [*a, *a, *a]\n"
    assert load_text(text, "ok.yaml").data["b"][2] == [1, 2, 3, 4]
    with pytest.raises(InputError, match="more than 10 nodes"):
        load_text(text, "small.yaml", limits=Limits(max_nodes=10))


def test_depth_limit_yaml_json_and_through_aliases() -> None:
    with pytest.raises(InputError, match="nests deeper than 20 levels"):
        load_text("[" * 50 + "]" * 50, "deep.yaml", limits=Limits(max_depth=20))
    with pytest.raises(InputError, match="nests deeper than 20 levels") as info:
        load_text('{"a":' * 30 + "1" + "}" * 30, "deep.json", limits=Limits(max_depth=20))
    assert (info.value.line, info.value.col) == (1, 101)
    nested = "a: &a " + "[" * 15 + "]" * 15 + "\nb: " + "[" * 10 + "*a" + "]" * 10 + "\n"
    with pytest.raises(InputError, match="through YAML aliases"):
        load_text(nested, "alias-deep.yaml", limits=Limits(max_depth=20))


def test_extreme_nesting_is_an_error_not_a_crash() -> None:
    # ruamel's C composer recurses and segfaults around 30k levels; the event loop does not
    with pytest.raises(InputError, match="nests deeper than 256 levels"):
        load_text("[" * 200_000 + "]" * 200_000, "bomb.yaml")
    with pytest.raises(InputError, match="nests deeper than 256 levels"):
        load_text("[" * 200_000 + "]" * 200_000, "bomb.json")


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 2000 + "\n")
    with pytest.raises(InputError, match="over the 1,000-byte limit"):
        load_document(path, limits=Limits(max_bytes=1000))
    with pytest.raises(InputError, match="over the 1,000-byte limit"):
        load_text(path.read_text(), "big.yaml", limits=Limits(max_bytes=1000))


def test_bom_and_display_name(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffa: ü\nb: {c: 1}\n".encode())
    doc = load_document(path, display="specs/bom.yaml")
    assert doc.data == {"a": "ü", "b": {"c": 1}} and str(doc.locate("/b/c")) == "specs/bom.yaml:2:8"


def test_load_mapping_names_what_it_expected(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n")
    with pytest.raises(InputError, match="the top level of the Overlay must be a mapping, not a list"):
        load_mapping(path, "Overlay")
    path.write_text("a: 1\n")
    assert load_mapping(path).data == {"a": 1}


def test_syntax_error_names_line_and_column() -> None:
    with pytest.raises(InputError) as info:
        load_text("a: [1, 2\nb: 3\n", "bad.yaml")
    assert info.value.file == "bad.yaml" and info.value.line is not None


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_document(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="is a directory"):
        load_document(tmp_path)


# YAML counts U+0085/U+2028/U+2029 as line breaks (editors mostly do not): kept out here
text = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=10)
keys = text.filter(bool)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=3),
    max_leaves=15,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(keys, values, min_size=1, max_size=4))
def test_every_key_position_points_at_that_key(data: dict[str, Any]) -> None:
    for source, name in (
        (dump_yaml(data), "p.yaml"),
        (json.dumps(data, indent=2, ensure_ascii=False), "p.json"),
    ):
        doc = load_text(source, name)
        assert doc.data == data
        lines = source.split("\n")
        for pointer, _ in pointers(data)[1:]:
            token = jp.parts(pointer)[-1]
            loc = doc.locate(pointer, key=True)
            assert loc is not None
            at = lines[loc.line - 1][loc.col - 1 :]
            parent = jp.resolve(data, jp.parts(pointer)[:-1])
            if isinstance(parent, dict):
                if at[:1] in ("'", '"'):
                    at = at[1:]
                assert at[:1] in (token[:1], "\\") or token[:1] in "'\""


def test_json_positions_count_only_newlines() -> None:
    text = '{\n  "a": "x\u2028y\u0085z",\n  "b": [1, {"c": null}]\n}'
    doc = load_text(text, "u.json")
    loc = doc.locate("/b/1/c")
    assert loc is not None and (loc.line, loc.col) == (3, 18)
    loc = doc.locate("/b", key=True)
    assert loc is not None and (loc.line, loc.col) == (3, 3)


def test_json_positions_survive_python_json_extensions() -> None:
    doc = load_text('{"a": NaN, "b": -Infinity, "c": 1}', "n.json")
    assert math.isnan(doc.data["a"]) and doc.data["b"] == -math.inf
    assert str(doc.locate("/c")) == "n.json:1:33"


def test_a_document_rebuilt_from_another_still_locates() -> None:
    from specforge.core import Document

    loaded = load_text('{\n\t"a": {"b": 1}\n}', "block.json")
    again = Document(path="page.md", data=loaded.data, text=loaded.text)
    assert str(again.locate("/a/b")) == "page.md:2:13"
    flow_yaml = Document(path="f.yaml", data={"a": 1}, text="{a: 1, # comment\n b: 2}")
    assert str(flow_yaml.locate("/b")) == "f.yaml:2:5"
    assert Document(path="x", data=None, text="").locate("/a") is None


def test_pure_python_parser_fallback_gives_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    from specforge.core import document

    path = FIXTURES / "openai-videos.yaml"
    fast = load_document(path)
    monkeypatch.setattr(document, "_CParser", None)
    slow = load_document(path)
    assert slow.data == fast.data
    for pointer in ("/paths/~1videos/post/operationId", "/components/schemas", "/servers/0/url"):
        assert slow.locate(pointer) == fast.locate(pointer)
        assert slow.locate(pointer, key=True) == fast.locate(pointer, key=True)
    with pytest.raises(InputError, match="recursive YAML alias"):
        load_text("a: &a [*a]\n", "r.yaml")


def test_nested_anchors_count_their_full_height_and_size() -> None:
    text = "a: &a [[1]]\nb: &b [*a]\nc: *b\n"
    assert load_text(text, "ok.yaml", limits=Limits(max_depth=4)).data["c"] == [[[1]]]
    with pytest.raises(InputError, match="through YAML aliases") as info:
        load_text(text + "d: [*b]\n", "deep.yaml", limits=Limits(max_depth=4))
    assert (info.value.line, info.value.col) == (4, 5)
    # 1 root + a(3) + b(1 + 3) + c(4) = 12 nodes with aliases expanded
    load_text(text, "n.yaml", limits=Limits(max_nodes=12 + 3))  # + the three keys
    with pytest.raises(InputError, match="more than 14 nodes"):
        load_text(text, "n.yaml", limits=Limits(max_nodes=14))


def test_unreadable_file_is_an_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.yaml"
    path.write_text("a: 1\n")

    real_open = os.open

    def denied(name: Any, flags: int, *args: Any) -> int:
        if str(name) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(name, flags, *args)

    monkeypatch.setattr(os, "open", denied)  # the guarded reader opens with os.open
    with pytest.raises(InputError, match="cannot read file: Permission denied"):
        load_document(path)


def test_json_type_names_loaded_values_as_json_schema_does() -> None:
    from specforge.core.document import json_type

    values = [None, True, 0, 1.5, "x", [1], {"a": 1}]
    assert [json_type(v) for v in values] == [
        "null",
        "boolean",
        "integer",
        "number",
        "string",
        "array",
        "object",
    ]
