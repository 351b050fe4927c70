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
# Every child a test starts is written to a ledger (SpawnedProcess); one still running after the
# suite outlived it: it is named, killed, and the run fails.
ledger=$(mktemp)
export NADI_CHILD_LEDGER="$ledger"
status=0
swift test --skip-build "$@" || status=$?
outlived=0
while read -r pid start program; do
    [ -r "/proc/$pid/stat" ] || continue
    fields=$(sed 's/.*) //' "/proc/$pid/stat")
    [ "$(echo "$fields" | awk '{print $20}')" = "$start" ] || continue
    [ "$(echo "$fields" | awk '{print $1}')" != "Z" ] || continue
    echo "nadi: a process the suite started outlived it: pid $pid ($program)" >&2
    kill -9 "$pid" 2>/dev/null || true
    outlived=1
done <"$ledger"
rm -f "$ledger"
if [ "$outlived" -ne 0 ] && [ "$status" -eq 0 ]; then status=1; fi
exit "$status"
