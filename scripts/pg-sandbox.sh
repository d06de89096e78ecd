#!/usr/bin/env bash
# A throwaway PostgreSQL cluster in a directory of its own, for tests and the demo.
#
# Usage:
#   scripts/pg-sandbox.sh start  DIR [--bin PG_BIN_DIR] [--port PORT]
#   scripts/pg-sandbox.sh standby PRIMARY_DIR DIR [--port PORT]
#   scripts/pg-sandbox.sh stop   DIR [--purge]
#   scripts/pg-sandbox.sh status DIR
#   scripts/pg-sandbox.sh psql   DIR [psql args...]     (superuser, default database pgvigil_test)
#
# start   creates the cluster in DIR/data on first use (initdb), starts it on 127.0.0.1 at PORT
#         (default: a random free port in 20000-32000, retried up to 5 times if taken), creates
#         the database pgvigil_test, the extensions pg_stat_statements and pgstattuple, and the
#         roles pgvigil_monitor (pg_monitor only), pgvigil_nopriv (no privileges), then writes
#         and prints DIR/env, a file to source. On a running sandbox it only prints DIR/env.
#         A sandbox of another major than PG_BIN_DIR's is stopped and recreated.
# standby makes DIR a streaming standby of the running sandbox in PRIMARY_DIR (pg_basebackup -R
#         over the primary's unix socket, which pg_hba.conf lets replicate; for majors without
#         a pg_basebackup, the same copy by pg_backup_start/stop and a replication slot that
#         stop DIR drops again), starts it on its own
#         port (random unless --port) and writes DIR/env like start (same roles and DSNs; the
#         primary's directory is PGVIGIL_SANDBOX_PRIMARY_DIR). Stop it with stop DIR.
# stop    stops the server (and a pgbouncer or demo workload started in DIR); --purge also
#         deletes DIR.
# status  prints whether the server runs; exit 0 if running, 3 if stopped, 4 if no sandbox.
#
# PG_BIN_DIR defaults to $PGVIGIL_TEST_PG_BIN, else /usr/lib/postgresql/15/bin (other majors:
# scripts/pg-versions.sh install prints their bin directories). As root, the
# server runs as the OS user "postgres" (created if missing), which owns DIR and DIR/data.
# Logs: DIR/postgres.log (server), DIR/initdb.log. Quiet on success apart from the env print.
set -euo pipefail

PROG=pg-sandbox
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"

DEFAULT_BIN=/usr/lib/postgresql/15/bin
MARKER=.pgvigil-sandbox   # marks a directory this script created, so --purge never hits others
START_ATTEMPTS=5

usage() {
  sed -n '3,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------------------------------------
# start

# Fills BIN, DIR, PORT (may stay empty) from the command line.
parse_start_args() {
  BIN=${PGVIGIL_TEST_PG_BIN:-$DEFAULT_BIN}
  PORT=""
  DIR=""
  while [[ $# -gt 0 ]]; do
    case $1 in
      --bin) [[ $# -ge 2 ]] || usage; BIN=$2; shift 2 ;;
      --port) [[ $# -ge 2 ]] || usage; PORT=$2; shift 2 ;;
      -*) usage ;;
      *) [[ -z $DIR ]] || usage; DIR=$1; shift ;;
    esac
  done
  [[ -n $DIR ]] || usage
  [[ -z $PORT || $PORT =~ ^[0-9]+$ ]] || die "--port must be a number, got '$PORT'"
  DIR=$(abs_path "$DIR")
  check_dir_name "$DIR"
  # The unix socket DIR/.s.PGSQL.PORT must fit in sun_path (107 bytes).
  [[ ${#DIR} -le 92 ]] ||
    die "$DIR is too long for a unix socket path (at most 92 characters); use a shorter one"
  BIN=$(abs_path "$BIN")
  local tool
  for tool in initdb pg_ctl postgres; do
    [[ -x $BIN/$tool ]] || die "$BIN/$tool not found (use --bin or PGVIGIL_TEST_PG_BIN)"
  done
}

# As root the server runs as "postgres", which must reach BIN and the libraries beside it (a
# tree under /root, say, is closed to it: see scripts/pg-versions.sh for a cache it can read).
check_bin_reachable() {
  is_root || return 0
  ensure_cluster_user
  as_cluster_user "$BIN/postgres" --version >/dev/null 2>&1 ||
    die "user postgres cannot run $BIN/postgres: make it and its parent directories readable (chmod -R a+rX, o+x on the parents)"
}

# Major version of the server binaries in BIN ("postgres (PostgreSQL) 15.10" -> 15).
bin_major() {
  "$BIN/postgres" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)?.*/\1/'
}

server_running() {
  [[ -f $DIR/data/postmaster.pid ]] &&
    as_cluster_user "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
}

# Port the cluster was last configured with, empty if none.
configured_port() {
  sed -n -E "s/^port = ([0-9]+)$/\1/p" "$DIR/data/pgvigil.conf" 2>/dev/null || true
}

# Creates DIR and runs initdb into DIR/data.
init_cluster() {
  if [[ -d $DIR && ! -f $DIR/$MARKER && -n $(ls -A "$DIR") ]]; then
    die "$DIR exists, is not empty and is not a sandbox; choose another directory"
  fi
  ensure_cluster_user
  own_dir "$DIR" 755
  touch "$DIR/$MARKER"
  # The server writes its log and unix socket into DIR, so its user needs every parent
  # directory to be traversable.
  as_cluster_user test -w "$DIR" -a -x "$DIR" ||
    die "user $(cluster_user) cannot write to $DIR: make its parent directories traversable (chmod o+x)"
  own_dir "$DIR/data" 700

  # Trust everywhere while initdb runs; pg_hba.conf is replaced right after.
  if ! as_cluster_user "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C --no-sync >"$DIR/initdb.log" 2>&1; then
    tail -n 30 "$DIR/initdb.log" >&2
    die "initdb failed (full output in $DIR/initdb.log)"
  fi

  # Superuser administration over the unix socket in DIR; passwords over TCP.
  cat >"$DIR/data/pg_hba.conf" <<'EOF'
# Written by scripts/pg-sandbox.sh.
# TYPE  DATABASE     USER  ADDRESS       METHOD
local   all          all                 trust
local   replication  all                 trust
host    all          all   127.0.0.1/32  scram-sha-256
host    replication  all   127.0.0.1/32  scram-sha-256
EOF
  echo "include 'pgvigil.conf'   # settings of scripts/pg-sandbox.sh" >>"$DIR/data/postgresql.conf"
  fix_owner "$DIR/data/pg_hba.conf"
}

# Files root writes into DIR/data must still belong to the server's user.
fix_owner() {
  if is_root; then chown postgres:postgres "$@"; fi
  chmod 600 "$@"
}

# Writes DIR/data/pgvigil.conf (included from postgresql.conf) for the given port.
write_conf() {
  local port=$1
  cat >"$DIR/data/pgvigil.conf" <<EOF
# Written by scripts/pg-sandbox.sh on every start; edits are lost.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$DIR'
max_connections = 100
max_prepared_transactions = 10     # tests hold a prepared transaction
max_wal_senders = 5
max_replication_slots = 5
wal_level = replica
password_encryption = 'scram-sha-256'
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = 'top'
pg_stat_statements.max = 5000
track_io_timing = on
track_functions = 'all'
fsync = off                        # throwaway cluster: speed over durability
synchronous_commit = off
full_page_writes = off
logging_collector = off            # pg_ctl -l sends stderr to $DIR/postgres.log
log_destination = 'stderr'
log_line_prefix = '%m [%p] %u@%d/%a '
EOF
  fix_owner "$DIR/data/pgvigil.conf"
}

# Starts the server; with no --port, retries on another free port when the chosen one was
# taken between the check and the bind.
start_server() {
  local port attempt out
  local explicit=${PORT:+yes}
  for attempt in $(seq 1 "$START_ATTEMPTS"); do
    if [[ -n $PORT ]]; then
      port=$PORT
    else
      port=$(configured_port)
      # Reuse the previous port on a restart when it is still free: DSNs stay valid.
      if [[ $attempt -gt 1 || -z $port ]] || port_in_use "$port"; then
        port=$(pick_free_port)
      fi
    fi
    [[ -n $explicit ]] && port_in_use "$port" && die "port $port is already in use"
    write_conf "$port"
    # Created up front so that the log stays readable by the caller, not just the server user.
    if [[ ! -e $DIR/postgres.log ]]; then
      as_cluster_user touch "$DIR/postgres.log"
      chmod 644 "$DIR/postgres.log"
    fi
    if out=$(as_cluster_user "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" \
      -w -t 60 -s start 2>&1); then
      PORT=$port
      return 0
    fi
    if [[ -z $explicit ]] &&
      tail -n 20 "$DIR/postgres.log" | grep -q -E 'could not bind|Address already in use'; then
      note "port $port was taken, retrying on another (attempt $attempt of $START_ATTEMPTS)"
      continue
    fi
    [[ -n $out ]] && echo "$out" >&2
    die "pg_ctl start failed"
  done
  die "pg_ctl start failed $START_ATTEMPTS times: no free port"
}

# psql as superuser over the unix socket in DIR.
admin_psql() {
  PGOPTIONS="-c client_min_messages=warning" "$(PGVIGIL_SANDBOX_BIN=$BIN sandbox_psql)" \
    -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$PORT" -U postgres "$@"
}

# Databases, extensions and roles; every statement may run again on a restart.
setup_sql() {
  admin_psql -d postgres >/dev/null <<'SQL'
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE EXTENSION IF NOT EXISTS pgstattuple;
SELECT 'CREATE DATABASE pgvigil_test'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'pgvigil_test')\gexec
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pgvigil_monitor') THEN
    CREATE ROLE pgvigil_monitor;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pgvigil_nopriv') THEN
    CREATE ROLE pgvigil_nopriv;
  END IF;
END
$$;
-- The monitoring role gets pg_monitor and nothing else; the other one not even that.
ALTER ROLE pgvigil_monitor WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE
  NOREPLICATION NOBYPASSRLS PASSWORD 'monitor-secret';
GRANT pg_monitor TO pgvigil_monitor;
ALTER ROLE pgvigil_nopriv WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE
  NOREPLICATION NOBYPASSRLS PASSWORD 'nopriv-secret';
ALTER ROLE postgres WITH PASSWORD 'admin-secret';
\connect pgvigil_test
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE EXTENSION IF NOT EXISTS pgstattuple;
SQL
}

write_env() {
  local major
  major=$(admin_psql -d postgres -At -c "SELECT current_setting('server_version_num')::int / 10000")
  local tcp="host=127.0.0.1 port=$PORT dbname=pgvigil_test"
  cat >"$DIR/env.tmp" <<EOF
# PostgreSQL sandbox written by scripts/pg-sandbox.sh; load with: . $DIR/env
export PGVIGIL_SANDBOX_DIR='$DIR'
export PGVIGIL_SANDBOX_PORT='$PORT'
export PGVIGIL_SANDBOX_BIN='$BIN'
export PGVIGIL_SANDBOX_MAJOR='$major'
export PGVIGIL_TEST_DSN='$tcp user=pgvigil_monitor password=monitor-secret'
export PGVIGIL_TEST_NOPRIV_DSN='$tcp user=pgvigil_nopriv password=nopriv-secret'
export PGVIGIL_TEST_ADMIN_DSN='host=$DIR port=$PORT dbname=pgvigil_test user=postgres'
EOF
  chmod 644 "$DIR/env.tmp"
  mv "$DIR/env.tmp" "$DIR/env"
}

# On failure, the end of the server log usually says why.
print_log_on_failure() {
  local status=$1
  if [[ $status -ne 0 && -s ${DIR:-}/postgres.log ]]; then
    echo "---- last 30 lines of $DIR/postgres.log ----" >&2
    tail -n 30 "$DIR/postgres.log" >&2
  fi
}

cmd_start() {
  parse_start_args "$@"
  trap 'print_log_on_failure $?' EXIT

  check_bin_reachable
  if [[ -f $DIR/data/PG_VERSION ]]; then
    local data_major
    data_major=$(cat "$DIR/data/PG_VERSION")
    if [[ $data_major != "$(bin_major)" ]]; then
      [[ -f $DIR/$MARKER ]] ||
        die "$DIR holds a PostgreSQL $data_major cluster but $BIN is $(bin_major); stop --purge it first"
      # A throwaway cluster of another major (the test matrix switches majors in one build
      # directory): initdb cannot reuse it, so it goes, with whatever runs on top of it.
      note "$DIR holds a PostgreSQL $data_major cluster but $BIN is $(bin_major): recreating it"
      "$SCRIPT_DIR/pg-sandbox.sh" stop "$DIR" --purge
    fi
  fi
  if [[ -f $DIR/data/PG_VERSION ]]; then
    if server_running; then
      PORT=$(configured_port)
      [[ -f $DIR/env ]] || write_env
      cat "$DIR/env"
      return 0
    fi
  else
    init_cluster
  fi

  start_server
  setup_sql
  write_env
  cat "$DIR/env"
}

# ---------------------------------------------------------------------------------------------
# standby

# The builds of other majors (scripts/pg-versions.sh) have no pg_basebackup, and Debian's of 15
# refuses newer servers: the same copy with the server's own backup functions instead. A
# non-exclusive backup needs one session from start to stop (a psql coprocess); the WAL from
# the start on is kept for the standby by a replication slot, which stop drops again.
low_level_copy() {
  local primary=$1
  local slot
  slot=pgvigil_standby_$(basename "$DIR" | tr -c 'a-z0-9_\n' '_')
  local psql
  psql=$(PGVIGIL_SANDBOX_BIN=$BIN sandbox_psql)
  local -a primary_psql=("$psql" -X -q -At -v ON_ERROR_STOP=1 -h "$primary"
    -p "$PGVIGIL_SANDBOX_PORT" -U postgres -d postgres)
  "${primary_psql[@]}" -c "SELECT pg_create_physical_replication_slot('$slot', true)" >/dev/null ||
    die "cannot create the replication slot $slot on $primary"
  printf '%s\n%s\n' "$slot" "$primary" >"$DIR/standby.slot"
  local start stop
  if [[ $PGVIGIL_SANDBOX_MAJOR -ge 15 ]]; then
    start="SELECT pg_backup_start('pgvigil-standby', true);"
    stop="SELECT translate(labelfile, E'\\n', '|') FROM pg_backup_stop(true);"
  else
    start="SELECT pg_start_backup('pgvigil-standby', true, false);"
    stop="SELECT translate(labelfile, E'\\n', '|') FROM pg_stop_backup(false, true);"
  fi
  coproc BACKUP { PGOPTIONS="-c client_min_messages=warning" "${primary_psql[@]}" 2>>"$DIR/basebackup.log"; }
  echo "$start" >&"${BACKUP[1]}"
  local lsn label
  read -r -t 60 -u "${BACKUP[0]}" lsn || die "pg_backup_start on $primary did not answer"
  # The data directory as it is now; the WAL comes from the slot when the standby starts.
  (cd "$primary/data" && tar cf - --exclude=./postmaster.pid --exclude=./postmaster.opts \
    --exclude='./pg_wal/*' --exclude='./pg_replslot/*' .) |
    as_cluster_user tar xf - -C "$DIR/data"
  echo "$stop" >&"${BACKUP[1]}"
  read -r -t 60 -u "${BACKUP[0]}" label || die "pg_backup_stop on $primary did not answer"
  echo "\\q" >&"${BACKUP[1]}"
  wait "$BACKUP_PID" 2>/dev/null || true
  [[ $label == START* ]] || die "pg_backup_stop on $primary: unexpected answer: $label ($lsn)"
  tr '|' '\n' <<<"$label" >"$DIR/data/backup_label"
  touch "$DIR/data/standby.signal"
  cat >>"$DIR/data/postgresql.auto.conf" <<EOF2
primary_conninfo = 'host=$primary port=$PGVIGIL_SANDBOX_PORT user=postgres'
primary_slot_name = '$slot'
EOF2
  fix_owner "$DIR/data/backup_label" "$DIR/data/standby.signal" "$DIR/data/postgresql.auto.conf"
}

# Drops the replication slot low_level_copy made for the standby in DIR, if its primary runs.
drop_standby_slot() {
  [[ -f $DIR/standby.slot ]] || return 0
  local primary slot
  slot=$(sed -n 1p "$DIR/standby.slot")
  primary=$(sed -n 2p "$DIR/standby.slot")
  [[ -n $primary && -f $primary/env ]] || return 0
  (
    load_sandbox_env "$primary"
    "$(sandbox_psql)" -X -q -At -h "$primary" -p "$PGVIGIL_SANDBOX_PORT" -U postgres -d postgres \
      -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$slot'" \
      >/dev/null 2>&1
  ) || note "could not drop the replication slot $slot on $primary"
  rm -f "$DIR/standby.slot"
}

cmd_standby() {
  [[ $# -ge 2 ]] || usage
  local primary
  primary=$(abs_path "$1")
  DIR=$2
  shift 2
  PORT=""
  while [[ $# -gt 0 ]]; do
    case $1 in
      --port) [[ $# -ge 2 ]] || usage; PORT=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  [[ -z $PORT || $PORT =~ ^[0-9]+$ ]] || die "--port must be a number, got '$PORT'"
  load_sandbox_env "$primary"
  BIN=$PGVIGIL_SANDBOX_BIN
  DIR=$(abs_path "$DIR")
  check_dir_name "$DIR"
  [[ ${#DIR} -le 92 ]] ||
    die "$DIR is too long for a unix socket path (at most 92 characters); use a shorter one"
  [[ $DIR != "$primary" ]] || die "the standby needs a directory of its own"
  trap 'print_log_on_failure $?' EXIT

  if [[ -f $DIR/data/PG_VERSION ]]; then
    if server_running; then
      PORT=$(configured_port)
      cat "$DIR/env"
      return 0
    fi
  else
    if [[ -d $DIR && ! -f $DIR/$MARKER && -n $(ls -A "$DIR") ]]; then
      die "$DIR exists, is not empty and is not a sandbox; choose another directory"
    fi
    # Sandboxes made before the standby command lack the replication line for the socket.
    if ! grep -q -E '^local +replication' "$primary/data/pg_hba.conf"; then
      echo "local   replication  all                 trust" >>"$primary/data/pg_hba.conf"
      as_cluster_user "$BIN/pg_ctl" -D "$primary/data" -s reload ||
        die "cannot reload the primary in $primary"
    fi
    ensure_cluster_user
    own_dir "$DIR" 755
    touch "$DIR/$MARKER"
    own_dir "$DIR/data" 700
    local basebackup=$BIN/pg_basebackup
    [[ -x $basebackup ]] || basebackup=/usr/lib/postgresql/$PGVIGIL_SANDBOX_MAJOR/bin/pg_basebackup
    if [[ -x $basebackup ]]; then
      # -R writes standby.signal and primary_conninfo (the primary's socket and port).
      if ! as_cluster_user "$basebackup" -h "$primary" -p "$PGVIGIL_SANDBOX_PORT" \
        -U postgres -D "$DIR/data" -R -X stream -c fast --no-sync >"$DIR/basebackup.log" 2>&1; then
        tail -n 30 "$DIR/basebackup.log" >&2
        die "pg_basebackup from $primary failed (full output in $DIR/basebackup.log)"
      fi
    else
      low_level_copy "$primary"
    fi
  fi
  # pgvigil.conf came with the copy and names the primary's port and socket directory:
  # start_server writes this server's own.
  start_server
  write_env
  echo "export PGVIGIL_SANDBOX_PRIMARY_DIR='$primary'" >>"$DIR/env"
  cat "$DIR/env"
}

# ---------------------------------------------------------------------------------------------
# stop, status, psql

# Fills DIR and BIN for an existing sandbox.
locate_sandbox() {
  [[ $# -ge 1 ]] || usage
  DIR=$(abs_path "$1")
  BIN=${PGVIGIL_TEST_PG_BIN:-$DEFAULT_BIN}
  if [[ -f $DIR/env ]]; then
    BIN=$(sed -n -E "s/^export PGVIGIL_SANDBOX_BIN='(.*)'$/\1/p" "$DIR/env")
  fi
}

cmd_stop() {
  local purge=""
  [[ $# -ge 1 ]] || usage
  locate_sandbox "$1"
  shift
  while [[ $# -gt 0 ]]; do
    case $1 in
      --purge) purge=yes; shift ;;
      *) usage ;;
    esac
  done
  if [[ ! -d $DIR ]]; then
    return 0
  fi
  [[ -f $DIR/$MARKER ]] || die "$DIR is not a sandbox made by this script; not touching it"

  # Things started on top of the server go first.
  if [[ -f $DIR/demo.pids ]]; then
    "$SCRIPT_DIR/demo-workload.sh" stop "$DIR" || note "demo workload stop failed"
  fi
  if [[ -f $DIR/pgbouncer/pgbouncer.pid ]]; then
    "$SCRIPT_DIR/pgbouncer-sandbox.sh" stop "$DIR" || note "pgbouncer stop failed"
  fi
  if server_running; then
    as_cluster_user "$BIN/pg_ctl" -D "$DIR/data" -m fast -w -t 60 -s stop ||
      die "pg_ctl stop failed; see $DIR/postgres.log"
  fi
  # A standby's slot on its primary would keep WAL forever once the standby is gone.
  drop_standby_slot
  if [[ -n $purge ]]; then
    rm -rf -- "$DIR"
  fi
}

cmd_status() {
  [[ $# -eq 1 ]] || usage
  locate_sandbox "$1"
  if [[ ! -f $DIR/data/PG_VERSION ]]; then
    echo "$DIR: no sandbox"
    exit 4
  fi
  if server_running; then
    echo "$DIR: running on 127.0.0.1:$(configured_port) (PostgreSQL $(cat "$DIR/data/PG_VERSION"))"
    if [[ -f $DIR/pgbouncer/pgbouncer.pid ]] && kill -0 "$(cat "$DIR/pgbouncer/pgbouncer.pid")" 2>/dev/null; then
      echo "$DIR: pgbouncer running"
    fi
    exit 0
  fi
  echo "$DIR: stopped"
  exit 3
}

cmd_psql() {
  [[ $# -ge 1 ]] || usage
  locate_sandbox "$1"
  shift
  load_sandbox_env "$DIR"
  local psql
  psql=$(sandbox_psql)
  # Environment rather than options, so the caller's own -d/-c/-f arguments still apply.
  PGHOST=$DIR PGPORT=$PGVIGIL_SANDBOX_PORT PGUSER=postgres PGDATABASE=pgvigil_test \
    exec "$psql" -X "$@"
}

main() {
  [[ $# -ge 1 ]] || usage
  local cmd=$1
  shift
  case $cmd in
    start) cmd_start "$@" ;;
    standby) cmd_standby "$@" ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status "$@" ;;
    psql) cmd_psql "$@" ;;
    -h | --help | help) usage ;;
    *) usage ;;
  esac
}

# Sourcing the script (for testing a single function) does not run anything.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  main "$@"
fi
