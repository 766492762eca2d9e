"""From a logical pointer (see :mod:`specforge.diff.engine`) to a line of the SOURCE document.

The walk follows the logical pointer's tokens through the source's raw data, following the
source's own ``$ref``s where it has them (a component the source calls ``VideoJob`` is
``VideoResource`` after normalizing; an inline body schema was hoisted — the tokens from the
operation down are the same either way) and mapping the normalized path key (``/v1/videos``) back to
the source's spelling (``/videos`` under a ``…/v1`` server). Where the source has no such node (a
3.0 ``nullable`` became an ``anyOf`` in 3.1) the deepest node reached is the answer."""

from __future__ import annotations

from typing import Any

from specforge.core import pointer as jp
from specforge.openapi.operations import full_path, server_prefix


def source_pointer(data: Any, logical: str) -> str:
    """The concrete pointer in ``data`` (a source document) where ``logical`` lands."""
    if not logical:
        return ""
    tokens = jp.parts(logical)
    node: Any = data
    concrete: list[str] = []
    for index, token in enumerate(tokens):
        node, concrete = _follow(data, node, concrete)
        if index == 1 and tokens[0] == "paths" and isinstance(node, dict):
            token = _source_path(data, token)
        if isinstance(node, dict) and token in node:
            node = node[token]
            concrete.append(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
            concrete.append(token)
        else:
            break
    return jp.join(*concrete) if concrete else ""


def _follow(data: Any, node: Any, concrete: list[str]) -> tuple[Any, list[str]]:
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
        ref = node["$ref"]
        if ref in seen:
            break
        seen.add(ref)
        try:
            target = jp.resolve(data, ref[1:])
        except (KeyError, ValueError):
            break
        node, concrete = target, jp.parts(ref[1:])
    return node, list(concrete)


def _source_path(data: Any, normalized: str) -> str:
    paths = data.get("paths") if isinstance(data, dict) else None
    if not isinstance(paths, dict) or normalized in paths:
        return normalized
    prefix = server_prefix(data.get("servers"))
    for key, item in paths.items():
        item_prefix = server_prefix(item.get("servers")) if isinstance(item, dict) else ""
        if isinstance(key, str) and full_path(item_prefix or prefix, key) == normalized:
            return key
    return normalized
