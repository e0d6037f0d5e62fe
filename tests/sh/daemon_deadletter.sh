#!/bin/sh
# Dead letters: callslad with consumer.dead_letter_topic copies every
# rejected event there - one of each rejection reason, produced with
# `callsla produce` (--raw for what does not decode, --key for a tenant on
# the wrong partition) - with the original key and value and headers
# naming the reason and where the original is; the good events are
# applied and counted.  Read back with `callsla consume`.
set -u
. "$TESTS/sh/lib/daemon.sh"
command -v python3 >/dev/null || fail "python3 is needed"

# The test configuration plus a dead-letter topic.
CONF=$T/deadletter.conf
{
	cat "$TESTS/conf/daemon-event.conf"
	printf '\nconsumer = { dead_letter_topic = "cc.deadletter"; };\n'
} >"$CONF"
"$CALLSLA" check-config "$CONF" >/dev/null || fail "bad test configuration"

# Two tenants chosen to land on different partitions of 4 (CRC32 of the
# key: acme on 2, initech on 0); checked below from where their events
# really landed, not assumed.
A='"tenant":"acme"'
I='"tenant":"initech"'
DAY=2026-11-20

# ---- the events ------------------------------------------------------------

# 7 good events: acme 3 calls + 1 agent state, initech 2 calls + 1 CDR.
cat >"$T/good.jsonl" <<EOF
{"v":1,"type":"call","ts":"${DAY}T10:00:00Z",$A,"id":"a-1","event":"offered","call_id":"c1","queue":"sales"}
{"v":1,"type":"agent","ts":"${DAY}T09:59:00Z",$A,"id":"a-2","agent_id":"a1","state":"available","queues":["sales"]}
{"v":1,"type":"call","ts":"${DAY}T10:00:10Z",$A,"id":"a-3","event":"answered","call_id":"c1","queue":"sales","agent_id":"a1"}
{"v":1,"type":"call","ts":"${DAY}T10:03:10Z",$A,"id":"a-4","event":"ended","call_id":"c1","agent_id":"a1","talk_ms":180000}
{"v":1,"type":"call","ts":"${DAY}T10:00:00Z",$I,"id":"i-1","event":"offered","call_id":"g1","queue":"support"}
{"v":1,"type":"call","ts":"${DAY}T10:00:30Z",$I,"id":"i-2","event":"abandoned","call_id":"g1","queue":"support"}
{"v":1,"type":"cdr",$I,"id":"i-3","call_id":"g2","queue":"support","offered_at":"${DAY}T10:01:00Z","outcome":"answered","answered_at":"${DAY}T10:01:05Z","ended_at":"${DAY}T10:05:00Z","agent_id":"b1","talk_ms":235000}
EOF

# bad REASON TOPIC KEY FILE LINE: LINE goes to FILE (one produce run) and
# to the list of what must come back as a dead letter, with its reason,
# the topic it is sent to, and its key.
: >"$T/bad-values"
: >"$T/bad-expect"
bad() {
	printf '%s\n' "$5" >>"$T/$4"
	printf '%s\n' "$5" >>"$T/bad-values"
	printf '%s %s %s\n' "$1" "$2" "$3" >>"$T/bad-expect"
}

# What the decoder refuses: sent with --raw.  Keyed by acme, to cc.calls
# (lines that do not decode have no type to route them by) ...
bad malformed_json cc.calls acme raw-acme.jsonl \
	'{"v":1,"type":"call","ts":'
bad not_object cc.calls acme raw-acme.jsonl \
	'[{"v":1,"type":"call","tenant":"acme"}]'
bad bad_version cc.calls acme raw-acme.jsonl \
	"{\"v\":2,\"type\":\"call\",$A}"
bad unknown_type cc.calls acme raw-acme.jsonl \
	"{\"v\":1,\"type\":\"queue\",\"ts\":1,$A}"
bad bad_field cc.calls acme raw-acme.jsonl \
	"{\"v\":1,\"type\":\"call\",\"ts\":\"${DAY}T10:04:00Z\",$A,\"event\":\"offered\",\"call_id\":\"\",\"queue\":\"sales\"}"
# ... an agent event without its state, to cc.agents ...
bad missing_field cc.agents acme raw-agents.jsonl \
	"{\"v\":1,\"type\":\"agent\",\"ts\":\"${DAY}T10:04:00Z\",$A,\"agent_id\":\"a1\"}"
# ... and keyed by initech: month 13, and 70,000 bytes of padding
# (max_message_bytes is 65536).
bad bad_ts cc.calls initech raw-initech.jsonl \
	"{\"v\":1,\"type\":\"call\",\"ts\":\"2026-13-01T00:00:00Z\",$I,\"event\":\"offered\",\"call_id\":\"g3\",\"queue\":\"support\"}"
PAD=$(head -c 70000 /dev/zero | tr '\0' x)
bad too_large cc.calls initech raw-initech.jsonl \
	"{\"v\":1,\"type\":\"call\",\"ts\":\"${DAY}T10:04:00Z\",$I,\"event\":\"offered\",\"call_id\":\"g4\",\"queue\":\"support\",\"pad\":\"$PAD\"}"

# What the engine refuses, keyed by tenant as usual: the id of a-1 again
# (another offer, so that the values differ), an answer for a call never
# offered, year 2999 (future_ts on either clock), and for initech, whose
# newest event is 10:05, 07:00 (more than allowed_lateness 2h before).
bad duplicate cc.calls acme engine.jsonl \
	"{\"v\":1,\"type\":\"call\",\"ts\":\"${DAY}T10:00:01Z\",$A,\"id\":\"a-1\",\"event\":\"offered\",\"call_id\":\"c2\",\"queue\":\"sales\"}"
bad unknown_call cc.calls acme engine.jsonl \
	"{\"v\":1,\"type\":\"call\",\"ts\":\"${DAY}T10:06:00Z\",$A,\"event\":\"answered\",\"call_id\":\"never-offered\",\"queue\":\"sales\",\"agent_id\":\"a1\"}"
bad future_ts cc.calls acme engine.jsonl \
	"{\"v\":1,\"type\":\"call\",\"ts\":\"2999-01-01T00:00:00Z\",$A,\"event\":\"offered\",\"call_id\":\"c3\",\"queue\":\"sales\"}"
bad late cc.calls initech engine.jsonl \
	"{\"v\":1,\"type\":\"call\",\"ts\":\"${DAY}T07:00:00Z\",$I,\"event\":\"offered\",\"call_id\":\"g5\",\"queue\":\"support\"}"
# An acme event keyed by initech: on initech's partition, acme's is
# another.
bad tenant_partition_conflict cc.calls initech conflict.jsonl \
	"{\"v\":1,\"type\":\"call\",\"ts\":\"${DAY}T10:07:00Z\",$A,\"event\":\"offered\",\"call_id\":\"c4\",\"queue\":\"sales\"}"

# ---- run -----------------------------------------------------------------------

start_redis
start_broker 4
start_daemon d1

produce() {
	"$CALLSLA" produce --brokers "$BROKERS" "$@" 2>>"$T/produce.log" ||
		fail "callsla produce $* failed: $(tail -n 3 "$T/produce.log")"
}

# The good events first, all applied before anything else is sent: the
# conflict needs acme to be acme's partition's already.
produce "$T/good.jsonl"
wait_accounted 7 60
produce --raw --key acme "$T/raw-acme.jsonl"
produce --raw --key acme --topic cc.agents "$T/raw-agents.jsonl"
produce --raw --key initech "$T/raw-initech.jsonl"
produce "$T/engine.jsonl"
produce --key initech "$T/conflict.jsonl"
wait_accounted 20 60
echo "ok: 20 events accounted for"

# ---- read back -------------------------------------------------------------------

# The originals, 18 + 2, and the dead letters: exactly 13 (a 14th is
# waited for in vain: exit status 1).
"$CALLSLA" consume --brokers "$BROKERS" --topic cc.calls --count 18 \
	>"$T/calls.out" 2>>"$T/consume.log" || fail "consume cc.calls"
"$CALLSLA" consume --brokers "$BROKERS" --topic cc.agents --count 2 \
	>"$T/agents.out" 2>>"$T/consume.log" || fail "consume cc.agents"
"$CALLSLA" consume --brokers "$BROKERS" --topic cc.deadletter --from-beginning \
	--count 14 --timeout 3 >"$T/dl.out" 2>>"$T/consume.log"
rc=$?
[ "$rc" -eq 1 ] || fail "consume --count 14 of 13 dead letters: exit $rc"
n=$(wc -l <"$T/dl.out")
[ "$n" -eq 13 ] || fail "$n dead letters, 13 expected"
"$CALLSLA" consume --brokers "$BROKERS" --topic cc.deadletter --count 13 \
	>"$T/dl13.out" 2>>"$T/consume.log" || fail "consume --count 13: exit $?"
sort "$T/dl.out" >"$T/dl.sorted"
sort "$T/dl13.out" | cmp -s - "$T/dl.sorted" ||
	fail "the dead letters differ between two reads"
echo "ok: 13 dead letters"

# Each dead letter against its expectation and its original: same key and
# value, reason, source topic, and the partition and offset where the
# original is.  Prints each tenant's partition, from its good events.
python3 - "$T" >"$T/partitions" <<'EOF' || fail "dead letters: see above"
import json, sys
t = sys.argv[1]
def lines(name):
    with open(f"{t}/{name}", encoding="utf-8") as f:
        return [json.loads(l) for l in f]
bad = [l.rstrip("\n") for l in open(f"{t}/bad-values", encoding="utf-8")]
exp = [l.split() for l in open(f"{t}/bad-expect")]
orig = lines("calls.out") + lines("agents.out")
good = [l.rstrip("\n") for l in open(f"{t}/good.jsonl", encoding="utf-8")]
errors = []
def check(cond, what):
    if not cond:
        errors.append(what)
names = ["callsla.source.topic", "callsla.source.partition",
         "callsla.source.offset", "callsla.reason", "callsla.error"]
# Every message read back is one of ours, once.
values = [m["value"] for m in orig]
check(sorted(values) == sorted(bad + good), "originals differ from input")
seen = set()
for d in lines("dl.out"):
    v = d["value"]
    check(v in bad, f"unexpected dead letter {v[:80]}")
    if v not in bad:
        continue
    reason, topic, key = exp[bad.index(v)]
    seen.add(reason)
    h = d["headers"]
    o = [m for m in orig if m["value"] == v]
    check(len(o) == 1, f"{reason}: {len(o)} originals")
    o = o[0]
    check(d["topic"] == "cc.deadletter", f"{reason}: topic {d['topic']}")
    check(sorted(h) == sorted(names), f"{reason}: headers {sorted(h)}")
    check(d["key"] == key and o["key"] == key,
          f"{reason}: key {d['key']}, original's {o['key']}, want {key}")
    check(h.get("callsla.reason") == reason,
          f"{reason}: reason header {h.get('callsla.reason')}")
    check(h.get("callsla.source.topic") == topic == o["topic"],
          f"{reason}: source topic {h.get('callsla.source.topic')}, "
          f"original on {o['topic']}, want {topic}")
    check(h.get("callsla.source.partition") == str(o["partition"]),
          f"{reason}: source partition {h.get('callsla.source.partition')}"
          f", original on {o['partition']}")
    check(h.get("callsla.source.offset") == str(o["offset"]),
          f"{reason}: source offset {h.get('callsla.source.offset')}, "
          f"original at {o['offset']}")
    # Every dead letter says why in words: the decoder's message, the
    # engine's, or the partition binding's.
    err = h.get("callsla.error")
    check(bool(err), f"{reason}: error header {err!r}")
check(seen == {e[0] for e in exp}, f"reasons missing: "
      f"{sorted({e[0] for e in exp} - seen)}")
# Good events: keyed by tenant, one partition each.
part = {}
for m in orig:
    if m["value"] in good:
        tenant = json.loads(m["value"])["tenant"]
        check(m["key"] == tenant, f"good event keyed {m['key']}")
        part.setdefault(tenant, set()).add(m["partition"])
for tenant, ps in sorted(part.items()):
    check(len(ps) == 1, f"{tenant} on partitions {ps}")
    print(tenant, min(ps))
for e in errors:
    print("FAIL:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
PA=$(sed -n 's/^acme //p' "$T/partitions")
PI=$(sed -n 's/^initech //p' "$T/partitions")
[ -n "$PA" ] && [ -n "$PI" ] || fail "tenants' partitions unknown"
[ "$PA" != "$PI" ] ||
	fail "acme and initech share partition $PA: pick other tenant names"
echo "ok: each dead letter names its reason and its original (acme on $PA, initech on $PI)"

# ---- counts in Redis ---------------------------------------------------------------

[ "$(rcli hget callsla:meta:acme slot)" = "$PA" ] || fail "acme's slot"
[ "$(rcli hget callsla:meta:initech slot)" = "$PI" ] || fail "initech's slot"

REASONS="malformed_json not_object bad_version unknown_type missing_field
bad_field too_large bad_ts late future_ts duplicate tenant_partition_conflict
unknown_call"
# meta_is P APPLIED REASON...: slot P's counts, each listed reason once.
meta_is() {
	_p=$1
	_applied=$2
	shift 2
	got=$(rcli hget "callsla:slot:$_p:meta" applied)
	[ "$got" = "$_applied" ] || fail "slot $_p: applied $got, want $_applied"
	for r in $REASONS; do
		want=0
		for x in "$@"; do [ "$x" = "$r" ] && want=1; done
		got=$(rcli hget "callsla:slot:$_p:meta" "rejected:$r")
		[ "$got" = "$want" ] ||
			fail "slot $_p: rejected:$r is '$got', want $want"
	done
}
meta_is "$PA" 4 malformed_json not_object bad_version unknown_type \
	bad_field missing_field duplicate unknown_call future_ts
meta_is "$PI" 3 bad_ts too_large late tenant_partition_conflict
for p in 0 1 2 3; do
	[ "$p" = "$PA" ] || [ "$p" = "$PI" ] && continue
	[ "$(rcli exists "callsla:slot:$p:meta")" = 0 ] && continue
	meta_is "$p" 0
done
echo "ok: applied 4 + 3, each reason counted once on its slot"

# The rejected events left no trace: Redis holds what a replay of the
# good events alone gives.
compare_with_replay "$T/good.jsonl"
