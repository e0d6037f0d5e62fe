#!/bin/sh
# demo.sh BUILD_DIR - until the daemon exists, the demo shows the engine on
# (1) one real day of the Technion "Anonymous Bank" call centre
# (tests/data/) and (2) a simulated centre at 11:00 on a busy morning, as a
# wallboard would show them.
set -eu
B=${1:-build}
CALLSLA="$B/callsla"
OUT="$B/demo"
mkdir -p "$OUT"

# Prints the queue and tenant rows of one window as a table.
table() {
	gawk -v win="$1" '
	function f(k,   m) { return match($0, "\"" k "\":([^,}]*)", m) ? m[1] : "-" }
	function pct(v) { return v == "null" ? "     -" : sprintf("%5.1f%%", v * 100) }
	function sec(v) { return v == "null" ? "     -" : sprintf("%6.1f", v) }
	BEGIN {
		printf "%-20s %7s %8s %6s %5s %6s %6s %6s %6s %6s %6s %4s %6s %4s\n",
		       "queue", "offered", "answered", "aband", "short", "SL",
		       "3-ring", "aband", "ASA s", "AHT s", "occ", "wait",
		       "oldest", "staf"
	}
	$0 ~ "\"window\":\"" win "\"" && (/"scope":"queue"/ || /"scope":"tenant"/) {
		id = f("id"); gsub(/"/, "", id)
		if (/"scope":"tenant"/) id = "ALL " id
		printf "%-20s %7s %8s %6s %5s %6s %6s %6s %6s %6s %6s %4s %6s %4s\n",
		       id, f("offered"), f("answered"), f("abandoned"),
		       f("short_abandoned"), pct(f("service_level")),
		       pct(f("three_ring_rate")), pct(f("abandon_rate")),
		       sec(f("asa_s")), sec(f("aht_s")), pct(f("occupancy")),
		       f("waiting_now"), sec(f("longest_wait_s")), f("staffed")
	}' "$2"
}

DAY=tests/data/anonymous_bank_1999-05-10.txt
CONF=tests/data/anonymous-bank.conf
AT=1999-05-10T23:59:59.999+03:00
echo "== 1. Real data: Anonymous Bank, Monday 1999-05-10 (Technion SEE lab, \"Anonymous Bank\" call-centre data)"
"$CALLSLA" convert --from technion "$DAY" > "$OUT/bank.jsonl" 2>/dev/null
"$CALLSLA" replay --config "$CONF" --at "$AT" "$OUT/bank.jsonl" \
	> "$OUT/bank-snapshots.jsonl" 2>/dev/null
echo "whole day (window today, Asia/Jerusalem) as of $AT; the records have no agent states, so no occupancy"
table today "$OUT/bank-snapshots.jsonl"

AT2=2026-03-02T11:00:00Z
echo
echo "== 2. Simulated centre (callsla sim --seed 1: 3 queues, 40 agents), 11:00 UTC"
"$CALLSLA" sim --seed 1 > "$OUT/sim.jsonl"
"$CALLSLA" replay --at "$AT2" "$OUT/sim.jsonl" > "$OUT/sim-snapshots.jsonl" 2>/dev/null
echo "last 15 minutes (window 15m), with live gauges (calls waiting, oldest wait, agents staffed)"
table 15m "$OUT/sim-snapshots.jsonl"
echo
echo "SL = answered within 20 s / (answered + abandoned); 3-ring = answered within 15 s (3 x 5 s) / same;"
echo "short abandons (< 5 s) are left out of every ratio."
echo
echo "All snapshots, every scope and window: $OUT/bank-snapshots.jsonl, $OUT/sim-snapshots.jsonl"
echo "Try: $CALLSLA replay --window 60m --at 2026-03-02T15:30:00Z $OUT/sim.jsonl"
