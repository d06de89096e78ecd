# SPDX-License-Identifier: Apache-2.0
"""What the end-to-end tests share: the sandbox's env file, free ports, polling with a deadline,
and `pgvigil serve` as a child process. Standard library only."""
import json
import socket
import subprocess
import time
import urllib.error
import urllib.request


def read_env(path):
    """The variables of a scripts/pg-sandbox.sh env file (export KEY='value' lines)."""
    env = {}
    with open(path) as f:
        for line in f:
            if line.startswith("export "):
                key, _, value = line[len("export "):].strip().partition("=")
                env[key] = value.strip("'")
    return env


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, what, interval=0.05):
    """Polls `predicate` until it returns something truthy (returned) or `timeout` passes."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except (OSError, urllib.error.URLError, ValueError, KeyError) as e:
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


class Daemon:
    """`pgvigil serve -c CONFIG` with its output appended to a log file."""

    def __init__(self, binary, config_path, log_path):
        self.binary, self.config_path, self.log_path = binary, config_path, log_path
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary, "serve", "-c", self.config_path],
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def stop(self, sig=None, timeout=30):
        """Sends `sig` (SIGTERM by default) and returns the exit code."""
        import signal
        if self.proc is None:
            return None
        self.proc.send_signal(sig if sig is not None else signal.SIGTERM)
        rc = self.proc.wait(timeout=timeout)
        self.log.close()
        self.proc = None
        return rc


def open_stream(port, path, token, seconds):
    """Subscribes to the daemon's SSE stream at `path`; returns the socket (read_stream reads it).
    Separate from reading so that a test can subscribe before it causes the events."""
    import socket as socket_module
    sock = socket_module.create_connection(("127.0.0.1", port), timeout=seconds + 5)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n"
                 .encode())
    return sock


def read_stream(sock, seconds, events):
    """Appends (arrival time, event, JSON data) to `events` for `seconds`, then closes `sock`."""
    import json
    import socket as socket_module
    sock.settimeout(0.2)
    buf, end = b"", time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            chunk = sock.recv(65536)
        except socket_module.timeout:
            continue
        if not chunk:
            break
        buf += chunk
        while b"\n\n" in buf:
            block, buf = buf.split(b"\n\n", 1)
            lines = block.decode(errors="replace").split("\n")
            event = next((l[6:].strip() for l in lines if l.startswith("event:")), None)
            data = "".join(l[5:].strip() for l in lines if l.startswith("data:"))
            if event:
                events.append((time.monotonic(), event, json.loads(data)))
    sock.close()
    return events


def api_request(base, method, path, token=None, body=None, timeout=10):
    """One HTTP request to the daemon: (status, body bytes), also for 4xx/5xx answers. A dict
    body is sent as JSON; bytes as they are (for malformed-body tests)."""
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    req = urllib.request.Request(base + path, method=method, data=data)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
