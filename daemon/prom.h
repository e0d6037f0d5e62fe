/*
 * prom.h - the Prometheus text exposition format (version 0.0.4), written
 * into a csla_buf_t: families with their HELP and TYPE lines, samples
 * with escaped label values, histograms as cumulative _bucket series with
 * "+Inf", _sum and _count.  Pure: the caller owns the buffer and decides
 * what to expose (http_metrics.c); tests/unit/test_prom.c checks the text.
 *
 * A family's samples must follow its TYPE line without another family in
 * between, and a label set may appear once per family: the caller writes
 * family by family.
 */
#ifndef CALLSLA_PROM_H
#define CALLSLA_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "callsla/engine.h"

typedef enum csla_prom_type {
	CSLA_PROM_COUNTER = 0,
	CSLA_PROM_GAUGE,
	CSLA_PROM_HISTOGRAM,
} csla_prom_type_t;

/* One label: value[0..len) is any bytes (UTF-8), escaped when written. */
typedef struct csla_prom_label {
	const char *name;
	const char *value;
	size_t len;
} csla_prom_label_t;

/* "# HELP name help" (help escaped) and "# TYPE name type". */
void csla_prom_family(csla_buf_t *b, const char *name, const char *help,
		      csla_prom_type_t type);

/* One sample line: name{labels} value.  A double is written in the
 * shortest form that reads back to the same value ("NaN", "+Inf" and
 * "-Inf" as the format spells them); text is written as given (a number
 * already formatted, say by the snapshot writer). */
void csla_prom_sample(csla_buf_t *b, const char *name,
		      const csla_prom_label_t *l, size_t nl, double v);
void csla_prom_sample_u64(csla_buf_t *b, const char *name,
			  const csla_prom_label_t *l, size_t nl, uint64_t v);
void csla_prom_sample_text(csla_buf_t *b, const char *name,
			   const csla_prom_label_t *l, size_t nl,
			   const char *v, size_t vlen);

/* A histogram's state: counts per bucket (not cumulative), the last one
 * above every bound. */
#define CSLA_PROM_MAX_BOUNDS 20
typedef struct csla_prom_hist {
	const double *bounds; /* upper bounds, increasing, +Inf implied */
	size_t nbounds;       /* <= CSLA_PROM_MAX_BOUNDS */
	uint64_t n[CSLA_PROM_MAX_BOUNDS + 1];
	uint64_t count;
	double sum;
} csla_prom_hist_t;

/* Bounds are borrowed (a static table). */
void csla_prom_hist_init(csla_prom_hist_t *h, const double *bounds,
			 size_t nbounds);
/* Counts v in the first bucket whose bound is >= v (le: less or equal). */
void csla_prom_hist_observe(csla_prom_hist_t *h, double v);
/* The series of h under family `name` (its TYPE histogram line written
 * before): name_bucket{labels,le="..."} cumulative, le="+Inf" equal to
 * name_count, then name_sum and name_count. */
void csla_prom_histogram(csla_buf_t *b, const char *name,
			 const csla_prom_label_t *l, size_t nl,
			 const csla_prom_hist_t *h);

#endif
