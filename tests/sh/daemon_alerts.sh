#!/bin/sh
# daemon_alerts.sh - callslad's alerts on the event clock: a rule fires,
# callslad is killed (kill -9) while it fires, restarted, and the rule
# resolves.  The stream holds exactly one firing and one resolved for the
# dedup key (the restart neither fires again nor forgets), the active hash
# ends empty, and a signed webhook received the firing and the resolved
# notifications (a duplicate only with the same webhook-id).  Then two
# daemons in one group: one stream entry per transition.
set -u
. "$TESTS/sh/lib/daemon.sh"

SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
printf '%s\n' "$SECRET" >"$T/hook-secret"
python3 "$TESTS/sh/lib/hook_receiver.py" --port-file "$T/port" \
	--log "$T/hooks.jsonl" --secret "$SECRET" 2>"$T/receiver.log" &
PIDS="$PIDS $!"
wait_for "test -s '$T/port'" 10 || fail "hook receiver did not start"

CONF=$T/callsla.conf
cp "$TESTS/conf/daemon-event.conf" "$CONF"
cat >>"$CONF" <<EOF
alerts = {
	evaluate_every = "1m";
	notifiers = (
		{ name = "hook"; type = "webhook";
		  url = "http://127.0.0.1:$(cat "$T/port")/hook";
		  secret_file = "hook-secret"; timeout = "2s";
		  backoff_min = "100ms"; backoff_max = "1s"; }
	);
	rules = (
		{ name = "abandon-high"; scope = "queue"; id = "sales";
		  metric = "abandon_rate"; window = "5m"; op = ">";
		  threshold = 0.25; min_volume = 2; severity = "critical";
		  notifiers = [ "hook" ]; }
	);
};
EOF
"$CALLSLA" check-config "$CONF" >/dev/null || fail "test config invalid"

ev() { # tenant time event call wait [agent]
	printf '{"v":1,"type":"call","tenant":"%s","event":"%s","ts":"2026-03-02T%sZ","call_id":"%s","queue":"sales",%s"wait_ms":%s}\n' \
		"$1" "$3" "$2" "$4" "${6:+\"agent_id\":\"$6\",}" "$5"
}
# Phase 1: by 10:01 the 5m window holds 2 abandoned of 4 calls: 0.5, and
# at every evaluation before, 1/2 or 2/3 once judged (2 calls): it fires
# once, whatever the batches.
phase1() {
	ev "$1" 10:00:00 answered c1 10000 a1
	ev "$1" 10:00:30 abandoned c2 30000
	ev "$1" 10:00:40 abandoned c3 30000
	ev "$1" 10:01:00 answered c4 10000 a1
}
# Phase 2: at 10:07 the window (10:02, 10:07] holds 4 answered calls: 0.
phase2() {
	ev "$1" 10:06:00 answered c5 10000 a1
	ev "$1" 10:06:01 answered c6 10000 a1
	ev "$1" 10:06:02 answered c7 10000 a1
	ev "$1" 10:07:00 answered c8 10000 a1
}
key() {
	printf '["abandon-high","%s","queue","sales"]' "$1" |
		openssl dgst -sha256 | sed 's/.*= //' | cut -c1-32
}
KEY=$(key t1)

kinds() { # the kinds in stream $1 for dedup key $2, one per line
	rcli xrange "$1" - + | awk -v k="$2" '
		prev == "kind" { kind = $0 }
		prev == "dedup_key" && $0 == k { print kind }
		{ prev = $0 }'
}

start_redis
start_broker 2
start_daemon d1
phase1 t1 >"$T/phase1.jsonl"
"$CALLSLA" produce --brokers "$BROKERS" "$T/phase1.jsonl" 2>"$T/produce.log" ||
	fail "produce failed"
wait_for "kinds callsla:alerts $KEY | grep -qx firing" 60 ||
	fail "no firing in the stream"
[ "$(rcli hlen callsla:alerts:active)" = 1 ] ||
	fail "the firing alert is not in alerts:active"
rcli hget callsla:alerts:active "$KEY" |
	grep -q '"kind":"firing","rule":"abandon-high"' ||
	fail "alerts:active does not hold the firing alert"
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
echo "ok: fired, then killed"

start_daemon d2
phase2 t1 >"$T/phase2.jsonl"
"$CALLSLA" produce --brokers "$BROKERS" "$T/phase2.jsonl" 2>>"$T/produce.log" ||
	fail "produce failed"
wait_accounted 8 60
wait_for "kinds callsla:alerts $KEY | grep -qx resolved" 60 ||
	fail "no resolved in the stream"
sleep 1
[ "$(kinds callsla:alerts "$KEY" | tr '\n' ' ')" = "firing resolved " ] ||
	fail "stream kinds for the key: $(kinds callsla:alerts "$KEY" | tr '\n' ' ')"
[ "$(rcli hlen callsla:alerts:active)" = 0 ] || fail "alerts:active is not empty"
grep -q 'alert {.*"kind":"resolved"' "$T/d2.log" || fail "no resolved in the log"
echo "ok: one firing and one resolved across kill -9"

# The webhook: firing (seq 1) and resolved (seq 2), each at least once;
# a repeated delivery carries the same webhook-id.
wait_for "[ \$(grep -c . '$T/hooks.jsonl') -ge 2 ]" 30 ||
	fail "the webhook did not receive two notifications"
python3 - "$T/hooks.jsonl" "$KEY" <<'PY' || fail "webhook deliveries differ"
import json, sys
key = sys.argv[2]
ids = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    h = {k.lower(): v for k, v in r["headers"].items()}
    body = r["body"] if isinstance(r["body"], str) else json.dumps(r["body"])
    kind = ("firing" if '"firing"' in body else
            "resolved" if '"resolved"' in body else "?")
    if ids.setdefault(h["webhook-id"], kind) != kind:
        sys.exit("webhook-id %s reused for %s" % (h["webhook-id"], kind))
want = {key + ":1": "firing", key + ":2": "resolved"}
if ids != want:
    sys.exit("got %r, want %r" % (ids, want))
PY
echo "ok: the webhook got the firing and the resolved notifications"
kill "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null

# Two daemons in one group, on a new broker (their own group and prefix):
# a tenant's rules are evaluated by its partition's owner only, so the
# firings of t2 and t3 are each in the stream once.
kill "$BROKER_PID"
wait "$BROKER_PID" 2>/dev/null
start_broker 2
{ phase1 t2; phase1 t3; } | sort -s -t'"' -k18,18 >"$T/group.jsonl"
start_daemon g1 --group g2 --prefix g:
start_daemon g2 --group g2 --prefix g:
"$CALLSLA" produce --brokers "$BROKERS" "$T/group.jsonl" 2>>"$T/produce.log" ||
	fail "produce failed"
wait_for "[ \$(rcli xlen g:alerts) -ge 2 ]" 60 ||
	fail "the group's stream: $(rcli xlen g:alerts) entries"
sleep 2
[ "$(kinds g:alerts "$(key t2)")" = firing ] &&
	[ "$(kinds g:alerts "$(key t3)")" = firing ] &&
	[ "$(rcli xlen g:alerts)" = 2 ] ||
	fail "the group's stream: $(rcli xlen g:alerts) entries"
[ "$(rcli hlen g:alerts:active)" = 2 ] ||
	fail "g:alerts:active holds $(rcli hlen g:alerts:active)"
echo "ok: two daemons, one entry per transition"
