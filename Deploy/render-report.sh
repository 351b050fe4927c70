#!/usr/bin/env bash
# Renders the HTML coverage report with headless Chromium (Debian's `chromium`): a desktop PNG, a
# phone-width PNG and an A4 PDF, to look at what a planner sees.
# Usage: bash Deploy/render-report.sh [REGION] [OUTPUT_PREFIX]
#   uses NADI_DATABASE_URL, or the embedded cluster under NADI_STATE_DIR (default ./nadi-data).
set -euo pipefail
cd "$(dirname "$0")/.."
region=${1:-16.71}
prefix=${2:-report}
nadi=${NADI_BIN:-.build/debug/nadi}
if ! command -v chromium >/dev/null; then
    sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq && "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
fi
[ -x "$nadi" ] || swift build --product nadi >/dev/null
"$nadi" coverage --region "$region" --format html --output "$prefix.html" --state-dir "${NADI_STATE_DIR:-./nadi-data}"
html="file://$(realpath "$prefix.html")"
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-dev-shm-usage)
chromium "${flags[@]}" --window-size=1200,2600 --screenshot="$(realpath -m "$prefix-desktop.png")" "$html" 2>/dev/null
chromium "${flags[@]}" --window-size=390,3200 --screenshot="$(realpath -m "$prefix-phone.png")" "$html" 2>/dev/null
chromium "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$(realpath -m "$prefix.pdf")" "$html" 2>/dev/null
echo "wrote $prefix.html, $prefix-desktop.png, $prefix-phone.png, $prefix.pdf"
