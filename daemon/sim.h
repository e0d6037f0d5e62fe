/*
 * sim.h - a seeded, deterministic contact-centre simulation (an Erlang-A
 * style model: Poisson arrivals with an intraday profile, skilled agents on
 * shifts with breaks, lognormal handling, impatient callers, ring-no-answer,
 * flow-out), the source of events for the demo, the tests and the
 * benchmarks.  docs/simulator.md describes the model and its defaults.
 *
 * Pure: options and a seed in, canonical events out through a callback in
 * event-time order, the ground truth (sim_truth.h) kept on the side.  It
 * reads no clock and no file: the caller loads the tenants' time zones.
 * The same options give the same events, byte for byte once written.
 */
#ifndef CALLSLA_SIM_H
#define CALLSLA_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "callsla/event.h"
#include "callsla/tz.h"
#include "sim_truth.h"

#define CSLA_SIM_MAX_QUEUES 64
#define CSLA_SIM_MAX_SHIFTS 8
#define CSLA_SIM_SLOTS 48      /* the profile's half hours */
#define CSLA_SIM_MAX_TENANTS 1000
#define CSLA_SIM_MAX_AGENTS 100000
#define CSLA_SIM_MAX_ALL_AGENTS 1000000 /* tenants x agents */

typedef struct csla_sim_shift {
	int32_t start_min, end_min; /* local minutes after midnight */
	int32_t lunch_min;          /* length of the lunch break */
} csla_sim_shift_t;

typedef struct csla_sim_opts {
	uint64_t seed;
	int64_t start_day;      /* local date of the first day (days since
				 * 1970-01-01), the same for every tenant */
	uint32_t days;
	uint32_t tenants;
	uint32_t queues;        /* per tenant */
	uint32_t agents;        /* per tenant */
	double calls_per_hour;  /* per tenant: the mean rate over the half
				 * hours whose profile weight is not 0 */
	bool cdr;               /* CDRs instead of call progress events */
	/* Relative arrival rate per local half hour from midnight. */
	double profile[CSLA_SIM_SLOTS];
	csla_sim_shift_t shifts[CSLA_SIM_MAX_SHIFTS];
	uint32_t nshifts;
	/* Handling, in seconds: lognormal talk and after-call work, a hold
	 * with probability hold_p of exponential length. */
	double talk_mean_s, talk_sd_s;
	double acw_mean_s, acw_sd_s;
	double hold_p, hold_mean_s;
	/* Callers: exponential patience; flow-out after max_queue_s. */
	double patience_mean_s;
	double max_queue_s;
	/* Agents pick up after ring_min_s .. ring_max_s, or with probability
	 * rona_p not within ring_timeout_s, and are then not ready for
	 * rona_pause_s. */
	double ring_min_s, ring_max_s, ring_timeout_s;
	double rona_p, rona_pause_s;
	/* One zone per tenant, borrowed; they must outlive the simulation. */
	const csla_tz_t *const *tz;
} csla_sim_opts_t;

/* Fills o with the defaults: seed 1, one day from 2026-03-02, one tenant,
 * 3 queues, 40 agents, 300 calls/hour, shifts 08:00-17:00 and 10:00-18:00,
 * the default profile, and the model parameters of docs/simulator.md.
 * o->tz is left NULL for the caller to set. */
void csla_sim_opts_default(csla_sim_opts_t *o);

/* Checks the options; returns 0, or -1 with a message in errstr. */
int csla_sim_opts_check(const csla_sim_opts_t *o, char *errstr, size_t errlen);

/* Tenant i of n: "default" when n == 1, else "t1".."tn".  Writes into buf
 * (at least 16 bytes) and returns it. */
const char *csla_sim_tenant_name(uint32_t i, uint32_t n, char *buf);

/* The time zone of tenant i of n: "UTC" when n == 1, else cycling through
 * UTC, Asia/Shanghai, America/New_York, Europe/London, Asia/Kolkata,
 * Australia/Sydney.  A static string. */
const char *csla_sim_tenant_zone(uint32_t i, uint32_t n);

/* Receives each event; its strings are valid during the call only.  A
 * non-zero return stops the simulation, and csla_sim_run() returns it. */
typedef int (*csla_sim_emit_fn)(void *opaque, const csla_event_t *ev);

typedef struct csla_sim csla_sim_t;

/* Returns NULL with errstr when the options are wrong (see
 * csla_sim_opts_check).  The caller owns the simulation. */
csla_sim_t *csla_sim_new(const csla_sim_opts_t *o, char *errstr,
			 size_t errlen);
void csla_sim_destroy(csla_sim_t *s);

/* Runs the simulation to its end, emitting every event in event-time
 * order (ts never decreases; a CDR's time is its ended_at).  Returns 0,
 * or the emit callback's non-zero result. */
int csla_sim_run(csla_sim_t *s, csla_sim_emit_fn emit, void *opaque);

/* The ground truth, complete after csla_sim_run(); owned by s. */
const csla_truth_t *csla_sim_truth(const csla_sim_t *s);

/* Events emitted so far. */
uint64_t csla_sim_events(const csla_sim_t *s);

#endif
