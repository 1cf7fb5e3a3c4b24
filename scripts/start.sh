#!/usr/bin/env bash
# Starts Spanlens in all-in-one mode (web + ingest + worker in one process) with
# everything it needs. Postgres and Redis run from the OS packages unless DATABASE_URL /
# REDIS_URL are given; ClickHouse is embedded unless CLICKHOUSE_URL is given.
source "$(dirname "$0")/lib/bootstrap.sh"

mkdir -p "$DATA_DIR"
bootstrap_toolchain
ensure_postgres
ensure_local_database "${SPANLENS_PG_DB:-spanlens}"
ensure_redis
trap stop_services EXIT

migrate_postgres
build_all
ensure_auth_secret

export PORT="${PORT:-3000}"
export NEXTAUTH_URL="${NEXTAUTH_URL:-${PUBLIC_URL:-http://localhost:$PORT}}"
export SPANLENS_DATA_DIR="$DATA_DIR"
export NODE_ENV=production
# Startup lines are printed directly; structured logs show warnings and errors unless asked.
export LOG_LEVEL="${LOG_LEVEL:-warn}"

cd "$ROOT"
node apps/all-in-one/dist/main.js &
app_pid=$!
# Ctrl-C reaches the app too (same process group); wait for its graceful shutdown
# before the services it uses are stopped.
trap 'wait "$app_pid" 2>/dev/null' INT TERM
set +e
wait "$app_pid"
status=$?
wait "$app_pid" 2>/dev/null
exit "$status"
