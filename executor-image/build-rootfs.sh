#!/usr/bin/env bash
# Builds the executor image's Debian bookworm root file system from the Debian mirror
# (no container registry needed) and writes it as a tarball for `docker import`.
#
#   executor-image/build-rootfs.sh OUTPUT.tar
#
# mmdebstrap (variant essential + executor-image/packages.txt, no Recommends,
# merged /usr, suites bookworm, bookworm-updates, bookworm-security) with a fallback
# to debootstrap when mmdebstrap is missing or fails. Needs root (or, for
# mmdebstrap, unprivileged user namespaces).
#
# Environment (all optional):
#   DEBIAN_MIRROR           e.g. http://mirror.example/debian (default: this machine's apt sources)
#   DEBIAN_SECURITY_MIRROR  e.g. http://mirror.example/debian-security (default: apt sources,
#                           else DEBIAN_MIRROR with "-security" appended)
#   DEBIAN_SUITE            default bookworm (the image is written for its Python 3.11)
#   ROOTFS_BUILDER          auto (default), mmdebstrap or debootstrap
#   APT_CHECK_VALID_UNTIL   true/false; default: this machine's Acquire::Check-Valid-Until
#                           (false is needed for snapshot mirrors whose Release files expired)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
packages_file="$here/packages.txt"
suite="${DEBIAN_SUITE:-bookworm}"
builder="${ROOTFS_BUILDER:-auto}"
dummy_version="99:0+computesandbox1"

log() { printf 'build-rootfs: %s\n' "$*" >&2; }
die() { printf 'build-rootfs: ERROR: %s\n' "$*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 OUTPUT.tar"
output="$1"
[ -r "$packages_file" ] || die "$packages_file is missing; restore it from git."

# ---------------------------------------------------------------------------------
# Mirrors: taken from this machine's apt sources (deb822 *.sources and one-line
# *.list / sources.list), so the build uses whatever mirror or proxy the host uses.
# ---------------------------------------------------------------------------------

# Prints "<suite> <uri>" for every enabled "deb" source that has the main component.
list_apt_sources() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    awk '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && enabled != "no" && comps ~ /(^| )main( |$)/ && uris != "") {
          split(uris, u, " "); n = split(suites, s, " ")
          for (i = 1; i <= n; i++) print s[i], u[1]
        }
        types = ""; uris = ""; suites = ""; comps = ""; enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      {
        line = $0; key = tolower(line); sub(/:.*/, "", key); val = line; sub(/^[^:]*:[ \t]*/, "", val)
        if (key == "types") types = val; else if (key == "uris") uris = val
        else if (key == "suites") suites = val; else if (key == "components") comps = val
        else if (key == "enabled") enabled = tolower(val)
      }
      END { flush() }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    # deb [options] uri suite component...
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" && NF >= 4 {
      main = 0; for (i = 4; i <= NF; i++) if ($i == "main") main = 1
      if (main) print $3, $2 }'
  done
}

derive_mirrors() {
  local sources main="" security="" s u
  sources="$(list_apt_sources || true)"
  while read -r s u; do
    [ -n "${s:-}" ] || continue
    case "$s" in
      *-security | */updates) [ -n "$security" ] || security="$u" ;;
      *-backports | *-proposed-updates | *-backports-sloppy) ;;
      # Only Debian release names count: third-party repos use their own suites.
      buster | buster-updates | bullseye | bullseye-updates | bookworm | bookworm-updates | \
        trixie | trixie-updates | forky | forky-updates | sid | stable | stable-updates | \
        oldstable | oldstable-updates | testing | testing-updates | unstable)
        [ -n "$main" ] || main="$u" ;;
    esac
  done <<<"$sources"
  DEBIAN_MIRROR="${DEBIAN_MIRROR:-$main}"
  DEBIAN_MIRROR="${DEBIAN_MIRROR%/}"
  [ -n "$DEBIAN_MIRROR" ] || die "no Debian mirror found in /etc/apt/sources.list{,.d/*}. Fix: set DEBIAN_MIRROR=http://<your mirror>/debian (and DEBIAN_SECURITY_MIRROR)."
  if [ -z "${DEBIAN_SECURITY_MIRROR:-}" ]; then
    if [ -n "$security" ]; then
      DEBIAN_SECURITY_MIRROR="$security"
    else
      DEBIAN_SECURITY_MIRROR="${DEBIAN_MIRROR}-security"
      log "no security source in the apt sources; guessing $DEBIAN_SECURITY_MIRROR (set DEBIAN_SECURITY_MIRROR to override)"
    fi
  fi
  DEBIAN_SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR%/}"
}

derive_apt_options() {
  local v=""
  if [ -n "${APT_CHECK_VALID_UNTIL:-}" ]; then
    v="$APT_CHECK_VALID_UNTIL"
  elif command -v apt-config >/dev/null 2>&1; then
    eval "$(apt-config shell v Acquire::Check-Valid-Until)"
  fi
  case "${v,,}" in
    false | no | 0 | off) check_valid_until=false ;;
    *) check_valid_until=true ;;
  esac
}

# ---------------------------------------------------------------------------------
# Package list and dummy packages
# ---------------------------------------------------------------------------------

read_packages() {
  packages=()
  dummies=()
  dummy_reasons=()
  local line name reason
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line%%#*}"
    line="$(printf '%s' "$line" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')"
    [ -n "$line" ] || continue
    if [[ "$line" == dummy:* ]]; then
      line="$(printf '%s' "${line#dummy:}" | sed -e 's/^[[:space:]]*//')"
      name="${line%%[[:space:]]*}"
      reason="$(printf '%s' "${line#"$name"}" | sed -e 's/^[[:space:]]*//')"
      dummies+=("$name")
      dummy_reasons+=("${reason:-not needed at run time}")
    else
      packages+=("$line")
    fi
  done <"$packages_file"
  [ ${#packages[@]} -gt 0 ] || die "$packages_file lists no packages."
}

# An empty package with the dummied name and a version above any real one, so apt
# prefers it and every dependency on the name (versioned or not) is satisfied.
build_dummies() {
  local dir="$1" i name reason src
  mkdir -p "$dir"
  for i in "${!dummies[@]}"; do
    name="${dummies[$i]}"
    reason="${dummy_reasons[$i]}"
    src="$work/dummy-src/$name"
    mkdir -p "$src/DEBIAN"
    cat >"$src/DEBIAN/control" <<EOF
Package: $name
Version: $dummy_version
Architecture: all
Multi-Arch: foreign
Section: misc
Priority: optional
Maintainer: ComputeSandbox executor image <root@localhost>
Description: empty placeholder for $name
 Installed by the ComputeSandbox executor image build so that packages that
 depend on $name install without it: $reason.
 It contains no files.
EOF
    dpkg-deb --root-owner-group -Zgzip --build "$src" "$dir/${name}_dummy_all.deb" >/dev/null
  done
}

dpkg_excludes() {
  cat <<'EOF'
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-exclude=/usr/share/lintian/*
path-exclude=/usr/share/bug/*
EOF
}

# ---------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------

build_with_mmdebstrap() {
  local root="$1" include opts=() line deb
  # apt (outside) hands the placeholder .deb paths verbatim to dpkg (inside the
  # chroot); the file-mirror-automount hook makes them visible there.
  include="$(IFS=,; echo "${packages[*]}")"
  for deb in "$work"/dummies/*.deb; do
    [ -e "$deb" ] && include="$include,$deb"
  done
  while IFS= read -r line; do opts+=("--dpkgopt=$line"); done < <(dpkg_excludes)
  if [ "$check_valid_until" = false ]; then
    opts+=('--aptopt=Acquire::Check-Valid-Until "false"')
  fi
  log "mmdebstrap: $suite (+ -updates, -security) from $DEBIAN_MIRROR and $DEBIAN_SECURITY_MIRROR"
  mmdebstrap --variant=essential --format=directory \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount \
    --aptopt='APT::Install-Recommends "false"' \
    --aptopt='APT::Install-Suggests "false"' \
    "${opts[@]}" \
    --include="$include" \
    "$suite" "$root" \
    "deb $DEBIAN_MIRROR $suite main" \
    "deb $DEBIAN_MIRROR $suite-updates main" \
    "deb $DEBIAN_SECURITY_MIRROR $suite-security main"
}

build_with_debootstrap() {
  local root="$1" keyring=()
  [ "$(id -u)" -eq 0 ] || die "debootstrap needs root. Fix: run as root (sudo), or install mmdebstrap."
  [ -r /usr/share/keyrings/debian-archive-keyring.gpg ] &&
    keyring=(--keyring=/usr/share/keyrings/debian-archive-keyring.gpg)
  log "debootstrap: $suite (minbase) from $DEBIAN_MIRROR"
  debootstrap --variant=minbase --merged-usr "${keyring[@]}" "$suite" "$root" "$DEBIAN_MIRROR" >&2
  cat >"$root/etc/apt/sources.list" <<EOF
deb $DEBIAN_MIRROR $suite main
deb $DEBIAN_MIRROR $suite-updates main
deb $DEBIAN_SECURITY_MIRROR $suite-security main
EOF
  {
    echo 'APT::Install-Recommends "false";'
    echo 'APT::Install-Suggests "false";'
    [ "$check_valid_until" = true ] || echo 'Acquire::Check-Valid-Until "false";'
  } >"$root/etc/apt/apt.conf.d/90computesandbox"
  dpkg_excludes >"$root/etc/dpkg/dpkg.cfg.d/90computesandbox-excludes"
  mkdir -p "$root/tmp/dummies"
  cp "$work"/dummies/*.deb "$root/tmp/dummies/" 2>/dev/null || true
  mount -t proc proc "$root/proc"
  local -a env=(env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8)
  if compgen -G "$root/tmp/dummies/*.deb" >/dev/null; then
    chroot "$root" "${env[@]}" sh -c 'dpkg -i /tmp/dummies/*.deb' >&2
  fi
  chroot "$root" "${env[@]}" apt-get update >&2
  chroot "$root" "${env[@]}" apt-get -y dist-upgrade >&2
  chroot "$root" "${env[@]}" apt-get -y install "${packages[@]}" >&2
  chroot "$root" "${env[@]}" apt-get clean >&2
  umount "$root/proc"
  rm -rf "$root/tmp/dummies"
}

# Removes what a sandbox never needs: package caches and lists, logs, docs (the
# copyright files stay), man pages, translations, test suites.
finish_rootfs() {
  local root="$1"
  log "trimming caches, logs, docs, man pages, translations and test suites"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
    "$root"/var/lib/dpkg/*-old "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/usr/share/lintian "$root"/usr/share/bug "$root"/tmp/* "$root"/var/tmp/*
  find "$root/var/log" -type f -delete 2>/dev/null || true
  if [ -d "$root/usr/share/doc" ]; then
    find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
    find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  fi
  if [ -d "$root/usr/share/locale" ]; then
    find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  fi
  # Test suites go after installation: excluding them from dpkg makes the
  # packages' py3compile postinst scripts fail.
  if [ -d "$root/usr/lib/python3/dist-packages" ]; then
    find "$root/usr/lib/python3/dist-packages" -depth -type d -name tests -exec rm -rf {} +
  fi
  # Docker provides these at run time.
  rm -f "$root/etc/resolv.conf" "$root/etc/hostname"
}

# ---------------------------------------------------------------------------------

work="$(mktemp -d "${TMPDIR:-/tmp}/computesandbox-rootfs.XXXXXX")"
chmod 0755 "$work" # mmdebstrap's unshare mode reads the placeholder .debs as another uid
# A failed mmdebstrap run can leave its hooks' bind mounts behind.
unmount_below() {
  local m
  awk -v p="$1/" 'index($2, p) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
}
cleanup() {
  unmount_below "$work"
  # --one-file-system: never descend into anything still mounted inside the root.
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

derive_mirrors
derive_apt_options
read_packages
log "packages: ${packages[*]}"
[ ${#dummies[@]} -eq 0 ] || log "empty placeholders for: ${dummies[*]}"
command -v dpkg-deb >/dev/null || die "dpkg-deb is missing. Fix: apt-get install dpkg (this script needs a Debian-like host)."
build_dummies "$work/dummies"

# A fresh machine has neither builder: as root, install mmdebstrap (and debootstrap as its fallback) from
# the machine's own Debian mirror, so scripts/test.sh works on a clean checkout.
if ! command -v mmdebstrap >/dev/null 2>&1 && ! command -v debootstrap >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] &&
  command -v apt-get >/dev/null 2>&1; then
  log "installing mmdebstrap and debootstrap (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 || log "apt-get update failed; trying the install anyway"
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq mmdebstrap debootstrap >&2 ||
    log "could not install mmdebstrap/debootstrap (see above)"
fi

root="$work/rootfs"
built=false
if [ "$builder" = auto ] || [ "$builder" = mmdebstrap ]; then
  if command -v mmdebstrap >/dev/null 2>&1; then
    if build_with_mmdebstrap "$root"; then
      built=true
    elif [ "$builder" = mmdebstrap ]; then
      die "mmdebstrap failed (see above). Fix the cause or try ROOTFS_BUILDER=debootstrap."
    else
      log "mmdebstrap failed; falling back to debootstrap"
      unmount_below "$root"
      rm -rf --one-file-system "$root"
    fi
  elif [ "$builder" = mmdebstrap ]; then
    die "mmdebstrap is not installed. Fix: apt-get install mmdebstrap"
  else
    log "mmdebstrap is not installed; using debootstrap"
  fi
fi
if [ "$built" = false ]; then
  [ "$builder" != mmdebstrap ] || die "unreachable"
  command -v debootstrap >/dev/null 2>&1 ||
    die "neither mmdebstrap nor debootstrap works here. Fix: apt-get install mmdebstrap (or debootstrap)."
  build_with_debootstrap "$root"
fi

finish_rootfs "$root"

log "writing $output"
mkdir -p "$(dirname "$output")"
tar --numeric-owner --sort=name --exclude='./dev/*' -C "$root" -cf "$output.partial" .
mv -f "$output.partial" "$output"
log "root file system: $(du -sh --apparent-size "$root" | cut -f1) unpacked"
