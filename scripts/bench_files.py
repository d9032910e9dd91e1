#!/usr/bin/env python3
"""File transfer benchmark of ComputeSandbox (stdlib only). Called by scripts/bench-files.sh, which builds
and starts the API.

Measures on loopback, for one file of BENCH_FILE_MIB MiB (default 256):
  1. POST /v1/upload throughput (multipart, streamed from disk; each run's file differs in its first bytes,
     so every run stores a new blob),
  2. POST /v1/download throughput (the body is read and dropped; the first run checks its SHA-256),
  3. the API's resident memory (VmRSS of BENCH_API_PID, sampled every 20 ms): before and peak,
after a warm-up transfer of 16 MiB that is not counted,
then prints a table, checks the goals and writes artifacts/bench/files-<UTC>.json and files-latest.json.

    BENCH_BASE_URL=http://127.0.0.1:PORT BENCH_API_PID=PID python3 scripts/bench_files.py

Environment (defaults in brackets): BENCH_FILE_MIB [256], BENCH_RUNS [3], BENCH_OUT_DIR [artifacts/bench],
BENCH_WORK_DIR [a temporary folder].
"""
from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import harness  # noqa: E402 - scripts/lib/harness.py, found through the line above
from harness import rss_bytes  # noqa: E402

CHUNK = 1 << 20
GOALS = {"upload_MBps": 500.0, "download_MBps": 500.0, "peak_rss_MiB": 200.0}


log = harness.Messages("bench-files").log


class RssSampler:
    """Samples a process's VmRSS in a thread and keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = rss_bytes(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, rss_bytes(self.pid))
            except (OSError, RuntimeError):
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def make_file(path: str, size: int) -> None:
    with open(path, "wb") as f:
        left = size
        while left > 0:
            n = min(CHUNK, left)
            f.write(os.urandom(n))
            left -= n


def stamp(path: str, run: int) -> None:
    """Makes this run's content differ from every other run's (first 16 bytes)."""
    with open(path, "r+b") as f:
        f.write(uuid.uuid4().bytes[:8] + run.to_bytes(8, "little"))


def upload(base: urllib.parse.SplitResult, path: str, size: int, chat: str) -> tuple[float, dict]:
    boundary = "bench" + uuid.uuid4().hex
    head, tail = harness.upload_envelope(boundary, chat, "bench.bin")
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=600)
    try:
        conn.connect()
        started = time.perf_counter()
        conn.putrequest("POST", "/v1/upload")
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(len(head) + size + len(tail)))
        conn.endheaders()
        conn.send(head)
        with open(path, "rb") as f:
            conn.sock.sendfile(f)
        conn.send(tail)
        response = conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"upload answered {response.status}: {body[:300]!r}")
        return elapsed, json.loads(body)
    finally:
        conn.close()


def download(base: urllib.parse.SplitResult, chat: str, file_hash: str, verify: bool) -> tuple[float, int, str | None]:
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=600)
    payload = json.dumps({"chat_id": chat, "file_hash": file_hash, "filename": "bench.bin"}).encode()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    digest = hashlib.sha256() if verify else None
    try:
        conn.connect()
        started = time.perf_counter()
        conn.request("POST", "/v1/download", body=payload, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"download answered {response.status}: {response.read()[:300]!r}")
        received = 0
        while True:
            n = response.readinto(buffer)
            if not n:
                break
            received += n
            if digest is not None:
                digest.update(view[:n])
        elapsed = time.perf_counter() - started
        return elapsed, received, digest.hexdigest() if digest else None
    finally:
        conn.close()


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def main() -> int:
    work = os.environ.get("BENCH_WORK_DIR") or tempfile.mkdtemp(prefix="bench-files-")
    try:
        return run(work)
    finally:
        for name in ("bench.bin", "warmup.bin"):
            try:
                os.remove(os.path.join(work, name))
            except FileNotFoundError:
                pass
        if not os.environ.get("BENCH_WORK_DIR"):
            os.rmdir(work)


def run(work: str) -> int:
    base_url = os.environ.get("BENCH_BASE_URL")
    pid = int(os.environ.get("BENCH_API_PID", "0"))
    if not base_url or not pid:
        log("BENCH_BASE_URL and BENCH_API_PID are required; run scripts/bench-files.sh")
        return 2
    base = urllib.parse.urlsplit(base_url)
    mib = int(os.environ.get("BENCH_FILE_MIB", "256"))
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    size = mib << 20
    out_dir = os.environ.get("BENCH_OUT_DIR", "artifacts/bench")
    os.makedirs(out_dir, exist_ok=True)

    path = os.path.join(work, "bench.bin")
    log(f"making a {mib} MiB file in {work}")
    make_file(path, size)

    chat = "bench-" + uuid.uuid4().hex[:8]
    # Warm-up (JIT, connection and buffer pools), not counted: a 16 MiB file up and down once.
    warm = os.path.join(work, "warmup.bin")
    make_file(warm, 16 << 20)
    _, answer = upload(base, warm, 16 << 20, chat)
    download(base, chat, answer["file_hash"], verify=False)

    rss_before = rss_bytes(pid)
    uploads, downloads = [], []
    with RssSampler(pid) as sampler:
        for run in range(1, runs + 1):
            stamp(path, run)
            expected = sha256_of(path) if run == 1 else None
            seconds, answer = upload(base, path, size, chat)
            if expected is not None and answer["file_hash"] != expected:
                raise RuntimeError(f"upload hash {answer['file_hash']} != {expected}")
            uploads.append(size / seconds / 1e6)
            log(f"run {run}: upload {uploads[-1]:.0f} MB/s ({seconds:.2f} s)")
            seconds, received, got = download(base, chat, answer["file_hash"], verify=run == 1)
            if received != size or (got is not None and got != answer["file_hash"]):
                raise RuntimeError(f"download returned {received} bytes with hash {got}")
            downloads.append(size / seconds / 1e6)
            log(f"run {run}: download {downloads[-1]:.0f} MB/s ({seconds:.2f} s)")
    peak = sampler.peak

    results = {
        "file_MiB": mib,
        "runs": runs,
        "upload_MBps": {"median": statistics.median(uploads), "best": max(uploads), "all": uploads},
        "download_MBps": {"median": statistics.median(downloads), "best": max(downloads), "all": downloads},
        "api_rss_MiB": {"before": rss_before / 2**20, "peak": peak / 2**20},
    }
    checks = {
        "upload_MBps": (results["upload_MBps"]["median"], ">=", GOALS["upload_MBps"]),
        "download_MBps": (results["download_MBps"]["median"], ">=", GOALS["download_MBps"]),
        "peak_rss_MiB": (results["api_rss_MiB"]["peak"], "<=", GOALS["peak_rss_MiB"]),
    }
    goals = {
        name: {"value": value, "goal": f"{op} {goal:g}", "met": value >= goal if op == ">=" else value <= goal}
        for name, (value, op, goal) in checks.items()
    }

    print()
    load = os.getloadavg()[0]
    print(f"File transfer on loopback, {mib} MiB file, {runs} runs (MB = 10^6 bytes; load average {load:.1f} on {os.cpu_count()} CPUs)")
    print(f"{'measure':<28}{'median':>10}{'best':>10}{'goal':>12}  met")
    for name, label in (("upload_MBps", "upload MB/s"), ("download_MBps", "download MB/s")):
        r = results[name]
        g = goals[name]
        print(f"{label:<28}{r['median']:>10.0f}{r['best']:>10.0f}{g['goal']:>12}  {'yes' if g['met'] else 'NO'}")
    g = goals["peak_rss_MiB"]
    print(f"{'API RSS MiB (before / peak)':<28}{results['api_rss_MiB']['before']:>10.0f}{results['api_rss_MiB']['peak']:>10.0f}"
          f"{g['goal']:>12}  {'yes' if g['met'] else 'NO'}")

    report = {
        "kind": "files",
        "utc": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load_average": list(os.getloadavg())},
        "results": results,
        "goals": goals,
    }
    name = "files-" + report["utc"].replace(":", "").replace("-", "") + ".json"
    for target in (os.path.join(out_dir, name), os.path.join(out_dir, "files-latest.json")):
        with open(target, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)
    log(f"wrote {os.path.join(out_dir, name)} and files-latest.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
