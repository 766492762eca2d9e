"""The mock over real HTTP: per variant create -> poll -> content with bodies valid against the
variant's own spec, plus auth, validation, errors, limits and persistence."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import httpx
import pytest
import yaml
from mock_helpers import (
    AUTH,
    VARIANTS,
    SpecValidator,
    client,
    create,
    multipart,
    running,
    spec_of,
)

from specforge.mock import Limits
from specforge.mock.media import boxes

STATUS_ORDER = {"queued": 0, "in_progress": 1, "completed": 2, "failed": 2}


def poll(http: httpx.Client, video_id: str, timeout: float = 5.0) -> list[dict]:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = http.get(f"/v1/videos/{video_id}")
        assert response.status_code == 200, response.text
        seen.append(response.json())
        if seen[-1]["status"] in ("completed", "failed"):
            return seen
        time.sleep(0.02)
    raise AssertionError(f"job never finished: {seen[-1]}")


@pytest.mark.parametrize("variant", VARIANTS)
def test_lifecycle_create_poll_content_valid_against_the_variant_spec(variant: str) -> None:
    validator = SpecValidator(spec_of(variant))
    job_schema = validator.job_schema()
    with running(variant, job_seconds=0.3) as (url, app), client(url) as http:
        created = create(http, variant)
        assert created.status_code == 200, created.text
        body = created.json()
        validator.assert_valid(validator.response_schema("post", "/v1/videos", "200") or job_schema, body)
        assert body["status"] == "queued"
        states = poll(http, body["id"])
        for state in states:
            validator.assert_valid(job_schema, state)
        statuses = [STATUS_ORDER[s["status"]] for s in states]
        assert statuses == sorted(statuses)
        progress = [s["progress"] for s in states if "progress" in s]
        assert progress == sorted(progress)
        assert all(isinstance(p, int) for p in progress)
        assert not progress or progress[-1] == 100  # newapi documents no progress field
        assert states[-1]["status"] == "completed"
        content = http.get(f"/v1/videos/{body['id']}/content")
        assert content.status_code == 200
        assert content.headers["content-type"] == app.profile.video_media_type
        assert content.content[4:8] == b"ftyp"
        assert [kind for kind, _, _ in boxes(content.content)] == [b"ftyp", b"mdat", b"moov"]


def test_job_shapes_follow_each_variant_spec() -> None:
    """The issue's three examples: official string seconds, hingnet-veo integer seconds and
    video_url, aiid millisecond created_at."""
    shapes = {}
    for variant in ("openai", "hingnet-veo", "aiid"):
        with running(variant, job_seconds=0) as (url, _), client(url) as http:
            job = create(http, variant).json()
            shapes[variant] = http.get(f"/v1/videos/{job['id']}").json()
    now = time.time()
    assert shapes["openai"]["seconds"] == "4" and abs(shapes["openai"]["created_at"] - now) < 60
    assert shapes["openai"]["completed_at"] is not None and shapes["openai"]["error"] is None
    assert shapes["hingnet-veo"]["seconds"] == 6
    assert shapes["hingnet-veo"]["video_url"].endswith(f"/v1/videos/{shapes['hingnet-veo']['id']}/content")
    assert abs(shapes["aiid"]["created_at"] / 1000 - now) < 60
    assert shapes["aiid"]["seconds"] == "8"


def test_video_url_downloads_the_content() -> None:
    with running("hingnet-veo", job_seconds=0) as (url, _), client(url) as http:
        job = create(http, "hingnet-veo").json()
        video_url = http.get(f"/v1/videos/{job['id']}").json()["video_url"]
        assert http.get(video_url).content[4:8] == b"ftyp"


@pytest.mark.parametrize("variant", ["openai", "xiexus", "hingnet-veo"])
def test_auth_is_required_and_answered_in_the_variant_error_shape(variant: str) -> None:
    validator = SpecValidator(spec_of(variant))
    error_schema = validator.response_schema("post", "/v1/videos", "401") or validator.response_schema(
        "post", "/v1/videos", "400"
    )
    with running(variant) as (url, app):
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}):
            response = httpx.post(url + "/v1/videos", json={"prompt": "x"}, headers=headers)
            assert response.status_code == 401
            assert response.headers["www-authenticate"] == "Bearer"
            body = response.json()
            assert isinstance(body["error"]["message"], str)
            if error_schema is not None:
                validator.assert_valid(error_schema, body)
        assert app.store.count() == 0
        assert httpx.get(url + "/__specforge__/stats").json()["creates"] == 3


@pytest.mark.parametrize("variant", VARIANTS)
def test_invalid_input_is_400_in_the_error_shape_and_creates_no_job(variant: str) -> None:
    validator = SpecValidator(spec_of(variant))
    error_schema = validator.response_schema("post", "/v1/videos", "400")
    form, _ = __import__("mock_helpers").VALID_CREATE[variant]
    bad = {"model": ["not", "a", "string"]} if not form else {"width": "wide"}
    with running(variant) as (url, app), client(url) as http:
        if form:
            content, media = multipart({"model": "sora-2", "prompt": "x", **bad})
            response = http.post("/v1/videos", content=content, headers={"Content-Type": media})
        else:
            response = http.post("/v1/videos", json={"prompt": "x", **bad})
        assert response.status_code == 400, response.text
        body = response.json()
        assert "error" in body and body["error"]["message"].startswith("Invalid request body")
        if error_schema is not None:
            validator.assert_valid(error_schema, body)
        assert app.store.count() == 0
        stats = httpx.get(url + "/__specforge__/stats").json()
        assert stats == {"creates": 1, "requests": 1}


def test_openai_validates_enums_and_required_fields() -> None:
    with running("openai") as (url, app), client(url) as http:
        assert http.post("/v1/videos", json={"prompt": "x", "seconds": "5"}).status_code == 400
        assert http.post("/v1/videos", json={"seconds": "4"}).status_code == 400
        assert http.post("/v1/videos", json={"prompt": ""}).status_code == 400
        assert (
            http.post(
                "/v1/videos", json={"prompt": "x", "input_reference": {"image_url": "not a uri"}}
            ).status_code
            == 400
        )
        content, media = multipart(
            {"prompt": "x", "seconds": "12", "size": "1280x720"}, {"input_reference": ("a.png", b"png")}
        )
        ok = http.post("/v1/videos", content=content, headers={"Content-Type": media})
        assert ok.status_code == 200 and ok.json()["seconds"] == "12" and ok.json()["size"] == "1280x720"
        assert app.store.count() == 1


@pytest.mark.parametrize(
    ("content", "media"),
    [
        (b"{not json", "application/json"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),
        (b'{"prompt": NaN}', "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"[]", "application/json"),
        (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
        (b"whatever", "multipart/form-data"),
        (b"prompt=x", "text/plain"),
        (b'{"prompt": 1' + b"0" * 5000 + b"}", "application/json"),
    ],
)
def test_malformed_bodies_are_4xx_never_5xx(content: bytes, media: str) -> None:
    with running("openai") as (url, app), client(url) as http:
        response = http.post("/v1/videos", content=content, headers={"Content-Type": media})
        assert 400 <= response.status_code < 500, (response.status_code, response.text)
        assert "error" in response.json()
        assert app.store.count() == 0
        assert http.get("/v1/videos").status_code == 200  # still answering


EMPTY_BODIES = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "fixtures" / "mock" / "empty-bodies.yaml").read_text(
        encoding="utf-8"
    )
)
_EMPTY_REQUESTS: dict[str, tuple[bytes, dict[str, str]]] = {
    "none": (b"", {}),
    "json-empty": (b"", {"Content-Type": "application/json"}),
    "json-blank": (b" \n", {"Content-Type": "application/json"}),
    "form-empty": (b"--x--\r\n", {"Content-Type": "multipart/form-data; boundary=x"}),
    "{}": (b"{}", {"Content-Type": "application/json"}),
    "null": (b"null", {"Content-Type": "application/json"}),
}


@pytest.mark.parametrize("case", EMPTY_BODIES, ids=lambda c: f"{c['variant']}-{c['body']}")
def test_an_empty_post_is_rejected_where_the_spec_requires_fields(case: dict) -> None:
    content, headers = _EMPTY_REQUESTS[case["body"]]
    with running(case["variant"], job_seconds=0) as (url, app), client(url) as http:
        response = http.post("/v1/videos", content=content, headers=headers)
        assert response.status_code == case["status"], response.text
        if case["status"] == 200:
            assert app.store.count() == 1
            return
        assert app.store.count() == 0
        error = response.json()
        error = error.get("error", error)
        if "code" in case:
            assert error["code"] == case["code"], error
        if "param" in case:
            assert error["param"] == case["param"], error


def test_numbers_at_the_edge_of_json() -> None:
    with running("hingnet-veo", job_seconds=0) as (url, _), client(url) as http:
        base = b'{"model": "veo-3.1-generate-preview", "prompt": "x", "seconds": '
        overflow = http.post(
            "/v1/videos", content=base + b"1e400}", headers={"Content-Type": "application/json"}
        )
        assert overflow.status_code == 400  # parses to inf: neither integer nor string
        text = http.post(
            "/v1/videos", json={"model": "veo-3.1-generate-preview", "prompt": "x", "seconds": "inf"}
        )
        assert (
            text.status_code == 200 and text.json()["seconds"] == 6
        )  # a string is allowed; shown as documented
        job = http.get(f"/v1/videos/{text.json()['id']}").json()
        assert job["seconds"] == 6


def test_unknown_routes_ids_and_methods() -> None:
    with running("openai") as (url, _), client(url) as http:
        unknown = http.get("/v1/nothing")
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
        missing = http.get("/v1/videos/video_missing")
        assert missing.status_code == 404 and "video_missing" in missing.json()["error"]["message"]
        assert http.get("/v1/videos/video_missing/content").status_code == 404
        wrong = http.put("/v1/videos", json={})
        assert wrong.status_code == 405 and wrong.headers["allow"] == "GET, POST"
    with running("newapi") as (url, _), client(url) as http:
        # newapi documents neither list nor remix
        assert http.get("/v1/videos").status_code == 405
        assert http.post("/v1/videos/video_x/remix", json={"prompt": "x"}).status_code == 404


def test_fail_marker_ends_failed_with_an_error_object() -> None:
    with running("openai", job_seconds=0.2) as (url, _), client(url) as http:
        job = http.post("/v1/videos", json={"prompt": "a cat [fail]"}).json()
        states = poll(http, job["id"])
        final = states[-1]
        assert final["status"] == "failed"
        assert final["error"] == {"code": "generation_failed", "message": final["error"]["message"]}
        assert http.get(f"/v1/videos/{job['id']}/content").status_code == 409


def test_content_before_completion_is_409() -> None:
    with running("openai", job_seconds=30) as (url, _), client(url) as http:
        job = http.post("/v1/videos", json={"prompt": "slow"}).json()
        response = http.get(f"/v1/videos/{job['id']}/content")
        assert response.status_code == 409 and response.json()["error"]["code"] == "video_not_ready"
        poll_after = http.get(f"/v1/videos/{job['id']}").headers["openai-poll-after-ms"]
        assert 10 <= int(poll_after) <= 1000


def test_openai_list_remix_delete_thumbnail() -> None:
    validator = SpecValidator(spec_of("openai"))
    with running("openai", job_seconds=0) as (url, _), client(url) as http:
        ids = [http.post("/v1/videos", json={"prompt": f"p{i}"}).json()["id"] for i in range(3)]
        page = http.get("/v1/videos", params={"limit": 2, "order": "asc"}).json()
        validator.assert_valid(validator.response_schema("get", "/v1/videos", "200"), page)
        assert [v["id"] for v in page["data"]] == ids[:2] and page["has_more"] is True
        rest = http.get("/v1/videos", params={"after": page["last_id"], "order": "asc"}).json()
        assert [v["id"] for v in rest["data"]] == ids[2:] and rest["has_more"] is False
        assert http.get("/v1/videos", params={"limit": 1000}).status_code == 400
        assert http.get("/v1/videos", params={"order": "sideways"}).status_code == 400
        remix = http.post(f"/v1/videos/{ids[0]}/remix", json={"prompt": "again"})
        assert remix.status_code == 200 and remix.json()["remixed_from_video_id"] == ids[0]
        thumb = http.get(f"/v1/videos/{ids[0]}/content", params={"variant": "thumbnail"})
        assert thumb.headers["content-type"] == "image/webp" and thumb.content[:4] == b"RIFF"
        assert http.get(f"/v1/videos/{ids[0]}/content", params={"variant": "poster"}).status_code == 400
        deleted = http.delete(f"/v1/videos/{ids[1]}")
        validator.assert_valid(
            validator.response_schema("delete", "/v1/videos/{video_id}", "200"), deleted.json()
        )
        assert deleted.json() == {"object": "video.deleted", "deleted": True, "id": ids[1]}
        assert http.get(f"/v1/videos/{ids[1]}").status_code == 404
        characters = http.post(
            "/v1/videos/characters",
            content=multipart({"name": "cat"}, {"video": ("a.mp4", b"x")})[0],
            headers={"Content-Type": multipart({})[1]},
        )
        assert characters.status_code == 200 and set(characters.json()) == {"id", "name", "created_at"}


def test_remix_of_an_unfinished_video_is_409() -> None:
    with running("openai", job_seconds=30) as (url, _), client(url) as http:
        job = http.post("/v1/videos", json={"prompt": "slow"}).json()
        assert http.post(f"/v1/videos/{job['id']}/remix", json={"prompt": "x"}).status_code == 409


def test_body_size_job_count_and_read_timeout_limits() -> None:
    limits = Limits(max_body_bytes=1000, max_jobs=2, body_timeout=0.3)
    with running("openai", limits=limits) as (url, app), client(url) as http:
        big = http.post("/v1/videos", json={"prompt": "x" * 2000})
        assert big.status_code == 413 and big.json()["error"]["code"] == "request_too_large"
        assert [http.post("/v1/videos", json={"prompt": "x"}).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as raw:
            raw.sendall(
                b"POST /v1/videos HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + AUTH["Authorization"].split()[1].encode()
                + b"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
            )
            answer = raw.recv(4096)
        assert answer.startswith(b"HTTP/1.1 408"), answer
        assert app.store.count() == 2


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "jobs.sqlite"
    with running("openai", state=state, job_seconds=0.2) as (url, _), client(url) as http:
        job = http.post("/v1/videos", json={"prompt": "persist me"}).json()
        deleted = http.post("/v1/videos", json={"prompt": "gone"}).json()
        http.delete(f"/v1/videos/{deleted['id']}")
    time.sleep(0.25)
    with running("openai", state=state, job_seconds=0.2) as (url, _), client(url) as http:
        again = http.get(f"/v1/videos/{job['id']}").json()
        assert again["prompt"] == "persist me" and again["status"] == "completed"
        assert again["created_at"] == job["created_at"]
        assert http.get(f"/v1/videos/{deleted['id']}").status_code == 404
        assert http.get(f"/v1/videos/{job['id']}/content").content[4:8] == b"ftyp"


def test_stats_count_job_creating_requests_accepted_or_not() -> None:
    with running("openai", job_seconds=0) as (url, _), client(url) as http:
        ok = http.post("/v1/videos", json={"prompt": "x"}).json()
        http.post("/v1/videos", json={"prompt": 1})
        http.post(f"/v1/videos/{ok['id']}/remix", json={"prompt": "y"})
        http.get(f"/v1/videos/{ok['id']}")
        httpx.post(url + "/v1/videos", json={"prompt": "no auth"})
        stats = httpx.get(url + "/__specforge__/stats")
        assert stats.json() == {"creates": 4, "requests": 5}  # the unauthenticated create counts too
        assert json.loads(stats.content) == stats.json()


def test_no_auth_when_token_is_none() -> None:
    with running("openai", token=None, job_seconds=0) as (url, _):
        assert httpx.post(url + "/v1/videos", json={"prompt": "x"}).status_code == 200


def test_one_multipart_part_for_an_array_field_is_an_item_even_when_it_starts_with_a_bracket() -> None:
    """Regression (found by `specforge run`'s schemathesis phase on newapi): text that starts
    with "[" but is not JSON is still the single item of an array field, not a type error."""
    with running("newapi") as (url, _app), client(url) as http:
        content, media = multipart({"model": "sora-2", "prompt": "a cat", "reference_images": "[not json"})
        response = http.post("/v1/videos", content=content, headers={"Content-Type": media})
        assert response.status_code == 200, response.text
