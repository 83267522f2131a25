#!/usr/bin/env bash
# Installs the Debian packages Steward needs to build, test and run, when any is missing.
# Non-interactive and idempotent; with everything present it only runs dpkg-query (fast).
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libpoco-dev libsqlite3-dev nlohmann-json3-dev libboost-dev catch2 libhowardhinnant-date-dev
  tzdata ca-certificates curl sqlite3 python3
  libarchive-dev zstd supervisor
  prometheus  # only for promtool: the metrics test lints GET /metrics with `promtool check metrics`
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
