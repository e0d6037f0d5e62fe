#!/bin/sh
# Redis stopped for 10 s while events stream in: callslad keeps consuming
# into memory, reports it, reconnects with backoff and then writes what it
# holds; nothing is lost or counted twice.
set -u
. "$TESTS/sh/lib/daemon.sh"
CONF=$TESTS/conf/daemon-event.conf
SIM="--seed 47 --days 1 --start 2026-10-12 --tenants 3 --queues 4 --agents 25 --calls-per-hour 150"

start_redis
start_broker 4
start_daemon d
wait_for "grep -q restored '$T/d.log'" 30 || fail "no partitions assigned"
stream 2000 $SIM
n=$N
sleep 4
before=$(accounted)
stop_redis
echo "Redis stopped at $before of $n events accounted"
sleep 10
start_redis
echo "Redis back"
wait_stream
wait_accounted "$n" 60
grep -q "Redis connection lost\|Redis connect failed" "$T/d.log" ||
	fail "the outage was not reported"
kill -0 "$DAEMON_PID" || fail "callslad died during the outage"
compare_with_replay "$T/events.jsonl"
