/*
 * config.h - configuration: the defaults struct, the parsed file, one
 * validation pass, and the per-tenant / per-queue lookups the engine uses.
 *
 * The file format (libconfig) is documented in docs/configuration.md and
 * shown in conf/callsla.conf.  Parsing (conf_file.c) is the only part that
 * does I/O; lookups are pure.
 */
#ifndef CALLSLA_CONFIG_H
#define CALLSLA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "callsla/tz.h"

typedef enum csla_sl_mode {
	CSLA_SL_NEGATIVE = 0, /* A_T / (A + B) */
	CSLA_SL_IGNORE,       /* A_T / (A + B - B_T) */
	CSLA_SL_POSITIVE,     /* (A_T + B_T) / (A + B) */
} csla_sl_mode_t;

typedef enum csla_clock {
	CSLA_CLOCK_WALL = 0,
	CSLA_CLOCK_EVENT,
} csla_clock_t;

/* Thresholds and formula choices of one queue (or of a tenant's own scope). */
typedef struct csla_queue_conf {
	int64_t sl_ms;            /* T: service-level threshold [20 s] */
	uint32_t answer_rings;    /* [3] */
	int64_t ring_cycle_ms;    /* [5 s]; R = answer_rings * ring_cycle_ms */
	int64_t short_abandon_ms; /* S [5 s]; 0 disables */
	csla_sl_mode_t sl_mode;   /* [negative] */
	bool sl_flowout;          /* add flow-outs to the SL denominator [false] */
} csla_queue_conf_t;

static inline int64_t csla_queue_conf_rings_ms(const csla_queue_conf_t *q)
{
	return (int64_t)q->answer_rings * q->ring_cycle_ms;
}

/* Bits of csla_queue_override_t.set: which fields an override block names. */
enum {
	CSLA_QO_SL = 1u << 0,
	CSLA_QO_RINGS = 1u << 1,
	CSLA_QO_RING_CYCLE = 1u << 2,
	CSLA_QO_SHORT = 1u << 3,
	CSLA_QO_SL_MODE = 1u << 4,
	CSLA_QO_SL_FLOWOUT = 1u << 5,
};

/* A block that overrides some queue settings: a tenant's own block, or a
 * `queues` entry whose `match` is a glob (fnmatch(3), no flags). */
typedef struct csla_queue_override {
	char *match;      /* NULL for a tenant's own block */
	unsigned set;     /* CSLA_QO_* */
	csla_queue_conf_t v;
	int line;         /* where it was defined, for messages */
} csla_queue_override_t;

typedef struct csla_tenant_conf {
	char *name;
	char *timezone;
	csla_tz_t *tz;               /* loaded by validation */
	csla_queue_override_t own;   /* tenant-wide overrides */
	csla_queue_override_t *queues; /* first match wins */
	size_t nqueues;
	int line;
} csla_tenant_conf_t;

#define CSLA_MAX_WINDOWS 16

typedef struct csla_conf {
	char *path;                  /* file it came from, or NULL */

	/* engine { } */
	csla_clock_t clock;          /* [wall] */
	size_t nrolling;             /* rolling windows, in ms [5m 15m 30m 60m] */
	int64_t rolling_ms[CSLA_MAX_WINDOWS];
	size_t nintervals;           /* aligned intervals [15m 30m] */
	int64_t interval_ms[CSLA_MAX_WINDOWS];
	int64_t allowed_lateness_ms; /* [2 h] */
	int64_t max_future_skew_ms;  /* [5 min] */
	size_t max_message_bytes;    /* [65536] */
	int64_t call_timeout_ms;     /* waiting/answered call forgotten [4 h] */
	int64_t agent_idle_ms;       /* silent agent forgotten [26 h] */

	/* defaults { } and the global queues ( ) list */
	char *default_timezone;      /* ["UTC"] */
	csla_tz_t *default_tz;
	csla_queue_conf_t queue_defaults;
	csla_queue_override_t *queues;
	size_t nqueues;

	/* tenants ( ) */
	csla_tenant_conf_t *tenants;
	size_t ntenants;
} csla_conf_t;

/* The name a window of length ms carries in snapshots, after `prefix`
 * ("", "cur", "prev"): whole minutes as "60m", else whole seconds as
 * "90s".  Writes into buf (24 bytes suffice) and returns it. */
const char *csla_window_name(const char *prefix, int64_t ms, char *buf,
			     size_t len);

/* A conf holding only the built-in defaults (UTC, spec thresholds).
 * Returns NULL when out of memory.  Caller owns it (csla_conf_destroy). */
csla_conf_t *csla_conf_new_defaults(void);

/* Reads and validates a file.  On error returns NULL and writes
 * "FILE:LINE: message" into errstr.  Caller owns the result. */
csla_conf_t *csla_conf_load(const char *path, char *errstr, size_t errlen);

/* The validation pass (loads time zones).  csla_conf_load() calls it; it is
 * public for confs built in code (tests).  Returns 0, or -1 with errstr. */
int csla_conf_validate(csla_conf_t *conf, char *errstr, size_t errlen);

void csla_conf_destroy(csla_conf_t *conf);

/* The tenant's block, or NULL when the file has none for it. */
const csla_tenant_conf_t *csla_conf_tenant(const csla_conf_t *conf,
					   const char *tenant, size_t len);

/* Effective settings of a queue: defaults, then the tenant's own block, then
 * the first matching global `queues` entry, then the first matching entry of
 * the tenant's `queues`.  tc may be NULL. */
void csla_conf_queue(const csla_conf_t *conf, const csla_tenant_conf_t *tc,
		     const char *queue, size_t len, csla_queue_conf_t *out);

/* Effective settings of a tenant's own scope (no queue rule applies). */
void csla_conf_tenant_scope(const csla_conf_t *conf,
			    const csla_tenant_conf_t *tc,
			    csla_queue_conf_t *out);

/* The tenant's time zone (its own, else the default). */
const csla_tz_t *csla_conf_tz(const csla_conf_t *conf,
			      const csla_tenant_conf_t *tc);

#endif
