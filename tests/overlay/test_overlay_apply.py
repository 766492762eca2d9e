"""Apply semantics, one table row per rule of the Overlay 1.0/1.1 specifications."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from specforge.core import InputError, Severity
from specforge.core.config import load_config
from specforge.overlay import OverlayError, apply, load_variant


def overlay(*actions: dict[str, Any], version: str = "1.1.0", **extra: Any) -> dict[str, Any]:
    return {"overlay": version, "info": {"title": "t", "version": "1"}, "actions": list(actions), **extra}


DOC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "API", "version": "1", "x-n": 1},
    "servers": [{"url": "https://a", "description": "Prod"}, {"url": "https://b", "description": "Dev"}],
    "tags": ["a", "dummy", "b"],
    "paths": {
        "/v1/videos": {
            "get": {"parameters": [{"name": "limit", "in": "query"}, {"name": "dummy", "in": "query"}]},
            "post": {"summary": "create"},
        },
        "/items": {"get": {"responses": {"200": {"description": "OK"}}}},
    },
}

CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "update merges objects recursively, adds and replaces",
        {"target": "$.info", "update": {"title": "New", "contact": {"name": "me"}}},
        {"info": {"title": "New", "version": "1", "x-n": 1, "contact": {"name": "me"}}},
    ),
    (
        "update on an array appends an object",
        {"target": "$.servers", "update": {"url": "https://c"}},
        {"servers": [*DOC["servers"], {"url": "https://c"}]},
    ),
    (
        "update on an array concatenates an array",
        {"target": "$.tags", "update": ["c", "d"]},
        {"tags": ["a", "dummy", "b", "c", "d"]},
    ),
    (
        "array-valued property is concatenated inside an object merge",
        {"target": "$", "update": {"tags": ["z"]}},
        {"tags": ["a", "dummy", "b", "z"]},
    ),
    (
        "primitive target is replaced (1.1)",
        {"target": "$.info.title", "update": "Renamed"},
        {"info": {**DOC["info"], "title": "Renamed"}},
    ),
    (
        "remove by filter removes every match",
        {"target": "$.paths.*.get.parameters[?@.name == 'dummy']", "remove": True},
        {
            "paths": {
                **DOC["paths"],
                "/v1/videos": {
                    **DOC["paths"]["/v1/videos"],
                    "get": {"parameters": [{"name": "limit", "in": "query"}]},
                },
            }
        },
    ),
    (
        "remove primitive array items (1.1)",
        {"target": "$.tags[?@ == 'dummy']", "remove": True},
        {"tags": ["a", "b"]},
    ),
    (
        "remove several array elements at once keeps the others",
        {"target": "$.servers[*]", "remove": True},
        {"servers": []},
    ),
    (
        "copy merges the single source node into the target (1.1)",
        {"target": "$.paths['/items']", "copy": "$.paths['/v1/videos']"},
        {
            "paths": {
                **DOC["paths"],
                "/items": {
                    "get": {
                        "responses": {
                            "200": {"description": "OK"},
                        },
                        "parameters": DOC["paths"]["/v1/videos"]["get"]["parameters"],
                    },
                    "post": {"summary": "create"},
                },
            }
        },
    ),
    (
        "wildcard update touches every match",
        {"target": "$.paths.*.get", "update": {"x-safe": True}},
        {
            "paths": {
                "/v1/videos": {
                    **DOC["paths"]["/v1/videos"],
                    "get": {**DOC["paths"]["/v1/videos"]["get"], "x-safe": True},
                },
                "/items": {"get": {**DOC["paths"]["/items"]["get"], "x-safe": True}},
            }
        },
    ),
]


@pytest.mark.parametrize(("name", "action", "changes"), CASES, ids=[c[0] for c in CASES])
def test_apply_rule(name: str, action: dict[str, Any], changes: dict[str, Any]) -> None:
    before = copy.deepcopy(DOC)
    result = apply(DOC, overlay(action))
    assert result.ok, result.diagnostics
    assert result.document == {**DOC, **changes}
    assert result.matches and result.matches[0] >= 1
    assert before == DOC  # pure


def test_copy_merge_expected_shape() -> None:
    result = apply(DOC, overlay({"target": "$.paths['/items']", "copy": "$.paths['/v1/videos']"}))
    get = result.document["paths"]["/items"]["get"]
    assert list(get) == ["responses", "parameters"] and "post" in result.document["paths"]["/items"]


def test_actions_apply_in_order_remove_then_recreate() -> None:
    result = apply(
        DOC,
        overlay(
            {"target": "$.servers", "remove": True}, {"target": "$", "update": {"servers": [{"url": "x"}]}}
        ),
    )
    assert result.document["servers"] == [{"url": "x"}]
    assert result.matches == [1, 1]


def test_no_match_is_a_warning_and_strict_makes_it_an_error() -> None:
    action = {"target": "$.paths['/nope']", "update": {"x": 1}}
    lenient = apply(DOC, overlay(action))
    assert lenient.ok and lenient.matches == [0]
    assert [(d.code, d.severity, d.pointer) for d in lenient.diagnostics] == [
        ("overlay-no-match", Severity.WARNING, "/actions/0/target")
    ]
    strict = apply(DOC, overlay(action), strict=True)
    assert not strict.ok and strict.errors[0].code == "overlay-no-match"


@pytest.mark.parametrize("update", [{}, [], {"title": "API"}])
def test_update_that_changes_nothing_is_a_warning(update: Any) -> None:
    target = "$.tags" if update == [] else "$.info"
    result = apply(DOC, overlay({"target": target, "update": update}))
    assert [d.code for d in result.diagnostics] == ["overlay-no-change"]
    assert result.document == DOC


def test_incompatible_merge_is_an_error_and_leaves_the_node() -> None:
    result = apply(DOC, overlay({"target": "$", "update": {"info": "text", "tags": {"a": 1}}}))
    assert [d.code for d in result.errors] == ["overlay-incompatible-update"] * 2
    assert result.errors[0].pointer == "/actions/0/update/info"
    assert result.document["info"] == DOC["info"]


def test_remove_wins_over_update_with_a_warning() -> None:
    result = apply(DOC, overlay({"target": "$.servers", "remove": True, "update": {"url": "x"}}))
    assert "servers" not in result.document
    assert [d.code for d in result.diagnostics] == ["overlay-remove-with-update"]


def test_removing_the_root_is_an_error() -> None:
    result = apply(DOC, overlay({"target": "$", "remove": True}))
    assert [d.code for d in result.errors] == ["overlay-remove-root"]


def test_copy_source_must_be_a_single_node() -> None:
    result = apply(DOC, overlay({"target": "$.info", "copy": "$.servers[*]"}))
    assert [d.code for d in result.errors] == ["overlay-copy-source"]


def test_invalid_jsonpath_names_the_action_and_character() -> None:
    with pytest.raises(OverlayError) as caught:
        apply(DOC, overlay({"target": "$.info", "update": {}}, {"target": "$.paths['/x'", "remove": True}))
    message = str(caught.value)
    assert "actions[1].target" in message and "at character 13 (end of expression)" in message
    assert caught.value.diagnostics[0].pointer == "/actions/1/target"


def test_schema_invalid_overlay_is_refused() -> None:
    with pytest.raises(OverlayError, match="not allowed"):
        apply(DOC, overlay({"target": "$", "copy": "$.info"}, version="1.0.0"))


def test_result_shares_nothing_the_overlay_owns() -> None:
    ov = overlay({"target": "$.paths.*.get", "update": {"x-meta": {"a": [1]}}})
    result = apply(DOC, ov)
    first = result.document["paths"]["/v1/videos"]["get"]["x-meta"]
    second = result.document["paths"]["/items"]["get"]["x-meta"]
    assert first == second and first is not second
    assert first is not ov["actions"][0]["update"]["x-meta"]


def test_extends_local_file(tmp_path: Path) -> None:
    (tmp_path / "api.json").write_text(json.dumps(DOC))
    result = apply(
        None, overlay({"target": "$.info", "update": {"x-n": 2}}, extends="api.json"), base_dir=tmp_path
    )
    assert result.document["info"]["x-n"] == 2


def test_extends_remote_is_refused() -> None:
    with pytest.raises(InputError, match="remote"):
        apply(None, overlay({"target": "$", "update": {}}, extends="https://example.com/openapi.yaml"))


def test_load_variant(tmp_path: Path) -> None:
    (tmp_path / "specforge.toml").write_text('[variants.newapi]\nsource = "specs/sources/newapi.yaml"\n')
    config = load_config(tmp_path / "specforge.toml")
    with pytest.raises(InputError, match="specforge merge"):
        load_variant(config, "newapi")
    (tmp_path / "specs" / "overlays").mkdir(parents=True)
    (tmp_path / "specs" / "canonical.yaml").write_text(json.dumps(DOC))
    (tmp_path / "specs" / "overlays" / "newapi.overlay.yaml").write_text(
        json.dumps(overlay({"target": "$.info", "update": {"title": "newapi"}}))
    )
    assert load_variant(config, "newapi")["info"]["title"] == "newapi"
    with pytest.raises(InputError, match="unknown variant"):
        load_variant(config, "newap")
