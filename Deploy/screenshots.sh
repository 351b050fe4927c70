#!/usr/bin/env bash
# Screenshots of the console (overview, device, coverage with the trajectory, schools, a public
# school page) at 1280 px and 390 px, from a fresh demo city: builds, starts `nadid --demo` on a
# free port with its own state directory, waits ~2 minutes so the simulator has pinged, shoots,
# and stops nadid. Output: ./screenshots/*.png (or $1).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-screenshots}"
bash Deploy/setup.sh --test-peers
swift build --product nadid 2>&1 | tail -1
state=$(mktemp -d /tmp/nadi-shots.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.build/debug/nadid --demo --state-dir "$state" --port "$port" >"$state/nadid.log" 2>&1 &
nadid=$!
trap 'kill "$nadid" 2>/dev/null || true; wait "$nadid" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
    [ -s "$state/demo-console" ] && curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
    sleep 1
done
[ -s "$state/demo-console" ] || { tail -30 "$state/nadid.log"; echo "nadid did not start" >&2; exit 1; }
sleep "${NADI_SHOTS_SETTLE:-120}"
python3 Deploy/console_screenshots.py --base "http://127.0.0.1:$port" --password-file "$state/demo-console" --out "$out"
