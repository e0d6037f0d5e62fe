/* snaprow.c - stored snapshot rows: fields, order, as_of (snaprow.h). */
#include <string.h>

#include "snaprow.h"

int csla_bytes_cmp(csla_bytes_t a, csla_bytes_t b)
{
	int r = memcmp(a.p, b.p, a.n < b.n ? a.n : b.n);
	return r ? r : (a.n > b.n) - (a.n < b.n);
}

int csla_snaprow_split(const char *p, size_t n, csla_snaprow_t *row)
{
	const char *a = memchr(p, '|', n), *b;

	if (!a || a == p)
		return -1;
	b = memchr(a + 1, '|', n - (size_t)(a + 1 - p));
	if (!b || b == a + 1)
		return -1;
	row->scope = (csla_bytes_t){ p, (size_t)(a - p) };
	row->window = (csla_bytes_t){ a + 1, (size_t)(b - a - 1) };
	row->id = (csla_bytes_t){ b + 1, n - (size_t)(b + 1 - p) };
	return 0;
}

int csla_snaprow_cmp(const void *a, const void *b)
{
	const csla_snaprow_t *x = a, *y = b;
	int r = csla_bytes_cmp(x->scope, y->scope);
	if (!r)
		r = csla_bytes_cmp(x->id, y->id);
	if (!r)
		r = csla_bytes_cmp(x->window, y->window);
	return r;
}

long csla_snaprow_as_of(const char *json, size_t n)
{
	static const char tag[] = "\"as_of\":\"";
	const size_t tl = sizeof tag - 1;
	const char *p = json, *end = json + n;

	while ((p = memchr(p, '"', (size_t)(end - p))) &&
	       (size_t)(end - p) >= tl + CSLA_AS_OF_LEN + 1) {
		if (!memcmp(p, tag, tl) && p[tl + CSLA_AS_OF_LEN] == '"')
			return (long)(p + tl - json);
		p++;
	}
	return -1;
}
