#!/usr/bin/env bash
# Soak test of ComputeSandbox (not part of scripts/test.sh): makes sure Docker answers, builds the executor image
# and the API (Release), starts the API on 127.0.0.1 under its own instance name with a temporary storage folder,
# then scripts/soak.py drives SOAK_CLIENTS clients for SOAK_SECONDS with a mix of execute (normal, with files, and
# hostile: a timeout, a memory bomb, a fork bomb), upload and download, checks every answer, samples the API's RSS
# and the pool (/metrics), waits for the pool to settle at its target and prints a table. The API is then stopped
# (SIGTERM) and no container of the instance may remain. Exit status: 0 only when every answer was expected (a
# verified 200, or 503 + Retry-After from a spawning endpoint), the pool settled, and nothing was left behind.
#
#   scripts/soak.sh                    # 300 s, 8 clients
#   SOAK_SECONDS=60 scripts/soak.sh    # a short run
#
# Settings (environment): SOAK_SECONDS [300, at most 86400], SOAK_CLIENTS [8], SOAK_POOL_TARGET [3],
# SOAK_MAX_SANDBOXES [8], SOAK_ACQUIRE_TIMEOUT [5], SOAK_PORT [a free port], SOAK_IMAGE [built by
# scripts/build-executor-image.sh], SOAK_SKIP_BUILD=1 (use the built API as is), SOAK_SAMPLE_SECONDS [2],
# SOAK_SETTLE_SECONDS [120]. The whole run is killed after SOAK_SECONDS + 300 s whatever happens.
# Output: artifacts/soak/api.log (the API's log) and artifacts/soak/latest.json (counts, samples).
set -euo pipefail
cd "$(dirname "$0")/.."

py=/usr/bin/python3
docker_cli=/usr/bin/docker
out_dir=artifacts/soak
api_dll=src/Interpreter.Api/bin/Release/net10.0/Interpreter.Api.dll
instance="soak-$(date -u +%H%M%S)-$$"

say() { echo "soak: $*"; }
fail() { echo "soak: ERROR: $*" >&2; exit 1; }
show_api_log() {
  echo "soak: last warnings/errors of $out_dir/api.log:" >&2
  grep -v '"LogLevel":"\(Information\|Debug\|Trace\)"' "$out_dir/api.log" 2>/dev/null | tail -n 15 | cut -c1-500 >&2 || true
}

seconds="${SOAK_SECONDS:-300}"
case "$seconds" in ''|*[!0-9]*) fail "SOAK_SECONDS=$seconds is not a whole number of seconds." ;; esac
[ "$seconds" -le 86400 ] || fail "SOAK_SECONDS=$seconds is over the cap of 86400 (one day); choose a shorter soak."
hard_cap=$((seconds + 300))

# The hard cap: this script re-runs itself under timeout(1), so nothing outlives SOAK_SECONDS + 300 s.
if [ -z "${SOAK_UNDER_CAP:-}" ]; then
  command -v timeout >/dev/null 2>&1 || fail "timeout (coreutils) is missing; apt-get install -y coreutils."
  SOAK_UNDER_CAP=1 exec timeout --signal=TERM --kill-after=40 "$hard_cap" "$0" "$@"
fi

[ -x "$py" ] || fail "$py is missing; install Debian's python3 (apt-get install -y python3)."
[ -x "$docker_cli" ] || fail "$docker_cli is missing; run scripts/ensure-docker.sh (installs docker.io)."
command -v curl >/dev/null 2>&1 || fail "curl is missing; apt-get install -y curl."
if [ "${SOAK_SKIP_BUILD:-0}" = 1 ]; then
  [ -f "$api_dll" ] || fail "SOAK_SKIP_BUILD=1 but $api_dll is missing; run without SOAK_SKIP_BUILD."
else
  command -v dotnet >/dev/null 2>&1 || fail "the .NET SDK 10 is missing; install it (dotnet on PATH) and run again."
fi
mkdir -p "$out_dir"
storage="$(mktemp -d /tmp/computesandbox-soak.XXXXXX)"

api_pid=""
driver_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$driver_pid" ] && kill -0 "$driver_pid" 2>/dev/null; then
    kill -TERM "$driver_pid" 2>/dev/null || true
    wait "$driver_pid" 2>/dev/null || true
  fi
  if [ -n "$api_pid" ] && kill -0 "$api_pid" 2>/dev/null; then
    say "stopping the API (pid $api_pid, SIGTERM, up to 30 s)"
    kill -TERM "$api_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$api_pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$api_pid" 2>/dev/null; then
      say "WARNING: the API did not stop within 30 s; killing it"
      kill -KILL "$api_pid" 2>/dev/null || true
      rc=1
    fi
    wait "$api_pid" 2>/dev/null || true
  fi
  local left
  left="$("$docker_cli" ps -aq --filter "label=io.computesandbox.instance=$instance" 2>/dev/null || true)"
  if [ -n "$left" ]; then
    echo "soak: LEAK: $(echo "$left" | wc -l) containers of instance $instance remain after the API stopped; removing them" >&2
    # shellcheck disable=SC2086
    "$docker_cli" rm -f $left >/dev/null 2>&1 || true
    rc=1
  else
    say "containers of instance $instance left after the API stopped: 0"
  fi
  rm -rf "$storage"
  exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted (SIGINT)"; exit 130' INT
trap 'say "stopped (SIGTERM; the hard cap of $hard_cap s or a caller)"; exit 143' TERM

scripts/ensure-docker.sh

if [ -n "${SOAK_IMAGE:-}" ]; then
  image="$SOAK_IMAGE"
  say "using SOAK_IMAGE=$image"
else
  say "building the executor image (scripts/build-executor-image.sh)"
  image="$(scripts/build-executor-image.sh | tail -n 1)"
  [ -n "$image" ] || fail "scripts/build-executor-image.sh printed no image name; run it by hand to see why."
fi
"$docker_cli" image inspect "$image" >/dev/null 2>&1 \
  || fail "image '$image' does not exist; build it with scripts/build-executor-image.sh or set SOAK_IMAGE."

if [ "${SOAK_SKIP_BUILD:-0}" != 1 ]; then
  say "building the API (Release)"
  dotnet build src/Interpreter.Api/Interpreter.Api.csproj -c Release -nologo -v quiet \
    || fail "dotnet build failed (see above); fix the build, then run again."
fi

port="${SOAK_PORT:-$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')}"
base_url="http://127.0.0.1:$port"
pool_target="${SOAK_POOL_TARGET:-3}"
max_sandboxes="${SOAK_MAX_SANDBOXES:-8}"

say "starting the API on $base_url (instance $instance, pool target $pool_target, max $max_sandboxes, storage $storage; log $out_dir/api.log)"
APP_HTTP_LISTEN_ADDR="127.0.0.1:$port" \
APP_INSTANCE_NAME="$instance" \
APP_EXECUTOR_IMAGE="$image" \
APP_FILE_STORAGE_PATH="$storage" \
APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH="$pool_target" \
APP_EXECUTOR_MAX_SANDBOXES="$max_sandboxes" \
APP_EXECUTOR_ACQUIRE_TIMEOUT="${SOAK_ACQUIRE_TIMEOUT:-5}" \
APP_EXECUTOR_MEMORY_LIMIT=512Mi \
APP_WORKSPACE_SIZE_LIMIT=64Mi \
APP_EXECUTOR_PIDS_LIMIT=128 \
APP_INTERNAL_IP_ALLOWLIST=127.0.0.1/32 \
  dotnet "$api_dll" >"$out_dir/api.log" 2>&1 &
api_pid=$!

say "waiting for $base_url/readyz (up to 120 s)"
ready=0
for _ in $(seq 1 240); do
  kill -0 "$api_pid" 2>/dev/null || { show_api_log; fail "the API exited during start-up; see $out_dir/api.log (last lines above)."; }
  if curl -fsS --max-time 5 "$base_url/readyz" >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.5
done
[ "$ready" = 1 ] || { show_api_log; fail "$base_url/readyz did not answer 200 within 120 s; see $out_dir/api.log."; }
say "API ready: $(curl -fsS --max-time 5 "$base_url/readyz")"

SOAK_BASE_URL="$base_url" SOAK_API_PID="$api_pid" SOAK_INSTANCE="$instance" SOAK_SECONDS="$seconds" \
SOAK_POOL_TARGET="$pool_target" SOAK_SUMMARY="$out_dir/latest.json" \
  "$py" scripts/soak.py &
driver_pid=$!
set +e
wait "$driver_pid"
driver_rc=$?
set -e
driver_pid=""
if [ "$driver_rc" -ne 0 ]; then
  show_api_log
  fail "the soak found unexpected answers or a pool that did not settle (exit $driver_rc); see above and $out_dir/api.log."
fi
say "every answer was expected and the pool settled at its target; stopping the API"
