/* metrics.c - the spec's formulas (section 2) over a window's sums.
 *
 * Every ratio goes through ratio(), so a zero denominator is NAN (JSON
 * null) everywhere and no formula can divide by zero on its own. */
#include <math.h>

#include "callsla/metrics.h"

void csla_agg_init(csla_agg_t *a)
{
	*a = (csla_agg_t){ .max_wait_ms = -1 };
}

void csla_agg_add(csla_agg_t *into, const csla_agg_t *from)
{
	into->answered += from->answered;
	into->answered_in_sl += from->answered_in_sl;
	into->answered_in_rings += from->answered_in_rings;
	into->abandoned += from->abandoned;
	into->abandoned_in_sl += from->abandoned_in_sl;
	into->short_abandoned += from->short_abandoned;
	into->flowout += from->flowout;
	into->wait_answered_ms += from->wait_answered_ms;
	if (from->max_wait_ms > into->max_wait_ms)
		into->max_wait_ms = from->max_wait_ms;
	into->handled += from->handled;
	into->handle_ms += from->handle_ms;
	into->ring_in_rings += from->ring_in_rings;
	into->rona += from->rona;
	for (int s = 0; s < CSLA_AS_COUNT; s++)
		into->state_ms[s] += from->state_ms[s];
}

static double ratio(double num, double den)
{
	return den > 0 ? num / den : NAN;
}

/* Time an agent spends on calls: the numerator of occupancy and
 * utilization. */
static int64_t busy_ms(const csla_agg_t *a)
{
	return a->state_ms[CSLA_AS_ALERTING] + a->state_ms[CSLA_AS_TALKING] +
	       a->state_ms[CSLA_AS_HOLD] + a->state_ms[CSLA_AS_ACW];
}

uint64_t csla_metric_offered(const csla_agg_t *a)
{
	return a->answered + a->abandoned + a->flowout + a->short_abandoned;
}

double csla_metric_service_level(const csla_agg_t *a,
				 const csla_queue_conf_t *q)
{
	uint64_t num = a->answered_in_sl;
	uint64_t den = a->answered + a->abandoned;

	switch (q->sl_mode) {
	case CSLA_SL_NEGATIVE:
		break;
	case CSLA_SL_IGNORE:
		den -= a->abandoned_in_sl;
		break;
	case CSLA_SL_POSITIVE:
		num += a->abandoned_in_sl;
		break;
	}
	if (q->sl_flowout)
		den += a->flowout;
	return ratio((double)num, (double)den);
}

double csla_metric_three_ring_rate(const csla_agg_t *a)
{
	return ratio((double)a->answered_in_rings,
		     (double)(a->answered + a->abandoned));
}

double csla_metric_abandon_rate(const csla_agg_t *a)
{
	return ratio((double)a->abandoned,
		     (double)(a->answered + a->abandoned + a->flowout));
}

double csla_metric_asa_s(const csla_agg_t *a)
{
	return ratio((double)a->wait_answered_ms, (double)a->answered) / 1000.0;
}

double csla_metric_max_wait_s(const csla_agg_t *a)
{
	return a->max_wait_ms < 0 ? NAN : (double)a->max_wait_ms / 1000.0;
}

double csla_metric_aht_s(const csla_agg_t *a)
{
	return ratio((double)a->handle_ms, (double)a->handled) / 1000.0;
}

double csla_metric_occupancy(const csla_agg_t *a)
{
	int64_t busy = busy_ms(a);

	return ratio((double)busy,
		     (double)(busy + a->state_ms[CSLA_AS_AVAILABLE]));
}

double csla_metric_utilization(const csla_agg_t *a)
{
	int64_t busy = busy_ms(a);

	return ratio((double)busy,
		     (double)(busy + a->state_ms[CSLA_AS_AVAILABLE] +
			      a->state_ms[CSLA_AS_NOT_READY]));
}
