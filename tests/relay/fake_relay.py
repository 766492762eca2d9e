"""A tiny OpenAI-videos relay for the relay harness's tests: it forwards /v1/videos* to an
upstream with its own key and translates job ids into its own id space (``vr_`` + upstream id),
and can be given deliberate defects (see tests/fixtures/relay/defects.json):

- ``retries``: every create is sent upstream this many extra times (the last answer wins);
- ``forward_token``: the client's Authorization header goes upstream instead of the relay's key;
- ``leak_key``: answers carry the upstream key in an ``x-upstream-auth`` header;
- ``set`` / ``drop``: create fields rewritten / removed on the way up;
- ``raw_remix_source``: ``remixed_from_video_id`` is passed back in the upstream's id space;
- ``strip_headers``: response headers not passed back."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PREFIX = "vr_"
PASSED = ("openai-poll-after-ms", "content-type")


def _to_client(data: Any, defects: dict[str, Any]) -> Any:
    if isinstance(data, dict):
        out = dict(data)
        if isinstance(out.get("id"), str) and out.get("object") in ("video", "video.deleted"):
            out["id"] = PREFIX + out["id"]
        if isinstance(out.get("remixed_from_video_id"), str) and not defects.get("raw_remix_source"):
            out["remixed_from_video_id"] = PREFIX + out["remixed_from_video_id"]
        if isinstance(out.get("data"), list):
            out["data"] = [_to_client(v, defects) for v in out["data"]]
        for key in ("first_id", "last_id"):
            if isinstance(out.get(key), str):
                out[key] = PREFIX + out[key]
        return out
    return data


def create_relay(upstream: str, upstream_key: str, client_token: str, defects: dict[str, Any]) -> Starlette:
    client = httpx.Client(base_url=upstream, timeout=30)

    async def forward(request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {client_token}":
            return Response(
                '{"error": {"message": "bad relay key", "type": "auth"}}', 401, media_type="application/json"
            )
        path = "/".join(
            part[len(PREFIX) :] if part.startswith(PREFIX) else part for part in request.url.path.split("/")
        )
        auth = request.headers["authorization"] if defects.get("forward_token") else f"Bearer {upstream_key}"
        headers = {"authorization": auth}
        kwargs: dict[str, Any] = {"params": dict(request.query_params)}
        media = request.headers.get("content-type", "")
        creating = request.method == "POST"
        if creating and "multipart/form-data" in media:
            form = await request.form()
            data: dict[str, Any] = {}
            files = {}
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    files[name] = (value.filename, await value.read(), value.content_type)
                else:
                    data[name] = value
            data.update(defects.get("set", {}))
            for name in defects.get("drop", []):
                data.pop(name, None)
            # every field as a part, so the upstream gets multipart even without a file
            kwargs["files"] = [(name, (None, str(value))) for name, value in data.items()] + list(
                files.items()
            )
        elif creating:
            body = await request.json() if await request.body() else {}
            if isinstance(body, dict):
                body.update(defects.get("set", {}))
                for name in defects.get("drop", []):
                    body.pop(name, None)
            kwargs["json"] = body
        attempts = 1 + (defects.get("retries", 0) if creating else 0)
        for _ in range(attempts):
            answer = client.request(request.method, path, headers=headers, **kwargs)
        out_headers = {
            k: v
            for k, v in answer.headers.items()
            if k.lower() in PASSED and not (defects.get("strip_headers") and k.lower() != "content-type")
        }
        if defects.get("leak_key"):
            out_headers["x-upstream-auth"] = f"Bearer {upstream_key}"
        if answer.headers.get("content-type", "").startswith("application/json"):
            import json

            body_out = json.dumps(_to_client(answer.json(), defects)).encode()
            out_headers.pop("content-type", None)
            return Response(body_out, answer.status_code, headers=out_headers, media_type="application/json")
        return Response(answer.content, answer.status_code, headers=out_headers)

    methods = ["GET", "POST", "DELETE"]
    return Starlette(
        routes=[
            Route("/v1/videos", forward, methods=methods),
            Route("/v1/videos/{rest:path}", forward, methods=methods),
        ]
    )


@contextlib.contextmanager
def serve_relay(
    upstream: str, upstream_key: str, client_token: str, defects: dict[str, Any] | None = None
) -> Iterator[str]:
    from specforge.mock import Limits, MockServer

    app = create_relay(upstream, upstream_key, client_token, defects or {})
    app.limits = Limits()  # type: ignore[attr-defined]  # MockServer reads its header timeout
    server = MockServer(app, log_level="error")  # type: ignore[arg-type]
    thread = server.start()
    try:
        yield server.url
    finally:
        server.stop(thread)
