"""A hostile mock client: lone surrogates in a create must not break the mock (not for the
sender, not for everyone listing afterwards, not after a restart with --state), and a client
sending its headers one byte a second is cut off at the header timeout."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest
from mock_helpers import AUTH, running

from specforge.mock import Limits

SURROGATE_BODIES = [
    b'{"prompt": "a \\ud800 b"}',
    b'{"prompt": "tail \\udfff"}',
    b'{"prompt": "ok", "model": "\\udbff"}',
    b'{"prompt": "ok", "\\ud800key": "v"}',
    b'{"prompt": "ok", "metadata": {"k": ["\\ud834"]}}',
]


@pytest.mark.parametrize("state", [False, True], ids=["memory", "sqlite"])
@pytest.mark.parametrize("body", SURROGATE_BODIES, ids=range(len(SURROGATE_BODIES)))
def test_lone_surrogate_is_a_400_and_does_not_poison_the_list(
    body: bytes, state: bool, tmp_path: Path
) -> None:
    path = tmp_path / "jobs.sqlite" if state else None
    with (
        running("openai", state=path) as (url, _),
        httpx.Client(base_url=url, headers=AUTH, timeout=5) as http,
    ):
        answer = http.post("/v1/videos", content=body, headers={"Content-Type": "application/json"})
        assert answer.status_code == 400, answer.text
        assert "surrogate" in answer.json()["error"]["message"]
        good = http.post("/v1/videos", json={"prompt": "a valid \U0001f600 prompt"})
        assert good.status_code == 200
        listed = http.get("/v1/videos")
        assert listed.status_code == 200 and [j["id"] for j in listed.json()["data"]] == [good.json()["id"]]
    if path is not None:  # a restart from the state file still answers
        with (
            running("openai", state=path) as (url, _),
            httpx.Client(base_url=url, headers=AUTH, timeout=5) as http,
        ):
            assert http.get("/v1/videos").status_code == 200


def test_a_valid_surrogate_pair_is_text() -> None:
    with running("openai") as (url, _), httpx.Client(base_url=url, headers=AUTH, timeout=5) as http:
        answer = http.post(
            "/v1/videos",
            content=b'{"prompt": "\\ud83d\\ude00 cat"}',
            headers={"Content-Type": "application/json"},
        )
        assert answer.status_code == 200 and answer.json()["prompt"] == "\U0001f600 cat"


@pytest.mark.parametrize("pause", [0.4, 1.0])
def test_a_slow_header_client_is_cut_off(pause: float) -> None:
    request = b"GET /v1/videos HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-mock-test\r\n\r\n"
    with running("openai", limits=Limits(header_timeout=1.5)) as (url, _):
        port = int(url.rsplit(":", 1)[1])
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            closed = False
            for byte in request:
                try:
                    sock.sendall(bytes([byte]))
                    time.sleep(pause)
                    sock.setblocking(False)
                    try:
                        closed = sock.recv(1) == b""
                    except BlockingIOError:
                        pass
                    finally:
                        sock.setblocking(True)
                except OSError:
                    closed = True
                if closed or time.monotonic() - started > 8:
                    break
        elapsed = time.monotonic() - started
    assert closed and elapsed < 1.5 + 2 * pause + 1.0, elapsed


def test_headers_sent_in_time_are_answered_and_keep_alive_works() -> None:
    with (
        running("openai", limits=Limits(header_timeout=1.0)) as (url, _),
        httpx.Client(base_url=url, headers=AUTH, timeout=5) as http,
    ):
        assert http.get("/v1/videos").status_code == 200
        time.sleep(1.3)  # idle longer than the header timeout, but less than the keep-alive timeout
        assert http.get("/v1/videos").status_code == 200
