/* test_idset.c - the event id set: an id is found while its generation or
 * the next one is current and never after, whatever the table's growth,
 * sweeps, overflowing buckets and the reuse of dropped slots (without a
 * sweep).  The expected
 * membership follows from the rule in idset.h alone: ids added in
 * generation g are found in generations g and g + 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "idset.h"

/* Distinct keys per generation: g in the high half, i in the low. */
static uint64_t key(uint32_t g, uint32_t i)
{
	return (uint64_t)(g + 1) << 32 | (i * 2654435761u);
}

/* Ends the current generation (the retention is 1 ms of clock). */
static void rotate(csla_idset_t *s, int64_t *now)
{
	*now += 1;
	csla_idset_age(s, *now, 1);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static void test_two_generations(void **state)
{
	(void)state;
	csla_idset_t s;
	int64_t now = 0;
	csla_idset_init(&s);
	csla_idset_age(&s, now, 1); /* starts the clock */
	for (uint32_t i = 0; i < 1000; i++)
		csla_idset_add(&s, key(0, i));
	assert_int_equal(csla_idset_count(&s), 1000);
	assert_true(csla_idset_has(&s, key(0, 999)));
	assert_false(csla_idset_has(&s, key(1, 0)));

	rotate(&s, &now); /* 0 is old: still found */
	for (uint32_t i = 0; i < 500; i++)
		csla_idset_add(&s, key(1, i));
	assert_int_equal(csla_idset_count(&s), 1500);
	for (uint32_t i = 0; i < 1000; i++)
		assert_true(csla_idset_has(&s, key(0, i)));

	rotate(&s, &now); /* 0 dropped, 1 old */
	assert_int_equal(csla_idset_count(&s), 500);
	for (uint32_t i = 0; i < 1000; i++)
		assert_false(csla_idset_has(&s, key(0, i)));
	for (uint32_t i = 0; i < 500; i++)
		assert_true(csla_idset_has(&s, key(1, i)));

	/* Not yet a whole retention period: no rotation. */
	csla_idset_age(&s, now, 1);
	assert_int_equal(csla_idset_count(&s), 500);
	csla_idset_free(&s);
}

/* The hash 0 is kept as 1, as it always was. */
static void test_zero_is_one(void **state)
{
	(void)state;
	csla_idset_t s;
	csla_idset_init(&s);
	csla_idset_add(&s, 0);
	assert_true(csla_idset_has(&s, 1));
	assert_true(csla_idset_has(&s, 0));
	assert_false(csla_idset_has(&s, 2));
	csla_idset_free(&s);
}

/* Keys with equal low bits share a home bucket at any size the table
 * reaches here, so they overflow into the buckets after it: lookups must
 * go on past full buckets while the overflowing generation lives, and the
 * slots its keys leave are taken again by later ones. */
static void test_overflow_chains(void **state)
{
	(void)state;
	csla_idset_t s;
	int64_t now = 0;
	csla_idset_init(&s);
	csla_idset_age(&s, now, 1);
	for (uint32_t g = 0; g < 20; g++) {
		for (uint64_t i = 1; i <= 30; i++)
			csla_idset_add(&s, (uint64_t)(g * 100 + i) << 40 | 5);
		for (uint32_t h = 0; h <= g; h++)
			for (uint64_t i = 1; i <= 30; i++)
				assert_int_equal(
					csla_idset_has(&s, (uint64_t)(h * 100 + i)
								   << 40 |
							       5),
					h + 1 >= g);
		assert_int_equal(csla_idset_count(&s), g ? 60 : 30);
		rotate(&s, &now);
	}
	csla_idset_free(&s);
}

/* More generations than there are tags (255), with enough keys that the
 * table grows, sweeps and reuses slots: nothing from two generations
 * back is ever found again. */
static void test_many_generations(void **state)
{
	(void)state;
	csla_idset_t s;
	int64_t now = 0;
	csla_idset_init(&s);
	csla_idset_age(&s, now, 1);
	const uint32_t gens = 600, per = 700;
	for (uint32_t g = 0; g < gens; g++) {
		uint32_t n = per + (g % 7) * 300; /* sizes vary */
		for (uint32_t i = 0; i < n; i++)
			csla_idset_add(&s, key(g, i));
		/* This generation and the one before: found. */
		assert_true(csla_idset_has(&s, key(g, 0)));
		assert_true(csla_idset_has(&s, key(g, n - 1)));
		if (g > 0)
			assert_true(csla_idset_has(&s, key(g - 1, per - 1)));
		/* Older ones, among them those whose tag came round again. */
		static const uint32_t back[] = { 2, 3, 254, 255, 256, 510 };
		for (size_t b = 0; b < sizeof back / sizeof back[0]; b++)
			for (uint32_t i = 0; g >= back[b] && i < per; i += 97)
				assert_false(
					csla_idset_has(&s, key(g - back[b], i)));
		rotate(&s, &now);
	}
	csla_idset_free(&s);
}

/* A full generation, then hundreds of nearly empty ones: its slots are
 * neither reused nor crowded out, and its tag comes round again after 255
 * generations. */
static void test_tags_come_round(void **state)
{
	(void)state;
	csla_idset_t s;
	int64_t now = 0;
	csla_idset_init(&s);
	csla_idset_age(&s, now, 1);
	for (uint32_t i = 0; i < 5000; i++)
		csla_idset_add(&s, key(0, i));
	for (uint32_t g = 1; g <= 600; g++) {
		rotate(&s, &now);
		csla_idset_add(&s, key(g, 0));
		for (uint32_t i = 0; g >= 2 && i < 5000; i += 7)
			assert_false(csla_idset_has(&s, key(0, i)));
		assert_int_equal(csla_idset_count(&s), g == 1 ? 5001 : 2);
	}
	csla_idset_free(&s);
}

/* A steady rate: 10,000 ids a generation, so at most 20,000 live.  Half of
 * 4,096 buckets of 7 is 14,336, of 8,192 it is 28,672: the table settles
 * at 8,192 buckets and stays there for 300 generations, though nothing
 * sweeps the dropped slots (only every 128 generations), because inserts
 * take them as free. */
static void test_steady_rate(void **state)
{
	(void)state;
	csla_idset_t s;
	int64_t now = 0;
	csla_idset_init(&s);
	csla_idset_age(&s, now, 1);
	const uint32_t per = 10000;
	for (uint32_t g = 0; g < 300; g++) {
		for (uint32_t i = 0; i < per; i++)
			csla_idset_add(&s, key(g, i));
		if (g >= 1)
			assert_int_equal(s.mask + 1, 8192);
		for (uint32_t i = 0; i < per; i += 101) {
			assert_true(csla_idset_has(&s, key(g, i)));
			if (g >= 1)
				assert_true(csla_idset_has(&s, key(g - 1, i)));
			if (g >= 2)
				assert_false(csla_idset_has(&s, key(g - 2, i)));
		}
		rotate(&s, &now);
	}
	csla_idset_free(&s);
}

/* Room made ahead, as a checkpoint's load does: a table at most half full
 * of 7-slot buckets for 100,000 ids has 32,768 buckets (16,384 hold only
 * 57,344 at half), and adding them does not grow it. */
static void test_reserve(void **state)
{
	(void)state;
	csla_idset_t s;
	csla_idset_init(&s);
	csla_idset_add(&s, key(0, 0));
	csla_idset_reserve(&s, 100000);
	assert_int_equal(s.mask + 1, 32768);
	assert_true(csla_idset_has(&s, key(0, 0)));
	for (uint32_t i = 1; i < 100000; i++)
		csla_idset_add(&s, key(0, i));
	assert_int_equal(s.mask + 1, 32768);
	assert_int_equal(csla_idset_count(&s), 100000);
	for (uint32_t i = 0; i < 100000; i += 13)
		assert_true(csla_idset_has(&s, key(0, i)));
	csla_idset_free(&s);
}

/* The generations' keys, as a checkpoint saves them. */
static void test_keys(void **state)
{
	(void)state;
	csla_idset_t s;
	int64_t now = 0;
	csla_idset_init(&s);
	csla_idset_age(&s, now, 1);
	for (uint32_t i = 0; i < 3000; i++)
		csla_idset_add(&s, key(0, i));
	rotate(&s, &now);
	for (uint32_t i = 0; i < 2000; i++)
		csla_idset_add(&s, key(1, i));
	for (int old = 0; old <= 1; old++) {
		uint32_t n, want = old ? 3000 : 2000;
		uint64_t *k = csla_idset_keys(&s, old, &n);
		uint64_t *w = malloc(want * sizeof *w);
		assert_non_null(w);
		for (uint32_t i = 0; i < want; i++)
			w[i] = key(old ? 0 : 1, i);
		assert_int_equal(n, want);
		qsort(k, n, sizeof *k, cmp_u64);
		qsort(w, n, sizeof *w, cmp_u64);
		for (uint32_t i = 0; i < n; i++)
			assert_int_equal(k[i], w[i]);
		free(w);
		free(k);
	}
	csla_idset_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_generations),
		cmocka_unit_test(test_zero_is_one),
		cmocka_unit_test(test_overflow_chains),
		cmocka_unit_test(test_many_generations),
		cmocka_unit_test(test_tags_come_round),
		cmocka_unit_test(test_steady_rate),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
