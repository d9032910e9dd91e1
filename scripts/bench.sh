#!/usr/bin/env bash
# Benchmarks ComputeSandbox against a naive `docker run` on this machine (see docs/benchmark.md):
# makes sure Docker answers, builds the executor image and the API (Release), starts the API on
# 127.0.0.1 with instance name "bench" (log: artifacts/bench/api.log), runs scripts/bench.py, prints
# the table and writes artifacts/bench/bench-<UTC>.json and artifacts/bench/latest.json. The API is
# always stopped at exit (SIGTERM, up to 30 s, so it removes its sandboxes).
#
#   scripts/bench.sh                 # full run (~20 min on 2 cores)
#   BENCH_QUICK=1 scripts/bench.sh   # smoke run (30 sequential requests, 5 s per throughput level)
# Then scripts/bench-files.sh measures upload/download of a 256 MiB file (64 MiB when quick; BENCH_FILES=0 skips).
#
# Settings (environment): BENCH_POOL_TARGET [5], BENCH_MAX_SANDBOXES [24], BENCH_PORT [a free port],
# BENCH_IMAGE [built by scripts/build-executor-image.sh], BENCH_SKIP_BUILD=1 (use the built API as is),
# and the BENCH_* knobs of scripts/bench.py (BENCH_SEQUENTIAL, BENCH_NAIVE_SEQUENTIAL, BENCH_DURATION, ...).
set -euo pipefail
cd "$(dirname "$0")/.."

py=/usr/bin/python3
docker_cli=/usr/bin/docker
out_dir=artifacts/bench
api_dll=src/Interpreter.Api/bin/Release/net10.0/Interpreter.Api.dll
instance=bench
default_image=localhost/tgpt-code-executor:local
storage=/tmp/computesandbox-bench
pinned_image=localhost/computesandbox-bench:executor

say() { echo "bench: $*"; }
fail() { echo "bench: ERROR: $*" >&2; exit 1; }
# The API's log without its per-request Information lines, shortened: what matters when something failed.
show_api_log() {
  echo "bench: last warnings/errors of $out_dir/api.log:" >&2
  grep -v '"LogLevel":"\(Information\|Debug\|Trace\)"' "$out_dir/api.log" 2>/dev/null | tail -n 15 | cut -c1-500 >&2 || true
}

[ -x "$py" ] || fail "$py is missing; install Debian's python3 (apt-get install -y python3)."
[ -x "$docker_cli" ] || fail "$docker_cli is missing; run scripts/ensure-docker.sh (installs docker.io)."
command -v curl >/dev/null 2>&1 || fail "curl is missing; apt-get install -y curl."
if [ "${BENCH_SKIP_BUILD:-0}" = 1 ]; then
  [ -f "$api_dll" ] || fail "BENCH_SKIP_BUILD=1 but $api_dll is missing; run without BENCH_SKIP_BUILD."
else
  command -v dotnet >/dev/null 2>&1 || fail "the .NET SDK 10 is missing; install it (dotnet on PATH) and run again."
fi
mkdir -p "$out_dir" "$storage"

# A bench API left running by an interrupted earlier run would fight this one over instance "bench".
if [ -f "$out_dir/api.pid" ]; then
  old_pid="$(cat "$out_dir/api.pid" 2>/dev/null || true)"
  if [ -n "$old_pid" ] && kill -0 "$old_pid" 2>/dev/null \
     && tr '\0' ' ' <"/proc/$old_pid/cmdline" 2>/dev/null | grep -q 'Interpreter.Api.dll'; then
    say "stopping the API left running by an earlier bench (pid $old_pid)"
    kill -TERM "$old_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$old_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$old_pid" 2>/dev/null || true
  fi
  rm -f "$out_dir/api.pid"
fi

api_pid=""
bench_pid=""
pinned=0
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$bench_pid" ] && kill -0 "$bench_pid" 2>/dev/null; then
    kill -TERM "$bench_pid" 2>/dev/null || true
    wait "$bench_pid" 2>/dev/null || true
  fi
  if [ -n "$api_pid" ] && kill -0 "$api_pid" 2>/dev/null; then
    say "stopping the API (pid $api_pid, SIGTERM, up to 30 s)"
    kill -TERM "$api_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$api_pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$api_pid" 2>/dev/null; then
      say "WARNING: the API did not stop within 30 s; killing it and removing its sandboxes"
      kill -KILL "$api_pid" 2>/dev/null || true
    fi
    wait "$api_pid" 2>/dev/null || true
  fi
  rm -f "$out_dir/api.pid"
  # Whatever is left: naive/raw containers of bench.py and sandboxes of this bench instance.
  local left
  left="$( { "$docker_cli" ps -aq --filter label=io.computesandbox.bench 2>/dev/null;
             "$docker_cli" ps -aq --filter "label=io.computesandbox.instance=$instance" 2>/dev/null; } | sort -u || true)"
  if [ -n "$left" ]; then
    say "removing $(echo "$left" | wc -l) leftover bench containers"
    # shellcheck disable=SC2086
    "$docker_cli" rm -f $left >/dev/null 2>&1 || true
  fi
  if [ "$pinned" = 1 ]; then "$docker_cli" rmi "$pinned_image" >/dev/null 2>&1 || true; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted (SIGINT)"; exit 130' INT
trap 'say "interrupted (SIGTERM)"; exit 143' TERM

scripts/ensure-docker.sh

if [ -n "${BENCH_IMAGE:-}" ]; then
  image="$BENCH_IMAGE"
  say "using BENCH_IMAGE=$image"
elif [ -x scripts/build-executor-image.sh ]; then
  say "building the executor image (scripts/build-executor-image.sh)"
  image="$(scripts/build-executor-image.sh | tail -n 1)"
  [ -n "$image" ] || fail "scripts/build-executor-image.sh printed no image name; run it by hand to see why."
elif "$docker_cli" image inspect "$default_image" >/dev/null 2>&1; then
  image="$default_image"
  say "scripts/build-executor-image.sh not found; using the existing image $image"
else
  fail "no executor image: scripts/build-executor-image.sh is missing and $default_image does not exist. Build the image or set BENCH_IMAGE."
fi
image_id="$("$docker_cli" image inspect --format '{{.Id}}' "$image" 2>/dev/null)" \
  || fail "image '$image' does not exist; build it with scripts/build-executor-image.sh or set BENCH_IMAGE."
# Pin the image under a tag of the bench's own: a rebuild that moves '$image' (or removes its hash tag)
# during the run must not change the sandboxes being measured. Removed again at exit.
"$docker_cli" tag "$image_id" "$pinned_image"
pinned=1
say "measuring $image ($image_id), pinned as $pinned_image for this run"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  say "building the API (Release)"
  dotnet build src/Interpreter.Api/Interpreter.Api.csproj -c Release -nologo -v quiet \
    || fail "dotnet build failed (see above); fix the build, then run again."
fi

port="${BENCH_PORT:-$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')}"
base_url="http://127.0.0.1:$port"
pool_target="${BENCH_POOL_TARGET:-5}"
max_sandboxes="${BENCH_MAX_SANDBOXES:-24}"


say "starting the API on $base_url (instance $instance, pool target $pool_target, max $max_sandboxes; log $out_dir/api.log)"
APP_HTTP_LISTEN_ADDR="127.0.0.1:$port" \
APP_INSTANCE_NAME="$instance" \
APP_EXECUTOR_IMAGE="$pinned_image" \
APP_FILE_STORAGE_PATH="$storage" \
APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH="$pool_target" \
APP_EXECUTOR_MAX_SANDBOXES="$max_sandboxes" \
APP_EXECUTOR_ACQUIRE_TIMEOUT=60 \
APP_INTERNAL_IP_ALLOWLIST="${APP_INTERNAL_IP_ALLOWLIST:-127.0.0.1}" \
  dotnet "$api_dll" >"$out_dir/api.log" 2>&1 &
api_pid=$!
echo "$api_pid" >"$out_dir/api.pid"

say "waiting for $base_url/readyz (up to 120 s)"
ready=0
for _ in $(seq 1 240); do
  kill -0 "$api_pid" 2>/dev/null || { show_api_log; fail "the API exited during start-up; see $out_dir/api.log (last lines above)."; }
  if curl -fsS --max-time 5 "$base_url/readyz" >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.5
done
[ "$ready" = 1 ] || { show_api_log; fail "$base_url/readyz did not answer 200 within 120 s; see $out_dir/api.log."; }
say "API ready: $(curl -fsS --max-time 5 "$base_url/readyz")"

BENCH_BASE_URL="$base_url" BENCH_IMAGE="$pinned_image" BENCH_IMAGE_SOURCE="$image" BENCH_API_PID="$api_pid" BENCH_INSTANCE="$instance" \
BENCH_POOL_TARGET="$pool_target" BENCH_MAX_SANDBOXES="$max_sandboxes" BENCH_OUT_DIR="$out_dir" \
  "$py" scripts/bench.py &
bench_pid=$!
set +e
wait "$bench_pid"
bench_rc=$?
set -e
bench_pid=""
if [ "$bench_rc" -ne 0 ]; then
  echo "bench: scripts/bench.py failed (exit $bench_rc); API log: $out_dir/api.log" >&2
  show_api_log
  exit "$bench_rc"
fi
say "done; table: $out_dir/latest.txt, results: $out_dir/latest.json"

# File transfer (upload/download of a 256 MiB file, API peak RSS) runs against its own API instance.
if [ "${BENCH_FILES:-1}" = 1 ]; then
  say "file transfer benchmark (scripts/bench-files.sh; BENCH_FILES=0 skips it)"
  if [ "${BENCH_QUICK:-0}" = 1 ]; then
    BENCH_SKIP_BUILD=1 BENCH_FILE_MIB="${BENCH_FILE_MIB:-64}" BENCH_RUNS="${BENCH_RUNS:-1}" scripts/bench-files.sh
  else
    BENCH_SKIP_BUILD=1 scripts/bench-files.sh
  fi
fi
