"""Property test in-process (starlette's TestClient, no sockets): whatever body a client sends
to any variant's create operation, the answer is 200 or a 4xx in the variant's error shape, and a
job exists exactly when the answer was 200."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mock_helpers import AUTH, VARIANTS, multipart, spec_of
from starlette.testclient import TestClient

from specforge.mock import MockApp, create_app

APPS: dict[str, MockApp] = {}

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
    st.sampled_from(["inf", "-1", "1e400", "4", "8", "6", "720x1280", "1280x720", "sora-2", "[fail]", "", "null", "{}", "[]"]),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def app_for(variant: str) -> MockApp:
    if variant not in APPS:
        APPS[variant] = create_app(
            spec_of(variant),
            variant=variant,
            token=AUTH["Authorization"].split()[1],
            job_seconds=0,
            state=None,
        )
    return APPS[variant]


def field_names(app: MockApp) -> list[str]:
    create = app.profile.operation("create")
    assert create is not None
    names: set[str] = set()
    for schema in create.bodies.values():
        names.update(app.profile.schemas.properties(schema))
    return sorted(names) or ["prompt"]


@pytest.mark.parametrize("variant", VARIANTS)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_create_body_is_answered_200_or_4xx_never_5xx(variant: str, data: st.DataObject) -> None:
    app = app_for(variant)
    names = field_names(app)
    body: dict[str, Any] = data.draw(st.dictionaries(st.sampled_from(names), values, max_size=6))
    as_form = data.draw(st.booleans()) or "application/json" not in app.profile.operation("create").bodies  # type: ignore[union-attr]
    before = app.store.count()
    with TestClient(app, raise_server_exceptions=True) as client:
        if as_form:
            fields = {
                k: (json.dumps(v) if isinstance(v, dict | list) else "" if v is None else str(v))
                for k, v in body.items()
            }
            content, media = multipart(fields)
            response = client.post("/v1/videos", content=content, headers={**AUTH, "Content-Type": media})
        else:
            response = client.post("/v1/videos", json=body, headers=AUTH)
        assert response.status_code == 200 or 400 <= response.status_code < 500, response.text
        assert (app.store.count() == before + 1) == (response.status_code == 200)
        if response.status_code == 200:
            job = client.get(f"/v1/videos/{response.json()['id']}", headers=AUTH)
            assert job.status_code == 200 and job.json()["id"] == response.json()["id"]
        else:
            assert isinstance(response.json()["error"]["message"], str)
