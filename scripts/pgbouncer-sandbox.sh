#!/usr/bin/env bash
# Debian's PgBouncer in front of a pg-sandbox.sh cluster, for tests of pgvigil's pooler checks.
#
# Usage:
#   scripts/pgbouncer-sandbox.sh start DIR [--pool-size N]     (N defaults to 2)
#   scripts/pgbouncer-sandbox.sh stop  DIR
#
# start   reads DIR/env, writes DIR/pgbouncer/{pgbouncer.ini,userlist.txt}, starts pgbouncer
#         daemonized on 127.0.0.1 at a random free port in 20000-32000 (session pooling,
#         default_pool_size=N, SCRAM auth, database pgvigil_test), checks that SHOW POOLS
#         answers, and appends PGVIGIL_PGBOUNCER_{PORT,DSN,ADMIN_DSN} to DIR/env. On a running
#         pgbouncer with the same pool size it only prints those lines; another size restarts it.
# stop    stops it and removes its lines from DIR/env. Log: DIR/pgbouncer/pgbouncer.log.
set -euo pipefail

PROG=pgbouncer-sandbox
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"

START_ATTEMPTS=5

usage() {
  sed -n '3,6p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

pgbouncer_bin() {
  command -v pgbouncer 2>/dev/null || { [[ -x /usr/sbin/pgbouncer ]] && echo /usr/sbin/pgbouncer; } ||
    die "pgbouncer not found: run scripts/install-deps.sh"
}

# Sets the paths below DIR.
set_paths() {
  DIR=$(abs_path "$1")
  BDIR=$DIR/pgbouncer
  INI=$BDIR/pgbouncer.ini
  PIDFILE=$BDIR/pgbouncer.pid
  LOG=$BDIR/pgbouncer.log
}

# PID of the running pgbouncer of DIR, or nothing.
running_pid() {
  local pid
  [[ -f $PIDFILE ]] || return 0
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
    echo "$pid"
  fi
}

configured_value() {
  sed -n -E "s/^$1 = (.*)$/\1/p" "$INI" 2>/dev/null || true
}

# Drops the pgbouncer lines from DIR/env.
strip_env() {
  [[ -f $DIR/env ]] || return 0
  grep -v '^export PGVIGIL_PGBOUNCER_' "$DIR/env" >"$DIR/env.tmp" || true
  chmod 644 "$DIR/env.tmp"
  mv "$DIR/env.tmp" "$DIR/env"
}

env_lines() {
  local port=$1
  local base="host=127.0.0.1 port=$port"
  echo "export PGVIGIL_PGBOUNCER_PORT='$port'"
  echo "export PGVIGIL_PGBOUNCER_DSN='$base dbname=pgvigil_test user=pgvigil_monitor password=monitor-secret'"
  # stats_users may run SHOW POOLS / SHOW STATS on the admin console.
  echo "export PGVIGIL_PGBOUNCER_ADMIN_DSN='$base dbname=pgbouncer user=pgvigil_monitor password=monitor-secret'"
}

write_config() {
  local port=$1 pool_size=$2
  # TCP only when BDIR/.s.PGSQL.PORT would not fit in a unix socket path (107 bytes).
  local socket_dir=$BDIR
  [[ ${#BDIR} -le 92 ]] || socket_dir=""
  cat >"$INI" <<EOF
; Written by scripts/pgbouncer-sandbox.sh on every start; edits are lost.
[databases]
pgvigil_test = host=127.0.0.1 port=$PGVIGIL_SANDBOX_PORT dbname=pgvigil_test

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir = $socket_dir
auth_type = scram-sha-256
auth_file = $BDIR/userlist.txt
admin_users = postgres
stats_users = pgvigil_monitor
pool_mode = session
default_pool_size = $pool_size
max_client_conn = 100
logfile = $LOG
pidfile = $PIDFILE
EOF
  # Plain-text passwords: pgbouncer then does SCRAM both towards clients and the server.
  cat >"$BDIR/userlist.txt" <<'EOF'
"pgvigil_monitor" "monitor-secret"
"postgres" "admin-secret"
EOF
  if is_root; then chown postgres:postgres "$INI" "$BDIR/userlist.txt"; fi
  chmod 600 "$INI" "$BDIR/userlist.txt"
}

# Waits up to 10 s for the daemon to listen on PORT; fails early if it died.
wait_listening() {
  local port=$1 i
  for i in $(seq 1 100); do
    if [[ -n $(running_pid) ]] && port_in_use "$port"; then
      return 0
    fi
    # pgbouncer writes its pidfile before it may still fail to bind; give it a moment first.
    if [[ $i -gt 10 && -z $(running_pid) ]]; then
      return 1
    fi
    sleep 0.1
  done
  return 1
}

# Starts pgbouncer; retries on another port when the chosen one was taken meanwhile.
start_daemon() {
  local pool_size=$1 attempt port bin
  bin=$(pgbouncer_bin)
  for attempt in $(seq 1 "$START_ATTEMPTS"); do
    port=$(pick_free_port)
    write_config "$port" "$pool_size"
    local log_lines=0
    [[ -f $LOG ]] && log_lines=$(wc -l <"$LOG")
    # -d: daemonize; pgbouncer refuses to run as root, hence the cluster user.
    as_cluster_user "$bin" -d -q "$INI" || true
    if wait_listening "$port"; then
      PORT=$port
      return 0
    fi
    local pid
    pid=$(running_pid)
    if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; fi
    if tail -n +"$((log_lines + 1))" "$LOG" 2>/dev/null | grep -q -i 'address already in use'; then
      note "port $port was taken, retrying on another (attempt $attempt of $START_ATTEMPTS)"
      continue
    fi
    echo "---- last 30 lines of $LOG ----" >&2
    tail -n 30 "$LOG" >&2 2>/dev/null || true
    die "pgbouncer did not start"
  done
  die "pgbouncer did not start after $START_ATTEMPTS attempts: no free port"
}

# SHOW POOLS through the admin DSN, as pgvigil will do.
verify() {
  local dsn=$1
  local out
  if ! out=$("$(sandbox_psql)" -X -At "$dsn" -c 'SHOW POOLS' 2>&1); then
    echo "$out" >&2
    echo "---- last 30 lines of $LOG ----" >&2
    tail -n 30 "$LOG" >&2 || true
    die "SHOW POOLS through pgbouncer failed"
  fi
}

cmd_start() {
  local dir="" pool_size=2
  while [[ $# -gt 0 ]]; do
    case $1 in
      --pool-size) [[ $# -ge 2 ]] || usage; pool_size=$2; shift 2 ;;
      -*) usage ;;
      *) [[ -z $dir ]] || usage; dir=$1; shift ;;
    esac
  done
  [[ -n $dir ]] || usage
  [[ $pool_size =~ ^[1-9][0-9]*$ ]] || die "--pool-size must be a positive number"
  set_paths "$dir"
  load_sandbox_env "$DIR"

  if [[ -n $(running_pid) ]]; then
    if [[ $(configured_value default_pool_size) == "$pool_size" &&
      $(configured_value listen_port) == "${PGVIGIL_PGBOUNCER_PORT:-}" ]]; then
      env_lines "$PGVIGIL_PGBOUNCER_PORT"
      return 0
    fi
    cmd_stop "$DIR"
  fi

  own_dir "$BDIR" 755
  start_daemon "$pool_size"
  verify "host=127.0.0.1 port=$PORT dbname=pgbouncer user=pgvigil_monitor password=monitor-secret"
  strip_env
  env_lines "$PORT" >>"$DIR/env"
  env_lines "$PORT"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  set_paths "$1"
  local pid i
  pid=$(running_pid)
  if [[ -n $pid ]]; then
    # SIGTERM is pgbouncer's immediate shutdown; SIGKILL if it does not go within 10 s.
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      note "pgbouncer $pid did not stop on SIGTERM, killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$PIDFILE"
  strip_env
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
