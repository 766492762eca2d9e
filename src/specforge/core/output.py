"""Deterministic serialisation and atomic writes, used by every command that writes a file, so a
re-run produces byte-identical output and an interrupted run never leaves half a file."""

from __future__ import annotations

import glob
import io
import json
import math
import os
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from specforge.core.document import _RESOLVERS, _RESOLVERS_1_1, _resolve_plain, plain_is_string
from specforge.core.errors import InputError
from specforge.core.guard import file_kind, inside

try:
    from _ruamel_yaml import CEmitter
except ImportError:  # pragma: no cover - non-CPython: ruamel's pure-Python representer path
    CEmitter = None

YAML_WIDTH = 100


def _yaml_dumper() -> YAML:
    yaml = YAML(typ="safe", pure=False)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = YAML_WIDTH
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]  # key order is meaningful
    return yaml


_TAG = "tag:yaml.org,2002:"
_PLAIN = (True, False)


def _scalar_event(value: Any) -> Any:
    """The event ruamel's SafeRepresenter + serializer would produce for a JSON scalar (tags are
    left out where they are implicit, which libyaml handles faster and writes identically)."""
    if value.__class__ is str:
        return _str_event(value)
    if value is None:
        return ScalarEvent(None, None, _PLAIN, "null")
    if value is True or value is False:
        return ScalarEvent(None, None, _PLAIN, "true" if value else "false")
    if isinstance(value, int):
        return ScalarEvent(None, None, _PLAIN, int.__repr__(value))
    if isinstance(value, float):
        if value != value:
            text = ".nan"
        elif value in (math.inf, -math.inf):
            text = ".inf" if value > 0 else "-.inf"
        else:
            text = repr(value).lower()
            if "." not in text and "e" in text:  # YAML 1.1 readers need the dot: 1e+17 -> 1.0e+17
                text = text.replace("e", ".0e", 1)
        return ScalarEvent(None, _TAG + "float", (_resolve_plain(text) == _TAG + "float", False), text)
    if isinstance(value, str):
        return _str_event(str(value))
    raise _Unsupported(type(value).__name__)


#: first characters of any plain scalar that YAML 1.2 or 1.1 would not read as a string
_SUSPECT = frozenset(ch for table in (_RESOLVERS, _RESOLVERS_1_1) for ch in table if ch is not None)


def _str_event(value: str) -> Any:
    # quoted only when a plain scalar would read back as something else ("true", "123"),
    # for YAML 1.2 or 1.1 readers ("yes", "on", "1:20" too); libyaml picks the quote style
    plain = value[:1] not in _SUSPECT or plain_is_string(value)
    return ScalarEvent(None, None, _STRING if plain else _QUOTED, value)


_STRING = (True, True)
_QUOTED = (False, True)


class _Unsupported(Exception):
    pass


def _emit_fast(data: Any, stream: io.StringIO) -> None:
    """Emit ``data`` (JSON types only) through libyaml's emitter, skipping ruamel's Python
    representer (which spends most of its time building and stringifying Tag objects): 8x
    faster, byte-identical output. Iterative, so depth is no problem."""
    emitter = CEmitter(stream, width=YAML_WIDTH, allow_unicode=True)
    emit = emitter.emit
    emit(StreamStartEvent())
    emit(DocumentStartEvent(explicit=False))
    open_ids: set[int] = set()
    stack: list[tuple[Any, Iterator[Any], bool]] = []
    value: Any = data
    suspect, scalar_event, plain_string = _SUSPECT, ScalarEvent, plain_is_string
    string, quoted = _STRING, _QUOTED
    while True:
        if value.__class__ is str:  # the common case, inlined
            plain = value[:1] not in suspect or plain_string(value)
            emit(scalar_event(None, None, string if plain else quoted, value))
        elif isinstance(value, dict):
            if id(value) in open_ids:
                raise ValueError("cannot dump a self-containing (cyclic) structure as YAML")
            open_ids.add(id(value))
            emit(MappingStartEvent(None, None, True, flow_style=False))
            stack.append((value, iter(value.items()), True))
        elif isinstance(value, list | tuple):
            if id(value) in open_ids:
                raise ValueError("cannot dump a self-containing (cyclic) structure as YAML")
            open_ids.add(id(value))
            emit(SequenceStartEvent(None, None, True, flow_style=False))
            stack.append((value, iter(value), False))
        else:
            emit(_scalar_event(value))
        while stack:
            container, items, is_map = stack[-1]
            item: Any = next(items, _END)
            if item is _END:
                stack.pop()
                open_ids.discard(id(container))
                emit(MappingEndEvent() if is_map else SequenceEndEvent())
                continue
            if is_map:
                key, value = item
                if key.__class__ is str:
                    plain = key[:1] not in suspect or plain_string(key)
                    emit(scalar_event(None, None, string if plain else quoted, key))
                else:
                    emit(_scalar_event(key))
            else:
                value = item
            break
        else:
            break
    emit(DocumentEndEvent(explicit=False))
    emit(StreamEndEvent())


_END = object()


def dump_yaml(data: Any, *, header: str | None = None) -> str:
    """YAML text for ``data``: insertion key order, block style, UTF-8, width 100; strings are
    quoted only when a plain scalar would read back as another type in YAML 1.2 or 1.1 (so
    PyYAML-based tools read ``'yes'`` as the string it is), and exponent floats get a dot
    (``1.0e+17``, which YAML 1.1 reads as a float too). Objects shared in ``data``
    are written out in full at each place (never as ``&anchor``/``*alias``), so the output is
    plain JSON-model YAML; a cyclic structure is a ``ValueError``.
    ``header`` becomes a leading ``#`` comment block (e.g. "generated by specforge merge")."""
    buffer = io.StringIO()
    try:
        if CEmitter is None:
            raise _Unsupported("no C emitter")
        _emit_fast(data, buffer)
    except _Unsupported:  # dates, bytes, custom types: ruamel's representer knows them
        buffer = io.StringIO()
        _yaml_dumper().dump(_unshare(data), buffer)
    text = buffer.getvalue()
    if header:
        text = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) + text
    return text


def _unshare(data: Any) -> Any:
    """A copy without shared containers (so ruamel's representer writes no anchors)."""
    if isinstance(data, dict):
        return {k: _unshare(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_unshare(v) for v in data]
    return data


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def dump_for(path: str | Path, data: Any, *, header: str | None = None) -> str:
    """Serialise by the target's extension: ``.json`` is JSON, anything else YAML."""
    if str(path).endswith(".json"):
        return dump_json(data)
    return dump_yaml(data, header=header)


def check_target(path: str | Path, *, root: Path | None = None, explicit: bool = True) -> Path:
    """The one policy for where specforge may write. A target that exists must be a regular file:
    a symlink, FIFO or device is refused, never silently replaced by a regular file. A target
    not named by the user (``explicit=False``: derived from the config, a variant name, ...)
    must lie inside the project folder ``root``."""
    target = Path(path)
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise InputError(
            f"cannot write here: {exc.strerror}", file=str(target), hint="choose another path"
        ) from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else file_kind(info.st_mode)
        raise InputError(
            f"output path is {kind}; refusing to replace it with a regular file",
            file=str(target),
            hint="remove it first, or write to another path",
        )
    if not explicit and root is not None and not inside(target.parent, root):
        raise InputError(
            f"output path is outside the project folder {root}",
            file=str(target),
            hint="keep configured output paths and variant names inside the project, "
            "or name the target explicitly on the command line",
        )
    return target


def write_atomic(
    path: str | Path, content: str | bytes, *, root: Path | None = None, explicit: bool = True
) -> Path:
    """Write via a temp file in the same folder + ``os.replace``: readers see the old file or the
    new one, never a partial one. The file keeps the mode it had (a new file gets the usual
    ``0o666 & ~umask``, not the temp file's private ``0o600``). The target is checked by
    :func:`check_target` first; temp files an earlier, killed write of it left are removed."""
    return replace_checked(check_target(path, root=root, explicit=explicit), content)


def replace_checked(target: Path, content: str | bytes) -> Path:
    """:func:`write_atomic` of a target :func:`check_target` has just returned, for a caller that
    checks it before reading it (``ingest`` compares the old text) and must not check it twice."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _write_temp(target, content, ".tmp")
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _clean_temps(target, keep=())
    return target


def _write_temp(target: Path, content: str | bytes, suffix: str) -> Path:
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


#: temp files of a killed write older than this are removed by the next write of the same target
_STALE_SECONDS = 60.0


def _clean_temps(target: Path, keep: Iterable[Path], *, max_age: float = _STALE_SECONDS) -> None:
    keep = set(keep)
    now = time.time()
    for stale in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        try:
            if stale not in keep and now - stale.lstat().st_mtime >= max_age:
                stale.unlink()
        except OSError:
            pass


_JOURNAL = ".specforge-write.journal"


def write_set(
    outputs: dict[Path, str | bytes],
    *,
    root: Path | None = None,
    explicit: bool = False,
    anchor: Path | None = None,
) -> list[Path]:
    """Write several files as one unit (merge's canonical + overlays + reports): every new file
    is written to a temp file first; then a journal listing the renames is committed, the
    renames are done and the journal removed. A run killed before the journal leaves the old
    set (its temp files are removed by the next run); one killed after it is rolled forward by
    the next run (:func:`recover`), so readers never keep a mix of old and new files. The
    journal lives in ``anchor`` (default: the targets' common folder)."""
    if not outputs:
        return []
    targets = [check_target(path, root=root, explicit=explicit) for path in outputs]
    anchor = anchor or set_anchor(targets)
    recover(anchor, targets)
    pending: list[tuple[Path, Path]] = []
    try:
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            pending.append((_write_temp(target, outputs[target], ".set.tmp"), target))
        journal = [[str(tmp), str(target)] for tmp, target in pending]
        journal_tmp = _write_temp(anchor / _JOURNAL, json.dumps(journal), ".tmp")
        os.replace(journal_tmp, anchor / _JOURNAL)  # the commit point
    except BaseException:
        for tmp, _ in pending:
            tmp.unlink(missing_ok=True)
        raise
    _roll_forward(anchor / _JOURNAL)
    return targets


def set_anchor(paths: Iterable[Path]) -> Path:
    """The folder a set's journal lives in: the targets' common folder."""
    return Path(os.path.commonpath([str(Path(p).parent.resolve()) for p in paths]))


def recover(anchor: Path, targets: Iterable[Path] = ()) -> None:
    """Finish a set write a killed run committed (journal in ``anchor``), then remove temp files
    earlier killed writes of ``targets`` left behind."""
    journal = anchor / _JOURNAL
    if journal.exists():
        _roll_forward(journal)
    for target in (journal, *targets):
        _clean_temps(target, keep=(), max_age=0.0)


def _roll_forward(journal: Path) -> None:
    try:
        pairs = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pairs = []
    for tmp, target in pairs:
        if os.path.exists(tmp):
            os.replace(tmp, target)
    journal.unlink(missing_ok=True)


def _umask() -> int:
    try:  # Linux: read it without changing it (os.umask would briefly affect other threads)
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current
