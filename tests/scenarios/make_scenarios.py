#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the hand-built scenario snapshots under tests/scenarios/ (see README.md there).

Each scenario is a small, readable pair of snapshots (previous.json, current.json) derived from
one healthy server, `base()`, by changing only what the scenario is about. Fields a snapshot
leaves out take the model's defaults (store/snapshot_json.cc reads them with defaults), so only
what a check reads is written. The expected.json and metrics.prom goldens are not written
here: run the scenario tests with --update-golden and review the diff.

    python3 tests/scenarios/make_scenarios.py            # rewrite every generated scenario
    python3 tests/scenarios/make_scenarios.py --check    # exit 1 when a file differs

demo_workload/ is recorded from the demo database, not generated.
"""

import copy
import datetime
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent

APP_DB = 16384
POSTGRES_DB = 5
APP_ROLE = 16390
KIB = 1024
MIB = 1024 * 1024


def ts(text):
    """An ISO-8601 UTC timestamp as the snapshot JSON spells it ("2026-03-02T10:00:00.000000Z")."""
    t = datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def later(stamp, seconds):
    t = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")
    return (t + datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


STARTED = ts("2026-03-01T06:00:00")  # postmaster_start_time of the healthy server
T0 = ts("2026-03-02T10:00:00")  # when `previous` was collected; `current` is 15 s later

# Collector name -> tier, as collect/builtin_collectors.cc registers them.
COLLECTORS = [
    ("stat_activity", "fast"),
    ("locks", "fast"),
    ("replication", "fast"),
    ("stat_database", "standard"),
    ("stat_statements", "standard"),
    ("wraparound", "standard"),
    ("checkpointer", "standard"),
    ("wal", "standard"),
    ("archiver", "standard"),
    ("settings", "standard"),
    ("stat_user_tables", "slow"),
    ("stat_user_indexes", "slow"),
    ("storage", "slow"),
    ("sequences", "slow"),
    ("bloat_inputs", "slow"),
]


def setting(name, value, unit="", source="default"):
    return {"name": name, "setting": value, "unit": unit, "source": source}


# A sane configuration: PostgreSQL 15's defaults plus what a production server should have
# (checksums, track_io_timing, log_lock_waits, pg_stat_statements preloaded).
SETTINGS = [
    setting("archive_mode", "off"),
    setting("autovacuum", "on"),
    setting("autovacuum_analyze_scale_factor", "0.1"),
    setting("autovacuum_analyze_threshold", "50"),
    setting("autovacuum_freeze_max_age", "200000000"),
    setting("autovacuum_max_workers", "3"),
    setting("autovacuum_multixact_freeze_max_age", "400000000"),
    setting("autovacuum_naptime", "60", "s"),
    setting("autovacuum_vacuum_insert_scale_factor", "0.2"),
    setting("autovacuum_vacuum_insert_threshold", "1000"),
    setting("autovacuum_vacuum_scale_factor", "0.2"),
    setting("autovacuum_vacuum_threshold", "50"),
    setting("block_size", "8192"),
    setting("checkpoint_timeout", "300", "s"),
    setting("data_checksums", "on"),
    setting("deadlock_timeout", "1000", "ms"),
    setting("log_lock_waits", "on", source="configuration file"),
    setting("log_temp_files", "0", "kB", source="configuration file"),
    setting("max_connections", "100"),
    setting("max_wal_size", "4096", "MB", source="configuration file"),
    setting("pg_stat_statements.max", "5000"),
    setting("shared_buffers", "524288", "8kB", source="configuration file"),
    setting("shared_preload_libraries", "pg_stat_statements", source="configuration file"),
    setting("superuser_reserved_connections", "3"),
    setting("track_counts", "on"),
    setting("track_io_timing", "on", source="configuration file"),
    setting("vacuum_failsafe_age", "1600000000"),
    setting("wal_level", "replica"),
    setting("wal_segment_size", "16777216", "B"),
    setting("work_mem", "16384", "kB", source="configuration file"),
]


def database(datid, datname, **counters):
    row = {
        "datid": datid,
        "datname": datname,
        "numbackends": 0,
        "xact_commit": 0,
        "xact_rollback": 0,
        "blks_read": 0,
        "blks_hit": 0,
        "temp_files": 0,
        "temp_bytes": 0,
        "deadlocks": 0,
        "stats_reset": None,
    }
    row.update(counters)
    return row


def statement(queryid, query, calls, total_exec_time, rows, hit, read, temp=0):
    return {
        "userid": APP_ROLE,
        "dbid": APP_DB,
        "rolname": "app",
        "datname": "app",
        "queryid": queryid,
        "toplevel": True,
        "query": query,
        "calls": calls,
        "total_exec_time": total_exec_time,
        "rows": rows,
        "shared_blks_hit": hit,
        "shared_blks_read": read,
        "temp_blks_written": temp,
        "stats_since": None,
    }


SELECT_ACCOUNT = 101
UPDATE_BALANCE = 102
INSERT_ORDER = 103
ORDERS_OF_ACCOUNT = 104
REPORT = 105

TEXTS = {
    SELECT_ACCOUNT: "SELECT id, email, balance FROM accounts WHERE id = $1",
    UPDATE_BALANCE: "UPDATE accounts SET balance = balance + $1 WHERE id = $2",
    INSERT_ORDER: "INSERT INTO orders (account_id, amount) VALUES ($1, $2)",
    ORDERS_OF_ACCOUNT: (
        "SELECT id, amount, created_at FROM orders WHERE account_id = $1 "
        "ORDER BY created_at DESC LIMIT $2"
    ),
    REPORT: "SELECT account_id, sum(amount) FROM orders WHERE status = $1 GROUP BY account_id",
}


def table(relid, relname, live, **fields):
    row = {
        "datname": "app",
        "schemaname": "public",
        "relid": relid,
        "relname": relname,
        "relkind": "r",
        "n_live_tup": live,
        "n_dead_tup": 0,
        "n_mod_since_analyze": 0,
        "n_ins_since_vacuum": 0,
        "reltuples": float(live),
        "seq_scan": 0,
        "seq_tup_read": 0,
        "idx_scan": 0,
        "last_vacuum": None,
        "last_autovacuum": None,
        "last_analyze": None,
        "last_autoanalyze": None,
        "relfrozenxid_age": 1200000,
    }
    row.update(fields)
    return row


def index(relid, relname, indexrelid, indexrelname, columns, idx_scan, size, constraint=""):
    return {
        "datname": "app",
        "schemaname": "public",
        "relid": relid,
        "relname": relname,
        "indexrelid": indexrelid,
        "indexrelname": indexrelname,
        "access_method": "btree",
        "key_columns": columns,
        "indnkeyatts": len(columns),
        "opclasses": ["int8_ops" if c != "email" else "text_ops" for c in columns],
        "collations": ["" if c != "email" else "default" for c in columns],
        "indoption": [0 for _ in columns],
        "predicate": "",
        "indisunique": constraint in ("p", "u"),
        "indisprimary": constraint == "p",
        "indisexclusion": False,
        "indimmediate": True,
        "indisvalid": True,
        "indisready": True,
        "indislive": True,
        "constraint_name": indexrelname if constraint else "",
        "constraint_type": constraint,
        "idx_scan": idx_scan,
        "estimated_size_bytes": size,
    }


def backend(pid, application_name, state, query, age=0.0, xmin_age=None,
            backend_type="client backend"):
    client = backend_type == "client backend"
    user = "pgvigil_monitor" if application_name == "pgvigil" else "app"
    return {
        "pid": pid,
        "datname": "app" if client else "",
        "usename": user if client else "",
        "application_name": application_name,
        "backend_type": backend_type,
        "state": state,
        "query": query,
        "backend_age_seconds": 3600.0 if client else 100800.0,
        "xact_age_seconds": age if client and state != "idle" else None,
        "query_age_seconds": age if client else None,
        "state_age_seconds": age if client else None,
        "backend_xmin_age": xmin_age,
    }


def outcomes(failed=None):
    """Every collector ok, except `failed`: {collector: (status, error_code, sqlstate, message)}."""
    failed = failed or {}
    out = []
    for name, tier in COLLECTORS:
        o = {"collector": name, "tier": tier, "status": "ok", "error_code": "", "sqlstate": "",
             "message": ""}
        if name in failed:
            status, code, sqlstate, message = failed[name]
            o.update(status=status, error_code=code, sqlstate=sqlstate, message=message)
        out.append(o)
    return out


def base(at, activity_age=0.02):
    """The healthy server `app` at `at`: one busy database of two small, freshly vacuumed and
    analysed tables, every index used, no long transaction. The 15 s sample after it is
    `advance(base(T0))`."""
    return {
        "target": "scenario",
        "collected_at": at,
        "duration_seconds": 0.05,
        "tiers": ["fast", "standard", "slow"],
        "server": {
            "server_version": "15.10 (Debian 15.10-0+deb12u1)",
            "server_version_num": 150010,
            "is_in_recovery": False,
            "current_database": "app",
            "current_user": "pgvigil_monitor",
            "is_superuser": False,
            "has_pg_monitor": True,
            "has_read_all_stats": True,
            "block_size": 8192,
            "postmaster_start_time": STARTED,
            "extensions": [{"name": "pg_stat_statements", "version": "1.10", "schema": "public"}],
            "connect_seconds": 0.004,
            "round_trip_seconds": 0.0008,
        },
        "outcomes": outcomes(),
        "activity": [
            backend(3001, "pgvigil", "active", "SELECT pid, state FROM pg_stat_activity"),
            backend(3002, "app-web", "idle", "COMMIT", age=0.4),
            backend(3003, "app-web", "active", TEXTS[SELECT_ACCOUNT], age=activity_age,
                    xmin_age=2),
            backend(3004, "app-worker", "idle", "COMMIT", age=1.5),
            backend(2001, "", "", "", backend_type="autovacuum launcher"),
        ],
        "databases": [
            database(POSTGRES_DB, "postgres", xact_commit=4200, blks_hit=310000, blks_read=900),
            database(APP_DB, "app", numbackends=4, xact_commit=12000000, xact_rollback=6000,
                     blks_hit=980000000, blks_read=400000),
        ],
        "statements": [
            statement(SELECT_ACCOUNT, TEXTS[SELECT_ACCOUNT], 5000000, 250000.0, 5000000,
                      20000000, 9000),
            statement(UPDATE_BALANCE, TEXTS[UPDATE_BALANCE], 1000000, 120000.0, 1000000,
                      6000000, 3000),
            statement(INSERT_ORDER, TEXTS[INSERT_ORDER], 1000000, 80000.0, 1000000, 5000000,
                      1000),
            statement(ORDERS_OF_ACCOUNT, TEXTS[ORDERS_OF_ACCOUNT], 2000000, 300000.0,
                      20000000, 16000000, 8000),
        ],
        "statements_info": {"dealloc": 0, "stats_reset": STARTED},
        "checkpointer": {
            "checkpoints_timed": 340,
            "checkpoints_req": 2,
            "checkpointer_stats_reset": STARTED,
            "bgwriter_stats_reset": STARTED,
        },
        "archiver": {"archived_count": 0, "failed_count": 0, "stats_reset": STARTED},
        "database_ages": [
            {"datname": "app", "datfrozenxid_age": 1500000, "datminmxid_age": 0,
             "datallowconn": True},
            {"datname": "postgres", "datfrozenxid_age": 1500000, "datminmxid_age": 0,
             "datallowconn": True},
        ],
        "settings": copy.deepcopy(SETTINGS),
        "tables": [
            table(16400, "accounts", 50000, n_dead_tup=120, n_mod_since_analyze=300,
                  n_ins_since_vacuum=40, relpages=520, estimated_size_bytes=4259840,
                  seq_scan=3, seq_tup_read=150000, idx_scan=9000000,
                  last_vacuum=ts("2026-03-02T09:30:00"), last_analyze=ts("2026-03-02T09:30:00")),
            table(16410, "orders", 200000, n_dead_tup=800, n_mod_since_analyze=2500,
                  n_ins_since_vacuum=2500, relpages=1700, estimated_size_bytes=13926400,
                  seq_scan=5, seq_tup_read=1000000, idx_scan=6000000,
                  last_vacuum=ts("2026-03-02T09:30:00"), last_analyze=ts("2026-03-02T09:30:00")),
        ],
        "indexes": [
            index(16400, "accounts", 16405, "accounts_pkey", ["id"], 8000000, 1130496, "p"),
            index(16400, "accounts", 16406, "accounts_email_key", ["email"], 1000000, 2490368,
                  "u"),
            index(16410, "orders", 16415, "orders_pkey", ["id"], 200000, 4513792, "p"),
            index(16410, "orders", 16416, "orders_account_id_created_at_idx",
                  ["account_id", "created_at"], 5800000, 6291456),
        ],
        "sequences": [
            {"datname": "app", "schemaname": "public", "sequencename": "accounts_id_seq",
             "data_type": "bigint", "column_type": "bigint", "owned_by": "public.accounts.id",
             "min_value": 1, "max_value": 9223372036854775807, "increment_by": 1,
             "cycle": False, "is_readable": True, "last_value": 50000},
            {"datname": "app", "schemaname": "public", "sequencename": "orders_id_seq",
             "data_type": "bigint", "column_type": "bigint", "owned_by": "public.orders.id",
             "min_value": 1, "max_value": 9223372036854775807, "increment_by": 1,
             "cycle": False, "is_readable": True, "last_value": 200000},
        ],
        "database_sizes": [
            {"datname": "app", "size_bytes": 40 * MIB},
            {"datname": "postgres", "size_bytes": 7 * MIB + 512 * KIB},
        ],
    }


def find(rows, **key):
    for row in rows:
        if all(row.get(k) == v for k, v in key.items()):
            return row
    raise KeyError(key)


def add(row, **deltas):
    for k, v in deltas.items():
        row[k] += v


def add_if_present(in_rows, key, **deltas):
    for row in in_rows:
        if all(row.get(k) == v for k, v in key.items()):
            add(row, **deltas)


def advance(snapshot, seconds=15):
    """`snapshot` `seconds` later under the healthy workload (the rates are per 15 s)."""
    s = copy.deepcopy(snapshot)
    s["collected_at"] = later(s["collected_at"], seconds)
    app = find(s["databases"], datname="app")
    # 3003 commits and 3 rollbacks (0.1 %); 150,060 block requests, 60 read (99.96 % hits).
    add(app, xact_commit=3000, xact_rollback=3, blks_hit=150000, blks_read=60)
    for queryid, calls, ms, rows, hit, read in [
        (SELECT_ACCOUNT, 12000, 600.0, 12000, 48000, 20),
        (UPDATE_BALANCE, 3000, 360.0, 3000, 18000, 10),
        (INSERT_ORDER, 3000, 240.0, 3000, 15000, 5),
        (ORDERS_OF_ACCOUNT, 6000, 900.0, 60000, 48000, 25),
    ]:
        add_if_present(s["statements"], {"queryid": queryid}, calls=calls, total_exec_time=ms,
                       rows=rows, shared_blks_hit=hit, shared_blks_read=read)
    accounts = find(s["tables"], relname="accounts")
    add(accounts, idx_scan=15000, n_mod_since_analyze=3000, n_dead_tup=1500)
    orders = find(s["tables"], relname="orders")
    add(orders, idx_scan=6000, n_live_tup=3000, n_mod_since_analyze=3000, n_ins_since_vacuum=3000)
    add(find(s["indexes"], indexrelname="accounts_pkey"), idx_scan=15000)
    add(find(s["indexes"], indexrelname="orders_account_id_created_at_idx"), idx_scan=6000)
    add(find(s["sequences"], sequencename="orders_id_seq"), last_value=3000)
    return s


# --- scenarios ---------------------------------------------------------------------------------


def clean():
    previous = base(T0)
    return previous, advance(previous)


def counter_reset():
    """pg_stat_reset() in database app and pg_stat_statements_reset() between the samples: the
    counters restart from zero. Previous counters are chosen so that subtracting them from the
    lower current ones would give a verdict for every rate check (see README.md)."""
    previous = base(T0)
    app = find(previous["databases"], datname="app")
    # Counters that a naive current - previous would turn into verdicts:
    app.update(xact_commit=50000, xact_rollback=50000, blks_hit=1000000, blks_read=500000,
               deadlocks=50, temp_files=400, temp_bytes=10 * 1024 * MIB)
    previous["statements"].append(statement(REPORT, TEXTS[REPORT], 100, 600000.0, 5000,
                                            100000, 400000))
    orders = find(previous["tables"], relname="orders")
    orders.update(seq_scan=100000, seq_tup_read=100000 * 200000, idx_scan=1000)
    find(previous["indexes"], indexrelname="orders_account_id_created_at_idx")["idx_scan"] = 5000

    current = copy.deepcopy(previous)
    current["collected_at"] = later(T0, 15)
    reset_at = later(T0, 5)
    app = find(current["databases"], datname="app")
    app.update(xact_commit=900, xact_rollback=100, blks_hit=20000, blks_read=100, deadlocks=0,
               temp_files=0, temp_bytes=0, stats_reset=reset_at)
    current["statements_info"] = {"dealloc": 0, "stats_reset": reset_at}
    # After the reset: only what ran in the last 10 s, every statement fast.
    current["statements"] = [
        statement(SELECT_ACCOUNT, TEXTS[SELECT_ACCOUNT], 8000, 400.0, 8000, 32000, 10),
        statement(REPORT, TEXTS[REPORT], 10, 100.0, 500, 10000, 0),
    ]
    # pg_stat_reset() also restarts the database's table and index counters.
    orders = find(current["tables"], relname="orders")
    orders.update(seq_scan=5, seq_tup_read=5 * 200000, idx_scan=500)
    accounts = find(current["tables"], relname="accounts")
    accounts.update(seq_scan=0, seq_tup_read=0, idx_scan=9000)
    for name, scans in [("accounts_pkey", 8000), ("accounts_email_key", 1000),
                        ("orders_pkey", 0), ("orders_account_id_created_at_idx", 0)]:
        find(current["indexes"], indexrelname=name)["idx_scan"] = scans
    return previous, current


def server_restart():
    """The server restarted between the samples, 15 s apart. Every counter went up and no
    stats_reset moved (the databases were never reset: null): only postmaster_start_time shows
    the restart. Whether the counters survived it (a clean shutdown keeps them since
    PostgreSQL 15) or restarted from zero (a crash) and grew again cannot be told, so no rate
    may be taken across it. Subtracted anyway, the counters give a verdict for every rate check
    (see README.md); since the restart, cumulatively, they are healthy."""
    previous = base(T0)
    app = find(previous["databases"], datname="app")
    app.update(xact_commit=99000, xact_rollback=10, blks_hit=2900000, blks_read=100,
               deadlocks=5, temp_files=100, temp_bytes=1024 * MIB)
    previous["statements"].append(statement(REPORT, TEXTS[REPORT], 1000, 100000.0, 50000,
                                            1000000, 20000))
    orders = find(previous["tables"], relname="orders")
    orders.update(seq_scan=10, seq_tup_read=10 * 200000, idx_scan=100000)
    previous["checkpointer"].update(checkpoints_timed=300, checkpoints_req=2)

    current = copy.deepcopy(previous)
    current["collected_at"] = later(T0, 15)
    restarted = later(T0, 5)
    current["server"]["postmaster_start_time"] = restarted
    app = find(current["databases"], datname="app")
    app.update(xact_commit=100000, xact_rollback=1000, blks_hit=3000000, blks_read=100100,
               deadlocks=20, temp_files=400, temp_bytes=4 * 1024 * MIB)
    add(find(current["statements"], queryid=SELECT_ACCOUNT), calls=8000, total_exec_time=400.0,
        rows=8000, shared_blks_hit=32000, shared_blks_read=10)
    add(find(current["statements"], queryid=REPORT), calls=10, total_exec_time=20000.0,
        rows=500, shared_blks_hit=10000, shared_blks_read=1000)
    orders = find(current["tables"], relname="orders")
    orders.update(seq_scan=400, seq_tup_read=400 * 200000, idx_scan=100100)
    current["checkpointer"].update(checkpoints_timed=301, checkpoints_req=9)
    # New backends, connected since the restart.
    for b in current["activity"]:
        b["pid"] += 1000
        b["backend_age_seconds"] = 9.5
    return previous, current


# When the daemon's tiers last read the server, in the composed previous and current snapshots.
COMPOSED = {
    "previous": {"fast": ts("2026-03-02T11:59:59"), "standard": ts("2026-03-02T11:59:43"),
                 "slow": ts("2026-03-02T11:52:30")},
    "current": {"fast": ts("2026-03-02T12:00:00"), "standard": ts("2026-03-02T11:59:58"),
                "slow": ts("2026-03-02T11:57:30")},
}


def composed_tiers():
    """Daemon-style snapshots joined from three tiers: fast parts 1 s apart, standard 15 s,
    slow 300 s. collected_at is the newest tier's (fast) time, as daemon/tier_samples.cc sets
    it: a rate computed over collected_at would use 1 s instead of the tier's interval."""
    previous = base(COMPOSED["previous"]["fast"])
    previous["tier_times"] = COMPOSED["previous"]
    previous["statements"].append(statement(REPORT, TEXTS[REPORT], 1000, 200000.0, 50000,
                                            1000000, 20000))
    orders = find(previous["tables"], relname="orders")
    orders.update(seq_scan=1000, seq_tup_read=1000 * 200000, idx_scan=99000)

    current = advance(previous, seconds=1)
    current["tier_times"] = COMPOSED["current"]
    app = find(current["databases"], datname="app")
    # Over the standard tier's 15 s (on top of the healthy workload that advance() added):
    # 30 MiB of temp files, 2 deadlocks, 1,197 more rollbacks, 99,940 more block reads.
    add(app, temp_files=12, temp_bytes=30 * MIB, deadlocks=2, xact_rollback=1197,
        blks_read=99940)
    add(find(current["statements"], queryid=REPORT), calls=10, total_exec_time=12000.0,
        rows=500, shared_blks_hit=10000, shared_blks_read=1000, temp_blks_written=3840)
    # Over the slow tier's 300 s: 90 sequential and 10 index scans of orders.
    orders = find(current["tables"], relname="orders")
    orders.update(seq_scan=1090, seq_tup_read=1090 * 200000, idx_scan=99010)
    return previous, current


UNREACHABLE = {
    "stat_statements": ("skipped", "unsupported", "",
                        "pg_stat_statements is not installed in database app: CREATE EXTENSION "
                        "pg_stat_statements (and add it to shared_preload_libraries)"),
    "stat_database": ("error", "permission_denied", "42501",
                      "permission denied for view pg_stat_database"),
    "stat_user_tables": ("error", "timeout", "57014",
                         "canceling statement due to statement timeout"),
    "stat_user_indexes": ("error", "timeout", "57014",
                          "canceling statement due to statement timeout"),
    "settings": ("error", "permission_denied", "42501", "permission denied for view pg_settings"),
    "sequences": ("error", "permission_denied", "42501",
                  "permission denied for schema public"),
    "storage": ("error", "timeout", "57014", "canceling statement due to statement timeout"),
}


def unreachable_parts():
    """Several collectors failed or were skipped in the current sample; the previous sample read
    them all and shows problems (a table far past its autovacuum trigger, a sequence nearly
    exhausted, a slow statement). No check may judge the current sample from the previous
    one's parts, or take an empty part for a healthy one."""
    previous = base(T0)
    previous["server"]["extensions"] = []
    previous["settings"] = [s for s in previous["settings"]
                            if s["name"] != "shared_preload_libraries"]
    previous["settings"].append(setting("shared_preload_libraries", ""))
    previous["outcomes"] = outcomes({"stat_statements": UNREACHABLE["stat_statements"]})
    previous["statements"] = []
    previous["statements_info"] = None
    orders = find(previous["tables"], relname="orders")
    orders.update(n_dead_tup=900000, seq_scan=100000, seq_tup_read=100000 * 200000, idx_scan=10)
    find(previous["sequences"], sequencename="orders_id_seq").update(
        data_type="integer", column_type="integer", max_value=2147483647, last_value=2100000000)

    current = advance(previous)
    current["outcomes"] = outcomes(UNREACHABLE)
    for part in ["databases", "tables", "indexes", "settings", "sequences", "database_sizes"]:
        current[part] = []
    current["statements"] = []
    return previous, current


SCENARIOS = {
    "clean": clean,
    "counter_reset": counter_reset,
    "server_restart": server_restart,
    "composed_tiers": composed_tiers,
    "unreachable_parts": unreachable_parts,
}


def render(snapshot):
    return json.dumps(snapshot, indent=1, sort_keys=True) + "\n"


def main(argv):
    check = "--check" in argv
    differs = []
    for name, make in SCENARIOS.items():
        previous, current = make()
        folder = HERE / name
        for file, snapshot in [("previous.json", previous), ("current.json", current)]:
            path = folder / file
            text = render(snapshot)
            if check:
                if not path.exists() or path.read_text() != text:
                    differs.append(str(path))
                continue
            folder.mkdir(exist_ok=True)
            path.write_text(text)
    if differs:
        print("out of date (run make_scenarios.py):\n  " + "\n  ".join(differs), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
