#!/usr/bin/env bash
# Loads a demo database full of realistic problems into a pg-sandbox.sh cluster and holds
# problem sessions open in the background, for the demo and for trying pgvigil by hand.
#
# Usage:
#   scripts/demo-workload.sh start DIR
#   scripts/demo-workload.sh stop  DIR
#
# start   (re)creates the schema in database pgvigil_demo (with pg_stat_statements and
#         pgstattuple), runs the problem statements, then starts the background sessions and
#         records their process groups in DIR/demo.pids. If they already run, it does nothing.
# stop    ends the background sessions (and their backends). Each session ends by itself after
#         at most one hour anyway.
#
# What it plants:
#   orders     ~200k rows, autovacuum off, 40% of the rows updated or deleted (dead tuples, bloat)
#   customers  an index never scanned and two identical indexes on email
#   events     ~100k rows scanned sequentially ~200 times on a non-indexed column, and an
#              invalid unique index left by a failed CREATE UNIQUE INDEX CONCURRENTLY
#   invoice_no_seq   an integer sequence at 95% of its maximum
#   a statement slowed by pg_sleep(0.05), run 20 times
# and these sessions (application_name):
#   demo-idle-tx       idle in transaction, holding a snapshot (REPEATABLE READ)
#   demo-blocker       holds a row lock on customers.id=1 and idles in transaction
#   demo-blocked       UPDATE of the same row, waiting for demo-blocker
#   demo-ddl-waiter    LOCK TABLE customers IN ACCESS EXCLUSIVE MODE, waiting behind both
#                      (lock_timeout 10 min); meanwhile every other access to customers queues
#                      behind it, which is how monitoring that relation gets skipped
#   demo-long-query    SELECT pg_sleep(3600)
set -euo pipefail

PROG=demo-workload
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"

DB=pgvigil_demo
HOLD_SECONDS=3600   # upper bound for every background session

usage() {
  sed -n '4,7p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Superuser conninfo over the unix socket in DIR for the demo database.
admin_dsn() {
  local app=$1 db=${2:-$DB}
  echo "host=$PGVIGIL_SANDBOX_DIR port=$PGVIGIL_SANDBOX_PORT dbname=$db user=postgres application_name=$app"
}

# psql into database DB as APP that stops at the first error and keeps NOTICEs out of the way.
# Usage: demo_psql DB APP [psql args...]
demo_psql() {
  local db=$1 app=$2
  shift 2
  PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -v ON_ERROR_STOP=1 \
    "$(admin_dsn "$app" "$db")" "$@"
}

# PIDs (process group leaders) from DIR/demo.pids that are still alive.
live_pids() {
  local pid name
  [[ -f $PIDS ]] || return 0
  while read -r pid name; do
    if kill -0 "$pid" 2>/dev/null; then echo "$pid $name"; fi
  done <"$PIDS"
}

create_database() {
  demo_psql postgres demo-load <<SQL
SELECT 'CREATE DATABASE $DB'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB')\gexec
SQL
  demo_psql "$DB" demo-load <<'SQL'
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE EXTENSION IF NOT EXISTS pgstattuple;
SQL
}

load_schema() {
  demo_psql "$DB" demo-load >/dev/null <<'SQL'
DROP TABLE IF EXISTS orders, customers, events, invoices CASCADE;
DROP SEQUENCE IF EXISTS invoice_no_seq;

-- customers: an index nobody uses and the same index on email twice.
CREATE TABLE customers (
  id         integer PRIMARY KEY,
  email      text NOT NULL,
  name       text NOT NULL,
  country    text NOT NULL,
  created_at timestamptz NOT NULL,
  note       text
);
INSERT INTO customers
SELECT g, 'user' || g || '@example.com', 'Customer ' || g,
       (ARRAY['DE', 'FR', 'US', 'JP', 'BR'])[1 + g % 5], now() - g * interval '1 minute', NULL
  FROM generate_series(1, 20000) g;
CREATE INDEX customers_email_idx ON customers (email);
CREATE INDEX customers_email_lookup_idx ON customers (email);          -- duplicate
CREATE INDEX customers_created_at_idx ON customers (created_at);   -- nothing filters on it

-- orders: autovacuum off, then 20% updated and 20% deleted; never vacuumed.
CREATE TABLE orders (
  id          bigserial PRIMARY KEY,
  customer_id integer NOT NULL,
  status      text NOT NULL,
  amount      numeric(10, 2) NOT NULL,
  created_at  timestamptz NOT NULL,
  padding     text
) WITH (autovacuum_enabled = false, toast.autovacuum_enabled = false);
INSERT INTO orders (customer_id, status, amount, created_at, padding)
SELECT 1 + g % 20000, 'new', (g % 100000) / 100.0, now() - g * interval '10 seconds', repeat('x', 60)
  FROM generate_series(1, 200000) g;
UPDATE orders SET status = 'shipped' WHERE id % 10 < 2;
DELETE FROM orders WHERE id % 10 IN (2, 3);

-- events: large enough that the sequential scans below show up, no index on kind.
CREATE TABLE events (
  id          bigint PRIMARY KEY,
  kind        text NOT NULL,
  external_id text NOT NULL,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL
);
INSERT INTO events
SELECT g, 'kind-' || (g % 50), 'ext-' || (g % 90000),
       jsonb_build_object('n', g, 'source', 'demo'), now() - g * interval '1 second'
  FROM generate_series(1, 100000) g;

-- An integer sequence at 95% of 2^31-1, used by a real column.
CREATE SEQUENCE invoice_no_seq AS integer;
CREATE TABLE invoices (
  invoice_no integer PRIMARY KEY DEFAULT nextval('invoice_no_seq'),
  order_id   bigint NOT NULL
);
ALTER SEQUENCE invoice_no_seq OWNED BY invoices.invoice_no;
SELECT setval('invoice_no_seq', 2040109465);   -- 0.95 * 2147483647
INSERT INTO invoices (order_id) SELECT g FROM generate_series(1, 10) g;

-- pg_monitor covers statistics, not sequence values or column statistics: the demo grants the
-- narrow extras an operator would, so sequence use and bloat estimates can be judged.
GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO pgvigil_monitor;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO pgvigil_monitor;
SQL

  # ANALYZE from a new session: the loading session has flushed its statistics by then, so
  # ANALYZE's row counts are not added to again afterwards (n_live_tup would come out doubled).
  # orders is left never analyzed and never vacuumed, like a table autovacuum forgot.
  demo_psql "$DB" demo-load -c 'ANALYZE customers, events, invoices'

  # external_id repeats, so the unique build fails and leaves an INVALID index behind.
  # CONCURRENTLY cannot run in a transaction block, hence its own psql call.
  if demo_psql "$DB" demo-load -c \
    'CREATE UNIQUE INDEX CONCURRENTLY events_external_id_key ON events (external_id)' \
    2>/dev/null; then
    die "CREATE UNIQUE INDEX CONCURRENTLY unexpectedly succeeded"
  fi
}

# Statements that pg_stat_statements and pg_stat_user_tables should remember. Sent as separate
# top-level statements: with pg_stat_statements.track = 'top', a loop inside DO would not count.
run_problem_statements() {
  local i
  for i in $(seq 1 200); do
    echo "SELECT count(*) FROM events WHERE kind = 'kind-$((i % 50))';"
  done | demo_psql "$DB" demo-seqscan >/dev/null
  for i in $(seq 1 20); do
    echo "SELECT count(*), pg_sleep(0.05) FROM customers WHERE country = 'DE';"
  done | demo_psql "$DB" demo-slow >/dev/null
}

# Starts one background session: psql reading SQL from a feeder that then sleeps, so the
# session stays open. Each runs in its own process group (setsid; timeout --foreground stays in
# it) so that stop can end psql and its feeder together. Both give up after HOLD_SECONDS, and
# the server ends the session's statements and idle transactions after that time too.
# Usage: hold_session APP_NAME 'SQL...' [sleep|nosleep]
hold_session() {
  local app=$1 sql=$2 mode=${3:-sleep}
  # shellcheck disable=SC2016 # the inner bash expands these
  setsid bash -c '
    app=$1 sql=$2 mode=$3 hold=$4 psql=$5 dsn=$6
    export PGOPTIONS="-c statement_timeout=${hold}s -c idle_in_transaction_session_timeout=${hold}s"
    { printf "%s\n" "$sql"; if [[ $mode == sleep ]]; then sleep "$hold"; fi; } |
      timeout --foreground "$hold" "$psql" -X -q "$dsn" >/dev/null 2>&1
  ' hold_session "$app" "$sql" "$mode" "$HOLD_SECONDS" "$PSQL" "$(admin_dsn "$app")" \
    </dev/null >/dev/null 2>&1 &
  echo "$! $app" >>"$PIDS"
}

# Waits until the session APP_NAME is in the state described by the SQL condition COND.
wait_for_session() {
  local app=$1 cond=$2 i
  for i in $(seq 1 100); do
    if [[ $(demo_psql "$DB" demo-load -At -c \
      "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$app' AND $cond") -gt 0 ]]; then
      return 0
    fi
    sleep 0.1
  done
  die "session $app did not reach: $cond"
}

start_sessions() {
  : >"$PIDS"
  hold_session demo-idle-tx \
    "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM invoices;"
  hold_session demo-long-query "SELECT pg_sleep($HOLD_SECONDS);" nosleep

  # The lock chain, in order: blocker, then the row waiter, then the DDL waiter.
  hold_session demo-blocker "BEGIN; LOCK TABLE customers IN ROW EXCLUSIVE MODE;
UPDATE customers SET note = 'held by demo-blocker' WHERE id = 1;"
  wait_for_session demo-blocker "state = 'idle in transaction'"
  hold_session demo-blocked "UPDATE customers SET note = 'demo-blocked was here' WHERE id = 1;" \
    nosleep
  wait_for_session demo-blocked "wait_event_type = 'Lock'"
  # LOCK TABLE needs a transaction block; psql exits (and rolls back) once the lock is granted
  # or lock_timeout fires.
  hold_session demo-ddl-waiter "BEGIN; SET LOCAL lock_timeout = '10min';
LOCK TABLE customers IN ACCESS EXCLUSIVE MODE;" nosleep
  wait_for_session demo-ddl-waiter "wait_event_type = 'Lock'"
  wait_for_session demo-idle-tx "state = 'idle in transaction'"
  wait_for_session demo-long-query "state = 'active'"
}

cmd_start() {
  [[ $# -eq 1 ]] || usage
  DIR=$(abs_path "$1")
  load_sandbox_env "$DIR"
  PSQL=$(sandbox_psql)
  PIDS=$DIR/demo.pids

  if [[ -n $(live_pids) ]]; then
    note "demo workload already running in $DIR (stop it with: $0 stop $DIR)"
    return 0
  fi
  local started=$SECONDS
  create_database
  load_schema
  run_problem_statements
  start_sessions
  note "demo workload running in database $DB ($((SECONDS - started)) s to load); sessions: $(cut -d' ' -f2 "$PIDS" | paste -sd' ')"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  DIR=$(abs_path "$1")
  PIDS=$DIR/demo.pids
  local pid name
  while read -r pid name; do
    # Each session leads its own process group: end psql, the feeder and the sleep together.
    kill -TERM -- "-$pid" 2>/dev/null || true
  done < <(live_pids)
  rm -f "$PIDS"
  # Backends whose client vanished without a goodbye may linger a moment; end them too.
  if [[ -f $DIR/env ]]; then
    load_sandbox_env "$DIR"
    PSQL=$(sandbox_psql)
    demo_psql postgres demo-stop -At -c \
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
        WHERE application_name LIKE 'demo-%' AND pid <> pg_backend_pid()" \
      >/dev/null 2>&1 || true
  fi
}

main() {
  [[ $# -ge 1 ]] || usage
  local cmd=$1
  shift
  case $cmd in
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    *) usage ;;
  esac
}

main "$@"
