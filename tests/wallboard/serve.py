#!/usr/bin/env python3
"""serve.py PAGE FIXTURE PORTFILE [--token T] [--log FILE] [--fail-api]

A stand-in for callslad's HTTP server, for the wallboard's browser test:
serves PAGE at / and the API (docs/http.md) from the canned answers in
FIXTURE (JSON), filtered by the query as the daemon filters them.  Listens
on 127.0.0.1, port chosen by the kernel and written to PORTFILE.  With
--token, API calls without "Authorization: Bearer T" get 401.  Every
request's path is appended to --log (to see what the page asked for).
--fail-api answers every API call with 500 (the stale indicator)."""
import argparse
import http.server
import json
import os
import urllib.parse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("page")
    ap.add_argument("fixture")
    ap.add_argument("portfile")
    ap.add_argument("--token")
    ap.add_argument("--log")
    ap.add_argument("--fail-api", action="store_true")
    a = ap.parse_args()
    page = open(a.page, "rb").read()
    fx = json.load(open(a.fixture))

    def api(path, q):
        one = {k: v[0] for k, v in q.items()}
        t = one.get("tenant")
        if path == "/api/v1/tenants":
            return {"tenants": fx["tenants"]}
        if path == "/api/v1/snapshot":
            rows = [r for r in fx["rows"] if r["tenant"] == t
                    and all(r[k] == one[k] for k in ("scope", "id", "window") if k in one)]
            return {"rows": rows}
        if path == "/api/v1/alerts":
            return {"alerts": [x for x in fx["alerts"] if x["tenant"] == t]}
        if path == "/api/v1/rules":
            return {"rules": fx["rules"]}
        if path == "/api/v1/series":
            key = "%s/%s/%s/%s" % (t, one.get("scope"), one.get("id"), one.get("metric"))
            s = fx["series"].get(key)
            if s is not None and one.get("window") == "5m" and one.get("hours") == "1":
                return s
        return None

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, code, ctype, body):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            u = urllib.parse.urlsplit(self.path)
            if a.log:
                with open(a.log, "a") as f:
                    f.write(self.path + "\n")
            if u.path == "/":
                return self.reply(200, "text/html; charset=utf-8", page)
            if not u.path.startswith("/api/"):
                return self.reply(404, "text/plain", b"not found\n")
            if a.token and self.headers.get("Authorization") != "Bearer " + a.token:
                return self.reply(401, "application/json", b'{"error":"unauthorized"}')
            if a.fail_api:
                return self.reply(500, "application/json", b'{"error":"down"}')
            body = api(u.path, urllib.parse.parse_qs(u.query))
            if body is None:
                return self.reply(404, "application/json", b'{"error":"not found"}')
            return self.reply(200, "application/json", json.dumps(body).encode())

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    with open(a.portfile + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(a.portfile + ".tmp", a.portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
