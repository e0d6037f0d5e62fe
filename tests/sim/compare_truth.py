#!/usr/bin/env python3
"""compare_truth.py CALLSLA CONFIG EVENTS TRUTH - replays EVENTS through
`callsla replay` once per (tenant, local day) of the simulator's TRUTH file,
as of the last millisecond of that day, and requires the engine's `today`
to equal the truth: every count of every queue, and the tenant's occupancy
and utilization computed from the truth's agent-state times with the
engine's rounding (4 decimals, half away from zero).  Prints one line per
mismatch and exits 1 if there is any."""
import json
import subprocess
import sys
from datetime import datetime

COUNTS = ("offered", "answered", "abandoned", "short_abandoned", "flowout",
          "answered_in_sl", "answered_in_rings")
WORK = ("alerting", "talking", "hold", "acw")


def epoch_ms(rfc3339):
    dt = datetime.strptime(rfc3339, "%Y-%m-%dT%H:%M:%S.%fZ")
    return (dt - datetime(1970, 1, 1)).days * 86400000 + \
        (dt - datetime(1970, 1, 1)).seconds * 1000 + dt.microsecond // 1000


def ratio4(num, den):
    """num/den rounded to 4 decimals, half away from zero (num, den >= 0),
    in exact integer arithmetic; None when den is 0."""
    if den == 0:
        return None
    return ((2 * num * 10000 + den) // (2 * den)) / 10000


def main():
    callsla, config, events, truth_path = sys.argv[1:5]
    queues, days = {}, []
    with open(truth_path) as f:
        for line in f:
            t = json.loads(line)
            if "queue" in t:
                queues.setdefault((t["tenant"], t["day"]), []).append(t)
            else:
                days.append(t)
    bad = 0
    for d in days:
        tenant, day = d["tenant"], d["day"]
        at = epoch_ms(d["end"]) - 1
        r = subprocess.run([callsla, "replay", "--config", config, "--window",
                            "today", "--at", str(at), events],
                           capture_output=True, text=True, check=True)
        if " 0 rejected" not in r.stderr:
            print(f"{tenant} {day}: events rejected: {r.stderr.strip()}")
            bad += 1
        rows = {}
        for line in r.stdout.splitlines():
            s = json.loads(line)
            if s["tenant"] == tenant:
                rows[(s["scope"], s["id"])] = s
        for q in queues[(tenant, day)]:
            row = rows.get(("queue", q["queue"]))
            for k in COUNTS:
                got = row[k] if row else 0
                if got != q[k]:
                    print(f"{tenant} {day} {q['queue']} {k}: engine {got}, "
                          f"truth {q[k]}")
                    bad += 1
        named = {q["queue"] for q in queues[(tenant, day)]}
        for (scope, qid), row in rows.items():
            if scope == "queue" and qid not in named and row["offered"]:
                print(f"{tenant} {day}: queue {qid} not in the truth")
                bad += 1
        ms = d["agent_state_ms"]
        work = sum(ms[s] for s in WORK)
        logged_in = sum(v for s, v in ms.items() if s != "logged_out")
        want = {"occupancy": ratio4(work, work + ms["available"]),
                "utilization": ratio4(work, logged_in)}
        row = rows.get(("tenant", tenant), {})
        for k, v in want.items():
            if row.get(k) != v:
                print(f"{tenant} {day} {k}: engine {row.get(k)}, truth {v}")
                bad += 1
    if not days:
        print("empty truth")
        bad += 1
    sys.exit(1 if bad else 0)


main()
