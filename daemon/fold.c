/* fold.c - moves what has fallen behind every window's reach into the
 * `today` sums of each scope it belongs to, split at local midnight. */
#include "engine_internal.h"

/* The sums of d for local day `day`: a newer day restarts them; an older
 * one is no longer anybody's today (NULL: drop the addition). */
static csla_agg_t *day_agg(day_sums_t *d, int64_t day)
{
	if (day < d->day)
		return NULL;
	if (day > d->day) {
		d->day = day;
		csla_agg_init(&d->agg);
	}
	return &d->agg;
}

void rec_add(csla_agg_t *a, const rec_t *r)
{
	switch (r->kind) {
	case REC_ANSWERED:
		a->answered++;
		a->wait_answered_ms += r->ms;
		if (r->flags & RF_IN_SL)
			a->answered_in_sl++;
		if (r->flags & RF_IN_RINGS)
			a->answered_in_rings++;
		break;
	case REC_ABANDONED:
		if (r->flags & RF_SHORT) {
			a->short_abandoned++;
		} else {
			a->abandoned++;
			if (r->flags & RF_IN_SL)
				a->abandoned_in_sl++;
		}
		break;
	case REC_FLOWOUT:
		a->flowout++;
		break;
	case REC_HANDLED:
		a->handled++;
		a->handle_ms += r->ms;
		return;
	}
	if ((int64_t)r->ms > a->max_wait_ms)
		a->max_wait_ms = r->ms;
}

/* The local day of ts; t->day_lo/day_hi then bound it. */
static int64_t local_day(tenant_t *t, int64_t ts)
{
	if (ts < t->day_lo || ts >= t->day_hi) {
		t->day_lo = csla_tz_day_start(t->tz, ts);
		/* Days last 23 to 25 hours: 30 h on is inside the next one. */
		t->day_hi = csla_tz_day_start(t->tz, t->day_lo + 30 * 3600000LL);
		t->day_no = csla_tz_local_day(t->tz, ts);
	}
	return t->day_no;
}

static void rec_day(day_sums_t *d, int64_t day, const rec_t *r)
{
	csla_agg_t *a = day_agg(d, day);
	if (a)
		rec_add(a, r);
}

void fold_rec(tenant_t *t, const rec_t *r)
{
	int64_t day = local_day(t, r->t);
	if (r->queue != NONE)
		rec_day(&t->queues[r->queue].day, day, r);
	if (r->agent != NONE)
		rec_day(&t->agents[r->agent].day, day, r);
	if (r->team != NONE)
		rec_day(&t->teams[r->team].day, day, r);
	rec_day(&t->day, day, r);
}

static void state_day(day_sums_t *d, int64_t day, unsigned state, int64_t ms)
{
	csla_agg_t *a = day_agg(d, day);
	if (a)
		a->state_ms[state] += ms;
}

void fold_state(tenant_t *t, uint32_t agent, const agent_ent_t *ent,
		int64_t end)
{
	const qset_t *qs = &t->qsets[ent->qset];
	for (int64_t s = ent->t; s < end;) {
		int64_t day = local_day(t, s);
		int64_t e = end < t->day_hi ? end : t->day_hi;
		state_day(&t->agents[agent].day, day, ent->state, e - s);
		if (ent->team != NONE)
			state_day(&t->teams[ent->team].day, day, ent->state,
				  e - s);
		for (uint32_t i = 0; i < qs->n; i++)
			state_day(&t->queues[qs->q[i]].day, day, ent->state,
				  e - s);
		state_day(&t->day, day, ent->state, e - s);
		s = e;
	}
}

static void ring_day(day_sums_t *d, int64_t day, int result)
{
	csla_agg_t *a = day_agg(d, day);
	if (a && result > 0)
		a->ring_in_rings++;
	else if (a)
		a->rona++;
}

void fold_ring(tenant_t *t, uint32_t agent, uint32_t team, int64_t at,
	       int result)
{
	int64_t day = local_day(t, at);
	ring_day(&t->agents[agent].day, day, result);
	if (team != NONE)
		ring_day(&t->teams[team].day, day, result);
}
