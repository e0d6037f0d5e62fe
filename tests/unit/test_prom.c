/* test_prom.c - the Prometheus text writer (daemon/prom.h) byte for byte:
 * HELP/TYPE lines and their escapes, label value escapes (backslash,
 * quote, newline; UTF-8 kept), number forms, and a histogram's cumulative
 * buckets with +Inf, _sum and _count, all worked out by hand from the
 * exposition format's rules (prometheus.io, "Exposition formats", text
 * format 0.0.4).  Also the small JSON reader and writer the HTTP API uses
 * (daemon/json.h), the stored-row helpers (daemon/snaprow.h) and the
 * series member form (daemon/series.h). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "prom.h"
#include "series.h"
#include "snaprow.h"

static void assert_buf(csla_buf_t *b, const char *want)
{
	csla_buf_put(b, "", 1); /* NUL */
	assert_string_equal(b->p, want);
	b->len = 0;
}

static void test_family_and_samples(void **state)
{
	csla_buf_t b = { 0 };
	(void)state;

	csla_prom_family(&b, "callsla_x", "A \\ B\nC \"q\"", CSLA_PROM_GAUGE);
	/* HELP escapes backslash and newline only; quotes stay. */
	assert_buf(&b, "# HELP callsla_x A \\\\ B\\nC \"q\"\n"
		       "# TYPE callsla_x gauge\n");
	csla_prom_family(&b, "c_total", "h", CSLA_PROM_COUNTER);
	assert_buf(&b, "# HELP c_total h\n# TYPE c_total counter\n");

	csla_prom_sample_u64(&b, "c_total", NULL, 0, 18446744073709551615u);
	assert_buf(&b, "c_total 18446744073709551615\n");

	/* Label values: \ -> \\, " -> \", newline -> \n; UTF-8 as is. */
	const char v[] = "a\\b\"c\nd|é";
	csla_prom_label_t l[2] = { { "tenant", v, sizeof v - 1 },
				   { "id", "q1", 2 } };
	csla_prom_sample(&b, "g", l, 2, 0.7931);
	assert_buf(&b, "g{tenant=\"a\\\\b\\\"c\\nd|é\",id=\"q1\"} 0.7931\n");
	/* A value with a NUL byte in the middle keeps its length. */
	csla_prom_label_t z = { "id", "a\0b", 3 };
	csla_prom_sample_text(&b, "g", &z, 1, "1.5", 3);
	csla_buf_put(&b, "", 1);
	assert_int_equal(b.len, sizeof "g{id=\"a\0b\"} 1.5\n");
	assert_memory_equal(b.p, "g{id=\"a\0b\"} 1.5\n", b.len);
	b.len = 0;

	/* Numbers: shortest round trip, whole numbers without exponent,
	 * the format's spellings of NaN and the infinities. */
	csla_prom_sample(&b, "g", NULL, 0, 0.1);
	csla_prom_sample(&b, "g", NULL, 0, 10);
	csla_prom_sample(&b, "g", NULL, 0, -2.5);
	csla_prom_sample(&b, "g", NULL, 0, 1e-05);
	csla_prom_sample(&b, "g", NULL, 0, 1.0 / 3);
	csla_prom_sample(&b, "g", NULL, 0, NAN);
	csla_prom_sample(&b, "g", NULL, 0, INFINITY);
	csla_prom_sample(&b, "g", NULL, 0, -INFINITY);
	assert_buf(&b, "g 0.1\ng 10\ng -2.5\ng 1e-05\ng 0.3333333333333333\n"
		       "g NaN\ng +Inf\ng -Inf\n");
	csla_buf_free(&b);
}

static void test_histogram(void **state)
{
	static const double bounds[] = { 0.005, 0.01, 1, 10 };
	csla_prom_hist_t h;
	csla_buf_t b = { 0 };
	csla_prom_label_t l = { "topic", "cc.calls", 8 };
	(void)state;

	csla_prom_hist_init(&h, bounds, 4);
	/* 0.005 is counted in le="0.005" (less or equal); 0.0075 in 0.01;
	 * 1 in le="1"; 20 only in +Inf.  Buckets are cumulative: 1, 2, 3,
	 * 3, +Inf 4.  Sum 0.005 + 0.0075 + 1 + 20 = 21.0125. */
	csla_prom_hist_observe(&h, 0.005);
	csla_prom_hist_observe(&h, 0.0075);
	csla_prom_hist_observe(&h, 1);
	csla_prom_hist_observe(&h, 20);
	csla_prom_family(&b, "d_seconds", "Durations.", CSLA_PROM_HISTOGRAM);
	csla_prom_histogram(&b, "d_seconds", &l, 1, &h);
	assert_buf(&b,
		   "# HELP d_seconds Durations.\n"
		   "# TYPE d_seconds histogram\n"
		   "d_seconds_bucket{topic=\"cc.calls\",le=\"0.005\"} 1\n"
		   "d_seconds_bucket{topic=\"cc.calls\",le=\"0.01\"} 2\n"
		   "d_seconds_bucket{topic=\"cc.calls\",le=\"1\"} 3\n"
		   "d_seconds_bucket{topic=\"cc.calls\",le=\"10\"} 3\n"
		   "d_seconds_bucket{topic=\"cc.calls\",le=\"+Inf\"} 4\n"
		   "d_seconds_sum{topic=\"cc.calls\"} 21.0125\n"
		   "d_seconds_count{topic=\"cc.calls\"} 4\n");

	/* No labels, no observations: zeros, and le alone. */
	csla_prom_hist_init(&h, bounds, 1);
	csla_prom_histogram(&b, "e", NULL, 0, &h);
	assert_buf(&b, "e_bucket{le=\"0.005\"} 0\ne_bucket{le=\"+Inf\"} 0\n"
		       "e_sum 0\ne_count 0\n");
	csla_buf_free(&b);
}

static void test_json_member(void **state)
{
	/* A string holding what looks like a member, an escaped quote, a
	 * nested object with a member of the same name, then the member. */
	static const char j[] =
		" {\"id\":\"x\\\",\\\"service_level\\\":9\",\"agents\":"
		"{\"service_level\":7,\"s\":\"}\"},\"service_level\":0.5,"
		"\"n\":null,\"t\":true,\"e\":\"a\\u00e9\\ud83d\\ude00\\n\"}";
	csla_jval_t v;
	char out[64];
	size_t n;
	(void)state;

	assert_int_equal(csla_json_member(j, strlen(j), "service_level", &v), 0);
	assert_int_equal(v.type, CSLA_JT_NUMBER);
	assert_int_equal(v.len, 3);
	assert_memory_equal(v.p, "0.5", 3);
	assert_int_equal(csla_json_member(j, strlen(j), "n", &v), 0);
	assert_int_equal(v.type, CSLA_JT_NULL);
	assert_int_equal(csla_json_member(j, strlen(j), "t", &v), 0);
	assert_int_equal(v.type, CSLA_JT_OTHER);
	assert_int_equal(csla_json_member(j, strlen(j), "agents", &v), 0);
	assert_int_equal(v.type, CSLA_JT_OTHER);
	assert_int_equal(csla_json_member(v.p, v.len, "service_level", &v), 0);
	assert_memory_equal(v.p, "7", 1);
	assert_int_equal(csla_json_member(j, strlen(j), "missing", &v), -1);
	/* Truncated text: not found rather than read past the end. */
	assert_int_equal(csla_json_member(j, 30, "service_level", &v), -1);
	assert_int_equal(csla_json_member("[1]", 3, "a", &v), -1);

	/* é is U+00E9 (c3 a9); U+1F600 is the pair d83d de00 (f0 9f 98 80). */
	assert_int_equal(csla_json_member(j, strlen(j), "e", &v), 0);
	assert_int_equal(v.type, CSLA_JT_STRING);
	n = csla_json_unescape(v.p, v.len, out);
	assert_int_equal(n, 8);
	assert_memory_equal(out, "a\xc3\xa9\xf0\x9f\x98\x80\n", 8);
	assert_int_equal(csla_json_unescape("\\ud83d", 6, out), (size_t)-1);
	assert_int_equal(csla_json_unescape("\\x", 2, out), (size_t)-1);
	assert_int_equal(csla_json_unescape("\\u12", 4, out), (size_t)-1);
}

static void test_json_write(void **state)
{
	csla_buf_t b = { 0 };
	(void)state;

	/* a " b \ c U+0001 newline tab e-acute: the short escapes where
	 * JSON has them, \u00XX for other controls, UTF-8 as is */
	csla_json_str(&b, "a\"b\\c\x01\n\t\xc3\xa9", 10);
	csla_json_num(&b, 0.25);
	csla_json_num(&b, NAN);
	csla_json_num(&b, 95);
	assert_buf(&b, "\"a\\\"b\\\\c\\u0001\\n\\t\xc3\xa9\"0.25null95");
	csla_buf_printf(&b, "%s-%d", "x", 42);
	assert_buf(&b, "x-42");
	csla_buf_free(&b);
}

static void test_snaprow(void **state)
{
	csla_snaprow_t r[3];
	static const char row[] =
		"{\"tenant\":\"t\",\"as_of\":\"2026-11-25T10:15:00.000Z\"}";
	(void)state;

	/* The id may hold '|'; scope and window may not be empty. */
	assert_int_equal(csla_snaprow_split("queue|5m|a|b", 12, &r[0]), 0);
	assert_memory_equal(r[0].scope.p, "queue", r[0].scope.n);
	assert_int_equal(r[0].window.n, 2);
	assert_int_equal(r[0].id.n, 3);
	assert_memory_equal(r[0].id.p, "a|b", 3);
	assert_int_equal(csla_snaprow_split("|5m|a", 5, &r[1]), -1);
	assert_int_equal(csla_snaprow_split("queue||a", 8, &r[1]), -1);
	assert_int_equal(csla_snaprow_split("queue", 5, &r[1]), -1);
	/* Order: scope, then id, then window; a prefix sorts first. */
	assert_int_equal(csla_snaprow_split("queue|5m|a", 10, &r[1]), 0);
	assert_int_equal(csla_snaprow_split("queue|15m|a", 11, &r[2]), 0);
	assert_true(csla_snaprow_cmp(&r[1], &r[0]) < 0);  /* a < a|b */
	assert_true(csla_snaprow_cmp(&r[2], &r[1]) < 0);  /* 15m < 5m */
	/* {"tenant":"t", is 14 bytes and "as_of":" 9 more. */
	assert_int_equal(csla_snaprow_as_of(row, strlen(row)), 23);
	assert_int_equal(csla_snaprow_as_of(row, 40), -1);
}

static void test_series_member(void **state)
{
	static const char m[] = "1764065700000 1764065745123 3,2,,0.5";
	int64_t minute;
	csla_bytes_t v;
	csla_buf_t k = { 0 };
	(void)state;

	assert_int_equal(csla_series_member(m, strlen(m), 0, &minute, &v), 0);
	assert_int_equal(minute, 1764065700000LL);
	assert_int_equal(v.n, 1);
	assert_memory_equal(v.p, "3", 1);
	assert_int_equal(csla_series_member(m, strlen(m), 2, &minute, &v), 0);
	assert_int_equal(v.n, 0); /* null */
	assert_int_equal(csla_series_member(m, strlen(m), 3, &minute, &v), 0);
	assert_memory_equal(v.p, "0.5", 3);
	assert_int_equal(csla_series_member(m, strlen(m), 4, &minute, &v), -1);
	assert_int_equal(csla_series_member("x 1 2", 5, 0, &minute, &v), -1);
	assert_int_equal(csla_series_field("offered"), 0);
	assert_int_equal(csla_series_field("staffed"),
			 (int)CSLA_SERIES_NFIELDS - 1);
	assert_int_equal(csla_series_field("agents"), -1);
	/* Tenant "a|b" and id "c" against tenant "a" and id "b|c": the
	 * length keeps the keys apart. */
	csla_series_key(&k, "P:", (csla_bytes_t){ "a|b", 3 },
			(csla_bytes_t){ "queue", 5 }, (csla_bytes_t){ "5m", 2 },
			(csla_bytes_t){ "c", 1 });
	assert_buf(&k, "P:series:3:a|b|queue|5m|c");
	csla_buf_free(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_family_and_samples),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_json_member),
		cmocka_unit_test(test_json_write),
		cmocka_unit_test(test_snaprow),
		cmocka_unit_test(test_series_member),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
