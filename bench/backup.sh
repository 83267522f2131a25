#!/usr/bin/env bash
# Benchmark: Steward's backup tool vs. tar + zstd, on one generated tree.
#
# Generates (in a scratch directory, removed at the end) a tree of BACKUP_BENCH_MIB MiB
# (default 1024) of many small text files, medium text/random files and a few large partly
# compressible ones (bench/backup/make_tree.py), then measures in the same run:
#   create: Steward `backup` create (zstd level 3) through a real daemon
#           (`steward serve --port 0`, POST /api/v1/run?wait=1)  vs  tar -cf - | zstd -T1 -3
#   verify: Steward `backup` verify (archive sha256 + every file's sha256 and size)
#           vs  sha256sum archive; zstd -dc | tee >(sha256sum) | tar -tf -
# and prints a Markdown table of MB/s (tree size / wall time) and the Steward/peer ratio.
#
# Usage: bash bench/backup.sh          (after `make build`)
#   BUILD=build-bench bash bench/backup.sh     another build directory
#   BACKUP_BENCH_MIB=256 bash bench/backup.sh  a smaller tree
#   TMPDIR=/some/disk bash bench/backup.sh     where the scratch directory goes (needs ~2x the size)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
STEWARD="$BUILD/bin/steward"
MIB=${BACKUP_BENCH_MIB:-1024}

if [ ! -x "$STEWARD" ]; then
  echo "backup bench: $STEWARD not found; build first (make build, or set BUILD=<build dir>)" >&2
  exit 1
fi
if [ ! -f "$BUILD/lib/steward/plugins/backup.so" ]; then
  echo "backup bench: $BUILD/lib/steward/plugins/backup.so not found; build the backup plugin" >&2
  exit 1
fi
for c in python3 tar zstd sha256sum; do
  command -v "$c" >/dev/null || { echo "backup bench: '$c' is not on PATH" >&2; exit 1; }
done
case "$MIB" in '' | *[!0-9]*) echo "backup bench: BACKUP_BENCH_MIB must be a number of MiB" >&2; exit 1 ;; esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/steward-backup-bench.XXXXXX")
PIDFILE="$WORK/pids"   # "PID COMM" per process the driver started
: >"$PIDFILE"
DRIVER_PID=""

# Kills by PID only, and only a process that still is what was started (comm matches).
kill_started() {
  local pid comm
  while read -r pid comm; do
    [ -n "$pid" ] || continue
    if [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ]; then
      kill "-$1" "$pid" 2>/dev/null || true
    fi
  done <"$PIDFILE"
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$DRIVER_PID" ] && kill -0 "$DRIVER_PID" 2>/dev/null; then
    kill -TERM "$DRIVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$DRIVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DRIVER_PID" 2>/dev/null || true
  fi
  if [ -f "$PIDFILE" ]; then
    kill_started TERM
    sleep 0.5
    kill_started KILL
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "backup bench: generating a ${MIB} MiB tree in $WORK ..."
SECONDS=0
python3 "$HERE/backup/make_tree.py" --root "$WORK/tree" --mib "$MIB"
echo "backup bench: generated in ${SECONDS} s"

python3 "$HERE/backup/drive.py" --steward "$STEWARD" --work "$WORK" --tree "$WORK/tree" --pidfile "$PIDFILE" &
DRIVER_PID=$!
wait "$DRIVER_PID"
