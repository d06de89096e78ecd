#!/usr/bin/env bash
# Measures what `pgvigil serve` costs a busy server: pgbench TPS on the sandbox of
# bench/daemon-sandbox-lib.sh (100 databases; pgbench scale 10 in pgvigil_test) with and
# without the daemon watching all 100 databases as one target at the default intervals (fast
# tier every 1 s). Runs are interleaved and their order alternates per pair (none, daemon;
# daemon, none; …), as ../shared/bench-peers/run-pgbench.sh does for postgres_exporter. Before
# a "daemon" run the daemon is started and left 20 s to make its first collections (the first
# slow tier); it is stopped after the run. Ratio = TPS(daemon) / TPS(none) of the same pair.
#
# Usage: bench/daemon-pgbench-impact.sh [PAIRS [SECONDS [PGBENCH_ARGS]]]
#        (defaults 3 pairs, 60 s per run, "-c 4 -j 2": the TPC-B-like default script)
#
# pgbench connects over the unix socket as postgres; -n (no vacuum) after one VACUUM of the
# pgbench tables before every run. Raw files: $OUT (default $SANDBOX/results).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=daemon-sandbox-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/daemon-sandbox-lib.sh"
PAIRS=${1:-3}
SECONDS_PER_RUN=${2:-60}
PGBENCH_ARGS=${3:--c 4 -j 2}
WARMUP=20

ensure_pgbench() {
  if ! spsql -d pgvigil_test -At -c "SELECT to_regclass('public.pgbench_accounts') IS NOT NULL" | grep -q t; then
    pgbench -h "$SANDBOX" -p "$SANDBOX_PORT" -U postgres -i -s 10 -q pgvigil_test 2>&1 | tail -1
  fi
}

# run_one CONDITION PAIR -> appends "condition pair tps daemon_cpu_s" to $OUT/pgbench.tsv
run_one() {
  local cond=$1 pair=$2 c0="" c1=""
  spsql -d pgvigil_test -c "VACUUM pgbench_branches, pgbench_tellers, pgbench_history" >/dev/null
  if [ "$cond" = daemon ]; then
    write_config one "$OUT/pgvigil-pgbench.yaml"
    start_daemon "$OUT/pgvigil-pgbench.yaml" "$OUT/pgvigil-pgbench.log"
    sleep "$WARMUP"
    c0=$(proc_cpu_ticks "$PGV_PID")
  fi
  local out
  # shellcheck disable=SC2086 # PGBENCH_ARGS is a list of options
  out=$(pgbench -h "$SANDBOX" -p "$SANDBOX_PORT" -U postgres -n $PGBENCH_ARGS -T "$SECONDS_PER_RUN" pgvigil_test 2>&1)
  local tps; tps=$(echo "$out" | awk '/^tps = /{print $3; exit}')
  local cpu=-
  if [ "$cond" = daemon ]; then
    c1=$(proc_cpu_ticks "$PGV_PID")
    cpu=$(echo "scale=2; ($c1-$c0)/$CLK_TCK" | bc)
    stop_daemon
  fi
  printf '%s\t%s\t%s\t%s\n' "$cond" "$pair" "$tps" "$cpu" >>"$OUT/pgbench.tsv"
  echo "pair $pair $cond: tps $tps, daemon CPU ${cpu} s" >&2
}

main() {
  [ -x "$PGVIGIL" ] || { echo "no pgvigil binary at $PGVIGIL (set PGVIGIL=...)" >&2; exit 1; }
  sandbox_up
  ensure_pgbench
  trap stop_daemon EXIT
  : >"$OUT/pgbench.tsv"
  local started; started=$(date -u +'%F %H:%M')
  local p
  for p in $(seq 1 "$PAIRS"); do
    if [ $((p % 2)) -eq 1 ]; then run_one none "$p"; run_one daemon "$p"
    else run_one daemon "$p"; run_one none "$p"; fi
  done
  echo "Run: $started UTC, $PAIRS pairs × $SECONDS_PER_RUN s, pgbench $PGBENCH_ARGS, load average now $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| pair | TPS none | TPS daemon | ratio | daemon CPU s in the run |"
  echo "|---|---|---|---|---|"
  local ratios=""
  for p in $(seq 1 "$PAIRS"); do
    local n d c r
    n=$(awk -v p="$p" '$1=="none" && $2==p {print $3}' "$OUT/pgbench.tsv")
    d=$(awk -v p="$p" '$1=="daemon" && $2==p {print $3}' "$OUT/pgbench.tsv")
    c=$(awk -v p="$p" '$1=="daemon" && $2==p {print $4}' "$OUT/pgbench.tsv")
    r=$(echo "scale=4; $d/$n" | bc)
    ratios+="$r"$'\n'
    printf '| %s | %.0f | %.0f | %s | %s |\n' "$p" "$n" "$d" "$r" "$c"
  done
  local mn md rm
  mn=$(awk '$1=="none"{print $3}' "$OUT/pgbench.tsv" | median)
  md=$(awk '$1=="daemon"{print $3}' "$OUT/pgbench.tsv" | median)
  rm=$(printf '%s' "$ratios" | median)
  printf '| **median** | %.0f (%s) | %.0f (%s) | %s (%s) | |\n' "$mn" \
    "$(awk '$1=="none"{printf "%.0f\n", $3}' "$OUT/pgbench.tsv" | minmax)" "$md" \
    "$(awk '$1=="daemon"{printf "%.0f\n", $3}' "$OUT/pgbench.tsv" | minmax)" "$rm" "$(printf '%s' "$ratios" | minmax)"
  echo
  echo "Impact (1 − median ratio): $(echo "scale=2; (1-$rm)*100" | bc) %; of medians: $(echo "scale=2; (1-$md/$mn)*100" | bc) %"
}

main "$@"
