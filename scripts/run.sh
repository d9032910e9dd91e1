#!/usr/bin/env bash
# Starts ComputeSandbox on APP_HTTP_LISTEN_ADDR (default 0.0.0.0:50081): makes sure a Docker engine
# answers, builds the executor image if its inputs changed, builds the API and runs it in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dotnet >/dev/null 2>&1 || {
  echo "run: the .NET SDK 10 is missing; install it (dotnet on PATH) and run again." >&2
  exit 1
}

scripts/ensure-docker.sh
image="$(scripts/build-executor-image.sh | tail -n 1)"
export APP_EXECUTOR_IMAGE="${APP_EXECUTOR_IMAGE:-$image}"

# The service allows no client to spawn work by default (not even loopback). For a local start the
# script allows this machine's own loopback addresses unless the caller set an allowlist or public spawn.
if [ -z "${APP_INTERNAL_IP_ALLOWLIST+x}" ] && [ -z "${APP_INTERNAL_HOST_ALLOWLIST+x}" ] && [ -z "${APP_PUBLIC_SPAWN_ENABLED+x}" ]; then
  export APP_INTERNAL_IP_ALLOWLIST="127.0.0.0/8,::1/128"
  echo "run: APP_INTERNAL_IP_ALLOWLIST not set; allowing loopback clients only ($APP_INTERNAL_IP_ALLOWLIST)"
fi

echo "run: building the API (Release)"
dotnet build src/Interpreter.Api/Interpreter.Api.csproj -c Release -nologo -v quiet
echo "run: starting on ${APP_HTTP_LISTEN_ADDR:-0.0.0.0:50081} with image $APP_EXECUTOR_IMAGE"
exec dotnet src/Interpreter.Api/bin/Release/net10.0/Interpreter.Api.dll
