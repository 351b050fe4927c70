#!/usr/bin/env bash
# Checks the school CCTV GeoJSON in a real GIS reader: GDAL's ogrinfo must list as many features as
# there are schools with coordinates in the JSON export.
# Usage: bash Deploy/check-geojson.sh [REGION]   (NADI_DATABASE_URL, or the embedded cluster under NADI_STATE_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
region=${1:-16.71}
nadi=${NADI_BIN:-.build/debug/nadi}
if ! command -v ogrinfo >/dev/null; then
    sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq && "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends gdal-bin
fi
[ -x "$nadi" ] || swift build --product nadi >/dev/null
dir=$(mktemp -d)
state=(--state-dir "${NADI_STATE_DIR:-./nadi-data}")
"$nadi" export school-cctv --region "$region" --format geojson --output "$dir/schools.geojson" "${state[@]}"
"$nadi" export school-cctv --region "$region" --format json --output "$dir/schools.json" "${state[@]}" 2>/dev/null
expected=$(python3 -c 'import json,sys; print(sum(1 for s in json.load(open(sys.argv[1])) if s["lat"] is not None and s["lon"] is not None))' "$dir/schools.json")
found=$(ogrinfo -ro -so -al "$dir/schools.geojson" | sed -n 's/^Feature Count: //p')
ogrinfo -ro -so -al "$dir/schools.geojson" | sed -n '1,12p'
if [ "$found" = "$expected" ]; then
    echo "ok: ogrinfo reads $found features, as many as schools with coordinates"
else
    echo "MISMATCH: ogrinfo reads $found features, expected $expected" >&2
    exit 1
fi
