#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: `pg_cluster.sh start DIR PORT` creates it in
# DIR (initdb, trust authentication for the superuser "steward", no locale so text sorts
# byte-wise as in SQLite), listening on 127.0.0.1:PORT and a unix socket in DIR;
# `pg_cluster.sh stop DIR PORT` stops it by its PID file and removes DIR.
# The tests connect to postgresql://steward@127.0.0.1:PORT/postgres.
#
# PostgreSQL refuses to run as root: as root, the cluster runs as the unprivileged
# `postgres` user that Debian's package creates (or `nobody`), through setpriv.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR PORT" >&2; exit 2; }
[ $# -eq 3 ] || usage
action=$1 dir=$2 port=$3

bin=${STEWARD_PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$bin/initdb" ]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "pg_cluster: initdb not found (install Debian's postgresql package: scripts/deps.sh)" >&2
  exit 1
fi

as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  id -u "$owner" >/dev/null 2>&1 || owner=nobody
  as_owner=(setpriv --reuid="$owner" --regid="$(id -g "$owner")" --clear-groups --)
fi

data="$dir/data"

stop_cluster() {
  [ -f "$data/postmaster.pid" ] || return 0
  local pid
  pid=$(head -n 1 "$data/postmaster.pid")
  # Immediate: the cluster is thrown away, nothing needs a clean checkpoint.
  (cd "$dir" && "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1) ||
    kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "pg_cluster: server $pid did not stop" >&2
  return 1
}

case "$action" in
  start)
    stop_cluster  # a cluster left by an interrupted run
    rm -rf "$dir"
    mkdir -p "$dir"
    [ ${#as_owner[@]} -eq 0 ] || chown "$owner:$(id -g "$owner")" "$dir"
    cd "$dir"
    if ! "${as_owner[@]}" "$bin/initdb" -D "$data" -U steward --auth=trust --no-locale -E UTF8 --no-sync \
        >"$dir/initdb.log" 2>&1; then
      cat "$dir/initdb.log" >&2
      exit 1
    fi
    # Durability settings off: a test cluster lives for one `make test`.
    if ! "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off \
            -c full_page_writes=off -c max_connections=300" start >/dev/null; then
      echo "pg_cluster: the server did not start on 127.0.0.1:$port; its log:" >&2
      cat "$dir/server.log" >&2 || true
      exit 1
    fi
    echo "pg_cluster: postgresql://steward@127.0.0.1:$port/postgres (data in $data)"
    ;;
  stop)
    stop_cluster
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
