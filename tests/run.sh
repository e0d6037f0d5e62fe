#!/bin/sh
# run.sh BUILD_DIR - runs every cmocka program in BUILD_DIR/tests and every
# shell test in tests/sh, then prints one "N passed, N failed" line.
# A shell test gets CALLSLA (the tool) and TESTS (this folder) in its
# environment and fails by exiting non-zero.
B=${1:-build}
TESTS=$(cd "$(dirname "$0")" && pwd)
CALLSLA=$(cd "$B" && pwd)/callsla
export CALLSLA TESTS
pass=0
fail=0
failed=""
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	echo "== $t"
	if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed $t"; fi
done
for t in "$TESTS"/sh/*.sh; do
	[ -f "$t" ] || continue
	echo "== $t"
	if sh "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed $t"; fi
done
[ -n "$failed" ] && echo "FAILED:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
