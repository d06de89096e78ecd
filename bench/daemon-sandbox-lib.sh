#!/usr/bin/env bash
# Shared by bench/daemon-100-databases.sh, daemon-pgbench-impact.sh and daemon-http-wrk.sh
# (sourced, not run): one PostgreSQL sandbox (scripts/pg-sandbox.sh) holding 100 watched
# databases — pgvigil_test (the sandbox's main database, with pg_stat_statements and, for the
# pgbench benchmark, pgbench's tables) and bench_db001 … bench_db099, each a small schema of 4
# tables (300–5,000 rows) and 9 indexes — and helpers to run `pgvigil serve` on it.
#
# Settings (environment): SANDBOX (default /tmp/pgvigil-bench-sandbox), SANDBOX_PORT (26543),
# PGVIGIL (default build-bench/pgvigil, a Release build), HTTP_PORT (18798),
# OUT (default $SANDBOX/results).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SANDBOX=${SANDBOX:-/tmp/pgvigil-bench-sandbox}
SANDBOX_PORT=${SANDBOX_PORT:-26543}
PGVIGIL=${PGVIGIL:-$ROOT/build-bench/pgvigil}
HTTP_PORT=${HTTP_PORT:-18798}
OUT=${OUT:-$SANDBOX/results}
TOKEN=bench-viewer-token
NDB=99 # bench_db001..bench_db099, plus pgvigil_test: 100 databases
export CLK_TCK; CLK_TCK=$(getconf CLK_TCK)
export PATH="/usr/lib/postgresql/15/bin:$PATH"

# Superuser psql over the sandbox's unix socket (trust).
spsql() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h "$SANDBOX" -p "$SANDBOX_PORT" -U postgres "$@"; }

# Starts the sandbox (max_connections 300: 100 monitoring sessions plus clients) and creates the
# databases once.
sandbox_up() {
  # Before $OUT, which defaults to a folder inside it: pg-sandbox.sh refuses a non-empty
  # directory that is not yet a sandbox.
  "$ROOT/scripts/pg-sandbox.sh" start "$SANDBOX" --port "$SANDBOX_PORT" >/dev/null
  mkdir -p "$OUT"
  if [ "$(spsql -d postgres -At -c 'SHOW max_connections')" -lt 300 ]; then
    spsql -d postgres -c "ALTER SYSTEM SET max_connections = 300" >/dev/null
    "$ROOT/scripts/pg-sandbox.sh" stop "$SANDBOX" >/dev/null
    "$ROOT/scripts/pg-sandbox.sh" start "$SANDBOX" --port "$SANDBOX_PORT" >/dev/null
  fi
  if ! spsql -d postgres -At -c "SELECT 1 FROM pg_database WHERE datname='bench_tpl'" | grep -q 1; then
    spsql -d postgres -c "CREATE DATABASE bench_tpl"
    spsql -d bench_tpl <<'SQL'
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL);
CREATE UNIQUE INDEX customers_email ON customers (email);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers,
                     total numeric(12,2), status text, created_at timestamptz NOT NULL);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX orders_created ON orders (created_at);
CREATE INDEX orders_status ON orders (status);
CREATE TABLE order_lines (order_id bigint NOT NULL REFERENCES orders, line int NOT NULL,
                          sku text NOT NULL, qty int NOT NULL, PRIMARY KEY (order_id, line));
CREATE INDEX order_lines_sku ON order_lines (sku);
CREATE TABLE events (id bigserial PRIMARY KEY, kind text NOT NULL, payload jsonb, at timestamptz NOT NULL);
CREATE INDEX events_at ON events (at);
INSERT INTO customers SELECT g, 'c' || g || '@example.com', now() - g * interval '1 hour' FROM generate_series(1, 300) g;
INSERT INTO orders SELECT g, 1 + g % 300, g % 997, (ARRAY['new','paid','sent'])[1 + g % 3], now() - g * interval '5 min' FROM generate_series(1, 2000) g;
INSERT INTO order_lines SELECT 1 + g % 2000, g / 2000, 'sku' || g % 113, 1 + g % 5 FROM generate_series(1, 5000) g;
INSERT INTO events (kind, payload, at) SELECT 'k' || g % 7, jsonb_build_object('n', g), now() - g * interval '1 min' FROM generate_series(1, 1000) g;
VACUUM ANALYZE;
SQL
    spsql -d postgres -c "ALTER DATABASE bench_tpl IS_TEMPLATE true" >/dev/null
  fi
  local have; have=$(spsql -d postgres -At -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'bench\_db%'")
  if [ "$have" -lt "$NDB" ]; then
    for i in $(seq 1 "$NDB"); do
      spsql -d postgres -c "CREATE DATABASE $(printf 'bench_db%03d' "$i") TEMPLATE bench_tpl" 2>/dev/null || true
    done
  fi
  # Some reads in every database, so the statistics views have rows that move.
  for i in $(seq 1 "$NDB"); do
    spsql -d "$(printf 'bench_db%03d' "$i")" -At -c "SELECT count(*) FROM orders WHERE customer_id = $i;
      SELECT count(*) FROM order_lines WHERE sku = 'sku$i'; SELECT count(*) FROM events" >/dev/null
  done
}

# write_config one|many FILE: ONE target with databases {include: ["*"]} (the templates and
# `postgres` excluded), or 100 targets of one database each.
write_config() {
  local mode=$1 file=$2 store=$OUT/pgvigil-$1.db
  rm -f "$store" "$store-wal" "$store-shm"
  {
    echo "# Written by bench/daemon-sandbox-lib.sh ($mode): default intervals."
    echo "listen: \"127.0.0.1:$HTTP_PORT\""
    echo "store: { path: \"$store\" }"
    echo "auth:"
    echo "  tokens:"
    echo "    - { name: bench, token: \"$TOKEN\", role: viewer }"
    echo "targets:"
    local dsn="host=127.0.0.1 port=$SANDBOX_PORT user=pgvigil_monitor"
    if [ "$mode" = one ]; then
      echo "  - name: sandbox"
      echo "    dsn: \"$dsn dbname=pgvigil_test\""
      echo "    password_env: PGVIGIL_BENCH_PASSWORD"
      echo "    databases: { include: [\"*\"], exclude: [\"postgres\"] }"
    else
      echo "  - { name: db000, dsn: \"$dsn dbname=pgvigil_test\", password_env: PGVIGIL_BENCH_PASSWORD }"
      for i in $(seq 1 "$NDB"); do
        printf '  - { name: db%03d, dsn: "%s dbname=bench_db%03d", password_env: PGVIGIL_BENCH_PASSWORD }\n' \
          "$i" "$dsn" "$i"
      done
    fi
  } >"$file"
}

PGV_PID=""
# start_daemon CONFIG LOG: starts pgvigil serve, waits for /healthz.
start_daemon() {
  PGVIGIL_BENCH_PASSWORD=monitor-secret "$PGVIGIL" serve -c "$1" >"$2" 2>&1 &
  PGV_PID=$!
  for _ in $(seq 1 200); do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$HTTP_PORT/healthz" && return 0
    sleep 0.1
  done
  echo "pgvigil did not come up, see $2" >&2
  return 1
}
stop_daemon() {
  if [ -n "$PGV_PID" ]; then
    kill -TERM "$PGV_PID" 2>/dev/null || true
    wait "$PGV_PID" 2>/dev/null || true
    PGV_PID=""
  fi
}

proc_cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
hwm_mib() { awk '/^VmHWM/{printf "%.1f", $2/1024}' "/proc/$1/status"; }
# Bytes the store's data takes: SQLite pages in use (page_count - freelist_count) as a reader
# sees them, WAL included. The -wal file itself is not a measure: it grows to the autocheckpoint
# size (about 4 MB) at once and is reused, not shrunk.
store_bytes() {
  if [ ! -f "$1" ]; then echo 0; return; fi
  sqlite3 -readonly "file:$1?mode=ro" \
    "SELECT (p.page_count - f.freelist_count) * s.page_size FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s" \
    2>/dev/null || echo 0
}
median() { sort -g | awk '{a[NR]=$1} END{ if(NR==0){print "nan"; exit} if(NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
minmax() { sort -g | awk 'NR==1{mn=$1} {mx=$1} END{print mn"–"mx}'; }
