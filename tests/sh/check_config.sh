#!/bin/sh
# check_config.sh - `callsla check-config`: the shipped example passes
# (exit 0, "FILE: ok"), bad files fail with exit 1 and "FILE:LINE: ...",
# a missing argument is a usage error (exit 2).
set -eu

: "${CALLSLA:?set CALLSLA to the callsla binary}"
: "${TESTS:?set TESTS to the tests folder}"
ROOT=$TESTS/..

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "check_config: $*" >&2
	exit 1
}

# The example configuration.
"$CALLSLA" check-config "$ROOT/conf/callsla.conf" >"$tmp/out" 2>"$tmp/err" ||
	fail "conf/callsla.conf refused: $(cat "$tmp/err")"
head -n 1 "$tmp/out" | grep -qx "$ROOT/conf/callsla.conf: ok" ||
	fail "no ok line: $(cat "$tmp/out")"
# Windows by the names their snapshots carry ("60m", as in the spec).
grep -qx "windows: 5m 15m 30m 60m" "$tmp/out" || fail "summary: $(cat "$tmp/out")"
grep -qx "intervals: 15m 30m" "$tmp/out" || fail "summary: $(cat "$tmp/out")"
grep -qx "tenants: 1 (acme)" "$tmp/out" || fail "summary: $(cat "$tmp/out")"
[ -s "$tmp/err" ] && fail "stderr on success: $(cat "$tmp/err")"
# The daemon's settings: the defaults of docs/configuration.md.
expect_lines() { # file with the expected lines
	while IFS= read -r line; do
		grep -qxF "$line" "$tmp/out" ||
			fail "no line \"$line\" in: $(cat "$tmp/out")"
	done <"$1"
}
cat >"$tmp/want" <<'WANT'
consumer.brokers: localhost:9092
consumer.group: callsla
consumer.topics: cc.calls cc.agents
consumer.assignor: range
consumer.start_from: earliest
consumer.dead_letter_topic: (none)
kafka: (none)
redis.host: 127.0.0.1
redis.port: 6379
redis.unix_socket: (none)
redis.user: (none)
redis.password: (none)
redis.database: 0
redis.prefix: "callsla:"
redis.snapshot_ttl: 7d
redis.timeout: 2s
daemon.flush_interval: 1s
daemon.checkpoint_interval: 30s
daemon.journal_max: 10000
daemon.shutdown_timeout: 10s
http.enabled: true
http.listen: 127.0.0.1:8080
http.token: (none)
http.max_lag: 30s
http.series_hours: 6
http.metrics_agents: false
WANT
expect_lines "$tmp/want"

# The commented-out examples turned on, with the secrets in a credentials
# folder as systemd's LoadCredential= provides it.
tab=$(printf '\t')
sed -e "s/^$tab# \(security_protocol\|sasl_[a-z_]*\|ssl_ca_location\|user\|password_file\|unix_socket\|dead_letter_topic\) /$tab\1 /" \
	"$ROOT/conf/callsla.conf" >"$tmp/full.conf"
mkdir "$tmp/cred"
printf 'kafka-s3cret\n' >"$tmp/cred/kafka-password" # 12 bytes
printf 'redis-pw1\r\n' >"$tmp/cred/redis-password"  # 9 bytes
CREDENTIALS_DIRECTORY=$tmp/cred "$CALLSLA" check-config "$tmp/full.conf" \
	>"$tmp/out" 2>"$tmp/err" || fail "examples turned on: $(cat "$tmp/err")"
cat >"$tmp/want" <<'WANT'
consumer.dead_letter_topic: cc.rejected
kafka.security.protocol: sasl_ssl
kafka.sasl.mechanism: SCRAM-SHA-512
kafka.sasl.username: callsla
kafka.sasl.password: (secret, 12 bytes)
kafka.ssl.ca.location: /etc/ssl/certs/ca-certificates.crt
redis.unix_socket: /run/redis/redis-server.sock
redis.user: callsla
redis.password: (secret, 9 bytes)
WANT
expect_lines "$tmp/want"
if grep -q -e s3cret -e redis-pw1 "$tmp/out" "$tmp/err"; then
	fail "a secret was printed"
fi

# Bad files: exit 1, the message on stderr names the file and the line.
expect_bad() { # file, expected stderr line
	rc=0
	"$CALLSLA" check-config "$1" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq 1 ] || fail "$1: exit $rc, expected 1"
	grep -qxF "$2" "$tmp/err" || fail "$1: stderr: $(cat "$tmp/err")"
	[ -s "$tmp/out" ] && fail "$1: stdout on failure: $(cat "$tmp/out")"
	return 0
}
C=$TESTS/conf
expect_bad "$C/bad_unknown_setting.conf" \
	"$C/bad_unknown_setting.conf:5: tenants[0].servce_level: unknown setting"
expect_bad "$C/bad_window.conf" \
	"$C/bad_window.conf:4: engine.windows[2]: 25h: each must be whole seconds from 1s to 24h"
expect_bad "$C/bad_timezone.conf" \
	"$C/bad_timezone.conf:4: tenants[1].timezone: unknown time zone \"Mars/Olympus\""
expect_bad "$C/bad_syntax.conf" "$C/bad_syntax.conf:3: syntax error"
expect_bad "$tmp/missing.conf" \
	"$tmp/missing.conf: cannot read: No such file or directory"
expect_bad "$C/bad_assignor.conf" \
	"$C/bad_assignor.conf:5: consumer.assignor: \"roundrobin\" cannot be used with 2 topics: only \"range\" gives one daemon partition p of every topic, where a tenant's calls and agent events meet (the topics must be co-partitioned)"
# A secret that cannot be read: the file and the OS error, no contents.
kline=$(grep -n "^$tab*sasl_password_file" "$tmp/full.conf" | cut -d: -f1)
[ -n "$kline" ] || fail "no sasl_password_file line in the examples"
rm "$tmp/cred/kafka-password"
CREDENTIALS_DIRECTORY=$tmp/cred expect_bad "$tmp/full.conf" \
	"$tmp/full.conf:$kline: kafka.sasl_password_file: cannot read \"$tmp/cred/kafka-password\": No such file or directory"
(
	unset CREDENTIALS_DIRECTORY
	expect_bad "$tmp/full.conf" \
		"$tmp/full.conf:$kline: kafka.sasl_password_file: \$CREDENTIALS_DIRECTORY is not set (systemd sets it for a service with LoadCredential=)"
)

# Usage errors.
rc=0
"$CALLSLA" check-config >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "no argument: exit $rc, expected 2"
rc=0
"$CALLSLA" check-config a b >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "two arguments: exit $rc, expected 2"
echo "check_config: ok"
