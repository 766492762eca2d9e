"""Page examples become OpenAPI examples on the right operation, citing their page line,
including the ones that contradict the page's own schema."""

from __future__ import annotations

from pathlib import Path

from specforge.core import load_config
from specforge.ingest import attach_examples, extract_source, page_examples
from specforge.ingest.examples import UNPLACED_KEY, find_operation

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "ingest"
DOCS = ROOT / "specs" / "docs"


def _examples(media: dict) -> dict:  # type: ignore[type-arg]
    return media["examples"]


def test_fixture_examples_land_on_their_operations() -> None:
    source = extract_source(FIXTURES / "fenced.md", config=load_config(ROOT / "specforge.toml"))
    post = source.data["paths"]["/v1/videos"]["post"]
    json_examples = _examples(post["requestBody"]["content"]["application/json"])
    assert json_examples["curl-json-L9"]["value"] == {"model": "demo-1", "prompt": "a cat", "seconds": 8}
    assert json_examples["curl-json-L9"]["x-specforge-source"] == "tests/fixtures/ingest/fenced.md:9"
    form = _examples(post["requestBody"]["content"]["multipart/form-data"])["curl-form-L21"]
    assert form["value"] == {"model": "demo-1", "prompt": "a cat", "input_reference": "@cat.jpg"}
    created = _examples(post["responses"]["200"]["content"]["application/json"])
    # the block's own `example` moved aside (OpenAPI forbids example + examples), citing its line
    assert created["openapi-example"]["value"] == {"id": "video_0"}
    assert created["openapi-example"]["x-specforge-source"] == "tests/fixtures/ingest/fenced.md:85"
    assert "example" not in post["responses"]["200"]["content"]["application/json"]
    assert created["response-L27"]["value"]["created_at"] == 1700000000000  # ms, kept as shown
    get = source.data["paths"]["/v1/videos/{video_id}"]["get"]
    assert list(_examples(get["responses"]["200"]["content"]["application/json"])) == ["response-L42"]
    # the content endpoint is not in the page's OpenAPI: added from page evidence (the curl's
    # concrete id spelled as the page's own template), marked, with the example on it
    content = source.data["paths"]["/v1/videos/{video_id}/content"]["get"]
    assert content["x-specforge-page-evidence"] is True
    assert list(_examples(content["responses"]["200"]["content"]["application/json"])) == ["response-L52"]
    assert UNPLACED_KEY not in source.data
    assert source.provenance["examples"] == 5


def test_attach_examples_does_not_mutate_its_input() -> None:
    document = {
        "openapi": "3.1.0",
        "paths": {"/v1/videos": {"post": {"responses": {"200": {"description": "x"}}}}},
    }
    text = "curl -X POST https://h/v1/videos -d '{\"a\": 1}'\n"
    before = repr(document)
    out, notes = attach_examples(document, page_examples(text), "p.md")
    assert repr(document) == before
    assert out[UNPLACED_KEY][0]["in"] == "request" and notes == []


def test_find_operation_honours_the_server_prefix() -> None:
    document = {
        "servers": [{"url": "https://api.openai.com/v1"}],
        "paths": {"/videos/{video_id}": {"get": {}}},
    }
    assert find_operation(document, "GET", "/v1/videos/abc") == ("/videos/{video_id}", "get")
    assert find_operation(document, "GET", "/v1/videos/{video_id}") == ("/videos/{video_id}", "get")
    assert find_operation(document, "POST", "/v1/videos/abc") is None


def test_seed_000_keeps_the_examples_that_contradict_its_veo_schema() -> None:
    source = extract_source(DOCS / "000_3d37b2a42296e405.txt", config=load_config(ROOT / "specforge.toml"))
    body = source.data["paths"]["/v1/videos"]["post"]["requestBody"]["content"]
    json_example = body["application/json"]["examples"]["curl-json-L40"]
    assert json_example["value"]["input_reference"] == {"image_url": "https://example.com/ref.jpg"}
    assert json_example["value"]["model"] == "sora-2" and json_example["value"]["seconds"] == 8
    assert json_example["x-specforge-source"] == "specs/docs/000_3d37b2a42296e405.txt:40"
    schema = source.data["components"]["schemas"]["VideoCreateRequest"]["properties"]
    assert schema["input_reference"]["type"] == "array"  # the embedded (Veo) spec, verbatim
    assert "sora-2" not in schema["model"]["enum"]
    form = body["multipart/form-data"]["examples"]["curl-form-L25"]["value"]
    assert form["input_reference"] == "@/absolute/path/to/ref.jpg" and form["seconds"] == "8"
    response = source.data["paths"]["/v1/videos"]["post"]["responses"]["200"]["content"]["application/json"]
    assert response["examples"]["response-L68"]["value"]["seconds"] == "8"


def test_seed_001_poll_and_download_come_from_page_evidence() -> None:
    """The page documents the poll and download routes outside its OpenAPI (a curl, a section):
    they are added as page-evidence operations, the completed response lands on the poll route,
    and the vendor's own document is untouched."""
    source = extract_source(DOCS / "001_3a58964235346af4.txt", config=load_config(ROOT / "specforge.toml"))
    poll = source.data["paths"]["/v1/videos/{video_id}"]["get"]
    assert poll["x-specforge-page-evidence"] is True
    assert poll["x-specforge-source"] == "specs/docs/001_3a58964235346af4.txt:99"
    (completed,) = _examples(poll["responses"]["200"]["content"]["application/json"]).values()
    assert completed["value"]["status"] == "completed"
    assert completed["x-specforge-source"] == "specs/docs/001_3a58964235346af4.txt:115"
    assert source.data["paths"]["/v1/videos/{video_id}/content"]["get"]["x-specforge-page-evidence"] is True
    assert source.data["paths"]["/v1/videos"]["post"]["operationId"] == "createVeoVideo"  # verbatim
    assert UNPLACED_KEY not in source.data


def test_prose_page_examples_for_hand_sources() -> None:
    aiid = page_examples((DOCS / "004_a933532f8a733072.txt").read_text())
    assert [(e.kind, e.name) for e in aiid] == [("request", "curl-form-L12"), ("response", "response-L31")]
    assert aiid[1].value["created_at"] == 1764347090922
    newapi = page_examples((DOCS / "002_f461b3432fdd20d8.txt").read_text())
    assert [(e.kind, e.name) for e in newapi] == [("request", "request-L46"), ("request", "request-L72")]
