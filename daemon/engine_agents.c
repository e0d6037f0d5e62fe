/* engine_agents.c - agent state events become a time-sorted log per agent;
 * team and queues are sticky and recorded with each entry, so state time is
 * attributed to the team and queues of the moment it was spent. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "util.h"

uint32_t eng_agent(tenant_t *t, csla_str_t name, uint64_t h, int64_t ts)
{
	uint32_t i = eng_name_find(&t->agent_map, t->agents, sizeof(agent_t),
				   name.p, name.len, h);
	if (i == NONE) {
		i = csla_table_take(&t->agents, &t->nagents, &t->capagents,
				    sizeof(agent_t), &t->free_agents);
		agent_t *a = &t->agents[i];
		memset(a, 0, sizeof *a);
		eng_name_set(&a->name, name.p, name.len, h);
		a->day.day = INT64_MIN;
		csla_agg_init(&a->day.agg);
		a->team = NONE;
		a->fold_at = INT64_MAX;
		a->last_seen = ts;
		csla_map_put(&t->agent_map, h, i);
	}
	if (ts > t->agents[i].last_seen)
		t->agents[i].last_seen = ts;
	return i;
}

void eng_agent_free(agent_t *a)
{
	free(a->name.p);
	free(a->lbase);
	a->name.p = NULL;
	a->log = a->lbase = NULL;
	a->nlog = a->caplog = 0;
}

uint32_t eng_qset(tenant_t *t, const uint32_t *ids, uint32_t n)
{
	uint64_t h = csla_hash(ids, n * sizeof ids[0]);
	for (uint32_t s = csla_map_first(&t->qset_map, h); s != CSLA_MAP_END;
	     s = csla_map_next(&t->qset_map, h, s)) {
		const qset_t *qs = &t->qsets[t->qset_map.slots[s].v];
		if (qs->n == n && memcmp(qs->q, ids, n * sizeof ids[0]) == 0)
			return t->qset_map.slots[s].v;
	}
	csla_grow(&t->qsets, &t->capqsets, t->nqsets + 1, sizeof(qset_t));
	qset_t *qs = &t->qsets[t->nqsets];
	qs->n = n;
	qs->h = h;
	qs->q = csla_xmalloc(n * sizeof ids[0]);
	memcpy(qs->q, ids, n * sizeof ids[0]);
	csla_map_put(&t->qset_map, h, t->nqsets);
	return t->nqsets++;
}

/* Interns the event's queue list (order kept: the first queue's ring
 * settings judge the agent's rings). */
static uint32_t qset_intern(csla_engine_t *e, tenant_t *t,
			    const csla_event_t *ev)
{
	uint32_t ids[CSLA_MAX_AGENT_QUEUES], n = 0;
	for (uint32_t i = 0; i < ev->nqueues; i++) {
		uint32_t q = eng_queue(t, e->conf, ev->queues[i],
				       csla_hash(ev->queues[i].p,
						 ev->queues[i].len));
		bool dup = false;
		for (uint32_t j = 0; j < n; j++)
			dup |= ids[j] == q;
		if (!dup)
			ids[n++] = q;
	}
	return n ? eng_qset(t, ids, n) : 0;
}

int eng_ring_result(const tenant_t *t, const agent_ent_t *cur,
		    const agent_ent_t *next)
{
	if (cur->state != CSLA_AS_ALERTING || next->state == CSLA_AS_ALERTING)
		return 0;
	if (next->state != CSLA_AS_TALKING)
		return -1;
	const qset_t *qs = &t->qsets[cur->qset];
	const csla_queue_conf_t *qc = qs->n ? &t->queues[qs->q[0]].qc : &t->qc;
	return next->t - cur->since <= csla_queue_conf_rings_ms(qc) ? 1 : 0;
}

/* Folds the entries that ended at or before `upto` into the day sums. */
static void agent_fold(tenant_t *t, uint32_t ai, int64_t upto)
{
	agent_t *a = &t->agents[ai];
	uint32_t k = 0;
	while (k + 1 < a->nlog && a->log[k + 1].t <= upto) {
		int ring = eng_ring_result(t, &a->log[k], &a->log[k + 1]);
		fold_state(t, ai, &a->log[k], a->log[k + 1].t);
		if (ring)
			fold_ring(t, ai, a->log[k].team, a->log[k + 1].t, ring);
		k++;
	}
	if (k) {
		a->log += k;
		a->nlog -= k;
	}
	a->fold_at = a->nlog >= 2 ? a->log[1].t : INT64_MAX;
}

static void agent_maybe_fold(tenant_t *t, uint32_t ai)
{
	if (eng_agent_fold_due(t, &t->agents[ai]))
		agent_fold(t, ai, t->rfold_upto);
}

/* Makes room for one more entry after the live ones. */
static void log_room(agent_t *a)
{
	uint32_t head = (uint32_t)(a->log - a->lbase);
	if (head + a->nlog < a->caplog)
		return;
	if (head) {
		memmove(a->lbase, a->log, a->nlog * sizeof *a->log);
		a->log = a->lbase;
	}
	csla_grow(&a->lbase, &a->caplog, a->nlog + 1, sizeof(agent_ent_t));
	a->log = a->lbase;
}

csla_reject_t eng_agent_event(csla_engine_t *e, tenant_t *t,
			      const csla_event_t *ev, const eng_keys_t *k)
{
	int64_t ts = ev->ts_ms;
	uint32_t ai = eng_agent(t, ev->agent_id, k->agent, ts);
	uint32_t team = ev->team.len ? eng_team(t, ev->team,
						csla_hash(ev->team.p,
							  ev->team.len))
				     : NONE;
	uint32_t qset = ev->has_queues ? qset_intern(e, t, ev) : NONE;
	agent_t *a = &t->agents[ai];

	/* Position after every entry at or before ts: events of equal time
	 * keep their arrival order.  In order, that is after the tail. */
	uint32_t pos = a->nlog;
	const agent_ent_t *prev = pos ? &a->tail : NULL;
	if (pos && a->tail.t > ts) {
		while (pos > 0 && a->log[pos - 1].t > ts)
			pos--;
		prev = pos ? &a->log[pos - 1] : NULL;
	}
	if (team == NONE)
		team = prev ? prev->team : a->team;
	if (qset == NONE)
		qset = prev ? prev->qset : a->qset;
	if (pos == a->nlog) {
		a->team = team;
		a->qset = qset;
	}
	/* Repeating the state with nothing new continues it. */
	if (prev && prev->state == ev->state && prev->team == team &&
	    prev->qset == qset)
		return CSLA_OK;

	bool continues = prev && prev->state == ev->state;
	int64_t since = continues ? prev->since : ts;
	/* Growing may move the log: prev is not used past this point. */
	log_room(a);
	memmove(a->log + pos + 1, a->log + pos,
		(a->nlog - pos) * sizeof *a->log);
	a->nlog++;
	/* Built whole, then stored: copying it into the tail below must not
	 * wait for the log's cache line, which is usually a miss. */
	agent_ent_t ent = { .t = ts, .since = since, .team = team,
			    .qset = qset, .state = (uint8_t)ev->state };
	a->log[pos] = ent;
	/* A late entry may change when the states after it began. */
	for (uint32_t j = pos + 1; j < a->nlog; j++)
		a->log[j].since = a->log[j].state == a->log[j - 1].state
					  ? a->log[j - 1].since
					  : a->log[j].t;
	a->tail = pos + 1 == a->nlog ? ent : a->log[a->nlog - 1];
	if (pos <= 1 && a->nlog >= 2)
		a->fold_at = a->log[1].t;
	agent_maybe_fold(t, ai);
	return CSLA_OK;
}

void eng_agents_evict(csla_engine_t *e, tenant_t *t, int64_t now)
{
	/* Never forget an agent that records or logs inside the horizon may
	 * still name. */
	int64_t idle = e->conf->agent_idle_ms;
	if (idle < e->keep_ms + 3600000)
		idle = e->keep_ms + 3600000;
	for (uint32_t i = 0; i < t->nagents; i++) {
		agent_t *a = &t->agents[i];
		if (!a->name.p || a->last_seen >= now - idle)
			continue;
		agent_fold(t, i, now);
		if (a->nlog)
			fold_state(t, i, &a->log[a->nlog - 1], now);
		csla_map_del(&t->agent_map, a->name.h, i);
		eng_agent_free(a);
		csla_slot_give(&t->free_agents, i);
		e->st.evicted_agents++;
	}
}
