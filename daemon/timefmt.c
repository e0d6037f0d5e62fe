/* timefmt.c - RFC 3339 timestamps and durations <-> epoch milliseconds.
 *
 * Pure and allocation-free: the decoder calls the parser once per event, so
 * it reads fixed positions instead of going through sscanf/strptime (which
 * are locale-bound and accept more than RFC 3339). */
#include <stdbool.h>
#include <stdio.h>

#include "callsla/timefmt.h"
#include "swar.h"

#define MS_PER_DAY 86400000LL

/* Howard Hinnant's days_from_civil: proleptic Gregorian, valid for every
 * year an int64_t day count can hold.  Inline for the parser's sake. */
static inline int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;                           /* [0, 399] */
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;   /* [0, 146096] */
	return era * 146097 + doe - 719468;
}

int64_t csla_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	return days_from_civil(y, m, d);
}

void csla_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned char dim[12] = { 31, 28, 31, 30, 31, 30,
					       31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* n decimal digits at s, or -1 when one of them is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		unsigned c = (unsigned char)s[i] - '0';
		if (c > 9)
			return -1;
		v = v * 10 + (int)c;
	}
	return v;
}

/* The instant of a parsed timestamp after its fields' range checks (a
 * field that was not digits arrives as -1); both parsers end here. */
static inline int civil_ms(int year, int mon, int day, int hour, int min,
			   int sec, int ms, int off_min, int64_t *out_ms)
{
	if (year < 1 || mon < 1 || mon > 12 || day < 1 || hour < 0 ||
	    hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 59)
		return -1;
	if ((unsigned)day > days_in_month(year, (unsigned)mon))
		return -1;
	int64_t days = days_from_civil(year, (unsigned)mon, (unsigned)day);
	int64_t secs = days * 86400 + hour * 3600 + min * 60 + sec;
	*out_ms = secs * 1000 + ms - (int64_t)off_min * 60000;
	return 0;
}

#define DATE_DIGITS 0x00ffff00ffffffffULL /* "YYYY-MM-" */
#define TIME_DIGITS 0xffff00ffff00ffffULL /* "DDTHH:MM" */
#define SUBS_DIGITS 0x00ffffff00ffff00ULL /* ":SS.mmmZ" */
#define AT(c, i) ((uint64_t)(unsigned char)(c) << 8 * (i))

/* The digit values of the bytes of w set in dmask (other bytes 0), or
 * UINT64_MAX when one of them is no digit or another byte is not the one in
 * sep. */
static uint64_t digit_values(uint64_t w, uint64_t dmask, uint64_t sep)
{
	if ((w & ~dmask) != sep || (csla_nondigits(w) & dmask))
		return UINT64_MAX;
	return (w ^ CSLA_ONES * '0') & dmask;
}

/* Byte i of the result: the two-digit number at bytes i and i + 1 of the
 * digit values y (at most 99, so no byte carries into the next). */
static uint64_t pairs(uint64_t y)
{
	return y * 10 + (y >> 8);
}

#define BYTE(w, i) ((int)((w) >> 8 * (i) & 0xff))

/* Parses "YYYY-MM-DDTHH:MM:SS.mmmZ", the form csla_time_format_utc() and
 * most producers write, with a few word operations instead of the general
 * walk; false (and the general walk decides) for any other text.  With a
 * memo (the caller's), a date equal to the last one parsed here skips the
 * calendar: a stream's timestamps mostly share the day of the one before. */
static bool parse_canonical(const char *s, size_t len, csla_time_memo_t *memo,
			    int *ret, int64_t *out_ms)
{
	if (len != 24)
		return false;
	uint64_t wa = csla_load64(s), wb = csla_load64(s + 8);
	uint64_t b = digit_values(wb, TIME_DIGITS, AT('T', 2) | AT(':', 5));
	uint64_t c = digit_values(csla_load64(s + 16), SUBS_DIGITS,
				  AT(':', 0) | AT('.', 3) | AT('Z', 7));
	if (b == UINT64_MAX || c == UINT64_MAX)
		return false;
	uint64_t b2 = pairs(b), c2 = pairs(c);
	int hour = BYTE(b2, 3), min = BYTE(b2, 6), sec = BYTE(c2, 1);
	int ms = BYTE(c2, 4) * 10 + BYTE(c, 6);
	int64_t in_day = ((int64_t)(hour * 60 + min) * 60 + sec) * 1000 + ms;
	/* The memo holds only dates that parsed: the same bytes are valid. */
	if (memo && memo->date == wa && memo->dd == (uint16_t)wb) {
		*ret = hour > 23 || min > 59 || sec > 59 ? -1 : 0;
		if (!*ret)
			*out_ms = memo->day_ms + in_day;
		return true;
	}
	uint64_t a = digit_values(wa, DATE_DIGITS, AT('-', 4) | AT('-', 7));
	if (a == UINT64_MAX)
		return false;
	uint64_t a2 = pairs(a);
	*ret = civil_ms(BYTE(a2, 0) * 100 + BYTE(a2, 2), BYTE(a2, 5),
			BYTE(b2, 0), hour, min, sec, ms, 0, out_ms);
	if (memo && !*ret) {
		memo->date = wa;
		memo->dd = (uint16_t)wb;
		memo->day_ms = *out_ms - in_day;
	}
	return true;
}

/* Any RFC 3339 timestamp, field by field.  Out of line, so that the
 * canonical path does not pay for its registers. */
static __attribute__((noinline)) int parse_general(const char *s, size_t len,
						   int64_t *out_ms)
{
	/* The shortest form is "YYYY-MM-DDTHH:MM:SSZ". */
	if (len < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' ||
	    s[16] != ':')
		return -1;
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return -1;
	int year = digits(s, 4), mon = digits(s + 5, 2), day = digits(s + 8, 2);
	int hour = digits(s + 11, 2), min = digits(s + 14, 2);
	int sec = digits(s + 17, 2);

	size_t i = 19;
	int ms = 0;
	if (s[i] == '.') {
		size_t first = ++i;
		for (; i < len && (unsigned)((unsigned char)s[i] - '0') <= 9; i++)
			if (i - first < 3)
				ms = ms * 10 + (s[i] - '0');
		if (i == first)
			return -1;
		for (size_t n = i - first; n < 3; n++)
			ms *= 10;
	}
	if (i >= len)
		return -1;

	int off_min = 0;
	if (s[i] == 'Z' || s[i] == 'z') {
		i++;
	} else if (s[i] == '+' || s[i] == '-') {
		if (len - i < 6 || s[i + 3] != ':')
			return -1;
		int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return -1;
		off_min = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
		i += 6;
	} else {
		return -1;
	}
	if (i != len)
		return -1;
	return civil_ms(year, mon, day, hour, min, sec, ms, off_min, out_ms);
}

int csla_time_parse_rfc3339(const char *s, size_t len, int64_t *out_ms)
{
	return csla_time_parse_rfc3339_memo(NULL, s, len, out_ms);
}

int csla_time_parse_rfc3339_memo(csla_time_memo_t *memo, const char *s,
				 size_t len, int64_t *out_ms)
{
	int ret;

	if (parse_canonical(s, len, memo, &ret, out_ms))
		return ret;
	return parse_general(s, len, out_ms);
}

static char *put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

int csla_time_format_utc(int64_t ms, char *buf, size_t buflen)
{
	/* Not csla_floordiv(): days * MS_PER_DAY would overflow near
	 * INT64_MIN. */
	int64_t rem = ms % MS_PER_DAY;
	int64_t days = ms / MS_PER_DAY - (rem < 0);
	int64_t y;
	unsigned m, d;

	if (rem < 0)
		rem += MS_PER_DAY;
	csla_civil_from_days(days, &y, &m, &d);
	unsigned hh = (unsigned)(rem / 3600000), mi = (unsigned)(rem / 60000 % 60),
		 ss = (unsigned)(rem / 1000 % 60), mss = (unsigned)(rem % 1000);
	/* The writers call this for every event: years 0..9999 take a
	 * hand-written path, the rest (odd but valid int64 times) snprintf. */
	if (y < 0 || y > 9999 || buflen < 25)
		return snprintf(buf, buflen,
				"%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ",
				(long long)y, m, d, hh, mi, ss, mss);
	char *p = put2(buf, (unsigned)(y / 100));
	p = put2(p, (unsigned)(y % 100));
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	p = put2(p, d);
	*p++ = 'T';
	p = put2(p, hh);
	*p++ = ':';
	p = put2(p, mi);
	*p++ = ':';
	p = put2(p, ss);
	*p++ = '.';
	*p++ = (char)('0' + mss / 100);
	p = put2(p, mss % 100);
	*p++ = 'Z';
	*p = '\0';
	return 24;
}

int csla_duration_parse(const char *s, int64_t *out_ms)
{
	static const struct {
		const char *suffix;
		int64_t ms;
	} units[] = {
		{ "", 1000 },  { "ms", 1 },      { "s", 1000 },
		{ "m", 60000 }, { "h", 3600000 }, { "d", MS_PER_DAY },
	};
	int64_t n = 0;
	const char *p = s;

	if (!s)
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (INT64_MAX - (*p - '0')) / 10)
			return -1;
		n = n * 10 + (*p - '0');
	}
	if (p == s)
		return -1;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		const char *u = units[i].suffix, *q = p;
		while (*u && *q == *u)
			u++, q++;
		if (*u || *q)
			continue;
		if (n > INT64_MAX / units[i].ms)
			return -1;
		*out_ms = n * units[i].ms;
		return 0;
	}
	return -1;
}
