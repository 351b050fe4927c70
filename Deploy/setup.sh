#!/usr/bin/env bash
# Installs what Nadi needs from Debian's packages, if it is missing:
# PostgreSQL server and contrib (ltree), the client tools (psql, pg_dump) and libpq headers; FFmpeg
# (nadid judges camera pictures with its blackdetect, freezedetect and blurdetect filters) and fping
# (ICMP probes; Debian installs it with cap_net_raw, so nadid needs no root).
# With --test-peers also the real protocol peers the tests and the demo talk to: net-snmp's snmpd,
# GStreamer's RTSP server (through python3-gi), iproute2 (the SNMP test flips a veth link), and
# Chromium with chromium-driver and Selenium from PyPI (the console's browser test and screenshots),
# Prometheus with promtool (the metrics and rules tests), poppler-utils (the monthly report's PDF is
# read back with pdftotext) and schemathesis from PyPI (the API contract test).
# With --reports: Chromium and fonts, which print the monthly report to PDF (nadi report monthly
# --format pdf, the console's download and scheduled sends).
set -euo pipefail
packages=(postgresql postgresql-contrib postgresql-client libpq-dev ffmpeg fping)
if [ "${1:-}" = "--test-peers" ]; then
    packages+=(snmpd iproute2 python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good chromium chromium-driver fonts-dejavu-core prometheus poppler-utils)
fi
if [ "${1:-}" = "--reports" ]; then
    packages+=(chromium fonts-dejavu-core)
fi
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "nadi setup: installing ${missing[*]}" >&2
    sudo_cmd=()
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "${1:-}" = "--test-peers" ] && ! python3 -c 'import selenium' 2>/dev/null; then
    echo "nadi setup: installing Selenium from PyPI for $(command -v python3)" >&2
    python3 -m pip install -q 'selenium>=4.20' 2>/dev/null || python3 -m pip install -q --break-system-packages 'selenium>=4.20'
fi
if [ "${1:-}" = "--test-peers" ] && ! python3 -c 'import schemathesis' 2>/dev/null; then
    echo "nadi setup: installing schemathesis from PyPI for $(command -v python3)" >&2
    python3 -m pip install -q 'schemathesis>=4.3,<5' 2>/dev/null || python3 -m pip install -q --break-system-packages 'schemathesis>=4.3,<5'
fi
# Debian starts a system cluster on install; Nadi does not need it (it runs its own under the state dir).
echo "nadi setup: PostgreSQL $(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1) ready" >&2
