"""The one place that decides what specforge may read: every document, config file and cassette
is read through :func:`read_regular`, and every ``$ref`` target any library wants to follow
(openapi-spec-validator through jsonschema-path, jsonschema through referencing, schemathesis)
is handed to ``specforge.openapi.validation.RefGuard``: core.refs' one resolver, which serves
files inside the project folder and refuses the rest (lint and ``check --spec`` follow refs
through the same resolver).

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
from pathlib import Path

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
