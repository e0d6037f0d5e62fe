#!/bin/sh
# callslad's HTTP server (docs/http.md) against a real redis-server and the
# embedded broker, on the event clock: probes, the bearer token, every
# endpoint's 400s, the snapshot equal to `callsla snapshot`, the series
# after three minutes of event time, alerts from the active hash, rules
# from the file, /metrics through `promtool check metrics` with the
# snapshot's numbers, and /readyz naming Redis once it is stopped.
#
# The events: three CDRs of tenant acme, queue billing (T = 20 s, R = 15 s,
# S = 5 s), each sent alone and waited for, so that each is the first
# event of its minute and the flush that applies it takes that minute's
# sample (docs/redis.md, "Series"), as of the CDR's ended_at:
#   c1 offered 10:00:00, answered 10:00:10 (wait 10 s: in SL, in rings),
#      ended 10:00:30.  5m window at 10:00:30: A=1 A_T=1 B=0: SL 1/1 = 1
#   c2 offered 10:01:00, abandoned 10:01:40 (wait 40 s > S: B=1, not in SL).
#      5m window at 10:01:40: A=1 A_T=1 B=1: SL 1/2 = 0.5
#   c3 offered 10:02:00, answered 10:02:30 (wait 30 s > T), ended 10:02:50.
#      5m window at 10:02:50: A=2 A_T=1 B=1: SL 1/3 = 0.3333 (4 decimals),
#      offered 3, abandon_rate B/(A+B+F) = 1/3 = 0.3333
set -u
. "$TESTS/sh/lib/daemon.sh"

TOKEN=tok-0123456789abcdef
printf '%s\n' "$TOKEN" >"$T/token"
{
	grep -v '^http = ' "$TESTS/conf/daemon-event.conf"
	cat <<EOF
http = { listen = "127.0.0.1:0"; token_file = "$T/token"; series_hours = 2; };
alerts = {
	rules = (
		{ name = "never"; tenant = "ac*"; scope = "queue"; id = "bill*";
		  metric = "service_level"; window = "15m"; op = "<";
		  threshold = 0.0; clear = 0.05; min_volume = 20;
		  severity = "critical"; }
	);
};
EOF
} >"$T/http.conf"
CONF=$T/http.conf
"$CALLSLAD" --check-config "$CONF" >"$T/check.log" 2>&1 ||
	fail "check-config: $(cat "$T/check.log")"
grep -q "$TOKEN" "$T/check.log" && fail "check-config shows the token"

start_redis
start_broker 2
start_daemon d
wait_for "grep -q 'http: listening on 127.0.0.1:' '$T/d.log'" 20 ||
	fail "callslad did not log its HTTP address"
API=http://$(sed -n 's/.*http: listening on \(127\.0\.0\.1:[0-9]*\).*/\1/p' "$T/d.log" | head -n 1)
AUTH="Authorization: Bearer $TOKEN"

# get PATH [CURL-ARGS...]: the body to $T/body, the status to stdout.
get() {
	_g_path=$1
	shift
	curl -s -o "$T/body" -w '%{http_code}' "$@" "$API$_g_path"
}
# expect STATUS BODY PATH [CURL-ARGS...]: exact status and body.
expect() {
	_e_code=$1 _e_body=$2 _e_path=$3
	shift 3
	_e_got=$(get "$_e_path" "$@")
	[ "$_e_got" = "$_e_code" ] ||
		fail "$_e_path: status $_e_got, want $_e_code: $(cat "$T/body")"
	[ "$(cat "$T/body")" = "$_e_body" ] ||
		fail "$_e_path: body $(cat "$T/body"), want $_e_body"
}

# ---- probes and the token ----------------------------------------------------
expect 200 '{"status":"ok"}' /healthz
wait_for "[ \$(get /readyz) = 200 ]" 30 || fail "never ready: $(cat "$T/body")"
[ "$(cat "$T/body")" = '{"ready":true}' ] || fail "readyz: $(cat "$T/body")"
expect 401 '{"error":"a valid bearer token is needed (Authorization: Bearer TOKEN)"}' \
	/api/v1/tenants
expect 401 '{"error":"a valid bearer token is needed (Authorization: Bearer TOKEN)"}' \
	/api/v1/tenants -H "Authorization: Bearer ${TOKEN}x"
expect 401 '{"error":"a valid bearer token is needed (Authorization: Bearer TOKEN)"}' \
	/metrics -H "Authorization: Basic $TOKEN"
expect 200 '{"tenants":[]}' /api/v1/tenants -H "$AUTH"
expect 404 '{"error":"no such path"}' /api/v1/nope -H "$AUTH"
expect 405 '{"error":"only GET and HEAD"}' /healthz -X POST
grep -q "$TOKEN" "$T/d.log" && fail "the token was logged"
echo "ok: probes, token, 404, 405"

# ---- events, one minute at a time ---------------------------------------------
ev() { # call_id offered outcome answered ended
	if [ "$3" = answered ]; then
		printf '{"v":1,"type":"cdr","tenant":"acme","call_id":"%s","queue":"billing","offered_at":"2026-03-02T%sZ","outcome":"answered","answered_at":"2026-03-02T%sZ","ended_at":"2026-03-02T%sZ","agent_id":"a1","talk_ms":20000}\n' "$1" "$2" "$4" "$5"
	else
		printf '{"v":1,"type":"cdr","tenant":"acme","call_id":"%s","queue":"billing","offered_at":"2026-03-02T%sZ","outcome":"abandoned","ended_at":"2026-03-02T%sZ"}\n' "$1" "$2" "$5"
	fi
}
ev c1 10:00:00 answered 10:00:10 10:00:30 >"$T/e1.jsonl"
ev c2 10:01:00 abandoned - 10:01:40 >"$T/e2.jsonl"
ev c3 10:02:00 answered 10:02:30 10:02:50 >"$T/e3.jsonl"
n=0
for i in 1 2 3; do
	"$CALLSLA" produce --brokers "$BROKERS" "$T/e$i.jsonl" 2>>"$T/produce.log" ||
		fail "produce failed"
	n=$((n + 1))
	wait_accounted "$n" 60
done
cat "$T/e1.jsonl" "$T/e2.jsonl" "$T/e3.jsonl" >"$T/events.jsonl"

# ---- snapshot -----------------------------------------------------------------
wait_for "[ \$(get /api/v1/tenants -H '$AUTH') = 200 ] && grep -q acme '$T/body'" 20 ||
	fail "tenant acme not listed: $(cat "$T/body")"
[ "$(cat "$T/body")" = '{"tenants":["acme"]}' ] || fail "tenants: $(cat "$T/body")"
"$CALLSLA" snapshot --redis "$REDIS" --tenant acme >"$T/cli.jsonl" ||
	fail "callsla snapshot failed"
[ "$(get '/api/v1/snapshot?tenant=acme' -H "$AUTH")" = 200 ] ||
	fail "snapshot: $(cat "$T/body")"
python3 - "$T/body" "$T/cli.jsonl" <<'EOF' || fail "API snapshot differs from callsla snapshot"
import json, sys
api = json.load(open(sys.argv[1]))["rows"]
cli = [json.loads(l) for l in open(sys.argv[2])]
assert len(cli) > 0 and api == cli, (len(api), len(cli))
EOF
get '/api/v1/snapshot?tenant=acme&scope=queue&id=billing&window=5m' -H "$AUTH" >/dev/null
python3 - "$T/body" <<'EOF' || fail "filtered snapshot: $(cat "$T/body")"
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
assert len(rows) == 1, rows
r = rows[0]
assert (r["as_of"], r["offered"], r["answered"], r["abandoned"]) == \
    ("2026-03-02T10:02:50.000Z", 3, 2, 1), r
assert (r["service_level"], r["abandon_rate"]) == (0.3333, 0.3333), r
EOF
expect 200 '{"rows":[]}' '/api/v1/snapshot?tenant=nobody' -H "$AUTH"
echo "ok: snapshot equals callsla snapshot"

# ---- series ---------------------------------------------------------------------
m0=$(( $(date -u -d 2026-03-02T10:00:00Z +%s) * 1000 ))
m1=$((m0 + 60000))
m2=$((m0 + 120000))
for scope in queue tenant; do
	id=billing
	[ "$scope" = tenant ] && id=acme
	expect 200 "{\"tenant\":\"acme\",\"scope\":\"$scope\",\"id\":\"$id\",\"window\":\"5m\",\"metric\":\"service_level\",\"step_s\":60,\"points\":[[$m0,1.0],[$m1,0.5],[$m2,0.3333]]}" \
		"/api/v1/series?tenant=acme&scope=$scope&id=$id&metric=service_level" -H "$AUTH"
done
# offered in today: 1, 2, 3; occupancy has no agent time: null.
expect 200 "{\"tenant\":\"acme\",\"scope\":\"queue\",\"id\":\"billing\",\"window\":\"today\",\"metric\":\"offered\",\"step_s\":60,\"points\":[[$m0,1],[$m1,2],[$m2,3]]}" \
	"/api/v1/series?tenant=acme&scope=queue&id=billing&metric=offered&window=today&hours=2" -H "$AUTH"
expect 200 "{\"tenant\":\"acme\",\"scope\":\"queue\",\"id\":\"billing\",\"window\":\"5m\",\"metric\":\"occupancy\",\"step_s\":60,\"points\":[[$m0,null],[$m1,null],[$m2,null]]}" \
	"/api/v1/series?tenant=acme&scope=queue&id=billing&metric=occupancy" -H "$AUTH"
expect 200 "{\"tenant\":\"acme\",\"scope\":\"queue\",\"id\":\"nobody\",\"window\":\"5m\",\"metric\":\"offered\",\"step_s\":60,\"points\":[]}" \
	"/api/v1/series?tenant=acme&scope=queue&id=nobody&metric=offered" -H "$AUTH"
# The first sample after the start trims and sets the TTL: series_hours
# = 2 is 7,200,000 ms, of which the test has used well under a minute.
ttl=$(rcli pttl "callsla:series:4:acme|queue|5m|billing")
[ "$ttl" -gt 7140000 ] && [ "$ttl" -le 7200000 ] ||
	fail "series TTL $ttl, want about 7200000 ms"
echo "ok: series of three minutes, expiring series_hours after the start"

# ---- 400s -------------------------------------------------------------------------
bad() { # message path
	expect 400 "{\"error\":\"$1\"}" "$2" -H "$AUTH"
}
bad 'tenant: required' '/api/v1/snapshot'
bad 'tenant: required' '/api/v1/snapshot?tenant='
bad 'scope: unknown scope \"x\" (agent, queue, team or tenant)' '/api/v1/snapshot?tenant=acme&scope=x'
bad 'window: unknown window \"7m\" (5m, 15m, 30m, 60m, cur15m, prev15m, cur30m, prev30m, today)' \
	'/api/v1/snapshot?tenant=acme&window=7m'
bad 'color: unknown parameter' '/api/v1/snapshot?tenant=acme&color=red'
bad 'tenant: given twice' '/api/v1/snapshot?tenant=acme&tenant=b'
bad 'metric: required' '/api/v1/series?tenant=acme&scope=queue&id=billing'
bad 'id: required' '/api/v1/series?tenant=acme&scope=queue&metric=offered'
bad 'metric: \"agents\" is not a number of a queue or tenant row' \
	'/api/v1/series?tenant=acme&scope=queue&id=billing&metric=agents'
bad 'scope: series are kept for queue and tenant rows only' \
	'/api/v1/series?tenant=acme&scope=agent&id=a1&metric=offered'
for h in 0 3 1x -1 ''; do
	bad 'hours: must be a whole number from 1 to 2 (http.series_hours)' \
		"/api/v1/series?tenant=acme&scope=queue&id=billing&metric=offered&hours=$h"
done
bad 'window: unknown window \"1h\" (5m, 15m, 30m, 60m, cur15m, prev15m, cur30m, prev30m, today)' \
	'/api/v1/series?tenant=acme&scope=queue&id=billing&metric=offered&window=1h'
bad 'scope: unknown parameter' '/api/v1/alerts?scope=queue'
bad 'id: unknown parameter' '/api/v1/rules?id=x'
bad 'x: unknown parameter' '/api/v1/tenants?x=1'
bad 'x: unknown parameter' '/metrics?x=1'
echo "ok: 400s"

# ---- alerts (from the active hash) and rules (from the file) --------------------
expect 200 '{"alerts":[]}' /api/v1/alerts -H "$AUTH"
rcli hset callsla:alerts:active \
	'k-b' '{"kind":"firing","rule":"r1","severity":"warning","tenant":"acme","dedup_key":"k-b"}' \
	'k-a' '{"kind":"pending","rule":"r1","severity":"warning","tenant":"acme","dedup_key":"k-a"}' \
	'k-z' '{"kind":"firing","rule":"r2","severity":"critical","tenant":"acme","dedup_key":"k-z"}' \
	'k-o' '{"kind":"firing","rule":"r2","severity":"critical","tenant":"other","dedup_key":"k-o"}' \
	>/dev/null
# Critical first, then by dedup_key; the tenant filter on the decoded name.
expect 200 '{"alerts":[
{"kind":"firing","rule":"r2","severity":"critical","tenant":"acme","dedup_key":"k-z"},
{"kind":"pending","rule":"r1","severity":"warning","tenant":"acme","dedup_key":"k-a"},
{"kind":"firing","rule":"r1","severity":"warning","tenant":"acme","dedup_key":"k-b"}]}' \
	'/api/v1/alerts?tenant=acme' -H "$AUTH"
[ "$(get /api/v1/alerts -H "$AUTH")" = 200 ] &&
	[ "$(grep -c dedup_key "$T/body")" = 4 ] || fail "all alerts: $(cat "$T/body")"
rcli del callsla:alerts:active >/dev/null
expect 200 '{"rules":[
{"name":"never","tenant":"ac*","scope":"queue","id":"bill*","metric":"service_level","window":"15m","op":"<","threshold":0,"clear":0.05,"min_volume":20,"severity":"critical"}]}' \
	'/api/v1/rules?tenant=acme' -H "$AUTH"
expect 200 '{"rules":[]}' '/api/v1/rules?tenant=zeta' -H "$AUTH"
echo "ok: alerts, rules"

# ---- /metrics ---------------------------------------------------------------------
[ "$(get /metrics -H "$AUTH")" = 200 ] || fail "metrics: $(cat "$T/body")"
promtool check metrics <"$T/body" >"$T/promtool.log" 2>&1 ||
	fail "promtool: $(cat "$T/promtool.log")"
grep -qx 'callsla_service_level{tenant="acme",scope="queue",id="billing",window="5m"} 0.3333' "$T/body" ||
	fail "service_level gauge: $(grep service_level "$T/body" | head -n 5)"
grep -qx 'callsla_offered{tenant="acme",scope="tenant",id="acme",window="today"} 3' "$T/body" ||
	fail "offered gauge: $(grep '^callsla_offered' "$T/body" | head -n 5)"
# Agent rows stay out (http.metrics_agents is off); occupancy is null: no sample.
grep -q 'scope="agent"' "$T/body" && fail "agent rows exposed"
grep -q '^callsla_occupancy{' "$T/body" && fail "a null became a sample"
# Three events applied, none rejected, on one partition.
[ "$(awk '/^callsla_events_total\{.*result="applied"\}/ { s += $2 } END { print s }' "$T/body")" = 3 ] ||
	fail "events_total: $(grep '^callsla_events_total' "$T/body")"
grep -q '^callsla_flush_duration_seconds_bucket{le="+Inf"} [1-9]' "$T/body" ||
	fail "no flush histogram"
grep -qx 'callsla_redis_connected 1' "$T/body" || fail "redis_connected"
grep -qx 'callsla_partitions_assigned 2' "$T/body" || fail "partitions_assigned"
# Every gauge of the snapshot's rows equals its row (queue, tenant and
# team scopes; null ratios absent).
python3 - "$T/body" "$T/cli.jsonl" <<'EOF' || fail "metrics differ from the snapshot"
import json, re, sys
got = {}
for line in open(sys.argv[1]):
    m = re.match(r'callsla_([a-z_]+)\{tenant="([^"]*)",scope="([^"]*)",id="([^"]*)",window="([^"]*)"\} (\S+)$', line)
    if m:
        got[m.groups()[:5]] = float(m.group(6))
n = 0
for row in map(json.loads, open(sys.argv[2])):
    if row["scope"] == "agent":
        continue
    for k, v in row.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            name = k[:-2] + "_seconds" if k.endswith("_s") else k
            key = (name, row["tenant"], row["scope"], row["id"], row["window"])
            assert got.get(key) == v, (key, got.get(key), v)
            n += 1
assert n > 100, n
EOF
echo "ok: /metrics passes promtool and equals the snapshot"

# ---- Redis gone -------------------------------------------------------------------
stop_redis
wait_for "[ \$(get /readyz) = 503 ]" 20 || fail "still ready without Redis"
python3 - "$T/body" <<'EOF' || fail "readyz: $(cat "$T/body")"
import json, sys
b = json.load(open(sys.argv[1]))
assert b == {"ready": False, "problems": ["redis not connected"]}, b
EOF
expect 503 '{"error":"redis not connected"}' '/api/v1/snapshot?tenant=acme' -H "$AUTH"
expect 200 '{"status":"ok"}' /healthz
echo "ok: /readyz names Redis when it is down"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
echo "ok: callslad http"
