#!/bin/sh
# notify_retry.sh - `callsla alert-test` through three notifiers to
# tests/sh/lib/hook_receiver.py: a signed webhook whose receiver fails the
# first two attempts (500, then 429 with Retry-After: 1) and checks every
# signature with python's hmac; PagerDuty and Slack to a second receiver.
# Each receiver logs exactly one accepted firing and one resolved, in that
# order, with the dedup key worked out here from its definition.  A wrong
# secret is refused by the receiver (401) and not retried.
. "$TESTS/sh/lib/daemon.sh"

SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
printf '%s\n' "$SECRET" >"$T/hook-secret"
printf 'whsec_c29tZXRoaW5nIGVsc2U=\n' >"$T/wrong-secret"
printf 'R0uting\n' >"$T/pd-key"

python3 "$TESTS/sh/lib/hook_receiver.py" --port-file "$T/port1" \
	--log "$T/signed.jsonl" --fail 500,429 --secret "$SECRET" \
	2>"$T/receiver1.log" &
PIDS="$PIDS $!"
python3 "$TESTS/sh/lib/hook_receiver.py" --port-file "$T/port2" \
	--log "$T/plain.jsonl" 2>"$T/receiver2.log" &
PIDS="$PIDS $!"
wait_for "test -s '$T/port1' && test -s '$T/port2'" 10 ||
	fail "hook receivers did not start"
P1=$(cat "$T/port1")
P2=$(cat "$T/port2")

conf() { # conf FILE SECRET_FILE
	cat >"$1" <<EOF
alerts = {
	notifiers = (
		{ name = "hook"; type = "webhook";
		  url = "http://127.0.0.1:$P1/hook"; secret_file = "$2";
		  timeout = "2s"; max_attempts = 4;
		  backoff_min = "100ms"; backoff_max = "2s"; },
		{ name = "pd"; type = "pagerduty";
		  url = "http://127.0.0.1:$P2/pd"; routing_key_file = "pd-key"; },
		{ name = "chat"; type = "slack"; url = "http://127.0.0.1:$P2/slack"; }
	);
};
EOF
}
conf "$T/alerts.conf" hook-secret
conf "$T/wrong.conf" wrong-secret

"$CALLSLA" alert-test --config "$T/alerts.conf" --resolve-after 500ms \
	>"$T/out.txt" 2>"$T/alert-test.log" ||
	fail "alert-test exited $?: $(cat "$T/out.txt")"
cat >"$T/want.txt" <<EOF
hook: firing delivered after 3 attempts
pd: firing delivered after 1 attempt
chat: firing delivered after 1 attempt
hook: resolved delivered after 1 attempt
pd: resolved delivered after 1 attempt
chat: resolved delivered after 1 attempt
EOF
diff "$T/want.txt" "$T/out.txt" || fail "alert-test's report differs"
grep -q '^hook_receiver: failing /hook with 500' "$T/receiver1.log" &&
	grep -q '^hook_receiver: failing /hook with 429' "$T/receiver1.log" ||
	fail "the receiver did not fail the first attempts"
! grep -q ' 401 ' "$T/receiver1.log" || fail "a signature was refused"

python3 - "$T/signed.jsonl" "$T/plain.jsonl" <<'EOF' || fail "logs differ"
import hashlib, json, sys
# The dedup key by its definition (include/callsla/alert.h): the first 16
# bytes of SHA-256 of ["rule","tenant","scope","id"], in hex.
key = hashlib.sha256(b'["callsla-alert-test","alert-test","tenant",'
                     b'"alert-test"]').hexdigest()[:32]
signed = [json.loads(l) for l in open(sys.argv[1])]
plain = [json.loads(l) for l in open(sys.argv[2])]
assert len(signed) == 2, signed
for r, kind, seq in zip(signed, ("firing", "resolved"), (1, 2)):
    assert r["path"] == "/hook", r
    assert r["headers"]["webhook-id"] == "%s:%d" % (key, seq), r
    assert r["headers"]["webhook-signature"].startswith("v1,"), r
    assert r["body"]["type"] == "alert." + kind, r
    assert r["body"]["data"]["kind"] == kind, r
    assert r["body"]["data"]["rule"] == "callsla-alert-test", r
    assert r["body"]["data"]["dedup_key"] == key, r
    assert r["body"]["data"]["seq"] == seq, r
pd = [r for r in plain if r["path"] == "/pd"]
slack = [r for r in plain if r["path"] == "/slack"]
assert len(pd) == 2 and len(slack) == 2, plain
assert [r["body"]["event_action"] for r in pd] == ["trigger", "resolve"], pd
for r in pd:
    assert r["body"]["routing_key"] == "R0uting", r
    assert r["body"]["dedup_key"] == key, r
    assert "webhook-signature" not in r["headers"], r
p = pd[0]["body"]["payload"]
assert p["source"] == "alert-test/tenant/alert-test", p
assert p["severity"] == "warning", p
assert slack[0]["body"]["text"].startswith("FIRING [warning] "
                                           "callsla-alert-test: "), slack
assert slack[1]["body"]["text"].startswith("RESOLVED [warning] "), slack
EOF

# A wrong secret: refused with 401, which is final.
"$CALLSLA" alert-test --config "$T/wrong.conf" --notifier hook \
	>"$T/out2.txt" 2>>"$T/alert-test.log" && fail "wrong secret accepted"
[ "$(cat "$T/out2.txt")" = "hook: firing not delivered after 1 attempt: HTTP 401" ] ||
	fail "wrong secret: $(cat "$T/out2.txt")"
grep -q ' 401 /hook: no v1 signature matches' "$T/receiver1.log" ||
	fail "the receiver did not refuse the signature"
[ "$(wc -l <"$T/signed.jsonl")" -eq 2 ] || fail "more than two accepted"

# Usage errors.
"$CALLSLA" alert-test --config "$T/alerts.conf" --notifier nope \
	>/dev/null 2>"$T/err.txt" && fail "unknown notifier accepted"
grep -q 'no notifier "nope"' "$T/err.txt" || fail "$(cat "$T/err.txt")"
"$CALLSLA" alert-test >/dev/null 2>&1
[ $? -eq 2 ] || fail "no --config: not a usage error"
echo "notify_retry: ok"
