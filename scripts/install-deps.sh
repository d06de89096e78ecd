#!/usr/bin/env bash
# Installs every Debian package that pgvigil's build, tests and demo need.
#
# Usage: scripts/install-deps.sh
#
# Idempotent: packages already installed are skipped, and `apt-get update` only runs when
# something is missing. Uses sudo when not run as root. PostgreSQL, PgBouncer and
# postgres_exporter services that Debian starts on installation are stopped and disabled again,
# so that only the project's own sandboxes listen (tests pick their own ports).
set -euo pipefail

PROG=install-deps

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config
  # libraries (DESIGN.md §4)
  libpq-dev nlohmann-json3-dev libyaml-cpp-dev libsqlite3-dev libcurl4-openssl-dev
  libspdlog-dev libfmt-dev libcli11-dev libpg-query-dev libboost-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # real peers: the server (postgresql-contrib-15 is only a virtual package provided by
  # postgresql-15; the real package name is postgresql-contrib), hypopg, pgbouncer, exporter
  postgresql-15 postgresql-contrib postgresql-15-hypopg pgbouncer prometheus-postgres-exporter
  # tools used by the scripts, the lint tests (python3) and the benchmarks (time, strace)
  jq curl hyperfine procps iproute2 python3 time strace
  # the daemon's peers: a real Prometheus scraping /metrics (promtool checks the exposition),
  # wrk for the HTTP benchmarks
  prometheus wrk
  # alerts: libcrypto for the webhook's HMAC-SHA256 signature; real receivers for the notifier
  # tests (an SMTP sink and Alertmanager)
  libssl-dev python3-aiosmtpd prometheus-alertmanager
  # the dashboard's browser tests and benchmarks (playwright-core drives Debian's Chromium);
  # gzip pre-compresses the embedded dashboard at build time
  chromium gzip
)
# npm fetches the other PostgreSQL majors (scripts/pg-versions.sh). The machine image may ship
# its own Node.js; Debian's npm is installed only when there is no npm at all.
if ! command -v npm >/dev/null 2>&1; then PACKAGES+=(npm); fi

say() { echo "$PROG: $*"; }

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { say "error: not root and sudo is missing" >&2; exit 1; }
  SUDO=(sudo)
fi

is_installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true) == "install ok installed" ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  say "all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

# Keep Debian's maintainer scripts from starting services while we install: a policy-rc.d
# that answers 101 ("action forbidden") is the documented way. Only ours is removed again.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\n# temporary, written by pgvigil scripts/install-deps.sh\nexit 101\n' |
    "${SUDO[@]}" tee "$policy" >/dev/null
  "${SUDO[@]}" chmod 755 "$policy"
  trap '"${SUDO[@]}" rm -f "$policy"' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
say "apt-get update"
"${SUDO[@]}" apt-get update -qq
say "installing ${missing[*]}"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# Belt and braces for the case where policy-rc.d was someone else's or services started anyway.
# Only the packages installed just now are touched, so a developer's own cluster is left alone.
was_missing() {
  local pkg
  for pkg in "${missing[@]}"; do [[ $pkg == "$1" ]] && return 0; done
  return 1
}

systemd_running() { [[ -d /run/systemd/system ]]; }

disable_service() {
  local svc=$1
  if systemd_running; then
    if "${SUDO[@]}" systemctl disable --now "$svc" >/dev/null 2>&1; then
      say "disabled and stopped service $svc"
    fi
    return 0
  fi
  # Without a running systemd, `systemctl disable` still removes the unit's symlinks, and the
  # service, if it runs, was started through its init script.
  if command -v systemctl >/dev/null 2>&1 &&
    "${SUDO[@]}" systemctl disable "$svc" >/dev/null 2>&1; then
    say "disabled service $svc"
  fi
  if [[ -x /etc/init.d/$svc ]] && "${SUDO[@]}" /etc/init.d/"$svc" status >/dev/null 2>&1; then
    if "${SUDO[@]}" /etc/init.d/"$svc" stop >/dev/null 2>&1; then
      say "stopped service $svc"
    else
      say "warning: could not stop service $svc" >&2
    fi
  fi
}

if was_missing postgresql-15; then
  # The package creates cluster 15/main on port 5432; stop it if it came up.
  if command -v pg_lsclusters >/dev/null 2>&1 &&
    pg_lsclusters --no-header 2>/dev/null | awk '$1 == 15 && $2 == "main" && $4 ~ /online/' |
    grep -q .; then
    if "${SUDO[@]}" pg_ctlcluster 15 main stop; then
      say "stopped cluster 15/main"
    fi
  fi
  disable_service postgresql
fi
if was_missing pgbouncer; then disable_service pgbouncer; fi
if was_missing prometheus-postgres-exporter; then disable_service prometheus-postgres-exporter; fi
if was_missing prometheus-alertmanager; then disable_service prometheus-alertmanager; fi

say "done"
