#!/usr/bin/env bash
# Installs what Steward needs to build, test and run, when any of it is missing: the Debian
# packages, Node.js, the pinned OpenAPI tools (tools/openapi: Redocly lint, Ajv) that the
# build and `make test` use, and playwright-core for the browser tests (tests/ui). Non-interactive and idempotent; with everything present it only
# runs dpkg-query and two stat calls (fast, and no network).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake pkg-config
  libpoco-dev libsqlite3-dev nlohmann-json3-dev libboost-dev catch2 libhowardhinnant-date-dev
  tzdata ca-certificates curl sqlite3 python3
  libarchive-dev zstd supervisor
  libpq-dev   # the PostgreSQL store (--database postgresql://…) is built on libpq
  postgresql  # initdb/pg_ctl: `make test` runs the store tests on a throwaway cluster too
  prometheus  # only for promtool: the metrics test lints GET /metrics with `promtool check metrics`
  jq          # tools/openapi/lint.sh reads Redocly's JSON report
  chromium    # the dashboard's browser tests (tests/ui) drive it through playwright-core
)
# Node.js builds the OpenAPI document into the daemon and runs its lint and validation. Only
# when `node` is missing: a NodeSource nodejs (which bundles npm) must not get Debian's npm
# installed over it.
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

bash "$root/scripts/apt_install_missing.sh" deps "${packages[@]}"

# The OpenAPI tools, exactly as pinned in package-lock.json. npm writes
# node_modules/.package-lock.json at the end of an install: when it is there and newer than
# the lock file, the install is complete and current, and npm (and the network) is skipped.
tools="$root/tools/openapi"
if [ ! -f "$tools/node_modules/.package-lock.json" ] || [ "$tools/package-lock.json" -nt "$tools/node_modules/.package-lock.json" ]; then
  echo "deps: installing the OpenAPI tools (npm ci in tools/openapi)"
  npm ci --prefix "$tools" --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null
  echo "deps: done"
fi

# playwright-core for the dashboard's browser tests, pinned in tests/ui/package-lock.json; the
# same "installed and current" check. It drives Debian's chromium (above): no browser download.
ui="$root/tests/ui"
if [ ! -f "$ui/node_modules/.package-lock.json" ] || [ "$ui/package-lock.json" -nt "$ui/node_modules/.package-lock.json" ]; then
  echo "deps: installing playwright-core (npm ci in tests/ui)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$ui" --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null
  echo "deps: done"
fi
