/* tz.c - TZif (RFC 8536) parsing and local-time lookups; see tz.h.
 *
 * A zone is a sorted list of transitions, each with the UTC offset in force
 * from it on, plus the POSIX TZ rule of the footer for instants after the
 * last one.  Every lookup is a binary search, or, where the rule applies,
 * a look at its changes of four years (worked out at parse time for
 * 1970..2225), so the structure is read-only after parsing and may be
 * shared between threads. */
#include "callsla/tz.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callsla/timefmt.h"
#include "util.h"

#define DAY_S 86400
#define DAY_MS (DAY_S * INT64_C(1000))

/* RFC 8536 bounds on a UTC offset: about -25 h .. +26 h. */
#define OFF_MIN (-89999)
#define OFF_MAX 93599

/* Transitions beyond +-2^52 s (about 140 million years) cannot be reached
 * by a millisecond timestamp and would overflow seconds * 1000: zic writes
 * one at -2^59 ("the big bang") in some files. */
#define TIME_LIM_S (INT64_C(1) << 52)

/* A start or end date of the POSIX rule. */
struct rule_date {
	char kind;      /* 'J': Julian day 1..365 without Feb 29, 'n': 0..365,
			 * 'M': month.week.weekday */
	int day;        /* J and n */
	int mon, week, wday;
	int32_t time_s; /* local time of day; TZif v3 allows -167 h .. 167 h */
};

/* The footer: "STDoffset[DST[offset],start[/time],end[/time]]". */
struct posix_rule {
	int32_t std_off; /* seconds east of UTC */
	int32_t dst_off;
	bool has_dst;
	struct rule_date start, end; /* start in standard time, end in DST */
};

struct csla_tz {
	char *name;
	size_t ntrans;
	int64_t *trans;     /* UTC seconds, strictly ascending */
	int32_t *trans_off; /* offset in force from trans[i] on */
	int32_t first_off;  /* before the first transition: type 0 */
	bool has_rule;      /* else the last offset stays in force */
	struct posix_rule rule;
	/* The rule's two changes (to standard time, to DST) in UTC seconds
	 * for years RULE_Y0.., worked out once at parse time. */
	int64_t (*rule_years)[2];
};

#define RULE_Y0 1970
#define RULE_NYEARS 256

/* ---- POSIX TZ strings ---------------------------------------------------- */

static int p_num(const char **pp, const char *e, int maxdig, int *out)
{
	const char *p = *pp;
	int v = 0, n = 0;

	while (p < e && n < maxdig && *p >= '0' && *p <= '9') {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (!n)
		return -1;
	*pp = p;
	*out = v;
	return 0;
}

/* [+-]hh[:mm[:ss]] with hh <= max_h, as signed seconds. */
static int p_hms(const char **pp, const char *e, int max_h, int32_t *out)
{
	const char *p = *pp;
	int sign = 1, h, m = 0, s = 0;

	if (p < e && (*p == '+' || *p == '-'))
		sign = *p++ == '-' ? -1 : 1;
	if (p_num(&p, e, 3, &h) || h > max_h)
		return -1;
	if (p < e && *p == ':') {
		p++;
		if (p_num(&p, e, 2, &m) || m > 59)
			return -1;
		if (p < e && *p == ':') {
			p++;
			if (p_num(&p, e, 2, &s) || s > 59)
				return -1;
		}
	}
	*out = sign * (h * 3600 + m * 60 + s);
	*pp = p;
	return 0;
}

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* An abbreviation: three or more letters, or <...> with letters, digits,
 * '+' and '-'.  Its text is not needed. */
static int p_name(const char **pp, const char *e)
{
	const char *p = *pp, *b;

	if (p < e && *p == '<') {
		b = ++p;
		while (p < e && (is_alpha(*p) || (*p >= '0' && *p <= '9') ||
				 *p == '+' || *p == '-'))
			p++;
		if (p == e || *p != '>' || p - b < 3)
			return -1;
		*pp = p + 1;
		return 0;
	}
	b = p;
	while (p < e && is_alpha(*p))
		p++;
	if (p - b < 3)
		return -1;
	*pp = p;
	return 0;
}

static int p_date(const char **pp, const char *e, struct rule_date *d)
{
	const char *p = *pp;

	if (p < e && *p == 'J') {
		p++;
		d->kind = 'J';
		if (p_num(&p, e, 3, &d->day) || d->day < 1 || d->day > 365)
			return -1;
	} else if (p < e && *p == 'M') {
		p++;
		d->kind = 'M';
		if (p_num(&p, e, 2, &d->mon) || d->mon < 1 || d->mon > 12 ||
		    p == e || *p++ != '.' ||
		    p_num(&p, e, 1, &d->week) || d->week < 1 || d->week > 5 ||
		    p == e || *p++ != '.' ||
		    p_num(&p, e, 1, &d->wday) || d->wday > 6)
			return -1;
	} else {
		d->kind = 'n';
		if (p_num(&p, e, 3, &d->day) || d->day > 365)
			return -1;
	}
	d->time_s = 2 * 3600;
	if (p < e && *p == '/') {
		p++;
		if (p_hms(&p, e, 167, &d->time_s))
			return -1;
	}
	*pp = p;
	return 0;
}

/* A footer with DST must give its rule: zic always writes one, and the
 * POSIX default for a missing rule is implementation-defined. */
static int parse_posix(const char *s, size_t n, struct posix_rule *r)
{
	const char *p = s, *e = s + n;
	int32_t v;

	if (p_name(&p, e) || p_hms(&p, e, 24, &v))
		return -1;
	r->std_off = -v; /* POSIX counts west of UTC */
	r->has_dst = false;
	if (p == e)
		return 0;
	if (p_name(&p, e))
		return -1;
	r->dst_off = r->std_off + 3600;
	if (p < e && *p != ',') {
		if (p_hms(&p, e, 24, &v))
			return -1;
		r->dst_off = -v;
	}
	if (p == e || *p++ != ',' || p_date(&p, e, &r->start) ||
	    p == e || *p++ != ',' || p_date(&p, e, &r->end) || p != e)
		return -1;
	r->has_dst = true;
	return 0;
}

static bool is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* The wall-clock time of d in year y, counted like UTC seconds. */
static int64_t rule_wall(const struct rule_date *d, int64_t y)
{
	int64_t jan1 = csla_days_from_civil(y, 1, 1), day;

	if (d->kind == 'J') {
		day = jan1 + d->day - 1 + (d->day >= 60 && is_leap(y));
	} else if (d->kind == 'n') {
		day = jan1 + d->day;
	} else {
		int64_t first = csla_days_from_civil(y, (unsigned)d->mon, 1);
		int64_t next = d->mon == 12 ?
			csla_days_from_civil(y + 1, 1, 1) :
			csla_days_from_civil(y, (unsigned)d->mon + 1, 1);
		/* 1970-01-01 was a Thursday (4). */
		int64_t wd = csla_floormod(first + 4, 7);

		day = first + (d->wday - wd + 7) % 7 + 7 * (d->week - 1);
		while (day >= next) /* week 5 means the last one */
			day -= 7;
	}
	return day * DAY_S + d->time_s;
}

/* The rule's changes in year y: out[0] to standard time, out[1] to DST. */
static void rule_changes(const struct posix_rule *r, int64_t y,
			 int64_t out[2])
{
	out[0] = rule_wall(&r->end, y) - r->dst_off;
	out[1] = rule_wall(&r->start, y) - r->std_off;
}

static void rule_year(const csla_tz_t *tz, int64_t y, int64_t out[2])
{
	if (y >= RULE_Y0 && y < RULE_Y0 + RULE_NYEARS) {
		out[0] = tz->rule_years[y - RULE_Y0][0];
		out[1] = tz->rule_years[y - RULE_Y0][1];
		return;
	}
	rule_changes(&tz->rule, y, out);
}

/* Offset at UTC second s under the rule, and the start of its run (never
 * before floor, the last explicit transition). */
static int32_t rule_lookup(const csla_tz_t *tz, int64_t s, int64_t floor,
			   int64_t *start)
{
	const struct posix_rule *r = &tz->rule;
	int64_t best = INT64_MIN, y, yy, ch[2];
	int32_t off = r->std_off;
	unsigned m, d;

	if (!r->has_dst) {
		*start = floor;
		return r->std_off;
	}
	csla_civil_from_days(csla_floordiv(s, DAY_S), &y, &m, &d);
	/* Rule times may lie up to a week outside their year (v3 hours), so
	 * the latest change before s is among these years' four.  On a tie
	 * the later one listed wins: "J365/25" ending DST exactly when next
	 * year's "0/0" starts it again means DST all year. */
	for (yy = y - 2; yy <= y + 1; yy++) {
		rule_year(tz, yy, ch);
		if (ch[0] <= s && ch[0] >= best) {
			best = ch[0];
			off = r->std_off;
		}
		if (ch[1] <= s && ch[1] >= best) {
			best = ch[1];
			off = r->dst_off;
		}
	}
	*start = best > floor ? best : floor;
	return off;
}

/* Offset at UTC second s, and the first second of the run of time that has
 * it (INT64_MIN when it runs from the beginning of time). */
static int32_t lookup(const csla_tz_t *tz, int64_t s, int64_t *start)
{
	size_t n = tz->ntrans, lo = 0, hi = n;

	if (n == 0 || s < tz->trans[0]) {
		if (n == 0 && tz->has_rule)
			return rule_lookup(tz, s, INT64_MIN, start);
		*start = INT64_MIN;
		return tz->first_off;
	}
	if (s >= tz->trans[n - 1] && tz->has_rule)
		return rule_lookup(tz, s, tz->trans[n - 1], start);
	/* Largest i with trans[i] <= s: trans[lo] <= s < trans[hi]. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (tz->trans[mid] <= s)
			lo = mid;
		else
			hi = mid;
	}
	*start = tz->trans[lo];
	return tz->trans_off[lo];
}

/* ---- TZif ----------------------------------------------------------------- */

struct tzif_hdr {
	unsigned char version;
	uint32_t isut, isstd, leap, time, type, chr;
};

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int64_t get_time(const unsigned char *p, unsigned tsize)
{
	if (tsize == 4)
		return (int32_t)get_u32(p);
	return (int64_t)((uint64_t)get_u32(p) << 32 | get_u32(p + 4));
}

#define TZIF_HDR_LEN 44

static int read_hdr(const unsigned char *p, size_t len, struct tzif_hdr *h)
{
	if (len < TZIF_HDR_LEN || memcmp(p, "TZif", 4))
		return -1;
	h->version = p[4];
	h->isut = get_u32(p + 20);
	h->isstd = get_u32(p + 24);
	h->leap = get_u32(p + 28);
	h->time = get_u32(p + 32);
	h->type = get_u32(p + 36);
	h->chr = get_u32(p + 40);
	return 0;
}

static uint64_t block_len(const struct tzif_hdr *h, unsigned tsize)
{
	return (uint64_t)h->time * (tsize + 1) + (uint64_t)h->type * 6 +
	       h->chr + (uint64_t)h->leap * (tsize + 4) + h->isstd + h->isut;
}

static csla_tz_t *parse_fail(csla_tz_t *tz, const char *name, const char *msg,
			     char *errstr, size_t errlen)
{
	csla_tz_destroy(tz);
	if (errlen)
		snprintf(errstr, errlen, "time zone \"%s\": %s", name, msg);
	return NULL;
}

/* The footer "\nTZ\n" ends the data; an empty TZ means no rule. */
static const char *parse_footer(csla_tz_t *tz, const unsigned char *p,
				const unsigned char *end)
{
	const unsigned char *nl;

	if (p == end || *p != '\n')
		return "missing TZ footer";
	nl = memchr(p + 1, '\n', (size_t)(end - p - 1));
	if (!nl)
		return "unterminated TZ footer";
	if (nl + 1 != end)
		return "bytes after the TZ footer";
	if (nl == p + 1)
		return NULL;
	if (parse_posix((const char *)p + 1, (size_t)(nl - p - 1), &tz->rule))
		return "bad TZ string in footer";
	tz->has_rule = true;
	if (tz->rule.has_dst) {
		tz->rule_years = csla_xmalloc(RULE_NYEARS * sizeof *tz->rule_years);
		for (int i = 0; i < RULE_NYEARS; i++)
			rule_changes(&tz->rule, RULE_Y0 + i,
				     tz->rule_years[i]);
	}
	return NULL;
}

csla_tz_t *csla_tz_parse(const char *name, const unsigned char *data,
			 size_t len, char *errstr, size_t errlen)
{
	const unsigned char *p = data, *end = data + len;
	const unsigned char *times, *idx, *types;
	struct tzif_hdr h;
	unsigned tsize = 4;
	uint64_t n;
	csla_tz_t *tz = NULL;
	const char *msg;

	if (read_hdr(p, len, &h))
		return parse_fail(tz, name, "not TZif data", errstr, errlen);
	if (h.version != 0 && (h.version < '2' || h.version > '4'))
		return parse_fail(tz, name, "unsupported TZif version",
				  errstr, errlen);
	n = block_len(&h, 4);
	if (n > len - TZIF_HDR_LEN)
		return parse_fail(tz, name, "truncated TZif data", errstr,
				  errlen);
	if (h.version != 0) {
		/* Version 2+ repeats everything with 64-bit times. */
		p += TZIF_HDR_LEN + n;
		if (read_hdr(p, (size_t)(end - p), &h))
			return parse_fail(tz, name, "bad second TZif header",
					  errstr, errlen);
		tsize = 8;
		n = block_len(&h, 8);
		if (n > (uint64_t)(end - p) - TZIF_HDR_LEN)
			return parse_fail(tz, name, "truncated TZif data",
					  errstr, errlen);
	}
	if (h.type == 0 || h.chr == 0 || (h.isstd && h.isstd != h.type) ||
	    (h.isut && h.isut != h.type))
		return parse_fail(tz, name, "bad TZif counts", errstr, errlen);
	if (h.leap)
		return parse_fail(tz, name, "leap-second zones are not supported",
				  errstr, errlen);
	times = p + TZIF_HDR_LEN;
	idx = times + (size_t)h.time * tsize;
	types = idx + h.time;
	for (uint32_t i = 0; i < h.type; i++) {
		const unsigned char *t = types + 6 * (size_t)i;
		int32_t off = (int32_t)get_u32(t);

		if (off < OFF_MIN || off > OFF_MAX || t[4] > 1 || t[5] >= h.chr)
			return parse_fail(tz, name, "bad local time type",
					  errstr, errlen);
	}

	tz = csla_xcalloc(1, sizeof *tz);
	tz->name = csla_xstrndup(name, strlen(name));
	tz->trans = csla_xmalloc(h.time * sizeof *tz->trans);
	tz->trans_off = csla_xmalloc(h.time * sizeof *tz->trans_off);
	tz->first_off = (int32_t)get_u32(types);
	for (uint32_t i = 0; i < h.time; i++) {
		int64_t t = get_time(times + (size_t)i * tsize, tsize);
		int32_t off;

		if (i && t <= get_time(times + (size_t)(i - 1) * tsize, tsize))
			return parse_fail(tz, name, "transitions out of order",
					  errstr, errlen);
		if (idx[i] >= h.type)
			return parse_fail(tz, name, "bad transition type",
					  errstr, errlen);
		off = (int32_t)get_u32(types + 6 * (size_t)idx[i]);
		if (t < -TIME_LIM_S)
			tz->first_off = off;
		else if (t <= TIME_LIM_S) {
			tz->trans[tz->ntrans] = t;
			tz->trans_off[tz->ntrans++] = off;
		}
	}
	if (h.version != 0) {
		msg = parse_footer(tz, p + TZIF_HDR_LEN + n, end);
		if (msg)
			return parse_fail(tz, name, msg, errstr, errlen);
	}
	return tz;
}

csla_tz_t *csla_tz_utc(void)
{
	csla_tz_t *tz = csla_xcalloc(1, sizeof *tz);

	tz->name = csla_xstrndup("UTC", 3);
	return tz;
}

void csla_tz_destroy(csla_tz_t *tz)
{
	if (!tz)
		return;
	free(tz->name);
	free(tz->trans);
	free(tz->trans_off);
	free(tz->rule_years);
	free(tz);
}

const char *csla_tz_name(const csla_tz_t *tz)
{
	return tz->name;
}

/* ---- lookups -------------------------------------------------------------- */

int32_t csla_tz_offset_s(const csla_tz_t *tz, int64_t utc_ms)
{
	int64_t start;

	return lookup(tz, csla_floordiv(utc_ms, 1000), &start);
}

int64_t csla_tz_local_day(const csla_tz_t *tz, int64_t utc_ms)
{
	return csla_floordiv(utc_ms + 1000 * (int64_t)csla_tz_offset_s(tz, utc_ms),
			     DAY_MS);
}

/* The earliest instant whose local date is that of utc_ms.  Runs of one
 * offset are visited backwards; a run can hold instants of local date D only
 * after D's midnight minus the largest offset, which bounds the walk. */
int64_t csla_tz_day_start(const csla_tz_t *tz, int64_t utc_ms)
{
	int64_t s = csla_floordiv(utc_ms, 1000), end = s + 1, start, best = s;
	int32_t off = lookup(tz, s, &start);
	int64_t d = csla_floordiv(s + off, DAY_S);

	for (;;) {
		int64_t a = d * DAY_S - off, b = (d + 1) * DAY_S - off;

		if (a < start)
			a = start;
		if (b > end)
			b = end;
		if (a < b)
			best = a;
		if (start == INT64_MIN || start <= d * DAY_S - OFF_MAX)
			break;
		end = start;
		off = lookup(tz, start - 1, &start);
	}
	return best * 1000;
}

/* The interval is [A, A + period) on the wall clock.  When the run of the
 * current offset began after A, the interval may have begun in the run
 * before it: it did when the wall clock just before the change was inside
 * the interval too.  A fall-back that restarts the wall clock at A (or
 * earlier) therefore starts a new interval: the two 01:00-01:30 of a
 * fall-back night are distinct. */
int64_t csla_tz_align(const csla_tz_t *tz, int64_t utc_ms, int64_t period_ms)
{
	int64_t start, a;
	int32_t off;

	/* A whole day is the local date, whose midnight may repeat. */
	if (period_ms == DAY_MS)
		return csla_tz_day_start(tz, utc_ms);
	off = lookup(tz, csla_floordiv(utc_ms, 1000), &start);
	a = csla_floordiv(utc_ms + 1000 * (int64_t)off, period_ms) * period_ms;
	for (;;) {
		int64_t c = a - 1000 * (int64_t)off, prev_start, wall_before;
		int32_t prev_off;

		if (start == INT64_MIN || c >= start * 1000)
			return c;
		prev_off = lookup(tz, start - 1, &prev_start);
		wall_before = (start + prev_off) * 1000;
		if (wall_before <= a || wall_before > a + period_ms)
			return start * 1000;
		off = prev_off;
		start = prev_start;
	}
}
