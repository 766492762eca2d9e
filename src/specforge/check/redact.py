"""Keep the API token out of every output: reports, curl lines, the cassette, logs, exceptions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MASK = "***"
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s'\"]+")
_FILTERED = re.compile(r"(?i)(authorization:\s*)\[filtered\]")
_SECRET_HEADERS = {"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie"}


class Redactor:
    """Replaces the token (and any bearer credential) with ``***``; safe to call on any text."""

    def __init__(self, token: str | None) -> None:
        self.token = token or None

    def text(self, value: str) -> str:
        if self.token and self.token in value:
            value = value.replace(self.token, MASK)
        value = _FILTERED.sub(r"\1Bearer " + MASK, value)
        return _BEARER.sub(lambda m: m.group(1) + MASK, value)

    def headers(self, headers: Mapping[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in headers.items():
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            if name.lower() in _SECRET_HEADERS:
                scheme = text.split(" ", 1)[0] if " " in text else ""
                out[name] = f"{scheme} {MASK}" if scheme else MASK
            else:
                out[name] = self.text(text)
        return out

    def data(self, value: Any) -> Any:
        """Deep copy of JSON-like ``value`` with the token masked in every string."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)): self.data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        return value
