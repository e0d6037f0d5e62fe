/*
 * metrics.h - the sums a window accumulates and the spec's formulas over
 * them (spec section 2).  Pure.  A ratio with a zero denominator is NAN,
 * which every writer prints as JSON null.
 */
#ifndef CALLSLA_METRICS_H
#define CALLSLA_METRICS_H

#include <stdint.h>

#include "callsla/config.h"
#include "callsla/event.h"

/* Sums over one window for one scope.  Letters as in the spec: A answered,
 * A_T within T, A_R within R, B abandoned (not short), B_T within T,
 * F flow-out. */
typedef struct csla_agg {
	uint64_t answered;          /* A */
	uint64_t answered_in_sl;    /* A_T */
	uint64_t answered_in_rings; /* A_R */
	uint64_t abandoned;         /* B */
	uint64_t abandoned_in_sl;   /* B_T */
	uint64_t short_abandoned;
	uint64_t flowout;           /* F */
	uint64_t wait_answered_ms;  /* sum of waits of answered calls */
	int64_t max_wait_ms;        /* -1: no outcome in the window */
	uint64_t handled;
	uint64_t handle_ms;         /* sum of talk + hold + acw */
	uint64_t ring_in_rings;     /* alerting -> talking within R */
	uint64_t rona;              /* alerting ended other than talking */
	int64_t state_ms[CSLA_AS_COUNT];
} csla_agg_t;

void csla_agg_init(csla_agg_t *a);
void csla_agg_add(csla_agg_t *into, const csla_agg_t *from);

uint64_t csla_metric_offered(const csla_agg_t *a);
double csla_metric_service_level(const csla_agg_t *a, const csla_queue_conf_t *q);
double csla_metric_three_ring_rate(const csla_agg_t *a);
double csla_metric_abandon_rate(const csla_agg_t *a);
double csla_metric_asa_s(const csla_agg_t *a);
double csla_metric_max_wait_s(const csla_agg_t *a);
double csla_metric_aht_s(const csla_agg_t *a);
double csla_metric_occupancy(const csla_agg_t *a);
double csla_metric_utilization(const csla_agg_t *a);

#endif
