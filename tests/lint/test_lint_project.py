"""Project mode: sources, the canonical spec and every variant (canonical + overlay)."""

from __future__ import annotations

import copy
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from specforge.core import load_config, load_document
from specforge.lint import LintSettings
from specforge.lint.project import lint_paths, lint_project

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "lint"


def test_canonical_and_variants_are_linted_when_merge_wrote_them(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canonical = project / "specs" / "canonical.yaml"
    text = (project / "specs/sources/openai.yaml").read_text()
    canonical.write_text(text.replace("required: [prompt]", "required: [prompt, prompt]"))
    (project / "specs/overlays").mkdir()
    (project / "specs/overlays/relay.overlay.yaml").write_text(
        "overlay: 1.0.0\ninfo: {title: relay, version: '1'}\nactions: []\n"
    )

    def load_variant(config: Any, name: str) -> dict[str, Any]:
        data = copy.deepcopy(load_document(config.canonical).data)
        video = data["components"]["schemas"]["Video"]["properties"]
        video["status"]["enum"].append("video_url")
        video["progress"] = {"type": "integer"}
        return data

    fake = types.ModuleType("specforge.overlay")
    fake.load_variant = load_variant  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "specforge.overlay", fake)
    result = lint_project(
        load_config(project / "specforge.toml"),
        settings=LintSettings(enable=("SF-REQUIRED-DUPLICATE", "SF-STATUS-ENUM")),
    )
    found = [(d.code, d.file, d.line, d.variants, d.message) for d in result.diagnostics]
    assert found == [
        # the canonical's own finding, once (not repeated for the variant, which inherits it)
        (
            "SF-REQUIRED-DUPLICATE",
            "specs/canonical.yaml",
            27,
            (),
            "`prompt` is listed twice in `required` (first at index 0)",
        ),
        # the variant's finding, placed on the canonical line it comes from
        (
            "SF-STATUS-ENUM",
            "specs/canonical.yaml",
            35,
            ("relay",),
            "in variant `relay`: status value 'video_url' is not a job lifecycle state (queued, in_progress, completed, failed)",
        ),
    ]
    assert result.files == ["specs/sources/openai.yaml", "specs/sources/relay.yaml", "specs/canonical.yaml"]
    # the overlay that produced the variant is named as a related place
    assert [r.file for r in result.diagnostics[1].related] == ["specs/overlays/relay.overlay.yaml"]


def test_missing_source_is_skipped_and_the_others_are_linted(project: Path) -> None:
    (project / "specs/sources/relay.yaml").unlink()
    result = lint_project(load_config(project / "specforge.toml"), settings=LintSettings())
    assert list(result.skipped) == ["relay"]
    assert "source of variant `relay` not found" in str(result.skipped["relay"])
    assert "specforge ingest --variant relay" in str(result.skipped["relay"])
    assert result.files == ["specs/sources/openai.yaml"]


def test_unparsable_source_is_skipped(project: Path) -> None:
    (project / "specs/sources/relay.yaml").write_text("openapi: [unclosed\n")
    result = lint_project(load_config(project / "specforge.toml"), settings=LintSettings())
    assert list(result.skipped) == ["relay"] and "relay.yaml" in str(result.skipped["relay"])
    assert result.files == ["specs/sources/openai.yaml"]


def test_explicit_paths_of_two_sources_are_compared(project: Path) -> None:
    config = load_config(project / "specforge.toml")
    both = lint_paths(
        [Path("specs/sources/openai.yaml"), Path("specs/sources/relay.yaml")],
        config=config,
        settings=LintSettings(),
    )
    assert [d.code for d in both.diagnostics] == ["SF-TYPE-DIVERGENCE"]
    one = lint_paths([Path("specs/sources/relay.yaml")], config=config, settings=LintSettings())
    assert one.diagnostics == []


def test_a_folder_lints_the_openapi_documents_in_it(project: Path) -> None:
    (project / "specs/overlays").mkdir()
    (project / "specs/overlays/relay.overlay.yaml").write_text(
        "overlay: 1.0.0\ninfo: {title: r, version: '1'}\nactions: []\n"
    )
    result = lint_paths(
        [Path("specs")], config=load_config(project / "specforge.toml"), settings=LintSettings()
    )
    assert result.files == ["specs/sources/openai.yaml", "specs/sources/relay.yaml"]
    assert [d.code for d in result.diagnostics] == ["SF-TYPE-DIVERGENCE"]
