/* test_decode.c - the event decoder: every event type and field, both
 * timestamp forms, escapes, limits, every rejection it produces, and the
 * corpus in tests/corpus.  Expected epoch values were computed with GNU date
 * (`date -u -d 2026-11-25T10:00:00Z +%s` = 1795600800) and expected UTF-8
 * bytes with Python's str.encode(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "callsla/decode.h"
#include "corpus.h"

#define T0 1795600800000LL /* 2026-11-25T10:00:00Z */

#include "dec_fixture.h"

static csla_reject_t decode_n(const char *buf, size_t len)
{
	err[0] = '\0';
	return csla_decode(dec, buf, len, &ev, err, sizeof err);
}

static csla_reject_t decode(const char *json)
{
	return decode_n(json, strlen(json));
}

/* Decodes json and expects `want`; when errpart is given, the errstr must
 * contain it. */
static void expect(const char *json, csla_reject_t want, const char *errpart)
{
	csla_reject_t r = decode(json);
	if (r != want)
		fail_msg("%s\n  got %s (%s), want %s", json, csla_reject_name(r),
			 err, csla_reject_name(want));
	if (errpart && !strstr(err, errpart))
		fail_msg("%s\n  errstr \"%s\" lacks \"%s\"", json, err, errpart);
}

static void ok(const char *json)
{
	expect(json, CSLA_OK, NULL);
}

#define CALL(fields) "{\"v\":1,\"type\":\"call\",\"ts\":1795600800000," fields "}"
#define AGENT(fields) "{\"v\":1,\"type\":\"agent\",\"ts\":1795600800000," fields "}"
#define CDR(fields) "{\"v\":1,\"type\":\"cdr\"," fields "}"

/* ---- accepted events ---- */

static void test_call_offered_rfc3339(void **state)
{
	(void)state;
	ok("{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:00:00.123Z\","
	   "\"tenant\":\"acme\",\"id\":\"e-1\",\"event\":\"offered\","
	   "\"call_id\":\"c-1001\",\"queue\":\"billing\"}");
	assert_int_equal(ev.type, CSLA_EV_CALL);
	assert_int_equal(ev.ts_ms, 1795600800123LL);
	check_str(ev.tenant, "acme");
	check_str(ev.id, "e-1");
	assert_int_equal(ev.call_event, CSLA_CALL_OFFERED);
	check_str(ev.call_id, "c-1001");
	check_str(ev.queue, "billing");
	check_str(ev.agent_id, "");
	assert_int_equal(ev.wait_ms, CSLA_NO_MS);
	assert_int_equal(ev.talk_ms, CSLA_NO_MS);
	assert_int_equal(ev.hold_ms, CSLA_NO_MS);
	assert_int_equal(ev.acw_ms, CSLA_NO_MS);
	assert_false(ev.has_queues);
	assert_int_equal(ev.offered_at, CSLA_NO_MS);
	assert_int_equal(ev.ended_at, CSLA_NO_MS);
}

static void test_call_answered_epoch(void **state)
{
	(void)state;
	ok(CALL("\"event\":\"answered\",\"call_id\":\"c\",\"queue\":\"q\","
		"\"agent_id\":\"a-17\",\"wait_ms\":11877"));
	assert_int_equal(ev.ts_ms, T0);
	assert_int_equal(ev.call_event, CSLA_CALL_ANSWERED);
	check_str(ev.tenant, "default");
	check_str(ev.id, "");
	check_str(ev.agent_id, "a-17");
	assert_int_equal(ev.wait_ms, 11877);
}

static void test_call_other_events(void **state)
{
	(void)state;
	ok("{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T18:00:04.500+08:00\","
	   "\"event\":\"alerting\",\"call_id\":\"c\",\"agent_id\":\"a\"}");
	assert_int_equal(ev.call_event, CSLA_CALL_ALERTING);
	assert_int_equal(ev.ts_ms, T0 + 4500);
	check_str(ev.queue, "");

	ok("{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T05:00:03-05:00\","
	   "\"event\":\"abandoned\",\"call_id\":\"c\",\"queue\":\"q\","
	   "\"wait_ms\":0}");
	assert_int_equal(ev.call_event, CSLA_CALL_ABANDONED);
	assert_int_equal(ev.ts_ms, T0 + 3000);
	assert_int_equal(ev.wait_ms, 0);

	ok(CALL("\"event\":\"flowout\",\"call_id\":\"c\",\"queue\":\"q\""));
	assert_int_equal(ev.call_event, CSLA_CALL_FLOWOUT);
	assert_int_equal(ev.wait_ms, CSLA_NO_MS);

	ok(CALL("\"event\":\"ended\",\"call_id\":\"c\",\"agent_id\":\"a\","
		"\"talk_ms\":240000,\"hold_ms\":15000,\"acw_ms\":30000"));
	assert_int_equal(ev.call_event, CSLA_CALL_ENDED);
	assert_int_equal(ev.talk_ms, 240000);
	assert_int_equal(ev.hold_ms, 15000);
	assert_int_equal(ev.acw_ms, 30000);
}

static void test_call_fields_kept_where_meaningful(void **state)
{
	(void)state;
	/* wait_ms on an offered event and talk_ms on an answer are checked
	 * but not passed on; optional queue/agent_id are. */
	ok(CALL("\"event\":\"offered\",\"call_id\":\"c\",\"queue\":\"q\","
		"\"agent_id\":\"a\",\"wait_ms\":5,\"talk_ms\":6"));
	assert_int_equal(ev.wait_ms, CSLA_NO_MS);
	assert_int_equal(ev.talk_ms, CSLA_NO_MS);
	check_str(ev.agent_id, "a");
	ok(CALL("\"event\":\"answered\",\"call_id\":\"c\",\"queue\":\"q\","
		"\"agent_id\":\"a\",\"wait_ms\":5,\"talk_ms\":6"));
	assert_int_equal(ev.wait_ms, 5);
	assert_int_equal(ev.talk_ms, CSLA_NO_MS);
	ok(CALL("\"event\":\"ended\",\"call_id\":\"c\",\"agent_id\":\"a\","
		"\"queue\":\"q\",\"wait_ms\":5"));
	assert_int_equal(ev.wait_ms, CSLA_NO_MS);
	check_str(ev.queue, "q");
	expect(CALL("\"event\":\"offered\",\"call_id\":\"c\",\"queue\":\"q\","
		    "\"wait_ms\":-5"), CSLA_REJ_BAD_FIELD, "\"wait_ms\"");
}

static void test_agent(void **state)
{
	(void)state;
	ok("{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T09:00:00Z\","
	   "\"agent_id\":\"a-17\",\"state\":\"not_ready\",\"reason\":\"lunch\","
	   "\"team\":\"blue\",\"queues\":[\"billing\" , \"sales\",\"billing\"]}");
	assert_int_equal(ev.type, CSLA_EV_AGENT);
	assert_int_equal(ev.ts_ms, T0 - 3600000);
	check_str(ev.agent_id, "a-17");
	assert_int_equal(ev.state, CSLA_AS_NOT_READY);
	check_str(ev.reason, "lunch");
	check_str(ev.team, "blue");
	assert_true(ev.has_queues);
	assert_int_equal(ev.nqueues, 2); /* the repeated name counts once */
	check_str(ev.queues[0], "billing");
	check_str(ev.queues[1], "sales");
	check_str(ev.call_id, "");

	ok(AGENT("\"agent_id\":\"a\",\"state\":\"acw\",\"queues\":[ ]"));
	assert_int_equal(ev.state, CSLA_AS_ACW);
	assert_true(ev.has_queues);
	assert_int_equal(ev.nqueues, 0);
	check_str(ev.team, "");
	check_str(ev.reason, "");

	ok(AGENT("\"agent_id\":\"a\",\"state\":\"available\",\"queues\":null"));
	assert_false(ev.has_queues);
}

static void test_agent_states(void **state)
{
	static const char *const names[] = { "logged_out", "available",
		"not_ready", "alerting", "talking", "hold", "acw" };
	char buf[256];
	(void)state;
	for (int s = 0; s < CSLA_AS_COUNT; s++) {
		snprintf(buf, sizeof buf,
			 AGENT("\"agent_id\":\"a\",\"state\":\"%s\""), names[s]);
		ok(buf);
		assert_int_equal(ev.state, s);
	}
}

/* Every value of every enum field, and every near miss of one (a byte
 * short, one more, a byte's case flipped, another field's value): the
 * names are found through a perfect hash, which must still compare. */
static void test_enum_near_misses(void **state)
{
	static const struct {
		const char *fmt; /* %s: the value */
		const char *names[8];
		csla_reject_t miss;
	} enums[] = {
		{ "{\"v\":1,\"type\":\"%s\",\"ts\":1795600800000,"
		  "\"agent_id\":\"a\",\"state\":\"acw\",\"event\":\"ended\","
		  "\"call_id\":\"c\",\"queue\":\"q\",\"offered_at\":1,"
		  "\"ended_at\":2,\"outcome\":\"flowout\"}",
		  { "call", "agent", "cdr" }, CSLA_REJ_UNKNOWN_TYPE },
		{ CALL("\"event\":\"%s\",\"call_id\":\"c\",\"queue\":\"q\","
		       "\"agent_id\":\"a\""),
		  { "offered", "alerting", "answered", "abandoned", "flowout",
		    "ended" }, CSLA_REJ_BAD_FIELD },
		{ AGENT("\"agent_id\":\"a\",\"state\":\"%s\""),
		  { "logged_out", "available", "not_ready", "alerting",
		    "talking", "hold", "acw" }, CSLA_REJ_BAD_FIELD },
		{ CDR("\"call_id\":\"c\",\"queue\":\"q\",\"offered_at\":1,"
		      "\"answered_at\":1,\"ended_at\":2,\"outcome\":\"%s\""),
		  { "answered", "abandoned", "flowout" }, CSLA_REJ_BAD_FIELD },
	};
	char buf[512], v[32];
	(void)state;
	for (size_t t = 0; t < sizeof enums / sizeof enums[0]; t++) {
		for (size_t i = 0; enums[t].names[i]; i++) {
			const char *name = enums[t].names[i];
			size_t n = strlen(name);

			snprintf(buf, sizeof buf, enums[t].fmt, name);
			/* cdr "answered" has its answer time; the others
			 * have one they must not: only "valid" is asked */
			if (t != 3 || i == 0)
				ok(buf);
			snprintf(v, sizeof v, "%.*s", (int)n - 1, name);
			snprintf(buf, sizeof buf, enums[t].fmt, v);
			expect(buf, enums[t].miss, NULL);
			snprintf(v, sizeof v, "%sx", name);
			snprintf(buf, sizeof buf, enums[t].fmt, v);
			expect(buf, enums[t].miss, NULL);
			for (size_t at = 0; at < n; at++) {
				snprintf(v, sizeof v, "%s", name);
				v[at] ^= 0x20;
				snprintf(buf, sizeof buf, enums[t].fmt, v);
				expect(buf, enums[t].miss, NULL);
			}
		}
	}
	/* Another enum's value is none of this one's. */
	expect(AGENT("\"agent_id\":\"a\",\"state\":\"offered\""),
	       CSLA_REJ_BAD_FIELD, "\"state\"");
	expect(CALL("\"event\":\"talking\",\"call_id\":\"c\",\"queue\":\"q\""),
	       CSLA_REJ_BAD_FIELD, "\"event\"");
	expect(CDR("\"call_id\":\"c\",\"queue\":\"q\",\"offered_at\":1,"
		   "\"ended_at\":2,\"outcome\":\"ended\""),
	       CSLA_REJ_BAD_FIELD, "\"outcome\"");
}

static void test_agent_queue_limit(void **state)
{
	char buf[2048];
	size_t n;
	(void)state;
	/* 32 distinct queues fit; a 33rd is too many, a repeat is not */
	n = (size_t)snprintf(buf, sizeof buf, AGENT("\"agent_id\":\"a\","
			     "\"state\":\"hold\",\"queues\":[\"q0\""));
	n -= 1; /* drop the closing brace */
	for (int i = 1; i < 32; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, ",\"q%d\"", i);
	snprintf(buf + n, sizeof buf - n, ",\"q5\"]}");
	ok(buf);
	assert_int_equal(ev.nqueues, 32);
	check_str(ev.queues[31], "q31");
	snprintf(buf + n, sizeof buf - n, ",\"q32\"]}");
	expect(buf, CSLA_REJ_BAD_FIELD, "\"queues\"");
}

static void test_cdr(void **state)
{
	(void)state;
	ok(CDR("\"ts\":\"2026-11-25T10:05:00Z\",\"call_id\":\"c\",\"queue\":\"q\","
	       "\"offered_at\":\"2026-11-25T10:00:00Z\","
	       "\"alerting_at\":\"2026-11-25T10:00:08Z\","
	       "\"answered_at\":\"2026-11-25T18:00:12+08:00\","
	       "\"ended_at\":1795601100000,\"outcome\":\"answered\","
	       "\"agent_id\":\"a\",\"talk_ms\":270000,\"hold_ms\":0,"
	       "\"acw_ms\":18000"));
	assert_int_equal(ev.type, CSLA_EV_CDR);
	assert_int_equal(ev.outcome, CSLA_OUT_ANSWERED);
	assert_int_equal(ev.offered_at, T0);
	assert_int_equal(ev.alerting_at, T0 + 8000);
	assert_int_equal(ev.answered_at, T0 + 12000);
	assert_int_equal(ev.ended_at, T0 + 300000);
	assert_int_equal(ev.ts_ms, T0 + 300000);
	check_str(ev.agent_id, "a");
	assert_int_equal(ev.talk_ms, 270000);
	assert_int_equal(ev.hold_ms, 0);
	assert_int_equal(ev.acw_ms, 18000);

	/* no ts: the record's time is its end; a ts that differs is only
	 * validated */
	ok(CDR("\"call_id\":\"c\",\"queue\":\"q\",\"offered_at\":1795600800000,"
	       "\"ended_at\":1795600830000,\"outcome\":\"abandoned\""));
	assert_int_equal(ev.outcome, CSLA_OUT_ABANDONED);
	assert_int_equal(ev.ts_ms, T0 + 30000);
	assert_int_equal(ev.answered_at, CSLA_NO_MS);
	assert_int_equal(ev.alerting_at, CSLA_NO_MS);
	assert_int_equal(ev.talk_ms, CSLA_NO_MS);
	check_str(ev.agent_id, "");
	ok(CDR("\"ts\":1,\"call_id\":\"c\",\"queue\":\"q\","
	       "\"offered_at\":1795600800000,\"ended_at\":1795600800000,"
	       "\"outcome\":\"flowout\""));
	assert_int_equal(ev.outcome, CSLA_OUT_FLOWOUT);
	assert_int_equal(ev.ts_ms, T0);
}

static void test_cdr_sanity(void **state)
{
	(void)state;
	expect(CDR("\"call_id\":\"c\",\"queue\":\"q\",\"offered_at\":10,"
		   "\"ended_at\":9,\"outcome\":\"abandoned\""),
	       CSLA_REJ_BAD_FIELD, "\"ended_at\"");
	expect(CDR("\"call_id\":\"c\",\"queue\":\"q\",\"offered_at\":10,"
		   "\"answered_at\":9,\"ended_at\":20,\"outcome\":\"answered\""),
	       CSLA_REJ_BAD_FIELD, "\"answered_at\"");
	expect(CDR("\"call_id\":\"c\",\"queue\":\"q\",\"offered_at\":10,"
		   "\"answered_at\":21,\"ended_at\":20,\"outcome\":\"answered\""),
	       CSLA_REJ_BAD_FIELD, "\"answered_at\"");
	expect(CDR("\"call_id\":\"c\",\"queue\":\"q\",\"offered_at\":10,"
		   "\"answered_at\":15,\"ended_at\":20,\"outcome\":\"abandoned\""),
	       CSLA_REJ_BAD_FIELD, "\"answered_at\"");
	expect(CDR("\"call_id\":\"c\",\"queue\":\"q\",\"offered_at\":10,"
		   "\"alerting_at\":9,\"ended_at\":20,\"outcome\":\"flowout\""),
	       CSLA_REJ_BAD_FIELD, "\"alerting_at\"");
	expect(CDR("\"call_id\":\"c\",\"queue\":\"q\",\"offered_at\":10,"
		   "\"alerting_at\":16,\"answered_at\":15,\"ended_at\":20,"
		   "\"outcome\":\"answered\""),
	       CSLA_REJ_BAD_FIELD, "\"alerting_at\"");
	/* all equal is fine */
	ok(CDR("\"call_id\":\"c\",\"queue\":\"q\",\"offered_at\":10,"
	       "\"alerting_at\":10,\"answered_at\":10,\"ended_at\":10,"
	       "\"outcome\":\"answered\""));
}

/* ---- strings ---- */

static void test_escapes(void **state)
{
	const char *msg = CALL("\"event\":\"offered\",\"call_id\":\"plain\","
		"\"queue\":\"a\\nb\\\"c\\\\d\\/e\\bf\\fg\\rh\\ti\","
		"\"tenant\":\"caf\\u00e9 \\ud83d\\ude00 \\u20AC\\u0041\"");
	(void)state;
	ok(msg);
	check_str(ev.queue, "a\nb\"c\\d/e\bf\fg\rh\ti");
	check_str(ev.tenant, "caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac" "A");
	/* plain strings point into the message, escaped ones elsewhere */
	assert_true(ev.call_id.p > msg && ev.call_id.p < msg + strlen(msg));
	assert_false(ev.queue.p >= msg && ev.queue.p < msg + strlen(msg));
}

static void test_unicode_escape_bounds(void **state)
{
	(void)state;
	ok(CALL("\"event\":\"offered\",\"call_id\":\"\\u007f\\u0080\\u07ff\","
		"\"queue\":\"\\u0800\\uffff\\ud800\\udc00\\udbff\\udfff\""));
	check_str(ev.call_id, "\x7f\xc2\x80\xdf\xbf");
	check_str(ev.queue, "\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80"
			    "\xf4\x8f\xbf\xbf");
	/* raw UTF-8 passes through untouched */
	ok(CALL("\"event\":\"offered\",\"call_id\":\"\xe5\x8c\x97\xe4\xba\xac\","
		"\"queue\":\"\xf0\x9f\x93\x9e\""));
	check_str(ev.call_id, "\xe5\x8c\x97\xe4\xba\xac");
}

static void test_identifier_lengths(void **state)
{
	char buf[1024], id[700];
	(void)state;
	for (int n = 126; n <= 130; n++) {
		memset(id, 'q', (size_t)n);
		id[n] = '\0';
		snprintf(buf, sizeof buf, CALL("\"event\":\"offered\","
			 "\"call_id\":\"c\",\"queue\":\"%s\""), id);
		if (n <= CSLA_ID_MAX) {
			ok(buf);
			assert_int_equal(ev.queue.len, n);
		} else {
			expect(buf, CSLA_REJ_BAD_FIELD, "\"queue\"");
		}
	}
	/* the limit applies after unescaping: 64 x "\u00e9" is 128 bytes */
	id[0] = '\0';
	for (int i = 0; i < 64; i++)
		strcat(id, "\\u00e9");
	snprintf(buf, sizeof buf, CALL("\"event\":\"offered\",\"call_id\":\"c\","
		 "\"queue\":\"q\",\"id\":\"%s\""), id);
	ok(buf);
	assert_int_equal(ev.id.len, 128);
	snprintf(buf, sizeof buf, CALL("\"event\":\"offered\",\"call_id\":\"c\","
		 "\"queue\":\"q\",\"id\":\"%sx\""), id);
	expect(buf, CSLA_REJ_BAD_FIELD, "\"id\"");
}

static void test_identifier_rules(void **state)
{
	(void)state;
	expect(CALL("\"event\":\"offered\",\"call_id\":\"\",\"queue\":\"q\""),
	       CSLA_REJ_BAD_FIELD, "field \"call_id\": expected a string");
	expect(CALL("\"event\":\"offered\",\"call_id\":7,\"queue\":\"q\""),
	       CSLA_REJ_BAD_FIELD, "\"call_id\"");
	expect(CALL("\"event\":\"offered\",\"call_id\":\"c\",\"queue\":[\"q\"]"),
	       CSLA_REJ_BAD_FIELD, "\"queue\"");
	expect(CALL("\"event\":\"offered\",\"call_id\":\"c\",\"queue\":\"q\","
		    "\"tenant\":\"a\\u0000b\""), CSLA_REJ_BAD_FIELD, "\"tenant\"");
	expect(CALL("\"event\":\"offered\",\"call_id\":\"c\",\"queue\":\"q\","
		    "\"tenant\":\"\""), CSLA_REJ_BAD_FIELD, "\"tenant\"");
	expect(CALL("\"event\":\"offered\",\"call_id\":\"c\",\"queue\":\"q\","
		    "\"id\":true"), CSLA_REJ_BAD_FIELD, "\"id\"");
	expect(AGENT("\"agent_id\":\"a\",\"state\":\"hold\",\"team\":{}"),
	       CSLA_REJ_BAD_FIELD, "\"team\"");
	expect(AGENT("\"agent_id\":\"a\",\"state\":\"hold\",\"reason\":\"\""),
	       CSLA_REJ_BAD_FIELD, "\"reason\"");
	expect(AGENT("\"agent_id\":\"a\",\"state\":\"hold\",\"queues\":[\"\"]"),
	       CSLA_REJ_BAD_FIELD, "\"queues\"");
	expect(AGENT("\"agent_id\":\"a\",\"state\":\"hold\",\"queues\":[null]"),
	       CSLA_REJ_BAD_FIELD, "\"queues\"");
	expect(AGENT("\"agent_id\":\"a\",\"state\":\"hold\",\"queues\":{}"),
	       CSLA_REJ_BAD_FIELD, "\"queues\"");
	expect(AGENT("\"agent_id\":\"a\",\"state\":\"hold\","
		     "\"queues\":[\"q\",[\"r\"]]"), CSLA_REJ_BAD_FIELD,
	       "\"queues\"");
}

/* ---- structure ---- */

static void test_key_order_and_unknown_fields(void **state)
{
	(void)state;
	ok("{\"queue\":\"q\",\"meta\":{\"a\":[1,{\"b\":[[],{}]},\"x\"],\"c\":null},"
	   "\"call_id\":\"c\",\"event\":\"offered\",\"ts\":1795600800000,"
	   "\"n\":-1.5e-7,\"t\":true,\"type\":\"call\",\"v\":1}");
	assert_int_equal(ev.call_event, CSLA_CALL_OFFERED);
	check_str(ev.queue, "q");
	/* a field of another event type is ignored whatever its value */
	ok(CALL("\"event\":\"offered\",\"call_id\":\"c\",\"queue\":\"q\","
		"\"state\":42,\"queues\":\"x\",\"outcome\":{},\"ended_at\":\"x\""));
	assert_false(ev.has_queues);
	/* keys are matched after unescaping, as jansson would */
	ok("{\"\\u0076\":1,\"typ\\u0065\":\"call\",\"ts\":1795600800000,"
	   "\"event\":\"offered\",\"call_id\":\"c\",\"queue\":\"q\"}");
}

static void test_duplicates_and_null(void **state)
{
	(void)state;
	/* the last duplicate wins */
	ok("{\"v\":1,\"type\":\"agent\",\"type\":\"call\",\"ts\":1,"
	   "\"ts\":1795600800000,\"event\":\"offered\",\"call_id\":\"c\","
	   "\"queue\":5,\"queue\":\"q\"}");
	assert_int_equal(ev.type, CSLA_EV_CALL);
	assert_int_equal(ev.ts_ms, T0);
	check_str(ev.queue, "q");
	expect(CALL("\"event\":\"offered\",\"call_id\":\"c\",\"queue\":\"q\","
		    "\"queue\":null"), CSLA_REJ_MISSING_FIELD, "\"queue\"");
	/* null optional = absent */
	ok(CALL("\"event\":\"answered\",\"call_id\":\"c\",\"queue\":\"q\","
		"\"agent_id\":\"a\",\"wait_ms\":null,\"tenant\":null,\"id\":null"));
	assert_int_equal(ev.wait_ms, CSLA_NO_MS);
	check_str(ev.tenant, "default");
	check_str(ev.id, "");
}

static void test_json_numbers(void **state)
{
	(void)state;
	ok(CALL("\"event\":\"offered\",\"call_id\":\"c\",\"queue\":\"q\","
		"\"x\":[0,-0,1E+2,1e-2,-1.5E3,9223372036854775807,"
		"-9223372036854775808,1e-400,1.7976931348623157e308,"
		"1.7976931348623158e308,-1.7976931348623158e308,"
		"0.00001e313,0e99999999999999,0.0]"));
	const char *bad[] = {
		"9223372036854775808", "-9223372036854775809",
		"12345678901234567890", "1e400", "-1e400",
		"1.7976931348623159e308", "10e308", "01", "-01", "1.", ".5",
		"-", "+1", "1e", "1e+", "0x10", "1.5e", "NaN", "Infinity",
	};
	char buf[256];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(buf, sizeof buf, CALL("\"event\":\"offered\","
			 "\"call_id\":\"c\",\"queue\":\"q\",\"x\":%s"), bad[i]);
		expect(buf, CSLA_REJ_MALFORMED_JSON, "invalid JSON");
	}
}

/* 2^1024 - 2^970 (Python: str(2**1024 - 2**970)) is the smallest value
 * that rounds to infinity; one less still fits. */
static void test_real_overflow_boundary(void **state)
{
	static const char limit[] =
		"17976931348623158079372897140530341507993413271003782693617"
		"37789804449682927647509466490179775872070963302864166928879"
		"10946555547851940402630657488671505820681908902000708383676"
		"27385484581771153176447573027006985557136695962284291481986"
		"08349364752927190741684443655107043427115596995080930428801"
		"77904174497792";
	char less[400], buf[600];
	(void)state;
	snprintf(less, sizeof less, "%s", limit);
	less[strlen(less) - 1] = '1';

	snprintf(buf, sizeof buf, "[%s.0]", limit);
	expect(buf, CSLA_REJ_MALFORMED_JSON, "overflows a double");
	snprintf(buf, sizeof buf, "[-%s.0]", limit);
	expect(buf, CSLA_REJ_MALFORMED_JSON, "overflows a double");
	snprintf(buf, sizeof buf, "[%s.0]", less);
	expect(buf, CSLA_REJ_NOT_OBJECT, NULL);
	/* the same values written with a fraction and an exponent */
	snprintf(buf, sizeof buf, "[%.1s.%se308]", limit, limit + 1);
	expect(buf, CSLA_REJ_MALFORMED_JSON, NULL);
	snprintf(buf, sizeof buf, "[%.1s.%se308]", less, less + 1);
	expect(buf, CSLA_REJ_NOT_OBJECT, NULL);
	snprintf(buf, sizeof buf, "[0.000%se312]", limit);
	expect(buf, CSLA_REJ_MALFORMED_JSON, NULL);
	snprintf(buf, sizeof buf, "[0.000%se312]", less);
	expect(buf, CSLA_REJ_NOT_OBJECT, NULL);
}

static void test_nesting_depth(void **state)
{
	enum { N = 2047 };
	char *buf = malloc(2 * N + 200);
	size_t n;
	(void)state;
	/* the message object is depth 1, so 2047 arrays reach 2048 */
	n = (size_t)sprintf(buf, "{\"x\":");
	memset(buf + n, '[', N);
	n += N;
	memset(buf + n, ']', N);
	n += N;
	n += (size_t)sprintf(buf + n, ",\"v\":1,\"type\":\"call\","
			     "\"ts\":1,\"event\":\"flowout\",\"call_id\":\"c\","
			     "\"queue\":\"q\"}");
	assert_int_equal(decode_n(buf, n), CSLA_OK);
	/* one level more, as an empty array or as a scalar */
	n = (size_t)sprintf(buf, "{\"x\":");
	memset(buf + n, '[', N + 1);
	n += N + 1;
	memset(buf + n, ']', N + 1);
	n += N + 1;
	n += (size_t)sprintf(buf + n, "}");
	assert_int_equal(decode_n(buf, n), CSLA_REJ_MALFORMED_JSON);
	assert_non_null(strstr(err, "nesting"));
	n = (size_t)sprintf(buf, "{\"x\":");
	memset(buf + n, '[', N);
	n += N;
	buf[n++] = '1';
	memset(buf + n, ']', N);
	n += N;
	n += (size_t)sprintf(buf + n, "}");
	assert_int_equal(decode_n(buf, n), CSLA_REJ_MALFORMED_JSON);
	free(buf);
}

static void test_jansson_quirks(void **state)
{
	static const char nul_after_number[] =
		"{\"v\":1\0,\"type\":\"call\",\"ts\":1795600800000,"
		"\"event\":\"offered\",\"call_id\":\"c\",\"queue\":\"q\",\"t\":true\0}";
	static const char two_nuls[] = "{\"v\":1\0\0}";
	static const char nul_after_string[] = "{\"v\":\"1\"\0}";
	static const char nul_in_string[] = "{\"v\":1,\"x\":\"a\0\"}";
	(void)state;
	/* jansson drops one NUL that follows a number or a literal */
	assert_int_equal(decode_n(nul_after_number, sizeof nul_after_number - 1),
			 CSLA_OK);
	assert_int_equal(decode_n(two_nuls, sizeof two_nuls - 1),
			 CSLA_REJ_MALFORMED_JSON);
	assert_int_equal(decode_n(nul_after_string, sizeof nul_after_string - 1),
			 CSLA_REJ_MALFORMED_JSON);
	assert_int_equal(decode_n(nul_in_string, sizeof nul_in_string - 1),
			 CSLA_REJ_MALFORMED_JSON);
	/* \u0000 is allowed in values (JSON_ALLOW_NUL) but not in keys */
	expect("{\"v\":1,\"x\":\"\\u0000\"}", CSLA_REJ_MISSING_FIELD, NULL);
	expect("{\"v\":1,\"x\\u0000\":1}", CSLA_REJ_MALFORMED_JSON, "NUL");
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"", " ", "{", "{\"v\":1", "{\"v\":1,}", "{\"v\" 1}", "{\"v\":}",
		"{v:1}", "{'v':1}", "{\"v\":1}}", "{\"v\":1} {}", "{\"v\":1}x",
		"{\"v\":tru}", "{\"v\":nul}", "{\"v\":True}", "[1,]", "[,1]",
		"{\"a\":[1 2]}", "{\"a\":\"x}", "{\"a\":\"\\x\"}",
		"{\"a\":\"\\u12\"}", "{\"a\":\"\\u12G4\"}", "{\"a\":\"\\ud800\"}",
		"{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\\u0041\"}",
		"{\"a\":\"\\ud800\\n\"}", "{\"a\":\"\\ud800\\ud800\"}",
		"{\"a\":\"tab\there\"}", "{\"a\":\"nl\nhere\"}",
		"{\"a\":\"\x1f\"}", "{\"a\":\"\xff\"}", "{\"a\":\"\x80\"}",
		"{\"a\":\"\xc0\x80\"}", "{\"a\":\"\xc1\xbf\"}",
		"{\"a\":\"\xe0\x9f\xbf\"}", "{\"a\":\"\xed\xa0\x80\"}",
		"{\"a\":\"\xf0\x8f\xbf\xbf\"}", "{\"a\":\"\xf4\x90\x80\x80\"}",
		"{\"a\":\"\xf5\x80\x80\x80\"}", "{\"a\":\"\xc3\"}",
		"{\"a\":\"\xe2\x82\"}", "{\"a\":\"\xe2\x82x\"}",
		"\xef\xbb\xbf{\"v\":1}", "{\"a\":1}\xc3\xa9", "{\xc3\xa9:1}",
		"{\"a\"\f:1}", "{\"a\":1,\"b\"}", "[\"a\":1]", "{\"a\",1}",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect(bad[i], CSLA_REJ_MALFORMED_JSON, "invalid JSON at byte ");
	expect("{\"v\":1,}", CSLA_REJ_MALFORMED_JSON,
	       "invalid JSON at byte 7: string key expected");
	/* valid control bytes: DEL and escaped ones */
	ok(CALL("\"event\":\"offered\",\"call_id\":\"\x7f\",\"queue\":\"\\u001f\""));
}

static void test_not_object(void **state)
{
	(void)state;
	expect("[{\"v\":1}]", CSLA_REJ_NOT_OBJECT,
	       "message is an array, not a JSON object");
	expect(" \"call\" ", CSLA_REJ_NOT_OBJECT, "a string");
	expect("1795600800000", CSLA_REJ_NOT_OBJECT, "a number");
	expect("-0.5e3", CSLA_REJ_NOT_OBJECT, "a number");
	expect("null", CSLA_REJ_NOT_OBJECT, "null");
	expect("false\n", CSLA_REJ_NOT_OBJECT, "a boolean");
	/* malformed takes precedence */
	expect("[1,2", CSLA_REJ_MALFORMED_JSON, NULL);
}

/* ---- field rejections ---- */

static void test_version_and_type(void **state)
{
	(void)state;
	expect("{}", CSLA_REJ_MISSING_FIELD, "missing field \"v\"");
	expect("{\"type\":\"call\"}", CSLA_REJ_MISSING_FIELD, "\"v\"");
	expect("{\"v\":null}", CSLA_REJ_MISSING_FIELD, "\"v\"");
	expect("{\"v\":2,\"type\":\"call\"}", CSLA_REJ_BAD_VERSION,
	       "field \"v\": expected schema version 1");
	expect("{\"v\":\"1\"}", CSLA_REJ_BAD_VERSION, NULL);
	expect("{\"v\":1.0}", CSLA_REJ_BAD_VERSION, NULL);
	expect("{\"v\":-1}", CSLA_REJ_BAD_VERSION, NULL);
	expect("{\"v\":[1]}", CSLA_REJ_BAD_VERSION, NULL);
	expect("{\"v\":1}", CSLA_REJ_MISSING_FIELD, "missing field \"type\"");
	expect("{\"v\":1,\"type\":null}", CSLA_REJ_MISSING_FIELD, "\"type\"");
	expect("{\"v\":1,\"type\":\"Call\"}", CSLA_REJ_UNKNOWN_TYPE,
	       "field \"type\": expected \"call\", \"agent\" or \"cdr\"");
	expect("{\"v\":1,\"type\":\"callx\"}", CSLA_REJ_UNKNOWN_TYPE, NULL);
	expect("{\"v\":1,\"type\":1}", CSLA_REJ_UNKNOWN_TYPE, NULL);
	expect("{\"v\":1,\"type\":{}}", CSLA_REJ_UNKNOWN_TYPE, NULL);
	/* escaped but equal */
	expect("{\"v\":1,\"type\":\"\\u0063all\"}", CSLA_REJ_MISSING_FIELD,
	       "\"ts\"");
}

static void test_missing_fields(void **state)
{
	(void)state;
	expect("{\"v\":1,\"type\":\"call\",\"event\":\"offered\",\"call_id\":"
	       "\"c\",\"queue\":\"q\"}", CSLA_REJ_MISSING_FIELD,
	       "missing field \"ts\"");
	expect("{\"v\":1,\"type\":\"agent\",\"ts\":null,\"agent_id\":\"a\","
	       "\"state\":\"hold\"}", CSLA_REJ_MISSING_FIELD, "\"ts\"");
	expect(CALL("\"call_id\":\"c\",\"queue\":\"q\""),
	       CSLA_REJ_MISSING_FIELD, "\"event\"");
	expect(CALL("\"event\":\"offered\",\"queue\":\"q\""),
	       CSLA_REJ_MISSING_FIELD, "\"call_id\"");
	static const char *const need_queue[] = { "offered", "answered",
		"abandoned", "flowout" };
	static const char *const need_agent[] = { "alerting", "answered",
		"ended" };
	char buf[256], want[128];
	for (size_t i = 0; i < 4; i++) {
		snprintf(buf, sizeof buf, CALL("\"event\":\"%s\",\"call_id\":"
			 "\"c\",\"agent_id\":\"a\""), need_queue[i]);
		snprintf(want, sizeof want, "missing field \"queue\" (required "
			 "for call event \"%s\")", need_queue[i]);
		expect(buf, CSLA_REJ_MISSING_FIELD, want);
	}
	for (size_t i = 0; i < 3; i++) {
		snprintf(buf, sizeof buf, CALL("\"event\":\"%s\",\"call_id\":"
			 "\"c\",\"queue\":\"q\""), need_agent[i]);
		snprintf(want, sizeof want, "missing field \"agent_id\" "
			 "(required for call event \"%s\")", need_agent[i]);
		expect(buf, CSLA_REJ_MISSING_FIELD, want);
	}
	expect(AGENT("\"state\":\"hold\""), CSLA_REJ_MISSING_FIELD,
	       "\"agent_id\"");
	expect(AGENT("\"agent_id\":\"a\""), CSLA_REJ_MISSING_FIELD, "\"state\"");
	expect(AGENT("\"agent_id\":\"a\",\"state\":null"),
	       CSLA_REJ_MISSING_FIELD, "\"state\"");
	expect(CDR("\"queue\":\"q\",\"offered_at\":1,\"ended_at\":2,"
		   "\"outcome\":\"flowout\""), CSLA_REJ_MISSING_FIELD,
	       "\"call_id\"");
	expect(CDR("\"call_id\":\"c\",\"offered_at\":1,\"ended_at\":2,"
		   "\"outcome\":\"flowout\""), CSLA_REJ_MISSING_FIELD,
	       "\"queue\"");
	expect(CDR("\"call_id\":\"c\",\"queue\":\"q\",\"ended_at\":2,"
		   "\"outcome\":\"flowout\""), CSLA_REJ_MISSING_FIELD,
	       "\"offered_at\"");
	expect(CDR("\"call_id\":\"c\",\"queue\":\"q\",\"offered_at\":1,"
		   "\"ended_at\":2"), CSLA_REJ_MISSING_FIELD, "\"outcome\"");
	expect(CDR("\"call_id\":\"c\",\"queue\":\"q\",\"offered_at\":1,"
		   "\"outcome\":\"flowout\""), CSLA_REJ_MISSING_FIELD,
	       "\"ended_at\"");
	expect(CDR("\"call_id\":\"c\",\"queue\":\"q\",\"offered_at\":1,"
		   "\"ended_at\":2,\"outcome\":\"answered\""),
	       CSLA_REJ_MISSING_FIELD, "missing field \"answered_at\" "
	       "(required for outcome \"answered\")");
}

static void test_bad_fields(void **state)
{
	(void)state;
	expect(CALL("\"event\":\"hungup\",\"call_id\":\"c\",\"queue\":\"q\""),
	       CSLA_REJ_BAD_FIELD, "field \"event\": expected offered, ");
	expect(CALL("\"event\":7,\"call_id\":\"c\",\"queue\":\"q\""),
	       CSLA_REJ_BAD_FIELD, "field \"event\": expected a string");
	expect(AGENT("\"agent_id\":\"a\",\"state\":\"busy\""),
	       CSLA_REJ_BAD_FIELD, "field \"state\"");
	expect(CDR("\"call_id\":\"c\",\"queue\":\"q\",\"offered_at\":1,"
		   "\"ended_at\":2,\"outcome\":\"lost\""), CSLA_REJ_BAD_FIELD,
	       "field \"outcome\"");
	static const char *const durations[] = { "-1", "12.0", "1e3", "\"5\"",
		"true", "31622400001", "[]" };
	char buf[256];
	for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++) {
		snprintf(buf, sizeof buf, CALL("\"event\":\"ended\",\"call_id\":"
			 "\"c\",\"agent_id\":\"a\",\"acw_ms\":%s"), durations[i]);
		expect(buf, CSLA_REJ_BAD_FIELD,
		       "field \"acw_ms\": expected an integer of milliseconds");
	}
	ok(CALL("\"event\":\"ended\",\"call_id\":\"c\",\"agent_id\":\"a\","
		"\"hold_ms\":31622400000"));
	assert_int_equal(ev.hold_ms, 31622400000LL);
}

static void test_bad_ts(void **state)
{
	static const char *const bad[] = {
		"\"2026-13-01T00:00:00Z\"", "\"2026-11-25T10:00:00\"",
		"\"2026-02-29T10:00:00Z\"", "\"\"", "1795600800000.0", "1.5",
		"true", "{}", "[1]", "253402300800000", "-62135596800001",
		"\"1795600800000\"",
	};
	char buf[256];
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(buf, sizeof buf, AGENT("\"agent_id\":\"a\","
			 "\"state\":\"hold\",\"ts\":%s"), bad[i]);
		expect(buf, CSLA_REJ_BAD_TS, "field \"ts\": expected an RFC 3339");
	}
	ok(AGENT("\"agent_id\":\"a\",\"state\":\"hold\",\"ts\":253402300799999"));
	assert_int_equal(ev.ts_ms, 253402300799999LL);
	ok(AGENT("\"agent_id\":\"a\",\"state\":\"hold\",\"ts\":-62135596800000"));
	assert_int_equal(ev.ts_ms, -62135596800000LL);
	ok(AGENT("\"agent_id\":\"a\",\"state\":\"hold\",\"ts\":0"));
	assert_int_equal(ev.ts_ms, 0);
	expect(CDR("\"ts\":\"x\",\"call_id\":\"c\",\"queue\":\"q\","
		   "\"offered_at\":1,\"ended_at\":2,\"outcome\":\"flowout\""),
	       CSLA_REJ_BAD_TS, "\"ts\"");
	expect(CDR("\"call_id\":\"c\",\"queue\":\"q\",\"offered_at\":1,"
		   "\"ended_at\":\"2026-11-25T10:00:00+25:00\","
		   "\"outcome\":\"flowout\""), CSLA_REJ_BAD_TS, "\"ended_at\"");
	expect(CDR("\"call_id\":\"c\",\"queue\":\"q\",\"offered_at\":1,"
		   "\"alerting_at\":false,\"ended_at\":2,"
		   "\"outcome\":\"flowout\""), CSLA_REJ_BAD_TS, "\"alerting_at\"");
	expect(CDR("\"call_id\":\"c\",\"queue\":\"q\",\"offered_at\":1,"
		   "\"answered_at\":\"x\",\"ended_at\":2,"
		   "\"outcome\":\"answered\""), CSLA_REJ_BAD_TS, "\"answered_at\"");
}

/* The first failing field in the documented order names the rejection. */
static void test_check_order(void **state)
{
	(void)state;
	expect("{\"type\":\"x\",\"v\":2}", CSLA_REJ_BAD_VERSION, NULL);
	expect("{\"v\":1,\"type\":\"x\",\"ts\":\"bad\"}", CSLA_REJ_UNKNOWN_TYPE,
	       NULL);
	expect("{\"v\":1,\"type\":\"call\",\"tenant\":\"\",\"ts\":\"bad\"}",
	       CSLA_REJ_BAD_FIELD, "\"tenant\"");
	expect("{\"v\":1,\"type\":\"call\",\"ts\":\"bad\",\"event\":\"x\"}",
	       CSLA_REJ_BAD_TS, NULL);
}

/* ---- limits and the API ---- */

static void test_max_bytes(void **state)
{
	const char *base = CALL("\"event\":\"offered\",\"call_id\":\"c\","
				"\"queue\":\"q\"");
	size_t blen = strlen(base);
	csla_decoder_t *small = csla_decoder_new(blen + 10);
	char buf[256];
	csla_event_t e;
	(void)state;
	assert_non_null(small);
	memset(buf, ' ', sizeof buf);
	memcpy(buf, base, blen);
	/* exactly max_bytes (trailing blanks are valid JSON) */
	assert_int_equal(csla_decode(small, buf, blen + 10, &e, err, sizeof err),
			 CSLA_OK);
	assert_int_equal(csla_decode(small, buf, blen + 11, &e, err, sizeof err),
			 CSLA_REJ_TOO_LARGE);
	assert_non_null(strstr(err, "exceeds"));
	/* checked before parsing: garbage of that size is too_large too */
	memset(buf, 0xff, sizeof buf);
	assert_int_equal(csla_decode(small, buf, blen + 11, &e, err, sizeof err),
			 CSLA_REJ_TOO_LARGE);
	csla_decoder_destroy(small);
}

static void test_scratch_full_of_escapes(void **state)
{
	/* A message of max_bytes that is almost all escapes must unescape
	 * within the scratch buffer (run under ASan). */
	char buf[600];
	size_t n;
	csla_decoder_t *small;
	csla_event_t e;
	(void)state;
	n = (size_t)snprintf(buf, sizeof buf, "{\"\\u0076\":1,\"type\":"
			     "\"\\u0063\\u0061\\u006c\\u006c\",\"ts\":1,"
			     "\"event\":\"\\u006f\\u0066\\u0066\\u0065\\u0072"
			     "\\u0065\\u0064\",\"call_id\":\"");
	for (int i = 0; i < 20; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "\\ud83d\\ude00");
	n += (size_t)snprintf(buf + n, sizeof buf - n, "\",\"queue\":\"\\n\"}");
	small = csla_decoder_new(n);
	assert_int_equal(csla_decode(small, buf, n, &e, err, sizeof err),
			 CSLA_OK);
	assert_int_equal(e.call_id.len, 80);
	check_str(e.queue, "\n");
	csla_decoder_destroy(small);
}

static void test_errstr_handling(void **state)
{
	char small[10];
	(void)state;
	assert_int_equal(csla_decode(dec, "[]", 2, &ev, NULL, 0),
			 CSLA_REJ_NOT_OBJECT);
	assert_int_equal(csla_decode(dec, "[]", 2, &ev, small, sizeof small),
			 CSLA_REJ_NOT_OBJECT);
	assert_string_equal(small, "message i");
	assert_int_equal(csla_decode(dec, "[]", 2, &ev, small, 0),
			 CSLA_REJ_NOT_OBJECT);
}

static void test_decoder_reuse(void **state)
{
	(void)state;
	/* strings of the previous event are not needed by the next */
	ok(CALL("\"event\":\"offered\",\"call_id\":\"\\u0041\",\"queue\":\"q\""));
	check_str(ev.call_id, "A");
	expect("{\"v\":1,", CSLA_REJ_MALFORMED_JSON, NULL);
	ok(AGENT("\"agent_id\":\"\\u0042\",\"state\":\"talking\""));
	check_str(ev.agent_id, "B");
	check_str(ev.call_id, "");
	assert_false(ev.has_queues);
}

/* ---- corpus ---- */

struct corpus_run {
	int failures;
	unsigned reasons_seen; /* bit per csla_reject_t */
};

static void run_valid(void *opaque, const char *name, const char *buf,
		      size_t len)
{
	struct corpus_run *cr = opaque;
	csla_reject_t r = decode_n(buf, len);
	if (r != CSLA_OK) {
		print_error("valid/%s: %s (%s)\n", name, csla_reject_name(r), err);
		cr->failures++;
	}
}

static void run_reject(void *opaque, const char *name, const char *buf,
		       size_t len)
{
	struct corpus_run *cr = opaque;
	const char *dash = strrchr(name, '-');
	size_t plen = dash ? (size_t)(dash - name) : 0;
	csla_reject_t r = decode_n(buf, len);
	const char *got = csla_reject_name(r);

	if (strlen(got) != plen || strncmp(got, name, plen)) {
		print_error("reject/%s: got %s (%s)\n", name, got, err);
		cr->failures++;
		return;
	}
	cr->reasons_seen |= 1u << r;
}

static void test_corpus_valid(void **state)
{
	struct corpus_run cr = { 0, 0 };
	(void)state;
	int n = corpus_each("valid", run_valid, &cr);
	assert_true(n >= 10);
	assert_int_equal(cr.failures, 0);
}

static void test_corpus_reject(void **state)
{
	static const csla_reject_t decoder_reasons[] = {
		CSLA_REJ_MALFORMED_JSON, CSLA_REJ_NOT_OBJECT,
		CSLA_REJ_BAD_VERSION, CSLA_REJ_UNKNOWN_TYPE,
		CSLA_REJ_MISSING_FIELD, CSLA_REJ_BAD_FIELD, CSLA_REJ_TOO_LARGE,
		CSLA_REJ_BAD_TS,
	};
	struct corpus_run cr = { 0, 0 };
	(void)state;
	int n = corpus_each("reject", run_reject, &cr);
	assert_true(n >= (int)(sizeof decoder_reasons / sizeof decoder_reasons[0]));
	assert_int_equal(cr.failures, 0);
	for (size_t i = 0; i < sizeof decoder_reasons / sizeof decoder_reasons[0];
	     i++)
		if (!(cr.reasons_seen >> decoder_reasons[i] & 1))
			fail_msg("no reject/%s-*.json in the corpus",
				 csla_reject_name(decoder_reasons[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call_offered_rfc3339),
		cmocka_unit_test(test_call_answered_epoch),
		cmocka_unit_test(test_call_other_events),
		cmocka_unit_test(test_call_fields_kept_where_meaningful),
		cmocka_unit_test(test_agent),
		cmocka_unit_test(test_agent_states),
		cmocka_unit_test(test_enum_near_misses),
		cmocka_unit_test(test_agent_queue_limit),
		cmocka_unit_test(test_cdr),
		cmocka_unit_test(test_cdr_sanity),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_unicode_escape_bounds),
		cmocka_unit_test(test_identifier_lengths),
		cmocka_unit_test(test_identifier_rules),
		cmocka_unit_test(test_key_order_and_unknown_fields),
		cmocka_unit_test(test_duplicates_and_null),
		cmocka_unit_test(test_json_numbers),
		cmocka_unit_test(test_real_overflow_boundary),
		cmocka_unit_test(test_nesting_depth),
		cmocka_unit_test(test_jansson_quirks),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_not_object),
		cmocka_unit_test(test_version_and_type),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_bad_ts),
		cmocka_unit_test(test_check_order),
		cmocka_unit_test(test_max_bytes),
		cmocka_unit_test(test_scratch_full_of_escapes),
		cmocka_unit_test(test_errstr_handling),
		cmocka_unit_test(test_decoder_reuse),
		cmocka_unit_test(test_corpus_valid),
		cmocka_unit_test(test_corpus_reject),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
