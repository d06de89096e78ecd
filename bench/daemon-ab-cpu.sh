#!/usr/bin/env bash
# Two builds of `pgvigil serve` side by side on the large synthetic database of
# ../shared/bench-peers, same configuration (default intervals, every database of the cluster),
# each with its own store and port: their CPU (utime + stime) over MINUTES after a one-minute
# warm-up, their VmRSS every 10 s and their VmHWM at the end. Both see the same machine noise
# at the same time, so the ratio B / A is what a change did, on a machine too shared for
# absolute times.
#
# Usage: bench/daemon-ab-cpu.sh BINARY_A BINARY_B [MINUTES]     (default 5)
#
# Needs the benchmark cluster and its peer_pgvigil role (bench/daemon-vs-exporter.sh makes
# them). Raw files go to $BENCH_BASE/results/ab/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=${PEERS:-$ROOT/../shared/bench-peers}
[[ $# -ge 2 ]] || { sed -n '2,12p' "$0"; exit 2; }
A=$1
B=$2
MINUTES=${3:-5}
# shellcheck source=/dev/null
source "$PEERS/common.sh"
OUT=$BENCH_BASE/results/ab
mkdir -p "$OUT"

PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# start NAME BINARY HTTP_PORT: writes NAME.yaml, starts the daemon, leaves its pid in PIDS.
start() {
  rm -f "$OUT/$1".db*
  cat >"$OUT/$1.yaml" <<EOF
listen: "127.0.0.1:$3"
store: { path: "$OUT/$1.db" }
auth:
  tokens:
    - { name: bench, token: "bench-ab-token", role: viewer }
targets:
  - name: large
    dsn: "host=127.0.0.1 port=$PORT_LARGE dbname=bench_large user=peer_pgvigil sslmode=disable application_name=pgv_ab_$1"
    databases: { include: ["*"] }
EOF
  "$2" serve -c "$OUT/$1.yaml" >"$OUT/$1.log" 2>&1 &
  PIDS+=("$!")
}

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
status_kib() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

start a "$A" 18811
start b "$B" 18812
pa=${PIDS[0]}
pb=${PIDS[1]}
sleep 60
a0=$(ticks "$pa")
b0=$(ticks "$pb")
t0=$(date +%s)
: >"$OUT/rss.tsv"
for _ in $(seq 1 $((MINUTES * 6))); do
  sleep 10
  printf '%s\t%s\t%s\n' "$(date +%s)" "$(status_kib "$pa" VmRSS)" "$(status_kib "$pb" VmRSS)" \
    >>"$OUT/rss.tsv"
done
a1=$(ticks "$pa")
b1=$(ticks "$pb")
t1=$(date +%s)
hz=$(getconf CLK_TCK)
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
a_ms=$(((a1 - a0) * 1000 * 60 / hz / (t1 - t0)))
b_ms=$(((b1 - b0) * 1000 * 60 / hz / (t1 - t0)))
echo "| $((t1 - t0)) s window | A: $A | B: $B | B / A |"
echo "|---|---|---|---|"
echo "| CPU per minute | $a_ms ms | $b_ms ms | $(awk -v a="$a_ms" -v b="$b_ms" 'BEGIN {printf "%.2f", b / a}') |"
echo "| VmRSS median | $(cut -f2 "$OUT/rss.tsv" | median) KiB | $(cut -f3 "$OUT/rss.tsv" | median) KiB | |"
echo "| VmHWM | $(status_kib "$pa" VmHWM) KiB | $(status_kib "$pb" VmHWM) KiB | |"
