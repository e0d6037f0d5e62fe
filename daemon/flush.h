/*
 * flush.h - what one flush writes for a slot, built as the arguments of
 * the fenced Lua script of docs/redis.md: the snapshot rows that changed
 * since the last write, the rows that are gone, the journal entries or a
 * new base, and the slot's meta.  Pure: the Redis adapter sends what this
 * builds, and the unit tests read it back.
 */
#ifndef CALLSLA_FLUSH_H
#define CALLSLA_FLUSH_H

#include <stddef.h>
#include <stdint.h>

#include "callsla/engine.h"
#include "slot.h"

/* A growing list of binary-safe arguments for redisCommandArgv(). */
typedef struct csla_argv {
	char *arena;
	size_t len, cap;
	size_t *off, *lens;
	size_t n, capn;
	const char **ptrs; /* built by csla_argv_ptrs() */
} csla_argv_t;

void csla_argv_add(csla_argv_t *a, const void *p, size_t len);
void csla_argv_adds(csla_argv_t *a, const char *s);
void csla_argv_addi(csla_argv_t *a, int64_t v);
/* Appends every argument of b to a. */
void csla_argv_append(csla_argv_t *a, const csla_argv_t *b);
/* Pointers to each argument, valid until the next add or free. */
const char **csla_argv_ptrs(csla_argv_t *a);
void csla_argv_free(csla_argv_t *a);

/* The script (docs/redis.md): KEYS[1] the slot's epoch key; ARGV prefix,
 * partition, epoch, now_ms, snapshot ttl ms, then ops:
 *   R tenant as_of_text (field json)... ""   changed rows
 *   D tenant field... ""                      rows that are gone
 *   B blob                                    new base (the journal restarts)
 *   J entry... ""                             journal entries
 *   M (name value)... ""                      the slot's meta hash
 *   S minute cut keep_ms replace trim       series samples (series.h):
 *     (key member)... ""                      ZADD each; replace ("1"):
 *                                             the minute's member first
 *                                             removed; trim ("1"): scores
 *                                             below cut dropped, TTL set
 *   A blob                                    the slot's alert state
 *   X stream maxlen (kind key json)... ""     alert transitions: XADD to
 *                                             prefix + stream, MAXLEN ~
 *   H (dedup_key json)... ""                  alerts:active entries set
 *   K dedup_key... ""                         alerts:active entries gone
 * It replies FENCED when the epoch is not ours, before any write. */
extern const char csla_flush_script[];

/* Starts the EVAL command of one slot into a (which should be empty). */
void csla_flush_begin(csla_argv_t *a, const char *prefix, int32_t partition,
		      int64_t epoch, int64_t now_ms, int64_t ttl_ms);
void csla_flush_journal(csla_argv_t *a, const csla_jentry_t *e, size_t n,
			size_t ntopics);
void csla_flush_base(csla_argv_t *a, const csla_buf_t *blob);
/* The meta op: offsets per topic, epoch, rejection counts. */
void csla_flush_meta(csla_argv_t *a, const csla_slot_t *s,
		     const char *const *topics, size_t ntopics, int64_t epoch);

/* What was last written of each row of one slot. */
typedef struct csla_rows csla_rows_t;

csla_rows_t *csla_rows_new(void);
void csla_rows_destroy(csla_rows_t *r);
/* After a write that may have failed: everything is written again. */
void csla_rows_forget(csla_rows_t *r);

/* Shown every row of a pass with its JSON (valid during the call), so that
 * another writer shares the pass instead of computing its own snapshot. */
typedef void (*csla_row_tap_t)(void *opaque, const csla_snapshot_t *s,
			       const char *json, size_t len);

/* Appends the R and D ops for the engine's snapshot as of now_ms: rows
 * whose numbers differ from the last call's (the as_of stamp alone does
 * not count), and rows that are no longer produced.  tap (may be NULL) is
 * shown every row.  Returns the number of rows written or deleted. */
size_t csla_rows_diff(csla_rows_t *r, csla_engine_t *e, int64_t now_ms,
		      csla_argv_t *a, csla_row_tap_t tap, void *tap_arg);

#endif
