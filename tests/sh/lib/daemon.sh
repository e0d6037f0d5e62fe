# lib/daemon.sh - sourced by the daemon's integration tests: a private
# redis-server and embedded Kafka broker on loopback, callslad instances,
# and the comparison of what Redis holds with `callsla replay`.
# Needs CALLSLA (the tool) and TESTS from tests/run.sh; CALLSLAD is found
# next to CALLSLA.

CALLSLAD=${CALLSLAD:-$(dirname "$CALLSLA")/callslad}
T=$(mktemp -d /tmp/callsla-it.XXXXXX)
PIDS=""
REDIS_PID=""

cleanup() {
	for p in $PIDS $REDIS_PID; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	for f in "$T"/*.log; do
		[ -f "$f" ] || continue
		echo "---- $f (last 30 lines)" >&2
		tail -n 30 "$f" >&2
	done
	exit 1
}

# Waits up to $2 seconds (default 30) for command $1 to succeed.
wait_for() {
	_wf_n=$(( ${2:-30} * 10 ))
	while [ "$_wf_n" -gt 0 ]; do
		if eval "$1" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
		_wf_n=$((_wf_n - 1))
	done
	return 1
}

# Redis on a unix socket in $T, persisting with AOF so that a restart
# (the outage test) keeps what was written.
start_redis() {
	redis-server --port 0 --unixsocket "$T/redis.sock" --dir "$T" \
		--save '' --appendonly yes --appendfsync always \
		--daemonize no >"$T/redis.log" 2>&1 &
	REDIS_PID=$!
	REDIS="unix:$T/redis.sock"
	wait_for "redis-cli -s '$T/redis.sock' ping | grep -q 'PONG\\|NOAUTH'" 10 ||
		fail "redis-server did not start"
}

stop_redis() {
	rcli shutdown >/dev/null 2>&1
	wait "$REDIS_PID" 2>/dev/null
	REDIS_PID=""
}

# RCLI_AUTH: extra redis-cli arguments (--user U --pass P) once Redis
# asks for them.
rcli() {
	redis-cli -s "$T/redis.sock" ${RCLI_AUTH:-} "$@" 2>/dev/null
}

# The embedded broker: BROKERS is set from its first line, BROKER_PID to
# its process (SIGUSR1 takes it down, SIGUSR2 brings it back).
start_broker() {
	# Emptied here, not by the background job's redirection, which may
	# come after the first look for a second broker's address.
	: >"$T/broker.log"
	"$CALLSLA" devbroker --partitions "${1:-4}" >"$T/broker.log" 2>&1 &
	BROKER_PID=$!
	PIDS="$PIDS $BROKER_PID"
	wait_for "grep -q '^bootstrap=' '$T/broker.log'" 10 ||
		fail "devbroker did not start"
	BROKERS=$(sed -n 's/^bootstrap=//p' "$T/broker.log" | head -n 1)
}

# start_daemon NAME [ARGS...]: callslad with $CONF against our broker
# and Redis; its pid is left in DAEMON_PID (and NAME.pid).
start_daemon() {
	_sd_name=$1
	shift
	"$CALLSLAD" --config "$CONF" --brokers "$BROKERS" --redis "$REDIS" \
		"$@" >>"$T/$_sd_name.log" 2>&1 &
	DAEMON_PID=$!
	echo "$DAEMON_PID" >"$T/$_sd_name.pid"
	PIDS="$PIDS $DAEMON_PID"
}

# Events the daemons have accounted for (applied or rejected), summed
# over the slots' meta hashes in Redis.
accounted() {
	rcli --scan --pattern 'callsla:slot:*:meta' | while read -r k; do
		rcli hgetall "$k" | awk 'NR % 2 { k = $0; next }
			k == "applied" || k ~ /^rejected:/ { s += $0 }
			END { print s + 0 }'
	done | awk '{ s += $1 } END { print s + 0 }'
}

# Waits until $1 events are accounted for (up to $2 seconds).
wait_accounted() {
	wait_for "[ \$(accounted) -eq $1 ]" "${2:-60}" ||
		fail "daemons accounted for $(accounted) of $1 events"
}

# What Redis holds must equal a replay of the same events.  The daemon's
# event clock is per partition, so each group of tenants that shares a
# partition is replayed on its own and the outputs merged in order.
compare_with_replay() {
	_cr_events=$1
	"$CALLSLA" snapshot --redis "$REDIS" >"$T/got.jsonl" ||
		fail "callsla snapshot failed"
	: >"$T/want.jsonl"
	for _cr_slot in $(for t in $(rcli smembers callsla:tenants); do
			rcli hget "callsla:meta:$t" slot; done | sort -un); do
		tenants=$(for t in $(rcli smembers callsla:tenants); do
			[ "$(rcli hget "callsla:meta:$t" slot)" = "$_cr_slot" ] &&
				echo "$t"; done)
		pat=$(echo "$tenants" | awk '{ printf "%s\"tenant\":\"%s\"", (NR > 1 ? "|" : ""), $0 }')
		grep -E "$pat" "$_cr_events" >"$T/slot-$_cr_slot.jsonl"
		"$CALLSLA" replay --config "$CONF" "$T/slot-$_cr_slot.jsonl" \
			>>"$T/want.jsonl" 2>/dev/null || fail "replay failed"
	done
	sort -o "$T/want.sorted" "$T/want.jsonl"
	sort -o "$T/got.sorted" "$T/got.jsonl"
	[ -s "$T/want.sorted" ] || fail "replay gave nothing"
	if ! cmp -s "$T/want.sorted" "$T/got.sorted"; then
		diff "$T/want.sorted" "$T/got.sorted" | head -n 20 >&2
		fail "Redis differs from replay ($(wc -l <"$T/got.sorted") vs $(wc -l <"$T/want.sorted") rows)"
	fi
	echo "ok: $(wc -l <"$T/got.sorted") rows in Redis equal the replay"
}

# A random integer in [$1, $2].
rand_between() {
	_r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	echo $(( $1 + _r % ($2 - $1 + 1) ))
}

# Every snapshot row stored under prefix $1, sorted: what two runs are
# compared on.
rows_of() {
	"$CALLSLA" snapshot --redis "$REDIS" --prefix "$1" | sort
}

# stream SPEED SIM-OPTIONS...: the simulator's events, to $T/events.jsonl
# (N: how many) and, paced at SPEED times real time, to the broker in the
# background (SIM_PID; `wait_stream` waits for it).
stream() {
	_st_speed=$1
	shift
	"$CALLSLA" sim "$@" >"$T/events.jsonl" || fail "sim failed"
	N=$(wc -l <"$T/events.jsonl")
	"$CALLSLA" sim "$@" --kafka "$BROKERS" --speed "$_st_speed" \
		2>"$T/sim.log" &
	SIM_PID=$!
	PIDS="$PIDS $SIM_PID"
}

wait_stream() {
	wait "$SIM_PID" || fail "sim --kafka failed"
}
