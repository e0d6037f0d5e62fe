/* test_snapshot_json.c - the JSON row writer (spec section 4): field order
 * per scope, the spec's example byte for byte, rounding, null, escaping and
 * the snprintf-like length contract. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "callsla/snapshot.h"

/* 2026-11-25T10:15:00Z (date -u -d ... +%s) */
#define AS_OF_MS 1795601700000LL
#define S(lit) ((csla_str_t){ lit, sizeof lit - 1 })

static const csla_queue_conf_t negative = {
	.sl_ms = 20000, .answer_rings = 3, .ring_cycle_ms = 5000,
	.short_abandon_ms = 5000, .sl_mode = CSLA_SL_NEGATIVE,
};

/* The row the spec's example shows, worked back to its sums:
 * offered 120 = 110 + 6 + 2 + 2; SL 92 / 116 = 0.79310 -> 0.7931;
 * three rings 80 / 116 = 0.68966 -> 0.6897; abandons 6 / 118 = 0.05085 ->
 * 0.0508; ASA 1034000 ms / 110 = 9.4 s; AHT 22100000 ms / 104 = 212.5 s.
 * State time: busy b = 1517 s, available 333 s, not ready 200 s gives
 * b / (b + 333) = 1517 / 1850 = 0.82 and b / 2050 = 0.74 exactly;
 * logged-out time counts in neither. */
static csla_snapshot_t spec_example(void)
{
	csla_snapshot_t s = {
		.tenant = S("default"), .scope = CSLA_SCOPE_QUEUE,
		.id = S("billing"), .window = "15m", .as_of_ms = AS_OF_MS,
		.qc = &negative, .has_gauges = true, .waiting_now = 3,
		.longest_wait_ms = 14200, .staffed = 15,
	};
	csla_agg_t *a = &s.agg;

	csla_agg_init(a);
	a->answered = 110;
	a->answered_in_sl = 92;
	a->answered_in_rings = 80;
	a->abandoned = 6;
	a->abandoned_in_sl = 3; /* the negative mode does not look at it */
	a->short_abandoned = 2;
	a->flowout = 2;
	a->wait_answered_ms = 1034000;
	a->max_wait_ms = 61000;
	a->handled = 104;
	a->handle_ms = 22100000;
	a->ring_in_rings = 70;  /* agent-only fields stay out of queue rows */
	a->rona = 5;
	a->state_ms[CSLA_AS_ALERTING] = 17000;
	a->state_ms[CSLA_AS_TALKING] = 1200000;
	a->state_ms[CSLA_AS_HOLD] = 100000;
	a->state_ms[CSLA_AS_ACW] = 200000;
	a->state_ms[CSLA_AS_AVAILABLE] = 333000;
	a->state_ms[CSLA_AS_NOT_READY] = 200000;
	a->state_ms[CSLA_AS_LOGGED_OUT] = 50000;
	s.agents[CSLA_AS_AVAILABLE] = 2;
	s.agents[CSLA_AS_TALKING] = 9;
	s.agents[CSLA_AS_HOLD] = 1;
	s.agents[CSLA_AS_ACW] = 2;
	s.agents[CSLA_AS_NOT_READY] = 1;
	s.agents[CSLA_AS_LOGGED_OUT] = 4; /* not an output field */
	return s;
}

/* The spec's example, its line breaks and indentation removed. */
static const char spec_json[] =
	"{\"tenant\":\"default\",\"as_of\":\"2026-11-25T10:15:00.000Z\",\"scope\":\"queue\",\"id\":\"billing\",\"window\":\"15m\","
	"\"offered\":120,\"answered\":110,\"abandoned\":6,\"short_abandoned\":2,\"flowout\":2,"
	"\"answered_in_sl\":92,\"answered_in_rings\":80,"
	"\"service_level\":0.7931,\"three_ring_rate\":0.6897,\"abandon_rate\":0.0508,"
	"\"asa_s\":9.4,\"max_wait_s\":61.0,\"handled\":104,\"aht_s\":212.5,"
	"\"occupancy\":0.82,\"utilization\":0.74,"
	"\"waiting_now\":3,\"longest_wait_s\":14.2,"
	"\"agents\":{\"available\":2,\"alerting\":0,\"talking\":9,\"hold\":1,\"acw\":2,\"not_ready\":1},\"staffed\":15}";

static void assert_json(const csla_snapshot_t *s, const char *want)
{
	char buf[2048];
	size_t n = csla_snapshot_json(s, buf, sizeof buf);

	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void test_spec_example(void **state)
{
	(void)state;
	csla_snapshot_t s = spec_example();

	assert_json(&s, spec_json);
}

static void test_tenant_scope_and_no_gauges(void **state)
{
	(void)state;
	csla_snapshot_t s = spec_example();

	s.scope = CSLA_SCOPE_TENANT;
	s.id = S("default");
	s.window = "today";
	s.has_gauges = false;
	assert_json(&s,
		"{\"tenant\":\"default\",\"as_of\":\"2026-11-25T10:15:00.000Z\",\"scope\":\"tenant\",\"id\":\"default\",\"window\":\"today\","
		"\"offered\":120,\"answered\":110,\"abandoned\":6,\"short_abandoned\":2,\"flowout\":2,"
		"\"answered_in_sl\":92,\"answered_in_rings\":80,"
		"\"service_level\":0.7931,\"three_ring_rate\":0.6897,\"abandon_rate\":0.0508,"
		"\"asa_s\":9.4,\"max_wait_s\":61.0,\"handled\":104,\"aht_s\":212.5,"
		"\"occupancy\":0.82,\"utilization\":0.74}");
}

static void test_sl_mode_is_the_rows(void **state)
{
	(void)state;
	csla_snapshot_t s = spec_example();
	csla_queue_conf_t q = negative;

	/* positive with flow-outs: (92 + 3) / (110 + 6 + 2) = 0.80508 */
	q.sl_mode = CSLA_SL_POSITIVE;
	q.sl_flowout = true;
	s.qc = &q;
	char buf[1024];
	csla_snapshot_json(&s, buf, sizeof buf);
	assert_non_null(strstr(buf, ",\"service_level\":0.8051,"));
}

/* An agent row carries only the agent fields, whatever else the sums hold.
 * AHT 1980000 ms / 11 = 180 s; busy 60 + 3000 + 600 = 3660 s against
 * 1220 s available (0.75) and 1220 s more not ready (3660 / 6100 = 0.6). */
static void test_agent_scope(void **state)
{
	(void)state;
	csla_snapshot_t s = spec_example();
	csla_agg_t *a = &s.agg;

	s.scope = CSLA_SCOPE_AGENT;
	s.id = S("a1");
	s.window = "cur15m";
	s.qc = NULL;
	s.has_gauges = false;
	a->answered = 12;
	a->handled = 11;
	a->handle_ms = 1980000;
	a->ring_in_rings = 10;
	a->rona = 2;
	memset(a->state_ms, 0, sizeof a->state_ms);
	a->state_ms[CSLA_AS_ALERTING] = 60000;
	a->state_ms[CSLA_AS_TALKING] = 3000000;
	a->state_ms[CSLA_AS_ACW] = 600000;
	a->state_ms[CSLA_AS_AVAILABLE] = 1220000;
	a->state_ms[CSLA_AS_NOT_READY] = 1220000;
	assert_json(&s,
		"{\"tenant\":\"default\",\"as_of\":\"2026-11-25T10:15:00.000Z\",\"scope\":\"agent\",\"id\":\"a1\",\"window\":\"cur15m\","
		"\"answered\":12,\"handled\":11,\"aht_s\":180.0,\"occupancy\":0.75,\"utilization\":0.6,"
		"\"agent_answer_in_rings\":10,\"rona\":2}");
}

static void test_empty_rows_are_null(void **state)
{
	(void)state;
	csla_snapshot_t s = {
		.tenant = S("t"), .scope = CSLA_SCOPE_TEAM, .id = S("red"),
		.window = "5m", .as_of_ms = 0,
	};

	csla_agg_init(&s.agg);
	assert_json(&s,
		"{\"tenant\":\"t\",\"as_of\":\"1970-01-01T00:00:00.000Z\",\"scope\":\"team\",\"id\":\"red\",\"window\":\"5m\","
		"\"answered\":0,\"handled\":0,\"aht_s\":null,\"occupancy\":null,\"utilization\":null,"
		"\"agent_answer_in_rings\":0,\"rona\":0}");

	s.scope = CSLA_SCOPE_QUEUE;
	s.qc = &negative;
	s.has_gauges = true;
	assert_json(&s,
		"{\"tenant\":\"t\",\"as_of\":\"1970-01-01T00:00:00.000Z\",\"scope\":\"queue\",\"id\":\"red\",\"window\":\"5m\","
		"\"offered\":0,\"answered\":0,\"abandoned\":0,\"short_abandoned\":0,\"flowout\":0,"
		"\"answered_in_sl\":0,\"answered_in_rings\":0,"
		"\"service_level\":null,\"three_ring_rate\":null,\"abandon_rate\":null,"
		"\"asa_s\":null,\"max_wait_s\":null,\"handled\":0,\"aht_s\":null,"
		"\"occupancy\":null,\"utilization\":null,"
		"\"waiting_now\":0,\"longest_wait_s\":0.0,"
		"\"agents\":{\"available\":0,\"alerting\":0,\"talking\":0,\"hold\":0,\"acw\":0,\"not_ready\":0},\"staffed\":0}");
}

/* Ties round away from zero, at 4 decimals for ratios and 3 for seconds,
 * and trailing zeros go (keeping one decimal). */
static void test_rounding(void **state)
{
	(void)state;
	csla_snapshot_t s = {
		.tenant = S("t"), .scope = CSLA_SCOPE_QUEUE, .id = S("q"),
		.window = "5m", .as_of_ms = 1, .qc = &negative,
	};
	csla_agg_t *a = &s.agg;

	csla_agg_init(a);
	a->answered = 20000;
	a->answered_in_sl = 2469;    /* 0.12345 -> 0.1235 */
	a->answered_in_rings = 20000; /* 1 -> 1.0 */
	a->flowout = 20000;          /* abandons 0 / 40000 -> 0.0 */
	a->wait_answered_ms = 24690000; /* 1234.5 ms -> 1.235 s */
	a->max_wait_ms = 1;          /* 0.001 s */
	a->handled = 2;
	a->handle_ms = 1;            /* 0.5 ms -> 0.001 s */
	a->state_ms[CSLA_AS_TALKING] = 1;
	a->state_ms[CSLA_AS_AVAILABLE] = 19999; /* 1 / 20000 = 0.00005 */
	a->state_ms[CSLA_AS_NOT_READY] = 10000; /* 1 / 30000 -> 0.0 */
	assert_json(&s,
		"{\"tenant\":\"t\",\"as_of\":\"1970-01-01T00:00:00.001Z\",\"scope\":\"queue\",\"id\":\"q\",\"window\":\"5m\","
		"\"offered\":40000,\"answered\":20000,\"abandoned\":0,\"short_abandoned\":0,\"flowout\":20000,"
		"\"answered_in_sl\":2469,\"answered_in_rings\":20000,"
		"\"service_level\":0.1235,\"three_ring_rate\":1.0,\"abandon_rate\":0.0,"
		"\"asa_s\":1.235,\"max_wait_s\":0.001,\"handled\":2,\"aht_s\":0.001,"
		"\"occupancy\":0.0001,\"utilization\":0.0}");

	/* Just below a tie rounds down: 1 / 3 ms = 0.000333 s; 0.12344...
	 * (24689 / 200000) -> 0.1234; a long wait keeps all its digits. */
	a->handled = 3;
	a->answered = 200000;
	a->answered_in_sl = 24689;
	a->answered_in_rings = 0;
	a->flowout = 0;
	a->wait_answered_ms = 0;
	a->max_wait_ms = 123456789;
	memset(a->state_ms, 0, sizeof a->state_ms);
	a->state_ms[CSLA_AS_ACW] = 2;
	a->state_ms[CSLA_AS_AVAILABLE] = 1;
	assert_json(&s,
		"{\"tenant\":\"t\",\"as_of\":\"1970-01-01T00:00:00.001Z\",\"scope\":\"queue\",\"id\":\"q\",\"window\":\"5m\","
		"\"offered\":200000,\"answered\":200000,\"abandoned\":0,\"short_abandoned\":0,\"flowout\":0,"
		"\"answered_in_sl\":24689,\"answered_in_rings\":0,"
		"\"service_level\":0.1234,\"three_ring_rate\":0.0,\"abandon_rate\":0.0,"
		"\"asa_s\":0.0,\"max_wait_s\":123456.789,\"handled\":3,\"aht_s\":0.0,"
		"\"occupancy\":0.6667,\"utilization\":0.6667}");
}

static void test_escaping(void **state)
{
	(void)state;
	/* quote, backslash, newline, tab, U+0001, U+001F, DEL and UTF-8 */
	static const char tenant[] = "a\"b\\c\nd\te\x01" "f\x1fg\x7f" "caf\xc3\xa9";
	csla_snapshot_t s = {
		.tenant = { tenant, sizeof tenant - 1 }, .scope = CSLA_SCOPE_AGENT,
		.id = S("/\b\f\r"), .window = "60m", .as_of_ms = 0,
	};

	csla_agg_init(&s.agg);
	assert_json(&s,
		"{\"tenant\":\"a\\\"b\\\\c\\nd\\te\\u0001f\\u001fg\x7f" "caf\xc3\xa9\","
		"\"as_of\":\"1970-01-01T00:00:00.000Z\",\"scope\":\"agent\",\"id\":\"/\\b\\f\\r\",\"window\":\"60m\","
		"\"answered\":0,\"handled\":0,\"aht_s\":null,\"occupancy\":null,\"utilization\":null,"
		"\"agent_answer_in_rings\":0,\"rona\":0}");
}

/* Like snprintf: the length needed comes back whatever the buffer, and a
 * short buffer holds a NUL-terminated prefix. */
static void test_truncation(void **state)
{
	(void)state;
	csla_snapshot_t s = spec_example();
	size_t full = strlen(spec_json);
	char buf[600];

	assert_int_equal(csla_snapshot_json(&s, NULL, 0), full);
	for (size_t cap = 1; cap <= full + 1; cap++) {
		memset(buf, '#', sizeof buf);
		assert_int_equal(csla_snapshot_json(&s, buf, cap), full);
		assert_int_equal(strlen(buf), cap - 1);
		assert_memory_equal(buf, spec_json, cap - 1);
		assert_int_equal(buf[cap], '#');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test(test_tenant_scope_and_no_gauges),
		cmocka_unit_test(test_sl_mode_is_the_rows),
		cmocka_unit_test(test_agent_scope),
		cmocka_unit_test(test_empty_rows_are_null),
		cmocka_unit_test(test_rounding),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
