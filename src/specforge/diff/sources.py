"""What a name on the ``specforge diff`` command line means, tried in this order:

1. ``X@REV`` — ``X`` (a file, ``canonical`` or a variant) as committed at git revision ``REV`` of
   the project (``git show REV:path``), e.g. ``hingnet-veo@HEAD~1`` after re-ingesting a page;
2. an existing file;
3. ``canonical`` — the merged spec (``specs/canonical.yaml``);
4. a configured variant — its source (``specs/sources/NAME.yaml``): normalized it equals the
   canonical spec plus the variant's overlay (merge guarantees it), and its lines are the vendor's;
5. a nightly history run (id, id prefix, provider name, ``provider~N``) — the spec that run was
   checked against, as the history recorded it; read by the ``history`` loader the caller passes
   (``specforge.history.diff.recorded_spec``: history sits above diff, so diff never imports it).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from specforge.core import Config, InputError, load_config, load_mapping, load_text
from specforge.core.config import suggest
from specforge.diff import Spec

#: ``(config, ref) -> the spec a history run recorded``, or None when ``ref`` names no run
HistoryLoader = Callable[[Config, str], Spec | None]


def load_spec(ref: str, config: Config | None = None, *, history: HistoryLoader | None = None) -> Spec:
    config = config or load_config()
    if "@" in ref and not Path(ref).exists():
        name, _, rev = ref.rpartition("@")
        if name and rev:
            return _at_revision(config, name, rev, ref)
    path = Path(ref)
    if path.is_file():
        return document_spec(ref, load_mapping(path, "OpenAPI document", display=config.display(path)))
    if ref == "canonical":
        if not config.canonical.is_file():
            raise InputError(
                "canonical spec not found",
                file=config.display(config.canonical),
                hint="run `specforge merge` to write it",
            )
        return document_spec(
            ref, load_mapping(config.canonical, "canonical spec", display=config.display(config.canonical))
        )
    if ref in config.variants:
        source = config.variants[ref].source
        if not source.is_file():
            raise InputError(
                f"source of variant `{ref}` not found",
                file=config.display(source),
                hint="run `specforge ingest` to extract it from the vendor's page",
            )
        return document_spec(ref, load_mapping(source, "OpenAPI document", display=config.display(source)))
    found = history(config, ref) if history is not None else None
    if found is not None:
        return found
    choices = ["canonical", *config.variants]
    raise InputError(
        f"`{ref}` is not a file, `canonical`, a variant or a history run{suggest(ref, choices)}",
        file=str(config.file or "specforge.toml"),
        hint=f"name a file, one of: {', '.join(choices)}, NAME@GIT-REV, or a run id from `specforge history list`",
    )


def document_spec(name: str, document: Any) -> Spec:
    if not str(document.data.get("openapi", "")).startswith("3."):
        raise InputError(
            "not an OpenAPI 3.x document (no `openapi: 3.x` key)",
            file=document.path,
            line=1,
            hint="diff compares OpenAPI 3.0/3.1 documents",
        )
    return Spec(name=name, data=document.data, document=document)


def _at_revision(config: Config, name: str, rev: str, ref: str) -> Spec:
    if name == "canonical":
        path = config.canonical
    elif name in config.variants:
        path = config.variants[name].source
    else:
        path = Path(name) if Path(name).is_absolute() else Path.cwd() / name
    relative = config.display(path)
    if Path(relative).is_absolute():
        raise InputError(
            f"`{name}` is outside the project",
            file=relative,
            hint="NAME@REV reads files of the project's git repository only",
        )
    if rev.startswith("-"):
        raise InputError(
            f"`{rev}` is not a git revision", hint="write NAME@HEAD~1, NAME@main or NAME@<commit>"
        )
    try:
        shown = subprocess.run(
            ["git", "show", f"{rev}:./{relative}"],
            cwd=config.root,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(
            f"cannot run git to read {ref}: {exc}", hint="install git, or diff two files"
        ) from None
    if shown.returncode != 0:
        reason = (shown.stderr.strip().splitlines() or ["git show failed"])[-1]
        raise InputError(
            f"cannot read {relative} at {rev}: {reason.removeprefix('fatal: ')}",
            file=relative,
            hint="is the project a git repository, and did that revision have the file? (`git log -- FILE`)",
        )
    return document_spec(ref, load_text(shown.stdout, f"{relative}@{rev}"))
