#!/usr/bin/env python3
"""ComputeSandbox benchmark (stdlib only). Called by scripts/bench.sh, which builds and starts the API.

Measures, in one run, for `print("hello")` and a small pandas snippet:
  1. warm-pool latency of sequential POST /v1/execute (HTTP keep-alive, paced so a ready sandbox exists),
  2. the same for a naive `docker run --rm IMAGE python3 -c CODE`,
  3. latency at a steady arrival rate (open loop, 2.5 requests/s: births overlap requests as in real use),
  4. throughput at concurrency 1/4/16 for both, with the machine's CPU time per served execution,
  5. the engine's raw container start rate (create+start+wait+remove over the Engine API),
  6. idle warm sandbox memory and the CPU a sandbox spent to become ready (its cgroup's usage), 7. the API's peak RSS,
then prints a table, checks the goals and writes artifacts/bench/bench-<UTC>.json and latest.json.

    BENCH_BASE_URL=http://127.0.0.1:PORT BENCH_IMAGE=IMAGE BENCH_API_PID=PID python3 scripts/bench.py
    python3 scripts/bench.py --report artifacts/bench/latest.json     # re-print a saved run's table

Environment (defaults in brackets): BENCH_QUICK [0], BENCH_SEQUENTIAL [200; quick 30],
BENCH_NAIVE_SEQUENTIAL [200; quick 15], BENCH_DURATION [20; quick 5] seconds per throughput level,
BENCH_LEVELS [1,4,16], BENCH_RATE [2.5] requests/s and BENCH_RATE_SECONDS [40; quick 12] for the steady phase,
BENCH_POOL_TARGET [5], BENCH_INSTANCE [bench], BENCH_RAW_SECONDS [15; quick 5],
BENCH_RAW_MIN_CONTAINERS [40; quick 20], BENCH_RAW_CONCURRENCY [4], BENCH_OUT_DIR [artifacts/bench],
DOCKER_SOCKET [/var/run/docker.sock], BENCH_DOCKER_CLI [/usr/bin/docker].
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import harness  # noqa: E402 - scripts/lib/harness.py, found through the line above
from harness import UnixHTTPConnection  # noqa: E402

CASES = [
    {"name": "print", "code": 'print("hello")', "expected": "hello"},
    {
        "name": "pandas",
        "code": 'import pandas as pd; print(pd.DataFrame({"a":[1,2]}).sum())',
        "expected": "a    3\ndtype: int64",
    },
]

BENCH_LABEL = "io.computesandbox.bench"          # on the raw and naive containers this script makes
INSTANCE_LABEL = "io.computesandbox.instance"    # on the service's sandboxes
GOALS = {
    # issue 17: at a steady 2.5 requests/s
    "print_p50_ms": 5.0,
    "print_p99_ms": 20.0,
    "pandas_p50_ms": 10.0,
    # issue 17: sustained single-use executions at concurrency 16
    "print_c16_rps": 20.0,
    "pandas_c16_rps": 15.0,
    "naive_over_service_p50": 40.0,
    "sustained_pct_of_raw": 80.0,
}


MESSAGES = harness.Messages("bench")
log, die, env_int, env_float = MESSAGES.log, MESSAGES.die, MESSAGES.env_int, MESSAGES.env_float


# --------------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------------

def percentile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_values:
        return math.nan
    if len(sorted_values) == 1:
        return sorted_values[0]
    pos = (len(sorted_values) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def latency_stats(seconds: list[float]) -> dict:
    ms = sorted(s * 1000.0 for s in seconds)
    if not ms:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "mean_ms": None,
                "min_ms": None, "max_ms": None, "stdev_ms": None}
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p95_ms": round(percentile(ms, 95), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
        "min_ms": round(ms[0], 3),
        "max_ms": round(ms[-1], 3),
        "stdev_ms": round(statistics.pstdev(ms), 3),
    }


# --------------------------------------------------------------------------------------------
# Docker Engine API over the unix socket
# --------------------------------------------------------------------------------------------

class DockerApi:
    """Minimal Engine API client; one keep-alive connection per thread."""

    def __init__(self, socket_path: str, version: str = "v1.41"):
        self.socket_path = socket_path
        self.prefix = "/" + version
        self._local = threading.local()

    def _conn(self) -> UnixHTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = UnixHTTPConnection(self.socket_path)
            self._local.conn = conn
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def request(self, method: str, path: str, body=None, ok=(200, 201, 204, 304)):
        data = None
        headers = {"Host": "docker"}
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        last_error: Exception | None = None
        for attempt in range(2):
            conn = self._conn()
            try:
                conn.request(method, self.prefix + path, body=data, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
                status = resp.status
                if resp.getheader("Connection", "").lower() == "close":
                    self._drop()
                break
            except (http.client.HTTPException, OSError) as e:  # stale keep-alive connection: retry once
                self._drop()
                last_error = e
        else:
            raise RuntimeError(f"Docker API {method} {path} failed: {last_error}")
        payload = None
        if raw:
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = raw.decode(errors="replace")
        if status not in ok:
            raise RuntimeError(f"Docker API {method} {path} answered {status}: {str(payload)[:300]}")
        return status, payload

    def list_containers(self, labels: list[str], running_only: bool = True, all_: bool = False) -> list[dict]:
        filters: dict = {"label": labels}
        if running_only:
            filters["status"] = ["running"]
        query = urllib.parse.urlencode({"filters": json.dumps(filters), "all": "1" if all_ else "0"})
        return self.request("GET", f"/containers/json?{query}")[1] or []


# --------------------------------------------------------------------------------------------
# The service over HTTP keep-alive
# --------------------------------------------------------------------------------------------

class ServiceClient(harness.KeepAliveClient):
    """JSON requests over one keep-alive HTTPConnection; not thread-safe (one per thread)."""

    def __init__(self, host: str, port: int, timeout: float = 150.0):
        super().__init__(host, port, timeout)

    def call(self, method: str, path: str, body: dict | None = None):
        """Returns (status, headers dict, raw bytes). Retries once when a reused connection was closed."""
        data = json.dumps(body).encode() if body is not None else None
        return self.send(method, path, data, "application/json" if data is not None else None)


def execute_once(client: ServiceClient, case: dict) -> tuple[str, float, str | None]:
    """One POST /v1/execute. Returns (outcome ok|503|error, latency seconds, error detail)."""
    body = {"source_code": case["code"], "chat_id": "bench", "timeout_seconds": 30}
    t0 = time.perf_counter()
    try:
        status, _hdrs, raw = client.call("POST", "/v1/execute", body)
    except Exception as e:  # noqa: BLE001 - any transport failure is a counted error
        return "error", time.perf_counter() - t0, f"transport: {type(e).__name__}: {e}"
    latency = time.perf_counter() - t0
    if status == 503:
        return "503", latency, None
    if status != 200:
        return "error", latency, f"HTTP {status}: {raw[:300].decode(errors='replace')}"
    try:
        doc = json.loads(raw)
    except ValueError:
        return "error", latency, f"HTTP 200 with a body that is not JSON: {raw[:200]!r}"
    if doc.get("exit_code") != 0:
        return "error", latency, f"exit_code {doc.get('exit_code')}: stderr {str(doc.get('stderr'))[:300]!r}"
    if str(doc.get("stdout", "")).strip() != case["expected"]:
        return "error", latency, f"unexpected stdout {str(doc.get('stdout'))[:200]!r}"
    return "ok", latency, None


# --------------------------------------------------------------------------------------------
# Naive docker run
# --------------------------------------------------------------------------------------------

class Naive:
    def __init__(self, docker_cli: str, image: str, image_entrypoint: list | None):
        self.docker_cli = docker_cli
        self.image = image
        # An image with an ENTRYPOINT would treat "python3 -c CODE" as its arguments: override it then.
        self.override_entrypoint = bool(image_entrypoint)

    def command(self, case: dict) -> list[str]:
        cmd = [self.docker_cli, "run", "--rm", "--label", f"{BENCH_LABEL}=naive"]
        if self.override_entrypoint:
            cmd += ["--entrypoint", "python3", self.image, "-c", case["code"]]
        else:
            cmd += [self.image, "python3", "-c", case["code"]]
        return cmd

    def run_once(self, case: dict) -> tuple[str, float, str | None]:
        cmd = self.command(case)
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=180)
        except subprocess.TimeoutExpired:
            return "error", time.perf_counter() - t0, "docker run did not finish within 180 s"
        latency = time.perf_counter() - t0
        if proc.returncode != 0:
            return "error", latency, f"exit {proc.returncode}: {proc.stderr[-300:].decode(errors='replace')}"
        out = proc.stdout.decode(errors="replace").strip()
        if out != case["expected"]:
            return "error", latency, f"unexpected stdout {out[:200]!r}"
        return "ok", latency, None


# --------------------------------------------------------------------------------------------
# Pool observation
# --------------------------------------------------------------------------------------------

POOL_RE = re.compile(r"ready=(\d+)\s+starting=(\d+)\s+in_use=(\d+)")


class PoolWatch:
    def __init__(self, docker: DockerApi, host: str, port: int, instance: str, target: int):
        self.docker = docker
        self.client = ServiceClient(host, port, timeout=15)
        self.labels = [f"{INSTANCE_LABEL}={instance}"]
        self.target = target
        self.readyz_has_pool = True

    def running(self) -> int:
        return len(self.docker.list_containers(self.labels))

    def pool_state(self) -> dict | None:
        """The API's own counts from GET /readyz (checks.pool 'ready=N starting=N in_use=N'), if it reports them."""
        if not self.readyz_has_pool:
            return None
        try:
            status, _h, raw = self.client.call("GET", "/readyz")
            doc = json.loads(raw)
            m = POOL_RE.search(str((doc.get("checks") or {}).get("pool", "")))
        except Exception:  # noqa: BLE001
            return None
        if not m:
            self.readyz_has_pool = False
            log("/readyz does not report the pool's counts; pacing on the container count alone")
            return None
        return {"ready": int(m.group(1)), "starting": int(m.group(2)), "in_use": int(m.group(3)), "http": status}

    def settled(self, last_request_end: float | None) -> bool:
        """At least `target` ready sandboxes and nothing starting or being torn down."""
        state = self.pool_state()
        if state is not None and not (state["ready"] >= self.target and state["starting"] == 0
                                      and state["in_use"] == 0):
            return False
        n = self.running()
        if state is None:
            # Fallback: the count still includes a just-used sandbox for ~0.5 s after its request.
            recent = last_request_end is not None and time.perf_counter() - last_request_end < 0.6
            return n >= self.target and not recent
        return (state["ready"] >= self.target and state["starting"] == 0 and state["in_use"] == 0
                and n >= self.target and n <= state["ready"])

    def wait_settled(self, cap_s: float, last_request_end: float | None = None, poll_s: float = 0.05) -> tuple[bool, float]:
        t0 = time.perf_counter()
        deadline = t0 + cap_s
        while True:
            if self.settled(last_request_end):
                return True, time.perf_counter() - t0
            if time.perf_counter() >= deadline:
                return False, time.perf_counter() - t0
            time.sleep(poll_s)

    def refill(self, what: str, cap_s: float = 120.0) -> float:
        # `docker run --rm` returns before the engine has removed the container: let that finish first.
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < 30 and self.docker.list_containers([BENCH_LABEL], running_only=False, all_=True):
            time.sleep(0.2)
        ok, waited = self.wait_settled(cap_s, last_request_end=time.perf_counter(), poll_s=0.1)
        if ok:
            log(f"pool refilled to {self.target} before {what} ({waited:.1f} s)")
        else:
            log(f"WARNING: pool not back at {self.target} ready within {cap_s:.0f} s before {what} "
                f"(running={self.running()}, api={self.pool_state()}); measuring anyway")
        return waited


# --------------------------------------------------------------------------------------------
# Phases
# --------------------------------------------------------------------------------------------

def summarize(outcomes: list[tuple[str, float, str | None]], wall_s: float, extra: dict | None = None) -> dict:
    ok_lat = [lat for o, lat, _ in outcomes if o == "ok"]
    errors = [e for o, _, e in outcomes if o == "error"]
    result = {
        "requests": len(outcomes),
        "ok": len(ok_lat),
        "http_503": sum(1 for o, _, _ in outcomes if o == "503"),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "latency": latency_stats(ok_lat),
        "phase_seconds": round(wall_s, 2),
    }
    if extra:
        result.update(extra)
    return result


def service_sequential(host: str, port: int, pool: PoolWatch, case: dict, n: int) -> dict:
    pool.refill(f"service sequential {case['name']}")
    client = ServiceClient(host, port)
    outcomes = []
    paced_s = 0.0
    pacing_timeouts = 0
    last_end = None
    t0 = time.perf_counter()
    for i in range(n):
        ok, waited = pool.wait_settled(10.0, last_end)
        paced_s += waited
        pacing_timeouts += 0 if ok else 1
        outcomes.append(execute_once(client, case))
        last_end = time.perf_counter()
        if (i + 1) % 50 == 0:
            log(f"  service {case['name']}: {i + 1}/{n}")
    wall = time.perf_counter() - t0
    client.close()
    return summarize(outcomes, wall, {"pacing_wait_seconds": round(paced_s, 2), "pacing_timeouts": pacing_timeouts,
                                      "reconnects": client.reconnects})


def naive_sequential(naive: Naive, case: dict, n: int) -> dict:
    outcomes = []
    t0 = time.perf_counter()
    for i in range(n):
        outcomes.append(naive.run_once(case))
        if (i + 1) % 50 == 0:
            log(f"  naive {case['name']}: {i + 1}/{n}")
    return summarize(outcomes, time.perf_counter() - t0)


def machine_cpu_seconds() -> float:
    """CPU time the whole machine has run (user, nice, system, irq, softirq, steal; not idle or iowait)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + (fields[7] if len(fields) > 7 else 0)
    return busy / os.sysconf("SC_CLK_TCK")


def steady_rate(host: str, port: int, case: dict, rate: float, seconds: float) -> dict:
    """Open loop: request i is sent at t0 + i / rate whatever happened to the earlier ones (each on a connection of
    its own thread), so sandbox births overlap the requests being served, as with real traffic."""
    n = max(1, int(rate * seconds))
    outcomes: list[tuple[str, float, str | None]] = []
    late: list[float] = []
    lock = threading.Lock()
    free: list[ServiceClient] = []

    def one(at: float) -> None:
        with lock:
            client = free.pop() if free else ServiceClient(host, port)
        late.append(max(0.0, time.perf_counter() - at))
        outcome = execute_once(client, case)
        with lock:
            outcomes.append(outcome)
            free.append(client)

    threads = []
    t0 = time.perf_counter() + 0.2
    for i in range(n):
        at = t0 + i / rate
        pause = at - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        t = threading.Thread(target=one, args=(at,), daemon=True)
        t.start()
        threads.append(t)
    for t in threads:
        t.join(timeout=240)
    wall = time.perf_counter() - t0
    for c in free:
        c.close()
    return summarize(outcomes, wall, {"rate_per_s": rate, "max_send_lateness_ms": round(1000 * max(late, default=0), 2)})


def throughput(kind: str, make_worker_fn, concurrency: int, duration: float) -> dict:
    """Runs `concurrency` threads for `duration` seconds; each calls its own fn() in a loop.
    req/s counts OK completions inside the window; steady_rps only those in its last 75 %."""
    records: list[tuple[float, str, str | None]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(concurrency + 1)
    t_box: dict = {}

    def worker() -> None:
        fn, close = make_worker_fn()
        try:
            barrier.wait(timeout=60)
            deadline = t_box["t0"] + duration
            while time.perf_counter() < deadline:
                outcome, _lat, err = fn()
                with lock:
                    records.append((time.perf_counter(), outcome, err))
                if outcome == "503":
                    time.sleep(0.1)  # do not spin on an exhausted pool
        finally:
            close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    t_box["t0"] = time.perf_counter()
    cpu0 = machine_cpu_seconds()
    barrier.wait(timeout=60)
    t0 = t_box["t0"]
    for t in threads:
        t.join(timeout=duration + 240)
    cpu_s = machine_cpu_seconds() - cpu0
    stuck = sum(1 for t in threads if t.is_alive())
    end = t0 + duration
    steady_from = t0 + duration * 0.25
    with lock:
        recs = list(records)
    in_window = [r for r in recs if r[0] <= end]
    ok_window = sum(1 for r in in_window if r[1] == "ok")
    ok_steady = sum(1 for r in in_window if r[1] == "ok" and r[0] >= steady_from)
    errors = [r[2] for r in recs if r[1] == "error"]
    drained = max((r[0] for r in recs), default=end)
    return {
        "kind": kind,
        "concurrency": concurrency,
        "duration_s": duration,
        "rps": round(ok_window / duration, 3),
        "steady_rps": round(ok_steady / (duration * 0.75), 3),
        "ok_in_window": ok_window,
        "ok_after_window": sum(1 for r in recs if r[1] == "ok" and r[0] > end),
        "http_503": sum(1 for r in recs if r[1] == "503"),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "drain_seconds": round(max(0.0, drained - end), 2),
        "ok_per_second": [sum(1 for r in in_window if r[1] == "ok" and t0 + i <= r[0] < t0 + i + 1)
                          for i in range(int(math.ceil(duration)))],
        "threads_stuck": stuck,
        # The whole machine's CPU (API, engine, sandboxes, this client) over the run and its drain, per OK answer.
        "machine_cpu_ms_per_ok": round(1000 * cpu_s / max(1, ok_window + sum(1 for r in recs if r[1] == "ok" and r[0] > end)), 1),
    }


def raw_start_rate(docker: DockerApi, image: str, image_entrypoint: list | None, concurrency: int,
                   seconds: float, min_containers: int) -> dict:
    """create + start + wait + remove of `true` with --network none, `concurrency` at a time, until
    `seconds` have passed and at least `min_containers` finished (hard cap 4 x seconds)."""
    spec: dict = {
        "Image": image,
        "Labels": {BENCH_LABEL: "raw"},
        "NetworkDisabled": True,
        "HostConfig": {"NetworkMode": "none"},
    }
    if image_entrypoint:
        spec["Entrypoint"] = ["true"]
        spec["Cmd"] = []
    else:
        spec["Cmd"] = ["true"]
    lock = threading.Lock()
    done: list[float] = []
    errors: list[str] = []
    state = {"started": 0}
    t0 = time.perf_counter()
    hard_stop = t0 + max(seconds * 4, 30)

    def keep_going() -> bool:
        now = time.perf_counter()
        if now >= hard_stop:
            return False
        return now < t0 + seconds or state["started"] < min_containers

    def worker() -> None:
        while True:
            with lock:
                if not keep_going():
                    return
                state["started"] += 1
            c0 = time.perf_counter()
            cid = None
            try:
                _s, created = docker.request("POST", "/containers/create", spec)
                cid = created["Id"]
                docker.request("POST", f"/containers/{cid}/start")
                _s, waited = docker.request("POST", f"/containers/{cid}/wait")
                docker.request("DELETE", f"/containers/{cid}?force=1")
                cid = None
                code = (waited or {}).get("StatusCode")
                with lock:
                    if code == 0:
                        done.append(time.perf_counter() - c0)
                    else:
                        errors.append(f"container exited {code}")
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors.append(f"{type(e).__name__}: {e}")
                if cid:
                    try:
                        docker.request("DELETE", f"/containers/{cid}?force=1", ok=(204, 404))
                    except Exception:  # noqa: BLE001
                        pass
                time.sleep(0.2)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(seconds * 4, 30) + 120)
    wall = time.perf_counter() - t0
    return {
        "concurrency": concurrency,
        "containers": len(done),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "seconds": round(wall, 2),
        "containers_per_s": round(len(done) / wall, 3) if wall > 0 else None,
        "cycle_latency": latency_stats(done),
        "command": "create+start+wait+remove of `true`, NetworkMode none",
    }


def idle_memory(docker: DockerApi, instance: str, idle_s: float) -> dict:
    log(f"idling {idle_s:.0f} s, then reading each warm sandbox's memory")
    time.sleep(idle_s)
    rows = []
    basis = None
    for c in docker.list_containers([f"{INSTANCE_LABEL}={instance}"]):
        try:
            _s, st = docker.request("GET", f"/containers/{c['Id']}/stats?stream=false&one-shot=true")
        except Exception as e:  # noqa: BLE001
            log(f"WARNING: stats of {c['Id'][:12]} failed: {e}")
            continue
        mem = (st or {}).get("memory_stats") or {}
        cpu_ns = (((st or {}).get("cpu_stats") or {}).get("cpu_usage") or {}).get("total_usage")
        usage = mem.get("usage")
        stats = mem.get("stats") or {}
        if usage is None:
            continue
        if "cache" in stats:            # cgroup v1
            rss, basis = usage - stats["cache"], "usage - stats.cache (cgroup v1)"
        elif "inactive_file" in stats:  # cgroup v2
            rss, basis = usage - stats["inactive_file"], "usage - stats.inactive_file (cgroup v2)"
        else:
            rss, basis = usage, "usage"
        rows.append({"id": c["Id"][:12], "mib": round(rss / 2**20, 2), "usage_mib": round(usage / 2**20, 2),
                     "cpu_ms": round(cpu_ns / 1e6, 1) if cpu_ns is not None else None})
    mib = [r["mib"] for r in rows]
    cpu = [r["cpu_ms"] for r in rows if r["cpu_ms"] is not None]
    return {
        "containers": len(rows),
        "mean_mib": round(statistics.fmean(mib), 2) if mib else None,
        "max_mib": round(max(mib), 2) if mib else None,
        # Everything the sandbox's processes ran from its birth to now (an idle ready sandbox spends ~nothing):
        # the CPU cost of preparing one execution's isolation while each sandbox serves one execution.
        "birth_cpu_mean_ms": round(statistics.fmean(cpu), 1) if cpu else None,
        "birth_cpu_max_ms": round(max(cpu), 1) if cpu else None,
        "basis": basis,
        "per_container": rows,
    }


def proc_status(pid: int) -> dict:
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    out[key] = round(int(rest.split()[0]) / 1024.0, 1)  # kB -> MiB
    except OSError:
        pass
    return out


# --------------------------------------------------------------------------------------------
# Machine facts
# --------------------------------------------------------------------------------------------

def run_text(cmd: list[str]) -> str | None:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return p.stdout.strip() if p.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired):
        return None


def machine_facts(docker: DockerApi, image_info: dict, image: str, instance: str) -> dict:
    mem_total = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_total = round(int(line.split()[1]) / 1024 / 1024, 2)
    except OSError:
        pass
    cpu_model = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu_model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    _s, version = docker.request("GET", "/version")
    _s, info = docker.request("GET", "/info")
    others = [c for c in docker.list_containers([]) if (c.get("Labels") or {}).get(INSTANCE_LABEL) != instance]
    commit = run_text(["git", "rev-parse", "HEAD"])
    dirty = run_text(["git", "status", "--porcelain"])
    return {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model,
        "memory_gib": mem_total,
        "kernel": platform.release(),
        "os": run_text(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
        "loadavg_at_start": os.getloadavg(),
        "docker_version": version.get("Version"),
        "docker_api_version": version.get("ApiVersion"),
        "docker_storage_driver": info.get("Driver"),
        "cgroup_version": info.get("CgroupVersion"),
        "other_running_containers_at_start": len(others),
        "dotnet_version": run_text(["dotnet", "--version"]),
        "python_version": platform.python_version(),
        "image": image,
        "image_source": os.environ.get("BENCH_IMAGE_SOURCE", image),
        "image_id": image_info.get("Id"),
        "image_size_mib": round(image_info.get("Size", 0) / 2**20, 1),
        "image_entrypoint": (image_info.get("Config") or {}).get("Entrypoint"),
        "image_cmd": (image_info.get("Config") or {}).get("Cmd"),
        "git_commit": commit,
        "git_dirty": bool(dirty) if commit else None,
    }


# --------------------------------------------------------------------------------------------
# Goals and report
# --------------------------------------------------------------------------------------------

def compute_goals(res: dict) -> list[dict]:
    seq = res["sequential"]
    goals = []

    def add(name: str, value, op: str, target: float, unit: str) -> None:
        if value is None:
            met = None
        else:
            met = value <= target if op == "<=" else value >= target
        goals.append({"goal": name, "value": value, "op": op, "target": target, "unit": unit, "met": met})

    steady = res.get("steady") or {}
    rate = res["config"].get("rate_per_s")

    def steady_ms(case: str, key: str):
        return ((steady.get(case) or {}).get("latency") or {}).get(key)

    add(f"print p50 at {rate}/s", steady_ms("print", "p50_ms"), "<=", GOALS["print_p50_ms"], "ms")
    add(f"print p99 at {rate}/s", steady_ms("print", "p99_ms"), "<=", GOALS["print_p99_ms"], "ms")
    add(f"pandas p50 at {rate}/s", steady_ms("pandas", "p50_ms"), "<=", GOALS["pandas_p50_ms"], "ms")
    tp = res.get("throughput") or {}
    top = str(max(res["config"]["levels"]))
    for case in ("print", "pandas"):
        service = (tp.get(case) or {}).get("service") or {}
        naive = (tp.get(case) or {}).get("naive") or {}
        add(f"{case} steady req/s at concurrency {top}", (service.get(top) or {}).get("steady_rps"), ">=",
            GOALS[f"{case}_c16_rps"], "/s")
        levels = [lv for lv in service if lv in naive]
        wins = sum(1 for lv in levels if service[lv]["rps"] > naive[lv]["rps"])
        add(f"{case} levels where service req/s > naive", wins if levels else None, ">=", len(levels), "of")
    for case in ("print", "pandas"):
        add(f"{case} naive p50 / service p50", seq[case].get("naive_over_service_p50"), ">=",
            GOALS["naive_over_service_p50"], "x")
    add("sustained throughput / raw start rate", res.get("sustained", {}).get("pct_of_raw"), ">=",
        GOALS["sustained_pct_of_raw"], "%")
    return goals


def fmt(v, digits: int = 1) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def render_table(res: dict) -> str:
    lines = []
    m = res["machine"]
    cfg = res["config"]
    lines.append(f"ComputeSandbox benchmark {res['timestamp']}{'  (QUICK)' if cfg.get('quick') else ''}")
    lines.append(f"  machine: {m.get('nproc')} cpus ({m.get('cpu_model')}), {m.get('memory_gib')} GiB, "
                 f"docker {m.get('docker_version')} (API {m.get('docker_api_version')}, cgroup v{m.get('cgroup_version')})")
    lines.append(f"  image: {m.get('image_source', m.get('image'))} {str(m.get('image_id'))[7:19]} ({m.get('image_size_mib')} MiB)  git {str(m.get('git_commit'))[:12]}"
                 f"{' (dirty)' if m.get('git_dirty') else ''}  pool target {cfg.get('pool_target')}, "
                 f"max sandboxes {cfg.get('max_sandboxes')}")
    load0, load1 = m.get("loadavg_at_start"), m.get("loadavg_at_end")
    if load0 and load1:
        busy = max(load0[0], load1[0]) >= (m.get("nproc") or 1)
        lines.append(f"  load average (1 min) at start {load0[0]:.2f}, at end {load1[0]:.2f}"
                     f"{'  -- machine busy with other work: numbers are pessimistic' if busy else ''}")
    if m.get("other_running_containers_at_start"):
        lines.append(f"  note: {m['other_running_containers_at_start']} other containers were running at start "
                     f"(load on the engine skews the numbers)")
    lines.append("")
    cols = [("print", "service"), ("print", "naive"), ("pandas", "service"), ("pandas", "naive")]
    header = f"{'sequential latency (ms)':<28}" + "".join(f"{c + ' ' + k:>16}" for c, k in cols)
    lines.append(header)
    lines.append("-" * len(header))
    seq = res["sequential"]
    for key, label in (("p50_ms", "p50"), ("p95_ms", "p95"), ("p99_ms", "p99"), ("mean_ms", "mean"),
                       ("min_ms", "min"), ("max_ms", "max")):
        lines.append(f"{label:<28}" + "".join(f"{fmt(seq[c][k]['latency'][key], 2):>16}" for c, k in cols))
    lines.append(f"{'requests ok / total':<28}" + "".join(
        f"{str(seq[c][k]['ok']) + '/' + str(seq[c][k]['requests']):>16}" for c, k in cols))
    lines.append(f"{'errors (503 / other)':<28}" + "".join(
        f"{str(seq[c][k]['http_503']) + ' / ' + str(seq[c][k]['errors']):>16}" for c, k in cols))
    lines.append(f"{'phase wall time (s)':<28}" + "".join(f"{fmt(seq[c][k]['phase_seconds'], 1):>16}" for c, k in cols))
    lines.append(f"{'  of which pacing wait (s)':<28}" + "".join(
        f"{fmt(seq[c][k].get('pacing_wait_seconds'), 1):>16}" for c, k in cols))
    lines.append(f"{'naive p50 / service p50':<28}" + "".join(
        f"{(fmt(seq[c].get('naive_over_service_p50'), 1) + 'x') if k == 'service' else '':>16}" for c, k in cols))
    lines.append("")
    steady = res.get("steady")
    if steady:
        lines.append(f"{'steady ' + str(cfg.get('rate_per_s')) + ' req/s, open loop':<34}{'p50':>9}{'p95':>9}{'p99':>9}"
                     f"{'max':>9}{'ok/total':>10}{'503':>6}")
        for name, r in steady.items():
            lat = r["latency"]
            lines.append(f"{'  ' + name + ' (ms)':<34}{fmt(lat['p50_ms'], 2):>9}{fmt(lat['p95_ms'], 2):>9}"
                         f"{fmt(lat['p99_ms'], 2):>9}{fmt(lat['max_ms'], 1):>9}{str(r['ok']) + '/' + str(r['requests']):>10}"
                         f"{r['http_503']:>6}")
        lines.append("")
    header = f"{'throughput (req/s OK)':<28}" + "".join(f"{c + ' ' + k:>16}" for c, k in cols)
    lines.append(header)
    lines.append("-" * len(header))
    tp = res["throughput"]
    for level in cfg["levels"]:
        lines.append(f"{'concurrency ' + str(level):<28}" + "".join(
            f"{fmt(tp[c][k][str(level)]['rps'], 2):>16}" for c, k in cols))
        lines.append(f"{'  steady (last 75%)':<28}" + "".join(
            f"{fmt(tp[c][k][str(level)]['steady_rps'], 2):>16}" for c, k in cols))
        lines.append(f"{'  503 / other errors':<28}" + "".join(
            f"{str(tp[c][k][str(level)]['http_503']) + ' / ' + str(tp[c][k][str(level)]['errors']):>16}"
            for c, k in cols))
        lines.append(f"{'  machine CPU ms per OK':<28}" + "".join(
            f"{fmt(tp[c][k][str(level)].get('machine_cpu_ms_per_ok'), 0):>16}" for c, k in cols))
    lines.append("")
    raw = res["raw_start"]
    lines.append(f"raw engine start rate: {fmt(raw['containers_per_s'], 2)} containers/s "
                 f"({raw['containers']} containers in {raw['seconds']} s at concurrency {raw['concurrency']}, "
                 f"{raw['errors']} errors; cycle p50 {fmt(raw['cycle_latency']['p50_ms'], 0)} ms)")
    sus = res.get("sustained", {})
    lines.append(f"sustained service throughput (print, concurrency {sus.get('concurrency')}, steady): "
                 f"{fmt(sus.get('rps'), 2)} req/s = {fmt(sus.get('pct_of_raw'), 1)} % of the raw start rate")
    mem = res["idle_memory"]
    lines.append(f"idle warm sandbox memory ({mem.get('basis')}): mean {fmt(mem.get('mean_mib'), 1)} MiB, "
                 f"max {fmt(mem.get('max_mib'), 1)} MiB over {mem.get('containers')} sandboxes")
    lines.append(f"CPU a sandbox spent to become ready (its cgroup, birth to idle): mean "
                 f"{fmt(mem.get('birth_cpu_mean_ms'), 0)} ms, max {fmt(mem.get('birth_cpu_max_ms'), 0)} ms")
    api = res.get("api_process", {})
    lines.append(f"API process peak RSS (VmHWM): {fmt(api.get('VmHWM_mib'), 1)} MiB (now {fmt(api.get('VmRSS_mib'), 1)} MiB)")
    lines.append(f"total bench time: {fmt(res.get('total_seconds'), 0)} s")
    lines.append("")
    lines.append("goals:")
    for g in res["goals"]:
        state = "n/a" if g["met"] is None else ("met" if g["met"] else "NOT MET")
        lines.append(f"  {g['goal']:<40} {fmt(g['value'], 2):>10} {g['unit']:<2} {g['op']} {g['target']:<6} {state}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report", metavar="JSON", help="print the table of a saved run and exit")
    args = parser.parse_args()
    if args.report:
        with open(args.report) as f:
            print(render_table(json.load(f)))
        return 0

    started = time.perf_counter()
    quick = os.environ.get("BENCH_QUICK", "0") not in ("", "0", "false", "no")
    base_url = os.environ.get("BENCH_BASE_URL", "")
    if not base_url:
        die("BENCH_BASE_URL is not set; run scripts/bench.sh, which starts the API and sets it.")
    parsed = urllib.parse.urlsplit(base_url)
    host, port = parsed.hostname, parsed.port
    if host not in ("127.0.0.1", "localhost", "::1") or not port:
        die(f"BENCH_BASE_URL={base_url!r} must be http://127.0.0.1:PORT (the bench only talks to this machine).")
    image = os.environ.get("BENCH_IMAGE", "")
    if not image:
        die("BENCH_IMAGE is not set; run scripts/bench.sh, which builds the executor image and sets it.")
    api_pid = env_int("BENCH_API_PID", 0)
    instance = os.environ.get("BENCH_INSTANCE", "bench")
    cfg = {
        "quick": quick,
        "base_url": base_url,
        "instance": instance,
        "pool_target": env_int("BENCH_POOL_TARGET", 5),
        "max_sandboxes": env_int("BENCH_MAX_SANDBOXES", 24),
        "sequential": env_int("BENCH_SEQUENTIAL", 30 if quick else 200),
        "naive_sequential": env_int("BENCH_NAIVE_SEQUENTIAL", 15 if quick else 200),
        "duration_s": env_float("BENCH_DURATION", 5.0 if quick else 20.0),
        "levels": [int(x) for x in os.environ.get("BENCH_LEVELS", "1,4,16").split(",") if x.strip()],
        "rate_per_s": env_float("BENCH_RATE", 2.5),
        "rate_seconds": env_float("BENCH_RATE_SECONDS", 12.0 if quick else 40.0),
        "raw_seconds": env_float("BENCH_RAW_SECONDS", 5.0 if quick else 15.0),
        "raw_min_containers": env_int("BENCH_RAW_MIN_CONTAINERS", 20 if quick else 40),
        "raw_concurrency": env_int("BENCH_RAW_CONCURRENCY", 4),
        "warmup_requests": env_int("BENCH_WARMUP", 3),
        "idle_seconds": env_float("BENCH_IDLE_SECONDS", 5.0),
        "sustained_level": 16,
        "cases": CASES,
        "percentiles": "linear interpolation between closest ranks",
    }
    if cfg["pool_target"] < 1:
        die("BENCH_POOL_TARGET must be at least 1.")
    if not cfg["levels"] or any(lv < 1 for lv in cfg["levels"]):
        die("BENCH_LEVELS must be a comma-separated list of positive integers, e.g. 1,4,16.")
    if cfg["sustained_level"] not in cfg["levels"]:
        cfg["sustained_level"] = max(cfg["levels"])
    out_dir = os.environ.get("BENCH_OUT_DIR", "artifacts/bench")
    docker_cli = os.environ.get("BENCH_DOCKER_CLI", "/usr/bin/docker")
    sock = os.environ.get("DOCKER_SOCKET", "/var/run/docker.sock")
    os.makedirs(out_dir, exist_ok=True)

    docker = DockerApi(sock)
    try:
        docker.request("GET", "/_ping")
    except Exception as e:  # noqa: BLE001
        die(f"the Docker engine does not answer on {sock} ({e}); run scripts/ensure-docker.sh.")
    try:
        _s, image_info = docker.request("GET", f"/images/{urllib.parse.quote(image, safe='')}/json")
    except Exception as e:  # noqa: BLE001
        die(f"image {image!r} not found ({e}); build it with scripts/build-executor-image.sh.")
    entrypoint = (image_info.get("Config") or {}).get("Entrypoint")

    # Leftovers of an interrupted earlier bench (raw/naive containers carry BENCH_LABEL).
    for c in docker.list_containers([BENCH_LABEL], running_only=False, all_=True):
        docker.request("DELETE", f"/containers/{c['Id']}?force=1", ok=(204, 404))

    res: dict = {
        "timestamp": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "config": cfg,
        "machine": machine_facts(docker, image_info, image, instance),
    }
    naive = Naive(docker_cli, image, entrypoint)
    res["naive_command"] = " ".join(naive.command({"code": "CODE"}))
    pool = PoolWatch(docker, host, port, instance, cfg["pool_target"])

    # --- warm-up -------------------------------------------------------------------------------
    log(f"waiting for the pool to reach {cfg['pool_target']} running sandboxes (up to 180 s)")
    ok, waited = pool.wait_settled(180.0, poll_s=0.2)
    if not ok:
        die(f"the pool did not fill to {cfg['pool_target']} within 180 s (running={pool.running()}, "
            f"api={pool.pool_state()}); see artifacts/bench/api.log for sandbox start failures.")
    log(f"pool warm after {waited:.1f} s; {cfg['warmup_requests']} warm-up requests per case")
    warm_client = ServiceClient(host, port)
    for case in CASES:
        for _ in range(cfg["warmup_requests"]):
            outcome, lat, err = execute_once(warm_client, case)
            if outcome != "ok":
                die(f"warm-up {case['name']} request failed ({outcome}: {err}); see artifacts/bench/api.log.")
        outcome, lat, err = naive.run_once(case)
        if outcome != "ok":
            die(f"warm-up naive `docker run` of {case['name']} failed: {err}")
    warm_client.close()
    pool.refill("idle memory")

    res["idle_memory"] = idle_memory(docker, instance, cfg["idle_seconds"])
    log(f"idle sandbox memory: mean {res['idle_memory']['mean_mib']} MiB, max {res['idle_memory']['max_mib']} MiB")

    # --- raw engine start rate ----------------------------------------------------------------
    log(f"raw engine start rate: `true` containers at concurrency {cfg['raw_concurrency']} for "
        f"{cfg['raw_seconds']:.0f} s / at least {cfg['raw_min_containers']} containers")
    res["raw_start"] = raw_start_rate(docker, image, entrypoint, cfg["raw_concurrency"], cfg["raw_seconds"],
                                      cfg["raw_min_containers"])
    log(f"raw start rate: {res['raw_start']['containers_per_s']} containers/s ({res['raw_start']['errors']} errors)")

    # --- sequential latency -------------------------------------------------------------------
    res["sequential"] = {}
    for case in CASES:
        log(f"sequential {case['name']}: {cfg['sequential']} service requests (paced on a full pool)")
        svc = service_sequential(host, port, pool, case, cfg["sequential"])
        log(f"  service p50 {svc['latency']['p50_ms']} ms, p99 {svc['latency']['p99_ms']} ms, "
            f"{svc['errors']} errors, {svc['http_503']} x 503, {svc['phase_seconds']} s")
        log(f"sequential {case['name']}: {cfg['naive_sequential']} naive docker runs")
        nv = naive_sequential(naive, case, cfg["naive_sequential"])
        log(f"  naive p50 {nv['latency']['p50_ms']} ms, {nv['errors']} errors, {nv['phase_seconds']} s")
        ratio = None
        if svc["latency"]["p50_ms"] and nv["latency"]["p50_ms"]:
            ratio = round(nv["latency"]["p50_ms"] / svc["latency"]["p50_ms"], 2)
        res["sequential"][case["name"]] = {"service": svc, "naive": nv, "naive_over_service_p50": ratio}

    # --- steady arrival rate --------------------------------------------------------------------
    res["steady"] = {}
    for case in CASES:
        pool.refill(f"steady {cfg['rate_per_s']}/s {case['name']}")
        log(f"steady {case['name']}: {cfg['rate_per_s']} requests/s for {cfg['rate_seconds']:.0f} s (open loop)")
        r = steady_rate(host, port, case, cfg["rate_per_s"], cfg["rate_seconds"])
        log(f"  p50 {r['latency']['p50_ms']} ms, p99 {r['latency']['p99_ms']} ms, {r['http_503']} x 503, "
            f"{r['errors']} errors")
        res["steady"][case["name"]] = r

    # --- throughput ---------------------------------------------------------------------------
    res["throughput"] = {}
    for case in CASES:
        res["throughput"][case["name"]] = {"service": {}, "naive": {}}
        for level in cfg["levels"]:
            pool.refill(f"service throughput {case['name']} c={level}")

            def make_service_worker(case=case):
                client = ServiceClient(host, port)
                return (lambda: execute_once(client, case)), client.close

            r = throughput("service", make_service_worker, level, cfg["duration_s"])
            log(f"throughput service {case['name']} c={level}: {r['rps']} req/s (steady {r['steady_rps']}), "
                f"{r['http_503']} x 503, {r['errors']} errors")
            res["throughput"][case["name"]]["service"][str(level)] = r
        for level in cfg["levels"]:
            def make_naive_worker(case=case):
                return (lambda: naive.run_once(case)), (lambda: None)

            r = throughput("naive", make_naive_worker, level, cfg["duration_s"])
            log(f"throughput naive {case['name']} c={level}: {r['rps']} req/s, {r['errors']} errors")
            res["throughput"][case["name"]]["naive"][str(level)] = r

    sus_level = str(cfg["sustained_level"])
    sus = res["throughput"]["print"]["service"][sus_level]
    raw_rate = res["raw_start"]["containers_per_s"]
    res["sustained"] = {
        "concurrency": cfg["sustained_level"],
        "rps": sus["steady_rps"],
        "rps_whole_window": sus["rps"],
        "raw_containers_per_s": raw_rate,
        "pct_of_raw": round(100.0 * sus["steady_rps"] / raw_rate, 1) if raw_rate else None,
        "note": "steady_rps of the print case at the highest concurrency (pool drained: sandbox refill rate)",
    }

    # --- API process --------------------------------------------------------------------------
    if api_pid:
        st = proc_status(api_pid)
        res["api_process"] = {"pid": api_pid, "VmHWM_mib": st.get("VmHWM"), "VmRSS_mib": st.get("VmRSS")}
    else:
        res["api_process"] = {"pid": None, "note": "BENCH_API_PID not set"}

    res["machine"]["loadavg_at_end"] = os.getloadavg()
    res["goals"] = compute_goals(res)
    res["total_seconds"] = round(time.perf_counter() - started, 1)

    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = os.path.join(out_dir, f"bench-{stamp}.json")
    for p in (path, os.path.join(out_dir, "latest.json")):
        tmp = p + ".tmp"
        with open(tmp, "w") as f:
            json.dump(res, f, indent=2)
            f.write("\n")
        os.replace(tmp, p)
    table = render_table(res)
    with open(os.path.join(out_dir, "latest.txt"), "w") as f:
        f.write(table + "\n")
    print()
    print(table)
    print()
    log(f"wrote {path} and {os.path.join(out_dir, 'latest.json')}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        sys.exit(130)
