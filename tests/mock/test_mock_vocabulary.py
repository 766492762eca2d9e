"""The mock speaks what the variant documents: its status words (`pending` where the vendor says
so for queued), its auth (none when `security: []`), its error envelope (also one a page shows only
as an example). Specs are small ones written from the facts of tests/fixtures/pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from specforge.core import load_text
from specforge.mock import create_app, derive_profile

TOKEN = "sk-vocabulary-test"


def _spec(
    status: str = "", security: str = "security: [{bearer: []}]", errors: str = "", extra: str = ""
) -> Any:
    """A JSON-body video API whose job schema's status is ``status`` (YAML flow), plus ``errors``
    (YAML for the create's 4xx responses) and top-level ``extra``."""
    text = f"""
openapi: 3.1.0
info: {{title: t, version: '1'}}
{security}
paths:
  /v1/videos:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [prompt]
              properties: {{model: {{type: string}}, prompt: {{type: string}}}}
      responses:
        '200':
          description: job
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Job'}}
{errors}
  /v1/videos/{{video_id}}:
    get:
      parameters: [{{name: video_id, in: path, required: true, schema: {{type: string}}}}]
      responses:
        '200':
          description: job
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Job'}}
components:
  securitySchemes:
    bearer: {{type: http, scheme: bearer}}
  schemas:
    Job:
      type: object
      required: [id, status]
      properties:
        id: {{type: string}}
        status: {{type: string{status}}}
        progress: {{type: integer}}
{extra}
"""
    data = load_text(text, "spec.yaml").data
    assert isinstance(data, dict)
    return data


def _client(spec: Any, clock: list[float] | None = None) -> TestClient:
    now = clock if clock is not None else [1_764_000_000.0]
    app = create_app(spec, variant="vendor", token=TOKEN, job_seconds=10, state=None)
    app.clock = lambda: now[0]
    return TestClient(app)


AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize(
    ("enum", "words"),
    [
        # mintlify-ja-pending: pending, in_progress, completed, failed
        (
            ["pending", "in_progress", "completed", "failed"],
            ("pending", "in_progress", "completed", "failed"),
        ),
        # two-openapi-en: pending, running, succeeded, failed
        (["pending", "running", "succeeded", "failed"], ("pending", "running", "succeeded", "failed")),
        # mixed-duration-zh's status table: queued, processing, completed, failed
        (["queued", "processing", "completed", "failed"], ("queued", "processing", "completed", "failed")),
        (None, ("queued", "in_progress", "completed", "failed")),
    ],
)
def test_status_words_come_from_the_job_schema(enum: list[str] | None, words: tuple[str, ...]) -> None:
    status = f", enum: [{', '.join(enum)}]" if enum else ""
    profile = derive_profile(_spec(status), "vendor")
    assert tuple(profile.status_words[s] for s in ("queued", "in_progress", "completed", "failed")) == words
    assert not [a for a in profile.assumptions if a.code == "mock-status-word"]


def test_a_state_the_enum_has_no_word_for_keeps_the_official_word_and_says_so() -> None:
    profile = derive_profile(_spec(", enum: [pending, done]"), "vendor")
    assert profile.status_words == {"queued": "pending", "in_progress": "in_progress", "completed": "done",
                                    "failed": "failed"}  # fmt: skip
    said = [a.message for a in profile.assumptions if a.code == "mock-status-word"]
    assert len(said) == 2 and "no word for `in_progress`" in said[0]


def test_statuses_shown_only_in_examples_are_the_vocabulary_then() -> None:
    spec = _spec()
    spec["paths"]["/v1/videos"]["post"]["responses"]["200"]["content"]["application/json"]["example"] = {
        "id": "video_1",
        "status": "pending",
    }
    assert derive_profile(spec, "vendor").status_words["queued"] == "pending"


def test_the_mock_answers_in_the_vendors_status_words() -> None:
    clock = [1_764_000_000.0]
    with _client(_spec(", enum: [pending, running, succeeded, failed]"), clock) as http:
        created = http.post("/v1/videos", json={"prompt": "a kite"}, headers=AUTH)
        assert created.status_code == 200, created.text
        assert created.json()["status"] == "pending"
        video = created.json()["id"]
        clock[0] += 5
        assert http.get(f"/v1/videos/{video}", headers=AUTH).json()["status"] == "running"
        clock[0] += 60
        assert http.get(f"/v1/videos/{video}", headers=AUTH).json()["status"] == "succeeded"


def test_no_auth_when_the_variant_documents_security_none() -> None:
    # openapi-flat-zh: `security: []` at the top and on the operation
    with _client(_spec(security="security: []")) as http:
        created = http.post("/v1/videos", json={"prompt": "tea"})
        assert created.status_code == 200, created.text
        assert http.get(f"/v1/videos/{created.json()['id']}").status_code == 200
    with _client(_spec()) as http:
        assert http.post("/v1/videos", json={"prompt": "tea"}).status_code == 401
        assert http.post("/v1/videos", json={"prompt": "tea"}, headers=AUTH).status_code == 200


def test_an_operation_can_open_itself_while_the_rest_stays_protected() -> None:
    spec = _spec()
    spec["paths"]["/v1/videos/{video_id}"]["get"]["security"] = [{}]
    profile = derive_profile(spec, "vendor")
    assert profile.auth and not profile.operation("retrieve").auth  # type: ignore[union-attr]
    with _client(spec) as http:
        video = http.post("/v1/videos", json={"prompt": "tea"}, headers=AUTH).json()["id"]
        assert http.get(f"/v1/videos/{video}").status_code == 200
        assert http.post("/v1/videos", json={"prompt": "tea"}).status_code == 401


ERROR_EXAMPLE = """
        '400':
          description: bad request
          content:
            application/json:
              example: {code: 400, msg: "seconds must be 4, 8 or 12", data: null}
"""


def test_an_error_envelope_shown_only_as_an_example_is_the_one_the_mock_uses() -> None:
    profile = derive_profile(_spec(errors=ERROR_EXAMPLE), "vendor")
    assert profile.error.envelope is None
    assert [f.name for f in profile.error.fields] == ["code", "msg", "data"]
    with _client(_spec(errors=ERROR_EXAMPLE)) as http:
        bad = http.post("/v1/videos", json={"model": "sora-2"}, headers=AUTH)
        assert bad.status_code == 400
        body = bad.json()
        assert set(body) == {"code", "msg", "data"}
        assert body["code"] == 400 and "prompt" in body["msg"] and body["data"] is None


def test_an_error_envelope_from_a_page_example_ingest_could_not_place() -> None:
    # markdown-fr: {"error": {"code": "invalid_request", "message": "..."}} shown after the routes
    extra = """x-specforge-examples:
  - name: response-L88
    in: response
    status: '400'
    value: {error: {code: invalid_request, message: "seconds doit valoir 4, 8 ou 12"}}
"""
    profile = derive_profile(_spec(extra=extra), "vendor")
    assert profile.error.envelope == "error"
    assert [f.name for f in profile.error.fields] == ["code", "message"]
    assert not [a for a in profile.assumptions if a.code == "mock-default-error-shape"]


def test_a_string_error_field_is_a_flat_body_not_an_envelope() -> None:
    errors = """
        '404':
          description: missing
          content:
            application/json:
              schema:
                type: object
                properties: {error: {type: string}, code: {type: string}}
"""
    profile = derive_profile(_spec(errors=errors), "vendor")
    assert profile.error.envelope is None
    with _client(_spec(errors=errors)) as http:
        missing = http.get("/v1/videos/video_nope", headers=AUTH)
        assert missing.status_code == 404
        assert set(missing.json()) == {"error", "code"} and "video_nope" in missing.json()["error"]


# -- over the page corpus: what each page's source tells the mock ------------------------------
PAGES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "pages"
STEMS = sorted(p.name.removesuffix(".expected.json") for p in PAGES.glob("*.expected.json"))


@pytest.mark.parametrize("stem", STEMS)
def test_the_mock_of_each_corpus_page_speaks_its_words(stem: str) -> None:
    from specforge.core import load_config
    from specforge.ingest import extract_source

    facts = json.loads((PAGES / f"{stem}.expected.json").read_text(encoding="utf-8"))
    root = PAGES.parents[2]
    data = extract_source(PAGES / facts["page"], config=load_config(root / "specforge.toml")).data
    profile = derive_profile(data, stem)
    listed = facts["status_values"]["listed"]
    if listed:  # every corpus page that lists statuses has a word for each state
        assert set(profile.status_words.values()) <= set(listed), (profile.status_words, listed)
    if facts.get("error_envelope"):
        shape = [
            (f"{profile.error.envelope}." if profile.error.envelope else "") + f.name
            for f in profile.error.fields
        ]
        assert sorted(shape) == sorted(facts["error_envelope"])
    if data.get("security") == [] or any(
        isinstance(op, dict) and op.get("security") == []
        for item in data["paths"].values()
        for op in (item.values() if isinstance(item, dict) else [])
    ):
        assert not profile.auth  # anonymous where the source says so
    elif facts["auth"]["scheme"] == "bearer":
        assert profile.auth


def test_a_word_check_judges_by_is_a_word_the_mock_answers_in() -> None:
    """`not_start` and `cancelled` are statuses check reads as queued and failed: a spec that uses
    them gets them from its mock too (not the official words its enum lacks)."""
    profile = derive_profile(_spec(", enum: [not_start, running, success, cancelled]"), "vendor")
    assert profile.status_words == {"queued": "not_start", "in_progress": "running", "completed": "success",
                                    "failed": "cancelled"}  # fmt: skip
    assert not [a for a in profile.assumptions if a.code == "mock-status-word"]
