"""An ASGI wrapper that puts one deliberate defect in front of the specforge mock (the cases live
in tests/fixtures/check/sdk-breaks.json), so the SDK phase can be shown each break."""

from __future__ import annotations

import json
import re
from typing import Any


class Breaker:
    def __init__(self, app: Any, match: dict[str, Any], action: dict[str, Any]) -> None:
        self.app = app
        self.profile = getattr(app, "profile", None)
        self.limits = app.limits  # MockServer reads the header timeout from it
        self.match = match
        self.action = action

    def _hits(self, scope: dict[str, Any], body: bytes) -> bool:
        m = self.match
        query = scope.get("query_string", b"").decode()
        return (
            scope.get("type") == "http"
            and scope["method"] == m["method"]
            and re.search(m["path"], scope["path"]) is not None
            and ("query_has" not in m or m["query_has"] in query)
            and ("query_lacks" not in m or m["query_lacks"] not in query)
            and ("when_body_has" not in m or m["when_body_has"].encode() in body)
        )

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)

        async def replay() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        if not self._hits(scope, body):
            await self.app(scope, replay, send)
            return
        action = self.action
        if "status" in action:
            error = {
                "error": {
                    "message": "deliberately broken",
                    "type": "server_error",
                    "code": None,
                    "param": None,
                }
            }
            await _answer(send, action["status"], json.dumps(error).encode(), "application/json")
            return
        captured: dict[str, Any] = {"status": 200, "headers": [], "body": b""}

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                captured["status"], captured["headers"] = message["status"], message.get("headers", [])
            else:
                captured["body"] += message.get("body", b"")

        await self.app(scope, replay, capture)
        if "body" in action:
            await _answer(send, captured["status"], action["body"].encode(), action["content_type"])
            return
        data = json.loads(captured["body"])
        data.update(action["json_set"])
        headers = [
            (k, v) for k, v in captured["headers"] if k.lower() not in (b"content-length", b"content-type")
        ]
        await _answer(send, captured["status"], json.dumps(data).encode(), "application/json", headers)


async def _answer(send: Any, status: int, body: bytes, media: str, headers: list[Any] | None = None) -> None:
    all_headers = [
        *(headers or []),
        (b"content-type", media.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": body})
