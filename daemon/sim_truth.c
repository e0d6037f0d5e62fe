/* sim_truth.c - see sim_truth.h. */
#include "sim_truth.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "callsla/timefmt.h"
#include "util.h"

#define DAY_MS INT64_C(86400000)

int64_t csla_local_to_utc(const csla_tz_t *tz, int64_t local_ms)
{
	/* Offsets in force a day either side bracket any one transition. */
	int64_t o_early = csla_tz_offset_s(tz, local_ms - DAY_MS) * INT64_C(1000);
	int64_t o_late = csla_tz_offset_s(tz, local_ms + DAY_MS) * INT64_C(1000);
	int64_t a = local_ms - o_early, b = local_ms - o_late;
	int a_ok = csla_tz_offset_s(tz, a) * INT64_C(1000) == o_early;
	int b_ok = csla_tz_offset_s(tz, b) * INT64_C(1000) == o_late;

	if (a_ok && b_ok)
		return a < b ? a : b;
	if (a_ok)
		return a;
	if (b_ok)
		return b;
	/* A gap: the first instant of the new offset lies in [b, a]. */
	while (b < a) {
		int64_t mid = b + (a - b) / 2;
		if (csla_tz_offset_s(tz, mid) * INT64_C(1000) == o_late)
			a = mid;
		else
			b = mid + 1;
	}
	return a;
}

void csla_truth_init(csla_truth_t *tr, uint32_t ntenants)
{
	tr->t = csla_xcalloc(ntenants, sizeof *tr->t);
	tr->ntenants = ntenants;
}

void csla_truth_free(csla_truth_t *tr)
{
	for (uint32_t i = 0; i < tr->ntenants; i++) {
		csla_truth_tenant_t *t = &tr->t[i];
		for (uint32_t d = 0; d < t->ndays; d++)
			free(t->days[d].queue);
		free(t->days);
	}
	free(tr->t);
	tr->t = NULL;
	tr->ntenants = 0;
}

static void day_bounds(const csla_tz_t *tz, int64_t day, int64_t *start,
		       int64_t *end)
{
	/* Noon exists on every day of every zone in use. */
	int64_t noon = day * DAY_MS + DAY_MS / 2;

	*start = csla_tz_day_start(tz, csla_local_to_utc(tz, noon));
	*end = csla_tz_day_start(tz, csla_local_to_utc(tz, noon + DAY_MS));
}

/* Makes days[] cover local day `day` and returns its index. */
static uint32_t day_index(csla_truth_tenant_t *t, int64_t day)
{
	if (day < t->first_day) {
		/* Something before the first day: re-base the array. */
		uint32_t add = (uint32_t)(t->first_day - day);
		csla_grow(&t->days, &t->capdays, t->ndays + add, sizeof *t->days);
		memmove(t->days + add, t->days, t->ndays * sizeof *t->days);
		memset(t->days, 0, add * sizeof *t->days);
		for (uint32_t i = 0; i < add; i++) {
			csla_truth_day_t *d = &t->days[i];
			d->queue = csla_xcalloc(t->nqueues, sizeof *d->queue);
			day_bounds(t->tz, day + i, &d->start_ms, &d->end_ms);
		}
		t->ndays += add;
		t->first_day = day;
	}
	uint64_t idx = (uint64_t)(day - t->first_day);
	if (idx >= t->ndays) {
		csla_grow(&t->days, &t->capdays, idx + 1, sizeof *t->days);
		for (uint32_t i = t->ndays; i <= idx; i++) {
			csla_truth_day_t *d = &t->days[i];
			memset(d, 0, sizeof *d);
			d->queue = csla_xcalloc(t->nqueues, sizeof *d->queue);
			day_bounds(t->tz, t->first_day + i, &d->start_ms,
				   &d->end_ms);
		}
		t->ndays = (uint32_t)idx + 1;
	}
	return (uint32_t)idx;
}

void csla_truth_tenant(csla_truth_t *tr, uint32_t i, const char *name,
		       const csla_tz_t *tz, const char *const *queues,
		       uint32_t nqueues, int64_t first_day, uint32_t ndays)
{
	csla_truth_tenant_t *t = &tr->t[i];

	t->name = name;
	t->tz = tz;
	t->queues = queues;
	t->nqueues = nqueues;
	t->first_day = first_day;
	if (ndays)
		day_index(t, first_day + ndays - 1);
}

static csla_truth_day_t *day_of(csla_truth_tenant_t *t, int64_t at)
{
	/* Events come in time order: the last day looked up usually holds. */
	if (t->last < t->ndays) {
		csla_truth_day_t *d = &t->days[t->last];
		if (at >= d->start_ms && at < d->end_ms)
			return d;
	}
	t->last = day_index(t, csla_tz_local_day(t->tz, at));
	return &t->days[t->last];
}

const csla_truth_day_t *csla_truth_day(csla_truth_t *tr, uint32_t tenant,
				       int64_t at)
{
	return day_of(&tr->t[tenant], at);
}

void csla_truth_outcome(csla_truth_t *tr, uint32_t tenant, uint32_t queue,
			csla_outcome_t o, int64_t at, int64_t wait_ms)
{
	csla_truth_counts_t *c = &day_of(&tr->t[tenant], at)->queue[queue];

	c->offered++;
	switch (o) {
	case CSLA_OUT_ANSWERED:
		c->answered++;
		c->answered_in_sl += wait_ms <= CSLA_TRUTH_SL_MS;
		c->answered_in_rings += wait_ms <= CSLA_TRUTH_RINGS_MS;
		break;
	case CSLA_OUT_ABANDONED:
		if (wait_ms < CSLA_TRUTH_SHORT_MS)
			c->short_abandoned++;
		else
			c->abandoned++;
		break;
	case CSLA_OUT_FLOWOUT:
		c->flowout++;
		break;
	}
}

void csla_truth_state(csla_truth_t *tr, uint32_t tenant, csla_agent_state_t s,
		      int64_t from, int64_t to)
{
	csla_truth_tenant_t *t = &tr->t[tenant];

	while (from < to) {
		csla_truth_day_t *d = day_of(t, from);
		int64_t end = to < d->end_ms ? to : d->end_ms;
		d->state_ms[s] += end - from;
		from = end;
	}
}

static void fmt_day(const csla_truth_tenant_t *t, uint32_t i, char *buf)
{
	int64_t y;
	unsigned m, d;

	csla_civil_from_days(t->first_day + i, &y, &m, &d);
	sprintf(buf, "%04" PRId64 "-%02u-%02u", y, m, d);
}

int csla_truth_write(const csla_truth_t *tr, FILE *f)
{
	for (uint32_t ti = 0; ti < tr->ntenants; ti++) {
		const csla_truth_tenant_t *t = &tr->t[ti];
		for (uint32_t di = 0; di < t->ndays; di++) {
			const csla_truth_day_t *d = &t->days[di];
			char day[32], start[32], end[32];
			fmt_day(t, di, day);
			csla_time_format_utc(d->start_ms, start, sizeof start);
			csla_time_format_utc(d->end_ms, end, sizeof end);
			for (uint32_t q = 0; q < t->nqueues; q++) {
				const csla_truth_counts_t *c = &d->queue[q];
				fprintf(f,
					"{\"tenant\":\"%s\",\"day\":\"%s\","
					"\"queue\":\"%s\",\"offered\":%" PRIu64
					",\"answered\":%" PRIu64
					",\"abandoned\":%" PRIu64
					",\"short_abandoned\":%" PRIu64
					",\"flowout\":%" PRIu64
					",\"answered_in_sl\":%" PRIu64
					",\"answered_in_rings\":%" PRIu64 "}\n",
					t->name, day, t->queues[q], c->offered,
					c->answered, c->abandoned,
					c->short_abandoned, c->flowout,
					c->answered_in_sl, c->answered_in_rings);
			}
			fprintf(f,
				"{\"tenant\":\"%s\",\"day\":\"%s\",\"zone\":\"%s\","
				"\"start\":\"%s\",\"end\":\"%s\",\"agent_state_ms\":{",
				t->name, day, csla_tz_name(t->tz), start, end);
			for (int s = 0; s < CSLA_AS_COUNT; s++)
				fprintf(f, "%s\"%s\":%" PRId64, s ? "," : "",
					csla_agent_state_name((csla_agent_state_t)s),
					d->state_ms[s]);
			fputs("}}\n", f);
		}
	}
	return ferror(f) ? -1 : 0;
}
