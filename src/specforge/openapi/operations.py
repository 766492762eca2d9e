"""Operations, their kinds and server prefixes: the one place that says "the create operation"
whatever path spelling (``/videos`` under a ``…/v1`` server, ``/v1/videos``, ``{id}`` or
``{video_id}``) a vendor uses. normalize, merge, lint, mock, check and ingest all classify
through :func:`operation_kind`; what a consumer does with a kind it does not serve (the mock's
``static``, check's ``other``) is its own business."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: methods that never create a job (and so never spend budget)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "TRACE"})

#: (method, path template from its ``/videos`` segment on, parameters blanked to ``{}``) -> kind
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
#: the job lifecycle's own operations (what a mock serves with state, what check drives)
JOB_KINDS = frozenset({"create", "list", "retrieve", "delete", "content", "remix"})

_PARAM = re.compile(r"\{[^}/]*\}")
_VIDEOS = re.compile(r"(?:^|/)videos(?=/|$)")


def template(path: str) -> str:
    """``/v1/videos/{video_id}`` -> ``/videos/{}``: the spelling-independent form of a path."""
    path = _PARAM.sub("{}", path.rstrip("/") or "/")
    if path.startswith("/v1/") or path == "/v1":
        path = path[3:] or "/"
    return path


def operation_kind(method: str, path: str) -> str:
    """The kind of operation ``method path`` is ("create", "retrieve", ...), whatever prefix
    precedes the ``/videos`` segment (``/v1``, ``/api/v2``); paths the table does not know get a
    stable slug such as ``get_videos_x_thumbnail``."""
    method = method.lower()
    shape = template(path)
    found = _VIDEOS.search(shape)
    tail = "/" + shape[found.start() :].lstrip("/") if found else shape
    known = _KINDS.get((method, tail))
    if known:
        return known
    slug = re.sub(r"[^a-z0-9]+", "_", shape.replace("{}", "x").lower()).strip("_")
    return f"{method}_{slug}" if slug else method


#: last path segments that name a job-creating POST in task-style APIs without a ``/videos`` path
_CREATE_WORDS = ("videos", "video", "generations", "create", "tasks", "jobs", "submit")


def job_kind(method: str, path: str, *, guess: bool = False) -> str:
    """The operation's role in the job lifecycle: one of :data:`JOB_KINDS`, else "other" (the
    character, edit and extension operations too). Paths without a ``/videos`` segment are
    "other" unless ``guess``: then a task-style API (``POST /v2/generations``, ``GET /tasks/{id}``)
    is read by method and shape, which is what check needs against an arbitrary live endpoint."""
    kind = operation_kind(method, path)
    if kind in JOB_KINDS:
        return kind
    shape = _PARAM.sub("{}", path.rstrip("/"))
    if not guess or _VIDEOS.search(template(path)):
        return "other"
    method = method.upper()
    if method == "POST" and shape.endswith("/remix"):
        return "remix"
    if method == "GET" and shape.endswith("/content"):
        return "content"
    last = shape.rsplit("/", 1)[-1]
    if method == "POST" and not shape.endswith("}") and (last in _CREATE_WORDS or shape.count("/") <= 2):
        return "create"
    if method == "GET":
        return "retrieve" if shape.endswith("{}") else "list"
    return "delete" if method == "DELETE" else "other"


def kind_sort_key(kind: str) -> tuple[int, str]:
    return (KIND_ORDER.index(kind), "") if kind in KIND_ORDER else (len(KIND_ORDER), kind)


def creates_job(method: str) -> bool:
    """Whether a request with this method may create (and bill) a job."""
    return method.upper() not in SAFE_METHODS


def path_pattern(path_template: str) -> re.Pattern[str]:
    """A regex that fullmatches the concrete paths of ``/videos/{video_id}`` (parameters are named
    ``p1``, ``p2``, … in order, one path segment each)."""
    pattern = ""
    for index, piece in enumerate(re.split(r"\{[^}]*\}", path_template)):
        if index:
            pattern += f"(?P<p{index}>[^/]+)"
        pattern += re.escape(piece)
    return re.compile(pattern)


# -- servers -----------------------------------------------------------------------------------
def server_path(url: str) -> str:
    """``https://api.openai.com/v1/`` -> ``/v1``; a relative URL (``/v1``) is its own path."""
    return urlsplit(url).path.rstrip("/")


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
        split_server_url(s["url"])[1]
        for s in servers
        if isinstance(s, dict) and isinstance(s.get("url"), str)
    }
    return prefixes.pop() if len(prefixes) == 1 else ""


def base_path(document: Any) -> str:
    """The path a client puts before the spec's paths: the first server URL's path (``/v1``)."""
    servers = document.get("servers") if isinstance(document, dict) else None
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        return server_path(str(servers[0].get("url", "")))
    return ""


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
