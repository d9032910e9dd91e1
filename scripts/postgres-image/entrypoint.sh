#!/bin/sh
# Entrypoint of the test PostgreSQL image: honours POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB as the
# official image does (Testcontainers.PostgreSql passes them), initialises the cluster on first start and runs
# the server in the foreground listening on every address of the container.
set -eu
user="${POSTGRES_USER:-postgres}"
password="${POSTGRES_PASSWORD:-postgres}"
db="${POSTGRES_DB:-$user}"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
data=/var/lib/postgresql/data
if [ ! -s "$data/PG_VERSION" ]; then
  mkdir -p "$data" /run/postgresql
  chown -R postgres:postgres "$data" /run/postgresql
  printf '%s' "$password" > /tmp/pwfile
  chown postgres /tmp/pwfile
  su postgres -s /bin/sh -c "$bin/initdb -D $data -U '$user' --pwfile=/tmp/pwfile -A scram-sha-256 --auth-local=trust -E UTF8 --no-sync" >/dev/null
  rm -f /tmp/pwfile
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$data/pg_hba.conf"
  echo "host all all ::/0 scram-sha-256" >> "$data/pg_hba.conf"
  if [ "$db" != "postgres" ]; then
    su postgres -s /bin/sh -c "$bin/postgres --single -D $data -c listen_addresses='' postgres" >/dev/null <<SQL
CREATE DATABASE "$db" OWNER "$user";
SQL
  fi
fi
mkdir -p /run/postgresql && chown postgres:postgres /run/postgresql
exec su postgres -s /bin/sh -c "exec $bin/postgres -D $data -c listen_addresses='*' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
