"""Corpus test: the mock accepts every request example each vendor page shows (ingested into the
sources as OpenAPI examples), except where the page contradicts its own schema — those are
listed, with the field the mock rejects, so a fix on either side shows up here."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mock_helpers import VARIANTS, client, multipart, running, spec_of

#: (variant, example name) -> the field the mock rejects, because the page's example and its
#: schema disagree (lint reports the same inconsistency)
KNOWN_ISSUES = {
    # the prose shows the OpenAI contract (input_reference object, sora-2) but the embedded
    # OpenAPI is the Veo spec (input_reference array, veo-3.1 models)
    ("hingnet-sora", "curl-json-L40"): "input_reference",
    # the curl sample sends `content={}` while the field is documented as object[]
    ("aiid", "curl-form-L12"): "content",
}


def _examples() -> list[tuple[str, str, str, Any]]:
    cases = []
    for variant in VARIANTS:
        spec = spec_of(variant)
        create = (spec["paths"].get("/v1/videos") or spec["paths"]["/videos"])["post"]
        for media, content in create.get("requestBody", {}).get("content", {}).items():
            for name, example in (content.get("examples") or {}).items():
                cases.append((variant, media, name, example["value"]))
            if "example" in content:
                cases.append((variant, media, "example", content["example"]))
    return cases


EXAMPLES = _examples()


def test_the_corpus_has_examples_from_most_pages() -> None:
    assert len({variant for variant, *_ in EXAMPLES}) >= 4 and len(EXAMPLES) >= 8


@pytest.mark.parametrize(
    ("variant", "media", "name", "value"), EXAMPLES, ids=[f"{v}-{n}" for v, _, n, _ in EXAMPLES]
)
def test_documented_request_examples_are_accepted(variant: str, media: str, name: str, value: Any) -> None:
    with running(variant, job_seconds=0) as (url, app), client(url) as http:
        if media == "application/json":
            response = http.post("/v1/videos", json=value)
        else:
            fields = {k: json.dumps(v) if isinstance(v, dict | list) else str(v) for k, v in value.items()}
            content, content_type = multipart(fields)
            response = http.post("/v1/videos", content=content, headers={"Content-Type": content_type})
        rejected = KNOWN_ISSUES.get((variant, name))
        if rejected is None:
            assert response.status_code == 200, response.text
            assert app.store.count() == 1
        else:
            assert response.status_code == 400
            assert response.json()["error"]["message"].startswith(f"Invalid request body: {rejected}:")
