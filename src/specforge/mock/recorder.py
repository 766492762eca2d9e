"""What the mock received, for harnesses that stand on the far side of a relay
(``specforge relay-check``): one record per API request — method, path, query, the body fields as
parsed (files as name and size), which credential came (only its SHA-256: the recorder never keeps
a token), and the answer's status, headers and JSON body. Off unless the app is created with
``record=True``; then ``GET /__specforge__/exchanges`` serves the records and ``DELETE`` clears them."""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

from specforge.mock.schema import FormFile

EXCHANGES_PATH = "/__specforge__/exchanges"
#: request headers that carry credentials: kept only as the SHA-256 of their value
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie"})
MAX_RECORDS = 10_000
MAX_BODY_CHARS = 16 * 1024


def credential_sha256(value: str) -> str:
    """The digest the recorder stores for a bearer value (compare, never reverse)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def plain(value: Any) -> Any:
    """Body fields as JSON data: form files become ``{"file": name, "size": bytes}``; a field sent
    once is its value, sent several times a list."""
    if isinstance(value, FormFile):
        return {"file": value.filename, "size": value.size}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = [plain(v) for v in value]
        return items[0] if len(items) == 1 else items
    return value


class Recorder:
    """Thread-safe, bounded list of received exchanges (the oldest are dropped past the bound)."""

    def __init__(self, limit: int = MAX_RECORDS) -> None:
        self.limit = limit
        self._records: list[dict[str, Any]] = []
        self._seq = 0
        self._lock = threading.Lock()

    def start(self, method: str, path: str, query: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
        kept: dict[str, str] = {}
        credentials: dict[str, str] = {}
        for raw_name, raw_value in headers:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            if name in SECRET_HEADERS:
                scheme, _, rest = value.partition(" ")
                credentials[name] = credential_sha256(
                    rest.strip() if scheme.lower() == "bearer" and rest else value.strip()
                )
            else:
                kept[name] = value
        record = {
            "time": round(time.time(), 4),
            "method": method,
            "path": path,
            "query": query,
            "headers": kept,
            "credentials_sha256": credentials,
            "fields": None,
            "status": None,
            "response_headers": {},
            "response_body": None,
        }
        # kept from the start: a request the mock never answers (the client went away) still counts
        with self._lock:
            self._seq += 1
            record = {"seq": self._seq, **record}
            self._records.append(record)
            if len(self._records) > self.limit:
                del self._records[: len(self._records) - self.limit]
        return record

    def finish(
        self, record: dict[str, Any], status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> None:
        """The answer to a request ``start`` recorded (``status`` stays None if none was sent)."""
        import json

        record["status"] = status
        record["response_headers"] = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in headers}
        if (
            record["response_headers"].get("content-type", "").startswith("application/json")
            and len(body) <= MAX_BODY_CHARS
        ):
            try:
                record["response_body"] = json.loads(body)
            except ValueError:
                record["response_body"] = None

    def records(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._records]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
