#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds everything (the tests start the built
# nadid as a process), then runs the tests. Tests start their own throwaway PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Deploy/setup.sh --test-peers
log=$(mktemp)
echo "nadi: building (debug, with tests)…" >&2
if ! swift build --build-tests >"$log" 2>&1; then
    tail -60 "$log"
    exit 1
fi
tail -1 "$log"
swift test --skip-build "$@"
