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

/* What csla_engine_snapshot_select() computes: one window of one scope,
 * for the tenants and ids that match globs (fnmatch(3), no flags; NULL or
 * "*" is every one), and only the parts of the rows named in `need`. */
enum {
	CSLA_SEL_RECORDS = 1, /* call outcomes and handling (and `today`) */
	CSLA_SEL_AGENTS = 2,  /* agent-state time, ring results */
	CSLA_SEL_GAUGES = 4,  /* live gauges (queue and tenant rows) */
	CSLA_SEL_ALL = 7,
};

typedef struct csla_select {
	const char *tenant;
	csla_scope_t scope;
	const char *id;       /* a tenant row's id is the tenant's name */
	const char *window;   /* "15m", "cur30m", "today": none if unknown */
	unsigned need;        /* CSLA_SEL_*; parts not asked for are zero
				 (and gauges absent) */
} csla_select_t;

/* The rows of csla_engine_snapshot() that sel picks, in the same order,
 * as of now_ms.  With CSLA_SEL_ALL each row is equal to the full
 * snapshot's; the cost is in proportion to the rows picked and the
 * records inside the window, not to everything the engine holds (the
 * alert rules evaluate this way every second). */
void csla_engine_snapshot_select(csla_engine_t *e, int64_t now_ms,
				 const csla_select_t *sel, csla_snapshot_cb cb,
				 void *opaque);

/* Checkpoints: a tenant's whole state as bytes, so that a daemon can keep
 * it next to its Kafka offset and resume exactly (docs/engine.md,
 * "Checkpoints").  The encoding is versioned, little-endian whatever the
 * host, and deterministic: the same state always gives the same bytes. */
typedef struct csla_buf {
	char *p;
	size_t len, cap;
} csla_buf_t;

void csla_buf_free(csla_buf_t *b);
/* Appends n bytes, or v as 8 little-endian bytes, growing b. */
void csla_buf_put(csla_buf_t *b, const void *p, size_t n);
void csla_buf_put_u64(csla_buf_t *b, uint64_t v);

/* Calls cb with the name of every tenant the engine holds, in byte order. */
void csla_engine_tenants(const csla_engine_t *e,
			 void (*cb)(void *opaque, csla_str_t tenant),
			 void *opaque);

/* Appends the state of tenant `name` to out (which the caller owns and
 * frees with csla_buf_free).  Returns 0, or -1 when the engine holds no such
 * tenant. */
int csla_engine_save_tenant(const csla_engine_t *e, csla_str_t name,
			    csla_buf_t *out);

/* Replaces (or creates) the tenant described by data[0..len), as saved by
 * csla_engine_save_tenant(), possibly by another process.  The event clock
 * becomes the later of the engine's and the saved one.  Returns 0, or -1
 * with errstr when the bytes are not a valid state (truncated, wrong
 * version, inconsistent): the engine is then unchanged. */
int csla_engine_load_tenant(csla_engine_t *e, const void *data, size_t len,
			    char *errstr, size_t errlen);

/* Forgets a tenant (its partition was lost to another daemon). */
void csla_engine_drop_tenant(csla_engine_t *e, csla_str_t name);

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
