#!/usr/bin/env bash
# Measures `pgvigil collect` per tier against Debian's prometheus-postgres-exporter on the large
# synthetic database of ../shared/bench-peers (2,000 tables, 6,300 indexes, ~5,600 statements,
# 57 held sessions with a lock chain), in one run, side by side.
#
# Usage: bench/collect-vs-exporter.sh [RUNS]        (default 10 measured runs after 1 warm-up)
#
# Needs the benchmark cluster: ../shared/bench-peers/setup-db.sh large && sessions.sh start large
# (this script runs both when the cluster is missing). Builds pgvigil (Release) in build-bench/.
# Prints a Markdown table; raw files go to $BENCH_BASE/results/pgvigil/.
#
# Per pgvigil tier, steady state (bench/collect_bench.cc: one session, RUNS collections after a
# warm-up, as the daemon runs): wall, pipeline (the collectors' share of the one round trip),
# client CPU and peak RSS, and the server execution time of those statements (pg_stat_statements
# of role peer_pgvigil, reset first). One-shot `pgvigil collect` (a new process and connection
# each run, JSON printed): wall, CPU, peak RSS (GNU time) and sendto() calls (strace), which
# bound its round trips (start-up, authentication, session set-up, the pipeline).
# Exporter: the full13 config (per-table + statements, PG13-fixed queries.yaml), scraped with curl.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=${PEERS:-$ROOT/../shared/bench-peers}
RUNS=${1:-10}
# shellcheck source=/dev/null
source "$PEERS/common.sh"
PORT=$PORT_LARGE
DB=bench_large
OUT=$BENCH_BASE/results/pgvigil
mkdir -p "$OUT"

ensure_tools() {
  local missing=""
  for p in time strace jq bc curl hyperfine prometheus-postgres-exporter; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
  done
  if [ -n "$missing" ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; fi
}

ensure_cluster() {
  if ! spsql "$PORT" -d postgres -At -c "select 1 from pg_database where datname='$DB'" 2>/dev/null | grep -q 1; then
    "$PEERS/setup-db.sh" large
  fi
  "$PEERS/sessions.sh" start large >/dev/null
  spsql "$PORT" -d postgres -c "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='peer_pgvigil') THEN
      CREATE ROLE peer_pgvigil LOGIN IN ROLE pg_monitor; END IF; END \$\$;" >/dev/null
}

build_pgvigil() {
  cmake -S "$ROOT" -B "$ROOT/build-bench" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DPGVIGIL_BUILD_TESTS=OFF -DPGVIGIL_BUILD_BENCH=ON >/dev/null
  cmake --build "$ROOT/build-bench" >/dev/null
}

DSN="host=127.0.0.1 port=$PORT user=peer_pgvigil dbname=$DB sslmode=disable"
PGVIGIL=$ROOT/build-bench/pgvigil
BENCH=$ROOT/build-bench/bench/pgvigil_collect_bench

# measure_tier TIER -> one Markdown row. Steady state (one session, as the daemon runs) from
# pgvigil_collect_bench, with the server time of exactly those runs; one-shot CLI figures (new
# process and connection each time) from GNU time; sends per one-shot run from strace.
measure_tier() {
  local tier=$1 times="$OUT/$tier.times"
  pss_reset_role "$PORT" peer_pgvigil
  local line; line=$("$BENCH" "$DSN" "$tier" "$RUNS")
  read -r nstmt calls execms < <(pss_role_totals "$PORT" peer_pgvigil)
  spsql "$PORT" -d postgres -At -F $'\t' -c "SELECT calls, round(total_exec_time::numeric,3), left(regexp_replace(query,'\s+',' ','g'),100)
      FROM pg_stat_statements WHERE userid=(SELECT oid FROM pg_roles WHERE rolname='peer_pgvigil') ORDER BY total_exec_time DESC" > "$OUT/$tier.pss"
  # the bench runs RUNS + 1 collections (one warm-up) and one set-up query per connection
  local server; server=$(echo "scale=2; $execms/($RUNS+1)" | bc)
  local wall pipe cpu rss not_ok
  IFS=$'\t' read -r _ _ wall _ _ pipe cpu rss _ not_ok <<<"$line"
  : > "$times"
  for _ in $(seq 1 "$RUNS"); do
    /usr/bin/time -f '%e %U %S %M' -o "$OUT/time.one" "$PGVIGIL" collect "$DSN" --tier "$tier" --compact \
        > "$OUT/$tier.json" 2>>"$OUT/$tier.err"
    cat "$OUT/time.one" >> "$times"
  done
  local cli_wall cli_cpu cli_rss sends
  cli_wall=$(awk '{print $1*1000}' "$times" | median)
  cli_cpu=$(awk '{print ($2+$3)*1000}' "$times" | median)
  cli_rss=$(awk '{print $4/1024}' "$times" | sort -g | tail -1)
  strace -f -e trace=sendto -o "$OUT/$tier.strace" "$PGVIGIL" collect "$DSN" --tier "$tier" --compact >/dev/null 2>&1
  sends=$(grep -c 'sendto(' "$OUT/$tier.strace" || true)
  printf '| pgvigil `%s` | %s | %s | %s | %.2f | %s | %s | %s | %s | %s | %s | %s |\n' \
    "$tier" "$wall" "$pipe" "$server" "$(echo "scale=3; $pipe/($server+0.001)" | bc)" "$cpu" "$rss" \
    "$cli_wall" "$cli_cpu" "$cli_rss" "$sends" "$not_ok"
}

measure_exporter() {
  local cfg=full13 log="$OUT/exporter.log" times="$OUT/exporter.times"
  start_exporter "$PORT" "$DB" "$cfg" "$log"
  curl -s -o /dev/null --max-time 60 "http://127.0.0.1:$EXPORTER_PORT/metrics"  # cold
  pss_reset_role "$PORT" peer_exporter
  local c0; c0=$(proc_cpu_ticks "$EXP_PID"); : > "$times"
  for _ in $(seq 1 "$RUNS"); do
    curl -s -o /dev/null --max-time 60 -w '%{time_total}\n' "http://127.0.0.1:$EXPORTER_PORT/metrics" >> "$times"
  done
  local c1; c1=$(proc_cpu_ticks "$EXP_PID")
  read -r _ _ execms < <(pss_role_totals "$PORT" peer_exporter)
  local hwm; hwm=$(awk '/VmHWM/{print $2/1024}' "/proc/$EXP_PID/status")
  stop_exporter
  local wall server cpu
  wall=$(awk '{print $1*1000}' "$times" | median)
  server=$(echo "scale=2; $execms/$RUNS" | bc)
  cpu=$(echo "scale=1; ($c1-$c0)*1000/$CLK_TCK/$RUNS" | bc)
  EXPORTER_SERVER_MS=$server
  EXPORTER_CPU_MS=$cpu
  printf '| postgres_exporter `full13` scrape | %s | — | %s | — | %s | %s | — | — | — | — | — |\n' "$wall" "$server" "$cpu" "$hwm"
}

main() {
  ensure_tools
  ensure_cluster
  build_pgvigil
  trap stop_exporter EXIT
  echo "| what | wall ms | pipeline ms | server exec ms | pipeline / server | client CPU ms | peak RSS MiB | one-shot CLI wall ms | CLI CPU ms | CLI peak RSS MiB | CLI sendto calls | not ok |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  local rows=""
  for tier in fast standard slow all; do
    row=$(measure_tier "$tier"); echo "$row"; rows+="$row"$'\n'
  done
  measure_exporter
  # Per minute at the default intervals: fast every 1 s, standard every 15 s, slow every 5 min;
  # the exporter scraped every 15 s.
  local fs ss ls fc sc lc
  fs=$(echo "$rows" | awk -F'|' '/`fast`/{print $5}'); ss=$(echo "$rows" | awk -F'|' '/`standard`/{print $5}')
  ls=$(echo "$rows" | awk -F'|' '/`slow`/{print $5}')
  fc=$(echo "$rows" | awk -F'|' '/`fast`/{print $7}'); sc=$(echo "$rows" | awk -F'|' '/`standard`/{print $7}')
  lc=$(echo "$rows" | awk -F'|' '/`slow`/{print $7}')
  local pv_server pv_cpu ex_server ex_cpu
  pv_server=$(echo "scale=1; 60*$fs + 4*$ss + 0.2*$ls" | bc)
  pv_cpu=$(echo "scale=1; 60*$fc + 4*$sc + 0.2*$lc" | bc)
  ex_server=$(echo "scale=1; 4*$EXPORTER_SERVER_MS" | bc)
  ex_cpu=$(echo "scale=1; 4*$EXPORTER_CPU_MS" | bc)
  echo
  echo "Per minute at default intervals: pgvigil server ${pv_server} ms, client CPU ${pv_cpu} ms;"
  echo "exporter (15 s) server ${ex_server} ms, CPU ${ex_cpu} ms;"
  echo "ratios pgvigil/exporter: server $(echo "scale=3; $pv_server/$ex_server" | bc), CPU $(echo "scale=3; $pv_cpu/$ex_cpu" | bc)"
}

main "$@"
