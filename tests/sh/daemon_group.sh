#!/bin/sh
# Two daemons in one consumer group share the partitions; one is killed
# (kill -9) mid-run and the other takes its partitions over from Redis:
# the end state equals a replay of the same events.
set -u
. "$TESTS/sh/lib/daemon.sh"
CONF=$TESTS/conf/daemon-event.conf
SIM="--seed 31 --days 1 --start 2026-09-07 --tenants 4 --queues 4 --agents 25 --calls-per-hour 150"

start_redis
start_broker 4
start_daemon a
A_PID=$DAEMON_PID
start_daemon b
B_PID=$DAEMON_PID

# Both own some partitions before events flow.
wait_for "grep -q restored '$T/a.log' && grep -q restored '$T/b.log'" 40 ||
	fail "the group did not split the partitions"
stream 2500 $SIM
n=$N
sleep "$(rand_between 5 12)"
kill -9 "$B_PID"
echo "b killed at $(accounted) of $n events accounted"
wait_stream

wait_accounted "$n" 90
# a took b's partitions over.
[ "$(grep -c 'restored' "$T/a.log")" -gt "$(grep -c 'restored' "$T/b.log")" ] ||
	fail "a did not take b's partitions over"
compare_with_replay "$T/events.jsonl"
