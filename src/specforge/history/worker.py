"""Nightly worker processes.

``python -m specforge.history.worker FD`` starts a *zygote*: a fresh interpreter (never a fork of
the nightly process, which may hold server or progress threads) that imports the runner — and with
it the whole check machinery — once, then forks one worker per request. Forking a single-threaded
process that has already imported everything is safe and costs milliseconds instead of the
seconds an import takes, and the workers share the imported pages copy-on-write. This is what
lets 20 providers cost little more than one.

Protocol over the socket ``FD`` (``multiprocessing.connection`` framing):
zygote: parent sends ``(runner reference, sys.path)``, zygote answers ``("ready", None)`` or
``("error", text)``; then ``("fork",)`` -> ``("forked", pid)`` followed by the worker's socket
(SCM_RIGHTS), ``("status", pid)`` -> ``("status", exit code or None)``, ``None`` to stop.
worker: parent sends a Provider, worker answers ``(kind, payload)``; ``None`` to stop.
"""

from __future__ import annotations

import importlib
import os
import signal
import socket
import sys
import time
import traceback
from multiprocessing.connection import Connection
from multiprocessing.reduction import send_handle
from typing import Any


def resolve(reference: str) -> Any:
    module_name, _, qualname = reference.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def preload(reference: str) -> None:
    """Import what the runner's module lists in ``NIGHTLY_PRELOAD`` (modules it imports lazily),
    so every forked worker starts with them loaded. Best effort: a failure shows up in the run."""
    module = sys.modules.get(reference.partition(":")[0])
    for name in getattr(module, "NIGHTLY_PRELOAD", ()):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the check itself will report the real error
            continue


def serve_worker(conn: Connection, runner: Any) -> None:
    """Worker loop: one provider at a time until ``None`` or the parent goes away."""
    from specforge.history.runner import execute

    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if task is None:
            return
        conn.send(execute(runner, task))


class _Zygote:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.statuses: dict[int, int] = {}
        self.runner: Any = None

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.statuses[pid] = os.waitstatus_to_exitcode(status)

    def status(self, pid: int) -> int | None:
        deadline = time.monotonic() + 2.0
        while True:
            self.reap()
            if pid in self.statuses:
                return self.statuses.pop(pid)
            if time.monotonic() > deadline:
                return None
            time.sleep(0.01)

    def fork(self) -> None:
        mine, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # the worker
            try:
                os.setsid()  # its own process group: a timeout kills everything it started
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # the nightly process decides when to stop
                self.conn.close()
                mine.close()
                serve_worker(Connection(theirs.detach()), self.runner)
            finally:
                os._exit(0)
        theirs.close()
        self.conn.send(("forked", pid))
        send_handle(self.conn, mine.fileno(), pid)  # the nightly process talks to the worker on it
        mine.close()

    def serve(self) -> None:
        reference, path = self.conn.recv()
        sys.path[:] = [*path, *(p for p in sys.path if p not in path)]
        try:
            self.runner = resolve(reference)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which records it per provider
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            self.conn.send(("error", f"cannot load runner {reference}: {detail}"))
            return
        preload(reference)
        self.conn.send(("ready", None))
        while True:
            try:
                request = self.conn.recv()
            except (EOFError, OSError):
                return
            self.reap()
            if request is None:
                return
            if request[0] == "fork":
                self.fork()
            elif request[0] == "status":
                self.conn.send(("status", self.status(request[1])))


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = Connection(int(args[0]))
    try:
        _Zygote(conn).serve()
    finally:
        conn.close()


if __name__ == "__main__":
    main()
