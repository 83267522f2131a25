#!/usr/bin/env bash
# Lints an OpenAPI file with Redocly (offline, config tools/openapi/redocly.yaml) and fails
# on any error or warning: `redocly lint` alone exits 0 on warnings. Prints one line per
# problem. Usage: lint.sh SPEC.yaml   (the ctest entry openapi:lint passes the spliced spec).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
spec=${1:?usage: lint.sh SPEC.yaml}
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  "$here/node_modules/.bin/redocly" lint --config "$here/redocly.yaml" --lint-config error \
  --format json --max-problems 1000 "$spec" >"$out" 2>"$err"
rc=$?

# No JSON report: Redocly itself failed (bad config, unreadable file); show what it said.
if ! jq -e '.totals' "$out" >/dev/null 2>&1; then
  cat "$err" "$out"
  echo "lint.sh: redocly lint gave no report (exit $rc)"
  exit 1
fi

jq -r --arg spec "$spec" '.problems[] |
  "\(.severity)\t\($spec):\(.location[0].start.line // "?"):\(.location[0].start.col // "?")\t\(.ruleId)\t\(.message)\t\(.location[0].pointer // "")"' "$out"
errors=$(jq '.totals.errors' "$out")
warnings=$(jq '.totals.warnings' "$out")
echo "openapi lint: $errors errors, $warnings warnings ($spec)"
[ "$errors" -eq 0 ] && [ "$warnings" -eq 0 ] && [ "$rc" -eq 0 ]
