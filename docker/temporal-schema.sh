#!/bin/sh
# Creates Temporal's two databases on the shared PostgreSQL server and brings their
# schemas to the version the server image expects; safe to run again (create skips an
# existing database, update-schema applies only what is missing). Run by the
# temporal-schema service of docker-compose.yml before the server starts.
set -eu
for store in temporal:temporal temporal_visibility:visibility; do
  database=${store%%:*}
  schema=${store##*:}
  connection="--plugin postgres12 --ep postgres -p 5432 -u $POSTGRES_USER --pw $POSTGRES_PASSWORD --db $database"
  temporal-sql-tool $connection create || true
  temporal-sql-tool $connection setup-schema -v 0.0
  temporal-sql-tool $connection update-schema -d "/etc/temporal/schema/postgresql/v12/$schema/versioned"
done
