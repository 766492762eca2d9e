"""Ctrl-C and SIGTERM end a long run the same way: as a ``KeyboardInterrupt`` the run catches to
finish and write its partial report, never as a silent kill (SIGTERM's default) that loses it."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FrameType


@dataclass
class Interruption:
    """Which signal stopped the run (None while none did)."""

    signal: str | None = None

    @property
    def reason(self) -> str:
        return f"interrupted by {self.signal}" if self.signal else ""


@contextlib.contextmanager
def interruptible(on_signal: Callable[[], object] | None = None) -> Iterator[Interruption]:
    """While inside, SIGINT and SIGTERM raise ``KeyboardInterrupt`` in the main thread — once: a
    second signal is only recorded, so the partial report that follows is still written.
    ``on_signal`` is called first, inside the signal handler (so it must not take a lock the main
    thread may hold: start a thread for real work). Outside the main
    thread (signals cannot be handled there) it only yields."""
    seen = Interruption()
    if threading.current_thread() is not threading.main_thread():
        yield seen
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        first = seen.signal is None
        seen.signal = signal.Signals(signum).name
        if on_signal is not None:
            on_signal()
        if first:
            raise KeyboardInterrupt(seen.reason)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield seen
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
