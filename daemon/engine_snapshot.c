/* engine_snapshot.c - computes every window of every scope of a tenant from
 * its records, agent logs and day sums, and emits the rows in output order.
 *
 * Point events (outcomes, handle ends, ring ends) belong to a window when
 * their time is in it: rolling (now-W, now], current interval [a, now],
 * previous interval [a', a), today [midnight, now].  State time is the exact
 * overlap of each state's span with the window's span. */
#include <fnmatch.h>
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

static win_t rolling_win(int64_t now, int64_t ms)
{
	return (win_t){ .lo = now - ms, .hi = now, .lo_in = false,
			.hi_in = true };
}

/* The current interval begins at a, the previous one p before. */
static win_t cur_win(int64_t a, int64_t now)
{
	return (win_t){ .lo = a, .hi = now, .lo_in = true, .hi_in = true };
}

static win_t prev_win(const csla_tz_t *tz, int64_t a, int64_t p)
{
	return (win_t){ .lo = csla_tz_align(tz, a - 1, p), .hi = a,
			.lo_in = true, .hi_in = false };
}

static win_t today_win(const csla_tz_t *tz, int64_t now)
{
	win_t w = { .lo = csla_tz_day_start(tz, now), .hi = now, .lo_in = true,
		    .hi_in = true, .today = true };
	strcpy(w.name, "today");
	return w;
}

/* Every window of c as of now, sorted by name. */
static size_t windows(const csla_conf_t *c, const csla_tz_t *tz, int64_t now,
		      win_t *w)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nrolling; i++, n++) {
		w[n] = rolling_win(now, c->rolling_ms[i]);
		csla_window_name("", c->rolling_ms[i], w[n].name,
				 sizeof w[n].name);
	}
	for (size_t i = 0; i < c->nintervals; i++) {
		int64_t p = c->interval_ms[i];
		int64_t a = csla_tz_align(tz, now, p);
		w[n] = cur_win(a, now);
		csla_window_name("cur", p, w[n].name, sizeof w[n].name);
		n++;
		w[n] = prev_win(tz, a, p);
		csla_window_name("prev", p, w[n].name, sizeof w[n].name);
		n++;
	}
	w[n++] = today_win(tz, now);
	qsort(w, n, sizeof *w, win_cmp);
	return n;
}

/* A name as csla_window_name() writes it: the prefix ("", "cur", "prev")
 * and the length.  False for anything else ("today" included). */
static bool window_name_parse(const char *s, const char **prefix,
			      int64_t *ms)
{
	int64_t n = 0;

	*prefix = !strncmp(s, "cur", 3) ? "cur"
		  : !strncmp(s, "prev", 4) ? "prev" : "";
	s += strlen(*prefix);
	if (*s < '1' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9' && n < INT64_C(1000000000); s++)
		n = n * 10 + (*s - '0');
	if (s[0] == 'm' && !s[1])
		*ms = n * 60000;
	else if (s[0] == 's' && !s[1] && n % 60) /* 60s is named "1m" */
		*ms = n * 1000;
	else
		return false;
	return true;
}

/* The window of c named `name` as of now, looked up without formatting
 * every name (the alert rules ask several times a second).  False when c
 * has none of that name. */
static bool window_named(const csla_conf_t *c, const csla_tz_t *tz,
			 int64_t now, const char *name, win_t *w)
{
	const char *prefix;
	int64_t ms;

	if (!strcmp(name, "today")) {
		*w = today_win(tz, now);
		return true;
	}
	if (!window_name_parse(name, &prefix, &ms))
		return false;
	bool found = false;
	for (size_t i = 0; !*prefix && !found && i < c->nrolling; i++)
		if ((found = c->rolling_ms[i] == ms))
			*w = rolling_win(now, ms);
	for (size_t i = 0; *prefix && !found && i < c->nintervals; i++) {
		if (!(found = c->interval_ms[i] == ms))
			continue;
		int64_t a = csla_tz_align(tz, now, ms);
		*w = *prefix == 'c' ? cur_win(a, now) : prev_win(tz, a, ms);
	}
	if (found) /* canonical, and at most 15 bytes: taken as it is */
		strcpy(w->name, name);
	return found;
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
	uint64_t waiting = 0;
	for (uint32_t i = 0; i <= t->nqueues; i++) {
		memset(&g[i], 0, sizeof g[i]);
		g[i].oldest = INT64_MAX;
		if (i < t->nqueues)
			waiting += t->queues[i].waiting;
	}
	gauges_t *ten = &g[t->nqueues];
	/* The remembered calls are mostly finished ones: the scan stops
	 * once it has seen every call the queues count as waiting. */
	for (uint32_t i = 0; waiting && i < t->ncalls; i++) {
		const call_t *c = &t->calls[i];
		if (!c->live || !c->waiting)
			continue;
		waiting--;
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

/* ---- one window of one scope: csla_engine_snapshot_select() ----------- */

/* The rows one selection computes in one tenant: aggs[k] belongs to the
 * scope's entity ent[k] (in name order), and pos[] maps an entity index
 * back to k (NONE: not selected). */
typedef struct sel_calc {
	tenant_t *t;
	const csla_select_t *sel;
	win_t w;
	uint32_t n;
	uint32_t *ent, *pos;
	csla_agg_t *aggs;
} sel_calc_t;

static bool glob_all(const char *g)
{
	return !g || !strcmp(g, "*");
}

static bool glob_literal(const char *g)
{
	return !strpbrk(g, "*?[\\");
}

/* The scope's entities as an array of structs that begin with a name_t. */
static const void *scope_arr(const tenant_t *t, csla_scope_t scope,
			     uint32_t *n, size_t *stride,
			     const csla_map_t **map)
{
	switch (scope) {
	case CSLA_SCOPE_AGENT:
		*n = t->nagents, *stride = sizeof(agent_t), *map = &t->agent_map;
		return t->agents;
	case CSLA_SCOPE_QUEUE:
		*n = t->nqueues, *stride = sizeof(queue_t), *map = &t->queue_map;
		return t->queues;
	case CSLA_SCOPE_TEAM:
		*n = t->nteams, *stride = sizeof(team_t), *map = &t->team_map;
		return t->teams;
	default: /* the tenant itself: one entity */
		*n = 1, *stride = sizeof(tenant_t), *map = NULL;
		return t;
	}
}

/* Fills c->ent / c->pos with the entities whose name matches the id glob:
 * a literal id is looked up, a pattern is matched against every name. */
static void sel_entities(sel_calc_t *c)
{
	const char *id = c->sel->id;
	const csla_map_t *map;
	size_t stride;
	uint32_t n;
	const void *arr = scope_arr(c->t, c->sel->scope, &n, &stride, &map);

	c->pos = csla_xmalloc((n ? n : 1) * sizeof *c->pos);
	c->ent = csla_xmalloc((n ? n : 1) * sizeof *c->ent);
	for (uint32_t i = 0; i < n; i++)
		c->pos[i] = NONE;
	c->n = 0;
	if (map && !glob_all(id) && glob_literal(id)) {
		size_t len = strlen(id);
		uint32_t i = eng_name_find(map, arr, stride, id, (uint32_t)len,
					   csla_hash(id, len));
		if (i != NONE)
			c->ent[c->n++] = i;
	} else {
		const name_t **tmp = csla_xmalloc((n ? n : 1) * sizeof *tmp);
		uint32_t k = sorted(arr, n, stride, tmp, c->ent);
		free(tmp);
		for (uint32_t j = 0; j < k; j++) {
			const name_t *nm = (const name_t *)((const char *)arr +
							    c->ent[j] * stride);
			if (glob_all(id) || !fnmatch(id, nm->p, 0))
				c->ent[c->n++] = c->ent[j];
		}
	}
	for (uint32_t k = 0; k < c->n; k++)
		c->pos[c->ent[k]] = k;
}

static csla_agg_t *sel_agg(sel_calc_t *c, uint32_t entity)
{
	return entity != NONE && c->pos[entity] != NONE
		       ? &c->aggs[c->pos[entity]] : NULL;
}

static void sel_day(sel_calc_t *c, int64_t now)
{
	const tenant_t *t = c->t;
	int64_t today = csla_tz_local_day(t->tz, now);
	for (uint32_t k = 0; k < c->n; k++) {
		uint32_t i = c->ent[k];
		const day_sums_t *d;
		switch (c->sel->scope) {
		case CSLA_SCOPE_AGENT: d = &t->agents[i].day; break;
		case CSLA_SCOPE_QUEUE: d = &t->queues[i].day; break;
		case CSLA_SCOPE_TEAM: d = &t->teams[i].day; break;
		default: d = &t->day; break;
		}
		if (d->day == today)
			csla_agg_add(&c->aggs[k], &d->agg);
	}
}

/* Records are sorted by time: only those from the window's start on are
 * read. */
static void sel_records(sel_calc_t *c)
{
	const tenant_t *t = c->t;
	uint32_t a = t->rhead, b = t->nrecs;
	while (a < b) {
		uint32_t m = a + (b - a) / 2;
		if (t->recs[m].t < c->w.lo)
			a = m + 1;
		else
			b = m;
	}
	for (uint32_t i = a; i < t->nrecs && t->recs[i].t <= c->w.hi; i++) {
		const rec_t *r = &t->recs[i];
		uint32_t ent;
		if (!in_win(&c->w, r->t))
			continue;
		switch (c->sel->scope) {
		case CSLA_SCOPE_AGENT: ent = r->agent; break;
		case CSLA_SCOPE_QUEUE: ent = r->queue; break;
		case CSLA_SCOPE_TEAM: ent = r->team; break;
		default: ent = 0; break;
		}
		csla_agg_t *x = sel_agg(c, ent);
		if (x)
			rec_add(x, r);
	}
}

/* State time and ring results of agent ai, for the scope's rows that it
 * counts in (as add_state() and add_agent() count them). */
static void sel_agent(sel_calc_t *c, uint32_t ai, int64_t now)
{
	const agent_t *a = &c->t->agents[ai];
	const win_t *win = &c->w;
	csla_scope_t scope = c->sel->scope;
	/* The first entry that reaches the window: one that ends, or whose
	 * ring ends, at its start or later. */
	uint32_t lo = 0, hi = a->nlog ? a->nlog - 1 : 0;
	while (lo < hi) {
		uint32_t m = lo + (hi - lo) / 2;
		if (a->log[m + 1].t < win->lo)
			lo = m + 1;
		else
			hi = m;
	}
	for (uint32_t i = lo; i < a->nlog && a->log[i].t <= win->hi; i++) {
		const agent_ent_t *ent = &a->log[i];
		const agent_ent_t *next = i + 1 < a->nlog ? &a->log[i + 1] : NULL;
		int64_t end = next ? next->t : now;
		int64_t s = ent->t > win->lo ? ent->t : win->lo;
		int64_t e = end < win->hi ? end : win->hi;
		if (e > s) {
			int64_t ms = e - s;
			csla_agg_t *x;
			if (scope == CSLA_SCOPE_QUEUE) {
				const qset_t *qs = &c->t->qsets[ent->qset];
				for (uint32_t k = 0; k < qs->n; k++)
					if ((x = sel_agg(c, qs->q[k])))
						x->state_ms[ent->state] += ms;
			} else if ((x = sel_agg(c, scope == CSLA_SCOPE_AGENT ? ai
					       : scope == CSLA_SCOPE_TEAM
							 ? ent->team : 0))) {
				x->state_ms[ent->state] += ms;
			}
		}
		if (!next || !in_win(win, next->t) ||
		    (scope != CSLA_SCOPE_AGENT && scope != CSLA_SCOPE_TEAM))
			continue;
		int ring = eng_ring_result(c->t, ent, next);
		csla_agg_t *x = sel_agg(c, scope == CSLA_SCOPE_AGENT ? ai
						  : ent->team);
		if (ring > 0 && x)
			x->ring_in_rings++;
		else if (ring < 0 && x)
			x->rona++;
	}
}

static void select_tenant(csla_engine_t *e, tenant_t *t, int64_t now,
			  const csla_select_t *sel, csla_snapshot_cb cb,
			  void *opaque)
{
	sel_calc_t c = { .t = t, .sel = sel };
	if (!window_named(e->conf, t->tz, now, sel->window, &c.w))
		return;
	sel_entities(&c);
	c.aggs = csla_xmalloc((c.n ? c.n : 1) * sizeof *c.aggs);
	for (uint32_t k = 0; k < c.n; k++)
		csla_agg_init(&c.aggs[k]);
	if (c.n && c.w.today)
		sel_day(&c, now);
	if (c.n && (sel->need & CSLA_SEL_RECORDS))
		sel_records(&c);
	if (c.n && (sel->need & CSLA_SEL_AGENTS)) {
		if (sel->scope == CSLA_SCOPE_AGENT)
			for (uint32_t k = 0; k < c.n; k++)
				sel_agent(&c, c.ent[k], now);
		else
			for (uint32_t i = 0; i < t->nagents; i++)
				if (t->agents[i].name.p)
					sel_agent(&c, i, now);
	}
	bool gauged = c.n && (sel->need & CSLA_SEL_GAUGES) &&
		      (sel->scope == CSLA_SCOPE_QUEUE ||
		       sel->scope == CSLA_SCOPE_TENANT);
	gauges_t *g = gauged ? csla_xmalloc((t->nqueues + 1) * sizeof *g)
			     : NULL;
	uint64_t waiting_all = 0;
	if (gauged) {
		gauges(t, g);
		for (uint32_t i = 0; i < t->nqueues; i++)
			waiting_all += t->queues[i].waiting;
	}

	csla_snapshot_t s;
	memset(&s, 0, sizeof s);
	s.tenant = (csla_str_t){ t->name.p, t->name.len };
	s.as_of_ms = now;
	s.scope = sel->scope;
	s.window = c.w.name;
	for (uint32_t k = 0; k < c.n; k++) {
		uint32_t i = c.ent[k];
		s.agg = c.aggs[k];
		switch (sel->scope) {
		case CSLA_SCOPE_AGENT:
			s.id = (csla_str_t){ t->agents[i].name.p,
					     t->agents[i].name.len };
			break;
		case CSLA_SCOPE_QUEUE:
			s.id = (csla_str_t){ t->queues[i].name.p,
					     t->queues[i].name.len };
			s.qc = &t->queues[i].qc;
			if (gauged)
				set_gauges(&s, &g[i], t->queues[i].waiting, now);
			break;
		case CSLA_SCOPE_TEAM:
			s.id = (csla_str_t){ t->teams[i].name.p,
					     t->teams[i].name.len };
			break;
		default:
			s.id = s.tenant;
			s.qc = &t->qc;
			if (gauged)
				set_gauges(&s, &g[t->nqueues], waiting_all, now);
			break;
		}
		cb(opaque, &s);
	}
	free(g);
	free(c.aggs);
	free(c.ent);
	free(c.pos);
}

void csla_engine_snapshot_select(csla_engine_t *e, int64_t now_ms,
				 const csla_select_t *sel, csla_snapshot_cb cb,
				 void *opaque)
{
	if (!glob_all(sel->tenant) && glob_literal(sel->tenant)) {
		size_t len = strlen(sel->tenant);
		uint32_t i = eng_name_find(&e->tenant_map, e->tenants,
					   sizeof(tenant_t), sel->tenant,
					   (uint32_t)len,
					   csla_hash(sel->tenant, len));
		if (i != NONE)
			select_tenant(e, &e->tenants[i], now_ms, sel, cb, opaque);
		return;
	}
	tenant_t **order = eng_tenant_order(e);
	for (uint32_t i = 0; i < e->ntenants; i++)
		if (glob_all(sel->tenant) ||
		    !fnmatch(sel->tenant, order[i]->name.p, 0))
			select_tenant(e, order[i], now_ms, sel, cb, opaque);
	free(order);
}
