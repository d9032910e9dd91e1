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
# shellcheck source-path=SCRIPTDIR/..
source scripts/lib/common.sh
script_init bench

docker_cli=/usr/bin/docker
out_dir=artifacts/bench
instance=bench
default_image=localhost/tgpt-code-executor:local
storage=/tmp/computesandbox-bench
pinned_image=localhost/computesandbox-bench:executor

need_local_api_tools
need_api_build BENCH_SKIP_BUILD
mkdir -p "$out_dir" "$storage"

# A bench API left running by an interrupted earlier run would fight this one over instance "bench".
if [ -f "$out_dir/api.pid" ]; then
  old_pid="$(cat "$out_dir/api.pid" 2>/dev/null || true)"
  if [ -n "$old_pid" ] && kill -0 "$old_pid" 2>/dev/null \
     && tr '\0' ' ' <"/proc/$old_pid/cmdline" 2>/dev/null | grep -q 'Interpreter.Api.dll'; then
    say "stopping the API left running by an earlier bench (pid $old_pid)"
    terminate "$old_pid" || kill -KILL "$old_pid" 2>/dev/null || true
  fi
  rm -f "$out_dir/api.pid"
fi

api_pid=""
driver_pid=""
pinned=0
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_driver
  stop_api "$api_pid" "killing it and removing its sandboxes" || true
  rm -f "$out_dir/api.pid"
  # Whatever is left: naive/raw containers of bench.py and sandboxes of this bench instance.
  local left
  left="$(containers_labelled io.computesandbox.bench "io.computesandbox.instance=$instance")"
  if [ -n "$left" ]; then
    say "removing $(echo "$left" | wc -l) leftover bench containers"
    remove_containers "$left"
  fi
  if [ "$pinned" = 1 ]; then "$docker_cli" rmi "$pinned_image" >/dev/null 2>&1 || true; fi
  exit "$rc"
}
on_exit cleanup "interrupted (SIGTERM)"

scripts/ensure-docker.sh

if [ -n "${BENCH_IMAGE:-}" ]; then
  image="$BENCH_IMAGE"
  say "using BENCH_IMAGE=$image"
elif [ -x scripts/build-executor-image.sh ]; then
  build_executor_image
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

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then build_api; fi

pool_settings BENCH 5 24

say "starting the API on $base_url (instance $instance, pool target $pool_target, max $max_sandboxes; log $out_dir/api.log)"
start_pool_api "$out_dir/api.log" "$instance" "$pinned_image" "$storage" \
  APP_EXECUTOR_ACQUIRE_TIMEOUT=60 \
  APP_INTERNAL_IP_ALLOWLIST="${APP_INTERNAL_IP_ALLOWLIST:-127.0.0.1}"
echo "$api_pid" >"$out_dir/api.pid"
wait_for_ready "$base_url" "$out_dir/api.log"

bench_rc=0
run_driver scripts/bench.py \
  BENCH_BASE_URL="$base_url" BENCH_IMAGE="$pinned_image" BENCH_IMAGE_SOURCE="$image" BENCH_API_PID="$api_pid" \
  BENCH_INSTANCE="$instance" BENCH_POOL_TARGET="$pool_target" BENCH_MAX_SANDBOXES="$max_sandboxes" \
  BENCH_OUT_DIR="$out_dir" || bench_rc=$?
if [ "$bench_rc" -ne 0 ]; then
  echo "bench: scripts/bench.py failed (exit $bench_rc); API log: $out_dir/api.log" >&2
  show_api_log "$out_dir/api.log"
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
