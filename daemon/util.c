/* util.c - see util.h. */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

static void oom(size_t n)
{
	fprintf(stderr, "callsla: out of memory allocating %zu bytes\n", n);
	abort();
}

void *csla_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *csla_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *csla_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *csla_xstrndup(const char *s, size_t n)
{
	char *p = csla_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void csla_grow(void *arr, uint32_t *cap, size_t need, size_t size)
{
	void **pp = arr;
	if (need <= *cap)
		return;
	size_t c = *cap ? *cap : 8;
	while (c < need)
		c *= 2;
	if (c > UINT32_MAX)
		oom(c * size);
	*pp = csla_xrealloc(*pp, c * size);
	*cap = (uint32_t)c;
}

void csla_reserve(char **buf, size_t *cap, size_t len, size_t more)
{
	if (*cap - len >= more)
		return;
	size_t c = *cap ? *cap : 4096;
	while (c - len < more)
		c *= 2;
	*buf = csla_xrealloc(*buf, c);
	*cap = c;
}

#define HUGE_PAGE ((size_t)2 << 20)
#define LINE ((size_t)64)

void *csla_table_new(size_t n, size_t size)
{
	size_t bytes = n * size;
	if (bytes < HUGE_PAGE) {
		/* On cache-line boundaries, so that an element of a line's
		 * size (or a multiple) is read in as few lines as it can be. */
		size_t len = (bytes + LINE - 1) & ~(LINE - 1);
		void *p = aligned_alloc(LINE, len ? len : LINE);
		if (!p)
			oom(bytes);
		return memset(p, 0, len);
	}
	/* Map one huge page more, then trim both ends to a 2 MiB boundary. */
	size_t len = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	char *m = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		oom(bytes);
	char *p = (char *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
	if (p > m)
		munmap(m, (size_t)(p - m));
	if (m + len + HUGE_PAGE > p + len)
		munmap(p + len, (size_t)(m + len + HUGE_PAGE - (p + len)));
	/* Advice only: without THP the table works the same, just slower. */
	(void)madvise(p, len, MADV_HUGEPAGE);
	return p;
}

void csla_table_free(void *p, size_t n, size_t size)
{
	size_t bytes = n * size;
	if (bytes < HUGE_PAGE) {
		free(p);
		return;
	}
	if (p)
		munmap(p, (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
}

uint32_t csla_slot_take(void *arr, uint32_t *n, uint32_t *cap, size_t size,
			csla_freelist_t *fl)
{
	if (fl->n)
		return fl->idx[--fl->n];
	csla_grow(arr, cap, (size_t)*n + 1, size);
	memset(*(char **)arr + (size_t)*n * size, 0, size);
	return (*n)++;
}

uint32_t csla_table_take(void *arr, uint32_t *n, uint32_t *cap, size_t size,
			 csla_freelist_t *fl)
{
	if (fl->n)
		return fl->idx[--fl->n];
	if (*n == *cap) {
		void **pp = arr;
		uint32_t c = *cap ? *cap * 2 : 64;
		if (c < *cap)
			oom((size_t)*cap * 2 * size);
		void *grown = csla_table_new(c, size);
		if (*n)
			memcpy(grown, *pp, (size_t)*n * size);
		csla_table_free(*pp, *cap, size);
		*pp = grown;
		*cap = c;
	}
	return (*n)++;
}

void csla_slot_give(csla_freelist_t *fl, uint32_t i)
{
	csla_grow(&fl->idx, &fl->cap, (size_t)fl->n + 1, sizeof *fl->idx);
	fl->idx[fl->n++] = i;
}
