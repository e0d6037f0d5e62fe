/* idset.c - see idset.h. */
#include "idset.h"

#include <stdlib.h>

#include "util.h"

static void gen_init(csla_idgen_t *g, uint32_t cap)
{
	g->slots = csla_table_new(cap, sizeof *g->slots);
	g->mask = cap - 1;
	g->n = 0;
}

static void gen_free(csla_idgen_t *g)
{
	csla_table_free(g->slots, (size_t)g->mask + 1, sizeof *g->slots);
	g->slots = NULL;
}

void csla_idset_init(csla_idset_t *s)
{
	gen_init(&s->cur, 1024);
	gen_init(&s->old, 16);
	s->cur_since = INT64_MIN;
}

void csla_idset_free(csla_idset_t *s)
{
	gen_free(&s->cur);
	gen_free(&s->old);
	s->cur.slots = s->old.slots = NULL;
}

static uint64_t key(uint64_t h)
{
	return h ? h : 1;
}

static bool gen_has(const csla_idgen_t *g, uint64_t k)
{
	for (uint32_t i = (uint32_t)k & g->mask;; i = (i + 1) & g->mask) {
		if (g->slots[i] == k)
			return true;
		if (!g->slots[i])
			return false;
	}
}

void csla_idset_prefetch(const csla_idset_t *s, uint64_t h)
{
	uint64_t k = key(h);
	__builtin_prefetch(&s->cur.slots[(uint32_t)k & s->cur.mask]);
	__builtin_prefetch(&s->old.slots[(uint32_t)k & s->old.mask]);
}

bool csla_idset_has(const csla_idset_t *s, uint64_t h)
{
	uint64_t k = key(h);
	return gen_has(&s->cur, k) || gen_has(&s->old, k);
}

static void gen_put(csla_idgen_t *g, uint64_t k)
{
	uint32_t i = (uint32_t)k & g->mask;
	while (g->slots[i])
		i = (i + 1) & g->mask;
	g->slots[i] = k;
	g->n++;
}

void csla_idset_add(csla_idset_t *s, uint64_t h)
{
	csla_idgen_t *g = &s->cur;
	/* Load under 1/2 keeps probe runs short. */
	if ((g->n + 1) * 2 > g->mask + 1) {
		csla_idgen_t bigger;
		gen_init(&bigger, (g->mask + 1) * 2);
		for (uint32_t i = 0; i <= g->mask; i++)
			if (g->slots[i])
				gen_put(&bigger, g->slots[i]);
		gen_free(g);
		*g = bigger;
	}
	gen_put(g, key(h));
}

void csla_idset_age(csla_idset_t *s, int64_t now, int64_t retention_ms)
{
	if (s->cur_since == INT64_MIN) {
		s->cur_since = now;
		return;
	}
	if (now - s->cur_since < retention_ms)
		return;
	gen_free(&s->old);
	s->old = s->cur;
	/* The next generation will likely see as many ids as this one. */
	uint32_t cap = 1024;
	while (cap < s->old.n * 2 + 2)
		cap *= 2;
	gen_init(&s->cur, cap);
	s->cur_since = now;
}

uint64_t csla_idset_count(const csla_idset_t *s)
{
	return (uint64_t)s->cur.n + s->old.n;
}
