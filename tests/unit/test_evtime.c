/* test_evtime.c - csla_evtime_peek(): the merge's event time agrees with
 * the decoder on every accepted message, and skims past what it must. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "callsla/decode.h"
#include "corpus.h"
#include "evtime.h"

static int64_t peek(const char *s)
{
	return csla_evtime_peek(s, strlen(s));
}

/* 2026-11-25T10:00:00.123Z = 1795600800123: 20782 days (20454 to
 * 2026-01-01, 328 more) * 86400000 + 10 h * 3600000 + 123. */
static void test_forms(void **state)
{
	(void)state;
	assert_int_equal(peek("{\"v\":1,\"type\":\"call\","
			      "\"ts\":\"2026-11-25T10:00:00.123Z\"}"),
			 1795600800123LL);
	/* +02:00 is two hours earlier in UTC. */
	assert_int_equal(peek("{\"ts\":\"2026-11-25T12:00:00.123+02:00\"}"),
			 1795600800123LL);
	assert_int_equal(peek(" { \"ts\" : 1795600800123 , \"type\":\"agent\" } "),
			 1795600800123LL);
	/* A CDR's time is ended_at, whatever its ts says and wherever the
	 * type comes. */
	assert_int_equal(peek("{\"ts\":5,\"ended_at\":1795600800123,"
			      "\"type\":\"cdr\"}"),
			 1795600800123LL);
	assert_int_equal(peek("{\"type\":\"call\",\"ended_at\":7,\"ts\":9}"),
			 9);
	/* The last of duplicate keys, as the decoder. */
	assert_int_equal(peek("{\"ts\":1,\"ts\":2}"), 2);
}

/* Values of every kind are skipped, keys inside them are not keys. */
static void test_skips(void **state)
{
	(void)state;
	assert_int_equal(peek("{\"x\":{\"ts\":1,\"y\":[{\"ts\":2},\"]}\"]},"
			      "\"s\":\"a\\\"ts\\\":3\",\"n\":-1.5e3,"
			      "\"b\":true,\"z\":null,\"ts\":4}"),
			 4);
	assert_int_equal(peek("{\"queues\":[],\"ts\":11}"), 11);
}

static void test_none(void **state)
{
	(void)state;
	const char *cases[] = {
		"", "[]", "\"ts\"", "{}", "{\"ts\":\"yesterday\"}",
		"{\"ts\":1.5}", "{\"ts\":true}", "{\"ts\":99999999999999999999}",
		"{\"type\":\"cdr\",\"ts\":1}", /* a CDR without ended_at */
		"{\"ts\"", "{\"ts\":", "{\"a\":\"\\", "{\"a\":[1,2",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(peek(cases[i]), INT64_MIN);
	/* What comes before a break in the syntax still counts. */
	assert_int_equal(peek("{\"ts\":3,\"a\""), 3);
}

struct agree {
	csla_decoder_t *dec;
	int n;
};

static void agree_one(void *opaque, const char *name, const char *buf,
		      size_t len)
{
	struct agree *a = opaque;
	csla_event_t ev;
	(void)name;
	assert_int_equal(csla_decode(a->dec, buf, len, &ev, NULL, 0), CSLA_OK);
	assert_int_equal(csla_evtime_peek(buf, len), ev.ts_ms);
	a->n++;
}

/* Every accepted message of the corpus: the peek is the decoder's time. */
static void test_agrees_with_decoder(void **state)
{
	(void)state;
	struct agree a = { csla_decoder_new(65536), 0 };
	assert_true(corpus_each("valid", agree_one, &a) > 0);
	assert_true(a.n > 0);
	csla_decoder_destroy(a.dec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_skips),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_agrees_with_decoder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
