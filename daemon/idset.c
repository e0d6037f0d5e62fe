/* idset.c - see idset.h.
 *
 * Buckets are probed linearly.  A bucket's `over` is the tag of the newest
 * generation whose inserts went past it, so the marks of a dropped
 * generation lapse with it: lookups stop at the first bucket without a
 * live mark.  Tags are generation numbers modulo 255 (0 is empty): the
 * table is swept of dropped slots at least every SWEEP_EVERY rotations, so
 * no leftover slot lives to see its tag come round again. */
#include "idset.h"

#include <stddef.h>
#include <stdlib.h>

#include "swar.h"
#include "util.h"

#define SWEEP_EVERY 128

static uint8_t tag_of(uint32_t gen)
{
	return (uint8_t)(1 + gen % 255);
}

/* The tags of the two live generations. */
typedef struct live {
	uint8_t cur, old;
} live_t;

static live_t live_of(const csla_idset_t *s)
{
	return (live_t){ tag_of(s->gen), tag_of(s->gen - 1) };
}

static bool is_live(live_t l, uint8_t tag)
{
	return tag == l.cur || tag == l.old;
}

/* 0x80 in byte j for each live slot j of b, and in byte 7 if b's mark is
 * live: the tags and the mark are read as one word, branch-free. */
static uint64_t live_bytes(live_t l, const csla_idbucket_t *b)
{
	uint64_t w = csla_load64(b->tag);
	return csla_bytes_eq(w, l.cur) | csla_bytes_eq(w, l.old);
}

_Static_assert(sizeof(csla_idbucket_t) == 64 &&
		       offsetof(csla_idbucket_t, over) ==
			       offsetof(csla_idbucket_t, tag) + 7,
	       "a bucket is one cache line, its tags and mark one word");
#define SLOT_BYTES (CSLA_ONES * 0x80 >> 8) /* bytes 0..6 */
#define MARK_BYTE (0x80ull << 56)

static uint64_t key(uint64_t h)
{
	return h ? h : 1;
}

static uint32_t home(const csla_idset_t *s, uint64_t k)
{
	return (uint32_t)k & s->mask;
}

static uint64_t nslots(const csla_idset_t *s)
{
	return ((uint64_t)s->mask + 1) * CSLA_IDSET_WAYS;
}

static void table_new(csla_idset_t *s, uint32_t buckets)
{
	s->b = csla_table_new(buckets, sizeof *s->b);
	s->mask = buckets - 1;
}

static void table_free(csla_idset_t *s)
{
	csla_table_free(s->b, (size_t)s->mask + 1, sizeof *s->b);
	s->b = NULL;
}

void csla_idset_init(csla_idset_t *s)
{
	table_new(s, 16);
	s->n_cur = s->n_old = 0;
	s->gen = 1;
	s->cur_since = INT64_MIN;
}

void csla_idset_free(csla_idset_t *s)
{
	table_free(s);
}

/* An insert of generation `tag` went past bucket b. */
static void mark(csla_idbucket_t *b, live_t l, uint8_t tag)
{
	if (b->over != l.cur)
		b->over = tag;
}

void csla_idset_prefetch(const csla_idset_t *s, uint64_t h)
{
	/* Non-temporal: a bucket is used by one lookup and one insert, and
	 * should not push the engine's entities out of the outer caches. */
	__builtin_prefetch(&s->b[home(s, key(h))], 0, 0);
}

bool csla_idset_has(const csla_idset_t *s, uint64_t h)
{
	uint64_t k = key(h);
	live_t l = live_of(s);
	for (uint32_t i = home(s, k);; i = (i + 1) & s->mask) {
		const csla_idbucket_t *b = &s->b[i];
		uint64_t live = live_bytes(l, b), same = 0;
		for (int j = 0; j < CSLA_IDSET_WAYS; j++)
			same |= (uint64_t)(b->k[j] == k) << (8 * j + 7);
		if (same & live)
			return true;
		if (!(live & MARK_BYTE))
			return false;
	}
}

/* Puts key k of generation `tag` in the first slot from its home bucket on
 * that holds no live key. */
static void put(csla_idset_t *s, live_t l, uint64_t k, uint8_t tag)
{
	for (uint32_t i = home(s, k);; i = (i + 1) & s->mask) {
		csla_idbucket_t *b = &s->b[i];
		uint64_t open = ~live_bytes(l, b) & SLOT_BYTES;
		if (open) {
			int j = __builtin_ctzll(open) / 8;
			b->k[j] = k;
			b->tag[j] = tag;
			return;
		}
		mark(b, l, tag);
	}
}

/* Into a fresh table of `buckets`, live keys only. */
static void rebuild(csla_idset_t *s, uint32_t buckets)
{
	csla_idset_t was = *s;
	live_t l = live_of(s);
	table_new(s, buckets);
	for (uint32_t i = 0; i <= was.mask; i++)
		for (int j = 0; j < CSLA_IDSET_WAYS; j++)
			if (is_live(l, was.b[i].tag[j]))
				put(s, l, was.b[i].k[j], was.b[i].tag[j]);
	table_free(&was);
}

/* In place: the dropped generations' slots emptied and the marks worked
 * out again from where the live keys are. */
static void sweep(csla_idset_t *s)
{
	live_t l = live_of(s);
	for (uint32_t i = 0; i <= s->mask; i++) {
		csla_idbucket_t *b = &s->b[i];
		b->over = 0;
		for (int j = 0; j < CSLA_IDSET_WAYS; j++) {
			if (!is_live(l, b->tag[j]))
				b->tag[j] = 0;
		}
	}
	for (uint32_t i = 0; i <= s->mask; i++)
		for (int j = 0; j < CSLA_IDSET_WAYS; j++) {
			const csla_idbucket_t *b = &s->b[i];
			if (!b->tag[j])
				continue;
			for (uint32_t p = home(s, b->k[j]); p != i;
			     p = (p + 1) & s->mask)
				mark(&s->b[p], l, b->tag[j]);
		}
}

void csla_idset_reserve(csla_idset_t *s, uint64_t n)
{
	uint32_t buckets = s->mask + 1;
	/* As a table grows to: at most half full. */
	while ((uint64_t)buckets * CSLA_IDSET_WAYS / 2 < n)
		buckets *= 2;
	if (buckets != s->mask + 1)
		rebuild(s, buckets);
}

void csla_idset_add(csla_idset_t *s, uint64_t h)
{
	/* At most half the slots live, few buckets overflow.  Dropped slots
	 * need no sweep to be free: inserts take them as empty, and lookups
	 * neither match them nor go on past a bucket for them (its mark is
	 * a live generation's or it stops the probe). */
	if ((uint64_t)s->n_cur + s->n_old + 1 > nslots(s) / 2)
		rebuild(s, (s->mask + 1) * 2);
	put(s, live_of(s), key(h), tag_of(s->gen));
	s->n_cur++;
}

void csla_idset_age(csla_idset_t *s, int64_t now, int64_t retention_ms)
{
	if (s->cur_since == INT64_MIN) {
		s->cur_since = now;
		return;
	}
	if (now - s->cur_since < retention_ms)
		return;
	s->gen++;
	s->n_old = s->n_cur;
	s->n_cur = 0;
	s->cur_since = now;
	if (s->gen % SWEEP_EVERY == 0)
		sweep(s);
}

uint64_t csla_idset_count(const csla_idset_t *s)
{
	return (uint64_t)s->n_cur + s->n_old;
}

uint64_t *csla_idset_keys(const csla_idset_t *s, bool old, uint32_t *n)
{
	live_t l = live_of(s);
	uint8_t want = old ? l.old : l.cur;
	uint64_t *k = csla_xmalloc(((size_t)(old ? s->n_old : s->n_cur) + 1) *
				   sizeof *k);
	*n = 0;
	for (uint32_t i = 0; i <= s->mask; i++)
		for (int j = 0; j < CSLA_IDSET_WAYS; j++)
			if (s->b[i].tag[j] == want)
				k[(*n)++] = s->b[i].k[j];
	return k;
}
