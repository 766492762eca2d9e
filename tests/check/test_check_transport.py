from __future__ import annotations

import threading

from hypothesis import given
from hypothesis import strategies as st

from specforge.check.redact import Redactor
from specforge.check.spec import with_implicit_errors
from specforge.check.transport import Budget, can_create, default_budget, retry_after


def test_default_budget_is_unlimited_only_for_the_mock() -> None:
    assert default_budget(None) == 1
    assert default_budget("openai") is None


def test_creating_methods() -> None:
    assert can_create("POST") and can_create("put") and can_create("PATCH") and can_create("WHATEVER")
    assert not any(can_create(m) for m in ("GET", "HEAD", "OPTIONS", "DELETE", "TRACE"))


def test_budget_is_never_exceeded_under_threads() -> None:
    budget = Budget(5)
    granted = []

    def worker() -> None:
        for _ in range(50):
            if budget.take():
                granted.append(1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(granted) == 5 and budget.used == 5 and budget.blocked == 8 * 50 - 5 and budget.remaining == 0


def test_retry_after() -> None:
    assert retry_after("3", 1.0) == 3.0
    assert retry_after(None, 1.5) == 1.5
    assert retry_after("garbage", 2.0) == 2.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 2.0) == 0.0  # in the past


@given(
    token=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=8, max_size=40),
    before=st.text(max_size=30),
    after=st.text(max_size=30),
)
def test_redactor_never_leaks_the_token(token: str, before: str, after: str) -> None:
    red = Redactor(token)
    text = f"{before}Authorization: Bearer {token}{after} {token}"
    assert token not in red.text(text)
    assert token not in str(red.data({"k": [text], text: 1}))
    assert red.headers({"Authorization": f"Bearer {token}"}) == {"Authorization": "Bearer ***"}


def test_schemathesis_filtered_header_becomes_bearer_mask() -> None:
    assert (
        Redactor(None).text("curl -H 'Authorization: [Filtered]' x")
        == "curl -H 'Authorization: Bearer ***' x"
    )


def test_implicit_errors_only_where_no_client_error_is_documented() -> None:
    doc = {
        "paths": {"/a": {"get": {"responses": {"200": {}}}, "post": {"responses": {"200": {}, "400": {}}}}}
    }
    out, changed = with_implicit_errors(doc)
    assert "4XX" in out["paths"]["/a"]["get"]["responses"]
    assert set(out["paths"]["/a"]["post"]["responses"]) == {"200", "400", "401", "403"}
    assert doc["paths"]["/a"]["get"]["responses"] == {"200": {}}  # input untouched
    assert changed == ["GET /a", "POST /a"]


def test_an_optional_body_whose_every_schema_requires_fields_is_required() -> None:
    from specforge.check.spec import with_implied_bodies

    prompt = {"type": "object", "required": ["prompt"], "properties": {"prompt": {"type": "string"}}}
    free = {"type": "object", "properties": {"prompt": {"type": "string"}}}

    def op(content: dict, **extra: object) -> dict:
        return {"requestBody": {"content": content, **extra}, "responses": {"200": {}}}

    doc = {
        "components": {
            "schemas": {"Create": prompt},
            "requestBodies": {"Ref": {"content": {"application/json": {"schema": prompt}}}},
        },
        "paths": {
            "/v1/videos": {
                "post": op(
                    {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Create"}},
                        "multipart/form-data": {"schema": prompt},
                    }
                )
            },
            "/v1/videos/{id}/remix": {
                "post": {"requestBody": {"$ref": "#/components/requestBodies/Ref"}, "responses": {}}
            },
            "/v1/either": {
                "post": op({"application/json": {"schema": prompt}, "multipart/form-data": {"schema": free}})
            },
            "/v1/free": {"post": op({"application/json": {"schema": free}})},
            "/v1/already": {"post": op({"application/json": {"schema": prompt}}, required=True)},
            "/v1/none": {"get": {"responses": {"200": {}}}},
        },
    }
    out, changed = with_implied_bodies(doc)
    assert changed == ["POST /v1/videos", "POST /v1/videos/{id}/remix"]
    assert out["paths"]["/v1/videos"]["post"]["requestBody"]["required"] is True
    assert out["paths"]["/v1/videos/{id}/remix"]["post"]["requestBody"]["required"] is True
    assert "required" not in out["paths"]["/v1/either"]["post"]["requestBody"]  # one form may be empty
    assert "required" not in doc["paths"]["/v1/videos"]["post"]["requestBody"]  # input untouched
    assert with_implied_bodies({"paths": {"/v1/free": doc["paths"]["/v1/free"]}}) == (
        {"paths": {"/v1/free": doc["paths"]["/v1/free"]}},
        [],
    )


def test_auth_is_only_required_where_the_spec_says_so() -> None:
    from specforge.check.spec import SpecModel

    doc = {
        "security": [{"bearer": []}],
        "paths": {
            "/v1/videos": {"get": {"responses": {"200": {}}}},
            "/v1/public": {"get": {"security": [{}], "responses": {"200": {}}}},
            "/v1/either": {"get": {"security": [{}, {"bearer": []}], "responses": {}}},
        },
    }
    spec = SpecModel.of(doc)
    by_path = {op.path: op for op in spec.operations}
    assert spec.requires_auth(by_path["/v1/videos"])
    assert not spec.requires_auth(by_path["/v1/public"]) and not spec.requires_auth(by_path["/v1/either"])
    assert not SpecModel.of({"paths": doc["paths"]}).requires_auth(
        SpecModel.of({"paths": doc["paths"]}).operations[0]
    )


def test_cassette_lines_survive_unicode_line_separators(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import requests

    from specforge.check.replay import read_cassette
    from specforge.check.transport import Cassette

    path = tmp_path / "c.jsonl"
    cassette = Cassette(path, Redactor("tok"))
    request = requests.Request(
        "POST", "http://127.0.0.1/v1/videos", json={"prompt": "a\u2028b\x85c\x1cd tok"}
    ).prepare()
    response = requests.Response()
    response.status_code, response._content = 200, '{"x": "\u2029"}'.encode()
    cassette.record(request, response, None, 0.1)
    cassette.record(request, None, None, 0.1)
    cassette.close()
    entries = read_cassette(path)
    assert len(entries) == 2 and "\u2029" in entries[0]["response"]["body"] and "tok" not in path.read_text()
