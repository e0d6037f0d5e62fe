/*
 * engine.h - per-tenant state, windows and metrics.  Pure and
 * deterministic: the engine never reads a clock or a file; the caller passes
 * wall time in, and the same calls give the same snapshots.
 *
 * How memory stays bounded (docs/engine.md): call outcomes and agent-state
 * changes are kept as records only while some rolling or aligned window, or
 * allowed lateness, can still reach them; older ones are folded into the
 * per-scope `today` sums.  Finished calls are remembered (for duplicate
 * detection) until allowed lateness has passed, unfinished ones for
 * call_timeout; event ids for allowed lateness; agents that send nothing for
 * agent_idle are forgotten.
 */
#ifndef CALLSLA_ENGINE_H
#define CALLSLA_ENGINE_H

#include <stdint.h>

#include "callsla/config.h"
#include "callsla/event.h"
#include "callsla/reject.h"
#include "callsla/snapshot.h"

typedef struct csla_engine csla_engine_t;

/* The engine borrows conf: it must outlive the engine or be replaced with
 * csla_engine_set_conf() first.  Returns NULL when out of memory. */
csla_engine_t *csla_engine_new(const csla_conf_t *conf);
void csla_engine_destroy(csla_engine_t *e);

/* Swaps the configuration (thresholds, windows) keeping all state.  New
 * thresholds classify calls from now on. */
void csla_engine_set_conf(csla_engine_t *e, const csla_conf_t *conf);

/* Applies one decoded event.  wall_ms is the system time (used for the wall
 * clock, and to refuse events dated beyond max_future_skew of it on either
 * clock).  Returns CSLA_OK or why the event was not applied; a rejected
 * event changes nothing. */
csla_reject_t csla_engine_apply(csla_engine_t *e, const csla_event_t *ev,
				int64_t wall_ms);

/* A hint, changing nothing: starts loading the memory that applying ev
 * will touch.  Called a few events ahead (csla_pipe does). */
void csla_engine_prefetch(const csla_engine_t *e, const csla_event_t *ev);

/* "now" of the event clock: the newest event time applied (INT64_MIN before
 * any). */
int64_t csla_engine_event_now(const csla_engine_t *e);

typedef void (*csla_snapshot_cb)(void *opaque, const csla_snapshot_t *s);

/* Calls cb once per (tenant, scope, id, window) as of now_ms, in the byte
 * order of tenant, scope, id, window.  now_ms must not be earlier than the
 * newest event applied.  The snapshot and its strings are valid during the
 * call only. */
void csla_engine_snapshot(csla_engine_t *e, int64_t now_ms,
			  csla_snapshot_cb cb, void *opaque);

typedef struct csla_engine_stats {
	uint64_t tenants, queues, teams, agents;
	uint64_t calls;          /* remembered, waiting or finished */
	uint64_t records;        /* outcome and agent-state records held */
	uint64_t ids;            /* event ids remembered */
	uint64_t expired_calls;  /* forgotten after call_timeout unfinished */
	uint64_t evicted_agents;
} csla_engine_stats_t;

void csla_engine_stats(const csla_engine_t *e, csla_engine_stats_t *st);

#endif
