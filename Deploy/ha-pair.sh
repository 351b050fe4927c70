#!/usr/bin/env bash
# A PostgreSQL primary with a synchronous hot standby for Nadi, from Debian's packages.
#
#   on the primary:  bash Deploy/ha-pair.sh primary  --standby-host 10.0.0.12
#   on the standby:  bash Deploy/ha-pair.sh standby  --primary-host 10.0.0.11
#
# Then give nadid both servers (it uses whichever is the primary and follows a failover):
#   NADI_DATABASE_URL='postgres://nadi:SECRET@10.0.0.11,10.0.0.12/nadi?target_session_attrs=read-write'
# Both servers must also let nadid and nadi in (pg_hba.conf: host nadi nadi <app-server>/32 scram-sha-256).
# Promote the standby when the primary is gone: `pg_ctlcluster 15 main promote` on it (or let
# pg_auto_failover's monitor do it: Debian package pg-auto-failover-cli).
#
# Synchronous: a commit (so a 200 from nadid) returns only once the standby has the WAL, so a
# promoted standby has every acknowledged ping. With no standby connected the primary waits;
# `ALTER SYSTEM SET synchronous_standby_names = ''` on it lets it go on alone (acknowledged then
# means "on the primary only"). See README "Running at provincial and national scale".
set -euo pipefail
role="${1:-}"; shift || true
peer=""; version="${PG_VERSION:-15}"; cluster=main; replicator_password="${NADI_REPLICATION_PASSWORD:-}"
while [ $# -gt 0 ]; do
    case "$1" in
        --standby-host|--primary-host) peer="$2"; shift 2 ;;
        --pg-version) version="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
if [ -z "$role" ] || [ -z "$peer" ]; then
    sed -n '2,9p' "$0" >&2
    exit 2
fi
if [ -z "$replicator_password" ]; then
    echo "set NADI_REPLICATION_PASSWORD (the same on both machines) for the replication role" >&2
    exit 2
fi
command -v pg_ctlcluster >/dev/null || { apt-get update -qq && apt-get install -y -qq "postgresql-$version"; }
conf="/etc/postgresql/$version/$cluster"
data="/var/lib/postgresql/$version/$cluster"
case "$role" in
    primary)
        runuser -u postgres -- psql -qc "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'replicator') THEN
            CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '$replicator_password'; END IF; END \$\$"
        cat > "$conf/conf.d/nadi-ha.conf" <<CONF
listen_addresses = '*'
wal_level = replica
max_wal_senders = 10
# The standby's application_name (below); commits wait for it.
synchronous_standby_names = 'nadi_standby'
synchronous_commit = on
CONF
        grep -q "nadi-ha" "$conf/pg_hba.conf" || cat >> "$conf/pg_hba.conf" <<HBA
# nadi-ha: streaming replication from the standby
host replication replicator $peer/32 scram-sha-256
HBA
        pg_ctlcluster "$version" "$cluster" restart
        echo "primary ready; now run on $peer: bash Deploy/ha-pair.sh standby --primary-host $(hostname -I | awk '{print $1}')"
        ;;
    standby)
        pg_ctlcluster "$version" "$cluster" stop || true
        rm -rf "$data"
        runuser -u postgres -- env PGPASSWORD="$replicator_password" \
            pg_basebackup -h "$peer" -U replicator -D "$data" -X stream -R -c fast
        # application_name names this standby in the primary's synchronous_standby_names.
        runuser -u postgres -- sed -i "s/^primary_conninfo = '/primary_conninfo = 'application_name=nadi_standby /" "$data/postgresql.auto.conf"
        cat > "$conf/conf.d/nadi-ha.conf" <<CONF
listen_addresses = '*'
hot_standby = on
CONF
        pg_ctlcluster "$version" "$cluster" start
        echo "standby streaming from $peer; check on the primary: SELECT application_name, sync_state FROM pg_stat_replication"
        ;;
    *) echo "role must be primary or standby" >&2; exit 2 ;;
esac
