#!/bin/sh
# kill -9 of callslad at five random moments while events stream in,
# restarting it each time, ends with exactly the Redis state of an
# uninterrupted run (a second daemon in its own group and key prefix, fed
# the same topics) and of a replay.
set -u
. "$TESTS/sh/lib/daemon.sh"
CONF=$TESTS/conf/daemon-event.conf
SIM="--seed 23 --days 1 --start 2026-06-01 --tenants 3 --queues 5 --agents 30 --calls-per-hour 180"

start_redis
start_broker 4
start_daemon steady --group steady --prefix steady:
start_daemon victim
# About 60 s of streaming.
stream 1400 $SIM
n=$N

for i in 1 2 3 4 5; do
	# Once this instance owns its partitions (a killed member holds them
	# until the group's session timeout), at a random moment after.
	restored=$(grep -c "restored" "$T/victim.log")
	wait_for "[ \$(grep -c restored '$T/victim.log') -gt $restored ]" 30 ||
		fail "instance $i never got its partitions"
	sleep "$(rand_between 0 2).$(rand_between 0 9)"
	kill -9 "$DAEMON_PID" 2>/dev/null || fail "victim died on its own"
	wait "$DAEMON_PID" 2>/dev/null
	echo "kill -9 #$i at $(accounted) of $n events accounted"
	start_daemon victim
done
wait_stream

wait_accounted "$n" 90
# The steady daemon writes under its own prefix: wait for it too.
wait_for "[ \$(rcli --scan --pattern 'steady:slot:*:meta' | while read -r k; do rcli hget \$k applied; done | awk '{ s += \$1 } END { print s + 0 }') -eq $n ]" 60 ||
	fail "the steady daemon did not apply all events"
sleep 0.5 # one more flush of each

rows_of callsla: >"$T/victim.rows"
rows_of steady: >"$T/steady.rows"
[ -s "$T/steady.rows" ] || fail "no rows from the steady daemon"
if ! cmp -s "$T/victim.rows" "$T/steady.rows"; then
	diff "$T/victim.rows" "$T/steady.rows" | head -n 10 >&2
	fail "after 5 kill -9 the state differs from an uninterrupted run"
fi
echo "ok: $(wc -l <"$T/victim.rows") rows equal an uninterrupted run"
compare_with_replay "$T/events.jsonl"
grep -c "journal entries" "$T/victim.log" | grep -qv '^0$' || fail "no restore logged"
