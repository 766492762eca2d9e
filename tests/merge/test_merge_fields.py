"""extract_fields: kinds, bodies, shapes and pointers into the source document."""

from __future__ import annotations

from pathlib import Path

import pytest

from specforge.core import load_document, load_text
from specforge.merge.fields import extract_fields

ROOT = Path(__file__).resolve().parents[2]
OPENAI = ROOT / "specs" / "docs" / "openai-videos.yaml"
VEO = ROOT / "tests" / "fixtures" / "merge" / "hingnet-veo-embedded.yaml"


def test_openai_kinds_and_paths() -> None:
    fields = extract_fields("openai", load_document(OPENAI))
    assert fields.kinds() == [
        "create",
        "retrieve",
        "content",
        "list",
        "delete",
        "remix",
        "edit",
        "extend",
        "create_character",
        "retrieve_character",
    ]
    create = fields.operations["create"]
    assert (create.method, create.path, create.source_path) == ("post", "/v1/videos", "/videos")
    assert create.security == ("ApiKeyAuth",)
    assert set(create.bodies) == {"request json", "request multipart", "response json"}


def test_field_shapes_follow_refs() -> None:
    fields = extract_fields("openai", load_document(OPENAI))
    seconds = fields.field("create", "request json", "seconds")
    assert seconds is not None
    assert (seconds.shape, seconds.types, seconds.enum) == ("string", ("string",), ("4", "8", "12"))
    assert seconds.pointer == "/components/schemas/CreateVideoJsonBody/properties/seconds"
    assert seconds.schema_pointer == "/components/schemas/VideoSeconds"
    reference = fields.field("create", "request multipart", "input_reference")
    assert reference is not None and reference.shape == "oneOf" and reference.forms == ("binary", "object")
    completed = fields.field("retrieve", "response json", "completed_at")
    assert completed is not None and completed.types == ("integer", "null") and completed.format == "unixtime"
    prompt = fields.field("create", "request json", "prompt")
    assert prompt is not None and prompt.required


def test_pointers_locate_source_lines() -> None:
    document = load_document(VEO)
    fields = extract_fields("hingnet-veo", document)
    reference = fields.field("create", "request json", "input_reference")
    assert reference is not None
    assert reference.shape == "array" and reference.items == "URL"
    assert reference.describe() == "array of URLs"
    assert reference.with_prose_bounds().describe() == "array of 1–3 URLs"
    location = document.locate(reference.pointer, key=True)
    assert location is not None
    assert document.text.splitlines()[location.line - 1].strip() == "input_reference:"
    seconds = fields.field("create", "request json", "seconds")
    assert seconds is not None and seconds.forms == ("integer", "string") and seconds.examples == (6,)
    error = fields.operations["create"].bodies["response error"]
    assert error.status == "400" and "error" in error.fields


def test_body_examples_feed_field_examples() -> None:
    fields = extract_fields("hingnet-veo", load_document(VEO))
    created = fields.field("create", "response json", "created_at")
    assert created is not None and created.examples == (1761234567,)


def test_parameters_allof_and_bounds() -> None:
    text = """
openapi: 3.1.0
info: {title: t, version: '1'}
servers: [{url: 'https://x.test/v1'}]
paths:
  /videos/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                allOf:
                  - $ref: '#/components/schemas/Base'
                  - properties:
                      urls: {type: array, items: {type: string, format: uri}, minItems: 1, maxItems: 3}
components:
  schemas:
    Base:
      required: [id]
      properties:
        id: {type: string}
"""
    fields = extract_fields("x", load_text(text, "x.yaml"))
    retrieve = fields.operations["retrieve"]
    assert retrieve.path == "/v1/videos/{id}"
    assert fields.field("retrieve", "path", "id") is not None
    body = fields.body("retrieve", "response json")
    assert body["id"].required and body["id"].pointer == "/components/schemas/Base/properties/id"
    assert body["urls"].describe() == "array of 1–3 URLs"


SOURCES = sorted((ROOT / "specs" / "sources").glob("*.yaml"))


@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_corpus_every_field_pointer_locates_a_source_line(path: Path) -> None:
    document = load_document(path)
    fields = extract_fields(path.stem, document)
    assert "create" in fields.operations
    for operation in fields.operations.values():
        for body in operation.bodies.values():
            for info in body.fields.values():
                location = document.locate(info.pointer, key=True)
                assert location is not None and location.pointer == info.pointer
                name = document.text.splitlines()[location.line - 1].strip()
                assert name.startswith((info.name, f"'{info.name}", f'"{info.name}', "- name:", "name:")), (
                    info.name,
                    name,
                )
