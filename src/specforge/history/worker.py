"""A nightly worker process: ``python -m specforge.history.worker FD``. Receives the runner's
import path and ``sys.path`` first, then providers one at a time over the socket ``FD``; answers
each with ``(kind, normalised result or error text)``. A fresh interpreter, not a fork: the
parent may hold threads (mock servers, progress) that must not be forked."""

from __future__ import annotations

import importlib
import sys
from multiprocessing.connection import Connection
from typing import Any


def resolve(reference: str) -> Any:
    module_name, _, qualname = reference.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def serve(conn: Connection) -> None:
    from specforge.history.runner import execute

    reference, path = conn.recv()
    sys.path[:] = [*path, *(p for p in sys.path if p not in path)]
    runner = resolve(reference)
    conn.send(("ready", None))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if task is None:
            return
        conn.send(execute(runner, task))


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    conn = Connection(int(args[0]))
    try:
        serve(conn)
    except KeyboardInterrupt:
        pass
    finally:
        conn.close()


if __name__ == "__main__":
    main()
