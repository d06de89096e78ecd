#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""End-to-end test of alerts in `pgvigil serve`: a real lock on the "pg" fixture's sandbox, a
webhook channel pointing at an HTTP sink on loopback, the alert API, and a restart.

Rule: only locks.blocking alerts (every other check disabled), `for: 2s`, `resolve_after: 2s`.
  - a blocking lock held past `for` → exactly one alert and exactly one "firing" webhook;
  - the operator acknowledges it (a viewer gets 403, an unknown id 404, a bad action 400), and
    the transition is an "alert" event on the SSE stream;
  - the lock released → exactly one "resolved" webhook;
  - SIGTERM + start → the alert list is the same;
  - `pgvigil alerts test hook` delivers a test notification (exit 0; 1 unreachable; 2 unknown).
Then, with `for: 0s`, the latency from taking the lock to the webhook's arrival (median of a few
runs) is printed as "alert latency: …" (docs/benchmarks.md, "Alert latency").

Usage: alerts_e2e_test.py PGVIGIL_BINARY SOURCE_DIR SANDBOX_ENV_FILE
Only the standard library.
"""
import http.server
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from e2e_support import api_request, Daemon, free_port, open_stream, read_env, read_stream, wait_for

BINARY, SOURCE, SANDBOX_ENV = sys.argv[1:4]
del sys.argv[1:4]
OP, VIEW = "op-secret-alerts", "view-secret-alerts"
LATENCY_RUNS = int(os.environ.get("PGVIGIL_ALERT_LATENCY_RUNS", "5"))


class Sink:
    """A webhook receiver: records (arrival monotonic time, JSON body, headers)."""

    def __init__(self, port=0):
        received = self.received = []
        lock = self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with lock:
                    received.append((time.monotonic(), json.loads(body), dict(self.headers)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def notifications(self, kind=None):
        with self.lock:
            return [(t, b) for t, b, _ in self.received if kind is None or b["kind"] == kind]


class Lock:
    """A table locked by one psql session (BEGIN; LOCK TABLE) and waited for by another."""

    def __init__(self, dsn, table):
        self.holder = subprocess.Popen(["psql", dsn, "-Xq"], stdin=subprocess.PIPE,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       text=True)
        self.holder.stdin.write(f"BEGIN; LOCK TABLE {table}; SELECT 1;\n")
        self.holder.stdin.flush()
        self.dsn, self.table = dsn, table
        self.waiter = None
        held = (f"select count(*) from pg_locks l join pg_class c on c.oid = l.relation "
                f"where c.relname = '{table}' and l.mode = 'AccessExclusiveLock' and l.granted")
        wait_for(lambda: subprocess.run(["psql", dsn, "-XAtqc", held], capture_output=True,
                                        text=True).stdout.strip() == "1",
                 10, "the holder to take its lock")

    def block(self):
        self.waiter = subprocess.Popen(["psql", self.dsn, "-Xqc", f"SELECT count(*) FROM {self.table}"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.monotonic()

    def release(self):
        self.holder.stdin.write("COMMIT;\n")
        self.holder.stdin.close()
        self.holder.wait(timeout=10)
        if self.waiter is not None:
            self.waiter.wait(timeout=10)


class AlertsEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="pgvigil-alerts-e2e-")
        os.chmod(cls.tmp, 0o755)
        cls.pg = read_env(SANDBOX_ENV)
        cls.admin = cls.pg["PGVIGIL_TEST_ADMIN_DSN"]
        subprocess.run(["psql", cls.admin, "-XAtqc",
                        "drop table if exists alert_e2e; create table alert_e2e (i int)"],
                       check=True, capture_output=True)
        cls.sink = Sink()
        cls.port = free_port()
        cls.base = f"http://127.0.0.1:{cls.port}"
        cls.config = os.path.join(cls.tmp, "pgvigil.yaml")
        cls.write_config(for_duration="2s")
        cls.daemon = Daemon(BINARY, cls.config, os.path.join(cls.tmp, "daemon.log"))
        cls.start_daemon()

    @classmethod
    def write_config(cls, for_duration):
        with open(cls.config, "w") as f:
            f.write(f"""
listen: "127.0.0.1:{cls.port}"
store: {{ path: "{cls.tmp}/var/pgvigil.db" }}
schedule: {{ fast: 1s, standard: 5s, slow: 30s }}
auth:
  tokens:
    - {{ name: ops, token: "{OP}", role: operator }}
    - {{ name: view, token: "{VIEW}", role: viewer }}
targets:
  - {{ name: alpha, dsn: "{cls.pg['PGVIGIL_TEST_DSN']}", labels: {{ env: test }} }}
thresholds:
  locks.blocking: {{ warning: 0s, critical: 1h }}
alerts:
  defaults: {{ for: {for_duration}, resolve_after: 2s }}
  rules:
    - {{ check: "*", enabled: false }}
    - {{ check: locks.blocking, enabled: true }}
  channels:
    - {{ name: hook, type: webhook, url: "http://127.0.0.1:{cls.sink.port}/hook" }}
  routes:
    - channels: [hook]
""")

    @classmethod
    def start_daemon(cls):
        cls.daemon.start()
        wait_for(lambda: cls.get("/healthz")[0] == 200, 15, "the daemon to listen")
        wait_for(lambda: cls.get_json("/api/v1/targets")["targets"][0]["status"] != "unknown",
                 20, "the first sample")

    @classmethod
    def tearDownClass(cls):
        if cls.daemon.proc is not None:
            cls.daemon.stop()
        cls.sink.server.shutdown()
        if os.environ.get("PGVIGIL_KEEP_E2E"):
            print(f"kept {cls.tmp}", file=sys.stderr)
        else:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def request(cls, method, path, token=VIEW, body=None):
        return api_request(cls.base, method, path, token, body, timeout=10)

    @classmethod
    def get(cls, path, token=VIEW):
        return cls.request("GET", path, token)

    @classmethod
    def get_json(cls, path, token=VIEW):
        status, body = cls.get(path, token)
        if status != 200:
            raise AssertionError(f"GET {path}: {status} {body[:300]!r}")
        return json.loads(body)

    def sse_reader(self, path, seconds):
        """Reads the stream for `seconds` on a thread; returns (thread, list of (time, event,
        data)), subscribed before it returns."""
        events = []
        sock = open_stream(self.port, path, VIEW, seconds)
        thread = threading.Thread(target=read_stream, args=(sock, seconds, events))
        thread.start()
        return thread, events

    def alerts(self, query=""):
        return self.get_json("/api/v1/alerts" + query)["alerts"]

    def test_lock_fires_once_is_acknowledged_resolves_once_and_survives_a_restart(self):
        lock = Lock(self.admin, "alert_e2e")
        try:
            t0 = lock.block()
            firing = wait_for(lambda: self.sink.notifications("firing"), 20, "the firing webhook")
            waited = firing[0][0] - t0
            self.assertGreaterEqual(waited, 2.0, "fired before `for: 2s` had passed")
            time.sleep(3)  # a second notification would arrive by now (1 s collections)
            self.assertEqual(len(self.sink.notifications("firing")), 1)
            self.assertEqual(len(self.sink.notifications()), 1, self.sink.notifications())
            body = firing[0][1]
            self.assertEqual(body["check_id"], "locks.blocking")
            self.assertEqual(body["target"], "alpha")
            self.assertEqual(body["labels"].get("env"), "test")
            open_alerts = self.alerts("?state=firing")
            self.assertEqual(len(open_alerts), 1, open_alerts)
            alert = open_alerts[0]
            self.assertEqual(alert["id"], body["alert_id"])
            self.assertEqual(alert["check_id"], "locks.blocking")

            path = f"/api/v1/alerts/{alert['id']}"
            status, reply = self.request("PATCH", path, VIEW, {"action": "acknowledge"})
            self.assertEqual(status, 403, reply)
            status, reply = self.request("PATCH", "/api/v1/alerts/999999", OP,
                                         {"action": "acknowledge"})
            self.assertEqual(status, 404, reply)
            status, reply = self.request("PATCH", path, OP, {"action": "snooze"})
            self.assertEqual(status, 400, reply)
            self.assertIn(b"snooze", reply)
            status, reply = self.request("PATCH", path, OP, b"{not json")
            self.assertEqual(status, 400, reply)
            stream, events = self.sse_reader("/api/v1/stream?events=alert", 2)
            time.sleep(0.3)  # subscribed
            status, reply = self.request("PATCH", path, OP,
                                         {"action": "acknowledge", "note": "looking"})
            self.assertEqual(status, 200, reply)
            acked = json.loads(reply)
            self.assertEqual(acked["state"], "acknowledged")
            self.assertEqual(acked["acked_by"], "ops")
            self.assertEqual(acked["ack_note"], "looking")
            stream.join()
            self.assertIn(("alert", acked), [(e, d) for _, e, d in events])  # on the stream
            status, reply = self.request("PATCH", path, OP, {"action": "acknowledge"})
            self.assertEqual(status, 400, reply)  # twice is not a transition
            self.assertEqual(self.alerts("?state=acknowledged")[0]["id"], alert["id"])
        finally:
            lock.release()
        wait_for(lambda: self.sink.notifications("resolved"), 20, "the resolved webhook")
        time.sleep(3)
        self.assertEqual(len(self.sink.notifications("resolved")), 1)
        self.assertEqual(len(self.sink.notifications("firing")), 1)
        resolved = self.alerts("?state=resolved")
        self.assertEqual([a["id"] for a in resolved], [alert["id"]])
        self.assertEqual(len(self.alerts()), 1)

        metrics = self.get("/metrics")[1].decode()
        self.assertIn('pgvigil_notifications_total{channel="hook",result="delivered"} 2', metrics)
        self.assertIn('pgvigil_alerts{', metrics)

        before = self.alerts()
        self.assertEqual(self.daemon.stop(), 0)
        self.start_daemon()
        self.assertEqual(self.alerts(), before)
        time.sleep(2)
        self.assertEqual(len(self.sink.notifications()), 2, "a restart re-sent a notification")

        # Latency with `for: 0s`: from the lock wait starting to the webhook's arrival.
        self.assertEqual(self.daemon.stop(), 0)
        self.write_config(for_duration="0s")
        self.start_daemon()
        latencies = []
        for _ in range(LATENCY_RUNS):
            seen = len(self.sink.notifications("firing"))
            resolved_before = len(self.sink.notifications("resolved"))
            lock = Lock(self.admin, "alert_e2e")
            try:
                t0 = lock.block()
                arrived = wait_for(lambda: len(self.sink.notifications("firing")) > seen and
                                   self.sink.notifications("firing")[seen], 10, "a firing webhook")
                latencies.append(arrived[0] - t0)
            finally:
                lock.release()
            wait_for(lambda: len(self.sink.notifications("resolved")) > resolved_before, 20,
                     "the resolved webhook")
        median = statistics.median(latencies)
        print(f"alert latency: median {median:.3f} s over {len(latencies)} runs "
              f"(min {min(latencies):.3f}, max {max(latencies):.3f})", file=sys.stderr)
        self.assertLess(median, 2.0, latencies)

        # `pgvigil alerts test CHANNEL`: delivered (0), unknown channel (2), unreachable (1).
        run = subprocess.run([BINARY, "alerts", "test", "hook", "-c", self.config],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("delivered", run.stdout)
        self.assertEqual(len(self.sink.notifications("test")), 1)
        run = subprocess.run([BINARY, "alerts", "test", "nope", "-c", self.config],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(run.returncode, 2, run.stdout + run.stderr)
        dead = os.path.join(self.tmp, "dead.yaml")
        with open(self.config) as f, open(dead, "w") as out:
            out.write(f.read().replace(f"127.0.0.1:{self.sink.port}/hook",
                                       f"127.0.0.1:{free_port()}/secret-token"))
        run = subprocess.run([BINARY, "alerts", "test", "hook", "-c", dead],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
        self.assertIn("failed", run.stdout)
        self.assertNotIn("secret-token", run.stdout + run.stderr)

    def test_z_a_notification_committed_before_a_sigkill_is_delivered_after_the_restart(self):
        # The receiver is down: the firing notification is committed and waits in the outbox.
        port = self.sink.port
        self.sink.server.shutdown()
        self.sink.server.server_close()
        if self.daemon.proc is not None:
            self.daemon.stop()
        self.write_config(for_duration="0s")
        self.start_daemon()
        known = {a["id"] for a in self.alerts()}
        lock = Lock(self.admin, "alert_e2e")
        try:
            lock.block()
            fired = wait_for(lambda: [a for a in self.alerts("?state=firing")
                                      if a["id"] not in known], 15, "the alert to be committed")
            alert_id = fired[0]["id"]
            time.sleep(1)  # at least one delivery attempt has failed against the closed port
            self.daemon.proc.kill()  # SIGKILL: no flush, no goodbye
            self.daemon.proc.wait(timeout=10)
            self.daemon.log.close()
            self.daemon.proc = None
            # The receiver comes back on the same address, then the daemon.
            type(self).sink = Sink(port)
            self.start_daemon()

            def delivered():
                return [b for _, b in self.sink.notifications("firing")
                        if b["alert_id"] == alert_id]
            wait_for(delivered, 30, "the committed notification after the restart")
            time.sleep(2)  # a duplicate would arrive by now
            self.assertEqual(len(delivered()), 1, self.sink.notifications())
            still = [a["id"] for a in self.alerts("?state=firing")
                     if a["check_id"] == "locks.blocking"]
            self.assertEqual(still, [alert_id], "the same condition must not open a second alert")
        finally:
            lock.release()


if __name__ == "__main__":
    unittest.main(verbosity=2)
