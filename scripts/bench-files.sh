#!/usr/bin/env bash
# Benchmarks file transfer: builds the API (Release), starts it on 127.0.0.1 with no warm sandboxes and a
# storage folder of its own (log: artifacts/bench/files-api.log), runs scripts/bench_files.py (upload and
# download throughput of a 256 MiB file, the API's peak RSS), prints the table and writes
# artifacts/bench/files-<UTC>.json and files-latest.json. The API and its storage folder are removed at exit.
#
#   scripts/bench-files.sh
#   BENCH_FILE_MIB=64 BENCH_RUNS=1 scripts/bench-files.sh    # quick run
#
# Settings (environment): BENCH_PORT [a free port], BENCH_SKIP_BUILD=1 (use the built API as is), and the
# BENCH_* knobs of scripts/bench_files.py (BENCH_FILE_MIB, BENCH_RUNS, BENCH_OUT_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR/..
source scripts/lib/common.sh
script_init bench-files

out_dir="${BENCH_OUT_DIR:-artifacts/bench}"

[ -x "$py" ] || fail "$py is missing; install Debian's python3 (apt-get install -y python3)."
need_api_build BENCH_SKIP_BUILD
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then build_api; fi
# The pool starts even with no warm sandboxes and asks the engine for leftovers.
scripts/ensure-docker.sh

mkdir -p "$out_dir"
storage="$(mktemp -d /tmp/computesandbox-bench-files.XXXXXX)"
port="${BENCH_PORT:-$(free_port)}"
base_url="http://127.0.0.1:$port"
log="$out_dir/files-api.log"

api_pid=""
cleanup() {
  if [ -n "$api_pid" ] && kill -0 "$api_pid" 2>/dev/null; then
    terminate "$api_pid" || kill -KILL "$api_pid" 2>/dev/null || true
  fi
  rm -rf "$storage"
}
trap cleanup EXIT

say "starting the API on $base_url (storage $storage)"
start_api "$log" \
  APP_HTTP_LISTEN_ADDR="127.0.0.1:$port" \
  APP_FILE_STORAGE_PATH="$storage" \
  APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH=0 \
  APP_INTERNAL_IP_ALLOWLIST=127.0.0.1/32 \
  APP_INSTANCE_NAME="bench-files" \
  Logging__LogLevel__Default=Warning

for _ in $(seq 1 60); do
  curl -fsS --max-time 2 "$base_url/healthz" >/dev/null 2>&1 && break
  kill -0 "$api_pid" 2>/dev/null || fail "the API exited at start; see $log"
  sleep 0.5
done
curl -fsS --max-time 2 "$base_url/healthz" >/dev/null 2>&1 || fail "the API did not answer within 30 s; see $log"

BENCH_BASE_URL="$base_url" BENCH_API_PID="$api_pid" BENCH_OUT_DIR="$out_dir" "$py" scripts/bench_files.py
