#!/bin/sh
# e2e.sh [SECONDS [RATE...]] - the whole pipeline on this machine, end to
# end: callsla sim (paced) -> embedded Kafka (callsla devbroker) ->
# callslad -> redis-server, and the same input through bench/peers/peer.py.
#
#   SECONDS  length of each measured window (default 20)
#   RATE     events/s asked of the simulator, one run each (default
#            700000 350000 175000: the same centre at three speeds)
#
# Prints, per run: events/s produced and consumed, callslad's CPU seconds
# per million events, peak RSS, event-to-Redis latency p50/p99, Redis
# commands/s, and that every produced event was accounted for (nothing
# trimmed by the broker); then callslad against the Python peer on one
# pre-filled input.  With the defaults the whole run takes under three
# minutes.  Figures and their reading: bench/README.md, "End to end".
#
# Environment: B (build directory, default build), KEEP=1 keeps the work
# directory, PEER=0 skips the peer, PEER_CPH (the peer input's calls/hour
# per tenant, default 440: about a million events), AB and AB_RUNS (two
# builds of callslad compared on that input, below), KAFKA (callslad's
# librdkafka properties, below), AGENTS and CPH (per tenant, defaults 600
# and 2700).  Installs python3-confluent-kafka and python3-redis with
# apt-get when they are missing (only this benchmark needs them).
set -eu

SECS=${1:-20}
[ $# -gt 0 ] && shift
RATES=${*:-700000 350000 175000}
B=${B:-build}
PEER_CPH=${PEER_CPH:-440}
PY=/usr/bin/python3 # Debian's, where the python3-* packages are
# callslad's librdkafka consumer properties (the configuration's kafka { }).
# With librdkafka's defaults callslad takes in only about 180,000 events/s
# from the embedded broker when 700,000 are asked, its loop idle 90% of the
# time, and the broker trims the rest; queued.min.messages = 1000000 lets
# it keep up; fetch.wait.max.ms = 20 (callslad: 50) keeps p99 within the
# flush interval + 250 ms for less CPU than 5 did (bench/README.md).
KAFKA=${KAFKA-queued_min_messages = 1000000; fetch_wait_max_ms = 20;}

cd "$(dirname "$0")/.."
ROOT=$(pwd)

# ---- what this needs ------------------------------------------------------

need=""
for p in python3-confluent-kafka python3-redis redis-server; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in *"install ok installed"*) ;; *) need="$need $p" ;; esac
done
if [ -n "$need" ]; then
	echo "e2e: installing:$need"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends $need >/dev/null
fi
make -s B="$B" "$B/callsla" "$B/callslad" "$B/bench/kafka_floor"
case $B in /*) BD=$B ;; *) BD=$ROOT/$B ;; esac
CALLSLA=$BD/callsla
CALLSLAD=$BD/callslad

T=$(mktemp -d /tmp/callsla-e2e.XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "e2e: FAIL: $*" >&2
	exit 1
}

# ---- the centre -------------------------------------------------------------

# Twelve tenants, one per partition: with librdkafka's partitioner (CRC32
# of the key) t1..t12 land on 12 distinct partitions of 16, so each
# partition carries one twelfth of the load and the broker's 5 MB per
# partition is used evenly.  A flat day (24 equal hours, three 8-hour
# shifts) keeps the rate steady once every tenant's day has begun.  The
# centre is mid-sized (7,200 agents, 96 queues, 32,400 calls/h), so the
# rate comes from the simulator's speed (about 10,000x for 700,000
# events/s): what Redis receives depends on the rows, not on the events.
TENANTS=12
PARTS=16
QUEUES=8
AGENTS=${AGENTS:-600}
CPH=${CPH:-2700}
START=2026-03-02
FLAT=1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1
SHIFTS="--shift 00:00-08:00/30 --shift 08:00-16:00/30 --shift 16:00-24:00/30"
# Events per call with these options (progress events, both topics),
# measured: 7.9.  Only used to pick the speed; the figures are measured.
speed_for() { # the simulator's speed for $1 events/s
	awk -v r="$1" -v k=$TENANTS -v c="$CPH" \
		'BEGIN { printf "%.1f", r * 3600 / (k * c * 7.9) }'
}
# The sim's tenants cycle through these zones (docs/simulator.md).
ZONES="UTC Asia/Shanghai America/New_York Europe/London Asia/Kolkata Australia/Sydney"

zone_of() { # zone_of N: the zone of tenant tN
	echo "$ZONES" | awk -v n="$1" '{ print $(((n - 1) % NF) + 1) }'
}

{
	echo 'engine = { clock = "event"; };'
	echo "kafka = { $KAFKA };"
	echo 'http = { listen = "127.0.0.1:0"; };'
	echo 'tenants = ('
	i=1
	while [ $i -le $TENANTS ]; do
		sep=","
		[ $i -eq $TENANTS ] && sep=""
		echo "  { name = \"t$i\"; timezone = \"$(zone_of $i)\"; }$sep"
		i=$((i + 1))
	done
	echo ');'
} >"$T/bench.conf"
ZONE_ARGS=""
i=1
while [ $i -le $TENANTS ]; do
	ZONE_ARGS="$ZONE_ARGS --zone t$i=$(zone_of $i)"
	i=$((i + 1))
done

# ---- the measuring side (Python: Kafka watermarks, Redis, /proc) ------------

cat >"$T/probe.py" <<'EOF'
import json, os, sys, time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

CLK = os.sysconf("SC_CLK_TCK")
TOPICS = ("cc.calls", "cc.agents")

def cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    v = s[s.rindex(")") + 2:].split()
    return (int(v[11]) + int(v[12])) / CLK

def status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0

def watermarks(brokers):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": brokers, "group.id": "e2e-probe"})
    hi_sum, trimmed = 0, 0
    for t in TOPICS:
        for p in c.list_topics(t, timeout=10).topics[t].partitions:
            lo, hi = c.get_watermark_offsets(TopicPartition(t, p),
                                             timeout=10, cached=False)
            hi_sum += hi
            trimmed += lo > 0
    c.close()
    return hi_sum, trimmed

def accounted(r):
    total, rejected = 0, {}
    for k in r.scan_iter("callsla:slot:*:meta"):
        for f, v in r.hgetall(k).items():
            f = f.decode()
            if f == "applied":
                total += int(v)
            elif f.startswith("rejected:"):
                total += int(v)
                rejected[f[9:]] = rejected.get(f[9:], 0) + int(v)
    return total, rejected

def steady(start, days, zones):
    """UTC ms from which every tenant's day has begun (plus half an hour
    for the queues to fill) until the first tenant's last day ends."""
    d = datetime.strptime(start, "%Y-%m-%d")
    e = d + timedelta(days=days)
    ms = lambda x: int(x.timestamp() * 1000)
    begin = max(ms(d.replace(tzinfo=ZoneInfo(z))) for z in zones)
    end = min(ms(e.replace(tzinfo=ZoneInfo(z))) for z in zones)
    return begin + 1800000, end

def sample(r, brokers, pids):
    s = {"t": time.time()}
    s["accounted"], s["rejected"] = accounted(r)
    s["produced"], _ = watermarks(brokers)
    s["cpu"] = {n: cpu(p) for n, p in pids.items()}
    # callslad's loop thread: nanoseconds on a CPU, and waiting for one
    with open("/proc/%d/task/%d/schedstat" % ((pids["callslad"],) * 2)) as f:
        s["loop_run"], s["loop_wait"] = map(int, f.read().split()[:2])
    s["commands"] = r.info("stats")["total_commands_processed"]
    s["cmdstat"] = {k[8:]: v["calls"]
                    for k, v in r.info("commandstats").items()}
    return s

def window(a):
    import redis
    brokers, sock, t0, wall0, speed, secs, start, days = a[:8]
    zones = a[8].split(",")
    pids = dict((n, int(p)) for n, p in (x.split("=") for x in a[9:]))
    t0 = int(datetime.fromisoformat(t0).timestamp() * 1000)
    speed, secs, wall0 = float(speed), float(secs), float(wall0)
    begin, end = steady(start, int(days), zones)
    at = wall0 + (begin - t0) / speed / 1000
    if begin + (secs + 2) * speed * 1000 > end:
        sys.exit("probe: the simulated days end before the window does")
    r = redis.Redis(unix_socket_path=sock)
    ps = r.pubsub(ignore_subscribe_messages=True)
    ps.subscribe("callsla:updates")

    def after_flush(t):
        # Samples right after the first flush past t, so that the count
        # Redis holds is current; if no flush comes within 3 s (callslad
        # is not flushing), samples anyway.
        while time.time() < t:
            time.sleep(min(0.2, t - time.time()))
        while ps.get_message(timeout=0):
            pass
        while time.time() < t + 3:
            if ps.get_message(timeout=0.5):
                return sample(r, brokers, pids)
        s = sample(r, brokers, pids)
        s["no_flush"] = True
        return s

    s0 = after_flush(at)
    s1 = after_flush(s0["t"] + secs)
    json.dump({"s0": s0, "s1": s1, "rss_s1": status(pids["callslad"],
                                                     "VmRSS")}, sys.stdout)

def compare(sock):
    """The peer's rows against callslad's, field by field."""
    import redis
    r = redis.Redis(unix_socket_path=sock)
    keys = ("offered", "answered", "abandoned", "short_abandoned",
            "flowout", "answered_in_sl")
    n = same = 0
    for k in r.scan_iter("peer:snap:*"):
        tenant = k.decode()[10:]
        ours = r.hgetall("callsla:snap:" + tenant)
        for f, v in r.hgetall(k).items():
            n += 1
            p = json.loads(v)
            d = json.loads(ours[f]) if f in ours else {}
            sl_p, sl_d = p["service_level"], d.get("service_level")
            ok = all(p[x] == d.get(x, 0) for x in keys) and (
                sl_p == sl_d or (sl_p is not None and sl_d is not None
                                 and abs(sl_p - sl_d) < 1.5e-4))
            if ok:
                same += 1
            elif n - same <= 3:
                print("  differs: %s %s\n    peer:     %s\n    callslad: %s"
                      % (tenant, f.decode(), v.decode(),
                         ours.get(f, b"(none)").decode()), file=sys.stderr)
    print(same, n)

def peer_events(sock):
    import redis
    v = redis.Redis(unix_socket_path=sock).hget("peer:meta", "events")
    print(int(v or 0))

def fmt(n):
    return "{:,}".format(int(round(n)))

def report(path):
    j = json.load(open(path))
    w = j.get("window")
    print("== %s: %s" % (j["name"], j["what"]))
    if w:
        s0, s1 = w["s0"], w["s1"]
        dt = s1["t"] - s0["t"]
        dacc = s1["accounted"] - s0["accounted"]
        dprod = s1["produced"] - s0["produced"]
        cores = {n: (s1["cpu"][n] - s0["cpu"][n]) / dt for n in s1["cpu"]}
        dcpu = s1["cpu"]["callslad"] - s0["cpu"]["callslad"]
        print("  window %.1f s (every tenant's day under way): produced %s "
              "events/s, callslad accounted for %s events/s, %s behind at "
              "the end%s" % (dt, fmt(dprod / dt), fmt(dacc / dt),
                           fmt(s1["produced"] - s1["accounted"]),
                           " (NO FLUSH at a sample)" if "no_flush" in s0
                           or "no_flush" in s1 else ""))
        print("  CPU in the window, cores: " + ", ".join(
            "%s %.2f" % (n, c) for n, c in cores.items()))
        print("  callslad: %.3f CPU-s per million events in the window; its "
              "loop thread ran %.0f%% of the time and waited for a CPU %.0f%%"
              % (dcpu / dacc * 1e6 if dacc else float("nan"),
                 (s1["loop_run"] - s0["loop_run"]) / dt / 1e7,
                 (s1["loop_wait"] - s0["loop_wait"]) / dt / 1e7))
        cmds = (s1["commands"] - s0["commands"]) / dt
        per = {}
        for c, v in s1["cmdstat"].items():
            d = v - s0["cmdstat"].get(c, 0)
            if d:
                per[c] = d / dt
        print("  redis: %.1f commands/s (total_commands_processed); by "
              "command, per second: %s" % (cmds, ", ".join(
                  "%s %.1f" % (c, v) for c, v in sorted(
                      per.items(), key=lambda x: -x[1]))))
    print("  whole run: %s events produced, %s accounted for (%s); "
          "rejected: %s" % (fmt(j["produced"]), fmt(j["accounted"]),
                            "nothing trimmed" if j["produced"] ==
                            j["accounted"] else "EVENTS LOST",
                            j["rejected"] or "none"))
    print("  callslad whole run: %.2f CPU-s, %.3f CPU-s per million events, "
          "peak RSS %.0f MB; %s" % (j["cpu"], j["cpu"] / j["accounted"] * 1e6,
                                   j["hwm"] / 1e6, j["figures"]))
    print("  callslad log: %d flushes timed out (\"did not answer\"), %d "
          "offset resets (the broker had trimmed what it asked for)"
          % (j["timeouts"], j["resets"]))
    if "peer_cpu" in j:
        a = j["accounted"] / j["cpu"]
        b = j["peer_events"] / j["peer_cpu"]
        print("  peer.py: %s events, %.2f CPU-s, peak RSS %.0f MB" % (
            fmt(j["peer_events"]), j["peer_cpu"], j["peer_hwm"] / 1e6))
        print("  events per CPU-second: callslad %s, peer.py %s: %.1fx" % (
            fmt(a), fmt(b), a / b))
        print("  peer rows equal to callslad's (counts, service level): "
              "%s of %s" % (j["agree"][0], j["agree"][1]))

def main():
    mode, a = sys.argv[1], sys.argv[2:]
    if mode == "watermarks":
        print(*watermarks(a[0]))
    elif mode == "accounted":
        import redis
        t, rej = accounted(redis.Redis(unix_socket_path=a[0]))
        print(t, ",".join("%s=%d" % x for x in sorted(rej.items()) if x[1])
              or "none")
    elif mode == "window":
        window(a)
    elif mode == "compare":
        compare(a[0])
    elif mode == "peer-events":
        peer_events(a[0])
    elif mode == "report":
        for p in a:
            report(p)

main()
EOF
probe() { "$PY" "$T/probe.py" "$@"; }

# ---- the parts ------------------------------------------------------------------

cpu_of() { # CPU seconds (user + system) of process $1, all its threads
	[ -r "/proc/$1/stat" ] || fail "process $1 is gone"
	awk -v t="$(getconf CLK_TCK)" \
		'{ sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / t }' "/proc/$1/stat"
}

hwm_of() { # peak RSS in bytes
	awk '/^VmHWM:/ { print $2 * 1024 }' "/proc/$1/status"
}

wait_for() { # wait_for COMMAND SECONDS
	_end=$(($(date +%s) + $2))
	while :; do
		if eval "$1" >/dev/null 2>&1; then return 0; fi
		[ "$(date +%s)" -lt $_end ] || return 1
		sleep 0.1
	done
}

# start_all DIR: redis-server (no persistence: the figures are the
# daemon's), the broker, and callslad, which is given up to 30 s to be
# assigned every partition.
start_all() {
	D=$1
	mkdir -p "$D"
	redis-server --port 0 --unixsocket "$D/redis.sock" --dir "$D" \
		--save '' --appendonly no --daemonize no >"$D/redis.log" 2>&1 &
	REDIS_PID=$!
	PIDS="$PIDS $REDIS_PID"
	wait_for "redis-cli -s '$D/redis.sock' ping | grep -q PONG" 10 ||
		fail "redis-server did not start"
	"$CALLSLA" devbroker --partitions $PARTS >"$D/broker.log" 2>&1 &
	BROKER_PID=$!
	PIDS="$PIDS $BROKER_PID"
	wait_for "grep -q '^bootstrap=' '$D/broker.log'" 10 ||
		fail "devbroker did not start"
	BROKERS=$(sed -n 's/^bootstrap=//p' "$D/broker.log" | head -n 1)
}

start_daemon() {
	"$CALLSLAD" ${GROUP:+--group "$GROUP"} --config "$T/bench.conf" --brokers "$BROKERS" \
		--redis "unix:$D/redis.sock" >"$D/daemon.log" 2>&1 &
	DAEMON_PID=$!
	PIDS="$PIDS $DAEMON_PID"
	wait_for "[ \$(grep -c 'assigned ' '$D/daemon.log') -ge $((PARTS * 2)) ]" 30 ||
		fail "callslad was not assigned its partitions ($D/daemon.log)"
}

# wait_accounted N SECONDS: until callslad has accounted for N events.
wait_accounted() {
	wait_for "[ \$(probe accounted '$D/redis.sock' | cut -d' ' -f1) -ge $1 ]" "$2"
}

# drain N: waits until callslad has accounted for N events, or until its
# count has not moved for 10 s (events were lost: the broker trimmed them).
drain() {
	_last=-1
	_still=0
	while :; do
		_acc=$(probe accounted "$D/redis.sock" | cut -d' ' -f1)
		[ "$_acc" -ge "$1" ] && return 0
		if [ "$_acc" = "$_last" ]; then
			_still=$((_still + 1))
			[ $_still -lt 20 ] || return 1
		else
			_still=0
		fi
		_last=$_acc
		sleep 0.5
	done
}

# stop_daemon: SIGTERM, and the figures line it logs.
stop_daemon() {
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || fail "callslad exited with $?"
	FIGURES=$(sed -n 's/.*figures: //p' "$D/daemon.log" | tail -n 1)
}

stop_all() {
	kill -TERM "$BROKER_PID" "$REDIS_PID" 2>/dev/null || true
	wait "$BROKER_PID" "$REDIS_PID" 2>/dev/null || true
}

# ---- a paced run ----------------------------------------------------------------

# run_rate NAME SPEED: the simulator paced at SPEED into the broker,
# callslad behind it; the window starts once every tenant's day is under
# way and lasts SECS.
run_rate() {
	name=$1
	speed=$2
	start_all "$T/$name"
	start_daemon
	# Days enough for the ramp (the zones' midnights span 16 h), the
	# window and a margin; the simulator is stopped after the window.
	days=$(awk -v s="$speed" -v w="$SECS" \
		'BEGIN { d = (17 * 3600 + (w + 15) * s) / 86400; print int(d) + 2 }')
	sim="--tenants $TENANTS --queues $QUEUES --agents $AGENTS
	     --calls-per-hour $CPH --days $days --start $START --profile $FLAT
	     $SHIFTS"
	# shellcheck disable=SC2086
	t0=$("$CALLSLA" sim $sim | head -n 1 |
		sed 's/.*"ts":"\([^"]*\)".*/\1/')
	wall0=$(date +%s.%N)
	# shellcheck disable=SC2086
	"$CALLSLA" sim $sim --kafka "$BROKERS" --speed "$speed" \
		>"$D/sim.log" 2>&1 &
	SIM_PID=$!
	PIDS="$PIDS $SIM_PID"
	probe window "$BROKERS" "$D/redis.sock" "$t0" "$wall0" "$speed" \
		"$SECS" "$START" "$days" "$(echo "$ZONES" | tr ' ' ,)" \
		"callslad=$DAEMON_PID" "sim=$SIM_PID" "devbroker=$BROKER_PID" \
		"redis=$REDIS_PID" >"$D/window.json" ||
		fail "probe failed"
	kill -TERM "$SIM_PID"
	wait "$SIM_PID" 2>/dev/null || true
	# shellcheck disable=SC2046 # two words
	set -- $(probe watermarks "$BROKERS")
	produced=$1
	drain "$produced" ||
		echo "e2e: $name: callslad accounted for fewer events than produced" >&2
	cpu=$(cpu_of "$DAEMON_PID")
	hwm=$(hwm_of "$DAEMON_PID")
	# shellcheck disable=SC2046 # two words
	set -- $(probe accounted "$D/redis.sock")
	stop_daemon
	stop_all
	cat >"$T/$name.json" <<EOJ
{"name": "$name", "what": "$TENANTS tenants x $QUEUES queues x $AGENTS agents, $CPH calls/h each, --speed $speed, flush 1 s",
 "window": $(cat "$D/window.json"), "produced": $produced, "accounted": $1,
 "rejected": "$2", "cpu": $cpu, "hwm": $hwm, "figures": "$FIGURES",
 "timeouts": $(grep -c 'did not answer' "$D/daemon.log"),
 "resets": $(grep -c 'offset reset' "$D/daemon.log")}
EOJ
	probe report "$T/$name.json"
}

# ---- callslad and the peer on one input ---------------------------------------

# The simulator unpaced into the broker first (small enough to stay
# within its retention: checked with the low watermarks), then callslad
# alone, then the peer alone, each until it has taken in every event.
run_peer() {
	name=peer
	start_all "$T/$name"
	sim="--tenants $TENANTS --queues $QUEUES --agents 100
	     --calls-per-hour $PEER_CPH --start $START --profile $FLAT $SHIFTS"
	# shellcheck disable=SC2086
	"$CALLSLA" sim $sim --kafka "$BROKERS" --speed 1e9 >"$D/sim.log" 2>&1 ||
		fail "sim failed ($D/sim.log)"
	# shellcheck disable=SC2046 # two words
	set -- $(probe watermarks "$BROKERS")
	produced=$1
	[ "$2" -eq 0 ] || fail "the broker trimmed $2 partitions: lower PEER_CPH"
	start_daemon
	wait_accounted "$produced" 120 || fail "callslad did not take in every event"
	cpu=$(cpu_of "$DAEMON_PID")
	hwm=$(hwm_of "$DAEMON_PID")
	# shellcheck disable=SC2046 # two words
	set -- $(probe accounted "$D/redis.sock")
	acc=$1
	rej=$2
	stop_daemon
	# The floor under both: librdkafka alone, with callslad's properties
	# (the kafka { } block's names, '_' for '.').
	# shellcheck disable=SC2046 # one word per property
	floor=$("$BD/bench/kafka_floor" "$BROKERS" "$produced" \
		$(echo "$KAFKA" | tr ';' '\n' | sed 's/ //g; s/_/./g' | grep =))
	# shellcheck disable=SC2086
	"$PY" "$ROOT/bench/peers/peer.py" --brokers "$BROKERS" \
		--redis-socket "$D/redis.sock" $ZONE_ARGS >"$D/peer.log" 2>&1 &
	PEER_PID=$!
	PIDS="$PIDS $PEER_PID"
	wait_for "[ \$(probe peer-events '$D/redis.sock') -ge $produced ]" 600 ||
		fail "the peer did not take in every event ($D/peer.log)"
	peer_cpu=$(cpu_of "$PEER_PID")
	peer_hwm=$(hwm_of "$PEER_PID")
	kill -TERM "$PEER_PID"
	wait "$PEER_PID" || fail "peer.py exited with $?"
	peer_events=$(probe peer-events "$D/redis.sock")
	agree=$(probe compare "$D/redis.sock" | tr ' ' ,)
	stop_all
	cat >"$T/$name.json" <<EOJ
{"name": "$name", "what": "one input, pre-filled: $TENANTS tenants x $QUEUES queues x 100 agents, $PEER_CPH calls/h each, one day; each consumer alone",
 "produced": $produced, "accounted": $acc, "rejected": "$rej",
 "cpu": $cpu, "hwm": $hwm, "figures": "$FIGURES",
 "timeouts": $(grep -c 'did not answer' "$D/daemon.log"),
 "resets": $(grep -c 'offset reset' "$D/daemon.log"),
 "peer_cpu": $peer_cpu, "peer_hwm": $peer_hwm, "peer_events": $peer_events,
 "agree": [$agree]}
EOJ
	probe report "$T/$name.json"
	echo "  $floor"
	echo "$floor" | awk -v c="$cpu" -v p="$peer_cpu" '{
		printf "  librdkafka alone is %.0f%% of callslad'"'"'s CPU here; with nothing else to do, a consumer could be at most %.1fx the peer\n",
		       100 * $4 / c, p / $4 }'
}

# AB=OTHER_CALLSLAD: two builds of callslad on one pre-filled input, one
# after the other AB_RUNS times each (default 5), Redis emptied between
# runs: CPU-s per million events of each run and the medians.  The input
# and the machine's load are the same for both, so small differences show
# (bench/README.md, "Comparing two builds of callslad").
run_ab() {
	start_all "$T/ab"
	# shellcheck disable=SC2086
	"$CALLSLA" sim --tenants $TENANTS --queues $QUEUES --agents 100 \
		--calls-per-hour $PEER_CPH --start $START --profile $FLAT $SHIFTS \
		--kafka "$BROKERS" --speed 1e9 >"$D/sim.log" 2>&1 ||
		fail "sim failed ($D/sim.log)"
	# shellcheck disable=SC2046 # two words
	set -- $(probe watermarks "$BROKERS")
	produced=$1
	[ "$2" -eq 0 ] || fail "the broker trimmed $2 partitions: lower PEER_CPH"
	echo "== ab: $produced events; CPU-s per million events, this build ($CALLSLAD) then AB ($AB)"
	this=$CALLSLAD
	i=0
	while [ $i -lt "${AB_RUNS:-5}" ]; do
		line=""
		for bin in "$this" "$AB"; do
			redis-cli -s "$D/redis.sock" flushall >/dev/null
			# A new group each time: the embedded broker (librdkafka
			# 2.0.2's mock cluster) does not answer a join to a group
			# whose only member has just left.
			GROUP="ab-$i-${#line}"
			CALLSLAD=$bin
			start_daemon
			wait_accounted "$produced" 120 ||
				fail "$bin did not take in every event"
			cpu=$(cpu_of "$DAEMON_PID")
			stop_daemon
			line="$line $(awk -v c="$cpu" -v n="$produced" 'BEGIN { printf "%.3f", c * 1e6 / n }')"
		done
		echo "  run $((i + 1)):$line"
		echo "$line" >>"$T/ab.txt"
		i=$((i + 1))
	done
	CALLSLAD=$this
	GROUP=""
	med() { # med COLUMN: the median of that column of ab.txt
		awk -v c="$1" '{ print $c }' "$T/ab.txt" | sort -n |
			awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
	}
	awk -v a="$(med 1)" -v b="$(med 2)" 'BEGIN {
		printf "  medians: this build %.3f, AB %.3f (%+.1f%%)\n",
		       a, b, (a / b - 1) * 100 }'
	stop_all
}

echo "== e2e: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r); load:$(uptime | sed 's/.*load average://')"
if [ -n "${AB:-}" ]; then
	run_ab
	exit 0
fi
for r in $RATES; do
	run_rate "rate-$r" "$(speed_for "$r")"
done
[ "${PEER:-1}" = 0 ] || run_peer
echo "== done; load:$(uptime | sed 's/.*load average://')"
