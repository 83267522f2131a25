#!/usr/bin/env bash
# Benchmark: the scheduler with 100,000 scheduled automations.
#
# Loads 100,000 automations into a fresh store (SQL, after a first daemon start made the
# schema): 1,000 fire every minute, 99,000 once a day spread over the day's 1,440 minutes
# (~69 a minute), so each minute ~1,070 fires fall due at second 0. Each runs `true` with
# sh. Measures start-up time with them loaded, RSS, CPU while idle between fires, and per
# minute the lag from each due instant to its run being created (the scheduler's part)
# and to its start (including waiting for a free worker): p50 / p99 / max.
#
# Usage: bash bench/scheduler.sh [--minutes N]      (after `make build`; BUILD=dir to pick a build)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
STEWARD="$BUILD/bin/steward"
[ -x "$STEWARD" ] || { echo "scheduler bench: $STEWARD not found; run make build first" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "scheduler bench: needs sqlite3 (scripts/deps.sh installs it)" >&2; exit 1; }
WORK=$(mktemp -d)
PIDFILE="$WORK/pids"
cleanup() {
  if [ -f "$PIDFILE" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$PIDFILE"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$HERE/out"
python3 "$HERE/scheduler_bench.py" --steward "$STEWARD" --work "$WORK" --pidfile "$PIDFILE" --out "$HERE/out" "$@"
