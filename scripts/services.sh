#!/usr/bin/env bash
# Start (or stop) the real PostgreSQL and Redis that the tests use, on loopback, installing them
# from the OS packages when missing. Prints the URLs to export when started.
# Usage: scripts/services.sh start|stop
set -euo pipefail

RUN_DIR=${KEFU_RUN_DIR:-$(pwd)/.run}
PG_PORT=${KEFU_TEST_PG_PORT:-55432}
REDIS_PORT=${KEFU_TEST_REDIS_PORT:-56379}
# The cluster lives outside the checkout: as root it belongs to the postgres user, who may not
# be allowed into the checkout's directory (CI clones into a private temporary folder).
PG_DATA=${KEFU_TEST_PG_DIR:-/tmp/kefu-test-pg-$PG_PORT}
APT_UPDATED=0

apt_install() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if [ $APT_UPDATED = 0 ]; then
    $sudo apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && echo "$dir"
}

ensure_packages() {
  [ -n "$(pg_bin)" ] || { echo "installing postgresql" >&2; apt_install postgresql postgresql-contrib; }
  command -v redis-server >/dev/null || { echo "installing redis-server" >&2; apt_install redis-server; }
  # The IMAP tests start their own Dovecot (tests/channels/email/imap_server.py); not started here.
  command -v dovecot >/dev/null || [ -x /usr/sbin/dovecot ] \
    || { echo "installing dovecot-imapd" >&2; apt_install dovecot-imapd; }
  if [ -z "${KEFU_SKIP_E2E:-}" ]; then
    command -v chromium >/dev/null || { echo "installing chromium" >&2; apt_install chromium; }
    # Chinese glyphs for screenshots of the UI; the tests themselves do not need them.
    [ -d /usr/share/fonts/opentype/noto ] || apt_install fonts-noto-cjk || true
  fi
}

# PostgreSQL refuses to run as root, so as root the cluster belongs to the postgres user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

start_postgres() {
  local bin
  bin=$(pg_bin)
  mkdir -p "$RUN_DIR"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    rm -rf "$PG_DATA"
    mkdir -p "$PG_DATA"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_DATA"; fi
    as_pg "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! as_pg "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$PG_DATA" -w -l "$PG_DATA/server.log" \
      -o "-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300" \
      start >/dev/null
  fi
  "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='kefu_test'" \
    | grep -q 1 || "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres kefu_test
}

start_redis() {
  mkdir -p "$RUN_DIR"
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
      --daemonize yes --pidfile "$RUN_DIR/redis.pid" --logfile "$RUN_DIR/redis.log"
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
}

stop_all() {
  local bin
  bin=$(pg_bin || true)
  if [ -n "$bin" ] && [ -f "$PG_DATA/PG_VERSION" ]; then
    as_pg "$bin/pg_ctl" -D "$PG_DATA" -m fast stop >/dev/null 2>&1 || true
  fi
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}

case "${1:-}" in
  start)
    ensure_packages
    start_postgres
    start_redis
    echo "KEFU_TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:$PG_PORT/kefu_test"
    echo "KEFU_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
    ;;
  stop) stop_all ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
