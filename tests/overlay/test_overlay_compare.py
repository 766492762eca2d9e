"""compare -> apply round-trips (hypothesis on generated documents, and on real descriptions), and
the shape of what compare writes: small, filters for identities, brackets for odd keys."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specforge.core import Severity, load_document
from specforge.overlay import apply, check_overlay, compare
from specforge.overlay.compare import same

ROOT = Path(__file__).resolve().parents[2]
# the official /videos slice, as the project ships it (MIT; see specs/docs/LICENSE-openai)
REFERENCE = ROOT / "specs" / "docs" / "openai-videos.yaml"

TRICKY_KEYS = [
    "/v1/videos",
    "x-foo",
    "it's",
    'say "hi"',
    "a~b",
    "a/b",
    "vidéo",
    "视频",
    "",
    " ",
    "$",
    "@",
    "[0]",
    "a.b",
    "name",
    "in",
    "url",
    "true",
    "\\",
    "tab\t",
    "line\nbreak",
]
keys = st.one_of(st.sampled_from(TRICKY_KEYS), st.text(max_size=6))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["a", "b", "", "0", "true", "yes"]),
)
identified = st.fixed_dictionaries(
    {"name": st.sampled_from(["limit", "after", "order", "o'k"]), "in": st.sampled_from(["query", "path"])},
    optional={"schema": st.fixed_dictionaries({"type": st.sampled_from(["string", "integer"])})},
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=4),
        st.lists(identified, max_size=4),
        st.lists(
            st.fixed_dictionaries(
                {"url": st.sampled_from(["https://a", "https://b", "/v1"])},
                optional={"description": st.sampled_from(["x", "y"])},
            ),
            max_size=3,
        ),
    ),
    max_leaves=20,
)
documents = st.dictionaries(keys, json_values, max_size=5)


def roundtrip(source: Any, target: Any) -> dict[str, Any]:
    before = copy.deepcopy(source)
    overlay = compare(source, target)
    assert not [d for d in check_overlay(overlay) if d.severity is Severity.ERROR], overlay
    result = apply(source, overlay)
    assert result.ok, (result.diagnostics, overlay)
    assert same(result.document, target), overlay
    assert same(source, before)  # neither compare nor apply mutates
    return overlay


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, documents)
def test_roundtrip_generated(source: dict[str, Any], target: dict[str, Any]) -> None:
    roundtrip(source, target)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.data())
def test_roundtrip_small_edits(source: dict[str, Any], data: st.DataObject) -> None:
    """Targets close to the source (the realistic case) exercise the nested paths."""
    target = copy.deepcopy(source)
    for _ in range(data.draw(st.integers(1, 3))):
        node: Any = target
        while isinstance(node, dict | list) and node and data.draw(st.booleans()):
            key = data.draw(st.sampled_from(list(node) if isinstance(node, dict) else range(len(node))))
            if not isinstance(node[key], dict | list):
                break
            node = node[key]
        if isinstance(node, dict):
            node[data.draw(keys)] = data.draw(json_values)
        elif isinstance(node, list):
            if node and data.draw(st.booleans()):
                node.pop(data.draw(st.integers(0, len(node) - 1)))
            else:
                node.append(data.draw(json_values))
    roundtrip(source, target)


def test_identical_documents_give_a_valid_noop_overlay() -> None:
    overlay = roundtrip({"a": 1}, {"a": 1})
    assert overlay["actions"] == [
        {"target": "$", "description": "No differences: the documents are identical."}
    ]


def test_parameters_are_targeted_by_identity_filter() -> None:
    source = {
        "paths": {
            "/v1/videos": {
                "get": {
                    "parameters": [
                        {"name": "after", "in": "query", "schema": {"type": "string"}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                        {"name": "order", "in": "query"},
                    ]
                }
            }
        }
    }
    target = copy.deepcopy(source)
    params = target["paths"]["/v1/videos"]["get"]["parameters"]
    params[1]["schema"]["maximum"] = 100
    del params[0]
    overlay = roundtrip(source, target)
    targets = [a["target"] for a in overlay["actions"]]
    assert targets == [
        "$.paths['/v1/videos'].get.parameters[?@.name=='after' && @.in=='query']",
        "$.paths['/v1/videos'].get.parameters[?@.name=='limit' && @.in=='query'].schema",
    ]
    assert overlay["actions"][0]["remove"] is True
    assert overlay["actions"][1]["update"] == {"maximum": 100}
    assert all(a["description"] for a in overlay["actions"])


def test_one_action_per_changed_subtree() -> None:
    source = {"info": {"title": "A", "version": "1", "contact": {"name": "x"}}, "paths": {}}
    target = {
        "info": {"title": "B", "version": "2", "contact": {"name": "y", "email": "e"}, "x-new": True},
        "paths": {},
    }
    overlay = roundtrip(source, target)
    assert overlay["actions"] == [
        {
            "target": "$.info",
            "description": "In `info`: add `x-new`; change `title`, `version`, `contact`.",
            "update": {"title": "B", "version": "2", "x-new": True, "contact": {"name": "y", "email": "e"}},
        }
    ]


def test_array_replacement_is_remove_then_update() -> None:
    overlay = roundtrip({"info": {"x": 1}, "tags": ["a", "b", "c"]}, {"info": {"x": 1}, "tags": ["c", "a"]})
    assert [(a["target"], "remove" in a) for a in overlay["actions"]] == [("$.tags", True), ("$", False)]
    assert overlay["actions"][1]["update"] == {"tags": ["c", "a"]}


def test_type_changes_and_quoted_keys() -> None:
    source = {"paths": {"/v1/videos": {"x-foo": {"a": 1}, "it's": "1", "a~b": 1, "vidéo": [1]}}}
    target = {"paths": {"/v1/videos": {"x-foo": [1], "it's": 1, "a~b": {"k": None}, "vidéo": "s"}}}
    overlay = roundtrip(source, target)
    removes = [a["target"] for a in overlay["actions"] if a.get("remove")]
    assert removes == [
        "$.paths['/v1/videos']['x-foo']",
        "$.paths['/v1/videos']['a~b']",
        "$.paths['/v1/videos']['vidéo']",
    ]


def test_custom_describe_gets_pointer_old_and_new() -> None:
    calls: list[tuple[str, Any, Any]] = []

    def describe(pointer: str, old: Any, new: Any) -> str:
        calls.append((pointer, old, new))
        return f"custom {pointer}"

    overlay = compare({"a": {"b": 1}, "c": 2}, {"a": {"b": 2}}, describe=describe)
    assert calls == [("/c", 2, None), ("/a", {"b": 1}, {"b": 2})]
    assert [a["description"] for a in overlay["actions"]] == ["custom /c", "custom /a"]


SOURCES = sorted((ROOT / "specs" / "sources").glob("*.yaml"))


def test_roundtrip_reference_against_itself_edited() -> None:
    source = load_document(REFERENCE).data
    target = copy.deepcopy(source)
    target["info"]["title"] = "Edited"
    target["paths"] = {f"/v1{k}": v for k, v in target["paths"].items()}
    roundtrip(source, target)
    roundtrip(target, source)


@pytest.mark.skipif(len(SOURCES) < 2, reason="variant sources not ingested yet")
def test_roundtrip_all_ordered_pairs_of_variant_sources() -> None:
    loaded = {p.stem: load_document(p).data for p in SOURCES}
    for a, source in loaded.items():
        for b, target in loaded.items():
            if a != b:
                roundtrip(source, target)
