"""core.guard (what may be read, and the ref guard handed to third-party resolvers) and
core.tomlconf's line locator."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specforge.core import InputError
from specforge.core.guard import read_regular
from specforge.core.refs import RefError
from specforge.core.tomlconf import TomlLines
from specforge.openapi.validation import RefGuard, openapi_validator


def test_read_regular_enforces_the_limit_while_reading(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"x" * 100)
    assert read_regular(path, max_bytes=100) == b"x" * 100
    with pytest.raises(InputError, match="100 bytes, over the 99-byte limit"):
        read_regular(path, max_bytes=99)


def test_read_regular_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "p")
    with pytest.raises(InputError, match="is a FIFO .named pipe., not a regular file") as info:
        read_regular(tmp_path / "p", max_bytes=10)
    assert info.value.hint and info.value.file == str(tmp_path / "p")


def test_ref_guard_serves_the_folder_and_nothing_else(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (project / "common.yaml").write_text("Video: {type: object}\n")
    (outside / "secret.yaml").write_text("secret: 1\n")
    (project / "link.yaml").symlink_to(outside / "secret.yaml")
    guard = RefGuard(project)
    assert guard.load((project / "common.yaml").as_uri() + "#/Video") == {"Video": {"type": "object"}}
    assert guard.load("common.yaml") == {"Video": {"type": "object"}}
    for uri in (
        (outside / "secret.yaml").as_uri(),
        "../outside/secret.yaml",
        str(outside / "secret.yaml"),
        "link.yaml",
        "file:///etc/passwd",
    ):
        with pytest.raises(RefError, match="escapes the project folder"):
            guard.load(uri)
    for uri in (
        "http://127.0.0.1:9/x.yaml",
        "https://example.invalid/x",
        "ftp://h/x",
        "file://otherhost/etc/passwd",
    ):
        with pytest.raises(RefError, match="refused"):
            guard.load(uri)
    assert len(guard.refused) == 9
    with pytest.raises(RefError):
        RefGuard(None).load("common.yaml")  # no folder: no file at all


def test_openapi_validator_follows_in_folder_refs_only(tmp_path: Path) -> None:
    (tmp_path / "common.yaml").write_text("Video: {type: object}\n")
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/v": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"$ref": "common.yaml#/Video"}}},
                        }
                    }
                }
            }
        },
    }
    guard = RefGuard(tmp_path)
    assert list(openapi_validator(spec, "3.1", guard).iter_errors()) == []
    spec["paths"]["/v"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] = (
        "file:///etc/passwd"
    )
    refused = RefGuard(tmp_path)
    with pytest.raises(Exception):  # noqa: B017 - referencing wraps our refusal in its own error type
        list(openapi_validator(spec, "3.1", refused).iter_errors())
    assert refused.refused == ["file:///etc/passwd"]


_NAME = st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(_NAME, st.lists(_NAME, min_size=1, max_size=4, unique=True), st.booleans()),
        min_size=1,
        max_size=5,
        unique_by=lambda t: t[0],
    )
)
def test_toml_lines_finds_every_key_where_it_was_written(tables: list[tuple[str, list[str], bool]]) -> None:
    """Invariant: for TOML written table by table (plain tables and arrays of tables, some keys
    in inline tables), the locator names the line each key was written on."""
    lines: list[str] = []
    where: dict[tuple[object, ...], int] = {}
    for name, keys, is_array in tables:
        for index in range(2 if is_array else 1):
            lines.append(f"[[{name}]]" if is_array else f"[{name}]")
            table: tuple[object, ...] = (name, index) if is_array else (name,)
            where[table] = len(lines)
            for key in keys[:-1]:
                lines.append(f"{key} = 1")
                where[(*table, key)] = len(lines)
            lines.append(f'{keys[-1]} = {{ inner = 2, other = "x" }}')
            where[(*table, keys[-1])] = where[(*table, keys[-1], "inner")] = len(lines)
            lines.append("")
    locator = TomlLines("\n".join(lines))
    for path, line in where.items():
        assert locator.line(path) == line, (path, "\n".join(lines))
