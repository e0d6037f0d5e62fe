#!/bin/sh
# A daemon that lost its partition without knowing it (here: another owner
# took the slot's epoch by hand) cannot overwrite the new owner's state:
# its next write is refused before anything is written, and it stops with
# status 1 so that a restart rejoins cleanly.
set -u
. "$TESTS/sh/lib/daemon.sh"
CONF=$TESTS/conf/daemon-event.conf
start_redis
start_broker 1
start_daemon zombie
wait_for "grep -q restored '$T/zombie.log'" 30 || fail "no partition assigned"
SIM="--seed 3 --days 1 --start 2026-02-02 --tenants 1 --queues 2 --agents 6 --calls-per-hour 30"
"$CALLSLA" sim $SIM >"$T/events.jsonl"
head -n 200 "$T/events.jsonl" >"$T/first.jsonl"
"$CALLSLA" produce --brokers "$BROKERS" "$T/first.jsonl" 2>/dev/null || fail "produce"
wait_accounted 200 30

# The "new owner" takes epoch 2 and writes a row the zombie must not touch.
rcli incr callsla:slot:0:epoch | grep -qx 2 || fail "epoch was not 1"
rcli hset callsla:snap:default 'tenant|today|default' '{"owner":"new"}' >/dev/null
before=$(rcli get callsla:slot:0:base | md5sum)
tail -n +201 "$T/events.jsonl" | head -n 200 >"$T/second.jsonl"
"$CALLSLA" produce --brokers "$BROKERS" "$T/second.jsonl" 2>/dev/null || fail "produce"
wait "$DAEMON_PID"
rc=$?
[ "$rc" -eq 1 ] || fail "the fenced daemon exited $rc, not 1"
grep -q "another daemon has taken it" "$T/zombie.log" || fail "fencing not logged"
[ "$(rcli hget callsla:snap:default 'tenant|today|default')" = '{"owner":"new"}' ] ||
	fail "the fenced daemon overwrote a row"
[ "$(rcli get callsla:slot:0:base | md5sum)" = "$before" ] ||
	fail "the fenced daemon overwrote the base"
[ "$(rcli hget callsla:slot:0:meta applied)" -eq 200 ] ||
	fail "the fenced daemon overwrote the meta"
echo "ok: fenced write refused, daemon stopped with status 1"
