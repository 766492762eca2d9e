"""Drafts from page evidence, beyond the corpus: type words, recovered plain-text OpenAPI YAML,
--explain output, and the reviewed-patch rules (a reason per action, no silent no-op)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from specforge.cli import cli
from specforge.core import Config, InputError
from specforge.ingest.evidence import parse_type
from specforge.ingest.extract import extract_openapi
from specforge.ingest.patch import apply_patch, find_patch

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "tests" / "fixtures" / "pages"
FIXTURES = ROOT / "tests" / "fixtures" / "ingest"


@pytest.mark.parametrize(
    ("text", "schema"),
    [
        ("string", {"type": "string"}),
        ("enum<integer>", {"type": "integer", "x-specforge-enum-type": True}),
        ("string[]", {"type": "array", "items": {"type": "string"}}),
        ("array of strings", {"type": "array", "items": {"type": "string"}}),
        ("object[]", {"type": "array", "items": {"type": "object"}}),
        ("integer | string", {"type": ["integer", "string"]}),
        ("file", {"type": "string", "format": "binary"}),
        ("file / object", {"oneOf": [{"type": "string", "format": "binary"}, {"type": "object"}]}),
        ("字符串", {"type": "string"}),
        ("정수", {"type": "integer"}),
        ("Video width", None),
        ("", None),
    ],
)
def test_type_words(text: str, schema: dict[str, object] | None) -> None:
    assert parse_type(text) == schema


def test_openapi_yaml_with_its_indentation_lost_is_recovered() -> None:
    page = (
        "Create\nopenapi: 3.0.1\ninfo:\ntitle: T\nversion: '1'\npaths:\n/v1/videos:\npost:\nrequestBody:\n"
        "content:\napplication/json:\nschema:\ntype: object\nproperties:\ncontent:\ntype: string\n"
        "responses:\n'200':\ndescription: ok\nThat was it.\n"
    )
    found = extract_openapi(page, "flat.txt")
    assert found.mode == "recovered-yaml" and (found.start, found.end) == (2, 19)
    post = found.data["paths"]["/v1/videos"]["post"]
    # a property named like an OpenAPI field (`content`) stays a property; `responses` is the operation's
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"] == {"content": {"type": "string"}}
    assert post["responses"] == {"200": {"description": "ok"}}


def test_explain_prints_route_field_type_line_and_evidence() -> None:
    result = CliRunner().invoke(cli, ["ingest", "--explain", str(PAGES / "mintlify-ja-pending.txt")])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines()[2:]]
    assert ["3", "route", "POST", "/v1/videos", "createVideo", "-", "-", "prose"] in rows
    assert ["84", "field", "POST", "/v1/videos", "input_reference", "file", "request", "field-list"] in rows
    assert ["110", "status", "-", "pending", "-", "-", "field-list"] in rows


def _project(tmp_path: Path, patch: str) -> Config:
    (tmp_path / "specs" / "patches").mkdir(parents=True)
    (tmp_path / "specs" / "patches" / "demo.overlay.yaml").write_text(patch, encoding="utf-8")
    return Config(
        root=tmp_path,
        file=None,
        docs=tmp_path,
        sources=tmp_path,
        canonical=tmp_path / "c.yaml",
        overlays=tmp_path,
        reports=tmp_path,
    )


def test_a_patch_action_needs_a_reason(tmp_path: Path) -> None:
    config = _project(
        tmp_path,
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n- target: $.info\n  update: {x: 1}\n",
    )
    with pytest.raises(InputError, match="patch action 0 has no `description`") as error:
        find_patch(config, "demo")
    assert error.value.line == 4


def test_a_patch_that_no_longer_matches_fails_and_one_that_does_is_recorded(tmp_path: Path) -> None:
    config = _project(
        tmp_path,
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"
        "- target: $.paths['/v1/videos'].post\n  description: the page names no summary\n  update: {summary: Create}\n",
    )
    patch = find_patch(config, "demo")
    assert patch is not None
    data, provenance = apply_patch({"openapi": "3.1.0", "paths": {"/v1/videos": {"post": {}}}}, patch)
    assert data["paths"]["/v1/videos"]["post"]["summary"] == "Create"
    assert provenance["file"] == "specs/patches/demo.overlay.yaml"
    assert provenance["actions"] == [
        {"target": "$.paths['/v1/videos'].post", "description": "the page names no summary", "line": 4}
    ]
    with pytest.raises(InputError, match="patch no longer applies"):
        apply_patch({"openapi": "3.1.0", "paths": {}}, patch)


def test_ingest_a_page_no_variant_names_writes_a_draft_by_its_stem(tmp_path: Path) -> None:
    page = tmp_path / "vendor-x.md"
    shutil.copy(PAGES / "markdown-fr.md", page)
    result = CliRunner().invoke(cli, ["ingest", str(page), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "vendor-x.yaml").read_text(encoding="utf-8")
    assert "extraction: draft" in text and "x-specforge-evidence: table" in text


def test_apifox_body_row_is_the_body_itself(tmp_path: Path) -> None:
    """Apifox lists the body as a row (`body | body | object`) with the fields as `»` children."""
    result = CliRunner().invoke(cli, ["ingest", str(FIXTURES / "apifox-nested.md"), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    from specforge.core import load_mapping

    data = load_mapping(tmp_path / "apifox-nested.yaml").data
    request = data["components"]["schemas"]["CreateVideoRequest"]
    assert list(request["properties"]) == ["model", "prompt", "seconds"]
    assert request["required"] == ["model", "prompt"]
    assert request["properties"]["seconds"]["enum"] == ["4", "8", "12"]
    assert data["components"]["securitySchemes"]["BearerAuth"]["x-specforge-evidence"] == "table"


def test_a_line_after_a_table_is_prose_again(tmp_path: Path) -> None:
    """GFM makes a pipe-less line after a table a row; `响应` there still opens the response section,
    and a renderer's placeholder (`"status": "string"`) is no status value."""
    result = CliRunner().invoke(
        cli, ["ingest", str(FIXTURES / "table-then-prose.md"), "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    from specforge.core import load_mapping

    data = load_mapping(tmp_path / "table-then-prose.yaml").data
    post = data["paths"]["/v1/videos"]["post"]
    assert "response-L19" in post["responses"]["200"]["content"]["application/json"]["examples"]
    assert "x-specforge-status-values" not in data
    assert list(post["requestBody"]["content"]) == ["multipart/form-data"]


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("Required range: 4 <= x <= 8", {"minimum": 4, "maximum": 8}),
        ("Required range: x >= 1", {"minimum": 1}),
        ("Clip length. Required range: 0 < x < 2.5", {"exclusiveMinimum": 0, "exclusiveMaximum": 2.5}),
        ("Between 4 and 8 seconds", {}),
    ],
)
def test_rendered_ranges_become_bounds(text: str, bounds: dict[str, object]) -> None:
    from specforge.ingest.draft import _range

    assert _range(text) == bounds


def test_mintlify_chrome_is_no_summary_and_code_tabs_end_descriptions(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["ingest", str(PAGES / "mintlify-en-chrome.txt"), "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "mintlify-en-chrome.yaml").read_text(encoding="utf-8")
    assert "Try it" not in text  # a button label, not the operation's summary
    assert "summary: Create video" in text
    assert "cURL" not in text.split("CreateVideoResponse:")[-1]  # the last description stops at the code tab


def test_flattened_yaml_nests_by_the_object_model(tmp_path: Path) -> None:
    """A ``required:`` after the last property is the object's list, ``examples`` in a 3.0
    document is the media type's, ``security: []`` after a response example is the operation's."""
    from specforge.ingest.recover import recover_openapi

    text = (PAGES / "openapi-flat-zh.txt").read_text(encoding="utf-8")
    found = recover_openapi(text, "openapi-flat-zh.txt", set())
    assert found is not None
    data = found[0].data
    post = data["paths"]["/v1/videos"]["post"]
    media = post["requestBody"]["content"]["multipart/form-data"]
    assert media["schema"]["required"] == ["model", "prompt"]
    assert "required" not in media["schema"]["properties"]["input_reference"]
    assert media["examples"] == {}
    response = post["responses"]["200"]["content"]["application/json"]["schema"]
    assert response["required"] == ["id", "status"] and response["example"]["status"] == "queued"
    assert "security" not in response["example"] and post["security"] == []
    assert data["security"] == [] and data["servers"] == []


def test_an_error_envelope_sample_documents_the_error_response(tmp_path: Path) -> None:
    """Fumadocs prints the success and the `{"error": {...}}` samples one after the other: the
    second is the error answer (`default`), never merged into the success schema."""
    page = FIXTURES / "fumadocs-zh-generations.txt"
    result = CliRunner().invoke(cli, ["ingest", str(page), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    from specforge.core import load_mapping

    data = load_mapping(tmp_path / "fumadocs-zh-generations.yaml").data
    op = data["paths"]["/v1/video/generations"]["post"]
    assert op["operationId"] == "createGeneration"
    success = data["components"]["schemas"]["CreateGenerationResponse"]
    assert set(success["properties"]) == {"id", "status", "created_at"}
    default = op["responses"]["default"]["content"]["application/json"]
    assert list(default["examples"]) == ["response-L66"]
    error = data["components"]["schemas"]["CreateGenerationError"]
    assert set(error["properties"]["error"]["properties"]) == {"message", "type", "param", "code"}
    assert (
        "error"
        not in op["responses"]["200"]["content"]["application/json"]["examples"]["response-L61"]["value"]
    )
