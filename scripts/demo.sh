#!/usr/bin/env bash
# The newcomer's "run the main job": builds pgvigil, starts a PostgreSQL sandbox full of
# problems and runs the pgvigil daemon on it.
#
# Usage:
#   scripts/demo.sh          install packages, build (build/), start the sandbox in
#                            build/demo-sandbox with the demo workload, run `pgvigil serve` on
#                            it and print its URLs (PGVIGIL_DEMO_HTTP_PORT, default 8787)
#   scripts/demo.sh serve    the same without installing and building (PGVIGIL_BINARY: which
#                            binary, default build/pgvigil; PGVIGIL_DEMO_DIR: where the sandbox,
#                            config and store go, default build/)
#   scripts/demo.sh stop     stop the demo workload and the sandbox (files stay; add --purge
#                            to pg-sandbox.sh stop to delete them)
#
# Everything listens on 127.0.0.1 only; the background sessions end by themselves within an hour.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Where the demo keeps its cluster and the daemon's config and store (tests use their own).
DEMO_DIR=${PGVIGIL_DEMO_DIR:-$ROOT/build}
SANDBOX=$DEMO_DIR/demo-sandbox

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
# The monitoring step: the daemon watching the demo database, in the foreground (Ctrl-C stops
# it; the sandbox keeps running until `scripts/demo.sh stop`).
run_pgvigil() {
  local dir=$DEMO_DIR/demo
  local port=${PGVIGIL_DEMO_HTTP_PORT:-8787}
  mkdir -p "$dir"
  # The demo's report runs every few seconds: judge slow statements from 2 calls per 15 s
  # interval instead of 5, so it shows in the daemon's standard tier (docs/demo.md).
  cat >"$dir/pgvigil.yaml" <<EOF
# Written by scripts/demo.sh; see examples/pgvigil.yaml for every option.
listen: "127.0.0.1:$port"
store: { path: "$dir/pgvigil.db" }
auth:
  public_metrics: true
  tokens:
    - { name: ops, token: "demo-operator-token", role: operator }
    - { name: view, token: "demo-viewer-token", role: viewer }
targets:
  - name: demo
    dsn: "host=127.0.0.1 port=$PGVIGIL_SANDBOX_PORT dbname=pgvigil_demo user=pgvigil_monitor"
    password_env: PGVIGIL_DEMO_MONITOR_PASSWORD
    region: local
    labels: { env: demo }
thresholds:
  query.slow_statement.min_calls: {warning: 2}
EOF
  export PGVIGIL_DEMO_MONITOR_PASSWORD=monitor-secret
  local url="http://127.0.0.1:$port"
  cat >&2 <<EOF
demo: pgvigil serve is starting; config in $dir/pgvigil.yaml
demo:
demo:   dashboard   $url/   (enter demo-operator-token, or demo-viewer-token to only look)
demo:   targets     curl -H 'Authorization: Bearer demo-viewer-token' '$url/api/v1/targets'
demo:   health      curl -H 'Authorization: Bearer demo-viewer-token' '$url/api/v1/health?type=overview'
demo:   findings    curl -H 'Authorization: Bearer demo-viewer-token' '$url/api/v1/findings?severity=warning'
demo:   live stream curl -N -H 'Authorization: Bearer demo-viewer-token' '$url/api/v1/stream'
demo:   metrics     curl '$url/metrics'
demo:
demo: Ctrl-C stops the daemon; scripts/demo.sh stop stops the database and its workload.
EOF
  exec "${PGVIGIL_BINARY:-$ROOT/build/pgvigil}" serve -c "$dir/pgvigil.yaml"
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
    serve)
      start_sandbox
      run_pgvigil
      ;;
    stop) stop_demo ;;
    *) sed -n '5,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
}

main "$@"
