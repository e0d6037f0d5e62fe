/* test_timefmt.c - RFC 3339 parsing and formatting, civil-day arithmetic
 * and durations.  Every expected epoch value was computed independently
 * with GNU date, e.g. `date -u -d 2026-11-25T10:00:00Z +%s`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "callsla/timefmt.h"

static int64_t parse_ok(const char *s)
{
	int64_t ms = 42;
	if (csla_time_parse_rfc3339(s, strlen(s), &ms) != 0)
		fail_msg("refused \"%s\"", s);
	return ms;
}

static void parse_bad(const char *s)
{
	int64_t ms = 42;
	if (csla_time_parse_rfc3339(s, strlen(s), &ms) != -1)
		fail_msg("accepted \"%s\" as %lld", s, (long long)ms);
	assert_int_equal(ms, 42);
}

static void test_parse_utc(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2026-11-25T10:00:00.123Z"), 1795600800123LL);
	assert_int_equal(parse_ok("2026-11-25T10:00:00Z"), 1795600800000LL);
	assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(parse_ok("1969-12-31T23:59:59.999Z"), -1);
	assert_int_equal(parse_ok("0001-01-01T00:00:00Z"), -62135596800000LL);
	assert_int_equal(parse_ok("9999-12-31T23:59:59.999Z"),
			 253402300799999LL);
	/* lower-case separators and a space for 'T' */
	assert_int_equal(parse_ok("2026-11-25t10:00:00.123z"), 1795600800123LL);
	assert_int_equal(parse_ok("2026-11-25 10:00:00.123Z"), 1795600800123LL);
}

static void test_parse_fraction(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2026-11-25T10:00:00.1Z"), 1795600800100LL);
	assert_int_equal(parse_ok("2026-11-25T10:00:00.12Z"), 1795600800120LL);
	/* truncated, not rounded */
	assert_int_equal(parse_ok("2026-11-25T10:00:00.123999999Z"),
			 1795600800123LL);
	assert_int_equal(parse_ok("1969-12-31T23:59:59.9999Z"), -1);
	assert_int_equal(parse_ok("2026-11-25T10:00:00.000000Z"),
			 1795600800000LL);
}

static void test_parse_offsets(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2026-11-25T18:00:00.123+08:00"),
			 1795600800123LL);
	assert_int_equal(parse_ok("2026-11-25T04:30:00-05:30"),
			 1795600800000LL);
	assert_int_equal(parse_ok("2026-11-25T10:00:00+00:00"),
			 1795600800000LL);
	assert_int_equal(parse_ok("2026-11-25T10:00:00-00:00"),
			 1795600800000LL);
	/* crossing midnight and the year backwards */
	assert_int_equal(parse_ok("1970-01-01T01:00:00+01:00"), 0);
	assert_int_equal(parse_ok("1969-12-31T23:00:00-01:00"), 0);
	assert_int_equal(parse_ok("2026-11-25T10:00:00+23:59"),
			 1795600800000LL - 86340000LL);
}

static void test_parse_leap_years(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2024-02-29T23:59:59Z"), 1709251199000LL);
	assert_int_equal(parse_ok("2000-02-29T12:00:00Z"), 951825600000LL);
	assert_int_equal(parse_ok("1600-02-29T00:00:00Z"), -11670998400000LL);
	assert_int_equal(parse_ok("1900-03-01T00:00:00Z"), -2203891200000LL);
	assert_int_equal(parse_ok("2100-03-01T00:00:00Z"), 4107542400000LL);
	parse_bad("1900-02-29T00:00:00Z"); /* divisible by 100, not 400 */
	parse_bad("2100-02-29T00:00:00Z");
	parse_bad("2026-02-29T00:00:00Z");
	parse_bad("2024-02-30T00:00:00Z");
}

static void test_parse_invalid(void **state)
{
	(void)state;
	parse_bad("");
	parse_bad("garbage");
	parse_bad("2026-13-01T00:00:00Z");      /* month 13 */
	parse_bad("2026-00-01T00:00:00Z");
	parse_bad("2026-04-31T00:00:00Z");      /* April has 30 days */
	parse_bad("2026-01-00T00:00:00Z");
	parse_bad("2026-01-32T00:00:00Z");
	parse_bad("2026-11-25T24:00:00Z");      /* hour 24 */
	parse_bad("2026-11-25T10:60:00Z");
	parse_bad("2026-11-25T10:00:60Z");      /* leap second */
	parse_bad("2026-11-25T10:00:00");       /* missing offset */
	parse_bad("2026-11-25T10:00:00.123");
	parse_bad("2026-11-25T10:00:00.Z");     /* empty fraction */
	parse_bad("2026-11-25T10:00:00,123Z");
	parse_bad("2026-11-25T10:00:00+08");
	parse_bad("2026-11-25T10:00:00+0800");
	parse_bad("2026-11-25T10:00:00+24:00");
	parse_bad("2026-11-25T10:00:00+08:60");
	parse_bad("2026-11-25T10:00:00ZZ");     /* trailing bytes */
	parse_bad("2026-11-25T10:00:00Z ");
	parse_bad("2026-11-25X10:00:00Z");
	parse_bad("2026-11-25T1:00:00Z");
	parse_bad("0000-01-01T00:00:00Z");      /* year 0 */
	parse_bad("-001-01-01T00:00:00Z");
	parse_bad("2026/11/25T10:00:00Z");
	parse_bad("2026-1a-25T10:00:00Z");
}

static void test_parse_uses_len(void **state)
{
	const char s[] = "2026-11-25T10:00:00Zjunk";
	int64_t ms = 0;
	(void)state;
	assert_int_equal(csla_time_parse_rfc3339(s, 20, &ms), 0);
	assert_int_equal(ms, 1795600800000LL);
	assert_int_equal(csla_time_parse_rfc3339(s, 19, &ms), -1);
}

static void format_is(int64_t ms, const char *want)
{
	char buf[64];
	assert_int_equal(csla_time_format_utc(ms, buf, sizeof buf), 24);
	assert_string_equal(buf, want);
}

static void test_format(void **state)
{
	(void)state;
	format_is(1795600800123LL, "2026-11-25T10:00:00.123Z");
	format_is(0, "1970-01-01T00:00:00.000Z");
	format_is(-1, "1969-12-31T23:59:59.999Z");
	format_is(1709251199000LL, "2024-02-29T23:59:59.000Z");
	format_is(-62135596800000LL, "0001-01-01T00:00:00.000Z");
	format_is(253402300799999LL, "9999-12-31T23:59:59.999Z");
}

static void test_format_parse_roundtrip(void **state)
{
	char buf[32];
	(void)state;
	/* a spread of instants across four centuries, both signs */
	for (int64_t ms = -12219292800000LL; ms < 7258118400000LL;
	     ms += 86399999LL * 37 + 12345) {
		csla_time_format_utc(ms, buf, sizeof buf);
		assert_int_equal(parse_ok(buf), ms);
	}
}

/* Any int64_t, with the year's digits as many as it takes; expected values
 * from Python's date arithmetic, shifted by whole 400-year cycles. */
static void test_format_extremes(void **state)
{
	char buf[48];
	(void)state;
	assert_int_equal(csla_time_format_utc(INT64_MAX, buf, sizeof buf), 29);
	assert_string_equal(buf, "292278994-08-17T07:12:55.807Z");
	assert_int_equal(csla_time_format_utc(INT64_MIN, buf, sizeof buf), 30);
	assert_string_equal(buf, "-292275055-05-16T16:47:04.192Z");
	csla_time_format_utc(-62135596800001LL, buf, sizeof buf);
	assert_string_equal(buf, "0000-12-31T23:59:59.999Z");
	csla_time_format_utc(253402300800000LL, buf, sizeof buf);
	assert_string_equal(buf, "10000-01-01T00:00:00.000Z");
}

static void test_format_truncates(void **state)
{
	char buf[10];
	(void)state;
	assert_int_equal(csla_time_format_utc(0, buf, sizeof buf), 24);
	assert_string_equal(buf, "1970-01-0");
}

static void test_civil_days(void **state)
{
	int64_t y;
	unsigned m, d;
	(void)state;
	assert_int_equal(csla_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(csla_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(csla_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(csla_days_from_civil(2024, 2, 29), 19782);
	assert_int_equal(csla_days_from_civil(1600, 3, 1), -135080);
	assert_int_equal(csla_days_from_civil(1, 1, 1), -719162);
	assert_int_equal(csla_days_from_civil(9999, 12, 31), 2932896);

	csla_civil_from_days(19782, &y, &m, &d);
	assert_true(y == 2024 && m == 2 && d == 29);
	csla_civil_from_days(-1, &y, &m, &d);
	assert_true(y == 1969 && m == 12 && d == 31);
	csla_civil_from_days(-719162, &y, &m, &d);
	assert_true(y == 1 && m == 1 && d == 1);
	csla_civil_from_days(-135080, &y, &m, &d);
	assert_true(y == 1600 && m == 3 && d == 1);
	/* every day of 1599..2401 maps back to itself */
	for (int64_t z = -135500; z < 157000; z++) {
		csla_civil_from_days(z, &y, &m, &d);
		assert_int_equal(csla_days_from_civil(y, m, d), z);
	}
}

static void test_floor(void **state)
{
	(void)state;
	assert_int_equal(csla_floordiv(-1, 1000), -1);
	assert_int_equal(csla_floormod(-1, 1000), 999);
	assert_int_equal(csla_floordiv(-1000, 1000), -1);
	assert_int_equal(csla_floormod(-1000, 1000), 0);
	assert_int_equal(csla_floordiv(1999, 1000), 1);
}

static int64_t duration_ok(const char *s)
{
	int64_t ms = 42;
	if (csla_duration_parse(s, &ms) != 0)
		fail_msg("refused \"%s\"", s);
	return ms;
}

static void test_duration(void **state)
{
	int64_t ms = 42;
	(void)state;
	assert_int_equal(duration_ok("250ms"), 250);
	assert_int_equal(duration_ok("20s"), 20000);
	assert_int_equal(duration_ok("5m"), 300000);
	assert_int_equal(duration_ok("2h"), 7200000);
	assert_int_equal(duration_ok("1d"), 86400000);
	assert_int_equal(duration_ok("15"), 15000);
	assert_int_equal(duration_ok("0"), 0);
	assert_int_equal(duration_ok("0ms"), 0);
	assert_int_equal(duration_ok("9223372036854775807ms"), INT64_MAX);

	const char *bad[] = { "", "ms", "5x", "5 m", " 5m", "-5s", "5.5s",
			      "5mss", "5M", "1w", "99999999999999999999",
			      "9223372036854775808ms", "9223372036854775807s" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (csla_duration_parse(bad[i], &ms) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(csla_duration_parse(NULL, &ms), -1);
	assert_int_equal(ms, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_utc),
		cmocka_unit_test(test_parse_fraction),
		cmocka_unit_test(test_parse_offsets),
		cmocka_unit_test(test_parse_leap_years),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_parse_uses_len),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_parse_roundtrip),
		cmocka_unit_test(test_format_extremes),
		cmocka_unit_test(test_format_truncates),
		cmocka_unit_test(test_civil_days),
		cmocka_unit_test(test_floor),
		cmocka_unit_test(test_duration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
