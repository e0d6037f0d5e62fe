/* hashmap.c - see hashmap.h. */
#include "hashmap.h"

#include <stdlib.h>

#include "util.h"

void csla_map_init(csla_map_t *m)
{
	m->mask = 15;
	m->n = 0;
	m->slots = csla_table_new(16, sizeof *m->slots);
}

void csla_map_free(csla_map_t *m)
{
	csla_table_free(m->slots, (size_t)m->mask + 1, sizeof *m->slots);
	m->slots = NULL;
	m->n = 0;
}

static void insert(csla_map_slot_t *slots, uint32_t mask, uint64_t h,
		   uint32_t v)
{
	uint32_t s = (uint32_t)h & mask;
	while (slots[s].h)
		s = (s + 1) & mask;
	slots[s].h = h;
	slots[s].v = v;
}

void csla_map_put(csla_map_t *m, uint64_t h, uint32_t v)
{
	/* Keep the load under 1/2: probes stay short on the hot path. */
	if ((m->n + 1) * 2 > m->mask + 1) {
		uint32_t ncap = (m->mask + 1) * 2;
		csla_map_slot_t *ns = csla_table_new(ncap, sizeof *ns);
		for (uint32_t i = 0; i <= m->mask; i++)
			if (m->slots[i].h)
				insert(ns, ncap - 1, m->slots[i].h, m->slots[i].v);
		csla_table_free(m->slots, (size_t)m->mask + 1, sizeof *m->slots);
		m->slots = ns;
		m->mask = ncap - 1;
	}
	insert(m->slots, m->mask, csla_map_key(h), v);
	m->n++;
}

void csla_map_del_slot(csla_map_t *m, uint32_t slot)
{
	uint32_t i = slot, j = slot;
	m->slots[i].h = 0;
	m->n--;
	/* Backward shift: pull later entries of the probe run into the hole so
	 * lookups never need tombstones. */
	for (;;) {
		j = (j + 1) & m->mask;
		if (!m->slots[j].h)
			return;
		uint32_t home = (uint32_t)m->slots[j].h & m->mask;
		/* Move j into i unless its home lies cyclically in (i, j]. */
		if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
			m->slots[i] = m->slots[j];
			m->slots[j].h = 0;
			i = j;
		}
	}
}

void csla_map_del(csla_map_t *m, uint64_t h, uint32_t v)
{
	for (uint32_t s = csla_map_first(m, h); s != CSLA_MAP_END;
	     s = csla_map_next(m, h, s))
		if (m->slots[s].v == v) {
			csla_map_del_slot(m, s);
			return;
		}
}
