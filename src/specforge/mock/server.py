"""Where a variant's spec comes from, and running the mock under uvicorn: ``serve`` for tests and
scripts (a background thread, a context manager yielding the base URL) and ``MockServer`` for the
CLI (foreground, stops on SIGINT/SIGTERM)."""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specforge.core import Config, InputError, load_config, load_document
from specforge.mock.app import Limits, MockApp
from specforge.mock.profile import Profile, derive_profile
from specforge.mock.store import open_store

DEFAULT_TOKEN = "sk-test"


@dataclass(frozen=True)
class SpecSource:
    """A loaded spec and where it came from (shown by the CLI)."""

    spec: dict[str, Any]
    origin: str


def load_spec(
    variant: str, config: Config | None = None, spec: str | Path | dict[str, Any] | None = None
) -> SpecSource:
    """The variant's contract: an explicit ``spec`` (dict or file), else canonical + overlay
    (``specforge.overlay.load_variant``) once ``specforge merge`` has written them, else the
    variant's ingested source; for ``openai`` the vendor document itself is an OpenAPI file."""
    if isinstance(spec, dict):
        return SpecSource(spec, "<dict>")
    if spec is not None:
        return SpecSource(_mapping(Path(spec)), str(spec))
    config = config or load_config()
    settings = config.variant(variant)
    overlay = config.overlays / f"{variant}.overlay.yaml"
    if config.canonical.is_file() and overlay.is_file():
        try:
            from specforge.overlay import load_variant  # the overlay branch may not be merged yet
        except ImportError:
            pass
        else:
            return SpecSource(load_variant(config, variant), f"{config.canonical.name} + {overlay.name}")
    if settings.source.is_file():
        return SpecSource(_mapping(settings.source), str(settings.source))
    if settings.extract == "openapi" and settings.doc is not None and settings.doc.is_file():
        return SpecSource(_mapping(settings.doc), str(settings.doc))
    raise InputError(
        f"no spec for variant `{variant}`: neither {settings.source} nor a merged canonical spec exists",
        file=str(config.file) if config.file else None,
        hint="run `specforge ingest` (or `specforge merge`), or pass --spec FILE",
    )


#: `[mock]` keys of specforge.toml -> Limits field (or "job_seconds")
_SETTINGS: dict[str, str] = {
    "job-seconds": "job_seconds",
    "max-body-bytes": "max_body_bytes",
    "max-jobs": "max_jobs",
    "body-timeout": "body_timeout",
    "header-timeout": "header_timeout",
}
_SECONDS_KEYS = ("job-seconds", "body-timeout", "header-timeout")
#: the ``[mock]`` table of specforge.toml
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "job-seconds": {"type": "number", "format": "finite", "minimum": 0, "maximum": 3600},
        "max-body-bytes": {"type": "integer", "minimum": 1},
        "max-jobs": {"type": "integer", "minimum": 1},
        "body-timeout": {"type": "number", "format": "finite", "exclusiveMinimum": 0},
        "header-timeout": {"type": "number", "format": "finite", "exclusiveMinimum": 0},
    },
    "additionalProperties": False,
}


def settings_from_config(config: Config) -> tuple[float | None, Limits]:
    """``[mock]`` of specforge.toml (validated by :data:`SCHEMA`): (job seconds or None when
    unset, limits)."""
    table = config.section("mock", schema=SCHEMA)
    values: dict[str, Any] = {
        _SETTINGS[key]: float(raw) if key in _SECONDS_KEYS else raw for key, raw in table.items()
    }
    job_seconds = values.pop("job_seconds", None)
    return job_seconds, Limits(**values)


def _mapping(path: Path) -> dict[str, Any]:
    document = load_document(path)
    if not isinstance(document.data, dict):
        raise InputError("the spec is not a mapping", file=str(path), hint="pass an OpenAPI 3.x document")
    return document.data


def create_app(
    spec: dict[str, Any],
    *,
    variant: str,
    token: str | None,
    job_seconds: float,
    state: Path | None,
    limits: Limits | None = None,
    record: bool = False,
) -> MockApp:
    """The ASGI app for ``spec``: ``token=None`` disables auth; ``state`` is a SQLite file;
    ``record`` keeps what it receives for ``GET /__specforge__/exchanges`` (``specforge relay-check``)."""
    from specforge.mock.recorder import Recorder

    profile = derive_profile(spec, variant)
    return MockApp(
        profile,
        open_store(state),
        token=token,
        job_seconds=job_seconds,
        limits=limits,
        recorder=Recorder() if record else None,
    )


class MockServer:
    """A bound, not yet running, uvicorn server for one mock app."""

    def __init__(
        self, app: MockApp, *, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning"
    ) -> None:
        import uvicorn

        self.app = app
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted connections only for
        # sockets that say so, and without it every response stalls ~40 ms (Nagle + delayed ACK)
        self.socket = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.socket.bind((host, port))
        except OSError as exc:
            self.socket.close()
            raise InputError(
                f"cannot listen on {host}:{port}: {exc.strerror}",
                hint="pick another --port (0 = any free port)",
            ) from None
        self.socket.listen(256)
        self.host = host
        self.port = int(self.socket.getsockname()[1])
        self.config = uvicorn.Config(
            app,
            log_level=log_level,
            access_log=False,
            lifespan="on",
            timeout_keep_alive=5,
            limit_concurrency=512,
            timeout_graceful_shutdown=3,
            http=_header_timeout_protocol(app.limits.header_timeout),
        )
        self.server = _server_class()(self.config)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def profile(self) -> Profile:
        return self.app.profile

    def run(self) -> None:
        """Serve in the foreground until SIGINT/SIGTERM (uvicorn installs the handlers)."""
        try:
            self.server.run(sockets=[self.socket])
        finally:
            self.socket.close()

    def start(self) -> threading.Thread:
        """Serve in a daemon thread; returns once the server accepts requests."""
        thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the mock server did not start")
            time.sleep(0.01)
        return thread

    def stop(self, thread: threading.Thread) -> None:
        self.server.should_exit = True
        thread.join(timeout=10)
        self.socket.close()


def _header_timeout_protocol(seconds: float) -> type[Any]:
    """uvicorn's HTTP protocol with a deadline on each request's line and headers, counted from
    the connection's start or the previous response. uvicorn's keep-alive timer stops at a
    client's first byte, so without this a client sending one byte a second holds a connection
    (and a slot of ``limit_concurrency``) for as long as it likes."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    base: Any = AutoHTTPProtocol

    class HeaderTimeoutProtocol(base):
        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def _arm(self) -> None:
            self._waiting_since = self.cycle  # a new cycle means the headers of a request arrived
            self._header_task = self.loop.call_later(seconds, self._expired)

        def _expired(self) -> None:
            if self.cycle is self._waiting_since and not self.transport.is_closing():
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.cycle is not self._waiting_since:
                self._header_task.cancel()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._header_task.cancel()
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._header_task.cancel()
            super().connection_lost(exc)

    return HeaderTimeoutProtocol


def _server_class() -> type[Any]:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, except that SIGINT/SIGTERM end ``run()`` normally instead of being
        re-raised after the graceful shutdown, so ``specforge mock`` exits 0 when asked to stop."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            original = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in original.items():
                    signal.signal(sig, handler)

    return Server


@contextlib.contextmanager
def serve(
    variant: str = "openai",
    *,
    config: Config | None = None,
    spec: str | Path | dict[str, Any] | None = None,
    token: str | None = DEFAULT_TOKEN,
    job_seconds: float = 0.3,
    host: str = "127.0.0.1",
    port: int = 0,
    state: Path | None = None,
    limits: Limits | None = None,
    record: bool = False,
) -> Iterator[str]:
    """Run a mock of ``variant`` in a background thread; yields its base URL (no ``/v1``).

    >>> with serve("openai") as url:  # doctest: +SKIP
    ...     OpenAI(base_url=url + "/v1", api_key="sk-test").videos.create_and_poll(prompt="a cat")
    """
    source = load_spec(variant, config, spec)
    app = create_app(
        source.spec,
        variant=variant,
        token=token,
        job_seconds=job_seconds,
        state=state,
        limits=limits,
        record=record,
    )
    # embedded (tests, `check`, `run`): malformed requests are what fuzzers send on purpose, and the
    # answer (a 4xx) is the record of them; uvicorn's "Invalid HTTP request" warnings are noise here
    server = MockServer(app, host=host, port=port, log_level="error")
    thread = server.start()
    try:
        yield server.url
    finally:
        server.stop(thread)
