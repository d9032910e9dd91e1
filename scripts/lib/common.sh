# shellcheck shell=bash disable=SC2154 # docker_cli: set by the sourcing script or by choose_docker_cli
# What scripts/*.sh share; sourced, never run. A script does `set -euo pipefail`, `cd` to the repo root, then
# `source scripts/lib/common.sh` and `script_init NAME` (NAME prefixes every message). Sourcing only defines
# functions and a few variables.
#
#   messages      say (stdout; stderr after `script_init NAME --stderr`), fail (stderr, exit 1)
#   docker CLI    choose_docker_cli (DOCKER, else /usr/bin/docker, else docker on PATH), docker, image_exists
#   hashes        hash_files, executor_base_hash (the tag of the local Debian base both image builds use)
#   exit          on_exit (a clean-up at exit, also after SIGINT/SIGTERM)
#   local API     need_local_api_tools, need_api_build, build_executor_image, build_api, free_port, pool_settings,
#                 start_api, start_pool_api, wait_for_ready, show_api_log, stop_api, run_driver, stop_driver,
#                 containers_labelled, remove_containers

script_name=""
messages_to_stderr=0

# script_init NAME [--stderr]: the prefix of every message; --stderr keeps stdout for the script's result.
script_init() {
  script_name="$1"
  messages_to_stderr=0
  if [ "${2:-}" = --stderr ]; then messages_to_stderr=1; fi
}

say() {
  if [ "$messages_to_stderr" = 1 ]; then
    printf '%s: %s\n' "$script_name" "$*" >&2
  else
    printf '%s: %s\n' "$script_name" "$*"
  fi
}

fail() { printf '%s: ERROR: %s\n' "$script_name" "$*" >&2; exit 1; }

# on_exit FUNCTION TERM_MESSAGE: runs FUNCTION at exit; SIGINT says "interrupted (SIGINT)" and exits 130, SIGTERM says
# TERM_MESSAGE and exits 143, so FUNCTION runs then too.
on_exit() {
  term_message="$2"
  # shellcheck disable=SC2064 # the function's name is fixed now
  trap "$1" EXIT
  trap 'say "interrupted (SIGINT)"; exit 130' INT
  trap 'say "$term_message"; exit 143' TERM
}

# --- Docker CLI --------------------------------------------------------------------------------

# Sets docker_cli: $DOCKER, else Debian's /usr/bin/docker (its `docker build` works offline against a local base
# image), else docker on PATH.
choose_docker_cli() {
  if [ -n "${DOCKER:-}" ]; then
    docker_cli="$DOCKER"
  elif [ -x /usr/bin/docker ]; then
    docker_cli=/usr/bin/docker
  else
    docker_cli="$(command -v docker || true)"
  fi
  [ -n "$docker_cli" ] || fail "no docker CLI found. Fix: run scripts/ensure-docker.sh (or apt-get install docker.io)."
}

docker() { "$docker_cli" "$@"; }

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# --- content hashes ----------------------------------------------------------------------------

# sha256 over file names and contents, in a fixed order.
hash_files() {
  local f
  for f in "$@"; do
    printf '%s\n' "$f"
    sha256sum <"$f"
  done | sha256sum | cut -c1-64
}

# The hash of the local Debian base (localhost/computesandbox-base:<first 12>): scripts/build-executor-image.sh
# builds it, scripts/build-api-image.sh builds FROM it, so both must compute it from the same files.
executor_base_hash() { hash_files executor-image/build-rootfs.sh executor-image/packages.txt; }

# --- a local API for the bench and soak scripts ------------------------------------------------
# The helpers that talk to Docker use docker_cli, which these scripts set (/usr/bin/docker).

py=/usr/bin/python3
api_dll=src/Interpreter.Api/bin/Release/net10.0/Interpreter.Api.dll

# python3, the Docker CLI and curl: what the bench and soak scripts run besides the API.
need_local_api_tools() {
  [ -x "$py" ] || fail "$py is missing; install Debian's python3 (apt-get install -y python3)."
  [ -x "$docker_cli" ] || fail "$docker_cli is missing; run scripts/ensure-docker.sh (installs docker.io)."
  command -v curl >/dev/null 2>&1 || fail "curl is missing; apt-get install -y curl."
}

# need_api_build SKIP_VARIABLE: with $SKIP_VARIABLE=1 the built API must exist, otherwise the .NET SDK.
need_api_build() {
  local skip_var="$1"
  if [ "${!skip_var:-0}" = 1 ]; then
    [ -f "$api_dll" ] || fail "$skip_var=1 but $api_dll is missing; run without $skip_var."
  else
    command -v dotnet >/dev/null 2>&1 || fail "the .NET SDK 10 is missing; install it (dotnet on PATH) and run again."
  fi
}

# Builds the executor image (a second run takes a second) and sets image to its name.
build_executor_image() {
  say "building the executor image (scripts/build-executor-image.sh)"
  image="$(scripts/build-executor-image.sh | tail -n 1)"
  [ -n "$image" ] || fail "scripts/build-executor-image.sh printed no image name; run it by hand to see why."
}

build_api() {
  say "building the API (Release)"
  dotnet build src/Interpreter.Api/Interpreter.Api.csproj -c Release -nologo -v quiet \
    || fail "dotnet build failed (see above); fix the build, then run again."
}

# A free TCP port on 127.0.0.1 (the kernel's choice).
free_port() {
  "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# pool_settings PREFIX POOL_TARGET MAX_SANDBOXES: sets port ($PREFIX_PORT, else a free one), base_url, pool_target
# ($PREFIX_POOL_TARGET, else POOL_TARGET) and max_sandboxes ($PREFIX_MAX_SANDBOXES, else MAX_SANDBOXES).
pool_settings() {
  local port_var="$1_PORT" target_var="$1_POOL_TARGET" max_var="$1_MAX_SANDBOXES"
  port="${!port_var:-$(free_port)}"
  base_url="http://127.0.0.1:$port"
  pool_target="${!target_var:-$2}"
  max_sandboxes="${!max_var:-$3}"
}

# start_api LOG NAME=VALUE...: starts the built API in the background with that environment, its output in LOG;
# sets api_pid.
start_api() {
  local log="$1"
  shift
  env "$@" dotnet "$api_dll" >"$log" 2>&1 &
  api_pid=$!
}

# start_pool_api LOG INSTANCE IMAGE STORAGE NAME=VALUE...: start_api on 127.0.0.1:$port as INSTANCE with a pool of
# IMAGE sandboxes ($pool_target warm, at most $max_sandboxes) and files in STORAGE, plus the further settings.
start_pool_api() {
  local log="$1" instance="$2" image="$3" storage="$4"
  shift 4
  start_api "$log" \
    APP_HTTP_LISTEN_ADDR="127.0.0.1:$port" \
    APP_INSTANCE_NAME="$instance" \
    APP_EXECUTOR_IMAGE="$image" \
    APP_FILE_STORAGE_PATH="$storage" \
    APP_EXECUTOR_POD_QUEUE_TARGET_LENGTH="$pool_target" \
    APP_EXECUTOR_MAX_SANDBOXES="$max_sandboxes" \
    "$@"
}

# The API's log without its per-request Information lines, shortened: what matters when something failed.
show_api_log() {
  echo "$script_name: last warnings/errors of $1:" >&2
  grep -v '"LogLevel":"\(Information\|Debug\|Trace\)"' "$1" 2>/dev/null | tail -n 15 | cut -c1-500 >&2 || true
}

# wait_for_ready BASE_URL LOG: waits up to 120 s for BASE_URL/readyz to answer 200 while $api_pid lives.
wait_for_ready() {
  local base_url="$1" log="$2" ready=0
  say "waiting for $base_url/readyz (up to 120 s)"
  for _ in $(seq 1 240); do
    kill -0 "$api_pid" 2>/dev/null || { show_api_log "$log"; fail "the API exited during start-up; see $log (last lines above)."; }
    if curl -fsS --max-time 5 "$base_url/readyz" >/dev/null 2>&1; then ready=1; break; fi
    sleep 0.5
  done
  [ "$ready" = 1 ] || { show_api_log "$log"; fail "$base_url/readyz did not answer 200 within 120 s; see $log."; }
  say "API ready: $(curl -fsS --max-time 5 "$base_url/readyz")"
}

# terminate PID: SIGTERM, then up to 30 s for it to end; fails when it is still running then.
terminate() {
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.5; done
  ! kill -0 "$1" 2>/dev/null
}

# stop_api PID WHAT_THEN: stops the API started by start_api if it still runs (SIGTERM, up to 30 s, so it removes
# its sandboxes); when it does not stop, says so ("...; WHAT_THEN"), kills it and fails.
stop_api() {
  local pid="$1" killed=0
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    say "stopping the API (pid $pid, SIGTERM, up to 30 s)"
    if ! terminate "$pid"; then
      say "WARNING: the API did not stop within 30 s; $2"
      kill -KILL "$pid" 2>/dev/null || true
      killed=1
    fi
    wait "$pid" 2>/dev/null || true
  fi
  [ "$killed" = 0 ]
}

# run_driver SCRIPT NAME=VALUE...: runs "$py SCRIPT" with that environment in the background (driver_pid, so that
# an interrupted run's cleanup can stop it with stop_driver) and returns its exit status.
run_driver() {
  local script="$1" rc=0
  shift
  env "$@" "$py" "$script" &
  driver_pid=$!
  wait "$driver_pid" || rc=$?
  driver_pid=""
  return "$rc"
}

stop_driver() {
  if [ -n "${driver_pid:-}" ] && kill -0 "$driver_pid" 2>/dev/null; then
    kill -TERM "$driver_pid" 2>/dev/null || true
    wait "$driver_pid" 2>/dev/null || true
  fi
}

# containers_labelled LABEL...: the ids of all containers (any state) carrying any of the labels, one a line.
containers_labelled() {
  local label
  for label in "$@"; do
    "$docker_cli" ps -aq --filter "label=$label" 2>/dev/null || true
  done | sort -u
}

# remove_containers IDS: force-removes the containers (ids separated by white space), ignoring failures.
remove_containers() {
  # shellcheck disable=SC2086 # one argument per id
  "$docker_cli" rm -f $1 >/dev/null 2>&1 || true
}
