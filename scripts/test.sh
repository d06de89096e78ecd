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

status=0
ctest --test-dir build-test --output-on-failure -j2 "$@" || status=$?
exit "$status"
