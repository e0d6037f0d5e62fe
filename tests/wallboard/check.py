#!/usr/bin/env python3
"""check.py DOM BASE [--token T] [--tenant T] [--window W] [--expect FILE]
                    [--rule SCOPE,METRIC,OP,THRESHOLD,LEVEL] [--stale true|false]

Compares the wallboard as Chromium rendered it (DOM: the output of
--dump-dom) with the API at BASE (fetched here, with the bearer token):
- one tile per queue row of the window, in the API's order, and the tenant's;
- every number of every row (service level, three-ring rate, abandon rate,
  waiting, longest wait, agents by state, staffed) carries the API's raw
  value in data-value, and its text is that value formatted: a percentage
  with one decimal, m:ss or h:mm:ss, an integer, "–" for null;
- no number the API does not have;
- "as of" is the tenant row's as_of;
- the banner holds exactly the firing alerts, with their values;
- each sparkline's points are the series API's values;
- colours (good/warn/crit/null classes) as --expect lists them (worked out
  by hand), or as the one --rule gives them;
- the stale indicator, with --stale.
Exits 1 with the differences; prints one "ok:" line per check otherwise."""
import argparse
import html.parser
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

GAUGES = ["service_level", "three_ring_rate", "abandon_rate", "waiting_now",
          "longest_wait_s", "staffed"]
STATES = ["available", "alerting", "talking", "hold", "acw", "not_ready"]
RATIOS = {"service_level", "three_ring_rate", "abandon_rate"}
LEVELS = ("good", "warn", "crit", "null")

errors = []


def err(msg):
    errors.append(msg)


def ok(msg, since):
    """Prints msg when no error was found since errors had `since` entries."""
    if len(errors) == since:
        print("ok: " + msg)


class Dom(html.parser.HTMLParser):
    """Elements with data-metric (their attributes and text), tiles, alert
    rows and the status element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nums, self.tiles, self.alerts, self.sparks = [], [], [], []
        self.status = None
        self.open = []      # [tag, record or None]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        rec = None
        if "data-metric" in a and tag != "svg":
            rec = {"attrs": a, "text": ""}
            self.nums.append(rec)
        if tag == "svg" and "spark" in a.get("class", ""):
            self.sparks.append(a)
        if tag == "article" and "tile" in a.get("class", "").split():
            self.tiles.append(a)
        if tag == "div" and "alert" in a.get("class", "").split():
            self.alerts.append(a)
        if a.get("id") == "status":
            rec = self.status = {"attrs": a, "text": ""}
        if tag not in ("meta", "br", "img", "input", "link", "rect", "line", "path"):
            self.open.append([tag, rec])

    def handle_endtag(self, tag):
        while self.open:
            t, _ = self.open.pop()
            if t == tag:
                break

    def handle_data(self, data):
        for _, rec in self.open:
            if rec is not None:
                rec["text"] += data


def classes(a):
    return a.get("class", "").split()


def level_of(a):
    got = [c for c in classes(a) if c in LEVELS]
    return got[0] if got else ""


def same_value(got, want):
    if want is None:
        return got == "null"
    try:
        return float(got) == float(want)
    except (TypeError, ValueError):
        return False


def text_ok(metric, text, v):
    """The displayed text, read back independently of the page's code."""
    text = text.strip()
    if v is None:
        return text == "\u2013"
    if metric in RATIOS:
        m = re.fullmatch(r"(\d+\.\d)%", text)
        return bool(m) and abs(float(m.group(1)) / 100 - v) <= 0.0005 + 1e-12
    if metric.endswith("_s"):
        parts = text.split(":")
        if not all(p.isdigit() for p in parts) or len(parts) not in (2, 3):
            return False
        if any(len(p) != 2 for p in parts[1:]):
            return False
        secs = 0
        for p in parts:
            secs = secs * 60 + int(p)
        return secs == int(v // 1)
    return text == str(int(v)) and int(v) == v


def breached(op, v, th):
    return {"<": v < th, "<=": v <= th, ">": v > th, ">=": v >= th}[op]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dom")
    ap.add_argument("base")
    ap.add_argument("--token")
    ap.add_argument("--tenant")
    ap.add_argument("--window", default="15m")
    ap.add_argument("--expect")
    ap.add_argument("--rule")
    ap.add_argument("--stale", choices=("true", "false"))
    a = ap.parse_args()

    def get(path, **q):
        url = a.base.rstrip("/") + path + ("?" + urllib.parse.urlencode(q) if q else "")
        req = urllib.request.Request(url)
        if a.token:
            req.add_header("Authorization", "Bearer " + a.token)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            raise

    d = Dom()
    d.feed(open(a.dom, encoding="utf-8").read())

    if a.stale is not None:
        st = d.status["attrs"].get("data-stale") if d.status else None
        if st != a.stale:
            err("status: data-stale=%s, want %s (%r)" % (st, a.stale,
                d.status["text"] if d.status else None))
        else:
            print("ok: stale indicator %s (%s)" % (st, d.status["text"].strip()))
        if a.stale == "true":
            return finish()

    tenant = a.tenant or get("/api/v1/tenants")["tenants"][0]
    total = [r for r in get("/api/v1/snapshot", tenant=tenant, scope="tenant",
                            window=a.window)["rows"] if r["window"] == a.window]
    queues = [r for r in get("/api/v1/snapshot", tenant=tenant, scope="queue",
                             window=a.window)["rows"] if r["window"] == a.window]
    alerts = get("/api/v1/alerts", tenant=tenant)["alerts"]
    if not queues:
        err("the API has no queue rows for %s %s: nothing to compare" % (tenant, a.window))
        return finish()

    # Tiles: the tenant's, then one per queue in the API's order.
    want_tiles = [("tenant", r["id"]) for r in total] + [("queue", r["id"]) for r in queues]
    got_tiles = [(t.get("data-scope"), t.get("data-id")) for t in d.tiles]
    if got_tiles != want_tiles:
        err("tiles %r, want %r" % (got_tiles, want_tiles))
    else:
        print("ok: %d tiles (tenant + %d queues) in the API's order" % (len(got_tiles), len(queues)))

    # Numbers.
    e0 = len(errors)
    by_key = {}
    for n in d.nums:
        at = n["attrs"]
        if "data-scope" not in at:
            continue
        k = (at["data-scope"], at.get("data-id"), at["data-metric"])
        if k in by_key:
            err("number %r shown twice" % (k,))
        by_key[k] = n
    want = {}
    for r in total + queues:
        for m in GAUGES:
            want[(r["scope"], r["id"], m)] = r.get(m)
        for s in STATES:
            want[(r["scope"], r["id"], "agents." + s)] = r["agents"][s]
    for k, v in want.items():
        n = by_key.get(k)
        if n is None:
            err("number %r missing" % (k,))
            continue
        got = n["attrs"].get("data-value")
        if not same_value(got, v):
            err("%r: data-value %r, API %r" % (k, got, v))
        if not text_ok(k[2], n["text"], v):
            err("%r: text %r does not show %r" % (k, n["text"], v))
    extra = sorted(set(by_key) - set(want))
    if extra:
        err("%d numbers the API does not have: %r..." % (len(extra), extra[:5]))
    ok("%d numbers equal the API's, and show them" % len(want), e0)

    # as of.
    asof = [n for n in d.nums if n["attrs"].get("data-metric") == "as_of"]
    want_asof = (total or queues)[0]["as_of"]
    if len(asof) != 1 or asof[0]["attrs"].get("data-value") != want_asof:
        err("as_of %r, want %r" % ([x["attrs"].get("data-value") for x in asof], want_asof))
    else:
        print("ok: as of %s" % want_asof)

    # The banner: firing alerts only, with their value and threshold.
    e0 = len(errors)
    fire = {x["dedup_key"]: x for x in alerts if x["kind"] == "firing"}
    got_alerts = [x.get("data-alert") for x in d.alerts]
    if sorted(got_alerts) != sorted(fire) or len(set(got_alerts)) != len(got_alerts):
        err("alert banner %r, want firing %r" % (got_alerts, sorted(fire)))
    for n in d.nums:
        at = n["attrs"]
        key = at.get("data-alert")
        if key is None:
            continue
        x = fire.get(key)
        field = {"alert.value": "value", "alert.threshold": "threshold"}[at["data-metric"]]
        if x is None or not same_value(at.get("data-value"), x[field]):
            err("alert %r %s: %r, want %r" % (key, field, at.get("data-value"),
                                              x and x[field]))
        elif not text_ok(x["metric"], n["text"], x[field]):
            err("alert %r %s: text %r does not show %r" % (key, field, n["text"], x[field]))
    ok("%d firing alerts in the banner" % len(fire), e0)

    # Sparklines: the series API's values.
    e0 = len(errors)
    nspark = 0
    tiles_by = {(t.get("data-scope"), t.get("data-id")): i for i, t in enumerate(d.tiles)}
    for (scope, id_), i in tiles_by.items():
        s = get("/api/v1/series", tenant=tenant, scope=scope, id=id_,
                metric="service_level", window="5m", hours=1)
        sp = d.sparks[i] if i < len(d.sparks) else {}
        got = sp.get("data-points")
        if s is None:
            if got is not None:
                err("sparkline of %s %s drawn without a series" % (scope, id_))
            continue
        want_pts = [p[1] for p in s["points"]]
        if got is None or json.loads(got) != want_pts:
            err("sparkline of %s %s: %s, want %s" % (scope, id_, got, want_pts))
        nspark += 1
    ok("%d sparklines equal the series API" % nspark, e0)

    # Colours.
    e0 = len(errors)
    exp_numbers, exp_tiles = None, None
    if a.expect:
        e = json.load(open(a.expect))[tenant]
        exp_numbers = {tuple(k.rsplit("/", 1)[0].split("/", 1)) + (k.rsplit("/", 1)[1],): v
                       for k, v in e["numbers"].items()}
        exp_tiles = {tuple(k.split("/", 1)): v for k, v in e["tiles"].items()}
    if a.rule:
        scope, metric, op, th, lvl = a.rule.split(",")
        exp_numbers = {}
        for k, v in want.items():
            if k[0] == scope and k[2] == metric and v is not None:
                exp_numbers[k] = lvl if breached(op, v, float(th)) else "good"
    if exp_numbers is not None:
        for k, v in want.items():
            lv = "null" if v is None else exp_numbers.get(k, "")
            got = level_of(by_key[k]["attrs"]) if k in by_key else None
            if got != lv:
                err("colour of %r (%r): %r, want %r" % (k, v, got, lv))
        if exp_tiles is not None:
            for t in d.tiles:
                k = (t.get("data-scope"), t.get("data-id"))
                got = [c for c in classes(t) if c in ("warn", "crit")]
                if got != ([exp_tiles[k]] if exp_tiles.get(k) else []):
                    err("tile %r: %r, want %r" % (k, got, exp_tiles.get(k)))
        ok("colours of %d numbers" % len(want), e0)
    return finish()


def finish():
    for e in errors[:40]:
        print("FAIL: " + e, file=sys.stderr)
    if len(errors) > 40:
        print("FAIL: ... and %d more" % (len(errors) - 40), file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
