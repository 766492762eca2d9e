"""End to end: the LiteLLM proxy (from the package index) in front of the recording openai mock,
checked with ``run_relay_check``. Offline: LITELLM_LOCAL_MODEL_COST_MAP=True, HTTP(S)_PROXY at a
closed local port, NO_PROXY for loopback (the mock is the only thing the proxy can reach).

LiteLLM runs from its own interpreter: ``$SPECFORGE_LITELLM_PYTHON`` (``.ci/run`` installs it in
``.ci/litellm-venv``), else this one if it has litellm. Every cause asserted below was checked
against the LiteLLM 1.110.2 source before being asserted (paths relative to site-packages/litellm):

1. a create without ``model`` is refused with 400 "Invalid model name passed in model=None":
   proxy/route_llm_request.py ``ProxyModelNotFoundError`` (routing is by ``model``; the OpenAI
   default sora-2 is not applied) -> the SDK's ``create_and_poll`` (which sends no model) fails;
2. no ``DELETE /v1/videos/{id}``: proxy/video_endpoints/endpoints.py declares only POST and GET
   routes -> ``videos.delete`` fails with 405;
3. ``GET /v1/videos`` gets neither a model nor a provider (endpoints.py ``video_list`` passes only
   the query parameters) -> 400 "LLM Provider NOT provided" -> ``videos.list`` fails;
4. the content route forwards only ``{"video_id": ...}`` (endpoints.py ``video_content``: the
   ``variant`` query is dropped) and answers ``media_type="video/mp4"`` -> the thumbnail download
   gets the MP4, and the upstream never sees ``variant=thumbnail``;
5. ids are re-encoded for the client (proxy/video_endpoints/utils.py
   ``encode_video_id_in_response`` restamps ``id`` only, via ``model_copy(update={"id": ...})``),
   so a remix's ``remixed_from_video_id`` stays in the upstream's id space -> ``videos.remix``
   fails and the join reports ``relay_keeps_client_ids``;
6. ``openai-poll-after-ms`` appears nowhere in the litellm package (the endpoints return the
   parsed VideoObject) -> ``relay_passes_headers``;
7. ``VideoObject`` (types/videos/main.py) has no ``prompt`` field, so job objects lose the
   ``prompt`` the official schema requires -> ``response_schema_conformance``;
8. an ``input_reference`` JSON object is attached as a file part named input_reference.png
   (llms/openai/videos/transformation.py ``_add_image_to_files``), the upload fails mid-body, and
   the router retries the create (router.py: ``num_retries`` "Defaults to 2"; constants.py
   ``DEFAULT_MAX_RETRIES`` 2) -> one client create, three upstream creates: ``relay_creates_once``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from specforge.check import CheckOptions
from specforge.core import load_config
from specforge.relay import RelayOptions, run_relay_check

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MASTER_KEY = "sk-litellm-master-5150"
UPSTREAM_KEY = "sk-specforge-upstream-litellm"


def litellm_python() -> str | None:
    """An interpreter that has litellm (and its proxy's requirements), or None."""
    candidates = [os.environ.get("SPECFORGE_LITELLM_PYTHON"), sys.executable]
    for python in filter(None, candidates):
        if shutil.which(python) or Path(python).is_file():
            probe = subprocess.run(
                [python, "-c", "import litellm, fastapi, uvicorn"], capture_output=True, timeout=120
            )
            if probe.returncode == 0:
                return python
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def litellm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    python = litellm_python()
    if python is None:
        pytest.skip(
            "litellm is not importable (set SPECFORGE_LITELLM_PYTHON to an interpreter that has litellm "
            "and the proxy's requirements; .ci/run installs one in .ci/litellm-venv)"
        )
    home = tmp_path_factory.mktemp("litellm")
    upstream_port, proxy_port, closed = free_port(), free_port(), free_port()
    (home / "config.yaml").write_text(
        "model_list:\n"
        "  - model_name: sora-2\n"
        "    litellm_params:\n"
        "      model: openai/sora-2\n"
        f"      api_base: http://127.0.0.1:{upstream_port}/v1\n"
        f"      api_key: {UPSTREAM_KEY}\n"
        "general_settings:\n"
        f"  master_key: {MASTER_KEY}\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
    env.update(
        LITELLM_LOCAL_MODEL_COST_MAP="True",
        HTTP_PROXY=f"http://127.0.0.1:{closed}",
        HTTPS_PROXY=f"http://127.0.0.1:{closed}",
        NO_PROXY="127.0.0.1,localhost",
        LITELLM_LOG="ERROR",
        HOME=str(home),
    )
    cli = Path(python).with_name("litellm")
    command = [str(cli)] if cli.is_file() else [python, "-m", "litellm"]
    log = (home / "litellm.log").open("w")
    process = subprocess.Popen(
        [*command, "--config", str(home / "config.yaml"), "--host", "127.0.0.1", "--port", str(proxy_port)],
        cwd=home,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{proxy_port}"
    started = time.monotonic()
    try:
        while True:
            try:
                if requests.get(url + "/health/liveliness", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() - started > 180:
                log.flush()
                pytest.fail("the LiteLLM proxy did not start:\n" + (home / "litellm.log").read_text()[-3000:])
            time.sleep(1)
        yield {
            "url": url,
            "upstream_port": upstream_port,
            "start_seconds": round(time.monotonic() - started, 1),
        }
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def relay(litellm: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    before = os.environ.get("SPECFORGE_TOKEN")
    os.environ["SPECFORGE_TOKEN"] = MASTER_KEY  # module scope: monkeypatch is function-scoped
    try:
        check = CheckOptions(
            base_url=litellm["url"],
            variant="openai",
            config=load_config(ROOT / "specforge.toml"),
            phases=("lifecycle", "sdk"),
            poll_interval=0.2,
            job_timeout=30,
            request_timeout=20,
        )
        return run_relay_check(
            RelayOptions(
                check=check,
                upstream="openai",
                upstream_port=litellm["upstream_port"],
                upstream_key=UPSTREAM_KEY,
                job_seconds=0.5,
            ),
            report_dir=tmp_path_factory.mktemp("litellm-reports"),
        )
    finally:
        if before is None:
            os.environ.pop("SPECFORGE_TOKEN", None)
        else:
            os.environ["SPECFORGE_TOKEN"] = before


def sdk(relay: Any) -> dict[str, Any]:
    return {c.call: c for c in relay.check.sdk}


def test_sdk_calls_that_litellm_breaks(relay: Any) -> None:
    calls = sdk(relay)
    assert (
        calls["videos.create_and_poll"].outcome == "fails"
        and "Invalid model name" in calls["videos.create_and_poll"].why
    )  # 1
    assert calls["videos.delete"].outcome == "fails" and "HTTP 405" in calls["videos.delete"].why  # 2
    assert calls["videos.list"].outcome == "fails" and "HTTP 400" in calls["videos.list"].why  # 3
    thumbnail = calls["videos.download_content(variant=thumbnail)"]
    assert thumbnail.outcome == "fails" and "video/mp4" in thumbnail.why  # 4
    assert (
        calls["videos.remix"].outcome == "fails" and "remixed_from_video_id" in calls["videos.remix"].why
    )  # 5
    # what LiteLLM does serve: a create naming the model, polling, the MP4
    assert (
        calls["videos.create"].outcome
        == calls["videos.retrieve"].outcome
        == calls["videos.download_content"].outcome
        == "works"
    )


def test_upstream_never_sees_the_thumbnail_variant(relay: Any) -> None:
    content = [r for r in relay.upstream_records if r["method"] == "GET" and r["path"].endswith("/content")]
    assert content and not any("variant=thumbnail" in r["query"] for r in content)  # 4


def test_relay_findings(relay: Any) -> None:
    checks = {f.check for f in relay.join.findings}
    assert {"relay_keeps_client_ids", "relay_passes_headers", "relay_creates_once"} <= checks  # 5, 6, 8
    assert "relay_keeps_credentials_apart" not in checks  # the master key stays at the proxy
    ids = next(f for f in relay.join.findings if f.check == "relay_keeps_client_ids")
    assert ids.client != ids.upstream


def test_job_objects_lose_prompt(relay: Any) -> None:
    schema = [f for f in relay.check.failures if f.check == "response_schema_conformance"]
    assert any(
        "'prompt' is a required property" in f.diagnostic.message
        or '"prompt" is a required property' in f.diagnostic.message
        for f in schema
    )  # 7


def test_harness_counts_the_upstream_creates(relay: Any) -> None:
    join = relay.join
    assert join.upstream_creates == relay.upstream_stats["creates"]  # every create that reached the mock
    assert join.client_creates >= 4 and join.retried_creates >= 1
    retried = next(
        f for f in join.findings if f.check == "relay_creates_once" and "more than once" in f.message
    )
    assert "3 upstream creates" in retried.upstream  # 8: num_retries 2 -> three attempts
    assert join.upstream_creates >= join.matched_creates + 2  # the retried create counts three times


def test_fingerprint_of_the_relay_ranks_its_upstream_first(relay: Any) -> None:
    """Counted as causes, LiteLLM's one schema defect (job objects without `prompt`, on create,
    retrieve and remix) is one violation of openai's docs, not three; and its served remix
    contradicts newapi's page, which says newapi has none (x-specforge-not-offered). What is left:
    openai's docs are broken by the missing prompt, the refused model-less create and the missing
    DELETE; newapi's by the refused create, the remix it says it lacks and the MP4 media type."""
    from specforge.check.replay import fingerprint

    ranking = fingerprint(relay.check.exchanges, load_config(ROOT / "specforge.toml"))
    assert ranking[0].variant == "openai", [m.to_dict() for m in ranking]
    newapi = next(m for m in ranking if m.variant == "newapi")
    assert newapi.violations >= 3, newapi.to_dict()
