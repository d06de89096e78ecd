#!/usr/bin/env bash
# Cross-checks pgvigil's figures against check_postgres (Debian package check-postgres) on the
# same throwaway database, where both measure the same thing, with PostgreSQL's exact figures
# (pgstattuple, pgstatindex, the catalogues read as superuser) as the reference.
#
# Usage: bench/crosscheck-check-postgres.sh            (prints a Markdown table on stdout)
#
# Environment: SBX (sandbox directory, default /tmp/sbx-xc), PGVIGIL (the binary, default
# build-xc/pgvigil, built in Release when missing), PG_BIN (default /usr/lib/postgresql/15/bin),
# XC_KEEP=1 keeps the raw outputs of both tools (the directory is printed on stderr).
#
# Conditions created as superuser (autovacuum off on every table, so nothing moves meanwhile):
#   xc_bloated   100k rows of ~230 bytes, 60 % deleted (every id % 5 < 3), then VACUUM: the
#                deleted rows became free space inside the pages (bloat), no dead tuples left
#   xc_dead      the same, never vacuumed (only ANALYZEd): 60k dead tuples still on the pages
#   *_pkey       their btree indexes (integer key), emptied the same way
#   xc_seq_int   integer sequence at ~95 % of its range
#   xc_seq_big   bigint sequence OWNED BY an integer column, at ~95 % of the integer range
#   ~2000 xids   burnt (SELECT txid_current() in 2000 transactions), so ages are non-trivial
# pgvigil runs as pgvigil_monitor (pg_monitor, plus SELECT on these tables and sequences);
# check_postgres as postgres over the unix socket.
#
# Idempotent: the sandbox is (re)used and the objects dropped and recreated; the sandbox is
# stopped and deleted on exit, whatever happens.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SBX=${SBX:-/tmp/sbx-xc}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PGVIGIL=${PGVIGIL:-$ROOT/build-xc/pgvigil}
export PATH=$PG_BIN:$PATH          # check_postgres runs the psql first in PATH
WORK=$(mktemp -d /tmp/xc-work.XXXXXX)

cleanup() {
  "$ROOT/scripts/pg-sandbox.sh" stop "$SBX" --purge >/dev/null 2>&1 || true
  if [[ -n ${XC_KEEP:-} ]]; then echo "crosscheck: raw outputs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

for tool in check_postgres jq awk; do
  command -v "$tool" >/dev/null || { echo "crosscheck: $tool not found" >&2; exit 1; }
done

# --- pgvigil binary ------------------------------------------------------------------------
if [[ ! -x $PGVIGIL ]]; then
  echo "crosscheck: building pgvigil in $ROOT/build-xc (Release)" >&2
  cmake -S "$ROOT" -B "$ROOT/build-xc" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DPGVIGIL_BUILD_TESTS=OFF >/dev/null
  cmake --build "$ROOT/build-xc" -j2 --target pgvigil >/dev/null
  PGVIGIL=$ROOT/build-xc/pgvigil
fi

# --- sandbox -------------------------------------------------------------------------------
"$ROOT/scripts/pg-sandbox.sh" start "$SBX" --bin "$PG_BIN" >/dev/null
# shellcheck source=/dev/null
. "$SBX/env"
spsql() { "$ROOT/scripts/pg-sandbox.sh" psql "$SBX" -X -q -v ON_ERROR_STOP=1 "$@"; }
CP=(check_postgres "--host=$SBX" "--port=$PGVIGIL_SANDBOX_PORT" --dbuser=postgres
    --dbname=pgvigil_test)

# --- conditions ----------------------------------------------------------------------------
# Data changes in one session, VACUUM/ANALYZE in the next: a backend flushes its table counters
# (n_live_tup, n_dead_tup) up to a second late, and a flush after VACUUM's own report would
# overwrite it (a server-side effect, not what is being compared here).
spsql -o /dev/null 2>/dev/null <<'SQL'
DROP TABLE IF EXISTS xc_bloated, xc_dead, xc_narrow CASCADE;
DROP SEQUENCE IF EXISTS xc_seq_int, xc_seq_big;
CREATE TABLE xc_bloated (id integer PRIMARY KEY, pad text NOT NULL) WITH (autovacuum_enabled = false);
CREATE TABLE xc_dead    (id integer PRIMARY KEY, pad text NOT NULL) WITH (autovacuum_enabled = false);
INSERT INTO xc_bloated SELECT g, repeat('x', 200) FROM generate_series(1, 100000) g;
INSERT INTO xc_dead    SELECT g, repeat('x', 200) FROM generate_series(1, 100000) g;
DELETE FROM xc_bloated WHERE id % 5 < 3;     -- 60 %, spread over every page
DELETE FROM xc_dead    WHERE id % 5 < 3;
CREATE SEQUENCE xc_seq_int AS integer;
SELECT setval('xc_seq_int', 2040109465);     -- 95 % of 2147483647
CREATE TABLE xc_narrow (id integer NOT NULL) WITH (autovacuum_enabled = false);
CREATE SEQUENCE xc_seq_big AS bigint OWNED BY xc_narrow.id;
ALTER TABLE xc_narrow ALTER COLUMN id SET DEFAULT nextval('xc_seq_big');
SELECT setval('xc_seq_big', 2040109465);     -- 95 % of the integer column it feeds
GRANT SELECT ON xc_bloated, xc_dead, xc_narrow TO pgvigil_monitor;
GRANT SELECT ON xc_seq_int, xc_seq_big TO pgvigil_monitor;
SQL
spsql <<'SQL'
VACUUM (ANALYZE) xc_bloated;
ANALYZE xc_dead;
SQL
# 2000 transactions that each take an xid
for _ in $(seq 2000); do echo "SELECT txid_current();"; done | spsql -o /dev/null
sleep 1   # let the last counters reach the shared statistics

# --- pgvigil -------------------------------------------------------------------------------
# Thresholds lowered so that every figure becomes a finding (the defaults report only what is
# worth acting on; bloat below 10 MiB of waste, for one, is never shown).
cat >"$WORK/pgvigil.yaml" <<'YAML'
thresholds:
  table.bloat: {warning: 0.001, critical: 0.999}
  table.bloat.min_bytes: {warning: 0}
  index.bloat: {warning: 0.001, critical: 0.999}
  index.bloat.min_bytes: {warning: 0}
  wraparound.xid_age: {warning: 1, critical: 1000000000}
  sequence.exhaustion: {warning: 0.0001, critical: 0.9999}
YAML
"$PGVIGIL" collect "$PGVIGIL_TEST_DSN" --compact >"$WORK/collect.json"
"$PGVIGIL" check "$PGVIGIL_TEST_DSN" --format json --interval 1s --config "$WORK/pgvigil.yaml" \
  >"$WORK/check.json" || true   # exit code = worst severity
"$PGVIGIL" check "$PGVIGIL_TEST_DSN" --format json --interval 1s \
  >"$WORK/check-default.json" || true

# --- check_postgres ------------------------------------------------------------------------
# Warning thresholds of 0 / 1 make every object a "warning", so each gets its own message.
cpo() { "${CP[@]}" "$@" 2>&1 || true; }   # exit code = Nagios state
cpo --action=bloat --warning='0 b' --critical='1 TB' --include='~^xc_' >"$WORK/cp-bloat.txt"
cpo --action=txn_wraparound --warning=1 --critical=1999999999 >"$WORK/cp-wrap.txt"
cpo --action=sequence --warning=1% --critical=100% >"$WORK/cp-seq.txt"
cp_vac_at=$(date +%s.%N)   # when check_postgres measures the vacuum ages
cpo --action=last_vacuum --warning=1s --critical=1d --include='~^xc_' >"$WORK/cp-lastvac.txt"
cpo --action=last_autovacuum --warning=1s --critical=1d --include='~^xc_' >"$WORK/cp-lastavac.txt"

# --- reference (superuser) -----------------------------------------------------------------
spsql -At -F '|' >"$WORK/ref.txt" <<'SQL'
SELECT 'age|' || datname || '|' || age(datfrozenxid) FROM pg_database;
SELECT 'dead|' || t || '|' || dead_tuple_count
  FROM unnest(array['xc_bloated', 'xc_dead']) t, pgstattuple(t);
-- table: what a rewrite gives back, free space plus dead tuples, as a share of the file
SELECT 'tbloat|' || t || '|' || (free_space + dead_tuple_len)::float8 / table_len || '|'
       || (free_space + dead_tuple_len)
  FROM unnest(array['xc_bloated', 'xc_dead']) t, pgstattuple(t);
-- btree: leaf space above the 90 % a fresh build fills, as a share of all pages
SELECT 'ibloat|' || i || '|' || (leaf_pages * (1 - avg_leaf_density / 90)) / (index_size / 8192)
       || '|' || round(leaf_pages * (1 - avg_leaf_density / 90) * 8192) || '|' || avg_leaf_density
  FROM unnest(array['xc_bloated_pkey', 'xc_dead_pkey']) i, pgstatindex(i);
SELECT 'seq|' || sequencename || '|' ||
       (last_value - min_value)::float8 / (least(max_value, 2147483647) - min_value)
  FROM pg_sequences WHERE sequencename LIKE 'xc_seq_%';
SQL

# --- figures -------------------------------------------------------------------------------
ref() { awk -F'|' -v k="$1" -v o="$2" -v f="${3:-3}" '$1==k && $2==o {print $f}' "$WORK/ref.txt"; }
finding() {  # finding ID OBJECT -> value, or empty
  jq -r --arg id "$1" --arg o "$2" \
    '[.findings[] | select(.id == $id and .object == $o) | .value][0] // empty' "$WORK/check.json"
}
collect() { jq -r "$1" "$WORK/collect.json"; }
relpages() {  # relpages of a table ('' index) or an index, from pgvigil's bloat inputs
  collect "[.bloat_inputs[] | select(.relname == \"$1\" and .indexrelname == \"$2\") | .relpages][0] // empty"
}
# check_postgres bloat message of one object: "table public.T rows:… pages:P shouldbe:O (RX)
# wasted size:B (…)" or "index I rows:? pages:P shouldbe:O (RX) wasted bytes:B (…)"
cp_bloat() {  # KIND NAME FIELD(pages|shouldbe|wasted)
  tr '*' '\n' <"$WORK/cp-bloat.txt" | { grep -E "\) $1 (public\.)?$2 " || true; } | head -1 |
    sed -E "s/.*pages:([0-9]+) shouldbe:(-?[0-9]+) \(([0-9.]+)X\) wasted [a-z]+:([0-9]+).*/\1 \2 \3 \4/" |
    awk -v f="$3" '{ if (f=="pages") print $1; else if (f=="shouldbe") print $2; else if (f=="x") print $3; else print $4 }'
}
cp_perf() {  # FILE LABEL -> the number of perfdata "LABEL=N…"
  { grep -oE "(^| )$2=[0-9]+" "$WORK/$1" || true; } | head -1 | sed -E 's/.*=//'
}
pct() { awk -v v="$1" 'BEGIN { if (v == "") print "—"; else printf "%.1f %%", v * 100 }'; }
mib() { awk -v v="$1" 'BEGIN { if (v == "") print ""; else printf " (%.1f MiB)", v / 1048576 }'; }
diffpp() {  # difference in percentage points, or —
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "—"; else printf "%+.1f pp", (a - b) * 100 }'
}
diffn() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "—"; else printf "%+d", a - b }'; }
row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }

echo "| object | figure | pgvigil | check_postgres | exact (superuser) | pgvigil − check_postgres |"
echo "|---|---|---|---|---|---|"

# Wraparound: age(datfrozenxid) per database (check_postgres lists only datallowconn ones).
for db in postgres pgvigil_test template1 template0; do
  pv=$(collect "[.database_ages[] | select(.datname == \"$db\") | .datfrozenxid_age][0] // empty")
  pf=$(finding wraparound.xid_age "$db")
  [[ -n $pf && $pf != "$pv" ]] && pv="$pv (finding $pf)"
  cp=$(cp_perf cp-wrap.txt "$db")
  row "database $db" "age(datfrozenxid)" "$pv" "${cp:-not listed}" "$(ref age "$db")" "$(diffn "${pv%% *}" "$cp")"
done

# Dead tuples: pgvigil's n_dead_tup (check_postgres has no dead-tuple figure).
for t in xc_bloated xc_dead; do
  pv=$(collect "[.tables[] | select(.relname == \"$t\") | .n_dead_tup][0] // empty")
  row "table $t" "dead tuples" "$pv" "— (no such action)" "$(ref dead "$t")" "—"
done

# Vacuum ages: seconds since the last manual VACUUM / autovacuum, each tool at its own time:
# pgvigil's from its snapshot time, check_postgres' from the server's now() some seconds later,
# so the expected difference is minus the gap between the two runs (shown).
pv_at=$(collect '.collected_at')
gap=$(awk -v a="$cp_vac_at" -v b="$(date -d "$pv_at" +%s.%N)" 'BEGIN { printf "%.0f", a - b }')
for t in xc_bloated xc_dead; do
  for kind in vacuum autovacuum; do
    ts=$(collect "[.tables[] | select(.relname == \"$t\") | .last_$kind][0] // empty")
    if [[ -n $ts ]]; then
      pv=$(( $(date -d "$pv_at" +%s) - $(date -d "$ts" +%s) ))
      pv="$pv s"
    else
      pv="never"
    fi
    if [[ $kind == vacuum ]]; then f="cp-lastvac.txt"; else f="cp-lastavac.txt"; fi
    cp=$(cp_perf "$f" "pgvigil_test.public.$t")
    if [[ -n $cp ]]; then cp="$cp s"
    elif grep -q "ever been" "$WORK/$f"; then cp="never (UNKNOWN: none ever vacuumed)"
    else cp="never (not listed)"; fi
    d="—"
    [[ $pv == *" s" && $cp == *" s" ]] && d="$(diffn "${pv% s}" "${cp% s}") s (runs ${gap} s apart)"
    row "table $t" "last_$kind age" "$pv" "$cp" "—" "$d"
  done
done

# Bloat: estimated wasted share of the pages (and bytes). check_postgres' own ratio is
# pages / expected pages ("2.5X"): converted here to (pages − expected) / pages.
for t in xc_bloated xc_dead; do
  pv=$(finding table.bloat "pgvigil_test.public.$t")
  pages=$(relpages "$t" "")
  pvb=$(awk -v r="$pv" -v p="$pages" 'BEGIN { if (r != "" && p != "") print r * p * 8192 }')
  cpw=$(cp_bloat table "$t" wasted); cpp=$(cp_bloat table "$t" pages)
  cpr=$(awk -v w="$cpw" -v p="$cpp" 'BEGIN { if (p > 0) print w / (p * 8192); else print "" }')
  row "table $t" "bloat (wasted share)" "$(pct "$pv")$(mib "$pvb")" \
      "$(pct "$cpr")$(mib "$cpw"), $(cp_bloat table "$t" x)X" \
      "$(pct "$(ref tbloat "$t")")$(mib "$(ref tbloat "$t" 4)")" "$(diffpp "$pv" "$cpr")"
done
for i in xc_bloated_pkey xc_dead_pkey; do
  t=${i%_pkey}
  pv=$(finding index.bloat "pgvigil_test.public.$i")
  pages=$(relpages "$t" "$i")
  pvb=$(awk -v r="$pv" -v p="$pages" 'BEGIN { if (r != "" && p != "") print r * p * 8192 }')
  cpw=$(cp_bloat index "$i" wasted); cpp=$(cp_bloat index "$i" pages)
  cpr=$(awk -v w="$cpw" -v p="$cpp" 'BEGIN { if (p > 0) print w / (p * 8192); else print "" }')
  row "index $i" "bloat (wasted share)" "$(pct "${pv:-0}")$(mib "${pvb:-0}")" \
      "$(pct "$cpr")$(mib "$cpw"), expected $(cp_bloat index "$i" shouldbe) of $cpp pages" \
      "$(pct "$(ref ibloat "$i")")$(mib "$(ref ibloat "$i" 4)"), leaf density $(ref ibloat "$i" 5) %" \
      "$(diffpp "${pv:-0}" "$cpr")"
done

# Sequences: share of the range used. check_postgres rounds to a whole percent.
for s in xc_seq_int xc_seq_big; do
  pv=$(finding sequence.exhaustion "pgvigil_test.public.$s")
  cp=$(cp_perf cp-seq.txt "public.$s")
  cpr=$(awk -v c="$cp" 'BEGIN { if (c != "") print c / 100 }')
  row "sequence $s" "range used" "$(pct "$pv")" "${cp:-—} %" "$(pct "$(ref seq "$s")")" "$(diffpp "$pv" "$cpr")"
done

# What each tool reports at its default thresholds, for the record.
echo
echo "pgvigil check (default thresholds), findings on these objects:"
jq -r '.findings[] | select(.object | test("xc_|^(postgres|pgvigil_test|template[01])$"))
       | "- \(.severity) \(.id) \(.object): \(.message)"' "$WORK/check-default.json"
echo
echo "check_postgres (default thresholds):"
for a in bloat txn_wraparound sequence; do
  echo "- $a: $("${CP[@]}" --action=$a 2>&1 | cut -d'|' -f1 | sed -E 's/ +$//' || true)"
done
