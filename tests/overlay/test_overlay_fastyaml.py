"""The fast libyaml path reads like core's loader and writes YAML that YAML 1.1 and 1.2 readers
both read back to the same data."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from specforge.core import load_text
from specforge.overlay import fastyaml

ROOT = Path(__file__).resolve().parents[2]
AMBIGUOUS = ["yes", "No", "on", "OFF", "y", "~", "null", "NULL", "true", "False", "0o17", "0x1F", "017", "1_000", "1e3", "1.5",
             ".inf", "-.Inf", ".nan", "2024-01-01", "2024-01-01T10:00:00Z", "12:30", "=", "<<", "", " lead", "trail ", "- x",
             "a: b", "#c", "x #y", "'q'", '"d"', "multi\nline", "multi\nline\n", "\ttab", "né", "视频", "\x07bell", "&a", "*b", "!t", "%p", "@", "`"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.sampled_from(AMBIGUOUS), st.text(max_size=12))
values = st.recursive(scalars, lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(st.one_of(st.sampled_from(AMBIGUOUS), st.text(max_size=5)), c, max_size=3)), max_leaves=15)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.one_of(st.sampled_from(AMBIGUOUS), st.text(max_size=5)), values, min_size=1, max_size=4))
def test_dump_reads_back_the_same_in_yaml_1_1_and_1_2(data: dict) -> None:
    text = fastyaml.dump(data)
    assert load_text(text, "x.yaml").data == data
    assert fastyaml.load(text, "x.yaml").data == data
    assert yaml.load(text, Loader=yaml.CSafeLoader) == data
    assert " ! " not in text and not text.startswith("!")


def test_loader_agrees_with_core_on_real_documents() -> None:
    for path in [*sorted((ROOT / "specs" / "sources").glob("*.yaml")), *sorted((ROOT / "tests/fixtures/overlay-conformance").rglob("*.yaml"))]:
        text = path.read_text()
        assert fastyaml.load(text, str(path)).data == load_text(text, str(path)).data, path


def test_unusual_input_falls_back_to_core() -> None:
    document = fastyaml.load("a: &x {b: 1}\nc: *x\nd: 2\nd: 3\n", "dup.yaml")
    assert document.data == {"a": {"b": 1}, "c": {"b": 1}, "d": 3}
    assert [d.code for d in document.diagnostics] == ["duplicate-key"]
    assert fastyaml.load("200: ok\n", "k.yaml").data == {"200": "ok"}
    assert fastyaml.load('{"a": [1, 2.5, null]}', "j.json").data == {"a": [1, 2.5, None]}
