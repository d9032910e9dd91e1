#!/usr/bin/env bash
# Builds the sandbox executor image without any container registry:
#   1. executor-image/build-rootfs.sh: Debian bookworm root fs (mmdebstrap, else
#      debootstrap) from this machine's Debian mirror -> `docker import` as
#      localhost/computesandbox-base:<hash12>
#   2. `docker build` of executor-image/Dockerfile FROM that base ->
#      localhost/tgpt-code-executor:<hash12>, also tagged $EXECUTOR_IMAGE.
# Tags are content hashes of the inputs, so an unchanged image is not rebuilt (a
# second run takes about a second). The last line of output (the only line on
# stdout) is the image name to run.
#
# Environment (all optional):
#   EXECUTOR_IMAGE   extra tag (default: $APP_EXECUTOR_IMAGE, else localhost/tgpt-code-executor:local)
#   DOCKER           Docker CLI (default: /usr/bin/docker when present, else docker on PATH)
#   FORCE_REBUILD=1  rebuild both images even if their hash tags exist
#   KEEP_OLD_IMAGES=1  keep superseded <hash12> tags (default: removed unless in use)
#   DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR, ROOTFS_BUILDER, APT_CHECK_VALID_UNTIL:
#                    see executor-image/build-rootfs.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source-path=SCRIPTDIR/..
source scripts/lib/common.sh
script_init build-executor-image --stderr  # stdout carries only the image name

base_repo="localhost/computesandbox-base"
image_repo="localhost/tgpt-code-executor"
extra_tag="${EXECUTOR_IMAGE:-${APP_EXECUTOR_IMAGE:-$image_repo:local}}"

choose_docker_cli

engine_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if ! engine_answers; then
  if [ -f scripts/ensure-docker.sh ]; then
    say "no Docker engine answers; running scripts/ensure-docker.sh"
    bash scripts/ensure-docker.sh >&2 || fail "scripts/ensure-docker.sh failed (see above)."
  fi
  engine_answers || fail "no Docker engine answers ($docker_cli version). Fix: start dockerd (or run scripts/ensure-docker.sh) and make sure this user may use /var/run/docker.sock."
fi

mapfile -t agent_files < <(find executor-image/agent -type f ! -name '*.pyc' ! -path '*/__pycache__/*' | LC_ALL=C sort)
[ ${#agent_files[@]} -gt 0 ] || fail "executor-image/agent is empty; restore it from git."

base_hash="$(executor_base_hash)"
base_image="$base_repo:${base_hash:0:12}"
final_hash="$( { printf 'base %s\n' "$base_hash"; hash_files executor-image/Dockerfile executor-image/.dockerignore "${agent_files[@]}"; } | sha256sum | cut -c1-64)"
final_image="$image_repo:${final_hash:0:12}"

if [ "${FORCE_REBUILD:-0}" != 1 ] && image_exists "$final_image"; then
  say "$final_image is up to date (content hash); nothing to build"
else
  if [ "${FORCE_REBUILD:-0}" != 1 ] && image_exists "$base_image"; then
    say "base $base_image is up to date (content hash)"
  else
    [ "$(id -u)" -eq 0 ] || say "not root: mmdebstrap will try unshare mode (debootstrap needs root)"
    work="$(mktemp -d "${TMPDIR:-/tmp}/computesandbox-image.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
    say "building the root file system (executor-image/build-rootfs.sh)"
    started=$SECONDS
    bash executor-image/build-rootfs.sh "$work/rootfs.tar" ||
      fail "the root file system build failed (see above). Fix the cause (mirror reachable? root?) and run again."
    say "importing it as $base_image"
    docker import \
      -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      -c 'ENV LANG=C.UTF-8' \
      -c 'CMD ["python3"]' \
      -m "ComputeSandbox executor base (rootfs hash ${base_hash:0:12})" \
      "$work/rootfs.tar" "$base_image" >/dev/null
    rm -rf "$work"
    trap - EXIT
    say "base image built in $((SECONDS - started)) s"
  fi

  say "building $final_image from executor-image/Dockerfile"
  started=$SECONDS
  docker build \
    --build-arg "BASE_IMAGE=$base_image" \
    --label "io.computesandbox.content-hash=${final_hash:0:12}" \
    -t "$final_image" \
    -f executor-image/Dockerfile executor-image >&2 ||
    fail "docker build failed (see above)."
  say "image built in $((SECONDS - started)) s"
fi

if [ "$extra_tag" != "$final_image" ]; then
  docker tag "$final_image" "$extra_tag"
  say "tagged $final_image as $extra_tag"
fi
# Superseded hash tags only take disk space (each base is a full root fs). Images
# that a container still uses are kept: `docker rmi` without -f refuses them.
if [ "${KEEP_OLD_IMAGES:-0}" != 1 ]; then
  for repo in "$image_repo" "$base_repo"; do
    keep="$final_image"
    [ "$repo" = "$base_repo" ] && keep="$base_image"
    docker images --format '{{.Repository}}:{{.Tag}}' "$repo" | grep -E ':[0-9a-f]{12}$' | grep -vxF "$keep" |
      while read -r old; do
        if docker rmi "$old" >/dev/null 2>&1; then say "removed superseded image $old"; fi
      done || true
  done
fi

size_bytes="$(docker image inspect --format '{{.Size}}' "$final_image")"
say "image size: $((size_bytes / 1024 / 1024)) MiB"
printf '%s\n' "$extra_tag"
