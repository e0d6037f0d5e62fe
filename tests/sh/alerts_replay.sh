#!/bin/sh
# callsla replay --alerts: a hand-written timeline whose exact transitions
# (times, kinds, values, seq) are worked out below; the dedup keys come
# from openssl, an independent SHA-256.
set -u
T=$(mktemp -d /tmp/callsla-alerts.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# One queue "sales" of tenant "default".  Each call is one outcome event
# with its wait, at the time shown.  T = 20 s, R = 15 s, S = 5 s.
#   c1 answered  10:00:00 wait 10 s (in SL, in rings)
#   c2 abandoned 10:00:30 wait 30 s (counts as B)
#   c3 abandoned 10:01:30 wait 30 s (B)
#   c4 answered  10:04:10 wait 10 s (in SL, in rings)
#   c5 answered  10:08:00 wait 25 s (out of SL, out of rings)
#   c6 answered  10:09:00 wait 10 s (in SL, in rings)
ev() { # time event call wait [agent]
	printf '{"v":1,"type":"call","event":"%s","ts":"2026-03-02T%sZ","call_id":"%s","queue":"sales",%s"wait_ms":%s}\n' \
		"$2" "$1" "$3" "${5:+\"agent_id\":\"$5\",}" "$4"
}
{
	ev 10:00:00 answered c1 10000 a1
	ev 10:00:30 abandoned c2 30000
	ev 10:01:30 abandoned c3 30000
	ev 10:04:10 answered c4 10000 a1
	ev 10:08:00 answered c5 25000 a1
	ev 10:09:00 answered c6 10000 a1
} >"$T/events.jsonl"

cat >"$T/alerts.conf" <<'CONF'
engine = { clock = "event"; windows = [ "5m" ]; };
alerts = {
	evaluate_every = "1m";
	rules = (
		{ name = "abandon-high"; scope = "queue"; id = "sales";
		  metric = "abandon_rate"; window = "5m"; op = ">";
		  threshold = 0.25; clear = 0.1; for = "2m"; min_volume = 2;
		  severity = "critical"; repeat = "3m";
		  labels = { team = "frontline"; };
		  summary = "{label.team}: abandon rate {value} on {id} over {window}"; },
		{ name = "sl-low"; metric = "service_level"; window = "5m";
		  op = "<"; threshold = 0.8; clear = 0.9; for = "1m"; },
		{ name = "rings-low"; scope = "queue"; metric = "three_ring_rate";
		  window = "5m"; op = "<"; threshold = 0.9; for = "6m";
		  min_volume = 1; }
	);
};
CONF

# Evaluations happen at each whole minute the event clock crosses, before
# the first later event is applied, and at the end (10:09:00).  The 5m
# window at t is (t-5m, t].
#
# abandon-high = B / (A + B + F) of queue sales, judged from 2 calls on:
#   10:00 c1: 1 call, not judged
#   10:01 c1 c2: 1/2 = 0.5 > 0.25            -> pending (seq 0)
#   10:02 c1-c3: 2/3 = 0.6667, held 1m < 2m
#   10:03 0.6667, held 2m                     -> firing seq 1
#   10:04 0.6667 (c4 comes at 10:04:10); repeat after 3m: not yet
#   10:05 (10:00,10:05]: c2 c3 c4: 2/3
#   10:06 (10:01,10:06]: c3 c4: 1/2 = 0.5, 3m since 10:03  -> repeat seq 2
#   10:07 (10:02,10:07]: c4 only: not judged, keeps firing quietly
#   10:08 c4 c5: 0/2 = 0 <= clear 0.1         -> resolved seq 3
#   10:09 c4-c6: 0, inactive
# sl-low = A_T / (A + B) of the tenant (abandons count against):
#   10:00 1/1; 10:01 1/2 = 0.5 < 0.8          -> pending (seq 0)
#   10:02 1/3 = 0.3333, held 1m               -> firing seq 1
#   10:03-10:05 1/3, 10:06 c3 c4: 1/2 = 0.5, below clear 0.9: firing
#   10:07 c4: 1/1 = 1 >= 0.9                  -> resolved seq 2
#   10:08 c4 c5: 1/2 = 0.5                    -> pending (seq 2)
#   10:09 c4-c6: 2/3 = 0.6667, held 1m        -> firing seq 3
# rings-low = A_R / (A + B) of every queue, for 6m:
#   10:01 1/2 = 0.5 -> pending; 10:02-10:05 1/3, 10:06 1/2 (held < 6m)
#   10:07 c4: 1/1 = 1, healthy before 6m      -> cancelled (seq 0)
#   10:08 c4 c5: 1/2 = 0.5                    -> pending; 10:09 2/3, held
key() {
	printf '["%s","default","%s","%s"]' "$1" "$2" "$3" |
		openssl dgst -sha256 | sed 's/.*= //' | cut -c1-32
}
KA=$(key abandon-high queue sales)
KS=$(key sl-low tenant default)
KR=$(key rings-low queue sales)
line() { # time kind rule severity scope id metric value threshold key seq summary
	printf '{"at":"2026-03-02T%s.000Z","kind":"%s","rule":"%s","severity":"%s","tenant":"default","scope":"%s","id":"%s","window":"5m","metric":"%s","value":%s,"threshold":%s,"dedup_key":"%s","seq":%s,"summary":"%s"}\n' \
		"$@"
}
A() { line "$1" "$2" abandon-high critical queue sales abandon_rate "$3" 0.25 "$KA" "$4" "frontline: abandon rate $3 on sales over 5m"; }
S() { line "$1" "$2" sl-low warning tenant default service_level "$3" 0.8 "$KS" "$4" "sl-low: service_level $3 (threshold 0.8) on tenant default of default, 5m"; }
R() { line "$1" "$2" rings-low warning queue sales three_ring_rate "$3" 0.9 "$KR" "$4" "rings-low: three_ring_rate $3 (threshold 0.9) on queue sales of default, 5m"; }
{
	A 10:01:00 pending 0.5 0
	S 10:01:00 pending 0.5 0
	R 10:01:00 pending 0.5 0
	S 10:02:00 firing 0.3333 1
	A 10:03:00 firing 0.6667 1
	A 10:06:00 repeat 0.5 2
	S 10:07:00 resolved 1 2
	R 10:07:00 cancelled 1 0
	A 10:08:00 resolved 0 3
	S 10:08:00 pending 0.5 2
	R 10:08:00 pending 0.5 0
	S 10:09:00 firing 0.6667 3
} >"$T/want.jsonl"

"$CALLSLA" replay --alerts --config "$T/alerts.conf" "$T/events.jsonl" \
	>"$T/got.jsonl" 2>"$T/err" || fail "replay --alerts failed: $(cat "$T/err")"
if ! cmp -s "$T/want.jsonl" "$T/got.jsonl"; then
	diff "$T/want.jsonl" "$T/got.jsonl" >&2
	fail "replay --alerts timeline differs"
fi
grep -q '12 alert transitions' "$T/err" || fail "no transition count: $(cat "$T/err")"
echo "ok: the timeline of three rules, exactly"

# --at 10:03:30: c4 and later are not applied; evaluations at 10:02, 10:03
# and at 10:03:30 itself, which changes nothing (abandon-high still 2/3,
# sl-low 1/3, rings-low held 2.5m < 6m).
head -n 5 "$T/want.jsonl" >"$T/want-at.jsonl"
"$CALLSLA" replay --alerts --config "$T/alerts.conf" --at 2026-03-02T10:03:30Z \
	"$T/events.jsonl" >"$T/got-at.jsonl" 2>/dev/null || fail "replay --alerts --at failed"
cmp -s "$T/want-at.jsonl" "$T/got-at.jsonl" || {
	diff "$T/want-at.jsonl" "$T/got-at.jsonl" >&2
	fail "replay --alerts --at differs"
}
echo "ok: --at"

# Twice the same input, the same bytes; --window makes no sense with it.
"$CALLSLA" replay --alerts --config "$T/alerts.conf" "$T/events.jsonl" 2>/dev/null |
	cmp -s - "$T/got.jsonl" || fail "a second run differs"
"$CALLSLA" replay --alerts --window 5m "$T/events.jsonl" >/dev/null 2>&1
[ $? -eq 2 ] || fail "--alerts with --window is not a usage error"
echo "ok: deterministic, usage"
