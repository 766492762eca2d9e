from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from history_fakes import make_run
from hypothesis import given, settings
from hypothesis import strategies as st

from specforge.core.errors import InputError
from specforge.history import HistoryStore
from specforge.history.store import MIGRATIONS

HERE = Path(__file__).resolve().parent
SRC = HERE.parent.parent / "src"


def test_roundtrip_keeps_everything(tmp_path: Path) -> None:
    run = make_run(failing=("timestamps", "lifecycle"))
    with HistoryStore(tmp_path / "h.sqlite") as store:
        store.add_run(run)
        loaded = store.get(run.run_id)
    assert loaded == run
    assert set(loaded.failures()) == set(run.failures())
    assert loaded.failures()["POST /v1/videos · timestamps · /timestamps"].message == "timestamps broke"


def test_schema_is_versioned_wal_and_migrates_in_order(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with HistoryStore(path, migrations=MIGRATIONS) as store:
        assert store.version == len(MIGRATIONS)
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        store.add_run(make_run())

    applied = []

    def v2(conn: sqlite3.Connection) -> None:
        applied.append(2)
        conn.execute("ALTER TABLE runs ADD COLUMN note TEXT")

    with HistoryStore(path, migrations=(*MIGRATIONS, v2)) as store:
        assert store.version == len(MIGRATIONS) + 1 and applied == [2]
        assert store.count() == 1  # data kept across the migration
    with HistoryStore(path, migrations=(*MIGRATIONS, v2)):
        assert applied == [2]  # not re-applied
    with pytest.raises(InputError, match="newer than this specforge"):
        HistoryStore(path, migrations=MIGRATIONS)


def test_failed_migration_rolls_back(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    HistoryStore(path).close()

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half (x)")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        HistoryStore(path, migrations=(*MIGRATIONS, broken))
    with HistoryStore(path) as store:
        assert store.version == len(MIGRATIONS)
        assert not store.conn.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchall()


def test_not_a_database_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError, match="cannot open history database"):
        HistoryStore(path)
    with pytest.raises(InputError, match="not found"):
        HistoryStore(tmp_path / "missing.sqlite", create=False)


def test_resolve_like_git(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        runs = [make_run(started=f"2026-01-0{d}T00:00:00Z") for d in (1, 2, 3)]
        for run in runs:
            store.add_run(run)
        store.add_run(make_run("other", started="2026-01-02T00:00:00Z"))
        assert store.resolve(runs[1].run_id) == runs[1]
        assert store.resolve("acme") == runs[2]
        assert store.resolve("acme~2") == runs[0]
        assert store.resolve("20260101T000000-a") == runs[0]  # unique prefix
        with pytest.raises(InputError, match="only 3 run"):
            store.resolve("acme~3")
        with pytest.raises(InputError, match="ambiguous"):
            store.resolve("2026010")
        with pytest.raises(InputError, match="did you mean `acme`"):
            store.resolve("acm")


def test_previous_skips_unreachable_runs_and_trend(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        first = make_run(started="2026-01-01T00:00:00Z", failing=("a",))
        down = make_run(started="2026-01-02T00:00:00Z", verdict="error")
        third = make_run(started="2026-01-03T00:00:00Z", failing=("a", "b"))
        for run in (first, down, third):
            store.add_run(run)
        assert store.previous(third) == first
        assert store.previous(third, comparable=False).run_id == down.run_id
        assert store.previous(first) is None
        trend = store.trend(third, 10)
        assert [(p.verdict, p.failures) for p in trend] == [
            ("non-conformant", 1),
            ("error", 0),
            ("non-conformant", 2),
        ]
        assert [p.run_id for p in store.trend(third, 2)] == [down.run_id, third.run_id]


def test_prune_keeps_newest_per_provider(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        for day in range(1, 6):
            store.add_run(make_run("a", started=f"2026-01-0{day}T00:00:00Z", failing=("x",)))
            store.add_run(make_run("b", started=f"2026-01-0{day}T00:00:00Z"))
        assert store.prune(2, provider="b") == 3
        assert store.prune(3) == 2
        assert [r.started_at[:10] for r in store.list_runs(provider="a")] == [
            "2026-01-05",
            "2026-01-04",
            "2026-01-03",
        ]
        assert store.count() == 5
        # findings of deleted runs went with them (ON DELETE CASCADE)
        assert store.conn.execute("SELECT COUNT(*) FROM failures").fetchone()[0] == 3
        assert store.integrity() == "ok"


def test_merge_is_idempotent(tmp_path: Path) -> None:
    shard1, shard2, main = tmp_path / "s1.sqlite", tmp_path / "s2.sqlite", tmp_path / "main.sqlite"
    with HistoryStore(shard1) as store:
        store.add_run(make_run("a", failing=("x",)))
    with HistoryStore(shard2) as store:
        store.add_run(make_run("b"))
        store.add_run(make_run("c", failing=("y", "z")))
    with HistoryStore(main) as store:
        assert store.merge(shard1) == 1
        assert store.merge(shard2) == 2
        assert store.merge(shard1) == 0 and store.merge(shard2) == 0
        assert store.count() == 3
        assert store.resolve("c").failures().keys() == make_run("c", failing=("y", "z")).failures().keys()
        with pytest.raises(InputError, match="into itself"):
            store.merge(main)
        with pytest.raises(InputError, match="not found"):
            store.merge(tmp_path / "nope.sqlite")


WRITER = textwrap.dedent(
    """
    import sys
    sys.path[:0] = [{src!r}, {here!r}]
    from history_fakes import make_run
    from specforge.history import HistoryStore
    name, count = sys.argv[1], int(sys.argv[2])
    store = HistoryStore(sys.argv[3], busy_timeout=60)
    for i in range(count):
        store.add_run(make_run(name, run_id=f"{{name}}-{{i}}", started=f"2026-01-01T00:{{i // 60:02d}}:{{i % 60:02d}}Z",
                               failing=tuple(f"check{{k}}" for k in range(i % 4))))
        if i % 10 == 0:
            store.list_runs(limit=5)  # readers interleave with the other process's writes
    store.close()
    """
)


def test_two_processes_write_one_database(tmp_path: Path) -> None:
    db = tmp_path / "shared.sqlite"
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(src=str(SRC), here=str(HERE)), encoding="utf-8")
    count = 150
    procs = [
        subprocess.Popen([sys.executable, str(script), name, str(count), str(db)], stderr=subprocess.PIPE)
        for name in ("one", "two")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    with HistoryStore(db) as store:
        assert store.integrity() == "ok"
        assert store.count() == 2 * count
        assert len(store.list_runs(provider="one", limit=1000)) == count
        checks = store.conn.execute("SELECT COUNT(*) FROM failures").fetchone()[0]
        assert checks == 2 * sum(i % 4 for i in range(count))


runs_strategy = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]), st.integers(1, 28), st.sets(st.sampled_from(["x", "y", "z"]))
    ),
    max_size=6,
    unique_by=lambda t: (t[0], t[1]),
)


@settings(max_examples=15, deadline=None)
@given(left=runs_strategy, right=runs_strategy)
def test_merge_is_commutative_and_idempotent(left: list, right: list) -> None:
    import tempfile

    def fill(path: Path, spec: list, tag: str) -> None:
        with HistoryStore(path) as store:
            for provider, day, failing in spec:
                store.add_run(
                    make_run(
                        provider,
                        run_id=f"{tag}-{provider}-{day}",
                        started=f"2026-01-{day:02d}T00:00:00Z",
                        failing=tuple(sorted(failing)),
                    )
                )

    def contents(path: Path) -> list:
        with HistoryStore(path) as store:
            return [(r.run_id, r.verdict, tuple(sorted(r.failures()))) for r in store.list_runs(limit=1000)]

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fill(folder / "l.sqlite", left, "l")
        fill(folder / "r.sqlite", right, "r")
        for order, name in (
            ((folder / "l.sqlite", folder / "r.sqlite"), "lr"),
            ((folder / "r.sqlite", folder / "l.sqlite"), "rl"),
        ):
            with HistoryStore(folder / f"{name}.sqlite") as store:
                for source in (*order, *order):  # twice: idempotent
                    store.merge(source)
        assert contents(folder / "lr.sqlite") == contents(folder / "rl.sqlite")
        assert len(contents(folder / "lr.sqlite")) == len(left) + len(right)


def _graded(run, *causes: tuple[str, str]):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from specforge.history.model import CauseRecord

    records = tuple(
        CauseRecord(key=f"{c} · {c}", check=c, severity=s, statement=f"{c} broke") for s, c in causes
    )
    return replace(run, causes=records, score=40.0, index=75.5)


def _v2_database(path: Path) -> None:
    """A history database as specforge wrote it before schema v3 (no causes, no score)."""
    HistoryStore(path, migrations=MIGRATIONS[:2]).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO runs (run_id, batch, provider, base_url, variant, verdict, started_at, finished_at, duration) "
        "VALUES ('old1', 'b0', 'acme', 'https://api.example', 'openai', 'non-conformant', "
        "'2025-12-01T00:00:00Z', '2025-12-01T00:00:01Z', 1.0)"
    )
    conn.execute("INSERT INTO checks VALUES ('old1', 0, 'a', 'POST /v1/videos', 'failed')")
    conn.execute(
        "INSERT INTO failures VALUES ('old1', 0, 0, "
        '\'{"code": "a", "severity": "error", "message": "a broke", "pointer": "/a"}\')'
    )
    conn.commit()
    conn.close()


def test_causes_score_and_index_round_trip(tmp_path: Path) -> None:
    run = _graded(make_run(failing=("a", "b")), ("blocking", "a"), ("minor", "b"))
    with HistoryStore(tmp_path / "h.sqlite") as store:
        store.add_run(run)
        loaded = store.get(run.run_id)
        assert loaded == run and loaded.graded
        assert loaded.causes_by_severity() == {"blocking": 1, "major": 0, "minor": 1}
        (point,) = store.trend(loaded, 5)
        assert (point.score, point.index) == (40.0, 75.5)


def test_a_v2_database_migrates_and_its_runs_are_ungraded(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    _v2_database(path)
    with HistoryStore(path) as store:
        assert store.version == len(MIGRATIONS) == 3
        old = store.get("old1")
        assert old is not None and old.causes == () and old.score is None and not old.graded
        assert list(old.failures()) == ["POST /v1/videos · a · /a"]
        new = _graded(make_run(started="2026-01-02T00:00:00Z", failing=("a",)), ("blocking", "a"))
        store.add_run(new)
        assert store.previous(new) == old
        assert [p.score for p in store.trend(new, 5)] == [None, 40.0]


def test_merging_a_v2_shard_keeps_its_runs_and_causes_of_others(tmp_path: Path) -> None:
    shard, main = tmp_path / "old.sqlite", tmp_path / "main.sqlite"
    _v2_database(shard)
    run = _graded(make_run("beta", failing=("x",)), ("major", "x"))
    with HistoryStore(main) as store:
        store.add_run(run)
        assert store.merge(shard) == 1
        assert store.get("old1") is not None and store.get(run.run_id) == run
    other = tmp_path / "other.sqlite"
    with HistoryStore(other) as store:
        assert store.merge(main) == 2
        assert store.get(run.run_id) == run  # causes travel with a merge
