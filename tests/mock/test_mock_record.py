"""`specforge mock --record`: what the mock received, for relay-check's upstream side — body fields
as parsed (files as name and size), the credential only as a digest, the answer; off by default."""

from __future__ import annotations

import json

import requests

from specforge.mock import serve
from specforge.mock.recorder import EXCHANGES_PATH, credential_sha256

KEY = "sk-upstream-record-test"


def test_records_fields_credentials_and_answers() -> None:
    auth = {"Authorization": f"Bearer {KEY}"}
    with serve("openai", token=KEY, job_seconds=0.1, record=True) as url:
        form = requests.post(
            url + "/v1/videos",
            headers=auth,
            timeout=5,
            files={
                "prompt": (None, "a fox"),
                "seconds": (None, "8"),
                "input_reference": ("ref.png", b"\x89PNG" + b"0" * 96, "image/png"),
            },
        )
        job = requests.post(
            url + "/v1/videos",
            headers={"Authorization": "Bearer wrong-key"},
            json={"prompt": "x", "extra": 1},
            timeout=5,
        )
        requests.get(url + "/v1/videos/" + form.json()["id"], headers=auth, timeout=5)
        text = requests.get(url + EXCHANGES_PATH, timeout=5).text
        records = json.loads(text)["exchanges"]
        assert requests.delete(url + EXCHANGES_PATH, timeout=5).json() == {"cleared": True}
        assert requests.get(url + EXCHANGES_PATH, timeout=5).json() == {"exchanges": []}
    assert KEY not in text and "wrong-key" not in text
    first, second, poll = records
    assert first["fields"] == {
        "prompt": "a fox",
        "seconds": "8",
        "input_reference": {"file": "ref.png", "size": 100},
    }
    assert first["credentials_sha256"] == {"authorization": credential_sha256(KEY)} and first["status"] == 200
    assert first["response_body"]["id"] == form.json()["id"]
    assert (
        second["status"] == job.status_code == 401 and second["fields"] is None
    )  # refused before the body was read
    assert poll["method"] == "GET" and "openai-poll-after-ms" in poll["response_headers"]
    assert [r["seq"] for r in records] == [1, 2, 3]


def test_off_by_default() -> None:
    with serve("openai", token=KEY, job_seconds=0.1) as url:
        assert (
            requests.get(
                url + EXCHANGES_PATH, headers={"Authorization": f"Bearer {KEY}"}, timeout=5
            ).status_code
            == 404
        )
