#!/bin/sh
# callslad's sd_notify protocol, against a NOTIFY_SOCKET this test listens
# on (docs/systemd.md): READY=1 only once partitions are assigned and
# Redis is connected; STATUS lines; WATCHDOG=1 every WATCHDOG_USEC/2;
# RELOADING=1 with MONOTONIC_USEC then READY=1 on SIGHUP, also when the
# new file is broken (STATUS names the FILE:LINE error); STOPPING=1 on
# SIGTERM.  And the "<N>" syslog prefixes on stderr when JOURNAL_STREAM
# names stderr, the plain form when it names something else.
set -u
. "$TESTS/sh/lib/daemon.sh"
CONF=$T/callsla.conf
cp "$TESTS/conf/daemon-event.conf" "$CONF"
SIM="--seed 5 --days 1 --start 2026-04-06 --tenants 1 --queues 3 --agents 12 --calls-per-hour 60"
WD_USEC=2000000

mono() { python3 -c 'import time; print(time.monotonic())'; }

# The log prefixes first (no broker needed): a configuration that is
# missing is an error, syslog priority 3 (RFC 5424).
: >"$T/j.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/j.log") "$CALLSLAD" --config "$T/none.conf" \
	2>>"$T/j.log" && fail "callslad ran without its configuration"
head -n 1 "$T/j.log" | grep -q "^<3>.*none\.conf" ||
	fail "no <3> prefix with JOURNAL_STREAM naming stderr: $(head -n 1 "$T/j.log")"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/j.log") "$CALLSLAD" --config "$T/none.conf" \
	2>"$T/plain.log" && fail "callslad ran without its configuration"
grep -q '^[0-9-]*T[0-9:.]*Z callslad error: .*none\.conf' "$T/plain.log" ||
	fail "JOURNAL_STREAM naming another file still prefixed: $(cat "$T/plain.log")"
echo "ok: <N> prefixes only when JOURNAL_STREAM is stderr"

# The listener: one JSON line per datagram with its arrival time on
# CLOCK_MONOTONIC; when READY=1 arrives it also notes what the daemon had
# logged by then (stderr is unbuffered, so those lines precede the send).
cat >"$T/listen.py" <<'EOF'
import json, socket, sys, time
path, out, log = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
with open(out, "a") as f:
    while True:
        msg = s.recv(65536).decode()
        rec = {"t": time.monotonic(), "msg": msg}
        if "READY=1" in msg.split("\n"):
            with open(log) as l:
                rec["log"] = l.read()
        f.write(json.dumps(rec) + "\n")
        f.flush()
EOF
python3 "$T/listen.py" "$T/notify.sock" "$T/notify.jsonl" "$T/d.log" &
PIDS="$PIDS $!"
wait_for "[ -S '$T/notify.sock' ]" 10 || fail "listener did not start"

start_redis
start_broker 2
: >"$T/d.log"
NOTIFY_SOCKET=$T/notify.sock
WATCHDOG_USEC=$WD_USEC
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/d.log")
export NOTIFY_SOCKET WATCHDOG_USEC JOURNAL_STREAM
start_daemon d
unset NOTIFY_SOCKET WATCHDOG_USEC JOURNAL_STREAM
wait_for "grep -q 'READY=1' '$T/notify.jsonl'" 30 || fail "no READY=1"

"$CALLSLA" sim $SIM >"$T/events.jsonl"
n=$(wc -l <"$T/events.jsonl")
"$CALLSLA" produce --brokers "$BROKERS" "$T/events.jsonl" 2>"$T/produce.log" ||
	fail "produce failed"
wait_accounted "$n" 60
# A status period (5 s) with the events in it, then an idle one.
wait_for "grep -q 'running: 2 partitions, [1-9][0-9]* events/s' '$T/notify.jsonl'" 15 ||
	fail "no STATUS with events/s after producing $n events"
wait_for "grep 'running: 2 partitions, [1-9]' '$T/notify.jsonl' -A 100 |
	grep -q 'running: 2 partitions, 0 events/s, Redis up\"'" 15 ||
	fail "no idle STATUS after the events"

# A good reload, a broken file, then the good one again.
t_hup1=$(mono)
kill -HUP "$DAEMON_PID"
wait_for "grep -q 'configuration reloaded' '$T/notify.jsonl'" 10 ||
	fail "no STATUS after a good reload"
printf 'engine = { clock = "event"; windows = [ "5m", "7x" ]; };\n' >"$CONF"
t_hup2=$(mono)
kill -HUP "$DAEMON_PID"
wait_for "grep -q 'reload failed' '$T/notify.jsonl'" 10 ||
	fail "no STATUS after a broken reload"
# The periodic STATUS keeps saying so.
wait_for "[ \$(grep -c 'STATUS=running.*reload failed' '$T/notify.jsonl') -ge 2 ]" 10 ||
	fail "the periodic STATUS forgot the failed reload"
cp "$TESTS/conf/daemon-event.conf" "$CONF"
t_hup3=$(mono)
kill -HUP "$DAEMON_PID"
wait_for "[ \$(grep -c 'configuration reloaded' '$T/notify.jsonl') -ge 2 ]" 10 ||
	fail "no STATUS after the second good reload"

t_term=$(mono)
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
rc=$?
[ "$rc" -eq 0 ] || fail "callslad exited $rc after SIGTERM"
wait_for "grep -q 'STOPPING=1' '$T/notify.jsonl'" 5 || fail "no STOPPING=1"

python3 - "$T/notify.jsonl" "$CONF" "$WD_USEC" "$t_hup1" "$t_hup2" "$t_hup3" \
	"$t_term" <<'EOF' || fail "notify protocol"
import json, re, sys
path, conf, wd_usec = sys.argv[1], sys.argv[2], int(sys.argv[3])
hups = [float(x) for x in sys.argv[4:7]]
t_term = float(sys.argv[7])
recs = [json.loads(l) for l in open(path)]
def fields(r):
    return dict(kv.split("=", 1) for kv in r["msg"].split("\n") if kv)
msgs = [(r["t"], fields(r), r) for r in recs]
bad = []
def check(cond, what):
    if not cond:
        bad.append(what)

status_re = re.compile(r"^(starting, joining the consumer group|starting, waiting "
                       r"for Redis|running|stopping): \d+ partitions?, \d+ events/s, "
                       r"Redis (up|down)(, degraded)?(; .*)?$")
for t, f, r in msgs:
    if "STATUS" in f:
        check(status_re.match(f["STATUS"]) or
              (f.get("RELOADING") == "1" and f["STATUS"] == "reloading the configuration"),
              "malformed STATUS " + f["STATUS"])

# READY=1 first: after a STATUS saying starting, and only once both
# partitions of each topic were assigned and Redis was connected.
ready = [i for i, (t, f, r) in enumerate(msgs) if f.get("READY") == "1"]
check(len(ready) == 4, "READY=1 %d times, want 4 (start, 3 reloads)" % len(ready))
first = msgs[ready[0]]
check(any(f.get("STATUS", "").startswith("starting") for t, f, r in msgs[:ready[0]]),
      "no starting STATUS before READY")
log = first[2]["log"]
for want in ["<6>Redis connected", "<6>assigned cc.calls/0 ", "<6>assigned cc.calls/1 ",
             "<6>assigned cc.agents/0 ", "<6>assigned cc.agents/1 "]:
    check(want in log, "READY=1 before the daemon logged " + want)
check(first[1].get("STATUS", "").startswith("running: 2 partitions, "),
      "READY=1 without its running STATUS")
check("<5>consuming cc.calls" in log, "no <5> (notice) prefix on the start line")

# Each SIGHUP: RELOADING=1 with MONOTONIC_USEC between the kill and the
# message's arrival, then READY=1 with the outcome in STATUS.
reloading = [i for i, (t, f, r) in enumerate(msgs) if f.get("RELOADING") == "1"]
check(len(reloading) == 3, "RELOADING=1 %d times, want 3" % len(reloading))
outcomes = ["configuration reloaded", "reload failed, running the previous "
            "configuration: %s:1: " % conf, "configuration reloaded"]
for k, i in enumerate(reloading[:3]):
    t, f, r = msgs[i]
    mono = int(f.get("MONOTONIC_USEC", "0")) / 1e6
    check(hups[k] <= mono <= t, "reload %d: MONOTONIC_USEC %.6f not within "
          "[%.6f, %.6f]" % (k, mono, hups[k], t))
    nxt = [j for j in ready if j > i]
    check(nxt and (len(reloading) == k + 1 or nxt[0] < reloading[k + 1]),
          "reload %d not followed by READY=1" % k)
    if nxt:
        st = msgs[nxt[0]][1].get("STATUS", "")
        check(st.startswith("running: ") and outcomes[k] in st,
              "reload %d: STATUS %r does not say %r" % (k, st, outcomes[k]))
# The error is the validator's, about the 7x of line 1.
check(any('"7x" is not a duration' in f.get("STATUS", "") for t, f, r in msgs),
      "the STATUS does not carry the validator's message")

# WATCHDOG=1 from the start until STOPPING=1, every WATCHDOG_USEC/2.
stop = [i for i, (t, f, r) in enumerate(msgs) if f.get("STOPPING") == "1"]
check(len(stop) == 1 and stop[0] == len(msgs) - 1 and msgs[stop[0]][0] >= t_term,
      "STOPPING=1 is not the one last message after SIGTERM")
check(msgs[-1][1].get("STATUS", "").startswith("stopping: "), "no stopping STATUS")
wd = [t for t, f, r in msgs if f.get("WATCHDOG") == "1"]
check(len(wd) >= 10, "only %d WATCHDOG=1" % len(wd))
gaps = sorted(b - a for a, b in zip(wd, wd[1:]))
half = wd_usec / 2e6
if gaps:
    # systemd kills at WATCHDOG_USEC; the pings come at half of it.
    check(gaps[-1] < wd_usec / 1e6, "a WATCHDOG gap of %.3f s" % gaps[-1])
    med = gaps[len(gaps) // 2]
    check(0.8 * half <= med <= 1.2 * half, "median WATCHDOG gap %.3f s, want %.3f" % (med, half))
check(wd and wd[0] <= msgs[ready[0]][0], "no WATCHDOG=1 before READY=1")
check(stop and wd and wd[-1] <= msgs[stop[0]][0], "WATCHDOG=1 after STOPPING=1")

for b in bad:
    print("FAIL:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
grep -v '^<[0-7]>' "$T/d.log" | head -n 3 | grep -q . &&
	fail "log lines without a priority prefix under JOURNAL_STREAM"
grep -q "^<3>reload failed, keeping the running configuration: $CONF:1: " "$T/d.log" ||
	fail "the failed reload was not logged at priority 3"
echo "ok: READY, STATUS, WATCHDOG, RELOADING/READY (good and broken files), STOPPING"
