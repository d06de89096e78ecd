#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A webhook receiver for the notifier tests: records every POST as one JSON line.

Usage: http_sink.py --port PORT --log FILE [--hmac-secret S] [--status CODE]
Each line: {"path", "headers", "body", "signature_ok"}; signature_ok checks
X-Pgvigil-Signature against Python's own hmac over the raw body (None without a secret).
Writes "ready" to stdout once listening.
"""
import argparse
import hashlib
import hmac
import http.server
import json
import sys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--hmac-secret", default="")
    parser.add_argument("--status", type=int, default=200)
    args = parser.parse_args()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            signature_ok = None
            if args.hmac_secret:
                expected = "sha256=" + hmac.new(args.hmac_secret.encode(), body,
                                                hashlib.sha256).hexdigest()
                signature_ok = hmac.compare_digest(
                    expected, self.headers.get("X-Pgvigil-Signature", ""))
            with open(args.log, "a", encoding="utf-8") as out:
                out.write(json.dumps({"path": self.path, "headers": dict(self.headers),
                                      "body": body.decode("utf-8"),
                                      "signature_ok": signature_ok}) + "\n")
            self.send_response(args.status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *unused):
            pass

    server = http.server.HTTPServer(("127.0.0.1", args.port), Handler)
    print("ready", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
