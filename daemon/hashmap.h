/* hashmap.h - open addressing (linear probing, backward-shift deletion)
 * from a 64-bit hash to a 32-bit value.  Keys are not stored: callers keep
 * them in their own arrays and compare while probing, e.g.
 *
 *	for (uint32_t s = csla_map_first(m, h); s != CSLA_MAP_END;
 *	     s = csla_map_next(m, h, s))
 *		if (key_equal(m->slots[s].v)) ...
 *
 * so one table type serves names and calls without callbacks. */
#ifndef CALLSLA_HASHMAP_H
#define CALLSLA_HASHMAP_H

#include <stdint.h>

#define CSLA_MAP_END UINT32_MAX

typedef struct csla_map_slot {
	uint64_t h; /* 0 marks an empty slot; real hashes are forced non-zero */
	uint32_t v;
} csla_map_slot_t;

typedef struct csla_map {
	csla_map_slot_t *slots;
	uint32_t mask; /* capacity - 1; capacity is a power of two */
	uint32_t n;
} csla_map_t;

static inline uint64_t csla_map_key(uint64_t h)
{
	return h ? h : 1;
}

void csla_map_init(csla_map_t *m);
void csla_map_free(csla_map_t *m);

/* Slot index of the entry with hash h at or after `from` in h's probe run,
 * or CSLA_MAP_END.  Inline: every name and call lookup of the engine's
 * apply path, and each stage of its prefetch, probes here. */
static inline uint32_t csla_map_probe(const csla_map_t *m, uint64_t h,
				      uint32_t from)
{
	for (uint32_t s = from & m->mask;; s = (s + 1) & m->mask) {
		if (m->slots[s].h == h)
			return s;
		if (m->slots[s].h == 0)
			return CSLA_MAP_END;
	}
}

/* Slot index of the first / next entry with hash h, or CSLA_MAP_END. */
static inline uint32_t csla_map_first(const csla_map_t *m, uint64_t h)
{
	h = csla_map_key(h);
	return csla_map_probe(m, h, (uint32_t)h);
}

static inline uint32_t csla_map_next(const csla_map_t *m, uint64_t h,
				     uint32_t slot)
{
	return csla_map_probe(m, csla_map_key(h), slot + 1);
}
void csla_map_put(csla_map_t *m, uint64_t h, uint32_t v);
/* Removes the entry in `slot` (from first/next). */
void csla_map_del_slot(csla_map_t *m, uint32_t slot);
/* Removes the entry (h, v) if present. */
void csla_map_del(csla_map_t *m, uint64_t h, uint32_t v);

#endif
