/* test_decode_keys.c - the decoder's key matching (key_field()): every
 * field name is recognised, plain or escaped, and every near miss of one (a
 * byte short, one more, a byte changed) is ignored; and the shortcut for a
 * message that opens with "v":1, against the same members in other forms.
 * The expected outcomes follow from the schema in
 * /work/shared/spec/events-and-metrics.md: unknown keys are ignored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

static csla_reject_t dec_str(const char *msg)
{
	err[0] = '\0';
	return csla_decode(dec, msg, strlen(msg), &ev, err, sizeof err);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_near_misses),
		cmocka_unit_test(test_every_field),
		cmocka_unit_test(test_short_messages),
		cmocka_unit_test(test_v_first),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
