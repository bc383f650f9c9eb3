"""Bounded load test of the real service: uvicorn on 127.0.0.1, N sync extractions of the seed
reports (each made unique so none is answered from the store), C at a time.

    .venv/bin/python -m tests.load.load_service --requests 200 --concurrency 8 --workers 2

Prints requests/s, p50/p95 latency and the peak RSS of the server with its worker processes."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
SEEDS = Path(os.environ.get("GIA_SHARED_DIR", ROOT.parent / "shared")) / "seeds"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree_rss_kb(pid: int) -> int:
    """RSS of a process and its children (the extraction workers), from /proc."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                todo += [int(c) for c in children]
        except (OSError, ValueError):
            continue
    return total


def run_load(requests: int, concurrency: int, workers: int, time_limit: float = 60.0) -> dict:
    port = _free_port()
    tmp = tempfile.mkdtemp(prefix="gia-load-")
    env = {**os.environ, "GIA_DB_PATH": f"{tmp}/gia.db", "GIA_WORKERS": str(workers), "GIA_JOB_WORKERS": "0",
           "GIA_SYNC_LIMIT": str(max(concurrency, 1)), "GIA_LOG_LEVEL": "WARNING", "GIA_TIME_LIMIT_S": str(time_limit)}
    server = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    peak = {"kb": 0}
    stop = threading.Event()
    try:
        with httpx.Client(base_url=base, timeout=120) as probe:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if probe.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {server.stderr.read().decode()[-2000:]}")
                time.sleep(0.2)

        def sample():
            while not stop.is_set():
                peak["kb"] = max(peak["kb"], _tree_rss_kb(server.pid))
                time.sleep(0.1)

        threading.Thread(target=sample, daemon=True).start()
        seeds = [p.read_bytes() for p in sorted(SEEDS.glob("*.txt"))]
        local = threading.local()

        def one(i: int) -> tuple[int, float]:
            client = getattr(local, "client", None) or httpx.Client(base_url=base, timeout=120)
            local.client = client
            data = seeds[i % len(seeds)] + b"\n" * (i + 1)  # unique bytes: no answer from the store
            t0 = time.perf_counter()
            r = client.post("/v1/extract", files={"file": (f"load-{i}.txt", data, "text/plain")})
            return r.status_code, time.perf_counter() - t0

        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            results = list(pool.map(one, range(requests)))
        wall = time.perf_counter() - t0
        latencies = sorted(s for _, s in results)
        codes: dict[int, int] = {}
        for code, _ in results:
            codes[code] = codes.get(code, 0) + 1
        with httpx.Client(base_url=base) as probe:
            alive = probe.get("/healthz").status_code == 200
        return {
            "requests": requests, "concurrency": concurrency, "workers": workers,
            "requests_per_s": round(requests / wall, 2),
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p95_ms": round(latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000, 1),
            "peak_rss_mb": round(peak["kb"] / 1024, 1),
            "status_codes": codes, "alive_after": alive,
        }
    finally:
        stop.set()
        server.terminate()  # SIGTERM: the graceful shutdown path
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)  # the run's store, with every report it took


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    report = run_load(a.requests, a.concurrency, a.workers)
    print(json.dumps(report, indent=1))
    print(f"{report['requests_per_s']} requests/s, p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, "
          f"peak RSS {report['peak_rss_mb']} MB (server + {a.workers} workers)")
    return 0 if report["status_codes"] == {200: a.requests} else 1


if __name__ == "__main__":
    sys.exit(main())
