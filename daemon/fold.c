/* fold.c - moves what has fallen behind every window's reach into the
 * `today` sums of each scope it belongs to, split at local midnight. */
#include "engine_internal.h"

/* Adds `add` to d when ts falls on d's day; a newer day restarts the sums,
 * an older one is no longer anybody's today and is dropped. */
void fold_point(const tenant_t *t, day_sums_t *d, int64_t ts,
		const csla_agg_t *add)
{
	int64_t day = csla_tz_local_day(t->tz, ts);
	if (day < d->day)
		return;
	if (day > d->day) {
		d->day = day;
		csla_agg_init(&d->agg);
	}
	csla_agg_add(&d->agg, add);
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

void fold_rec(tenant_t *t, const rec_t *r)
{
	csla_agg_t a;
	csla_agg_init(&a);
	rec_add(&a, r);
	if (r->queue != NONE)
		fold_point(t, &t->queues[r->queue].day, r->t, &a);
	if (r->agent != NONE)
		fold_point(t, &t->agents[r->agent].day, r->t, &a);
	if (r->team != NONE)
		fold_point(t, &t->teams[r->team].day, r->t, &a);
	fold_point(t, &t->day, r->t, &a);
}

void fold_state(tenant_t *t, uint32_t agent, const agent_ent_t *ent,
		int64_t end)
{
	const qset_t *qs = &t->qsets[ent->qset];
	for (int64_t s = ent->t; s < end;) {
		int64_t ds = csla_tz_day_start(t->tz, s);
		/* Days last 23 to 25 hours: 30 h on is inside the next one. */
		int64_t next = csla_tz_day_start(t->tz, ds + 30 * 3600000LL);
		int64_t e = end < next ? end : next;
		csla_agg_t a;
		csla_agg_init(&a);
		a.state_ms[ent->state] = e - s;
		fold_point(t, &t->agents[agent].day, s, &a);
		if (ent->team != NONE)
			fold_point(t, &t->teams[ent->team].day, s, &a);
		for (uint32_t i = 0; i < qs->n; i++)
			fold_point(t, &t->queues[qs->q[i]].day, s, &a);
		fold_point(t, &t->day, s, &a);
		s = e;
	}
}
