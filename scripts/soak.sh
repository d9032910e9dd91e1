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
# shellcheck source-path=SCRIPTDIR/..
source scripts/lib/common.sh
script_init soak

docker_cli=/usr/bin/docker
out_dir=artifacts/soak
instance="soak-$(date -u +%H%M%S)-$$"

seconds="${SOAK_SECONDS:-300}"
case "$seconds" in ''|*[!0-9]*) fail "SOAK_SECONDS=$seconds is not a whole number of seconds." ;; esac
[ "$seconds" -le 86400 ] || fail "SOAK_SECONDS=$seconds is over the cap of 86400 (one day); choose a shorter soak."
hard_cap=$((seconds + 300))

# The hard cap: this script re-runs itself under timeout(1), so nothing outlives SOAK_SECONDS + 300 s.
if [ -z "${SOAK_UNDER_CAP:-}" ]; then
  command -v timeout >/dev/null 2>&1 || fail "timeout (coreutils) is missing; apt-get install -y coreutils."
  SOAK_UNDER_CAP=1 exec timeout --signal=TERM --kill-after=40 "$hard_cap" "$0" "$@"
fi

need_local_api_tools
need_api_build SOAK_SKIP_BUILD
mkdir -p "$out_dir"
storage="$(mktemp -d /tmp/computesandbox-soak.XXXXXX)"

api_pid=""
driver_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_driver
  stop_api "$api_pid" "killing it" || rc=1
  local left
  left="$(containers_labelled "io.computesandbox.instance=$instance")"
  if [ -n "$left" ]; then
    echo "soak: LEAK: $(echo "$left" | wc -l) containers of instance $instance remain after the API stopped; removing them" >&2
    remove_containers "$left"
    rc=1
  else
    say "containers of instance $instance left after the API stopped: 0"
  fi
  rm -rf "$storage"
  exit "$rc"
}
on_exit cleanup "stopped (SIGTERM; the hard cap of $hard_cap s or a caller)"

scripts/ensure-docker.sh

if [ -n "${SOAK_IMAGE:-}" ]; then
  image="$SOAK_IMAGE"
  say "using SOAK_IMAGE=$image"
else
  build_executor_image
fi
"$docker_cli" image inspect "$image" >/dev/null 2>&1 \
  || fail "image '$image' does not exist; build it with scripts/build-executor-image.sh or set SOAK_IMAGE."

if [ "${SOAK_SKIP_BUILD:-0}" != 1 ]; then build_api; fi

pool_settings SOAK 3 8

say "starting the API on $base_url (instance $instance, pool target $pool_target, max $max_sandboxes, storage $storage; log $out_dir/api.log)"
start_pool_api "$out_dir/api.log" "$instance" "$image" "$storage" \
  APP_EXECUTOR_ACQUIRE_TIMEOUT="${SOAK_ACQUIRE_TIMEOUT:-5}" \
  APP_EXECUTOR_MEMORY_LIMIT=512Mi \
  APP_WORKSPACE_SIZE_LIMIT=64Mi \
  APP_EXECUTOR_PIDS_LIMIT=128 \
  APP_INTERNAL_IP_ALLOWLIST=127.0.0.1/32
wait_for_ready "$base_url" "$out_dir/api.log"

driver_rc=0
run_driver scripts/soak.py \
  SOAK_BASE_URL="$base_url" SOAK_API_PID="$api_pid" SOAK_INSTANCE="$instance" SOAK_SECONDS="$seconds" \
  SOAK_POOL_TARGET="$pool_target" SOAK_SUMMARY="$out_dir/latest.json" || driver_rc=$?
if [ "$driver_rc" -ne 0 ]; then
  show_api_log "$out_dir/api.log"
  fail "the soak found unexpected answers or a pool that did not settle (exit $driver_rc); see above and $out_dir/api.log."
fi
say "every answer was expected and the pool settled at its target; stopping the API"
