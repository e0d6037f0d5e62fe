/* test_engine_windows.c - engine scenarios about time: rolling and aligned
 * window edges, late and future events on both clocks, state time split at
 * interval boundaries, time zones, DST days and midnight.  Every expected
 * number is worked out by hand in the comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "scenario.h"

static const char answer_line[] =
	"'type':'call','ts':'%s','event':'answered','call_id':'%s',"
	"'queue':'q','agent_id':'a1','wait_ms':1000";

/*
 * Event clock, lateness 2 h, future skew 5 min, wall time 12:00:00.
 *   c1 offered 11:50:00, answered 11:50:05 (5 s: A_T)
 *   c2 offered 12:00:00 (now = 12:00:00), still waiting, for 0 s
 *   c0 offered 11:20:00, answered 11:20:30 (30 s): late but within 2 h
 *   c8 abandoned 10:00:00 after 12 s: exactly 2 h late, still accepted
 *   c9 abandoned 09:59:59.999: late
 *   c3 offered 12:05:00.001: more than 5 min past the wall clock
 * Snapshot 12:00:00:
 *   5m (11:55, 12:00], cur15m/cur30m [12:00, 12:00]: no outcome
 *   15m, 30m, prev15m [11:45, 12:00), prev30m [11:30, 12:00): c1 only
 *   60m (11:00, 12:00]: c1 and c0: ASA 35 / 2 = 17.5 s, max 30 s
 *   today: c1, c0 and c8: A 2, A_T 1, B 1: SL 1/3 = 0.3333
 */
static void test_late_and_future_event_clock(void **state)
{
	(void)state;
	const char *call = "'type':'call','ts':'%s','event':'%s','call_id':'%s','queue':'q'%s";
	scenario_t *sc = sc_new();

	sc_start(sc);
	sc->wall = sc_ms(sc, "12:00:00");
	sc_ok(sc, call, "11:50:00", "offered", "c1", "");
	sc_ok(sc, call, "11:50:05", "answered", "c1", ",'agent_id':'a1'");
	sc_ok(sc, call, "12:00:00", "offered", "c2", "");
	assert_int_equal(csla_engine_event_now(sc->e), sc_ms(sc, "12:00:00"));
	sc_ok(sc, call, "11:20:00", "offered", "c0", "");
	sc_ok(sc, call, "11:20:30", "answered", "c0", ",'agent_id':'a1'");
	sc_ok(sc, call, "10:00:00", "abandoned", "c8", ",'wait_ms':12000");
	sc_expect(sc, CSLA_REJ_LATE, call, "09:59:59.999", "abandoned", "c9", ",'wait_ms':12000");
	sc_expect(sc, CSLA_REJ_FUTURE_TS, call, "12:05:00.001", "offered", "c3", "");
	/* late events do not move the event clock back */
	assert_int_equal(csla_engine_event_now(sc->e), sc_ms(sc, "12:00:00"));

	sc_snap(sc, "12:00:00");
	sc_check(sc, "queue", "q", "5m cur15m cur30m",
		 "offered=0 answered=0 max_wait_s=null waiting_now=1"
		 " longest_wait_s=0.0");
	sc_check(sc, "queue", "q", "15m 30m prev15m prev30m",
		 "offered=1 answered=1 answered_in_sl=1 asa_s=5.0"
		 " max_wait_s=5.0 abandoned=0");
	sc_check(sc, "queue", "q", "60m",
		 "offered=2 answered=2 answered_in_sl=1 asa_s=17.5"
		 " max_wait_s=30.0 abandoned=0");
	sc_check(sc, "queue", "q", "today",
		 "offered=3 answered=2 abandoned=1 asa_s=17.5 max_wait_s=30.0"
		 " service_level=0.3333");

	/* Exactly 5 min ahead of the wall clock is still accepted. */
	sc_ok(sc, call, "12:05:00", "offered", "c3", "");
	sc_free(sc);
}

/*
 * Wall clock at 12:30:00: now is the wall time, whatever the events say.
 *   w1 abandoned 10:30:00 (exactly 2 h old): applied
 *   w2 abandoned 10:29:59.999: late
 *   w3 abandoned 12:35:00.001: future
 *   w4 abandoned 12:35:00: applied
 * All after 6 s: B.  Snapshot 12:35:00: today 2, 5m (12:30, 12:35] 1,
 * 60m (11:35, 12:35] 1.
 */
static void test_late_and_future_wall_clock(void **state)
{
	(void)state;
	const char *line = "'type':'call','ts':'%s','event':'abandoned','call_id':'%s','queue':'q','wait_ms':6000";
	scenario_t *sc = sc_new();

	sc->conf->clock = CSLA_CLOCK_WALL;
	sc_start(sc);
	sc->wall = sc_ms(sc, "12:30:00");
	sc_ok(sc, line, "10:30:00", "w1");
	sc_expect(sc, CSLA_REJ_LATE, line, "10:29:59.999", "w2");
	sc_expect(sc, CSLA_REJ_FUTURE_TS, line, "12:35:00.001", "w3");
	sc_ok(sc, line, "12:35:00", "w4");
	sc_snap(sc, "12:35:00");
	sc_check(sc, "queue", "q", "today", "offered=2 abandoned=2");
	sc_check(sc, "queue", "q", "5m 60m", "offered=1 abandoned=1");
	sc_free(sc);
}

/*
 * Window edges at now = 10:15:00.  Answers at:
 *   r1 09:15:00 (exactly 60 min old)   r2 09:15:00.001
 *   r3 09:45:00 (exactly 30 min old)   r4 10:00:00 (exactly 15 min old)
 *   r5 10:10:00 (exactly 5 min old)    r6 10:10:00.001   r7 10:15:00
 *   5m  (10:10, 10:15]: r6 r7 -> 2     15m (10:00, 10:15]: r5-r7 -> 3
 *   30m (09:45, 10:15]: r4-r7 -> 4     60m (09:15, 10:15]: r2-r7 -> 6
 *   today: 7
 *   cur15m [10:15, 10:15]: r7 -> 1    prev15m [10:00, 10:15): r4-r6 -> 3
 *   cur30m [10:00, 10:15]: r4-r7 -> 4 prev30m [09:30, 10:00): r3 -> 1
 * Agent a1 (serving q) is available from 09:00:00: state time is the
 * closed span of each window: 5m 300 s, 15m 900 s, 30m 1800 s, 60m 3600 s,
 * today 09:00-10:15 = 4500 s; cur15m 0, prev15m 900 s, cur30m 900 s,
 * prev30m 1800 s.
 */
static void test_window_edges(void **state)
{
	(void)state;
	static const char *const at[] = {
		"09:15:00", "09:15:00.001", "09:45:00", "10:00:00",
		"10:10:00", "10:10:00.001", "10:15:00",
	};
	scenario_t *sc = sc_new();
	char id[8];

	sc_start(sc);
	sc_ok(sc, "'type':'agent','ts':'09:00:00','agent_id':'a1','state':'available','queues':['q']");
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		snprintf(id, sizeof id, "r%zu", i + 1);
		sc_ok(sc, answer_line, at[i], id);
	}
	sc_snap(sc, "10:15:00");
	sc_check(sc, "queue", "q", "5m", "answered=2 ms.available=300000");
	sc_check(sc, "queue", "q", "15m", "answered=3 ms.available=900000");
	sc_check(sc, "queue", "q", "30m", "answered=4 ms.available=1800000");
	sc_check(sc, "queue", "q", "60m", "answered=6 ms.available=3600000");
	sc_check(sc, "queue", "q", "today", "answered=7 ms.available=4500000");
	sc_check(sc, "queue", "q", "cur15m", "answered=1 ms.available=0");
	sc_check(sc, "queue", "q", "prev15m", "answered=3 ms.available=900000");
	sc_check(sc, "queue", "q", "cur30m", "answered=4 ms.available=900000");
	sc_check(sc, "queue", "q", "prev30m",
		 "answered=1 ms.available=1800000");
	sc_check(sc, "agent", "a1", "15m", "answered=3 ms.available=900000");
	sc_free(sc);
}

/*
 * An agent talks 10:10:00-10:20:00 across the 10:15 boundary, then is
 * available; now 10:22:00 (UTC).  Nothing before 10:10 counts.
 *   prev15m [10:00, 10:15): talking 300 s -> occupancy 1.0
 *   cur15m  [10:15, 10:22]: talking 300 s, available 120 s -> 300/420 =
 *           0.71429 -> 0.7143
 *   cur30m  [10:00, 10:22] and 15m [10:07, 10:22] and today: talking
 *           600 s, available 120 s -> 600/720 = 0.8333
 *   prev30m [09:30, 10:00): nothing -> null
 *   5m [10:17, 10:22]: talking 180 s, available 120 s -> 0.6
 * The queue it serves and its team see the same.
 */
static void test_state_split_at_boundary(void **state)
{
	(void)state;
	scenario_t *sc = sc_new();

	sc_start(sc);
	sc_ok(sc, "'type':'agent','ts':'10:10:00','agent_id':'a1','state':'talking','team':'t','queues':['q']");
	sc_ok(sc, "'type':'agent','ts':'10:20:00','agent_id':'a1','state':'available'");
	sc_snap(sc, "10:22:00");
	static const char *const scopes[][2] = {
		{ "agent", "a1" }, { "queue", "q" }, { "team", "t" },
		{ "tenant", "default" },
	};
	for (size_t i = 0; i < 4; i++) {
		const char *s = scopes[i][0], *id = scopes[i][1];

		sc_check(sc, s, id, "prev15m",
			 "ms.talking=300000 ms.available=0 occupancy=1.0");
		sc_check(sc, s, id, "cur15m",
			 "ms.talking=300000 ms.available=120000"
			 " occupancy=0.7143 utilization=0.7143");
		sc_check(sc, s, id, "cur30m 15m today",
			 "ms.talking=600000 ms.available=120000"
			 " occupancy=0.8333");
		sc_check(sc, s, id, "prev30m",
			 "ms.talking=0 occupancy=null utilization=null");
		sc_check(sc, s, id, "5m",
			 "ms.talking=180000 ms.available=120000 occupancy=0.6");
	}
	sc_free(sc);
}

/*
 * Aligned intervals follow the tenant's wall clock: Asia/Kathmandu is
 * UTC+05:45, so its half hours start at :15 and :45 UTC.  The same agent
 * talks 04:10-04:20 UTC (09:55-10:05 local), now 04:22 UTC (10:07 local).
 *   cur15m  local [10:00, 10:07] = [04:15, 04:22]: talking 300 s,
 *           available 120 s
 *   prev15m local [09:45, 10:00) = [04:00, 04:15): talking 300 s
 *   cur30m  local [10:00, 10:07] = [04:15, 04:22]: as cur15m (in UTC it
 *           would be [04:00, 04:22] with 600 s of talking)
 *   prev30m local [09:30, 10:00) = [03:45, 04:15): talking 300 s
 *   today   local [00:00, 10:07]: talking 600 s, available 120 s
 */
static void test_interval_alignment_in_time_zone(void **state)
{
	(void)state;
	scenario_t *sc = sc_new();

	sc_set_default_tz(sc, "Asia/Kathmandu");
	sc_start(sc);
	sc_ok(sc, "'type':'agent','ts':'04:10:00','agent_id':'a1','state':'talking','queues':['q']");
	sc_ok(sc, "'type':'agent','ts':'04:20:00','agent_id':'a1','state':'available'");
	sc_snap(sc, "04:22:00");
	sc_check(sc, "queue", "q", "cur15m cur30m",
		 "ms.talking=300000 ms.available=120000");
	sc_check(sc, "queue", "q", "prev15m prev30m",
		 "ms.talking=300000 ms.available=0");
	sc_check(sc, "queue", "q", "today",
		 "ms.talking=600000 ms.available=120000");
	sc_free(sc);
}

/*
 * America/New_York, 2026-03-08: clocks jump from 02:00 EST to 03:00 EDT
 * (07:00 UTC).  The day runs from 05:00 UTC to 04:00 UTC next day: 23 h.
 * Agent a1 available from 2026-03-08T04:00Z (23:00 the day before).
 * Answers: y1 04:59:59Z (23:59:59 on the 7th), y2 05:00:00Z (midnight),
 * y3 06:59:59Z (01:59:59 EST), y4 07:00:00Z (03:00 EDT).
 * At 07:10Z (03:10 EDT): today [05:00Z, 07:10Z]: y2-y4, available 2 h 10
 * min = 7800 s (not the 3 h 10 min the local clock suggests);
 * cur30m starts 03:00 EDT = 07:00Z: y4, 600 s; prev30m is the half hour
 * before it, 01:30 EST = 06:30Z to 07:00Z: y3, 1800 s.
 * At 2026-03-09T03:59:59Z (23:59:59 EDT): today y2-y4, 23 h - 1 s =
 * 82799 s available.  At 2026-03-09T04:00:00Z the 9th begins: nothing.
 */
static void test_dst_spring_forward_day(void **state)
{
	(void)state;
	scenario_t *sc = sc_new();

	sc_set_default_tz(sc, "America/New_York");
	sc_start(sc);
	sc_ok(sc, "'type':'agent','ts':'2026-03-08T04:00:00Z','agent_id':'a1','state':'available','queues':['q']");
	sc_ok(sc, answer_line, "2026-03-08T04:59:59Z", "y1");
	sc_ok(sc, answer_line, "2026-03-08T05:00:00Z", "y2");
	sc_ok(sc, answer_line, "2026-03-08T06:59:59Z", "y3");
	sc_ok(sc, answer_line, "2026-03-08T07:00:00Z", "y4");

	sc_snap(sc, "2026-03-08T07:10:00Z");
	sc_check(sc, "queue", "q", "today", "answered=3 ms.available=7800000");
	sc_check(sc, "queue", "q", "cur30m", "answered=1 ms.available=600000");
	sc_check(sc, "queue", "q", "prev30m",
		 "answered=1 ms.available=1800000");
	sc_snap(sc, "2026-03-09T03:59:59Z");
	sc_check(sc, "queue", "q", "today", "answered=3 ms.available=82799000");
	sc_check(sc, "agent", "a1", "today",
		 "answered=3 ms.available=82799000");
	sc_snap(sc, "2026-03-09T04:00:00Z");
	sc_check(sc, "queue", "q", "today",
		 "answered=0 ms.available=0 occupancy=null");
	sc_free(sc);
}

/*
 * Europe/London, 2026-10-25: clocks go back from 02:00 BST to 01:00 GMT
 * (01:00 UTC).  The day runs from 2026-10-24T23:00Z to 2026-10-26T00:00Z:
 * 25 h.  Agent a1 available from 2026-10-24T22:00Z (23:00 BST the day
 * before).  Answers: z1 22:59:59Z on the 24th (yesterday), z2 23:00:00Z
 * (midnight), z3 2026-10-25T00:30Z (01:30 BST), z4 01:30Z (01:30 GMT).
 * At 01:40Z (01:40 GMT, the second 01:40 of the day): today: z2-z4,
 * available 2 h 40 min = 9600 s; cur30m [01:30Z, 01:40Z]: z4, 600 s;
 * prev30m [01:00Z, 01:30Z): no answer (z3 was the first 01:30), 1800 s.
 * At 2026-10-25T23:59:59Z: 25 h - 1 s = 89999 s.  At 2026-10-26T00:00Z
 * the 26th begins.
 */
static void test_dst_fall_back_day(void **state)
{
	(void)state;
	scenario_t *sc = sc_new();

	sc_set_default_tz(sc, "Europe/London");
	sc_start(sc);
	sc_ok(sc, "'type':'agent','ts':'2026-10-24T22:00:00Z','agent_id':'a1','state':'available','queues':['q']");
	sc_ok(sc, answer_line, "2026-10-24T22:59:59Z", "z1");
	sc_ok(sc, answer_line, "2026-10-24T23:00:00Z", "z2");
	sc_ok(sc, answer_line, "2026-10-25T00:30:00Z", "z3");
	sc_ok(sc, answer_line, "2026-10-25T01:30:00Z", "z4");

	sc_snap(sc, "2026-10-25T01:40:00Z");
	sc_check(sc, "queue", "q", "today", "answered=3 ms.available=9600000");
	sc_check(sc, "queue", "q", "cur30m", "answered=1 ms.available=600000");
	sc_check(sc, "queue", "q", "prev30m",
		 "answered=0 ms.available=1800000");
	sc_snap(sc, "2026-10-25T23:59:59Z");
	sc_check(sc, "queue", "q", "today", "answered=3 ms.available=89999000");
	sc_snap(sc, "2026-10-26T00:00:00Z");
	sc_check(sc, "queue", "q", "today", "answered=0 ms.available=0");
	sc_free(sc);
}

/*
 * Midnight in Asia/Shanghai (UTC+08:00, times written with +08:00).
 *   m1 offered 23:59:40, answered 23:59:50 on the 25th (10 s)
 *   m2 offered 00:00:00, answered 00:00:05 on the 26th (5 s)
 * At 23:59:55 today holds m1.  At 00:00:10 today holds m2 only (ASA 5 s,
 * max 5 s), while 5m still holds both (ASA 7.5 s, max 10 s); cur15m and
 * cur30m start at 00:00 (m2), prev15m [23:45, 00:00) and prev30m
 * [23:30, 00:00) hold m1.
 */
static void test_midnight_rollover(void **state)
{
	(void)state;
	const char *call = "'type':'call','ts':'%s','event':'%s','call_id':'%s','queue':'q'%s";
	scenario_t *sc = sc_new();

	sc_set_default_tz(sc, "Asia/Shanghai");
	sc->zone = "+08:00";
	sc_start(sc);
	sc_ok(sc, call, "23:59:40", "offered", "m1", "");
	sc_ok(sc, call, "23:59:50", "answered", "m1", ",'agent_id':'a1'");
	sc_snap(sc, "23:59:55");
	sc_check(sc, "queue", "q", "today", "answered=1 asa_s=10.0");

	sc->day = "2026-11-26";
	sc_ok(sc, call, "00:00:00", "offered", "m2", "");
	sc_ok(sc, call, "00:00:05", "answered", "m2", ",'agent_id':'a1'");
	sc_snap(sc, "00:00:10");
	sc_check(sc, "queue", "q", "today cur15m cur30m",
		 "answered=1 asa_s=5.0 max_wait_s=5.0");
	sc_check(sc, "queue", "q", "prev15m prev30m",
		 "answered=1 asa_s=10.0 max_wait_s=10.0");
	sc_check(sc, "queue", "q", "5m 15m",
		 "answered=2 asa_s=7.5 max_wait_s=10.0");
	sc_free(sc);
}

/*
 * A configured tenant uses its own zone and thresholds; one the file does
 * not name gets UTC and the spec's defaults.  "sh": Asia/Shanghai, T 10 s;
 * "other": nothing.  Each answers a call after 15 s at 15:50Z (23:50 in
 * Shanghai) and at 16:10Z (00:10 on the next day there).  At 16:30Z:
 *   sh today [16:00Z, 16:30Z]: 1 answer, not within 10 s: SL 0.0
 *   other today [00:00Z, 16:30Z]: 2 answers within 20 s: SL 1.0
 */
static void test_unconfigured_tenant_defaults(void **state)
{
	(void)state;
	const char *line = "'type':'call','tenant':'%s','ts':'%s','event':'answered','call_id':'%s','queue':'q','agent_id':'a1','wait_ms':15000";
	scenario_t *sc = sc_new();
	csla_tenant_conf_t *t = sc_add_tenant(sc, "sh", "Asia/Shanghai");

	t->own.set = CSLA_QO_SL;
	t->own.v.sl_ms = 10000;
	sc_start(sc);
	sc_ok(sc, line, "sh", "15:50:00", "s1");
	sc_ok(sc, line, "other", "15:50:00", "o1");
	sc_ok(sc, line, "sh", "16:10:00", "s2");
	sc_ok(sc, line, "other", "16:10:00", "o2");
	sc_snap(sc, "16:30:00");
	sc->tenant = "sh";
	sc_check(sc, "queue", "q", "today", "answered=1 service_level=0.0");
	sc_check(sc, "tenant", "sh", "today", "answered=1 service_level=0.0");
	sc->tenant = "other";
	sc_check(sc, "queue", "q", "today", "answered=2 service_level=1.0");
	sc_check(sc, "queue", "q", "60m", "answered=2 service_level=1.0");
	sc_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_late_and_future_event_clock),
		cmocka_unit_test(test_late_and_future_wall_clock),
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_state_split_at_boundary),
		cmocka_unit_test(test_interval_alignment_in_time_zone),
		cmocka_unit_test(test_dst_spring_forward_day),
		cmocka_unit_test(test_dst_fall_back_day),
		cmocka_unit_test(test_midnight_rollover),
		cmocka_unit_test(test_unconfigured_tenant_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
