/* engine_snapshot.c - computes every window of every scope of a tenant from
 * its records, agent logs and day sums, and emits the rows in output order.
 *
 * Point events (outcomes, handle ends, ring ends) belong to a window when
 * their time is in it: rolling (now-W, now], current interval [a, now],
 * previous interval [a', a), today [midnight, now].  State time is the exact
 * overlap of each state's span with the window's span. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "util.h"

typedef struct win {
	char name[24];
	int64_t lo, hi;
	bool lo_in, hi_in; /* whether lo / hi themselves are inside */
	bool today;
} win_t;

static int win_cmp(const void *a, const void *b)
{
	return strcmp(((const win_t *)a)->name, ((const win_t *)b)->name);
}

static size_t windows(const csla_conf_t *c, const csla_tz_t *tz, int64_t now,
		      win_t *w)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nrolling; i++, n++) {
		w[n] = (win_t){ .lo = now - c->rolling_ms[i], .hi = now,
				.lo_in = false, .hi_in = true };
		csla_window_name("", c->rolling_ms[i], w[n].name,
				 sizeof w[n].name);
	}
	for (size_t i = 0; i < c->nintervals; i++) {
		int64_t p = c->interval_ms[i];
		int64_t a = csla_tz_align(tz, now, p);
		w[n] = (win_t){ .lo = a, .hi = now, .lo_in = true, .hi_in = true };
		csla_window_name("cur", p, w[n].name, sizeof w[n].name);
		n++;
		w[n] = (win_t){ .lo = csla_tz_align(tz, a - 1, p), .hi = a,
				.lo_in = true, .hi_in = false };
		csla_window_name("prev", p, w[n].name, sizeof w[n].name);
		n++;
	}
	w[n] = (win_t){ .lo = csla_tz_day_start(tz, now), .hi = now,
			.lo_in = true, .hi_in = true, .today = true };
	strcpy(w[n].name, "today");
	n++;
	qsort(w, n, sizeof *w, win_cmp);
	return n;
}

static bool in_win(const win_t *w, int64_t t)
{
	return (t > w->lo || (w->lo_in && t == w->lo)) &&
	       (t < w->hi || (w->hi_in && t == w->hi));
}

/* Per-tenant scratch: aggs[w * E + entity], entity = agent index, then
 * queues, then teams, then the tenant itself. */
typedef struct calc {
	tenant_t *t;
	size_t nw;
	win_t w[2 * CSLA_MAX_WINDOWS + CSLA_MAX_WINDOWS + 1];
	uint32_t E, qoff, toff, ten;
	csla_agg_t *aggs;
} calc_t;

static csla_agg_t *agg(calc_t *c, size_t w, uint32_t entity)
{
	return &c->aggs[w * c->E + entity];
}

static void add_day(calc_t *c, size_t w, uint32_t ent, const day_sums_t *d,
		    int64_t today)
{
	if (d->day == today)
		csla_agg_add(agg(c, w, ent), &d->agg);
}

static void add_records(calc_t *c)
{
	const tenant_t *t = c->t;
	for (uint32_t i = t->rhead; i < t->nrecs; i++) {
		const rec_t *r = &t->recs[i];
		for (size_t w = 0; w < c->nw; w++) {
			if (!in_win(&c->w[w], r->t))
				continue;
			if (r->queue != NONE)
				rec_add(agg(c, w, c->qoff + r->queue), r);
			if (r->agent != NONE)
				rec_add(agg(c, w, r->agent), r);
			if (r->team != NONE)
				rec_add(agg(c, w, c->toff + r->team), r);
			rec_add(agg(c, w, c->ten), r);
		}
	}
}

static void add_state(calc_t *c, size_t w, uint32_t ai,
		      const agent_ent_t *ent, int64_t ms)
{
	const qset_t *qs = &c->t->qsets[ent->qset];
	agg(c, w, ai)->state_ms[ent->state] += ms;
	if (ent->team != NONE)
		agg(c, w, c->toff + ent->team)->state_ms[ent->state] += ms;
	for (uint32_t k = 0; k < qs->n; k++)
		agg(c, w, c->qoff + qs->q[k])->state_ms[ent->state] += ms;
	agg(c, w, c->ten)->state_ms[ent->state] += ms;
}

static void add_agent(calc_t *c, uint32_t ai, int64_t now)
{
	const agent_t *a = &c->t->agents[ai];
	for (uint32_t i = 0; i < a->nlog; i++) {
		const agent_ent_t *ent = &a->log[i];
		const agent_ent_t *next = i + 1 < a->nlog ? &a->log[i + 1] : NULL;
		int64_t end = next ? next->t : now;
		int ring = next ? eng_ring_result(c->t, ent, next) : 0;
		for (size_t w = 0; w < c->nw; w++) {
			const win_t *win = &c->w[w];
			int64_t s = ent->t > win->lo ? ent->t : win->lo;
			int64_t e = end < win->hi ? end : win->hi;
			if (e > s)
				add_state(c, w, ai, ent, e - s);
			if (ring && in_win(win, next->t)) {
				csla_agg_t *x = agg(c, w, ai);
				csla_agg_t *tm = ent->team != NONE
						 ? agg(c, w, c->toff + ent->team)
						 : NULL;
				if (ring > 0) {
					x->ring_in_rings++;
					if (tm)
						tm->ring_in_rings++;
				} else {
					x->rona++;
					if (tm)
						tm->rona++;
				}
			}
		}
	}
}

typedef struct gauges {
	uint64_t agents[CSLA_AS_COUNT];
	int64_t oldest; /* offered time of the longest-waiting call */
} gauges_t;

static void gauges(const tenant_t *t, gauges_t *g /* nqueues + 1 */)
{
	for (uint32_t i = 0; i <= t->nqueues; i++) {
		memset(&g[i], 0, sizeof g[i]);
		g[i].oldest = INT64_MAX;
	}
	gauges_t *ten = &g[t->nqueues];
	for (uint32_t i = 0; i < t->ncalls; i++) {
		const call_t *c = &t->calls[i];
		if (!c->live || !c->waiting)
			continue;
		if (c->offered_at < g[c->queue].oldest)
			g[c->queue].oldest = c->offered_at;
		if (c->offered_at < ten->oldest)
			ten->oldest = c->offered_at;
	}
	for (uint32_t i = 0; i < t->nagents; i++) {
		const agent_t *a = &t->agents[i];
		if (!a->name.p || !a->nlog)
			continue;
		const agent_ent_t *cur = &a->log[a->nlog - 1];
		if (cur->state == CSLA_AS_LOGGED_OUT)
			continue;
		const qset_t *qs = &t->qsets[cur->qset];
		for (uint32_t k = 0; k < qs->n; k++)
			g[qs->q[k]].agents[cur->state]++;
		ten->agents[cur->state]++;
	}
}

static int name_ptr_cmp(const void *a, const void *b)
{
	const name_t *x = *(const name_t *const *)a;
	const name_t *y = *(const name_t *const *)b;
	uint32_t n = x->len < y->len ? x->len : y->len;
	int r = memcmp(x->p, y->p, n);
	return r ? r : (x->len > y->len) - (x->len < y->len);
}

/* Indexes of the live entities of an array of structs that begin with a
 * name_t, sorted by name.  tmp has room for n pointers. */
static uint32_t sorted(const void *arr, uint32_t n, size_t stride,
		       const name_t **tmp, uint32_t *out)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		const name_t *nm = (const name_t *)((const char *)arr + i * stride);
		if (nm->p)
			tmp[k++] = nm;
	}
	qsort(tmp, k, sizeof *tmp, name_ptr_cmp);
	for (uint32_t i = 0; i < k; i++)
		out[i] = (uint32_t)(((const char *)tmp[i] - (const char *)arr) /
				    stride);
	return k;
}

static void set_gauges(csla_snapshot_t *s, const gauges_t *g, uint64_t waiting,
		       int64_t now)
{
	s->has_gauges = true;
	s->waiting_now = waiting;
	/* On the wall clock a call may be stamped a little ahead of now
	 * (within max_future_skew): it has not waited yet. */
	s->longest_wait_ms = g->oldest >= now ? 0 : now - g->oldest;
	s->staffed = 0;
	for (int k = 0; k < CSLA_AS_COUNT; k++) {
		s->agents[k] = g->agents[k];
		if (k != CSLA_AS_LOGGED_OUT)
			s->staffed += g->agents[k];
	}
}

void eng_snapshot_tenant(csla_engine_t *e, tenant_t *t, int64_t now,
			 csla_snapshot_cb cb, void *opaque)
{
	calc_t c = { .t = t };
	c.nw = windows(e->conf, t->tz, now, c.w);
	c.qoff = t->nagents;
	c.toff = c.qoff + t->nqueues;
	c.ten = c.toff + t->nteams;
	c.E = c.ten + 1;
	c.aggs = csla_xmalloc(c.nw * c.E * sizeof *c.aggs);
	for (size_t i = 0; i < c.nw * c.E; i++)
		csla_agg_init(&c.aggs[i]);

	int64_t today = csla_tz_local_day(t->tz, now);
	for (size_t w = 0; w < c.nw; w++) {
		if (!c.w[w].today)
			continue;
		for (uint32_t i = 0; i < t->nagents; i++)
			if (t->agents[i].name.p)
				add_day(&c, w, i, &t->agents[i].day, today);
		for (uint32_t i = 0; i < t->nqueues; i++)
			add_day(&c, w, c.qoff + i, &t->queues[i].day, today);
		for (uint32_t i = 0; i < t->nteams; i++)
			add_day(&c, w, c.toff + i, &t->teams[i].day, today);
		add_day(&c, w, c.ten, &t->day, today);
	}
	add_records(&c);
	for (uint32_t i = 0; i < t->nagents; i++)
		if (t->agents[i].name.p)
			add_agent(&c, i, now);

	gauges_t *g = csla_xmalloc((t->nqueues + 1) * sizeof *g);
	gauges(t, g);
	uint64_t waiting_all = 0;
	for (uint32_t i = 0; i < t->nqueues; i++)
		waiting_all += t->queues[i].waiting;

	uint32_t maxn = t->nagents > t->nqueues ? t->nagents : t->nqueues;
	if (t->nteams > maxn)
		maxn = t->nteams;
	uint32_t *idx = csla_xmalloc((maxn + 1) * sizeof *idx);
	const name_t **tmp = csla_xmalloc((maxn + 1) * sizeof *tmp);
	csla_snapshot_t s;
	memset(&s, 0, sizeof s);
	s.tenant = (csla_str_t){ t->name.p, t->name.len };
	s.as_of_ms = now;

	/* Scopes in name order: agent, queue, team, tenant. */
	uint32_t n = sorted(t->agents, t->nagents, sizeof(agent_t), tmp, idx);
	s.scope = CSLA_SCOPE_AGENT;
	s.qc = NULL;
	s.has_gauges = false;
	for (uint32_t k = 0; k < n; k++) {
		const agent_t *a = &t->agents[idx[k]];
		s.id = (csla_str_t){ a->name.p, a->name.len };
		for (size_t w = 0; w < c.nw; w++) {
			s.window = c.w[w].name;
			s.agg = *agg(&c, w, idx[k]);
			cb(opaque, &s);
		}
	}
	n = sorted(t->queues, t->nqueues, sizeof(queue_t), tmp, idx);
	s.scope = CSLA_SCOPE_QUEUE;
	for (uint32_t k = 0; k < n; k++) {
		const queue_t *q = &t->queues[idx[k]];
		s.id = (csla_str_t){ q->name.p, q->name.len };
		s.qc = &q->qc;
		set_gauges(&s, &g[idx[k]], q->waiting, now);
		for (size_t w = 0; w < c.nw; w++) {
			s.window = c.w[w].name;
			s.agg = *agg(&c, w, c.qoff + idx[k]);
			cb(opaque, &s);
		}
	}
	n = sorted(t->teams, t->nteams, sizeof(team_t), tmp, idx);
	s.scope = CSLA_SCOPE_TEAM;
	s.qc = NULL;
	s.has_gauges = false;
	for (uint32_t k = 0; k < n; k++) {
		const team_t *tm = &t->teams[idx[k]];
		s.id = (csla_str_t){ tm->name.p, tm->name.len };
		for (size_t w = 0; w < c.nw; w++) {
			s.window = c.w[w].name;
			s.agg = *agg(&c, w, c.toff + idx[k]);
			cb(opaque, &s);
		}
	}
	s.scope = CSLA_SCOPE_TENANT;
	s.id = s.tenant;
	s.qc = &t->qc;
	set_gauges(&s, &g[t->nqueues], waiting_all, now);
	for (size_t w = 0; w < c.nw; w++) {
		s.window = c.w[w].name;
		s.agg = *agg(&c, w, c.ten);
		cb(opaque, &s);
	}
	free(tmp);
	free(idx);
	free(g);
	free(c.aggs);
}
