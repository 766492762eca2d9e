"""The bad-input corpus: every document in tests/fixtures/bad/ fails (or warns) with exactly the
message in tests/fixtures/bad/expected.yaml — one line naming file:line:col and ending in a fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from core_ref_problems import ref_problems

from specforge.core import InputError, load_document, load_mapping

BAD = Path(__file__).resolve().parent.parent / "fixtures" / "bad"
EXPECTED: dict[str, str | list[str]] = load_document(BAD / "expected.yaml").data
DOCUMENTS = sorted(
    p.name for p in BAD.iterdir() if p.is_file() and p.name != "expected.yaml"
)  # cli/: CLI cases


def outcome(path: Path) -> str | list[str]:
    """The error line, or the diagnostics, that loading ``path`` as an OpenAPI document gives."""
    try:
        document = load_mapping(path, "OpenAPI document", display=f"bad/{path.name}")
    except InputError as exc:
        return str(exc)
    return [str(d) for d in document.diagnostics] + [str(d) for d in ref_problems(document, base_path=path)]


def test_corpus_is_complete() -> None:
    assert len(DOCUMENTS) >= 15
    assert sorted(EXPECTED) == DOCUMENTS


@pytest.mark.parametrize("name", DOCUMENTS)
def test_bad_document_message(name: str) -> None:
    assert outcome(BAD / name) == EXPECTED[name]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_messages_name_a_position_and_end_with_a_fix(name: str) -> None:
    messages = EXPECTED[name] if isinstance(EXPECTED[name], list) else [EXPECTED[name]]
    assert messages, f"{name} must produce at least one message"
    for message in messages:
        assert "\n" not in message
        assert re.match(rf"bad/{re.escape(name)}:\d+:\d+: ", message), message
        assert re.search(r"\((fix|hint): [^()]*(\([^()]*\)[^()]*)*\)$", message), message
