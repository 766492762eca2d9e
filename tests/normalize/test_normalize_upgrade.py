"""normalize: 3.0 -> 3.1, path prefix, component names; pure and idempotent."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specforge.core import load_document
from specforge.normalize import normalize
from specforge.openapi.operations import operation_kind, split_server_url
from specforge.openapi.schemas import reachable_schemas

ROOT = Path(__file__).resolve().parents[2]
OPENAI = ROOT / "specs" / "docs" / "openai-videos.yaml"
VEO = ROOT / "tests" / "fixtures" / "merge" / "hingnet-veo-embedded.yaml"


def _doc(schema: dict, *, media: str = "application/json", version: str = "3.0.3") -> dict:
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://example.com/v1/"}],
        "paths": {
            "/videos": {
                "post": {
                    "requestBody": {"content": {media: {"schema": schema}}},
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }


def _body(doc: dict, media: str = "application/json") -> dict:
    return doc["paths"]["/v1/videos"]["post"]["requestBody"]["content"][media]["schema"]


def test_nullable_becomes_type_list_and_null_enum() -> None:
    out = normalize(
        _doc({"type": "object", "properties": {"a": {"type": "string", "nullable": True, "enum": ["x"]}}})
    )
    schema = out["components"]["schemas"]["CreateVideoJsonBody"]["properties"]["a"]
    assert schema == {"type": ["string", "null"], "enum": ["x", None]}
    assert out["openapi"] == "3.1.0"


def test_nullable_ref_becomes_any_of_with_null() -> None:
    doc = _doc(
        {
            "type": "object",
            "properties": {"a": {"$ref": "#/components/schemas/A", "nullable": True, "description": "d"}},
        }
    )
    doc["components"] = {"schemas": {"A": {"type": "object"}}}
    prop = normalize(doc)["components"]["schemas"]["CreateVideoJsonBody"]["properties"]["a"]
    assert prop == {"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}], "description": "d"}


def test_nullable_false_is_dropped() -> None:
    out = normalize(_doc({"type": "object", "properties": {"a": {"type": "integer", "nullable": False}}}))
    assert out["components"]["schemas"]["CreateVideoJsonBody"]["properties"]["a"] == {"type": "integer"}


def test_example_becomes_examples_in_schemas_and_media() -> None:
    doc = _doc({"type": "object", "properties": {"a": {"type": "integer", "example": 6}}})
    doc["paths"]["/videos"]["post"]["requestBody"]["content"]["application/json"]["example"] = {"a": 6}
    out = normalize(doc)
    assert out["components"]["schemas"]["CreateVideoJsonBody"]["properties"]["a"] == {
        "type": "integer",
        "examples": [6],
    }
    media = out["paths"]["/v1/videos"]["post"]["requestBody"]["content"]["application/json"]
    assert media["examples"] == {"example": {"value": {"a": 6}}}
    assert "example" not in media


def test_exclusive_bounds_become_numbers() -> None:
    schema = {
        "type": "number",
        "minimum": 0,
        "exclusiveMinimum": True,
        "maximum": 10,
        "exclusiveMaximum": False,
    }
    out = normalize(_doc(schema))
    body = _body(out)
    assert body == {"type": "number", "exclusiveMinimum": 0, "maximum": 10}


def test_binary_in_multipart_becomes_content_media_type() -> None:
    schema = {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
    out = normalize(_doc(schema, media="multipart/form-data"))
    prop = out["components"]["schemas"]["CreateVideoMultipartBody"]["properties"]["file"]
    assert prop == {"type": "string", "contentMediaType": "application/octet-stream"}


def test_binary_in_multipart_through_ref() -> None:
    doc = _doc({"$ref": "#/components/schemas/Form"}, media="multipart/form-data")
    doc["components"] = {
        "schemas": {"Form": {"type": "object", "properties": {"f": {"type": "string", "format": "binary"}}}}
    }
    out = normalize(doc)
    assert "Form" not in out["components"]["schemas"]
    assert out["components"]["schemas"]["CreateVideoMultipartBody"]["properties"]["f"]["contentMediaType"]


def test_binary_whole_body_drops_schema() -> None:
    out = normalize(load_document(OPENAI).data)
    content = out["paths"]["/v1/videos/{video_id}/content"]["get"]["responses"]["200"]["content"]
    assert content["video/mp4"] == {}
    assert content["application/json"] == {"schema": {"type": "string"}}


def test_server_prefix_folded_into_paths() -> None:
    out = normalize(load_document(OPENAI).data)
    assert out["servers"] == [{"url": "https://api.openai.com"}]
    assert all(p.startswith("/v1/videos") for p in out["paths"])
    veo = normalize(load_document(VEO).data)
    assert list(veo["paths"]) == ["/v1/videos"]


def test_path_refs_follow_the_prefix() -> None:
    doc = _doc({"type": "object"})
    doc["paths"]["/other"] = {"$ref": "#/paths/~1videos"}
    out = normalize(doc)
    assert out["paths"]["/v1/other"] == {"$ref": "#/paths/~1v1~1videos"}


def test_components_named_by_role() -> None:
    veo = normalize(load_document(VEO).data)
    names = set(veo["components"]["schemas"])
    assert {
        "CreateVideoJsonBody",
        "CreateVideoMultipartBody",
        "VideoResource",
        "ErrorResponse",
        "VideoError",
    } <= names
    assert "VideoCreateRequest" not in names
    refs = veo["paths"]["/v1/videos"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert refs == {"$ref": "#/components/schemas/VideoResource"}
    assert veo["components"]["schemas"]["VideoResource"]["properties"]["error"] == {
        "$ref": "#/components/schemas/VideoError"
    }


def test_official_names_are_kept() -> None:
    raw = load_document(OPENAI).data
    out = normalize(raw)
    kept = set(raw["components"]["schemas"]) - {"Error-2"}
    assert kept <= set(out["components"]["schemas"])


def test_inline_bodies_are_hoisted_and_shared() -> None:
    video = {"type": "object", "properties": {"id": {"type": "string"}}}
    doc = _doc({"type": "object", "properties": {"prompt": {"type": "string"}}})
    doc["paths"]["/videos"]["post"]["responses"]["200"]["content"] = {"application/json": {"schema": video}}
    doc["paths"]["/videos/{id}"] = {
        "get": {
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {"application/json": {"schema": copy.deepcopy(video)}},
                }
            }
        }
    }
    out = normalize(doc)
    ref = {"$ref": "#/components/schemas/VideoResource"}
    assert (
        out["paths"]["/v1/videos/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        == ref
    )
    assert out["components"]["schemas"]["VideoResource"] == video


def test_annotations_are_dropped() -> None:
    doc = _doc({"type": "object", "properties": {"a": {"type": "string", "x-specforge-variants": ["x"]}}})
    doc["paths"]["/videos"]["post"]["x-specforge-variants"] = ["x"]
    out = normalize(doc)
    assert "x-specforge-variants" not in out["paths"]["/v1/videos"]["post"]
    assert out["components"]["schemas"]["CreateVideoJsonBody"]["properties"]["a"] == {"type": "string"}


def test_pure_and_idempotent_on_real_documents() -> None:
    for path in (OPENAI, VEO):
        raw = load_document(path).data
        before = copy.deepcopy(raw)
        once = normalize(raw)
        assert raw == before
        assert normalize(once) == once


def test_operation_kinds() -> None:
    assert operation_kind("post", "/v1/videos") == "create"
    assert operation_kind("GET", "/videos/{id}") == "retrieve"
    assert operation_kind("get", "/v1/videos/{video_id}/content") == "content"
    assert operation_kind("post", "/v1/videos/{x}/remix") == "remix"
    assert operation_kind("get", "/v1/videos/characters/{c}") == "retrieve_character"
    assert operation_kind("get", "/v1/videos/{id}/thumbnail") == "get_videos_x_thumbnail"
    assert split_server_url("https://a.b/v1/") == ("https://a.b", "/v1")
    assert split_server_url("/v1") == ("", "/v1")


_scalar = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=3))
_leaf = st.fixed_dictionaries(
    {"type": st.sampled_from(["string", "integer", "number", "boolean", "object"])},
    optional={
        "nullable": st.booleans(),
        "example": _scalar,
        "format": st.sampled_from(["binary", "uri", "int64"]),
        "minimum": st.integers(0, 3),
        "exclusiveMinimum": st.booleans(),
        "enum": st.lists(st.text(max_size=2), min_size=1, max_size=3),
        "x-specforge-variants": st.just(["a"]),
    },
)
_schemas = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.fixed_dictionaries(
            {
                "type": st.just("object"),
                "properties": st.dictionaries(st.text(min_size=1, max_size=4), inner, max_size=3),
            }
        ),
        st.fixed_dictionaries(
            {"type": st.just("array"), "items": inner}, optional={"nullable": st.booleans()}
        ),
        st.fixed_dictionaries(
            {"oneOf": st.lists(inner, min_size=1, max_size=3)}, optional={"nullable": st.booleans()}
        ),
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(
    schema=_schemas,
    media=st.sampled_from(["application/json", "multipart/form-data", "application/octet-stream"]),
)
def test_property_idempotent_and_pure(schema: dict, media: str) -> None:
    doc = _doc(schema, media=media)
    before = copy.deepcopy(doc)
    once = normalize(doc)
    assert doc == before
    assert normalize(once) == once
    assert "nullable" not in repr(once)


SOURCES = sorted((ROOT / "specs" / "sources").glob("*.yaml"))


@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_corpus_sources_normalize_to_31_with_full_paths(path: Path) -> None:
    raw = load_document(path).data
    before = copy.deepcopy(raw)
    out = normalize(raw)
    assert raw == before and normalize(out) == out
    assert out["openapi"].startswith("3.1")
    assert all(p.startswith("/v1/videos") for p in out["paths"])
    assert "x-specforge-source" not in repr(out) and "nullable" not in repr(out)


def test_reachable_schemas_follows_refs_transitively_and_only_to_existing_names() -> None:
    schemas = {
        "A": {"properties": {"b": {"$ref": "#/components/schemas/B"}}},
        "B": {"items": {"$ref": "#/components/schemas/C/properties/x"}},
        "C": {"properties": {"x": {"type": "string"}}},
        "a~b/c": {"type": "object"},
        "Unused": {"$ref": "#/components/schemas/A"},
    }
    roots = [
        {"$ref": "#/components/schemas/A"},
        {"$ref": "#/components/schemas/a~0b~1c"},
        {"$ref": "#/components/schemas/Gone"},
    ]
    assert reachable_schemas(roots, schemas) == {"A", "B", "C", "a~b/c"}
    assert reachable_schemas({"example": "no refs"}, schemas) == set()
