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
# The suite's tests start daemons, clusters and peers of their own; more than a few at once on a
# 2-core machine starves their timers (measured: all at once took 109-120 s with timing failures,
# six at a time 137 s with none).
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-6}"
swift test --skip-build "$@"
