/*
 * series.h - the per-minute history behind GET /api/v1/series
 * (docs/redis.md, "Series"): once per minute of a slot's clock the flush
 * samples every queue and tenant row of every window into a sorted set per
 * (tenant, scope, window, id), inside the slot's fenced script (op S).
 * Pure: builds the op's arguments and reads the members back.
 */
#ifndef CALLSLA_SERIES_H
#define CALLSLA_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "callsla/engine.h"
#include "flush.h"
#include "snaprow.h"

#define CSLA_MINUTE_MS INT64_C(60000)

/* The snapshot fields a sample keeps, in member order: the numbers of a
 * queue or tenant row (spec section 4) but the agents-by-state object. */
#define CSLA_SERIES_NFIELDS 19
extern const char *const csla_series_fields[CSLA_SERIES_NFIELDS];

/* Index of a field name in csla_series_fields, or -1. */
int csla_series_field(const char *name);

/* The key of a series, "P series:{n}:{tenant}|{scope}|{window}|{id}" with
 * n the tenant's length in bytes (tenant and id may hold '|'), into b. */
void csla_series_key(csla_buf_t *b, const char *prefix, csla_bytes_t tenant,
		     csla_bytes_t scope, csla_bytes_t window, csla_bytes_t id);

/* One sample of a slot: op S for the queue and tenant rows of a snapshot
 * pass as of now_ms, stamped with now_ms's minute.  With `replace` the
 * script first removes a sample of that minute (a resend after a failure
 * or a restore); with `trim` it drops samples older than `hours` hours and
 * lets each series expire that long after this sample.  One ZADD per
 * series otherwise: Redis's work follows the rows, not the events.
 *
 * The sample rides on the flush's own pass over the engine: begin, give
 * csla_series_row() to csla_rows_diff() as its tap, then end. */
typedef struct csla_series_pass {
	const char *prefix;
	int64_t minute; /* of the pass's now_ms */
	uint32_t hours;
	bool replace, trim;
	csla_argv_t pairs; /* (key, member)... */
	csla_buf_t key, member;
	size_t n;
} csla_series_pass_t;

void csla_series_begin(csla_series_pass_t *ps, const char *prefix,
		       int64_t now_ms, uint32_t hours, bool replace,
		       bool trim);
/* A csla_row_tap_t: takes the row if it is a queue or tenant row. */
void csla_series_row(void *ps, const csla_snapshot_t *s, const char *json,
		     size_t len);
/* Appends op S to a and releases the pass.  Returns the samples taken. */
size_t csla_series_end(csla_series_pass_t *ps, csla_argv_t *a);

/* Reads a member "{minute_ms} {as_of_ms} {v0},{v1},...": its minute and
 * the text of field `field` (empty for a null).  Returns 0, or -1 when
 * the member does not have that form. */
int csla_series_member(const char *m, size_t n, size_t field,
		       int64_t *minute_ms, csla_bytes_t *value);

#endif
