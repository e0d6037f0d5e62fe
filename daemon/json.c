/* json.c - reading one member of a JSON object, escaping and unescaping
 * strings, formatted appends (json.h). */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "util.h"

typedef csla_json_iter_t scan_t;

static void skip_ws(scan_t *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
				 *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* At an opening quote: moves past the closing one.  Sets the contents. */
static int skip_string(scan_t *s, const char **body, size_t *blen)
{
	const char *q = ++s->p;

	while (s->p < s->end && *s->p != '"') {
		if (*s->p == '\\' && ++s->p == s->end)
			return -1;
		s->p++;
	}
	if (s->p >= s->end)
		return -1;
	*body = q;
	*blen = (size_t)(s->p - q);
	s->p++;
	return 0;
}

/* Skips one value; nested objects and arrays by depth, minding strings. */
static int skip_value(scan_t *s, csla_jval_t *v)
{
	const char *start;
	int depth = 0;

	skip_ws(s);
	if (s->p >= s->end)
		return -1;
	start = s->p;
	if (*s->p == '"') {
		v->type = CSLA_JT_STRING;
		return skip_string(s, &v->p, &v->len);
	}
	if (*s->p == '{' || *s->p == '[') {
		do {
			const char *b;
			size_t bl;

			if (s->p >= s->end)
				return -1;
			if (*s->p == '"') {
				if (skip_string(s, &b, &bl))
					return -1;
				continue;
			}
			if (*s->p == '{' || *s->p == '[')
				depth++;
			else if (*s->p == '}' || *s->p == ']')
				depth--;
			s->p++;
		} while (depth > 0);
		*v = (csla_jval_t){ CSLA_JT_OTHER, start,
				    (size_t)(s->p - start) };
		return 0;
	}
	while (s->p < s->end && *s->p != ',' && *s->p != '}' &&
	       *s->p != ']' && *s->p != ' ' && *s->p != '\t' &&
	       *s->p != '\n' && *s->p != '\r')
		s->p++;
	v->p = start;
	v->len = (size_t)(s->p - start);
	if (!v->len)
		return -1;
	if (v->len == 4 && !memcmp(start, "null", 4))
		v->type = CSLA_JT_NULL;
	else if (*start == '-' || (*start >= '0' && *start <= '9'))
		v->type = CSLA_JT_NUMBER;
	else
		v->type = CSLA_JT_OTHER;
	return 0;
}

int csla_json_iter_init(csla_json_iter_t *it, const char *json, size_t len)
{
	*it = (csla_json_iter_t){ json, json + len, true };
	skip_ws(it);
	if (it->p >= it->end || *it->p != '{')
		return -1;
	it->p++;
	return 0;
}

int csla_json_iter_next(csla_json_iter_t *it, const char **key,
			size_t *klen, csla_jval_t *v)
{
	skip_ws(it);
	if (!it->first) {
		if (it->p >= it->end || *it->p != ',')
			return 0;
		it->p++;
		skip_ws(it);
	}
	it->first = false;
	if (it->p >= it->end || *it->p != '"' || skip_string(it, key, klen))
		return 0;
	skip_ws(it);
	if (it->p >= it->end || *it->p != ':')
		return 0;
	it->p++;
	return skip_value(it, v) ? 0 : 1;
}

int csla_json_member(const char *json, size_t len, const char *name,
		     csla_jval_t *out)
{
	csla_json_iter_t it;
	size_t nlen = strlen(name), klen;
	const char *key;
	csla_jval_t v;

	if (csla_json_iter_init(&it, json, len))
		return -1;
	while (csla_json_iter_next(&it, &key, &klen, &v))
		if (klen == nlen && !memcmp(key, name, nlen)) {
			*out = v;
			return 0;
		}
	return -1;
}

static int hex4(const char *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

size_t csla_json_unescape(const char *p, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		uint32_t cp, lo;

		if (p[i] != '\\') {
			out[o++] = p[i];
			continue;
		}
		if (++i >= len)
			return (size_t)-1;
		switch (p[i]) {
		case '"': case '\\': case '/': out[o++] = p[i]; break;
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'u':
			/* "\uXXXX" is 6 bytes and gives at most 3; a pair
			 * is 12 and gives 4. */
			if (i + 4 >= len || hex4(p + i + 1, &cp))
				return (size_t)-1;
			i += 4;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (i + 6 >= len || p[i + 1] != '\\' ||
				    p[i + 2] != 'u' || hex4(p + i + 3, &lo) ||
				    lo < 0xdc00 || lo > 0xdfff)
					return (size_t)-1;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
				i += 6;
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				return (size_t)-1;
			}
			o += csla_utf8_put(out + o, cp);
			break;
		default:
			return (size_t)-1;
		}
	}
	return o;
}

void csla_json_str(csla_buf_t *b, const char *s, size_t n)
{
	size_t run = 0;

	csla_buf_put(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		char esc[6];
		size_t len = csla_json_escape((unsigned char)s[i], esc);

		if (!len)
			continue;
		csla_buf_put(b, s + run, i - run);
		csla_buf_put(b, esc, len);
		run = i + 1;
	}
	csla_buf_put(b, s + run, n - run);
	csla_buf_put(b, "\"", 1);
}

size_t csla_fmt_double(double v, char *buf, size_t len)
{
	/* Whole numbers as such: "10", not "1e+01". */
	if (v == floor(v) && fabs(v) < 1e15)
		return (size_t)snprintf(buf, len, "%.0f", v);
	for (int prec = 1; prec < 17; prec++) {
		int n = snprintf(buf, len, "%.*g", prec, v);

		if (strtod(buf, NULL) == v)
			return (size_t)n;
	}
	return (size_t)snprintf(buf, len, "%.17g", v);
}

void csla_json_num(csla_buf_t *b, double v)
{
	char num[40];

	if (!isfinite(v))
		csla_buf_put(b, "null", 4);
	else
		csla_buf_put(b, num, csla_fmt_double(v, num, sizeof num));
}

void csla_buf_printf(csla_buf_t *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		csla_buf_put(b, small, (size_t)n);
		return;
	}
	char *big = csla_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	csla_buf_put(b, big, (size_t)n);
	free(big);
}
