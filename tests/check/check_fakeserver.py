"""A small OpenAI-videos provider for check tests, with fault injection.

It is deliberately independent of ``specforge.mock`` so the check engine can be tested against
faults the mock does not model: refused connections, resets, hangs, 5xx storms, invalid JSON,
oversized bodies and a server that dies mid-run. ``GET /__specforge__/stats`` counts requests and
job creations on the server side, like the mock's admin endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
SECONDS = ("4", "8", "12")
SIZES = ("720x1280", "1280x720", "1024x1792", "1792x1024")


@dataclass
class Behaviour:
    """Knobs: how faithful the provider is, and which fault it injects."""

    token: str = "sk-test"
    job_seconds: float = 0.2
    ms_timestamps: bool = False
    bad_status: str | None = None  # e.g. "processing": reported instead of in_progress
    echo_seconds_as_int: bool = False
    accept_garbage: bool = False  # 2xx for invalid input
    retry_after: str | None = None  # Retry-After header on job polls
    # faults: "reset", "hang", "5xx", "invalid-json", "oversized", "die-after:N"
    fault: str | None = None
    fault_paths: tuple[str, ...] = ()  # empty: every API path
    never_finish: bool = False
    #: answer with the mock's identity header, as specforge's own mock does (unlimited default
    #: budget); False makes it look like any other endpoint (default budget 1)
    identify_as_mock: bool = True
    content: bytes = MP4  # what a completed job's content serves
    content_type: str = "video/mp4"


@dataclass
class State:
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    creates: int = 0
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _error(
    status: int, message: str, kind: str = "invalid_request_error", param: str | None = None
) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind, "code": None, "param": param}}, status)


def create_app(behaviour: Behaviour, state: State, on_die: Any = None) -> Starlette:
    def now() -> int:
        return int(time.time() * 1000) if behaviour.ms_timestamps else int(time.time())

    def view(job: dict[str, Any]) -> dict[str, Any]:
        elapsed = time.monotonic() - job["_t0"]
        js = behaviour.job_seconds
        out = {k: v for k, v in job.items() if not k.startswith("_")}
        if behaviour.never_finish or elapsed < js / 3:
            status, progress = "queued", 0
        elif elapsed < js:
            status, progress = "in_progress", min(99, int(100 * elapsed / js))
        elif job["prompt"] and "fail" in job["prompt"]:
            status, progress = "failed", 100
        else:
            status, progress = "completed", 100
        if status == "in_progress" and behaviour.bad_status:
            status = behaviour.bad_status
        out["status"] = status
        out["progress"] = progress
        if status == "completed":
            out["completed_at"] = job["created_at"]
            out["expires_at"] = job["created_at"] + (3600_000 if behaviour.ms_timestamps else 3600)
        if status == "failed":
            out["error"] = {"code": "moderation_blocked", "message": "prompt rejected"}
        if behaviour.echo_seconds_as_int:
            out["seconds"] = int(out["seconds"])
        return out

    def authorised(request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {behaviour.token}"

    async def create(request: Request) -> Response:
        if not authorised(request):
            return _error(401, "Incorrect API key provided", "invalid_api_key")
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _error(400, "body must be JSON")
        if not isinstance(body, dict):
            return _error(400, "body must be an object")
        problems = []
        prompt = body.get("prompt")
        if not isinstance(prompt, str) or not prompt:
            problems.append("prompt")
        if "seconds" in body and body["seconds"] not in SECONDS:
            problems.append("seconds")
        if "size" in body and body["size"] not in SIZES:
            problems.append("size")
        if "model" in body and not isinstance(body["model"], str):
            problems.append("model")
        if isinstance(prompt, str) and len(prompt) > 32000:
            problems.append("prompt")
        if "input_reference" in body:
            ref = body["input_reference"]
            if (
                not isinstance(ref, dict)
                or any(k in ref and not isinstance(ref[k], str) for k in ("image_url", "file_id"))
                or ("image_url" in ref and ":" not in str(ref["image_url"]))
            ):
                problems.append("input_reference")
        if set(body) - {"prompt", "seconds", "size", "model", "input_reference"}:
            pass  # unknown fields are ignored, like OpenAI does
        if problems and not behaviour.accept_garbage:
            return _error(400, f"invalid value for {problems[0]}", param=problems[0])
        with state.lock:
            state.creates += 1
        job_id = f"video_{uuid.uuid4().hex[:16]}"
        job = {
            "id": job_id,
            "object": "video",
            "model": body.get("model") if isinstance(body.get("model"), str) else "sora-2",
            "status": "queued",
            "progress": 0,
            "created_at": now(),
            "completed_at": None,
            "expires_at": None,
            "prompt": prompt if isinstance(prompt, str) else "",
            "size": body.get("size") if body.get("size") in SIZES else "720x1280",
            "seconds": body.get("seconds") if body.get("seconds") in SECONDS else "4",
            "remixed_from_video_id": None,
            "error": None,
            "_t0": time.monotonic(),
        }
        state.jobs[job_id] = job
        return JSONResponse(view(job))

    async def list_videos(request: Request) -> Response:
        if not authorised(request):
            return _error(401, "Incorrect API key provided", "invalid_api_key")
        limit = request.query_params.get("limit", "20")
        order = request.query_params.get("order", "desc")
        if not limit.isdigit() or not 0 <= int(limit) <= 100 or order not in ("asc", "desc"):
            return _error(400, "invalid query")
        data = [view(j) for j in list(state.jobs.values())[: int(limit)]]
        return JSONResponse(
            {
                "object": "list",
                "data": data,
                "first_id": data[0]["id"] if data else None,
                "last_id": data[-1]["id"] if data else None,
                "has_more": False,
            }
        )

    async def retrieve(request: Request) -> Response:
        if not authorised(request):
            return _error(401, "Incorrect API key provided", "invalid_api_key")
        job = state.jobs.get(request.path_params["video_id"])
        if job is None:
            return _error(404, "No such video", "not_found")
        headers = {"Retry-After": behaviour.retry_after} if behaviour.retry_after else None
        return JSONResponse(view(job), headers=headers)

    async def delete(request: Request) -> Response:
        if not authorised(request):
            return _error(401, "Incorrect API key provided", "invalid_api_key")
        job = state.jobs.pop(request.path_params["video_id"], None)
        if job is None:
            return _error(404, "No such video", "not_found")
        return JSONResponse({"object": "video.deleted", "deleted": True, "id": job["id"]})

    async def content(request: Request) -> Response:
        if not authorised(request):
            return _error(401, "Incorrect API key provided", "invalid_api_key")
        variant = request.query_params.get("variant", "video")
        if variant not in ("video", "thumbnail", "spritesheet"):
            return _error(400, "invalid variant")
        job = state.jobs.get(request.path_params["video_id"])
        if job is None:
            return _error(404, "No such video", "not_found")
        if view(job)["status"] != "completed":
            return _error(409, "Video is not completed")
        return Response(behaviour.content, media_type=behaviour.content_type)

    async def remix(request: Request) -> Response:
        if not authorised(request):
            return _error(401, "Incorrect API key provided", "invalid_api_key")
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _error(400, "body must be JSON")
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("prompt"), str)
            or not 0 < len(body["prompt"]) <= 32000
        ):
            return _error(400, "invalid value for prompt", param="prompt")
        source = state.jobs.get(request.path_params["video_id"])
        if source is None:
            return _error(404, "No such video", "not_found")
        if view(source)["status"] != "completed":
            return _error(409, "Video is not completed")
        with state.lock:
            state.creates += 1
        job = {
            **source,
            "id": f"video_{uuid.uuid4().hex[:16]}",
            "prompt": body["prompt"],
            "remixed_from_video_id": source["id"],
            "_t0": time.monotonic(),
            "created_at": now(),
        }
        state.jobs[job["id"]] = job
        return JSONResponse(view(job))

    async def stats(request: Request) -> Response:
        return JSONResponse({"creates": state.creates, "requests": state.requests})

    class Faults:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http" or scope["path"].startswith("/__specforge__"):
                await self.app(scope, receive, send)
                return
            with state.lock:
                state.requests += 1
                count = state.requests
            fault = behaviour.fault
            applies = fault and (
                not behaviour.fault_paths or any(scope["path"].startswith(p) for p in behaviour.fault_paths)
            )
            if applies and fault == "hang":
                await asyncio.sleep(2)
            if applies and fault == "reset":
                # promise a body, send a byte, fail: uvicorn drops the connection mid-response
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", b"100000")],
                    }
                )
                await send({"type": "http.response.body", "body": b"{", "more_body": True})
                raise ConnectionResetError("fault injection: reset")
            if applies and fault == "429":
                await Response("slow down", 429, headers={"Retry-After": "0.05"})(scope, receive, send)
                return
            if applies and fault == "5xx":
                await Response("upstream overloaded", 503)(scope, receive, send)
                return
            if applies and fault == "invalid-json":
                await Response(b'{"id": "video_1", "status": ', 200, media_type="application/json")(
                    scope, receive, send
                )
                return
            if applies and fault == "oversized":
                await Response(
                    b'{"pad": "' + b"x" * (12 * 1024 * 1024) + b'"}', 200, media_type="application/json"
                )(scope, receive, send)
                return
            if fault and fault.startswith("die-after:") and count > int(fault.split(":")[1]) and on_die:
                on_die()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", b"100000")],
                    }
                )
                raise ConnectionResetError("fault injection: dying")
            await self.app(scope, receive, send)

    async def videos(request: Request) -> Response:
        return await (create(request) if request.method == "POST" else list_videos(request))

    async def video(request: Request) -> Response:
        return await (delete(request) if request.method == "DELETE" else retrieve(request))

    app = Starlette(
        routes=[
            Route("/v1/videos", videos, methods=["GET", "POST"]),
            Route("/v1/videos/{video_id}", video, methods=["GET", "DELETE"]),
            Route("/v1/videos/{video_id}/content", content, methods=["GET"]),
            Route("/v1/videos/{video_id}/remix", remix, methods=["POST"]),
            Route("/__specforge__/stats", stats, methods=["GET"]),
        ]
    )
    faults = Faults(app)
    if not behaviour.identify_as_mock:
        return faults  # type: ignore[return-value]

    async def identified(scope: Any, receive: Any, send: Any) -> None:
        async def tagged(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"x-specforge-mock", b"fake")],
                }
            await send(message)

        await faults(scope, receive, tagged)

    return identified  # type: ignore[return-value]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(behaviour: Behaviour | None = None) -> Iterator[tuple[str, State]]:
    """Run the provider on 127.0.0.1 in a thread; yields (base URL, server-side state)."""
    behaviour = behaviour or Behaviour()
    state = State()
    port = free_port()
    server: uvicorn.Server

    def die() -> None:
        server.should_exit = True

    app = create_app(behaviour, state, on_die=die)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("fake provider did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", state
    finally:
        server.should_exit = True
        thread.join(timeout=5)
