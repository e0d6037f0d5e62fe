/* test_tz.c - time zones: hand-worked days and intervals around known DST
 * changes (dates from the zones' published rules), the POSIX footer and
 * whole zones checked against glibc's localtime_r, and malformed TZif. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "callsla/timefmt.h"
#include "callsla/tz.h"

#define MIN_MS (60 * INT64_C(1000))
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)

/* UTC milliseconds of a civil date and time. */
static int64_t T(int64_t y, unsigned mo, unsigned d, int h, int mi, int s)
{
	return (csla_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
		s) * INT64_C(1000);
}

static csla_tz_t *load(const char *name)
{
	char err[256] = "";
	csla_tz_t *tz = csla_tz_load(name, err, sizeof err);

	if (!tz) {
		print_error("%s: %s\n", name, err);
		fail();
	}
	return tz;
}

/* ---- hand-worked cases ---------------------------------------------------- */

static void test_utc(void **state)
{
	(void)state;
	csla_tz_t *tz = csla_tz_utc();

	assert_string_equal(csla_tz_name(tz), "UTC");
	assert_int_equal(csla_tz_offset_s(tz, T(2026, 11, 25, 10, 15, 0)), 0);
	/* 1970..2025 is 56 years with 14 leap days; Jan..Oct 2026 are 304
	 * days; then 24 more. */
	assert_int_equal(csla_tz_local_day(tz, T(2026, 11, 25, 10, 15, 0)),
			 56 * 365 + 14 + 304 + 24);
	assert_int_equal(csla_tz_local_day(tz, -1), -1);
	assert_int_equal(csla_tz_day_start(tz, -1), -DAY_MS);
	assert_int_equal(csla_tz_day_start(tz, T(2026, 11, 25, 10, 15, 0)),
			 T(2026, 11, 25, 0, 0, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 25, 10, 17, 3) + 999,
				       15 * MIN_MS),
			 T(2026, 11, 25, 10, 15, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 25, 10, 17, 3),
				       30 * MIN_MS),
			 T(2026, 11, 25, 10, 0, 0));
	assert_int_equal(csla_tz_align(tz, -1, 30 * MIN_MS), -30 * MIN_MS);
	csla_tz_destroy(tz);
}

/* "UTC" and "Etc/UTC" need no file; bad names never reach the disk. */
static void test_load_names(void **state)
{
	(void)state;
	char err[256];
	const char *old = getenv("TZDIR");
	char *saved = old ? strdup(old) : NULL;
	static const char *const bad[] = {
		"", "/etc/passwd", "../zoneinfo/UTC", "Europe/../Europe/Paris",
		"Mars/Olympus", "Europe", "Europe/",
	};
	csla_tz_t *tz;

	setenv("TZDIR", "/nonexistent", 1);
	tz = load("UTC");
	assert_int_equal(csla_tz_offset_s(tz, 0), 0);
	csla_tz_destroy(tz);
	tz = load("Etc/UTC");
	assert_int_equal(csla_tz_offset_s(tz, 0), 0);
	csla_tz_destroy(tz);
	assert_null(csla_tz_load("Asia/Shanghai", err, sizeof err));
	assert_string_equal(err, "unknown time zone \"Asia/Shanghai\"");
	if (saved)
		setenv("TZDIR", saved, 1);
	else
		unsetenv("TZDIR");
	free(saved);

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char want[300];

		assert_null(csla_tz_load(bad[i], err, sizeof err));
		snprintf(want, sizeof want, "unknown time zone \"%s\"", bad[i]);
		assert_string_equal(err, want);
	}
	tz = load("Asia/Shanghai");
	assert_string_equal(csla_tz_name(tz), "Asia/Shanghai");
	csla_tz_destroy(tz);
}

static void test_shanghai(void **state)
{
	(void)state;
	csla_tz_t *tz = load("Asia/Shanghai");

	assert_int_equal(csla_tz_offset_s(tz, T(2026, 1, 15, 0, 0, 0)), 28800);
	assert_int_equal(csla_tz_offset_s(tz, T(2026, 7, 15, 0, 0, 0)), 28800);
	/* 17:30Z is 01:30 on the 26th in Shanghai. */
	assert_int_equal(csla_tz_local_day(tz, T(2026, 11, 25, 17, 30, 0)),
			 56 * 365 + 14 + 304 + 25);
	assert_int_equal(csla_tz_day_start(tz, T(2026, 11, 25, 17, 30, 0)),
			 T(2026, 11, 25, 16, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(2026, 11, 25, 15, 59, 59)),
			 T(2026, 11, 24, 16, 0, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 25, 17, 44, 0),
				       30 * MIN_MS),
			 T(2026, 11, 25, 17, 30, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 25, 17, 44, 0), DAY_MS),
			 T(2026, 11, 25, 16, 0, 0));
	csla_tz_destroy(tz);
}

/* Israel: 1999 by its own law, Apr 2 02:00 to Sep 3 02:00; since 2013 the
 * Friday before the last Sunday of March 02:00 to the last Sunday of
 * October 02:00 (2026: Mar 27 and Oct 25). */
static void test_jerusalem(void **state)
{
	(void)state;
	csla_tz_t *tz = load("Asia/Jerusalem");

	assert_int_equal(csla_tz_offset_s(tz, T(1999, 4, 1, 23, 59, 59)), 7200);
	assert_int_equal(csla_tz_offset_s(tz, T(1999, 4, 2, 0, 0, 0)), 10800);
	assert_int_equal(csla_tz_offset_s(tz, T(1999, 9, 2, 22, 59, 59)), 10800);
	assert_int_equal(csla_tz_offset_s(tz, T(1999, 9, 2, 23, 0, 0)), 7200);

	assert_int_equal(csla_tz_offset_s(tz, T(2026, 3, 26, 23, 59, 59)), 7200);
	assert_int_equal(csla_tz_offset_s(tz, T(2026, 3, 27, 0, 0, 0)), 10800);
	assert_int_equal(csla_tz_offset_s(tz, T(2026, 10, 24, 22, 59, 59)),
			 10800);
	assert_int_equal(csla_tz_offset_s(tz, T(2026, 10, 24, 23, 0, 0)), 7200);
	/* Friday Mar 27 has 23 hours, Sunday Oct 25 has 25. */
	assert_int_equal(csla_tz_day_start(tz, T(2026, 3, 27, 12, 0, 0)),
			 T(2026, 3, 26, 22, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(2026, 3, 28, 12, 0, 0)),
			 T(2026, 3, 27, 21, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(2026, 10, 25, 12, 0, 0)),
			 T(2026, 10, 24, 21, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(2026, 10, 26, 12, 0, 0)),
			 T(2026, 10, 25, 22, 0, 0));
	csla_tz_destroy(tz);
}

/* UK: BST from the last Sunday of March to the last Sunday of October,
 * changing at 01:00 UTC. */
static void test_london(void **state)
{
	(void)state;
	csla_tz_t *tz = load("Europe/London");

	assert_int_equal(csla_tz_offset_s(tz, T(2026, 3, 29, 0, 59, 59)), 0);
	assert_int_equal(csla_tz_offset_s(tz, T(2026, 3, 29, 1, 0, 0)), 3600);
	assert_int_equal(csla_tz_offset_s(tz, T(2026, 10, 25, 0, 59, 59)), 3600);
	assert_int_equal(csla_tz_offset_s(tz, T(2026, 10, 25, 1, 0, 0)), 0);
	assert_int_equal(csla_tz_local_day(tz, T(2026, 6, 14, 23, 30, 0)),
			 csla_days_from_civil(2026, 6, 15));
	assert_int_equal(csla_tz_day_start(tz, T(2026, 6, 14, 23, 30, 0)),
			 T(2026, 6, 14, 23, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(2026, 3, 29, 12, 0, 0)),
			 T(2026, 3, 29, 0, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(2026, 3, 30, 12, 0, 0)),
			 T(2026, 3, 29, 23, 0, 0));
	/* 01:00 GMT jumps to 02:00 BST: 00:45-01:00 GMT, then 02:00 BST. */
	assert_int_equal(csla_tz_align(tz, T(2026, 3, 29, 0, 50, 0),
				       15 * MIN_MS),
			 T(2026, 3, 29, 0, 45, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 3, 29, 1, 5, 0),
				       15 * MIN_MS),
			 T(2026, 3, 29, 1, 0, 0));
	csla_tz_destroy(tz);
}

/* US: 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z); 2026-11-01 02:00 EDT ->
 * 01:00 EST (06:00Z). */
static void test_new_york(void **state)
{
	(void)state;
	csla_tz_t *tz = load("America/New_York");

	assert_int_equal(csla_tz_offset_s(tz, T(2026, 3, 8, 6, 59, 59)), -18000);
	assert_int_equal(csla_tz_offset_s(tz, T(2026, 3, 8, 7, 0, 0)), -14400);
	assert_int_equal(csla_tz_offset_s(tz, T(2026, 11, 1, 5, 59, 59)),
			 -14400);
	assert_int_equal(csla_tz_offset_s(tz, T(2026, 11, 1, 6, 0, 0)), -18000);

	/* Spring forward: a 23-hour day. */
	assert_int_equal(csla_tz_day_start(tz, T(2026, 3, 8, 12, 0, 0)),
			 T(2026, 3, 8, 5, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(2026, 3, 9, 3, 59, 59)),
			 T(2026, 3, 8, 5, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(2026, 3, 9, 12, 0, 0)),
			 T(2026, 3, 9, 4, 0, 0));
	assert_int_equal(csla_tz_local_day(tz, T(2026, 3, 9, 3, 59, 59)),
			 csla_days_from_civil(2026, 3, 8));
	/* 03:10 EDT is in 03:00-03:30 EDT = 07:00Z; 01:50 EST in 01:30 EST. */
	assert_int_equal(csla_tz_align(tz, T(2026, 3, 8, 7, 10, 0), 30 * MIN_MS),
			 T(2026, 3, 8, 7, 0, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 3, 8, 6, 50, 0), 30 * MIN_MS),
			 T(2026, 3, 8, 6, 30, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 3, 8, 6, 59, 59), 15 * MIN_MS),
			 T(2026, 3, 8, 6, 45, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 3, 8, 7, 0, 0), 15 * MIN_MS),
			 T(2026, 3, 8, 7, 0, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 3, 8, 7, 14, 59), 15 * MIN_MS),
			 T(2026, 3, 8, 7, 0, 0));
	/* 4 h intervals: 00:00-04:00 local began at 00:00 EST = 05:00Z. */
	assert_int_equal(csla_tz_align(tz, T(2026, 3, 8, 7, 10, 0), 4 * HOUR_MS),
			 T(2026, 3, 8, 5, 0, 0));

	/* Fall back: a 25-hour day, and two distinct 01:xx hours. */
	assert_int_equal(csla_tz_day_start(tz, T(2026, 11, 1, 12, 0, 0)),
			 T(2026, 11, 1, 4, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(2026, 11, 2, 12, 0, 0)),
			 T(2026, 11, 2, 5, 0, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 1, 5, 10, 0), 30 * MIN_MS),
			 T(2026, 11, 1, 5, 0, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 1, 6, 10, 0), 30 * MIN_MS),
			 T(2026, 11, 1, 6, 0, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 1, 6, 40, 0), 30 * MIN_MS),
			 T(2026, 11, 1, 6, 30, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 1, 5, 59, 0), 15 * MIN_MS),
			 T(2026, 11, 1, 5, 45, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 1, 6, 0, 0), 15 * MIN_MS),
			 T(2026, 11, 1, 6, 0, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 1, 5, 30, 0), 60 * MIN_MS),
			 T(2026, 11, 1, 5, 0, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 1, 6, 59, 0), 60 * MIN_MS),
			 T(2026, 11, 1, 6, 0, 0));
	/* A 2 h interval 00:00-02:00 holds both 01:xx hours: 04:00Z-07:00Z. */
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 1, 6, 10, 0), 2 * HOUR_MS),
			 T(2026, 11, 1, 4, 0, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 1, 7, 0, 0), 2 * HOUR_MS),
			 T(2026, 11, 1, 7, 0, 0));
	/* A whole day is the day. */
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 1, 12, 0, 0), DAY_MS),
			 T(2026, 11, 1, 4, 0, 0));
	csla_tz_destroy(tz);
}

/* +05:45 since 1986-01-01, when 00:00 +05:30 became 00:15 +05:45. */
static void test_kathmandu(void **state)
{
	(void)state;
	csla_tz_t *tz = load("Asia/Kathmandu");

	assert_int_equal(csla_tz_offset_s(tz, T(2026, 11, 25, 4, 20, 0)), 20700);
	/* 04:20Z = 10:05 local; 04:10Z = 09:55 local. */
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 25, 4, 20, 0), 15 * MIN_MS),
			 T(2026, 11, 25, 4, 15, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 25, 4, 20, 0), 30 * MIN_MS),
			 T(2026, 11, 25, 4, 15, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 25, 4, 20, 0), 60 * MIN_MS),
			 T(2026, 11, 25, 4, 15, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 25, 4, 10, 0), 15 * MIN_MS),
			 T(2026, 11, 25, 4, 0, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 25, 4, 10, 0), 30 * MIN_MS),
			 T(2026, 11, 25, 3, 45, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 11, 25, 4, 10, 0), 60 * MIN_MS),
			 T(2026, 11, 25, 3, 15, 0));
	assert_int_equal(csla_tz_day_start(tz, T(2026, 11, 25, 4, 0, 0)),
			 T(2026, 11, 24, 18, 15, 0));

	assert_int_equal(csla_tz_offset_s(tz, T(1985, 12, 31, 18, 29, 59)), 19800);
	assert_int_equal(csla_tz_offset_s(tz, T(1985, 12, 31, 18, 30, 0)), 20700);
	/* 1986-01-01 began at 00:15: no midnight that day. */
	assert_int_equal(csla_tz_day_start(tz, T(1986, 1, 1, 6, 0, 0)),
			 T(1985, 12, 31, 18, 30, 0));
	assert_int_equal(csla_tz_align(tz, T(1985, 12, 31, 18, 40, 0), 30 * MIN_MS),
			 T(1985, 12, 31, 18, 30, 0));
	assert_int_equal(csla_tz_align(tz, T(1985, 12, 31, 18, 29, 0), 15 * MIN_MS),
			 T(1985, 12, 31, 18, 15, 0));
	csla_tz_destroy(tz);
}

/* Cuba 1999: 00:00 CST -> 01:00 CDT on Mar 28 (no midnight), 01:00 CDT ->
 * 00:00 CST on Oct 31 (midnight twice).  Chile 1999: Sat Oct 9 24:00 -04 ->
 * Sun Oct 10 01:00 -03; 2026: Sat Sep 5 24:00 -> Sep 6 01:00 (footer rule
 * "M9.1.6/24"). */
static void test_skipped_midnight(void **state)
{
	(void)state;
	csla_tz_t *tz = load("America/Havana");

	assert_int_equal(csla_tz_day_start(tz, T(1999, 3, 28, 12, 0, 0)),
			 T(1999, 3, 28, 5, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(1999, 3, 28, 5, 0, 0)),
			 T(1999, 3, 28, 5, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(1999, 3, 28, 4, 59, 59)),
			 T(1999, 3, 27, 5, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(1999, 3, 29, 12, 0, 0)),
			 T(1999, 3, 29, 4, 0, 0));
	assert_int_equal(csla_tz_local_day(tz, T(1999, 3, 28, 5, 0, 0)),
			 csla_days_from_civil(1999, 3, 28));
	assert_int_equal(csla_tz_align(tz, T(1999, 3, 28, 5, 10, 0), 30 * MIN_MS),
			 T(1999, 3, 28, 5, 0, 0));
	/* Repeated midnight: the day starts at the first one, 25 h long. */
	assert_int_equal(csla_tz_day_start(tz, T(1999, 10, 31, 17, 0, 0)),
			 T(1999, 10, 31, 4, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(1999, 10, 31, 4, 30, 0)),
			 T(1999, 10, 31, 4, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(1999, 10, 31, 5, 0, 0)),
			 T(1999, 10, 31, 4, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(1999, 11, 1, 12, 0, 0)),
			 T(1999, 11, 1, 5, 0, 0));
	assert_int_equal(csla_tz_align(tz, T(1999, 10, 31, 5, 10, 0), 30 * MIN_MS),
			 T(1999, 10, 31, 5, 0, 0));
	assert_int_equal(csla_tz_align(tz, T(1999, 10, 31, 5, 10, 0), DAY_MS),
			 T(1999, 10, 31, 4, 0, 0));
	csla_tz_destroy(tz);

	tz = load("America/Santiago");
	assert_int_equal(csla_tz_day_start(tz, T(1999, 10, 10, 15, 0, 0)),
			 T(1999, 10, 10, 4, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(1999, 10, 11, 15, 0, 0)),
			 T(1999, 10, 11, 3, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(2026, 9, 6, 15, 0, 0)),
			 T(2026, 9, 6, 4, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(2026, 9, 7, 15, 0, 0)),
			 T(2026, 9, 7, 3, 0, 0));
	/* Saturday Apr 4 2026 24:00 -03 -> 23:00 -04: 25 hours. */
	assert_int_equal(csla_tz_day_start(tz, T(2026, 4, 4, 15, 0, 0)),
			 T(2026, 4, 4, 3, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(2026, 4, 5, 15, 0, 0)),
			 T(2026, 4, 5, 4, 0, 0));
	csla_tz_destroy(tz);
}

/* ---- TZif built in memory ------------------------------------------------- */

struct zone_spec {
	size_t ntrans;
	const int64_t *trans;
	const unsigned char *idx;
	size_t ntypes;
	const int32_t *offs;
	const char *footer; /* NULL: version 1, no footer */
};

static unsigned char *put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	return p + 4;
}

static unsigned char *put_hdr(unsigned char *p, char version, uint32_t time,
			      uint32_t type, uint32_t chr)
{
	memcpy(p, "TZif", 4);
	p[4] = (unsigned char)version;
	memset(p + 5, 0, 15);
	p = put32(p + 20, 0);
	p = put32(p, 0);
	p = put32(p, 0);
	p = put32(p, time);
	p = put32(p, type);
	return put32(p, chr);
}

static unsigned char *put_types(unsigned char *p, const struct zone_spec *z)
{
	for (size_t i = 0; i < z->ntypes; i++) {
		p = put32(p, (uint32_t)z->offs[i]);
		*p++ = 0;
		*p++ = 0;
	}
	memcpy(p, "X", 2);
	return p + 2;
}

/* Version 1 (32-bit times) or version 2 with a v1 block of one type only,
 * as zic -b slim writes it. */
static size_t build(unsigned char *buf, const struct zone_spec *z)
{
	unsigned char *p = buf;

	if (!z->footer) {
		p = put_hdr(p, 0, (uint32_t)z->ntrans, (uint32_t)z->ntypes, 2);
		for (size_t i = 0; i < z->ntrans; i++)
			p = put32(p, (uint32_t)(int32_t)z->trans[i]);
		for (size_t i = 0; i < z->ntrans; i++)
			*p++ = z->idx[i];
		p = put_types(p, z);
		return (size_t)(p - buf);
	}
	p = put_hdr(p, '2', 0, 1, 2);
	p = put32(p, 0);
	p[0] = p[1] = 0;
	memcpy(p + 2, "X", 2);
	p = put_hdr(p + 4, '2', (uint32_t)z->ntrans, (uint32_t)z->ntypes, 2);
	for (size_t i = 0; i < z->ntrans; i++) {
		p = put32(p, (uint32_t)((uint64_t)z->trans[i] >> 32));
		p = put32(p, (uint32_t)z->trans[i]);
	}
	for (size_t i = 0; i < z->ntrans; i++)
		*p++ = z->idx[i];
	p = put_types(p, z);
	*p++ = '\n';
	memcpy(p, z->footer, strlen(z->footer));
	p += strlen(z->footer);
	*p++ = '\n';
	return (size_t)(p - buf);
}

static csla_tz_t *parse_spec(const struct zone_spec *z)
{
	unsigned char buf[4096];
	char err[256] = "";
	size_t n = build(buf, z);
	csla_tz_t *tz = csla_tz_parse("test", buf, n, err, sizeof err);

	if (!tz) {
		print_error("%s\n", err);
		fail();
	}
	return tz;
}

static csla_tz_t *footer_only(const char *footer, int32_t off)
{
	struct zone_spec z = { 0, NULL, NULL, 1, &off, footer };

	return parse_spec(&z);
}

static long glibc_offset(int64_t utc_s)
{
	time_t t = (time_t)utc_s;
	struct tm tm;

	localtime_r(&t, &tm);
	return tm.tm_gmtoff;
}

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* Our offset equals glibc's every `step` seconds from..to, and where they
 * change, at the exact second (found by bisection on glibc). */
static void diff_offsets(const char *what, const csla_tz_t *tz, int64_t from,
			 int64_t to, int64_t step)
{
	long prev = glibc_offset(from);
	int64_t prev_t = from;

	for (int64_t t = from; t <= to; t += step) {
		long g = glibc_offset(t);
		int64_t lo = prev_t, hi = t;

		if (g != prev) {
			while (hi - lo > 1) {
				int64_t mid = lo + (hi - lo) / 2;

				if (glibc_offset(mid) == prev)
					lo = mid;
				else
					hi = mid;
			}
			if (csla_tz_offset_s(tz, lo * 1000 + 999) != prev ||
			    csla_tz_offset_s(tz, hi * 1000) != glibc_offset(hi)) {
				print_error("%s: change at %lld: ours %d/%d, "
					    "glibc %ld/%ld\n", what, (long long)hi,
					    csla_tz_offset_s(tz, lo * 1000 + 999),
					    csla_tz_offset_s(tz, hi * 1000), prev,
					    glibc_offset(hi));
				fail();
			}
		}
		if (csla_tz_offset_s(tz, t * 1000) != g) {
			print_error("%s: at %lld: ours %d, glibc %ld\n", what,
				    (long long)t, csla_tz_offset_s(tz, t * 1000),
				    g);
			fail();
		}
		prev = g;
		prev_t = t;
	}
}

#define Y1990 (T(1990, 1, 1, 0, 0, 0) / 1000)
#define Y2040 (T(2040, 12, 31, 0, 0, 0) / 1000)

/* Footer strings alone (every instant is after the last transition) against
 * glibc reading the same string from TZ.  Covers M, J and n dates, southern
 * DST, half-hour DST, <...> names, and v3 hours beyond 0..24. */
static void test_footer_vs_glibc(void **state)
{
	(void)state;
	static const char *const rules[] = {
		"CET-1CEST,M3.5.0,M10.5.0/3",
		"<+0545>-5:45",
		"EST5EDT,M3.2.0,M11.1.0",
		"AEST-10AEDT,M10.1.0,M4.1.0/3",
		"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
		"NZST-12NZDT,M9.5.0,M4.1.0/3",
		"<-04>4<-03>,M9.1.6/24,M4.1.6/24",
		"CST5CDT,M3.2.0/0,M11.1.0/1",
		"<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
		"IST-2IDT,M3.4.4/26,M10.5.0",
		"XXX3YYY,J60/2,J300/2",
		"XXX3YYY,59/2,299/2",
		"<+13>-13",
		"GMT0IST,M3.5.0/1,M10.5.0",
		"NST3:30NDT,M3.2.0,M11.1.0",
		"<+0330>-3:30<+0430>,J79/24,J263/24",
	};
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;

	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		csla_tz_t *tz = footer_only(rules[i], 0);

		set_tz(rules[i]);
		diff_offsets(rules[i], tz, Y1990, Y2040, 6 * 3600 + 1234);
		/* Past the years worked out at parse time. */
		diff_offsets(rules[i], tz, T(2220, 1, 1, 0, 0, 0) / 1000,
			     T(2232, 1, 1, 0, 0, 0) / 1000, 6 * 3600 + 1234);
		csla_tz_destroy(tz);
	}
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

/* A slim America/New_York: explicit transitions up to the 2007 rule change
 * (2006-10-29 06:00Z to EST, 2007-03-11 07:00Z to EDT), the rule after. */
static void test_slim_vs_glibc(void **state)
{
	(void)state;
	static const int64_t trans[] = { 1162101600, 1173596400 };
	static const unsigned char idx[] = { 0, 1 };
	static const int32_t offs[] = { -18000, -14400 };
	struct zone_spec z = { 2, trans, idx, 2, offs, "EST5EDT,M3.2.0,M11.1.0" };
	csla_tz_t *tz = parse_spec(&z);
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;

	assert_int_equal(trans[0] * 1000, T(2006, 10, 29, 6, 0, 0));
	assert_int_equal(trans[1] * 1000, T(2007, 3, 11, 7, 0, 0));
	set_tz("America/New_York");
	diff_offsets("slim New_York", tz, trans[0], Y2040, 3 * 3600 + 77);
	/* Before the first transition: type 0. */
	assert_int_equal(csla_tz_offset_s(tz, T(2000, 6, 1, 0, 0, 0)), -18000);
	csla_tz_destroy(tz);
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

/* DST all year ("0/0,J365/25", TZif v3): the change at year end is a
 * no-op.  glibc gets this wrong, so it is worked by hand. */
static void test_footer_permanent_dst(void **state)
{
	(void)state;
	csla_tz_t *tz = footer_only("EST5EDT,0/0,J365/25", 0);

	assert_int_equal(csla_tz_offset_s(tz, T(2026, 1, 1, 0, 0, 0)), -14400);
	assert_int_equal(csla_tz_offset_s(tz, T(2026, 1, 1, 5, 0, 0)), -14400);
	assert_int_equal(csla_tz_offset_s(tz, T(2026, 7, 1, 0, 0, 0)), -14400);
	assert_int_equal(csla_tz_offset_s(tz, T(2028, 12, 31, 23, 0, 0)), -14400);
	assert_int_equal(csla_tz_day_start(tz, T(2026, 1, 1, 12, 0, 0)),
			 T(2026, 1, 1, 4, 0, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 1, 1, 5, 10, 0), 15 * MIN_MS),
			 T(2026, 1, 1, 5, 0, 0));
	csla_tz_destroy(tz);

	/* A v1 file: 32-bit times, no footer, the last offset stays. */
	static const int64_t trans[] = { 0 };
	static const unsigned char idx[] = { 1 };
	static const int32_t offs[] = { 3600, 7200 };
	struct zone_spec z = { 1, trans, idx, 2, offs, NULL };

	tz = parse_spec(&z);
	assert_int_equal(csla_tz_offset_s(tz, -1), 3600);
	assert_int_equal(csla_tz_offset_s(tz, 0), 7200);
	assert_int_equal(csla_tz_offset_s(tz, T(2100, 1, 1, 0, 0, 0)), 7200);
	csla_tz_destroy(tz);
}

/* A fall-back not on an interval boundary: +01:00 -> +00:00 at 01:10Z, so
 * the wall clock goes 02:10 -> 01:10.  The second 01:10-01:30 is its own
 * interval (01:30-02:10 came between), the second 01:30-02:00 too. */
static void test_align_odd_fallback(void **state)
{
	(void)state;
	static const int64_t trans[] = { 1767229800 };
	static const unsigned char idx[] = { 1 };
	static const int32_t offs[] = { 3600, 0 };
	struct zone_spec z = { 1, trans, idx, 2, offs, "" };
	csla_tz_t *tz = parse_spec(&z);

	assert_int_equal(trans[0] * 1000, T(2026, 1, 1, 1, 10, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 1, 1, 1, 20, 0), 30 * MIN_MS),
			 T(2026, 1, 1, 1, 10, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 1, 1, 1, 40, 0), 30 * MIN_MS),
			 T(2026, 1, 1, 1, 30, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 1, 1, 0, 50, 0), 30 * MIN_MS),
			 T(2026, 1, 1, 0, 30, 0));
	assert_int_equal(csla_tz_align(tz, T(2026, 1, 1, 1, 20, 0), 2 * HOUR_MS),
			 T(2026, 1, 1, 1, 10, 0));
	/* With 4 h the wall clock never left 00:00-04:00. */
	assert_int_equal(csla_tz_align(tz, T(2026, 1, 1, 1, 20, 0), 4 * HOUR_MS),
			 T(2025, 12, 31, 23, 0, 0));
	assert_int_equal(csla_tz_day_start(tz, T(2026, 1, 1, 12, 0, 0)),
			 T(2025, 12, 31, 23, 0, 0));
	csla_tz_destroy(tz);
}

/* Whole zones against glibc reading the same files, 1990..2040. */
static void test_zones_vs_glibc(void **state)
{
	(void)state;
	static const char *const zones[] = {
		"America/New_York", "Europe/London",  "Europe/Berlin",
		"Asia/Shanghai",    "Asia/Jerusalem", "Asia/Kathmandu",
		"America/Santiago", "America/Havana", "Australia/Sydney",
		"Australia/Lord_Howe", "Pacific/Chatham", "Africa/Casablanca",
		"Asia/Tehran",      "America/St_Johns", "America/Nuuk",
		"Europe/Dublin",
	};
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;

	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		csla_tz_t *tz = load(zones[i]);

		set_tz(zones[i]);
		diff_offsets(zones[i], tz, Y1990, Y2040, 5 * 3600 + 1234);
		csla_tz_destroy(tz);
	}
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

static int64_t glibc_wall_ms(int64_t utc_ms)
{
	return utc_ms + 1000 * (int64_t)glibc_offset(csla_floordiv(utc_ms, 1000));
}

/* Day starts and aligned intervals, checked for what they must be on
 * glibc's clock: the start's local date/interval is the instant's, the
 * wall clock stays in it from the start to the instant, and just before
 * the start it was outside (or the offset changed right at the start). */
static void check_span(const char *what, int64_t u, int64_t r, int64_t period)
{
	int64_t a = csla_floordiv(glibc_wall_ms(u), period) * period;
	int64_t before = glibc_wall_ms(r - 1000);

	if (r > u || csla_floordiv(glibc_wall_ms(r), period) * period != a) {
		print_error("%s: %lld -> %lld\n", what, (long long)u,
			    (long long)r);
		fail();
	}
	for (int64_t v = r; v <= u; v += 10 * MIN_MS)
		if (csla_floordiv(glibc_wall_ms(v), period) * period != a) {
			print_error("%s: %lld -> %lld leaves at %lld\n", what,
				    (long long)u, (long long)r, (long long)v);
			fail();
		}
	if (csla_floordiv(before, period) * period == a &&
	    glibc_offset(r / 1000 - 1) == glibc_offset(r / 1000) &&
	    period != DAY_MS) {
		print_error("%s: %lld -> %lld began earlier\n", what,
			    (long long)u, (long long)r);
		fail();
	}
	if (period == DAY_MS && csla_floordiv(before, period) * period == a) {
		print_error("%s: day of %lld began before %lld\n", what,
			    (long long)u, (long long)r);
		fail();
	}
}

static void test_spans_vs_glibc(void **state)
{
	(void)state;
	static const char *const zones[] = {
		"America/New_York", "Asia/Kathmandu", "America/Havana",
		"America/Santiago", "Australia/Lord_Howe", "Europe/London",
	};
	static const int64_t periods[] = { 15 * MIN_MS, 30 * MIN_MS,
					   60 * MIN_MS, DAY_MS };
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;

	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		csla_tz_t *tz = load(zones[i]);

		set_tz(zones[i]);
		for (int64_t u = T(1995, 1, 1, 0, 0, 0); u < T(2035, 1, 1, 0, 0, 0);
		     u += 7 * HOUR_MS + 13 * MIN_MS + 7777) {
			for (size_t k = 0; k < 4; k++)
				check_span(zones[i], u,
					   csla_tz_align(tz, u, periods[k]),
					   periods[k]);
			if (csla_tz_day_start(tz, u) !=
			    csla_tz_align(tz, u, DAY_MS) ||
			    csla_tz_local_day(tz, u) !=
				    csla_floordiv(glibc_wall_ms(u), DAY_MS))
				fail();
		}
		csla_tz_destroy(tz);
	}
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

/* ---- malformed data ------------------------------------------------------- */

static void expect_bad(const unsigned char *buf, size_t n, const char *want)
{
	char err[256] = "";

	assert_null(csla_tz_parse("Bad/Zone", buf, n, err, sizeof err));
	if (want)
		assert_string_equal(err, want);
	else
		assert_true(strncmp(err, "time zone \"Bad/Zone\": ", 22) == 0);
}

static void test_malformed(void **state)
{
	(void)state;
	static const int64_t trans[] = { 1000, 2000 };
	static const unsigned char idx[] = { 1, 0 };
	static const int32_t offs[] = { 0, 3600 };
	struct zone_spec z = { 2, trans, idx, 2, offs, "EST5EDT,M3.2.0,M11.1.0" };
	static const char *const bad_rules[] = {
		"EST", "EST5EDT", "EST5EDT,M3.2.0", "EST5EDT,M13.2.0,M11.1.0",
		"EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0",
		"EST5EDT,J0,J365", "EST5EDT,366,1", "EST5EDT,M3.2.0/168,M11.1.0",
		"EST25", "<AB>5", "EST5EDT,M3.2.0,M11.1.0x", "ES5", "EST5:60",
		"EST5EDT,M3.2.0,M11.1.0/1:2:3:4",
	};
	unsigned char buf[4096], mut[4096];
	size_t n;
	csla_tz_t *tz;

	n = build(buf, &z);
	tz = parse_spec(&z);
	csla_tz_destroy(tz);

	/* Every proper prefix is refused. */
	for (size_t k = 0; k < n; k++)
		expect_bad(buf, k, NULL);
	expect_bad(buf, 10, "time zone \"Bad/Zone\": not TZif data");

	memcpy(mut, buf, n);
	mut[4] = '1';
	expect_bad(mut, n, "time zone \"Bad/Zone\": unsupported TZif version");

	/* The second block starts at 44 + 4 + 2 + 2 = 52; its transition
	 * indexes at 52 + 44 + 16. */
	memcpy(mut, buf, n);
	mut[52 + 44 + 16] = 2;
	expect_bad(mut, n, "time zone \"Bad/Zone\": bad transition type");

	memcpy(mut, buf, n);
	memcpy(mut + 52 + 44, buf + 52 + 44 + 8, 8);
	expect_bad(mut, n, "time zone \"Bad/Zone\": transitions out of order");

	memcpy(mut, buf, n);
	put32(mut + 52 + 28, 1); /* a leap second record, and room for it */
	memset(mut + n, 0, 12);
	expect_bad(mut, n + 12, "time zone \"Bad/Zone\": leap-second zones are not supported");

	memcpy(mut, buf, n);
	mut[n] = 'x';
	expect_bad(mut, n + 1,
		   "time zone \"Bad/Zone\": bytes after the TZ footer");

	memcpy(mut, buf, n);
	put32(mut + 52 + 44 + 18, (uint32_t)-100000); /* type 0's offset */
	expect_bad(mut, n, "time zone \"Bad/Zone\": bad local time type");

	for (size_t i = 0; i < sizeof bad_rules / sizeof bad_rules[0]; i++) {
		z.footer = bad_rules[i];
		n = build(buf, &z);
		expect_bad(buf, n, "time zone \"Bad/Zone\": bad TZ string in footer");
	}

	/* Flipped bytes anywhere: refused or parsed, never a crash (run it
	 * under ASan). */
	z.footer = "CET-1CEST,M3.5.0,M10.5.0/3";
	n = build(buf, &z);
	srand(1);
	for (int round = 0; round < 20000; round++) {
		char err[128];

		memcpy(mut, buf, n);
		for (int f = 0; f < 3; f++)
			mut[(size_t)rand() % n] = (unsigned char)rand();
		tz = csla_tz_parse("fuzz", mut, n, err, sizeof err);
		if (tz) {
			csla_tz_offset_s(tz, T(2030, 6, 1, 0, 0, 0));
			csla_tz_align(tz, T(2030, 6, 1, 0, 0, 0), 15 * MIN_MS);
			csla_tz_day_start(tz, T(2030, 6, 1, 0, 0, 0));
			csla_tz_destroy(tz);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utc),
		cmocka_unit_test(test_load_names),
		cmocka_unit_test(test_shanghai),
		cmocka_unit_test(test_jerusalem),
		cmocka_unit_test(test_london),
		cmocka_unit_test(test_new_york),
		cmocka_unit_test(test_kathmandu),
		cmocka_unit_test(test_skipped_midnight),
		cmocka_unit_test(test_footer_vs_glibc),
		cmocka_unit_test(test_slim_vs_glibc),
		cmocka_unit_test(test_footer_permanent_dst),
		cmocka_unit_test(test_align_odd_fallback),
		cmocka_unit_test(test_zones_vs_glibc),
		cmocka_unit_test(test_spans_vs_glibc),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
