#!/bin/sh
# reject_engine.sh - the rejection reasons only the engine can give (they
# need earlier events): each tests/corpus/engine/<reason>-<n>.jsonl ends in
# exactly one rejected event, and replay must count exactly that reason once.
set -u
fail=0
for f in "$TESTS"/corpus/engine/*.jsonl; do
	name=$(basename "$f" .jsonl)
	reason=${name%%-*}
	err=$("$CALLSLA" replay "$f" 2>&1 >/dev/null)
	if ! printf '%s\n' "$err" | grep -q "1 rejected"; then
		echo "FAIL $name: expected 1 rejected: $err"
		fail=1
	elif ! printf '%s\n' "$err" | grep -Eq "^callsla replay:   $reason +1\$"; then
		echo "FAIL $name: expected reason $reason: $err"
		fail=1
	else
		echo "ok   $name"
	fi
done
exit $fail
