#!/bin/sh
# snapshot.sh - `callsla snapshot` against a real redis-server on a unix
# socket: rows filled in per docs/redis.md in a scrambled order come out in
# replay's order (tenant, scope, id, window, each in byte order), verbatim;
# the filters, other prefixes, malformed data, AUTH (requirepass and an ACL
# user) and every usage and connection error with its exit status.
set -eu

: "${CALLSLA:?set CALLSLA to the callsla binary}"
: "${TESTS:?set TESTS to the tests folder}"

tmp=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || :
		wait "$pid" 2>/dev/null || :
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
	echo "snapshot: $*" >&2
	exit 1
}

sock=$tmp/r.sock
redis-server --port 0 --unixsocket "$sock" --save '' --appendonly no \
	--dir "$tmp" --daemonize no >"$tmp/redis.log" 2>&1 &
pid=$!
i=0
until redis-cli -s "$sock" ping >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || fail "redis-server did not start: $(cat "$tmp/redis.log")"
	sleep 0.05
done

cli() { redis-cli -s "$sock" --no-auth-warning "$@" >/dev/null; }

# A stored row: what the daemon writes is replay's JSON; its last number
# tells the rows apart in a failure.
row() { # tenant scope id window n
	printf '{"tenant":"%s","as_of":"2026-03-02T11:00:00.000Z","scope":"%s","id":"%s","window":"%s","answered":%s}' \
		"$1" "$2" "$3" "$4" "$5"
}
put() { # prefix tenant scope window id n
	cli HSET "$1snap:$2" "$3|$4|$5" "$(row "$2" "$3" "$5" "$4" "$6")"
}

# Scrambled on purpose: neither insertion order nor the order of the field
# names ("agent|15m|a2" < "agent|5m|a10") is the output order.
P=callsla:
put $P acme tenant prev15m acme 44
put $P acme queue 15m 'café' 26
put $P Beta agent 15m 'ñandú' 52
put $P acme agent 15m a2 11
put $P acme team today sales 31
put $P acme queue 5m billing 22
put $P 'Ωmega' tenant 15m 'Ωmega' 81
put $P acme agent cur15m a10 14
put $P acme queue 15m 'billing|eu' 23
put $P Beta tenant 15m Beta 55
put $P acme tenant 15m acme 41
put $P acme queue prev15m 'zürich' 27
put $P acme team 15m 'north|1' 33
put $P Beta agent 15m zoe 51
put $P acme queue 15m Billing 24
put $P acme agent 5m a10 13
put $P acme tenant 60m acme 43
put $P Beta queue 15m q1 54
put $P acme queue 15m cafe 25
put $P acme team today 'north|1' 32
put $P acme agent 15m a10 12
put $P Beta agent 15m Zoe 53
put $P acme tenant 5m acme 42
put $P acme queue 15m billing 21
# ghost is listed without rows; orphan has rows but is not listed.
cli SADD ${P}tenants acme 'Ωmega' ghost Beta
put $P orphan tenant 15m orphan 61
cli HSET ${P}meta:acme as_of 2026-03-02T11:00:00.000Z slot 3 updated_ms 1772449200123
cli HSET ${P}meta:Beta as_of 2026-03-02T11:00:00.000Z slot 0 updated_ms 1772449200123
# Another prefix, another deployment.
cli SADD other:tenants acme
put other: acme queue 15m x 71

# The expected order, worked out by hand from the byte values:
# tenants "Beta" (B 0x42) < "acme" (a 0x61) < "Ωmega" (0xce 0xa9);
# Beta's agents "Zoe" < "zoe" < "ñandú" (0xc3 0xb1);
# acme's agents "a10" < "a2" ('1' < '2'), a10's windows "15m" < "5m" <
# "cur15m"; queues "Billing" < "billing" < "billing|eu" (shorter first) <
# "cafe" < "café" ('e' 0x65 < 0xc3) < "zürich"; teams "north|1" < "sales",
# north|1's windows "15m" < "today"; tenant windows "15m" < "5m" < "60m" <
# "prev15m".
{
	row Beta agent Zoe 15m 53; echo
	row Beta agent zoe 15m 51; echo
	row Beta agent 'ñandú' 15m 52; echo
	row Beta queue q1 15m 54; echo
	row Beta tenant Beta 15m 55; echo
} >"$tmp/beta"
{
	row acme agent a10 15m 12; echo
	row acme agent a10 5m 13; echo
	row acme agent a10 cur15m 14; echo
	row acme agent a2 15m 11; echo
} >"$tmp/acme_agent"
{
	row acme queue Billing 15m 24; echo
	row acme queue billing 15m 21; echo
	row acme queue billing 5m 22; echo
	row acme queue 'billing|eu' 15m 23; echo
	row acme queue cafe 15m 25; echo
	row acme queue 'café' 15m 26; echo
	row acme queue 'zürich' prev15m 27; echo
} >"$tmp/acme_queue"
{
	row acme team 'north|1' 15m 33; echo
	row acme team 'north|1' today 32; echo
	row acme team sales today 31; echo
} >"$tmp/acme_team"
{
	row acme tenant acme 15m 41; echo
	row acme tenant acme 5m 42; echo
	row acme tenant acme 60m 43; echo
	row acme tenant acme prev15m 44; echo
} >"$tmp/acme_tenant"
cat "$tmp/acme_agent" "$tmp/acme_queue" "$tmp/acme_team" \
	"$tmp/acme_tenant" >"$tmp/acme"
{
	row 'Ωmega' tenant 'Ωmega' 15m 81; echo
} >"$tmp/omega"
cat "$tmp/beta" "$tmp/acme" "$tmp/omega" >"$tmp/all"

# expect NAME STATUS EXPECTED_STDOUT_FILE ARGS...: exit status and stdout
# exactly; stderr is left in $tmp/err for the caller.
expect() {
	name=$1 want_rc=$2 want=$3
	shift 3
	rc=0
	"$CALLSLA" snapshot "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq "$want_rc" ] ||
		fail "$name: exit $rc, expected $want_rc; stderr: $(cat "$tmp/err")"
	cmp -s "$tmp/out" "$want" ||
		fail "$name: output differs:
$(diff "$want" "$tmp/out" || :)"
}
err_is() { # name, the exact stderr
	printf '%s\n' "$2" >"$tmp/err_want"
	cmp -s "$tmp/err" "$tmp/err_want" ||
		fail "$1: stderr: $(cat "$tmp/err"), expected: $2"
}
no_err() { [ ! -s "$tmp/err" ] || fail "$1: stderr: $(cat "$tmp/err")"; }
: >"$tmp/empty"
R="--redis unix:$sock"

expect all 0 "$tmp/all" $R
no_err all
expect "default prefix given" 0 "$tmp/all" $R --prefix callsla:
expect "tenant acme" 0 "$tmp/acme" $R --tenant acme
expect "tenant Ωmega" 0 "$tmp/omega" $R --tenant 'Ωmega'
{ row Beta queue q1 15m 54; echo; cat "$tmp/acme_queue"; } >"$tmp/queue"
expect "scope queue" 0 "$tmp/queue" $R --scope queue
head -n 3 "$tmp/beta" >"$tmp/beta_agent"
expect "scope agent, tenant Beta" 0 "$tmp/beta_agent" $R --tenant Beta \
	--scope agent
{
	row acme agent a10 5m 13; echo
	row acme agent a10 cur15m 14; echo
	row acme queue billing 5m 22; echo
	row acme tenant acme 5m 42; echo
} >"$tmp/win"
expect "windows 5m, cur15m" 0 "$tmp/win" $R --window 5m --window cur15m
expect "windows in the other order" 0 "$tmp/win" $R --window cur15m \
	--window 5m
{
	row acme team 'north|1' today 32; echo
	row acme team sales today 31; echo
} >"$tmp/team_today"
expect "tenant, scope and window" 0 "$tmp/team_today" $R --window today \
	--scope team --tenant acme
expect "no such window" 0 "$tmp/empty" $R --window 1h
expect "listed tenant without rows" 0 "$tmp/empty" $R --tenant ghost
no_err ghost
{ row orphan tenant orphan 15m 61; echo; } >"$tmp/orphan"
expect "unlisted tenant by name" 0 "$tmp/orphan" $R --tenant orphan
{ row acme queue x 15m 71; echo; } >"$tmp/other"
expect "other prefix" 0 "$tmp/other" $R --prefix other:
expect "empty prefix" 0 "$tmp/empty" $R --prefix nothing:
no_err "empty prefix"

# Against replay itself: a simulated day with names chosen to make byte
# order matter (tenants "Beta" < "acme" < "Ωmega", agents "a10" < "a2",
# queues "Billing" < "billing|eu" < "café", team "north|1"), replayed; its
# rows stored as the daemon stores them, in a shuffled order, must come
# back as replay printed them, byte for byte.
"$CALLSLA" sim --seed 7 --tenants 3 --queues 3 --agents 12 \
	--calls-per-hour 60 --days 1 |
	sed -e 's/"tenant":"t1"/"tenant":"acme"/; s/"tenant":"t2"/"tenant":"Beta"/' \
	    -e 's/"tenant":"t3"/"tenant":"Ωmega"/' \
	    -e 's/"billing"/"billing|eu"/g; s/"sales"/"café"/g' \
	    -e 's/"support"/"Billing"/g; s/"team1"/"north|1"/g' \
	    -e 's/"a00\([1-9]\)"/"a\1"/g; s/"a0\([1-9][0-9]\)"/"a\1"/g' \
	    >"$tmp/sim.jsonl"
"$CALLSLA" replay "$tmp/sim.jsonl" >"$tmp/replay" 2>"$tmp/replay.err" ||
	fail "replay: $(cat "$tmp/replay.err")"
for want in '"tenant":"Beta"' '"id":"a10"' '"id":"billing|eu"' \
	'"id":"café"' '"id":"north|1"' '"tenant":"Ωmega"'; do
	grep -qF "$want" "$tmp/replay" || fail "replay has no $want"
done
python3 - "$tmp/replay" >"$tmp/replay.resp" <<'EOF'
import json, random, sys
rows = open(sys.argv[1], 'rb').read().split(b'\n')[:-1]
random.Random(1).shuffle(rows)
def cmd(*args):
    out = b'*%d\r\n' % len(args)
    for a in args:
        out += b'$%d\r\n%s\r\n' % (len(a), a)
    sys.stdout.buffer.write(out)
for r in rows:
    o = json.loads(r)
    t = o['tenant'].encode()
    f = '|'.join((o['scope'], o['window'], o['id'])).encode()
    cmd(b'SADD', b'replay:tenants', t)
    cmd(b'HSET', b'replay:snap:' + t, f, r)
EOF
redis-cli -s "$sock" --pipe <"$tmp/replay.resp" >"$tmp/pipe.log" 2>&1 ||
	fail "redis-cli --pipe: $(cat "$tmp/pipe.log")"
expect "as replay" 0 "$tmp/replay" $R --prefix replay:
no_err "as replay"
grep '"window":"today"' "$tmp/replay" | grep '"scope":"agent"' >"$tmp/replay_today"
expect "as replay, filtered" 0 "$tmp/replay_today" $R --prefix replay: \
	--scope agent --window today

# Data that cannot be printed: reported, skipped, exit 1, the rest printed.
cli SADD bad:tenants t u
cli HSET bad:snap:t nopipe x 'queue|15m' y '||x' z 'queue||x' w
cli HSET bad:snap:t 'queue|15m|two' "$(printf 'line\nbreak')"
put bad: t queue 15m ok 91
cli SET bad:snap:u notahash
{ row t queue ok 15m 91; echo; } >"$tmp/bad"
expect "malformed fields" 1 "$tmp/bad" $R --prefix bad:
for f in nopipe 'queue|15m' '||x' 'queue||x'; do
	grep -qxF "callsla snapshot: bad:snap:t: field \"$f\" is not SCOPE|WINDOW|ID: skipped" "$tmp/err" ||
		fail "malformed field $f: stderr: $(cat "$tmp/err")"
done
grep -qxF 'callsla snapshot: bad:snap:t: field "queue|15m|two": the row is not one line: skipped' "$tmp/err" ||
	fail "row with a line break: stderr: $(cat "$tmp/err")"
grep -qxF "callsla snapshot: Redis at unix:$sock: HGETALL bad:snap:u: WRONGTYPE Operation against a key holding the wrong kind of value" "$tmp/err" ||
	fail "wrong type: stderr: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/err")" -eq 6 ] || fail "malformed: stderr: $(cat "$tmp/err")"
cli SET bad2:tenants notaset
expect "tenants of the wrong type" 2 "$tmp/empty" $R --prefix bad2:
err_is "tenants of the wrong type" "callsla snapshot: Redis at unix:$sock: SMEMBERS bad2:tenants: WRONGTYPE Operation against a key holding the wrong kind of value"

# A configuration without a redis { } block: the defaults, then options.
printf 'engine = { clock = "event"; };\n' >"$tmp/plain.conf"
expect "config and options" 0 "$tmp/all" --config "$tmp/plain.conf" $R
expect "missing config" 2 "$tmp/empty" --config "$tmp/none.conf" $R
err_is "missing config" "callsla snapshot: $tmp/none.conf: cannot read: No such file or directory"

# Usage errors.
expect "unknown scope" 2 "$tmp/empty" $R --scope queues
err_is "unknown scope" 'callsla snapshot: --scope "queues": unknown scope (valid: agent, queue, team, tenant)'
expect "tenant twice" 2 "$tmp/empty" $R --tenant a --tenant b
err_is "tenant twice" "callsla snapshot: --tenant given twice"
expect "unknown option" 2 "$tmp/empty" $R --bogus x
grep -q '^usage: callsla snapshot ' "$tmp/err" || fail "unknown option: $(cat "$tmp/err")"
expect "missing value" 2 "$tmp/empty" $R --tenant
expect "argument" 2 "$tmp/empty" $R acme
expect "bad port" 2 "$tmp/empty" --redis 127.0.0.1:0
err_is "bad port" 'callsla snapshot: --redis 127.0.0.1:0: port "0": must be a number from 1 to 65535'
expect "v6 without brackets" 2 "$tmp/empty" --redis ::1
err_is "v6 without brackets" 'callsla snapshot: --redis ::1: address "::1": write an IPv6 address in brackets: [ADDRESS]:PORT'
expect "user without password" 2 "$tmp/empty" $R --user reader
err_is "user without password" 'callsla snapshot: user "reader" needs a password (--password-file)'
expect "missing password file" 2 "$tmp/empty" $R --password-file "$tmp/nofile"
err_is "missing password file" "callsla snapshot: --password-file $tmp/nofile: cannot read: No such file or directory"
: >"$tmp/blank"
expect "empty password file" 2 "$tmp/empty" $R --password-file "$tmp/blank"
err_is "empty password file" "callsla snapshot: --password-file $tmp/blank: empty"
"$CALLSLA" snapshot --help >"$tmp/out" || fail "--help: exit $?"
grep -q '^usage: callsla snapshot ' "$tmp/out" || fail "--help: $(cat "$tmp/out")"
"$CALLSLA" --help | grep -q '^  callsla snapshot \[--redis' ||
	fail "callsla --help does not list snapshot"

# Nobody there.
expect "no socket" 2 "$tmp/empty" --redis "unix:$tmp/none.sock"
err_is "no socket" "callsla snapshot: cannot connect to Redis at unix:$tmp/none.sock: No such file or directory"
# Port 1 (tcpmux) is closed on any machine this runs on.
expect "refused" 2 "$tmp/empty" --redis 127.0.0.1:1
err_is "refused" "callsla snapshot: cannot connect to Redis at 127.0.0.1:1: Connection refused"

# AUTH: a password for the default user, and an ACL user who may read the
# callsla: keys only.
cli CONFIG SET requirepass s3cret
A="-a s3cret"
cli $A ACL SETUSER reader on '>r3ad' '~callsla:*' +smembers +hgetall
printf 's3cret\n' >"$tmp/pw"
printf 'r3ad' >"$tmp/pw_reader"
printf 'wrong\n' >"$tmp/pw_wrong"
expect "no password" 2 "$tmp/empty" $R
err_is "no password" "callsla snapshot: Redis at unix:$sock: SMEMBERS callsla:tenants: NOAUTH Authentication required."
expect "password" 0 "$tmp/all" $R --password-file "$tmp/pw"
no_err password
expect "ACL user" 0 "$tmp/all" $R --user reader --password-file "$tmp/pw_reader"
no_err "ACL user"
expect "ACL user, key not allowed" 2 "$tmp/empty" $R --user reader \
	--password-file "$tmp/pw_reader" --prefix other:
grep -qF "callsla snapshot: Redis at unix:$sock: SMEMBERS other:tenants: NOPERM" "$tmp/err" ||
	fail "ACL user, key not allowed: stderr: $(cat "$tmp/err")"
expect "wrong password" 2 "$tmp/empty" $R --password-file "$tmp/pw_wrong"
err_is "wrong password" "callsla snapshot: Redis at unix:$sock refused AUTH: WRONGPASS invalid username-password pair or user is disabled."
expect "wrong user password" 2 "$tmp/empty" $R --user reader \
	--password-file "$tmp/pw_wrong"
err_is "wrong user password" "callsla snapshot: Redis at unix:$sock refused AUTH as user \"reader\": WRONGPASS invalid username-password pair or user is disabled."

# The redis { } block of a configuration file: address, prefix, AUTH and
# database from the file; an option still wins.
cli $A -n 1 SADD other:tenants acme
cli $A -n 1 HSET other:snap:acme 'queue|15m|y' "$(row acme queue y 15m 72)"
{ row acme queue y 15m 72; echo; } >"$tmp/db1"
cat >"$tmp/redis.conf" <<EOF
redis = {
	unix_socket = "$sock";
	prefix = "other:";
	user = "default";
	password_file = "$tmp/pw";
};
EOF
expect "config redis block" 0 "$tmp/other" --config "$tmp/redis.conf"
no_err "config redis block"
expect "config, prefix option" 0 "$tmp/all" --config "$tmp/redis.conf" \
	--prefix callsla:
expect "config, password option" 2 "$tmp/empty" --config "$tmp/redis.conf" \
	--password-file "$tmp/pw_wrong"
err_is "config, password option" "callsla snapshot: Redis at unix:$sock refused AUTH as user \"default\": WRONGPASS invalid username-password pair or user is disabled."
sed 's/^};$/	database = 1;\n};/' "$tmp/redis.conf" >"$tmp/db1.conf"
expect "config database" 0 "$tmp/db1" --config "$tmp/db1.conf"
cat >"$tmp/tcp.conf" <<EOF
redis = {
	host = "127.0.0.1";
	port = 1;
};
EOF
expect "config tcp address" 2 "$tmp/empty" --config "$tmp/tcp.conf"
err_is "config tcp address" "callsla snapshot: cannot connect to Redis at 127.0.0.1:1: Connection refused"
# A tenant's meta hash says when its rows were last computed: rows the
# daemon did not rewrite (their numbers did not change) print with that
# time; a meta without a well-formed as_of leaves the rows as stored.
cli $A -n 2 SADD callsla:tenants acme
cli $A -n 2 HSET callsla:snap:acme 'queue|15m|y' "$(row acme queue y 15m 72)"
cli $A -n 2 HSET callsla:snap:acme 'queue|15m|z' "$(row acme queue z 15m 7)"
cli $A -n 2 HSET callsla:meta:acme as_of 2026-03-02T11:04:59.250Z slot 3
sed 's/^};$/	database = 2;\n	prefix = "callsla:";\n};/' "$tmp/redis.conf" |
	grep -v 'prefix = "other:"' >"$tmp/db2.conf"
printf '%s\n' \
 '{"tenant":"acme","as_of":"2026-03-02T11:04:59.250Z","scope":"queue","id":"y","window":"15m","answered":72}' \
 '{"tenant":"acme","as_of":"2026-03-02T11:04:59.250Z","scope":"queue","id":"z","window":"15m","answered":7}' \
	>"$tmp/asof"
expect "rows at the tenant's as_of" 0 "$tmp/asof" --config "$tmp/db2.conf"
cli $A -n 2 HSET callsla:meta:acme as_of garbage
{ row acme queue y 15m 72; echo; row acme queue z 15m 7; echo; } >"$tmp/asis"
expect "malformed meta as_of" 0 "$tmp/asis" --config "$tmp/db2.conf"
echo "snapshot: ok"
