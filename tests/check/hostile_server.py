"""A hostile OpenAI-videos provider on 127.0.0.1 for the secrets/limits tests.

It speaks HTTP/1.1 by hand (no framework) so it can misbehave at the byte level: answer 401 to
everything, stream a 200 MB body, trickle a response one byte a second, cut a body short, and echo
the bearer token it receives back in every encoding a real server might (headers, header names,
cookies, bodies plain / URL-encoded / base64 / base64 of ``user:token`` / JSON-escaped, non-UTF-8
bodies). ``Hostile.mode`` is read on every request, so one server can change behaviour between
tests (the property test does that).
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
JOB_ID = "video_hostile0001"


@dataclass
class Hostile:
    """What the server does. ``echo``: where the received token goes back (see ``ECHOES``);
    ``status``: answer every request with this status; ``fault``: "huge" (streamed body of
    ``huge_mb``), "huge-declared" (Content-Length 200 MB), "trickle" (whole answer at 1 byte/s),
    "trickle-body" (headers at once, body at 1 byte/s), "cut" (body shorter than promised),
    "binary" (non-UTF-8 job bodies); ``words``: ordinary text put in every body;
    ``fault_paths``: limit the fault to paths starting with these."""

    echo: tuple[str, ...] = ()
    status: int | None = None
    fault: str | None = None
    fault_paths: tuple[str, ...] = ()
    huge_mb: int = 200
    words: str = ""
    user: str = "alice"
    token: str | None = None  # when set, requests without this bearer token get 401
    requests: int = 0
    seen_tokens: list[str] = field(default_factory=list)


def _token(headers: dict[str, str]) -> str:
    value = headers.get("authorization", "")
    return value.split(" ", 1)[1] if value.lower().startswith("bearer ") else ""


#: echo mode -> (extra headers, extra JSON fields) built from the token
def _echo(mode: str, token: str, user: str) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    basic = base64.b64encode(f"{user}:{token}".encode()).decode()
    forms: dict[str, tuple[list[tuple[str, str]], dict[str, Any]]] = {
        "header-value": ([("X-Echo-Token", token)], {}),
        "header-name": ([(f"X-{quote(token, safe='')}", "1")], {}),
        "set-cookie": ([("Set-Cookie", f"session={token}; Path=/; HttpOnly")], {}),
        "cookie-name": ([("Set-Cookie", f"{quote(token, safe='')}=1; Path=/")], {}),
        "www-authenticate": (
            [("WWW-Authenticate", f'Bearer realm="api", error="invalid_token", token="{token}"')],
            {},
        ),
        "basic-header": ([("X-Upstream-Authorization", f"Basic {basic}")], {}),
        "body-plain": ([], {"echo": token}),
        "body-urlenc": ([], {"echo": quote(token, safe="")}),
        "body-urlenc-lower": (
            [],
            {"echo": re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(token, safe=""))},
        ),
        "body-urlenc-plus": ([], {"echo": quote_plus(token)}),
        "body-b64": ([], {"echo": base64.b64encode(token.encode()).decode()}),
        "body-b64url": ([], {"echo": base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")}),
        "body-b64-basic": ([], {"echo": basic}),
        "body-b64-embedded": ([], {"echo": base64.b64encode(json.dumps({"key": token}).encode()).decode()}),
        "body-json-escaped": ([], {"echo_raw": "".join(f"\\u{ord(c):04x}" for c in token)}),
        "body-in-url": ([], {"video_url": f"https://{user}:{quote(token, safe='')}@cdn.example/v.mp4"}),
        "status-field": ([], {"status": "x" * 30 + token}),
        "long-prefix": ([], {"pad": "p" * 585, "echo": token}),
        "error-message": ([], {"error": {"message": f"key {token} was revoked", "type": "invalid_api_key"}}),
        "html": ([], {"note": f"<script>alert('{token}')</script><img src=x onerror=alert(1)>"}),
    }
    return forms[mode]


ECHOES = (
    "header-value",
    "header-name",
    "set-cookie",
    "cookie-name",
    "www-authenticate",
    "basic-header",
    "body-plain",
    "body-urlenc",
    "body-urlenc-lower",
    "body-urlenc-plus",
    "body-b64",
    "body-b64url",
    "body-b64-basic",
    "body-b64-embedded",
    "body-json-escaped",
    "body-in-url",
    "status-field",
    "long-prefix",
    "error-message",
    "html",
)


def _job(status: str = "completed") -> dict[str, Any]:
    now = int(time.time())
    return {
        "id": JOB_ID,
        "object": "video",
        "model": "sora-2",
        "status": status,
        "progress": 100,
        "created_at": now,
        "completed_at": now,
        "expires_at": now + 3600,
        "prompt": "p",
        "size": "720x1280",
        "seconds": "4",
        "remixed_from_video_id": None,
        "error": None,
    }


def _valid_create(sent: bytes) -> bool:
    try:
        body = json.loads(sent)
    except ValueError:
        return False
    return (
        isinstance(body, dict)
        and isinstance(body.get("prompt"), str)
        and bool(body["prompt"])
        and body.get("seconds", "4") in ("4", "8", "12")
        and body.get("size", "720x1280") in SIZES
        and isinstance(body.get("input_reference", {}), dict)
    )


SIZES = ("720x1280", "1280x720", "1024x1792", "1792x1024")


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            while self._one():
                pass

    def _one(self) -> bool:
        line = self.rfile.readline(65537)
        if not line.strip():
            return False
        method, target, _ = line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while True:
            raw = self.rfile.readline(65537)
            if raw in (b"\r\n", b"\n", b""):
                break
            name, _, value = raw.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        body = self.rfile.read(length) if length else b""
        mode = self.server.mode
        mode.requests += 1
        token = _token(headers)
        mode.seen_tokens.append(token)
        path = urlsplit(target).path
        self._answer(mode, method, path, token, body)
        return headers.get("connection", "").lower() != "close" and mode.fault is None

    def _answer(self, mode: Hostile, method: str, path: str, token: str, sent: bytes) -> None:
        extra: list[tuple[str, str]] = []
        fields: dict[str, Any] = {}
        for echo in mode.echo:
            if token:
                more_headers, more_fields = _echo(echo, token, mode.user)
                extra += more_headers
                fields.update(more_fields)
        if mode.words:
            fields["words"] = mode.words
        fault = (
            mode.fault if not mode.fault_paths or any(path.startswith(p) for p in mode.fault_paths) else None
        )
        status_only = mode.status
        if status_only is None and mode.token is not None and token != mode.token:
            status_only = 401
        if status_only is not None:
            status = status_only
            body = json.dumps(
                {
                    "error": {
                        "message": "Incorrect API key provided",
                        "type": "invalid_api_key",
                        "code": None,
                        "param": None,
                    },
                    **fields,
                }
            ).encode()
        elif method == "POST" and not _valid_create(sent):
            status, body = (
                400,
                json.dumps(
                    {
                        "error": {
                            "message": "invalid request",
                            "type": "invalid_request_error",
                            "code": None,
                            "param": None,
                        }
                    }
                ).encode(),
            )
        elif path.endswith("/content"):
            status, body = 200, MP4
            extra.append(("Content-Type", "video/mp4"))
        elif path.rstrip("/") == "/v1/videos" and method == "GET":
            status, body = (
                200,
                json.dumps(
                    {
                        "object": "list",
                        "data": [{**_job(), **fields}],
                        "first_id": JOB_ID,
                        "last_id": JOB_ID,
                        "has_more": False,
                    }
                ).encode(),
            )
        elif path.startswith("/v1/videos"):
            status, body = (
                200,
                json.dumps({**_job("queued" if method == "POST" else "completed"), **fields}).encode(),
            )
        else:
            status, body = 404, b'{"error": {"message": "not found", "type": "not_found"}}'
        raw_echo = fields.pop("echo_raw", None)
        if raw_echo is not None:  # JSON escapes written as such (json.dumps would decode them)
            body = body[:-1] + b', "echo_raw": "' + raw_echo.encode() + b'"}'
        if fault == "binary" and not path.endswith("/content"):
            body = b"\xff\xfe\x00binary " + token.encode() + b" \x80\x81 " + mode.words.encode() + b"\x00"
        if not any(name.lower() == "content-type" for name, _ in extra):
            extra.append(
                ("Content-Type", "application/octet-stream" if fault == "binary" else "application/json")
            )
        self._send(status, extra, body, fault, mode)

    def _send(
        self, status: int, headers: list[tuple[str, str]], body: bytes, fault: str | None, mode: Hostile
    ) -> None:
        reason = {200: "OK", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}.get(status, "Status")
        head = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers)]
        out = self.wfile
        if fault == "huge":
            out.write(("\r\n".join([*head, "Transfer-Encoding: chunked", "", ""])).encode("latin-1"))
            chunk = b"x" * (1024 * 1024)
            for _ in range(mode.huge_mb):
                out.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            out.write(b"0\r\n\r\n")
            return
        if fault == "huge-declared":
            out.write(
                ("\r\n".join([*head, f"Content-Length: {200 * 1024 * 1024}", "", ""])).encode("latin-1")
            )
            out.write(b"x" * 65536)
            return
        if fault == "cut":
            out.write(
                ("\r\n".join([*head, f"Content-Length: {len(body) + 1000}", "", ""])).encode("latin-1")
                + body[:10]
            )
            out.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        data = ("\r\n".join([*head, f"Content-Length: {len(body)}", "", ""])).encode("latin-1") + body
        if fault in ("trickle", "trickle-body"):
            start = 0 if fault == "trickle" else data.index(b"\r\n\r\n") + 4
            out.write(data[:start])
            out.flush()
            for i in range(start, len(data)):
                if self.server.closing:
                    return
                out.write(data[i : i + 1])
                out.flush()
                time.sleep(1.0)
            return
        out.write(data)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    mode: Hostile
    closing = False


@contextlib.contextmanager
def hostile(mode: Hostile | None = None) -> Iterator[tuple[str, _Server]]:
    """Serve ``mode`` on 127.0.0.1 (any free port); yields (base URL, server: ``server.mode`` can be
    swapped between requests)."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.mode = mode or Hostile()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server
    finally:
        server.closing = True
        server.shutdown()
        server.server_close()
