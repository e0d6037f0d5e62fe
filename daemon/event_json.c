/*
 * event_json.c - see event_json.h.
 *
 * Written for the simulator's rate (millions of events a second): one pass,
 * no allocation, no printf; strings are copied in runs between the bytes
 * that need escaping, integers are formatted by hand.
 */
#include "callsla/event_json.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "callsla/timefmt.h"

/* Writes what fits into buf[0..cap) and counts everything in len, so that
 * the caller learns the size needed, like snprintf. */
typedef struct out {
	char *buf;
	size_t cap;
	size_t len;
} out_t;

static inline void put(out_t *o, const void *s, size_t n)
{
	if (o->len + n <= o->cap)
		memcpy(o->buf + o->len, s, n);
	else if (o->len < o->cap)
		memcpy(o->buf + o->len, s, o->cap - o->len);
	o->len += n;
}

#define PUT_LIT(o, lit) put((o), (lit), sizeof(lit) - 1)

static void put_int(out_t *o, int64_t v)
{
	char tmp[20]; /* "-9223372036854775808" */
	char *end = tmp + sizeof tmp, *p = end;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	put(o, p, (size_t)(end - p));
}

static void put_time(out_t *o, int64_t ms)
{
	char t[48]; /* room for any int64_t year, quotes included */
	int n = csla_time_format_utc(ms, t + 1, sizeof t - 2);

	t[0] = '"';
	t[n + 1] = '"';
	put(o, t, (size_t)n + 2);
}

/* Length of the well-formed UTF-8 sequence (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF) that starts at p, or 0. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */

	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* RFC 8259 string: '"' and '\' escaped, control characters as \u00XX,
 * well-formed UTF-8 copied as is.  A byte that is not part of well-formed
 * UTF-8 becomes \ufffd, so that the line stays valid JSON whatever the
 * caller passed. */
static void put_str(out_t *o, csla_str_t s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s.p;
	const unsigned char *end = p + s.len, *run = p;

	put(o, "\"", 1);
	while (p < end) {
		unsigned char c = *p;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			p++;
			continue;
		}
		if (c >= 0x80) {
			size_t n = utf8_seq(p, end);
			if (n) {
				p += n;
				continue;
			}
		}
		put(o, run, (size_t)(p - run));
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			put(o, e, 2);
		} else if (c < 0x20) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4],
				      hex[c & 15] };
			put(o, e, 6);
		} else {
			PUT_LIT(o, "\\ufffd");
		}
		run = ++p;
	}
	put(o, run, (size_t)(p - run));
	put(o, "\"", 1);
}

static void put_name(out_t *o, const char *name)
{
	put(o, "\"", 1);
	put(o, name, strlen(name));
	put(o, "\"", 1);
}

/* ,"key":"value" when the string is present */
static void field_str(out_t *o, const char *key, size_t keylen, csla_str_t v)
{
	if (!v.len)
		return;
	put(o, key, keylen);
	put_str(o, v);
}

static void field_ms(out_t *o, const char *key, size_t keylen, int64_t v)
{
	if (v == CSLA_NO_MS)
		return;
	put(o, key, keylen);
	put_int(o, v);
}

static void field_time(out_t *o, const char *key, size_t keylen, int64_t v)
{
	if (v == CSLA_NO_MS)
		return;
	put(o, key, keylen);
	put_time(o, v);
}

#define FIELD(fn, o, lit, v) fn((o), ",\"" lit "\":", sizeof(lit) + 3, (v))

static void durations(out_t *o, const csla_event_t *ev)
{
	FIELD(field_ms, o, "talk_ms", ev->talk_ms);
	FIELD(field_ms, o, "hold_ms", ev->hold_ms);
	FIELD(field_ms, o, "acw_ms", ev->acw_ms);
}

static void call_fields(out_t *o, const csla_event_t *ev)
{
	PUT_LIT(o, ",\"event\":");
	put_name(o, csla_call_event_name(ev->call_event));
	PUT_LIT(o, ",\"call_id\":");
	put_str(o, ev->call_id);
	FIELD(field_str, o, "queue", ev->queue);
	FIELD(field_str, o, "agent_id", ev->agent_id);
	FIELD(field_ms, o, "wait_ms", ev->wait_ms);
	durations(o, ev);
}

static void agent_fields(out_t *o, const csla_event_t *ev)
{
	PUT_LIT(o, ",\"agent_id\":");
	put_str(o, ev->agent_id);
	PUT_LIT(o, ",\"state\":");
	put_name(o, csla_agent_state_name(ev->state));
	FIELD(field_str, o, "reason", ev->reason);
	FIELD(field_str, o, "team", ev->team);
	if (!ev->has_queues)
		return;
	PUT_LIT(o, ",\"queues\":[");
	for (uint32_t i = 0; i < ev->nqueues; i++) {
		if (i)
			put(o, ",", 1);
		put_str(o, ev->queues[i]);
	}
	put(o, "]", 1);
}

static void cdr_fields(out_t *o, const csla_event_t *ev)
{
	PUT_LIT(o, ",\"call_id\":");
	put_str(o, ev->call_id);
	PUT_LIT(o, ",\"queue\":");
	put_str(o, ev->queue);
	FIELD(field_str, o, "agent_id", ev->agent_id);
	PUT_LIT(o, ",\"outcome\":");
	put_name(o, csla_outcome_name(ev->outcome));
	FIELD(field_time, o, "offered_at", ev->offered_at);
	FIELD(field_time, o, "alerting_at", ev->alerting_at);
	FIELD(field_time, o, "answered_at", ev->answered_at);
	FIELD(field_time, o, "ended_at", ev->ended_at);
	durations(o, ev);
}

size_t csla_event_json(const csla_event_t *ev, char *buf, size_t buflen)
{
	out_t o = { buf, buflen ? buflen - 1 : 0, 0 };

	switch (ev->type) {
	case CSLA_EV_CALL:
		PUT_LIT(&o, "{\"v\":1,\"type\":\"call\",\"ts\":");
		break;
	case CSLA_EV_AGENT:
		PUT_LIT(&o, "{\"v\":1,\"type\":\"agent\",\"ts\":");
		break;
	case CSLA_EV_CDR:
		PUT_LIT(&o, "{\"v\":1,\"type\":\"cdr\",\"ts\":");
		break;
	}
	put_time(&o, ev->ts_ms);
	FIELD(field_str, &o, "tenant", ev->tenant);
	FIELD(field_str, &o, "id", ev->id);
	switch (ev->type) {
	case CSLA_EV_CALL:
		call_fields(&o, ev);
		break;
	case CSLA_EV_AGENT:
		agent_fields(&o, ev);
		break;
	case CSLA_EV_CDR:
		cdr_fields(&o, ev);
		break;
	}
	put(&o, "}", 1);
	if (buflen)
		buf[o.len < o.cap ? o.len : o.cap] = '\0';
	return o.len;
}
