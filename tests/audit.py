"""Proof that a command reads nothing outside the project and talks to nothing but its endpoint:
an audit hook (``sys.addaudithook``) on ``open`` and ``socket.connect`` records, while an
:func:`audited` block is active, every file the process opens and every address it connects to.

Audit hooks cannot be removed, so one hook is installed on import and is a no-op outside a
block. Files that any Python program opens (the interpreter's own library, installed packages,
specforge's package data, /dev/null, /proc/self) are allowed; everything else must lie inside
the folders the test allows (the project, files named on the command line)."""

from __future__ import annotations

import os
import socket
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import specforge

_SYSTEM = tuple(
    str(Path(p).resolve())
    for p in {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        os.path.dirname(os.__file__),
        str(Path(specforge.__file__).parent),
        "/usr/lib",
        "/usr/local/lib",
        "/usr/share",
        "/proc/self",
        "/dev/null",
        "/dev/urandom",
        "/etc/localtime",
        "/etc/mime.types",
        "/etc/ssl",
        "/etc/pki",
    }
)


@dataclass
class Audit:
    allowed: list[Path]
    endpoints: set[tuple[str, int]] = field(default_factory=set)
    opened: list[str] = field(default_factory=list)
    connected: list[Any] = field(default_factory=list)

    def outside(self) -> list[str]:
        """Opened paths that are neither allowed nor the interpreter's own."""
        roots = [str(p.resolve()) for p in self.allowed]
        bad = []
        for raw in self.opened:
            real = os.path.realpath(raw)
            if any(real == r or real.startswith(r.rstrip("/") + "/") for r in (*roots, *_SYSTEM)):
                continue
            bad.append(raw)
        return bad

    def stray_sockets(self) -> list[Any]:
        return [a for a in self.connected if not (isinstance(a, tuple) and tuple(a[:2]) in self.endpoints)]

    def assert_clean(self, what: str) -> None:
        assert not self.outside(), f"{what}: opened outside the project: {self.outside()}"
        assert not self.stray_sockets(), f"{what}: connected to {self.stray_sockets()}"


_ACTIVE: list[Audit] = []
_LOCK = threading.Lock()


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not _ACTIVE:
        return
    if event == "open":
        path = args[0]
        if isinstance(path, int):
            return
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        path = os.path.abspath(str(path))
        with _LOCK:
            for audit in _ACTIVE:
                audit.opened.append(path)
    elif event == "socket.connect":
        sock, address = args
        if isinstance(sock, socket.socket) and sock.family == getattr(socket, "AF_UNIX", None):
            address = ("unix", str(address))
        with _LOCK:
            for audit in _ACTIVE:
                audit.connected.append(address)


sys.addaudithook(_hook)


@contextmanager
def audited(
    *, allowed: Sequence[Path], argv: Sequence[str] = (), endpoints: Sequence[tuple[str, int]] = ()
) -> Iterator[Audit]:
    """Record opens and connects inside the block. Files named on the command line (``argv``
    absolute paths) count as allowed: the user chose them."""
    named = [Path(a) for a in argv if a.startswith("/")]
    # an output named on the command line is written through a temp file next to it
    named += [
        Path(a).parent
        for flag, a in zip(argv, argv[1:], strict=False)
        if flag in ("-o", "--output", "--out", "--report-dir") and a.startswith("/")
    ]
    audit = Audit(allowed=[*allowed, *named], endpoints=set(endpoints))
    _ACTIVE.append(audit)
    try:
        yield audit
    finally:
        _ACTIVE.remove(audit)


class Canary:
    """An HTTP server on 127.0.0.1 that counts requests: a hostile ``$ref`` or ``extends``
    pointing here must never reach it."""

    def __init__(self) -> None:
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                canary.hits += 1
                body = b"openapi: 3.1.0\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.hits = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Canary:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
