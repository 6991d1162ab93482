#!/usr/bin/env python3
"""A mesh endpoint (PROTOCOL.md section 8, MESH-1..9) written apart from syncsim's Go code, on
Python's standard library only. Bug: none; it must pass every rule.

It takes MSG-2 (`POST /`, `operation=update-triggers`, form-encoded), answers at once, and fetches
the site's payload (MSG-3, `GET {site_url}/admin/host/triggers`) with a TOK-4 token once no
notification has come for 250 ms, or 1 s after the first pending one. A notification that comes
during a fetch gets a fetch of its own after it (latest wins). A failed fetch (any answer but 200,
or none) is retried with backoff (1 s, growing 2x, capped at 8 s) until the retry budget (10 min)
has passed since the first failure; then it gives up, as MESH-4 allows.

The broken meshes beside it subclass Mesh and change one thing each; their docstrings name the bug
and the rule it must fail.

Usage: mesh.py --port P --site-url URL --site NAME [--key K] [--retry-budget S] [--backoff-min S]
       [--backoff-max S] [--backoff-factor F]; the key defaults to WEBSITE_AUTH_ENCRYPTION_KEY.
"""
import argparse
import base64
import binascii
import hashlib
import hmac
import http.server
import json
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

LEGION = "https://legion.core.azurewebsites.net"
FORM = "application/x-www-form-urlencoded"
PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def parse_key(text):
    """TOK-1: 64 characters are hex, anything else base64."""
    if len(text) == 64:
        return binascii.unhexlify(text)
    return base64.b64decode(text)


class Rejected(Exception):
    def __init__(self, status, why):
        super().__init__(why)
        self.status, self.why = status, why


class Mesh:
    debounce = 0.25
    max_wait = 1.0

    def __init__(self, args):
        self.args = args
        self.key = parse_key(args.key)
        self.site_url = args.site_url.rstrip("/")
        self.cond = threading.Condition()
        self.pending = False
        self.first_pending = 0.0
        self.last_notify = 0.0
        self.fetching = False
        self.stopped = False

    # --- MSG-2 -------------------------------------------------------------------------------
    def validate(self, headers, body):
        """MESH-7: 400 for an empty body, another content type, bad percent-encoding or UTF-8, a
        missing or empty operation; 400 for an unknown one. MESH-9: other fields are ignored."""
        if not body:
            raise Rejected(400, "empty body")
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != FORM:
            raise Rejected(400, "body is not " + FORM)
        if PERCENT.search(body):
            raise Rejected(400, "invalid percent-encoding")
        try:
            body.decode("utf-8")
            fields = {}
            for pair in body.split(b"&"):
                name, _, value = pair.partition(b"=")
                name = urllib.parse.unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8")
                value = urllib.parse.unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
                fields.setdefault(name, value)
        except UnicodeDecodeError:
            raise Rejected(400, "invalid UTF-8")
        op = fields.get("operation", "")
        if op == "":
            raise Rejected(400, "missing or empty operation")
        if op != "update-triggers":
            raise Rejected(400, "unknown operation")
        return fields

    def notified(self, headers, fields):
        """An accepted notification: arm the debounce (MESH-6); a fetch in flight is followed by
        another (MESH-5)."""
        with self.cond:
            now = time.monotonic()
            if not self.pending:
                self.pending, self.first_pending = True, now
            self.last_notify = now
            self.cond.notify_all()

    def answer_notification(self, handler, headers, body):
        """Returns (status, text) for one MSG-2."""
        try:
            fields = self.validate(headers, body)
        except Rejected as r:
            return r.status, r.why
        self.notified(headers, fields)
        return 200, "accepted"

    # --- MSG-3 -------------------------------------------------------------------------------
    def claims(self, now):
        """TOK-4: the platform's issuer, the site's audience, a 5-minute lifetime."""
        return {"iss": LEGION, "aud": "https://%s.azurewebsites.net" % self.args.site,
                "iat": now, "nbf": now, "exp": now + 300}

    def token(self):
        header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        payload = b64url(json.dumps(self.claims(int(time.time())), separators=(",", ":")).encode())
        signing = (header + "." + payload).encode()
        return header + "." + payload + "." + b64url(hmac.new(self.key, signing, hashlib.sha256).digest())

    fetch_method = "GET"

    def fetch(self):
        """One MSG-3 attempt; returns the status (0 without an answer)."""
        req = urllib.request.Request(self.site_url + "/admin/host/triggers", method=self.fetch_method,
                                     headers={"x-ms-site-token": self.token()})
        with self.cond:
            self.fetching = True
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                resp.read()
                return resp.status
        except urllib.error.HTTPError as e:
            return e.code
        except Exception:
            return 0
        finally:
            with self.cond:
                self.fetching = False
                self.cond.notify_all()

    def backoff(self, attempt):
        """MESH-4: the wait after failed attempt n."""
        a = self.args
        return min(a.backoff_min * a.backoff_factor ** (attempt - 1), a.backoff_max)

    def give_up(self, status, attempt, failing_for):
        """MESH-4 MAY give up once the retry budget has passed since the first failure."""
        return failing_for >= self.args.retry_budget

    def due(self):
        return min(self.last_notify + self.debounce, self.first_pending + self.max_wait)

    def run(self):
        """The fetch loop: one round per batch of pending notifications."""
        while True:
            with self.cond:
                while not self.stopped and not (self.pending and time.monotonic() >= self.due()):
                    self.cond.wait(max(0.01, self.due() - time.monotonic()) if self.pending else None)
                if self.stopped:
                    return
                self.pending = False
            self.round()

    def round(self):
        attempt, first_failure = 0, None
        while True:
            attempt += 1
            status = self.fetch()
            if status == 200:
                return
            now = time.monotonic()
            if first_failure is None:
                first_failure = now
            if self.give_up(status, attempt, now - first_failure):
                return
            time.sleep(self.backoff(attempt))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mesh = None

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        if self.path.split("?")[0] != "/":
            self.reply(404, "not found")
            return
        status, text = self.mesh.answer_notification(self, self.headers, body)
        if status:
            self.reply(status, text)

    def do_GET(self):
        self.reply(405, "method not allowed")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # MESH-8: 100 notifications at once

    def handle_error(self, request, client_address):
        pass


def parse_args(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--site-url", required=True)
    p.add_argument("--site", required=True)
    p.add_argument("--key", default=os.environ.get("WEBSITE_AUTH_ENCRYPTION_KEY", ""))
    p.add_argument("--retry-budget", type=float, default=600.0)
    p.add_argument("--backoff-min", type=float, default=1.0)
    p.add_argument("--backoff-max", type=float, default=8.0)
    p.add_argument("--backoff-factor", type=float, default=2.0)
    return p.parse_args(argv)


def main(mesh_class=Mesh):
    mesh = mesh_class(parse_args())
    Handler.mesh = mesh
    threading.Thread(target=mesh.run, daemon=True).start()
    Server(("127.0.0.1", mesh.args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
