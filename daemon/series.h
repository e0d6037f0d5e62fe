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
extern const char *const csla_series_fields[];
extern const size_t csla_n_series_fields;

/* Index of a field name in csla_series_fields, or -1. */
int csla_series_field(const char *name);

/* The key of a series, "P series:{n}:{tenant}|{scope}|{window}|{id}" with
 * n the tenant's length in bytes (tenant and id may hold '|'), into b. */
void csla_series_key(csla_buf_t *b, const char *prefix, csla_bytes_t tenant,
		     csla_bytes_t scope, csla_bytes_t window, csla_bytes_t id);

/* Appends op S for the queue and tenant rows of e as of now_ms, stamped
 * with now_ms's minute.  With `replace` the script first removes a sample
 * of that minute (a resend after a failure or a restore); with `trim` it
 * drops samples older than `hours` hours and lets each series expire that
 * long after this sample.  One ZADD per series otherwise: Redis's work
 * follows the rows, not the events.  Returns the number of samples. */
size_t csla_series_add(csla_argv_t *a, csla_engine_t *e, int64_t now_ms,
		       const char *prefix, uint32_t hours, bool replace,
		       bool trim);

/* Reads a member "{minute_ms} {as_of_ms} {v0},{v1},...": its minute and
 * the text of field `field` (empty for a null).  Returns 0, or -1 when
 * the member does not have that form. */
int csla_series_member(const char *m, size_t n, size_t field,
		       int64_t *minute_ms, csla_bytes_t *value);

#endif
