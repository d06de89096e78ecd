#!/usr/bin/env bash
# Runs the integration tests and a full `pgvigil collect` against every supported PostgreSQL
# major, one after another, in one build directory.
#
# Usage: scripts/test-matrix.sh [MAJOR...]        (default: 13 14 15 16 17 18)
#
# 15 is Debian's postgresql-15 (scripts/install-deps.sh); the others come from npm through
# scripts/pg-versions.sh install (about 23 MB to download per major, cached afterwards).
# Builds a Debug tree in $PGVIGIL_MATRIX_BUILD_DIR (default: build-matrix/), then per major:
# a fresh sandbox, `ctest -L integration`, and `pgvigil collect --tier all` on a sandbox with a
# few objects in it (a table with indexes and dead tuples, a sequence, a replication slot, a
# prepared transaction), where every collector must report ok. Logs go to
# BUILD_DIR/test-matrix/MAJOR.log. Prints one summary line per major; exits 1 if any failed.
# BUILD_DIR/test-matrix/summary.txt keeps the summary and, for each failed major, the failed
# tests and the assertions they reported, for test.sh to print at the very end of a CI run.
set -euo pipefail

PROG=test-matrix
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$ROOT/scripts/lib/common.sh"

BUILD=${PGVIGIL_MATRIX_BUILD_DIR:-$ROOT/build-matrix}
SANDBOX=$BUILD/pg-sandbox   # the CTest fixture's directory (tests/integration/CMakeLists.txt)
LOGS=$BUILD/test-matrix
DEBIAN_15_BIN=/usr/lib/postgresql/15/bin

MAJORS=("$@")
[[ ${#MAJORS[@]} -gt 0 ]] || MAJORS=(13 14 15 16 17 18)
known=$(scripts/pg-versions.sh list)
for major in "${MAJORS[@]}"; do
  [[ $major == 15 || $'\n'$known =~ $'\n'$major' ' ]] ||
    die "unknown major '$major' (known: 13 14 15 16 17 18)"
done
command -v jq >/dev/null 2>&1 || die "jq not found (scripts/install-deps.sh installs it)"

npm_majors=()
for major in "${MAJORS[@]}"; do [[ $major == 15 ]] || npm_majors+=("$major"); done
if [[ ${#npm_majors[@]} -gt 0 ]]; then
  scripts/pg-versions.sh install "${npm_majors[@]}" >/dev/null
fi

cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$BUILD" -j2
mkdir -p "$LOGS"

bin_of() {
  if [[ $1 == 15 ]]; then echo "$DEBIAN_15_BIN"; else scripts/pg-versions.sh bin "$1"; fi
}

# Objects that make every slow-tier collector return rows, so that each column of each SQL
# variant is read at least once.
seed_sandbox() {
  scripts/pg-sandbox.sh psql "$SANDBOX" -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE TABLE matrix_t (id serial PRIMARY KEY, v text, n int);
CREATE INDEX matrix_t_n ON matrix_t (n);
CREATE INDEX matrix_t_lower_v ON matrix_t (lower(v)) WHERE n > 0;
INSERT INTO matrix_t (v, n) SELECT 'x' || g, g FROM generate_series(1, 2000) g;
VACUUM ANALYZE matrix_t;
DELETE FROM matrix_t WHERE id <= 500;
SELECT count(*) FROM matrix_t WHERE n = 1000;
GRANT SELECT ON SEQUENCE matrix_t_id_seq TO pgvigil_monitor;
SELECT pg_create_physical_replication_slot('matrix_slot', true);
BEGIN;
INSERT INTO matrix_t (v, n) VALUES ('prepared', 1);
PREPARE TRANSACTION 'matrix_prepared';
CHECKPOINT;
SQL
}

# `pgvigil collect --tier all` as the monitoring role: prints "N/M ok", or the collectors that
# were not ok; fails unless all are ok and the seeded objects were seen.
check_collect() {
  local out=$LOGS/$1.collect.json
  # shellcheck disable=SC1091
  source "$SANDBOX/env"
  if ! "$BUILD/pgvigil" collect "$PGVIGIL_TEST_DSN" --tier all >"$out" 2>"$out.err"; then
    echo "pgvigil collect failed: $(tail -n 1 "$out.err")"
    return 1
  fi
  local total ok missing
  total=$(jq '.outcomes | length' "$out")
  ok=$(jq '[.outcomes[] | select(.status == "ok")] | length' "$out")
  missing=$(jq -r '[
      (if any(.tables[]; .relname == "matrix_t") then empty else "tables" end),
      (if any(.indexes[]; .indexrelname == "matrix_t_lower_v") then empty else "indexes" end),
      (if any(.sequences[]; .sequencename == "matrix_t_id_seq" and .last_value != null)
         then empty else "sequences" end),
      (if any(.replication_slots[]; .slot_name == "matrix_slot") then empty else "slots" end),
      (if any(.prepared_transactions[]; .gid == "matrix_prepared") then empty
         else "prepared transactions" end),
      (if (.statements | length) > 0 then empty else "statements" end)
    ] | join(", ")' "$out")
  if [[ $ok -ne $total ]]; then
    echo "$ok/$total ok; not ok: $(jq -r '[.outcomes[] | select(.status != "ok")
      | "\(.collector) (\(.status): \(.message | gsub("\\s+"; " ")))"] | join("; ")' "$out")"
    return 1
  fi
  if [[ -n $missing ]]; then
    echo "$ok/$total ok but missing: $missing"
    return 1
  fi
  echo "$ok/$total ok"
}

# What a failed major's log says went wrong, kept short: ctest's list of failed tests and each
# GoogleTest assertion with the lines that explain it.
failure_excerpt() {
  local log=$1
  sed -n '/^The following tests FAILED:/,/^[^[:space:]]/p' "$log" | sed '$d' | head -n 20
  grep -E -A 6 ': Failure$|^Expected|Timeout|Exception|Segmentation' "$log" | head -n 60
}

# Runs one major; prints its summary line; returns non-zero if anything failed.
run_major() {
  local major=$1 bin log start seconds status=0 tests version collect
  local major_start=$SECONDS
  log=$LOGS/$major.log
  bin=$(bin_of "$major") || { echo "PostgreSQL $major: FAILED: no binaries"; return 1; }
  version=$("$bin/postgres" --version | sed -E 's/.* ([0-9]+(\.[0-9]+)?).*/\1/')
  scripts/pg-sandbox.sh stop "$SANDBOX" --purge >"$log" 2>&1 || true
  start=$(date +%s)
  # A test that fails is run once more: a second failure fails the major, a pass is reported
  # as "failed once" in the summary line (with its output in the log), never hidden.
  PGVIGIL_TEST_PG_BIN=$bin ctest --test-dir "$BUILD" -L integration --output-on-failure -j2 \
    --repeat until-pass:2 >>"$log" 2>&1 || status=1
  seconds=$(($(date +%s) - start))
  tests=$(grep -E '^[0-9]+% tests passed' "$log" | tail -n 1 || true)
  [[ -n $tests ]] || tests="no ctest summary"
  local once
  once=$(sed -n -E 's/^ *([0-9]+\/[0-9]+ )?Test +#[0-9]+: ([^ ]+) \.+\*\*\*.*/\2/p' "$log" |
    sort -u | paste -sd, - || true)
  [[ -z $once ]] || tests+=" (failed once, then passed or failed again: $once)"

  if PGVIGIL_TEST_PG_BIN=$bin scripts/pg-sandbox.sh start "$SANDBOX" >>"$log" 2>&1 &&
    seed_sandbox >>"$log" 2>&1; then
    collect=$(check_collect "$major" 2>>"$log") || status=1
  else
    collect="sandbox or seed failed"
    status=1
  fi
  scripts/pg-sandbox.sh stop "$SANDBOX" --purge >>"$log" 2>&1 || true

  local verdict=ok
  [[ $status -eq 0 ]] || verdict="FAILED (log: $log)"
  echo "PostgreSQL $version: $verdict: integration: $tests in ${seconds}s;" \
    "collect --tier all: $collect; $((SECONDS - major_start))s in all"
  return "$status"
}

summary=()
failed=0
: >"$LOGS/summary.txt"
tests_start=$SECONDS
for major in "${MAJORS[@]}"; do
  note "PostgreSQL $major ..."
  status=0
  line=$(run_major "$major") || status=1
  summary+=("$line")
  echo "$line"
  echo "$line" >>"$LOGS/summary.txt"
  if [[ $status -ne 0 || $line == *"failed once"* ]]; then
    [[ $status -eq 0 ]] || failed=1
    failure_excerpt "$LOGS/$major.log" | sed 's/^/    /' >>"$LOGS/summary.txt"
  fi
done

echo
echo "test-matrix summary ($((SECONDS - tests_start))s for ${#MAJORS[@]} majors, build not counted):"
printf '  %s\n' "${summary[@]}"
exit "$failed"
