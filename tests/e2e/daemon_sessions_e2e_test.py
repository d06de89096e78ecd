#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""End-to-end: the monitoring sessions `pgvigil serve` holds on a real PostgreSQL server.

1. One session per watched database, never more: a target watching databases by an include
   pattern and another by a list (as a second monitoring role, so that their sessions can be
   told apart in pg_stat_activity), sampled from a superuser session many times over fast,
   standard and slow ticks; again after the server terminates every one of them.
2. A server near max_connections: with max_connections lowered and the usable connections
   filled past schedule.backoff_connection_utilization by idle client sessions, the fast tier
   slows fivefold (counted from the API's fast-tier collections_total), a terminated session is
   not reopened while the server stays busy, and both recover once the clients leave.

The server is a sandbox of this test's own (it is restarted with another max_connections and
its backends are counted), of the same PostgreSQL as the "pg" fixture's.
Usage: daemon_sessions_e2e_test.py PGVIGIL_BINARY SOURCE_DIR SANDBOX_ENV_FILE
"""
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from e2e_support import Daemon, free_port, read_env, wait_for

BINARY, SOURCE, SANDBOX_ENV = sys.argv[1:4]
del sys.argv[1:4]
VIEW = "view-secret-sessions"
SANDBOX = os.path.join(SOURCE, "scripts/pg-sandbox.sh")
# What the daemon sets on its monitoring sessions (pg::SessionOptions::application_name).
APP = "pgvigil"


class DaemonSessions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="pgvigil-sess-")
        os.chmod(cls.tmp, 0o755)  # the sandbox runs as the OS user postgres when we are root
        fixture = read_env(SANDBOX_ENV)
        cls.bin = fixture["PGVIGIL_SANDBOX_BIN"]  # the same major as the rest of the run
        cls.dir = os.path.join(cls.tmp, "pg")
        subprocess.run([SANDBOX, "start", cls.dir, "--bin", cls.bin], check=True,
                       stdout=subprocess.DEVNULL)
        cls.env = read_env(os.path.join(cls.dir, "env"))
        for db in ("sess_a", "sess_b", "sess_c", "other_x"):
            cls.admin(f"CREATE DATABASE {db}")  # one statement per call: not in a transaction
        cls.admin("CREATE ROLE pgvigil_monitor2 LOGIN PASSWORD 'monitor2-secret'")
        cls.admin("GRANT pg_monitor TO pgvigil_monitor2")
        # pg_stat_activity is read once per transaction unless the snapshot is cleared.
        cls.admin("""
            CREATE FUNCTION sample_sessions(samples int, app text)
            RETURNS TABLE (sample int, role name, db name, backends bigint) LANGUAGE plpgsql AS $$
            BEGIN
              FOR k IN 1 .. samples LOOP
                PERFORM pg_stat_clear_snapshot();
                RETURN QUERY SELECT k, a.usename, a.datname, count(*) FROM pg_stat_activity a
                              WHERE a.application_name = app GROUP BY 2, 3;
                PERFORM pg_sleep(0.2);
              END LOOP;
            END $$""")
        cls.daemon = None

    @classmethod
    def tearDownClass(cls):
        if cls.daemon is not None and cls.daemon.proc is not None:
            cls.daemon.stop()
        subprocess.run([SANDBOX, "stop", cls.dir], stdout=subprocess.DEVNULL)
        if os.environ.get("PGVIGIL_KEEP_E2E"):
            print(f"kept {cls.tmp}", file=sys.stderr)
        else:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- helpers -----------------------------------------------------------------------------
    @classmethod
    def admin(cls, sql, db="pgvigil_test"):
        """Runs `sql` in a short superuser session over the unix socket; returns its rows."""
        dsn = cls.env["PGVIGIL_TEST_ADMIN_DSN"].replace("dbname=pgvigil_test", f"dbname={db}")
        done = subprocess.run(["psql", dsn, "-XAtq", "-v", "ON_ERROR_STOP=1", "-F", "|", "-c", sql],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise AssertionError(f"psql failed on {sql!r}: {done.stderr}")
        out = done.stdout
        return [line.split("|") for line in out.splitlines() if line]

    @classmethod
    def daemon_sessions(cls):
        """{(role, database): backends} of the daemon's monitoring sessions, from pg_stat_activity."""
        rows = cls.admin(f"select usename, datname, count(*) from pg_stat_activity "
                         f"where application_name = '{APP}' group by 1, 2")
        return {(r[0], r[1]): int(r[2]) for r in rows}

    def start_daemon(self, schedule, targets):
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        config = os.path.join(self.tmp, f"pgvigil-{port}.yaml")
        with open(config, "w") as f:
            f.write(f"""
listen: "127.0.0.1:{port}"
store: {{ path: "{self.tmp}/var-{port}/pgvigil.db" }}
schedule: {schedule}
collect: {{ connect_timeout: 2s, statement_timeout: 2s }}
auth:
  tokens:
    - {{ name: view, token: "{VIEW}", role: viewer }}
targets:
{targets}
""")
        type(self).daemon = Daemon(BINARY, config, os.path.join(self.tmp, f"daemon-{port}.log"))
        self.daemon.start()

    def stop_daemon(self):
        self.assertEqual(self.daemon.stop(), 0, "SIGTERM ends the daemon cleanly")
        type(self).daemon = None
        self.note("daemon stopped")

    def target(self, name):
        req = urllib.request.Request(self.base + "/api/v1/targets")
        req.add_header("Authorization", f"Bearer {VIEW}")
        with urllib.request.urlopen(req, timeout=5) as r:
            for t in json.loads(r.read())["targets"]:
                if t["name"] == name:
                    return t
        raise KeyError(name)

    def backoff_metric(self, name, tier):
        """pgvigil_tier_backoff of the target's tier in /metrics."""
        req = urllib.request.Request(self.base + "/metrics")
        req.add_header("Authorization", f"Bearer {VIEW}")
        with urllib.request.urlopen(req, timeout=5) as r:
            for line in r.read().decode().splitlines():
                if (line.startswith("pgvigil_tier_backoff{") and f'target="{name}"' in line
                        and f'tier="{tier}"' in line):
                    return float(line.rsplit(" ", 1)[1])
        raise KeyError(f"pgvigil_tier_backoff of {name}/{tier}")

    def tier(self, name, tier):
        return next(t for t in self.target(name)["tiers"] if t["tier"] == tier)

    def fast_collections(self, name, seconds):
        """Fast-tier collections of target `name` during the next `seconds`."""
        before = self.tier(name, "fast")["collections_total"]
        time.sleep(seconds)
        return self.tier(name, "fast")["collections_total"] - before

    def dsn(self, user, password, db="pgvigil_test"):
        return (f"host=127.0.0.1 port={self.env['PGVIGIL_SANDBOX_PORT']} dbname={db} "
                f"user={user} password={password}")

    def assert_sessions_stay(self, expected, seconds, what):
        """Samples the daemon's sessions every 0.2 s for `seconds` (in one superuser session, so
        the sampling rate does not depend on how fast psql starts); every sample is `expected`."""
        count = int(seconds / 0.2)
        rows = self.admin(f"select * from sample_sessions({count}, '{APP}')")
        samples = [{} for _ in range(count)]
        for i, role, db, n in rows:
            samples[int(i) - 1][(role, db)] = int(n)
        for i, got in enumerate(samples):
            self.assertEqual(got, expected, f"{what}, sample {i} of {count}")

    def note(self, what):
        """A progress line with the seconds since the test began (the figures in the CTest log)."""
        print(f"  [{time.monotonic() - self.began:5.1f} s] {what}", file=sys.stderr, flush=True)

    def setUp(self):
        self.began = time.monotonic()

    def wait_for_sessions(self, expected, timeout, what):
        """Waits until the daemon's sessions are `expected`; meanwhile no (role, database) ever
        has two, and none is outside `expected`."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.daemon_sessions()
            self.assertTrue(set(got) <= set(expected), f"{what}: unexpected sessions {got}")
            self.assertTrue(all(n == 1 for n in got.values()), f"{what}: a database twice {got}")
            if got == expected:
                return
            self.assertLess(time.monotonic(), deadline, f"timed out waiting for {what}: {got}")
            time.sleep(0.2)

    # -- tests -------------------------------------------------------------------------------
    def test_1_one_session_per_watched_database_and_none_leaked_after_termination(self):
        m1, m2 = "pgvigil_monitor", "pgvigil_monitor2"
        self.start_daemon(
            "{ fast: 500ms, standard: 1s, slow: 2s, max_backoff: 1s }",
            f'  - {{ name: globbed, dsn: "{self.dsn(m1, "monitor-secret")}", '
            f'databases: {{ include: ["sess_*"], exclude: ["sess_c"] }} }}\n'
            f'  - {{ name: listed, dsn: "{self.dsn(m2, "monitor2-secret")}", '
            f'databases: [sess_a, sess_b, sess_c] }}\n')
        try:
            # The pattern's databases are discovered from pg_stat_database (standard tier).
            expected = {(m1, "pgvigil_test"): 1, (m1, "sess_a"): 1, (m1, "sess_b"): 1,
                        (m2, "pgvigil_test"): 1, (m2, "sess_a"): 1, (m2, "sess_b"): 1,
                        (m2, "sess_c"): 1}
            self.wait_for_sessions(expected, 15, "one session per watched database")
            # Several fast ticks, standard and slow ones (which read per-database tables).
            slow_before = self.tier("globbed", "slow")["collections_total"]
            self.note("one session per database")
            self.assert_sessions_stay(expected, 6, "steady state")
            self.assertGreaterEqual(self.tier("globbed", "slow")["collections_total"] - slow_before,
                                    2, "slow ticks happened meanwhile")
            for name in ("globbed", "listed"):
                self.assertEqual(self.target(name)["reachability"], "up")

            killed = self.admin(f"select count(pg_terminate_backend(pid)) from pg_stat_activity "
                                f"where application_name = '{APP}'")
            self.assertEqual(int(killed[0][0]), sum(expected.values()))
            self.wait_for_sessions(expected, 10, "the sessions to come back, one per database")
            self.note("back after the termination")
            self.assert_sessions_stay(expected, 4, "after the termination")
        finally:
            self.stop_daemon()
        # SIGTERM closed every session.
        self.assertEqual(self.daemon_sessions(), {})

    def test_2_busy_server_slows_the_fast_tier_and_gets_no_new_session(self):
        # 20 connections, of which superuser_reserved_connections (3; reserved_connections,
        # PostgreSQL 16+, is 0) are closed to non-superusers: 17 usable.
        self.admin("ALTER SYSTEM SET max_connections = 20")
        subprocess.run([SANDBOX, "stop", self.dir], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([SANDBOX, "start", self.dir, "--bin", self.bin, "--port",
                        self.env["PGVIGIL_SANDBOX_PORT"]], check=True, stdout=subprocess.DEVNULL)
        rows = self.admin("select name, setting from pg_settings where name in "
                          "('max_connections', 'superuser_reserved_connections', "
                          "'reserved_connections')")
        settings = {r[0]: int(r[1]) for r in rows}
        usable = (settings["max_connections"] - settings["superuser_reserved_connections"]
                  - settings.get("reserved_connections", 0))
        self.assertEqual(usable, 17, settings)
        self.note("restarted with max_connections = 20")

        # Busy from 70 % of the usable connections: 12 client backends of 17.
        m1 = "pgvigil_monitor"
        self.start_daemon(
            "{ fast: 400ms, standard: 800ms, slow: 1600ms, max_backoff: 1s, "
            "backoff_connection_utilization: 70% }",
            f'  - {{ name: busy, dsn: "{self.dsn(m1, "monitor-secret")}", '
            f'databases: [sess_a] }}\n')
        clients = []
        try:
            expected = {(m1, "pgvigil_test"): 1, (m1, "sess_a"): 1}
            self.wait_for_sessions(expected, 15, "the daemon's two sessions")
            self.note("sessions up")
            normal = self.fast_collections("busy", 3)
            self.note(f"not busy: {normal} fast collections in 3 s")
            # 400 ms: 7 or 8 in 3 s (a tick takes some time of its own on a loaded machine).
            self.assertGreaterEqual(normal, 5, "fast tier at its interval while not busy")

            # 2 daemon sessions + 11 idle clients = 13 client backends: 76 % of the 17 usable
            # connections (65 % of max_connections, so a rule without the reserved slots would
            # never see a server that refuses every non-superuser at 17).
            for _ in range(11):
                clients.append(subprocess.Popen(
                    ["psql", self.dsn("pgvigil_nopriv", "nopriv-secret"), "-Xq"],
                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            wait_for(lambda: int(self.admin("select count(*) from pg_stat_activity where "
                                            "usename = 'pgvigil_nopriv'")[0][0]) == 11,
                     10, "the 11 idle clients", interval=0.2)
            # The next fast sample sees them; give it a tick, then measure.
            time.sleep(1.0)
            self.note("11 clients connected")
            busy = self.fast_collections("busy", 5)
            self.note(f"busy: {busy} fast collections in 5 s")
            # ×5: every 2 s, so 2 or 3 in 5 s (12 at the normal interval).
            self.assertLessEqual(busy, 3, f"fast tier slowed fivefold (normal: {normal} in 3 s)")
            self.assertGreaterEqual(busy, 2, "but still sampled")
            # The API and /metrics say so, and why.
            fast = self.tier("busy", "fast")
            self.assertIn("connections are near their limit", fast["backoff_reason"], fast)
            self.assertIsNotNone(fast["backoff_until"], fast)
            self.assertEqual(self.backoff_metric("busy", "fast"), 1)
            self.assertEqual(self.backoff_metric("busy", "standard"), 0)

            # No new session while busy: the extra database's session, terminated, stays closed
            # (the fast ticks go on meanwhile on the main session).
            self.admin(f"select pg_terminate_backend(pid) from pg_stat_activity "
                       f"where application_name = '{APP}' and datname = 'sess_a'")
            before = self.tier("busy", "fast")["collections_total"]
            self.assert_sessions_stay({(m1, "pgvigil_test"): 1}, 4.5, "busy: sess_a not reopened")
            self.assertGreaterEqual(self.tier("busy", "fast")["collections_total"] - before, 2,
                                    "the fast tier kept collecting")
            self.assertEqual(self.target("busy")["reachability"], "up")

            # A lost main session is not reopened at once either: one session, after the busy
            # fast interval (2 s, less 10 % jitter) from the tick that noticed the loss, to look
            # again; never the other database's.
            self.admin(f"select pg_terminate_backend(pid) from pg_stat_activity "
                       f"where application_name = '{APP}'")
            terminated = time.monotonic()
            while True:
                got = self.daemon_sessions()
                self.assertNotIn((m1, "sess_a"), got, "busy: no session for sess_a")
                self.assertLessEqual(sum(got.values()), 1, got)
                if got:
                    break
                self.assertLess(time.monotonic() - terminated, 8, "the main session to re-check")
                time.sleep(0.1)
            self.note(f"busy: main session reopened {time.monotonic() - terminated:.1f} s after "
                      "its termination")
            self.assertGreaterEqual(time.monotonic() - terminated, 1.8, "reopened after a wait")
            self.assert_sessions_stay({(m1, "pgvigil_test"): 1}, 2, "busy: still one session")
        finally:
            for c in clients:
                c.stdin.close()
            for c in clients:
                c.wait(timeout=10)
            self.note("clients closed")

        try:
            wait_for(lambda: int(self.admin("select count(*) from pg_stat_activity where "
                                            "usename = 'pgvigil_nopriv'")[0][0]) == 0,
                     10, "the clients to leave", interval=0.2)
            # Not busy any more: both sessions again, and the fast tier back at its interval.
            self.note("clients gone")
            self.wait_for_sessions(expected, 10, "both sessions back once the server is not busy")
            self.note("both sessions back")
            wait_for(lambda: self.target("busy")["reachability"] == "up", 5, "busy target up")
            after = self.fast_collections("busy", 3)
            self.note(f"not busy again: {after} fast collections in 3 s")
            self.assertGreaterEqual(after, 5, "fast tier back at its interval")
            fast = self.tier("busy", "fast")
            self.assertEqual((fast["backoff_reason"], fast["backoff_until"]), ("", None), fast)
            self.assertEqual(self.backoff_metric("busy", "fast"), 0)
            self.assert_sessions_stay(expected, 1, "after the clients left")
        finally:
            self.stop_daemon()


if __name__ == "__main__":
    unittest.main(verbosity=2)
