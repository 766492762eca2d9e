"""`specforge mock`: flags, errors, and a real process that prints its URL and stops on signals."""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from specforge.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["mock", "--help"])
    assert result.exit_code == 0 and "Example" in result.output and "--job-seconds" in result.output


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--variant", "opnai"], {}, "did you mean `openai`"),
        (["--token", "a", "--token-env", "B"], {}, "either --token or --token-env"),
        (["--token-env", "SPECFORGE_TEST_UNSET_VAR"], {}, "SPECFORGE_TEST_UNSET_VAR is not set"),
        (["--spec", "missing.yaml"], {}, "missing.yaml"),
        (["--port", "70000"], {}, "70000"),
    ],
)
def test_bad_invocations_exit_2(
    args: list[str], env: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("SPECFORGE_TEST_UNSET_VAR", raising=False)
    result = CliRunner().invoke(cli, ["mock", *args], env=env)
    assert result.exit_code == 2, result.output
    text = result.output + str(result.exception or "")
    assert message in text


def _start(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "specforge", "mock", "--port", "0", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})},
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), process.stderr.read() if process.stderr else url
    return process, url


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serves_and_stops_cleanly_on_signals(sig: signal.Signals) -> None:
    process, url = _start(
        "--variant",
        "hingnet-veo",
        "--job-seconds",
        "0",
        "--token-env",
        "SPECFORGE_TEST_TOKEN",
        env={"SPECFORGE_TEST_TOKEN": "sk-from-env"},
    )
    try:
        headers = {"Authorization": "Bearer sk-from-env"}
        created = httpx.post(
            url + "/v1/videos", json={"model": "veo-3.1-generate-preview", "prompt": "x"}, headers=headers
        )
        assert created.status_code == 200 and created.json()["seconds"] == 6
        assert httpx.get(url + "/__specforge__/stats").json()["creates"] == 1
    finally:
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr and "variant hingnet-veo" in stderr


def test_state_file_and_explicit_spec(tmp_path: Path) -> None:
    state = tmp_path / "jobs.sqlite"
    spec = ROOT / "specs" / "sources" / "aiid.yaml"
    process, url = _start("--spec", str(spec), "--variant", "aiid", "--state", str(state), "--no-auth")
    try:
        content = b'--b\r\nContent-Disposition: form-data; name="model"\r\n\r\nsora-2\r\n--b\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nx\r\n--b--\r\n'
        created = httpx.post(
            url + "/v1/videos", content=content, headers={"Content-Type": "multipart/form-data; boundary=b"}
        )
        assert created.status_code == 200, created.text
        assert created.json()["created_at"] > time.time() * 100  # milliseconds
    finally:
        process.terminate()
        process.communicate(timeout=15)
    process, url = _start("--spec", str(spec), "--variant", "aiid", "--state", str(state), "--no-auth")
    try:
        assert httpx.get(url + f"/v1/videos/{created.json()['id']}").status_code == 200
    finally:
        process.terminate()
        process.communicate(timeout=15)
    assert process.returncode == 0


def test_mock_table_of_the_config_sets_defaults_and_limits(tmp_path: Path) -> None:
    from specforge.core import load_config
    from specforge.mock import settings_from_config

    (tmp_path / "specforge.toml").write_text("[mock]\njob-seconds = 2.5\nmax-jobs = 3\nbody-timeout = 1\n")
    seconds, limits = settings_from_config(load_config(tmp_path / "specforge.toml"))
    assert seconds == 2.5 and limits.max_jobs == 3 and limits.body_timeout == 1.0
    assert limits.max_body_bytes == 8 * 1024 * 1024
    (tmp_path / "specforge.toml").write_text("[mock]\nmax-job = 3\n")
    result = CliRunner().invoke(cli, ["mock", "--config", str(tmp_path / "specforge.toml")])
    assert result.exit_code == 2 and "did you mean `max-jobs`" in result.output
    (tmp_path / "specforge.toml").write_text("[mock]\nmax-jobs = 0.5\n")
    result = CliRunner().invoke(cli, ["mock", "--config", str(tmp_path / "specforge.toml")])
    assert result.exit_code == 2 and "max-jobs = 0.5" in result.output


def _abandon(url: str, raw: bytes, *, reset: bool) -> None:
    """Send ``raw`` and go away without reading: a plain close, or a reset (RST) when ``reset``."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.sendall(raw)


def test_client_disconnects_are_not_unhandled_errors() -> None:
    """Clients that hang up mid-request or before reading the answer (a cancelled SDK call, a
    killed curl) are nobody's error: no traceback, no ERROR line in the server's log."""
    process, url = _start("--variant", "openai", "--job-seconds", "0", "--token", "sk-disconnect")
    auth = b"Authorization: Bearer sk-disconnect\r\n"
    try:
        created = httpx.post(
            url + "/v1/videos", json={"prompt": "x"}, headers={"Authorization": "Bearer sk-disconnect"}
        ).json()
        body = b'{"prompt": "a cat on a skateboard"}'
        create = b"POST /v1/videos HTTP/1.1\r\nHost: x\r\n" + auth + b"Content-Type: application/json\r\n"
        content = f"GET /v1/videos/{created['id']}/content HTTP/1.1\r\nHost: x\r\n".encode() + auth + b"\r\n"
        requests = [
            create + f"Content-Length: {len(body)}\r\n\r\n".encode() + body,  # whole request, answer unread
            create + b"Content-Length: 1000\r\n\r\n" + body,  # half the body, then gone
            create + b'Transfer-Encoding: chunked\r\n\r\n5\r\n{"pro',  # half a chunk
            b"POST /v1/videos HTTP/1.1\r\nHost: x\r\n",  # half the headers
            content,  # a 6.9 KB video nobody reads
        ]
        for reset in (False, True):
            for raw in requests:
                _abandon(url, raw, reset=reset)
        time.sleep(0.5)  # let the server notice every hang-up
        assert httpx.get(url + "/__specforge__/stats").status_code == 200  # still serving
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr and "ERROR" not in stderr and "Exception" not in stderr, stderr
