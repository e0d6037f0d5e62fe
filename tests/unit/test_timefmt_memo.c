/* test_timefmt_memo.c - csla_time_parse_rfc3339_memo(): a timestamp of the
 * memo's date takes a shortcut, which must give what the plain parser gives
 * for every input.  Expected epoch values from GNU date, e.g.
 * `date -u -d 2024-02-29T23:59:59.999Z +%s%3N` = 1709251199999; the
 * generated inputs are checked against glibc's timegm()/gmtime_r(), not
 * against callsla's own calendar. */
#define _GNU_SOURCE /* timegm */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "callsla/timefmt.h"

static int64_t memo_ok(csla_time_memo_t *m, const char *s)
{
	int64_t ms = 42;
	if (csla_time_parse_rfc3339_memo(m, s, strlen(s), &ms) != 0)
		fail_msg("refused \"%s\"", s);
	return ms;
}

static void memo_bad(csla_time_memo_t *m, const char *s)
{
	int64_t ms = 42;
	if (csla_time_parse_rfc3339_memo(m, s, strlen(s), &ms) != -1)
		fail_msg("accepted \"%s\" as %lld", s, (long long)ms);
	assert_int_equal(ms, 42);
}

/* A day's times after the memo holds it, and its edges. */
static void test_memo_sequence(void **state)
{
	(void)state;
	csla_time_memo_t m = { 0 };

	assert_int_equal(memo_ok(&m, "2024-02-29T23:59:59.999Z"),
			 1709251199999LL);
	assert_int_equal(memo_ok(&m, "2024-02-29T00:00:00.000Z"),
			 1709164800000LL); /* from the memo */
	/* Bad times of the memo's date stay bad. */
	memo_bad(&m, "2024-02-29T24:00:00.000Z");
	memo_bad(&m, "2024-02-29T23:60:00.000Z");
	memo_bad(&m, "2024-02-29T23:59:60.000Z"); /* no leap seconds */
	memo_bad(&m, "2024-02-29T2a:00:00.000Z");
	memo_bad(&m, "2024-02-29T23:59:59.99aZ");
	memo_bad(&m, "2024-02-29T23:59:59.999+");
	assert_int_equal(memo_ok(&m, "2024-03-01T00:00:00.001Z"),
			 1709251200001LL);
	/* The same date in another form is not the memo's business. */
	assert_int_equal(memo_ok(&m, "2024-03-01T01:00:00.001+01:00"),
			 1709251200001LL);
	assert_int_equal(memo_ok(&m, "2024-03-01T00:00:00.0015Z"),
			 1709251200001LL);
	assert_int_equal(memo_ok(&m, "2100-02-28T12:34:56.789Z"),
			 4107501296789LL);
	memo_bad(&m, "2100-02-29T12:34:56.789Z"); /* 2100 is no leap year */
	assert_int_equal(memo_ok(&m, "2100-02-28T12:34:56.789Z"),
			 4107501296789LL);
	/* -1: `date` prints -1 s and 999 ms as "-1999". */
	assert_int_equal(memo_ok(&m, "1969-12-31T23:59:59.999Z"), -1);
	assert_int_equal(memo_ok(&m, "0001-01-01T00:00:00.000Z"),
			 -62135596800000LL);
	assert_int_equal(memo_ok(&m, "9999-12-31T23:59:59.999Z"),
			 253402300799999LL);
	assert_int_equal(memo_ok(&m, "2026-11-25T10:00:00.123Z"),
			 1795600800123LL);
	/* A refused date is never remembered. */
	memo_bad(&m, "2026-02-30T10:00:00.123Z");
	memo_bad(&m, "2026-02-30T10:00:00.123Z");
}

/* The instant of a canonical "YYYY-MM-DDTHH:MM:SS.mmmZ" from glibc, or -1
 * when it is none: timegm() normalises out-of-range fields, so a date
 * that does not come back unchanged from gmtime_r() does not exist.  RFC
 * 3339 also allows 't' or a space for the 'T'. */
static int ref_parse(const char *text, int64_t *out)
{
	int y, mo, d, h, mi, se, ms, n = 0;
	char s[25];

	if (strlen(text) != 24)
		return -1;
	memcpy(s, text, sizeof s);
	if (s[10] == 't' || s[10] == ' ')
		s[10] = 'T';
	if (
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &y, &mo, &d, &h, &mi,
		   &se, &ms, &n) != 7 || n != 24)
		return -1;
	for (int i = 0; i < 23; i++)
		if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 &&
		    i != 19 && (s[i] < '0' || s[i] > '9'))
			return -1;
	if (y < 1 || h > 23 || mi > 59 || se > 59)
		return -1;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi, .tm_sec = se };
	time_t t = timegm(&tm);
	struct tm back;
	if (!gmtime_r(&t, &back) || back.tm_year != y - 1900 ||
	    back.tm_mon != mo - 1 || back.tm_mday != d)
		return -1;
	*out = (int64_t)t * 1000 + ms;
	return 0;
}

/* Both parsers on one input, the memo's kept from the inputs before;
 * canonical ones against glibc too. */
static void agree(csla_time_memo_t *m, const char *s, unsigned *hits)
{
	int64_t plain = 42, memo = 42, ref = 42;
	int rp = csla_time_parse_rfc3339(s, strlen(s), &plain);
	int rm = csla_time_parse_rfc3339_memo(m, s, strlen(s), &memo);

	if (rp != rm || plain != memo)
		fail_msg("\"%s\": plain %d %lld, memo %d %lld", s, rp,
			 (long long)plain, rm, (long long)memo);
	if (strlen(s) == 24 && s[23] == 'Z') {
		int rr = ref_parse(s, &ref);
		if (rr != rm || (rr == 0 && ref != memo))
			fail_msg("\"%s\": glibc %d %lld, memo %d %lld", s, rr,
				 (long long)ref, rm, (long long)memo);
		*hits += rr == 0;
	}
}

/* Every boundary of every field, fractions of 1 to 9 digits, offsets, and
 * a bad byte in each position; consecutive inputs share their date, so
 * most reach the memo. */
static void test_memo_agrees(void **state)
{
	(void)state;
	static const char *const years[] = { "0000", "0001", "1600", "1900",
		"1969", "1970", "2000", "2023", "2024", "2100", "9999" };
	static const char *const mons[] = { "00", "01", "02", "03", "04",
		"06", "09", "11", "12", "13", "1a" };
	static const char *const days[] = { "00", "01", "28", "29", "30",
		"31", "32", "3/" };
	static const char *const hms[] = { "00:00:00", "23:59:59",
		"24:00:00", "23:60:00", "23:59:60", "12:3:456", "99:99:99" };
	static const char *const tails[] = { ".000Z", ".999Z", ".5Z",
		".12Z", ".1234Z", ".123456789Z", "Z", "z", ".123+01:00",
		".123-23:59", ".123+24:00", ".12aZ", ".123Zx", ".123" };
	csla_time_memo_t m = { 0 };
	unsigned valid = 0, n = 0;
	char s[64];

	for (size_t y = 0; y < sizeof years / sizeof *years; y++)
		for (size_t mo = 0; mo < sizeof mons / sizeof *mons; mo++)
			for (size_t d = 0; d < sizeof days / sizeof *days; d++)
				for (size_t h = 0; h < sizeof hms / sizeof *hms;
				     h++)
					for (size_t t = 0;
					     t < sizeof tails / sizeof *tails;
					     t++) {
						snprintf(s, sizeof s,
							 "%s-%s-%sT%s%s",
							 years[y], mons[mo],
							 days[d], hms[h],
							 tails[t]);
						agree(&m, s, &valid);
						n++;
					}
	/* One bad byte in each position of a valid canonical time, each
	 * right after that time has primed the memo. */
	static const char bads[] = { '/', ':', 'a', '-', ' ', '\0' + 1 };
	for (int pos = 0; pos < 24; pos++)
		for (size_t b = 0; b < sizeof bads; b++) {
			strcpy(s, "2024-02-29T13:45:07.089Z");
			agree(&m, s, &valid);
			if (s[pos] == bads[b])
				continue;
			s[pos] = bads[b];
			agree(&m, s, &valid);
			n += 2;
		}
	/* Enough of both kinds that the sets mean something. */
	assert_true(n > 80000);
	assert_true(valid > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memo_sequence),
		cmocka_unit_test(test_memo_agrees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
