/* test_sim.c - the simulator, checked from the outside: a checker follows
 * every event, holds each call and agent to the life cycle of
 * docs/simulator.md (what may follow what, longest-idle routing, no agent
 * idle while a call it could take waits, wait and handle times that agree
 * with the event times), tallies queue outcomes and agent-state time per
 * local day on its own, and requires the simulator's truth to equal that
 * tally.  Also: determinism, CDR mode against progress mode, several
 * tenants across a DST change, and option checking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "callsla/event_json.h"
#include "callsla/timefmt.h"
#include "sim.h"

#define MAXT 3
#define MAXA 64
#define MAXQ 8
#define MAXD 3
#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL

enum { C_NONE, C_WAITING, C_RINGING, C_ANSWERED, C_DONE };

typedef struct ccall {
	int st, tenant, queue, agent;
	int64_t offered, alerting, answered, ended;
	csla_outcome_t outcome;
	int64_t talk, hold, acw;
} ccall_t;

typedef struct cagent {
	int state; /* -1: no event yet */
	int64_t since;
	uint64_t qmask;
	uint64_t avail_order;
	int call; /* the call ringing or answered here, or -1 */
	int64_t talk, hold;
} cagent_t;

typedef struct checker {
	const csla_sim_opts_t *o;
	int64_t last_ts;
	uint64_t n, order;
	int expect_agent; /* an agent alerting event must come next */
	cagent_t a[MAXT][MAXA];
	ccall_t *calls;
	size_t ncalls;
	int waiting[MAXT][MAXQ];
	csla_truth_counts_t cnt[MAXT][MAXD][MAXQ];
	int64_t st_ms[MAXT][MAXD][CSLA_AS_COUNT];
	uint64_t rona, holds, lunches, logins;
	uint64_t hash, agent_hash;
	const ccall_t *ref; /* progress-mode calls, to check CDRs against */
	size_t nref;
	uint64_t cdrs;
	char line[8192];
} checker_t;

static uint64_t fnv(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
	return h;
}

static int tenant_of(const checker_t *c, csla_str_t s)
{
	if (c->o->tenants == 1) {
		assert_true(csla_str_eq(s, "default", 7));
		return 0;
	}
	assert_true(s.len >= 2 && s.p[0] == 't');
	return atoi(s.p + 1) - 1;
}

static int agent_of(csla_str_t s)
{
	assert_true(s.len >= 2 && s.p[0] == 'a');
	int i = atoi(s.p + 1) - 1;
	assert_in_range(i, 0, MAXA - 1);
	return i;
}

static ccall_t *call_of(checker_t *c, csla_str_t s)
{
	char buf[64];
	memcpy(buf, s.p, s.len);
	buf[s.len] = '\0';
	const char *dash = strrchr(buf, '-');
	assert_non_null(dash);
	size_t no = strtoull(dash + 1, NULL, 10);
	if (no >= c->ncalls) {
		size_t n = no * 2 + 16;
		c->calls = realloc(c->calls, n * sizeof *c->calls);
		assert_non_null(c->calls);
		memset(c->calls + c->ncalls, 0, (n - c->ncalls) * sizeof *c->calls);
		c->ncalls = n;
	}
	return &c->calls[no];
}

static int qindex(const char *name, size_t len)
{
	static const char *const names[] = { "sales", "support", "billing",
					     "retention", "tech" };
	for (int i = 0; i < 5; i++)
		if (strlen(names[i]) == len && !memcmp(names[i], name, len))
			return i;
	fail_msg("unknown queue %.*s", (int)len, name);
	return -1;
}

/* The local day of ts, counted from the first simulated day. */
static int day_of(const checker_t *c, int t, int64_t ts)
{
	int d = (int)(csla_tz_local_day(c->o->tz[t], ts) - c->o->start_day);
	assert_in_range(d, 0, MAXD - 1);
	return d;
}

static void add_state(checker_t *c, int t, int s, int64_t from, int64_t to)
{
	const csla_tz_t *tz = c->o->tz[t];
	while (from < to) {
		/* Days are 23 to 25 hours long: 26 h on is the next day. */
		int64_t next = csla_tz_day_start(tz, csla_tz_day_start(tz, from) +
						     26 * HOUR_MS);
		int64_t end = to < next ? to : next;
		c->st_ms[t][day_of(c, t, from)][s] += end - from;
		from = end;
	}
}

static void tally(checker_t *c, const ccall_t *k, csla_outcome_t o,
		  int64_t at, int64_t wait)
{
	int d = day_of(c, k->tenant, at);
	csla_truth_counts_t *n = &c->cnt[k->tenant][d][k->queue];
	n->offered++;
	if (o == CSLA_OUT_ANSWERED) {
		n->answered++;
		n->answered_in_sl += wait <= 20000;
		n->answered_in_rings += wait <= 15000;
	} else if (o == CSLA_OUT_FLOWOUT)
		n->flowout++;
	else if (wait < 5000)
		n->short_abandoned++;
	else
		n->abandoned++;
}

/* Between two instants no agent may be available while a call it serves
 * waits. */
static void work_conserving(const checker_t *c)
{
	for (uint32_t t = 0; t < c->o->tenants; t++)
		for (int i = 0; i < MAXA; i++) {
			const cagent_t *a = &c->a[t][i];
			if (a->state != CSLA_AS_AVAILABLE)
				continue;
			for (int q = 0; q < MAXQ; q++)
				if (a->qmask >> q & 1)
					assert_int_equal(c->waiting[t][q], 0);
		}
}

static int64_t ms(double s)
{
	return (int64_t)(s * 1000 + 0.5);
}

static void on_call(checker_t *c, int t, const csla_event_t *ev)
{
	ccall_t *k = call_of(c, ev->call_id);
	int64_t ts = ev->ts_ms;

	switch (ev->call_event) {
	case CSLA_CALL_OFFERED:
		assert_int_equal(k->st, C_NONE);
		*k = (ccall_t){ C_WAITING, t, qindex(ev->queue.p, ev->queue.len),
				-1, ts, 0, 0, 0, 0, 0, 0, 0 };
		c->waiting[t][k->queue]++;
		break;
	case CSLA_CALL_ALERTING: {
		assert_int_equal(k->st, C_WAITING);
		int ai = agent_of(ev->agent_id);
		cagent_t *a = &c->a[t][ai];
		assert_int_equal(a->state, CSLA_AS_AVAILABLE);
		assert_true(a->qmask >> k->queue & 1);
		/* Longest idle: nobody serving the queue waits longer. */
		for (int j = 0; j < MAXA; j++) {
			const cagent_t *b = &c->a[t][j];
			if (b->state == CSLA_AS_AVAILABLE && (b->qmask >> k->queue & 1))
				assert_true(a->avail_order <= b->avail_order);
		}
		c->waiting[t][k->queue]--;
		k->st = C_RINGING;
		k->agent = ai;
		k->alerting = ts;
		a->call = (int)(k - c->calls);
		c->expect_agent = ai;
		break;
	}
	case CSLA_CALL_ANSWERED:
		assert_int_equal(k->st, C_RINGING);
		assert_int_equal(agent_of(ev->agent_id), k->agent);
		assert_int_equal(ev->wait_ms, ts - k->offered);
		assert_in_range(ts - k->alerting, ms(c->o->ring_min_s),
				ms(c->o->ring_max_s));
		assert_int_equal(qindex(ev->queue.p, ev->queue.len), k->queue);
		k->st = C_ANSWERED;
		k->answered = ts;
		tally(c, k, CSLA_OUT_ANSWERED, ts, ev->wait_ms);
		break;
	case CSLA_CALL_ABANDONED:
	case CSLA_CALL_FLOWOUT:
		assert_int_equal(ev->wait_ms, ts - k->offered);
		assert_int_equal(qindex(ev->queue.p, ev->queue.len), k->queue);
		if (ev->call_event == CSLA_CALL_FLOWOUT)
			assert_true(ev->wait_ms >= ms(c->o->max_queue_s));
		if (k->st == C_RINGING) {
			/* Hung up while ringing: the agent is freed next. */
			assert_int_equal(ev->call_event, CSLA_CALL_ABANDONED);
			c->a[t][k->agent].call = -1;
		} else {
			assert_int_equal(k->st, C_WAITING);
			c->waiting[t][k->queue]--;
		}
		k->st = C_DONE;
		k->outcome = ev->call_event == CSLA_CALL_FLOWOUT ? CSLA_OUT_FLOWOUT
								 : CSLA_OUT_ABANDONED;
		k->ended = ts;
		tally(c, k, k->outcome, ts, ev->wait_ms);
		break;
	case CSLA_CALL_ENDED: {
		assert_int_equal(k->st, C_ANSWERED);
		cagent_t *a = &c->a[t][k->agent];
		assert_int_equal(agent_of(ev->agent_id), k->agent);
		assert_int_equal(a->state, CSLA_AS_ACW);
		assert_int_equal(ev->talk_ms, a->talk);
		assert_int_equal(ev->hold_ms, a->hold);
		assert_int_equal(ev->acw_ms, ts - a->since);
		k->st = C_DONE;
		k->outcome = CSLA_OUT_ANSWERED;
		k->ended = ts;
		k->talk = ev->talk_ms;
		k->hold = ev->hold_ms;
		k->acw = ev->acw_ms;
		a->call = -1;
		break;
	}
	}
}

static void on_agent(checker_t *c, int t, const csla_event_t *ev)
{
	int ai = agent_of(ev->agent_id);
	cagent_t *a = &c->a[t][ai];
	int from = a->state, to = (int)ev->state;
	int64_t ts = ev->ts_ms;
	ccall_t *k = a->call >= 0 ? &c->calls[a->call] : NULL;

	assert_true(ev->team.len > 0);
	assert_int_equal(ev->has_queues, from <= CSLA_AS_LOGGED_OUT);
	if (c->expect_agent >= 0) {
		assert_int_equal(ai, c->expect_agent);
		assert_int_equal(to, CSLA_AS_ALERTING);
		c->expect_agent = -1;
	}
	switch (to) {
	case CSLA_AS_AVAILABLE:
		assert_true(from <= CSLA_AS_NOT_READY || from == CSLA_AS_ACW ||
			    (from == CSLA_AS_ALERTING && !k));
		if (from <= CSLA_AS_LOGGED_OUT) {
			a->qmask = 0;
			for (uint32_t i = 0; i < ev->nqueues; i++)
				a->qmask |= 1ull << qindex(ev->queues[i].p,
							   ev->queues[i].len);
			assert_true(a->qmask != 0);
			c->logins++;
		}
		a->avail_order = c->order++;
		break;
	case CSLA_AS_ALERTING:
		assert_int_equal(from, CSLA_AS_AVAILABLE);
		assert_true(k || c->o->cdr);
		break;
	case CSLA_AS_TALKING:
		assert_true(from == CSLA_AS_ALERTING || from == CSLA_AS_HOLD);
		assert_true((k && k->st == C_ANSWERED) || c->o->cdr);
		if (from == CSLA_AS_ALERTING)
			a->talk = a->hold = 0;
		else
			a->hold += ts - a->since;
		break;
	case CSLA_AS_HOLD:
	case CSLA_AS_ACW:
		assert_int_equal(from, CSLA_AS_TALKING);
		a->talk += ts - a->since;
		c->holds += to == CSLA_AS_HOLD;
		break;
	case CSLA_AS_NOT_READY:
		if (csla_str_eq(ev->reason, "rona", 4)) {
			/* Rang out: the call goes back to its queue. */
			assert_int_equal(from, CSLA_AS_ALERTING);
			assert_int_equal(ts - a->since, ms(c->o->ring_timeout_s));
			c->rona++;
			if (c->o->cdr)
				break;
			assert_true(k && k->st == C_RINGING);
			k->st = C_WAITING;
			c->waiting[t][k->queue]++;
			a->call = -1;
		} else {
			assert_true(csla_str_eq(ev->reason, "break", 5) ||
				    csla_str_eq(ev->reason, "lunch", 5));
			assert_true(from == CSLA_AS_AVAILABLE || from == CSLA_AS_ACW ||
				    from == CSLA_AS_NOT_READY ||
				    (from == CSLA_AS_ALERTING && !k));
			c->lunches += ev->reason.p[0] == 'l';
		}
		break;
	case CSLA_AS_LOGGED_OUT:
		assert_true(from == CSLA_AS_AVAILABLE || from == CSLA_AS_ACW ||
			    from == CSLA_AS_NOT_READY ||
			    (from == CSLA_AS_ALERTING && !k));
		break;
	default:
		fail_msg("unexpected state %d", to);
	}
	if (from >= 0)
		add_state(c, t, from, a->since, ts);
	a->state = to;
	a->since = ts;
	/* The same line without its id, to compare the agent streams of the
	 * two modes. */
	csla_event_t copy = *ev;
	copy.id.len = 0;
	size_t n = csla_event_json(&copy, c->line, sizeof c->line);
	c->agent_hash = fnv(c->agent_hash, c->line, n);
}

static void on_cdr(checker_t *c, const csla_event_t *ev)
{
	const ccall_t *r;
	char buf[64];

	memcpy(buf, ev->call_id.p, ev->call_id.len);
	buf[ev->call_id.len] = '\0';
	size_t no = strtoull(strrchr(buf, '-') + 1, NULL, 10);
	assert_true(no < c->nref);
	r = &c->ref[no];
	assert_int_equal(r->st, C_DONE);
	assert_int_equal(ev->outcome, r->outcome);
	assert_int_equal(qindex(ev->queue.p, ev->queue.len), r->queue);
	assert_int_equal(ev->offered_at, r->offered);
	assert_int_equal(ev->ended_at, r->ended);
	assert_int_equal(ev->ts_ms, r->ended);
	if (r->outcome == CSLA_OUT_ANSWERED) {
		assert_int_equal(agent_of(ev->agent_id), r->agent);
		assert_int_equal(ev->alerting_at, r->alerting);
		assert_int_equal(ev->answered_at, r->answered);
		assert_int_equal(ev->talk_ms, r->talk);
		assert_int_equal(ev->hold_ms, r->hold);
		assert_int_equal(ev->acw_ms, r->acw);
	} else {
		assert_int_equal(ev->agent_id.len, 0);
		assert_int_equal(ev->answered_at, CSLA_NO_MS);
		assert_int_equal(ev->talk_ms, CSLA_NO_MS);
	}
	c->cdrs++;
}

static int on_event(void *opaque, const csla_event_t *ev)
{
	checker_t *c = opaque;
	char id[64];

	assert_true(ev->ts_ms >= c->last_ts);
	if (ev->ts_ms > c->last_ts && ev->type != CSLA_EV_CDR)
		work_conserving(c);
	c->last_ts = ev->ts_ms;
	snprintf(id, sizeof id, "e%llu-%llu", (unsigned long long)c->o->seed,
		 (unsigned long long)c->n++);
	assert_true(csla_str_eq(ev->id, id, strlen(id)));
	size_t n = csla_event_json(ev, c->line, sizeof c->line);
	assert_true(n < sizeof c->line);
	c->hash = fnv(c->hash, c->line, n);

	int t = tenant_of(c, ev->tenant);
	assert_in_range(t, 0, (int)c->o->tenants - 1);
	switch (ev->type) {
	case CSLA_EV_CALL:
		assert_false(c->o->cdr);
		on_call(c, t, ev);
		break;
	case CSLA_EV_AGENT:
		on_agent(c, t, ev);
		break;
	case CSLA_EV_CDR:
		assert_true(c->o->cdr);
		on_cdr(c, ev);
		break;
	}
	return 0;
}

/* Runs the simulation through a fresh checker; the caller frees c->calls
 * and the simulation. */
static csla_sim_t *run(const csla_sim_opts_t *o, checker_t *c)
{
	char err[256];
	csla_sim_t *s = csla_sim_new(o, err, sizeof err);

	if (!s)
		fail_msg("%s", err);
	memset(c, 0, sizeof *c);
	c->o = o;
	c->last_ts = INT64_MIN;
	c->expect_agent = -1;
	c->hash = c->agent_hash = 0xcbf29ce484222325ull;
	for (int t = 0; t < MAXT; t++)
		for (int i = 0; i < MAXA; i++)
			c->a[t][i] = (cagent_t){ .state = -1, .call = -1 };
	assert_int_equal(csla_sim_run(s, on_event, c), 0);
	assert_int_equal(csla_sim_events(s), c->n);
	return s;
}

/* Everything ended; the truth equals the checker's own tally. */
static void check_end(checker_t *c, csla_sim_t *s)
{
	const csla_sim_opts_t *o = c->o;
	const csla_truth_t *tr = csla_sim_truth(s);

	if (!o->cdr)
		for (size_t i = 0; i < c->ncalls; i++)
			assert_true(c->calls[i].st == C_NONE ||
				    c->calls[i].st == C_DONE);
	assert_int_equal(tr->ntenants, o->tenants);
	for (uint32_t t = 0; t < o->tenants; t++) {
		const csla_truth_tenant_t *tt = &tr->t[t];
		const csla_tz_t *tz = o->tz[t];
		int64_t end = 0;
		for (int i = 0; i < MAXA; i++) {
			const cagent_t *a = &c->a[t][i];
			if (a->state < 0)
				continue;
			assert_int_equal(a->state, CSLA_AS_LOGGED_OUT);
			/* The last state runs to the end of the last day. */
			int d = day_of(c, (int)t, a->since);
			assert_int_equal(d, (int)o->days - 1);
			end = csla_tz_day_start(tz, csla_tz_day_start(tz, a->since) +
							    26 * HOUR_MS);
			add_state(c, (int)t, a->state, a->since, end);
		}
		assert_int_equal(tt->ndays, o->days);
		assert_int_equal(tt->first_day, o->start_day);
		for (uint32_t d = 0; d < o->days; d++) {
			for (uint32_t q = 0; q < o->queues; q++)
				assert_memory_equal(&tt->days[d].queue[q],
						    &c->cnt[t][d][q],
						    sizeof(csla_truth_counts_t));
			assert_memory_equal(tt->days[d].state_ms, c->st_ms[t][d],
					    sizeof c->st_ms[t][d]);
		}
		assert_int_equal(tt->days[o->days - 1].end_ms, end);
	}
}

static csla_tz_t *zone(const char *name)
{
	char err[256];
	csla_tz_t *tz = csla_tz_load(name, err, sizeof err);
	if (!tz)
		fail_msg("%s", err);
	return tz;
}

static void default_day_is_believable(void **state)
{
	csla_sim_opts_t o;
	checker_t *c = calloc(1, sizeof *c);
	csla_tz_t *utc = csla_tz_utc();
	const csla_tz_t *tz[1] = { utc };
	(void)state;

	csla_sim_opts_default(&o);
	o.tz = tz;
	o.seed = 7;
	csla_sim_t *s = run(&o, c);
	check_end(c, s);
	/* 300 calls an hour over the ten open hours. */
	uint64_t offered = 0, ans = 0, aband = 0, shrt = 0, flow = 0, sl = 0;
	for (uint32_t q = 0; q < o.queues; q++) {
		const csla_truth_counts_t *n = &c->cnt[0][0][q];
		offered += n->offered;
		ans += n->answered;
		aband += n->abandoned;
		shrt += n->short_abandoned;
		flow += n->flowout;
		sl += n->answered_in_sl;
		assert_true(n->offered > 0);
	}
	assert_in_range(offered, 2700, 3300);
	assert_true(aband > 0 && shrt > 0 && flow > 0);
	assert_in_range(sl * 100 / (ans + aband), 70, 97);
	assert_true(c->rona > 0 && c->holds > 0);
	assert_int_equal(c->logins, 40);
	assert_int_equal(c->lunches, 40);
	free(c->calls);
	free(c);
	csla_sim_destroy(s);
	csla_tz_destroy(utc);
}

static void same_seed_same_events(void **state)
{
	csla_sim_opts_t o;
	checker_t *c = calloc(1, sizeof *c);
	csla_tz_t *utc = csla_tz_utc();
	const csla_tz_t *tz[1] = { utc };
	(void)state;

	csla_sim_opts_default(&o);
	o.tz = tz;
	o.agents = 12;
	o.calls_per_hour = 80;
	csla_sim_t *s = run(&o, c);
	uint64_t h1 = c->hash, n1 = c->n;
	free(c->calls);
	csla_sim_destroy(s);
	s = run(&o, c);
	assert_int_equal(c->hash, h1);
	assert_int_equal(c->n, n1);
	free(c->calls);
	csla_sim_destroy(s);
	o.seed = 2;
	s = run(&o, c);
	assert_true(c->hash != h1);
	free(c->calls);
	free(c);
	csla_sim_destroy(s);
	csla_tz_destroy(utc);
}

static void cdr_mode_tells_the_same_story(void **state)
{
	csla_sim_opts_t o;
	checker_t *p = calloc(1, sizeof *p), *c = calloc(1, sizeof *c);
	csla_tz_t *utc = csla_tz_utc();
	const csla_tz_t *tz[1] = { utc };
	(void)state;

	csla_sim_opts_default(&o);
	o.tz = tz;
	o.seed = 11;
	o.agents = 20;
	o.calls_per_hour = 150;
	csla_sim_t *ps = run(&o, p);
	check_end(p, ps);
	o.cdr = true;
	c->ref = NULL;
	char err[256];
	csla_sim_t *cs = csla_sim_new(&o, err, sizeof err);
	assert_non_null(cs);
	memset(c, 0, sizeof *c);
	c->o = &o;
	c->last_ts = INT64_MIN;
	c->expect_agent = -1;
	c->hash = c->agent_hash = 0xcbf29ce484222325ull;
	for (int i = 0; i < MAXA; i++)
		c->a[0][i] = (cagent_t){ .state = -1, .call = -1 };
	c->ref = p->calls;
	c->nref = p->ncalls;
	assert_int_equal(csla_sim_run(cs, on_event, c), 0);
	/* The same agents, one CDR per call, the same truth. */
	assert_int_equal(c->agent_hash, p->agent_hash);
	uint64_t calls = 0;
	for (size_t i = 0; i < p->ncalls; i++)
		calls += p->calls[i].st == C_DONE;
	assert_int_equal(c->cdrs, calls);
	const csla_truth_t *a = csla_sim_truth(ps), *b = csla_sim_truth(cs);
	assert_memory_equal(a->t[0].days[0].queue, b->t[0].days[0].queue,
			    o.queues * sizeof(csla_truth_counts_t));
	assert_memory_equal(a->t[0].days[0].state_ms, b->t[0].days[0].state_ms,
			    sizeof a->t[0].days[0].state_ms);
	free(p->calls);
	free(c->calls);
	free(p);
	free(c);
	csla_sim_destroy(ps);
	csla_sim_destroy(cs);
	csla_tz_destroy(utc);
}

static void tenants_in_three_zones_across_dst(void **state)
{
	csla_sim_opts_t o;
	checker_t *c = calloc(1, sizeof *c);
	csla_tz_t *z[3] = { csla_tz_utc(), zone("Asia/Shanghai"),
			    zone("America/New_York") };
	const csla_tz_t *tz[3] = { z[0], z[1], z[2] };
	(void)state;

	assert_string_equal(csla_sim_tenant_zone(0, 3), "UTC");
	assert_string_equal(csla_sim_tenant_zone(1, 3), "Asia/Shanghai");
	assert_string_equal(csla_sim_tenant_zone(2, 3), "America/New_York");
	assert_string_equal(csla_sim_tenant_zone(6, 7), "UTC");
	assert_string_equal(csla_sim_tenant_zone(5, 7), "Australia/Sydney");
	assert_string_equal(csla_sim_tenant_zone(0, 1), "UTC");
	csla_sim_opts_default(&o);
	o.tz = tz;
	o.tenants = 3;
	o.days = 2;
	/* New York springs forward on the 8th. */
	o.start_day = csla_days_from_civil(2026, 3, 7);
	o.agents = 16;
	o.calls_per_hour = 110;
	csla_sim_t *s = run(&o, c);
	check_end(c, s);
	const csla_truth_t *tr = csla_sim_truth(s);
	assert_string_equal(tr->t[0].name, "t1");
	assert_string_equal(tr->t[2].name, "t3");
	/* The NY tenant's second day has 23 hours, its agents' first
	 * log-in is 07:55-08:02 EST. */
	assert_int_equal(tr->t[2].days[1].end_ms - tr->t[2].days[1].start_ms,
			 23 * HOUR_MS);
	int64_t sum = 0;
	for (int st = 0; st < CSLA_AS_COUNT; st++)
		sum += tr->t[2].days[1].state_ms[st];
	assert_int_equal(sum, 16 * 23 * HOUR_MS);
	for (uint32_t t = 0; t < 3; t++)
		for (uint32_t d = 0; d < 2; d++)
			assert_true(c->cnt[t][d][0].answered > 0);
	free(c->calls);
	free(c);
	csla_sim_destroy(s);
	for (int i = 0; i < 3; i++)
		csla_tz_destroy(z[i]);
}

static void agents_that_never_answer(void **state)
{
	csla_sim_opts_t o;
	checker_t *c = calloc(1, sizeof *c);
	csla_tz_t *utc = csla_tz_utc();
	const csla_tz_t *tz[1] = { utc };
	(void)state;

	csla_sim_opts_default(&o);
	o.tz = tz;
	o.queues = 1;
	o.agents = 2;
	o.calls_per_hour = 20;
	o.rona_p = 1;
	csla_sim_t *s = run(&o, c);
	check_end(c, s);
	const csla_truth_counts_t *n = &c->cnt[0][0][0];
	assert_int_equal(n->answered, 0);
	assert_true(n->offered > 100);
	assert_int_equal(n->offered, n->abandoned + n->short_abandoned + n->flowout);
	assert_true(c->rona >= n->offered / 2);
	free(c->calls);
	free(c);
	csla_sim_destroy(s);
	csla_tz_destroy(utc);
}

static void options_are_checked(void **state)
{
	csla_sim_opts_t o;
	csla_tz_t *utc = csla_tz_utc();
	const csla_tz_t *tz[2] = { utc, NULL };
	char err[128];
	(void)state;

	csla_sim_opts_default(&o);
	assert_int_equal(csla_sim_opts_check(&o, err, sizeof err), -1);
	assert_string_equal(err, "no time zones");
	o.tz = tz;
	assert_int_equal(csla_sim_opts_check(&o, err, sizeof err), 0);
	o.tenants = 2;
	assert_null(csla_sim_new(&o, err, sizeof err));
	assert_string_equal(err, "tenant 2: no time zone");
	o.tenants = 11;
	o.agents = 100000;
	assert_int_equal(csla_sim_opts_check(&o, err, sizeof err), -1);
	assert_string_equal(err, "tenants x agents: at most 1000000");
	o.tenants = 1;
	o.agents = 40;
	o.queues = 65;
	assert_int_equal(csla_sim_opts_check(&o, err, sizeof err), -1);
	assert_string_equal(err, "queues: 1..64");
	o.queues = 3;
	o.ring_max_s = 25;
	assert_int_equal(csla_sim_opts_check(&o, err, sizeof err), -1);
	assert_string_equal(err, "ring: 0 < min <= max < timeout");
	o.ring_max_s = 8;
	o.shifts[1].end_min = o.shifts[1].start_min;
	assert_int_equal(csla_sim_opts_check(&o, err, sizeof err), -1);
	assert_string_equal(err, "shift 2: start before end, within the day");
	o.shifts[1].end_min = 18 * 60;
	memset(o.profile, 0, sizeof o.profile);
	assert_int_equal(csla_sim_opts_check(&o, err, sizeof err), -1);
	assert_string_equal(err, "profile: all weights are 0");
	csla_tz_destroy(utc);
}

static int stop_at_100(void *opaque, const csla_event_t *ev)
{
	int *n = opaque;
	(void)ev;
	return ++*n == 100 ? 5 : 0;
}

static void stops_when_the_callback_says_so(void **state)
{
	csla_sim_opts_t o;
	csla_tz_t *utc = csla_tz_utc();
	const csla_tz_t *tz[1] = { utc };
	char err[128];
	int n = 0;
	(void)state;

	csla_sim_opts_default(&o);
	o.tz = tz;
	csla_sim_t *s = csla_sim_new(&o, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(csla_sim_run(s, stop_at_100, &n), 5);
	assert_int_equal(n, 100);
	assert_int_equal(csla_sim_events(s), 100);
	csla_sim_destroy(s);
	csla_tz_destroy(utc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_day_is_believable),
		cmocka_unit_test(same_seed_same_events),
		cmocka_unit_test(cdr_mode_tells_the_same_story),
		cmocka_unit_test(tenants_in_three_zones_across_dst),
		cmocka_unit_test(agents_that_never_answer),
		cmocka_unit_test(options_are_checked),
		cmocka_unit_test(stops_when_the_callback_says_so),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
