/* idset.h - the event ids a tenant has seen within allowed lateness, kept
 * as 64-bit hashes (see docs/engine.md for the collision odds).
 *
 * Two generations instead of per-id expiry: ids join the current
 * generation; once it has collected for a whole retention period it becomes
 * the old one and the previous old one is dropped wholesale.  Every id is
 * thus remembered for at least the retention period and at most twice it,
 * with no per-id bookkeeping.
 *
 * Both generations share one table of cache-line buckets (7 hashes and a
 * generation tag each), so a lookup reads one line, not one per generation:
 * rotating only changes which tags count, and the dropped generation's
 * slots are reused by later inserts or cleared when the table is rebuilt. */
#ifndef CALLSLA_IDSET_H
#define CALLSLA_IDSET_H

#include <stdbool.h>
#include <stdint.h>

#define CSLA_IDSET_WAYS 7

typedef struct csla_idbucket {
	uint64_t k[CSLA_IDSET_WAYS];
	uint8_t tag[CSLA_IDSET_WAYS]; /* 0: empty; else the generation's tag */
	/* Inserts that went past this bucket because it was full (saturates
	 * at 255): a lookup goes on to the next bucket only if non-zero. */
	uint8_t over;
} csla_idbucket_t;

typedef struct csla_idset {
	csla_idbucket_t *b;
	uint32_t mask;     /* buckets - 1 */
	uint32_t n_cur, n_old;
	uint32_t gen;      /* the current generation's number */
	int64_t cur_since; /* clock time the current generation began */
} csla_idset_t;

void csla_idset_init(csla_idset_t *s);
void csla_idset_free(csla_idset_t *s);
bool csla_idset_has(const csla_idset_t *s, uint64_t h);
/* Starts loading the line csla_idset_has(s, h) will read first. */
void csla_idset_prefetch(const csla_idset_t *s, uint64_t h);
/* Makes room for n live ids in all without growing (restoring a saved
 * set, whose size is known). */
void csla_idset_reserve(csla_idset_t *s, uint64_t n);
/* Adds h, which csla_idset_has does not find, to the current generation. */
void csla_idset_add(csla_idset_t *s, uint64_t h);
/* Rotates when the current generation has been collecting for
 * retention_ms as of now. */
void csla_idset_age(csla_idset_t *s, int64_t now, int64_t retention_ms);
uint64_t csla_idset_count(const csla_idset_t *s);
/* The keys of the current (old false) or old generation, in table order,
 * in a new array of *n (+1) entries the caller frees.  A key is the hash as
 * stored: never 0. */
uint64_t *csla_idset_keys(const csla_idset_t *s, bool old, uint32_t *n);

#endif
