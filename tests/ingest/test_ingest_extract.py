"""Extraction modes, provenance and input errors, on small fixture pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specforge.core import InputError, load_config
from specforge.ingest import extract_openapi, extract_source, ingest_doc
from specforge.ingest.page import curl_commands, fenced_blocks

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "ingest"


@pytest.fixture(scope="module")
def config():  # type: ignore[no-untyped-def]
    return load_config(ROOT / "specforge.toml")


@pytest.mark.parametrize(
    ("name", "mode", "lines", "title", "vendor"),
    [
        ("fenced.md", "fenced", "58-97", "Demo", "api.example.test"),
        ("fenced-json.md", "fenced", "4-5", "Json Demo", None),
        ("embedded.txt", "embedded-json", "3-8", "Embedded", "api.embedded.test"),
        ("whole.yaml", "openapi", "1-12", "Whole file", "api.whole.test"),
    ],
)
def test_each_mode_extracts_with_provenance(config, name, mode, lines, title, vendor) -> None:  # type: ignore[no-untyped-def]
    source = extract_source(FIXTURES / name, config=config)
    provenance = source.provenance
    assert source.data["info"]["title"] == title
    assert provenance["extraction"] == mode
    assert provenance["lines"] == lines
    assert provenance["doc"] == f"tests/fixtures/ingest/{name}"
    assert provenance.get("vendor") == vendor
    assert provenance["validation"] == "valid"
    import hashlib

    assert provenance["sha256"] == hashlib.sha256((FIXTURES / name).read_bytes()).hexdigest()


def test_ingest_doc_returns_the_source_dict(config) -> None:  # type: ignore[no-untyped-def]
    data = ingest_doc(FIXTURES / "embedded.txt", config=config)
    assert data["openapi"] == "3.1.0"
    assert data["info"]["x-specforge-source"]["extraction"] == "embedded-json"


def test_invalid_vendor_document_is_kept_and_the_validator_message_recorded(config) -> None:  # type: ignore[no-untyped-def]
    source = extract_source(FIXTURES / "invalid-vendor.md", config=config)
    assert source.data["paths"]["/v1/videos"]["post"] == {"summary": "no responses"}
    assert source.provenance["validation"].startswith("invalid: $.paths['/v1/videos'].post")
    assert "'responses' is a required property" in source.provenance["validation"].replace('"', "'")


def test_a_3_0_source_stays_3_0_and_paths_are_not_rewritten(config) -> None:  # type: ignore[no-untyped-def]
    data = ingest_doc(FIXTURES / "fenced.md", config=config)
    assert data["openapi"] == "3.0.0"
    assert list(data["paths"])[:2] == ["/v1/videos", "/v1/videos/{video_id}"]
    # the download route the page shows only in a curl is page evidence, marked as such
    assert data["paths"]["/v1/videos/{video_id}/content"]["get"]["x-specforge-page-evidence"] is True
    whole = ingest_doc(FIXTURES / "whole.yaml", config=config)
    assert list(whole["paths"]) == ["/videos"] and whole["servers"][0]["url"] == "https://api.whole.test/v1"


@pytest.mark.parametrize(
    ("name", "where", "message"),
    [
        ("no-openapi.txt", "no-openapi.txt:1", "no OpenAPI document and no route"),
        ("two-blocks.md", "two-blocks.md:8", "2 OpenAPI documents found (lines 2-4 and 8-10)"),
        ("bad-yaml.md", "bad-yaml.md:7:6", "invalid YAML"),
        ("bad-embedded.txt", "bad-embedded.txt:3", "embedded OpenAPI JSON is not valid JSON"),
        ("missing.md", "missing.md", "doc page not found"),
    ],
)
def test_errors_carry_file_line_and_a_hint(config, name, where, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        extract_source(FIXTURES / name, config=config)
    text = str(info.value)
    assert f"tests/fixtures/ingest/{where}: " in text
    assert message in text
    assert info.value.hint


def test_non_utf8_page_is_an_input_error(tmp_path: Path, config) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "latin1.txt"
    page.write_bytes(b"ok\n\xff\xfe broken\n")
    with pytest.raises(InputError, match="not UTF-8") as info:
        extract_source(page, config=config)
    assert info.value.line == 2


def test_directory_is_an_input_error(tmp_path: Path, config) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="directory"):
        extract_source(tmp_path, config=config)


def test_configured_mode_restricts_the_search() -> None:
    text = (FIXTURES / "embedded.txt").read_text()
    with pytest.raises(InputError, match="fenced"):
        extract_openapi(text, "embedded.txt", mode="fenced")
    with pytest.raises(InputError, match="hand-written"):
        extract_openapi(text, "embedded.txt", mode="hand")
    assert extract_openapi(text, "embedded.txt", mode="embedded-json").mode == "embedded-json"


def test_whole_file_that_is_not_openapi(tmp_path: Path, config) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "overlay.yaml"
    page.write_text("overlay: 1.0.0\ninfo: {title: x, version: '1'}\nactions: []\n")
    with pytest.raises(InputError, match="not an OpenAPI document"):
        extract_source(page, config=config)


def test_bash_and_json_example_blocks_are_not_candidates() -> None:
    text = (FIXTURES / "fenced.md").read_text()
    blocks = fenced_blocks(text)
    assert [b.lang for b in blocks] == ["bash", "sh", "json", "bash", "json", "bash", "json", "yaml"]
    assert blocks[-1].info == "POST /v1/videos" and blocks[-1].fence_line == 57
    assert extract_openapi(text, "fenced.md").start == 58


def test_curl_parsing_handles_long_options_and_multiline_bodies() -> None:
    text = (FIXTURES / "fenced.md").read_text()
    curls = list(curl_commands(text))
    assert [(c.method, c.path) for c in curls] == [
        ("POST", "/v1/videos"),
        ("POST", "/v1/videos"),
        ("GET", "/v1/videos/video_1"),
        ("GET", "/v1/videos/video_1/content"),
    ]
    assert json.loads(curls[0].data or "") == {"model": "demo-1", "prompt": "a cat", "seconds": 8}
    assert curls[0].data_line == 9 and curls[0].end == 13
    assert curls[1].form == [("model", "demo-1"), ("prompt", "a cat"), ("input_reference", "@cat.jpg")]
    assert curls[1].form_line == 21


_prose = st.lists(
    st.text(
        alphabet=st.characters(blacklist_characters="`~{\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
        max_size=30,
    ),
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(before=_prose, after=_prose, version=st.sampled_from(["3.0.3", "3.1.0"]))
def test_fenced_block_is_found_wherever_it_sits(before: list[str], after: list[str], version: str) -> None:
    block = ["```yaml", f"openapi: {version}", "info: {title: t, version: '1'}", "paths: {}", "```"]
    text = "\n".join([*before, *block, *after]) + "\n"
    extracted = extract_openapi(text, "page.md")
    assert extracted.data == {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": {}}
    assert (extracted.start, extracted.end) == (len(before) + 2, len(before) + 4)


def test_two_pages_with_one_target_are_refused(tmp_path: Path, config) -> None:  # type: ignore[no-untyped-def]
    from specforge.ingest import ingest_variants

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "page.yaml").write_text((FIXTURES / "whole.yaml").read_text())
    docs = [tmp_path / "a" / "page.yaml", tmp_path / "b" / "page.yaml"]
    with pytest.raises(InputError, match="two pages would write"):
        ingest_variants(config, docs=docs, out=tmp_path / "out")
    outcomes = ingest_variants(config, docs=docs, out=tmp_path / "out", keep_going=True)
    assert [o.action for o in outcomes] == ["unchanged", "error"]


@pytest.mark.parametrize("before", [None, "stale: true\n"])
def test_the_output_target_is_checked_once(
    tmp_path: Path, config, monkeypatch: pytest.MonkeyPatch, before: str | None
) -> None:  # type: ignore[no-untyped-def]
    """One ``lstat`` of the target per page, the policy check before it is read (there were three:
    resolving it for the two-pages-one-target key, and checking it again to write it)."""
    import os

    from specforge.ingest import ingest_variants

    target = tmp_path / "out" / "whole.yaml"
    if before is not None:
        target.parent.mkdir()
        target.write_text(before)
    seen: list[str] = []
    lstat = os.lstat

    def counting(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.fspath(path) == str(target):
            seen.append(os.fspath(path))
        return lstat(path, *args, **kwargs)

    monkeypatch.setattr(os, "lstat", counting)
    (outcome,) = ingest_variants(config, docs=[FIXTURES / "whole.yaml"], out=tmp_path / "out")
    assert outcome.action == "wrote" and target.read_text() != before
    assert len(seen) == 1


def test_nothing_to_ingest_without_variants_or_docs(tmp_path: Path) -> None:
    from specforge.ingest import ingest_variants

    (tmp_path / "specforge.toml").write_text("[project]\n")
    with pytest.raises(InputError, match="nothing to ingest"):
        ingest_variants(load_config(tmp_path / "specforge.toml"))


_field = st.from_regex(r"[a-z_]{1,12}", fullmatch=True)
_value = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)


@settings(max_examples=60, deadline=None)
@given(fields=st.lists(st.tuples(_field, _value), min_size=1, max_size=6), split=st.booleans())
def test_curl_form_fields_round_trip(fields: list[tuple[str, str]], split: bool) -> None:
    import shlex

    parts = ["curl -X POST https://h.test/v1/videos"] + [f"-F {shlex.quote(f'{k}={v}')}" for k, v in fields]
    text = (" \\\n  " if split else " ").join(parts) + "\n"
    (curl,) = list(curl_commands(text))
    assert curl.form == fields
    assert curl.method == "POST" and curl.path == "/v1/videos"
    assert curl.form_line == (2 if split else 1)


def test_html_page_pre_blocks(config) -> None:  # type: ignore[no-untyped-def]
    source = extract_source(FIXTURES / "page.html", config=config)
    assert source.mode == "fenced" and source.provenance["lines"] == "17-35"
    assert source.data["info"]["title"] == "Html page & spec"
    post = source.data["paths"]["/v1/videos"]["post"]
    request = post["requestBody"]["content"]["application/json"]["examples"]["curl-json-L8"]
    assert request["value"] == {"model": "m-1", "seconds": 8}
    assert request["x-specforge-source"] == "tests/fixtures/ingest/page.html:8"
    response = post["responses"]["200"]["content"]["application/json"]["examples"]["response-L11"]
    assert response["value"]["id"] == "video_9"
    assert source.provenance["validation"] == "valid"
