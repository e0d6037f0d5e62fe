/* slot.c - a partition number's engine, offsets, journal and base
 * (slot.h; the checkpoint scheme is in docs/redis.md). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callsla/decode.h"
#include "callsla/pipe.h"
#include "slot.h"
#include "util.h"

#define BASE_MAGIC "CSLB"
#define BASE_VERSION 1

/* A message held until it is its turn: copied (the Kafka message is
 * released after the poll), with its event time for the merge.  payload
 * and key are offsets into the queue's arena while held. */
typedef struct held {
	csla_kmsg_t m;
	size_t at;     /* payload at arena + at, key right after it */
	int64_t arrived; /* wall time it was handed in */
	int64_t ev_ts; /* its decoded time; INT64_MIN (rejected) goes first */
} held_t;

typedef struct holdq {
	held_t *v;
	uint32_t n, cap, head;
	char *arena;
	size_t alen, acap;
} holdq_t;

/* More held messages than this in one slot, and the oldest are applied
 * without waiting for the topics that lag: memory stays bounded when a
 * topic stalls. */
#define MAX_HELD (1u << 20)

struct csla_slot {
	int32_t partition;
	size_t ntopics;
	const csla_conf_t *conf;
	csla_slot_hooks_t hooks;
	csla_engine_t *engine;
	csla_pipe_t *pipe;          /* feeds engine, with lookahead */
	const csla_kmsg_t *batch;   /* the batch the pipe is applying */

	int64_t next[CSLA_SLOT_MAX_TOPICS];
	int64_t seen[CSLA_SLOT_MAX_TOPICS]; /* next offset to hold */
	int64_t merge_wait_ms;
	uint32_t nheld;
	uint64_t rejected[CSLA_REJ__COUNT];
	uint64_t applied;
	csla_slot_counts_t counts;
	int admitted; /* csla_ev_type_t admit() saw last, 0: none */
	csla_decoder_t *peek;     /* the merge's: each held message's time */

	csla_jentry_t *pend; /* not yet stored */
	uint32_t npend, cappend;
	uint64_t seq;
	size_t journal_len;

	csla_jentry_t *replay; /* stored entries left to re-apply */
	uint32_t nreplay, ireplay;
	holdq_t held[CSLA_SLOT_MAX_TOPICS];
};

static csla_pipe_t *make_pipe(csla_slot_t *s, csla_engine_t *e);

csla_slot_t *csla_slot_new(int32_t partition, size_t ntopics,
			   const csla_conf_t *conf,
			   const csla_slot_hooks_t *hooks)
{
	if (ntopics == 0 || ntopics > CSLA_SLOT_MAX_TOPICS)
		return NULL;
	csla_slot_t *s = csla_xcalloc(1, sizeof *s);
	s->partition = partition;
	s->ntopics = ntopics;
	s->conf = conf;
	s->hooks = *hooks;
	s->engine = csla_engine_new(conf);
	s->pipe = s->engine ? make_pipe(s, s->engine) : NULL;
	s->peek = csla_decoder_new(conf->max_message_bytes);
	if (!s->pipe || !s->peek) {
		csla_pipe_destroy(s->pipe);
		csla_decoder_destroy(s->peek);
		csla_engine_destroy(s->engine);
		free(s);
		return NULL;
	}
	for (size_t t = 0; t < ntopics; t++)
		s->next[t] = s->seen[t] = -1;
	s->merge_wait_ms = CSLA_SLOT_MERGE_WAIT_MS;
	return s;
}

static void held_clear(csla_slot_t *s)
{
	for (size_t t = 0; t < s->ntopics; t++) {
		holdq_t *q = &s->held[t];
		free(q->v);
		free(q->arena);
		*q = (holdq_t){ 0 };
	}
	s->nheld = 0;
}

void csla_slot_destroy(csla_slot_t *s)
{
	if (!s)
		return;
	held_clear(s);
	free(s->replay);
	free(s->pend);
	csla_pipe_destroy(s->pipe);
	csla_decoder_destroy(s->peek);
	csla_engine_destroy(s->engine);
	free(s);
}

void csla_slot_set_merge_wait(csla_slot_t *s, int64_t ms)
{
	s->merge_wait_ms = ms;
}

void csla_slot_set_conf(csla_slot_t *s, const csla_conf_t *conf)
{
	s->conf = conf;
	csla_engine_set_conf(s->engine, conf);
}

void csla_slot_set_next(csla_slot_t *s, size_t t, int64_t offset)
{
	if (t < s->ntopics)
		s->next[t] = s->seen[t] = offset;
}

int64_t csla_slot_seen(const csla_slot_t *s, size_t t)
{
	return t < s->ntopics ? s->seen[t] : -1;
}

int32_t csla_slot_partition(const csla_slot_t *s)
{
	return s->partition;
}

csla_engine_t *csla_slot_engine(csla_slot_t *s)
{
	return s->engine;
}

int64_t csla_slot_next(const csla_slot_t *s, size_t t)
{
	return t < s->ntopics ? s->next[t] : -1;
}

const uint64_t *csla_slot_rejected(const csla_slot_t *s)
{
	return s->rejected;
}

uint64_t csla_slot_applied(const csla_slot_t *s)
{
	return s->applied;
}

const csla_slot_counts_t *csla_slot_counts(const csla_slot_t *s)
{
	return &s->counts;
}

/* ---- applying --------------------------------------------------------- */

static void reject(csla_slot_t *s, const csla_kmsg_t *m, csla_reject_t r,
		   const char *why)
{
	s->rejected[r]++;
	if (s->hooks.reject)
		s->hooks.reject(s->hooks.opaque, s, m, r, why);
}

static csla_reject_t pipe_admit(void *opaque, const csla_event_t *ev)
{
	csla_slot_t *s = opaque;
	/* The pipe admits each decoded event right before its pipe_done():
	 * that is how pipe_done() learns its type. */
	s->admitted = ev->type;
	return s->hooks.admit ? s->hooks.admit(s->hooks.opaque, s, ev->tenant)
			      : CSLA_OK;
}

static void pipe_done(void *opaque, uint64_t tag, csla_reject_t r,
		      const char *why)
{
	csla_slot_t *s = opaque;
	if (r == CSLA_REJ_TENANT_PARTITION_CONFLICT && !*why)
		why = "the tenant's events go to another partition";
	if (r != CSLA_OK) {
		reject(s, &s->batch[tag], r, why);
		s->counts.rejected[s->admitted]++;
	} else {
		s->applied++;
		s->counts.applied[s->admitted]++;
	}
	s->admitted = 0;
}

/* A pipe for the slot's engine (a restore replaces the engine). */
static csla_pipe_t *make_pipe(csla_slot_t *s, csla_engine_t *e)
{
	csla_pipe_t *p = csla_pipe_new(e, s->conf->max_message_bytes,
				       pipe_done, s);
	if (p)
		csla_pipe_set_admit(p, pipe_admit);
	return p;
}

/* Applies the messages that are new, in the order given, and journals the
 * batch.  Returns how many were new. */
static size_t apply_batch(csla_slot_t *s, const csla_kmsg_t *msgs, size_t n,
			  int64_t wall_ms, bool journal)
{
	csla_jentry_t e = { .wall_ms = wall_ms };
	size_t fresh = 0;

	for (size_t t = 0; t < s->ntopics; t++)
		e.last[t] = -1;
	s->batch = msgs;
	for (size_t i = 0; i < n; i++) {
		const csla_kmsg_t *m = &msgs[i];
		if (m->topic >= s->ntopics || m->offset < s->next[m->topic])
			continue;
		csla_pipe_push(s->pipe, m->payload, m->len, i, wall_ms);
		s->next[m->topic] = m->offset + 1;
		e.last[m->topic] = m->offset;
		fresh++;
	}
	csla_pipe_drain(s->pipe);
	s->batch = NULL;
	if (fresh && journal) {
		e.seq = ++s->seq;
		csla_grow(&s->pend, &s->cappend, s->npend + 1, sizeof *s->pend);
		s->pend[s->npend++] = e;
		s->journal_len++;
	}
	return fresh;
}

/* Keeps a copy of m in its topic's queue, unless it was held before (a
 * redelivery). */
static void hold(csla_slot_t *s, const csla_kmsg_t *m, int64_t wall_ms)
{
	if (m->topic >= s->ntopics || m->offset < s->seen[m->topic] ||
	    m->offset < s->next[m->topic])
		return;
	holdq_t *q = &s->held[m->topic];
	if (q->head == q->n) {
		q->head = q->n = 0;
		q->alen = 0;
	} else if (q->head > q->n / 2 && q->head >= 64) {
		/* Slide the unreleased tail to the front. */
		size_t from = q->v[q->head].at;
		memmove(q->arena, q->arena + from, q->alen - from);
		q->alen -= from;
		memmove(q->v, q->v + q->head, (q->n - q->head) * sizeof *q->v);
		q->n -= q->head;
		q->head = 0;
		for (uint32_t i = 0; i < q->n; i++)
			q->v[i].at -= from;
	}
	size_t need = m->len + m->keylen;
	csla_reserve(&q->arena, &q->acap, q->alen, need);
	csla_grow(&q->v, &q->cap, q->n + 1, sizeof *q->v);
	held_t *h = &q->v[q->n++];
	h->m = *m;
	h->at = q->alen;
	h->arrived = wall_ms;
	memcpy(q->arena + q->alen, m->payload, m->len);
	if (m->keylen)
		memcpy(q->arena + q->alen + m->len, m->key, m->keylen);
	q->alen += need;

	/* The decoder itself: measured faster than skimming the keys for
	 * the time alone (bench/README.md), and it cannot disagree. */
	csla_event_t ev;
	h->ev_ts = csla_decode(s->peek, m->payload, m->len, &ev, NULL, 0) ==
				   CSLA_OK
			   ? ev.ts_ms
			   : INT64_MIN;
	s->seen[m->topic] = m->offset + 1;
	s->nheld++;
}

/* The topic whose head goes next: the earliest event, the lower topic on
 * a tie; -1 when every queue is empty.  *lim (may be NULL) bounds each
 * topic's offsets (a journal entry's batch). */
static int next_head(const csla_slot_t *s, const int64_t *lim)
{
	int best = -1;
	int64_t best_ts = 0;
	for (size_t t = 0; t < s->ntopics; t++) {
		const holdq_t *q = &s->held[t];
		if (q->head == q->n ||
		    (lim && q->v[q->head].m.offset > lim[t]))
			continue;
		if (best < 0 || q->v[q->head].ev_ts < best_ts) {
			best = (int)t;
			best_ts = q->v[q->head].ev_ts;
		}
	}
	return best;
}

/* Pops the head of topic t into out, its payload and key pointing into the
 * arena (valid until the next hold()). */
static void pop(csla_slot_t *s, size_t t, csla_kmsg_t *out)
{
	holdq_t *q = &s->held[t];
	held_t *h = &q->v[q->head++];
	*out = h->m;
	out->payload = q->arena + h->at;
	out->key = q->arena + h->at + h->m.len;
	s->nheld--;
}

/* Is every message of the next journal entry held? */
static bool entry_ready(const csla_slot_t *s, const csla_jentry_t *e)
{
	for (size_t t = 0; t < s->ntopics; t++)
		if (e->last[t] >= 0 && e->last[t] >= s->next[t] &&
		    s->seen[t] <= e->last[t])
			return false;
	return true;
}

/* Re-applies the journalled batches whose messages are all held, merged
 * as they were the first time. */
static void replay_ready(csla_slot_t *s, csla_kmsg_t **buf, size_t *cap)
{
	while (s->ireplay < s->nreplay &&
	       entry_ready(s, &s->replay[s->ireplay])) {
		const csla_jentry_t *e = &s->replay[s->ireplay++];
		size_t k = 0;
		int t;
		while ((t = next_head(s, e->last)) >= 0) {
			if (k == *cap) {
				*cap = *cap ? *cap * 2 : 1024;
				*buf = csla_xrealloc(*buf, *cap * sizeof **buf);
			}
			pop(s, (size_t)t, &(*buf)[k++]);
		}
		apply_batch(s, *buf, k, e->wall_ms, false);
	}
	if (s->ireplay == s->nreplay && s->replay) {
		free(s->replay);
		s->replay = NULL;
		s->nreplay = s->ireplay = 0;
	}
}

/* Pops, in merge order, every message that cannot be overtaken any more:
 * while each topic either has a message held or has nothing more to
 * give (caught_up), the earliest head is safe to apply; a head that has
 * waited merge_wait for a quiet topic goes anyway. */
static size_t take_live(csla_slot_t *s, const bool *caught_up,
			int64_t wall_ms, csla_kmsg_t **buf, size_t *cap)
{
	size_t k = 0;
	for (;;) {
		int t = next_head(s, NULL);
		if (t < 0)
			break;
		bool ready = true;
		for (size_t u = 0; u < s->ntopics; u++)
			if (s->held[u].head == s->held[u].n &&
			    !(caught_up && caught_up[u]))
				ready = false;
		const held_t *h = &s->held[t].v[s->held[t].head];
		if (!ready && s->nheld < MAX_HELD &&
		    wall_ms - h->arrived < s->merge_wait_ms)
			break;
		if (k == *cap) {
			*cap = *cap ? *cap * 2 : 1024;
			*buf = csla_xrealloc(*buf, *cap * sizeof **buf);
		}
		pop(s, (size_t)t, &(*buf)[k++]);
	}
	return k;
}

size_t csla_slot_apply(csla_slot_t *s, const csla_kmsg_t *msgs, size_t n,
		       const bool *caught_up, int64_t wall_ms)
{
	csla_kmsg_t *buf = NULL;
	size_t cap = 0;

	for (size_t i = 0; i < n; i++)
		hold(s, &msgs[i], wall_ms);
	replay_ready(s, &buf, &cap);
	size_t fresh = 0;
	if (!csla_slot_replaying(s)) {
		size_t k = take_live(s, caught_up, wall_ms, &buf, &cap);
		fresh = apply_batch(s, buf, k, wall_ms, true);
	}
	free(buf);
	return fresh;
}

size_t csla_slot_held(const csla_slot_t *s)
{
	return s->nheld;
}

bool csla_slot_replaying(const csla_slot_t *s)
{
	return s->ireplay < s->nreplay;
}

/* ---- the journal ------------------------------------------------------ */

const csla_jentry_t *csla_slot_pending(const csla_slot_t *s, size_t *n)
{
	*n = s->npend;
	return s->pend;
}

void csla_slot_pending_ack(csla_slot_t *s, uint64_t seq)
{
	uint32_t k = 0;
	while (k < s->npend && s->pend[k].seq <= seq)
		k++;
	memmove(s->pend, s->pend + k, (s->npend - k) * sizeof *s->pend);
	s->npend -= k;
}

size_t csla_slot_journal_len(const csla_slot_t *s)
{
	return s->journal_len;
}

size_t csla_jentry_format(const csla_jentry_t *e, size_t ntopics, char *buf,
			  size_t len)
{
	size_t used = 0;
	int w = snprintf(buf, len, "%" PRId64, e->wall_ms);
	for (size_t t = 0; w >= 0 && (size_t)w < len - used && t < ntopics;
	     t++) {
		used += (size_t)w;
		w = snprintf(buf + used, len - used, " %" PRId64, e->last[t]);
	}
	if (w >= 0)
		used += (size_t)w;
	return used < len ? used : len - 1;
}

/* A decimal int64 at *p (optionally negative), advancing *p. */
static int parse_i64(const char **p, const char *end, int64_t *out)
{
	const char *s = *p;
	bool neg = s < end && *s == '-';
	uint64_t v = 0;

	if (neg)
		s++;
	if (s == end || *s < '0' || *s > '9')
		return -1;
	while (s < end && *s >= '0' && *s <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s++ - '0');
	}
	if (v > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	*p = s;
	return 0;
}

int csla_jentry_parse(const char *p, size_t len, size_t ntopics,
		      csla_jentry_t *e)
{
	const char *end = p + len;

	*e = (csla_jentry_t){ 0 };
	if (ntopics > CSLA_SLOT_MAX_TOPICS || parse_i64(&p, end, &e->wall_ms))
		return -1;
	for (size_t t = 0; t < ntopics; t++) {
		if (p == end || *p++ != ' ' || parse_i64(&p, end, &e->last[t]) ||
		    e->last[t] < -1)
			return -1;
	}
	return p == end ? 0 : -1;
}

/* ---- the base ----------------------------------------------------------- */

struct tenants_out {
	const csla_engine_t *e;
	csla_buf_t *out;
	csla_buf_t one;
};

static void save_tenant(void *opaque, csla_str_t name)
{
	struct tenants_out *to = opaque;
	to->one.len = 0;
	csla_engine_save_tenant(to->e, name, &to->one);
	csla_buf_put_u64(to->out, to->one.len);
	csla_buf_put(to->out, to->one.p, to->one.len);
}

static void count_tenant(void *opaque, csla_str_t name)
{
	(void)name;
	(*(uint64_t *)opaque)++;
}

/* Layout: magic, version, ntopics, per topic (name length, name, next
 * offset), CSLA_REJ__COUNT, the counts, applied, ntenants, per tenant
 * (length, engine bytes).  Integers are 64-bit little-endian. */
void csla_slot_save_base(csla_slot_t *s, const char *const *topics,
			 csla_buf_t *out)
{
	csla_buf_put(out, BASE_MAGIC, 4);
	csla_buf_put_u64(out, BASE_VERSION);
	csla_buf_put_u64(out, s->ntopics);
	for (size_t t = 0; t < s->ntopics; t++) {
		size_t len = strlen(topics[t]);
		csla_buf_put_u64(out, len);
		csla_buf_put(out, topics[t], len);
		csla_buf_put_u64(out, (uint64_t)s->next[t]);
	}
	csla_buf_put_u64(out, CSLA_REJ__COUNT);
	for (size_t r = 0; r < CSLA_REJ__COUNT; r++)
		csla_buf_put_u64(out, s->rejected[r]);
	csla_buf_put_u64(out, s->applied);

	uint64_t nt = 0;
	csla_engine_tenants(s->engine, count_tenant, &nt);
	csla_buf_put_u64(out, nt);
	struct tenants_out to = { .e = s->engine, .out = out };
	csla_engine_tenants(s->engine, save_tenant, &to);
	csla_buf_free(&to.one);

	s->npend = 0;
	s->journal_len = 0;
}

typedef struct reader {
	const unsigned char *p, *end;
} reader_t;

static int get_u64(reader_t *r, uint64_t *v)
{
	if (r->end - r->p < 8)
		return -1;
	*v = 0;
	for (int i = 0; i < 8; i++)
		*v |= (uint64_t)r->p[i] << (8 * i);
	r->p += 8;
	return 0;
}

static int get_span(reader_t *r, size_t n, const unsigned char **p)
{
	if ((size_t)(r->end - r->p) < n)
		return -1;
	*p = r->p;
	r->p += n;
	return 0;
}

/* Parses the base into a fresh engine and the offsets and counts; the
 * slot is untouched unless everything parsed. */
static int load_base(csla_slot_t *s, const char *const *topics,
		     const void *data, size_t len, csla_engine_t *eng,
		     int64_t *next, uint64_t *rejected, uint64_t *applied,
		     char *errstr, size_t errlen)
{
	reader_t r = { data, (const unsigned char *)data + len };
	const unsigned char *span;
	uint64_t v, ntopics, nrej, nt;

	if (get_span(&r, 4, &span) || memcmp(span, BASE_MAGIC, 4) ||
	    get_u64(&r, &v) || v != BASE_VERSION) {
		snprintf(errstr, errlen, "not a version %d slot base",
			 BASE_VERSION);
		return -1;
	}
	if (get_u64(&r, &ntopics) || ntopics > CSLA_SLOT_MAX_TOPICS)
		goto trunc;
	for (uint64_t i = 0; i < ntopics; i++) {
		if (get_u64(&r, &v) || get_span(&r, v, &span))
			goto trunc;
		uint64_t off;
		if (get_u64(&r, &off))
			goto trunc;
		for (size_t t = 0; t < s->ntopics; t++)
			if (strlen(topics[t]) == v && !memcmp(topics[t], span, v))
				next[t] = (int64_t)off;
	}
	if (get_u64(&r, &nrej))
		goto trunc;
	for (uint64_t i = 0; i < nrej; i++) {
		if (get_u64(&r, &v))
			goto trunc;
		if (i < CSLA_REJ__COUNT)
			rejected[i] = v;
	}
	if (get_u64(&r, applied) || get_u64(&r, &nt))
		goto trunc;
	for (uint64_t i = 0; i < nt; i++) {
		if (get_u64(&r, &v) || get_span(&r, v, &span))
			goto trunc;
		char why[200];
		if (csla_engine_load_tenant(eng, span, v, why, sizeof why)) {
			snprintf(errstr, errlen, "tenant %" PRIu64 ": %s", i,
				 why);
			return -1;
		}
	}
	if (r.p != r.end)
		goto trunc;
	return 0;
trunc:
	snprintf(errstr, errlen, "slot base truncated or inconsistent");
	return -1;
}

int csla_slot_restore(csla_slot_t *s, const char *const *topics,
		      const void *data, size_t len,
		      const char *const *journal, const size_t *jlens,
		      size_t njournal, char *errstr, size_t errlen)
{
	int64_t next[CSLA_SLOT_MAX_TOPICS];
	uint64_t rejected[CSLA_REJ__COUNT] = { 0 }, applied = 0;
	csla_engine_t *eng = csla_engine_new(s->conf);

	if (!eng) {
		snprintf(errstr, errlen, "out of memory");
		return -1;
	}
	for (size_t t = 0; t < s->ntopics; t++)
		next[t] = -1;
	if (data && load_base(s, topics, data, len, eng, next, rejected,
			      &applied, errstr, errlen)) {
		csla_engine_destroy(eng);
		return -1;
	}

	/* Keep an entry only if it moves some topic past what the base and
	 * the entries before it cover. */
	csla_jentry_t *keep = csla_xmalloc((njournal + 1) * sizeof *keep);
	uint32_t nkeep = 0;
	int64_t upto[CSLA_SLOT_MAX_TOPICS];
	memcpy(upto, next, sizeof next);
	for (size_t i = 0; i < njournal; i++) {
		csla_jentry_t e;
		if (csla_jentry_parse(journal[i], jlens[i], s->ntopics, &e)) {
			snprintf(errstr, errlen, "journal entry %zu is not "
				 "\"wall_ms\" and %zu offsets", i, s->ntopics);
			free(keep);
			csla_engine_destroy(eng);
			return -1;
		}
		bool moves = false;
		for (size_t t = 0; t < s->ntopics; t++)
			if (e.last[t] >= 0 && e.last[t] >= upto[t])
				moves = true;
		if (!moves)
			continue;
		for (size_t t = 0; t < s->ntopics; t++)
			if (e.last[t] >= upto[t])
				upto[t] = e.last[t] + 1;
		keep[nkeep++] = e;
	}

	csla_pipe_t *pipe = make_pipe(s, eng);
	if (!pipe) {
		snprintf(errstr, errlen, "out of memory");
		free(keep);
		csla_engine_destroy(eng);
		return -1;
	}
	csla_pipe_destroy(s->pipe);
	s->pipe = pipe;
	csla_engine_destroy(s->engine);
	s->engine = eng;
	memcpy(s->next, next, sizeof next);
	memcpy(s->seen, next, sizeof next);
	memcpy(s->rejected, rejected, sizeof rejected);
	s->applied = applied;
	held_clear(s);
	free(s->replay);
	s->replay = keep;
	s->nreplay = nkeep;
	s->ireplay = 0;
	s->npend = 0;
	s->journal_len = nkeep;
	return 0;
}
