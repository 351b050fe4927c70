#!/usr/bin/env bash
# Longer fault runs than the test suite's: nadid killed with SIGKILL KILLS times (every 1.5 s) while
# four senders push BATCHES batches of 100 pings each and retry whatever was not acknowledged; then
# every acknowledged ping must be stored exactly once. The database-restart, SIGTERM, read-only and
# slow-client tests run alongside. Figures are printed (look for "sigkill:").
#
#   bash Deploy/soak.sh              # 20 kills, 2,000 batches per sender (800,000 pings)
#   bash Deploy/soak.sh 100 10000
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-20}
batches=${2:-2000}
bash Deploy/setup.sh --test-peers
swift build --build-tests 2>&1 | tail -1
NADI_SOAK_KILLS="$kills" NADI_SOAK_BATCHES="$batches" swift test --skip-build \
    --filter "CrashRecoveryTests|DatabaseRestartTests|DaemonProcessTests|ReadOnlyDatabaseTests|SlowClientTests"
