#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""An SMTP receiver for the e-mail notifier test (Debian's python3-aiosmtpd).

Usage: smtp_sink.py --port PORT --dir DIR [--username U --password P]
Each message is written to DIR/<n>.eml (raw, as received) with DIR/<n>.json holding the
envelope and whether AUTH succeeded. With a username, AUTH is required (over plain TCP:
this is a loopback test). Writes "ready" to stdout once listening.
"""
import argparse
import json
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--username", default="")
    parser.add_argument("--password", default="")
    args = parser.parse_args()
    count = [0]

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == args.username
              and auth_data.password.decode() == args.password)
        return AuthResult(success=ok)

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            count[0] += 1
            base = os.path.join(args.dir, str(count[0]))
            with open(base + ".eml", "wb") as out:
                out.write(envelope.original_content or envelope.content)
            with open(base + ".json", "w", encoding="utf-8") as out:
                json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                           "authenticated": bool(session.authenticated)}, out)
            return "250 OK"

    kwargs = {}
    if args.username:
        kwargs = {"authenticator": authenticator, "auth_required": True,
                  "auth_require_tls": False}
    controller = Controller(Handler(), hostname="127.0.0.1", port=args.port, **kwargs)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *unused: stop.set())
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
