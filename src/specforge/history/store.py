"""The nightly history: one SQLite file (stdlib ``sqlite3``), WAL journal, every write in an
``IMMEDIATE`` transaction, schema versioned through ``PRAGMA user_version`` with ordered
migrations. Several processes may write one database at once (two nightly jobs, a CI matrix on a
shared disk): WAL plus a busy timeout serialises writers without corrupting anything."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from specforge.core.diagnostics import Diagnostic
from specforge.core.errors import InputError
from specforge.history.model import CauseRecord, CheckOutcome, RunRecord, TrendPoint

Migration = Callable[[sqlite3.Connection], None]


def _script(conn: sqlite3.Connection, sql: str) -> None:
    """Run several statements inside the caller's transaction (``executescript`` would commit
    first, breaking the all-or-nothing migration)."""
    for statement in sql.split(";"):
        if statement.strip():
            conn.execute(statement)


def _v1(conn: sqlite3.Connection) -> None:
    _script(
        conn,
        """
        CREATE TABLE batches (
            batch       TEXT PRIMARY KEY,
            started_at  TEXT NOT NULL,
            finished_at TEXT,
            shard       TEXT,
            host        TEXT,
            config_hash TEXT,
            providers   INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE runs (
            run_id       TEXT PRIMARY KEY,
            batch        TEXT NOT NULL,
            provider     TEXT NOT NULL,
            base_url     TEXT NOT NULL,
            variant      TEXT,
            verdict      TEXT NOT NULL,
            started_at   TEXT NOT NULL,
            finished_at  TEXT NOT NULL,
            duration     REAL NOT NULL,
            spec_name    TEXT NOT NULL DEFAULT '',
            spec_hash    TEXT NOT NULL DEFAULT '',
            source_hash  TEXT NOT NULL DEFAULT '',
            creates_used INTEGER NOT NULL DEFAULT 0,
            budget       INTEGER,
            errors       TEXT NOT NULL DEFAULT '[]',
            tags         TEXT NOT NULL DEFAULT '[]',
            report_dir   TEXT,
            check_run_id TEXT,
            shard        TEXT
        );
        CREATE INDEX runs_by_provider ON runs (provider, started_at);
        CREATE INDEX runs_by_batch ON runs (batch);
        CREATE TABLE checks (
            run_id    TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
            seq       INTEGER NOT NULL,
            check_name TEXT NOT NULL,
            operation TEXT NOT NULL,
            status    TEXT NOT NULL,
            PRIMARY KEY (run_id, seq)
        );
        CREATE TABLE failures (
            run_id     TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
            check_seq  INTEGER NOT NULL,
            seq        INTEGER NOT NULL,
            diagnostic TEXT NOT NULL,
            PRIMARY KEY (run_id, check_seq, seq)
        );
        """,
    )


def _v2(conn: sqlite3.Connection) -> None:
    """The spec each run was checked against (its source text, stored once per distinct text), so
    drift between runs is diffed into classified changes (``specforge.diff``)."""
    _script(
        conn,
        """
        CREATE TABLE spec_texts (
            sha256 TEXT PRIMARY KEY,
            text   TEXT NOT NULL
        );
        CREATE TABLE run_specs (
            run_id TEXT PRIMARY KEY REFERENCES runs (run_id) ON DELETE CASCADE,
            name   TEXT NOT NULL,
            sha256 TEXT NOT NULL REFERENCES spec_texts (sha256)
        );
        """,
    )


def _v3(conn: sqlite3.Connection) -> None:
    """Each run's causes with their severity, and its score and index, so the nightly gate can
    tell a first-seen provider's blocking causes and a new cause from a known one. Runs stored
    before have no causes (``RunRecord.graded`` is false for those with failures) and NULL
    scores."""
    _script(
        conn,
        """
        ALTER TABLE runs ADD COLUMN score REAL;
        ALTER TABLE runs ADD COLUMN conformance_index REAL;
        CREATE TABLE causes (
            run_id     TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
            seq        INTEGER NOT NULL,
            cause_key  TEXT NOT NULL,
            check_name TEXT NOT NULL,
            severity   TEXT NOT NULL,
            statement  TEXT NOT NULL DEFAULT '',
            operations TEXT NOT NULL DEFAULT '[]',
            count      INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (run_id, seq)
        );
        """,
    )


#: ordered schema migrations; the database's ``user_version`` is how many have been applied.
#: Append only: never edit a released migration.
MIGRATIONS: tuple[Migration, ...] = (_v1, _v2, _v3)

_RUN_COLUMNS = (
    "run_id",
    "batch",
    "provider",
    "base_url",
    "variant",
    "verdict",
    "started_at",
    "finished_at",
    "duration",
    "spec_name",
    "spec_hash",
    "source_hash",
    "creates_used",
    "budget",
    "errors",
    "tags",
    "report_dir",
    "check_run_id",
    "shard",
    "score",
    "conformance_index",
)
#: RunRecord field of a column, where the names differ (``index`` is an SQL keyword)
_FIELDS = {"conformance_index": "index"}
_CAUSE_COLUMNS = "run_id, seq, cause_key, check_name, severity, statement, operations, count"


class HistoryStore:
    """Open (creating and migrating when needed) the history database at ``path``."""

    def __init__(
        self,
        path: str | Path,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        busy_timeout: float = 60.0,
        create: bool = True,
    ) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise InputError(
                "history database not found",
                file=str(self.path),
                hint="run `specforge nightly` first or pass --db",
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._migrations = tuple(migrations)
        self.busy_timeout = busy_timeout
        try:
            self.conn = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            self.conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            self._retry(lambda: self.conn.execute("PRAGMA journal_mode = WAL"))
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise InputError(
                f"cannot open history database: {exc}",
                file=str(self.path),
                hint="is it a specforge history file? (`specforge history list --db FILE`)",
            ) from None

    # -- plumbing ---------------------------------------------------------------------------------

    def _retry(self, action: Callable[[], Any]) -> Any:
        """Run ``action``, retrying while another process holds the lock (SQLite's busy handler
        does not cover every case, e.g. switching journal mode)."""
        deadline = time.monotonic() + self.busy_timeout
        delay = 0.01
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``: the write lock is taken up front, so two writers never
        deadlock upgrading read locks; any exception rolls everything back."""
        self._retry(lambda: self.conn.execute("BEGIN IMMEDIATE"))
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self._retry(lambda: self.conn.execute("COMMIT"))

    @property
    def version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        latest = len(self._migrations)
        if self.version == latest:
            return
        with self.transaction() as conn:
            current = self.version  # re-read under the write lock: another process may have migrated
            if current > latest:
                raise InputError(
                    f"history database has schema version {current}, newer than this specforge ({latest})",
                    file=str(self.path),
                    hint="upgrade specforge, or use another --db",
                )
            for number in range(current, latest):
                self._migrations[number](conn)
                conn.execute(f"PRAGMA user_version = {number + 1}")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------------------------

    def begin_batch(
        self,
        batch: str,
        *,
        started_at: str,
        shard: str | None = None,
        host: str | None = None,
        config_hash: str | None = None,
    ) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO batches (batch, started_at, shard, host, config_hash) VALUES (?, ?, ?, ?, ?)",
                (batch, started_at, shard, host, config_hash),
            )

    def finish_batch(self, batch: str, *, finished_at: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE batches SET finished_at = ?, providers = (SELECT COUNT(*) FROM runs WHERE batch = ?) "
                "WHERE batch = ?",
                (finished_at, batch, batch),
            )

    def add_run(self, run: RunRecord, *, spec: tuple[str, str] | None = None) -> None:
        """Store one run with its checks and findings in one transaction (all or nothing);
        ``spec`` is (file name, text) of the spec the run was checked against."""
        with self.transaction() as conn:
            self._insert_run(conn, run)
            if spec is not None:
                name, text = spec
                digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
                conn.execute("INSERT OR IGNORE INTO spec_texts (sha256, text) VALUES (?, ?)", (digest, text))
                conn.execute(
                    "INSERT INTO run_specs (run_id, name, sha256) VALUES (?, ?, ?)",
                    (run.run_id, name, digest),
                )

    def spec_snapshot(self, run_id: str) -> tuple[str, str] | None:
        """(file name, text) of the spec ``run_id`` was checked against, when it was recorded."""
        row = self.conn.execute(
            "SELECT s.name, t.text FROM run_specs s JOIN spec_texts t ON t.sha256 = s.sha256 WHERE s.run_id = ?",
            (run_id,),
        ).fetchone()
        return (str(row[0]), str(row[1])) if row else None

    @staticmethod
    def _insert_run(conn: sqlite3.Connection, run: RunRecord) -> None:
        values = (
            run.run_id,
            run.batch,
            run.provider,
            run.base_url,
            run.variant,
            run.verdict,
            run.started_at,
            run.finished_at,
            run.duration,
            run.spec_name,
            run.spec_hash,
            run.source_hash,
            run.creates_used,
            run.budget,
            json.dumps(list(run.errors)),
            json.dumps(list(run.tags)),
            run.report_dir,
            run.check_run_id,
            run.shard,
            run.score,
            run.index,
        )
        conn.execute(
            f"INSERT INTO runs ({', '.join(_RUN_COLUMNS)}) VALUES ({', '.join('?' * len(_RUN_COLUMNS))})",
            values,
        )
        conn.executemany(
            "INSERT INTO checks (run_id, seq, check_name, operation, status) VALUES (?, ?, ?, ?, ?)",
            [(run.run_id, i, c.check, c.operation, c.status) for i, c in enumerate(run.checks)],
        )
        conn.executemany(
            "INSERT INTO failures (run_id, check_seq, seq, diagnostic) VALUES (?, ?, ?, ?)",
            [
                (run.run_id, i, j, json.dumps(d.to_dict(), ensure_ascii=False))
                for i, c in enumerate(run.checks)
                for j, d in enumerate(c.failures)
            ],
        )
        conn.executemany(
            f"INSERT INTO causes ({_CAUSE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run.run_id,
                    i,
                    c.key,
                    c.check,
                    c.severity,
                    c.statement,
                    json.dumps(list(c.operations)),
                    c.count,
                )
                for i, c in enumerate(run.causes)
            ],
        )

    # -- reading ----------------------------------------------------------------------------------

    def _runs(
        self,
        where: str = "",
        params: Sequence[Any] = (),
        *,
        order: str = "started_at, run_id",
        limit: int | None = None,
        with_checks: bool = True,
    ) -> list[RunRecord]:
        sql = f"SELECT {', '.join(_RUN_COLUMNS)} FROM runs {where} ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = self.conn.execute(sql, tuple(params)).fetchall()
        runs = [self._record(row) for row in rows]
        if with_checks and runs:
            runs = [self._with_checks(run) for run in runs]
        return runs

    @staticmethod
    def _record(row: Sequence[Any]) -> RunRecord:
        data = {_FIELDS.get(k, k): v for k, v in zip(_RUN_COLUMNS, row, strict=True)}
        data["errors"] = tuple(json.loads(data["errors"]))
        data["tags"] = tuple(json.loads(data["tags"]))
        return RunRecord(**data)

    def _with_checks(self, run: RunRecord) -> RunRecord:
        from dataclasses import replace

        checks = self.conn.execute(
            "SELECT seq, check_name, operation, status FROM checks WHERE run_id = ? ORDER BY seq",
            (run.run_id,),
        ).fetchall()
        findings: dict[int, list[Diagnostic]] = {}
        for check_seq, text in self.conn.execute(
            "SELECT check_seq, diagnostic FROM failures WHERE run_id = ? ORDER BY check_seq, seq",
            (run.run_id,),
        ):
            findings.setdefault(check_seq, []).append(Diagnostic.from_dict(json.loads(text)))
        outcomes = tuple(
            CheckOutcome(check=name, operation=op, status=status, failures=tuple(findings.get(seq, ())))
            for seq, name, op, status in checks
        )
        causes = tuple(
            CauseRecord(
                key=key,
                check=check,
                severity=severity,
                statement=statement,
                operations=tuple(json.loads(operations)),
                count=int(count),
            )
            for key, check, severity, statement, operations, count in self.conn.execute(
                "SELECT cause_key, check_name, severity, statement, operations, count FROM causes "
                "WHERE run_id = ? ORDER BY seq",
                (run.run_id,),
            )
        )
        return replace(run, checks=outcomes, causes=causes)

    def get(self, run_id: str) -> RunRecord | None:
        runs = self._runs("WHERE run_id = ?", (run_id,))
        return runs[0] if runs else None

    def resolve(self, ref: str) -> RunRecord:
        """A run by id, unique id prefix, provider name (its latest run) or ``provider~N`` (N runs
        before its latest), the way git resolves revisions."""
        exact = self.get(ref)
        if exact is not None:
            return exact
        name, _, back = ref.partition("~")
        if back == "" or back.isdigit():
            steps = int(back) if back else 0
            runs = self._runs(
                "WHERE provider = ?",
                (name,),
                order="started_at DESC, run_id DESC",
                limit=steps + 1,
                with_checks=False,
            )
            if len(runs) > steps:
                found = self.get(runs[steps].run_id)
                assert found is not None
                return found
            if runs:
                raise InputError(f"provider `{name}` has only {len(runs)} run(s); `{ref}` does not exist")
        escaped = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        matches = self.conn.execute(
            "SELECT run_id FROM runs WHERE run_id LIKE ? ESCAPE '\\' ORDER BY run_id LIMIT 6",
            (escaped + "%",),
        ).fetchall()
        if len(matches) == 1:
            found = self.get(matches[0][0])
            assert found is not None
            return found
        if matches:
            shown = ", ".join(m[0] for m in matches[:5])
            raise InputError(f"run `{ref}` is ambiguous: {shown}", hint="give more characters of the run id")
        from specforge.core.config import suggest

        providers = self.providers()
        raise InputError(
            f"no run `{ref}` in {self.path}{suggest(name, providers)}",
            hint="`specforge history list` shows run ids; a provider name means its latest run",
        )

    def providers(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT DISTINCT provider FROM runs ORDER BY provider")]

    def list_runs(
        self, *, provider: str | None = None, batch: str | None = None, limit: int | None = None
    ) -> list[RunRecord]:
        """Newest first, with check outcomes."""
        clauses, params = [], []
        if provider:
            clauses.append("provider = ?")
            params.append(provider)
        if batch:
            clauses.append("batch = ?")
            params.append(batch)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return self._runs(where, params, order="started_at DESC, run_id DESC", limit=limit)

    def batch_runs(self, batch: str) -> list[RunRecord]:
        return self._runs("WHERE batch = ?", (batch,), order="provider, started_at")

    def latest_batch(self) -> str | None:
        row = self.conn.execute(
            "SELECT batch FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1"
        ).fetchone()
        return row[0] if row else None

    def batch_started(self, batch: str) -> str | None:
        row = self.conn.execute("SELECT MIN(started_at) FROM runs WHERE batch = ?", (batch,)).fetchone()
        return row[0] if row else None

    def previous(self, run: RunRecord, *, comparable: bool = True) -> RunRecord | None:
        """The provider's last run before ``run`` (by default the last one whose check actually
        ran: an unreachable night says nothing about which failures are gone)."""
        sql = "WHERE provider = ? AND (started_at < ? OR (started_at = ? AND run_id < ?))"
        params: list[Any] = [run.provider, run.started_at, run.started_at, run.run_id]
        if comparable:
            sql += " AND verdict IN ('conformant', 'non-conformant')"
        runs = self._runs(sql, params, order="started_at DESC, run_id DESC", limit=1)
        return runs[0] if runs else None

    def trend(self, run: RunRecord, count: int) -> list[TrendPoint]:
        """The provider's last ``count`` runs up to and including ``run``, oldest first."""
        rows = self.conn.execute(
            "SELECT r.run_id, r.started_at, r.verdict, r.score, r.conformance_index, "
            "(SELECT COUNT(*) FROM failures f WHERE f.run_id = r.run_id) + "
            "(SELECT COUNT(*) FROM checks c WHERE c.run_id = r.run_id AND c.status = 'failed' AND NOT EXISTS "
            " (SELECT 1 FROM failures f2 WHERE f2.run_id = c.run_id AND f2.check_seq = c.seq)) "
            "FROM runs r WHERE r.provider = ? AND (r.started_at < ? OR (r.started_at = ? AND r.run_id <= ?)) "
            "ORDER BY r.started_at DESC, r.run_id DESC LIMIT ?",
            (run.provider, run.started_at, run.started_at, run.run_id, count),
        ).fetchall()
        return [
            TrendPoint(run_id=r[0], started_at=r[1], verdict=r[2], score=r[3], index=r[4], failures=int(r[5]))
            for r in reversed(rows)
        ]

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0])

    # -- maintenance ------------------------------------------------------------------------------

    def prune(self, keep: int, *, provider: str | None = None) -> int:
        """Delete all but each provider's newest ``keep`` runs; returns how many were deleted."""
        if keep < 0:
            raise InputError("--keep must be >= 0")
        with self.transaction() as conn:
            params: list[Any] = []
            extra = ""
            if provider:
                extra = "WHERE provider = ?"
                params.append(provider)
            doomed = [
                row[0]
                for row in conn.execute(
                    "SELECT run_id FROM (SELECT run_id, ROW_NUMBER() OVER (PARTITION BY provider "
                    f"ORDER BY started_at DESC, run_id DESC) AS n FROM runs {extra}) WHERE n > ?",
                    (*params, keep),
                )
            ]
            conn.executemany("DELETE FROM runs WHERE run_id = ?", [(r,) for r in doomed])
            conn.execute("DELETE FROM batches WHERE batch NOT IN (SELECT DISTINCT batch FROM runs)")
            conn.execute("DELETE FROM spec_texts WHERE sha256 NOT IN (SELECT sha256 FROM run_specs)")
        return len(doomed)

    def merge(self, other: str | Path) -> int:
        """Copy every run of ``other`` that this database lacks (run ids are globally unique, so
        merging the same shard twice adds nothing). Returns the number of runs added."""
        source = Path(other)
        if source.resolve() == self.path.resolve():
            raise InputError("cannot merge a history database into itself", file=str(source))
        # open it through the store first: validates it and migrates an older schema
        HistoryStore(
            source, migrations=self._migrations, busy_timeout=self.busy_timeout, create=False
        ).close()
        self._retry(lambda: self.conn.execute("ATTACH DATABASE ? AS src", (str(source),)))
        try:
            with self.transaction() as conn:
                before = self.count()
                cols = ", ".join(_RUN_COLUMNS)
                conn.execute(f"INSERT OR IGNORE INTO runs ({cols}) SELECT {cols} FROM src.runs")
                conn.execute(
                    "INSERT OR IGNORE INTO checks (run_id, seq, check_name, operation, status) "
                    "SELECT run_id, seq, check_name, operation, status FROM src.checks"
                )
                conn.execute(
                    "INSERT OR IGNORE INTO failures (run_id, check_seq, seq, diagnostic) "
                    "SELECT run_id, check_seq, seq, diagnostic FROM src.failures"
                )
                conn.execute(
                    f"INSERT OR IGNORE INTO causes ({_CAUSE_COLUMNS}) SELECT {_CAUSE_COLUMNS} FROM src.causes"
                )
                conn.execute(
                    "INSERT OR IGNORE INTO spec_texts (sha256, text) SELECT sha256, text FROM src.spec_texts"
                )
                conn.execute(
                    "INSERT OR IGNORE INTO run_specs (run_id, name, sha256) SELECT run_id, name, sha256 FROM src.run_specs"
                )
                conn.execute(
                    "INSERT OR IGNORE INTO batches (batch, started_at, finished_at, shard, host, config_hash, providers) "
                    "SELECT batch, started_at, finished_at, shard, host, config_hash, providers FROM src.batches"
                )
                # shards of one CI run share a batch id: count its runs from every shard
                conn.execute(
                    "UPDATE batches SET providers = (SELECT COUNT(*) FROM runs WHERE runs.batch = batches.batch)"
                )
                added = self.count() - before
        finally:
            self.conn.execute("DETACH DATABASE src")
        return added

    def integrity(self) -> str:
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])
