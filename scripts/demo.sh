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
  cmake -S "$ROOT" -B "$ROOT/build" -G Ninja -DCMAKE_BUILD_TYPE=Release
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
  if command -v jq >/dev/null 2>&1 && jq . "$out" 2>/dev/null; then
    :
  else
    cat "$out"
  fi
  say "snapshot saved in build/demo-collect.json"
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
