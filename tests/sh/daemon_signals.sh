#!/bin/sh
# SIGHUP reloads thresholds and windows and keeps the state; a broken file
# is reported with file:line and the running configuration stays.
# SIGINT stops cleanly with exit status 0.
set -u
. "$TESTS/sh/lib/daemon.sh"
CONF=$T/callsla.conf
cp "$TESTS/conf/daemon-event.conf" "$CONF"
SIM="--seed 5 --days 1 --start 2026-04-06 --tenants 1 --queues 3 --agents 12 --calls-per-hour 60"

start_redis
start_broker 2
start_daemon d
"$CALLSLA" sim $SIM >"$T/events.jsonl"
n=$(wc -l <"$T/events.jsonl")
"$CALLSLA" produce --brokers "$BROKERS" "$T/events.jsonl" 2>"$T/produce.log" ||
	fail "produce failed"
wait_accounted "$n" 60
rcli hexists callsla:snap:default 'queue|60m|billing' | grep -qx 1 ||
	fail "no 60m row before the reload"

# A broken file: the error names file and line, the daemon carries on.
printf 'engine = { clock = "event"; windows = [ "5m", "7x" ]; };\n' >"$CONF"
kill -HUP "$DAEMON_PID"
wait_for "grep -q 'reload failed' '$T/d.log'" 10 || fail "no reload error logged"
grep -q "reload failed.*$CONF:1: " "$T/d.log" || fail "reload error without file:line"
kill -0 "$DAEMON_PID" || fail "callslad died on a bad reload"

# A good file with other windows: rows of the windows dropped disappear at
# the next flush, the state (today's counts) stays.
today_before=$(rcli hget callsla:snap:default 'tenant|today|default')
cp "$TESTS/conf/daemon-event.conf" "$CONF"
printf 'engine = { windows = [ "5m" ]; };\n' >>"$CONF"
sed -i 's/^engine = { clock = "event"; };$//' "$CONF"
sed -i 's/^engine = { windows = \[ "5m" \]; };$/engine = { clock = "event"; windows = [ "5m" ]; };/' "$CONF"
"$CALLSLA" check-config "$CONF" >/dev/null || fail "test config invalid"
kill -HUP "$DAEMON_PID"
wait_for "grep -q 'configuration reloaded' '$T/d.log'" 10 || fail "no reload logged"
wait_for "[ \$(rcli hexists callsla:snap:default 'queue|60m|billing') = 0 ]" 10 ||
	fail "the 60m rows stayed after the reload"
[ "$(rcli hget callsla:snap:default 'tenant|today|default' | sed 's/"as_of":"[^"]*",//')" = \
  "$(echo "$today_before" | sed 's/"as_of":"[^"]*",//')" ] ||
	fail "today's numbers changed across the reload"
echo "ok: SIGHUP"

kill -INT "$DAEMON_PID"
wait "$DAEMON_PID"
rc=$?
[ "$rc" -eq 0 ] || fail "callslad exited $rc after SIGINT"
echo "ok: SIGINT, exit 0"
