/*
 * sim_truth.h - the simulator's ground truth: what happened per tenant, per
 * local day and per queue, tallied by the simulator as it decides it, with
 * the spec's definitions (spec section 2) but none of the engine's code.
 * `callsla sim --truth FILE` writes it; the tests require the engine's
 * `today` numbers to equal it.  The format is in docs/simulator.md.
 *
 * Pure but for csla_truth_write(), which writes to a stdio stream.
 */
#ifndef CALLSLA_SIM_TRUTH_H
#define CALLSLA_SIM_TRUTH_H

#include <stdint.h>
#include <stdio.h>

#include "callsla/event.h"
#include "callsla/tz.h"

/* The spec's default thresholds, which `callsla replay` applies when no
 * configuration names others: T, R = 3 rings x 5 s, S. */
#define CSLA_TRUTH_SL_MS 20000
#define CSLA_TRUTH_RINGS_MS 15000
#define CSLA_TRUTH_SHORT_MS 5000

typedef struct csla_truth_counts {
	uint64_t offered, answered, abandoned, short_abandoned, flowout;
	uint64_t answered_in_sl, answered_in_rings;
} csla_truth_counts_t;

/* One local day [start_ms, end_ms) of one tenant. */
typedef struct csla_truth_day {
	int64_t start_ms, end_ms;
	csla_truth_counts_t *queue; /* one per queue of the tenant */
	int64_t state_ms[CSLA_AS_COUNT];
} csla_truth_day_t;

typedef struct csla_truth_tenant {
	const char *name;        /* borrowed */
	const csla_tz_t *tz;     /* borrowed */
	uint32_t nqueues;
	const char *const *queues; /* borrowed names */
	int64_t first_day;       /* local day number of days[0] */
	csla_truth_day_t *days;
	uint32_t ndays, capdays;
	uint32_t last;           /* day of the previous lookup (a cache) */
} csla_truth_tenant_t;

typedef struct csla_truth {
	csla_truth_tenant_t *t;
	uint32_t ntenants;
} csla_truth_t;

/* Sets up ntenants tenants, to be described with csla_truth_tenant().  The
 * caller owns tr's contents until csla_truth_free(). */
void csla_truth_init(csla_truth_t *tr, uint32_t ntenants);
void csla_truth_free(csla_truth_t *tr);

/* Describes tenant i: its name, zone and queue names (all borrowed: they
 * must outlive tr) and its days first_day .. first_day + ndays - 1 (local
 * day numbers), which exist even if nothing happens on them.  Later days
 * are added when something happens on them. */
void csla_truth_tenant(csla_truth_t *tr, uint32_t i, const char *name,
		       const csla_tz_t *tz, const char *const *queues,
		       uint32_t nqueues, int64_t first_day, uint32_t ndays);

/* A queue outcome of tenant `tenant` at `at` after `wait_ms` in queue:
 * counted on the local day of `at`. */
void csla_truth_outcome(csla_truth_t *tr, uint32_t tenant, uint32_t queue,
			csla_outcome_t o, int64_t at, int64_t wait_ms);

/* An agent of the tenant spent [from, to) in state s: split at local
 * midnight. */
void csla_truth_state(csla_truth_t *tr, uint32_t tenant, csla_agent_state_t s,
		      int64_t from, int64_t to);

/* The day of tenant `tenant` that contains `at`. */
const csla_truth_day_t *csla_truth_day(csla_truth_t *tr, uint32_t tenant,
				       int64_t at);

/* Writes the JSON lines (docs/simulator.md): per tenant and day, one line
 * per queue, then the day's agent-state line.  Returns 0, or -1 when the
 * stream reports an error (errno set). */
int csla_truth_write(const csla_truth_t *tr, FILE *f);

/* The UTC instant of a local wall-clock time (local_ms = local day number x
 * 86400000 + ms into that day).  In a DST gap it is the instant the clocks
 * jump over it; in an overlap the first of the two. */
int64_t csla_local_to_utc(const csla_tz_t *tz, int64_t local_ms);

#endif
