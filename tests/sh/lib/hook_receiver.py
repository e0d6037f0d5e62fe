#!/usr/bin/env python3
"""hook_receiver.py - a webhook receiver for the tests (python3 stdlib only).

  --port-file F   bind 127.0.0.1 on a port the kernel picks; write it to F
  --log F         one JSON line per ACCEPTED request: path, headers, body
  --fail 500,429  answer the first requests with these statuses (429 and 503
                  with Retry-After: 1), then accept
  --secret S      verify the Standard Webhooks signature of every request
                  (S is "whsec_" + base64, or the raw key); a request with a
                  bad or missing signature, or a timestamp more than five
                  minutes off, gets 401 and uses up no --fail status

The verification is written from the specification, independently of
callsla: HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>"),
base64, compared in constant time with each "v1,..." of webhook-signature.
Rejections and failures are reported on stderr.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

TOLERANCE_S = 300


def key_of(secret):
    if secret.startswith("whsec_"):
        return base64.b64decode(secret[len("whsec_"):], validate=True)
    return secret.encode()


def verify(key, headers, body):
    """None when the signature holds, else why not."""
    msg_id = headers.get("webhook-id")
    ts = headers.get("webhook-timestamp")
    sigs = headers.get("webhook-signature")
    if not msg_id or not ts or not sigs:
        return "missing webhook-id, webhook-timestamp or webhook-signature"
    try:
        ts_s = int(ts)
    except ValueError:
        return "bad timestamp %r" % ts
    if abs(time.time() - ts_s) > TOLERANCE_S:
        return "timestamp %d too far from now" % ts_s
    signed = msg_id.encode() + b"." + ts.encode() + b"." + body
    want = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    for sig in sigs.split(" "):
        version, _, value = sig.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), want):
            return None
    return "no v1 signature matches"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--fail", default="")
    ap.add_argument("--secret")
    args = ap.parse_args()
    fails = [int(s) for s in args.fail.split(",") if s]
    key = key_of(args.secret) if args.secret else None
    log = open(args.log, "a", encoding="utf-8")

    class Handler(BaseHTTPRequestHandler):
        def answer(self, status, extra=()):
            self.send_response(status)
            for name, value in extra:
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n)
            headers = {k.lower(): v for k, v in self.headers.items()}
            if key is not None:
                why = verify(key, headers, body)
                if why:
                    print("hook_receiver: 401 %s: %s" % (self.path, why),
                          file=sys.stderr, flush=True)
                    self.answer(401)
                    return
            if fails:
                status = fails.pop(0)
                print("hook_receiver: failing %s with %d" % (self.path, status),
                      file=sys.stderr, flush=True)
                extra = [("Retry-After", "1")] if status in (429, 503) else []
                self.answer(status, extra)
                return
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = body.decode("utf-8", "replace")
            log.write(json.dumps({"path": self.path, "headers": headers,
                                  "body": parsed}) + "\n")
            log.flush()
            self.answer(200)

        def log_message(self, fmt, *a):
            pass

    srv = HTTPServer(("127.0.0.1", 0), Handler)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
