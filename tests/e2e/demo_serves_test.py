#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""README's run command, as a newcomer sees it: `scripts/demo.sh serve` starts the demo database
with its workload and the daemon, which serves the planted problems within a minute.

Usage: demo_serves_test.py PGVIGIL_BINARY SOURCE_DIR
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

BINARY, SOURCE = sys.argv[1:3]
del sys.argv[1:3]
TOKEN = "demo-viewer-token"
# The README promises a minute on a quiet machine; CI's 2 shared cores get twice that.
LIMIT_SECONDS = 120


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DemoServes(unittest.TestCase):
    def test_the_demo_serves_its_planted_problems(self):
        tmp = tempfile.mkdtemp(prefix="pgvigil-demo-")
        os.chmod(tmp, 0o755)  # the sandbox runs as the OS user postgres when we are root
        port = free_port()
        env = dict(os.environ, PGVIGIL_BINARY=BINARY, PGVIGIL_DEMO_DIR=tmp,
                   PGVIGIL_DEMO_HTTP_PORT=str(port))
        log = open(os.path.join(tmp, "demo.log"), "wb")
        started = time.monotonic()
        proc = subprocess.Popen([os.path.join(SOURCE, "scripts/demo.sh"), "serve"], env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            findings = None
            while time.monotonic() - started < LIMIT_SECONDS and proc.poll() is None:
                try:
                    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/findings",
                                                 headers={"Authorization": f"Bearer {TOKEN}"})
                    with urllib.request.urlopen(req, timeout=2) as r:
                        ids = {f["id"] for f in json.loads(r.read())["findings"]}
                    if {"index.duplicate", "sequence.exhaustion", "table.vacuum_overdue"} <= ids:
                        findings = ids
                        break
                except (OSError, urllib.error.URLError, ValueError):
                    pass
                time.sleep(1)
            elapsed = time.monotonic() - started
            with open(os.path.join(tmp, "demo.log"), errors="replace") as f:
                output = f.read()
            self.assertIsNotNone(findings, f"no planted problems after {elapsed:.0f} s:\n{output}")
            print(f"demo served its planted problems {elapsed:.1f} s after start", file=sys.stderr)
            self.assertIn(f"http://127.0.0.1:{port}/api/v1/targets", output)  # the URLs are printed
            self.assertIn("index.invalid", findings)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
            log.close()
            subprocess.run([os.path.join(SOURCE, "scripts/demo.sh"), "stop"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
