#!/usr/bin/env bash
# Longer fault runs than the test suite's: nadid killed with SIGKILL KILLS times (every EVERY seconds) while
# four senders push BATCHES batches of 100 pings each and retry whatever was not acknowledged; then
# every acknowledged ping must be stored exactly once. The database-restart, SIGTERM, read-only and
# slow-client tests run alongside. Figures are printed (look for "sigkill:").
#
#   bash Deploy/soak.sh              # 10 kills 20 s apart, 1,000 batches per sender (400,000 pings)
#   bash Deploy/soak.sh 50 5000 20
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-10}
batches=${2:-1000}
every=${3:-20}
bash Deploy/setup.sh --test-peers
swift build --build-tests 2>&1 | tail -1
NADI_SOAK_KILLS="$kills" NADI_SOAK_BATCHES="$batches" NADI_SOAK_KILL_EVERY="$every" swift test --skip-build \
    --filter "CrashRecoveryTests|DatabaseRestartTests|DaemonProcessTests|ReadOnlyDatabaseTests|SlowClientTests"
