from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from history_fakes import fake_runner

from specforge.history import HistoryStore, Provider, run_nightly


def providers(*specs: tuple[str, str], timeout: float = 30) -> list[Provider]:
    return [Provider(name=name, base_url=f"http://fake.test/{path}", timeout=timeout) for name, path in specs]


def no_hash(provider: Provider) -> str:
    return "src"


def test_process_isolation_survives_crash_hang_and_exception(tmp_path: Path) -> None:
    chosen = providers(
        ("ok", "ok"),
        ("failing", "fail/a,b"),
        ("crash", "crash"),
        ("hang", "hang"),
        ("raise", "raise"),
        ("down", "unreachable"),
        ("late", "sleep/0.2/ok"),
        timeout=4,
    )
    with HistoryStore(tmp_path / "h.sqlite") as store:
        started = time.monotonic()
        result = run_nightly(
            chosen,
            store,
            runner=fake_runner,
            concurrency=3,
            isolation="process",
            report_root=tmp_path / "out",
            source_hash=no_hash,
        )
        elapsed = time.monotonic() - started
        stored = {r.provider: r for r in store.batch_runs(result.batch)}
    assert elapsed < 20
    verdicts = {name: run.verdict for name, run in stored.items()}
    assert verdicts == {
        "ok": "conformant",
        "failing": "non-conformant",
        "crash": "crashed",
        "hang": "timeout",
        "raise": "crashed",
        "down": "error",
        "late": "conformant",
    }
    assert "exit code 7" in stored["crash"].errors[0]
    assert "timeout of 4 s" in stored["hang"].errors[0]
    assert "RuntimeError: runner exploded" in stored["raise"].errors[0]
    assert "connection_refused" in stored["down"].errors[0]
    assert len(stored["failing"].failures()) == 2
    assert stored["ok"].report_dir == str(tmp_path / "out" / "ok")
    assert stored["ok"].source_hash == "src" and stored["ok"].spec_hash == "h1"


def test_thread_isolation_bounds_concurrency_and_abandons_hangs(tmp_path: Path) -> None:
    lock = threading.Lock()
    running, peak = 0, 0
    release = threading.Event()

    def runner(provider: Provider) -> dict:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            if provider.name == "stuck":
                release.wait(30)
            time.sleep(0.05)
            return fake_runner(provider)
        finally:
            with lock:
                running -= 1

    chosen = providers(*[(f"p{i}", "ok") for i in range(8)], ("stuck", "ok"))
    chosen[-1] = Provider(name="stuck", base_url="http://fake.test/ok", timeout=0.5)
    with HistoryStore(tmp_path / "h.sqlite") as store:
        result = run_nightly(
            chosen, store, runner=runner, concurrency=2, isolation="thread", source_hash=no_hash
        )
        release.set()
    assert peak <= 3  # 2 slots + the abandoned hung thread at most
    assert {r.provider: r.verdict for r in result.runs}["stuck"] == "timeout"
    assert sum(r.verdict == "conformant" for r in result.runs) == 8


def test_runs_are_stored_as_they_finish(tmp_path: Path) -> None:
    """An interrupted nightly (Ctrl-C, CI cancel) keeps every run finished so far."""
    chosen = providers(("fast", "ok"), ("slow", "sleep/30/ok"))
    seen = []

    def stop(run) -> None:  # type: ignore[no-untyped-def]
        seen.append(run.provider)
        raise KeyboardInterrupt

    with HistoryStore(tmp_path / "h.sqlite") as store:
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            run_nightly(
                chosen,
                store,
                runner=fake_runner,
                concurrency=2,
                isolation="process",
                on_result=stop,
                source_hash=no_hash,
            )
        assert time.monotonic() - started < 15  # the slow worker was killed, not awaited
        assert [r.provider for r in store.list_runs()] == ["fast"] == seen


def test_process_isolation_needs_an_importable_runner(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store, pytest.raises(ValueError, match="not importable"):
        run_nightly(
            providers(("a", "ok")), store, runner=lambda p: {}, isolation="process", source_hash=no_hash
        )


def test_a_runner_returning_garbage_is_a_crash_not_an_abort(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        result = run_nightly(
            providers(("a", "ok"), ("b", "ok")),
            store,
            runner=lambda p: 42 if p.name == "a" else fake_runner(p),
            isolation="thread",
            source_hash=no_hash,
        )
    verdicts = {r.provider: (r.verdict, r.errors[:1]) for r in result.runs}
    assert verdicts["a"][0] == "crashed" and "expected a CheckResult" in verdicts["a"][1][0]
    assert verdicts["b"][0] == "conformant"


def test_a_runner_that_cannot_load_in_the_worker_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import history_fakes_fragile

    monkeypatch.setenv("SPECFORGE_TEST_BREAK_RUNNER", "1")
    with HistoryStore(tmp_path / "h.sqlite") as store:
        result = run_nightly(
            providers(("a", "ok"), ("b", "ok")),
            store,
            runner=history_fakes_fragile.runner,
            isolation="process",
            source_hash=no_hash,
        )
    assert [r.verdict for r in result.runs] == ["crashed", "crashed"]
    assert "cannot load runner history_fakes_fragile:runner" in result.runs[0].errors[0]
    assert "ImportError" in result.runs[0].errors[0]


def test_default_source_hash_follows_the_vendor_doc(tmp_path: Path) -> None:
    from specforge.history.adapter import project_source_hash

    (tmp_path / "doc.txt").write_text("v1", encoding="utf-8")
    (tmp_path / "src.yaml").write_text("openapi: 3.1.0\n", encoding="utf-8")
    (tmp_path / "specforge.toml").write_text(
        '[variants.acme]\ndoc = "doc.txt"\nsource = "src.yaml"\n', encoding="utf-8"
    )
    provider = Provider(name="p", base_url="https://x", variant="acme", project=tmp_path / "specforge.toml")
    first = project_source_hash(provider)
    assert first == project_source_hash(provider) and len(first) == 64
    (tmp_path / "doc.txt").write_text("v2 - the vendor edited the page", encoding="utf-8")
    assert project_source_hash(provider) != first
    canonical = Provider(name="c", base_url="https://x", project=tmp_path / "specforge.toml")
    assert project_source_hash(canonical) != first  # all variants' docs


def test_missing_token_is_an_error_not_a_wall_of_regressions(monkeypatch: pytest.MonkeyPatch) -> None:
    from specforge.history.adapter import check_provider
    from specforge.history.results import normalize_result

    monkeypatch.delenv("SPECFORGE_TEST_ABSENT_TOKEN", raising=False)
    provider = Provider(name="acme", base_url="http://127.0.0.1:9", token_env="SPECFORGE_TEST_ABSENT_TOKEN")
    data = normalize_result(check_provider(provider))
    assert data["verdict"] == "error" and "SPECFORGE_TEST_ABSENT_TOKEN" in data["errors"][0]


def test_every_module_the_worker_zygote_preloads_exists() -> None:
    """A misspelt preload entry would make every nightly worker fail at start."""
    import importlib

    from specforge.history.adapter import NIGHTLY_PRELOAD

    for name in NIGHTLY_PRELOAD:
        importlib.import_module(name)
