#!/usr/bin/env bash
# Renders the monthly report of a region as PDF and HTML, and a PNG of the PDF's first page (what the
# mayor's office sees), with headless Chromium and poppler's pdftoppm.
# Usage: bash Deploy/render-monthly.sh [REGION] [MONTH YYYY-MM] [OUTPUT_PREFIX]
#   uses NADI_DATABASE_URL, or the embedded cluster under NADI_STATE_DIR (default ./nadi-data);
#   MONTH defaults to the current month (the demo city has only today's history).
set -euo pipefail
cd "$(dirname "$0")/.."
region=${1:-16.71}
month=${2:-$(TZ=Asia/Jakarta date +%Y-%m)}
prefix=${3:-monthly-$region-$month}
nadi=${NADI_BIN:-.build/debug/nadi}
need=()
command -v chromium >/dev/null || need+=(chromium fonts-dejavu-core)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
if ((${#need[@]})); then
    sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq && "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
[ -x "$nadi" ] || swift build --product nadi >/dev/null
state=(--state-dir "${NADI_STATE_DIR:-./nadi-data}")
[ -n "${NADI_DATABASE_URL:-}" ] && state=()
"$nadi" report monthly --region "$region" --month "$month" --format pdf --output "$prefix.pdf" "${state[@]}"
"$nadi" report monthly --region "$region" --month "$month" --format html --output "$prefix.html" "${state[@]}"
pdftoppm -png -r 70 -f 1 -l 1 -singlefile "$prefix.pdf" "$prefix-page1"
echo "wrote $prefix.pdf, $prefix.html, $prefix-page1.png"
