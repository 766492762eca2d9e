"""Exact by construction, checked: for every variant v,
normalize(apply(canonical, overlay_v)) == normalize(source_v) — in memory, from the committed files,
and on generated variant sets (hypothesis)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specforge.core import load_config, load_mapping
from specforge.merge import merge_documents, merge_project
from specforge.merge.policy import Policy
from specforge.normalize import normalize
from specforge.overlay import apply, check_overlay

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = ("openai", "hingnet-sora", "hingnet-veo", "newapi", "xiexus", "aiid")


@pytest.fixture(scope="module")
def result() -> Any:
    return merge_project(load_config(ROOT / "specforge.toml"))


@pytest.mark.parametrize("variant", VARIANTS)
def test_roundtrip_in_memory(result: Any, variant: str) -> None:
    applied = apply(result.canonical, result.overlays[variant])
    assert applied.diagnostics == []
    assert normalize(applied.document) == normalize(result.sources[variant].data)


@pytest.mark.parametrize("variant", VARIANTS)
def test_roundtrip_from_committed_files(variant: str) -> None:
    canonical = load_mapping(ROOT / "specs" / "canonical.yaml").data
    overlay = load_mapping(ROOT / "specs" / "overlays" / f"{variant}.overlay.yaml").data
    source = load_mapping(ROOT / "specs" / "sources" / f"{variant}.yaml").data
    assert normalize(apply(canonical, overlay).document) == normalize(source)


def test_overlays_are_valid_and_every_action_is_described(result: Any) -> None:
    for variant, overlay in result.overlays.items():
        assert overlay["overlay"] == "1.0.0"
        assert overlay["info"]["x-specforge-provenance"]["variant"] == variant
        assert overlay["info"]["x-specforge-provenance"]["source-sha256"]
        assert [d for d in check_overlay(overlay) if d.severity.value == "error"] == []
        for action in overlay["actions"]:
            assert action["description"].startswith(f"{variant}: "), action


def test_vendor_phrasing(result: Any) -> None:
    veo = [a["description"] for a in result.overlays["hingnet-veo"]["actions"]]
    assert "hingnet-veo: input_reference is an array of 1–3 image URLs, not an object" in veo
    assert any("seconds accepts integer or string" in d for d in veo)
    newapi = [a["description"] for a in result.overlays["newapi"]["actions"]]
    assert any("does not offer GET /v1/videos (list)" in d for d in newapi)


def test_multi_form_acceptance_is_data(result: Any) -> None:
    applied = apply(result.canonical, result.overlays["hingnet-veo"]).document
    seconds = applied["components"]["schemas"]["CreateVideoJsonBody"]["properties"]["seconds"]
    assert seconds["oneOf"] == [{"type": "integer"}, {"type": "string"}]


# -- generated variant sets ---------------------------------------------------------------------

_names = st.sampled_from(["prompt", "seconds", "size", "model", "input_reference", "fps", "duration", "seed"])
_leaf = st.one_of(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["string", "integer", "number", "boolean"])},
        optional={
            "description": st.sampled_from(["a", "b", "时长"]),
            "nullable": st.booleans(),
            "example": st.integers(0, 9),
        },
    ),
    st.fixed_dictionaries({"type": st.just("array"), "items": st.just({"type": "string"})}),
    st.fixed_dictionaries({"oneOf": st.just([{"type": "integer"}, {"type": "string"}])}),
    st.fixed_dictionaries(
        {
            "type": st.just("string"),
            "enum": st.lists(st.sampled_from(["4", "6", "8", "12"]), min_size=1, max_size=3, unique=True),
        }
    ),
)
_body = st.dictionaries(_names, _leaf, min_size=1, max_size=5)


@st.composite
def _variant(draw: Any) -> dict[str, Any]:
    prefix = draw(st.sampled_from(["", "/v1"]))
    server = draw(st.sampled_from(["https://a.test", "https://b.test"])) + ("/v1" if not prefix else "")
    body = draw(_body)
    required = draw(st.lists(st.sampled_from(sorted(body)), unique=True, max_size=2))
    media = draw(st.sampled_from(["application/json", "multipart/form-data"]))
    schema: dict[str, Any] = {"type": "object", "properties": body}
    if required:
        schema["required"] = required
    inline = draw(st.booleans())
    doc: dict[str, Any] = {
        "openapi": draw(st.sampled_from(["3.0.3", "3.1.0"])),
        "info": {"title": draw(st.sampled_from(["A", "B"])), "version": "1"},
        "servers": [{"url": server}],
        "paths": {
            f"{prefix}/videos": {
                "post": {
                    "requestBody": {
                        "content": {
                            media: {"schema": schema if inline else {"$ref": "#/components/schemas/Req"}}
                        }
                    },
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}},
                        }
                    },
                }
            }
        },
        "components": {"schemas": {"Job": {"type": "object", "properties": draw(_body)}}},
    }
    if not inline:
        doc["components"]["schemas"]["Req"] = schema
    if draw(st.booleans()):
        doc["paths"][f"{prefix}/videos/{{{draw(st.sampled_from(['id', 'video_id']))}}}"] = {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}},
                    }
                }
            }
        }
    return doc


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(variants=st.lists(_variant(), min_size=1, max_size=4), prefer_first=st.booleans())
def test_property_roundtrip_on_generated_variant_sets(
    variants: list[dict[str, Any]], prefer_first: bool
) -> None:
    names = tuple(f"v{i}" for i in range(len(variants)))
    sources = dict(zip(names, variants, strict=True))
    before = copy.deepcopy(sources)
    policy = Policy(prefer=(names[0],) if prefer_first else (), variants=names)
    built, normalized, overlays = merge_documents(sources, policy, describe=True)
    assert sources == before  # pure
    for name in names:
        assert normalize(apply(built.canonical, overlays[name]).document) == normalize(sources[name])
    again, _, overlays_again = merge_documents(sources, policy)
    assert again.canonical == built.canonical and overlays_again == overlays  # deterministic
