/* evtime.c - a message's event time by skimming its top-level keys
 * (evtime.h).  The merge needs only this of every held message; a full
 * decode there cost as much as the decode that applies it. */
#include <string.h>

#include "callsla/timefmt.h"
#include "evtime.h"
#include "json.h"

/* Same bounds as the decoder's epoch milliseconds: years 1..9999. */
#define MIN_TS_MS (-62135596800000LL)
#define MAX_TS_MS 253402300799999LL

/* An integer of epoch milliseconds or an RFC 3339 string. */
static int64_t time_value(const csla_jval_t *v)
{
	const char *p = v->p, *end = v->p + v->len;
	int64_t t = 0;

	if (v->type == CSLA_JT_STRING)
		return csla_time_parse_rfc3339(v->p, v->len, &t) ? INT64_MIN
								  : t;
	if (v->type != CSLA_JT_NUMBER)
		return INT64_MIN;
	bool neg = *p == '-';
	p += neg;
	if (p == end)
		return INT64_MIN;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9' || t > MAX_TS_MS / 10)
			return INT64_MIN;
		t = t * 10 + (*p - '0');
	}
	if (neg)
		t = -t;
	return t >= MIN_TS_MS && t <= MAX_TS_MS ? t : INT64_MIN;
}

static bool is(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && !memcmp(s, lit, n);
}

int64_t csla_evtime_peek(const char *msg, size_t len)
{
	int64_t ts = INT64_MIN, ended = INT64_MIN;
	bool cdr = false;
	csla_json_iter_t it;
	const char *key;
	size_t klen;
	csla_jval_t v;

	if (csla_json_iter_init(&it, msg, len))
		return INT64_MIN;
	/* The last of duplicate keys wins, as in the decoder. */
	while (csla_json_iter_next(&it, &key, &klen, &v)) {
		if (is(key, klen, "ts"))
			ts = time_value(&v);
		else if (is(key, klen, "ended_at"))
			ended = time_value(&v);
		else if (is(key, klen, "type"))
			cdr = v.type == CSLA_JT_STRING && is(v.p, v.len, "cdr");
	}
	return cdr ? ended : ts;
}
