#!/bin/sh
# demo.sh BUILD_DIR - until the daemon exists, the demo replays one real
# day of the Technion "Anonymous Bank" call centre (tests/data/) and prints
# its queue table, as a wallboard would show it at the end of that day.
set -eu
B=${1:-build}
CALLSLA="$B/callsla"
DAY=tests/data/anonymous_bank_1999-05-10.txt
CONF=tests/data/anonymous-bank.conf
AT=1999-05-10T23:59:59.999+03:00
OUT="$B/demo"
mkdir -p "$OUT"

echo "callsla demo: converting $DAY (real data: Technion SEE lab, \"Anonymous Bank\")"
"$CALLSLA" convert --from technion "$DAY" > "$OUT/events.jsonl"
echo "callsla demo: replaying $(wc -l < "$OUT/events.jsonl") events with $CONF"
"$CALLSLA" replay --config "$CONF" --at "$AT" "$OUT/events.jsonl" \
	> "$OUT/snapshots.jsonl"

echo
echo "Anonymous Bank, Monday 1999-05-10, whole day (Asia/Jerusalem), as of $AT"
echo "SL = answered within 20 s / (answered + abandoned); 3-ring = answered within 15 s / same"
gawk '
function f(k,   m) { return match($0, "\"" k "\":([^,}]*)", m) ? m[1] : "-" }
function pct(v) { return v == "null" ? "   -" : sprintf("%5.1f%%", v * 100) }
function sec(v) { return v == "null" ? "    -" : sprintf("%6.1f", v) }
BEGIN {
	printf "%-16s %7s %8s %9s %6s %7s %7s %7s %7s %7s %6s\n", "queue", "offered",
	       "answered", "abandoned", "short", "SL", "3-ring", "aband", "ASA s",
	       "AHT s", "occ"
}
/"window":"today"/ && (/"scope":"queue"/ || /"scope":"tenant"/) {
	id = f("id"); gsub(/"/, "", id)
	if (/"scope":"tenant"/) id = "ALL " id
	printf "%-16s %7s %8s %9s %6s %7s %7s %7s %7s %7s %6s\n", id, f("offered"),
	       f("answered"), f("abandoned"), f("short_abandoned"),
	       pct(f("service_level")), pct(f("three_ring_rate")),
	       pct(f("abandon_rate")), sec(f("asa_s")), sec(f("aht_s")),
	       pct(f("occupancy"))
}' "$OUT/snapshots.jsonl"
echo
echo "Every snapshot (all scopes and windows): $OUT/snapshots.jsonl"
echo "Try: $CALLSLA replay --config $CONF --window 60m --at 1999-05-10T11:00:00+03:00 $OUT/events.jsonl"
