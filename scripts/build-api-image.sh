#!/usr/bin/env bash
# Builds the API image without any container registry:
#   1. makes sure the local Debian base exists (scripts/build-executor-image.sh builds it:
#      localhost/computesandbox-base:<hash12>);
#   2. `dotnet publish src/Interpreter.Api` for linux-x64, self-contained (the runtime packs come from
#      NuGet); if they do not restore, framework-dependent plus this machine's own .NET runtime;
#   3. `docker build` of src/Interpreter.Api/Dockerfile FROM that base with the published app ->
#      localhost/computesandbox-api:<hash12>, also tagged $API_IMAGE;
#   4. a smoke test: the image starts and answers GET /healthz (inside the container, no network).
# The tag is a content hash of the base and of every input of the build (sources, build props, the
# Dockerfile, the publish mode), so an unchanged image is not rebuilt (a second run takes a few
# seconds). The last line of output (the only line on stdout) is the image name to run.
#
# Environment (all optional):
#   API_IMAGE        extra tag (default: localhost/computesandbox-api:local)
#   PUBLISH_MODE     auto (default: self-contained, else framework-dependent) | self-contained |
#                    framework-dependent
#   DOCKER           Docker CLI (default: /usr/bin/docker when present, else docker on PATH)
#   FORCE_REBUILD=1  rebuild even if the hash tag exists
#   KEEP_OLD_IMAGES=1  keep superseded <hash12> tags of the API image (default: removed unless in use)
#   SKIP_SMOKE_TEST=1  do not start the image after building it
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source-path=SCRIPTDIR/..
source scripts/lib/common.sh
script_init build-api-image --stderr  # stdout carries only the image name

base_repo="localhost/computesandbox-base"
image_repo="localhost/computesandbox-api"
extra_tag="${API_IMAGE:-$image_repo:local}"
publish_mode="${PUBLISH_MODE:-auto}"
dockerfile=src/Interpreter.Api/Dockerfile

case "$publish_mode" in
  auto | self-contained | framework-dependent) ;;
  *) fail "PUBLISH_MODE=$publish_mode is not one of auto, self-contained, framework-dependent." ;;
esac
command -v dotnet >/dev/null 2>&1 || fail "the .NET SDK 10 is missing. Fix: install it (dotnet on PATH) and run again."

choose_docker_cli

if ! docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
  say "no Docker engine answers; running scripts/ensure-docker.sh"
  bash scripts/ensure-docker.sh >&2 || fail "scripts/ensure-docker.sh failed (see above)."
fi

# The base's tag: the same executor_base_hash (scripts/lib/common.sh) as scripts/build-executor-image.sh.
base_hash="$(executor_base_hash)"
base_image="$base_repo:${base_hash:0:12}"
if ! image_exists "$base_image"; then
  say "base $base_image is missing; building it with scripts/build-executor-image.sh (several minutes the first time)"
  KEEP_OLD_IMAGES=1 bash scripts/build-executor-image.sh >/dev/null ||
    fail "scripts/build-executor-image.sh failed (see above)."
  image_exists "$base_image" ||
    fail "scripts/build-executor-image.sh did not produce $base_image; its hash inputs differ from this script's. Fix: make both scripts hash the same files."
fi

mapfile -t source_files < <(find src/Interpreter.Api src/Interpreter.Executor src/Interpreter.Storage -type f \
  ! -path '*/bin/*' ! -path '*/obj/*' | LC_ALL=C sort)
[ ${#source_files[@]} -gt 0 ] || fail "src/ is empty; restore it from git."
build_files=(Directory.Build.props Directory.Packages.props global.json scripts/build-api-image.sh)
for f in nuget.config NuGet.Config; do [ -f "$f" ] && build_files+=("$f"); done
final_hash="$( { printf 'base %s\nmode %s\n' "$base_hash" "$publish_mode"; hash_files "${build_files[@]}" "${source_files[@]}"; } |
  sha256sum | cut -c1-64)"
final_image="$image_repo:${final_hash:0:12}"

# Copies this machine's dotnet host and the shared runtimes the app names into $1.
copy_host_runtime() {
  local dest="$1" runtimeconfig="$2" dotnet_root framework name version
  dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
  if [ ! -x "$dotnet_root/dotnet" ] || [ ! -d "$dotnet_root/host/fxr" ]; then
    fail "no .NET install found at $dotnet_root (dotnet host + host/fxr). Fix: set PUBLISH_MODE=self-contained or install the .NET 10 runtime."
  fi
  mkdir -p "$dest/shared"
  cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$dest/"
  # runtimeconfig.json names the frameworks' major.minor (e.g. 10.0.0); the newest installed patch runs the app.
  version="$(grep -o '"version": *"[0-9]*\.[0-9]*' "$runtimeconfig" | head -n 1 | grep -o '[0-9]*\.[0-9]*$' || true)"
  [ -n "$version" ] || fail "$runtimeconfig names no framework version; the publish output is not what this script expects."
  for framework in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
    name="$(find "$dotnet_root/shared/$framework" -mindepth 1 -maxdepth 1 -type d -name "$version.*" -printf '%f\n' 2>/dev/null |
      grep -E '^[0-9]+\.[0-9]+\.[0-9]+$' | sort -V | tail -n 1 || true)"
    [ -n "$name" ] || fail "$framework $version.x is not installed in $dotnet_root/shared (dotnet --list-runtimes). Fix: install it, or PUBLISH_MODE=self-contained."
    mkdir -p "$dest/shared/$framework"
    cp -a "$dotnet_root/shared/$framework/$name" "$dest/shared/$framework/"
    say "copied $framework $name from $dotnet_root"
  done
}

publish() { # mode output-folder artifacts-folder
  local self_contained=true
  [ "$1" = framework-dependent ] && self_contained=false
  # A separate artifacts folder keeps the RID-specific restore away from the worktree's own obj/ folders,
  # so a build running beside this one is not disturbed.
  dotnet publish src/Interpreter.Api/Interpreter.Api.csproj -c Release -r linux-x64 --self-contained "$self_contained" \
    --artifacts-path "$3" -o "$2" -p:UseAppHost=true -nologo -v quiet >&2
}

if [ "${FORCE_REBUILD:-0}" != 1 ] && image_exists "$final_image"; then
  say "$final_image is up to date (content hash); nothing to build"
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/computesandbox-api-image.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/context/dotnet"
  started=$SECONDS
  mode="$publish_mode"
  if [ "$mode" != framework-dependent ]; then
    say "publishing src/Interpreter.Api (Release, linux-x64, self-contained)"
    if publish self-contained "$work/context/app" "$work/artifacts"; then
      mode=self-contained
    elif [ "$mode" = auto ]; then
      say "the self-contained publish failed (the runtime packs Microsoft.NETCore.App.Runtime.linux-x64 and Microsoft.AspNetCore.App.Runtime.linux-x64 did not restore?); falling back to framework-dependent with this machine's runtime"
      rm -rf "$work/context/app" "$work/artifacts"
      mode="framework-dependent"
    else
      fail "dotnet publish failed (see above). Fix the build, or try PUBLISH_MODE=framework-dependent when the runtime packs do not restore."
    fi
  fi
  if [ "$mode" = framework-dependent ]; then
    say "publishing src/Interpreter.Api (Release, linux-x64, framework-dependent)"
    publish framework-dependent "$work/context/app" "$work/artifacts" || fail "dotnet publish failed (see above)."
    copy_host_runtime "$work/context/dotnet" "$work/context/app/Interpreter.Api.runtimeconfig.json"
  fi
  say "published ($mode) in $((SECONDS - started)) s"

  say "building $final_image from $dockerfile"
  docker build \
    --build-arg "BASE_IMAGE=$base_image" \
    --label "io.computesandbox.content-hash=${final_hash:0:12}" \
    --label "io.computesandbox.publish-mode=$mode" \
    -t "$final_image" \
    -f "$dockerfile" "$work/context" >&2 ||
    fail "docker build failed (see above)."
  rm -rf "$work"
  trap - EXIT
  say "image built in $((SECONDS - started)) s"

  if [ "${SKIP_SMOKE_TEST:-0}" != 1 ]; then
    # Started as the image runs in a pod (its own uid, read-only root, /tmp writable), without network:
    # the API must answer /healthz. The sandbox backend has no engine in here, which /healthz ignores.
    say "smoke test: the image starts and answers GET /healthz"
    # shellcheck disable=SC2016 # expanded by the container's shell
    smoke='/app/Interpreter.Api >/tmp/api.log 2>&1 & pid=$!
      python3 - <<PY || { cat /tmp/api.log; exit 1; }
import time, urllib.request
deadline = time.monotonic() + 60
while True:
    try:
        body = urllib.request.urlopen("http://127.0.0.1:50081/healthz", timeout=2).read().decode()
        print(body)
        break
    except OSError:
        if time.monotonic() > deadline:
            raise SystemExit("no answer on /healthz within 60 s")
        time.sleep(0.5)
PY
      kill $pid'
    if ! out="$(docker run --rm --network none --read-only --tmpfs /tmp --tmpfs /data:uid=10001,gid=10001 \
      --cap-drop ALL --security-opt no-new-privileges --entrypoint sh "$final_image" -c "$smoke" 2>&1)"; then
      docker rmi "$final_image" >/dev/null 2>&1 || true
      printf '%s\n' "$out" >&2
      fail "the image does not start or does not answer /healthz (its output is above); it was removed. Fix the cause and run again."
    fi
    say "smoke test passed: /healthz answered $(printf '%s' "$out" | tail -n 1)"
  fi
fi

if [ "$extra_tag" != "$final_image" ]; then
  docker tag "$final_image" "$extra_tag"
  say "tagged $final_image as $extra_tag"
fi
if [ "${KEEP_OLD_IMAGES:-0}" != 1 ]; then
  docker images --format '{{.Repository}}:{{.Tag}}' "$image_repo" | grep -E ':[0-9a-f]{12}$' | grep -vxF "$final_image" |
    while read -r old; do
      if docker rmi "$old" >/dev/null 2>&1; then say "removed superseded image $old"; fi
    done || true
fi

size_bytes="$(docker image inspect --format '{{.Size}}' "$final_image")"
say "image size: $((size_bytes / 1024 / 1024)) MiB"
printf '%s\n' "$extra_tag"
