/* test_engine_agents.c - engine scenarios about agents: answers within
 * rings and ring-no-answer, state time by queue and team membership at the
 * time, and the live gauges.  Every expected number is worked out by hand
 * in the comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "scenario.h"

static const char agent_line[] =
	"'type':'agent','ts':'%s','agent_id':'%s','state':'%s'%s";

/*
 * R per agent is that of the first queue it serves, else the tenant's.
 * Defaults: ring cycle 4 s (R = 12 s); rule "q": 5 s (R = 15 s); rule
 * "fast": 3 s (R = 9 s).  Snapshot 10:10:00 (UTC).
 *   a1 serves [q] (R 15 s), team t1:
 *     alerting 10:01:00 -> talking 10:01:15      15 s: in rings
 *     alerting 10:04:00, again 10:04:10 (a repeat, not a transition)
 *       -> talking 10:04:15.001                  15.001 s: neither
 *     alerting 10:07:00 -> available 10:07:20    rona
 *     alerting 10:08:00 -> not_ready 10:08:05    rona
 *     alerting 10:09:00 -> talking 10:09:01      in rings
 *     alerting 10:09:40 until now                not yet either
 *     15m: 2 in rings, 2 rona; 5m (10:05, 10:10]: the last three
 *     endings: 1 in rings, 2 rona.
 *   a2 serves [fast, q] (R 9 s), team t1:
 *     alerting 10:01:00 -> talking 10:01:10      10 s: neither
 *     alerting 10:02:30 -> talking 10:02:39      9 s: in rings
 *   a3 serves nothing (tenant R 12 s), no team:
 *     alerting 10:01:00 -> talking 10:01:13      13 s: neither
 *     alerting 10:02:00 -> talking 10:02:12      12 s: in rings
 *     alerting 10:03:00 -> logged_out 10:03:30   rona
 *   team t1 = a1 + a2: 15m 3 in rings, 2 rona; 5m 1 and 2.
 */
static void test_rings_and_rona(void **state)
{
	(void)state;
	static const struct {
		const char *ts, *agent, *st, *extra;
	} ev[] = {
		{ "10:00:00", "a1", "available", ",'team':'t1','queues':['q']" },
		{ "10:00:00", "a2", "available", ",'team':'t1','queues':['fast','q']" },
		{ "10:00:00", "a3", "available", "" },
		{ "10:01:00", "a1", "alerting", "" },
		{ "10:01:00", "a2", "alerting", "" },
		{ "10:01:00", "a3", "alerting", "" },
		{ "10:01:10", "a2", "talking", "" },
		{ "10:01:13", "a3", "talking", "" },
		{ "10:01:15", "a1", "talking", "" },
		{ "10:02:00", "a2", "available", "" },
		{ "10:02:00", "a3", "alerting", "" },
		{ "10:02:12", "a3", "talking", "" },
		{ "10:02:30", "a2", "alerting", "" },
		{ "10:02:39", "a2", "talking", "" },
		{ "10:03:00", "a1", "available", "" },
		{ "10:03:00", "a3", "alerting", "" },
		{ "10:03:30", "a3", "logged_out", "" },
		{ "10:04:00", "a1", "alerting", "" },
		{ "10:04:10", "a1", "alerting", "" },
		{ "10:04:15.001", "a1", "talking", "" },
		{ "10:06:00", "a1", "available", "" },
		{ "10:07:00", "a1", "alerting", "" },
		{ "10:07:20", "a1", "available", "" },
		{ "10:08:00", "a1", "alerting", "" },
		{ "10:08:05", "a1", "not_ready", "" },
		{ "10:09:00", "a1", "alerting", "" },
		{ "10:09:01", "a1", "talking", "" },
		{ "10:09:40", "a1", "alerting", "" },
	};
	scenario_t *sc = sc_new();

	sc->conf->queue_defaults.ring_cycle_ms = 4000;
	sc_add_queue_rule(sc, "q", CSLA_QO_RING_CYCLE,
			  (csla_queue_conf_t){ .ring_cycle_ms = 5000 });
	sc_add_queue_rule(sc, "fast", CSLA_QO_RING_CYCLE,
			  (csla_queue_conf_t){ .ring_cycle_ms = 3000 });
	sc_start(sc);
	for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++)
		sc_ok(sc, agent_line, ev[i].ts, ev[i].agent, ev[i].st,
		      ev[i].extra);
	sc_snap(sc, "10:10:00");
	sc_check(sc, "agent", "a1", "15m today",
		 "agent_answer_in_rings=2 rona=2");
	sc_check(sc, "agent", "a1", "5m", "agent_answer_in_rings=1 rona=2");
	sc_check(sc, "agent", "a2", "15m today",
		 "agent_answer_in_rings=1 rona=0");
	sc_check(sc, "agent", "a2", "5m", "agent_answer_in_rings=0 rona=0");
	sc_check(sc, "agent", "a3", "15m today",
		 "agent_answer_in_rings=1 rona=1");
	sc_check(sc, "team", "t1", "15m today",
		 "agent_answer_in_rings=3 rona=2");
	sc_check(sc, "team", "t1", "5m", "agent_answer_in_rings=1 rona=2");
	sc_check(sc, "queue", "q", "15m", "agent_answer_in_rings=absent");
	sc_free(sc);
}

/*
 * Membership at the time, and the gauges.  UTC, snapshot 10:05:00; every
 * state change is in [10:00, 10:05], so 5m, 15m and today agree.
 *   a1: available [q2] team red 10:00:00; available again with [q1]
 *       10:03:00 (same state: only the queues change); talking 10:04:00
 *       -> available 180 s for q2, 60 s for q1; talking 60 s for q1
 *   a2: available [q1, q2] team red 10:00:00; acw 10:02:00; acw again with
 *       team blue 10:04:30
 *       -> q1, q2: available 120 s, acw 180 s
 *       -> red: available 120 s, acw 150 s; blue: acw 30 s
 *   a3: available [q2] 10:00:00, logged_out 10:01:00 -> q2: available 60 s
 *   a4: hold [q2, q3] team blue 10:00:00 -> hold 300 s
 *   a5: available, no queues, no team -> tenant only: available 300 s
 * q1: available 180, talking 60, acw 180: occupancy 240 / 420 = 0.5714
 * q2: available 180 + 120 + 60 = 360, acw 180, hold 300:
 *     occupancy 480 / 840 = 0.5714
 * q3: hold 300: occupancy 1.0
 * tenant: available 240 + 120 + 60 + 300 = 720, talking 60, acw 180,
 *     hold 300: occupancy 540 / 1260 = 0.4286
 * red: available 360, talking 60, acw 150: 210 / 570 = 0.3684
 * blue: acw 30, hold 300: 1.0
 * Calls: w1 (10:00:00) and w2 (10:01:00) wait in q1; w3 offered in q2
 * 10:02:00 and answered 10:02:30 by a6, who never sent a state; w4
 * answered in q1 by a2 10:02:40 (a2 in red), w5 by a2 10:04:40 (in blue).
 * Gauges at 10:05:00:
 *   q1: waiting 2, the oldest for 300 s; a1 talking, a2 acw: staffed 2
 *   q2: nobody waiting (0 s); a2 acw, a4 hold (a3 logged out, a1 left):
 *       staffed 2
 *   q3 (named only in a4's queues): a4 hold: staffed 1
 *   tenant: waiting 2 for 300 s; a5 available, a1 talking, a4 hold,
 *       a2 acw: staffed 4 (a3 logged out, a6 never seen in a state)
 */
static void test_membership_and_gauges(void **state)
{
	(void)state;
	const char *call = "'type':'call','ts':'%s','event':'%s','call_id':'%s','queue':'%s'%s";
	scenario_t *sc = sc_new();

	sc_start(sc);
	sc_ok(sc, agent_line, "10:00:00", "a1", "available", ",'team':'red','queues':['q2']");
	sc_ok(sc, agent_line, "10:00:00", "a2", "available", ",'team':'red','queues':['q1','q2']");
	sc_ok(sc, agent_line, "10:00:00", "a3", "available", ",'queues':['q2']");
	sc_ok(sc, agent_line, "10:00:00", "a4", "hold", ",'team':'blue','queues':['q2','q3']");
	sc_ok(sc, agent_line, "10:00:00", "a5", "available", "");
	sc_ok(sc, call, "10:00:00", "offered", "w1", "q1", "");
	sc_ok(sc, call, "10:01:00", "offered", "w2", "q1", "");
	sc_ok(sc, agent_line, "10:01:00", "a3", "logged_out", "");
	sc_ok(sc, call, "10:02:00", "offered", "w3", "q2", "");
	sc_ok(sc, agent_line, "10:02:00", "a2", "acw", "");
	sc_ok(sc, call, "10:02:30", "answered", "w3", "q2", ",'agent_id':'a6'");
	sc_ok(sc, call, "10:02:40", "answered", "w4", "q1", ",'agent_id':'a2','wait_ms':2000");
	sc_ok(sc, agent_line, "10:03:00", "a1", "available", ",'queues':['q1']");
	sc_ok(sc, agent_line, "10:04:00", "a1", "talking", "");
	sc_ok(sc, agent_line, "10:04:30", "a2", "acw", ",'team':'blue'");
	sc_ok(sc, call, "10:04:40", "answered", "w5", "q1", ",'agent_id':'a2','wait_ms':3000");
	sc_snap(sc, "10:05:00");

	sc_check(sc, "queue", "q1", "5m 15m today",
		 "answered=2 ms.available=180000 ms.talking=60000"
		 " ms.acw=180000 ms.hold=0 occupancy=0.5714 waiting_now=2"
		 " longest_wait_s=300.0 staffed=2 agents={\"available\":0,"
		 "\"alerting\":0,\"talking\":1,\"hold\":0,\"acw\":1,"
		 "\"not_ready\":0}");
	sc_check(sc, "queue", "q2", "5m 15m today",
		 "answered=1 ms.available=360000 ms.talking=0 ms.acw=180000"
		 " ms.hold=300000 occupancy=0.5714 utilization=0.5714"
		 " waiting_now=0 longest_wait_s=0.0 staffed=2"
		 " agents={\"available\":0,\"alerting\":0,\"talking\":0,"
		 "\"hold\":1,\"acw\":1,\"not_ready\":0}");
	sc_check(sc, "queue", "q3", "5m 15m today",
		 "offered=0 answered=0 ms.hold=300000 occupancy=1.0"
		 " waiting_now=0 staffed=1 agents={\"available\":0,"
		 "\"alerting\":0,\"talking\":0,\"hold\":1,\"acw\":0,"
		 "\"not_ready\":0}");
	sc_check(sc, "tenant", "default", "5m 15m today",
		 "answered=3 ms.available=720000 ms.talking=60000"
		 " ms.acw=180000 ms.hold=300000 occupancy=0.4286"
		 " waiting_now=2 longest_wait_s=300.0 staffed=4"
		 " agents={\"available\":1,\"alerting\":0,\"talking\":1,"
		 "\"hold\":1,\"acw\":1,\"not_ready\":0}");
	sc_check(sc, "team", "red", "5m 15m today",
		 "answered=1 ms.available=360000 ms.talking=60000"
		 " ms.acw=150000 ms.hold=0 occupancy=0.3684");
	sc_check(sc, "team", "blue", "5m 15m today",
		 "answered=1 ms.available=0 ms.acw=30000 ms.hold=300000"
		 " occupancy=1.0");
	sc_check(sc, "agent", "a1", "15m",
		 "answered=0 ms.available=240000 ms.talking=60000");
	sc_check(sc, "agent", "a2", "15m",
		 "answered=2 ms.available=120000 ms.acw=180000");
	sc_check(sc, "agent", "a6", "15m",
		 "answered=1 occupancy=null utilization=null");

	/* The gauges move with now, the sums do not: at 10:06:00 w1 has
	 * waited 360 s; 5m (10:01, 10:06] keeps only the answers. */
	sc_snap(sc, "10:06:00");
	sc_check(sc, "queue", "q1", "5m today",
		 "answered=2 waiting_now=2 longest_wait_s=360.0");
	sc_free(sc);
}

/*
 * A late agent event (within lateness) is put in its place in the agent's
 * history.  a1: available 10:00 [q], talking 10:10, then the late
 * not_ready of 10:05 arrives.  At 10:15:
 *   15m, prev15m, today: available 300 s, not ready 300 s, talking 300 s:
 *     occupancy 300 / 600 = 0.5, utilization 300 / 900 = 0.3333
 *   5m [10:10, 10:15]: talking 300 s: 1.0
 */
static void test_late_agent_event(void **state)
{
	(void)state;
	scenario_t *sc = sc_new();

	sc_start(sc);
	sc_ok(sc, agent_line, "10:00:00", "a1", "available", ",'queues':['q']");
	sc_ok(sc, agent_line, "10:10:00", "a1", "talking", "");
	sc_ok(sc, agent_line, "10:05:00", "a1", "not_ready", "");
	sc_snap(sc, "10:15:00");
	sc_check(sc, "agent", "a1", "15m prev15m today",
		 "ms.available=300000 ms.not_ready=300000 ms.talking=300000"
		 " occupancy=0.5 utilization=0.3333");
	sc_check(sc, "queue", "q", "15m prev15m today",
		 "ms.available=300000 ms.not_ready=300000 ms.talking=300000"
		 " occupancy=0.5 utilization=0.3333");
	sc_check(sc, "agent", "a1", "5m",
		 "ms.talking=300000 ms.not_ready=0 occupancy=1.0");
	sc_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rings_and_rona),
		cmocka_unit_test(test_membership_and_gauges),
		cmocka_unit_test(test_late_agent_event),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
