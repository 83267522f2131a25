#!/usr/bin/env bash
# Devices benchmark (issue 6): N device connections on loopback held by one process that
# speaks the real protocol (bench/device_swarm.cpp), against a real daemon. Reports hub RSS,
# threads and CPU at idle with all connected, then the time for a group execute of
# `echo ok` on all of them until every result is in. Targets: 1,000 connected <= 100 MiB
# hub RSS; all 1,000 results back <= 3 s.
#   bash bench/devices.sh [N]      (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000}"
BUILD="${BUILD:-build}"
cmake --build "$BUILD" --target runtime device_swarm >/dev/null
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
WORK="$(mktemp -d)"
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$BUILD/bin/steward" serve --data-dir "$WORK/data" --port 0 --device-port 0 --log-level warning \
  --device-auto-approve true --pairing-claims-per-minute 100000 --pairing-claims-global-per-minute 100000 \
  --device-health-interval-s 3600 >"$WORK/out" 2>"$WORK/err" &
PID=$!
for _ in $(seq 100); do grep -q "listening on" "$WORK/out" 2>/dev/null && grep -q "stw_" "$WORK/out" && break; sleep 0.1; done
PORT="$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$WORK/out" | grep -o '[0-9]*$')"
KEY="$(grep -o 'stw_[a-z2-7]*' "$WORK/out" | head -1)"
echo "## Devices: $N connections on one hub ($(nproc) cores, $(date -u +%F))"
echo
"$BUILD/bin/device_swarm" --rest-port "$PORT" --key "$KEY" --hub-pid "$PID" --devices "$N" --idle-s 10
