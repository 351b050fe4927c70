#!/usr/bin/env bash
# A provincial (or national) view of several regencies' Nadi, by PostgreSQL logical replication,
# from Debian's packages. Run as root on each machine.
#
#   on each regency's database server (here Kota Palembang, 16.71):
#     NADI_FEDERATION_PASSWORD=... bash Deploy/federation.sh publisher --region 16.71 --subscriber-host 10.16.0.5
#   on the province's server, once per regency:
#     bash Deploy/federation.sh subscriber --name plg --from 'postgres://nadi_federation:SECRET@10.16.71.5/nadi'
#
# The publisher gets wal_level = logical (a restart), a role nadi_federation that may replicate and
# read the published tables, and a pg_hba.conf line for the subscriber; then `nadi federation
# publish` (nadid is stopped for it and started again: existing ids move into the region's range).
# The subscriber runs `nadi federation subscribe` as PostgreSQL's superuser (PostgreSQL 15 needs
# one to create a subscription) and shows `nadi federation status`. --cluster and --local-port
# pick another Debian cluster than 15/main on 5432. See README "Running at
# provincial and national scale".
set -euo pipefail
role="${1:-}"; shift || true
region=""; peer=""; name=""; from=""; version="${PG_VERSION:-15}"; cluster=main; database="${NADI_DB:-nadi}"; port=5432
while [ $# -gt 0 ]; do
    case "$1" in
        --region) region="$2"; shift 2 ;;
        --subscriber-host) peer="$2"; shift 2 ;;
        --name) name="$2"; shift 2 ;;
        --from) from="$2"; shift 2 ;;
        --pg-version) version="$2"; shift 2 ;;
        --cluster) cluster="$2"; shift 2 ;;
        --local-port) port="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
usage() { sed -n '2,9p' "$0" >&2; exit 2; }
nadi_bin="$(command -v nadi || echo /usr/local/bin/nadi)"
[ -x "$nadi_bin" ] || { echo "nadi is not installed (Deploy/install.sh installs it)" >&2; exit 1; }
local_url="postgres://postgres@/$database?host=/var/run/postgresql&port=$port"
as_postgres() { runuser -u postgres -- env NADI_DATABASE_URL="$local_url" "$@"; }
conf="/etc/postgresql/$version/$cluster"
case "$role" in
    publisher)
        [ -n "$region" ] && [ -n "$peer" ] || usage
        [ -n "${NADI_FEDERATION_PASSWORD:-}" ] || { echo "set NADI_FEDERATION_PASSWORD for the role the province connects as" >&2; exit 2; }
        cat > "$conf/conf.d/nadi-federation.conf" <<CONF
listen_addresses = '*'
wal_level = logical
max_replication_slots = 16
max_wal_senders = 16
CONF
        grep -q "nadi-federation $peer" "$conf/pg_hba.conf" || cat >> "$conf/pg_hba.conf" <<HBA
# nadi-federation $peer: the province's subscription (and its nadi's checks)
host $database nadi_federation $peer/32 scram-sha-256
HBA
        runuser -u postgres -- psql -p "$port" -d "$database" -qc "DO \$\$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nadi_federation') THEN
                CREATE ROLE nadi_federation WITH REPLICATION LOGIN PASSWORD '$NADI_FEDERATION_PASSWORD'; END IF; END \$\$;
            GRANT SELECT ON region, site, device, device_state, status_interval, device_link, incident_ack, target,
                maintenance_window, federation_origin, nadi_migration TO nadi_federation;"
        was_running=no
        if systemctl is-active --quiet nadid 2>/dev/null; then was_running=yes; systemctl stop nadid; fi
        pg_ctlcluster "$version" "$cluster" restart
        as_postgres "$nadi_bin" federation publish --region "$region"
        [ "$was_running" = yes ] && systemctl start nadid
        echo "now, on the province's server: bash Deploy/federation.sh subscriber --name NAME --from 'postgres://nadi_federation:PASSWORD@$(hostname -I | awk '{print $1}')/$database'"
        ;;
    subscriber)
        [ -n "$name" ] && [ -n "$from" ] || usage
        as_postgres "$nadi_bin" federation subscribe --name "$name" --from "$from"
        as_postgres "$nadi_bin" federation status
        ;;
    *) usage ;;
esac
