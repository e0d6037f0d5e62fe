#!/bin/sh
# notify_alertmanager.sh - a real Prometheus Alertmanager (Debian's
# prometheus-alertmanager) on a free loopback port, with a temporary
# folder, one null receiver and no cluster port.  `callsla alert-test`
# posts a firing alert: Alertmanager's own API (GET /api/v2/alerts) shows
# it active with exactly the labels docs/alerts.md promises; after the
# resolution it is no longer listed.
. "$TESTS/sh/lib/daemon.sh"

AM=${ALERTMANAGER:-/usr/bin/prometheus-alertmanager}
[ -x "$AM" ] || fail "$AM not installed (package prometheus-alertmanager)"

cat >"$T/am.yml" <<'EOF'
route:
  receiver: "null"
receivers:
  - name: "null"
EOF

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# alerts_json: what Alertmanager lists now.
alerts_json() {
	python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
		"http://127.0.0.1:$PORT/api/v2/alerts"
}

# The port is asked of the kernel and then given to Alertmanager; another
# process may take it in between, so try a few.
for try in 1 2 3; do
	PORT=$(free_port)
	mkdir -p "$T/am-data"
	"$AM" --config.file="$T/am.yml" --storage.path="$T/am-data" \
		--web.listen-address="127.0.0.1:$PORT" \
		--cluster.listen-address="" >"$T/alertmanager.log" 2>&1 &
	AM_PID=$!
	PIDS="$PIDS $AM_PID"
	if wait_for "alerts_json" 15; then break; fi
	kill "$AM_PID" 2>/dev/null
	[ "$try" = 3 ] && fail "Alertmanager did not start"
done

cat >"$T/alerts.conf" <<EOF
alerts = {
	notifiers = (
		{ name = "am"; type = "alertmanager"; url = "http://127.0.0.1:$PORT/"; }
	);
};
EOF

"$CALLSLA" alert-test --config "$T/alerts.conf" --resolve-after 10s \
	>"$T/out.txt" 2>"$T/alert-test.log" &
TEST_PID=$!
wait_for "grep -q '^am: firing delivered after 1 attempt' '$T/out.txt'" 10 ||
	fail "firing not delivered: $(cat "$T/out.txt")"

# Active, with these labels and no others.
check_active() {
	alerts_json | python3 -c '
import json, sys
alerts = [a for a in json.load(sys.stdin)
          if a["labels"].get("alertname") == "callsla-alert-test"]
assert len(alerts) == 1, alerts
a = alerts[0]
assert a["status"]["state"] == "active", a
want = {"alertname": "callsla-alert-test", "tenant": "alert-test",
        "scope": "tenant", "id": "alert-test", "severity": "warning",
        "window": "5m", "test": "true"}
assert a["labels"] == want, a["labels"]
assert a["annotations"]["summary"].startswith("callsla alert-test:"), a
'
}
wait_for check_active 8 || { check_active; fail "alert not active"; }

wait "$TEST_PID" || fail "alert-test exited $?: $(cat "$T/out.txt")"
grep -q '^am: resolved delivered after 1 attempt$' "$T/out.txt" ||
	fail "resolution not delivered: $(cat "$T/out.txt")"

gone() {
	alerts_json | python3 -c '
import json, sys
assert not [a for a in json.load(sys.stdin)
            if a["labels"].get("alertname") == "callsla-alert-test"]
'
}
wait_for gone 10 || fail "the alert is still listed: $(alerts_json)"
echo "notify_alertmanager: ok"
