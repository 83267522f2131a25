#!/usr/bin/env bash
# Benchmark: Steward vs. adnanh/webhook, one shell command per HTTP request.
#
# Installs `webhook` and `wrk` (Debian packages) when missing, configures webhook to run
# `/bin/sh -c 'echo ok'` per POST and return its output (bench/webhook_hooks.json), and
# measures in one run webhook and Steward's `POST /api/automations/{id}/run?wait=1` of a
# script automation running `echo ok`: sequential p50/p99 over 200 keep-alive requests,
# wrk -t2 -c8 -d10s req/s, idle RSS, start-up time, and whether every run was stored.
# Prints a Markdown table with Steward/webhook ratios; results also go to bench/out/.
#
# Usage: bash bench/webhook_peer.sh         (after `make build`; or `make bench`)
#   BUILD=build-bench bash bench/webhook_peer.sh     use another build directory
# The measurements are driven by bench/webhook_peer.py (options: --help); extra arguments
# to this script are passed to it, e.g. --duration 5.
#
# Everything listens on 127.0.0.1. Every process started is killed by PID on exit and the
# scratch directory is removed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
STEWARD="$BUILD/bin/steward"
OUT="$HERE/out"

if [ ! -x "$STEWARD" ]; then
  echo "webhook_peer: $STEWARD not found; build first (make build, or set BUILD=<build dir>)" >&2
  exit 1
fi

# --- packages -------------------------------------------------------------------------------
packages=(webhook wrk sqlite3 python3)
bash "$HERE/../scripts/apt_install_missing.sh" webhook_peer "${packages[@]}"
for c in webhook wrk sqlite3 python3; do
  command -v "$c" >/dev/null || { echo "webhook_peer: '$c' is not on PATH" >&2; exit 1; }
done

# --- scratch dir and cleanup ----------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/steward-webhook-peer.XXXXXX")
PIDFILE="$WORK/pids"   # "PID COMM" per process started by the driver
: >"$PIDFILE"
DRIVER_PID=""

# Kills by PID only, and only a process that still is what was started (comm matches),
# so a recycled PID is never hit.
kill_started() {
  local sig=$1 pid comm
  while read -r pid comm; do
    [ -n "$pid" ] || continue
    if [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ]; then
      kill "-$sig" "$pid" 2>/dev/null || true
    fi
  done <"$PIDFILE"
}

any_started_alive() {
  local pid comm
  while read -r pid comm; do
    [ -n "$pid" ] || continue
    [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] && return 0
  done <"$PIDFILE"
  return 1
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
    for _ in $(seq 50); do any_started_alive || break; sleep 0.1; done
    kill_started KILL
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$OUT"
echo "webhook_peer: steward $STEWARD; $(nproc) CPU(s), load average $(cut -d' ' -f1-3 /proc/loadavg)"

python3 "$HERE/webhook_peer.py" \
  --steward "$STEWARD" --hooks "$HERE/webhook_hooks.json" --lua "$HERE/post.lua" \
  --work "$WORK" --out "$OUT" --pidfile "$PIDFILE" "$@" &
DRIVER_PID=$!
wait "$DRIVER_PID"
