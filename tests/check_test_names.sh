#!/usr/bin/env bash
# catch_discover_tests splits a test name at ';' and chokes on '[' (the tag syntax): such a
# test shows "Passed" in ctest while running nothing. Refuse those names.
set -euo pipefail
cd "$(dirname "$0")"
bad=$(grep -rnE 'TEST_CASE\("[^"]*[;[]' --include='*.cpp' . || true)
if [ -n "$bad" ]; then
  echo "test names must not contain ';' or '[' (ctest would run nothing for them):"
  echo "$bad"
  exit 1
fi
echo "test names ok"
