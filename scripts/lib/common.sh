# shellcheck shell=bash
# Helpers shared by the sandbox scripts (pg-sandbox.sh, pgbouncer-sandbox.sh, demo-workload.sh).
# Sourced, never run. Expects the caller to have set PROG (its name, for messages).

die() { echo "${PROG:-pgvigil}: error: $*" >&2; exit 1; }
note() { echo "${PROG:-pgvigil}: $*" >&2; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# The OS user that owns and runs the throwaway servers: initdb, postgres and pgbouncer all
# refuse to run as root, so root hands them to "postgres"; anyone else runs them as themselves.
cluster_user() { if is_root; then echo postgres; else id -un; fi; }

# Creates the OS user "postgres" when running as root on a machine without it.
ensure_cluster_user() {
  is_root || return 0
  id -u postgres >/dev/null 2>&1 && return 0
  useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
    --shell /bin/bash postgres
}

# Runs a command as the cluster user, from a directory that user can enter (tools such as
# initdb warn when they cannot go back to the caller's working directory, e.g. /root).
as_cluster_user() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# Gives DIR to the cluster user (when root) and makes it traversable for everyone: the test
# programs, running as the caller, read DIR/env and connect to the unix socket inside DIR.
own_dir() {
  local dir=$1 mode=$2
  mkdir -p "$dir"
  if is_root; then chown postgres:postgres "$dir"; fi
  chmod "$mode" "$dir"
}

# True when something listens on 127.0.0.1:PORT (or on the wildcard address).
port_in_use() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Htln "sport = :$port" 2>/dev/null) ]]
  else
    # No ss: a successful connect means the port is taken.
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# Prints a random free TCP port in 20000-32000, below Linux's ephemeral range (32768+), so
# outgoing connections of other programs do not grab it between the check and the bind.
pick_free_port() {
  local port _
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 12001))
    if ! port_in_use "$port"; then
      echo "$port"
      return 0
    fi
  done
  die "no free TCP port found in 20000-32000 after 50 tries"
}

# A sandbox DIR ends up inside conninfo strings and a sourceable env file, so keep it plain.
check_dir_name() {
  [[ $1 =~ ^[A-Za-z0-9_./+-]+$ ]] ||
    die "sandbox directory '$1' must contain only letters, digits and _ . / + -"
}

# Absolute path of DIR (which may not exist yet).
abs_path() { realpath -m -- "$1"; }

# Loads DIR/env written by pg-sandbox.sh start.
load_sandbox_env() {
  local dir=$1
  [[ -f $dir/env ]] || die "$dir/env not found: start the sandbox first (scripts/pg-sandbox.sh start $dir)"
  # shellcheck disable=SC1091
  source "$dir/env"
}

# The psql of the sandbox's server version, not Debian's /usr/bin/psql wrapper (which picks a
# version of its own); falls back to the PostgreSQL 15 one for server builds without psql.
sandbox_psql() {
  local bin=${PGVIGIL_SANDBOX_BIN:-/usr/lib/postgresql/15/bin}
  if [[ -x $bin/psql ]]; then
    echo "$bin/psql"
  elif [[ -x /usr/lib/postgresql/15/bin/psql ]]; then
    echo /usr/lib/postgresql/15/bin/psql
  else
    command -v psql || die "psql not found"
  fi
}
