/* engine_state.c - checkpoints (docs/engine.md, "Checkpoints"): a tenant's
 * whole state as bytes and back, and the listing and dropping of tenants
 * that go with them.
 *
 * The bytes are the state itself, table by table in index order, so the
 * indexes that records, logs, calls and the timing wheel hold stay valid as
 * they are: free agent and call slots are saved as empty entries, and the
 * free lists in the order they will be reused.  Hash maps are not saved but
 * rebuilt, and event ids are saved sorted, so the bytes depend on the state
 * alone, never on how a table happens to be laid out in memory.  Loading
 * builds a tenant of its own, checks every count, index, enum, time and
 * cross-reference the engine relies on, and touches the engine only once
 * all is well. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "util.h"

#define MAGIC "CSLA"
#define VERSION 1

/* A field added to one of these must be added here too, with a new
 * VERSION: the sizes make the build say so (LP64, where it is built). */
#if UINTPTR_MAX == UINT64_MAX
_Static_assert(sizeof(csla_agg_t) == 20 * 8, "csla_agg_t changed");
_Static_assert(sizeof(queue_t) == 256, "queue_t changed");
_Static_assert(sizeof(team_t) == 208, "team_t changed");
_Static_assert(sizeof(agent_t) == 320, "agent_t changed");
_Static_assert(sizeof(agent_ent_t) == 32, "agent_ent_t changed");
_Static_assert(sizeof(rec_t) == 32, "rec_t changed");
_Static_assert(sizeof(call_t) == 64, "call_t changed");
_Static_assert(sizeof(tenant_t) == 16944, "tenant_t changed");
#endif

/* In place of a name's length: a free agent slot. */
#define FREE_SLOT UINT32_MAX

enum call_flags { CF_LIVE = 1, CF_ENDED = 2, CF_WAITING = 4 };

/* Bytes of the fixed-size items, for bounding counts before allocating. */
#define DAY_BYTES (8 + 20 * 8)
#define ENT_BYTES (8 + 8 + 4 + 4 + 1)
#define REC_BYTES (8 + 4 * 4 + 1 + 1)

/* Event times are of years 1..9999, what the decoder accepts (timefmt.h);
 * other clock readings stay within +-2^61 ms, so that the engine's sums and
 * differences of two of them cannot overflow. */
#define TS_MIN (-62135596800000LL) /* 0001-01-01T00:00:00.000Z */
#define TS_MAX 253402300799999LL   /* 9999-12-31T23:59:59.999Z */
#define CLOCK_LIM ((int64_t)1 << 61)
/* One scope's state time in a day: far above any real sum (a million
 * agents for 25 hours is under 2^47), far enough below INT64_MAX that the
 * sums a snapshot makes of them cannot overflow. */
#define STATE_MS_MAX ((int64_t)1 << 52)

static bool ts_ok(int64_t t)
{
	return t >= TS_MIN && t <= TS_MAX;
}

static bool clock_ok(int64_t t)
{
	return t >= -CLOCK_LIM && t <= CLOCK_LIM;
}

void csla_buf_free(csla_buf_t *b)
{
	free(b->p);
	*b = (csla_buf_t){ 0 };
}

/* ---- writing ------------------------------------------------------------ */

void csla_buf_put(csla_buf_t *b, const void *p, size_t n)
{
	if (!n) /* an empty buffer has no memory to copy nothing into */
		return;
	csla_reserve(&b->p, &b->cap, b->len, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* Little-endian, whatever the host. */
static void put_le(csla_buf_t *b, uint64_t v, size_t bytes)
{
	unsigned char x[8];
	for (size_t i = 0; i < bytes; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	csla_buf_put(b, x, bytes);
}

void csla_buf_put_u64(csla_buf_t *b, uint64_t v)
{
	put_le(b, v, 8);
}

static void put_u8(csla_buf_t *b, uint8_t v)
{
	put_le(b, v, 1);
}

static void put_u32(csla_buf_t *b, uint32_t v)
{
	put_le(b, v, 4);
}

static void put_i64(csla_buf_t *b, int64_t v)
{
	put_le(b, (uint64_t)v, 8);
}

static void put_str(csla_buf_t *b, const char *p, uint32_t len)
{
	put_u32(b, len);
	csla_buf_put(b, p, len);
}

static void put_day(csla_buf_t *b, const day_sums_t *d)
{
	const csla_agg_t *a = &d->agg;
	put_i64(b, d->day);
	csla_buf_put_u64(b, a->answered);
	csla_buf_put_u64(b, a->answered_in_sl);
	csla_buf_put_u64(b, a->answered_in_rings);
	csla_buf_put_u64(b, a->abandoned);
	csla_buf_put_u64(b, a->abandoned_in_sl);
	csla_buf_put_u64(b, a->short_abandoned);
	csla_buf_put_u64(b, a->flowout);
	csla_buf_put_u64(b, a->wait_answered_ms);
	put_i64(b, a->max_wait_ms);
	csla_buf_put_u64(b, a->handled);
	csla_buf_put_u64(b, a->handle_ms);
	csla_buf_put_u64(b, a->ring_in_rings);
	csla_buf_put_u64(b, a->rona);
	for (int s = 0; s < CSLA_AS_COUNT; s++)
		put_i64(b, a->state_ms[s]);
}

static void put_free(csla_buf_t *b, const csla_freelist_t *fl)
{
	put_u32(b, fl->n);
	for (uint32_t i = 0; i < fl->n; i++)
		put_u32(b, fl->idx[i]);
}

static void save_entities(csla_buf_t *b, const tenant_t *t)
{
	put_u32(b, t->nqueues);
	for (uint32_t i = 0; i < t->nqueues; i++) {
		const queue_t *q = &t->queues[i];
		put_str(b, q->name.p, q->name.len);
		put_day(b, &q->day);
		put_u32(b, q->waiting);
	}
	put_u32(b, t->nteams);
	for (uint32_t i = 0; i < t->nteams; i++) {
		put_str(b, t->teams[i].name.p, t->teams[i].name.len);
		put_day(b, &t->teams[i].day);
	}
	/* Set 0, the empty one, is every tenant's. */
	put_u32(b, t->nqsets - 1);
	for (uint32_t i = 1; i < t->nqsets; i++) {
		put_u32(b, t->qsets[i].n);
		for (uint32_t k = 0; k < t->qsets[i].n; k++)
			put_u32(b, t->qsets[i].q[k]);
	}
}

/* The tail is not saved: it is a copy of the last log entry. */
static void save_agents(csla_buf_t *b, const tenant_t *t)
{
	put_u32(b, t->nagents);
	for (uint32_t i = 0; i < t->nagents; i++) {
		const agent_t *a = &t->agents[i];
		if (!a->name.p) {
			put_u32(b, FREE_SLOT);
			continue;
		}
		put_str(b, a->name.p, a->name.len);
		put_day(b, &a->day);
		put_i64(b, a->last_seen);
		put_u32(b, a->team);
		put_u32(b, a->qset);
		put_i64(b, a->fold_at);
		put_u32(b, a->nlog);
		for (uint32_t k = 0; k < a->nlog; k++) {
			const agent_ent_t *x = &a->log[k];
			put_i64(b, x->t);
			put_i64(b, x->since);
			put_u32(b, x->team);
			put_u32(b, x->qset);
			put_u8(b, x->state);
		}
	}
	put_free(b, &t->free_agents);
}

static void save_recs(csla_buf_t *b, const tenant_t *t)
{
	put_u32(b, t->nrecs - t->rhead);
	for (uint32_t i = t->rhead; i < t->nrecs; i++) {
		const rec_t *r = &t->recs[i];
		put_i64(b, r->t);
		put_u32(b, r->queue);
		put_u32(b, r->agent);
		put_u32(b, r->team);
		put_u32(b, r->ms);
		put_u8(b, r->kind);
		put_u8(b, r->flags);
	}
}

/* Every live call has exactly one wheel entry, under the minute it is to
 * be looked at next: call_new files it once, and looking at it either
 * files it again or forgets it.  So an entry is saved as its call's index,
 * in its slot and in slot order: the restored wheel looks at the same
 * calls at the same minutes, in the same order. */
static void save_calls(csla_buf_t *b, const tenant_t *t)
{
	put_u32(b, t->ncalls);
	for (uint32_t i = 0; i < t->ncalls; i++) {
		const call_t *c = &t->calls[i];
		put_u32(b, c->gen);
		if (!c->live) {
			put_u8(b, 0);
			continue;
		}
		put_u8(b, CF_LIVE | (c->ended ? CF_ENDED : 0) |
				  (c->waiting ? CF_WAITING : 0));
		put_u8(b, c->idlen);
		csla_buf_put(b, call_id(c), c->idlen);
		put_i64(b, c->offered_at);
		put_i64(b, c->last_t);
		put_u32(b, c->queue);
		put_u8(b, c->outcome);
	}
	put_free(b, &t->free_calls);

	put_i64(b, t->wheel_minute);
	uint32_t used = 0;
	for (uint32_t s = 0; s < WHEEL_MINUTES; s++)
		used += t->wheel[s].n > 0;
	put_u32(b, used);
	for (uint32_t s = 0; s < WHEEL_MINUTES; s++) {
		const wheel_slot_t *ws = &t->wheel[s];
		if (!ws->n)
			continue;
		put_u32(b, s);
		put_u32(b, ws->n);
		for (uint32_t k = 0; k < ws->n; k++)
			put_u32(b, ws->e[k].call);
	}
}

/* An LSD radix sort a byte at a time, ending in k (8 passes): ids are
 * uniform hashes, millions of them, where qsort takes most of a second. */
static void sort_u64(uint64_t *k, uint64_t *tmp, uint32_t n)
{
	for (int shift = 0; shift < 64; shift += 8) {
		uint32_t at[257] = { 0 };
		for (uint32_t i = 0; i < n; i++)
			at[((k[i] >> shift) & 255) + 1]++;
		for (int d = 0; d < 256; d++)
			at[d + 1] += at[d];
		for (uint32_t i = 0; i < n; i++)
			tmp[at[(k[i] >> shift) & 255]++] = k[i];
		uint64_t *x = k;
		k = tmp;
		tmp = x;
	}
}

/* Sorted: slot order depends on the order of insertion. */
static void put_ids(csla_buf_t *b, const csla_idset_t *ids, bool old)
{
	uint32_t n;
	uint64_t *k = csla_idset_keys(ids, old, &n);
	uint64_t *tmp = csla_xmalloc(((size_t)n + 1) * sizeof *tmp);
	sort_u64(k, tmp, n);
	put_u32(b, n);
	for (uint32_t i = 0; i < n; i++)
		csla_buf_put_u64(b, k[i]);
	free(tmp);
	free(k);
}

int csla_engine_save_tenant(const csla_engine_t *e, csla_str_t name,
			    csla_buf_t *out)
{
	uint32_t i = eng_name_find(&e->tenant_map, e->tenants, sizeof(tenant_t),
				   name.p, name.len,
				   csla_hash(name.p, name.len));
	if (i == NONE)
		return -1;
	const tenant_t *t = &e->tenants[i];
	csla_buf_put(out, MAGIC, 4);
	put_u32(out, VERSION);
	put_str(out, t->name.p, t->name.len);
	put_i64(out, e->event_now);
	put_day(out, &t->day);
	put_i64(out, t->rfold_upto);
	put_i64(out, t->last_sweep);
	save_entities(out, t);
	save_agents(out, t);
	save_recs(out, t);
	save_calls(out, t);
	put_i64(out, t->ids.cur_since);
	put_ids(out, &t->ids, true);
	put_ids(out, &t->ids, false);
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

/* The bytes being read; the first error sticks, and every read after it
 * returns zeros. */
typedef struct rd {
	const unsigned char *p;
	size_t len, off;
	bool bad;
	char *err;
	size_t errlen;
} rd_t;

static bool fail(rd_t *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool fail(rd_t *r, const char *fmt, ...)
{
	if (!r->bad && r->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->err, r->errlen, fmt, ap);
		va_end(ap);
	}
	r->bad = true;
	return false;
}

static const unsigned char *take(rd_t *r, size_t n)
{
	if (r->bad)
		return NULL;
	if (r->len - r->off < n) {
		fail(r, "truncated: %zu bytes end inside the state", r->len);
		return NULL;
	}
	r->off += n;
	return r->p + r->off - n;
}

static uint64_t get_le(rd_t *r, size_t bytes)
{
	const unsigned char *p = take(r, bytes);
	uint64_t v = 0;
	for (size_t i = 0; p && i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint8_t get_u8(rd_t *r)
{
	return (uint8_t)get_le(r, 1);
}

static uint32_t get_u32(rd_t *r)
{
	return (uint32_t)get_le(r, 4);
}

static uint64_t get_u64(rd_t *r)
{
	return get_le(r, 8);
}

static int64_t get_i64(rd_t *r)
{
	return (int64_t)get_le(r, 8);
}

/* A count of items that take at least `least` bytes each: more than the
 * bytes left can hold is corruption, not an allocation to attempt. */
static uint32_t get_count(rd_t *r, size_t least, const char *what)
{
	uint32_t n = get_u32(r);
	if (!r->bad && n > (r->len - r->off) / least) {
		fail(r, "truncated: %s: %u cannot fit in the %zu bytes left",
		     what, n, r->len - r->off);
		return 0;
	}
	return n;
}

/* A name or id: 0..CSLA_ID_MAX bytes. */
static bool get_name(rd_t *r, uint32_t len, csla_str_t *out, const char *what,
		     uint32_t i)
{
	*out = (csla_str_t){ NULL, 0 };
	if (!r->bad && len > CSLA_ID_MAX)
		return fail(r, "%s %u: name of %u bytes", what, i, len);
	out->p = (const char *)take(r, len);
	out->len = len;
	return !r->bad;
}

static bool get_day(rd_t *r, day_sums_t *d, const char *what, uint32_t i)
{
	csla_agg_t *a = &d->agg;
	d->day = get_i64(r);
	a->answered = get_u64(r);
	a->answered_in_sl = get_u64(r);
	a->answered_in_rings = get_u64(r);
	a->abandoned = get_u64(r);
	a->abandoned_in_sl = get_u64(r);
	a->short_abandoned = get_u64(r);
	a->flowout = get_u64(r);
	a->wait_answered_ms = get_u64(r);
	a->max_wait_ms = get_i64(r);
	a->handled = get_u64(r);
	a->handle_ms = get_u64(r);
	a->ring_in_rings = get_u64(r);
	a->rona = get_u64(r);
	for (int s = 0; s < CSLA_AS_COUNT; s++)
		a->state_ms[s] = get_i64(r);
	if (r->bad)
		return false;
	if (a->max_wait_ms < -1)
		return fail(r, "%s %u: longest wait %lld ms", what, i,
			    (long long)a->max_wait_ms);
	for (int s = 0; s < CSLA_AS_COUNT; s++)
		if (a->state_ms[s] < 0 || a->state_ms[s] > STATE_MS_MAX)
			return fail(r, "%s %u: %s time %lld ms", what, i,
				    csla_agent_state_name(s),
				    (long long)a->state_ms[s]);
	return true;
}

/* NONE, or an index below n. */
static bool ref_ok(uint32_t v, uint32_t n)
{
	return v == NONE || v < n;
}

static bool load_entities(rd_t *r, const csla_engine_t *e, tenant_t *t)
{
	csla_str_t name;
	uint32_t n = get_count(r, 4 + DAY_BYTES + 4, "queues");
	for (uint32_t i = 0; i < n; i++) {
		if (!get_name(r, get_u32(r), &name, "queue", i))
			return false;
		if (eng_queue(t, e->conf, name,
			      csla_hash(name.p, name.len)) != i)
			return fail(r, "queue %u: a second queue of that name",
				    i);
		if (!get_day(r, &t->queues[i].day, "queue", i))
			return false;
		t->queues[i].waiting = get_u32(r);
	}
	n = get_count(r, 4 + DAY_BYTES, "teams");
	for (uint32_t i = 0; i < n; i++) {
		if (!get_name(r, get_u32(r), &name, "team", i))
			return false;
		if (eng_team(t, name, csla_hash(name.p, name.len)) != i)
			return fail(r, "team %u: a second team of that name", i);
		if (!get_day(r, &t->teams[i].day, "team", i))
			return false;
	}
	n = get_count(r, 4 + 4, "queue sets");
	for (uint32_t i = 1; i <= n; i++) {
		uint32_t ids[CSLA_MAX_AGENT_QUEUES];
		uint32_t k = get_u32(r);
		if (!r->bad && (k < 1 || k > CSLA_MAX_AGENT_QUEUES))
			return fail(r, "queue set %u: %u queues", i, k);
		for (uint32_t j = 0; j < k && !r->bad; j++) {
			ids[j] = get_u32(r);
			if (!r->bad && ids[j] >= t->nqueues)
				return fail(r, "queue set %u: no queue %u", i,
					    ids[j]);
			for (uint32_t l = 0; l < j; l++)
				if (ids[l] == ids[j])
					return fail(r, "queue set %u: queue "
						    "%u twice", i, ids[j]);
		}
		if (r->bad)
			return false;
		if (eng_qset(t, ids, k) != i)
			return fail(r, "queue set %u: the same as another", i);
	}
	return !r->bad;
}

static bool load_log(rd_t *r, tenant_t *t, agent_t *a, uint32_t i)
{
	uint32_t n = get_count(r, ENT_BYTES, "agent log");
	if (!n)
		return !r->bad;
	csla_grow(&a->lbase, &a->caplog, n, sizeof(agent_ent_t));
	a->log = a->lbase;
	for (uint32_t k = 0; k < n; k++) {
		agent_ent_t *x = &a->log[k];
		x->t = get_i64(r);
		x->since = get_i64(r);
		x->team = get_u32(r);
		x->qset = get_u32(r);
		x->state = get_u8(r);
		if (r->bad)
			return false;
		if (!ts_ok(x->t) || (k && x->t < x[-1].t))
			return fail(r, "agent %u: log entry %u out of order",
				    i, k);
		if (!ts_ok(x->since) || x->since > x->t)
			return fail(r, "agent %u: log entry %u began later",
				    i, k);
		if (!ref_ok(x->team, t->nteams) || x->qset >= t->nqsets ||
		    x->state >= CSLA_AS_COUNT)
			return fail(r, "agent %u: log entry %u: no team %u, "
				    "queue set %u or state %u", i, k, x->team,
				    x->qset, x->state);
	}
	a->nlog = n;
	a->tail = a->log[n - 1];
	return true;
}

static bool load_agents(rd_t *r, tenant_t *t)
{
	uint32_t n = get_count(r, 4, "agents");
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len = get_u32(r);
		csla_str_t name;
		if (len == FREE_SLOT) {
			/* Appended zeroed: the free list is still empty. */
			csla_table_take(&t->agents, &t->nagents, &t->capagents,
					sizeof(agent_t), &t->free_agents);
			continue;
		}
		if (!get_name(r, len, &name, "agent", i))
			return false;
		if (eng_agent(t, name, csla_hash(name.p, name.len), 0) != i)
			return fail(r, "agent %u: a second agent of that name",
				    i);
		agent_t *a = &t->agents[i];
		if (!get_day(r, &a->day, "agent", i))
			return false;
		a->last_seen = get_i64(r);
		a->team = get_u32(r);
		a->qset = get_u32(r);
		a->fold_at = get_i64(r);
		if (r->bad)
			return false;
		if (!clock_ok(a->last_seen) ||
		    (a->fold_at != INT64_MAX && !ts_ok(a->fold_at)))
			return fail(r, "agent %u: times out of range", i);
		if (!ref_ok(a->team, t->nteams) || a->qset >= t->nqsets)
			return fail(r, "agent %u: no team %u or queue set %u",
				    i, a->team, a->qset);
		if (!load_log(r, t, a, i))
			return false;
	}
	return !r->bad;
}

/* A free list: every free slot (isfree[i] == 1) once, in the order the
 * slots will be reused.  Marks the listed ones 2. */
static bool load_free(rd_t *r, csla_freelist_t *fl, uint8_t *isfree,
		      uint32_t nslots, const char *what)
{
	uint32_t nfree = 0;
	for (uint32_t i = 0; i < nslots; i++)
		nfree += isfree[i];
	uint32_t n = get_count(r, 4, what);
	if (!r->bad && n != nfree)
		return fail(r, "%s: %u listed, %u free", what, n, nfree);
	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = get_u32(r);
		if (r->bad)
			return false;
		if (i >= nslots || isfree[i] != 1)
			return fail(r, "%s: slot %u is not free or listed twice",
				    what, i);
		isfree[i] = 2;
		csla_slot_give(fl, i);
	}
	return !r->bad;
}

static bool load_free_agents(rd_t *r, tenant_t *t)
{
	uint8_t *isfree = csla_xcalloc((size_t)t->nagents + 1, 1);
	for (uint32_t i = 0; i < t->nagents; i++)
		isfree[i] = !t->agents[i].name.p;
	bool ok = load_free(r, &t->free_agents, isfree, t->nagents,
			    "free agent slots");
	free(isfree);
	return ok;
}

/* A record may name an agent whose slot is free since: it is counted in
 * sums nobody reads, as in the engine that saved it. */
static bool load_recs(rd_t *r, tenant_t *t)
{
	uint32_t n = get_count(r, REC_BYTES, "records");
	if (n)
		csla_grow(&t->recs, &t->caprecs, n, sizeof(rec_t));
	for (uint32_t i = 0; i < n; i++) {
		rec_t *x = &t->recs[i];
		x->t = get_i64(r);
		x->queue = get_u32(r);
		x->agent = get_u32(r);
		x->team = get_u32(r);
		x->ms = get_u32(r);
		x->kind = get_u8(r);
		x->flags = get_u8(r);
		if (r->bad)
			return false;
		/* Records behind the fold point are in the day sums. */
		if (!ts_ok(x->t) || x->t < t->rfold_upto ||
		    (i && x->t < x[-1].t))
			return fail(r, "record %u: out of order", i);
		if (!ref_ok(x->queue, t->nqueues) ||
		    !ref_ok(x->agent, t->nagents) ||
		    !ref_ok(x->team, t->nteams))
			return fail(r, "record %u: no queue %u, agent %u or "
				    "team %u", i, x->queue, x->agent, x->team);
		if (x->kind > REC_HANDLED ||
		    x->flags > (RF_IN_SL | RF_IN_RINGS | RF_SHORT))
			return fail(r, "record %u: kind %u, flags %u", i,
				    x->kind, x->flags);
		t->nrecs = i + 1;
	}
	return !r->bad;
}

static bool load_call(rd_t *r, tenant_t *t, uint32_t i)
{
	call_t *c = &t->calls[i];
	c->gen = get_u32(r);
	uint8_t f = get_u8(r);
	if (!r->bad && (f & ~(CF_LIVE | CF_ENDED | CF_WAITING)))
		return fail(r, "call %u: flags %u", i, f);
	if (!(f & CF_LIVE)) {
		if (!r->bad && f)
			return fail(r, "call %u: a free slot with flags %u", i,
				    f);
		return !r->bad;
	}
	csla_str_t id;
	if (!get_name(r, get_u8(r), &id, "call", i))
		return false;
	uint64_t h = csla_hash(id.p, id.len);
	if (eng_call_find(t, id, h) != NONE)
		return fail(r, "call %u: a second call of that id", i);
	eng_call_name(t, i, id, h);
	c->ended = f & CF_ENDED;
	c->waiting = f & CF_WAITING;
	c->offered_at = get_i64(r);
	c->last_t = get_i64(r);
	c->queue = get_u32(r);
	c->outcome = get_u8(r);
	if (r->bad)
		return false;
	if ((c->offered_at != CSLA_NO_MS && !clock_ok(c->offered_at)) ||
	    !clock_ok(c->last_t))
		return fail(r, "call %u: times out of range", i);
	if (!ref_ok(c->queue, t->nqueues) || c->outcome > CO_FLOWOUT)
		return fail(r, "call %u: no queue %u or outcome %u", i,
			    c->queue, c->outcome);
	/* Waiting: offered to a queue, no outcome yet. */
	if (c->waiting && (c->outcome != CO_NONE || c->queue == NONE ||
			   c->offered_at == CSLA_NO_MS))
		return fail(r, "call %u: waiting without a queue or with an "
			    "outcome", i);
	return true;
}

static bool load_wheel(rd_t *r, tenant_t *t)
{
	t->wheel_minute = get_i64(r);
	uint32_t n = get_count(r, 4 + 4 + 4, "wheel slots");
	/* INT64_MIN: no call was ever filed. */
	if (!r->bad && (t->wheel_minute == INT64_MIN
				? n != 0
				: t->wheel_minute < -CLOCK_LIM / 60000 ||
					  t->wheel_minute > CLOCK_LIM / 60000))
		return fail(r, "wheel: minute %lld",
			    (long long)t->wheel_minute);
	uint8_t *seen = csla_xcalloc((size_t)t->ncalls + 1, 1);
	int64_t prev = -1;
	for (uint32_t k = 0; k < n && !r->bad; k++) {
		uint32_t s = get_u32(r);
		uint32_t m = get_count(r, 4, "wheel entries");
		if (!r->bad && (s >= WHEEL_MINUTES || s <= prev || !m)) {
			fail(r, "wheel: slot %u out of order or empty", s);
			break;
		}
		prev = s;
		wheel_slot_t *ws = &t->wheel[s];
		csla_grow(&ws->e, &ws->cap, m, sizeof(expiry_t));
		for (uint32_t j = 0; j < m && !r->bad; j++) {
			uint32_t ci = get_u32(r);
			if (!r->bad && (ci >= t->ncalls || !t->calls[ci].live ||
					seen[ci]))
				fail(r, "wheel: slot %u: call %u is not live or "
				     "filed twice", s, ci);
			else if (!r->bad) {
				seen[ci] = 1;
				ws->e[ws->n++] = (expiry_t){ ci, t->calls[ci].gen };
			}
		}
	}
	for (uint32_t i = 0; i < t->ncalls && !r->bad; i++)
		if (t->calls[i].live && !seen[i])
			fail(r, "call %u: not in the timing wheel", i);
	free(seen);
	return !r->bad;
}

static bool load_calls(rd_t *r, tenant_t *t)
{
	uint32_t n = get_count(r, 4 + 1, "calls");
	for (uint32_t i = 0; i < n; i++) {
		/* Appended zeroed: the free list is still empty. */
		eng_call_slot(t);
		if (!load_call(r, t, i))
			return false;
	}
	uint32_t *waiting = csla_xcalloc((size_t)t->nqueues + 1,
					 sizeof *waiting);
	for (uint32_t i = 0; i < t->ncalls; i++)
		if (t->calls[i].live && t->calls[i].waiting)
			waiting[t->calls[i].queue]++;
	for (uint32_t q = 0; q < t->nqueues && !r->bad; q++)
		if (waiting[q] != t->queues[q].waiting)
			fail(r, "queue %u: %u waiting, %u calls waiting in it",
			     q, t->queues[q].waiting, waiting[q]);
	free(waiting);
	uint8_t *isfree = csla_xcalloc((size_t)t->ncalls + 1, 1);
	for (uint32_t i = 0; i < t->ncalls; i++)
		isfree[i] = !t->calls[i].live;
	if (!r->bad)
		load_free(r, &t->free_calls, isfree, t->ncalls,
			  "free call slots");
	free(isfree);
	return !r->bad && load_wheel(r, t);
}

#define IDS_AHEAD 8

/* A generation of ids: distinct, so sorted strictly, never 0 (the idset
 * keeps a hash 0 as 1), and none in `other` (the old generation's n keys,
 * sorted, as bytes, checked by merging). */
static bool load_ids(rd_t *r, csla_idset_t *ids, const char *what,
		     const unsigned char *other, uint32_t nother)
{
	uint32_t n = get_count(r, 8, what);
	uint64_t prev = 0, o = 0;
	for (uint32_t i = 0, j = 0; i < n; i++) {
		uint64_t k = get_u64(r);
		if (r->bad)
			return false;
		while (j < nother && o < k) {
			o = 0;
			for (int b = 7; b >= 0; b--)
				o = o << 8 | other[8 * j + b];
			j++;
		}
		if (k <= prev || o == k)
			return fail(r, "%s: id %u out of order or listed twice",
				    what, i);
		/* The ids are hashes: each goes to a random line of the set,
		 * fetched a few ids ahead. */
		if (i + IDS_AHEAD < n) {
			rd_t ahead = *r;
			ahead.off += 8 * (IDS_AHEAD - 1);
			csla_idset_prefetch(ids, get_u64(&ahead));
		}
		csla_idset_add(ids, k);
		prev = k;
	}
	return !r->bad;
}

/* The generations are rebuilt the way they were built: the old one's ids
 * are added and the set rotated (as csla_idset_age does when a generation
 * has collected for long enough), then the current one's are added. */
static bool load_idset(rd_t *r, csla_idset_t *ids)
{
	int64_t since = get_i64(r);
	if (!r->bad && since != INT64_MIN && !clock_ok(since))
		return fail(r, "ids: start %lld", (long long)since);
	/* Room for both generations first: growing while loading would move
	 * every id loaded so far.  (A bad count fails again below.) */
	rd_t peek = *r;
	peek.errlen = 0;
	uint64_t n = get_count(&peek, 8, "old ids");
	peek.off += n * 8;
	n += get_count(&peek, 8, "current ids");
	if (!peek.bad)
		csla_idset_reserve(ids, n);
	size_t at = r->off + 4; /* the old ids, after their count */
	if (!load_ids(r, ids, "old ids", NULL, 0))
		return false;
	uint32_t nold = ids->n_cur;
	ids->cur_since = 0;
	csla_idset_age(ids, 0, 0);
	if (!load_ids(r, ids, "current ids", r->p + at, nold))
		return false;
	ids->cur_since = since;
	return true;
}

static bool load_state(rd_t *r, const csla_engine_t *e, tenant_t *t)
{
	if (!get_day(r, &t->day, "tenant", 0))
		return false;
	t->rfold_upto = get_i64(r);
	t->last_sweep = get_i64(r);
	if (!r->bad &&
	    ((t->rfold_upto != INT64_MIN && !clock_ok(t->rfold_upto)) ||
	     (t->last_sweep != INT64_MIN && !clock_ok(t->last_sweep))))
		return fail(r, "tenant: times out of range");
	return load_entities(r, e, t) && load_agents(r, t) &&
	       load_free_agents(r, t) && load_recs(r, t) &&
	       load_calls(r, t) && load_idset(r, &t->ids);
}

int csla_engine_load_tenant(csla_engine_t *e, const void *data, size_t len,
			    char *errstr, size_t errlen)
{
	rd_t r = { .p = data, .len = len, .err = errstr, .errlen = errlen };
	const unsigned char *magic = take(&r, 4);
	if (magic && memcmp(magic, MAGIC, 4) != 0)
		fail(&r, "not a callsla checkpoint");
	uint32_t version = get_u32(&r);
	if (!r.bad && version != VERSION)
		fail(&r, "checkpoint version %u: this build reads version %d",
		     version, VERSION);
	csla_str_t name;
	get_name(&r, get_u32(&r), &name, "tenant", 0);
	int64_t event_now = get_i64(&r);
	/* The newest event's time, which snapshots may be taken at. */
	if (!r.bad && event_now != INT64_MIN && !ts_ok(event_now))
		fail(&r, "event clock %lld", (long long)event_now);
	if (r.bad)
		return -1;

	tenant_t *t = csla_xmalloc(sizeof *t);
	eng_tenant_init(e, t, name.p, name.len);
	if (load_state(&r, e, t) && r.off != r.len)
		fail(&r, "%zu bytes after the end of the state", r.len - r.off);
	if (r.bad) {
		eng_tenant_free(t);
		free(t);
		return -1;
	}
	uint32_t i = eng_name_find(&e->tenant_map, e->tenants, sizeof(tenant_t),
				   t->name.p, t->name.len, t->name.h);
	if (i == NONE) {
		eng_tenant_add(e, t);
	} else {
		eng_tenant_free(&e->tenants[i]);
		e->tenants[i] = *t;
	}
	free(t);
	if (event_now > e->event_now)
		e->event_now = event_now;
	return 0;
}

/* ---- the tenants -------------------------------------------------------- */

void csla_engine_tenants(const csla_engine_t *e,
			 void (*cb)(void *opaque, csla_str_t tenant),
			 void *opaque)
{
	tenant_t **order = eng_tenant_order(e);
	for (uint32_t i = 0; i < e->ntenants; i++)
		cb(opaque, (csla_str_t){ order[i]->name.p, order[i]->name.len });
	free(order);
}

void csla_engine_drop_tenant(csla_engine_t *e, csla_str_t name)
{
	uint64_t h = csla_hash(name.p, name.len);
	uint32_t i = eng_name_find(&e->tenant_map, e->tenants, sizeof(tenant_t),
				   name.p, name.len, h);
	if (i == NONE)
		return;
	uint32_t last = e->ntenants - 1;
	csla_map_del(&e->tenant_map, h, i);
	eng_tenant_free(&e->tenants[i]);
	/* The last tenant fills the hole: tenants have no order. */
	if (i != last) {
		csla_map_del(&e->tenant_map, e->tenants[last].name.h, last);
		e->tenants[i] = e->tenants[last];
		csla_map_put(&e->tenant_map, e->tenants[i].name.h, i);
	}
	e->ntenants--;
	e->last_tenant = NONE;
	e->st.tenants--;
}
