#!/usr/bin/env bash
# The quick start: install what is missing, build, and run nadid on the embedded PostgreSQL
# (./nadi-data) with the demo city of Kota Palembang loaded and simulated pings flowing. A private
# snmpd on 127.0.0.1 (port $NADI_DEMO_SNMP_PORT, default 16161) stands in for a fiber switch.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Deploy/setup.sh --test-peers
echo "nadi: building (the first build takes a few minutes)…" >&2
swift build --product nadid 2>&1 | tail -1
swift build --product nadi 2>&1 | tail -1
state="${NADI_STATE_DIR:-./nadi-data}"
mkdir -p "$state"
if [ -x /usr/sbin/snmpd ]; then
    port="${NADI_DEMO_SNMP_PORT:-16161}"
    community="demo-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    (umask 077 && printf 'agentAddress udp:127.0.0.1:%s\nrocommunity %s 127.0.0.1\n' "$port" "$community" >"$state/demo-snmpd.conf")
    /usr/sbin/snmpd -f -Lf "$state/demo-snmpd.log" -C -c "$state/demo-snmpd.conf" &
    snmpd_pid=$!
    trap 'kill "$snmpd_pid" 2>/dev/null || true' EXIT
    export NADI_DEMO_SNMP="127.0.0.1:$port:$community"
fi
.build/debug/nadid --demo --state-dir "$state" --port "${NADI_PORT:-8080}" "$@"
