#!/bin/sh
# conf/callslad.service: `systemd-analyze verify` accepts it without a
# single warning (offline: no systemd needs to run), with its callslad
# paths pointed at the build's binary; `make install DESTDIR PREFIX=/usr`
# puts every file where docs/systemd.md says, with those paths in the
# unit, keeps an existing configuration, and `make uninstall` removes
# what it installed.
set -u
T=$(mktemp -d /tmp/callsla-unit.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }
ROOT=$(cd "$TESTS/.." && pwd)
CALLSLAD=$(dirname "$CALLSLA")/callslad
B=$(dirname "$CALLSLA")
UNIT=$ROOT/conf/callslad.service

command -v systemd-analyze >/dev/null || fail "systemd-analyze missing (package systemd)"

# verify wants ExecStart's binary to exist; it needs no running systemd.
mkdir -p "$T/unit"
sed "s#/usr/bin/callslad#$CALLSLAD#g" "$UNIT" >"$T/unit/callslad.service"
grep -q "^ExecStart=$CALLSLAD --config /etc/callsla/callsla.conf$" \
	"$T/unit/callslad.service" || fail "ExecStart not as documented"
(cd "$T/unit" && systemd-analyze verify --man=no ./callslad.service) \
	>"$T/verify.out" 2>&1 || fail "systemd-analyze verify: $(cat "$T/verify.out")"
[ -s "$T/verify.out" ] && fail "systemd-analyze verify warns: $(cat "$T/verify.out")"
# ... and it does catch a misspelt setting (so silence above means something).
sed 's/^WatchdogSec=/WatchdogSecs=/' "$T/unit/callslad.service" >"$T/unit/bad.service"
(cd "$T/unit" && systemd-analyze verify --man=no ./bad.service) 2>&1 |
	grep -q "Unknown key 'WatchdogSecs'" || fail "verify did not notice a misspelt key"
echo "ok: systemd-analyze verify"

# The settings the daemon's protocol depends on.
for want in 'Type=notify' 'NotifyAccess=main' 'WatchdogSec=30s' 'Restart=on-failure' \
	'TimeoutStopSec=30s' 'DynamicUser=yes' 'ProtectSystem=strict' \
	'ExecReload=/usr/bin/callslad --check-config /etc/callsla/callsla.conf' \
	'ExecReload=/bin/kill -HUP $MAINPID' \
	'LoadCredential=redis-password:callsla-redis-password' \
	'LoadCredential=kafka-password:callsla-kafka-password'; do
	grep -qxF "$want" "$UNIT" || fail "unit lacks $want"
done
# TimeoutStopSec must exceed the example's daemon.shutdown_timeout (10 s).
"$CALLSLAD" --check-config "$ROOT/conf/callsla.conf" |
	grep -qx 'daemon.shutdown_timeout: 10s' || fail "shutdown_timeout is not 10s"
echo "ok: the unit's settings"

# The exposure score, for the record (docs/systemd.md quotes it).
if systemd-analyze security --offline=yes "$T/unit/callslad.service" \
	>"$T/security.out" 2>&1; then
	score=$(sed -n 's/.*Overall exposure level for callslad.service: \([0-9.]*\).*/\1/p' \
		"$T/security.out")
	[ -n "$score" ] || fail "no exposure score: $(tail -n 3 "$T/security.out")"
	awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' ||
		fail "exposure $score, more than the 2.0 docs/systemd.md promises"
	echo "ok: systemd-analyze security: $score"
else
	fail "systemd-analyze security --offline: $(tail -n 3 "$T/security.out")"
fi

# make install into a staging root.
D=$T/root
make -s -C "$ROOT" B="$B" install DESTDIR="$D" PREFIX=/usr >"$T/make.out" 2>&1 ||
	fail "make install: $(tail -n 5 "$T/make.out")"
for f in usr/bin/callsla usr/bin/callslad; do
	[ -x "$D/$f" ] || fail "$f not installed executable"
	cmp -s "$D/$f" "$B/$(basename "$f")" || fail "$f differs from the build's"
done
cmp -s "$D/etc/callsla/callsla.conf" "$ROOT/conf/callsla.conf" ||
	fail "example configuration not installed"
U=$D/usr/lib/systemd/system/callslad.service
[ "$(stat -c %a "$U")" = 644 ] || fail "unit not 0644"
# PREFIX=/usr and SYSCONFDIR=/etc are the paths the file is written with.
cmp -s "$U" "$UNIT" || fail "unit rewritten under PREFIX=/usr: $(diff "$UNIT" "$U")"

# Another prefix: the unit names the binaries there; an edited
# configuration survives a second install.
echo '# mine' >"$D/etc/callsla/callsla.conf"
make -s -C "$ROOT" B="$B" install DESTDIR="$D" PREFIX=/opt/cs >"$T/make.out" 2>&1 ||
	fail "make install PREFIX=/opt/cs: $(tail -n 5 "$T/make.out")"
[ "$(cat "$D/etc/callsla/callsla.conf")" = '# mine' ] ||
	fail "make install overwrote an existing configuration"
U2=$D/opt/cs/lib/systemd/system/callslad.service
grep -qx 'ExecStart=/opt/cs/bin/callslad --config /etc/callsla/callsla.conf' "$U2" ||
	fail "ExecStart under PREFIX=/opt/cs: $(grep ExecStart "$U2")"
grep -qx 'ExecReload=/opt/cs/bin/callslad --check-config /etc/callsla/callsla.conf' "$U2" ||
	fail "ExecReload under PREFIX=/opt/cs"
[ -x "$D/opt/cs/bin/callslad" ] || fail "no /opt/cs/bin/callslad"

make -s -C "$ROOT" B="$B" uninstall DESTDIR="$D" PREFIX=/usr >"$T/make.out" 2>&1 ||
	fail "make uninstall: $(tail -n 5 "$T/make.out")"
for f in usr/bin/callsla usr/bin/callslad usr/lib/systemd/system/callslad.service; do
	[ -e "$D/$f" ] && fail "$f left after uninstall"
done
[ -f "$D/etc/callsla/callsla.conf" ] || fail "uninstall removed the configuration"
echo "ok: make install / uninstall"
