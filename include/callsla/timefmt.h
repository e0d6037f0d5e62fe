/*
 * timefmt.h - RFC 3339 timestamps <-> Unix epoch milliseconds.  Pure.
 */
#ifndef CALLSLA_TIMEFMT_H
#define CALLSLA_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" ('t'/'z' and a
 * space for 'T' are accepted too).  Fractions beyond milliseconds are
 * truncated toward the earlier instant.  Years 0001..9999, leap second 60
 * is refused.  Returns 0 and sets *out_ms, or -1 when the text is not such a
 * timestamp. */
int csla_time_parse_rfc3339(const char *s, size_t len, int64_t *out_ms);

/* The date of the last "YYYY-MM-DDTHH:MM:SS.mmmZ" that parsed, for callers
 * that parse a stream (the decoder): zero-initialised, it holds none. */
typedef struct csla_time_memo {
	uint64_t date;  /* the bytes "YYYY-MM-", 0 when none */
	uint16_t dd;    /* the bytes "DD" */
	int64_t day_ms; /* that day's midnight, UTC */
} csla_time_memo_t;

/* csla_time_parse_rfc3339(), the same results for every input, faster for
 * a timestamp of memo's date; updates *memo (the caller's, one per thread). */
int csla_time_parse_rfc3339_memo(csla_time_memo_t *memo, const char *s,
				 size_t len, int64_t *out_ms);

/* Writes "YYYY-MM-DDTHH:MM:SS.mmmZ" plus NUL into buf (at least 25 bytes).
 * Returns the length written (24). */
int csla_time_format_utc(int64_t ms, char *buf, size_t buflen);

/* Days since 1970-01-01 of a proleptic Gregorian civil date, and back. */
int64_t csla_days_from_civil(int64_t y, unsigned m, unsigned d);
void csla_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* Parses a duration "250ms", "20s", "5m", "2h", "1d" or a bare integer of
 * seconds.  Returns 0 and sets *out_ms, or -1. */
int csla_duration_parse(const char *s, int64_t *out_ms);

/* Floor division and modulo for negative times. */
static inline int64_t csla_floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
static inline int64_t csla_floormod(int64_t a, int64_t b)
{
	return a - csla_floordiv(a, b) * b;
}

#endif
