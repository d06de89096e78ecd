#!/usr/bin/env bash
# Measures `pgvigil serve` watching 100 databases of one PostgreSQL sandbox at the default
# intervals (fast 1 s, standard 15 s, slow 5 min): daemon CPU (% of one core), RSS, and the
# growth of its SQLite store, extrapolated per day. Two configurations, one after the other:
#   one  — ONE target whose dsn names pgvigil_test, with databases: {include: ["*"],
#          exclude: ["postgres"]} (100 databases behind one target);
#   many — 100 targets of one database each.
# The databases: bench/daemon-sandbox-lib.sh (pgvigil_test + bench_db001..099, 4 tables and
# 9 indexes each, pg_stat_statements in pgvigil_test).
#
# Usage: bench/daemon-100-databases.sh [MINUTES [MODES]]   (defaults 5 and "one many")
#
# CPU = utime + stime of the daemon (/proc/PID/stat) over the window / wall time. RSS = VmRSS
# sampled every 5 s (median) and VmHWM at the end. Store growth = (bytes of the store's pages in
# use, WAL included, at the end − at the end of the first minute) / elapsed time × 1 day; the
# first minute is left out because it holds the one-off first samples (catalogue, first slow
# tier). The file size after the daemon stopped (WAL checkpointed into it) is shown too. The
# slow tier runs at the start and every 5 min, so a 5-minute window holds one or two of them:
# read the growth as an order of magnitude. Raw files: $OUT (default $SANDBOX/results).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=daemon-sandbox-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/daemon-sandbox-lib.sh"
MINUTES=${1:-5}
MODES=${2:-one many}

measure() {
  local mode=$1 cfg=$OUT/pgvigil-$1.yaml samples=$OUT/samples-$1.tsv store=$OUT/pgvigil-$1.db
  write_config "$mode" "$cfg"
  : >"$samples"
  local t0; t0=$(date +%s.%N)
  start_daemon "$cfg" "$OUT/pgvigil-$mode.log"
  local c0; c0=$(proc_cpu_ticks "$PGV_PID")
  local end=$(( $(date +%s) + MINUTES * 60 )) s1="" t1=""
  while [ "$(date +%s)" -lt "$end" ]; do
    printf '%s\t%s\t%s\t%s\n' "$(date +%s.%N)" "$(proc_cpu_ticks "$PGV_PID")" "$(rss_kib "$PGV_PID")" \
      "$(store_bytes "$store")" >>"$samples"
    if [ -z "$s1" ] && [ "$(echo "$(date +%s.%N) - $t0 >= 60" | bc)" = 1 ]; then
      s1=$(store_bytes "$store"); t1=$(date +%s.%N)
    fi
    sleep 5
  done
  local c1 t2 s2; c1=$(proc_cpu_ticks "$PGV_PID"); t2=$(date +%s.%N); s2=$(store_bytes "$store")
  local hwm; hwm=$(hwm_mib "$PGV_PID")
  local conns; conns=$(spsql -d postgres -At -c "SELECT count(*) FROM pg_stat_activity WHERE usename='pgvigil_monitor'")
  local dbs; dbs=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$HTTP_PORT/metrics" \
    | grep -o 'datname="[^"]*"' | sort -u | wc -l || true)
  stop_daemon
  local closed; closed=$(stat -c %s "$store")
  local secs cpu rss growth
  secs=$(echo "$t2 - $t0" | bc)
  cpu=$(awk -v c=$((c1 - c0)) -v t="$CLK_TCK" -v s="$secs" 'BEGIN{printf "%.2f", c*100/t/s}')
  rss=$(awk '{print $3/1024}' "$samples" | median)
  growth=$(echo "scale=1; ($s2-$s1)*86400/($t2-$t1)/1048576" | bc)
  printf '| %s | %.0f s | %s | %s | %s%% | %.1f | %s | %.1f (%.1f) | %s |\n' "$mode" "$secs" "$conns" "$dbs" "$cpu" \
    "$rss" "$hwm" "$(echo "$s2/1048576" | bc -l)" "$(echo "$closed/1048576" | bc -l)" "$growth"
}

main() {
  [ -x "$PGVIGIL" ] || { echo "no pgvigil binary at $PGVIGIL (set PGVIGIL=...)" >&2; exit 1; }
  sandbox_up
  trap stop_daemon EXIT
  echo "Run: $(date -u +'%F %H:%M') UTC, $MINUTES min per config, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| config | window | monitoring sessions | datname values in /metrics | daemon CPU (% of one core) | RSS median MiB | VmHWM MiB | store in use at end MiB (file after stop) | store growth MiB/day |"
  echo "|---|---|---|---|---|---|---|---|---|"
  local m
  for m in $MODES; do measure "$m"; done
}

main "$@"
