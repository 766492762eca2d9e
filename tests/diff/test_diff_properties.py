"""Invariants of the diff. Fast: on random schemas, ``diff(a, a)`` is empty, every change's
pointers land in both documents and its effect is the registry's for its side. Slow (a real mock
on 127.0.0.1): for the kinds where it must hold, a breaking ``diff(a, b)`` means the project's check
of a client of ``a`` (the lifecycle scenario, validated against ``a``) fails against a mock of ``b``."""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest
from diffcases import BASE, merged
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specforge.core import pointer as jp
from specforge.diff import KINDS, diff
from specforge.normalize import normalize

_scalar = st.sampled_from(
    [
        {"type": "string"},
        {"type": "integer"},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "string", "enum": ["a", "b"]},
        {"type": "string", "format": "date-time"},
        {"type": ["string", "null"]},
        {"type": "integer", "maximum": 10},
    ]
)
_names = st.sampled_from(["seconds", "size", "status", "created_at", "model", "error", "duration"])
schemas = st.recursive(
    _scalar,
    lambda inner: st.one_of(
        st.builds(lambda items: {"type": "array", "items": items}, inner),
        st.builds(
            lambda props, req: {
                "type": "object",
                "properties": props,
                **({"required": sorted(set(req) & set(props))} if set(req) & set(props) else {}),
            },
            st.dictionaries(_names, inner, max_size=4),
            st.lists(_names, max_size=3),
        ),
        st.builds(lambda a, b: {"oneOf": [a, b]}, inner, inner),
    ),
    max_leaves=8,
)


def _document(request: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    body = {
        "paths": {
            "/videos": {
                "post": {
                    "requestBody": {
                        "content": {"application/json": {"schema": {"properties": {"x": request}}}}
                    },
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"properties": {"x": response}}}}}
                    },
                }
            }
        }
    }
    return merged(BASE, body)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas, schemas, schemas, schemas)
def test_diff_invariants(req_a: dict, resp_a: dict, req_b: dict, resp_b: dict) -> None:
    a, b = _document(req_a, resp_a), _document(req_b, resp_b)
    assert diff(a, a) == []
    assert diff(a, normalize(a)) == []
    for change in diff(a, b):
        assert change.effect == KINDS[change.kind].effect(change.direction)
        if change.old_pointer:
            jp.resolve(normalize(a), _inline(normalize(a), change.old_pointer))
        if change.new_pointer:
            jp.resolve(normalize(b), _inline(normalize(b), change.new_pointer))
    if normalize(a) == normalize(b):
        assert diff(a, b) == []


def _inline(document: dict[str, Any], logical: str) -> str:
    """The concrete pointer of a logical one (``$ref``s followed), to prove it names a node."""
    from specforge.diff.locate import source_pointer

    concrete = source_pointer(document, logical)
    assert concrete == logical or jp.parts(concrete)[-1] == jp.parts(logical)[-1], (logical, concrete)
    return concrete


# -- breaking means a client of OLD fails against a mock of NEW ------------------------------------


def _job(document: dict[str, Any]) -> dict[str, Any]:
    return document["components"]["schemas"]["VideoResource"]["properties"]


def _seconds_integer(doc: dict[str, Any], _: str) -> None:
    _job(doc)["seconds"] = {"type": "integer", "description": "clip length"}


def _created_at_ms(doc: dict[str, Any], _: str) -> None:
    _job(doc)["created_at"] = {
        "type": "integer",
        "description": "creation time, milliseconds since the epoch",
        "examples": [1761234567890],
    }


def _required_input(doc: dict[str, Any], name: str) -> None:
    for body in ("CreateVideoJsonBody", "CreateVideoMultipartBody"):
        schema = doc["components"]["schemas"].get(body)
        if schema:
            schema["properties"][name] = {"type": "string", "minLength": 8}
            schema["required"] = [*schema.get("required", []), name]


def _request_seconds_integer(doc: dict[str, Any], _: str) -> None:
    for body in ("CreateVideoJsonBody", "CreateVideoMultipartBody"):
        schema = doc["components"]["schemas"].get(body)
        if schema and "seconds" in schema["properties"]:
            schema["properties"]["seconds"] = {"type": "integer", "enum": [4, 8, 12]}


#: label -> (mutation of OLD into NEW, the breaking kind diff must report). Not every breaking kind
#: is here: the built-in mock serves the job lifecycle (retrieve, content) whatever the spec says
#: and returns only lifecycle statuses, so operation-removed and response enum-value-added cannot
#: fail its check; those kinds are proven by the table-driven cases instead.
MUTATIONS = {
    "response seconds string -> integer": (_seconds_integer, "type-changed"),
    "request seconds string -> integer": (_request_seconds_integer, "type-changed"),
    "created_at in milliseconds": (_created_at_ms, "unit-changed"),
    "new required request field": (_required_input, "required-property-added"),
}


@pytest.fixture(scope="module")
def official() -> dict[str, Any]:
    from specforge.core import load_config
    from specforge.diff import load_spec

    return normalize(load_spec("openai", load_config()).data)


def _old_client_against(served: dict[str, Any], old: dict[str, Any]) -> Any:
    """The lifecycle check of ``old`` against a mock of ``served``."""
    from specforge.check import CheckOptions, run_check
    from specforge.mock import serve

    os.environ.setdefault("SPECFORGE_TOKEN", "sk-test")
    with serve("openai", spec=served, token=os.environ["SPECFORGE_TOKEN"], job_seconds=0.1) as url:
        return run_check(
            CheckOptions(
                base_url=url, spec_data=old, phases=("lifecycle",), poll_interval=0.05, job_timeout=10, seed=1
            )
        )


@pytest.mark.slow
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(label=st.sampled_from(sorted(MUTATIONS)), name=st.sampled_from(["callback_token", "project_ref"]))
def test_breaking_means_a_client_of_old_fails_against_a_mock_of_new(
    official: dict, label: str, name: str
) -> None:
    new = copy.deepcopy(official)
    mutate, kind = MUTATIONS[label]
    mutate(new, name)
    changes = diff(official, new)
    assert any(c.kind == kind and c.effect.value == "breaking" for c in changes), [c.kind for c in changes]
    result = _old_client_against(new, official)
    assert result.verdict.value == "non-conformant", label


@pytest.mark.slow
def test_a_client_of_old_passes_against_a_mock_of_old(official: dict) -> None:
    """The control: without the change, the same check passes (so the failures above are the change's)."""
    result = _old_client_against(copy.deepcopy(official), official)
    assert result.verdict.value == "conformant"
