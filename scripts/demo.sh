#!/usr/bin/env bash
# The newcomer's "run the main job": builds pgvigil, starts a PostgreSQL sandbox full of
# problems and shows what pgvigil makes of it.
#
# Usage:
#   scripts/demo.sh          install packages, build (build/), start the sandbox in
#                            build/demo-sandbox with the demo workload, run pgvigil on it
#   scripts/demo.sh stop     stop the demo workload and the sandbox (files stay; add --purge
#                            to pg-sandbox.sh stop to delete them)
#
# Everything listens on 127.0.0.1 only; the background sessions end by themselves within an hour.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SANDBOX=$ROOT/build/demo-sandbox

say() { echo "demo: $*" >&2; }

build() {
  "$ROOT/scripts/install-deps.sh"
  say "building (Release) in build/"
  # Warnings are errors only in CI's Debug build: GCC 12 at -O3 warns falsely on some std::string
  # code, and a demo must run even when build/ was configured with -DPGVIGIL_WERROR=ON before.
  cmake -S "$ROOT" -B "$ROOT/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPGVIGIL_WERROR=OFF
  cmake --build "$ROOT/build"
}

start_sandbox() {
  say "starting the PostgreSQL sandbox in $SANDBOX"
  "$ROOT/scripts/pg-sandbox.sh" start "$SANDBOX" >/dev/null
  say "loading the demo workload"
  "$ROOT/scripts/demo-workload.sh" start "$SANDBOX"
  # shellcheck disable=SC1091
  source "$SANDBOX/env"
}

# ---------------------------------------------------------------------------------------------
# The monitoring step. TODO: replace with starting the daemon and pointing at its dashboard
# once `pgvigil run` exists; keep it the only place that runs pgvigil.
run_pgvigil() {
  local dsn="host=127.0.0.1 port=$PGVIGIL_SANDBOX_PORT dbname=pgvigil_demo"
  dsn+=" user=pgvigil_monitor password=monitor-secret"
  local out=$ROOT/build/demo-collect.json
  local status=0
  say "running: build/pgvigil collect --dsn \"$dsn\" --tier all"
  "$ROOT/build/pgvigil" collect --dsn "$dsn" --tier all >"$out" || status=$?
  # A few lines of what the collectors saw; the whole snapshot is in the file.
  jq -r '
    "server: PostgreSQL \(.server.server_version) as \(.server.current_user) (pg_monitor: \(.server.has_pg_monitor)), collected in \(.duration_seconds * 1000 | floor) ms",
    "collectors: " + ([.outcomes[] | "\(.collector)=\(.status)"] | join(" ")),
    "sessions: " + ([.activity[] | select(.backend_type == "client backend") | .state] | group_by(.) | map("\(.[0] // "?"): \(length)") | join(", ")),
    (.activity[] | select(.state == "idle in transaction") | "idle in transaction: pid \(.pid) \(.application_name) for \(.xact_age_seconds | floor) s"),
    (.lock_waits[] | "waiting: pid \(.pid) for \(.mode) on \(if .relation == "" then .locktype else .relation end), blocked by \(.blocking_pids)"),
    (.tables | sort_by(-.n_dead_tup) | .[:3][] | "dead tuples: \(.schemaname).\(.relname) \(.n_dead_tup) dead / \(.n_live_tup) live"),
    (.indexes[] | select(.indisvalid | not) | "invalid index: \(.schemaname).\(.indexrelname)"),
    (.indexes[] | select(.idx_scan == 0 and (.indisprimary | not)) | "never scanned: \(.schemaname).\(.indexrelname)"),
    (.sequences[] | select(.last_value != null) | "sequence \(.schemaname).\(.sequencename): \(.last_value) of \(.max_value)"),
    (.skipped_relations[] | "skipped: \(.schemaname).\(.relname) (\(.reason))"),
    (.statements | sort_by(-.mean_exec_time) | .[:3][] | "slow statement: \(.mean_exec_time | floor) ms mean × \(.calls): \((.query // "(text not fetched)") | gsub("\\s+"; " ") | .[:80])")
  ' "$out" || cat "$out"
  say "snapshot saved in build/demo-collect.json"
  say "running: build/pgvigil check --dsn \"$dsn\" --interval 5s"
  # check exits 1 or 2 when it finds problems, which is the point of the demo
  "$ROOT/build/pgvigil" check --dsn "$dsn" --interval 5s || true
  return "$status"
}
# ---------------------------------------------------------------------------------------------

stop_demo() {
  if [[ -d $SANDBOX ]]; then
    "$ROOT/scripts/demo-workload.sh" stop "$SANDBOX"
    "$ROOT/scripts/pg-sandbox.sh" stop "$SANDBOX"
  fi
  say "stopped"
}

main() {
  case ${1:-run} in
    run)
      build
      start_sandbox
      sleep 3   # let the statistics of the load reach the cumulative statistics views
      run_pgvigil
      say "the sandbox keeps running; stop it with: scripts/demo.sh stop"
      ;;
    stop) stop_demo ;;
    *) sed -n '5,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
}

main "$@"
