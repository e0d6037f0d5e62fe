/* util.h - allocation that cannot fail quietly, growable arrays, and the
 * string hash shared by the engine's tables.
 *
 * Out of memory is fatal: like redis' zmalloc, the process logs and aborts
 * rather than carrying on with half-applied state. */
#ifndef CALLSLA_UTIL_H
#define CALLSLA_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

void *csla_xmalloc(size_t n);
void *csla_xcalloc(size_t n, size_t size);
void *csla_xrealloc(void *p, size_t n);
char *csla_xstrndup(const char *s, size_t n);
/* Zeroed memory for a hash table of n elements of `size` bytes, and its
 * release (with the same n and size).  It starts on a cache line (64
 * bytes).  Large tables are mapped directly, already zero, on 2 MiB pages
 * where the kernel offers them (THP madvise mode), since random probes into
 * tens of MiB otherwise miss the TLB as well as the cache. */
void *csla_table_new(size_t n, size_t size);
void csla_table_free(void *p, size_t n, size_t size);

/* Makes room for `need` elements of `size` bytes in *arr (capacity *cap),
 * doubling.  The caller owns *arr. */
void csla_grow(void *arr, uint32_t *cap, size_t need, size_t size);

/* Makes room for `more` bytes after the first len of the byte buffer *buf
 * (capacity *cap), doubling from 4 KiB.  The caller owns *buf. */
void csla_reserve(char **buf, size_t *cap, size_t len, size_t more);

/* The freed elements of a growable array, reused before it grows. */
typedef struct csla_freelist {
	uint32_t *idx;
	uint32_t n, cap;
} csla_freelist_t;

/* Index of an element of *arr (n used, cap allocated, `size` bytes each)
 * to use: a freed one if any, else a new one at the end, zeroed.  A reused
 * element keeps its old contents. */
uint32_t csla_slot_take(void *arr, uint32_t *n, uint32_t *cap, size_t size,
			csla_freelist_t *fl);
/* As csla_slot_take, for an array read at random: *arr is a table of
 * csla_table_new (cache-line aligned, 2 MiB pages when large), doubled from
 * 64 elements when full; free it with csla_table_free(*arr, *cap, size). */
uint32_t csla_table_take(void *arr, uint32_t *n, uint32_t *cap, size_t size,
			 csla_freelist_t *fl);
void csla_slot_give(csla_freelist_t *fl, uint32_t i);

/* The last len (1..7) bytes of a string at s as a little-endian word, as
 * memcpy(&k, s, len) into a zeroed k gives them, without memcpy: a
 * variable-length copy is a call, and its byte stores then fail to forward
 * to the word load (a stall per hash).  `after8`: at least 8 bytes of the
 * string come before s+len, so one word ending there can be read. */
static inline uint64_t csla_hash_tail(const unsigned char *s, size_t len,
				      int after8)
{
	_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
		       "csla_hash's tail assumes a little-endian machine");
	uint64_t k;
	uint32_t lo, hi;
	if (after8) {
		memcpy(&k, s + len - 8, 8);
		return k >> (64 - 8 * len);
	}
	if (len >= 4) {
		memcpy(&lo, s, 4);
		memcpy(&hi, s + len - 4, 4);
		return lo | (uint64_t)hi << (8 * (len - 4));
	}
	return s[0] | (uint64_t)s[len / 2] << (8 * (len / 2)) |
	       (uint64_t)s[len - 1] << (8 * (len - 1));
}

/* 64-bit hash of a byte string, good enough to key tables by hash alone
 * (event ids): collisions are ~n^2/2^65. */
static inline uint64_t csla_hash(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (len * 0xff51afd7ed558ccdull);
	while (len >= 8) {
		uint64_t k;
		memcpy(&k, s, 8);
		k *= 0x87c37b91114253d5ull;
		k ^= k >> 31;
		h = (h ^ k) * 0x4cf5ad432745937full;
		h ^= h >> 29;
		s += 8;
		len -= 8;
	}
	if (len) {
		uint64_t k = csla_hash_tail(s, len, s != p);
		k *= 0x87c37b91114253d5ull;
		k ^= k >> 31;
		h = (h ^ k) * 0x4cf5ad432745937full;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/* Writes code point cp (<= 0x10FFFF) as UTF-8 into o (4 bytes suffice)
 * and returns the length: the JSON decoders' \\u escapes. */
static inline size_t csla_utf8_put(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

#endif
