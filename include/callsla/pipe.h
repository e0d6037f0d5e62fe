/*
 * pipe.h - messages in, decoded and applied in order, with a few messages
 * of lookahead.  While message i is applied, message i+D is already decoded
 * and the engine has been asked to prefetch the table slots it will touch
 * (event ids, calls, agents), so their cache misses overlap instead of
 * adding up.  Replay, the benchmark and the daemon all feed the engine
 * through it.  Pure: no I/O.
 */
#ifndef CALLSLA_PIPE_H
#define CALLSLA_PIPE_H

#include <stddef.h>
#include <stdint.h>

#include "callsla/engine.h"

typedef struct csla_pipe csla_pipe_t;

/* Called once per pushed message, in push order, when it has been applied
 * (r == CSLA_OK) or rejected (errstr says why: the decoder's message, or
 * what the engine found).  Not called for messages skipped by max_ts. */
typedef void (*csla_pipe_cb)(void *opaque, uint64_t tag, csla_reject_t r,
			     const char *errstr);

/* The pipe borrows the engine.  Returns NULL when out of memory. */
csla_pipe_t *csla_pipe_new(csla_engine_t *e, size_t max_bytes,
			   csla_pipe_cb cb, void *opaque);
void csla_pipe_destroy(csla_pipe_t *p);

/* Called with each decoded event just before it is applied, in push
 * order, with the callback's opaque: CSLA_OK lets it through, any other
 * reason rejects it (the daemon binds tenants to partitions there). */
typedef csla_reject_t (*csla_pipe_admit_cb)(void *opaque,
					    const csla_event_t *ev);
void csla_pipe_set_admit(csla_pipe_t *p, csla_pipe_admit_cb admit);

/* Events dated after max_ts are decoded but not applied (replay --at). */
void csla_pipe_set_max_ts(csla_pipe_t *p, int64_t max_ts);
uint64_t csla_pipe_skipped(const csla_pipe_t *p);

/* Queues one message.  msg is borrowed until its callback has run (at most
 * CSLA_PIPE_DEPTH pushes later, or at csla_pipe_drain()).  wall_ms as for
 * csla_engine_apply(). */
#define CSLA_PIPE_DEPTH 8
void csla_pipe_push(csla_pipe_t *p, const char *msg, size_t len,
		    uint64_t tag, int64_t wall_ms);

/* Applies everything queued. */
void csla_pipe_drain(csla_pipe_t *p);

#endif
