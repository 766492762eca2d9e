"""RFC 6901 JSON pointers: the one way every package names a place inside a document."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


def escape(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join(*tokens: str | int) -> str:
    """``join("paths", "/v1/videos")`` -> ``/paths/~1v1~1videos``."""
    return "".join("/" + escape(t) for t in tokens)


def child(pointer: str, token: str | int) -> str:
    return f"{pointer}/{escape(token)}"


def parts(pointer: str) -> list[str]:
    if pointer in ("", "#"):
        return []
    if pointer.startswith("#"):
        pointer = pointer[1:]
    if not pointer.startswith("/"):
        raise ValueError(f"JSON pointer must start with '/': {pointer!r}")
    return [unescape(p) for p in pointer[1:].split("/")]


def ancestry(document: Any, pointer: str) -> Iterator[Any]:
    """The nodes from the root down ``pointer``, the root first, as far as the path exists (an
    invalid pointer yields the root alone): what is inherited along a path (``$id`` bases,
    ``x-specforge-ignore`` markers) is read from these."""
    node = document
    yield node
    try:
        tokens = parts(pointer)
    except ValueError:
        return
    for token in tokens:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return
        yield node


def resolve(document: Any, pointer: str | Iterable[str]) -> Any:
    """The value at ``pointer``; ``KeyError`` when it does not exist."""
    node = document
    for token in parts(pointer) if isinstance(pointer, str) else pointer:
        if isinstance(node, dict):
            if token not in node:
                raise KeyError(token)
            node = node[token]
        elif isinstance(node, list):
            if not token.isdigit() or int(token) >= len(node):
                raise KeyError(token)
            node = node[int(token)]
        else:
            raise KeyError(token)
    return node
