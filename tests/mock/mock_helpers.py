"""Helpers shared by the mock tests: specs of every variant, independent response validation
(jsonschema + referencing straight from the spec) and a server fixture that exposes its app."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from specforge.core import load_document
from specforge.mock import Limits, MockApp, MockServer, create_app
from specforge.openapi.upgrade import upgrade

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "specs" / "sources"
VARIANTS = ["openai", "hingnet-sora", "hingnet-veo", "newapi", "xiexus", "aiid"]
TOKEN = "sk-mock-test"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def spec_of(variant: str) -> dict[str, Any]:
    data = load_document(SOURCES / f"{variant}.yaml").data
    assert isinstance(data, dict)
    return data


class SpecValidator:
    """Validates bodies against a spec's response schemas, independently of the mock's code
    (apart from the 3.0 `nullable` upgrade, which jsonschema needs)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = upgrade(spec)
        self.registry: Registry[Any] = Registry().with_resource(
            "urn:spec", Resource.from_contents(self.spec, default_specification=DRAFT202012)
        )
        server = (self.spec.get("servers") or [{}])[0].get("url", "")
        self.prefix = (
            "/" + server.split("://", 1)[-1].partition("/")[2].rstrip("/") if "://" in server else ""
        )
        if self.prefix == "/":
            self.prefix = ""

    def operation(self, method: str, full_path: str) -> dict[str, Any] | None:
        for path, item in self.spec["paths"].items():
            candidates = {path, self.prefix + path}
            if full_path in candidates and method in item:
                return item[method]
        return None

    def response_schema(self, method: str, full_path: str, status: str) -> dict[str, Any] | None:
        op = self.operation(method, full_path)
        if op is None:
            return None
        response = op.get("responses", {}).get(status)
        if response is None:
            return None
        content = response.get("content", {})
        media = next((m for m in content if "json" in m), None)
        return None if media is None else content[media].get("schema")

    def job_schema(self) -> dict[str, Any]:
        """The retrieve response schema, or the create one where retrieve is not documented."""
        for method, path in (("get", "/v1/videos/{video_id}"), ("post", "/v1/videos")):
            for variant_path in (path, path.replace("{video_id}", "{id}")):
                schema = self.response_schema(method, variant_path, "200")
                if schema is not None:
                    return schema
        raise AssertionError("the spec documents no job schema")

    def errors(self, schema: dict[str, Any], instance: Any) -> list[str]:
        validator = Draft202012Validator(_absolute(schema), registry=self.registry)
        return [e.message for e in validator.iter_errors(instance)]

    def assert_valid(self, schema: dict[str, Any], instance: Any) -> None:
        errors = self.errors(schema, instance)
        assert not errors, (errors, instance)


def _absolute(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {
            k: ("urn:spec" + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _absolute(v))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_absolute(v) for v in schema]
    return schema


@contextlib.contextmanager
def running(
    variant: str = "openai",
    *,
    spec: dict[str, Any] | None = None,
    job_seconds: float = 0.2,
    state: Path | None = None,
    limits: Limits | None = None,
    token: str | None = TOKEN,
) -> Iterator[tuple[str, MockApp]]:
    """A mock on 127.0.0.1 in a thread: (base URL, app) so tests can look at its store."""
    app = create_app(
        spec or spec_of(variant),
        variant=variant,
        token=token,
        job_seconds=job_seconds,
        state=state,
        limits=limits,
    )
    server = MockServer(app)
    thread = server.start()
    try:
        yield server.url, app
    finally:
        server.stop(thread)


#: a valid create request per variant: (form?, fields), written from each vendor page's example
VALID_CREATE: dict[str, tuple[bool, dict[str, Any]]] = {
    "openai": (False, {"prompt": "a cat on a skateboard", "seconds": "4", "size": "720x1280"}),
    "hingnet-sora": (
        False,
        {"model": "veo-3.1-fast-generate-preview", "prompt": "a lion", "seconds": 6, "size": "1280x720"},
    ),
    "hingnet-veo": (
        False,
        {
            "model": "veo-3.1-generate-preview",
            "prompt": "a lion",
            "seconds": 6,
            "size": "1280x720",
            "input_reference": ["https://example.com/image.jpg"],
        },
    ),
    "newapi": (False, {"model": "sora-2", "prompt": "a cat", "seconds": 8}),
    "xiexus": (
        True,
        {"model": "kling-v1", "prompt": "a cat", "duration": "5", "width": "1280", "height": "720"},
    ),
    "aiid": (True, {"model": "sora-2", "prompt": "a cat", "seconds": "8"}),
}


def multipart(fields: dict[str, Any], files: dict[str, tuple[str, bytes]] | None = None) -> tuple[bytes, str]:
    """(body, content type) of a multipart/form-data request, text fields and file parts."""
    boundary = "specforge-test-boundary"
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode()
            )
    for name, (filename, data) in (files or {}).items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        parts.append(head.encode() + b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def create(http: httpx.Client, variant: str, **overrides: Any) -> httpx.Response:
    """POST a valid create request for ``variant`` (JSON or multipart, as its spec documents)."""
    form, fields = VALID_CREATE[variant]
    body = {**fields, **overrides}
    if form:
        files = {"image": ("ref.png", b"\x89PNG\r\n\x1a\n")} if variant == "aiid" else None
        content, media = multipart(body, files)
        return http.post("/v1/videos", content=content, headers={"Content-Type": media})
    return http.post("/v1/videos", json=body)


def client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers=AUTH, timeout=10)
