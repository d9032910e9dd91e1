"""ComputeSandbox agent: runs untrusted Python (or shell code, see shellcode.py) inside one sandbox, driven over HTTP.

Started as the container's command (uid 1000). It imports the heavy libraries
first, then listens (readiness = the socket answers), and runs every execution in
a forked child of this warm interpreter so user code pays nothing for
`import pandas`. Speaks HTTP/1.1 + JSON; see executor-image/README.md for the
protocol. Python 3.11 standard library only.

It never logs user code, environment values or file contents.
"""

import builtins
import errno
import fcntl
import gc
import hashlib
import hmac
import io
import ipaddress
import json
import linecache
import os
import posixpath
import resource
import selectors
import signal
import socket
import stat
import struct
import sys
import time
import traceback
import types
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import shellcode

WORKSPACE = "/workspace"
WORKSPACE_PREFIX = WORKSPACE + "/"
MAX_PATH_BYTES = 4096
CHUNK = 1 << 20
USER_FILENAME = "<code>"
PRELOAD = ("numpy", "pandas", "matplotlib")
# Wheels the service fetched from APP_PACKAGE_INDEX_URL for this run are unpacked here (a tmpfs of the sandbox's own);
# the code's interpreter finds them after its own packages.
PACKAGES = "/tmp/.packages"
MAX_PACKAGE_FILES = 20000


def _env_int(name, default, minimum=0):
    raw = os.environ.get(name, "")
    try:
        value = int(raw) if raw.strip() else default
    except ValueError:
        _log(f"ignoring {name}: not an integer")
        value = default
    return max(value, minimum)


def _log(message):
    # Only fixed texts and numbers: never user code, env values or file contents.
    try:
        sys.stderr.write(f"agent: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


MAX_OUTPUT_BYTES = _env_int("AGENT_MAX_OUTPUT_BYTES", 1048576)
MAX_OUTPUT_FILES = _env_int("AGENT_MAX_OUTPUT_FILES", 1000)
MAX_REQUEST_BYTES = _env_int("AGENT_MAX_REQUEST_BYTES", 64 << 20, 1024)
DEFAULT_TIMEOUT_SECONDS = _env_int("AGENT_DEFAULT_TIMEOUT_SECONDS", 60, 1)
IO_TIMEOUT_SECONDS = 120
MAX_CONNECTIONS = 32
DRAIN_AFTER_EXIT_SECONDS = 0.1
MPL_CACHE_SOURCE = os.environ.get("AGENT_MPL_CACHE", "/opt/mplcache")
# Each sandbox gets its own random token from the service; every request but /health must carry it. On
# Kubernetes the agent listens on the pod IP, and where NetworkPolicy is not enforced another sandbox could
# otherwise reach this one and prepare it for the next user. The code must never learn it, so it is in no
# environment block and in no memory a child inherits. Docker: the service writes it into the socket folder
# (AGENT_TOKEN_FILE), the agent reads and deletes the file. Kubernetes: the service passes AGENT_TOKEN, the agent
# hands it to a fresh image of itself through a pipe (_hand_over_token, before anything else happens). Either is
# read only after the prepared child is forked (_take_token). Empty until then.
AGENT_TOKEN = ""
TOKEN_FD_VARIABLE = "AGENT_TOKEN_FD"
_token_fd = None
_token_file = None
# Set once the one execution of this single-use sandbox has started: from then on /execute, PUT /files and
# PUT /packages are refused (409) and nothing but the connection that carried the execution is kept.
_spent = False

preloaded = []

# sha256 of files whose content the agent knows (written by PUT, or reported by a
# previous execution): a file whose stat changed but whose bytes did not is not
# reported as changed.
known_sha256 = {}


# --------------------------------------------------------------------------------
# Start-up: warm the interpreter before listening
# --------------------------------------------------------------------------------


def _seed_matplotlib_cache():
    """Copies the font cache built at image build time, so no sandbox rebuilds it."""
    target = os.environ.get("MPLCONFIGDIR")
    if not target or not os.path.isdir(MPL_CACHE_SOURCE):
        return
    try:
        os.makedirs(target, mode=0o700, exist_ok=True)
        for name in os.listdir(MPL_CACHE_SOURCE):
            src = os.path.join(MPL_CACHE_SOURCE, name)
            dst = os.path.join(target, name)
            if os.path.isfile(src) and not os.path.lexists(dst):
                with open(src, "rb") as fin, open(dst, "wb") as fout:
                    while block := fin.read(CHUNK):
                        fout.write(block)
    except OSError as e:
        _log(f"could not seed the matplotlib cache: {e.strerror}")


def _next_figure_file():
    """Opens the first free /workspace/figure_<n>.png exclusively (never overwrites)."""
    n = 1
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    while True:
        path = f"{WORKSPACE}/figure_{n}.png"
        try:
            return os.fdopen(os.open(path, flags, 0o644), "wb")
        except FileExistsError:
            n += 1


def _show(*args, **kwargs):
    """Replacement for matplotlib.pyplot.show: every open figure becomes a PNG file."""
    import matplotlib.pyplot as plt

    for num in plt.get_fignums():
        fig = plt.figure(num)
        with _next_figure_file() as f:
            fig.savefig(f, format="png")
    plt.close("all")


def _preload():
    _seed_matplotlib_cache()
    os.environ.setdefault("MPLBACKEND", "Agg")
    for name in PRELOAD:
        try:
            __import__(name)
            preloaded.append(name)
        except Exception as e:  # an image without the library still runs code
            _log(f"could not preload {name}: {type(e).__name__}")
    if "matplotlib" in preloaded:
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt

            _show.__doc__ = plt.show.__doc__
            plt.show = _show
        except Exception as e:
            _log(f"could not set up matplotlib.pyplot: {type(e).__name__}")


# --------------------------------------------------------------------------------
# Workspace paths and files
# --------------------------------------------------------------------------------


class RequestError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def _check_path(path):
    """Returns the components under /workspace of a valid path, else raises 400."""
    if not path:
        raise RequestError(400, "query parameter 'path' is required")
    if "\x00" in path:
        raise RequestError(400, "path must not contain NUL")
    if len(path.encode("utf-8")) > MAX_PATH_BYTES:
        raise RequestError(400, f"path is longer than {MAX_PATH_BYTES} bytes")
    if not path.startswith(WORKSPACE_PREFIX) or path == WORKSPACE_PREFIX:
        raise RequestError(400, f"path must be an absolute path under {WORKSPACE_PREFIX}: {path!r}")
    parts = path[len(WORKSPACE_PREFIX):].split("/")
    if posixpath.normpath(path) != path or any(p in ("", ".", "..") for p in parts):
        raise RequestError(400, f"path must be normalised (no '.', '..', '//' or trailing '/'): {path!r}")
    if any(len(p.encode("utf-8")) > 255 for p in parts):
        raise RequestError(400, f"a path component is longer than 255 bytes: {path!r}")
    return parts


def _open_dir_chain(parts, create):
    """Opens the parent folder of parts[-1] without following any symlink."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(WORKSPACE, flags)
    try:
        for name in parts[:-1]:
            if create:
                try:
                    os.mkdir(name, 0o755, dir_fd=fd)
                except FileExistsError:
                    pass
            child = os.open(name, flags, dir_fd=fd)
            os.close(fd)
            fd = child
        return fd
    except BaseException:
        os.close(fd)
        raise


def _query_path(handler):
    query = urlsplit(handler.path).query
    try:
        values = parse_qs(query, keep_blank_values=True, encoding="utf-8", errors="strict").get("path", [])
    except UnicodeDecodeError:
        raise RequestError(400, "path is not valid UTF-8") from None
    if len(values) != 1:
        raise RequestError(400, "exactly one query parameter 'path' is required")
    return values[0]


def _hash_file(path):
    """(sha256 hex, size) of a regular file, not following symlinks; None if gone."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        digest = hashlib.sha256()
        size = 0
        while block := os.read(fd, CHUNK):
            digest.update(block)
            size += len(block)
        return digest.hexdigest(), size
    except OSError:
        return None
    finally:
        os.close(fd)


def _scan_workspace():
    """Stat keys of every regular file under /workspace (symlinks not followed):
    ({path: key} for UTF-8 paths, {path bytes: key} for the others)."""
    files = {}
    undecodable = {}
    root = WORKSPACE.encode()
    try:
        _ensure_access(root, os.lstat(root), 0o700)
    except OSError:
        pass
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if stat.S_ISDIR(st.st_mode):
                    _ensure_access(entry.path, st, 0o700)
                    stack.append(entry.path)
                elif stat.S_ISREG(st.st_mode):
                    _ensure_access(entry.path, st, 0o400)
                    # ctime cannot be set by user code, so content changes that keep
                    # size and mtime (os.utime) are still seen.
                    key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
                    try:
                        files[entry.path.decode("utf-8")] = key
                    except UnicodeDecodeError:
                        undecodable[entry.path] = key
    return files, undecodable


def _ensure_access(path, st, bits):
    """User code may take its own permissions away (chmod 000 on a file or folder).
    The agent has the same uid, so it owns those and gives itself access back:
    what the run wrote is still collected. Only called when no user process runs,
    on what lstat says is a folder or a regular file."""
    if st.st_mode & bits != bits:
        try:
            os.chmod(path, stat.S_IMODE(st.st_mode) | bits)
        except OSError:
            pass


def _changed_files(before, before_undecodable):
    """(files, truncated, skipped, deleted): the changed regular files, whether more were left out, how many
    changed names are not UTF-8, and the paths that were regular files before the run and are none now."""
    after, after_undecodable = _scan_workspace()
    skipped = sum(1 for p, key in after_undecodable.items() if before_undecodable.get(p) != key)
    for path in list(known_sha256):
        if path not in after:
            del known_sha256[path]
    # Deleted, or replaced by a folder or a link: the service drops these from a remembered workspace.
    deleted = sorted(p for p in before if p not in after)
    # What /workspace can hold. A larger file is sparse (its holes read as zeros), and more than this in total
    # can only be holes too: the service takes neither (APP_WORKSPACE_SIZE_LIMIT), so they are listed with
    # their size and an empty hash instead of being read (hashing 5 GiB of holes takes seconds).
    try:
        vfs = os.statvfs(WORKSPACE)
        budget = vfs.f_blocks * vfs.f_frsize
    except OSError:
        budget = None
    candidates = sorted(p for p, key in after.items() if before.get(p) != key)
    files = []
    truncated = False
    hashed = 0
    for path in candidates:
        size = after[path][0]
        if budget is not None and hashed + size > budget:
            if len(files) >= MAX_OUTPUT_FILES:
                truncated = True
                break
            files.append({"path": path, "size": size, "sha256": ""})
            continue
        result = _hash_file(path)
        if result is None:
            continue
        sha, size = result
        hashed += size
        if path in before and known_sha256.get(path) == sha:
            continue
        if len(files) >= MAX_OUTPUT_FILES:
            truncated = True
            break
        files.append({"path": path, "size": size, "sha256": sha})
        known_sha256[path] = sha
    return files, truncated, skipped, deleted


# --------------------------------------------------------------------------------
# Execution: forked child of the warm interpreter
# --------------------------------------------------------------------------------


class _Capture:
    """Keeps the first `limit` bytes of a stream and counts what it drops."""

    def __init__(self, limit):
        self.limit = limit
        self.data = bytearray()
        self.dropped = 0

    def feed(self, block):
        room = self.limit - len(self.data)
        if room >= len(block):
            self.data += block
        else:
            if room > 0:
                self.data += block[:room]
            self.dropped += len(block) - max(room, 0)

    def text(self):
        data = self.data
        if self.dropped:
            # Do not end on half a UTF-8 character: count its bytes as dropped too.
            cut = _utf8_incomplete_tail(data)
            if cut:
                self.dropped += cut
                data = data[:-cut]
        text = bytes(data).decode("utf-8", errors="replace")
        if self.dropped:
            text += (
                f"\n[output truncated: {self.dropped} bytes over the "
                f"{self.limit}-byte limit were dropped]\n"
            )
        return text


def _utf8_incomplete_tail(data):
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:  # continuation byte: keep looking for the lead
            continue
        if byte & 0x80 == 0:
            return 0
        need = 2 if byte & 0xE0 == 0xC0 else 3 if byte & 0xF0 == 0xE0 else 4 if byte & 0xF8 == 0xF0 else 1
        return back if back < need else 0
    return 0


def _read_first_line(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


class _MemoryCgroup:
    """The sandbox's memory cgroup (v2 or v1): OOM-kill counter and limit."""

    def __init__(self):
        if os.path.exists("/sys/fs/cgroup/memory.events"):
            self.events = "/sys/fs/cgroup/memory.events"
            self.limit_file = "/sys/fs/cgroup/memory.max"
            self.failcnt = None
        else:
            self.events = "/sys/fs/cgroup/memory/memory.oom_control"
            self.limit_file = "/sys/fs/cgroup/memory/memory.limit_in_bytes"
            self.failcnt = "/sys/fs/cgroup/memory/memory.failcnt"

    def oom_kills(self):
        try:
            with open(self.events) as f:
                for line in f:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        except (OSError, ValueError):
            pass
        if self.failcnt:  # kernels before 4.13 have no oom_kill counter
            value = _read_first_line(self.failcnt)
            if value and value.isdigit():
                return int(value)
        return None

    def limit_text(self):
        raw = _read_first_line(self.limit_file)
        if not raw or not raw.isdigit() or int(raw) >= 1 << 60:
            return None
        limit = int(raw)
        for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
            if limit >= size and limit % size == 0:
                return f"{limit // size} {unit}"
        if limit >= 1 << 20:
            return f"{limit / (1 << 20):.1f} MiB"
        return f"{limit} bytes"


memory_cgroup = _MemoryCgroup()


def _format_seconds(seconds):
    if float(seconds).is_integer():
        n = int(seconds)
        return f"{n} second" if n == 1 else f"{n} seconds"
    return f"{seconds:g} seconds"


def _signal_name(signum):
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _signal_leftovers(pgid):
    """SIGKILLs the process group and, when the agent is the container's init,
    every other process it may signal (catches setsid escapes). True while any
    process (or unreaped zombie) was still there to be signalled."""
    found = False
    try:
        os.killpg(pgid, signal.SIGKILL)
        found = True
    except (ProcessLookupError, PermissionError):
        pass
    if os.getpid() == 1:
        try:
            os.kill(-1, signal.SIGKILL)  # never signals the caller itself
            found = True
        except (ProcessLookupError, PermissionError):
            pass
    return found


def _kill_all(pid):
    """Kills the child and everything it started; returns the child's wait status.

    A fork bomb keeps forking while the group is being killed, so repeat (reaping
    the zombies, which count as alive) until nothing is left, for at most 2 s."""
    _signal_leftovers(pid)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _, status = os.waitpid(pid, 0)
    deadline = time.monotonic() + 2.0
    pause = 0.0005
    while _signal_leftovers(pid):
        _reap_orphans()
        if time.monotonic() >= deadline:
            _log("processes of an execution survived SIGKILL for 2 s")
            break
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
    return status


def _reseed_numpy():
    """Gives the next child a fresh numpy legacy global generator (a child inherits
    the parent's state); done here, after a run, to keep it off the fork path."""
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        try:
            numpy.random.seed()
        except Exception:
            pass


def _set_dumpable(dumpable):
    """PR_SET_DUMPABLE. User code runs under the agent's uid; a non-dumpable agent
    cannot be ptraced or have its memory (/proc/1/mem) read or written by it."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(4, 1 if dumpable else 0, 0, 0, 0) != 0:  # 4 = PR_SET_DUMPABLE
            _log(f"prctl(PR_SET_DUMPABLE) failed: {os.strerror(ctypes.get_errno())}")
    except (OSError, AttributeError) as e:
        _log(f"prctl(PR_SET_DUMPABLE) unavailable: {type(e).__name__}")


def _reap_orphans():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _child_main(source, env, out_w, err_w, close_fds, ctl_r=None, ready_w=None):
    """Runs in the forked child; never returns. With ctl_r (a pre-forked child) the
    source and env arrive later as JSON on that pipe; EOF without them means exit."""
    code = 70
    try:
        os.setsid()
        for fd in close_fds:
            try:
                os.close(fd)
            except OSError:
                pass
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2,
                       signal.SIGCHLD, signal.SIGALRM):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # as in any Python process
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        # Inherited from the non-dumpable agent; dumpable again, the child owns its
        # /proc/self files (oom_score_adj below, fd listings user code reads).
        _set_dumpable(True)
        try:
            # Make the OOM killer pick this child (and its children), not the agent.
            with open("/proc/self/oom_score_adj", "w") as f:
                f.write("1000")
        except OSError:
            pass
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.close(out_w)
        os.close(err_w)
        # Line buffered, so output printed before a kill or timeout is not lost.
        sys.stdin = sys.__stdin__ = open(0, "r", encoding="utf-8", closefd=False)
        sys.stdout = sys.__stdout__ = open(
            1, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)
        sys.stderr = sys.__stderr__ = open(
            2, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)
        os.chdir(WORKSPACE)
        language = None
        if ctl_r is not None:
            if ready_w is not None:
                _warm_up()
                os.write(ready_w, b"1")
                os.close(ready_w)
            source, env, language = _receive_job(ctl_r)
        os.environ.update(env)
        if os.path.isdir(PACKAGES):
            import importlib

            sys.path.append(PACKAGES)
            importlib.invalidate_caches()
        sys.argv = [""]
        if sys.path and sys.path[0] == os.path.dirname(os.path.abspath(__file__)):
            sys.path[0] = ""  # like `python -c`: the working folder, not the agent's
        code = _run_user_code(source, language)
    except BaseException:
        try:
            traceback.print_exc()
            sys.stderr.flush()
        except BaseException:
            pass
    finally:
        os._exit(code)


def _exit_status(exc):
    value = exc.code
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    try:
        print(value, file=sys.stderr)
    except Exception:
        pass
    return 1


def _print_user_exception(exc):
    tb = exc.__traceback__
    # Drop the agent's own frames so the traceback starts in the user's code.
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    exc.__traceback__ = tb
    if sys.excepthook is not sys.__excepthook__:  # the code installed its own hook
        try:
            sys.excepthook(type(exc), exc, tb)
            return
        except Exception:
            pass
    # The traceback module reads lines through linecache (the C default hook
    # does not), so the user's lines appear in the traceback.
    traceback.print_exception(type(exc), exc, tb)


def _compile_or_shell(source, language):
    """The code object of a Python source. Where the source is not Python (SyntaxError) but plainly shell, bash
    runs it instead (this process becomes bash; see shellcode.py). language: None guesses, "python" never runs a
    shell, "shell" always does (the explicit choice a client may send)."""
    if language == "shell":
        shellcode.exec_shell(source)
    try:
        return compile(source, USER_FILENAME, "exec", dont_inherit=True)
    except SyntaxError:
        if language is None and shellcode.looks_like_shell(source):
            shellcode.exec_shell(source)
        raise


def _run_user_code(source, language=None):
    linecache.cache[USER_FILENAME] = (len(source), None, source.splitlines(True), USER_FILENAME)
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = main  # so pickle finds classes the code defines
    status = 0
    try:
        code = _compile_or_shell(source, language)
        exec(code, main.__dict__)
    except SystemExit as e:
        status = _exit_status(e)
    except BaseException as e:
        # `ls -la /workspace` compiles as Python and fails at once: a program that cannot have done anything
        # yet, whose first word is a command, is shell code after all.
        if language is None and isinstance(e, NameError) and shellcode.inert_python(source) \
                and shellcode.looks_like_shell(source):
            shellcode.exec_shell(source)
        _print_user_exception(e)
        status = 1
    # What the interpreter does at exit: wait for non-daemon threads, atexit.
    try:
        threading = sys.modules.get("threading")
        if threading is not None:
            threading._shutdown()
    except SystemExit as e:
        status = _exit_status(e)
    except BaseException as e:
        _print_user_exception(e)
    try:
        import atexit

        atexit._run_exitfuncs()
    except BaseException:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    return status


# Run by a prepared child while it waits: the pages these common paths touch are
# copied (copy-on-write) now, not during the user's run.
WARM_UP_SOURCE = """
import json, pandas as pd, numpy as np
frame = pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5]})
print(frame.sum())
print(frame.describe())
print(np.arange(10).mean(), "hello", {"k": [1, 2.5]})
json.loads(json.dumps({"source_code": "x", "env": {}}))
"""


def _warm_up():
    saved = sys.stdout
    sys.stdout = io.StringIO()
    try:
        exec(compile(WARM_UP_SOURCE, "<warm-up>", "exec", dont_inherit=True),
             {"__name__": "__warm_up__", "__builtins__": builtins})
    except BaseException:
        pass
    finally:
        sys.stdout = saved


def _receive_job(ctl_r):
    """Blocks until the parent sends {source, env} (then EOF); exits quietly on EOF alone."""
    chunks = []
    while True:
        block = os.read(ctl_r, 1 << 16)
        if not block:
            break
        chunks.append(block)
    os.close(ctl_r)
    if not chunks:
        os._exit(0)
    job = json.loads(b"".join(chunks))
    return job["source_code"], job["env"], job.get("language")


class _PreparedChild:
    """A child forked ahead of the first execution, set up and waiting on a pipe for
    the code: the fork (several ms for a warm ~90 MB interpreter) is off the request
    path. A sandbox serves one execution, so one prepared child is all it needs.

    It is forked before the agent reads its token or any request, so its memory holds
    neither. With fresh=True (no prepared child is left when the execution comes, e.g.
    it died) the forked child execs a fresh interpreter at once (_fresh_child_main):
    by then the agent's memory holds the token and the request, and a plain fork would
    hand both to the code. That interpreter imports the libraries itself, which the
    run's timeout then includes."""

    def __init__(self, fresh=False):
        self.out_r, out_w = os.pipe()
        self.err_r, err_w = os.pipe()
        ctl_r, self.ctl_w = os.pipe()
        ready_r, ready_w = os.pipe()
        try:
            self.pid = _fork_with_retry() if fresh else os.fork()
        except OSError:
            for fd in (self.out_r, out_w, self.err_r, err_w, ctl_r, self.ctl_w, ready_r, ready_w):
                os.close(fd)
            raise
        if self.pid == 0:
            close_fds = (self.out_r, self.err_r, self.ctl_w, ready_r, *_listener_fds, *_connections)
            if _token_fd is not None:
                close_fds += (_token_fd,)
            if fresh:
                _exec_fresh_child(out_w, err_w, ctl_r, (*close_fds, ready_w))
            _child_main(None, None, out_w, err_w, close_fds, ctl_r, ready_w)
        for fd in (out_w, err_w, ctl_r, ready_w):
            os.close(fd)
        self._ready_r = ready_r
        if fresh:
            os.close(ready_r)
            self._ready_r = None

    def wait_warm(self, timeout):
        """Waits until the child has run its warm-up (or died, or timeout passed)."""
        if self._ready_r is None:
            return
        try:
            sel = selectors.DefaultSelector()
            sel.register(self._ready_r, selectors.EVENT_READ)
            sel.select(timeout)
            sel.close()
        finally:
            os.close(self._ready_r)

    def start(self, source, env, language=None):
        """Hands the job over; returns (pid, out_r, err_r), or None when the child is gone."""
        payload = json.dumps({"source_code": source, "env": env, "language": language}).encode("utf-8", "surrogatepass")
        try:
            if _has_exited(self.pid):
                raise BrokenPipeError
            view = memoryview(payload)
            while view:
                view = view[os.write(self.ctl_w, view):]
            os.close(self.ctl_w)
        except OSError:
            self.discard()
            return None
        return self.pid, self.out_r, self.err_r

    def discard(self):
        for fd in (self.ctl_w, self.out_r, self.err_r):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


_prepared = None


def _exec_fresh_child(out_w, err_w, ctl_r, close_fds):
    """In a just-forked child: replaces the inherited agent image by a fresh interpreter
    running _fresh_child_main on the three pipes. Never returns."""
    try:
        for fd in close_fds:
            try:
                os.close(fd)
            except OSError:
                pass
        for fd in (out_w, err_w, ctl_r):
            os.set_inheritable(fd, True)
        os.execve(sys.executable, [sys.executable, os.path.abspath(__file__), "--child",
                                   str(out_w), str(err_w), str(ctl_r)], dict(os.environ))
    finally:
        os._exit(70)


def _fresh_child_main(args):
    """Entry of the interpreter _exec_fresh_child starts: the agent's set-up without its
    token or any request, then the child's usual path (the job arrives on the pipe)."""
    out_w, err_w, ctl_r = (int(a) for a in args)
    for fd in (out_w, err_w, ctl_r):
        os.set_inheritable(fd, False)
    _preload()
    _child_main(None, None, out_w, err_w, (), ctl_r, None)


def _take_prepared(source, env, language=None):
    global _prepared
    prepared, _prepared = _prepared, None
    return prepared.start(source, env, language) if prepared is not None else None


def _fork_with_retry():
    # Right after a fork bomb the pids limit may still be full for a moment.
    deadline = time.monotonic() + 2.0
    while True:
        try:
            return os.fork()
        except BlockingIOError:
            _reap_orphans()
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def _open_pidfd(pid):
    """A pidfd of pid, or None (old kernel, seccomp, no descriptor left): the wait then polls waitid."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _has_exited(pid):
    try:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    return info is not None


# Limits of the agent's own process. User code has the agent's uid, so it may
# change them with prlimit(2); after each run they are put back where possible.
GUARDED_LIMITS = ("RLIMIT_NOFILE", "RLIMIT_AS", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_STACK",
                  "RLIMIT_NPROC", "RLIMIT_CPU")
_limits_at_start = {}


def _record_limits():
    for name in GUARDED_LIMITS:
        try:
            _limits_at_start[name] = resource.getrlimit(getattr(resource, name))
        except (AttributeError, ValueError, OSError):
            pass


def _restore_limits():
    """Puts back limits user code changed; returns the names it could not restore
    (a lowered hard limit cannot be raised again without privileges)."""
    lost = []
    for name, original in _limits_at_start.items():
        which = getattr(resource, name)
        try:
            if resource.getrlimit(which) == original:
                continue
            resource.setrlimit(which, original)
        except (ValueError, OSError):
            lost.append(name)
    return lost


def _ignore_termination():
    """From the first execution on, SIGTERM and SIGINT can only come from user code:
    the service removes a sandbox with SIGKILL. As PID 1 the agent receives only the
    signals it handles, so ignoring these two leaves user code no signal that ends
    it (a fresh child resets them; the prepared one was forked before)."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_execution(source, env, timeout, conn, language=None):
    """Runs source in a forked child; returns the execute response (dict), or None
    when the client went away (the child is killed then)."""
    global _prepared
    _ignore_termination()
    before, before_undecodable = _scan_workspace()
    oom_before = memory_cgroup.oom_kills()
    started = time.monotonic()
    # Every descriptor the wait needs is opened before the code runs: the code may lower the agent's open-file
    # limit (prlimit) at once, and a selector or pidfd opened after that would fail.
    sel = selectors.DefaultSelector()
    if _prepared is not None and _has_exited(_prepared.pid):
        _prepared.discard()  # died while it waited (e.g. killed): never fork the agent as it is now
        _prepared = None
    if _prepared is None:
        try:
            _prepared = _PreparedChild(fresh=True)
        except OSError:
            sel.close()
            raise
    pidfd = _open_pidfd(_prepared.pid)
    taken = _take_prepared(source, env, language)
    if taken is None:
        sel.close()
        if pidfd is not None:
            os.close(pidfd)
        raise OSError(errno.ECHILD, "the prepared child is gone")
    pid, out_r, err_r = taken
    out, err = _Capture(MAX_OUTPUT_BYTES), _Capture(MAX_OUTPUT_BYTES)
    sel.register(out_r, selectors.EVENT_READ, out)
    sel.register(err_r, selectors.EVENT_READ, err)
    open_pipes = {out_r, err_r}
    if pidfd is not None:
        sel.register(pidfd, selectors.EVENT_READ, "exit")
    sel.register(conn, selectors.EVENT_READ, "client")

    def read_ready(events):
        for key, _ in events:
            if isinstance(key.data, _Capture):
                try:
                    block = os.read(key.fd, 65536)
                except OSError:
                    block = b""
                if block:
                    key.data.feed(block)
                else:
                    sel.unregister(key.fd)
                    open_pipes.discard(key.fd)

    deadline = started + timeout
    exited = timed_out = client_gone = False
    poll = 0.001
    try:
        while not exited:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            wait = remaining if pidfd is not None else min(remaining, poll)
            events = sel.select(wait)
            read_ready(events)
            for key, _ in events:
                if key.data == "exit":
                    exited = True
                elif key.data == "client":
                    if _client_closed(conn):
                        client_gone = True
                    sel.unregister(conn)
            if client_gone:
                break
            if pidfd is None and not exited:
                exited = _has_exited(pid)
                poll = min(poll * 2, 0.05)
        duration_ms = (time.monotonic() - started) * 1000.0
        # From here on only the pipes matter (a readable pidfd or client socket
        # would make the drain loops below spin).
        for watched in (pidfd, conn):
            if watched is not None:
                try:
                    sel.unregister(watched)
                except (KeyError, ValueError):
                    pass
        if exited:
            # Let the child's last output arrive; an escaped background process may
            # hold the pipes open, so wait at most briefly.
            drain_until = time.monotonic() + DRAIN_AFTER_EXIT_SECONDS
            while open_pipes:
                remaining = drain_until - time.monotonic()
                if remaining <= 0:
                    break
                read_ready(sel.select(remaining))
        status = _kill_all(pid)
        crippled = _restore_limits()
        # Whatever the killed processes left in the pipes.
        drain_until = time.monotonic() + DRAIN_AFTER_EXIT_SECONDS
        while open_pipes:
            remaining = drain_until - time.monotonic()
            if remaining <= 0:
                break
            read_ready(sel.select(remaining))
    finally:
        sel.close()
        for fd in (out_r, err_r, pidfd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        _reap_orphans()

    _reseed_numpy()
    if client_gone:
        return None

    oom_killed = False
    notes = []
    if timed_out:
        exit_code = -1
        notes.append(f"Execution timed out after {_format_seconds(timeout)}.")
    elif os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        exit_code = 128 + signum
        oom_after = memory_cgroup.oom_kills()
        if signum == signal.SIGKILL and oom_before is not None and oom_after is not None \
                and oom_after > oom_before:
            oom_killed = True
            limit = memory_cgroup.limit_text()
            notes.append(
                f"Killed: the code used more memory than the sandbox limit ({limit})."
                if limit else "Killed: the code used more memory than the sandbox limit.")
        else:
            notes.append(f"Killed by signal {_signal_name(signum)}.")
    else:
        exit_code = os.WEXITSTATUS(status)

    files, files_truncated, files_skipped, files_deleted = _changed_files(before, before_undecodable)
    if crippled:
        notes.append(
            f"The code lowered the sandbox agent's own limits ({', '.join(crippled)}); "
            f"the changed files reported may be incomplete.")
    if files_truncated:
        notes.append(
            f"Only the first {MAX_OUTPUT_FILES} changed files (sorted by path) were returned; "
            f"the others were left out.")
    if files_skipped:
        notes.append(
            f"{files_skipped} changed file{'s' if files_skipped != 1 else ''} whose name is not valid UTF-8 "
            f"{'were' if files_skipped != 1 else 'was'} not returned.")

    stderr_text = err.text()
    for note in notes:
        if stderr_text and not stderr_text.endswith("\n"):
            stderr_text += "\n"
        stderr_text += note + "\n"

    return {
        "stdout": out.text(),
        "stderr": stderr_text,
        "exit_code": exit_code,
        "timed_out": timed_out,
        "oom_killed": oom_killed,
        "stdout_truncated": out.dropped > 0,
        "stderr_truncated": err.dropped > 0,
        "duration_ms": round(duration_ms, 3),
        "files": files,
        "files_truncated": files_truncated,
        "files_skipped": files_skipped,
        "files_deleted": files_deleted,
    }


def _client_closed(conn):
    try:
        return conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True


def _parse_execute(body):
    try:
        request = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise RequestError(400, f"body is not valid JSON: {e}") from None
    if not isinstance(request, dict):
        raise RequestError(400, "body must be a JSON object")
    source = request.get("source_code")
    if not isinstance(source, str):
        raise RequestError(400, "source_code must be a string")
    env = request.get("env")
    if env is None:
        env = {}
    if not isinstance(env, dict):
        raise RequestError(400, "env must be an object of strings")
    for name, value in env.items():
        if not isinstance(value, str):
            raise RequestError(400, f"env value of {name!r} must be a string")
        if not name or "=" in name or "\x00" in name or "\x00" in value:
            raise RequestError(400, f"env name {name!r} is invalid (empty, '=' or NUL) or its value has NUL")
        try:
            name.encode("utf-8")
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise RequestError(400, f"env entry {name!r} is not valid Unicode") from None
    timeout = request.get("timeout_seconds")
    if timeout is None:
        timeout = DEFAULT_TIMEOUT_SECONDS
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0 \
            or timeout != timeout or timeout > 86400:
        raise RequestError(400, "timeout_seconds must be a number > 0 and <= 86400")
    language = request.get("language")
    if language not in (None, "python", "shell"):
        raise RequestError(400, "language must be \"python\", \"shell\" or null (null: Python, or shell code where it is not Python)")
    return source, env, timeout, language


# --------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------


class _ClientGone(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "computesandbox-agent/1"
    sys_version = ""
    # Unbuffered reads: no request bytes hide in a buffer the selector cannot see.
    rbufsize = 0
    wbufsize = 65536
    timeout = IO_TIMEOUT_SECONDS

    def handle_expect_100(self):
        # The base class only buffers "100 Continue"; the client waits for it.
        ok = super().handle_expect_100()
        self.wfile.flush()
        return ok

    def log_message(self, format, *args):
        pass  # request lines carry file paths; keep the log quiet

    def address_string(self):
        return "client"

    # -- responses --

    def _send_json(self, status, payload, close=False):
        try:
            body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate (e.g. an env name echoed back)
            body = json.dumps(payload, separators=(",", ":")).encode("ascii")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def _send_error_json(self, status, message, close=False):
        self._send_json(status, {"error": message}, close=close)

    # -- request bodies --

    def _body_chunks(self):
        """Yields the request body in blocks (Content-Length or chunked)."""
        self._body_state = "started"
        yield from self._raw_body_chunks()
        self._body_state = "done"

    def _raw_body_chunks(self):
        encoding = self.headers.get("Transfer-Encoding")
        if encoding:
            if encoding.strip().lower() != "chunked":
                raise RequestError(501, "only chunked Transfer-Encoding is supported")
            while True:
                line = self.rfile.readline(1026)
                if not line.endswith(b"\n"):
                    raise _ClientGone()
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise _ClientGone() from None
                if size == 0:
                    while self.rfile.readline(8194) not in (b"\r\n", b"\n", b""):
                        pass
                    return
                yield from self._read_exactly(size)
                self.rfile.readline(3)
            return
        length = self.headers.get("Content-Length")
        if length is None:
            if self.command in ("PUT", "POST"):
                raise RequestError(411, "Content-Length is required")
            return
        length = length.strip()
        if not length.isdigit():
            raise RequestError(400, "invalid Content-Length")
        yield from self._read_exactly(int(length))

    def _read_exactly(self, n):
        """Yields n body bytes as views of one reused buffer: use each before the next."""
        buffer = memoryview(bytearray(min(n, CHUNK)))
        while n > 0:
            got = self.connection.recv_into(buffer, min(n, len(buffer)))
            if not got:
                raise _ClientGone()
            n -= got
            yield buffer[:got]

    def _body_length(self):
        if self.headers.get("Transfer-Encoding"):
            return None
        length = (self.headers.get("Content-Length") or "0").strip()
        return int(length) if length.isdigit() else None

    def _discard_body(self):
        """Reads and drops an unread body so the connection can be reused; returns
        False when the connection must close (huge, unknown or half-read body)."""
        if self._body_state == "done":
            return True
        if self._body_state == "started":
            return False
        length = self._body_length()
        if length is None or length > 64 << 20:
            return False
        try:
            for _ in self._body_chunks():
                pass
        except (RequestError, _ClientGone, OSError):
            return False
        return True

    def _read_body(self, limit):
        length = self._body_length()
        if length is not None and length > limit:
            raise RequestError(413, f"request body is larger than {limit} bytes")
        data = bytearray()
        for block in self._body_chunks():
            data += block
            if len(data) > limit:
                raise RequestError(413, f"request body is larger than {limit} bytes")
        return bytes(data)

    # -- dispatch --

    def _dispatch(self, routes):
        path = urlsplit(self.path).path
        self._body_state = None
        if AGENT_TOKEN and path != "/health" and not _authorized(self.headers.get("Authorization")):
            try:
                self._send_error_json(401, "missing or wrong agent token", close=True)
            except OSError:
                self.close_connection = True
            return
        try:
            handler = routes.get(path)
            if handler is None:
                known = [m for m, r in (("GET", GET_ROUTES), ("PUT", PUT_ROUTES), ("POST", POST_ROUTES)) if path in r]
                if known:
                    raise RequestError(405, f"method {self.command} is not allowed on {path}")
                raise RequestError(404, f"no such endpoint: {self.command} {path}")
            handler(self)
        except RequestError as e:
            self._send_error_json(e.status, e.message, close=not self._discard_body())
        except _ClientGone:
            self.close_connection = True
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
        except Exception as e:
            _log(f"internal error on {self.command} {path}: {type(e).__name__}")
            try:
                self._send_error_json(500, f"internal agent error: {type(e).__name__}", close=True)
            except OSError:
                self.close_connection = True

    def do_GET(self):
        self._dispatch(GET_ROUTES)

    def do_PUT(self):
        self._dispatch(PUT_ROUTES)

    def do_POST(self):
        self._dispatch(POST_ROUTES)

    def do_DELETE(self):
        self._dispatch({})

    # -- endpoints --

    def health(self):
        self._discard_body()
        self._send_json(200, {"status": "ok", "preloaded": list(preloaded)})

    def put_file(self):
        if _spent:
            raise RequestError(409, "this sandbox has run its execution: it is single-use and takes no more files")
        path = _query_path(self)
        parts = _check_path(path)
        try:
            dir_fd = _open_dir_chain(parts, create=True)
        except OSError as e:
            raise RequestError(400, f"cannot create the folders of {path!r}: {_os_reason(e)}") from None
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
            try:
                fd = os.open(parts[-1], flags, 0o644, dir_fd=dir_fd)
            except OSError as e:
                raise RequestError(400, f"cannot write {path!r}: {_os_reason(e)}") from None
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise RequestError(400, f"cannot write {path!r}: not a regular file")
                os.fchmod(fd, 0o644)
                try:
                    sha, size, failure = self._receive_into(fd)
                except BaseException:
                    _unlink_quietly(parts[-1], dir_fd)  # never leave a partial upload
                    raise
            finally:
                os.close(fd)
            if failure is not None:
                _unlink_quietly(parts[-1], dir_fd)
                status = 507 if failure.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) else 500
                raise RequestError(status, f"cannot write {path!r}: {_os_reason(failure)}")
        finally:
            os.close(dir_fd)
        known_sha256[path] = sha
        self._send_json(201, {"path": path, "size": size, "sha256": sha})

    def _receive_into(self, fd):
        """Streams the body into fd; a write error is returned, not raised, after
        the rest of the body was read, so the client still gets an answer."""
        digest = hashlib.sha256()
        size = 0
        failure = None
        for block in self._body_chunks():
            digest.update(block)
            size += len(block)
            if failure is None:
                try:
                    view = memoryview(block)
                    while view:
                        view = view[os.write(fd, view):]
                except OSError as e:
                    failure = e
        return digest.hexdigest(), size, failure

    def get_file(self):
        path = _query_path(self)
        parts = _check_path(path)
        self._discard_body()
        try:
            dir_fd = _open_dir_chain(parts, create=False)
        except OSError:
            raise RequestError(404, f"no such file: {path!r}") from None
        try:
            fd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
        except OSError:
            raise RequestError(404, f"no such file: {path!r}") from None
        finally:
            os.close(dir_fd)
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            raise RequestError(404, f"not a regular file: {path!r}")
        with open(fd, "rb") as f:
            size = st.st_size
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            self.wfile.flush()
            sent = self.connection.sendfile(f, 0, size) if size else 0
            if sent != size:  # the file shrank meanwhile: the framing is broken
                self.close_connection = True

    def missing_modules(self):
        """{"modules": [top-level names]} -> {"missing": [those this interpreter cannot import]}."""
        try:
            request = json.loads(self._read_body(1 << 20))
        except (ValueError, UnicodeDecodeError):
            raise RequestError(400, "body must be a JSON object with a list 'modules'") from None
        names = request.get("modules") if isinstance(request, dict) else None
        if not isinstance(names, list) or not all(isinstance(n, str) and n.isidentifier() for n in names):
            raise RequestError(400, "'modules' must be a list of module names")
        self._send_json(200, {"missing": [n for n in names if not _importable(n)]})

    def put_package(self):
        """A wheel (zip) as the body: unpacked into PACKAGES; answers the distributions it requires that are missing."""
        if _spent:
            raise RequestError(409, "this sandbox has run its execution: it is single-use and takes no more packages")
        name = _query_path(self)
        if not name.endswith(".whl") or "/" in name or name.startswith("."):
            raise RequestError(400, "path must be a wheel file name (*.whl)")
        limit = MAX_REQUEST_BYTES
        data = self._read_body(limit)
        try:
            requires = _unpack_wheel(data)
        except _BadWheel as e:
            raise RequestError(400, f"{name}: {e}") from None
        except OSError as e:
            status = 507 if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) else 500
            raise RequestError(status, f"{name}: {_os_reason(e)}") from None
        self._send_json(201, {"installed": name, "missing_requires": [r for r in requires if not _has_distribution(r)]})

    def execute(self):
        global _spent
        if _spent:
            raise RequestError(409, "this sandbox has run its execution: it is single-use and runs no more")
        body = self._read_body(MAX_REQUEST_BYTES)
        source, env, timeout, language = _parse_execute(body)
        _spent = True
        try:
            result = run_execution(source, env, timeout, self.connection, language)
        except OSError as e:
            raise RequestError(503, f"cannot start the execution: {_os_reason(e)}") from None
        finally:
            # Every user process is dead by now (run_execution killed them all).
            _retire_other_connections(self.connection)
        if result is None:
            self.close_connection = True
            return
        self._send_json(200, result)


GET_ROUTES = {"/health": Handler.health, "/files": Handler.get_file}
PUT_ROUTES = {"/files": Handler.put_file, "/packages": Handler.put_package}
POST_ROUTES = {"/execute": Handler.execute, "/modules/missing": Handler.missing_modules}


class _BadWheel(Exception):
    pass


def _importable(name):
    import importlib.util

    if name in sys.builtin_module_names or name in sys.modules:
        return True
    saved = list(sys.path)
    if os.path.isdir(PACKAGES) and PACKAGES not in sys.path:
        sys.path.append(PACKAGES)
    try:
        importlib.invalidate_caches()
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False
    finally:
        sys.path[:] = saved


def _has_distribution(name):
    import importlib.metadata

    try:
        importlib.metadata.distribution(name)
        return True
    except importlib.metadata.PackageNotFoundError:
        pass
    if os.path.isdir(PACKAGES):
        wanted = _normalize_distribution(name)
        for entry in os.listdir(PACKAGES):
            if entry.endswith(".dist-info") and _normalize_distribution(entry[:-10].rsplit("-", 1)[0]) == wanted:
                return True
    return False


def _normalize_distribution(name):
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


def _unpack_wheel(data):
    """Unpacks a wheel into PACKAGES, refusing any member outside it; returns the names of its unconditional
    Requires-Dist (those with an environment marker other than none are left to the code)."""
    import re
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _BadWheel("not a zip archive") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_PACKAGE_FILES:
            raise _BadWheel(f"more than {MAX_PACKAGE_FILES} files")
        root = os.path.realpath(PACKAGES)
        metadata = None
        for member in members:
            target = os.path.realpath(os.path.join(root, member.filename))
            if not (target == root or target.startswith(root + os.sep)):
                raise _BadWheel(f"member {member.filename!r} points outside the package folder")
            if member.filename.endswith(".dist-info/METADATA") and member.filename.count("/") == 1:
                metadata = member
        if metadata is None:
            raise _BadWheel("no .dist-info/METADATA at its top level")
        os.makedirs(root, mode=0o755, exist_ok=True)
        archive.extractall(root)
        text = archive.read(metadata).decode("utf-8", "replace")
    requires = []
    for line in text.splitlines():
        if not line.strip():
            break  # the headers end at the first blank line
        if line.lower().startswith("requires-dist:"):
            spec = line.split(":", 1)[1].strip()
            if ";" in spec:
                continue
            match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec)
            if match:
                requires.append(match.group(0))
    return requires


def _authorized(header):
    if not header:
        return False
    return hmac.compare_digest(header.encode("utf-8", "surrogateescape"), b"Bearer " + AGENT_TOKEN.encode("utf-8"))


def _os_reason(e):
    return e.strerror or type(e).__name__


def _unlink_quietly(name, dir_fd):
    try:
        os.unlink(name, dir_fd=dir_fd)
    except OSError:
        pass


class _Connection:
    """One keep-alive client connection, served one request at a time."""

    def __init__(self, sock, is_tcp):
        self.sock = sock
        sock.settimeout(IO_TIMEOUT_SECONDS)
        if is_tcp:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        handler = Handler.__new__(Handler)
        handler.request = sock
        handler.client_address = ("client", 0)
        handler.server = None
        handler.setup()
        handler.close_connection = False
        self.handler = handler
        self.last_used = time.monotonic()

    def serve_one(self):
        """Handles the next request; returns False when the connection is done."""
        handler = self.handler
        try:
            handler.handle_one_request()
            handler.wfile.flush()
        except OSError:
            return False
        self.last_used = time.monotonic()
        return not handler.close_connection

    def close(self):
        try:
            self.handler.finish()
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass


# --------------------------------------------------------------------------------
# Isolation from the code: the token, the io_uring filter, who may connect
# --------------------------------------------------------------------------------


def _hand_over_token():
    """Re-executes the agent without AGENT_TOKEN in its environment, the token waiting in a pipe.

    os.environ.pop would only unset the variable: the process's environment block (what /proc/<pid>/environ
    shows, and what a forked child inherits) would still hold it. A fresh image gets a fresh block, and the
    kernel keeps the token in the pipe until _take_token reads it. Runs first, before any import or fork."""
    token = os.environ.get("AGENT_TOKEN")
    if token is None:
        return
    env = {k: v for k, v in os.environ.items() if k not in ("AGENT_TOKEN", TOKEN_FD_VARIABLE)}
    r, w = os.pipe()
    os.write(w, token.encode("utf-8", "surrogateescape"))  # 64 bytes: far below a pipe's capacity
    os.close(w)
    os.set_inheritable(r, True)
    env[TOKEN_FD_VARIABLE] = str(r)
    os.execve(sys.executable, [sys.executable, os.path.abspath(__file__)], env)


def _take_token():
    """Reads the token from the file the service wrote (and deletes it), or from the pipe _hand_over_token left
    (the prepared child, forked before this, closed its copy unread), then closes it."""
    global AGENT_TOKEN, _token_fd, _token_file
    fd, _token_fd = _token_fd, None
    path, _token_file = _token_file, None
    if path is not None:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as e:
            # Fail closed: a token nobody knows, so no request but /health is ever served.
            _log(f"could not open the agent token file: {e.strerror}")
            AGENT_TOKEN = os.urandom(32).hex()
            return
        try:
            os.unlink(path)
        except OSError as e:
            _log(f"could not delete the agent token file: {e.strerror}")
    if fd is None:
        return
    chunks = []
    try:
        while block := os.read(fd, 4096):
            chunks.append(block)
    except OSError as e:
        _log(f"could not read the agent token: {e.strerror}")
    finally:
        os.close(fd)
    AGENT_TOKEN = b"".join(chunks).decode("utf-8", "surrogateescape")


def _token_source_from_environment():
    global _token_fd, _token_file
    _token_file = os.environ.pop("AGENT_TOKEN_FILE", "") or None
    raw = os.environ.pop(TOKEN_FD_VARIABLE, "")
    if raw.isdigit():
        _token_fd = int(raw)
        os.set_inheritable(_token_fd, False)


# seccomp: the architectures the agent knows (AUDIT_ARCH_*); io_uring_setup, io_uring_enter and
# io_uring_register are 425-427 on every one of them (x32 adds bit 30 on x86_64).
_AUDIT_ARCHES = (0xC000003E, 0x40000003, 0xC00000B7, 0x40000028)  # x86_64, i386, aarch64, arm
_IO_URING_SYSCALLS = (425, 426, 427)
_X32_BIT = 0x40000000
_KNOWN_MACHINES = ("x86_64", "amd64", "i386", "i686", "aarch64", "arm64", "armv7l", "armv8l")


def _io_uring_filter():
    """A classic BPF seccomp program: ENOSYS for the io_uring calls on a known architecture, allow all else."""
    ld_abs, jeq, ret = 0x20, 0x15, 0x06
    allow, enosys = 0x7FFF0000, 0x00050000 | errno.ENOSYS
    numbers = [*_IO_URING_SYSCALLS, *(_X32_BIT | n for n in _IO_URING_SYSCALLS)]
    prog = [(ld_abs, 0, 0, 4)]  # seccomp_data.arch
    first_nr = 1 + len(_AUDIT_ARCHES)
    allow_at = first_nr + 1 + len(numbers)
    for i, arch in enumerate(_AUDIT_ARCHES):
        here = 1 + i
        last = i == len(_AUDIT_ARCHES) - 1
        prog.append((jeq, first_nr - here - 1, allow_at - here - 1 if last else 0, arch))
    prog.append((ld_abs, 0, 0, 0))  # seccomp_data.nr
    for i, nr in enumerate(numbers):
        here = first_nr + 1 + i
        prog.append((jeq, allow_at + 1 - here - 1, 0, nr))
    prog.append((ret, 0, 0, allow))
    prog.append((ret, 0, 0, enosys))
    return prog


def _install_io_uring_filter():
    """Stacks a seccomp filter that makes io_uring unavailable to the agent and every process after it (a
    frequent kernel attack surface that nothing in the image needs; Docker 20.10's default profile allows it).
    Unprivileged: no_new_privs is set (by the runtime, and again here)."""
    import ctypes
    import platform

    if platform.machine().lower() not in _KNOWN_MACHINES:
        _log(f"io_uring filter: unknown architecture {platform.machine()!r}; io_uring stays as the runtime allows")

    class SockFilter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prog = _io_uring_filter()
        filters = (SockFilter * len(prog))(*(SockFilter(*insn) for insn in prog))
        fprog = SockFprog(len(prog), filters)
        libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
        # PR_SET_SECCOMP (22), SECCOMP_MODE_FILTER (2)
        if libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) != 0:
            _log(f"io_uring filter not installed: {os.strerror(ctypes.get_errno())}")
    except (OSError, AttributeError) as e:
        _log(f"io_uring filter not installed: {type(e).__name__}")


def _own_addresses():
    """Every address of this sandbox's network namespace (the code could connect from any of them)."""
    found = set()
    try:  # IPv4: the /32 "host LOCAL" entries of the local routing table
        with open("/proc/net/fib_trie") as f:
            last = None
            for line in f:
                text = line.strip()
                if text.startswith(("|--", "+--")):
                    last = text[3:].strip().split("/")[0]
                elif text == "/32 host LOCAL" and last:
                    found.add(ipaddress.ip_address(last))
    except (OSError, ValueError):
        pass
    try:  # IPv6: one address per line, 32 hex digits first
        with open("/proc/net/if_inet6") as f:
            for line in f:
                raw = line.split()[0]
                found.add(ipaddress.ip_address(":".join(raw[i:i + 4] for i in range(0, 32, 4))))
    except (OSError, ValueError, IndexError):
        pass
    return found


_local_addresses = set()


def _normalised_address(text):
    address = ipaddress.ip_address(text.split("%")[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _peer_refused(sock, is_tcp):
    """Why a new connection comes from the code itself (so is closed unserved), or None.

    Only the service may drive the agent. On the unix socket the peer's uid decides (the code runs as the
    agent's uid; the service never does). On TCP the peer address does: the code can reach the agent only from
    this sandbox's own addresses (loopback or any of its interfaces); the service and the kubelet's probe come
    from elsewhere."""
    try:
        if not is_tcp:
            credentials = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("iII"))
            _, uid, _ = struct.unpack("iII", credentials)  # pid_t, uid_t, gid_t
            return "the sandbox's own uid" if uid == os.getuid() else None
        peer = _normalised_address(sock.getpeername()[0])
        local = _normalised_address(sock.getsockname()[0])
        if peer.is_loopback or peer == local or peer in _local_addresses:
            return "an address of the sandbox itself"
        return None
    except (OSError, ValueError) as e:
        return f"an unknown peer ({type(e).__name__})"


_refusals_logged = 0


def _log_refusal(reason):
    global _refusals_logged
    _refusals_logged += 1
    if _refusals_logged <= 5 or _refusals_logged % 1000 == 0:
        _log(f"refused a connection from {reason} (refusal {_refusals_logged})")


def _retire_other_connections(keep):
    """After the one execution: closes every connection but `keep` (the one that carried it), and every
    connection still waiting in the listen queue, whoever opened them. The code may have opened or queued some
    during its run (and kept them alive by passing their descriptors around); none of them is ever served."""
    for fd, conn in list(_connections.items()):
        if conn.sock is keep:
            continue
        try:
            _selector.unregister(conn.sock)
        except (KeyError, ValueError, AttributeError):
            pass
        del _connections[fd]
        conn.close()
    if _listener is None:
        return
    while True:
        try:
            sock, _ = _listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            return
        sock.close()


# --------------------------------------------------------------------------------
# Listening and the (single-threaded) server loop
# --------------------------------------------------------------------------------

_listener_fds = ()
_listener = None
_selector = None
_connections = {}  # fd -> _Connection


def _listen():
    unix_path = os.environ.get("AGENT_SOCKET")
    if unix_path:
        try:
            if not stat.S_ISDIR(os.lstat(unix_path).st_mode):
                os.unlink(unix_path)  # stale socket of an earlier run
        except FileNotFoundError:
            pass
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(unix_path)
        os.chmod(unix_path, 0o666)
        sock.listen(64)
        return sock, f"unix:{unix_path}", False
    address = os.environ.get("AGENT_LISTEN") or "0.0.0.0:8000"
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise SystemExit(f"agent: AGENT_LISTEN must be host:port, got {address!r}")
    host = host.strip("[]") or "0.0.0.0"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, int(port)), family=family, backlog=64)
    return sock, f"tcp:{address}", True


def _serve(listener, is_tcp):
    global _selector
    listener.setblocking(False)
    sel = _selector = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, None)
    connections = _connections
    while True:
        for key, _ in sel.select():
            if key.data is None:
                try:
                    sock, _ = listener.accept()
                except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                    continue
                except OSError as e:  # e.g. EMFILE: let clients retry
                    _log(f"accept failed: {e.strerror}")
                    time.sleep(0.05)
                    continue
                refused = _peer_refused(sock, is_tcp)
                if refused is not None:
                    _log_refusal(refused)
                    sock.close()
                    continue
                if len(connections) >= MAX_CONNECTIONS:
                    oldest = min(connections.values(), key=lambda c: c.last_used)
                    sel.unregister(oldest.sock)
                    del connections[oldest.sock.fileno()]
                    oldest.close()
                conn = _Connection(sock, is_tcp)
                connections[sock.fileno()] = conn
                sel.register(sock, selectors.EVENT_READ, conn)
                continue
            conn = key.data
            if connections.get(key.fd) is not conn:  # retired after the execution earlier in this batch
                continue
            try:
                keep = conn.serve_one()
            except Exception as e:  # a bug must cost one connection, not the sandbox
                _log(f"dropping a connection after an internal error: {type(e).__name__}")
                keep = False
            if not keep:
                sel.unregister(conn.sock)
                del connections[conn.sock.fileno()]
                conn.close()


def _on_terminate(signum, frame):
    raise SystemExit(0)


def main():
    global _listener_fds, _listener, _local_addresses
    started = time.monotonic()
    _token_source_from_environment()
    # Before any child exists, so that every process after the agent has the filter too.
    _install_io_uring_filter()
    _preload()
    # Objects that exist now are never collected: children then do not touch (and
    # copy) the parent's pages just to run the garbage collector over them.
    gc.collect()
    gc.freeze()
    _set_dumpable(False)
    _record_limits()
    # As PID 1 of a container, SIGTERM is ignored unless handled.
    signal.signal(signal.SIGTERM, _on_terminate)
    signal.signal(signal.SIGINT, _on_terminate)
    # The prepared child warms up before the agent listens: readiness means the
    # first execution takes the fast path.
    global _prepared
    try:
        _prepared = _PreparedChild()
        _prepared.wait_warm(timeout=30)
    except OSError as e:
        _log(f"could not prepare a child ahead: {e.strerror}")
    # Only now, with the prepared child forked: no child ever has the token in its memory.
    _take_token()
    listener, where, is_tcp = _listen()
    _listener = listener
    _listener_fds = (listener.fileno(),)
    if is_tcp:
        _local_addresses = _own_addresses()
    _log(f"ready on {where} in {time.monotonic() - started:.2f} s (preloaded: {', '.join(preloaded) or 'none'})")
    try:
        _serve(listener, is_tcp)
    finally:
        if where.startswith("unix:"):
            try:
                os.unlink(where[5:])
            except OSError:
                pass


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _fresh_child_main(sys.argv[2:])
    _hand_over_token()
    main()
