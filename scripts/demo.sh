#!/bin/sh
# demo.sh BUILD_DIR - (1) one real day of the Technion "Anonymous Bank" call
# centre (tests/data/) replayed, then (2) the whole pipeline live: an
# embedded Kafka broker, a private redis-server, callslad, and the
# simulator paced at 60x real time, with a queue table every few seconds
# until Ctrl-C, which stops everything this script started.
set -eu
B=${1:-build}
CALLSLA="$B/callsla"
OUT="$B/demo"
mkdir -p "$OUT"

# Prints the queue and tenant rows of one window as a table.
table() {
	gawk -v win="$1" '
	function f(k,   m) { return match($0, "\"" k "\":([^,}]*)", m) ? m[1] : "-" }
	function pct(v) { return v == "null" ? "     -" : sprintf("%5.1f%%", v * 100) }
	function sec(v) { return v == "null" ? "     -" : sprintf("%6.1f", v) }
	BEGIN {
		printf "%-20s %7s %8s %6s %5s %6s %6s %6s %6s %6s %6s %4s %6s %4s\n",
		       "queue", "offered", "answered", "aband", "short", "SL",
		       "3-ring", "aband", "ASA s", "AHT s", "occ", "wait",
		       "oldest", "staf"
	}
	$0 ~ "\"window\":\"" win "\"" && (/"scope":"queue"/ || /"scope":"tenant"/) {
		id = f("id"); gsub(/"/, "", id)
		ten = f("tenant"); gsub(/"/, "", ten)
		id = /"scope":"tenant"/ ? "ALL " id : ten "/" id
		printf "%-20s %7s %8s %6s %5s %6s %6s %6s %6s %6s %6s %4s %6s %4s\n",
		       id, f("offered"), f("answered"), f("abandoned"),
		       f("short_abandoned"), pct(f("service_level")),
		       pct(f("three_ring_rate")), pct(f("abandon_rate")),
		       sec(f("asa_s")), sec(f("aht_s")), pct(f("occupancy")),
		       f("waiting_now"), sec(f("longest_wait_s")), f("staffed")
	}' "$2"
}

DAY=tests/data/anonymous_bank_1999-05-10.txt
CONF=tests/data/anonymous-bank.conf
AT=1999-05-10T23:59:59.999+03:00
echo "== 1. Real data: Anonymous Bank, Monday 1999-05-10 (Technion SEE lab, \"Anonymous Bank\" call-centre data)"
"$CALLSLA" convert --from technion "$DAY" > "$OUT/bank.jsonl" 2>/dev/null
"$CALLSLA" replay --config "$CONF" --at "$AT" "$OUT/bank.jsonl" \
	> "$OUT/bank-snapshots.jsonl" 2>/dev/null
echo "whole day (window today, Asia/Jerusalem) as of $AT; the records have no agent states, so no occupancy"
table today "$OUT/bank-snapshots.jsonl"

echo
echo "== 2. Live: callsla sim (60x real time) -> Kafka -> callslad -> Redis"
RUN=$(mktemp -d /tmp/callsla-demo.XXXXXX)
PIDS=""
stop() {
	trap - EXIT INT TERM
	echo
	echo "stopping: simulator, callslad (final flush), broker, redis-server"
	# In order: the daemon's final flush needs the broker and Redis.
	for p in $PIDS; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	[ "${KEEP:-0}" = 1 ] || rm -rf "$RUN"
	exit 0
}
trap stop EXIT INT TERM

redis-server --port 0 --unixsocket "$RUN/redis.sock" --dir "$RUN" --save '' \
	--appendonly no >"$RUN/redis.log" 2>&1 &
PIDS="$!"
"$CALLSLA" devbroker --partitions 4 >"$RUN/broker.log" 2>&1 &
PIDS="$! $PIDS"
i=0
until grep -q '^bootstrap=' "$RUN/broker.log" 2>/dev/null &&
      redis-cli -s "$RUN/redis.sock" ping >/dev/null 2>&1; do
	i=$((i + 1)); [ "$i" -lt 100 ] || { echo "broker or redis did not start"; exit 1; }
	sleep 0.1
done
BROKERS=$(sed -n 's/^bootstrap=//p' "$RUN/broker.log" | head -n 1)
REDIS="unix:$RUN/redis.sock"
"$B/callslad" --config conf/demo.conf --brokers "$BROKERS" --redis "$REDIS" \
	>"$RUN/callslad.log" 2>&1 &
PIDS="$! $PIDS"
# A week that started seven days ago (so that, at 60x, its events stay in
# the past for hours), three tenants in three time zones: each starts its
# day at its own local morning.
"$CALLSLA" sim --seed "$(date +%s)" --days 7 --start "$(date -u -d "7 days ago" +%F)" \
	--tenants 3 --kafka "$BROKERS" --speed 60 >"$RUN/sim.log" 2>&1 &
PIDS="$! $PIDS"

i=0
until HTTP=$(sed -n 's/.*http: listening on \([0-9.:]*\).*/\1/p' "$RUN/callslad.log" |
	     head -n 1) && [ -n "$HTTP" ]; do
	i=$((i + 1)); [ "$i" -lt 100 ] || { echo "callslad did not start:"; cat "$RUN/callslad.log"; exit 1; }
	sleep 0.1
done

cat <<EOF2
broker $BROKERS (callsla devbroker), Redis $REDIS, logs in $RUN
Wallboard (open it in a browser):  http://$HTTP/
API and metrics:  curl http://$HTTP/api/v1/snapshot?tenant=t1\&scope=queue\&window=15m
                  curl http://$HTTP/api/v1/alerts   curl http://$HTTP/metrics
Watch the numbers move (each command in another terminal):
  $CALLSLA snapshot --redis $REDIS --scope queue --window 15m
  redis-cli -s $RUN/redis.sock hgetall callsla:snap:t1
  redis-cli -s $RUN/redis.sock subscribe callsla:updates
  redis-cli -s $RUN/redis.sock xrange callsla:alerts - +     (alert transitions)
  tail -f $RUN/callslad.log
The simulated day runs 60x faster than the clock (a minute per second);
the daemon is on the event clock (conf/demo.conf).  Ctrl-C stops everything.
EOF2
# DEMO_SECONDS (unset: until Ctrl-C) bounds the run, for scripted use.
left=${DEMO_SECONDS:--1}
while [ "$left" -ne 0 ]; do
	sleep 5
	[ "$left" -lt 0 ] || left=$(( left > 5 ? left - 5 : 0 ))
	if ! "$CALLSLA" snapshot --redis "$REDIS" >"$RUN/now.jsonl" 2>/dev/null ||
	   [ ! -s "$RUN/now.jsonl" ]; then
		echo "(waiting for the first events)"
		continue
	fi
	echo
	echo "last 15 minutes of simulated time, every tenant that has started its day:"
	table 15m "$RUN/now.jsonl"
done
