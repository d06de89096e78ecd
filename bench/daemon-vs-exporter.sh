#!/usr/bin/env bash
# Measures `pgvigil serve` watching the large synthetic database of ../shared/bench-peers
# (2,000 tables, 6,300 indexes, ~5,600 statements, 57 held sessions with a lock chain) for
# MINUTES at the default intervals (fast 1 s, standard 15 s, slow 5 min), side by side with
# Debian's prometheus-postgres-exporter in its full-coverage config (`full13`: per-table +
# pg_stat_statements, auto-discovered databases, as baseline.md configures it). Both run at the
# same time, both are scraped every 15 s by a curl loop that never overlaps its scrapes (as a
# Prometheus would); pgvigil watches every database of the cluster (`databases: {include:
# ["*"]}`), the same coverage as the exporter's auto-discovery.
#
# Usage: bench/daemon-vs-exporter.sh [MINUTES [SCRAPES]]   (defaults 10 and 20)
#
# The window starts WARMUP seconds (default 20) after both start, once the daemon's first
# collection of every tier is done: a window from the start holds one slow-tier collection
# more than the steady rate (three in ten minutes instead of two, +38 ms of server time per
# minute on this database), depending on where the window's end falls. The report gives the
# number of slow collections in the window; WARMUP=0 measures from the start.
#
# Needs the benchmark cluster: ../shared/bench-peers/setup-db.sh large && sessions.sh start large
# (run here when missing). PGVIGIL: the binary (default build-bench/pgvigil, a Release build).
# Prints Markdown; raw files go to $BENCH_BASE/results/daemon/.
#
# Measured over the window, per minute:
#   server execution time: pg_stat_statements of role peer_pgvigil vs peer_exporter (each reset
#     at the start; executor time only, track_planning is off);
#   client CPU: utime + stime of each process from /proc/PID/stat (clock ticks), start to end;
#   memory: VmHWM at the end and the median of VmRSS sampled every 5 s.
# Then, with both still running: SCRAPES back-to-back scrapes of each /metrics, CPU counters
# differenced around them (pgvigil's figure also shown net of its background collection rate).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=${PEERS:-$ROOT/../shared/bench-peers}
MINUTES=${1:-10}
SCRAPES=${2:-20}
# shellcheck source=/dev/null
source "$PEERS/common.sh"
PORT=$PORT_LARGE
DB=bench_large
OUT=$BENCH_BASE/results/daemon
PGVIGIL=${PGVIGIL:-$ROOT/build-bench/pgvigil}
HTTP_PORT=${HTTP_PORT:-18797}
TOKEN=bench-viewer-token
INTERVAL=15
WARMUP=${WARMUP:-20}
mkdir -p "$OUT"

ensure_cluster() {
  if ! spsql "$PORT" -d postgres -At -c "select 1 from pg_database where datname='$DB'" 2>/dev/null | grep -q 1; then
    "$PEERS/setup-db.sh" large
  fi
  "$PEERS/sessions.sh" start large >/dev/null
  spsql "$PORT" -d postgres -c "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='peer_pgvigil') THEN
      CREATE ROLE peer_pgvigil LOGIN IN ROLE pg_monitor; END IF; END \$\$;" >/dev/null
}

write_config() {
  rm -f "$OUT"/pgvigil.db*
  cat >"$OUT/pgvigil.yaml" <<EOF
# Written by bench/daemon-vs-exporter.sh: default intervals, every database of the cluster.
listen: "127.0.0.1:$HTTP_PORT"
store: { path: "$OUT/pgvigil.db" }
auth:
  tokens:
    - { name: bench, token: "$TOKEN", role: viewer }
targets:
  - name: large
    dsn: "host=127.0.0.1 port=$PORT dbname=$DB user=peer_pgvigil sslmode=disable application_name=pgv_bench"
    databases: { include: ["*"] }
EOF
}

PGV_PID=""
SCRAPER_PIDS=()
cleanup() {
  local p
  for p in "${SCRAPER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "$PGV_PID" ]; then kill -TERM "$PGV_PID" 2>/dev/null || true; wait "$PGV_PID" 2>/dev/null || true; fi
  stop_exporter
}

start_pgvigil() {
  "$PGVIGIL" serve -c "$OUT/pgvigil.yaml" >"$OUT/pgvigil.log" 2>&1 &
  PGV_PID=$!
  for _ in $(seq 1 100); do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$HTTP_PORT/healthz" && return 0
    sleep 0.1
  done
  echo "pgvigil did not come up, see $OUT/pgvigil.log" >&2
  return 1
}

# scrape_loop URL LOGFILE [curl args]: one scrape per INTERVAL tick, never two at once (a slow
# scrape delays the next, like a Prometheus target). Logs time_total, size, HTTP code.
scrape_loop() {
  local url=$1 log=$2; shift 2
  local next; next=$(date +%s)
  while :; do
    curl -s -o /dev/null --max-time 60 -w '%{time_total} %{size_download} %{http_code}\n' "$@" "$url" >>"$log" || true
    next=$((next + INTERVAL))
    local now; now=$(date +%s)
    if [ "$now" -lt "$next" ]; then sleep $((next - now)); fi
  done
}

# pgvigil's collections of one tier so far, from its own /metrics.
tier_collections() {
  curl -s --max-time 10 -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$HTTP_PORT/metrics" |
    awk -v tier="$1" '/^pgvigil_tier_collections_total\{/ && $0 ~ "tier=\"" tier "\"" {n += $NF} END {print n + 0}'
}

rss_kib() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
hwm_mib() { awk '/^VmHWM/{printf "%.1f", $2/1024}' "/proc/$1/status"; }

# scrape_cpu PID URL [curl args]: prints "ms_per_scrape wall_median_ms bytes series"
scrape_cpu() {
  local pid=$1 url=$2; shift 2
  local c0 c1 times="$OUT/scrape.times"
  : >"$times"
  c0=$(proc_cpu_ticks "$pid")
  local t0; t0=$(date +%s.%N)
  for _ in $(seq 1 "$SCRAPES"); do
    curl -s -o "$OUT/scrape.body" --max-time 60 -w '%{time_total}\n' "$@" "$url" >>"$times"
  done
  local t1; t1=$(date +%s.%N)
  c1=$(proc_cpu_ticks "$pid")
  local series; series=$(grep -vc '^#' "$OUT/scrape.body" || true)
  echo "$(echo "scale=2; ($c1-$c0)*1000/$CLK_TCK/$SCRAPES" | bc) $(awk '{print $1*1000}' "$times" | median) \
$(stat -c %s "$OUT/scrape.body") $series $(echo "$t1 - $t0" | bc)"
}

main() {
  ensure_cluster
  [ -x "$PGVIGIL" ] || { echo "no pgvigil binary at $PGVIGIL (set PGVIGIL=...)" >&2; exit 1; }
  trap cleanup EXIT
  write_config
  : >"$OUT/exporter.scrapes"; : >"$OUT/pgvigil.scrapes"; : >"$OUT/samples.tsv"
  start_exporter "$PORT" "$DB" full13 "$OUT/exporter.log"
  start_pgvigil
  scrape_loop "http://127.0.0.1:$EXPORTER_PORT/metrics" "$OUT/exporter.scrapes" &
  SCRAPER_PIDS+=($!)
  scrape_loop "http://127.0.0.1:$HTTP_PORT/metrics" "$OUT/pgvigil.scrapes" -H "Authorization: Bearer $TOKEN" &
  SCRAPER_PIDS+=($!)
  sleep "$WARMUP"
  pss_reset_role "$PORT" peer_pgvigil
  pss_reset_role "$PORT" peer_exporter
  local slow0; slow0=$(tier_collections slow)
  local start; start=$(date +%s.%N)
  local p0 e0; p0=$(proc_cpu_ticks "$PGV_PID"); e0=$(proc_cpu_ticks "$EXP_PID")
  local end=$(( $(date +%s) + MINUTES * 60 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    printf '%s\t%s\t%s\t%s\t%s\n' "$(date +%s)" "$(proc_cpu_ticks "$PGV_PID")" "$(rss_kib "$PGV_PID")" \
      "$(proc_cpu_ticks "$EXP_PID")" "$(rss_kib "$EXP_PID")" >>"$OUT/samples.tsv"
    sleep 5
  done
  local p1 e1; p1=$(proc_cpu_ticks "$PGV_PID"); e1=$(proc_cpu_ticks "$EXP_PID")
  local stop; stop=$(date +%s.%N)
  local slow1; slow1=$(tier_collections slow)
  for p in "${SCRAPER_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  SCRAPER_PIDS=()
  local mins; mins=$(echo "scale=4; ($stop - $start)/60" | bc)
  local pv_stmts pv_calls pv_ms ex_stmts ex_calls ex_ms
  read -r pv_stmts pv_calls pv_ms < <(pss_role_totals "$PORT" peer_pgvigil)
  read -r ex_stmts ex_calls ex_ms < <(pss_role_totals "$PORT" peer_exporter)
  for role in peer_pgvigil peer_exporter; do
    spsql "$PORT" -d postgres -At -F $'\t' -c "SELECT calls, round(total_exec_time::numeric,1), left(regexp_replace(query,'\s+',' ','g'),100)
        FROM pg_stat_statements WHERE userid=(SELECT oid FROM pg_roles WHERE rolname='$role')
        ORDER BY total_exec_time DESC" >"$OUT/$role.pss"
  done
  local pv_hwm ex_hwm pv_rss ex_rss
  pv_hwm=$(hwm_mib "$PGV_PID"); ex_hwm=$(hwm_mib "$EXP_PID")
  pv_rss=$(awk '{print $3/1024}' "$OUT/samples.tsv" | median | xargs printf '%.1f')
  ex_rss=$(awk '{print $5/1024}' "$OUT/samples.tsv" | median | xargs printf '%.1f')
  local pv_srv ex_srv pv_cpu ex_cpu
  pv_srv=$(echo "scale=1; $pv_ms/$mins" | bc); ex_srv=$(echo "scale=1; $ex_ms/$mins" | bc)
  pv_cpu=$(echo "scale=1; ($p1-$p0)*1000/$CLK_TCK/$mins" | bc)
  ex_cpu=$(echo "scale=1; ($e1-$e0)*1000/$CLK_TCK/$mins" | bc)
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a/b}'; }
  local pv_n ex_n pv_sc ex_sc
  pv_n=$(wc -l <"$OUT/pgvigil.scrapes"); ex_n=$(wc -l <"$OUT/exporter.scrapes")
  pv_sc=$(awk '{print $1*1000}' "$OUT/pgvigil.scrapes" | median)
  ex_sc=$(awk '{print $1*1000}' "$OUT/exporter.scrapes" | median)
  local store; store=$(du -cb "$OUT"/pgvigil.db* | tail -1 | awk '{printf "%.1f", $1/1048576}')

  echo "Window: $(printf '%.2f' "$mins") min from $WARMUP s after the start, $(date -u +'%F %H:%M') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "pgvigil's slow-tier collections in the window: $((slow1 - slow0)) (one per 5 min at steady state)"
  echo
  echo "| per minute | pgvigil serve | postgres_exporter full13 | ratio pgvigil / exporter | target |"
  echo "|---|---|---|---|---|"
  echo "| server exec ms (pg_stat_statements) | $pv_srv | $ex_srv | $(ratio "$pv_srv" "$ex_srv") | ≤ 0.5 |"
  echo "| statements (distinct) / calls in window | $pv_stmts / $pv_calls | $ex_stmts / $ex_calls | | |"
  echo "| client CPU ms | $pv_cpu | $ex_cpu | $(ratio "$pv_cpu" "$ex_cpu") | ≤ 0.1 |"
  echo "| RSS median MiB (VmRSS every 5 s) | $pv_rss | $ex_rss | | pgvigil < 64 |"
  echo "| peak RSS MiB (VmHWM) | $pv_hwm | $ex_hwm | | pgvigil < 64 |"
  echo "| /metrics scrapes (every 15 s), median s | $pv_n, $pv_sc ms | $ex_n, $ex_sc ms | | |"
  echo
  echo "pgvigil store after the window: $store MiB (pgvigil.db + -wal + -shm)"

  # Scrape cost, both processes still running (pgvigil keeps collecting in the background).
  local pv_rate; pv_rate=$(echo "scale=6; ($p1-$p0)*1000/$CLK_TCK/($stop - $start)" | bc)  # ms CPU per s
  local pv ex
  pv=$(scrape_cpu "$PGV_PID" "http://127.0.0.1:$HTTP_PORT/metrics" -H "Authorization: Bearer $TOKEN")
  ex=$(scrape_cpu "$EXP_PID" "http://127.0.0.1:$EXPORTER_PORT/metrics")
  local pv_ms_s pv_wall pv_bytes pv_series pv_secs ex_ms_s ex_wall ex_bytes ex_series
  read -r pv_ms_s pv_wall pv_bytes pv_series pv_secs <<<"$pv"
  read -r ex_ms_s ex_wall ex_bytes ex_series _ <<<"$ex"
  local pv_net; pv_net=$(echo "scale=2; $pv_ms_s - $pv_rate*$pv_secs/$SCRAPES" | bc)
  echo
  echo "| $SCRAPES back-to-back /metrics scrapes | pgvigil | exporter full13 | ratio | target |"
  echo "|---|---|---|---|---|"
  echo "| CPU ms per scrape | $pv_ms_s (net of background collection: $pv_net) | $ex_ms_s | $(ratio "$pv_ms_s" "$ex_ms_s") | ≤ 0.1 |"
  echo "| wall ms per scrape, median | $pv_wall | $ex_wall | $(ratio "$pv_wall" "$ex_wall") | |"
  echo "| body KiB / series | $((pv_bytes / 1024)) / $pv_series | $((ex_bytes / 1024)) / $ex_series | | |"
}

main "$@"
