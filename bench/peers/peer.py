#!/usr/bin/python3
"""peer.py - the yardstick for bench/e2e.sh: what a user would write instead
of callslad, in plain Python with the Debian packages python3-confluent-kafka
and python3-redis.

It consumes cc.calls and cc.agents, and computes per tenant and queue, for
the rolling windows 5m, 15m, 30m, 60m and for today (local midnight in the
tenant's zone): offered, answered, abandoned, short_abandoned, flowout,
answered_in_sl and service_level (the spec's default mode: A_T / (A + B),
T = 20 s, short abandons under S = 5 s left out).  Nothing else: no agent,
team or tenant rows, no state time, no intervals, no gauges, no duplicate or
late-event handling, no checkpoints (bench/README.md, "End to end").

The clock is the event clock as callslad's bench configuration has it: now
is the newest event time seen on the tenant's partition (either topic).
Every second it writes each tenant's rows, all of them, to the hash
peer:snap:{tenant} (field queue|{window}|{queue}, the row as JSON) and its
count of events to peer:meta.  On SIGTERM it writes once more and prints
one line: "peer: events=N cpu_s=S".

    peer.py --brokers HOST:PORT --redis-socket PATH [--zone TENANT=ZONE]...
"""
import argparse
import collections
import json
import resource
import signal
import sys
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import redis
from confluent_kafka import Consumer, KafkaError

WINDOWS = (("5m", 300_000), ("15m", 900_000), ("30m", 1_800_000),
           ("60m", 3_600_000))
LONGEST = 3_600_000
T_MS = 20_000   # service-level threshold
S_MS = 5_000    # short abandon
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MS = timedelta(milliseconds=1)


def parse_ts(v):
    """RFC 3339 string or epoch milliseconds -> epoch milliseconds."""
    if isinstance(v, int):
        return v
    return (datetime.fromisoformat(v) - EPOCH) // MS


def fmt_ts(ms):
    dt = EPOCH + timedelta(milliseconds=ms)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def ratio(num, den):
    """Rounded half away from zero to 4 decimals; None for 0/0."""
    if den == 0:
        return None
    return int(num * 10000 / den + 0.5) / 10000


class Day:
    """The local day of a tenant's zone that holds an instant, cached."""

    def __init__(self, zone):
        self.tz = ZoneInfo(zone)
        self.start = self.end = 0
        self.date = None

    def of(self, ms):
        if not (self.start <= ms < self.end):
            d = datetime.fromtimestamp(ms / 1000, self.tz).date()
            start = datetime(d.year, d.month, d.day, tzinfo=self.tz)
            n = d + timedelta(days=1)
            end = datetime(n.year, n.month, n.day, tzinfo=self.tz)
            self.start = (start - EPOCH) // MS
            self.end = (end - EPOCH) // MS
            self.date = d
        return self.date


class Counts:
    __slots__ = ("offered", "answered", "abandoned", "short", "flowout",
                 "in_sl")

    def __init__(self):
        self.offered = self.answered = self.abandoned = 0
        self.short = self.flowout = self.in_sl = 0

    def add(self, kind, wait):
        self.offered += 1
        if kind == "answered":
            self.answered += 1
            if wait <= T_MS:
                self.in_sl += 1
        elif kind == "abandoned":
            if wait < S_MS:
                self.short += 1
            else:
                self.abandoned += 1
        else:
            self.flowout += 1

    def row(self, tenant, as_of, queue, window):
        return {
            "tenant": tenant, "as_of": as_of, "scope": "queue", "id": queue,
            "window": window, "offered": self.offered,
            "answered": self.answered, "abandoned": self.abandoned,
            "short_abandoned": self.short, "flowout": self.flowout,
            "answered_in_sl": self.in_sl,
            "service_level": ratio(self.in_sl,
                                   self.answered + self.abandoned),
        }


class Queue:
    def __init__(self):
        self.recent = collections.deque()  # (ts, kind, wait), last hour
        self.days = {}                     # local date -> Counts


class Peer:
    def __init__(self, zones):
        self.zones = zones
        self.days = {}        # tenant -> Day
        self.queues = {}      # (tenant, queue) -> Queue
        self.offered = {}     # (tenant, call_id) -> offered ts
        self.partition = {}   # tenant -> partition number
        self.now = {}         # partition number -> newest event ts
        self.events = 0

    def day(self, tenant):
        d = self.days.get(tenant)
        if d is None:
            d = self.days[tenant] = Day(self.zones.get(tenant, "UTC"))
        return d

    def outcome(self, tenant, queue, kind, ts, wait):
        q = self.queues.get((tenant, queue))
        if q is None:
            q = self.queues[(tenant, queue)] = Queue()
        q.recent.append((ts, kind, wait))
        date = self.day(tenant).of(ts)
        c = q.days.get(date)
        if c is None:
            c = q.days[date] = Counts()
        c.add(kind, wait)

    def handle(self, partition, value):
        ev = json.loads(value)
        self.events += 1
        tenant = ev.get("tenant", "default")
        self.partition[tenant] = partition
        t = ev.get("type")
        if t == "cdr":
            ts = parse_ts(ev["ended_at"])
        else:
            ts = parse_ts(ev["ts"])
        if ts > self.now.get(partition, 0):
            self.now[partition] = ts
        if t == "call":
            e = ev["event"]
            key = (tenant, ev["call_id"])
            if e == "offered":
                self.offered[key] = ts
            elif e in ("answered", "abandoned", "flowout"):
                offered = self.offered.pop(key, None)
                wait = ev.get("wait_ms")
                if wait is None:
                    if offered is None:
                        return
                    wait = ts - offered
                self.outcome(tenant, ev["queue"], e, ts, wait)
        elif t == "cdr":
            offered = parse_ts(ev["offered_at"])
            kind = ev["outcome"]
            at = parse_ts(ev["answered_at"]) if kind == "answered" else ts
            self.outcome(tenant, ev["queue"], kind, at, at - offered)

    def rows(self):
        """Yields (tenant, field, json) for every tenant and queue."""
        for (tenant, name), q in self.queues.items():
            now = self.now[self.partition[tenant]]
            as_of = fmt_ts(now)
            while q.recent and q.recent[0][0] <= now - LONGEST:
                q.recent.popleft()
            counts = [Counts() for _ in WINDOWS]
            for ts, kind, wait in q.recent:
                for (_, length), c in zip(WINDOWS, counts):
                    if now - length < ts <= now:
                        c.add(kind, wait)
            for (window, _), c in zip(WINDOWS, counts):
                yield tenant, "queue|%s|%s" % (window, name), \
                    json.dumps(c.row(tenant, as_of, name, window))
            today = q.days.get(self.day(tenant).of(now)) or Counts()
            yield tenant, "queue|today|%s" % name, \
                json.dumps(today.row(tenant, as_of, name, "today"))

    def write(self, r):
        pipe = r.pipeline(transaction=False)
        per_tenant = collections.defaultdict(dict)
        for tenant, field, row in self.rows():
            per_tenant[tenant][field] = row
        for tenant, fields in per_tenant.items():
            pipe.hset("peer:snap:" + tenant, mapping=fields)
        pipe.hset("peer:meta", mapping={
            "events": self.events, "updated_ms": int(time.time() * 1000)})
        pipe.execute()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--brokers", required=True)
    ap.add_argument("--redis-socket", required=True)
    ap.add_argument("--group", default="peer")
    ap.add_argument("--zone", action="append", default=[],
                    metavar="TENANT=ZONE")
    a = ap.parse_args()
    zones = dict(z.split("=", 1) for z in a.zone)

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    r = redis.Redis(unix_socket_path=a.redis_socket)
    c = Consumer({"bootstrap.servers": a.brokers, "group.id": a.group,
                  "auto.offset.reset": "earliest"})
    c.subscribe(["cc.calls", "cc.agents"])
    peer = Peer(zones)
    next_write = time.monotonic() + 1
    while not stop:
        for m in c.consume(num_messages=1000, timeout=0.1):
            if m.error():
                if m.error().code() != KafkaError._PARTITION_EOF:
                    print("peer: kafka: %s" % m.error(), file=sys.stderr)
                continue
            peer.handle(m.partition(), m.value())
        if time.monotonic() >= next_write:
            peer.write(r)
            next_write = max(next_write + 1, time.monotonic())
    peer.write(r)
    c.close()
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print("peer: events=%d cpu_s=%.2f" % (peer.events,
                                          ru.ru_utime + ru.ru_stime))


if __name__ == "__main__":
    main()
