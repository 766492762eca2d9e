"""Hostile and malformed inputs through the real CLI, data-driven from tests/fixtures/bad/.

``bad/cli/cases.yaml``: one command per case in a fresh project folder, next to an ``outside``
folder holding a secret; ``bad/expected.yaml``: every fatal document of the loader corpus through
``specforge lint``. Each case asserts the exit code, the message (file:line or URL, and a fix),
no traceback, nothing read from outside the project, no request to the canary server; every
case also runs under the audit hook (tests/audit.py), so a file opened outside the project or a
socket connected anywhere fails it."""

from __future__ import annotations

import errno
import os
import re
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from specforge.cli import cli

sys.path.insert(0, str(Path(__file__).parent))  # tests/audit.py
from audit import Canary, audited  # noqa: E402

BAD = Path(__file__).parent / "fixtures" / "bad"
CASES: list[dict[str, Any]] = YAML(typ="safe").load((BAD / "cli" / "cases.yaml").read_text(encoding="utf-8"))
SECRET = "SECRET-OUTSIDE-CONTENT"
ALWAYS_ABSENT = ("Traceback", SECRET, "root:x:0:0")
FIX = re.compile(r"\(fix: |help: |hint: ")


def _spec(ref: str) -> str:
    # the $ref sits on line 12, column 23 (findings name it)
    return (
        "openapi: 3.1.0\n"
        "info: {title: t, version: '1'}\n"
        "paths:\n"
        "  /v1/videos:\n"
        "    get:\n"
        "      responses:\n"
        "        '200':\n"
        "          description: ok\n"
        "          content:\n"
        "            application/json:\n"
        "              schema:\n"
        f"                $ref: '{ref}'\n"
        "        '400': {description: bad}\n"
    )


def _explode(actions: int) -> str:
    lines = ["overlay: 1.0.0", "info: {title: t, version: '1'}", "extends: base.yaml", "actions:"]
    for i in range(actions):
        lines += ["  - target: $..*", f"    update: {{a{i}: {{b: 1}}}}"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    with Canary() as server:
        yield server


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, canary: Canary) -> dict[str, str]:
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (outside / "secret.yaml").write_text(f"{SECRET}: 1\nx: {{type: object}}\n", encoding="utf-8")
    monkeypatch.chdir(project)
    monkeypatch.setenv("SPECFORGE_TOKEN", "sk-test-bad-inputs-0123456789")
    return {
        "project": str(project),
        "outside": str(outside),
        "canary": canary.url,
        "canary_host": canary.url.split("//", 1)[1],
    }


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def _setup(
    case: dict[str, Any], values: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> list[Callable[[], Any]]:
    """Create the case's files; returns what to clean up afterwards."""
    cleanup: list[Callable[[], Any]] = []
    project = Path(values["project"])
    for name, content in (case.get("files") or {}).items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict) and "ref" in content:
            content = _spec(_fill(content["ref"], values))
        elif isinstance(content, dict) and "explode" in content:
            content = _explode(content["explode"])
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(_fill(content, values), encoding="utf-8")
    for name, fixture in (case.get("copy") or {}).items():
        shutil.copy(BAD.parent / fixture, project / name)
    for name in case.get("dirs", []):
        (project / name).mkdir()
    for name in case.get("fifo", []):
        os.mkfifo(project / name)
    for link, target in (case.get("symlink") or {}).items():
        (project / link).symlink_to(_fill(target, values))
    if case.get("pipe"):
        read, write = os.pipe()
        stop = threading.Event()

        def yes() -> None:  # like `yes`: writes until the reader is gone
            try:
                while not stop.is_set():
                    os.write(write, b"y\n" * 4096)
            except OSError:
                pass

        threading.Thread(target=yes, daemon=True).start()
        values["pipe"] = f"/dev/fd/{read}"
        cleanup += [stop.set, lambda: os.close(read), lambda: os.close(write)]
    if case.get("inject"):
        code = getattr(errno, case["inject"])

        def full(fd: int) -> None:
            raise OSError(code, os.strerror(code))

        monkeypatch.setattr(os, "fsync", full)
    return cleanup


def _run(argv: list[str], values: dict[str, str]) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(cli, [_fill(a, values) for a in argv])
    error = result.exception if result.exception and not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.output, error


def _check(
    case: dict[str, Any], code: int, output: str, error: BaseException | None, values: dict[str, str]
) -> None:
    assert error is None, f"{case['name']}: uncaught {type(error).__name__}: {error}\n{output}"
    assert code == case["exit"], f"{case['name']}: exit {code}, wanted {case['exit']}\n{output}"
    for fragment in case.get("output", []):
        assert _fill(fragment, values) in output, f"{case['name']}: missing {fragment!r} in\n{output}"
    for fragment in (*ALWAYS_ABSENT, *case.get("absent", [])):
        assert fragment not in output, f"{case['name']}: {fragment!r} must not appear in\n{output}"
    if case.get("fix", True):
        assert FIX.search(output), f"{case['name']}: no fix in\n{output}"
    for name, fragments in (case.get("written") or {}).items():
        path = Path(values["project"]) / _fill(name, values)
        text = path.read_text(encoding="utf-8")
        for fragment in fragments:
            assert fragment in text, f"{case['name']}: {path} lacks {fragment!r}"
        assert SECRET not in text and "root:x:0:0" not in text


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input(
    case: dict[str, Any], env: dict[str, str], canary: Canary, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = dict(env)
    cleanup = _setup(case, values, monkeypatch)
    before = canary.hits
    argv = [_fill(a, values) for a in case["argv"]]
    try:
        with audited(allowed=[Path(values["project"])], argv=argv) as audit:
            code, output, error = _run(argv, values)
    finally:
        for step in cleanup:
            step()
    _check(case, code, output, error, values)
    assert canary.hits == before, f"{case['name']}: the canary server was called"
    audit.assert_clean(case["name"])


def test_the_corpus_is_big_enough() -> None:
    """The issue asks for >= 120 cases between these and the fault servers; these are ours."""
    assert len(CASES) + len(FATAL) >= 100
    assert len({c["name"] for c in CASES}) == len(CASES)


_EXPECTED: dict[str, Any] = YAML(typ="safe").load((BAD / "expected.yaml").read_text(encoding="utf-8"))
# (a top level that is not a mapping is a lint finding, SF-OAS-INVALID, not a load error)
FATAL = sorted(
    name
    for name, outcome in _EXPECTED.items()
    if isinstance(outcome, str) and not name.startswith("top-level")
)


@pytest.mark.parametrize("name", FATAL)
def test_loader_corpus_through_the_cli(name: str, env: dict[str, str]) -> None:
    """Every fatal document of the loader corpus, linted: exit 2 and exactly the loader's line."""
    target = Path(env["project"]) / "bad"
    target.mkdir()
    shutil.copy(BAD / name, target / name)
    with audited(allowed=[Path(env["project"])]) as audit:
        code, output, error = _run(["lint", f"bad/{name}"], env)
    assert error is None and code == 2, output
    assert f"specforge: error: {_EXPECTED[name]}" in output, output
    assert "Traceback" not in output and FIX.search(output)
    audit.assert_clean(name)


def test_the_audit_hook_sees_reads_outside_and_sockets(env: dict[str, str], canary: Canary) -> None:
    """The hook is not blind: an open outside the project and a connect are both reported."""
    import urllib.request

    with audited(allowed=[Path(env["project"])]) as audit:
        Path(env["outside"], "secret.yaml").read_text()
        urllib.request.urlopen(canary.url, timeout=5).read()
    assert audit.outside() == [str(Path(env["outside"], "secret.yaml"))]
    assert audit.stray_sockets() and canary.hits >= 1


HOSTILE_REFS = (
    "file://{outside}/secret.yaml",
    "../outside/secret.yaml",
    "{outside}/secret.yaml",
    "{canary}/x.yaml",
)


@pytest.mark.parametrize(
    "argv",
    [
        ["lint", "spec.yaml"],
        ["lint", "spec.yaml", "--format", "sarif", "-o", "lint.sarif"],
        ["ingest", "page.md", "--out", "out"],
        ["sources", "--validate", "--format", "json"],
        ["overlay", "apply", "spec.yaml", "o.overlay.yaml", "-o", "applied.yaml"],
        ["check", "http://127.0.0.1:9", "--spec", "spec.yaml", "--plan"],
    ],
    ids=lambda argv: " ".join(argv[:2]),
)
def test_no_command_reads_outside_or_connects_on_a_hostile_spec(
    argv: list[str], env: dict[str, str], canary: Canary
) -> None:
    """One spec carrying every hostile ref at once (file URL, ../, absolute, http) through each
    command that resolves refs: no open outside the project, no socket, no canary hit, and no
    byte of the outside file in any output."""
    project = Path(env["project"])
    refs = [_fill(r, env) for r in HOSTILE_REFS]
    schemas = "".join(f"    S{i}: {{$ref: '{ref}'}}\n" for i, ref in enumerate(refs))
    spec = _spec(refs[0]) + "components:\n  schemas:\n" + schemas
    (project / "spec.yaml").write_text(spec)
    (project / "specs" / "sources").mkdir(parents=True)
    (project / "specs" / "sources" / "v.yaml").write_text(spec)
    (project / "specforge.toml").write_text('[variants.v]\nsource = "specs/sources/v.yaml"\n')
    (project / "page.md").write_text("# Vendor\n\n```yaml\n" + spec + "```\n")
    (project / "o.overlay.yaml").write_text(
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.info\n    update: {x: 1}\n"
    )
    before = canary.hits
    with audited(allowed=[project]) as audit:
        code, output, error = _run(argv, env)
    assert error is None and code in (0, 1, 2), output
    assert canary.hits == before
    audit.assert_clean(" ".join(argv))
    assert audit.opened, "the hook saw no open at all"
    written = [p for p in project.rglob("*") if p.is_file()]
    for text in [output, *(p.read_text(errors="replace") for p in written)]:
        assert SECRET not in text and "Traceback" not in text
