#!/usr/bin/env bash
# Builds the PostgreSQL image the storage tests run in (through Testcontainers) without a container registry:
# a Debian bookworm root file system with Debian's postgresql, made by mmdebstrap from this machine's apt
# sources, imported with `docker import`, plus scripts/postgres-image/entrypoint.sh (which honours
# POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB). Idempotent: the tag is a hash of the inputs, and an image
# with that tag is reused. The last line of stdout is the image reference.
#
#   scripts/build-postgres-image.sh            # prints e.g. localhost/computesandbox-postgres:3f2a9c1b7d4e
#
# Environment (optional): POSTGRES_IMAGE (repository, default localhost/computesandbox-postgres),
# DEBIAN_MIRROR (default http://deb.debian.org/debian, as this machine's apt sources name it).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "build-postgres-image: $*" >&2; }
die() { echo "build-postgres-image: ERROR: $*" >&2; exit 1; }

repository="${POSTGRES_IMAGE:-localhost/computesandbox-postgres}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
packages="postgresql-15,postgresql-client-15,locales-all"
here=scripts/postgres-image

command -v docker >/dev/null || die "docker is not on PATH. Fix: install the Docker client and start the engine."
docker version >/dev/null 2>&1 || die "the Docker engine does not answer. Fix: start it (scripts/ensure-docker.sh)."
command -v mmdebstrap >/dev/null || die "mmdebstrap is missing. Fix: apt-get install mmdebstrap."

hash="$( { echo "$mirror $packages"; cat "$0" "$here/entrypoint.sh"; } | sha256sum | cut -c1-12)"
image="$repository:$hash"
if docker image inspect "$image" >/dev/null 2>&1; then
  say "$image exists; reusing it"
  echo "$image"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
say "building a bookworm root file system with $packages from $mirror (a few minutes)"
mmdebstrap --variant=apt --include="$packages" \
  --components=main \
  --customize-hook='rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*' \
  --customize-hook="upload $here/entrypoint.sh /usr/local/bin/postgres-entrypoint" \
  --customize-hook='chmod 0755 "$1"/usr/local/bin/postgres-entrypoint' \
  --customize-hook='rm -rf "$1"/var/lib/postgresql/15/main "$1"/etc/postgresql/15/main' \
  bookworm "$work/rootfs.tar" \
  "deb $mirror bookworm main" "deb $mirror bookworm-updates main" "deb ${mirror}-security bookworm-security main" >&2 \
  || die "mmdebstrap failed (see above). Fix: check that this machine reaches $mirror (apt-get update), or set DEBIAN_MIRROR."

say "importing as $image"
docker import \
  --change 'ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]' \
  --change 'EXPOSE 5432' \
  --change 'ENV LANG=C.UTF-8 PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "LABEL org.computesandbox.inputs=$hash" \
  "$work/rootfs.tar" "$image" >&2
echo "$image"
