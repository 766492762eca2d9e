"""The official OpenAI Python SDK against `--variant openai`: the mock is a drop-in provider."""

from __future__ import annotations

import warnings

import pytest
from mock_helpers import TOKEN

from specforge.mock import serve

openai = pytest.importorskip("openai")


@pytest.fixture
def sdk():  # type: ignore[no-untyped-def]
    with serve("openai", token=TOKEN, job_seconds=0.2) as url, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the SDK warns that Sora is deprecated
        client = openai.OpenAI(base_url=url + "/v1", api_key=TOKEN, max_retries=0)
        yield client
        client.close()


def test_create_and_poll_then_download_content(sdk) -> None:  # type: ignore[no-untyped-def]
    video = sdk.videos.create_and_poll(prompt="a calico cat playing a piano", seconds="8", size="1280x720")
    assert video.status == "completed" and video.progress == 100
    assert video.seconds == "8" and video.size == "1280x720" and video.model == "sora-2"
    content = sdk.videos.download_content(video.id)
    data = content.read()
    assert data[4:8] == b"ftyp" and 1000 < len(data) < 20_000
    assert content.response.headers["content-type"] == "video/mp4"


def test_failed_job_list_remix_delete(sdk) -> None:  # type: ignore[no-untyped-def]
    failed = sdk.videos.create_and_poll(prompt="please [fail]")
    assert failed.status == "failed" and failed.error is not None and failed.error.code == "generation_failed"
    done = sdk.videos.create_and_poll(prompt="ok")
    remix = sdk.videos.remix(done.id, prompt="again")
    assert remix.remixed_from_video_id == done.id
    listed = [v.id for v in sdk.videos.list()]
    assert {failed.id, done.id, remix.id} <= set(listed)
    deleted = sdk.videos.delete(done.id)
    assert deleted.deleted is True and deleted.id == done.id
    with pytest.raises(openai.NotFoundError):
        sdk.videos.retrieve(done.id)


def test_sdk_errors_map_to_its_exception_types(sdk) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(openai.BadRequestError) as bad:
        sdk.videos.create(prompt="x", seconds="5")  # type: ignore[arg-type]
    assert "seconds" in str(bad.value)
    wrong = openai.OpenAI(base_url=str(sdk.base_url), api_key="sk-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        wrong.videos.list()
