#!/bin/sh
# sim -> Kafka -> callslad -> Redis gives exactly the numbers `callsla
# replay` gives for the same events; SIGTERM stops the daemon cleanly
# (exit 0, partitions flushed, group left).
set -u
. "$TESTS/sh/lib/daemon.sh"
CONF=$TESTS/conf/daemon-event.conf
SIM="--seed 11 --days 1 --start 2026-03-02 --tenants 3 --queues 4 --agents 25 --calls-per-hour 150"

start_redis
start_broker 4
start_daemon d1
stream 100000 $SIM
wait_stream
n=$N
wait_accounted "$n" 60
compare_with_replay "$T/events.jsonl"

# Nothing was rejected: all of them were applied.
applied=$(rcli --scan --pattern 'callsla:slot:*:meta' | while read -r k; do
	rcli hget "$k" applied; done | awk '{ s += $1 } END { print s }')
[ "$applied" -eq "$n" ] || fail "applied $applied of $n"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
rc=$?
[ "$rc" -eq 0 ] || fail "callslad exited $rc after SIGTERM"
grep -q "revoked: flushed" "$T/d1.log" || fail "no final flush logged"
echo "ok: SIGTERM, exit 0"
