/*
 * snapshot.h - one (tenant, scope, id, window) row of output (spec section
 * 4) and its JSON form, shared by replay, the HTTP API and Redis.
 */
#ifndef CALLSLA_SNAPSHOT_H
#define CALLSLA_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

#include "callsla/metrics.h"

/* In the byte order of their names, which is the output order. */
typedef enum csla_scope {
	CSLA_SCOPE_AGENT = 0,
	CSLA_SCOPE_QUEUE,
	CSLA_SCOPE_TEAM,
	CSLA_SCOPE_TENANT,
	CSLA_SCOPE__COUNT
} csla_scope_t;

const char *csla_scope_name(csla_scope_t s);

typedef struct csla_snapshot {
	csla_str_t tenant;
	csla_scope_t scope;
	csla_str_t id;
	const char *window;       /* "5m", "cur15m", "today", ... */
	int64_t as_of_ms;
	csla_agg_t agg;
	/* Formula settings for queue and tenant scopes; NULL for agent/team. */
	const csla_queue_conf_t *qc;
	/* Live gauges, queue and tenant scopes only. */
	bool has_gauges;
	uint64_t waiting_now;
	int64_t longest_wait_ms;  /* 0 when nobody waits */
	uint64_t agents[CSLA_AS_COUNT];
	uint64_t staffed;
} csla_snapshot_t;

/* Writes the JSON object (no newline) into buf, NUL-terminated.  Returns the
 * length it needs (like snprintf): a result >= buflen means truncated.
 * Ratios are rounded to 4 decimals, seconds to 3. */
size_t csla_snapshot_json(const csla_snapshot_t *s, char *buf, size_t buflen);

/* The same into *buf, grown (realloc; *buf and *cap may start NULL and 0)
 * until the whole row fits.  Returns its length.  The caller frees *buf. */
size_t csla_snapshot_json_grow(const csla_snapshot_t *s, char **buf,
			       size_t *cap);

#endif
