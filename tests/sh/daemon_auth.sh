#!/bin/sh
# Redis with an ACL user: callslad authenticates with the user and a
# password read from a file (redis.password_file), never logs the
# password, and a wrong password is reported and retried, not fatal.
set -u
. "$TESTS/sh/lib/daemon.sh"
PW=s3cret-$(rand_between 1000 9999)-pw
printf '%s\n' "$PW" >"$T/redis.pw"
CONF=$T/callsla.conf
cp "$TESTS/conf/daemon-event.conf" "$CONF"
cat >>"$CONF" <<EOF2
redis = { user = "callsla"; password_file = "$T/redis.pw"; };
EOF2

start_redis
rcli ACL SETUSER callsla on ">$PW" '~*' '&*' '+@all' >/dev/null
rcli ACL SETUSER default off >/dev/null
RCLI_AUTH="--user callsla --pass $PW"
rcli ping | grep -qx PONG || fail "the ACL user cannot log in"

start_broker 2
start_daemon d
SIM="--seed 9 --days 1 --start 2026-05-04 --tenants 2 --queues 2 --agents 8 --calls-per-hour 40"
"$CALLSLA" sim $SIM >"$T/events.jsonl"
n=$(wc -l <"$T/events.jsonl")
"$CALLSLA" produce --brokers "$BROKERS" "$T/events.jsonl" 2>/dev/null ||
	fail "produce failed"
wait_accounted "$n" 60
"$CALLSLA" snapshot --redis "$REDIS" --user callsla --password-file "$T/redis.pw" \
	>"$T/got.jsonl" || fail "snapshot with AUTH failed"
[ -s "$T/got.jsonl" ] || fail "nothing in Redis"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "callslad did not stop cleanly"
! grep -q "$PW" "$T/d.log" || fail "the password appears in the log"
echo "ok: AUTH with an ACL user and a password file"

# A wrong password: reported, retried, the daemon stays up.
printf 'wrong\n' >"$T/redis.pw"
start_daemon bad
wait_for "grep -q 'WRONGPASS\\|invalid username-password' '$T/bad.log'" 20 ||
	fail "a wrong password was not reported"
kill -0 "$DAEMON_PID" || fail "callslad died on a wrong password"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
echo "ok: a wrong password is reported"
