"""What the Python drivers of scripts/ share (stdlib only): scripts/bench.py, scripts/bench_files.py, scripts/soak.py.

They import it from their own folder:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
    import harness  # noqa: E402

    messages = harness.Messages("bench")          # "bench: ..." on stdout, "bench: ERROR: ..." on stderr, exit 1
    log, die, env_int = messages.log, messages.die, messages.env_int
"""
from __future__ import annotations

import http.client
import os
import socket
import sys
from typing import NoReturn


class Messages:
    """Messages with the script's prefix, and settings read from the environment that stop the script when bad."""

    def __init__(self, prefix: str, die_status: int = 1) -> None:
        self.prefix = prefix
        self.die_status = die_status

    def log(self, msg: str) -> None:
        print(f"{self.prefix}: {msg}", flush=True)

    def die(self, msg: str) -> NoReturn:
        print(f"{self.prefix}: ERROR: {msg}", file=sys.stderr, flush=True)
        sys.exit(self.die_status)

    def env_int(self, name: str, default: int) -> int:
        """A whole number, not negative; `default` when unset or blank."""
        raw = os.environ.get(name, "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            self.die(f"{name}={raw!r} is not an integer; set it to a whole number or unset it.")
        if value < 0:
            self.die(f"{name}={raw!r} must not be negative.")
        return value

    def env_float(self, name: str, default: float) -> float:
        """A number; `default` when unset or blank."""
        raw = os.environ.get(name, "").strip()
        if not raw:
            return default
        try:
            return float(raw)
        except ValueError:
            self.die(f"{name}={raw!r} is not a number; set it to a number of seconds or unset it.")


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a unix socket (the Docker Engine API on /var/run/docker.sock)."""

    def __init__(self, path: str, timeout: float = 120.0):
        super().__init__("localhost", timeout=timeout)
        self._socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._socket_path)
        self.sock = sock


class KeepAliveClient:
    """One keep-alive HTTPConnection to the API; not thread-safe (one per thread)."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def send(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None):
        """(status, lower-cased headers, body). A stale keep-alive connection is retried once on a new one."""
        headers = {"Content-Type": content_type} if content_type else {}
        for attempt in range(2):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                hdrs = {k.lower(): v for k, v in resp.getheaders()}
                if hdrs.get("connection", "").lower() == "close":
                    self.close()
                return resp.status, hdrs, raw
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if reused and attempt == 0:
                    self.reconnects += 1
                    continue
                raise
            except Exception:
                self.close()
                raise
        raise RuntimeError("unreachable")


def upload_envelope(boundary: str, chat: str, filename: str) -> tuple[bytes, bytes]:
    """The multipart/form-data of POST /v1/upload around the file's bytes: (head, tail)."""
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n{chat}\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"{filename}\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head, tail


def rss_bytes(pid: int) -> int:
    """The resident memory of a process (VmRSS of /proc/PID/status) in bytes."""
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/{pid}/status has no VmRSS")
