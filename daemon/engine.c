/* engine.c - the engine object, tenants and named entities, and the apply
 * path every event takes: clock, lateness, future skew, id duplicates, then
 * the call or agent logic (engine_calls.c, engine_agents.c). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "util.h"

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* How far back records and agent logs must reach: the longest rolling
 * window, the previous aligned interval (plus an hour for a DST shift), and
 * allowed lateness, since a late event may land anywhere in that span. */
static int64_t keep_ms(const csla_conf_t *c)
{
	int64_t k = c->allowed_lateness_ms;
	for (size_t i = 0; i < c->nrolling; i++)
		k = max64(k, c->rolling_ms[i]);
	for (size_t i = 0; i < c->nintervals; i++)
		k = max64(k, 2 * c->interval_ms[i] + 3600000);
	return k;
}

csla_engine_t *csla_engine_new(const csla_conf_t *conf)
{
	csla_engine_t *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->conf = conf;
	e->keep_ms = keep_ms(conf);
	e->event_now = INT64_MIN;
	e->last_tenant = NONE;
	csla_map_init(&e->tenant_map);
	return e;
}

static void name_free(name_t *n)
{
	free(n->p);
	n->p = NULL;
}

void eng_tenant_free(tenant_t *t)
{
	for (uint32_t i = 0; i < t->nqueues; i++)
		name_free(&t->queues[i].name);
	for (uint32_t i = 0; i < t->nteams; i++)
		name_free(&t->teams[i].name);
	for (uint32_t i = 0; i < t->nagents; i++)
		eng_agent_free(&t->agents[i]);
	for (uint32_t i = 0; i < t->nqsets; i++)
		free(t->qsets[i].q);
	free(t->queues);
	free(t->teams);
	csla_table_free(t->agents, t->capagents, sizeof(agent_t));
	free(t->free_agents.idx);
	free(t->qsets);
	free(t->recs);
	eng_calls_free(t);
	free(t->free_calls.idx);
	for (uint32_t i = 0; i < WHEEL_MINUTES; i++)
		free(t->wheel[i].e);
	csla_idset_free(&t->ids);
	csla_map_free(&t->queue_map);
	csla_map_free(&t->team_map);
	csla_map_free(&t->agent_map);
	csla_map_free(&t->qset_map);
	csla_map_free(&t->call_map);
	name_free(&t->name);
}

void csla_engine_destroy(csla_engine_t *e)
{
	if (!e)
		return;
	for (uint32_t i = 0; i < e->ntenants; i++)
		eng_tenant_free(&e->tenants[i]);
	free(e->tenants);
	csla_map_free(&e->tenant_map);
	free(e);
}

void eng_tenant_conf(const csla_engine_t *e, tenant_t *t)
{
	t->tc = csla_conf_tenant(e->conf, t->name.p, t->name.len);
	t->tz = csla_conf_tz(e->conf, t->tc);
	csla_conf_tenant_scope(e->conf, t->tc, &t->qc);
	t->day_lo = t->day_hi = 0; /* the zone may have changed */
}

void csla_engine_set_conf(csla_engine_t *e, const csla_conf_t *conf)
{
	e->conf = conf;
	e->keep_ms = keep_ms(conf);
	for (uint32_t i = 0; i < e->ntenants; i++) {
		tenant_t *t = &e->tenants[i];
		eng_tenant_conf(e, t);
		for (uint32_t q = 0; q < t->nqueues; q++)
			csla_conf_queue(conf, t->tc, t->queues[q].name.p,
					t->queues[q].name.len, &t->queues[q].qc);
	}
}

/* The hash of s; that of "" (a field the event lacks) is a constant. */
static uint64_t key_of(csla_str_t s)
{
	return s.len ? csla_hash(s.p, s.len) : csla_hash("", 0);
}

void eng_keys(const csla_event_t *ev, eng_keys_t *k)
{
	k->id = key_of(ev->id);
	k->call = key_of(ev->call_id);
	k->agent = key_of(ev->agent_id);
	k->queue = key_of(ev->queue);
	k->agent_at = NONE;
}

/* Takes no csla_str_t by value: gcc 12 then drops the prefetch. */
static void prefetch_slot(const csla_map_t *m, uint64_t h)
{
	__builtin_prefetch(&m->slots[csla_map_key(h) & m->mask]);
}

void csla_engine_prefetch(const csla_engine_t *e, const csla_event_t *ev)
{
	eng_keys_t k;
	eng_keys(ev, &k);
	eng_prefetch(e, ev, &k);
}

/* The tenant of the previous event if ev is of it, else NULL: prefetching
 * serves the common case only, since finding another tenant would cost what
 * the prefetch saves. */
static const tenant_t *prefetch_tenant(const csla_engine_t *e,
				       const csla_event_t *ev)
{
	if (e->last_tenant == NONE)
		return NULL;
	const tenant_t *t = &e->tenants[e->last_tenant];
	if (!eng_name_is(&t->name, ev->tenant.p, ev->tenant.len))
		return NULL;
	return t;
}

void eng_prefetch(const csla_engine_t *e, const csla_event_t *ev,
		  const eng_keys_t *k)
{
	const tenant_t *t = prefetch_tenant(e, ev);
	if (!t)
		return;
	if (ev->id.len)
		csla_idset_prefetch(&t->ids, k->id);
	if (ev->call_id.len)
		prefetch_slot(&t->call_map, k->call);
	if (ev->agent_id.len)
		prefetch_slot(&t->agent_map, k->agent);
}

void eng_prefetch_entities(const csla_engine_t *e, const csla_event_t *ev,
			   eng_keys_t *k)
{
	const tenant_t *t = prefetch_tenant(e, ev);
	if (!t)
		return;
	/* The first entry of a hash is the one looked for in nearly every
	 * case; a wrong guess costs a useless prefetch, nothing else. */
	uint32_t s;
	if (ev->agent_id.len &&
	    (s = csla_map_first(&t->agent_map, k->agent)) != CSLA_MAP_END) {
		k->agent_at = t->agent_map.slots[s].v;
		const char *a = (const char *)&t->agents[k->agent_at];
		_Static_assert(offsetof(agent_t, day) == 128,
			       "an agent's fields before its day sums: 2 lines");
		__builtin_prefetch(a);
		__builtin_prefetch(a + 64);
	}
	if (ev->call_id.len &&
	    (s = csla_map_first(&t->call_map, k->call)) != CSLA_MAP_END)
		__builtin_prefetch(&t->calls[t->call_map.slots[s].v]);
}

void eng_prefetch_agent(const csla_engine_t *e, const csla_event_t *ev,
			const eng_keys_t *k)
{
	const tenant_t *t = prefetch_tenant(e, ev);
	/* Agents may have been added or forgotten since the guess. */
	if (!t || k->agent_at >= t->nagents)
		return;
	const agent_t *a = &t->agents[k->agent_at];
	if (!a->name.p)
		return;
	/* A long name is compared at name.p, the log's end written; a fold
	 * reads the day sums and the log's start. */
	if (a->name.len > sizeof a->name.head)
		__builtin_prefetch(a->name.p);
	if (a->log)
		__builtin_prefetch(&a->log[a->nlog], 1);
	if (eng_agent_fold_due(t, a)) {
		_Static_assert(sizeof a->day <= 3 * 64, "day sums: 3 lines");
		__builtin_prefetch(&a->day, 1);
		__builtin_prefetch((const char *)&a->day + 64, 1);
		__builtin_prefetch((const char *)&a->day + 128, 1);
		__builtin_prefetch(a->log);
	}
}

int64_t csla_engine_event_now(const csla_engine_t *e)
{
	return e->event_now;
}

void eng_name_set(name_t *n, const char *p, uint32_t len, uint64_t h)
{
	n->p = csla_xstrndup(p, len);
	n->len = len;
	n->h = h;
	memset(n->head, 0, sizeof n->head);
	if (len)
		memcpy(n->head, p, len < sizeof n->head ? len : sizeof n->head);
}

/* Entities are arrays of structs that begin with a name_t. */
uint32_t eng_name_find(const csla_map_t *m, const void *arr, size_t stride,
		       const char *p, uint32_t len, uint64_t h)
{
	for (uint32_t s = csla_map_first(m, h); s != CSLA_MAP_END;
	     s = csla_map_next(m, h, s)) {
		uint32_t v = m->slots[s].v;
		const name_t *n = (const name_t *)((const char *)arr + v * stride);
		if (eng_name_is(n, p, len))
			return v;
	}
	return NONE;
}

static void day_init(day_sums_t *d)
{
	d->day = INT64_MIN;
	csla_agg_init(&d->agg);
}

void eng_tenant_init(const csla_engine_t *e, tenant_t *t, const char *name,
		     uint32_t len)
{
	memset(t, 0, sizeof *t);
	eng_name_set(&t->name, name, len, csla_hash(name, len));
	eng_tenant_conf(e, t);
	day_init(&t->day);
	csla_map_init(&t->queue_map);
	csla_map_init(&t->team_map);
	csla_map_init(&t->agent_map);
	csla_map_init(&t->qset_map);
	csla_map_init(&t->call_map);
	csla_idset_init(&t->ids);
	/* qset 0: serves no queue. */
	csla_grow(&t->qsets, &t->capqsets, 1, sizeof(qset_t));
	t->qsets[0] = (qset_t){ 0, NULL, 0 };
	t->nqsets = 1;
	t->last_sweep = INT64_MIN;
	t->rfold_upto = INT64_MIN;
	t->wheel_minute = INT64_MIN;
}

uint32_t eng_tenant_add(csla_engine_t *e, const tenant_t *t)
{
	csla_grow(&e->tenants, &e->captenants, e->ntenants + 1,
		  sizeof(tenant_t));
	e->tenants[e->ntenants] = *t;
	csla_map_put(&e->tenant_map, t->name.h, e->ntenants);
	e->st.tenants++;
	return e->ntenants++;
}

static uint32_t tenant_get(csla_engine_t *e, csla_str_t name)
{
	if (e->last_tenant != NONE) {
		if (eng_name_is(&e->tenants[e->last_tenant].name, name.p,
				name.len))
			return e->last_tenant;
	}
	uint64_t h = csla_hash(name.p, name.len);
	uint32_t i = eng_name_find(&e->tenant_map, e->tenants,
				   sizeof(tenant_t), name.p, name.len, h);
	if (i == NONE) {
		/* On the heap: a tenant is too big for the apply path's
		 * stack frame. */
		tenant_t *t = csla_xmalloc(sizeof *t);
		eng_tenant_init(e, t, name.p, name.len);
		i = eng_tenant_add(e, t); /* may move e->tenants */
		free(t);
	}
	e->last_tenant = i;
	return i;
}

uint32_t eng_queue(tenant_t *t, const csla_conf_t *conf, csla_str_t name,
		   uint64_t h)
{
	uint32_t i = eng_name_find(&t->queue_map, t->queues, sizeof(queue_t),
				   name.p, name.len, h);
	if (i != NONE)
		return i;
	csla_grow(&t->queues, &t->capqueues, t->nqueues + 1, sizeof(queue_t));
	i = t->nqueues++;
	queue_t *q = &t->queues[i];
	memset(q, 0, sizeof *q);
	eng_name_set(&q->name, name.p, name.len, h);
	csla_conf_queue(conf, t->tc, name.p, name.len, &q->qc);
	day_init(&q->day);
	csla_map_put(&t->queue_map, h, i);
	return i;
}

uint32_t eng_team(tenant_t *t, csla_str_t name, uint64_t h)
{
	uint32_t i = eng_name_find(&t->team_map, t->teams, sizeof(team_t),
				   name.p, name.len, h);
	if (i != NONE)
		return i;
	csla_grow(&t->teams, &t->capteams, t->nteams + 1, sizeof(team_t));
	i = t->nteams++;
	team_t *tm = &t->teams[i];
	eng_name_set(&tm->name, name.p, name.len, h);
	day_init(&tm->day);
	csla_map_put(&t->team_map, h, i);
	return i;
}

static void housekeep(csla_engine_t *e, tenant_t *t, int64_t now)
{
	const csla_conf_t *c = e->conf;
	eng_recs_fold(e, t, now - e->keep_ms);
	csla_idset_age(&t->ids, now, c->allowed_lateness_ms);
	eng_calls_expire(e, t, now);
	/* Idle agents are rare and the scan touches every agent: once a
	 * minute of clock time is plenty. */
	if (t->last_sweep == INT64_MIN || now - t->last_sweep >= 60000) {
		t->last_sweep = now;
		eng_agents_evict(e, t, now);
	}
}

csla_reject_t csla_engine_apply(csla_engine_t *e, const csla_event_t *ev,
				int64_t wall_ms)
{
	eng_keys_t k;
	eng_keys(ev, &k);
	return eng_apply(e, ev, &k, wall_ms);
}

csla_reject_t eng_apply(csla_engine_t *e, const csla_event_t *ev,
			const eng_keys_t *k, int64_t wall_ms)
{
	const csla_conf_t *c = e->conf;
	int64_t ts = ev->ts_ms;

	if (ts > wall_ms + c->max_future_skew_ms)
		return CSLA_REJ_FUTURE_TS;
	int64_t now = c->clock == CSLA_CLOCK_EVENT ? e->event_now : wall_ms;
	if (now != INT64_MIN && ts < now - c->allowed_lateness_ms)
		return CSLA_REJ_LATE;

	uint32_t ti = tenant_get(e, ev->tenant); /* may move e->tenants */
	tenant_t *t = &e->tenants[ti];
	if (ev->id.len && csla_idset_has(&t->ids, k->id))
		return CSLA_REJ_DUPLICATE;

	csla_reject_t r;
	switch (ev->type) {
	case CSLA_EV_CALL:
		r = eng_call_event(e, t, ev, k);
		break;
	case CSLA_EV_CDR:
		r = eng_cdr_event(e, t, ev, k);
		break;
	case CSLA_EV_AGENT:
		r = eng_agent_event(e, t, ev, k);
		break;
	default:
		r = CSLA_REJ_UNKNOWN_TYPE;
	}
	if (r != CSLA_OK)
		return r;

	if (ev->id.len)
		csla_idset_add(&t->ids, k->id);
	if (ts > e->event_now)
		e->event_now = ts;
	housekeep(e, t, c->clock == CSLA_CLOCK_EVENT ? e->event_now : wall_ms);
	return CSLA_OK;
}

static int name_cmp(const name_t *a, const name_t *b)
{
	uint32_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->p, b->p, n);
	if (c)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

static int tenant_cmp(const void *a, const void *b)
{
	const tenant_t *const *x = a, *const *y = b;
	return name_cmp(&(*x)->name, &(*y)->name);
}

tenant_t **eng_tenant_order(const csla_engine_t *e)
{
	tenant_t **order = csla_xmalloc((e->ntenants + 1) * sizeof *order);
	for (uint32_t i = 0; i < e->ntenants; i++)
		order[i] = &e->tenants[i];
	qsort(order, e->ntenants, sizeof *order, tenant_cmp);
	return order;
}

void csla_engine_snapshot(csla_engine_t *e, int64_t now_ms,
			  csla_snapshot_cb cb, void *opaque)
{
	tenant_t **order = eng_tenant_order(e);
	for (uint32_t i = 0; i < e->ntenants; i++)
		eng_snapshot_tenant(e, order[i], now_ms, cb, opaque);
	free(order);
}

void csla_engine_stats(const csla_engine_t *e, csla_engine_stats_t *st)
{
	*st = e->st;
	st->queues = st->teams = st->agents = 0;
	st->calls = st->records = st->ids = 0;
	for (uint32_t i = 0; i < e->ntenants; i++) {
		const tenant_t *t = &e->tenants[i];
		st->queues += t->nqueues;
		st->teams += t->nteams;
		st->agents += t->nagents - t->free_agents.n;
		st->calls += t->ncalls - t->free_calls.n;
		st->records += t->nrecs - t->rhead;
		for (uint32_t a = 0; a < t->nagents; a++)
			st->records += t->agents[a].nlog;
		st->ids += csla_idset_count(&t->ids);
	}
}
