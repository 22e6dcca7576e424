#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis servers on loopback for the scale-out tests (shared studies,
# queued prediction). `.ci/run` uses it, and so can a developer:
#
#   eval "$(scripts/test-services.sh start /tmp/soma-services)"   # prints export lines
#   npx vitest run test/search/storage-pg.test.ts
#   scripts/test-services.sh stop /tmp/soma-services
#
# PostgreSQL: a fresh cluster (initdb) under DIR/pg on a free port, password auth for user `soma`
# (the tests check wrong credentials), listening on 127.0.0.1 only. initdb and postgres refuse to
# run as root, so as root (CI) the cluster belongs to the `postgres` user Debian's package creates.
# Redis: redis-server --port on 127.0.0.1, daemonized, data under DIR/redis.
# Exports SOMA_TEST_PG_URL and SOMA_TEST_REDIS_URL. Idempotent stop; fatal on any failure.
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x "$d/initdb" ]] && { echo "$d"; return; }
  done
  echo "error: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
  exit 1
}

# Runs a command as the cluster's owner: ourselves, or `postgres` when we are root.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

start() {
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  local bin pgport redisport password
  bin="$(pg_bin)"
  command -v redis-server >/dev/null || { echo "error: redis-server is not installed (apt-get install redis-server)" >&2; exit 1; }
  password="soma-test-$RANDOM$RANDOM"

  # The cluster's directory: DIR/pg, unless the cluster's owner cannot reach it (DIR inside a
  # root-only temp dir); then a directory of its own under /tmp, remembered in DIR/pg-path.
  local pgdir="$dir/pg"
  if [[ "$(id -u)" == 0 ]] && ! runuser -u postgres -- test -x "$dir"; then
    pgdir="$(mktemp -d /tmp/soma-test-pg.XXXXXX)"
  fi
  mkdir -p "$pgdir"
  echo "$pgdir" >"$dir/pg-path"
  [[ "$(id -u)" == 0 ]] && chown postgres: "$pgdir"
  printf '%s\n' "$password" >"$pgdir/pw"
  [[ "$(id -u)" == 0 ]] && chown postgres: "$pgdir/pw"
  as_owner "$bin/initdb" -D "$pgdir/data" -U soma --pwfile="$pgdir/pw" --auth=scram-sha-256 -E UTF8 --no-locale >"$pgdir/initdb.log" 2>&1 \
    || { cat "$pgdir/initdb.log" >&2; exit 1; }
  rm -f "$pgdir/pw"
  pgport="$(free_port)"
  as_owner "$bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $pgport -c unix_socket_directories=$pgdir -c max_connections=100 -c fsync=off" start >/dev/null \
    || { cat "$pgdir/server.log" >&2; exit 1; }
  PGPASSWORD="$password" "$bin/psql" -h 127.0.0.1 -p "$pgport" -U soma -d postgres -qc 'CREATE DATABASE soma_test' >/dev/null

  mkdir -p "$dir/redis"
  redisport="$(free_port)"
  redis-server --bind 127.0.0.1 --port "$redisport" --daemonize yes --dir "$dir/redis" \
    --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log" --save '' --appendonly no
  for _ in $(seq 1 100); do
    redis-cli -h 127.0.0.1 -p "$redisport" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -h 127.0.0.1 -p "$redisport" ping >/dev/null || { cat "$dir/redis/redis.log" >&2; exit 1; }

  {
    echo "export SOMA_TEST_PG_URL='postgresql://soma:$password@127.0.0.1:$pgport/soma_test'"
    echo "export SOMA_TEST_REDIS_URL='redis://127.0.0.1:$redisport'"
  } | tee "$dir/env.sh"
}

stop() {
  [[ -d "$dir" ]] || return 0
  local pgdir="$dir/pg"
  [[ -f "$dir/pg-path" ]] && pgdir="$(cat "$dir/pg-path")"
  if [[ -f "$pgdir/data/postmaster.pid" ]]; then
    as_owner "$(pg_bin)/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null || true
  fi
  [[ "$pgdir" != "$dir/pg" ]] && rm -rf "$pgdir"
  if [[ -f "$dir/redis/redis.pid" ]]; then
    kill "$(cat "$dir/redis/redis.pid")" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
