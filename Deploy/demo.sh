#!/usr/bin/env bash
# The quick start: install what is missing, build, and run nadid on the embedded PostgreSQL
# (./nadi-data) with the demo city of Kota Palembang loaded and simulated pings flowing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Deploy/setup.sh
echo "nadi: building (the first build takes a few minutes)…" >&2
swift build --product nadid 2>&1 | tail -1
swift build --product nadi 2>&1 | tail -1
exec .build/debug/nadid --demo --state-dir "${NADI_STATE_DIR:-./nadi-data}" --port "${NADI_PORT:-8080}" "$@"
