/* test_event_json.c - the canonical event line: exact text for each event
 * type, string escaping, truncation, and the round trip through the
 * decoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "callsla/decode.h"
#include "callsla/event_json.h"

#define S(lit) ((csla_str_t){ (lit), sizeof(lit) - 1 })

/* Epoch ms worked out independently (calendar arithmetic). */
#define T_1999_05_10_205618 926369778000LL  /* 1999-05-10T20:56:18Z */
#define T_2026_11_25_100000_123 1795600800123LL
#define T_2026_11_25_095830 1795600710000LL
#define T_2026_11_25_095840 1795600720000LL
#define T_2026_11_25_100500 1795601100000LL

static csla_event_t blank(csla_ev_type_t type, int64_t ts)
{
	csla_event_t ev;

	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.ts_ms = ts;
	ev.tenant = S("default");
	ev.wait_ms = ev.talk_ms = ev.hold_ms = ev.acw_ms = CSLA_NO_MS;
	ev.offered_at = ev.answered_at = CSLA_NO_MS;
	ev.alerting_at = ev.ended_at = CSLA_NO_MS;
	return ev;
}

static csla_event_t offered(void)
{
	csla_event_t ev = blank(CSLA_EV_CALL, T_1999_05_10_205618);

	ev.tenant = S("anonymous-bank");
	ev.id = S("AA0102-990510-35189:offered");
	ev.call_event = CSLA_CALL_OFFERED;
	ev.call_id = S("AA0102-990510-35189");
	ev.queue = S("NE");
	return ev;
}

static csla_event_t answered(void)
{
	csla_event_t ev = blank(CSLA_EV_CALL, T_2026_11_25_100000_123);

	ev.call_event = CSLA_CALL_ANSWERED;
	ev.call_id = S("c1");
	ev.queue = S("billing");
	ev.agent_id = S("a7");
	ev.wait_ms = 8123;
	return ev;
}

static csla_event_t ended(void)
{
	csla_event_t ev = blank(CSLA_EV_CALL, T_2026_11_25_100500);

	ev.id = S("e-3");
	ev.call_event = CSLA_CALL_ENDED;
	ev.call_id = S("c1");
	ev.agent_id = S("a7");
	ev.talk_ms = 240000;
	ev.hold_ms = 0;
	ev.acw_ms = 59877;
	return ev;
}

static csla_event_t agent(void)
{
	csla_event_t ev = blank(CSLA_EV_AGENT, T_2026_11_25_095830);

	ev.tenant = S("shanghai");
	ev.agent_id = S("a7");
	ev.state = CSLA_AS_NOT_READY;
	ev.reason = S("lunch");
	ev.team = S("t1");
	ev.has_queues = true;
	ev.nqueues = 2;
	ev.queues[0] = S("billing");
	ev.queues[1] = S("sales");
	return ev;
}

static csla_event_t cdr(void)
{
	csla_event_t ev = blank(CSLA_EV_CDR, T_2026_11_25_100500);

	ev.id = S("cdr-9");
	ev.call_id = S("c2");
	ev.queue = S("billing");
	ev.agent_id = S("a8");
	ev.outcome = CSLA_OUT_ANSWERED;
	ev.offered_at = T_2026_11_25_095830;
	ev.alerting_at = T_2026_11_25_095840;
	ev.answered_at = T_2026_11_25_100000_123;
	ev.ended_at = T_2026_11_25_100500;
	ev.talk_ms = 250000;
	return ev;
}

static void assert_json(const csla_event_t *ev, const char *want)
{
	char buf[1024];
	size_t n = csla_event_json(ev, buf, sizeof buf);

	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void test_call_offered(void **state)
{
	(void)state;
	csla_event_t ev = offered();
	assert_json(&ev,
		    "{\"v\":1,\"type\":\"call\",\"ts\":\"1999-05-10T20:56:18.000Z\","
		    "\"tenant\":\"anonymous-bank\","
		    "\"id\":\"AA0102-990510-35189:offered\",\"event\":\"offered\","
		    "\"call_id\":\"AA0102-990510-35189\",\"queue\":\"NE\"}");
}

static void test_call_answered(void **state)
{
	(void)state;
	csla_event_t ev = answered();
	assert_json(&ev,
		    "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:00:00.123Z\","
		    "\"tenant\":\"default\",\"event\":\"answered\","
		    "\"call_id\":\"c1\",\"queue\":\"billing\",\"agent_id\":\"a7\","
		    "\"wait_ms\":8123}");
}

static void test_call_ended(void **state)
{
	(void)state;
	csla_event_t ev = ended();
	assert_json(&ev,
		    "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:05:00.000Z\","
		    "\"tenant\":\"default\",\"id\":\"e-3\",\"event\":\"ended\","
		    "\"call_id\":\"c1\",\"agent_id\":\"a7\",\"talk_ms\":240000,"
		    "\"hold_ms\":0,\"acw_ms\":59877}");
}

static void test_call_other_events(void **state)
{
	(void)state;
	csla_event_t ev = answered();

	ev.call_event = CSLA_CALL_ALERTING;
	ev.queue = S("");
	ev.wait_ms = CSLA_NO_MS;
	assert_json(&ev,
		    "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:00:00.123Z\","
		    "\"tenant\":\"default\",\"event\":\"alerting\","
		    "\"call_id\":\"c1\",\"agent_id\":\"a7\"}");
	ev.call_event = CSLA_CALL_FLOWOUT;
	ev.queue = S("q");
	ev.agent_id = S("");
	ev.wait_ms = 0;
	assert_json(&ev,
		    "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:00:00.123Z\","
		    "\"tenant\":\"default\",\"event\":\"flowout\","
		    "\"call_id\":\"c1\",\"queue\":\"q\",\"wait_ms\":0}");
	ev.call_event = CSLA_CALL_ABANDONED;
	ev.wait_ms = 4999;
	assert_json(&ev,
		    "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:00:00.123Z\","
		    "\"tenant\":\"default\",\"event\":\"abandoned\","
		    "\"call_id\":\"c1\",\"queue\":\"q\",\"wait_ms\":4999}");
}

static void test_agent(void **state)
{
	(void)state;
	csla_event_t ev = agent();

	assert_json(&ev,
		    "{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T09:58:30.000Z\","
		    "\"tenant\":\"shanghai\",\"agent_id\":\"a7\","
		    "\"state\":\"not_ready\",\"reason\":\"lunch\",\"team\":\"t1\","
		    "\"queues\":[\"billing\",\"sales\"]}");
	/* an empty list is a list (it clears the agent's queues) */
	ev.nqueues = 0;
	ev.reason = S("");
	ev.state = CSLA_AS_LOGGED_OUT;
	assert_json(&ev,
		    "{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T09:58:30.000Z\","
		    "\"tenant\":\"shanghai\",\"agent_id\":\"a7\","
		    "\"state\":\"logged_out\",\"team\":\"t1\",\"queues\":[]}");
	ev.has_queues = false;
	ev.team = S("");
	ev.state = CSLA_AS_ACW;
	assert_json(&ev,
		    "{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T09:58:30.000Z\","
		    "\"tenant\":\"shanghai\",\"agent_id\":\"a7\",\"state\":\"acw\"}");
}

static void test_cdr(void **state)
{
	(void)state;
	csla_event_t ev = cdr();

	assert_json(&ev,
		    "{\"v\":1,\"type\":\"cdr\",\"ts\":\"2026-11-25T10:05:00.000Z\","
		    "\"tenant\":\"default\",\"id\":\"cdr-9\",\"call_id\":\"c2\","
		    "\"queue\":\"billing\",\"agent_id\":\"a8\","
		    "\"outcome\":\"answered\","
		    "\"offered_at\":\"2026-11-25T09:58:30.000Z\","
		    "\"alerting_at\":\"2026-11-25T09:58:40.000Z\","
		    "\"answered_at\":\"2026-11-25T10:00:00.123Z\","
		    "\"ended_at\":\"2026-11-25T10:05:00.000Z\","
		    "\"talk_ms\":250000}");
	ev.outcome = CSLA_OUT_FLOWOUT;
	ev.agent_id = S("");
	ev.alerting_at = ev.answered_at = CSLA_NO_MS;
	ev.talk_ms = CSLA_NO_MS;
	assert_json(&ev,
		    "{\"v\":1,\"type\":\"cdr\",\"ts\":\"2026-11-25T10:05:00.000Z\","
		    "\"tenant\":\"default\",\"id\":\"cdr-9\",\"call_id\":\"c2\","
		    "\"queue\":\"billing\",\"outcome\":\"flowout\","
		    "\"offered_at\":\"2026-11-25T09:58:30.000Z\","
		    "\"ended_at\":\"2026-11-25T10:05:00.000Z\"}");
}

static void test_integers_and_times(void **state)
{
	(void)state;
	csla_event_t ev = ended();

	ev.ts_ms = -1; /* 1969-12-31T23:59:59.999Z */
	ev.tenant = S("");
	ev.id = S("");
	ev.talk_ms = INT64_MAX;
	ev.hold_ms = -7;
	ev.acw_ms = INT64_MIN + 1;
	assert_json(&ev,
		    "{\"v\":1,\"type\":\"call\",\"ts\":\"1969-12-31T23:59:59.999Z\","
		    "\"event\":\"ended\",\"call_id\":\"c1\",\"agent_id\":\"a7\","
		    "\"talk_ms\":9223372036854775807,\"hold_ms\":-7,"
		    "\"acw_ms\":-9223372036854775807}");
}

static void test_escaping(void **state)
{
	(void)state;
	csla_event_t ev = answered();

	/* quote, backslash, controls, then é (2 bytes), 中 (3), 😀 (4) */
	ev.call_id = S("a\"b\\c\n\x01\x1f\x7f"
		       "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80/");
	/* not UTF-8: a lone continuation byte, an overlong '/', a UTF-16
	 * surrogate, a sequence cut short by the end */
	ev.queue = S("\x80-\xc0\xaf-\xed\xa0\x80-\xe4\xb8");
	ev.agent_id = S("\xff\xfe");
	ev.wait_ms = CSLA_NO_MS;
	assert_json(&ev,
		    "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:00:00.123Z\","
		    "\"tenant\":\"default\",\"event\":\"answered\","
		    "\"call_id\":\"a\\\"b\\\\c\\u000a\\u0001\\u001f\x7f"
		    "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80/\","
		    "\"queue\":\"\\ufffd-\\ufffd\\ufffd-\\ufffd\\ufffd\\ufffd-"
		    "\\ufffd\\ufffd\","
		    "\"agent_id\":\"\\ufffd\\ufffd\"}");
}

static void test_truncation(void **state)
{
	(void)state;
	csla_event_t ev = answered();
	char full[512], small[16];
	size_t n = csla_event_json(&ev, full, sizeof full);

	assert_int_equal(csla_event_json(&ev, NULL, 0), n);
	memset(small, 'x', sizeof small);
	assert_int_equal(csla_event_json(&ev, small, sizeof small), n);
	assert_int_equal(strlen(small), sizeof small - 1);
	assert_memory_equal(small, full, sizeof small - 1);
	/* exactly enough room: no truncation */
	char *exact = test_malloc(n + 1);
	assert_int_equal(csla_event_json(&ev, exact, n + 1), n);
	assert_string_equal(exact, full);
	test_free(exact);
}

static void assert_str(csla_str_t got, csla_str_t want)
{
	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.p, want.p, want.len);
}

/* The decoder reads back what the writer wrote, field for field, and writing
 * the decoded event gives the same line again. */
static void round_trip(const csla_event_t *ev)
{
	char a[1024], b[1024], err[256];
	csla_event_t d;
	csla_decoder_t *dec = csla_decoder_new(4096);
	size_t n = csla_event_json(ev, a, sizeof a);

	assert_non_null(dec);
	assert_int_equal(csla_decode(dec, a, n, &d, err, sizeof err), CSLA_OK);
	assert_int_equal(d.type, ev->type);
	assert_true(d.ts_ms == ev->ts_ms);
	assert_str(d.tenant, ev->tenant);
	assert_str(d.id, ev->id);
	assert_str(d.call_id, ev->call_id);
	assert_str(d.queue, ev->queue);
	assert_str(d.agent_id, ev->agent_id);
	assert_str(d.reason, ev->reason);
	assert_str(d.team, ev->team);
	assert_true(d.wait_ms == ev->wait_ms);
	assert_true(d.talk_ms == ev->talk_ms);
	assert_true(d.hold_ms == ev->hold_ms);
	assert_true(d.acw_ms == ev->acw_ms);
	if (ev->type == CSLA_EV_CALL)
		assert_int_equal(d.call_event, ev->call_event);
	if (ev->type == CSLA_EV_AGENT) {
		assert_int_equal(d.state, ev->state);
		assert_int_equal(d.has_queues, ev->has_queues);
		assert_int_equal(d.nqueues, ev->nqueues);
		for (uint32_t i = 0; i < ev->nqueues; i++)
			assert_str(d.queues[i], ev->queues[i]);
	}
	if (ev->type == CSLA_EV_CDR) {
		assert_int_equal(d.outcome, ev->outcome);
		assert_true(d.offered_at == ev->offered_at);
		assert_true(d.alerting_at == ev->alerting_at);
		assert_true(d.answered_at == ev->answered_at);
		assert_true(d.ended_at == ev->ended_at);
	}
	assert_int_equal(csla_event_json(&d, b, sizeof b), n);
	assert_string_equal(b, a);
	csla_decoder_destroy(dec);
}

static void test_round_trip(void **state)
{
	(void)state;
	csla_event_t evs[] = { offered(), answered(), ended(), agent(), cdr() };

	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
		round_trip(&evs[i]);
	/* escapes come back unescaped */
	evs[1].call_id = S("q\"u\\o\te\x01 \xc3\xa9");
	round_trip(&evs[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call_offered),
		cmocka_unit_test(test_call_answered),
		cmocka_unit_test(test_call_ended),
		cmocka_unit_test(test_call_other_events),
		cmocka_unit_test(test_agent),
		cmocka_unit_test(test_cdr),
		cmocka_unit_test(test_integers_and_times),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
