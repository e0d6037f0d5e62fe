/* test_decode_keys.c - the decoder's key matching (key_field()): every
 * field name is recognised, plain or escaped, and every near miss of one (a
 * byte short, one more, a byte changed) is ignored; and the shortcut for a
 * message that opens with "v":1, against the same members in other forms;
 * and the guess of the next key in csla_event_json()'s order, against
 * messages that break the guess in each way it can be broken.
 * The expected outcomes follow from the schema in
 * /work/shared/spec/events-and-metrics.md: unknown keys are ignored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "callsla/decode.h"

static const char *const fields[] = {
	"v", "type", "ts", "tenant", "id", "event", "call_id", "queue",
	"agent_id", "wait_ms", "talk_ms", "hold_ms", "acw_ms", "state",
	"reason", "team", "queues", "outcome", "offered_at", "answered_at",
	"alerting_at", "ended_at",
};
#define NFIELDS (sizeof fields / sizeof fields[0])

#include "dec_fixture.h"

static bool is_field(const char *k, size_t n)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (strlen(fields[i]) == n && !memcmp(fields[i], k, n))
			return true;
	return false;
}

/* Three events that between them read every field, each with one more
 * member: the key given as JSON text (with its quotes) and an empty object
 * as its value, which no field accepts.  A key that names a field the
 * event reads spoils it; any other key is ignored. */
static int rejections(const char *key_json)
{
	static const char *const bases[] = {
		"{\"v\":1,\"type\":\"agent\",\"ts\":1795600800000,"
		"\"agent_id\":\"a1\",\"state\":\"available\",%s:{}}",
		"{\"v\":1,\"type\":\"call\",\"ts\":1795600800000,"
		"\"event\":\"ended\",\"call_id\":\"c1\",\"agent_id\":\"a1\","
		"%s:{}}",
		"{\"v\":1,\"type\":\"cdr\",\"call_id\":\"c1\",\"queue\":\"q1\","
		"\"offered_at\":1795600800000,\"outcome\":\"abandoned\","
		"\"ended_at\":1795600801000,%s:{}}",
	};
	int rejected = 0;
	for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
		char msg[256];
		int n = snprintf(msg, sizeof msg, bases[i], key_json);
		assert_true(n > 0 && (size_t)n < sizeof msg);
		err[0] = '\0';
		rejected += csla_decode(dec, msg, (size_t)n, &ev, err,
					sizeof err) != CSLA_OK;
	}
	return rejected;
}

static void ignored(const char *key, size_t n)
{
	char json[64];

	snprintf(json, sizeof json, "\"%.*s\"", (int)n, key);
	if (rejections(json))
		fail_msg("key %s was taken for a field (%s)", json, err);
}

/* Near misses of every field name are no field. */
static void test_near_misses(void **state)
{
	(void)state;
	for (size_t i = 0; i < NFIELDS; i++) {
		const char *f = fields[i];
		size_t n = strlen(f);
		char k[32];

		if (n > 1 && !is_field(f, n - 1))
			ignored(f, n - 1); /* a byte short */
		memcpy(k, f, n);
		k[n] = 'x';
		if (!is_field(k, n + 1))
			ignored(k, n + 1); /* one more */
		for (size_t at = 0; at < n; at++) {
			memcpy(k, f, n);
			k[at] ^= 0x20; /* upper case, or '_' to DEL */
			ignored(k, n);
		}
	}
	ignored("", 0);
	ignored("abcdefgh", 8);
	ignored("agent_idx", 9);
	ignored("offered_a", 9);
	ignored("ended_att", 9);
	ignored("answered_ax", 11);
	ignored("alerting_atx", 12);
}

/* Each field's key is recognised, plain and with an escape (the general
 * path, which unescapes it into scratch). */
static void test_every_field(void **state)
{
	(void)state;
	char k[48];

	for (size_t i = 0; i < NFIELDS; i++) {
		const char *f = fields[i];
		snprintf(k, sizeof k, "\"%s\"", f);
		if (!rejections(k))
			fail_msg("key %s not recognised", k);
		snprintf(k, sizeof k, "\"\\u%04x%s\"", f[0], f + 1);
		if (!rejections(k))
			fail_msg("key %s not recognised", k);
	}
}

/* Keys at the very end of short messages (fewer than 8 bytes left). */
static void test_short_messages(void **state)
{
	(void)state;
	static const char *const msgs[] = { "{\"v\":1}", "{\"ts\":1}",
		"{\"id\":1}", "{\"x\":1}", "{\"v\":\"\"}" };
	for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
		csla_reject_t r = csla_decode(dec, msgs[i], strlen(msgs[i]),
					      &ev, err, sizeof err);
		assert_int_not_equal(r, CSLA_OK);
	}
	/* "v" is found: the type is what is missing. */
	assert_int_equal(csla_decode(dec, "{\"v\":1}", 7, &ev, err,
				     sizeof err), CSLA_REJ_MISSING_FIELD);
	assert_non_null(strstr(err, "\"type\""));
	assert_int_equal(csla_decode(dec, "{\"x\":1}", 7, &ev, err,
				     sizeof err), CSLA_REJ_MISSING_FIELD);
	assert_non_null(strstr(err, "\"v\""));
}

/* Decodes a copy of msg in a buffer of its exact length, so that a read
 * past the message is caught under ASan.  The copy lives until the next
 * call: the event points into it. */
static csla_reject_t dec_str(const char *msg)
{
	static char *held;
	size_t n = strlen(msg);

	free(held);
	held = malloc(n ? n : 1);
	assert_non_null(held);
	memcpy(held, msg, n);
	err[0] = '\0';
	return csla_decode(dec, held, n, &ev, err, sizeof err);
}

/* "v":1 first, as the shortcut takes it, and every neighbour of that text,
 * which the general path takes: the schema's verdicts (version 1 only, the
 * last of duplicate keys counts, JSON syntax) must come out the same. */
static void test_v_first(void **state)
{
	(void)state;
#define REST "\"type\":\"agent\",\"ts\":1795600800000,\"agent_id\":\"a1\"," \
	     "\"state\":\"acw\"}"
	static const struct {
		const char *msg;
		csla_reject_t want;
	} cases[] = {
		{ "{\"v\":1," REST, CSLA_OK },
		{ "{ \"v\":1," REST, CSLA_OK },
		{ "{\"v\":1, " REST, CSLA_OK },
		{ "{\"v\":1 ," REST, CSLA_OK },
		{ "{\"v\" : 1," REST, CSLA_OK },
		{ "{\"\\u0076\":1," REST, CSLA_OK },
		{ "{\"type\":\"agent\",\"v\":1,\"ts\":1795600800000,"
		  "\"agent_id\":\"a1\",\"state\":\"acw\"}", CSLA_OK },
		{ "{\"v\":2,\"v\":1," REST, CSLA_OK },
		{ "{\"v\":1,\"v\":2," REST, CSLA_REJ_BAD_VERSION },
		{ "{\"v\":1,\"v\":null," REST, CSLA_REJ_MISSING_FIELD },
		{ "{\"v\":10," REST, CSLA_REJ_BAD_VERSION },
		{ "{\"v\":1.0," REST, CSLA_REJ_BAD_VERSION },
		{ "{\"v\":\"1\"," REST, CSLA_REJ_BAD_VERSION },
		{ "{\"v\":01," REST, CSLA_REJ_MALFORMED_JSON },
		{ "{\"v\":1,,\"type\":\"agent\"}", CSLA_REJ_MALFORMED_JSON },
		{ "{\"v\":1,}", CSLA_REJ_MALFORMED_JSON },
		{ "{\"v\":1,", CSLA_REJ_MALFORMED_JSON },
		{ "{\"v\":1, ", CSLA_REJ_MALFORMED_JSON },
		{ "{\"v\":1}", CSLA_REJ_MISSING_FIELD },
		{ "{\"v\":1,\"type\":\"agent\"", CSLA_REJ_MALFORMED_JSON },
	};
#undef REST
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		csla_reject_t r = dec_str(cases[i].msg);
		if (r != cases[i].want)
			fail_msg("%s: got %s (%s), want %s", cases[i].msg,
				 csla_reject_name(r), err,
				 csla_reject_name(cases[i].want));
		if (r == CSLA_OK) {
			assert_int_equal(ev.type, CSLA_EV_AGENT);
			assert_int_equal(ev.state, CSLA_AS_ACW);
			assert_int_equal(ev.ts_ms, 1795600800000LL);
		}
	}
	/* Where the JSON breaks is reported the same either way: byte 7 of
	 * both (from 0) is the '}' where a key should be. */
	assert_int_equal(dec_str("{\"v\":1,}"), CSLA_REJ_MALFORMED_JSON);
	assert_non_null(strstr(err, "at byte 7: string key expected"));
	assert_int_equal(dec_str("{\"v\":2,}"), CSLA_REJ_MALFORMED_JSON);
	assert_non_null(strstr(err, "at byte 7: string key expected"));
}

/* Members in the order csla_event_json() writes them take a shortcut that
 * compares each key with the one expected after the last; every way of
 * breaking the guess must come out as the general path decides. */
static void test_canonical_order(void **state)
{
	(void)state;
#define HEAD "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-26T08:00:00Z\"," \
	     "\"tenant\":\"t1\",\"id\":\"e1\",\"event\":\"answered\""
	/* In order: every field as written. */
	assert_int_equal(dec_str(HEAD ",\"call_id\":\"c1\",\"queue\":\"q1\","
				 "\"agent_id\":\"a1\",\"wait_ms\":4000}"),
			 CSLA_OK);
	assert_int_equal(ev.type, CSLA_EV_CALL);
	assert_int_equal(ev.ts_ms, 1795680000000LL);
	check_str(ev.tenant, "t1");
	check_str(ev.id, "e1");
	assert_int_equal(ev.call_event, CSLA_CALL_ANSWERED);
	check_str(ev.call_id, "c1");
	check_str(ev.queue, "q1");
	check_str(ev.agent_id, "a1");
	assert_int_equal(ev.wait_ms, 4000);

	/* The expected key's name with a byte more, then the key itself:
	 * the first is no field. */
	assert_int_equal(dec_str(HEAD ",\"call_id\":\"c1\",\"queuex\":\"zz\","
				 "\"queue\":\"q1\",\"agent_id\":\"a1\"}"),
			 CSLA_OK);
	check_str(ev.queue, "q1");
	/* Keys that differ from the expected one in its second word only:
	 * no field.  Agent ids may be absent from "offered", and alerting
	 * times from a CDR. */
	assert_int_equal(dec_str("{\"v\":1,\"type\":\"call\",\"ts\":1,"
				 "\"tenant\":\"t1\",\"id\":\"e1\","
				 "\"event\":\"offered\",\"call_id\":\"c1\","
				 "\"queue\":\"q1\",\"agent_iX\":\"zz\"}"),
			 CSLA_OK);
	check_str(ev.agent_id, "");
	assert_int_equal(dec_str("{\"v\":1,\"type\":\"cdr\",\"tenant\":\"t1\","
				 "\"id\":\"e1\",\"call_id\":\"c1\","
				 "\"queue\":\"q1\",\"agent_id\":\"a1\","
				 "\"outcome\":\"abandoned\","
				 "\"offered_at\":\"2026-11-26T08:00:00Z\","
				 "\"alerting_aX\":\"2026-11-26T08:00:01Z\","
				 "\"ended_at\":\"2026-11-26T08:00:05Z\"}"),
			 CSLA_OK);
	assert_int_equal(ev.alerting_at, CSLA_NO_MS);
	assert_int_equal(ev.ended_at, 1795680005000LL);
	/* A duplicate after the guessed one: the last counts. */
	assert_int_equal(dec_str(HEAD ",\"call_id\":\"c1\",\"queue\":\"q1\","
				 "\"agent_id\":\"a1\",\"queue\":\"q2\"}"),
			 CSLA_OK);
	check_str(ev.queue, "q2");
	/* The expected key with an escaped value, a UTF-8 one, one longer
	 * than a 64-byte block, a number, a blank before the colon. */
	assert_int_equal(dec_str(HEAD ",\"call_id\":\"c\\u0031\","
				 "\"queue\":\"q\xc3\xa9\",\"agent_id\":\"a1\"}"),
			 CSLA_OK);
	check_str(ev.call_id, "c1");
	check_str(ev.queue, "q\xc3\xa9");
	assert_int_equal(dec_str(HEAD ",\"call_id\":\"c1\",\"queue\":\"q1\","
				 "\"agent_id\":\"" "0123456789012345678901234"
				 "5678901234567890123456789012345678901234"
				 "56789\"}"), CSLA_OK);
	check_str(ev.agent_id, "0123456789012345678901234567890123456789"
		   "012345678901234567890123456789");
	assert_int_equal(dec_str(HEAD ",\"call_id\":\"c1\",\"queue\":5,"
				 "\"agent_id\":\"a1\"}"), CSLA_REJ_BAD_FIELD);
	assert_non_null(strstr(err, "\"queue\""));
	assert_int_equal(dec_str(HEAD ",\"call_id\":\"c1\",\"queue\" :\"q1\","
				 "\"agent_id\":\"a1\"}"), CSLA_OK);
	check_str(ev.queue, "q1");
	/* 17, 16 and 15 bytes from the last member's comma to the end: the
	 * shortcut reads 16. */
	assert_int_equal(dec_str(HEAD ",\"call_id\":\"c1\",\"queue\":\"q1\","
				 "\"agent_id\":\"a1\"}"), CSLA_OK);
	check_str(ev.agent_id, "a1");
	assert_int_equal(dec_str(HEAD ",\"call_id\":\"c1\",\"queue\":\"q1\","
				 "\"agent_id\":\"a\"}"), CSLA_OK);
	check_str(ev.agent_id, "a");
	assert_int_equal(dec_str(HEAD ",\"call_id\":\"c1\",\"queue\":\"q1\","
				 "\"agent_id\":\"\"}"), CSLA_REJ_BAD_FIELD);
	assert_non_null(strstr(err, "\"agent_id\""));
	/* The longest key, whose pattern takes all 16 bytes, expected (after
	 * offered_at) at the end. */
	assert_int_equal(dec_str("{\"v\":1,\"type\":\"cdr\",\"call_id\":\"c1\","
				 "\"queue\":\"q1\",\"outcome\":\"abandoned\","
				 "\"ended_at\":\"2026-11-26T08:00:05Z\","
				 "\"offered_at\":\"2026-11-26T08:00:00Z\","
				 "\"alerting_at\":\"2026-11-26T08:00:01Z\"}"),
			 CSLA_OK);
	assert_int_equal(ev.alerting_at, 1795680001000LL);
	assert_int_equal(dec_str("{\"v\":1,\"type\":\"cdr\",\"call_id\":\"c1\","
				 "\"queue\":\"q1\",\"outcome\":\"abandoned\","
				 "\"ended_at\":\"2026-11-26T08:00:05Z\","
				 "\"offered_at\":\"2026-11-26T08:00:00Z\","
				 "\"alerting_at\":\""), CSLA_REJ_MALFORMED_JSON);
	/* Broken JSON where the guess holds: reported where it breaks.
	 * HEAD is 91 bytes, ,"call_id":"c1" 15 more, ,"queue":"q1 12. */
	assert_int_equal(dec_str(HEAD ",\"call_id\":\"c1\",\"queue\":\"q1"),
			 CSLA_REJ_MALFORMED_JSON);
	assert_non_null(strstr(err, "at byte 118: unterminated string"));
	assert_int_equal(dec_str(HEAD ",\"call_id\":\"c1\"\"queue\":\"q1\"}"),
			 CSLA_REJ_MALFORMED_JSON);
	assert_non_null(strstr(err, "at byte 106: ',' or '}' expected"));
#undef HEAD
	/* Escaped values at every offset from the 64-byte blocks the
	 * special bytes are found in, by a tenant 1..128 bytes long: where
	 * the shortcut gives up, the general path goes on from the same
	 * member.  In short messages too, where a block's start must never
	 * move past that member. */
	for (int pad = 1; pad <= 128; pad++) {
		char call[512], agent[512], tenant[160];
		memset(tenant, 'x', (size_t)pad);
		tenant[pad] = '\0';
		snprintf(call, sizeof call, "{\"v\":1,\"type\":\"call\",\"ts\":"
			 "\"2026-11-26T08:00:00Z\",\"tenant\":\"%s\","
			 "\"id\":\"e\\u0031\",\"event\":\"answered\","
			 "\"call_id\":\"c\\u0031\",\"queue\":\"q\\u00e9\","
			 "\"agent_id\":\"a\xc3\xa9\",\"wait_ms\":4000}",
			 tenant);
		snprintf(agent, sizeof agent, "{\"v\":1,\"type\":\"agent\","
			 "\"ts\":1,\"tenant\":\"%s\",\"id\":\"e\\u0031\","
			 "\"agent_id\":\"a\\u0031\",\"state\":\"acw\"}", tenant);
		if (dec_str(call) != CSLA_OK)
			fail_msg("%s: %s", call, err);
		check_str(ev.tenant, tenant);
		check_str(ev.id, "e1");
		check_str(ev.call_id, "c1");
		check_str(ev.queue, "q\xc3\xa9");
		check_str(ev.agent_id, "a\xc3\xa9");
		assert_int_equal(ev.wait_ms, 4000);
		if (dec_str(agent) != CSLA_OK)
			fail_msg("%s: %s", agent, err);
		check_str(ev.tenant, tenant);
		check_str(ev.id, "e1");
		check_str(ev.agent_id, "a1");
		assert_int_equal(ev.state, CSLA_AS_ACW);
	}
	/* A type whose members come in another type's order: the type
	 * decides, the guess only costs compares. */
	assert_int_equal(dec_str("{\"v\":1,\"type\":\"cdr\",\"tenant\":\"t1\","
				 "\"id\":\"e1\",\"event\":\"answered\","
				 "\"call_id\":\"c1\",\"queue\":\"q1\","
				 "\"agent_id\":\"a1\",\"outcome\":\"abandoned\","
				 "\"offered_at\":1795680000000,"
				 "\"ended_at\":1795680005000}"), CSLA_OK);
	assert_int_equal(ev.type, CSLA_EV_CDR);
	assert_int_equal(ev.outcome, CSLA_OUT_ABANDONED);
	check_str(ev.call_id, "c1");
	check_str(ev.queue, "q1");
	check_str(ev.agent_id, "a1");
	assert_int_equal(ev.ended_at, 1795680005000LL);
	assert_int_equal(dec_str("{\"v\":1,\"type\":\"agent\",\"ts\":1,"
				 "\"id\":\"e1\",\"event\":\"answered\","
				 "\"state\":\"talking\",\"agent_id\":\"a1\"}"),
			 CSLA_OK);
	assert_int_equal(ev.type, CSLA_EV_AGENT);
	assert_int_equal(ev.state, CSLA_AS_TALKING);
	check_str(ev.agent_id, "a1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_near_misses),
		cmocka_unit_test(test_every_field),
		cmocka_unit_test(test_short_messages),
		cmocka_unit_test(test_v_first),
		cmocka_unit_test(test_canonical_order),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
