#!/bin/sh
# Applies Postgres (Prisma) and ClickHouse migrations, then exits. Both are idempotent,
# so the job can run on every deploy. Needs DATABASE_URL and CLICKHOUSE_URL (plus
# CLICKHOUSE_USER / CLICKHOUSE_PASSWORD / CLICKHOUSE_DATABASE, optional CLICKHOUSE_CLUSTER).
set -eu
cd /app

: "${DATABASE_URL:?DATABASE_URL is required}"
: "${CLICKHOUSE_URL:?CLICKHOUSE_URL is required (production migrations never use embedded chdb)}"

echo "spanlens migrate: postgres (prisma migrate deploy)"
PRISMA_QUERY_ENGINE_LIBRARY="${PRISMA_QUERY_ENGINE_LIBRARY:-/dev/null}" \
  node_modules/.bin/prisma migrate deploy

echo "spanlens migrate: clickhouse${CLICKHOUSE_CLUSTER:+ (ON CLUSTER $CLICKHOUSE_CLUSTER)}"
# Same as `pnpm ch:migrate`, which runs the package script from the package directory.
cd /app/packages/clickhouse
node dist/cli/migrate.js

echo "spanlens migrate: done"
