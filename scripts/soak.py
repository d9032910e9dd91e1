#!/usr/bin/env python3
"""ComputeSandbox soak driver (stdlib only). Called by scripts/soak.sh, which builds and starts the API.

For SOAK_SECONDS, SOAK_CLIENTS threads each loop over a weighted mix of calls against the API and check every answer:
  execute        a unique computation; stdout must be exactly its result
  execute_files  an uploaded file in, a derived file out; stdout = the input's SHA-256, the output's hash is checked
                 and the output is downloaded later like any other file
  timeout        sleeps past timeout_seconds=2: exit_code -1 and stderr naming the timeout
  memory_bomb    allocates without end: exit_code 137
  fork_bomb      forks without end: contained by the pids limit, the snippet prints how far it got
  upload         random bytes; file_hash must be their SHA-256
  download       a file this client stored; the bytes must be the same
A spawning call may also answer 503 with Retry-After (no sandbox within the acquire timeout): counted, not an error.
Anything else (another status, a wrong answer, a transport error) is an unexpected answer.

Meanwhile it samples the API's RSS (/proc/PID/status) and the pool (/metrics) every SOAK_SAMPLE_SECONDS. At the
end it waits for the pool to settle (ready = target, nothing starting or in use, exactly target containers of the
instance), prints a table and exits 1 on any unexpected answer or when the pool does not settle (a leak).

Environment (defaults in brackets): SOAK_BASE_URL (required), SOAK_API_PID (required), SOAK_INSTANCE (required),
SOAK_SECONDS [300], SOAK_CLIENTS [8], SOAK_POOL_TARGET [3], SOAK_SAMPLE_SECONDS [2], SOAK_SETTLE_SECONDS [120],
SOAK_SUMMARY (a JSON file to write the results to), DOCKER_SOCKET [/var/run/docker.sock].
"""
from __future__ import annotations

import collections
import hashlib
import json
import os
import random
import re
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import harness  # noqa: E402 - scripts/lib/harness.py, found through the line above
from harness import UnixHTTPConnection, rss_bytes as rss  # noqa: E402

INSTANCE_LABEL = "io.computesandbox.instance"
MIX = [  # (kind, weight)
    ("execute", 34),
    ("execute_files", 12),
    ("timeout", 3),
    ("memory_bomb", 2),
    ("fork_bomb", 2),
    ("upload", 25),
    ("download", 22),
]
SPAWNING = {"execute", "execute_files", "timeout", "memory_bomb", "fork_bomb", "upload"}
KEPT_FILES = 16

MEMORY_BOMB = "chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024 * 1024))\n"
FORK_BOMB = """import os, time
children = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(5)
            os._exit(0)
        children += 1
except OSError as e:
    print("fork refused after", children, "children")
"""


MESSAGES = harness.Messages("soak", die_status=2)
log, die, env_int = MESSAGES.log, MESSAGES.die, MESSAGES.env_int


def containers(docker_socket: str, instance: str) -> int:
    """Containers of the instance, in any state."""
    query = urllib.parse.urlencode({"all": "1", "filters": json.dumps({"label": [f"{INSTANCE_LABEL}={instance}"]})})
    conn = UnixHTTPConnection(docker_socket, timeout=30.0)
    try:
        conn.request("GET", f"/containers/json?{query}", headers={"Host": "docker"})
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"Docker answered {resp.status}: {body[:200]!r}")
        return len(json.loads(body))
    finally:
        conn.close()


class Client(harness.KeepAliveClient):
    """One keep-alive connection to the API; one per thread."""

    def __init__(self, host: str, port: int, timeout: float = 120.0):
        super().__init__(host, port, timeout)

    def json(self, path: str, doc: dict):
        return self.send("POST", path, json.dumps(doc).encode(), "application/json")

    def upload(self, chat: str, name: str, data: bytes):
        boundary = uuid.uuid4().hex
        head, tail = harness.upload_envelope(boundary, chat, name)
        return self.send("POST", "/v1/upload", head + data + tail, f"multipart/form-data; boundary={boundary}")


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: collections.Counter = collections.Counter()   # (kind, status) -> n
        self.unexpected: list[str] = []

    def count(self, kind: str, status: str) -> None:
        with self.lock:
            self.counts[(kind, status)] += 1

    def fail(self, kind: str, status: str, detail: str) -> None:
        with self.lock:
            self.counts[(kind, status)] += 1
            self.unexpected.append(f"{kind}: {detail}"[:400])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def worker(index: int, client: Client, tally: Tally, deadline: float, stop: threading.Event) -> None:
    rnd = random.Random(index)
    chat = f"soak-{index}"
    files: list[tuple[str, str, bytes]] = []   # (name, hash, bytes) this client stored
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    i = 0
    while time.monotonic() < deadline and not stop.is_set():
        i += 1
        tag = f"c{index}i{i}"
        kind = rnd.choices(kinds, weights)[0]
        if kind in ("execute_files", "download") and not files:
            kind = "upload"
        try:
            one_call(kind, tag, chat, client, rnd, files, tally)
        except Exception as e:  # noqa: BLE001 - any transport failure is an unexpected answer
            tally.fail(kind, "transport", f"{tag}: {type(e).__name__}: {e}")


def keep(files: list, entry: tuple, rnd: random.Random) -> None:
    if len(files) < KEPT_FILES:
        files.append(entry)
    else:
        files[rnd.randrange(len(files))] = entry


def answered(kind: str, tag: str, status: int, hdrs: dict, raw: bytes, tally: Tally) -> dict | bytes | None:
    """The body of a 200 (JSON decoded for everything but downloads); None when counted as 503 or as unexpected."""
    if status == 503 and kind in SPAWNING and "retry-after" in hdrs:
        tally.count(kind, "503")
        return None
    if status != 200:
        tally.fail(kind, str(status), f"{tag}: HTTP {status}: {raw[:300].decode(errors='replace')}")
        return None
    if kind == "download":
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        tally.fail(kind, "200-bad", f"{tag}: a 200 whose body is not JSON: {raw[:200]!r}")
        return None


def one_call(kind: str, tag: str, chat: str, client: Client, rnd: random.Random, files: list, tally: Tally) -> None:
    def check(ok: bool, detail: str) -> None:
        if ok:
            tally.count(kind, "200")
        else:
            tally.fail(kind, "200-wrong", f"{tag}: {detail}")

    if kind == "upload":
        data = rnd.randbytes(rnd.randint(1, 256 * 1024))
        name = f"up-{tag}.bin"
        doc = answered(kind, tag, *client.upload(chat, name, data), tally)
        if doc is not None:
            check(doc.get("file_hash") == sha256(data) and doc.get("filename") == name,
                  f"upload answered {str(doc)[:200]}")
            keep(files, (name, sha256(data), data), rnd)
        return

    if kind == "download":
        name, digest, data = rnd.choice(files)
        raw = answered(kind, tag, *client.json("/v1/download", {"chat_id": chat, "file_hash": digest, "filename": name}), tally)
        if raw is not None:
            check(raw == data, f"download of {name} gave {len(raw)} bytes that differ from the {len(data)} stored")
        return

    body: dict = {"chat_id": chat, "timeout_seconds": 30}
    if kind == "execute":
        a, b = rnd.randint(1, 10**9), rnd.randint(1, 10**9)
        body["source_code"] = f"a, b = {a}, {b}\nprint(a * b, {tag!r})"
        expect = lambda d: d.get("exit_code") == 0 and d.get("stdout") == f"{a * b} {tag}\n" and not d.get("files")  # noqa: E731
    elif kind == "execute_files":
        name, digest, data = rnd.choice(files)
        out = f"out-{tag}.bin"
        body["files"] = {f"/workspace/in/{name}": digest}
        body["source_code"] = (
            "import hashlib\n"
            f"data = open('/workspace/in/{name}', 'rb').read()\n"
            f"open('/workspace/{out}', 'wb').write(data[::-1] + b{tag!r})\n"
            "print(hashlib.sha256(data).hexdigest())\n")
        produced = data[::-1] + tag.encode()
        expect = lambda d: (d.get("exit_code") == 0 and d.get("stdout") == f"{digest}\n"  # noqa: E731
                            and d.get("files") == {f"/workspace/{out}": sha256(produced)})
    elif kind == "timeout":
        body["source_code"] = "import time\nprint('sleeping', flush=True)\ntime.sleep(60)\n"
        body["timeout_seconds"] = 2
        expect = lambda d: d.get("exit_code") == -1 and "timed out" in str(d.get("stderr"))  # noqa: E731
    elif kind == "memory_bomb":
        body["source_code"] = MEMORY_BOMB
        expect = lambda d: d.get("exit_code") == 137  # noqa: E731
    else:  # fork_bomb
        body["source_code"] = FORK_BOMB
        body["timeout_seconds"] = 20
        expect = lambda d: d.get("exit_code") == 0 and str(d.get("stdout")).startswith("fork refused after")  # noqa: E731

    doc = answered(kind, tag, *client.json("/v1/execute", body), tally)
    if doc is None:
        return
    check(expect(doc), f"exit_code {doc.get('exit_code')}, stdout {str(doc.get('stdout'))[:120]!r}, "
                       f"stderr {str(doc.get('stderr'))[:200]!r}, files {doc.get('files')}")
    if kind == "execute_files" and expect(doc):
        keep(files, (out, sha256(produced), produced), rnd)


METRIC_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$")


def metrics(client: Client) -> dict[str, float]:
    status, _h, raw = client.send("GET", "/metrics")
    if status != 200:
        raise RuntimeError(f"/metrics answered {status}")
    values: dict[str, float] = collections.defaultdict(float)
    for line in raw.decode(errors="replace").splitlines():
        m = METRIC_RE.match(line)
        if m and not line.startswith("#"):
            try:
                values[m.group(1)] += float(m.group(3))
            except ValueError:
                pass
    return values


def pool_of(m: dict[str, float]) -> dict[str, int]:
    return {k: int(m.get(f"computesandbox_pool_{k}", 0)) for k in ("ready", "starting", "in_use", "live")}


def main() -> int:
    base = os.environ.get("SOAK_BASE_URL") or die("SOAK_BASE_URL is not set; run scripts/soak.sh, which sets it.")
    pid = env_int("SOAK_API_PID", 0) or die("SOAK_API_PID is not set; run scripts/soak.sh, which sets it.")
    instance = os.environ.get("SOAK_INSTANCE") or die("SOAK_INSTANCE is not set; run scripts/soak.sh, which sets it.")
    seconds = env_int("SOAK_SECONDS", 300)
    clients = max(1, env_int("SOAK_CLIENTS", 8))
    target = env_int("SOAK_POOL_TARGET", 3)
    sample_every = max(1, env_int("SOAK_SAMPLE_SECONDS", 2))
    settle_seconds = env_int("SOAK_SETTLE_SECONDS", 120)
    docker_socket = os.environ.get("DOCKER_SOCKET", "/var/run/docker.sock")
    url = urllib.parse.urlparse(base)
    if url.hostname != "127.0.0.1":
        die(f"SOAK_BASE_URL={base} is not on 127.0.0.1; the soak drives a local API only.")

    tally = Tally()
    stop = threading.Event()
    samples: list[dict] = []
    probe = Client(url.hostname, url.port, timeout=15)

    def sample() -> dict:
        entry = {"t": round(time.monotonic() - started, 1), "rss": rss(pid)}
        try:
            entry.update(pool_of(metrics(probe)))
        except Exception as e:  # noqa: BLE001 - a failed scrape is reported, the soak goes on
            entry["metrics_error"] = f"{type(e).__name__}: {e}"
            probe.close()
        return entry

    started = time.monotonic()
    samples.append(sample())
    deadline = started + seconds
    log(f"{clients} clients for {seconds} s against {base} (instance {instance}, pool target {target})")
    threads = [threading.Thread(target=worker, args=(i, Client(url.hostname, url.port), tally, deadline, stop), daemon=True)
               for i in range(clients)]
    for t in threads:
        t.start()
    next_report = started + 30
    while any(t.is_alive() for t in threads):
        time.sleep(sample_every)
        samples.append(sample())
        if time.monotonic() >= next_report:
            next_report += 30
            with tally.lock:
                done = sum(tally.counts.values())
            log(f"{samples[-1]['t']:.0f} s: {done} calls, {len(tally.unexpected)} unexpected, "
                f"RSS {samples[-1]['rss'] / 2**20:.0f} MiB, pool {({k: samples[-1].get(k) for k in ('ready', 'starting', 'in_use', 'live')})}")
    for t in threads:
        t.join()
    load_seconds = time.monotonic() - started

    log(f"load over after {load_seconds:.0f} s; waiting up to {settle_seconds} s for the pool to settle at {target}")
    settled, state, left = False, {}, -1
    settle_deadline = time.monotonic() + settle_seconds
    while True:
        try:
            state = pool_of(metrics(probe))
            left = containers(docker_socket, instance)
        except Exception as e:  # noqa: BLE001
            state = {"error": f"{type(e).__name__}: {e}"}
            probe.close()
        if (state.get("ready") == target and state.get("starting") == 0 and state.get("in_use") == 0
                and state.get("live") == target and left == target):
            settled = True
            break
        if time.monotonic() >= settle_deadline:
            break
        time.sleep(1)
    samples.append(sample())

    rss_values = [s["rss"] for s in samples]
    pool_samples = [s for s in samples if "live" in s]
    scrape_errors = sum(1 for s in samples if "metrics_error" in s)
    kinds = [k for k, _ in MIX]
    statuses = sorted({s for (_, s) in tally.counts}, key=lambda s: (not s.isdigit(), s))
    width = max(len(k) for k in kinds + ["total"])

    print()
    print(f"soak: {clients} clients, {load_seconds:.0f} s, instance {instance}, pool target {target}")
    print(f"  {'kind':<{width}}  " + "  ".join(f"{s:>9}" for s in statuses) + f"  {'total':>7}")
    for kind in kinds + ["total"]:
        row = [sum(n for (k, s), n in tally.counts.items() if s == st and (kind == "total" or k == kind)) for st in statuses]
        print(f"  {kind:<{width}}  " + "  ".join(f"{n:>9}" for n in row) + f"  {sum(row):>7}")
    print(f"  unexpected answers: {len(tally.unexpected)}")
    for line in tally.unexpected[:10]:
        print(f"    {line}")
    print(f"  API RSS MiB: start {rss_values[0] / 2**20:.0f}, peak {max(rss_values) / 2**20:.0f}, "
          f"end {rss_values[-1] / 2**20:.0f} ({len(samples)} samples)")
    if pool_samples:
        print(f"  pool during the soak: max live {max(s['live'] for s in pool_samples)}, "
              f"max starting {max(s['starting'] for s in pool_samples)}, "
              f"min ready {min(s['ready'] for s in pool_samples)}")
    if scrape_errors:
        print(f"  /metrics scrapes that failed: {scrape_errors}")
    print(f"  pool after the load: {state}, containers of the instance: {left} "
          f"({'settled at the target' if settled else f'NOT settled at {target} within {settle_seconds} s'})")

    summary_path = os.environ.get("SOAK_SUMMARY")
    if summary_path:
        with open(summary_path, "w", encoding="utf-8") as f:
            json.dump({"clients": clients, "seconds": round(load_seconds, 1), "target": target,
                       "counts": {f"{k} {s}": n for (k, s), n in sorted(tally.counts.items())},
                       "unexpected": tally.unexpected, "samples": samples, "settled": settled,
                       "containers_after_load": left}, f, indent=1)
    return 0 if settled and not tally.unexpected and not scrape_errors else 1


if __name__ == "__main__":
    sys.exit(main())
