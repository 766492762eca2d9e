"""The mock says it is the mock (the header `specforge check` keys its default budget on), and a
client hanging up mid-body is not an unhandled error."""

from __future__ import annotations

import logging
import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest
from mock_helpers import AUTH, VARIANTS, running

from specforge import MOCK_HEADER


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_answer_names_the_mock(variant: str) -> None:
    with running(variant) as (url, app), httpx.Client(base_url=url, headers=AUTH) as http:
        collection = app.profile.collection
        for response in (http.get(collection), http.get(collection + "/nope"), http.post(collection)):
            assert response.headers[MOCK_HEADER] == variant


def test_a_client_disconnect_is_not_logged_as_an_unhandled_error(caplog: pytest.LogCaptureFixture) -> None:
    with running("openai") as (url, app):
        parts = urlsplit(url)
        caplog.set_level(logging.DEBUG)
        with socket.create_connection((parts.hostname, parts.port)) as sock:
            sock.sendall(
                b"POST "
                + app.profile.collection.encode()
                + b" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + AUTH["Authorization"].split()[1].encode()
                + b'\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"prompt": '
            )
            time.sleep(0.2)
        time.sleep(0.3)  # the server notices the hang-up
        with httpx.Client(base_url=url, headers=AUTH) as http:
            assert http.get(app.profile.collection).status_code == 200  # still serving
    unhandled = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not unhandled, [r.getMessage() for r in unhandled]
    assert app.store.count() == 0
