/* idset.h - the event ids a tenant has seen within allowed lateness, kept
 * as 64-bit hashes (see docs/engine.md for the collision odds).
 *
 * Two generations instead of per-id expiry: ids go into `cur`; once `cur`
 * has collected for a whole retention period it becomes `old` and the
 * previous `old` is dropped wholesale.  Every id is thus remembered for at
 * least the retention period and at most twice it, with no per-id
 * bookkeeping and no deletions: one probe on insert, two on lookup. */
#ifndef CALLSLA_IDSET_H
#define CALLSLA_IDSET_H

#include <stdbool.h>
#include <stdint.h>

typedef struct csla_idgen {
	uint64_t *slots; /* 0: empty */
	uint32_t mask, n;
} csla_idgen_t;

typedef struct csla_idset {
	csla_idgen_t cur, old;
	int64_t cur_since; /* clock time `cur` began collecting */
} csla_idset_t;

void csla_idset_init(csla_idset_t *s);
void csla_idset_free(csla_idset_t *s);
bool csla_idset_has(const csla_idset_t *s, uint64_t h);
/* Starts loading the slots csla_idset_has(s, h) will read first. */
void csla_idset_prefetch(const csla_idset_t *s, uint64_t h);
void csla_idset_add(csla_idset_t *s, uint64_t h);
/* Rotates when `cur` has been collecting for retention_ms as of now. */
void csla_idset_age(csla_idset_t *s, int64_t now, int64_t retention_ms);
uint64_t csla_idset_count(const csla_idset_t *s);

#endif
