#!/usr/bin/env bash
# Measures the HTTP API of `pgvigil serve` under load while it keeps collecting: wrk (Debian
# package) against /api/v1/health and /metrics, 200 concurrent connections, 2 threads, with the
# viewer token as a header. Both routes are read from the daemon's latest-state cache (a read
# never queries PostgreSQL). Prints requests/s, p50 / p99 / max latency, errors and non-2xx
# answers, and the daemon's CPU during each wrk run.
#
# Usage: bench/daemon-http-wrk.sh [SECONDS [CONNECTIONS [TARGET]]]   (defaults 20, 200, sandbox)
#   TARGET sandbox: the 100 databases of bench/daemon-sandbox-lib.sh as one target;
#   TARGET large:   bench_large of ../shared/bench-peers (2,000 tables, 6,300 indexes, ~5,600
#                   statements; cluster on port 25432, role peer_pgvigil), every database.
# The daemon is started, left 30 s for its first collections of every tier, then each route is
# loaded in turn (wrk runs on the same 2 cores as the daemon and PostgreSQL: the figures are a
# lower bound of what the daemon can serve). Raw wrk output: $OUT (default $SANDBOX/results).
#
# The peer, in the same run: nginx (Debian package nginx-light, installed when missing) with one
# process (no master) — the daemon serves HTTP on one thread — serving the very health body the
# daemon answered, from a file, with keep-alive and no access log: what a static-file server
# reaches for the same bytes, connections and wrk on this machine. A p99 target the peer misses
# too is a target of the machine, not of the daemon.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=daemon-sandbox-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/daemon-sandbox-lib.sh"
DURATION=${1:-20}
CONNS=${2:-200}
TARGET=${3:-sandbox}
WARMUP=30

# wrk prints latencies as 812.00us, 1.23ms or 1.02s: to milliseconds.
to_ms() {
  awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v+0}
        else if (v ~ /m$/) {sub(/m$/,"",v); print v*60000} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000} else print v}'
}

write_large_config() {
  local store=$OUT/pgvigil-wrk-large.db
  rm -f "$store" "$store-wal" "$store-shm"
  cat >"$1" <<EOF
# Written by bench/daemon-http-wrk.sh: the large benchmark database, default intervals.
listen: "127.0.0.1:$HTTP_PORT"
store: { path: "$store" }
auth:
  tokens:
    - { name: bench, token: "$TOKEN", role: viewer }
targets:
  - name: large
    dsn: "host=127.0.0.1 port=25432 dbname=bench_large user=peer_pgvigil sslmode=disable"
    databases: { include: ["*"] }
EOF
}

NGINX_PORT=${NGINX_PORT:-18799}
NGINX_PID=""

# Starts nginx on NGINX_PORT serving FILE at /api/v1/health (one worker, keep-alive, no logs).
start_nginx() {
  command -v nginx >/dev/null ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx-light >/dev/null
  local dir=$OUT/nginx
  mkdir -p "$dir"
  cp "$1" "$dir/health.json"
  cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process off;  # one process doing the work, so its CPU counters are the worker's
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location = /api/v1/health { default_type "application/json; charset=utf-8"; alias $dir/health.json; }
  }
}
EOF
  nginx -c "$dir/nginx.conf" -p "$dir" &
  NGINX_PID=$!
  for _ in $(seq 1 50); do
    curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT/api/v1/health" && return 0
    sleep 0.1
  done
  echo "nginx did not come up, see $dir/error.log" >&2
  return 1
}
stop_all() {
  if [ -n "$NGINX_PID" ]; then
    kill -QUIT "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
  fi
  stop_daemon
}

# load PATH [PORT PID LABEL] -> one Markdown row (default: the daemon)
load() {
  local path=$1 port=${2:-$HTTP_PORT} pid=${3:-$PGV_PID} label=${4:-pgvigil}
  local raw; raw=$OUT/wrk-$TARGET-${label%% *}-$(echo "$path" | tr -c 'a-z0-9\n' '_').txt
  local c0 c1; c0=$(proc_cpu_ticks "$pid")
  wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$port$path" >"$raw" 2>&1
  c1=$(proc_cpu_ticks "$pid")
  local rps p50 p90 p99 max errs non2xx bytes
  rps=$(awk '/^Requests\/sec:/{print $2}' "$raw")
  p50=$(awk '$1=="50%"{print $2}' "$raw" | to_ms)
  p90=$(awk '$1=="90%"{print $2}' "$raw" | to_ms)
  p99=$(awk '$1=="99%"{print $2}' "$raw" | to_ms)
  max=$(awk '$1=="Latency"{print $4}' "$raw" | to_ms)
  errs=$(awk '/Socket errors/{print $3, $4, $5, $6, $7, $8, $9, $10}' "$raw")
  non2xx=$(awk '/Non-2xx/{print $5}' "$raw")
  bytes=$(curl -s -o /dev/null -w '%{size_download}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port$path")
  # shellcheck disable=SC2016 # backquotes are Markdown
  printf '| %s | `%s` | %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %.0f%% |\n' "$label" "$path" "$TARGET" "$CONNS" "$rps" \
    "$p50" "$p90" "$p99" "$max" "$(numfmt --to=iec "$bytes")" "${errs:-none}, non-2xx ${non2xx:-0}" \
    "$(echo "($c1-$c0)*100/$CLK_TCK/$DURATION" | bc -l)"
}

main() {
  [ -x "$PGVIGIL" ] || { echo "no pgvigil binary at $PGVIGIL (set PGVIGIL=...)" >&2; exit 1; }
  local cfg=$OUT/pgvigil-wrk-$TARGET.yaml
  if [ "$TARGET" = large ]; then
    mkdir -p "$OUT"
    write_large_config "$cfg"
  else
    sandbox_up
    write_config one "$cfg"
  fi
  trap stop_all EXIT
  start_daemon "$cfg" "$OUT/pgvigil-wrk-$TARGET.log"
  sleep "$WARMUP"
  echo "Run: $(date -u +'%F %H:%M') UTC, wrk -t2 -c$CONNS -d${DURATION}s --latency, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| server | route | target | connections | requests/s | p50 ms | p90 ms | p99 ms | max ms | body | socket errors, non-2xx | server CPU (% of one core) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  load /api/v1/health
  curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$HTTP_PORT/api/v1/health" >"$OUT/health-body.json"
  start_nginx "$OUT/health-body.json"
  load /api/v1/health "$NGINX_PORT" "$NGINX_PID" "nginx (peer)"
  load /metrics
}

main "$@"
