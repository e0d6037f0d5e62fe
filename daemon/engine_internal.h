/* engine_internal.h - the engine's state, shared by engine*.c only.
 *
 * Per tenant: named entities (queues, teams, agents) in arrays indexed by
 * uint32_t and found through a hash map; queue outcomes and handle ends as
 * records sorted by time; per agent, a time-sorted log of state changes;
 * the calls the tenant still has to remember; the event ids seen.  Windows
 * are computed from records and logs at snapshot time, so every window is
 * exact to the millisecond; what falls behind the horizon is folded into the
 * `today` sums of each scope (fold.c). */
#ifndef CALLSLA_ENGINE_INTERNAL_H
#define CALLSLA_ENGINE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "callsla/engine.h"
#include "hashmap.h"
#include "idset.h"
#include "util.h"

#define NONE UINT32_MAX

/* Folded sums of one local day. */
typedef struct day_sums {
	int64_t day;   /* local day number the sums belong to; INT64_MIN: none */
	csla_agg_t agg;
} day_sums_t;

typedef struct name {
	char *p;       /* owned, NUL-terminated */
	uint32_t len;
	uint64_t h;
	/* p's first bytes, zero-padded: lookups compare names up to this long
	 * here, in the entity's own cache line, instead of reading p. */
	char head[16];
} name_t;

typedef struct queue {
	name_t name;
	csla_queue_conf_t qc;
	day_sums_t day;
	uint32_t waiting;
} queue_t;

typedef struct team {
	name_t name;
	day_sums_t day;
} team_t;

/* One agent state, in force from t until the next entry's t.  `since` is
 * when the agent entered this state: an entry that only changed team or
 * queues continues the previous entry's state. */
typedef struct agent_ent {
	int64_t t;
	int64_t since;
	uint32_t team;
	uint32_t qset;
	uint8_t state;
} agent_ent_t;

typedef struct agent {
	/* What every event of the agent reads comes first, in two cache
	 * lines the pipe prefetches (a call event reads the name, last_seen
	 * and team); the day sums are read only by folds, from lines of their
	 * own.  Agents live in a csla_table_take array, which starts on a
	 * line. */
	_Alignas(64) name_t name; /* name.p == NULL: free slot */
	/* Live entries are log[0..nlog), inside an allocation of caplog
	 * entries at lbase: folding advances log instead of moving entries;
	 * the space is reclaimed when an insert needs it. */
	agent_ent_t *log;
	int64_t last_seen; /* newest event time that named the agent */
	uint32_t nlog, caplog;
	/* A copy of log[nlog - 1]: the usual event appends after it, and
	 * reading the log itself would be a cache miss per event. */
	agent_ent_t tail;
	/* log[1].t when last looked: entries are folded in batches once the
	 * fold point is FOLD_SLACK_MS past it (INT64_MAX: nothing to fold). */
	int64_t fold_at;
	agent_ent_t *lbase;
	uint32_t team;     /* sticky, for events that do not say */
	uint32_t qset;
	_Alignas(64) day_sums_t day;
} agent_t;

/* A set of queues an agent serves, interned per tenant: agents and log
 * entries refer to it by index.  Index 0 is the empty set. */
typedef struct qset {
	uint32_t n;
	uint32_t *q;
	uint64_t h;
} qset_t;

enum rec_kind { REC_ANSWERED, REC_ABANDONED, REC_FLOWOUT, REC_HANDLED };
enum rec_flag { RF_IN_SL = 1, RF_IN_RINGS = 2, RF_SHORT = 4 };

/* A queue outcome (at the outcome time) or a handle end (at its end). */
typedef struct rec {
	int64_t t;
	uint32_t queue, agent, team;
	uint32_t ms;  /* wait, or talk + hold + acw for REC_HANDLED */
	uint8_t kind, flags;
} rec_t;

enum call_outcome { CO_NONE = 0, CO_ANSWERED, CO_ABANDONED, CO_FLOWOUT };

/* Call ids up to this long are stored inline: a call fits a cache line. */
#define CALL_ID_INLINE 32

typedef struct call {
	union {
		char in[CALL_ID_INLINE];
		char *ext;          /* idlen > CALL_ID_INLINE */
	} id;
	int64_t offered_at; /* CSLA_NO_MS: never seen offered */
	int64_t last_t;     /* newest time of any event of the call */
	uint32_t queue;     /* NONE: unknown */
	uint32_t gen;       /* bumped on reuse: stale expiry entries skip it */
	uint8_t idlen;
	uint8_t outcome;    /* enum call_outcome */
	bool ended;
	bool waiting;       /* counted in queue->waiting */
	bool live;
} call_t;

static inline const char *call_id(const call_t *c)
{
	return c->idlen > CALL_ID_INLINE ? c->id.ext : c->id.in;
}

/* Calls to look at again, filed by the minute they may expire in: a timing
 * wheel of WHEEL_MINUTES slots (later minutes are filed in the last slot
 * and looked at again then). */
#define WHEEL_MINUTES 1024

typedef struct expiry {
	uint32_t call, gen;
} expiry_t;

typedef struct wheel_slot {
	expiry_t *e;
	uint32_t n, cap;
} wheel_slot_t;

typedef struct tenant {
	name_t name;
	const csla_tenant_conf_t *tc;
	const csla_tz_t *tz;
	csla_queue_conf_t qc; /* the tenant scope's own settings */
	day_sums_t day;
	/* The local day last folded into, [day_lo, day_hi) in UTC ms: most
	 * folds land in it, and time zone lookups are not free. */
	int64_t day_lo, day_hi, day_no;

	queue_t *queues;
	uint32_t nqueues, capqueues;
	csla_map_t queue_map;
	team_t *teams;
	uint32_t nteams, capteams;
	csla_map_t team_map;
	agent_t *agents;
	uint32_t nagents, capagents;
	csla_map_t agent_map;
	csla_freelist_t free_agents;
	qset_t *qsets;
	uint32_t nqsets, capqsets;
	csla_map_t qset_map;

	/* Records sorted by t, live in [rhead, nrecs); those before
	 * rfold_upto are already in the day sums. */
	rec_t *recs;
	uint32_t rhead, nrecs, caprecs;
	int64_t rfold_upto;

	call_t *calls;
	uint32_t ncalls, capcalls;
	csla_map_t call_map;
	csla_freelist_t free_calls;
	wheel_slot_t wheel[WHEEL_MINUTES];
	int64_t wheel_minute; /* every minute before it has been looked at */

	csla_idset_t ids;

	int64_t last_sweep;
} tenant_t;

struct csla_engine {
	const csla_conf_t *conf;
	int64_t event_now;
	int64_t keep_ms;    /* how far back records and logs must reach */
	tenant_t *tenants;
	uint32_t ntenants, captenants;
	csla_map_t tenant_map;
	uint32_t last_tenant;
	csla_engine_stats_t st;
};

/* The hashes of an event's identifiers (of "" for a field it lacks), worked
 * out once per event: the prefetch and the apply step both need them.  The
 * prefetch's second stage notes where the agent probably is for its third
 * (NONE: not known). */
typedef struct eng_keys {
	uint64_t id, call, agent, queue;
	uint32_t agent_at;
} eng_keys_t;

/* a[0..len) == b[0..len), inline for the short identifiers of the apply
 * path (memcmp is a call): two overlapping word compares cover 4 to 16
 * bytes, and nothing outside either string is read. */
static inline bool eng_same(const char *a, const char *b, uint32_t len)
{
	if (len > 16)
		return memcmp(a, b, len) == 0;
	if (len >= 8) {
		uint64_t x, y, u, v;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		memcpy(&u, a + len - 8, 8);
		memcpy(&v, b + len - 8, 8);
		return ((x ^ y) | (u ^ v)) == 0;
	}
	if (len >= 4) {
		uint32_t x, y, u, v;
		memcpy(&x, a, 4);
		memcpy(&y, b, 4);
		memcpy(&u, a + len - 4, 4);
		memcpy(&v, b + len - 4, 4);
		return ((x ^ y) | (u ^ v)) == 0;
	}
	for (uint32_t i = 0; i < len; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* engine.c */
void eng_keys(const csla_event_t *ev, eng_keys_t *k);
/* csla_engine_prefetch and csla_engine_apply with the event's keys.  The
 * prefetch comes in three stages, a few events apart, each reading only
 * what the one before fetched: the hash slots (and the event id's), then
 * the agent and the call they point to, then what the agent points to. */
void eng_prefetch(const csla_engine_t *e, const csla_event_t *ev,
		  const eng_keys_t *k);
void eng_prefetch_entities(const csla_engine_t *e, const csla_event_t *ev,
			   eng_keys_t *k);
void eng_prefetch_agent(const csla_engine_t *e, const csla_event_t *ev,
			const eng_keys_t *k);
csla_reject_t eng_apply(csla_engine_t *e, const csla_event_t *ev,
			const eng_keys_t *k, int64_t wall_ms);
/* A new tenant with no state, its settings resolved from e's conf. */
void eng_tenant_init(const csla_engine_t *e, tenant_t *t, const char *name,
		     uint32_t len);
/* Moves t (from eng_tenant_init) into the engine; returns its index.
 * Pointers into e->tenants taken before are stale. */
uint32_t eng_tenant_add(csla_engine_t *e, const tenant_t *t);
void eng_tenant_free(tenant_t *t);
/* Pointers to the engine's tenants in byte order of their names; the
 * caller frees the array. */
tenant_t **eng_tenant_order(const csla_engine_t *e);
/* Gives n a copy of p[0..len) as its name, with hash h. */
void eng_name_set(name_t *n, const char *p, uint32_t len, uint64_t h);

static inline bool eng_name_is(const name_t *n, const char *p, uint32_t len)
{
	if (n->len != len)
		return false;
	return len <= sizeof n->head ? eng_same(n->head, p, len)
				     : eng_same(n->p, p, len);
}

uint32_t eng_name_find(const csla_map_t *m, const void *arr, size_t stride,
		       const char *p, uint32_t len, uint64_t h);
void eng_tenant_conf(const csla_engine_t *e, tenant_t *t);
/* The index of the queue / team `name` (h its hash), added on first use. */
uint32_t eng_queue(tenant_t *t, const csla_conf_t *conf, csla_str_t name,
		   uint64_t h);
uint32_t eng_team(tenant_t *t, csla_str_t name, uint64_t h);

/* engine_agents.c */
/* Folding a few log entries at a time reads them in one sequential sweep:
 * an agent's are folded once the fold point is this far past fold_at. */
#define FOLD_SLACK_MS (10 * 60000)

static inline bool eng_agent_fold_due(const tenant_t *t, const agent_t *a)
{
	return t->rfold_upto >= a->fold_at &&
	       t->rfold_upto - a->fold_at >= FOLD_SLACK_MS;
}

uint32_t eng_agent(tenant_t *t, csla_str_t name, uint64_t h, int64_t ts);
csla_reject_t eng_agent_event(csla_engine_t *e, tenant_t *t,
			      const csla_event_t *ev, const eng_keys_t *k);
/* What the end of log entry `cur` (the agent's next entry is `next`) means
 * for ring metrics: 1 answered within R, -1 ring-no-answer, 0 neither. */
int eng_ring_result(const tenant_t *t, const agent_ent_t *cur,
		    const agent_ent_t *next);
void eng_agents_evict(csla_engine_t *e, tenant_t *t, int64_t now);
void eng_agent_free(agent_t *a);
/* The index of the set of n queues ids[] (1 <= n, in the agent's order),
 * interned on first use. */
uint32_t eng_qset(tenant_t *t, const uint32_t *ids, uint32_t n);

/* engine_calls.c */
/* A call slot to use: a freed one (old contents kept), else a new one at
 * the end, zeroed.  Pointers into t->calls taken before are stale. */
uint32_t eng_call_slot(tenant_t *t);
/* Releases t->calls. */
void eng_calls_free(tenant_t *t);
/* Gives call slot i its id (copied) and makes it live and findable. */
void eng_call_name(tenant_t *t, uint32_t i, csla_str_t id, uint64_t h);
/* The index of the live call `id` (h its hash), or NONE. */
uint32_t eng_call_find(const tenant_t *t, csla_str_t id, uint64_t h);
csla_reject_t eng_call_event(csla_engine_t *e, tenant_t *t,
			     const csla_event_t *ev, const eng_keys_t *k);
csla_reject_t eng_cdr_event(csla_engine_t *e, tenant_t *t,
			    const csla_event_t *ev, const eng_keys_t *k);
void eng_calls_expire(csla_engine_t *e, tenant_t *t, int64_t now);
void eng_recs_fold(csla_engine_t *e, tenant_t *t, int64_t upto);

/* fold.c: adding to the `today` sums */
/* A ring result (eng_ring_result, non-zero) of the agent at `at`. */
void fold_ring(tenant_t *t, uint32_t agent, uint32_t team, int64_t at,
	       int result);
void fold_rec(tenant_t *t, const rec_t *r);
void fold_state(tenant_t *t, uint32_t agent, const agent_ent_t *ent,
		int64_t end);
void rec_add(csla_agg_t *a, const rec_t *r);

/* engine_snapshot.c */
void eng_snapshot_tenant(csla_engine_t *e, tenant_t *t, int64_t now,
			 csla_snapshot_cb cb, void *opaque);

#endif
