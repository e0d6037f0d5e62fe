/*
 * technion.c - see technion.h; the rules are in docs/real-data.md.
 */
#include "technion.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "callsla/timefmt.h"

#define NFIELDS 17
#define DAY_MS 86400000LL
/* A clock time more than this much before the VRU entry is on the next day;
 * one slightly before it is the VRU's and the ACD's clocks disagreeing
 * (rows with a negative vru_time), not a new day. */
#define ROLL_S (12 * 3600)

enum {
	F_VRU_LINE, F_CALL_ID, F_CUSTOMER, F_PRIORITY, F_TYPE, F_DATE,
	F_VRU_ENTRY, F_VRU_EXIT, F_VRU_TIME, F_Q_START, F_Q_EXIT, F_Q_TIME,
	F_OUTCOME, F_SER_START, F_SER_EXIT, F_SER_TIME, F_SERVER,
};

typedef struct tok {
	const char *p;
	size_t len;
} tok_t;

static const char *const row_names[CSLA_TN__COUNT] = {
	"call", "blank", "header", "phantom", "vru_only",
	"bad_field_count", "bad_date", "bad_time", "bad_number",
	"bad_outcome", "bad_id", "agent_without_times",
	"queue_exit_before_start", "service_exit_before_start",
};

static const char *const note_names[CSLA_TN_NOTE__COUNT] = {
	"rolled_midnight", "agent_no_server", "answered_without_service",
	"abandoned_with_service", "ended_before_answer", "dst_gap_or_overlap",
};

const char *csla_tn_row_name(csla_tn_row_t r)
{
	return (unsigned)r < CSLA_TN__COUNT ? row_names[r] : "?";
}

const char *csla_tn_note_name(unsigned bit)
{
	return bit < CSLA_TN_NOTE__COUNT ? note_names[bit] : "?";
}

static bool is_sep(char c)
{
	return c == '\t' || c == ' ' || c == ',' || c == '\r' || c == '\n';
}

/* The raw files disagree on separators (TABs, commas, stray spaces, CRLF):
 * any run of them ends a field.  Returns the number of fields, at most
 * max + 1 (enough to tell that there are too many). */
static size_t split(const char *s, size_t len, tok_t *t, size_t max)
{
	const char *end = s + len;
	size_t n = 0;

	while (n <= max) {
		while (s < end && is_sep(*s))
			s++;
		if (s == end)
			break;
		t[n].p = s;
		while (s < end && !is_sep(*s))
			s++;
		t[n].len = (size_t)(s - t[n].p);
		n++;
	}
	return n;
}

static bool tok_is(tok_t t, const char *lit)
{
	size_t n = strlen(lit);
	return t.len == n && memcmp(t.p, lit, n) == 0;
}

static bool digits(const char *p, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return n > 0;
}

/* H:MM:SS or HH:MM:SS -> seconds since midnight, or -1. */
static int32_t parse_clock(tok_t t)
{
	size_t hl = t.len - 6;
	int h, m, s;

	if (t.len < 7 || t.len > 8 || t.p[hl] != ':' || t.p[hl + 3] != ':' ||
	    !digits(t.p, hl, &h) || !digits(t.p + hl + 1, 2, &m) ||
	    !digits(t.p + hl + 4, 2, &s) || h > 23 || m > 59 || s > 59)
		return -1;
	return h * 3600 + m * 60 + s;
}

/* YYMMDD -> days since 1970-01-01, or -1.  Two-digit years pivot like
 * POSIX strptime's %y: 69..99 are 19xx, 00..68 are 20xx. */
static int64_t parse_date(tok_t t)
{
	static const unsigned char mdays[12] = { 31, 29, 31, 30, 31, 30,
						 31, 31, 30, 31, 30, 31 };
	int yy, m, d;

	if (t.len != 6 || !digits(t.p, 2, &yy) || !digits(t.p + 2, 2, &m) ||
	    !digits(t.p + 4, 2, &d) || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1])
		return -1;
	int y = yy >= 69 ? 1900 + yy : 2000 + yy;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m == 2 && d == 29 && !leap)
		return -1;
	return csla_days_from_civil(y, (unsigned)m, (unsigned)d);
}

/* A count of seconds; negative ones only where allow_neg (vru_time). */
static bool parse_secs(tok_t t, bool allow_neg, int64_t *out)
{
	bool neg = t.len > 1 && t.p[0] == '-';
	int v;

	if ((neg && !allow_neg) || t.len - neg > 9 ||
	    !digits(t.p + neg, t.len - neg, &v))
		return false;
	*out = neg ? -(int64_t)v : v;
	return true;
}

/* Local civil time (ms since 1970-01-01 of the local calendar) -> UTC.  In
 * an overlap (the hour repeated when DST ends) the first occurrence wins;
 * in a gap (the hour skipped when DST starts) the offset from before the
 * gap applies, which moves the time forward by the gap's length - what a
 * wall clock that was not set forward yet would have meant.  Both set *odd. */
static int64_t local_to_utc(const csla_tz_t *tz, int64_t local, bool *odd)
{
	int64_t off_a = csla_tz_offset_s(tz, local - DAY_MS) * 1000LL;
	int64_t off_b = csla_tz_offset_s(tz, local + DAY_MS) * 1000LL;
	int64_t a = local - off_a, b = local - off_b;
	bool a_ok = csla_tz_offset_s(tz, a) * 1000LL == off_a;
	bool b_ok = csla_tz_offset_s(tz, b) * 1000LL == off_b;

	if (a_ok && b_ok) {
		if (a != b)
			*odd = true;
		return a < b ? a : b;
	}
	if (a_ok || b_ok)
		return a_ok ? a : b;
	*odd = true;
	return a;
}

/* The parsed row, times as local seconds since the date's midnight. */
typedef struct row {
	tok_t f[NFIELDS + 1];
	int64_t day;
	int32_t vru_entry, q_start, q_exit, ser_start, ser_exit;
	int64_t q_time, ser_time;
	bool queued, served, agent, rolled;
} row_t;

static int32_t resolve(row_t *r, int32_t t)
{
	if (t < r->vru_entry - ROLL_S) {
		r->rolled = true;
		return t + 86400;
	}
	return t;
}

static int64_t utc_at(const csla_tz_t *tz, const row_t *r, int32_t secs,
		      bool *odd)
{
	return local_to_utc(tz, r->day * DAY_MS + secs * 1000LL, odd);
}

static csla_tn_row_t parse(const char *line, size_t len, row_t *r)
{
	static const int clocks[] = { F_VRU_ENTRY, F_VRU_EXIT, F_Q_START,
				      F_Q_EXIT,    F_SER_START, F_SER_EXIT };
	int32_t c[6];
	int64_t vru_time;
	size_t n = split(line, len, r->f, NFIELDS);

	if (n == 0)
		return CSLA_TN_BLANK;
	if (tok_is(r->f[F_VRU_LINE], "vru+line"))
		return CSLA_TN_HEADER;
	if (n != NFIELDS)
		return CSLA_TN_BAD_FIELD_COUNT;
	tok_t o = r->f[F_OUTCOME];
	if (tok_is(o, "PHANTOM"))
		return CSLA_TN_PHANTOM;
	if (!tok_is(o, "AGENT") && !tok_is(o, "HANG"))
		return CSLA_TN_BAD_OUTCOME;
	r->agent = tok_is(o, "AGENT");
	if ((r->day = parse_date(r->f[F_DATE])) < 0)
		return CSLA_TN_BAD_DATE;
	for (size_t i = 0; i < 6; i++)
		if ((c[i] = parse_clock(r->f[clocks[i]])) < 0)
			return CSLA_TN_BAD_TIME;
	/* vru_time is not used (a few are negative: clock skew), but a row
	 * whose numbers are not numbers is not trusted. */
	if (!parse_secs(r->f[F_VRU_TIME], true, &vru_time) ||
	    !parse_secs(r->f[F_Q_TIME], false, &r->q_time) ||
	    !parse_secs(r->f[F_SER_TIME], false, &r->ser_time))
		return CSLA_TN_BAD_NUMBER;

	r->vru_entry = c[0];
	r->queued = c[2] != 0;
	r->served = c[4] != 0;
	if (!r->agent && !r->queued)
		return CSLA_TN_VRU_ONLY;
	if (r->agent && !r->queued && !r->served)
		return CSLA_TN_AGENT_WITHOUT_TIMES;

	r->rolled = false;
	if (r->queued) {
		r->q_start = resolve(r, c[2]);
		r->q_exit = resolve(r, c[3]);
		if (r->q_exit < r->q_start)
			return CSLA_TN_QUEUE_EXIT_BEFORE_START;
	}
	/* An abandoned call's service times, when a row has them, mean
	 * nothing to the queue: they are ignored, not checked. */
	if (r->agent && r->served) {
		r->ser_start = resolve(r, c[4]);
		r->ser_exit = resolve(r, c[5]);
		if (r->ser_exit < r->ser_start)
			return CSLA_TN_SERVICE_EXIT_BEFORE_START;
	}
	return CSLA_TN_CALL;
}

static bool copy_id(char *dst, tok_t t)
{
	if (t.len > CSLA_ID_MAX)
		return false;
	memcpy(dst, t.p, t.len);
	dst[t.len] = '\0';
	return true;
}

static csla_str_t str(const char *s)
{
	return (csla_str_t){ s, (uint32_t)strlen(s) };
}

static csla_event_t *add(csla_tn_out_t *out, csla_call_ev_t what,
			 int64_t ts_ms)
{
	csla_event_t *ev = &out->ev[out->nev];
	char *id = out->id[out->nev];
	const char *name = csla_call_event_name(what);
	size_t n = strlen(out->call_id);

	out->nev++;
	memcpy(id, out->call_id, n);
	id[n] = ':';
	strcpy(id + n + 1, name);

	memset(ev, 0, sizeof *ev);
	ev->type = CSLA_EV_CALL;
	ev->ts_ms = ts_ms;
	ev->tenant = str(CSLA_TN_TENANT);
	ev->id = str(id);
	ev->call_id = str(out->call_id);
	ev->call_event = what;
	ev->wait_ms = ev->talk_ms = ev->hold_ms = ev->acw_ms = CSLA_NO_MS;
	ev->offered_at = ev->answered_at = CSLA_NO_MS;
	ev->alerting_at = ev->ended_at = CSLA_NO_MS;
	if (what != CSLA_CALL_ENDED)
		ev->queue = str(out->queue);
	if (what == CSLA_CALL_ANSWERED || what == CSLA_CALL_ENDED)
		ev->agent_id = str(out->agent);
	return ev;
}

csla_tn_row_t csla_tn_convert(const csla_tz_t *tz, const char *line,
			      size_t len, csla_tn_out_t *out)
{
	row_t r;
	csla_tn_row_t res = parse(line, len, &r);

	out->nev = 0;
	out->notes = 0;
	if (res != CSLA_TN_CALL)
		return res;

	/* vru+line, date and the VRU's call id together are unique */
	tok_t vl = r.f[F_VRU_LINE], dt = r.f[F_DATE], ci = r.f[F_CALL_ID];
	if (vl.len + dt.len + ci.len + 2 > CSLA_ID_MAX ||
	    !copy_id(out->queue, r.f[F_TYPE]) ||
	    !copy_id(out->agent, r.f[F_SERVER]))
		return CSLA_TN_BAD_ID;
	char *p = out->call_id;
	memcpy(p, vl.p, vl.len);
	p += vl.len;
	*p++ = '-';
	memcpy(p, dt.p, dt.len);
	p += dt.len;
	*p++ = '-';
	memcpy(p, ci.p, ci.len);
	p[ci.len] = '\0';

	bool odd = false;
	int64_t answered_at;
	csla_event_t *ev;

	if (r.queued) {
		int64_t offered_at = utc_at(tz, &r, r.q_start, &odd);
		add(out, CSLA_CALL_OFFERED, offered_at);
		answered_at = utc_at(tz, &r, r.q_exit, &odd);
		csla_call_ev_t what = r.agent ? CSLA_CALL_ANSWERED
					      : CSLA_CALL_ABANDONED;
		ev = add(out, what, answered_at);
		ev->wait_ms = r.q_time * 1000;
	} else {
		answered_at = utc_at(tz, &r, r.ser_start, &odd);
		add(out, CSLA_CALL_OFFERED, answered_at);
		ev = add(out, CSLA_CALL_ANSWERED, answered_at);
		ev->wait_ms = 0;
	}
	if (r.agent && r.served) {
		int64_t end = utc_at(tz, &r, r.ser_exit, &odd);
		if (end < answered_at) {
			end = answered_at;
			out->notes |= CSLA_TN_NOTE_END_CLAMPED;
		}
		ev = add(out, CSLA_CALL_ENDED, end);
		ev->talk_ms = r.ser_time * 1000;
	}

	if (r.rolled)
		out->notes |= CSLA_TN_NOTE_ROLLED;
	if (r.agent && !strcmp(out->agent, "NO_SERVER"))
		out->notes |= CSLA_TN_NOTE_NO_SERVER;
	if (r.agent && !r.served)
		out->notes |= CSLA_TN_NOTE_NO_SERVICE;
	if (!r.agent && r.served)
		out->notes |= CSLA_TN_NOTE_HANG_SERVED;
	if (odd)
		out->notes |= CSLA_TN_NOTE_DST;
	return CSLA_TN_CALL;
}
