"""The one check of an endpoint URL a user gives (``check URL``, providers.toml ``base_url``,
``[variants.X] base_url``): malformed URLs are bad input (exit 2) before anything connects, never
an "unreachable endpoint" (exit 3) or a traceback from ``urllib.parse``."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from specforge.core.errors import InputError

_USERINFO = re.compile(r"(//)[^/@?#]*@")


def shown(url: str) -> str:
    """``url`` with any ``user:password@`` masked, for messages."""
    return _USERINFO.sub(r"\1***@", url)


def url_problem(url: Any) -> str | None:
    """Why ``url`` is not a usable http(s) endpoint URL, or None when it is."""
    if not isinstance(url, str):
        return f"must be a string, not {type(url).__name__}"
    if not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return "contains spaces or control characters" if url else "is empty"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535", "Port could not be cast..."
        return f"is malformed ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"has scheme `{parts.scheme or 'none'}:`, not http or https"
    if not parts.hostname:
        return "names no host"
    if port == 0:
        return "has port 0, which names no server"
    return None


def check_url(url: Any, *, what: str = "endpoint URL", **where: Any) -> str:
    """``url`` when it is a usable http(s) URL; InputError (exit 2) with a fix otherwise."""
    problem = url_problem(url)
    if problem is not None:
        text = shown(url) if isinstance(url, str) else repr(url)
        raise InputError(f"{what} {text!r} {problem}", hint="pass e.g. https://api.example.com/v1", **where)
    return str(url)
