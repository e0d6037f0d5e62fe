#!/bin/sh
# realdata.sh - one real day of the Technion "Anonymous Bank" data (Monday
# 1999-05-10, every row of that date) through `callsla convert` and
# `callsla replay`.  The expected numbers are computed here from the raw
# rows with awk, by the rules of docs/real-data.md, independently of the C
# code; then they are compared with
#   1. the summary the converter prints and the events it writes, and
#   2. the queue-scope `today` snapshots of the replay.
# `today` is the bank's local day (Asia/Jerusalem, UTC+3 that day): an
# outcome after local midnight belongs to 11 May even though its row is
# dated 990510, so it is not counted here.
set -eu

: "${CALLSLA:?set CALLSLA to the callsla binary}"
: "${TESTS:?set TESTS to the tests folder}"
DAY=$TESTS/data/anonymous_bank_1999-05-10.txt
CONF=$TESTS/data/anonymous-bank.conf
AT=1999-05-10T23:59:59.999+03:00
AS_OF=1999-05-10T20:59:59.999Z
# the first instant of 11 May, local time
END_Z=1999-05-10T21:00:00.000Z

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "realdata: $*" >&2
	exit 1
}

# ---- expected, from the raw rows ------------------------------------------
# Output: "summary ROWS HEADER PHANTOM VRU_ONLY BAD CALLS EVENTS", then per
# queue "Q offered answered abandoned short in_sl in_rings handled talk_s
# waiting", waiting being the calls queued before local midnight and still
# waiting then.
awk '
function secs(t, a) {
	split(t, a, ":")
	return a[1] * 3600 + a[2] * 60 + a[3]
}
# seconds since the date'"'"'s local midnight; a clock time more than 12 h
# before the VRU entry is on the next day
function at(t) {
	t = secs(t)
	return t < entry - 43200 ? t + 86400 : t
}
BEGIN { FS = "[ \t,\r]+" }
{ rows++ }
$1 == "vru+line" { header++; next }
$13 == "PHANTOM" { phantom++; next }
{
	entry = secs($7)
	q = $5
	queued = $10 != "0:00:00"
	served = $14 != "0:00:00"
	agent = $13 == "AGENT"
	if (!agent && !queued) { vru++; next }
	if (agent && !queued && !served) { bad++; next }
	calls++
	events += 2 + (agent && served)
	if (queued) {
		t = at($11)
		wait = $12
		if (at($10) < 86400 && t >= 86400) waiting[q]++
	} else {
		t = at($14)
		wait = 0
	}
	seen[q] = 1
	if (t < 86400) {
		offered[q]++
		if (agent) {
			answered[q]++
			if (wait <= 20) in_sl[q]++
			if (wait <= 15) in_rings[q]++
		} else if (wait < 5) {
			short[q]++
		} else {
			abandoned[q]++
		}
	}
	if (agent && served) {
		end = at($15)
		if (end < t) end = t
		if (end < 86400) {
			handled[q]++
			talk[q] += $16
		}
	}
}
END {
	print "summary", rows, header + 0, phantom + 0, vru + 0, bad + 0, \
		calls + 0, events + 0
	for (q in seen)
		print q, offered[q] + 0, answered[q] + 0, abandoned[q] + 0, \
			short[q] + 0, in_sl[q] + 0, in_rings[q] + 0, \
			handled[q] + 0, talk[q] + 0, waiting[q] + 0
}' "$DAY" | sort >"$tmp/raw"

grep -v '^summary' "$tmp/raw" >"$tmp/raw.queues"
set -- $(grep '^summary' "$tmp/raw")
rows=$2 header=$3 phantom=$4 vru=$5 bad=$6 calls=$7 events=$8
[ "$rows" -eq 1979 ] || fail "the excerpt should have 1979 lines, has $rows"

# ---- the converter ------------------------------------------------------------
"$CALLSLA" convert --from technion "$DAY" >"$tmp/events" 2>"$tmp/convert.err" ||
	fail "convert failed: $(cat "$tmp/convert.err")"
want="callsla convert: $rows rows from 1 file: $calls calls ($events events), $header header, 0 blank, $phantom phantom, $vru vru_only, $bad bad"
grep -qxF "$want" "$tmp/convert.err" ||
	fail "convert summary: expected \"$want\", got: $(cat "$tmp/convert.err")"
grep -q "agent_without_times=$bad " "$tmp/convert.err" ||
	fail "convert: expected $bad agent_without_times rows"
[ "$(wc -l <"$tmp/events")" -eq "$events" ] || fail "expected $events events"

# The events, counted the same way: outcomes and ends before local midnight,
# an ended event's queue taken from its call's offered event.
awk -v end="$END_Z" '
function str(k, m) {
	if (!match($0, "\"" k "\":\"[^\"]*\"")) return ""
	m = substr($0, RSTART, RLENGTH)
	sub("^\"" k "\":\"", "", m)
	return substr(m, 1, length(m) - 1)
}
function num(k, m) {
	if (!match($0, "\"" k "\":-?[0-9]+")) return -1
	m = substr($0, RSTART, RLENGTH)
	sub("^\"" k "\":", "", m)
	return m + 0
}
{
	ts = str("ts")
	if (ts < last) { print "not sorted at line " NR > "/dev/stderr"; exit 1 }
	last = ts
	ev = str("event")
	id = str("call_id")
	if (ev == "offered") { queue[id] = str("queue"); seen[queue[id]] = 1 }
	if (ts >= end) next
	q = queue[id]
	wait = num("wait_ms")
	if (ev == "offered") waiting[q]++
	if (ev == "answered" || ev == "abandoned") waiting[q]--
	if (ev == "answered") {
		offered[q]++
		answered[q]++
		if (wait <= 20000) in_sl[q]++
		if (wait <= 15000) in_rings[q]++
	} else if (ev == "abandoned") {
		offered[q]++
		if (wait < 5000) short[q]++
		else abandoned[q]++
	} else if (ev == "ended") {
		handled[q]++
		talk[q] += num("talk_ms") / 1000
	}
}
END {
	for (q in seen)
		print q, offered[q] + 0, answered[q] + 0, abandoned[q] + 0, \
			short[q] + 0, in_sl[q] + 0, in_rings[q] + 0, \
			handled[q] + 0, talk[q] + 0, waiting[q] + 0
}' "$tmp/events" >"$tmp/events.unsorted" || fail "convert output"
sort "$tmp/events.unsorted" >"$tmp/events.queues"
diff "$tmp/raw.queues" "$tmp/events.queues" >"$tmp/diff" ||
	fail "converted events disagree with the raw rows (raw <, events >):
$(cat "$tmp/diff")"

# ---- the replay ---------------------------------------------------------------
"$CALLSLA" convert --from technion "$DAY" 2>/dev/null |
	"$CALLSLA" replay --config "$CONF" --at "$AT" --window today - \
		>"$tmp/snap" 2>"$tmp/replay.err" ||
	fail "replay failed: $(cat "$tmp/replay.err")"

python3 - "$tmp/raw.queues" "$tmp/snap" "$AS_OF" <<'EOF' || exit 1
import json, sys

raw_path, snap_path, as_of = sys.argv[1:4]
fields = ["offered", "answered", "abandoned", "short_abandoned",
          "answered_in_sl", "answered_in_rings", "handled"]
want = {}
for line in open(raw_path):
    q, *v = line.split()
    want[q] = dict(zip(fields, map(int, v[:7])), talk_s=int(v[7]),
                   waiting_now=int(v[8]))

got = {}
for line in open(snap_path):
    s = json.loads(line)
    if (s["tenant"], s["scope"], s["window"]) == ("anonymous-bank", "queue",
                                                  "today"):
        got[s["id"]] = s

errors = []
for q in sorted(set(want) | set(got)):
    if q not in got:
        errors.append("queue %s: no today snapshot" % q)
        continue
    s = got[q]
    if q not in want:
        if any(s.get(f) for f in fields):
            errors.append("queue %s: unexpected %s" % (q, s))
        continue
    if s["as_of"] != as_of:
        errors.append("queue %s: as_of %s, expected %s" % (q, s["as_of"],
                                                           as_of))
    for f in fields + ["waiting_now"]:
        if s.get(f) != want[q][f]:
            errors.append("queue %s: %s = %s, expected %s" %
                          (q, f, s.get(f), want[q][f]))
    h = want[q]["handled"]
    aht = want[q]["talk_s"] / h if h else None
    if aht is None:
        if s.get("aht_s") is not None:
            errors.append("queue %s: aht_s %s, expected null" % (q, s["aht_s"]))
    elif s.get("aht_s") is None or abs(s["aht_s"] - aht) > 0.0005 + 1e-9:
        errors.append("queue %s: aht_s %s, expected %.4f" % (q, s.get("aht_s"),
                                                             aht))
for e in errors:
    print("realdata: replay:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
echo "realdata: 1999-05-10: $calls calls, $events events; per queue (offered answered abandoned short in_sl in_rings handled talk_s waiting):"
sed 's/^/realdata:   /' "$tmp/raw.queues"
