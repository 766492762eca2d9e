"""The one place that decides what specforge may read: every document, config file and cassette
is read through :func:`read_regular`, and every ``$ref`` target any library wants to follow
(openapi-spec-validator through jsonschema-path, jsonschema through referencing, schemathesis)
is handed to :class:`RefGuard`: core.refs' one resolver, which serves files inside the project
folder and refuses the rest (lint and ``check --spec`` follow refs through the same resolver).

Why here and not in each library's own resolver: each of those libraries fetches ``http(s)://``
and opens ``file:`` URLs by default, so one hostile ``$ref`` would read ``/etc/passwd`` into a
finding or send a GET; one guard passed to all of them is the only way every path is covered.

* **Special files are refused before reading**: the file is opened non-blocking (a FIFO with no
  writer does not hang), ``fstat``-ed, and anything but a regular file (FIFO, ``/dev/zero``,
  ``<(yes)``, a directory) is an :class:`InputError`; the byte limit is enforced while reading,
  so it also holds if a file grows.
* **Refs stay inside the folder**: the target is resolved (symlinks followed) and must lie inside
  ``root``; remote URLs are never fetched (``RefResolver.load`` decides both).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from specforge.core.errors import InputError

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def file_kind(mode: int) -> str:
    """What a non-regular file is, for messages ("a FIFO (named pipe)")."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def read_regular(path: str | Path, *, max_bytes: int, display: str | None = None) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them; InputError (with
    the file and a fix) for a missing, unreadable, special or oversized file."""
    name = display or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError("file not found", file=name, hint="check the path") from None
    except IsADirectoryError:
        raise InputError(
            "is a directory, not a document", file=name, hint="name a .yaml or .json file"
        ) from None
    except OSError as exc:
        raise InputError(
            f"cannot read file: {exc.strerror}", file=name, hint="check the file's permissions"
        ) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError("is a directory, not a document", file=name, hint="name a .yaml or .json file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(
                f"is {file_kind(info.st_mode)}, not a regular file: refused before reading",
                file=name,
                hint="save the content to a regular file and pass that",
            )
        if info.st_size > max_bytes:
            raise _too_big(name, info.st_size, max_bytes)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise _too_big(name, total, max_bytes)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(
            f"cannot read file: {exc.strerror}", file=name, hint="check the file's permissions"
        ) from None
    finally:
        os.close(fd)


def _too_big(name: str, size: int, limit: int) -> InputError:
    return InputError(
        f"file is {size:,} bytes, over the {limit:,}-byte limit",
        file=name,
        hint="split the document, or raise the limit deliberately",
    )


def read_text(path: str | Path, *, max_bytes: int = 50 * 1024 * 1024, display: str | None = None) -> str:
    """:func:`read_regular` decoded as UTF-8 (BOM allowed); InputError naming the line otherwise."""
    raw = read_regular(path, max_bytes=max_bytes, display=display)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
            file=display or str(path),
            line=line,
            hint="re-save it as UTF-8",
        ) from None


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (symlinks resolved) lies in ``root``."""
    return path.resolve().is_relative_to(root.resolve())


class RefGuard:
    """The one ``$ref`` resolver (:class:`specforge.core.refs.RefResolver`) as third-party
    libraries want it: a ``load(uri)`` callable, jsonschema-path handlers, a referencing registry.
    Files inside ``root`` are served, nothing else; ``root`` ``None`` refuses every file.
    ``base_uri`` is what to tell a library the document's own address is."""

    def __init__(self, root: Path | None, *, document: Path | None = None) -> None:
        from specforge.core.refs import IN_MEMORY, RefResolver

        self.resolver = RefResolver(root=root)
        self.root = self.resolver.root
        spec = (
            document.resolve()
            if document is not None
            else (self.root / "openapi.yaml")
            if self.root is not None
            else None
        )
        self.base_uri = spec.as_uri() if spec is not None else IN_MEMORY

    @property
    def refused(self) -> list[str]:
        """Every URI refused, for callers that want to report them."""
        return self.resolver.refused

    def load(self, uri: str) -> Any:
        """The data at ``uri`` (a file inside ``root``), loaded with specforge's limits."""
        return self.resolver.load(uri).data

    def handlers(self) -> Mapping[str, Callable[[str], Any]]:
        """jsonschema-path / openapi-spec-validator ``handlers``: every scheme goes to
        :meth:`load` (the library's fallback to ``urlopen`` is never reached)."""
        return _EveryScheme(self.load)

    def registry(self) -> Any:
        """The resolver's ``referencing.Registry``, for jsonschema validators: without one,
        jsonschema falls back to fetching unknown ``$ref`` URLs with urlopen."""
        return self.resolver.registry


class _EveryScheme(Mapping[str, Callable[[str], Any]]):
    """A handler table that answers every scheme with one handler."""

    def __init__(self, handler: Callable[[str], Any]) -> None:
        self._handler = handler

    def __getitem__(self, scheme: str) -> Callable[[str], Any]:
        return self._handler

    def __contains__(self, scheme: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(("", "file", "http", "https"))

    def __len__(self) -> int:
        return 4


def openapi_validator(data: dict[str, Any], version: str, guard: RefGuard | None = None) -> Any:
    """openapi-spec-validator's validator for ``data`` ("3.0" or "3.1"), resolving refs only
    through ``guard`` (default: no files at all). The one way specforge runs that library."""
    from jsonschema_path import SchemaPath
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    guard = guard or RefGuard(None)
    cls = OpenAPIV30SpecValidator if version.startswith("3.0") else OpenAPIV31SpecValidator
    return cls(SchemaPath.from_dict(data, base_uri=guard.base_uri, handlers=guard.handlers()))
