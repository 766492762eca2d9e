"""apply() against a deliberately naive oracle: deep-copy the document, then mutate it in place
node by node exactly as the specification's prose reads. The fast copy-on-write engine must agree
with it on generated documents and overlays (and, in benchmarks/overlay_apply.py, on the 585-action
OpenAI benchmark)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonpath_rfc9535 as jsonpath
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from specforge.core import load_document
from specforge.overlay import OverlayError, apply


def _merge(target: Any, update: Any) -> Any:
    """Merge in place where possible; return the value that should sit at the node."""
    if isinstance(target, dict):
        if not isinstance(update, dict):
            return target
        for key, value in update.items():
            if key not in target:
                target[key] = copy.deepcopy(value)
            elif isinstance(target[key], list) and not isinstance(value, list):
                continue
            elif isinstance(target[key], dict | list) or not isinstance(value, dict | list):
                target[key] = _merge(target[key], value)
        return target
    if isinstance(target, list):
        target.extend(copy.deepcopy(update) if isinstance(update, list) else [copy.deepcopy(update)])
        return target
    return target if isinstance(update, dict | list) else update


def reference_apply(document: Any, overlay: dict[str, Any]) -> Any:
    root = {"$": copy.deepcopy(document)}
    for action in overlay["actions"]:
        nodes = jsonpath.find(action["target"], root["$"])
        unique = {node.location: node for node in nodes}
        if action.get("remove") is True:
            for location in sorted(unique, reverse=True):
                if location:
                    parent = root["$"]
                    for step in location[:-1]:
                        parent = parent[step]
                    del parent[location[-1]]
            continue
        if "copy" in action:
            sources = jsonpath.find(action["copy"], root["$"])
            if len(sources) != 1:
                continue
            update = copy.deepcopy(sources[0].value)  # the value when the action starts
        elif "update" in action:
            update = action["update"]
        else:
            continue
        for location in unique:
            parent: Any = root
            key: Any = "$"
            for step in location:
                parent, key = parent[key], step
            parent[key] = _merge(parent[key], copy.deepcopy(update))
    return root["$"]


names = st.sampled_from(["a", "b", "x-y", "/v1/videos", "tags", "name"])
leaf = st.one_of(st.none(), st.booleans(), st.integers(0, 3), st.sampled_from(["s", "t"]))
value = st.recursive(
    leaf, lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(names, c, max_size=3)), max_leaves=12
)
targets = st.sampled_from(
    [
        "$",
        "$.a",
        "$.b",
        "$['x-y']",
        "$.a.b",
        "$.*",
        "$..a",
        "$.a[0]",
        "$.a[-1]",
        "$.a[*]",
        "$..[?@.name]",
        "$.tags[?@ == 's']",
        "$..*",
        "$['/v1/videos'].a",
        "$.a[1:]",
        "$..[?@.b == 1]",
        "$.missing",
    ]
)
actions = st.one_of(
    st.fixed_dictionaries({"target": targets, "update": value}),
    st.fixed_dictionaries({"target": targets, "remove": st.just(True)}),
    st.fixed_dictionaries({"target": targets, "copy": targets}),
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(names, value, max_size=4), st.lists(actions, min_size=1, max_size=4, unique_by=repr))
def test_apply_agrees_with_the_naive_reference(
    document: dict[str, Any], action_list: list[dict[str, Any]]
) -> None:
    overlay = {"overlay": "1.1.0", "info": {"title": "t", "version": "1"}, "actions": action_list}
    before = copy.deepcopy(document)
    try:
        result = apply(document, overlay)
    except OverlayError as error:  # JSON-equal actions (1 vs True) fail the schema's uniqueItems
        assume("unique" not in str(error))
        raise
    assert result.document == reference_apply(before, overlay)
    assert document == before


ROOT = Path(__file__).resolve().parents[2]
BENCH = (
    next(
        (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if (p / "benchmarks").is_dir()),
        ROOT / "shared",
    )
    / "benchmarks"
)


@pytest.mark.skipif(
    not (BENCH / "openai-overlay-585.yaml").exists(), reason="shared benchmark files not present"
)
def test_benchmark_overlay_agrees_with_the_naive_reference_on_every_action() -> None:
    """The 585-action benchmark on the 3 MB OpenAI description: same result as the oracle, and the
    seven actions whose targets do not exist are reported as no-match warnings."""
    spec = load_document(BENCH / "openai-openapi.yaml").data
    overlay = load_document(BENCH / "openai-overlay-585.yaml").data
    result = apply(spec, overlay)
    assert result.ok
    assert sum(1 for count in result.matches if count == 0) == 7
    assert {d.code for d in result.diagnostics} == {"overlay-no-match"}
    assert result.document == reference_apply(spec, overlay)


def test_copy_uses_the_source_value_from_before_the_action() -> None:
    """Regression (found by the property above): a copy whose source contains its own targets."""
    overlay = {
        "overlay": "1.1.0",
        "info": {"title": "t", "version": "1"},
        "actions": [{"target": "$", "update": {"a": None, "b": []}}, {"target": "$..*", "copy": "$"}],
    }
    document = {"a": []}
    assert apply(document, overlay).document == reference_apply(copy.deepcopy(document), overlay)
