from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from core_ref_problems import ref_problems
from hypothesis import given, settings
from hypothesis import strategies as st

from specforge.core import InputError, load_document, load_text
from specforge.core.refs import (
    RefError,
    RefResolver,
    bundle,
    follow_local,
    iter_refs,
    resolve_local,
    rewrite_refs,
)

ROOT_SPEC = """\
openapi: 3.1.0
paths:
  /v1/videos:
    post:
      requestBody:
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Create'
      responses:
        '200':
          content:
            application/json:
              schema:
                $ref: 'common.yaml#/components/schemas/Video'
components:
  schemas:
    Create:
      type: object
      properties:
        prompt: {type: string}
        node: {$ref: '#/components/schemas/Node'}
    Node:
      type: object
      properties:
        children:
          type: array
          items: {$ref: '#/components/schemas/Node'}
    Alias:
      $ref: '#/components/schemas/Create'
"""

COMMON = """\
components:
  schemas:
    Video:
      type: object
      properties:
        id: {type: string}
        status: {$ref: '#/components/schemas/Status'}
        parent: {$ref: 'spec.yaml#/components/schemas/Create'}
    Status:
      type: string
      enum: [queued, in_progress, completed, failed]
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "spec.yaml").write_text(ROOT_SPEC)
    (folder / "common.yaml").write_text(COMMON)
    return folder / "spec.yaml"


def test_same_file_ref_with_location(spec: Path) -> None:
    doc = load_document(spec)
    target, pointer, value = RefResolver(doc).follow(doc, "#/components/schemas/Create")
    assert value["properties"]["prompt"] == {"type": "string"}
    location = target.locate(pointer)
    assert location is not None and (location.file, location.line, location.col) == (str(spec), 19, 7)
    assert pointer == "/components/schemas/Create"


def test_relative_file_ref_is_loaded_once_and_located(spec: Path) -> None:
    doc = load_document(spec)
    resolver = RefResolver(doc)
    common, pointer, value = resolver.follow(doc, "common.yaml#/components/schemas/Video")
    assert value["properties"]["id"] == {"type": "string"}
    location = common.locate(pointer)
    assert location is not None and location.file == str(spec.parent / "common.yaml") and location.line == 4
    # refs inside the other file are relative to that file
    where, pointer, status = resolver.follow(common, "#/components/schemas/Status")
    assert status["enum"][0] == "queued" and where is common and common.locate(pointer).line == 10  # type: ignore[union-attr]
    again, _, _ = resolver.follow(doc, "common.yaml#/components/schemas/Status")
    assert again is common  # cached, not reloaded


def test_chains_are_followed(spec: Path) -> None:
    doc = load_document(spec)
    _, pointer, value = RefResolver(doc).follow(doc, "#/components/schemas/Alias")
    assert pointer == "/components/schemas/Create" and value["type"] == "object"


def test_bundle_inlines_only_other_files(spec: Path) -> None:
    data = bundle(load_document(spec))
    schema = data["paths"]["/v1/videos"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Create"}
    video = data["paths"]["/v1/videos"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert video["properties"]["status"]["type"] == "string"
    # a ref from the other file back into the root file becomes a local ref
    assert video["properties"]["parent"] == {"$ref": "#/components/schemas/Create"}
    assert ref_problems(load_text(json.dumps(data), str(spec.parent / "bundled.json"))) == []


def test_iter_refs_skips_literal_data() -> None:
    doc = load_text(
        json.dumps(
            {
                "a": {"$ref": "#/b"},
                "b": {"example": {"$ref": "not a ref"}, "enum": [{"$ref": "x"}]},
                "c": {"examples": {"one": {"value": {"$ref": "data"}}, "two": {"$ref": "#/b"}}},
                "d": {"properties": {"$ref": {"type": "string"}}},
                "e": [{"$ref": "#/a"}],
            }
        ),
        "x.json",
    )
    assert [(s.pointer, s.ref) for s in iter_refs(doc)] == [
        ("/a", "#/b"),
        ("/c/examples/two", "#/b"),
        ("/e/0", "#/a"),
    ]


def test_check_refs_reports_every_bad_ref_at_its_position(spec: Path) -> None:
    folder = spec.parent
    (folder / "bad.yaml").write_text(
        "a: {$ref: '#/components/schemas/Vidoe'}\n"
        "b: {$ref: 'missing.yaml#/x'}\n"
        "c: {$ref: '../outside.yaml#/x'}\n"
        "d: {$ref: 'https://example.com/spec.yaml#/x'}\n"
        "e: {$ref: '/etc/passwd'}\n"
        "f: {$ref: 'common.yaml#/components/schemas/Nope'}\n"
        "g: {$ref: '#/g'}\n"
        "h: {$ref: '#name'}\n"
        "components: {schemas: {Video: {}}}\n"
    )
    (folder.parent / "outside.yaml").write_text("x: 1\n")
    diagnostics = ref_problems(load_document(folder / "bad.yaml"))
    got = [(d.code, d.line, d.col, d.pointer) for d in diagnostics]
    assert got == [
        ("ref-unresolved", 1, 11, "/a/$ref"),
        ("ref-file", 2, 11, "/b/$ref"),
        ("ref-escape", 3, 11, "/c/$ref"),
        ("ref-remote", 4, 11, "/d/$ref"),
        ("ref-escape", 5, 11, "/e/$ref"),
        ("ref-unresolved", 6, 11, "/f/$ref"),
        ("ref-cycle", 7, 11, "/g/$ref"),
        ("ref-invalid", 8, 11, "/h/$ref"),
    ]
    assert diagnostics[0].hint == "did you mean `#/components/schemas/Video`?"
    assert str(diagnostics[2]).endswith(
        "(hint: copy the referenced file into the spec's folder; refs may not reach outside it)"
    )


def test_deref_raises_input_error_with_position(spec: Path) -> None:
    doc = load_document(spec)
    with pytest.raises(RefError) as info:
        RefResolver(doc).follow(
            doc, "../x.yaml#/a", at="/paths/~1v1~1videos/post/requestBody/content/application~1json/schema"
        )
    error = info.value
    assert isinstance(error, InputError) and error.code == "ref-escape"
    assert (error.file, error.line, error.col) == (str(spec), 9, 21)


def test_remote_refs_need_an_injected_retriever(spec: Path) -> None:
    doc = load_text("a: {$ref: 'https://example.com/s.yaml#/components/x'}\n", str(spec))
    with pytest.raises(RefError, match="remote \\$ref .* refused"):
        RefResolver(doc).follow(doc, "https://example.com/s.yaml#/components/x")
    calls: list[str] = []

    def retrieve(url: str) -> str:
        calls.append(url)
        return "components:\n  x: {$ref: 'other.yaml#/y'}\n" if url.endswith("s.yaml") else "y: 42\n"

    resolver = RefResolver(doc, retrieve=retrieve)
    target, _, value = resolver.follow(doc, "https://example.com/s.yaml#/components/x")
    assert value == 42 and target.path == "https://example.com/other.yaml"
    resolver.follow(doc, "https://example.com/s.yaml#/components/x")
    assert calls == ["https://example.com/s.yaml", "https://example.com/other.yaml"]


def test_base_path_places_a_document_loaded_from_text(spec: Path) -> None:
    doc = load_text("a: {$ref: 'common.yaml#/components/schemas/Status'}\n", "<stdin>")
    _, _, value = RefResolver(doc, base_path=spec.parent).follow(
        doc, "common.yaml#/components/schemas/Status"
    )
    assert value["type"] == "string"


def test_pure_ref_cycle_raises(spec: Path) -> None:
    doc = load_text("a: {$ref: '#/b'}\nb: {$ref: '#/a'}\n", str(spec))
    with pytest.raises(RefError, match="never reaches a value: #/a -> #/b -> #/a"):
        RefResolver(doc).follow(doc, "#/a")


def test_reference_spec_refs_all_resolve(project_root: Path) -> None:
    doc = load_document(project_root / "tests" / "fixtures" / "core" / "openai-videos.yaml")
    assert ref_problems(doc) == []
    assert all(site.ref.startswith("#/") for site in iter_refs(doc))
    assert bundle(doc) == doc.data  # nothing to inline: same-file refs stay refs


def test_bundle_refuses_a_pure_cycle(spec: Path) -> None:
    doc = load_text("x: {$ref: '#/a'}\na: {$ref: '#/b'}\nb: {$ref: '#/a'}\n", str(spec))
    with pytest.raises(RefError, match="never reaches a value") as info:
        bundle(doc)
    assert info.value.line == 1


@st.composite
def schema_graphs(draw: st.DrawFn) -> dict[str, object]:
    """components/schemas where every schema has properties that are refs to (any) schema,
    possibly itself: arbitrary cycles, shared targets and chains."""
    names = [f"S{i}" for i in range(draw(st.integers(1, 5)))]
    schemas: dict[str, object] = {}
    for name in names:
        targets = draw(st.lists(st.sampled_from(names), max_size=3))
        if draw(st.booleans()) and targets:
            schemas[name] = {"$ref": f"#/components/schemas/{targets[0]}", "description": name}
        else:
            schemas[name] = {
                "type": "object",
                "properties": {f"p{i}": {"$ref": f"#/components/schemas/{t}"} for i, t in enumerate(targets)},
            }
    root = draw(st.sampled_from(names))
    return {
        "openapi": "3.1.0",
        "x-root": {"$ref": f"#/components/schemas/{root}"},
        "components": {"schemas": schemas},
    }


@settings(max_examples=150, deadline=None)
@given(schema_graphs())
def test_bundles_are_finite_and_their_remaining_refs_resolve(spec: dict[str, object]) -> None:
    """The schema graph in another file, reached from the root: the bundle inlines it, every
    ref left is local and leads to a real object, and the input is untouched."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "graph.json").write_text(json.dumps(spec))
        pointer = spec["x-root"]["$ref"]  # type: ignore[index]
        (root / "spec.json").write_text(
            json.dumps({"openapi": "3.1.0", "x-root": {"$ref": f"graph.json{pointer}"}})
        )
        doc = load_document(root / "spec.json")
        try:
            data = bundle(doc)
        except RefError as error:
            assert error.code == "ref-cycle"  # only a chain of bare refs can fail
            assert any(d.code == "ref-cycle" for d in ref_problems(load_document(root / "graph.json")))
            return
        again = load_text(json.dumps(data), str(root / "bundled.json"))  # finite: no shared cycles
        assert ref_problems(again) == []
        for site in iter_refs(again):
            # a real, inlined object (through a ref placed where a later use was inlined)
            target, _ = follow_local(data, {"$ref": site.ref}, site.pointer)
            assert isinstance(target, dict) and "$ref" not in target
        assert json.loads((root / "graph.json").read_text()) == spec


LOCAL = {
    "a": {"$ref": "#/b"},
    "b": {"$ref": "#/c~1d/0"},
    "c/d": [{"type": "string"}],
    "loop": {"$ref": "#/loop2"},
    "loop2": {"$ref": "#/loop"},
    "dangling": {"$ref": "#/nope"},
    "remote": {"$ref": "common.yaml#/x"},
    "anchor": {"$ref": "#name"},
}


def test_resolve_local_names_value_and_pointer_or_none() -> None:
    assert resolve_local(LOCAL, "#/c~1d/0") == ({"type": "string"}, "/c~1d/0")
    assert resolve_local(LOCAL, "#") == (LOCAL, "")
    for ref in ("#/nope", "#/c~1d/1", "common.yaml#/x", "#name", "https://x/y.yaml"):
        assert resolve_local(LOCAL, ref) is None, ref


def test_follow_local_follows_chains_and_stops_without_raising() -> None:
    assert follow_local(LOCAL, LOCAL["a"], "/a") == ({"type": "string"}, "/c~1d/0")
    assert follow_local(LOCAL, {"type": "integer"}, "/x") == ({"type": "integer"}, "/x")
    assert follow_local(LOCAL, "text", "/t") == ("text", "/t")
    # a cycle ends before a ref repeats (here: back at the start); dangling, remote and anchor refs stay as they are
    assert follow_local(LOCAL, LOCAL["loop"], "/loop") == ({"$ref": "#/loop2"}, "/loop")
    for name in ("dangling", "remote", "anchor"):
        assert follow_local(LOCAL, LOCAL[name], f"/{name}") == (LOCAL[name], f"/{name}")


def test_rewrite_refs_rewrites_every_ref_in_place() -> None:
    data = {"a": {"$ref": "#/x"}, "b": [{"$ref": "other.yaml#/y"}, {"example": {"$ref": "#/z"}}], "$ref": 3}
    rewrite_refs(data, lambda ref: ref.upper())
    assert data == {
        "a": {"$ref": "#/X"},
        "b": [{"$ref": "OTHER.YAML#/Y"}, {"example": {"$ref": "#/Z"}}],
        "$ref": 3,
    }


ANCHORED = """\
openapi: 3.1.0
paths: {}
components:
  schemas:
    Video:
      $anchor: video
      type: object
      properties:
        status: {$ref: 'common.yaml#status'}
        owner: {$ref: 'https://schemas.example.com/owner'}
    Owner:
      $id: https://schemas.example.com/owner
      type: object
      properties:
        team: {$ref: '#/$defs/team'}
      $defs:
        team: {type: string}
    Alias: {$ref: '#video'}
"""

COMMON_ANCHORED = """\
components:
  schemas:
    Status:
      $anchor: status
      type: string
"""


@pytest.fixture
def anchored(tmp_path: Path) -> Path:
    (tmp_path / "spec.yaml").write_text(ANCHORED)
    (tmp_path / "common.yaml").write_text(COMMON_ANCHORED)
    return tmp_path / "spec.yaml"


def test_anchor_and_id_refs_of_31_schemas_resolve_without_a_fetch(anchored: Path) -> None:
    """referencing's registry finds `$anchor`s and `$id`s in component schemas: a ref by anchor
    (here or in another file) or by an `$id` URL lands on the schema, never on the network, and
    a ref inside an `$id` schema is relative to it."""
    doc = load_document(anchored)
    resolver = RefResolver(doc)
    target, pointer, value = resolver.follow(doc, "#/components/schemas/Alias")
    assert (target, pointer, value["type"]) == (doc, "/components/schemas/Video", "object")
    common, pointer, _ = resolver.follow(
        doc, "common.yaml#status", at="/components/schemas/Video/properties/status"
    )
    assert pointer == "/components/schemas/Status" and common.locate(pointer).line == 4  # type: ignore[union-attr]
    target, pointer, _ = resolver.follow(doc, "https://schemas.example.com/owner")
    assert (target, pointer) == (doc, "/components/schemas/Owner")
    _, pointer, team = resolver.deref_one(doc, "#/$defs/team", at="/components/schemas/Owner/properties/team")
    assert pointer == "/components/schemas/Owner/$defs/team" and team == {"type": "string"}
    assert ref_problems(doc) == []
    data = bundle(doc)
    schemas = data["components"]["schemas"]
    assert schemas["Alias"] == {"$ref": "#/components/schemas/Video"}  # a JSON pointer for schemathesis
    assert schemas["Video"]["properties"]["status"] == {"$anchor": "status", "type": "string"}
    assert schemas["Video"]["properties"]["owner"] == {"$ref": "#/components/schemas/Owner"}


def test_a_missing_anchor_is_ref_invalid_at_the_ref(anchored: Path) -> None:
    doc = load_document(anchored)
    with pytest.raises(RefError, match="has a fragment that is not a JSON pointer") as info:
        RefResolver(doc).follow(doc, "#vidoe", at="/components/schemas/Alias")
    assert (info.value.code, info.value.line, info.value.col) == ("ref-invalid", 18, 19)


def test_validators_share_the_resolvers_registry_and_files(
    anchored: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The registry validators get is the resolver's: a file the resolver loaded is not read again."""
    import jsonschema

    doc = load_document(anchored)
    resolver = RefResolver(doc)
    resolver.follow(doc, "common.yaml#status")

    def no_second_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("common.yaml was loaded twice")

    monkeypatch.setattr("specforge.core.refs.load_document", no_second_read)
    common = (anchored.parent / "common.yaml").as_uri()
    validator = jsonschema.Draft202012Validator({"$ref": f"{common}#status"}, registry=resolver.registry)
    assert validator.is_valid("queued") and not validator.is_valid(5)
    owner = jsonschema.Draft202012Validator(
        {"$ref": "https://schemas.example.com/owner"}, registry=resolver.registry
    )
    assert owner.is_valid({"team": "a"}) and not owner.is_valid({"team": 1})


def _ref_error(error: BaseException | None) -> RefError | None:
    while error is not None and not isinstance(error, RefError):
        error = error.__cause__ or error.__context__
    return error


def test_the_validators_registry_refuses_what_the_resolver_refuses(tmp_path: Path) -> None:
    """RefGuard.registry() (what every jsonschema validator gets) and the resolver are one: the
    same refs are refused with the same codes, and nothing outside the folder is read."""
    import jsonschema

    from specforge.openapi.validation import RefGuard

    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (outside / "secret.yaml").write_text("x: 1\n")
    (project / "link.yaml").symlink_to(outside / "secret.yaml")
    spec = project / "spec.yaml"
    spec.write_text("openapi: 3.1.0\n")
    doc = load_document(spec)
    for ref, code in [
        ("../outside/secret.yaml#/x", "ref-escape"),
        ("link.yaml#/x", "ref-escape"),
        ((outside / "secret.yaml").as_uri() + "#/x", "ref-escape"),
        ("https://example.com/x.yaml#/x", "ref-remote"),
        ("missing.yaml#/x", "ref-file"),
    ]:
        with pytest.raises(RefError) as resolved:
            RefResolver(doc).follow(doc, ref)
        guard = RefGuard(project, document=spec)
        validator = jsonschema.Draft202012Validator(
            {"$id": guard.base_uri, "$ref": ref}, registry=guard.registry()
        )
        with pytest.raises(jsonschema.exceptions._RefResolutionError) as validated:
            validator.is_valid(1)
        refused = _ref_error(validated.value)
        assert refused is not None and (resolved.value.code, refused.code) == (code, code), ref
        assert "x: 1" not in refused.message


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["$id", "$anchor", "properties", "items", "allOf", "$defs", "components", "schemas", "a"]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(_JSONISH, st.sampled_from(["#name", "#/a", "other.json#name", "https://h.invalid/x#/a"]))
def test_malformed_ids_and_anchors_never_crash_the_registry(data: object, ref: str) -> None:
    """Whatever `$id`, `$anchor` and keyword values a document holds, a ref through the registry
    either resolves or is a RefError (never a TypeError from crawling it)."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "other.json").write_text(json.dumps(data))
        doc = load_text(json.dumps({"components": {"schemas": {"S": data}}}), str(Path(folder) / "spec.json"))
        try:
            RefResolver(doc).follow(doc, ref)
        except RefError as error:
            assert error.code in {"ref-invalid", "ref-unresolved", "ref-remote", "ref-cycle"}
