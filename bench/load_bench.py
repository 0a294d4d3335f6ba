#!/usr/bin/env python3
"""Loopback load test of the search service as documented for production (docs/search.md):
gunicorn with `search/service/gunicorn_conf.py`, with 2 and with 4 workers, driven by 4, 64 and 200
concurrent clients for a fixed time each.

Each client is a keep-alive HTTP/1.1 connection sending `/api/search` queries back to back
(no pause, even after a 429: the worst case). Reported per run: requests per second (all
answers and 200s), p50/p95/p99/max latency in ms, counts of 200, 429, 503, of any other
5xx (must be 0), of 429/503 without `Retry-After` (must be 0) and of connection errors or
client time-outs.

Targets on a 2-core machine: p95 ≤ 50 ms at 4 clients; no request slower than 2 s at 200
clients (overload answered 429/503 instead).

    python bench/load_bench.py --site site            # a site already built
    python bench/load_bench.py --site site --seconds 5 --workers 2 --clients 4 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

TARGET_P95_MS_AT_4 = 50.0
TARGET_MAX_S = 2.0
CLIENT_TIMEOUT_S = 10.0
# a mix of what readers type: single characters, words, phrases, 文号, 索引号-like, junk
QUERIES = [
    "国务院", "行政许可", "许可", "税", "个人所得税", "个税", "节假日", "放假安排", "政府网站", "集约化",
    "无废城市", "消费扶贫", "双随机", "监管", "行政执法", "公示", "国防", "条例", "办法", "通知",
    '"当场作出行政许可决定"', '"完成论证和试验任务"', "国发〔2018〕41号", "国办发(2019)23号",
    "国务院 放假", "保定市 监控", "環境保護", "shenpi", "xzxk", "鳄", "*", '"unbalanced', "x" * 300,
]


@dataclass
class Run:
    """The figures of one run (one worker count, one client count)."""

    workers: int
    clients: int
    seconds: float = 0.0
    requests: int = 0
    per_second: float = 0.0
    ok_per_second: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    other_5xx: int = 0
    without_retry_after: int = 0
    errors: int = 0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    ok_p95_ms: float = 0.0


def percentile(values: Sequence[float], p: float) -> float:
    """Return the p-th percentile (nearest rank) of `values`, 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(site: Path, workers: int, port: int, extra_env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start the documented gunicorn setup on 127.0.0.1:`port`; return once it answers."""
    env = {
        **os.environ,
        "SEARCH_SITE": str(site),
        "SEARCH_WORKERS": str(workers),
        "SEARCH_BIND": f"127.0.0.1:{port}",
        "PYTHONPATH": str(REPO),
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "python:search.service.gunicorn_conf", "search.service.wsgi:app"]
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited: " + (process.stderr.read().decode()[-2000:] if process.stderr else ""))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(f"GET /api/search?q={quote('国务院')} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                if sock.recv(12).startswith(b"HTTP/1.1 "):
                    return process
        except OSError:
            time.sleep(0.1)
    stop_gunicorn(process)
    raise RuntimeError("gunicorn did not answer within 30 s")


def stop_gunicorn(process: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn and its workers (its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if process.stderr:
        process.stderr.close()


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    ok_latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    without_retry_after: int = 0
    errors: int = 0


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> tuple[int, bool, bool]:
    """Send one GET; return (status, has Retry-After, server keeps the connection)."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    await reader.readexactly(int(headers.get("content-length", "0")))
    return status, "retry-after" in headers, headers.get("connection", "").lower() != "close"


async def _client(port: int, number: int, stop: float, tally: _Tally) -> None:
    reader = writer = None
    n = number * 7
    while time.perf_counter() < stop:
        path = "/api/search?q=" + quote(QUERIES[n % len(QUERIES)])
        n += 1
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), CLIENT_TIMEOUT_S)
            assert reader is not None
            status, retry_after, keep = await asyncio.wait_for(_exchange(reader, writer, path), CLIENT_TIMEOUT_S)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            tally.errors += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        elapsed = time.perf_counter() - started
        tally.latencies.append(elapsed)
        tally.statuses[status] = tally.statuses.get(status, 0) + 1
        if status == 200:
            tally.ok_latencies.append(elapsed)
        elif status in (429, 503) and not retry_after:
            tally.without_retry_after += 1
        if not keep:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _drive(port: int, clients: int, seconds: float) -> tuple[_Tally, float]:
    tally = _Tally()
    started = time.perf_counter()
    await asyncio.gather(*(_client(port, i, started + seconds, tally) for i in range(clients)))
    return tally, time.perf_counter() - started


def drive(port: int, workers: int, clients: int, seconds: float) -> Run:
    """Run `clients` concurrent clients against 127.0.0.1:`port` for `seconds`; return the figures."""
    tally, elapsed = asyncio.run(_drive(port, clients, seconds))
    total = len(tally.latencies)
    return Run(
        workers=workers,
        clients=clients,
        seconds=round(elapsed, 1),
        requests=total,
        per_second=round(total / elapsed, 1),
        ok_per_second=round(len(tally.ok_latencies) / elapsed, 1),
        statuses={str(k): v for k, v in sorted(tally.statuses.items())},
        other_5xx=sum(v for k, v in tally.statuses.items() if k >= 500 and k != 503),
        without_retry_after=tally.without_retry_after,
        errors=tally.errors,
        p50_ms=round(percentile(tally.latencies, 50) * 1000, 1),
        p95_ms=round(percentile(tally.latencies, 95) * 1000, 1),
        p99_ms=round(percentile(tally.latencies, 99) * 1000, 1),
        max_ms=round(max(tally.latencies, default=0.0) * 1000, 1),
        ok_p95_ms=round(percentile(tally.ok_latencies, 95) * 1000, 1),
    )


def run_load_bench(
    site: Path, workers: Sequence[int] = (2, 4), clients: Sequence[int] = (4, 64, 200), seconds: float = 30.0
) -> dict[str, object]:
    """Run every (workers, clients) pair against a fresh gunicorn; return the runs and the verdicts."""
    runs: list[Run] = []
    for count in workers:
        port = free_port()
        process = start_gunicorn(site, count, port)
        try:
            for n in clients:
                run = drive(port, count, n, seconds)
                runs.append(run)
                print("    " + format_run(run), flush=True)
        finally:
            stop_gunicorn(process)
    return {"runs": [asdict(r) for r in runs], "verdicts": verdicts(runs)}


def verdicts(runs: Sequence[Run]) -> dict[str, bool]:
    """Return each target and whether every run met it."""
    light = [r for r in runs if r.clients <= 4]
    return {
        f"p95 ≤ {TARGET_P95_MS_AT_4:.0f} ms at ≤ 4 clients": all(r.p95_ms <= TARGET_P95_MS_AT_4 for r in light),
        f"no request slower than {TARGET_MAX_S:.0f} s": all(r.max_ms <= TARGET_MAX_S * 1000 for r in runs),
        "every run answered searches (200)": all(r.statuses.get("200", 0) > 0 for r in runs),
        "at 4 clients, no 429/503": all(r.statuses.get("429", 0) + r.statuses.get("503", 0) == 0 for r in light),
        "no 500 (only 200/400/429/503)": all(r.other_5xx == 0 for r in runs),
        "every 429/503 has Retry-After": all(r.without_retry_after == 0 for r in runs),
        "no connection error or time-out": all(r.errors == 0 for r in runs),
    }


def format_run(run: Run) -> str:
    return (
        f"{run.workers} workers × {run.clients:>3} clients: {run.per_second:>7.1f} req/s（200：{run.ok_per_second:.1f}/s）"
        f"  p50 {run.p50_ms} ms  p95 {run.p95_ms} ms  p99 {run.p99_ms} ms  max {run.max_ms} ms"
        f"  状态 {run.statuses}  其他 5xx {run.other_5xx}  缺 Retry-After {run.without_retry_after}  连接错误 {run.errors}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, required=True, help="a built site (with its .search folder)")
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--clients", type=int, nargs="+", default=[4, 64, 200])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    results = run_load_bench(args.site, args.workers, args.clients, args.seconds)
    for name, ok in results["verdicts"].items():  # type: ignore[attr-defined]  # results holds JSON values of every type
        print(f"{name}: {'达标' if ok else '未达标'}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if all(results["verdicts"].values()) else 1  # type: ignore[attr-defined]  # as above


if __name__ == "__main__":
    sys.exit(main())
