"""Fake nightly runners for tests: behaviour is encoded in the provider's base URL so it survives
the trip to a worker process (whose environment was fixed when the fork server started).

    http://fake.test/ok                      conformant
    http://fake.test/fail/a,b                non-conformant with failures on checks a and b
    http://fake.test/graded/blocking:a,minor:b   the same, with one cause per check at that severity
                                             (score 50, index 80)
    http://fake.test/unreachable             verdict "error" with an infrastructure error
    http://fake.test/raise                   the runner raises
    http://fake.test/crash                   the worker process dies (os._exit)
    http://fake.test/hang                    sleeps for an hour
    http://fake.test/sleep/0.2/<rest>        sleeps, then behaves as <rest>
"""

from __future__ import annotations

import os
import time
from typing import Any
from urllib.parse import urlsplit

from specforge.history import Provider


def _behaviour(path: str) -> dict[str, Any]:
    parts = [p for p in path.split("/") if p]
    if parts and parts[0] == "sleep":
        time.sleep(float(parts[1]))
        return _behaviour("/".join(parts[2:]))
    kind = parts[0] if parts else "ok"
    if kind == "ok":
        return {
            "verdict": "conformant",
            "spec_name": "fake",
            "spec_hash": "h1",
            "checks": [{"check": "status_code", "operation": "GET /v1/videos/{id}", "status": "passed"}],
        }
    if kind == "fail":
        names = parts[1].split(",") if len(parts) > 1 else ["generic"]
        return {
            "verdict": "non-conformant",
            "spec_name": "fake",
            "spec_hash": "h1",
            "creates_used": 1,
            "checks": [
                {
                    "check": name,
                    "operation": "POST /v1/videos",
                    "status": "failed",
                    "failures": [
                        {
                            "code": name,
                            "severity": "error",
                            "message": f"{name} failed (job 123)",
                            "pointer": f"/paths/~1v1~1videos/{name}",
                        }
                    ],
                }
                for name in names
            ],
        }
    if kind == "graded":
        pairs = [item.split(":") for item in parts[1].split(",")] if len(parts) > 1 else []
        result = _behaviour("fail/" + ",".join(name for _, name in pairs))
        result["causes"] = [
            {
                "id": name,
                "check": name,
                "severity": level,
                "statement": f"{name} failed",
                "operations": ["POST /v1/videos"],
            }
            for level, name in pairs
        ]
        return {**result, "score": 50.0, "index": 80.0}
    if kind == "unreachable":
        return {
            "verdict": "error",
            "errors": [{"kind": "connection_refused", "message": "connection refused"}],
        }
    if kind == "raise":
        raise RuntimeError("runner exploded")
    if kind == "crash":
        os._exit(7)
    if kind == "hang":
        time.sleep(3600)
    if kind == "spec":
        return {"verdict": "conformant", "spec_name": "fake", "spec_hash": parts[1], "checks": []}
    raise ValueError(f"unknown fake behaviour {path!r}")


def fake_runner(provider: Provider) -> dict[str, Any]:
    result = _behaviour(urlsplit(provider.base_url).path)
    if provider.report_dir is not None:
        provider.report_dir.mkdir(parents=True, exist_ok=True)
        (provider.report_dir / "report.html").write_text("<html>fake report</html>", encoding="utf-8")
    return result


def make_run(
    provider: str = "acme",
    *,
    run_id: str | None = None,
    started: str = "2026-01-01T00:00:00Z",
    verdict: str = "non-conformant",
    failing: tuple[str, ...] = (),
    passing: tuple[str, ...] = ("status_code",),
    spec_hash: str = "spec1",
    source_hash: str = "src1",
    batch: str = "b1",
    variant: str | None = "openai",
):
    """A RunRecord with one failed outcome per name in ``failing`` (on POST /v1/videos)."""
    from specforge.core.diagnostics import Diagnostic, Severity
    from specforge.history import CheckOutcome, RunRecord

    checks = [CheckOutcome(check=name, operation="GET /v1/videos/{id}", status="passed") for name in passing]
    checks += [
        CheckOutcome(
            check=name,
            operation="POST /v1/videos",
            status="failed",
            failures=(
                Diagnostic(code=name, severity=Severity.ERROR, message=f"{name} broke", pointer=f"/{name}"),
            ),
        )
        for name in failing
    ]
    if verdict == "non-conformant" and not failing:
        verdict = "conformant"
    return RunRecord(
        run_id=run_id or f"{started[:19].replace('-', '').replace(':', '')}-{provider}",
        batch=batch,
        provider=provider,
        base_url="https://api.example",
        variant=variant,
        verdict=verdict,
        started_at=started,
        finished_at=started,
        duration=1.5,
        spec_name="openai",
        spec_hash=spec_hash,
        source_hash=source_hash,
        creates_used=1,
        budget=1,
        checks=tuple(checks),
        tags=("tier1",),
    )
