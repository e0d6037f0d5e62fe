/* snapshot.c - the JSON form of one snapshot row (spec section 4).
 *
 * It runs for every (tenant, scope, id, window) at every flush, so it
 * formats numbers itself into the caller's buffer: no allocation, no stdio.
 * Like snprintf it keeps counting past the end of the buffer, so the caller
 * learns the size it needs. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "callsla/snapshot.h"
#include "callsla/timefmt.h"
#include "json.h"
#include "util.h"

typedef struct out {
	char *buf;
	size_t cap; /* bytes usable for text; one more holds the NUL */
	size_t len; /* bytes the full text needs */
} out_t;

static void put_clipped(out_t *o, const char *s, size_t n)
{
	if (o->len < o->cap) {
		size_t room = o->cap - o->len;
		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

/* Inlined, so that the many constant-size copies stay plain moves.  (An
 * empty copy takes the slow path: buf may be NULL when buflen is 0.) */
static inline void put(out_t *o, const char *s, size_t n)
{
	if (n && o->len <= o->cap && n <= o->cap - o->len) {
		memcpy(o->buf + o->len, s, n);
		o->len += n;
	} else {
		put_clipped(o, s, n);
	}
}

static void put_s(out_t *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_u64(out_t *o, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof tmp;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, tmp + i, sizeof tmp - i);
}

/* A JSON string: quotes, backslashes and control characters escaped,
 * everything else (UTF-8 included) as is. */
static void put_str(out_t *o, csla_str_t s)
{
	size_t run = 0;

	put(o, "\"", 1);
	for (size_t i = 0; i < s.len; i++) {
		char esc[6];
		size_t n = csla_json_escape((unsigned char)s.p[i], esc);

		if (!n)
			continue;
		put(o, s.p + run, i - run);
		put(o, esc, n);
		run = i + 1;
	}
	put(o, s.p + run, s.len - run);
	put(o, "\"", 1);
}

/* v rounded half away from zero to `decimals` places, printed with its
 * trailing zeros dropped but at least one decimal ("0.82", "61.0");
 * NAN is null.
 *
 * The value is a quotient of integers that was meant as an exact decimal
 * (1234.5 ms is 1.2345 s), but the double may sit a few ulps below the
 * half; a few ulps of slack decides such ties upward.  A true quotient
 * p/q is never that close to a half without being on it, for any q the
 * counters can reach. */
static void put_fixed(out_t *o, double v, int decimals)
{
	static const double scale[] = { 1, 10, 100, 1000, 10000 };
	double y = fabs(v) * scale[decimals];
	char tmp[32];
	size_t i = sizeof tmp;
	int keep = 1;

	/* NAN fails the comparison, and so does what cannot be counted. */
	if (!(y < 0x1p63)) {
		put(o, "null", 4);
		return;
	}
	double f = floor(y);
	if (y - f >= 0.5 - 8 * DBL_EPSILON * (y > 1 ? y : 1))
		f += 1;
	uint64_t u = (uint64_t)f;

	/* Digits right to left; trailing zero decimals are not written. */
	for (int d = 0; d < decimals; d++) {
		char c = (char)('0' + u % 10);
		u /= 10;
		if (c != '0' || !keep || d == decimals - 1) {
			tmp[--i] = c;
			keep = 0;
		}
	}
	tmp[--i] = '.';
	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0 && f > 0)
		tmp[--i] = '-';
	put(o, tmp + i, sizeof tmp - i);
}

/* Keys are literals: each ",\"key\":" is one constant-size copy. */
#define KEY(o, k) put(o, ",\"" k "\":", sizeof(",\"" k "\":") - 1)
#define FIELD_U64(o, k, v) (KEY(o, k), put_u64(o, v))
#define FIELD_RATIO(o, k, v) (KEY(o, k), put_fixed(o, v, 4))
#define FIELD_SECS(o, k, v) (KEY(o, k), put_fixed(o, v, 3))

/* The order of the spec's example, not the enum's. */
static const csla_agent_state_t gauge_states[] = {
	CSLA_AS_AVAILABLE, CSLA_AS_ALERTING, CSLA_AS_TALKING,
	CSLA_AS_HOLD,      CSLA_AS_ACW,      CSLA_AS_NOT_READY,
};

static void queue_fields(out_t *o, const csla_snapshot_t *s)
{
	const csla_agg_t *a = &s->agg;

	FIELD_U64(o, "offered", csla_metric_offered(a));
	FIELD_U64(o, "answered", a->answered);
	FIELD_U64(o, "abandoned", a->abandoned);
	FIELD_U64(o, "short_abandoned", a->short_abandoned);
	FIELD_U64(o, "flowout", a->flowout);
	FIELD_U64(o, "answered_in_sl", a->answered_in_sl);
	FIELD_U64(o, "answered_in_rings", a->answered_in_rings);
	FIELD_RATIO(o, "service_level", csla_metric_service_level(a, s->qc));
	FIELD_RATIO(o, "three_ring_rate", csla_metric_three_ring_rate(a));
	FIELD_RATIO(o, "abandon_rate", csla_metric_abandon_rate(a));
	FIELD_SECS(o, "asa_s", csla_metric_asa_s(a));
	FIELD_SECS(o, "max_wait_s", csla_metric_max_wait_s(a));
	FIELD_U64(o, "handled", a->handled);
	FIELD_SECS(o, "aht_s", csla_metric_aht_s(a));
	FIELD_RATIO(o, "occupancy", csla_metric_occupancy(a));
	FIELD_RATIO(o, "utilization", csla_metric_utilization(a));
	if (!s->has_gauges)
		return;
	FIELD_U64(o, "waiting_now", s->waiting_now);
	FIELD_SECS(o, "longest_wait_s", (double)s->longest_wait_ms / 1000.0);
	KEY(o, "agents");
	for (size_t i = 0; i < sizeof gauge_states / sizeof gauge_states[0]; i++) {
		csla_agent_state_t st = gauge_states[i];

		put(o, i ? ",\"" : "{\"", 2);
		put_s(o, csla_agent_state_name(st));
		put(o, "\":", 2);
		put_u64(o, s->agents[st]);
	}
	put(o, "}", 1);
	FIELD_U64(o, "staffed", s->staffed);
}

static void agent_fields(out_t *o, const csla_snapshot_t *s)
{
	const csla_agg_t *a = &s->agg;

	FIELD_U64(o, "answered", a->answered);
	FIELD_U64(o, "handled", a->handled);
	FIELD_SECS(o, "aht_s", csla_metric_aht_s(a));
	FIELD_RATIO(o, "occupancy", csla_metric_occupancy(a));
	FIELD_RATIO(o, "utilization", csla_metric_utilization(a));
	FIELD_U64(o, "agent_answer_in_rings", a->ring_in_rings);
	FIELD_U64(o, "rona", a->rona);
}

/* The rows of one flush share their as_of: format it once per thread. */
static void put_as_of(out_t *o, int64_t ms)
{
	static _Thread_local int64_t last_ms = INT64_MIN;
	static _Thread_local char text[32];
	static _Thread_local size_t len;

	if (ms != last_ms || !len) {
		len = (size_t)csla_time_format_utc(ms, text, sizeof text);
		last_ms = ms;
	}
	put(o, text, len);
}

size_t csla_snapshot_json(const csla_snapshot_t *s, char *buf, size_t buflen)
{
	out_t o = { buf, buflen ? buflen - 1 : 0, 0 };

	put(&o, "{\"tenant\":", 10);
	put_str(&o, s->tenant);
	KEY(&o, "as_of");
	put(&o, "\"", 1);
	put_as_of(&o, s->as_of_ms);
	put(&o, "\"", 1);
	KEY(&o, "scope");
	put(&o, "\"", 1);
	put_s(&o, csla_scope_name(s->scope));
	put(&o, "\"", 1);
	KEY(&o, "id");
	put_str(&o, s->id);
	KEY(&o, "window");
	put(&o, "\"", 1);
	put_s(&o, s->window);
	put(&o, "\"", 1);
	if (s->scope == CSLA_SCOPE_QUEUE || s->scope == CSLA_SCOPE_TENANT)
		queue_fields(&o, s);
	else
		agent_fields(&o, s);
	put(&o, "}", 1);
	if (buflen)
		buf[o.len < o.cap ? o.len : o.cap] = '\0';
	return o.len;
}

size_t csla_snapshot_json_grow(const csla_snapshot_t *s, char **buf,
			       size_t *cap)
{
	size_t need = csla_snapshot_json(s, *buf, *cap);
	if (need >= *cap) {
		*cap = need + 1;
		*buf = csla_xrealloc(*buf, *cap);
		csla_snapshot_json(s, *buf, *cap);
	}
	return need;
}
