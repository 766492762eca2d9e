"""Operation kinds and server prefixes: the vocabulary normalize, merge and lint share to say
"the create operation" whatever path spelling (``/videos`` under a ``…/v1`` server, ``/v1/videos``,
``{id}`` or ``{video_id}``) a vendor uses."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

#: (method, path template with parameters blanked to ``{}`` and without ``/v1``) -> kind
_KINDS: dict[tuple[str, str], str] = {
    ("post", "/videos"): "create",
    ("get", "/videos"): "list",
    ("get", "/videos/{}"): "retrieve",
    ("delete", "/videos/{}"): "delete",
    ("get", "/videos/{}/content"): "content",
    ("post", "/videos/{}/remix"): "remix",
    ("post", "/videos/edits"): "edit",
    ("post", "/videos/extensions"): "extend",
    ("post", "/videos/characters"): "create_character",
    ("get", "/videos/characters/{}"): "retrieve_character",
}

#: the order operations are listed in (reports, matrices); unknown kinds sort after, by name
KIND_ORDER: tuple[str, ...] = (
    "create",
    "retrieve",
    "content",
    "list",
    "delete",
    "remix",
    "edit",
    "extend",
    "create_character",
    "retrieve_character",
)

_PARAM = re.compile(r"\{[^}/]*\}")


def template(path: str) -> str:
    """``/v1/videos/{video_id}`` -> ``/videos/{}``: the spelling-independent form of a path."""
    path = _PARAM.sub("{}", path.rstrip("/") or "/")
    if path.startswith("/v1/") or path == "/v1":
        path = path[3:] or "/"
    return path


def operation_kind(method: str, path: str) -> str:
    """The kind of operation ``method path`` is ("create", "retrieve", ...); paths the table does
    not know get a stable slug such as ``get_videos_x_thumbnail``."""
    method = method.lower()
    shape = template(path)
    known = _KINDS.get((method, shape))
    if known:
        return known
    slug = re.sub(r"[^a-z0-9]+", "_", shape.replace("{}", "x").lower()).strip("_")
    return f"{method}_{slug}" if slug else method


def kind_sort_key(kind: str) -> tuple[int, str]:
    return (KIND_ORDER.index(kind), "") if kind in KIND_ORDER else (len(KIND_ORDER), kind)


def split_server_url(url: str) -> tuple[str, str]:
    """``https://api.openai.com/v1/`` -> (``https://api.openai.com``, ``/v1``). A relative URL
    (``/v1``) has an empty origin. URLs with server variables in the path are left whole."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if "{" in path:
        return url, ""
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme or parts.netloc else ""
    return origin, path


def server_prefix(servers: Any) -> str:
    """The path prefix every server in ``servers`` shares (``/v1``), or "" when they disagree."""
    if not isinstance(servers, list) or not servers:
        return ""
    prefixes = {
        split_server_url(s["url"])[1] for s in servers if isinstance(s, dict) and isinstance(s.get("url"), str)
    }
    return prefixes.pop() if len(prefixes) == 1 else ""


def full_path(prefix: str, path: str) -> str:
    """``/v1`` + ``/videos`` -> ``/v1/videos``; a path that already carries the prefix stays."""
    if not prefix or path == prefix or path.startswith(prefix + "/"):
        return path
    return prefix + (path if path.startswith("/") else "/" + path)


def iter_operations(document: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """(path key, method, operation) for every operation, in document order."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    paths = document.get("paths") if isinstance(document, dict) else None
    if not isinstance(paths, dict):
        return out
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                out.append((path, method, operation))
    return out
