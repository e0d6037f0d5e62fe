/* engine_calls.c - call progress events and CDRs become queue-outcome and
 * handle records, each call counted once whatever mix of events describes
 * it; the calls still remembered expire through a timing wheel. */
#include <stdlib.h>
#include <string.h>

#include "callsla/timefmt.h"
#include "engine_internal.h"
#include "util.h"

uint32_t eng_call_find(const tenant_t *t, csla_str_t id, uint64_t h)
{
	for (uint32_t s = csla_map_first(&t->call_map, h); s != CSLA_MAP_END;
	     s = csla_map_next(&t->call_map, h, s)) {
		uint32_t v = t->call_map.slots[s].v;
		const call_t *c = &t->calls[v];
		if (c->idlen == id.len && eng_same(call_id(c), id.p, id.len))
			return v;
	}
	return NONE;
}

static void wheel_file(tenant_t *t, uint32_t call, uint32_t gen, int64_t at)
{
	int64_t m = csla_floordiv(at, 60000);
	if (t->wheel_minute == INT64_MIN)
		t->wheel_minute = m;
	if (m < t->wheel_minute)
		m = t->wheel_minute;
	if (m - t->wheel_minute >= WHEEL_MINUTES)
		m = t->wheel_minute + WHEEL_MINUTES - 1;
	wheel_slot_t *s = &t->wheel[csla_floormod(m, WHEEL_MINUTES)];
	csla_grow(&s->e, &s->cap, s->n + 1, sizeof(expiry_t));
	s->e[s->n++] = (expiry_t){ call, gen };
}

/* A finished call is remembered while a duplicate of its events could still
 * be applied (allowed lateness); an unfinished one for call_timeout. */
static int64_t call_due(const csla_engine_t *e, const call_t *c)
{
	bool done = c->outcome != CO_NONE &&
		    (c->ended || c->outcome != CO_ANSWERED);
	return c->last_t + (done ? e->conf->allowed_lateness_ms
				 : e->conf->call_timeout_ms);
}

void eng_call_name(tenant_t *t, uint32_t i, csla_str_t id, uint64_t h)
{
	call_t *c = &t->calls[i];
	if (id.len > CALL_ID_INLINE)
		c->id.ext = csla_xstrndup(id.p, id.len);
	else
		memcpy(c->id.in, id.p, id.len);
	c->idlen = (uint8_t)id.len;
	c->live = true;
	csla_map_put(&t->call_map, h, i);
}

uint32_t eng_call_slot(tenant_t *t)
{
	/* Each call on a cache line of its own (realloc's straddle two). */
	return csla_table_take(&t->calls, &t->ncalls, &t->capcalls,
			       sizeof(call_t), &t->free_calls);
}

void eng_calls_free(tenant_t *t)
{
	for (uint32_t i = 0; i < t->ncalls; i++)
		if (t->calls[i].live && t->calls[i].idlen > CALL_ID_INLINE)
			free(t->calls[i].id.ext);
	csla_table_free(t->calls, t->capcalls, sizeof *t->calls);
	t->calls = NULL;
}

/* Returns the new call; pointers into t->calls taken before are stale. */
static call_t *call_new(csla_engine_t *e, tenant_t *t, csla_str_t id,
			uint64_t h, int64_t ts)
{
	uint32_t i = eng_call_slot(t);
	call_t *c = &t->calls[i];
	uint32_t gen = c->gen + 1;
	memset(c, 0, sizeof *c);
	c->gen = gen;
	eng_call_name(t, i, id, h);
	c->offered_at = CSLA_NO_MS;
	c->last_t = ts;
	c->queue = NONE;
	/* The earliest it could go: finished at once. */
	wheel_file(t, i, c->gen, ts + e->conf->allowed_lateness_ms);
	return c;
}

/* h: the hash of the call's id. */
static void call_forget(tenant_t *t, uint32_t i, uint64_t h)
{
	call_t *c = &t->calls[i];
	if (c->waiting)
		t->queues[c->queue].waiting--;
	csla_map_del(&t->call_map, h, i);
	if (c->idlen > CALL_ID_INLINE)
		free(c->id.ext);
	c->live = false;
	csla_slot_give(&t->free_calls, i);
}

/* A slot's calls are spread over the call table and their hash slots over
 * the map: each is fetched this many entries ahead, and the call's hash
 * slot half as many, once the call has arrived. */
#define EXPIRE_AHEAD 8

/* The hash of expiry entry x's call id if the call is to be forgotten as of
 * now, else 0 (the map forces real hashes non-zero, so 0 is no key). */
static uint64_t expiring(const csla_engine_t *e, const tenant_t *t,
			 expiry_t x, int64_t now)
{
	const call_t *c = &t->calls[x.call];
	if (!c->live || c->gen != x.gen || call_due(e, c) > now)
		return 0;
	return csla_map_key(csla_hash(call_id(c), c->idlen));
}

static void wheel_slot_expire(csla_engine_t *e, tenant_t *t,
			      wheel_slot_t *s, int64_t now)
{
	/* Entries filed again go to other slots, or to this one only when the
	 * wheel has wrapped: take the slot's entries first. */
	wheel_slot_t mine = *s;
	*s = (wheel_slot_t){ 0 };
	uint64_t hs[EXPIRE_AHEAD / 2] = { 0 };
	const uint32_t half = EXPIRE_AHEAD / 2;
	for (uint32_t i = 0; i < EXPIRE_AHEAD && i < mine.n; i++)
		__builtin_prefetch(&t->calls[mine.e[i].call]);
	for (uint32_t i = 0; i < half && i < mine.n; i++)
		hs[i] = expiring(e, t, mine.e[i], now);
	const csla_map_t *m = &t->call_map;
	for (uint32_t i = 0; i < mine.n; i++) {
		if (i + EXPIRE_AHEAD < mine.n)
			__builtin_prefetch(
				&t->calls[mine.e[i + EXPIRE_AHEAD].call]);
		uint64_t h = hs[i % half];
		if (i + half < mine.n) {
			uint64_t ah = expiring(e, t, mine.e[i + half], now);
			if (ah)
				__builtin_prefetch(&m->slots[ah & m->mask]);
			hs[i % half] = ah;
		}
		expiry_t x = mine.e[i];
		call_t *c = &t->calls[x.call];
		/* An earlier entry of this slot may have forgotten it. */
		if (!c->live || c->gen != x.gen)
			continue;
		if (!h) {
			wheel_file(t, x.call, x.gen, call_due(e, c));
			continue;
		}
		if (c->outcome == CO_NONE)
			e->st.expired_calls++;
		call_forget(t, x.call, h);
	}
	if (!s->e) {
		mine.n = 0;
		*s = mine; /* keep the allocation */
	} else
		free(mine.e);
}

void eng_calls_expire(csla_engine_t *e, tenant_t *t, int64_t now)
{
	int64_t m = csla_floordiv(now, 60000);
	if (t->wheel_minute == INT64_MIN || m <= t->wheel_minute)
		return;
	if (m - t->wheel_minute > WHEEL_MINUTES) {
		/* A long gap: every slot is due once. */
		t->wheel_minute = m - WHEEL_MINUTES;
	}
	while (t->wheel_minute < m) {
		wheel_slot_t *s =
			&t->wheel[csla_floormod(t->wheel_minute, WHEEL_MINUTES)];
		t->wheel_minute++;
		if (s->n)
			wheel_slot_expire(e, t, s, now);
	}
}

static void rec_insert(csla_engine_t *e, tenant_t *t, const rec_t *r)
{
	/* Older than the fold point: straight into the `today` sums. */
	if (r->t < t->rfold_upto) {
		fold_rec(t, r);
		return;
	}
	(void)e;
	if (t->rhead > 0 && t->rhead >= t->nrecs / 2) {
		memmove(t->recs, t->recs + t->rhead,
			(t->nrecs - t->rhead) * sizeof *t->recs);
		t->nrecs -= t->rhead;
		t->rhead = 0;
	}
	csla_grow(&t->recs, &t->caprecs, t->nrecs + 1, sizeof(rec_t));
	uint32_t lo = t->rhead, hi = t->nrecs;
	if (hi > lo && t->recs[hi - 1].t > r->t) {
		/* Late: after the last record with the same time or earlier. */
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (t->recs[mid].t <= r->t)
				lo = mid + 1;
			else
				hi = mid;
		}
		memmove(t->recs + lo + 1, t->recs + lo,
			(t->nrecs - lo) * sizeof *t->recs);
	} else
		lo = t->nrecs;
	t->recs[lo] = *r;
	t->nrecs++;
}

#define FOLD_AHEAD 8

void eng_recs_fold(csla_engine_t *e, tenant_t *t, int64_t upto)
{
	(void)e;
	while (t->rhead < t->nrecs && t->recs[t->rhead].t < upto)
		fold_rec(t, &t->recs[t->rhead++]);
	/* Records fold about one per event: the agent's sums a few records
	 * on, which the next events will fold into, are a cache miss. */
	if (t->rhead + FOLD_AHEAD < t->nrecs) {
		uint32_t a = t->recs[t->rhead + FOLD_AHEAD].agent;
		if (a != NONE)
			__builtin_prefetch(&t->agents[a].day);
	}
	if (upto > t->rfold_upto)
		t->rfold_upto = upto;
}

static uint32_t clamp_ms(int64_t v)
{
	return v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static uint32_t agent_team(const tenant_t *t, uint32_t agent)
{
	return agent == NONE ? NONE : t->agents[agent].team;
}

/* Records a queue outcome with its classification (spec section 2). */
static void outcome_rec(csla_engine_t *e, tenant_t *t, call_t *c,
			enum call_outcome o, uint32_t queue, uint32_t agent,
			int64_t at, int64_t wait)
{
	const csla_queue_conf_t *qc = &t->queues[queue].qc;
	rec_t r = { .t = at, .queue = queue, .agent = agent,
		    .team = agent_team(t, agent), .ms = clamp_ms(wait) };
	r.kind = o == CO_ANSWERED ? REC_ANSWERED
		 : o == CO_ABANDONED ? REC_ABANDONED : REC_FLOWOUT;
	if (wait <= qc->sl_ms)
		r.flags |= RF_IN_SL;
	if (wait <= csla_queue_conf_rings_ms(qc))
		r.flags |= RF_IN_RINGS;
	if (o == CO_ABANDONED && wait < qc->short_abandon_ms)
		r.flags |= RF_SHORT;
	rec_insert(e, t, &r);
	if (c->waiting) {
		t->queues[c->queue].waiting--;
		c->waiting = false;
	}
	c->outcome = (uint8_t)o;
	c->queue = queue;
}

static void handled_rec(csla_engine_t *e, tenant_t *t, call_t *c,
			uint32_t agent, int64_t at, const csla_event_t *ev)
{
	int64_t ms = 0;
	if (ev->talk_ms != CSLA_NO_MS)
		ms += ev->talk_ms;
	if (ev->hold_ms != CSLA_NO_MS)
		ms += ev->hold_ms;
	if (ev->acw_ms != CSLA_NO_MS)
		ms += ev->acw_ms;
	rec_t r = { .t = at, .queue = c->queue, .agent = agent,
		    .team = agent_team(t, agent), .ms = clamp_ms(ms),
		    .kind = REC_HANDLED };
	rec_insert(e, t, &r);
	c->ended = true;
}

static enum call_outcome outcome_of(csla_call_ev_t ev)
{
	return ev == CSLA_CALL_ANSWERED ? CO_ANSWERED
	       : ev == CSLA_CALL_ABANDONED ? CO_ABANDONED : CO_FLOWOUT;
}

static void touch(call_t *c, int64_t ts)
{
	if (ts > c->last_t)
		c->last_t = ts;
}

csla_reject_t eng_call_event(csla_engine_t *e, tenant_t *t,
			     const csla_event_t *ev, const eng_keys_t *k)
{
	uint64_t h = k->call;
	uint32_t ci = eng_call_find(t, ev->call_id, h);
	call_t *c = ci == NONE ? NULL : &t->calls[ci];
	int64_t ts = ev->ts_ms;

	switch (ev->call_event) {
	case CSLA_CALL_OFFERED: {
		if (c && c->offered_at != CSLA_NO_MS)
			return CSLA_REJ_DUPLICATE;
		uint32_t q = eng_queue(t, e->conf, ev->queue, k->queue);
		if (!c)
			c = call_new(e, t, ev->call_id, h, ts);
		c->offered_at = ts;
		touch(c, ts);
		if (c->outcome == CO_NONE) {
			c->queue = q;
			c->waiting = true;
			t->queues[q].waiting++;
		}
		return CSLA_OK;
	}
	case CSLA_CALL_ALERTING:
		/* Ring metrics come from agent states; this names the agent. */
		eng_agent(t, ev->agent_id, k->agent, ts);
		if (c)
			touch(c, ts);
		return CSLA_OK;
	case CSLA_CALL_ANSWERED:
	case CSLA_CALL_ABANDONED:
	case CSLA_CALL_FLOWOUT: {
		if (c && c->outcome != CO_NONE)
			return CSLA_REJ_DUPLICATE;
		int64_t wait;
		if (ev->wait_ms != CSLA_NO_MS)
			wait = ev->wait_ms;
		else if (c && c->offered_at != CSLA_NO_MS)
			wait = ts - c->offered_at;
		else
			return CSLA_REJ_UNKNOWN_CALL;
		if (wait < 0)
			return CSLA_REJ_BAD_FIELD;
		uint32_t q = eng_queue(t, e->conf, ev->queue, k->queue);
		uint32_t agent = ev->call_event == CSLA_CALL_ANSWERED &&
						 ev->agent_id.len
					 ? eng_agent(t, ev->agent_id, k->agent,
						     ts)
					 : NONE;
		if (!c)
			c = call_new(e, t, ev->call_id, h, ts);
		if (c->offered_at == CSLA_NO_MS)
			c->offered_at = ts - wait;
		touch(c, ts);
		outcome_rec(e, t, c, outcome_of(ev->call_event), q, agent, ts,
			    wait);
		return CSLA_OK;
	}
	case CSLA_CALL_ENDED: {
		if (c && c->ended)
			return CSLA_REJ_DUPLICATE;
		uint32_t agent = eng_agent(t, ev->agent_id, k->agent, ts);
		if (!c)
			c = call_new(e, t, ev->call_id, h, ts);
		touch(c, ts);
		handled_rec(e, t, c, agent, ts, ev);
		return CSLA_OK;
	}
	}
	return CSLA_REJ_BAD_FIELD;
}

csla_reject_t eng_cdr_event(csla_engine_t *e, tenant_t *t,
			    const csla_event_t *ev, const eng_keys_t *k)
{
	uint64_t h = k->call;
	uint32_t ci = eng_call_find(t, ev->call_id, h);
	call_t *c = ci == NONE ? NULL : &t->calls[ci];
	bool answered = ev->outcome == CSLA_OUT_ANSWERED;
	bool need_outcome = !c || c->outcome == CO_NONE;
	bool need_handled = answered && (!c || !c->ended);

	if (!need_outcome && !need_handled)
		return CSLA_REJ_DUPLICATE;
	uint32_t q = eng_queue(t, e->conf, ev->queue, k->queue);
	uint32_t agent = ev->agent_id.len
				 ? eng_agent(t, ev->agent_id, k->agent,
					     ev->ended_at)
				 : NONE;
	if (!c)
		c = call_new(e, t, ev->call_id, h, ev->ended_at);
	if (c->offered_at == CSLA_NO_MS)
		c->offered_at = ev->offered_at;
	touch(c, ev->ended_at);
	if (need_outcome) {
		int64_t at = answered ? ev->answered_at : ev->ended_at;
		enum call_outcome o = answered ? CO_ANSWERED
				      : ev->outcome == CSLA_OUT_ABANDONED
					      ? CO_ABANDONED
					      : CO_FLOWOUT;
		outcome_rec(e, t, c, o, q, answered ? agent : NONE, at,
			    at - ev->offered_at);
	}
	if (need_handled)
		handled_rec(e, t, c, agent, ev->ended_at, ev);
	/* The CDR is the call's last word: later progress events of it are
	 * duplicates. */
	c->ended = true;
	return CSLA_OK;
}
