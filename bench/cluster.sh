#!/usr/bin/env bash
# Benchmark: several daemons on one PostgreSQL (issue 10; docs/operations.md, "Running a
# cluster"). On a throwaway PostgreSQL cluster (tests/pg/pg_cluster.sh) it measures:
#  1. runs/s with 1, 2 and 3 daemons: 16 clients send one-off in-process tool runs
#     (POST /api/v1/run?wait=true, tool system_info, sample_ms 0) round-robin to the daemons for a fixed
#     time; how many complete per second, and how they spread over the daemons;
#  2. scheduler lag with 100,000 scheduled automations and 3 daemons: 1,000 fire every
#     minute, 99,000 daily at spread minutes (as bench/scheduler.sh); per minute the lag from
#     the due instant to the run being created, p50 / p99 / max, and which daemons ran them.
#
# Usage: bash bench/cluster.sh [--seconds N] [--minutes N] [--parts runs|scheduler]   (after `make build`; BUILD=dir)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
STEWARD="$BUILD/bin/steward"
[ -x "$STEWARD" ] || { echo "cluster bench: $STEWARD not found; run make build first" >&2; exit 1; }
command -v psql >/dev/null || { echo "cluster bench: needs psql (scripts/deps.sh installs postgresql)" >&2; exit 1; }
WORK=$(mktemp -d)
chmod 755 "$WORK"
PORT=${PG_PORT:-$((30000 + RANDOM % 20000))}
PIDFILE="$WORK/pids"
cleanup() {
  if [ -f "$PIDFILE" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$PIDFILE"
    sleep 1
  fi
  bash "$ROOT/tests/pg/pg_cluster.sh" stop "$WORK/pg" "$PORT" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
bash "$ROOT/tests/pg/pg_cluster.sh" start "$WORK/pg" "$PORT" >/dev/null
mkdir -p "$HERE/out"
python3 "$HERE/cluster_bench.py" --steward "$STEWARD" --work "$WORK" --pidfile "$PIDFILE" --out "$HERE/out" \
  --server "postgresql://steward@127.0.0.1:$PORT" "$@"
