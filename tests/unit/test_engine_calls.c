/* test_engine_calls.c - engine scenarios about calls: every formula end to
 * end, the SL modes, threshold boundaries, null ratios, duplicates and a
 * call described by progress events plus a CDR.  Every expected number is
 * worked out by hand in the comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "scenario.h"

#define AGENTS_GAUGE(av, al, ta, ho, ac, nr)                                  \
	"agents={\"available\":" #av ",\"alerting\":" #al ",\"talking\":" #ta \
	",\"hold\":" #ho ",\"acw\":" #ac ",\"not_ready\":" #nr "}"

/*
 * One queue, two agents of team red serving it, a third agent known only
 * from answers.  UTC, default thresholds (T 20 s, R 15 s, S 5 s), negative
 * SL.  Snapshot at 10:15:00.
 *
 * Calls (outcome time, wait):
 *   c1 answered 10:00:10 by a1, 10 s  -> A, A_T, A_R
 *   c2 answered 10:00:18 by a2, 18 s  -> A, A_T
 *   c3 answered 10:01:30 by a3, 30 s  -> A
 *   c4 abandoned 10:02:03, 3 s        -> short
 *   c5 abandoned 10:03:12, 12 s       -> B, B_T
 *   c6 abandoned 10:04:40, 40 s       -> B
 *   c7 flowout 10:06:00, 60 s         -> F
 *   c8 answered 10:06:20 by a3, wait_ms 5000 (not the 20 s since offered)
 *                                     -> A, A_T, A_R
 *   c9, c10 offered 10:14:00, 10:14:30, still waiting
 * A 4, A_T 3, A_R 2, B 2, B_T 1, short 1, F 1: offered 8;
 * SL 3/6 = 0.5; three rings 2/6 = 0.3333; abandons 2/7 = 0.28571 -> 0.2857;
 * ASA (10 + 18 + 30 + 5) / 4 = 15.75 s; max wait 60 s (c7).
 * Handled: c1 ended 10:03:00 by a1, 120 + 10 + 20 = 150 s; c2 ended 10:05:00
 * by a2, 200 + 0 + 10 = 210 s: 2 handled, AHT 360 / 2 = 180 s.
 *
 * Agent states (all from 10:00:00):
 *   a1: available 10:00:00, alerting 10:00:05, talking 10:00:10,
 *       available 10:03:00, not_ready 10:10:00
 *       -> available 5 + 420 = 425 s, alerting 5, talking 170, not_ready 300
 *       ring: alerting -> talking after 5 s <= R: answer in rings 1
 *   a2: available 10:00:00, talking 10:00:18, acw 10:05:00,
 *       available 10:05:10
 *       -> available 18 + 590 = 608 s, talking 282, acw 10
 * Both: busy 5 + 170 + 282 + 10 = 467 s, available 1033 s, not ready 300 s:
 * occupancy 467 / 1500 = 0.31133 -> 0.3113; utilization 467 / 1800 =
 * 0.25944 -> 0.2594.
 * a1 alone: busy 175 s; occupancy 175 / 600 = 0.29167 -> 0.2917;
 * utilization 175 / 900 = 0.19444 -> 0.1944.
 * a2 alone: busy 292 s of 900, none not ready: 0.32444 -> 0.3244 for both.
 *
 * Windows at 10:15:00: every outcome lies in (10:00, 10:15], every state
 * change in [10:00, 10:15], so 15m, 30m, 60m, today, cur30m ([10:00,
 * 10:15]) and prev15m ([10:00, 10:15)) all hold everything.  cur15m is
 * [10:15, 10:15]: nothing.  prev30m is [09:30, 10:00): nothing.  5m is
 * (10:10, 10:15]: no outcome, and 300 s of state time each: a1 not ready,
 * a2 available.
 * Gauges: c9 and c10 wait, the older for 60 s; a1 not ready, a2 available,
 * a3 never sent a state (not counted): staffed 2.
 */
static void feed_formulas(scenario_t *sc)
{
	const char *agent = "'type':'agent','ts':'%s','agent_id':'%s','state':'%s'%s";
	const char *call = "'type':'call','ts':'%s','event':'%s','call_id':'%s'%s";

	sc_ok(sc, agent, "10:00:00", "a1", "available", ",'team':'red','queues':['billing']");
	sc_ok(sc, agent, "10:00:00", "a2", "available", ",'team':'red','queues':['billing']");
	sc_ok(sc, call, "10:00:00", "offered", "c1", ",'queue':'billing'");
	sc_ok(sc, call, "10:00:00", "offered", "c2", ",'queue':'billing'");
	sc_ok(sc, agent, "10:00:05", "a1", "alerting", "");
	sc_ok(sc, call, "10:00:05", "alerting", "c1", ",'agent_id':'a1'");
	sc_ok(sc, call, "10:00:10", "answered", "c1", ",'queue':'billing','agent_id':'a1'");
	sc_ok(sc, agent, "10:00:10", "a1", "talking", "");
	sc_ok(sc, call, "10:00:18", "answered", "c2", ",'queue':'billing','agent_id':'a2'");
	sc_ok(sc, agent, "10:00:18", "a2", "talking", "");
	sc_ok(sc, call, "10:01:00", "offered", "c3", ",'queue':'billing'");
	sc_ok(sc, call, "10:01:30", "answered", "c3", ",'queue':'billing','agent_id':'a3'");
	sc_ok(sc, call, "10:02:00", "offered", "c4", ",'queue':'billing'");
	sc_ok(sc, call, "10:02:03", "abandoned", "c4", ",'queue':'billing'");
	sc_ok(sc, call, "10:03:00", "offered", "c5", ",'queue':'billing'");
	sc_ok(sc, call, "10:03:00", "ended", "c1",
	      ",'agent_id':'a1','talk_ms':120000,'hold_ms':10000,'acw_ms':20000");
	sc_ok(sc, agent, "10:03:00", "a1", "available", "");
	sc_ok(sc, call, "10:03:12", "abandoned", "c5", ",'queue':'billing'");
	sc_ok(sc, call, "10:04:00", "offered", "c6", ",'queue':'billing'");
	sc_ok(sc, call, "10:04:40", "abandoned", "c6", ",'queue':'billing'");
	sc_ok(sc, call, "10:05:00", "offered", "c7", ",'queue':'billing'");
	sc_ok(sc, call, "10:05:00", "ended", "c2",
	      ",'agent_id':'a2','talk_ms':200000,'acw_ms':10000");
	sc_ok(sc, agent, "10:05:00", "a2", "acw", "");
	sc_ok(sc, agent, "10:05:10", "a2", "available", "");
	sc_ok(sc, call, "10:06:00", "offered", "c8", ",'queue':'billing'");
	sc_ok(sc, call, "10:06:00", "flowout", "c7", ",'queue':'billing'");
	sc_ok(sc, call, "10:06:20", "answered", "c8",
	      ",'queue':'billing','agent_id':'a3','wait_ms':5000");
	sc_ok(sc, agent, "10:10:00", "a1", "not_ready", ",'reason':'lunch'");
	sc_ok(sc, call, "10:14:00", "offered", "c9", ",'queue':'billing'");
	sc_ok(sc, call, "10:14:30", "offered", "c10", ",'queue':'billing'");
}

static const char *const all_windows =
	"15m 30m 60m today cur30m prev15m";

static void test_formulas(void **state)
{
	(void)state;
	scenario_t *sc = sc_new();

	sc_start(sc);
	feed_formulas(sc);
	sc_snap(sc, "10:15:00");

	static const char *const gauges =
		" waiting_now=2 longest_wait_s=60.0 staffed=2 "
		AGENTS_GAUGE(1, 0, 0, 0, 0, 1);
	char want[1024];

	snprintf(want, sizeof want, "%s%s",
		 "offered=8 answered=4 abandoned=2 short_abandoned=1 flowout=1"
		 " answered_in_sl=3 answered_in_rings=2 service_level=0.5"
		 " three_ring_rate=0.3333 abandon_rate=0.2857 asa_s=15.75"
		 " max_wait_s=60.0 handled=2 aht_s=180.0 occupancy=0.3113"
		 " utilization=0.2594 ms.available=1033000 ms.alerting=5000"
		 " ms.talking=452000 ms.hold=0 ms.acw=10000"
		 " ms.not_ready=300000 agent_answer_in_rings=absent",
		 gauges);
	sc_check(sc, "queue", "billing", all_windows, want);
	sc_check(sc, "tenant", "default", all_windows, want);

	snprintf(want, sizeof want, "%s%s",
		 "offered=0 answered=0 abandoned=0 short_abandoned=0 flowout=0"
		 " service_level=null three_ring_rate=null abandon_rate=null"
		 " asa_s=null max_wait_s=null handled=0 aht_s=null"
		 " occupancy=0.0 utilization=0.0 ms.not_ready=300000"
		 " ms.available=300000 ms.talking=0",
		 gauges);
	sc_check(sc, "queue", "billing", "5m", want);
	snprintf(want, sizeof want, "%s%s",
		 "offered=0 service_level=null occupancy=null utilization=null"
		 " max_wait_s=null ms.available=0",
		 gauges);
	sc_check(sc, "queue", "billing", "cur15m prev30m", want);

	sc_check(sc, "agent", "a1", all_windows,
		 "answered=1 handled=1 aht_s=150.0 occupancy=0.2917"
		 " utilization=0.1944 agent_answer_in_rings=1 rona=0"
		 " offered=absent waiting_now=absent agents=absent");
	sc_check(sc, "agent", "a1", "5m",
		 "answered=0 handled=0 aht_s=null occupancy=null"
		 " utilization=0.0 agent_answer_in_rings=0 rona=0");
	sc_check(sc, "agent", "a2", all_windows,
		 "answered=1 handled=1 aht_s=210.0 occupancy=0.3244"
		 " utilization=0.3244 agent_answer_in_rings=0 rona=0");
	sc_check(sc, "agent", "a3", all_windows,
		 "answered=2 handled=0 aht_s=null occupancy=null"
		 " utilization=null agent_answer_in_rings=0 rona=0");
	sc_check(sc, "team", "red", all_windows,
		 "answered=2 handled=2 aht_s=180.0 occupancy=0.3113"
		 " utilization=0.2594 agent_answer_in_rings=1 rona=0"
		 " service_level=absent staffed=absent");
	sc_free(sc);
}

/* The rows: every tenant, agent, queue, team for every window, in byte
 * order of tenant, scope, id, window; and the spec's row form for the
 * queue, byte for byte. */
static void test_rows_and_order(void **state)
{
	(void)state;
	static const char *const ids[][2] = {
		{ "agent", "a1" },   { "agent", "a2" }, { "agent", "a3" },
		{ "queue", "billing" }, { "team", "red" },
		{ "tenant", "default" },
	};
	static const char *const windows[] = {
		"15m", "30m", "5m", "60m", "cur15m", "cur30m",
		"prev15m", "prev30m", "today",
	};
	scenario_t *sc = sc_new();

	sc_start(sc);
	feed_formulas(sc);
	sc_snap(sc, "10:15:00");
	assert_int_equal(sc->nrows, 6 * 9);
	for (size_t i = 0; i < sc->nrows; i++) {
		const sc_row_t *r = &sc->rows[i];
		assert_string_equal(r->tenant, "default");
		assert_string_equal(csla_scope_name(r->s.scope), ids[i / 9][0]);
		assert_string_equal(r->id, ids[i / 9][1]);
		assert_string_equal(r->window, windows[i % 9]);
		assert_int_equal(r->s.as_of_ms, sc_ms(sc, "10:15:00"));
	}
	assert_string_equal(
		sc_find(sc, "queue", "billing", "15m")->json,
		"{\"tenant\":\"default\",\"as_of\":\"2026-11-25T10:15:00.000Z\","
		"\"scope\":\"queue\",\"id\":\"billing\",\"window\":\"15m\","
		"\"offered\":8,\"answered\":4,\"abandoned\":2,\"short_abandoned\":1,"
		"\"flowout\":1,\"answered_in_sl\":3,\"answered_in_rings\":2,"
		"\"service_level\":0.5,\"three_ring_rate\":0.3333,"
		"\"abandon_rate\":0.2857,\"asa_s\":15.75,\"max_wait_s\":60.0,"
		"\"handled\":2,\"aht_s\":180.0,\"occupancy\":0.3113,"
		"\"utilization\":0.2594,\"waiting_now\":2,\"longest_wait_s\":60.0,"
		"\"agents\":{\"available\":1,\"alerting\":0,\"talking\":0,"
		"\"hold\":0,\"acw\":0,\"not_ready\":1},\"staffed\":2}");
	sc_free(sc);
}

/*
 * The same five calls in six queues, each with its own SL formula.  The
 * defaults say positive, so "pos" and the tenant's own scope use it;
 * "neg" is set back to negative by its rule.
 * Per queue: answered after 10 s (A_T, A_R) and 25 s (A); abandoned after
 * 8 s (B_T) and 30 s (B); one flow-out: A 2, A_T 1, B 2, B_T 1, F 1.
 *   neg  A_T / (A + B)               = 1 / 4 = 0.25
 *   ign  A_T / (A + B - B_T)         = 1 / 3 = 0.3333
 *   pos  (A_T + B_T) / (A + B)       = 2 / 4 = 0.5
 *   negf A_T / (A + B + F)           = 1 / 5 = 0.2
 *   ignf A_T / (A + B - B_T + F)     = 1 / 4 = 0.25
 *   posf (A_T + B_T) / (A + B + F)   = 2 / 5 = 0.4
 * Three rings 1 / 4 = 0.25 and abandons 2 / 5 = 0.4 everywhere.
 * Tenant: A 12, A_T 6, B 12, B_T 6, F 6, positive: 12 / 24 = 0.5.
 */
static void test_sl_modes(void **state)
{
	(void)state;
	static const struct {
		const char *q;
		unsigned set;
		csla_sl_mode_t mode;
		bool flowout;
		const char *sl;
	} qs[] = {
		{ "neg", CSLA_QO_SL_MODE, CSLA_SL_NEGATIVE, false, "0.25" },
		{ "ign", CSLA_QO_SL_MODE, CSLA_SL_IGNORE, false, "0.3333" },
		{ "pos", 0, CSLA_SL_POSITIVE, false, "0.5" },
		{ "negf", CSLA_QO_SL_MODE | CSLA_QO_SL_FLOWOUT, CSLA_SL_NEGATIVE,
		  true, "0.2" },
		{ "ignf", CSLA_QO_SL_MODE | CSLA_QO_SL_FLOWOUT, CSLA_SL_IGNORE,
		  true, "0.25" },
		{ "posf", CSLA_QO_SL_FLOWOUT, CSLA_SL_POSITIVE, true, "0.4" },
	};
	scenario_t *sc = sc_new();
	char want[256];

	sc->conf->queue_defaults.sl_mode = CSLA_SL_POSITIVE;
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
		if (qs[i].set)
			sc_add_queue_rule(sc, qs[i].q, qs[i].set,
					  (csla_queue_conf_t){
						  .sl_mode = qs[i].mode,
						  .sl_flowout = qs[i].flowout });
	sc_start(sc);
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		const char *line = "'type':'call','ts':'%s','event':'%s',"
				   "'call_id':'%s-%d','queue':'%s','wait_ms':%d%s";
		const char *q = qs[i].q, *by = ",'agent_id':'a1'";

		sc_ok(sc, line, "10:01:00", "answered", q, 1, q, 10000, by);
		sc_ok(sc, line, "10:01:10", "answered", q, 2, q, 25000, by);
		sc_ok(sc, line, "10:01:20", "abandoned", q, 3, q, 8000, "");
		sc_ok(sc, line, "10:01:30", "abandoned", q, 4, q, 30000, "");
		sc_ok(sc, line, "10:01:40", "flowout", q, 5, q, 40000, "");
	}
	sc_snap(sc, "10:05:00");
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		snprintf(want, sizeof want,
			 "offered=5 answered=2 answered_in_sl=1 abandoned=2"
			 " flowout=1 service_level=%s three_ring_rate=0.25"
			 " abandon_rate=0.4",
			 qs[i].sl);
		sc_check(sc, "queue", qs[i].q, "5m 15m today", want);
	}
	sc_check(sc, "tenant", "default", "5m today",
		 "offered=30 answered=12 answered_in_sl=6 abandoned=12"
		 " flowout=6 service_level=0.5 three_ring_rate=0.25"
		 " abandon_rate=0.4");
	sc_free(sc);
}

/*
 * Thresholds exactly at and one millisecond past T = 20 s, R = 15 s and
 * S = 5 s.  Answer waits come from the offered times, abandon waits from
 * wait_ms.
 *   b1 15000 -> A_T, A_R    b2 15001 -> A_T    b3 20000 -> A_T
 *   b4 20001 -> A           d1 4999 -> short   d2 5000 -> B, B_T
 *   d3 20000 -> B, B_T      d4 20001 -> B
 * A 4, A_T 3, A_R 1, B 3, B_T 2, short 1: offered 8; SL 3/7 = 0.42857 ->
 * 0.4286; rings 1/7 = 0.14286 -> 0.1429; abandons 3/7 -> 0.4286;
 * ASA 70002 / 4 = 17500.5 ms = 17.5005 s -> 17.501 (ties away from zero);
 * max wait 20.001 s.
 */
static void test_threshold_boundaries(void **state)
{
	(void)state;
	const char *offer = "'type':'call','ts':'%s','event':'offered','call_id':'%s','queue':'q'";
	const char *answer = "'type':'call','ts':'%s','event':'answered','call_id':'%s','queue':'q','agent_id':'a1'";
	const char *abandon = "'type':'call','ts':'%s','event':'abandoned','call_id':'%s','queue':'q','wait_ms':%d";
	scenario_t *sc = sc_new();

	sc_start(sc);
	sc_ok(sc, offer, "10:00:00", "b1");
	sc_ok(sc, answer, "10:00:15", "b1");
	sc_ok(sc, offer, "10:01:00", "b2");
	sc_ok(sc, answer, "10:01:15.001", "b2");
	sc_ok(sc, offer, "10:02:00", "b3");
	sc_ok(sc, answer, "10:02:20", "b3");
	sc_ok(sc, offer, "10:03:00", "b4");
	sc_ok(sc, answer, "10:03:20.001", "b4");
	sc_ok(sc, abandon, "10:04:00", "d1", 4999);
	sc_ok(sc, abandon, "10:04:10", "d2", 5000);
	sc_ok(sc, abandon, "10:04:20", "d3", 20000);
	sc_ok(sc, abandon, "10:04:30", "d4", 20001);
	sc_snap(sc, "10:05:00");
	sc_check(sc, "queue", "q", "15m cur15m today",
		 "offered=8 answered=4 answered_in_sl=3 answered_in_rings=1"
		 " abandoned=3 short_abandoned=1 flowout=0"
		 " service_level=0.4286 three_ring_rate=0.1429"
		 " abandon_rate=0.4286 asa_s=17.501 max_wait_s=20.001"
		 " waiting_now=0 longest_wait_s=0.0");
	sc_free(sc);
}

/*
 * Other thresholds: T 30 s, R = 3 x 6 s (North American cadence) = 18 s,
 * S 0 (no short abandons), so an abandon after 0 ms is a real abandon.
 *   answered 18000 -> A_T, A_R   18001 -> A_T   30000 -> A_T   30001 -> A
 *   abandoned 0 -> B, B_T
 * A 4, A_T 3, A_R 1, B 1, B_T 1: offered 5; SL 3/5 = 0.6; rings 1/5 = 0.2;
 * abandons 1/5 = 0.2; ASA 96002 / 4 = 24000.5 ms -> 24.001 s; max 30.001 s.
 */
static void test_other_thresholds(void **state)
{
	(void)state;
	const char *line = "'type':'call','ts':'10:0%d:00','event':'%s','call_id':'x%d','queue':'q','wait_ms':%d%s";
	const char *by = ",'agent_id':'a1'";
	scenario_t *sc = sc_new();

	sc->conf->queue_defaults.sl_ms = 30000;
	sc->conf->queue_defaults.ring_cycle_ms = 6000;
	sc->conf->queue_defaults.short_abandon_ms = 0;
	sc_start(sc);
	sc_ok(sc, line, 1, "answered", 1, 18000, by);
	sc_ok(sc, line, 2, "answered", 2, 18001, by);
	sc_ok(sc, line, 3, "answered", 3, 30000, by);
	sc_ok(sc, line, 4, "answered", 4, 30001, by);
	sc_ok(sc, line, 5, "abandoned", 5, 0, "");
	sc_snap(sc, "10:05:00");
	sc_check(sc, "queue", "q", "15m today",
		 "offered=5 answered=4 answered_in_sl=3 answered_in_rings=1"
		 " abandoned=1 short_abandoned=0 service_level=0.6"
		 " three_ring_rate=0.2 abandon_rate=0.2 asa_s=24.001"
		 " max_wait_s=30.001");
	sc_free(sc);
}

/*
 * Zero denominators are null, never 0: a queue with only a flow-out (7 s)
 * has abandon rate 0 / 1 = 0.0 but no SL (A + B = 0) and no ASA; a queue
 * with only a short abandon (2 s) has offered 1 and every ratio null; its
 * max wait still counts (2.0 s).  Both have no agents: occupancy null.
 */
static void test_null_ratios(void **state)
{
	(void)state;
	scenario_t *sc = sc_new();

	sc_start(sc);
	sc_ok(sc, "'type':'call','ts':'10:01:00','event':'flowout','call_id':'f1','queue':'fo','wait_ms':7000");
	sc_ok(sc, "'type':'call','ts':'10:02:00','event':'abandoned','call_id':'s1','queue':'sh','wait_ms':2000");
	sc_snap(sc, "10:05:00");
	sc_check(sc, "queue", "fo", "5m today",
		 "offered=1 flowout=1 service_level=null three_ring_rate=null"
		 " abandon_rate=0.0 asa_s=null max_wait_s=7.0 handled=0"
		 " aht_s=null occupancy=null utilization=null staffed=0");
	sc_check(sc, "queue", "sh", "5m today",
		 "offered=1 abandoned=0 short_abandoned=1 service_level=null"
		 " three_ring_rate=null abandon_rate=null asa_s=null"
		 " max_wait_s=2.0");
	/* tenant: B 0, F 1, short 1 */
	sc_check(sc, "tenant", "default", "5m",
		 "offered=2 service_level=null abandon_rate=0.0 max_wait_s=7.0");
	sc_free(sc);
}

/*
 * Duplicates and mixed sources.  Queue q, defaults, snapshot 10:05:00.
 *   k1: offered (id e1) 10:00:00, answered 10:00:10 by a1 (10 s: A_T, A_R),
 *       ended 10:02:00 (100 s).  Repeats: the id e1 again (even on another
 *       event), a second answer, an abandon, a second `ended`, and a CDR
 *       saying all of it again: all duplicate.
 *   k2: offered 10:01:00, answered 10:01:04 by a1 (4 s: A_T, A_R); then a
 *       CDR ending 10:03:00 (110 + 6 s) adds the handling; the `ended`
 *       that follows adds nothing: duplicate.
 *   k3: a CDR alone: offered 10:02:00, answered 10:02:30 by a2 (30 s: A),
 *       ended 10:04:00 (80 + 5 s).
 *   k4: a CDR abandoned 10:03:10 after 10 s (B, B_T); the progress abandon
 *       after it is a duplicate.
 *   k5: an answer without wait_ms for a call never offered: unknown_call,
 *       which leaves no trace: the abandon with wait_ms 6 s then counts
 *       (B, B_T).
 * A 3, A_T 2, A_R 2, B 2, B_T 2: offered 5; SL 2/5 = 0.4; rings 0.4;
 * abandons 2/5 = 0.4; ASA 44 / 3 = 14.6667 s -> 14.667; max wait 30 s.
 * Handled 3: 100 + 116 + 85 = 301 s, AHT 100.333 s.
 * a1: answered k1, k2; handled k1, k2: (100 + 116) / 2 = 108 s.
 * a2: answered and handled k3: 85 s.
 */
static void test_duplicates_and_cdr(void **state)
{
	(void)state;
	const char *call = "'type':'call','ts':'%s','event':'%s','call_id':'%s'%s";
	const char *cdr = "'type':'cdr','call_id':'%s','queue':'q','offered_at':'%s','outcome':'%s'%s";
	scenario_t *sc = sc_new();

	sc_start(sc);
	sc_ok(sc, call, "10:00:00", "offered", "k1", ",'queue':'q','id':'e1'");
	sc_expect(sc, CSLA_REJ_DUPLICATE, call, "10:00:00", "offered", "k1", ",'queue':'q','id':'e1'");
	sc_expect(sc, CSLA_REJ_DUPLICATE, call, "10:00:01", "abandoned", "k9", ",'queue':'q','id':'e1','wait_ms':9000");
	sc_ok(sc, call, "10:00:10", "answered", "k1", ",'queue':'q','agent_id':'a1'");
	sc_expect(sc, CSLA_REJ_DUPLICATE, call, "10:00:12", "answered", "k1", ",'queue':'q','agent_id':'a1'");
	sc_expect(sc, CSLA_REJ_DUPLICATE, call, "10:00:20", "abandoned", "k1", ",'queue':'q'");
	sc_ok(sc, call, "10:01:00", "offered", "k2", ",'queue':'q'");
	sc_ok(sc, call, "10:01:04", "answered", "k2", ",'queue':'q','agent_id':'a1'");
	sc_ok(sc, call, "10:02:00", "ended", "k1", ",'agent_id':'a1','talk_ms':100000");
	sc_expect(sc, CSLA_REJ_DUPLICATE, call, "10:02:00", "ended", "k1", ",'agent_id':'a1','talk_ms':100000");
	sc_expect(sc, CSLA_REJ_DUPLICATE, cdr, "k1", "10:00:00", "answered",
		  ",'answered_at':'10:00:10','ended_at':'10:02:00','agent_id':'a1','talk_ms':100000");
	sc_ok(sc, cdr, "k2", "10:01:00", "answered",
	      ",'answered_at':'10:01:04','ended_at':'10:03:00','agent_id':'a1','talk_ms':110000,'acw_ms':6000");
	sc_expect(sc, CSLA_REJ_DUPLICATE, call, "10:03:00", "ended", "k2", ",'agent_id':'a1','talk_ms':110000,'acw_ms':6000");
	sc_ok(sc, cdr, "k4", "10:03:00", "abandoned", ",'ended_at':'10:03:10'");
	sc_expect(sc, CSLA_REJ_DUPLICATE, call, "10:03:10", "abandoned", "k4", ",'queue':'q'");
	sc_ok(sc, cdr, "k3", "10:02:00", "answered",
	      ",'answered_at':'10:02:30','ended_at':'10:04:00','agent_id':'a2','talk_ms':80000,'hold_ms':5000");
	sc_expect(sc, CSLA_REJ_UNKNOWN_CALL, call, "10:04:20", "answered", "k5", ",'queue':'q','agent_id':'a2'");
	sc_ok(sc, call, "10:04:30", "abandoned", "k5", ",'queue':'q','wait_ms':6000");
	sc_snap(sc, "10:05:00");
	sc_check(sc, "queue", "q", "15m today",
		 "offered=5 answered=3 answered_in_sl=2 answered_in_rings=2"
		 " abandoned=2 short_abandoned=0 flowout=0 service_level=0.4"
		 " three_ring_rate=0.4 abandon_rate=0.4 asa_s=14.667"
		 " max_wait_s=30.0 handled=3 aht_s=100.333 waiting_now=0");
	sc_check(sc, "agent", "a1", "15m today",
		 "answered=2 handled=2 aht_s=108.0");
	sc_check(sc, "agent", "a2", "15m today",
		 "answered=1 handled=1 aht_s=85.0");
	sc_free(sc);
}

/*
 * Each part of a call counts when it happens.  a1 answers c1 (offered
 * 09:58:00) at 10:01:00 after 180 s and ends it at 10:20:00 after 1140 s
 * of talk; c2 is answered at 10:16:00 after 6 s and ended at 10:16:30 with
 * no durations (0 s).  Snapshot 10:22:00:
 *   prev15m [10:00, 10:15): c1's answer: offered 1, ASA 180 s; no handling
 *   cur15m [10:15, 10:22]: c2's answer (ASA 6 s), both endings: handled 2,
 *          AHT (1140 + 0) / 2 = 570 s
 *   5m (10:17, 10:22]: c1's ending only: AHT 1140 s, no answer
 *   prev30m [09:30, 10:00): the offer alone counts for nothing
 */
static void test_attribution_times(void **state)
{
	(void)state;
	const char *call = "'type':'call','ts':'%s','event':'%s','call_id':'%s'%s";
	scenario_t *sc = sc_new();

	sc_start(sc);
	sc_ok(sc, call, "09:58:00", "offered", "c1", ",'queue':'q'");
	sc_ok(sc, call, "10:01:00", "answered", "c1", ",'queue':'q','agent_id':'a1'");
	sc_ok(sc, call, "10:15:54", "offered", "c2", ",'queue':'q'");
	sc_ok(sc, call, "10:16:00", "answered", "c2", ",'queue':'q','agent_id':'a1'");
	sc_ok(sc, call, "10:16:30", "ended", "c2", ",'agent_id':'a1'");
	sc_ok(sc, call, "10:20:00", "ended", "c1", ",'agent_id':'a1','talk_ms':1140000");
	sc_snap(sc, "10:22:00");
	sc_check(sc, "queue", "q", "prev15m",
		 "offered=1 answered=1 asa_s=180.0 handled=0 aht_s=null");
	sc_check(sc, "queue", "q", "cur15m",
		 "offered=1 answered=1 asa_s=6.0 handled=2 aht_s=570.0");
	sc_check(sc, "queue", "q", "5m",
		 "offered=0 answered=0 asa_s=null handled=1 aht_s=1140.0");
	sc_check(sc, "queue", "q", "prev30m",
		 "offered=0 answered=0 handled=0 max_wait_s=null");
	sc_check(sc, "agent", "a1", "prev15m", "answered=1 handled=0");
	sc_check(sc, "agent", "a1", "cur15m", "answered=1 handled=2 aht_s=570.0");
	sc_free(sc);
}

/*
 * New thresholds classify calls from the swap on; calls already counted
 * keep their class.  T 20 s: p1 answered after 15 s at 10:01 (A_T).  Then
 * T becomes 10 s: p2 answered after 15 s at 10:02 is not within it.
 * SL 1 / 2 = 0.5 in the queue and the tenant.
 */
static void test_conf_swap_classifies_from_then_on(void **state)
{
	(void)state;
	const char *line = "'type':'call','ts':'%s','event':'answered','call_id':'%s','queue':'q','agent_id':'a1','wait_ms':15000";
	scenario_t *sc = sc_new();
	char err[256] = "";

	sc_start(sc);
	sc_ok(sc, line, "10:01:00", "p1");

	csla_conf_t *next = csla_conf_new_defaults();
	assert_non_null(next);
	next->clock = CSLA_CLOCK_EVENT;
	next->queue_defaults.sl_ms = 10000;
	assert_int_equal(csla_conf_validate(next, err, sizeof err), 0);
	csla_engine_set_conf(sc->e, next);
	csla_conf_destroy(sc->conf);
	sc->conf = next;

	sc_ok(sc, line, "10:02:00", "p2");
	sc_snap(sc, "10:05:00");
	sc_check(sc, "queue", "q", "5m today",
		 "answered=2 answered_in_sl=1 service_level=0.5");
	sc_check(sc, "tenant", "default", "5m today",
		 "answered=2 answered_in_sl=1 service_level=0.5");
	sc_free(sc);
}

/*
 * Tenants are separate worlds, and rows come in byte order of tenant,
 * scope, id and window ("Alpha" < "alpha" < "zeta", "Q" < "a" < "b10" <
 * "b9").  The same call id c1 is a different call in each tenant.
 *   Alpha: c1 offered in q                       -> queue q
 *   alpha: agent A (team tm, serves a); c1 offered in b10; c2 offered in Q;
 *          c3 answered in b9 by a1               -> agents A, a1; queues
 *          Q, a, b10, b9; team tm
 *   zeta:  c1 answered in z by x                 -> agent x; queue z
 * 13 ids x 9 windows = 117 rows.
 */
static void test_tenants_and_byte_order(void **state)
{
	(void)state;
	static const char *const ids[][3] = {
		{ "Alpha", "queue", "q" },   { "Alpha", "tenant", "Alpha" },
		{ "alpha", "agent", "A" },   { "alpha", "agent", "a1" },
		{ "alpha", "queue", "Q" },   { "alpha", "queue", "a" },
		{ "alpha", "queue", "b10" }, { "alpha", "queue", "b9" },
		{ "alpha", "team", "tm" },   { "alpha", "tenant", "alpha" },
		{ "zeta", "agent", "x" },    { "zeta", "queue", "z" },
		{ "zeta", "tenant", "zeta" },
	};
	const char *call = "'type':'call','tenant':'%s','ts':'%s','event':'%s','call_id':'%s','queue':'%s'%s";
	scenario_t *sc = sc_new();

	sc_start(sc);
	sc_ok(sc, call, "zeta", "10:00:00", "answered", "c1", "z", ",'agent_id':'x','wait_ms':1000");
	sc_ok(sc, "'type':'agent','tenant':'alpha','ts':'10:00:00','agent_id':'A','state':'available','team':'tm','queues':['a']");
	sc_ok(sc, call, "alpha", "10:00:00", "offered", "c1", "b10", "");
	sc_ok(sc, call, "alpha", "10:00:00", "offered", "c2", "Q", "");
	sc_ok(sc, call, "alpha", "10:00:00", "answered", "c3", "b9", ",'agent_id':'a1','wait_ms':1000");
	sc_ok(sc, call, "Alpha", "10:00:00", "offered", "c1", "q", "");
	sc_snap(sc, "10:01:00");
	assert_int_equal(sc->nrows, 13 * 9);
	for (size_t i = 0; i < sc->nrows; i++) {
		const sc_row_t *r = &sc->rows[i];
		assert_string_equal(r->tenant, ids[i / 9][0]);
		assert_string_equal(csla_scope_name(r->s.scope), ids[i / 9][1]);
		assert_string_equal(r->id, ids[i / 9][2]);
	}
	sc->tenant = "zeta";
	sc_check(sc, "queue", "z", "5m", "answered=1 waiting_now=0");
	sc_check(sc, "tenant", "zeta", "5m", "answered=1 waiting_now=0");
	sc->tenant = "Alpha";
	sc_check(sc, "queue", "q", "5m", "answered=0 waiting_now=1");
	sc->tenant = "alpha";
	sc_check(sc, "queue", "b10", "5m", "answered=0 waiting_now=1");
	sc_check(sc, "tenant", "alpha", "5m",
		 "answered=1 waiting_now=2 longest_wait_s=60.0 staffed=1");
	sc_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formulas),
		cmocka_unit_test(test_rows_and_order),
		cmocka_unit_test(test_sl_modes),
		cmocka_unit_test(test_threshold_boundaries),
		cmocka_unit_test(test_other_thresholds),
		cmocka_unit_test(test_null_ratios),
		cmocka_unit_test(test_duplicates_and_cdr),
		cmocka_unit_test(test_attribution_times),
		cmocka_unit_test(test_conf_swap_classifies_from_then_on),
		cmocka_unit_test(test_tenants_and_byte_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
