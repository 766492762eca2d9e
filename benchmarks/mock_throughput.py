"""Requests per second of the mock for `GET /v1/videos/{id}` (the polling request every client
repeats), with the server in its own process as `specforge mock` runs it.

    PYTHONPATH=src python benchmarks/mock_throughput.py [--variant openai] [--seconds 10]
        [--concurrency 16] [--state]

The load generator is `wrk` when installed (it costs far less CPU than Python), otherwise an
asyncio httpx client with --concurrency keep-alive connections. On a 2-core machine the client
competes with the server for CPU, so the figure is a lower bound; the load average is printed
next to it because other processes skew it too."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "sk-bench"


def start_server(variant: str, state: Path | None) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "specforge", "mock", "--variant", variant, "--port", "0",
               "--token", TOKEN, "--job-seconds", "0"]  # fmt: skip
    if state is not None:
        command += ["--state", str(state)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http"):
        process.kill()
        raise SystemExit("the mock did not start")
    return process, url


def create_job(url: str, variant: str) -> str:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if variant in ("xiexus", "aiid"):  # multipart-only variants
        body = (
            b'--b\r\nContent-Disposition: form-data; name="model"\r\n\r\nsora-2\r\n'
            b'--b\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nbench\r\n--b--\r\n'
        )
        response = httpx.post(
            url + "/v1/videos",
            content=body,
            headers={**headers, "Content-Type": "multipart/form-data; boundary=b"},
        )
    else:
        response = httpx.post(
            url + "/v1/videos", json={"model": "sora-2", "prompt": "bench"}, headers=headers
        )
    response.raise_for_status()
    return str(response.json()["id"])


def run_wrk(target: str, seconds: int, concurrency: int) -> dict[str, float]:
    wrk = shutil.which("wrk")
    assert wrk is not None
    output = subprocess.run(
        [
            wrk,
            "-t2",
            f"-c{concurrency}",
            f"-d{seconds}s",
            "-H",
            f"Authorization: Bearer {TOKEN}",
            "--latency",
            target,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    return {"requests_per_second": rate, "tool": "wrk"}  # type: ignore[dict-item]


async def run_httpx(target: str, seconds: float, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, limits=limits) as client:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(target)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    errors += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    ordered = sorted(latencies)
    return {
        "requests_per_second": len(latencies) / elapsed,
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="openai")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--state", action="store_true", help="keep jobs in SQLite (--state) instead of memory"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        state = Path(folder) / "jobs.sqlite" if args.state else None
        process, url = start_server(args.variant, state)
        try:
            video_id = create_job(url, args.variant)
            target = f"{url}/v1/videos/{video_id}"
            asyncio.run(run_httpx(target, 1.0, args.concurrency))  # warm-up
            if shutil.which("wrk"):
                result = run_wrk(target, int(args.seconds), args.concurrency)
            else:
                result = asyncio.run(run_httpx(target, args.seconds, args.concurrency))
                result["tool"] = "httpx"  # type: ignore[assignment]
        finally:
            process.terminate()
            process.wait(timeout=10)
    result.update(
        variant=args.variant,  # type: ignore[arg-type]
        store="sqlite" if args.state else "memory",  # type: ignore[arg-type]
        concurrency=args.concurrency,
        cpus=os.cpu_count() or 0,
        load_average_1m=os.getloadavg()[0],
    )
    print(json.dumps(result, indent=2))
    print(
        f"GET /v1/videos/{{id}}: {result['requests_per_second']:.0f} requests/s "
        f"({args.variant}, {result['store']} store, {args.concurrency} connections)"
    )


if __name__ == "__main__":
    main()
