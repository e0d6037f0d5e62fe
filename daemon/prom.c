/* prom.c - the Prometheus text format writer (prom.h). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "prom.h"

static void put(csla_buf_t *b, const char *s, size_t n)
{
	csla_buf_put(b, s, n);
}

static void puts_(csla_buf_t *b, const char *s)
{
	csla_buf_put(b, s, strlen(s));
}

/* Backslash and newline escaped (HELP); also '"' in label values. */
static void escaped(csla_buf_t *b, const char *s, size_t n, int quote)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		const char *esc = s[i] == '\\' ? "\\\\"
				  : s[i] == '\n' ? "\\n"
				  : quote && s[i] == '"' ? "\\\"" : NULL;

		if (!esc)
			continue;
		put(b, s + run, i - run);
		puts_(b, esc);
		run = i + 1;
	}
	put(b, s + run, n - run);
}

void csla_prom_family(csla_buf_t *b, const char *name, const char *help,
		      csla_prom_type_t type)
{
	static const char *const types[] = { "counter", "gauge", "histogram" };

	puts_(b, "# HELP ");
	puts_(b, name);
	put(b, " ", 1);
	escaped(b, help, strlen(help), 0);
	puts_(b, "\n# TYPE ");
	puts_(b, name);
	put(b, " ", 1);
	puts_(b, types[type]);
	put(b, "\n", 1);
}

/* NaN and the infinities as the format spells them, other values in the
 * shortest form that reads back the same. */
static size_t fmt_double(double v, char *buf, size_t len)
{
	if (isnan(v))
		return (size_t)snprintf(buf, len, "NaN");
	if (isinf(v))
		return (size_t)snprintf(buf, len, v > 0 ? "+Inf" : "-Inf");
	return csla_fmt_double(v, buf, len);
}

/* name{l1="v1",...,extra="ev"} with extra optional. */
static void series(csla_buf_t *b, const char *name, const char *suffix,
		   const csla_prom_label_t *l, size_t nl, const char *extra,
		   const char *ev)
{
	puts_(b, name);
	puts_(b, suffix);
	if (!nl && !extra)
		return;
	put(b, "{", 1);
	for (size_t i = 0; i < nl; i++) {
		if (i)
			put(b, ",", 1);
		puts_(b, l[i].name);
		put(b, "=\"", 2);
		escaped(b, l[i].value, l[i].len, 1);
		put(b, "\"", 1);
	}
	if (extra) {
		if (nl)
			put(b, ",", 1);
		puts_(b, extra);
		put(b, "=\"", 2);
		puts_(b, ev);
		put(b, "\"", 1);
	}
	put(b, "}", 1);
}

static void value_line(csla_buf_t *b, const char *v, size_t n)
{
	put(b, " ", 1);
	put(b, v, n);
	put(b, "\n", 1);
}

void csla_prom_sample_text(csla_buf_t *b, const char *name,
			   const csla_prom_label_t *l, size_t nl,
			   const char *v, size_t vlen)
{
	series(b, name, "", l, nl, NULL, NULL);
	value_line(b, v, vlen);
}

void csla_prom_sample(csla_buf_t *b, const char *name,
		      const csla_prom_label_t *l, size_t nl, double v)
{
	char num[40];
	size_t n = fmt_double(v, num, sizeof num);

	csla_prom_sample_text(b, name, l, nl, num, n);
}

void csla_prom_sample_u64(csla_buf_t *b, const char *name,
			  const csla_prom_label_t *l, size_t nl, uint64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%" PRIu64, v);

	csla_prom_sample_text(b, name, l, nl, num, (size_t)n);
}

void csla_prom_hist_init(csla_prom_hist_t *h, const double *bounds,
			 size_t nbounds)
{
	*h = (csla_prom_hist_t){ .bounds = bounds,
				 .nbounds = nbounds < CSLA_PROM_MAX_BOUNDS
						    ? nbounds
						    : CSLA_PROM_MAX_BOUNDS };
}

void csla_prom_hist_observe(csla_prom_hist_t *h, double v)
{
	size_t i = 0;

	while (i < h->nbounds && v > h->bounds[i])
		i++;
	h->n[i]++;
	h->count++;
	h->sum += v;
}

void csla_prom_histogram(csla_buf_t *b, const char *name,
			 const csla_prom_label_t *l, size_t nl,
			 const csla_prom_hist_t *h)
{
	char le[40], num[24];
	uint64_t cum = 0;
	int n;

	for (size_t i = 0; i <= h->nbounds; i++) {
		cum += h->n[i];
		if (i < h->nbounds)
			fmt_double(h->bounds[i], le, sizeof le);
		else
			memcpy(le, "+Inf", 5);
		series(b, name, "_bucket", l, nl, "le", le);
		n = snprintf(num, sizeof num, "%" PRIu64, cum);
		value_line(b, num, (size_t)n);
	}
	series(b, name, "_sum", l, nl, NULL, NULL);
	value_line(b, le, fmt_double(h->sum, le, sizeof le));
	series(b, name, "_count", l, nl, NULL, NULL);
	n = snprintf(num, sizeof num, "%" PRIu64, h->count);
	value_line(b, num, (size_t)n);
}
