#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""End-to-end test of maintenance in `pgvigil serve` (issue 6, docs/maintenance.md) against the
"pg" fixture's sandbox, with the real runner:
  - an operator's VACUUM through the API completes and shows in the history with its before /
    after dead tuples, and its states are "operation" events on the SSE stream;
  - VACUUM FULL outside the maintenance window: 403 for an operator, 409 for an admin without
    force, 202 and completed for an admin with force and a reason; all three audited;
  - an SQL fragment in an option word or an unknown field: 400, nothing recorded or executed;
  - the history survives a restart;
  - SIGKILL while an operation runs (it waits for a lock another session holds, retrying with a
    short lock_timeout) → after the restart it is "unknown" with the reconciliation message;
  - a running operation cancelled through the API; the seed alias /api/database/optimize;
  - recovery: a dry run lists an idle-in-transaction session (and none of pgvigil's own), an
    operator may not execute it (403), an admin's confirmed execution terminates exactly it;
  - `serve --check-config` names a bad maintenance window with its line.

Usage: maintenance_e2e_test.py PGVIGIL_BINARY SOURCE_DIR SANDBOX_ENV_FILE
Only the standard library.
"""
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

from e2e_support import api_request, Daemon, free_port, open_stream, read_env, read_stream, wait_for

BINARY, SOURCE, SANDBOX_ENV = sys.argv[1:4]
del sys.argv[1:4]
OP, ADMIN, VIEW = "op-secret-maint", "admin-secret-maint", "view-secret-maint"
TABLE = "maint_e2e"


def psql(dsn, sql):
    return subprocess.run(["psql", dsn, "-XAtqc", sql], check=True, capture_output=True,
                          text=True).stdout.strip()


class MaintenanceEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="pgvigil-maint-e2e-")
        os.chmod(cls.tmp, 0o755)
        cls.pg = read_env(SANDBOX_ENV)
        cls.admin = cls.pg["PGVIGIL_TEST_ADMIN_DSN"]
        cls.port = free_port()
        cls.base = f"http://127.0.0.1:{cls.port}"
        cls.config = os.path.join(cls.tmp, "pgvigil.yaml")
        # A window twelve hours away from now: blocking operations are outside it.
        hour = (datetime.datetime.now(datetime.timezone.utc).hour + 12) % 24
        with open(cls.config, "w") as f:
            f.write(f"""
listen: "127.0.0.1:{cls.port}"
store: {{ path: "{cls.tmp}/var/pgvigil.db" }}
schedule: {{ fast: 1s, standard: 5s, slow: 30s }}
auth:
  tokens:
    - {{ name: ops, token: "{OP}", role: operator }}
    - {{ name: boss, token: "{ADMIN}", role: admin }}
    - {{ name: view, token: "{VIEW}", role: viewer }}
maintenance:
  windows: ["daily {hour:02d}:00-{hour:02d}:30"]
  lock_timeout: 200ms
  lock_attempts: 1000
  lock_retry_delay: 100ms
targets:
  - name: alpha
    dsn: "{cls.pg['PGVIGIL_TEST_DSN']}"
    maintenance_dsn: "{cls.admin}"
""")
        cls.daemon = Daemon(BINARY, cls.config, os.path.join(cls.tmp, "daemon.log"))
        cls.start_daemon()

    @classmethod
    def start_daemon(cls):
        cls.daemon.start()
        wait_for(lambda: cls.request("GET", "/healthz")[0] == 200, 15, "the daemon to listen")

    @classmethod
    def tearDownClass(cls):
        if cls.daemon.proc is not None:
            cls.daemon.stop()
        if os.environ.get("PGVIGIL_KEEP_E2E"):
            print(f"kept {cls.tmp}", file=sys.stderr)
        else:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def request(cls, method, path, token=VIEW, body=None):
        status, raw = api_request(cls.base, method, path, token, body, timeout=20)
        return status, json.loads(raw or b"null")

    def submit(self, token, body):
        return self.request("POST", "/api/v1/maintenance", token, body)

    def operation(self, op_id):
        status, op = self.request("GET", f"/api/v1/maintenance/{op_id}")
        self.assertEqual(status, 200, op)
        return op

    def history(self):
        status, body = self.request("GET", "/api/v1/maintenance?type=history&limit=1000")
        self.assertEqual(status, 200, body)
        return body["operations"]

    def make_dead_tuples(self):
        psql(self.admin, f"drop table if exists {TABLE}; "
                         f"create table {TABLE} (i int) with (autovacuum_enabled = off); "
                         f"insert into {TABLE} select generate_series(1, 20000); "
                         f"delete from {TABLE} where i % 2 = 0")
        wait_for(lambda: int(psql(self.admin, f"select n_dead_tup from pg_stat_user_tables "
                                              f"where relname = '{TABLE}'") or 0) > 0,
                 15, "dead tuples to show in pg_stat_user_tables")

    def test_1_operator_vacuum_completes_with_figures_and_events(self):
        self.make_dead_tuples()
        events = []
        sock = open_stream(self.port, "/api/v1/stream?events=operation", VIEW, 15)
        reader = threading.Thread(target=read_stream, args=(sock, 15, events))
        reader.start()
        time.sleep(0.3)  # subscribed
        status, body = self.submit(OP, {"target": "alpha", "operation": "vacuum", "table": TABLE,
                                        "options": {"analyze": True}})
        self.assertEqual(status, 202, body)
        op = body["operations"][0]
        self.assertEqual(op["state"], "queued")
        self.assertEqual(op["initiator"], "ops")
        self.assertEqual(op["initiator_role"], "operator")
        done = wait_for(lambda: self.operation(op["id"])["state"] in ("completed", "failed",
                                                                      "refused") and
                        self.operation(op["id"]), 30, "the VACUUM to finish")
        self.assertEqual(done["state"], "completed", done)
        self.assertIn("VACUUM", done["sql"])
        self.assertEqual(done["object"], f"public.{TABLE}")
        self.assertGreater(done["before"]["dead_tuples"], 0, done)
        self.assertIsNotNone(done["after"]["dead_tuples"], done)
        self.assertLess(done["after"]["dead_tuples"], done["before"]["dead_tuples"], done)
        self.assertIsNotNone(done["duration_s"])
        self.assertEqual(self.history()[0]["id"], op["id"])  # newest first
        reader.join()
        states = [d["state"] for _, e, d in events if e == "operation" and d["id"] == op["id"]]
        self.assertEqual(states[0], "queued", states)
        self.assertIn("running", states)
        self.assertEqual(states[-1], "completed", states)
        req = urllib.request.Request(self.base + "/metrics",
                                     headers={"Authorization": f"Bearer {VIEW}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            metrics = r.read().decode()
        self.assertIn('pgvigil_maintenance_operations_total{operation="vacuum",state="completed"} 1',
                      metrics)
        self.assertIn('pgvigil_maintenance_operations{state="running"} 0', metrics)

    def test_2_vacuum_full_outside_the_window_needs_admin_force_and_reason(self):
        full = {"target": "alpha", "operation": "vacuum", "table": TABLE,
                "options": {"full": True}}
        status, body = self.submit(OP, full)
        self.assertEqual(status, 403, body)
        refused_for_role = body["operations"][0]
        self.assertEqual(refused_for_role["state"], "refused")
        status, body = self.submit(ADMIN, full)
        self.assertEqual(status, 409, body)
        refused_outside = body["operations"][0]
        window = [g for g in refused_outside["guards"] if g["guard"] == "maintenance_window"]
        self.assertEqual(window[0]["outcome"], "refuse", refused_outside)
        status, body = self.submit(ADMIN, dict(full, force=True, reason="e2e: incident drill"))
        self.assertEqual(status, 202, body)
        forced = body["operations"][0]
        done = wait_for(lambda: self.operation(forced["id"])["state"] not in ("queued", "running")
                        and self.operation(forced["id"]), 60, "the VACUUM FULL to finish")
        self.assertEqual(done["state"], "completed", done)
        self.assertTrue(done["forced"])
        self.assertEqual(done["reason"], "e2e: incident drill")
        self.assertEqual(done["initiator"], "boss")
        audited = {o["id"]: o for o in self.history()}
        self.assertEqual(audited[refused_for_role["id"]]["initiator"], "ops")
        self.assertEqual(audited[refused_for_role["id"]]["state"], "refused")
        self.assertEqual(audited[refused_outside["id"]]["state"], "refused")
        self.assertEqual(audited[forced["id"]]["reason"], "e2e: incident drill")

    def test_3_malformed_requests_are_400_and_nothing_is_recorded(self):
        before = self.history()
        vacuums_before = psql(self.admin, f"select vacuum_count from pg_stat_user_tables "
                                          f"where relname = '{TABLE}'")
        for body in (
                {"target": "alpha", "operation": "vacuum", "table": TABLE,
                 "options": {"index_cleanup": "on); DROP TABLE victim; --"}},
                {"target": "alpha", "operation": "vacuum", "table": TABLE,
                 "options": {"parallel": 4}},
                {"target": "alpha", "operation": "vacuum", "table": TABLE, "sql": "VACUUM"},
                {"target": "alpha", "operation": "vacuum; drop table x", "table": TABLE}):
            status, reply = self.submit(ADMIN, body)
            self.assertEqual(status, 400, (body, reply))
            self.assertEqual(reply["error"]["code"], "bad_request")
        status, reply = self.request("POST", "/api/v1/maintenance", ADMIN, b"{not json")
        self.assertEqual(status, 400, reply)
        status, reply = self.submit(VIEW, {"target": "alpha", "operation": "analyze",
                                           "table": TABLE})
        self.assertEqual(status, 403, reply)
        status, reply = self.submit(OP, {"target": "nope", "operation": "analyze",
                                         "table": TABLE})
        self.assertEqual(status, 404, reply)
        self.assertEqual(self.history(), before)
        time.sleep(1)
        self.assertEqual(psql(self.admin, f"select vacuum_count from pg_stat_user_tables "
                                          f"where relname = '{TABLE}'"), vacuums_before)

    def test_4_history_survives_a_restart_and_a_sigkill_leaves_unknown(self):
        before = self.history()
        self.assertGreaterEqual(len(before), 4)
        self.assertEqual(self.daemon.stop(), 0)
        self.start_daemon()
        self.assertEqual(self.history(), before)

        # Another session holds a lock VACUUM conflicts with (reads still pass): the operation
        # runs, retrying every lock_timeout, until the daemon is killed.
        holder = self.hold_lock()
        try:
            status, body = self.submit(OP, {"target": "alpha", "operation": "vacuum",
                                            "table": TABLE})
            self.assertEqual(status, 202, body)
            op_id = body["operations"][0]["id"]
            wait_for(lambda: self.operation(op_id)["state"] == "running", 20,
                     "the operation to run (and wait for its lock)")
            time.sleep(0.5)
            self.assertEqual(self.operation(op_id)["state"], "running")
            self.daemon.stop(signal.SIGKILL)
        finally:
            holder.stdin.write("COMMIT;\n")
            holder.stdin.close()
            holder.wait(timeout=10)
        self.start_daemon()
        op = self.operation(op_id)
        self.assertEqual(op["state"], "unknown", op)
        self.assertIn("stopped between", op["message"])
        self.assertIsNotNone(op["finished_at"])
        status, body = self.request("GET", "/api/v1/maintenance?type=running")
        self.assertEqual(body["operations"], [])
        with open(os.path.join(self.tmp, "daemon.log"), errors="replace") as f:
            log = f.read()
        self.assertIn("unknown", log)
        self.assertNotIn("password", log)

    def hold_lock(self):
        """A session holding a lock VACUUM conflicts with (reads still pass)."""
        holder = subprocess.Popen(["psql", self.admin, "-Xq"], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
        holder.stdin.write(f"BEGIN; LOCK TABLE {TABLE} IN SHARE UPDATE EXCLUSIVE MODE; SELECT 1;\n")
        holder.stdin.flush()
        wait_for(lambda: psql(self.admin, "select count(*) from pg_locks l join pg_class c "
                                          f"on c.oid = l.relation where c.relname = '{TABLE}' "
                                          "and l.granted and "
                                          "l.mode = 'ShareUpdateExclusiveLock'") == "1",
                 10, "the holder's lock")
        return holder

    def test_5_cancel_a_running_operation_and_the_seed_alias(self):
        holder = self.hold_lock()
        try:
            status, body = self.submit(OP, {"target": "alpha", "operation": "vacuum",
                                            "table": TABLE})
            self.assertEqual(status, 202, body)
            op_id = body["operations"][0]["id"]
            wait_for(lambda: self.operation(op_id)["state"] == "running", 20, "running")
            status, reply = self.request("POST", f"/api/v1/maintenance/{op_id}/cancel", VIEW)
            self.assertEqual(status, 403, reply)
            status, reply = self.request("POST", f"/api/v1/maintenance/{op_id}/cancel", OP)
            self.assertEqual(status, 200, reply)
            done = wait_for(lambda: self.operation(op_id)["state"] == "cancelled" and
                            self.operation(op_id), 20, "the cancel")
            self.assertIsNotNone(done["finished_at"])
            self.assertIn("cancel requested by ops", done["message"])
            status, reply = self.request("POST", f"/api/v1/maintenance/{op_id}/cancel", OP)
            self.assertEqual(status, 409, reply)
        finally:
            holder.stdin.write("COMMIT;\n")
            holder.stdin.close()
            holder.wait(timeout=10)
        status, body = self.request("POST", "/api/database/optimize", OP,
                                    {"target": "alpha", "action": "update_statistics",
                                     "table_name": TABLE})
        self.assertEqual(status, 202, body)
        analyze = body["operations"][0]
        self.assertEqual(analyze["operation"], "analyze")
        done = wait_for(lambda: self.operation(analyze["id"])["state"] not in ("queued", "running")
                        and self.operation(analyze["id"]), 30, "the ANALYZE")
        self.assertEqual(done["state"], "completed", done)
        status, body = self.request("GET", "/api/database/maintenance")
        self.assertEqual(body["operations"][0]["id"], analyze["id"])

    def test_6_recovery_dry_run_lists_the_idle_session_and_an_admin_terminates_it(self):
        env = dict(os.environ, PGAPPNAME="maint_e2e_idle")
        idle = subprocess.Popen(["psql", self.pg["PGVIGIL_TEST_NOPRIV_DSN"], "-Xq"],
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, text=True, env=env)
        try:
            idle.stdin.write("BEGIN; SELECT 1;\n")
            idle.stdin.flush()
            pid = int(wait_for(lambda: psql(self.admin, "select pid from pg_stat_activity where "
                                                        "application_name = 'maint_e2e_idle' and "
                                                        "state = 'idle in transaction'"),
                               10, "the idle-in-transaction session"))
            time.sleep(1.5)
            ask = {"target": "alpha", "terminate_idle_in_transaction_longer_than_s": 1}
            status, dry = self.request("POST", "/api/v1/recovery", OP, ask)
            self.assertEqual(status, 200, dry)
            self.assertEqual(dry["operation"], "recovery")
            self.assertEqual(dry["state"], "planned", dry)
            hit = [b for b in dry["backends"] if b["pid"] == pid]
            self.assertEqual(len(hit), 1, dry["backends"])
            self.assertEqual(hit[0]["action"], "terminate")
            self.assertFalse([b for b in dry["backends"]
                              if b["application_name"].startswith("pgvigil")], dry["backends"])
            confirm = {"confirm": [{"pid": pid, "backend_start": hit[0]["backend_start"]}],
                       "dry_run": False}
            status, reply = self.request("POST", "/api/v1/recovery", OP, dict(ask, **confirm))
            self.assertEqual(status, 403, reply)
            self.assertEqual(psql(self.admin, f"select count(*) from pg_stat_activity "
                                              f"where pid = {pid}"), "1")
            status, queued = self.request("POST", "/api/v1/recovery", ADMIN, dict(ask, **confirm))
            self.assertEqual(status, 202, queued)
            done = wait_for(lambda: self.operation(queued["id"])["state"] not in
                            ("queued", "running") and self.operation(queued["id"]), 20,
                            "the recovery to finish")
            self.assertEqual(done["state"], "completed", done)
            self.assertEqual([(b["pid"], b["outcome"]) for b in done["backends"]],
                             [(pid, "terminated")])
            self.assertEqual(done["initiator"], "boss")
            wait_for(lambda: psql(self.admin, f"select count(*) from pg_stat_activity "
                                              f"where pid = {pid}") == "0", 10, "the pid to go")
        finally:
            try:
                idle.stdin.close()
            except OSError:
                pass
            idle.wait(timeout=10)

    def test_7_check_config_names_a_bad_window_with_its_line(self):
        bad = os.path.join(self.tmp, "bad.yaml")
        with open(bad, "w") as f:
            f.write('targets:\n  - { name: a, dsn: "host=x" }\nmaintenance:\n'
                    '  windows: ["someday 25:00-02:00"]\n')
        result = subprocess.run([BINARY, "serve", "-c", bad, "--check-config"],
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 2, result)
        self.assertIn("bad.yaml:4: maintenance.windows", result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
