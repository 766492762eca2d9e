"""core.output: the write policy (special files, targets outside the project) and multi-file sets
that a kill cannot leave half old, half new."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from specforge.core import InputError
from specforge.core.output import check_target, recover, write_atomic, write_set

ROOT = Path(__file__).resolve().parents[2]


def _set(folder: Path, version: str, count: int = 4) -> dict[Path, str]:
    return {
        folder / ("overlays" if i else "") / f"f{i}.yaml": f"version: {version}\nfile: {i}\n"
        for i in range(count)
    }


def _versions(paths: list[Path]) -> set[str]:
    return {p.read_text().splitlines()[0] for p in paths if p.exists()}


def _temps(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*") if p.is_file()]


def test_symlink_fifo_and_device_targets_are_refused(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_text("x: 1\n")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real.yaml")
    os.mkfifo(tmp_path / "fifo.yaml")
    for target, kind in [("link.yaml", "a symbolic link"), ("fifo.yaml", "a FIFO")]:
        with pytest.raises(InputError, match=f"output path is {kind}"):
            write_atomic(tmp_path / target, "y: 2\n")
    with pytest.raises(InputError, match="output path is a character device"):
        check_target("/dev/null")
    assert (tmp_path / "real.yaml").read_text() == "x: 1\n" and (tmp_path / "link.yaml").is_symlink()


def test_targets_outside_the_project_need_an_explicit_name(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    with pytest.raises(InputError, match="outside the project folder") as info:
        write_atomic(project / ".." / "escaped.yaml", "x: 1\n", root=project, explicit=False)
    assert info.value.hint and "explicitly" in info.value.hint
    assert not (tmp_path / "escaped.yaml").exists()
    write_atomic(tmp_path / "named.yaml", "x: 1\n", root=project, explicit=True)  # the user named it
    write_atomic(project / "sub" / "inside.yaml", "x: 1\n", root=project, explicit=False)


def test_a_set_is_written_whole_and_stale_temps_are_removed(tmp_path: Path) -> None:
    old = _set(tmp_path, "old")
    write_set(old, root=tmp_path)
    (tmp_path / ".f0.yaml.abc123.tmp").write_text("left by a killed run")
    write_set(_set(tmp_path, "new"), root=tmp_path)
    assert _versions(list(old)) == {"version: new"}
    assert _temps(tmp_path) == []


def test_a_set_killed_after_its_commit_is_rolled_forward(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = list(_set(tmp_path, "old"))
    write_set(_set(tmp_path, "old"), root=tmp_path)
    real = os.replace
    calls = {"n": 0}

    def dies_after_two(src: str | Path, dst: str | Path) -> None:
        calls["n"] += 1
        if calls["n"] > 2 + 1:  # the journal's own rename, then two of the files
            raise KeyboardInterrupt  # stands in for a kill: nothing after this runs
        real(src, dst)

    monkeypatch.setattr(os, "replace", dies_after_two)
    with pytest.raises(KeyboardInterrupt):
        write_set(_set(tmp_path, "new"), root=tmp_path)
    monkeypatch.setattr(os, "replace", real)
    assert _versions(paths) == {"version: old", "version: new"}  # mixed on disk until the next run
    recover(tmp_path, paths)  # what the next run does first
    assert _versions(paths) == {"version: new"} and _temps(tmp_path) == []


def test_a_set_killed_before_its_commit_keeps_the_old_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = list(_set(tmp_path, "old"))
    write_set(_set(tmp_path, "old"), root=tmp_path)
    real = os.fsync
    calls = {"n": 0}

    def dies_on_third(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real(fd)

    monkeypatch.setattr(os, "fsync", dies_on_third)
    with pytest.raises(KeyboardInterrupt):
        write_set(_set(tmp_path, "new"), root=tmp_path)
    monkeypatch.setattr(os, "fsync", real)
    assert _versions(paths) == {"version: old"}
    recover(tmp_path, paths)
    assert _versions(paths) == {"version: old"} and _temps(tmp_path) == []


@pytest.mark.slow
def test_sigkill_during_the_write_phase_never_leaves_a_mixed_set(tmp_path: Path) -> None:
    """A real SIGKILL at a random moment of a slowed-down set write (a child process), then the
    next run's recovery: the set is all old or all new, and no temp file is left."""
    script = textwrap.dedent(
        f"""
        import os, sys, time
        sys.path.insert(0, {str(ROOT / "src")!r})
        from pathlib import Path
        from specforge.core.output import write_set
        real = os.replace
        def slow(src, dst):
            time.sleep(0.02)
            real(src, dst)
        os.replace = slow
        folder = Path(sys.argv[1])
        print("ready", flush=True)
        for n in range(1000):
            write_set({{folder / f"f{{i}}.yaml": f"version: {{n}}\\n" + "x" * 20000 for i in range(6)}}, root=folder)
        """
    )
    paths = [tmp_path / f"f{i}.yaml" for i in range(6)]
    for delay in (0.15, 0.3, 0.45):
        child = subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 60
        while not all(p.exists() for p in paths) and time.monotonic() < deadline:
            time.sleep(0.01)  # the first set is complete: from here on a kill lands mid-way
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        recover(tmp_path, paths)
        assert len(_versions(paths)) == 1, _versions(paths)
        assert _temps(tmp_path) == []
