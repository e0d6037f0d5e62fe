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

# Usage errors.
rc=0
"$CALLSLA" check-config >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "no argument: exit $rc, expected 2"
rc=0
"$CALLSLA" check-config a b >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "two arguments: exit $rc, expected 2"
echo "check_config: ok"
