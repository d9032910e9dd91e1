#!/usr/bin/env bash
# Sets up what the tests need (Docker engine, executor image, the PostgreSQL test image), builds the solution and
# runs every test project. Ends with one line "N passed, N failed, N skipped". Exit code 0 only when nothing
# failed.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dotnet >/dev/null 2>&1 || {
  echo "test: the .NET SDK 10 is missing; install it (dotnet on PATH) and run again." >&2
  exit 1
}

scripts/ensure-docker.sh
image="$(scripts/build-executor-image.sh | tail -n 1)"
export COMPUTESANDBOX_TEST_IMAGE="$image"
# Testcontainers (the PostgreSQL suite and the container-level tests) on this machine's engine:
# - DOCKER_API_VERSION: Testcontainers asks for API 1.44, which Engine 20.10 (API 1.41) refuses; use the engine's own.
# - TESTCONTAINERS_RYUK_DISABLED: there is no reaper image here; the fixtures remove their containers by label.
# - TESTCONTAINERS_HOST_OVERRIDE: containers' mapped ports are reached on loopback.
DOCKER_API_VERSION="${DOCKER_API_VERSION:-$(docker version --format '{{.Server.APIVersion}}')}"
export DOCKER_API_VERSION
export TESTCONTAINERS_RYUK_DISABLED="${TESTCONTAINERS_RYUK_DISABLED:-true}"
export TESTCONTAINERS_HOST_OVERRIDE="${TESTCONTAINERS_HOST_OVERRIDE:-127.0.0.1}"
# The metadata contract suite runs against LiteDB and against PostgreSQL in a container of this image (built here).
COMPUTESANDBOX_TEST_POSTGRES_IMAGE="$(scripts/build-postgres-image.sh | tail -n 1)"
export COMPUTESANDBOX_TEST_POSTGRES_IMAGE

# kubectl renders k8s/ in KubernetesManifestTests (Debian's kubernetes-client: kubectl 1.20, the oldest supported).
if ! command -v kubectl >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  echo "test: installing Debian's kubernetes-client (kubectl) for the manifest render check"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq kubernetes-client >/dev/null 2>&1 ||
    { apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq kubernetes-client >/dev/null; } ||
    echo "test: could not install kubectl; the kustomize render tests will be reported as skipped"
fi

# node and npm for Image/BeeAIClientTests (it runs `npm ci` of beeai-framework itself, into artifacts/beeai-client).
if ! { command -v node && command -v npm; } >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  echo "test: installing Debian's nodejs and npm for the BeeAI client test"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq nodejs npm >/dev/null 2>&1 ||
    { apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq nodejs npm >/dev/null; } ||
    echo "test: could not install node and npm; BeeAIClientTests will fail saying so"
fi

# Chromium and its driver run the Swagger UI page in a real headless browser (SwaggerUiBrowserTests); nothing downloads a browser.
if { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; } && [ "$(id -u)" -eq 0 ]; then
  echo "test: installing Debian's chromium and chromium-driver for the Swagger UI browser test"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium chromium-driver >/dev/null 2>&1 ||
    { apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium chromium-driver >/dev/null; } ||
    echo "test: could not install chromium; the Swagger UI browser test will be reported as skipped"
fi

echo "test: building the solution (Release)"
dotnet build ComputeSandbox.sln -c Release -nologo -v quiet

results="artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

status=0
for project in tests/*/*.csproj; do
  name="$(basename "$project" .csproj)"
  echo "test: running $name"
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" || status=1
done

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  total="$(get total)"; executed="$(get executed)"
  p="$(get passed)"; f="$(get failed)"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
done

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "test: a test run failed without reporting a failed test (crash or build problem); see above" >&2
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
