#!/bin/sh
# The wallboard (daemon/wallboard.html, docs/wallboard.md) in headless
# Chromium, compared number by number with the API it reads
# (tests/wallboard/check.py):
# 1. against canned answers (tests/wallboard/serve.py + fixture.json): the
#    page is self-contained, sends the bearer token, picks the first tenant
#    or the one asked for, shows every number, alert and sparkline of the
#    API, coloured as worked out by hand in expect.json; without the token,
#    or when as_of stops moving, it says it is stale;
# 2. against callslad itself (GET / and the API on http.listen port 0),
#    after a known set of events is accounted for in Redis.
# Screenshots are kept in $B/test-artifacts/ (paths printed).
set -u
. "$TESTS/sh/lib/daemon.sh"
WB=$TESTS/wallboard
PAGE=$TESTS/../daemon/wallboard.html
ART=$(cd "$(dirname "$CALLSLA")" && pwd)/test-artifacts
mkdir -p "$ART"
command -v chromium >/dev/null || fail "chromium is not installed"

# Chromium runs as root in CI, hence --no-sandbox; its profile stays in $T.
# Virtual time lets the page's timers and fetches run without waiting.  The
# page's console goes to chromium.err, where no script error may appear.
chrome() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--no-first-run --hide-scrollbars --user-data-dir="$T/chromium" \
		--enable-logging=stderr --v=0 "$@" 2>>"$T/chromium.err"
}

# dump URL OUT [BUDGET_MS]: the DOM once the page has run that long.
dump() {
	chrome --virtual-time-budget="${3:-5000}" --dump-dom "$1" >"$2" ||
		{ tail -n 5 "$T/chromium.err" >&2; fail "chromium --dump-dom $1"; }
	grep -q 'id="status"' "$2" || fail "no page in $2"
	! grep 'Uncaught' "$T/chromium.err" || fail "a script error on $1"
}

# shot URL OUT WIDTH HEIGHT [BUDGET_MS]: a screenshot; a PNG of that size,
# not blank.
shot() {
	rm -f "$2"
	chrome --virtual-time-budget="${5:-5000}" --window-size="$3,$4" \
		--screenshot="$2" "$1" >/dev/null ||
		{ tail -n 5 "$T/chromium.err" >&2; fail "chromium --screenshot $1"; }
	python3 - "$2" "$3" "$4" <<'EOF' || fail "bad screenshot $2"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (int(sys.argv[2]), int(sys.argv[3])), (w, h)
# Concatenated IDAT chunks, inflated: a blank page is one colour, and
# deflates to almost nothing.
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw = zlib.decompress(idat)
assert len(set(raw)) > 64, "only %d distinct bytes" % len(set(raw))
assert len(data) > 40000, "only %d bytes" % len(data)
EOF
	echo "ok: screenshot $2 ($3x$4)"
}

# ---- 1. the page on canned answers ----------------------------------------

# Self-contained: nothing loaded from elsewhere (the only URL is the SVG
# namespace, a name, never fetched).
ext=$(grep -Eio '(src|href|action)="[^"]*"' "$PAGE" | grep -v '^href="data:')
[ -z "$ext" ] || fail "the page refers to resources: $ext"
sed -n '/<style>/,/<\/style>/p' "$PAGE" | grep -Eiq 'url\(|@import|@font-face' &&
	fail "the page's style loads something"
urls=$(grep -Eo 'https?://[^"]*' "$PAGE" | grep -v '^http://www.w3.org/2000/svg$')
[ -z "$urls" ] || fail "the page names URLs: $urls"
echo "ok: the page is self-contained"

# serve [OPTIONS...]: the stand-in server; FIX is its base URL.
serve() {
	rm -f "$T/port"
	python3 "$WB/serve.py" "$PAGE" "$WB/fixture.json" "$T/port" \
		--log "$T/requests.txt" "$@" 2>>"$T/serve.log" &
	SERVE_PID=$!
	PIDS="$PIDS $SERVE_PID"
	wait_for "[ -s '$T/port' ]" 10 || fail "serve.py did not start"
	FIX=http://127.0.0.1:$(cat "$T/port")
}
unserve() {
	kill "$SERVE_PID" 2>/dev/null
	wait "$SERVE_PID" 2>/dev/null
}

TOKEN=wb-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
serve --token "$TOKEN"
# No tenant given: the first of /api/v1/tenants (acme).
dump "$FIX/?window=15m#token=$TOKEN" "$T/acme.html"
python3 "$WB/check.py" "$T/acme.html" "$FIX" --token "$TOKEN" \
	--expect "$WB/expect.json" --stale false || fail "page differs from the API (acme)"
grep -q 'id="pending"[^>]*>1 pending<' "$T/acme.html" ||
	fail "the pending alert is not counted"
dump "$FIX/?tenant=beta#token=$TOKEN" "$T/beta.html"
python3 "$WB/check.py" "$T/beta.html" "$FIX" --token "$TOKEN" --tenant beta \
	--expect "$WB/expect.json" --stale false || fail "page differs from the API (beta)"
# Only the page and the API were asked for.
other=$(grep -v -e '^/$' -e '^/?' -e '^/api/v1/' "$T/requests.txt")
[ -z "$other" ] || fail "the page asked for: $other"
shot "$FIX/?window=15m#token=$TOKEN" "$ART/wallboard-fixture.png" 1920 1080
shot "$FIX/?window=15m#token=$TOKEN" "$ART/wallboard-fixture-laptop.png" 1366 768

# Without the token every API call gets 401: stale, and saying why.
dump "$FIX/" "$T/notoken.html"
python3 "$WB/check.py" "$T/notoken.html" "$FIX" --stale true || fail "no token, not stale"
grep -q 'data-reason="fetch"[^>]*>STALE[^<]*HTTP 401' "$T/notoken.html" ||
	fail "the stale indicator does not name the 401"

# The fixture's as_of never moves: past ?stale=3 seconds the board is stale.
dump "$FIX/?stale=3#token=$TOKEN" "$T/asof.html" 9000
python3 "$WB/check.py" "$T/asof.html" "$FIX" --stale true || fail "as_of stopped, not stale"
grep -q 'data-reason="as_of"' "$T/asof.html" || fail "stale, but not for as_of"
shot "$FIX/?stale=3#token=$TOKEN" "$ART/wallboard-stale.png" 1920 1080 9000

# The API answering 500: stale, saying so.
unserve
serve --token "$TOKEN" --fail-api
dump "$FIX/#token=$TOKEN" "$T/down.html"
grep -q 'data-reason="fetch"[^>]*>STALE[^<]*HTTP 500' "$T/down.html" ||
	fail "API down, not stale"
unserve

# ---- 2. callslad serving the page and the API ------------------------------

# The daemon tests' configuration, with the HTTP server on a port of the
# kernel's choosing, a token, and one rule to colour by.
printf '%s\n' "$TOKEN" >"$T/token"
# (Its own http { } block replaces the one of daemon-event.conf.)
{ grep -v '^http = ' "$TESTS/conf/daemon-event.conf"; cat; } >"$T/wallboard.conf" <<EOF
http = { listen = "127.0.0.1:0"; token_file = "$T/token"; };
alerts = {
	rules = (
		{ name = "sl-low"; scope = "queue"; id = "*"; metric = "service_level";
		  window = "15m"; op = "<"; threshold = 0.8; severity = "critical"; }
	);
};
EOF
CONF=$T/wallboard.conf
"$CALLSLAD" --check-config "$CONF" >"$T/check.log" 2>&1 ||
	fail "check-config: $(cat "$T/check.log")"

start_redis
start_broker 2
start_daemon d1
wait_for "grep -q 'http: listening on 127.0.0.1:' '$T/d1.log'" 20 ||
	fail "callslad did not log its HTTP address"
API=http://$(sed -n 's/.*http: listening on \(127\.0\.0\.1:[0-9]*\).*/\1/p' "$T/d1.log" | head -n 1)

# A known set of events: two tenants' mornings up to 10:30 UTC: t1 (UTC)
# busy in the last 15 minutes, t2 (Shanghai, closed by then) with null
# ratios.  The last hour goes in 3-minute steps, each accounted for before
# the next, so that the daemon samples its per-minute series on the way.
"$CALLSLA" sim --seed 7 --tenants 2 --queues 4 --agents 30 --calls-per-hour 240 |
	awk '{ ts = $0; sub(/.*"ts":"/, "", ts) } substr(ts, 1, 16) < "2026-03-02T10:30"' \
	>"$T/events.jsonl"
n=$(wc -l <"$T/events.jsonl")
[ "$n" -gt 1000 ] || fail "only $n events"
awk -v dir="$T" '{
	ts = $0; sub(/.*"ts":"/, "", ts)
	k = 0
	if (substr(ts, 1, 16) >= "2026-03-02T09:30")
		k = 1 + int((substr(ts, 12, 2) * 60 + substr(ts, 15, 2) - 570) / 3)
	print > (dir "/step-" sprintf("%02d", k) ".jsonl")
}' "$T/events.jsonl"
sent=0
for f in "$T"/step-*.jsonl; do
	"$CALLSLA" produce --brokers "$BROKERS" "$f" >>"$T/produce.log" 2>&1 ||
		fail "produce $f failed"
	sent=$((sent + $(wc -l <"$f")))
	wait_accounted "$sent" 60
done
[ "$sent" -eq "$n" ] || fail "sent $sent of $n"
# The rows reach Redis at the next flush; the API reads them from there.
wait_for "curl -fs -H 'Authorization: Bearer $TOKEN' '$API/api/v1/snapshot?tenant=t1&scope=queue&window=15m' | grep -q '2026-03-02T10:29'" 20 ||
	fail "the API does not show the last events"

# The rule fires for each queue below 80% (no `for`, no clear level): wait
# until the daemon's evaluation has caught up with the last rows, so that the
# page and the API, read one after the other, agree.
alerts_settled() {
	python3 - "$API" "$TOKEN" <<'PY'
import json, sys, urllib.request
api, token = sys.argv[1], sys.argv[2]
def get(path):
    req = urllib.request.Request(api + path, headers={"Authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(req, timeout=5))
want, got = set(), set()
for t in get("/api/v1/tenants")["tenants"]:
    for r in get("/api/v1/snapshot?tenant=%s&scope=queue&window=15m" % t)["rows"]:
        if r["service_level"] is not None and r["service_level"] < 0.8:
            want.add((t, r["id"]))
    for a in get("/api/v1/alerts?tenant=%s" % t)["alerts"]:
        if a["kind"] == "firing" and a["rule"] == "sl-low":
            got.add((a["tenant"], a["id"]))
sys.exit(0 if want and want == got else 1)
PY
}
wait_for alerts_settled 20 || fail "callslad's firing alerts are not the queues below 80%"
echo "ok: the rule fires for the queues below 80%"

curl -fs "$API/" >"$T/served.html" || fail "GET / failed"
cmp -s "$T/served.html" "$PAGE" || fail "GET / is not daemon/wallboard.html"
echo "ok: callslad serves the page"

for tenant in $(curl -fs -H "Authorization: Bearer $TOKEN" "$API/api/v1/tenants" |
		python3 -c 'import json, sys; print(" ".join(json.load(sys.stdin)["tenants"]))'); do
	dump "$API/?tenant=$tenant&window=15m#token=$TOKEN" "$T/d-$tenant.html"
	python3 "$WB/check.py" "$T/d-$tenant.html" "$API" --token "$TOKEN" \
		--tenant "$tenant" --window 15m --stale false \
		--rule queue,service_level,\<,0.8,crit ||
		fail "page differs from callslad's API ($tenant)"
done
shot "$API/?window=15m#token=$TOKEN" "$ART/wallboard.png" 1920 1080
echo "screenshots: $ART/wallboard.png $ART/wallboard-fixture.png $ART/wallboard-fixture-laptop.png $ART/wallboard-stale.png"
