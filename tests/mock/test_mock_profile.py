"""What the mock derives from a spec: one table over the six variant sources, plus synthetic specs
for the path forms, OpenAPI 3.0 upgrades and refusals."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mock_helpers import spec_of

from specforge.core import InputError
from specforge.mock import derive_profile
from specforge.mock.profile import OPENAI_ERROR

LIFECYCLE = {"create", "retrieve", "content"}

# variant, base_path, kinds beyond the lifecycle, created_at unit, type of `seconds`, has video_url,
# error envelope fields
TABLE = [
    ("openai", "/v1", {"list", "delete", "remix", "generate", "static"}, "s", {"string"}, False,
     ("message", "type", "param", "code")),
    ("hingnet-sora", "", set(), "s", {"integer"}, True, ("message", "type", "code")),
    ("hingnet-veo", "", set(), "s", {"integer"}, True, ("message", "type", "code")),
    ("newapi", "", set(), "s", None, True, ("message", "type", "param", "code")),
    ("xiexus", "", set(), "s", {"string"}, False, ("message", "type", "param", "code")),
    ("aiid", "", set(), "ms", {"string"}, False, ("message", "type", "param", "code")),
]  # fmt: skip


@pytest.mark.parametrize(("variant", "base", "extra", "unit", "seconds", "video_url", "error"), TABLE)
def test_profile_of_each_variant(
    variant: str,
    base: str,
    extra: set[str],
    unit: str,
    seconds: set[str] | None,
    video_url: bool,
    error: tuple[str, ...],
) -> None:
    profile = derive_profile(spec_of(variant), variant)
    assert profile.base_path == base
    assert profile.collection == "/v1/videos"
    assert profile.kinds == LIFECYCLE | extra
    assert profile.created_at_unit == unit
    field = profile.field("seconds")
    assert (field.types if field else None) == (frozenset(seconds) if seconds else None)
    assert (profile.field("video_url") is not None) == video_url
    assert profile.error.envelope == "error"
    assert tuple(f.name for f in profile.error.fields) == error
    assert profile.auth


def test_documented_defaults_and_media_types() -> None:
    veo = derive_profile(spec_of("hingnet-veo"), "hingnet-veo")
    assert (veo.default_model, veo.default_seconds, veo.default_size) == (
        "veo-3.1-fast-generate-preview",
        "6",
        "1280x720",
    )
    newapi = derive_profile(spec_of("newapi"), "newapi")
    assert newapi.video_media_type == "application/octet-stream"  # what its page documents
    openai = derive_profile(spec_of("openai"), "openai")
    assert (openai.video_media_type, openai.image_media_type) == ("video/mp4", "image/webp")
    assert (openai.default_model, openai.default_seconds, openai.default_size) == ("sora-2", "4", "720x1280")


def test_assumptions_are_explicit() -> None:
    openai = derive_profile(spec_of("openai"), "openai")
    assert [d.code for d in openai.assumptions] == ["mock-default-error-shape"]
    assert openai.assumptions[0].severity == "info" and openai.assumptions[0].variants == ("openai",)
    assert openai.assumptions[0].pointer == "/paths/~1videos/post"
    assert openai.error == OPENAI_ERROR
    xiexus = derive_profile(spec_of("xiexus"), "xiexus")
    assert any("GET /v1/videos/{video_id}` is not in the spec" in d.message for d in xiexus.assumptions)
    assert not any(op.documented for op in xiexus.operations if op.kind in ("retrieve", "content"))


def _spec(
    paths: dict[str, Any], server: str | None = None, version: str = "3.1.0", **extra: Any
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        **extra,
    }
    if server is not None:
        spec["servers"] = [{"url": server}]
    return spec


JOB = {"type": "object", "properties": {"id": {"type": "string"}, "status": {"type": "string"},
                                        "created_at": {"type": "integer", "example": 1764347090922}}}  # fmt: skip
CREATE = {
    "post": {
        "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": JOB}}}},
    }
}


@pytest.mark.parametrize(
    ("paths", "server", "base", "collection"),
    [
        ({"/videos": CREATE}, "https://api.example.com/v1", "/v1", "/v1/videos"),
        ({"/v1/videos": CREATE}, "https://api.example.com", "", "/v1/videos"),
        (
            {"/v1/videos": CREATE},
            "https://api.example.com/v1",
            "",
            "/v1/videos",
        ),  # normalized: prefix folded in
        ({"/v1/videos": CREATE}, None, "", "/v1/videos"),
        ({"/videos": CREATE}, "/v1", "/v1", "/v1/videos"),
    ],
)
def test_full_path_is_server_prefix_plus_spec_path(
    paths: dict[str, Any], server: str | None, base: str, collection: str
) -> None:
    profile = derive_profile(_spec(paths, server), "x")
    assert (profile.base_path, profile.collection) == (base, collection)
    retrieve = profile.operation("retrieve")
    assert retrieve is not None and retrieve.match(collection + "/video_1") is not None


def test_millisecond_created_at_from_a_property_example_and_nothing_documented_is_seconds() -> None:
    assert derive_profile(_spec({"/v1/videos": CREATE}), "x").created_at_unit == "ms"
    plain = copy.deepcopy(CREATE)
    plain["post"]["responses"]["200"]["content"]["application/json"]["schema"] = {"type": "object"}
    assert derive_profile(_spec({"/v1/videos": plain}), "x").created_at_unit == "s"


def test_openapi_30_nullable_becomes_a_null_type() -> None:
    job = {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string"}, "completed_at": {"type": "integer", "nullable": True}},
    }
    create = copy.deepcopy(CREATE)
    create["post"]["responses"]["200"]["content"]["application/json"]["schema"] = job
    profile = derive_profile(_spec({"/v1/videos": create}, version="3.0.3"), "x")
    completed = profile.field("completed_at")
    assert completed is not None and completed.nullable and completed.types == {"integer", "null"}


def test_a_task_style_api_without_a_videos_path_is_served_by_shape() -> None:
    """new-api's `POST /v1/video/generations` (Kling, Jimeng): no `/videos` segment, so the
    operations are read by method and shape, as check reads them."""
    item = {
        "get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": JOB}}}}}
    }
    profile = derive_profile(
        _spec({"/v1/video/generations": CREATE, "/v1/video/generations/{task_id}": item}), "x"
    )
    kinds = {op.kind: op.path for op in profile.operations if op.kind in LIFECYCLE}
    assert kinds == {
        "create": "/v1/video/generations",
        "retrieve": "/v1/video/generations/{task_id}",
        "content": "/v1/video/generations/{video_id}/content",
    }


def test_flat_error_shape_from_a_documented_4xx() -> None:
    create = copy.deepcopy(CREATE)
    create["post"]["responses"]["400"] = {
        "description": "bad",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
                }
            }
        },
    }
    profile = derive_profile(_spec({"/v1/videos": create}), "x")
    assert profile.error.envelope is None
    assert [f.name for f in profile.error.fields] == ["code", "message"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (_spec({"/v1/videos": {"get": {"responses": {}}}}), "no job-creating operation"),
        ({"openapi": "3.1.0"}, "no `paths`"),
        (
            _spec({"/v1/videos": {"post": {"requestBody": {"$ref": "other.yaml#/x"}, "responses": {}}}}),
            "not a local reference",
        ),
    ],
)
def test_unusable_specs_are_input_errors(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        derive_profile(spec, "x")


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(["openai", "hingnet-veo", "xiexus", "aiid", "newapi"]))
def test_deriving_does_not_mutate_the_spec(variant: str) -> None:
    spec = spec_of(variant)
    before = copy.deepcopy(spec)
    derive_profile(spec, variant)
    assert spec == before


def test_load_spec_prefers_the_merged_variant_then_the_source(tmp_path: Path) -> None:
    from specforge.core import load_config
    from specforge.mock import load_spec

    root = Path(__file__).resolve().parents[2]
    config = load_config(root / "specforge.toml")
    merged = load_spec("xiexus", config)
    assert "canonical.yaml + xiexus.overlay.yaml" in merged.origin
    (tmp_path / "specforge.toml").write_text(
        f'[project]\ncanonical = "missing.yaml"\n[variants.xiexus]\nsource = "{root}/specs/sources/xiexus.yaml"\n'
        f'[variants.openai]\nsource = "none.yaml"\ndoc = "{root}/specs/docs/openai-videos.yaml"\nextract = "openapi"\n'
        '[variants.aiid]\nsource = "none.yaml"\n'
    )
    local = load_config(tmp_path / "specforge.toml")
    assert load_spec("xiexus", local).origin.endswith("specs/sources/xiexus.yaml")
    assert load_spec("openai", local).origin.endswith("openai-videos.yaml")
    with pytest.raises(InputError, match="no spec for variant `aiid`") as error:
        load_spec("aiid", local)
    assert error.value.hint is not None and "specforge ingest" in error.value.hint
    assert load_spec("x", local, {"paths": {}}).origin == "<dict>"
