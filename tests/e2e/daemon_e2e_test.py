#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""End-to-end tests of `pgvigil serve` as a process against real PostgreSQL servers.

Targets: "alpha" (the CTest fixture's sandbox), "beta" (a second sandbox this test starts, stops
and restarts) and "stuck" (a TCP listener that accepts and never answers: a half-open peer).
A real Prometheus scrapes /metrics when the `prometheus` binary is installed (it is, by
scripts/install-deps.sh; its absence fails the test rather than skipping it).

Usage: daemon_e2e_test.py PGVIGIL_BINARY SOURCE_DIR SANDBOX_ENV_FILE
Only the standard library: the test reads what a user's curl would read.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

from e2e_support import Daemon, free_port, open_stream, read_env, read_stream, wait_for

BINARY, SOURCE, SANDBOX_ENV = sys.argv[1:4]
del sys.argv[1:4]
OP, VIEW = "op-secret-e2e", "view-secret-e2e"


class HalfOpenListener:
    """Accepts TCP connections and never sends a byte."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)


class DaemonEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="pgvigil-e2e-")
        os.chmod(cls.tmp, 0o755)  # the sandbox runs as the OS user postgres when we are root
        cls.alpha = read_env(SANDBOX_ENV)
        cls.beta_dir = os.path.join(cls.tmp, "beta")
        subprocess.run([os.path.join(SOURCE, "scripts/pg-sandbox.sh"), "start", cls.beta_dir],
                       check=True, stdout=subprocess.DEVNULL)
        cls.beta = read_env(os.path.join(cls.beta_dir, "env"))
        cls.stuck = HalfOpenListener()
        cls.port = free_port()
        cls.base = f"http://127.0.0.1:{cls.port}"
        cls.config = os.path.join(cls.tmp, "pgvigil.yaml")
        with open(cls.config, "w") as f:
            f.write(f"""
listen: "127.0.0.1:{cls.port}"
store: {{ path: "{cls.tmp}/var/pgvigil.db" }}
schedule: {{ fast: 1s, standard: 2s, slow: 4s, max_backoff: 2s }}
collect: {{ connect_timeout: 2s, statement_timeout: 2s }}
auth:
  tokens:
    - {{ name: ops, token: "{OP}", role: operator }}
    - {{ name: view, token: "{VIEW}", role: viewer }}
targets:
  - {{ name: alpha, dsn: "{cls.alpha['PGVIGIL_TEST_DSN']}", region: local, labels: {{ env: test }} }}
  - {{ name: beta, dsn: "{cls.beta['PGVIGIL_TEST_DSN']}", region: remote }}
  - {{ name: stuck, dsn: "host=127.0.0.1 port={cls.stuck.port} dbname=x user=pgvigil_monitor password=nope", region: remote }}
""")
        cls.daemon = Daemon(BINARY, cls.config, os.path.join(cls.tmp, "daemon.log"))
        cls.daemon.start()
        wait_for(lambda: cls.get("/healthz")[0] == 200, 15, "the daemon to listen")
        wait_for(lambda: cls.target("alpha")["status"] not in ("unknown",), 20, "alpha's first sample")
        wait_for(lambda: cls.target("beta")["status"] not in ("unknown",), 20, "beta's first sample")

    @classmethod
    def tearDownClass(cls):
        if cls.daemon.proc is not None:
            cls.daemon.stop()
        subprocess.run([os.path.join(SOURCE, "scripts/pg-sandbox.sh"), "stop", cls.beta_dir],
                       stdout=subprocess.DEVNULL)
        cls.stuck.sock.close()
        if os.environ.get("PGVIGIL_KEEP_E2E"):
            print(f"kept {cls.tmp}", file=sys.stderr)
        else:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- helpers -----------------------------------------------------------------------------
    @classmethod
    def request(cls, method, path, token=VIEW, body=None, timeout=10):
        req = urllib.request.Request(cls.base + path, method=method, data=body)
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    @classmethod
    def get(cls, path, token=VIEW):
        return cls.request("GET", path, token)

    @classmethod
    def get_json(cls, path, token=VIEW, expect=200):
        status, body = cls.get(path, token)
        if status != expect:
            raise AssertionError(f"GET {path}: {status} {body[:300]!r}")
        return json.loads(body)

    @classmethod
    def target(cls, name):
        for t in cls.get_json("/api/v1/targets")["targets"]:
            if t["name"] == name:
                return t
        raise KeyError(name)

    def sse_events(self, path, seconds):
        """Reads the stream for `seconds`; returns (arrival time, event, data) tuples."""
        return read_stream(open_stream(self.port, path, VIEW, seconds), seconds, [])

    def psql_admin(self, env, sql):
        return subprocess.run(["psql", env["PGVIGIL_TEST_ADMIN_DSN"], "-XAtqc", sql],
                              check=True, capture_output=True, text=True).stdout.strip()

    # -- tests -------------------------------------------------------------------------------
    def test_01_auth(self):
        self.assertEqual(self.get("/api/v1/targets", token=None)[0], 401)
        self.assertEqual(self.get("/api/v1/targets", token="wrong-token-x")[0], 401)
        self.assertEqual(self.get("/healthz", token=None)[0], 200)  # public by default
        status, body = self.request("POST", "/api/v1/targets/alpha/collect", token=VIEW)
        self.assertEqual(status, 403, body)
        self.assertEqual(json.loads(body)["error"]["code"], "forbidden")
        status, body = self.request("POST", "/api/v1/targets/alpha/collect", token=OP)
        self.assertEqual(status, 202, body)
        status, body = self.request("POST", "/api/v1/targets/nobody/collect", token=OP)
        self.assertEqual(status, 404, body)

    def test_02_every_api_type_answers(self):
        for view in ("full", "overview", "tables", "indexes", "queries", "connections", "locks",
                     "replication", "storage"):
            body = self.get_json(f"/api/v1/health?target=alpha&type={view}")
            self.assertEqual(body["type"], view)
            self.assertEqual(body["name"], "alpha")
        overview = self.get_json("/api/v1/health?target=alpha")
        self.assertIn(overview["status"], ("healthy", "degraded", "unhealthy"))
        self.assertIsInstance(overview["score"], int)
        self.assertEqual(self.get("/api/v1/health?target=alpha&type=bogus")[0], 400)
        self.assertEqual(self.get("/api/v1/health?target=nobody")[0], 404)
        # Several targets and none named: every target's view.
        self.assertEqual(len(self.get_json("/api/v1/health")["targets"]), 3)
        findings = self.get_json("/api/v1/findings?target=alpha")
        self.assertEqual(findings["count"], len(findings["findings"]))
        self.assertEqual(self.get("/api/v1/findings?severity=loud")[0], 400)
        targets = self.get_json("/api/v1/targets")["targets"]
        self.assertEqual([t["name"] for t in targets], ["alpha", "beta", "stuck"])
        self.assertEqual(targets[0]["labels"], {"env": "test"})
        # The database health route: 200 or 503 with the verdict; the stuck target is 503.
        status, _ = self.get("/api/v1/health/database?target=stuck")
        self.assertEqual(status, 503)
        status, body = self.get("/api/v1/health/database?target=alpha")
        self.assertEqual(status, 200 if json.loads(body)["healthy"] else 503)
        # Seed-era aliases.
        self.assertEqual(self.get("/api/database/health?target=alpha")[0], 200)
        self.assertIn(self.get("/api/health/database?target=alpha")[0], (200, 503))
        self.assertEqual(len(self.get_json("/api/health/metrics")["targets"]), 3)
        # Errors are JSON with a code.
        status, body = self.get("/api/v1/nothing-here")
        self.assertEqual(status, 404)
        self.assertEqual(json.loads(body)["error"]["code"], "not_found")

    def test_03_history(self):
        metrics = wait_for(lambda: self.get_json("/api/v1/history?target=alpha")["metrics"], 15,
                           "alpha's first metric points")
        names = {m["metric"] for m in metrics}
        self.assertTrue(names, metrics)
        metric = sorted(names)[0]
        series = wait_for(lambda: self.get_json(
            f"/api/v1/history?target=alpha&metric={metric}&from=now-10min&step=1s")["series"], 10,
            "a series with points")
        self.assertTrue(any(s["points"] for s in series), series)
        self.assertEqual(self.get("/api/v1/history?target=alpha&metric=x&from=yesterday")[0], 400)
        self.assertEqual(self.get("/api/v1/history?target=alpha&metric=x&step=0s")[0], 400)

    def test_04_sse_delivers_samples_at_the_fast_interval_despite_a_half_open_target(self):
        events = self.sse_events("/api/v1/stream?target=alpha&events=sample", 5.5)
        samples = [t for t, e, d in events if e == "sample" and d["target"] == "alpha"]
        # 1 s fast tier; the half-open "stuck" target hangs on every attempt meanwhile.
        self.assertGreaterEqual(len(samples), 4, events)
        gaps = [b - a for a, b in zip(samples, samples[1:])]
        self.assertLess(max(gaps), 2.0, gaps)
        self.assertEqual(self.target("stuck")["status"], "unreachable")

    def test_05_terminated_monitoring_session_reconnects_on_the_next_tick(self):
        killed = self.psql_admin(self.alpha, "select count(pg_terminate_backend(pid)) from "
                                 "pg_stat_activity where application_name = 'pgvigil'")
        self.assertGreaterEqual(int(killed), 1)
        before = self.target("alpha")["tiers"][0]["last_success"]
        wait_for(lambda: self.target("alpha")["tiers"][0]["last_success"] != before
                 and self.target("alpha")["reachability"] == "up", 5, "alpha to sample again")
        new_pids = self.psql_admin(self.alpha, "select count(*) from pg_stat_activity "
                                   "where application_name = 'pgvigil'")
        self.assertGreaterEqual(int(new_pids), 1)

    def test_06_stopped_cluster_goes_unreachable_and_recovers_without_restart(self):
        script = os.path.join(SOURCE, "scripts/pg-sandbox.sh")
        subprocess.run([script, "stop", self.beta_dir], check=True, stdout=subprocess.DEVNULL)
        watcher = {"events": []}

        def watch():
            watcher["events"] = self.sse_events("/api/v1/stream?target=alpha&events=sample", 6)
        t = threading.Thread(target=watch)
        t.start()
        wait_for(lambda: self.target("beta")["status"] == "unreachable", 10, "beta unreachable")
        beta = self.target("beta")
        self.assertTrue(beta["last_error"])
        self.assertNotIn("monitor-secret", json.dumps(beta))
        findings = self.get_json("/api/v1/findings?target=beta")["findings"]
        self.assertEqual([f["id"] for f in findings], ["target.unreachable"])
        t.join()
        alpha_samples = [ts for ts, e, d in watcher["events"] if d.get("target") == "alpha"]
        self.assertGreaterEqual(len(alpha_samples), 4, "alpha kept sampling while beta was down")
        subprocess.run([script, "start", self.beta_dir, "--port", self.beta["PGVIGIL_SANDBOX_PORT"]],
                       check=True, stdout=subprocess.DEVNULL)
        wait_for(lambda: self.target("beta")["reachability"] == "up", 20, "beta to recover")

    def test_07_prometheus_scrapes_metrics(self):
        status, body = self.get("/metrics")
        self.assertEqual(status, 200)
        text = body.decode()
        self.assertIn('pg_up{target="alpha"', text)
        self.assertNotIn("monitor-secret", text)
        self.assertNotIn(OP, text)
        prometheus = shutil.which("prometheus")
        self.assertIsNotNone(prometheus, "prometheus is installed by scripts/install-deps.sh")
        promport = free_port()
        pdir = os.path.join(self.tmp, "prometheus")
        os.makedirs(pdir, exist_ok=True)
        with open(os.path.join(pdir, "prometheus.yml"), "w") as f:
            f.write(f"""
global: {{ scrape_interval: 1s, scrape_timeout: 1s }}
scrape_configs:
  - job_name: pgvigil
    authorization: {{ credentials: "{VIEW}" }}
    static_configs: [{{ targets: ["127.0.0.1:{self.port}"] }}]
""")
        proc = subprocess.Popen([prometheus, f"--config.file={pdir}/prometheus.yml",
                                 f"--storage.tsdb.path={pdir}/data",
                                 f"--web.listen-address=127.0.0.1:{promport}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            def up():
                with urllib.request.urlopen(f"http://127.0.0.1:{promport}/api/v1/targets",
                                            timeout=2) as r:
                    active = json.loads(r.read())["data"]["activeTargets"]
                    return active and active[0]["health"] == "up" and active[0]
            target = wait_for(up, 30, "Prometheus to report the scrape target up")
            self.assertEqual(target["lastError"], "")

            def query():
                url = (f"http://127.0.0.1:{promport}/api/v1/query?query=" +
                       urllib.request.quote('pg_up{target="alpha"}'))
                with urllib.request.urlopen(url, timeout=2) as r:
                    result = json.loads(r.read())["data"]["result"]
                    return result and result[0]["value"][1] == "1"
            wait_for(query, 15, "pg_up for alpha in Prometheus")
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    def test_08_history_survives_a_restart(self):
        metric_list = self.get_json("/api/v1/history?target=alpha")["metrics"]
        metric = sorted(m["metric"] for m in metric_list)[0]
        path = f"/api/v1/history?target=alpha&metric={metric}&from=now-1h&step=1s"
        before = sum(len(s["points"]) for s in self.get_json(path)["series"])
        self.assertGreater(before, 0)
        self.assertEqual(self.daemon.stop(), 0, "SIGTERM ends the daemon cleanly")
        self.daemon.start()
        wait_for(lambda: self.get("/healthz")[0] == 200, 15, "the daemon to listen again")
        after = sum(len(s["points"]) for s in self.get_json(path)["series"])
        self.assertGreaterEqual(after, before)

    def read_log(self):
        with open(self.daemon.log_path, errors="replace") as f:
            return f.read()

    def test_09_reload_on_sighup_keeps_the_old_config_when_the_new_one_is_bad(self):
        # What the reload must keep: alpha collected since the restart of test_08 (a restarted
        # daemon first loads alpha's history, which takes a while on a loaded machine).
        wait_for(lambda: self.target("alpha")["reachability"] == "up", 30,
                 "alpha to be collected after the restart")
        with open(self.config) as f:
            original = f.read()
        refusals = self.read_log().count("reload of")
        try:
            with open(self.config, "w") as f:
                f.write(original + "\nbogus_key: 1\n")
            self.daemon.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: self.read_log().count("reload of") > refusals, 10,
                     "the refusal in the log")
            self.assertEqual(self.get("/healthz")[0], 200)
            self.assertEqual(len(self.get_json("/api/v1/targets")["targets"]), 3)
            gamma = (f'  - {{ name: gamma, dsn: "{self.alpha["PGVIGIL_TEST_DSN"]}", '
                     'region: local }\n')
            with open(self.config, "w") as f:
                f.write(original.rstrip("\n") + "\n" + gamma)
            self.daemon.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: self.target("gamma")["reachability"] == "up", 15,
                     "the added target to be collected")
            # alpha kept its state: a reload does not forget what was learned.
            self.assertEqual(self.target("alpha")["reachability"], "up")
        finally:
            with open(self.config, "w") as f:
                f.write(original)
            self.daemon.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: [t["name"] for t in self.get_json("/api/v1/targets")["targets"]]
                 == ["alpha", "beta", "stuck"], 10, "the removed target to go")

    def test_10_no_secret_in_logs(self):
        with open(self.daemon.log_path, "rb") as f:
            log = f.read().decode(errors="replace")
        for secret in ("monitor-secret", OP, VIEW, "password=nope"):
            self.assertNotIn(secret, log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
