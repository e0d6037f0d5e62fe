/*
 * snaprow.h - snapshot rows as callslad stores them in Redis (docs/redis.md):
 * the hash field "{scope}|{window}|{id}", the order `callsla replay` prints
 * rows in, and the tenant's as_of that replaces a row's own when printed.
 * Pure; shared by `callsla snapshot` and the HTTP API, which must give the
 * same rows in the same order.
 */
#ifndef CALLSLA_SNAPROW_H
#define CALLSLA_SNAPROW_H

#include <stddef.h>

/* "2026-11-25T10:15:00.000Z" */
#define CSLA_AS_OF_LEN 24

/* A byte string, not NUL-terminated. */
typedef struct csla_bytes {
	const char *p;
	size_t n;
} csla_bytes_t;

/* memcmp order, the shorter first on a tie: the order the engine emits
 * names in. */
int csla_bytes_cmp(csla_bytes_t a, csla_bytes_t b);

/* One stored row: the parts of its field name, and its JSON.  Everything
 * points into the caller's buffers. */
typedef struct csla_snaprow {
	csla_bytes_t scope, window, id, json;
} csla_snaprow_t;

/* Splits "{scope}|{window}|{id}": scope and window never hold '|', the id
 * may.  Returns 0, or -1 when the field does not have that form. */
int csla_snaprow_split(const char *field, size_t n, csla_snaprow_t *row);

/* qsort() comparator of csla_snaprow_t: by scope, id, window. */
int csla_snaprow_cmp(const void *a, const void *b);

/* Where the value of "as_of" starts in json (CSLA_AS_OF_LEN bytes), or -1
 * when the row has no such member. */
long csla_snaprow_as_of(const char *json, size_t n);

#endif
