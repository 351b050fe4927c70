#!/usr/bin/env bash
# Installs nadid and nadi as a service against an existing PostgreSQL (run as root):
# release binaries to /usr/local/bin, SQL and reference data to /usr/local/share/nadi,
# a dedicated `nadi` user, /etc/nadi/nadid.env (0640 root:nadi) and the systemd unit.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
bash Deploy/setup.sh
swift build -c release --product nadid
swift build -c release --product nadi
install -m 0755 .build/release/nadid .build/release/nadi /usr/local/bin/
install -d /usr/local/share/nadi/SQL /usr/local/share/nadi/data/schools
install -m 0644 SQL/*.sql /usr/local/share/nadi/SQL/
install -m 0644 Sources/NadiStore/Resources/*.csv Sources/NadiStore/Resources/SOURCES.md /usr/local/share/nadi/data/
install -m 0644 Sources/NadiStore/Resources/schools/*.csv /usr/local/share/nadi/data/schools/
install -d /usr/local/share/nadi/templates
install -m 0644 Sources/NadiConsole/Templates/* /usr/local/share/nadi/templates/
id nadi >/dev/null 2>&1 || useradd --system --home-dir /var/lib/nadi --shell /usr/sbin/nologin nadi
install -d -m 0750 -o root -g nadi /etc/nadi
[ -f /etc/nadi/nadid.env ] || install -m 0640 -o root -g nadi Deploy/nadid.env.example /etc/nadi/nadid.env
install -m 0644 Deploy/nadid.service /etc/systemd/system/nadid.service
systemctl daemon-reload 2>/dev/null || true
echo "edit /etc/nadi/nadid.env, run: NADI_DATABASE_URL=… nadi migrate && nadi regions import --builtin; then: systemctl enable --now nadid"
