/* test_sim_truth.c - the simulator's ground-truth tallies: local wall time
 * to UTC across DST, days split at local midnight (a 23-hour day), the
 * classification thresholds at their edges, and the file format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim_truth.h"

/* Epoch ms and day numbers worked out independently (Python's datetime). */
#define DAY_2026_03_07 20519
#define DAY_2026_03_08 20520
#define DAY_2026_11_01 20758
#define T_0307_0500Z 1772859600000LL
#define T_0308_0300Z 1772938800000LL
#define T_0308_0500Z 1772946000000LL
#define T_0308_0630Z 1772951400000LL
#define T_0308_0700Z 1772953200000LL
#define T_0308_1200Z 1772971200000LL
#define T_0309_0400Z 1773028800000LL
#define T_1101_0530Z 1793511000000LL
#define DAY_MS 86400000LL
#define HOUR_MS 3600000LL

static csla_tz_t *ny(void)
{
	char err[256];
	csla_tz_t *tz = csla_tz_load("America/New_York", err, sizeof err);

	if (!tz)
		fail_msg("%s", err);
	return tz;
}

static void local_to_utc_across_dst(void **state)
{
	csla_tz_t *tz = ny();
	(void)state;

	/* 2026-03-08: EST (-5) until 02:00, then EDT (-4). */
	assert_int_equal(csla_local_to_utc(tz, DAY_2026_03_08 * DAY_MS + 8 * HOUR_MS),
			 T_0308_1200Z);
	assert_int_equal(csla_local_to_utc(tz, DAY_2026_03_08 * DAY_MS + 90 * 60000),
			 T_0308_0630Z);
	/* 02:30 does not exist: the instant the clocks jump, 07:00Z. */
	assert_int_equal(csla_local_to_utc(tz, DAY_2026_03_08 * DAY_MS + 150 * 60000),
			 T_0308_0700Z);
	/* 2026-11-01 01:30 happens twice: the first, in EDT, is 05:30Z. */
	assert_int_equal(csla_local_to_utc(tz, DAY_2026_11_01 * DAY_MS + 90 * 60000),
			 T_1101_0530Z);
	csla_tz_destroy(tz);
}

static const char *const queues[] = { "sales", "support" };

static void days_split_at_local_midnight(void **state)
{
	csla_tz_t *tz = ny();
	csla_truth_t tr;
	(void)state;

	csla_truth_init(&tr, 1);
	csla_truth_tenant(&tr, 0, "t3", tz, queues, 2, DAY_2026_03_07, 2);
	assert_int_equal(tr.t[0].ndays, 2);
	assert_int_equal(tr.t[0].days[0].start_ms, T_0307_0500Z);
	assert_int_equal(tr.t[0].days[0].end_ms, T_0308_0500Z);
	/* The spring-forward day is 23 hours long. */
	assert_int_equal(tr.t[0].days[1].start_ms, T_0308_0500Z);
	assert_int_equal(tr.t[0].days[1].end_ms, T_0309_0400Z);

	/* 22:00 EST on the 7th to 01:00 EST on the 8th. */
	csla_truth_state(&tr, 0, CSLA_AS_AVAILABLE, T_0308_0300Z,
			 T_0308_0300Z + 3 * HOUR_MS);
	assert_int_equal(tr.t[0].days[0].state_ms[CSLA_AS_AVAILABLE], 2 * HOUR_MS);
	assert_int_equal(tr.t[0].days[1].state_ms[CSLA_AS_AVAILABLE], HOUR_MS);
	/* A whole 23-hour day and a bit of the next, in one interval. */
	csla_truth_state(&tr, 0, CSLA_AS_LOGGED_OUT, T_0308_0500Z,
			 T_0309_0400Z + 1000);
	assert_int_equal(tr.t[0].days[1].state_ms[CSLA_AS_LOGGED_OUT], 23 * HOUR_MS);
	assert_int_equal(tr.t[0].ndays, 3);
	assert_int_equal(tr.t[0].days[2].state_ms[CSLA_AS_LOGGED_OUT], 1000);
	/* The last millisecond of a day and the first of the next. */
	csla_truth_outcome(&tr, 0, 1, CSLA_OUT_ANSWERED, T_0308_0500Z - 1, 1);
	csla_truth_outcome(&tr, 0, 1, CSLA_OUT_ANSWERED, T_0308_0500Z, 1);
	assert_int_equal(tr.t[0].days[0].queue[1].answered, 1);
	assert_int_equal(tr.t[0].days[1].queue[1].answered, 1);
	assert_int_equal(tr.t[0].days[0].queue[0].answered, 0);
	/* Something before the first day re-bases the days. */
	csla_truth_outcome(&tr, 0, 0, CSLA_OUT_FLOWOUT, T_0307_0500Z - 1, 90000);
	assert_int_equal(tr.t[0].first_day, DAY_2026_03_07 - 1);
	assert_int_equal(tr.t[0].ndays, 4);
	assert_int_equal(tr.t[0].days[0].queue[0].flowout, 1);
	assert_int_equal(tr.t[0].days[0].end_ms, T_0307_0500Z);
	assert_int_equal(tr.t[0].days[1].queue[1].answered, 1);
	csla_truth_free(&tr);
	csla_tz_destroy(tz);
}

static void thresholds_at_their_edges(void **state)
{
	csla_tz_t *tz = csla_tz_utc();
	csla_truth_t tr;
	int64_t at = DAY_2026_03_08 * DAY_MS + 10 * HOUR_MS;
	(void)state;

	csla_truth_init(&tr, 1);
	csla_truth_tenant(&tr, 0, "default", tz, queues, 1, DAY_2026_03_08, 1);
	csla_truth_outcome(&tr, 0, 0, CSLA_OUT_ANSWERED, at, 15000);
	csla_truth_outcome(&tr, 0, 0, CSLA_OUT_ANSWERED, at, 15001);
	csla_truth_outcome(&tr, 0, 0, CSLA_OUT_ANSWERED, at, 20000);
	csla_truth_outcome(&tr, 0, 0, CSLA_OUT_ANSWERED, at, 20001);
	csla_truth_outcome(&tr, 0, 0, CSLA_OUT_ABANDONED, at, 4999);
	csla_truth_outcome(&tr, 0, 0, CSLA_OUT_ABANDONED, at, 5000);
	csla_truth_outcome(&tr, 0, 0, CSLA_OUT_ABANDONED, at, 0);
	csla_truth_outcome(&tr, 0, 0, CSLA_OUT_FLOWOUT, at, 90000);
	const csla_truth_counts_t *c = &csla_truth_day(&tr, 0, at)->queue[0];
	assert_int_equal(c->offered, 8);
	assert_int_equal(c->answered, 4);
	assert_int_equal(c->answered_in_rings, 1);
	assert_int_equal(c->answered_in_sl, 3);
	assert_int_equal(c->abandoned, 1);
	assert_int_equal(c->short_abandoned, 2);
	assert_int_equal(c->flowout, 1);
	csla_truth_free(&tr);
	csla_tz_destroy(tz);
}

static void file_format(void **state)
{
	csla_tz_t *tz = csla_tz_utc();
	csla_truth_t tr;
	int64_t day0 = DAY_2026_03_08 * DAY_MS;
	char *text = NULL;
	size_t len = 0;
	(void)state;

	csla_truth_init(&tr, 1);
	csla_truth_tenant(&tr, 0, "default", tz, queues, 2, DAY_2026_03_08, 1);
	csla_truth_outcome(&tr, 0, 1, CSLA_OUT_ANSWERED, day0 + HOUR_MS, 12000);
	csla_truth_outcome(&tr, 0, 1, CSLA_OUT_ABANDONED, day0 + HOUR_MS, 7000);
	csla_truth_state(&tr, 0, CSLA_AS_TALKING, day0 + HOUR_MS, day0 + 2 * HOUR_MS);
	csla_truth_state(&tr, 0, CSLA_AS_LOGGED_OUT, day0 + 2 * HOUR_MS,
			 day0 + DAY_MS);
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(csla_truth_write(&tr, f), 0);
	fclose(f);
	assert_string_equal(text,
		"{\"tenant\":\"default\",\"day\":\"2026-03-08\",\"queue\":\"sales\","
		"\"offered\":0,\"answered\":0,\"abandoned\":0,\"short_abandoned\":0,"
		"\"flowout\":0,\"answered_in_sl\":0,\"answered_in_rings\":0}\n"
		"{\"tenant\":\"default\",\"day\":\"2026-03-08\",\"queue\":\"support\","
		"\"offered\":2,\"answered\":1,\"abandoned\":1,\"short_abandoned\":0,"
		"\"flowout\":0,\"answered_in_sl\":1,\"answered_in_rings\":1}\n"
		"{\"tenant\":\"default\",\"day\":\"2026-03-08\",\"zone\":\"UTC\","
		"\"start\":\"2026-03-08T00:00:00.000Z\","
		"\"end\":\"2026-03-09T00:00:00.000Z\",\"agent_state_ms\":{"
		"\"logged_out\":79200000,\"available\":0,\"not_ready\":0,"
		"\"alerting\":0,\"talking\":3600000,\"hold\":0,\"acw\":0}}\n");
	free(text);
	csla_truth_free(&tr);
	csla_tz_destroy(tz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(local_to_utc_across_dst),
		cmocka_unit_test(days_split_at_local_midnight),
		cmocka_unit_test(thresholds_at_their_edges),
		cmocka_unit_test(file_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
