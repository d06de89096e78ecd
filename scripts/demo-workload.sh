#!/usr/bin/env bash
# Loads the demo database (a wedding-planning SaaS with a few real problems) into a
# pg-sandbox.sh cluster and runs its traffic in the background, for the demo and for trying
# pgvigil by hand. docs/demo.md describes the database and which check each problem triggers.
#
# Usage:
#   scripts/demo-workload.sh start DIR
#   scripts/demo-workload.sh stop  DIR
#
# start   drops and re-creates database pgvigil_demo (with pg_stat_statements and pgstattuple;
#         WITH (FORCE): whoever is connected to it is disconnected), loads scripts/demo/
#         (schema.sql, data.sql, indexes.sql, ANALYZE, problems.sql, a failed unique index
#         build), resets its pg_stat_statements entries, then starts the background sessions and records their process groups in
#         DIR/demo.pids; their output goes to DIR/demo-*.log. If they already run, it does
#         nothing.
# stop    ends the background sessions (and their backends). Each ends by itself after
#         PGVIGIL_DEMO_SECONDS (default 3600) anyway.
#
# The background sessions (application_name; pgbench scripts are in scripts/demo/):
#   demo-web             normal traffic, PGVIGIL_DEMO_RATE transactions/s (default 20, about
#                        80 statements/s): dashboards, API calls, journeys, e-mails, invoices
#   demo-support-report  the support page: two full scans of api_usage_logs, one of them the
#                        slow statement, then a pause of PGVIGIL_DEMO_REPORT_PAUSE s (default 5)
#   demo-billing-job     every 40 s, holds a row lock on subscriptions for 20 s, idle in
#                        transaction (it "calls the payment provider" meanwhile)
#   demo-usage-meter     two sessions updating that row every second: they wait for the lock
#   demo-support-psql    a psql session left idle in transaction (REPEATABLE READ snapshot)
#   demo-export          an export stuck for the hour: SELECT pg_sleep(…)
# Each pgbench runs one connection per client and a single worker thread, and no statement uses
# parallel workers: the traffic takes a fraction of one core.
set -euo pipefail

PROG=demo-workload
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"

DEMO=$SCRIPT_DIR/demo
DB=pgvigil_demo
HOLD_SECONDS=${PGVIGIL_DEMO_SECONDS:-3600}   # upper bound for every background session
RATE=${PGVIGIL_DEMO_RATE:-20}
REPORT_PAUSE=${PGVIGIL_DEMO_REPORT_PAUSE:-5}
BILLING_PAUSE=40   # seconds between two runs of the billing job
BILLING_HOLD=20    # seconds it holds the row lock

usage() {
  sed -n '6,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Superuser (or ROLE) conninfo over the unix socket in DIR.
admin_dsn() {
  local app=$1 db=${2:-$DB} role=${3:-postgres}
  echo "host=$PGVIGIL_SANDBOX_DIR port=$PGVIGIL_SANDBOX_PORT dbname=$db user=$role application_name=$app"
}

# psql into database DB as APP that stops at the first error and keeps NOTICEs out of the way.
# Usage: demo_psql DB APP [psql args...]
demo_psql() {
  local db=$1 app=$2
  shift 2
  PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -v ON_ERROR_STOP=1 \
    "$(admin_dsn "$app" "$db")" "$@"
}

# The pgbench next to the sandbox's psql, else PostgreSQL 15's (it talks to any server major).
find_pgbench() {
  local bin
  for bin in "${PGVIGIL_SANDBOX_BIN:-}" /usr/lib/postgresql/15/bin; do
    if [[ -n $bin && -x $bin/pgbench ]]; then
      echo "$bin/pgbench"
      return 0
    fi
  done
  command -v pgbench || die "pgbench not found (it comes with postgresql-15: scripts/install-deps.sh)"
}

# PIDs (process group leaders) from DIR/demo.pids that are still alive.
live_pids() {
  local pid name
  [[ -f $PIDS ]] || return 0
  while read -r pid name; do
    if kill -0 "$pid" 2>/dev/null; then echo "$pid $name"; fi
  done <"$PIDS"
}

# ---------------------------------------------------------------------------------------------
# Loading

create_database() {
  demo_psql postgres demo-load <<SQL
DROP DATABASE IF EXISTS $DB WITH (FORCE);
CREATE DATABASE $DB;
SQL
  # In the database itself: pg_stat_statements' view must be there for a pg_monitor role to
  # read the statements, pgstattuple for pgvigil check --exact.
  demo_psql "$DB" demo-load <<'SQL'
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pgstattuple;
SQL
}

load_database() {
  demo_psql "$DB" demo-load -f "$DEMO/schema.sql"
  # One transaction: a failure leaves empty tables, not half-filled ones.
  demo_psql "$DB" demo-load -1 -f "$DEMO/data.sql" >/dev/null
  demo_psql "$DB" demo-load -1 -f "$DEMO/indexes.sql"
  # ANALYZE from a new session: the loading session has flushed its statistics by then, so
  # ANALYZE's row counts are not added to again afterwards (n_live_tup would come out doubled).
  demo_psql "$DB" demo-load -c 'ANALYZE'
  demo_psql "$DB" demo-load -f "$DEMO/problems.sql"
  # Couples imported twice make the unique build fail, which leaves an INVALID index behind.
  # CONCURRENTLY cannot run in a transaction block, hence its own psql call.
  if demo_psql "$DB" demo-load -c \
    'CREATE UNIQUE INDEX CONCURRENTLY clients_supplier_email_key ON clients (supplier_id, lower(email))' \
    2>/dev/null; then
    die "CREATE UNIQUE INDEX CONCURRENTLY unexpectedly succeeded"
  fi
  # The loading statements are not the application's: start its statement statistics afresh.
  demo_psql "$DB" demo-load -At -c \
    'SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)' \
    >/dev/null
}

# ---------------------------------------------------------------------------------------------
# Background sessions. Each runs in its own process group (setsid) so that stop can end it with
# everything it started, and records the group in DIR/demo.pids.

# Starts pgbench as APP, connected as ROLE, with the given pgbench arguments (scripts, rates).
# Usage: run_pgbench APP ROLE [pgbench args...]
run_pgbench() {
  local app=$1 role=$2
  shift 2
  # statement and idle timeouts bound what a stray session can hold; no parallel workers, so a
  # statement takes one core at most.
  PGAPPNAME=$app \
    PGOPTIONS="-c client_min_messages=warning -c statement_timeout=2min -c idle_in_transaction_session_timeout=2min -c max_parallel_workers_per_gather=0" \
    setsid "$PGBENCH" --no-vacuum --jobs=1 --time="$HOLD_SECONDS" \
    --host="$PGVIGIL_SANDBOX_DIR" --port="$PGVIGIL_SANDBOX_PORT" --username="$role" "$@" "$DB" \
    </dev/null >"$DIR/$app.log" 2>&1 &
  echo "$! $app" >>"$PIDS"
}

# Starts a psql session as APP (connected as ROLE) reading SQL from a feeder that then sleeps,
# so the session stays open. Both give up after HOLD_SECONDS (timeout --foreground stays in the
# process group), and the server ends the session's statements and idle transactions after
# that time too.
# Usage: hold_session APP ROLE 'SQL...' [sleep|nosleep]
hold_session() {
  local app=$1 role=$2 sql=$3 mode=${4:-sleep}
  # shellcheck disable=SC2016 # the inner bash expands these
  setsid bash -c '
    app=$1 sql=$2 mode=$3 hold=$4 psql=$5 dsn=$6
    export PGOPTIONS="-c statement_timeout=${hold}s -c idle_in_transaction_session_timeout=${hold}s"
    { printf "%s\n" "$sql"; if [[ $mode == sleep ]]; then sleep "$hold"; fi; } |
      timeout --foreground "$hold" "$psql" -X -q "$dsn" >/dev/null 2>&1
  ' hold_session "$app" "$sql" "$mode" "$HOLD_SECONDS" "$PSQL" "$(admin_dsn "$app" "$DB" "$role")" \
    </dev/null >/dev/null 2>&1 &
  echo "$! $app" >>"$PIDS"
}

# Waits until a session APP is in the state described by the SQL condition COND.
wait_for_session() {
  local app=$1 cond=$2 _
  for _ in $(seq 1 100); do
    if [[ $(demo_psql "$DB" demo-load -At -c \
      "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$app' AND $cond") -gt 0 ]]; then
      return 0
    fi
    sleep 0.1
  done
  die "session $app did not reach: $cond (see $DIR/$app.log if there is one)"
}

start_sessions() {
  : >"$PIDS"
  run_pgbench demo-web wedding_app --client=3 --rate="$RATE" --latency-limit=2000 \
    --file="$DEMO/traffic-dashboard.pgbench@4" --file="$DEMO/traffic-api.pgbench@6" \
    --file="$DEMO/traffic-journey.pgbench@3" --file="$DEMO/traffic-email.pgbench@3" \
    --file="$DEMO/traffic-billing.pgbench@1"
  run_pgbench demo-support-report wedding_support --client=1 --define=pause="$REPORT_PAUSE" \
    --file="$DEMO/report.pgbench"
  run_pgbench demo-billing-job wedding_app --client=1 --define=pause="$BILLING_PAUSE" \
    --define=hold="$BILLING_HOLD" --file="$DEMO/billing-job.pgbench"
  run_pgbench demo-usage-meter wedding_app --client=2 --file="$DEMO/usage-meter.pgbench"
  hold_session demo-support-psql wedding_support \
    "BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT id, supplier_id, status FROM clients WHERE lower(email) = 'olivia.hannah40@mail.example';"
  hold_session demo-export wedding_support "SELECT pg_sleep($HOLD_SECONDS);" nosleep

  wait_for_session demo-web "true"
  wait_for_session demo-support-report "true"
  wait_for_session demo-usage-meter "true"
  wait_for_session demo-billing-job "true"
  wait_for_session demo-support-psql "state = 'idle in transaction'"
  wait_for_session demo-export "state = 'active'"
  # pgbench gives up on its first SQL error: make sure none did.
  sleep 1
  local pid name
  while read -r pid name; do
    if ! kill -0 "$pid" 2>/dev/null; then
      [[ -f $DIR/$name.log ]] && tail -n 20 "$DIR/$name.log" >&2
      die "background session $name ended right away"
    fi
  done <"$PIDS"
}

# ---------------------------------------------------------------------------------------------

cmd_start() {
  [[ $# -eq 1 ]] || usage
  DIR=$(abs_path "$1")
  load_sandbox_env "$DIR"
  PSQL=$(sandbox_psql)
  PGBENCH=$(find_pgbench)
  PIDS=$DIR/demo.pids

  if [[ -n $(live_pids) ]]; then
    note "demo workload already running in $DIR (stop it with: $0 stop $DIR)"
    return 0
  fi
  local started=$SECONDS
  create_database
  load_database
  local loaded=$((SECONDS - started))
  start_sessions
  note "demo workload running in database $DB (${loaded} s to load); sessions: $(cut -d' ' -f2 "$PIDS" | paste -sd' ')"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  DIR=$(abs_path "$1")
  PIDS=$DIR/demo.pids
  local pid name
  while read -r pid name; do
    # Each session leads its own process group: end pgbench, or psql with its feeder and sleep.
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
