#!/usr/bin/env bash
# Makes sure a Docker engine answers on /var/run/docker.sock: installs Debian's docker.io and starts
# dockerd when none does. Idempotent; prints what it does.
set -euo pipefail
cd "$(dirname "$0")/.."

sock="${DOCKER_SOCKET:-/var/run/docker.sock}"
docker_cli=/usr/bin/docker

engine_answers() {
  curl -fsS --max-time 3 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1
}

if engine_answers; then
  echo "ensure-docker: engine answers on $sock"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-docker: no Docker engine answers on $sock and this is not root." >&2
  echo "  Fix: start Docker (sudo dockerd &) or run this script as root so it can install and start it." >&2
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1 || [ ! -x "$docker_cli" ]; then
  echo "ensure-docker: installing Debian's docker.io (dockerd and the CLI that builds offline)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq docker.io >/dev/null
fi

# Another dockerd may be starting already (e.g. a parallel run): give it a moment first.
for _ in 1 2 3; do engine_answers && { echo "ensure-docker: engine answers on $sock"; exit 0; }; sleep 1; done

log=/var/log/computesandbox-dockerd.log
echo "ensure-docker: starting dockerd (log: $log)"
rm -f /var/run/docker.pid
setsid dockerd >>"$log" 2>&1 < /dev/null &

for _ in $(seq 1 60); do
  if engine_answers; then
    echo "ensure-docker: engine answers on $sock ($("$docker_cli" version --format '{{.Server.Version}}, API {{.Server.APIVersion}}' 2>/dev/null || echo 'version unknown'))"
    exit 0
  fi
  sleep 1
done

echo "ensure-docker: dockerd did not answer within 60 s; see $log" >&2
tail -n 20 "$log" >&2 || true
exit 1
