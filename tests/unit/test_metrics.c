/* test_metrics.c - the spec's formulas (section 2) on hand-made sums. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "callsla/metrics.h"

#define assert_near(got, want)                                               \
	do {                                                                 \
		double g_ = (got), w_ = (want);                              \
		if (!(fabs(g_ - w_) < 1e-12)) {                              \
			print_error("%s = %.17g, expected %.17g\n", #got, g_,  \
				    w_);                                     \
			fail();                                              \
		}                                                            \
	} while (0)

#define assert_nan(got) assert_true(isnan(got))

static const csla_queue_conf_t defaults = {
	.sl_ms = 20000, .answer_rings = 3, .ring_cycle_ms = 5000,
	.short_abandon_ms = 5000, .sl_mode = CSLA_SL_NEGATIVE,
};

/* A = 10 (A_T 7, A_R 6), B = 4 (B_T 2), F = 3, 5 short abandons. */
static csla_agg_t sample(void)
{
	csla_agg_t a;

	csla_agg_init(&a);
	a.answered = 10;
	a.answered_in_sl = 7;
	a.answered_in_rings = 6;
	a.abandoned = 4;
	a.abandoned_in_sl = 2;
	a.flowout = 3;
	a.short_abandoned = 5;
	a.wait_answered_ms = 94000;
	a.max_wait_ms = 61000;
	a.handled = 8;
	a.handle_ms = 1700000;
	return a;
}

static void test_agg_init(void **state)
{
	(void)state;
	csla_agg_t a;

	memset(&a, 0x5a, sizeof a);
	csla_agg_init(&a);
	assert_int_equal(a.max_wait_ms, -1);
	assert_int_equal(a.answered + a.answered_in_sl + a.answered_in_rings +
				 a.abandoned + a.abandoned_in_sl +
				 a.short_abandoned + a.flowout +
				 a.wait_answered_ms + a.handled + a.handle_ms +
				 a.ring_in_rings + a.rona,
			 0);
	for (int s = 0; s < CSLA_AS_COUNT; s++)
		assert_int_equal(a.state_ms[s], 0);
}

static void test_agg_add(void **state)
{
	(void)state;
	csla_agg_t sum, x = sample(), empty;

	csla_agg_init(&sum);
	csla_agg_init(&empty);
	x.ring_in_rings = 4;
	x.rona = 1;
	x.state_ms[CSLA_AS_TALKING] = 1000;
	x.state_ms[CSLA_AS_LOGGED_OUT] = 7;

	csla_agg_add(&sum, &x);
	csla_agg_add(&sum, &empty); /* -1 does not lower the max */
	x.max_wait_ms = 30000;
	csla_agg_add(&sum, &x);     /* nor does a smaller one */

	assert_int_equal(sum.answered, 20);
	assert_int_equal(sum.answered_in_sl, 14);
	assert_int_equal(sum.answered_in_rings, 12);
	assert_int_equal(sum.abandoned, 8);
	assert_int_equal(sum.abandoned_in_sl, 4);
	assert_int_equal(sum.short_abandoned, 10);
	assert_int_equal(sum.flowout, 6);
	assert_int_equal(sum.wait_answered_ms, 188000);
	assert_int_equal(sum.max_wait_ms, 61000);
	assert_int_equal(sum.handled, 16);
	assert_int_equal(sum.handle_ms, 3400000);
	assert_int_equal(sum.ring_in_rings, 8);
	assert_int_equal(sum.rona, 2);
	assert_int_equal(sum.state_ms[CSLA_AS_TALKING], 2000);
	assert_int_equal(sum.state_ms[CSLA_AS_LOGGED_OUT], 14);

	/* The first outcome of a window raises -1 to its wait, even 0. */
	csla_agg_init(&sum);
	x.max_wait_ms = 0;
	csla_agg_add(&sum, &x);
	assert_int_equal(sum.max_wait_ms, 0);
}

static void test_offered(void **state)
{
	(void)state;
	csla_agg_t a = sample();

	/* A + B + F + short = 10 + 4 + 3 + 5 */
	assert_int_equal(csla_metric_offered(&a), 22);
}

static void test_service_level_modes(void **state)
{
	(void)state;
	csla_agg_t a = sample();
	csla_queue_conf_t q = defaults;

	/* negative: A_T / (A + B) = 7 / 14; with F: 7 / 17 */
	assert_near(csla_metric_service_level(&a, &q), 0.5);
	q.sl_flowout = true;
	assert_near(csla_metric_service_level(&a, &q), 7.0 / 17.0);

	/* ignore: A_T / (A + B - B_T) = 7 / 12; with F: 7 / 15 */
	q.sl_mode = CSLA_SL_IGNORE;
	q.sl_flowout = false;
	assert_near(csla_metric_service_level(&a, &q), 7.0 / 12.0);
	q.sl_flowout = true;
	assert_near(csla_metric_service_level(&a, &q), 7.0 / 15.0);

	/* positive: (A_T + B_T) / (A + B) = 9 / 14; with F: 9 / 17 */
	q.sl_mode = CSLA_SL_POSITIVE;
	q.sl_flowout = false;
	assert_near(csla_metric_service_level(&a, &q), 9.0 / 14.0);
	q.sl_flowout = true;
	assert_near(csla_metric_service_level(&a, &q), 9.0 / 17.0);
}

static void test_ratios_and_seconds(void **state)
{
	(void)state;
	csla_agg_t a = sample();

	assert_near(csla_metric_three_ring_rate(&a), 6.0 / 14.0);
	/* B / (A + B + F): short abandons are in none of the ratios */
	assert_near(csla_metric_abandon_rate(&a), 4.0 / 17.0);
	/* 94000 ms over 10 answered */
	assert_near(csla_metric_asa_s(&a), 9.4);
	assert_near(csla_metric_max_wait_s(&a), 61.0);
	/* 1700000 ms over 8 handled */
	assert_near(csla_metric_aht_s(&a), 212.5);
}

static void test_state_time(void **state)
{
	(void)state;
	csla_agg_t a;

	csla_agg_init(&a);
	a.state_ms[CSLA_AS_ALERTING] = 10000;
	a.state_ms[CSLA_AS_TALKING] = 500000;
	a.state_ms[CSLA_AS_HOLD] = 40000;
	a.state_ms[CSLA_AS_ACW] = 50000;
	a.state_ms[CSLA_AS_AVAILABLE] = 150000;
	a.state_ms[CSLA_AS_NOT_READY] = 250000;
	a.state_ms[CSLA_AS_LOGGED_OUT] = 9999999; /* in neither */

	/* busy 600000; occupancy 600000 / 750000; utilization / 1000000 */
	assert_near(csla_metric_occupancy(&a), 0.8);
	assert_near(csla_metric_utilization(&a), 0.6);
}

static void test_zero_denominators(void **state)
{
	(void)state;
	csla_agg_t a;
	csla_queue_conf_t q = defaults;

	csla_agg_init(&a);
	assert_int_equal(csla_metric_offered(&a), 0);
	assert_nan(csla_metric_service_level(&a, &q));
	assert_nan(csla_metric_three_ring_rate(&a));
	assert_nan(csla_metric_abandon_rate(&a));
	assert_nan(csla_metric_asa_s(&a));
	assert_nan(csla_metric_max_wait_s(&a));
	assert_nan(csla_metric_aht_s(&a));
	assert_nan(csla_metric_occupancy(&a));
	assert_nan(csla_metric_utilization(&a));

	/* Only short abandons: still nothing to divide by. */
	a.short_abandoned = 3;
	a.max_wait_ms = 4000;
	assert_int_equal(csla_metric_offered(&a), 3);
	assert_nan(csla_metric_service_level(&a, &q));
	assert_nan(csla_metric_abandon_rate(&a));
	assert_near(csla_metric_max_wait_s(&a), 4.0);

	/* Only flow-outs: abandon rate 0 / 2; SL null unless F counts. */
	a.flowout = 2;
	assert_near(csla_metric_abandon_rate(&a), 0.0);
	assert_nan(csla_metric_service_level(&a, &q));
	q.sl_flowout = true;
	assert_near(csla_metric_service_level(&a, &q), 0.0);

	/* ignore mode when every abandon was within T and nothing answered:
	 * A + B - B_T = 0. */
	csla_agg_init(&a);
	a.abandoned = 2;
	a.abandoned_in_sl = 2;
	q.sl_mode = CSLA_SL_IGNORE;
	q.sl_flowout = false;
	assert_nan(csla_metric_service_level(&a, &q));
	assert_near(csla_metric_three_ring_rate(&a), 0.0);
	assert_near(csla_metric_abandon_rate(&a), 1.0);
	assert_nan(csla_metric_asa_s(&a));

	/* Only not-ready time: occupancy null, utilization 0. */
	a.state_ms[CSLA_AS_NOT_READY] = 60000;
	assert_nan(csla_metric_occupancy(&a));
	assert_near(csla_metric_utilization(&a), 0.0);
	/* Only logged-out time: both null. */
	a.state_ms[CSLA_AS_NOT_READY] = 0;
	a.state_ms[CSLA_AS_LOGGED_OUT] = 60000;
	assert_nan(csla_metric_utilization(&a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agg_init),
		cmocka_unit_test(test_agg_add),
		cmocka_unit_test(test_offered),
		cmocka_unit_test(test_service_level_modes),
		cmocka_unit_test(test_ratios_and_seconds),
		cmocka_unit_test(test_state_time),
		cmocka_unit_test(test_zero_denominators),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
