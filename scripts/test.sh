#!/usr/bin/env bash
# Runs every test suite: lint and types, unit, integration against real Postgres, Redis
# and embedded ClickHouse, then Playwright in Debian's Chromium against the built app.
# Exits non-zero on the first failing suite.
source "$(dirname "$0")/lib/bootstrap.sh"

mkdir -p "$DATA_DIR"
bootstrap_toolchain
apt_install chromium
ensure_postgres
ensure_redis
trap stop_services EXIT

step() { printf '\n\033[1;34m[spanlens test]\033[0m %s\n' "$*" >&2; }

# Tests get databases of their own; the dev/demo data in `spanlens` is never touched.
PG_BASE_URL="${DATABASE_URL%/*}"
if [ -f "$DATA_DIR/postgres/PG_VERSION" ]; then
  ensure_local_database spanlens_test
  psql -h "$DATA_DIR/postgres" -p "$PG_PORT" -U spanlens -d postgres -qc "drop database if exists spanlens_e2e with (force)" >/dev/null
  ensure_local_database spanlens_e2e
fi
REDIS_BASE_URL="${REDIS_URL%/}"

cd "$ROOT"
generate_prisma_client

step "lint"
pnpm -s lint

step "typecheck"
# Not silent: -s would also hide the compiler's errors, leaving only the exit code.
pnpm -r typecheck

step "unit tests"
pnpm -s vitest run --project unit

step "integration tests"
DATABASE_URL="$PG_BASE_URL/spanlens_test" pnpm -s prisma migrate deploy >/dev/null
DATABASE_URL="$PG_BASE_URL/spanlens_test" REDIS_URL="$REDIS_BASE_URL/1" NODE_ENV=test \
  pnpm -s vitest run --project integration

step "build"
build_all

step "end-to-end tests (Playwright, Chromium)"
DATABASE_URL="$PG_BASE_URL/spanlens_e2e" pnpm -s prisma migrate deploy >/dev/null
rm -rf "$DATA_DIR/e2e"
DATABASE_URL="$PG_BASE_URL/spanlens_e2e" REDIS_URL="$REDIS_BASE_URL/2" SPANLENS_DATA_DIR="$DATA_DIR/e2e" \
  E2E_PORT="${E2E_PORT:-3100}" NEXTAUTH_SECRET="e2e-secret-not-for-production" \
  pnpm -s --filter @spanlens/e2e test

step "all suites passed"
