#!/usr/bin/env bash
# Makes sure a PostgreSQL server for the tests answers on 127.0.0.1:${COMPUTESANDBOX_PG_PORT:-55432}: installs
# Debian's postgresql when missing, creates a cluster of its own (not the system's "main" one) in
# ${COMPUTESANDBOX_PG_DIR:-/var/tmp/computesandbox-postgres}, starts it on the loopback address only and creates
# the test role and database. Idempotent; prints what it does; the last line is the Npgsql connection string.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${COMPUTESANDBOX_PG_PORT:-55432}"
data="${COMPUTESANDBOX_PG_DIR:-/var/tmp/computesandbox-postgres}"
role=computesandbox
password=computesandbox
database=computesandbox_test
log="$data.log"

say() { echo "ensure-postgres: $*" >&2; }

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

bin="$(find_bin)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    say "PostgreSQL is not installed and this is not root."
    say "  Fix: sudo apt-get install postgresql, or run this script as root so it can install it."
    exit 1
  fi
  say "installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq postgresql >/dev/null
  bin="$(find_bin)"
  [ -x "$bin/initdb" ] || { say "postgresql installed, but no initdb under /usr/lib/postgresql/*/bin"; exit 1; }
fi

# The server refuses to run as root: as root, the cluster belongs to the postgres user.
if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  as_owner() { runuser -u "$owner" -- "$@"; }
else
  owner="$(id -un)"
  as_owner() { "$@"; }
fi

psql_admin() {
  as_owner "$bin/psql" -h "$data" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"
}

if [ ! -s "$data/PG_VERSION" ]; then
  say "creating a cluster in $data (owner $owner)"
  mkdir -p "$data"
  chown "$owner" "$data"
  chmod 700 "$data"
  as_owner "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
fi

if as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  say "server running in $data"
else
  say "starting the server on 127.0.0.1:$port (log: $log)"
  touch "$log"
  chown "$owner" "$log"
  # A test cluster: durability is not needed, speed is.
  as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    >/dev/null || { say "the server did not start; see $log"; tail -n 20 "$log" >&2; exit 1; }
fi

if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" != "1" ]; then
  say "creating role $role"
  psql_admin -c "CREATE ROLE $role LOGIN PASSWORD '$password'"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$database'")" != "1" ]; then
  say "creating database $database"
  psql_admin -c "CREATE DATABASE $database OWNER $role"
fi

say "ready on 127.0.0.1:$port, database $database"
echo "Host=127.0.0.1;Port=$port;Username=$role;Password=$password;Database=$database"
