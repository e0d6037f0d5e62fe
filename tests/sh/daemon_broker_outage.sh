#!/bin/sh
# The Kafka broker goes down for 6 s while events stream in: callslad and
# the producer reconnect, and the end state equals a replay.
set -u
. "$TESTS/sh/lib/daemon.sh"
CONF=$TESTS/conf/daemon-event.conf
SIM="--seed 61 --days 1 --start 2026-08-10 --tenants 3 --queues 4 --agents 20 --calls-per-hour 120"

start_redis
start_broker 4
start_daemon d
wait_for "grep -q restored '$T/d.log'" 30 || fail "no partitions assigned"
stream 3000 $SIM
n=$N
sleep 3
kill -USR1 "$BROKER_PID"
echo "broker down at $(accounted) of $n events accounted"
sleep 6
kill -USR2 "$BROKER_PID"
echo "broker up at $(accounted) of $n events accounted"
wait_stream
wait_accounted "$n" 90
kill -0 "$DAEMON_PID" || fail "callslad died during the outage"
compare_with_replay "$T/events.jsonl"
