from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specforge.core import pointer as jp


def test_escape_and_join() -> None:
    assert jp.escape("a/b~c") == "a~1b~0c"
    assert jp.join("paths", "/v1/videos", "post") == "/paths/~1v1~1videos/post"
    assert jp.join() == ""
    assert jp.child("/a", 0) == "/a/0"
    assert jp.child("", "~") == "/~0"


def test_parts_accepts_fragments() -> None:
    assert jp.parts("") == [] and jp.parts("#") == []
    assert jp.parts("#/components/schemas/A~1B") == ["components", "schemas", "A/B"]
    assert jp.parts("/a//b") == ["a", "", "b"]
    assert jp.parts("/~01") == ["~1"]  # ~0 is decoded after ~1, per RFC 6901
    with pytest.raises(ValueError, match="must start with '/'"):
        jp.parts("a/b")


def test_resolve() -> None:
    doc = {"a": [{"b/c": 1}], "": {"x": None}}
    assert jp.resolve(doc, "/a/0/b~1c") == 1
    assert jp.resolve(doc, "//x") is None
    assert jp.resolve(doc, "") is doc
    assert jp.resolve(doc, ["a", "0"]) == {"b/c": 1}
    for missing in ("/a/1", "/a/x", "/a/-1", "/z", "/a/0/b~1c/deeper"):
        with pytest.raises(KeyError):
            jp.resolve(doc, missing)


@given(st.lists(st.text(max_size=6), max_size=5))
def test_join_and_parts_round_trip(tokens: list[str]) -> None:
    assert jp.parts(jp.join(*tokens)) == tokens


@given(st.text(max_size=8))
def test_escape_round_trip(token: str) -> None:
    assert jp.unescape(jp.escape(token)) == token
    assert "/" not in jp.escape(token)


def test_ancestry_is_the_nodes_down_the_path_as_far_as_it_exists() -> None:
    from specforge.core.pointer import ancestry

    doc = {"a": [{"b": {"c": 1}}], "x~/y": 2}
    assert list(ancestry(doc, "/a/0/b")) == [doc, doc["a"], doc["a"][0], {"c": 1}]
    assert list(ancestry(doc, "/a/5/b")) == [doc, doc["a"]]  # stops at the first missing step
    assert list(ancestry(doc, "/x~0~1y")) == [doc, 2]
    assert list(ancestry(doc, "no-slash")) == [doc]  # an invalid pointer: the root alone
    assert list(ancestry(doc, "")) == [doc]
