/* test_decode_jansson.c - differential test of the decoder's JSON layer
 * against jansson 2.14, whose behaviour it promises to match:
 * csla_decode() says malformed_json exactly when
 * json_loadb(JSON_DECODE_ANY | JSON_ALLOW_NUL) fails, not_object exactly
 * when jansson returns something else than an object, and strings it
 * accepts unescape to the same bytes as jansson's.
 *
 * Inputs: every corpus file, events written by csla_event_json() (whose
 * field order the decoder's fast path expects), hand-picked edge cases, and
 * some forty thousand deterministic mutants (xorshift PRNG with a fixed
 * seed: byte flips, truncations, deletions, insertions of tricky bytes,
 * escapes and numbers) of all of them and of randomly generated JSON
 * documents.  Each input is decoded from a buffer of its exact length, so
 * that ASan catches a read past its end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "callsla/decode.h"
#include "callsla/event_json.h"
#include "corpus.h"

#define INPUT_MAX 8192
#define MUTANTS_PER_SEED 150
#define GENERATED_DOCS 3000

static csla_decoder_t *dec;
static uint64_t rng = 0x2545f4914f6cdd1dULL;
static int mismatches;
static long compared;

/* Seeds for mutation, copied out of the corpus and the generator. */
static char *seeds[256];
static size_t seed_len[256];
static size_t nseeds;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void show(const char *buf, size_t len)
{
	fprintf(stderr, "  input (%zu bytes): \"", len);
	for (size_t i = 0; i < len && i < 300; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fprintf(stderr, "%s\"\n", len > 300 ? "..." : "");
}

/* Decoded identifiers must equal jansson's unescaped strings. */
static int same_strings(const csla_event_t *ev, json_t *o)
{
	static const char *const keys[] = { "tenant", "id", "call_id", "queue",
		"agent_id", "team", "reason" };
	const csla_str_t *vals[] = { &ev->tenant, &ev->id, &ev->call_id,
		&ev->queue, &ev->agent_id, &ev->team, &ev->reason };

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		json_t *v = json_object_get(o, keys[i]);
		if (!json_is_string(v) || vals[i]->len == 0)
			continue;
		if (json_string_length(v) != vals[i]->len ||
		    memcmp(json_string_value(v), vals[i]->p, vals[i]->len)) {
			fprintf(stderr, "field \"%s\" differs from jansson's\n",
				keys[i]);
			return 0;
		}
	}
	return 1;
}

static void compare(const char *buf, size_t len)
{
	json_error_t jerr;
	json_t *j = json_loadb(buf, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	csla_event_t ev;
	char err[256] = "", *copy = malloc(len ? len : 1);
	csla_reject_t r;
	int ok;

	assert_non_null(copy);
	memcpy(copy, buf, len);
	r = csla_decode(dec, copy, len, &ev, err, sizeof err);

	compared++;
	if (!j)
		ok = r == CSLA_REJ_MALFORMED_JSON;
	else if (!json_is_object(j))
		ok = r == CSLA_REJ_NOT_OBJECT;
	else
		ok = r != CSLA_REJ_MALFORMED_JSON && r != CSLA_REJ_NOT_OBJECT &&
		     (r != CSLA_OK || same_strings(&ev, j));
	if (!ok && mismatches++ < 10) {
		fprintf(stderr, "mismatch: jansson %s, callsla %s (%s)\n",
			j ? "parsed it" : jerr.text, csla_reject_name(r), err);
		show(buf, len);
	}
	json_decref(j);
	free(copy);
}

static void add_seed(const char *buf, size_t len)
{
	if (nseeds == sizeof seeds / sizeof seeds[0] || len > INPUT_MAX / 2)
		return;
	seeds[nseeds] = malloc(len ? len : 1);
	memcpy(seeds[nseeds], buf, len);
	seed_len[nseeds++] = len;
}

static void on_corpus_file(void *opaque, const char *name, const char *buf,
			   size_t len)
{
	(void)opaque;
	(void)name;
	compare(buf, len);
	add_seed(buf, len);
}

/* ---- a random JSON generator, biased toward edge cases ---- */

static const char *const tricky[] = {
	"\\u0000", "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\udbff\\udfff",
	"\\u00e9", "\\u00", "\\x", "\\", "\"", "\\\"", "\\/", "\\b\\f\\n\\r\\t",
	"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",
	"\xc0\x80", "\xc1\xbf", "\xed\xa0\x80", "\xed\x9f\xbf", "\xe0\x9f\xbf",
	"\xe0\xa0\x80", "\xf0\x8f\xbf\xbf", "\xf0\x90\x80\x80",
	"\xf4\x90\x80\x80", "\xf5\x80", "\xc3", "\xe2\x82", "\xff", "\x80",
	"\x7f", "\x1f", "\t", "\n", "\r", " ", "\f", "\x00",
};

static const char *const numbers[] = {
	"0", "-0", "1", "-1", "01", "-", "1.", ".5", "1e", "1e+", "1E-2",
	"0.0e0", "9223372036854775807", "9223372036854775808",
	"-9223372036854775808", "-9223372036854775809",
	"99999999999999999999", "1e308", "1e309", "-1e309", "1e-400",
	"1.7976931348623157e308", "1.7976931348623158e308",
	"1.7976931348623159e308", "0.00001e313", "0.0000000000e999",
	"17976931348623158079e289", "17976931348623159e292", "123.456e-7",
	"1795600800000", "1795600800000.5", "+1", "0x10", "NaN", "1e99999999999",
};

static size_t put(char *out, size_t n, const char *s)
{
	size_t l = strlen(s);
	if (n + l < INPUT_MAX)
		memcpy(out + n, s, l);
	return n + l < INPUT_MAX ? n + l : n;
}

static size_t gen_value(char *out, size_t n, int depth);

static size_t gen_string(char *out, size_t n)
{
	static const char *const words[] = { "call", "agent", "cdr", "v",
		"type", "ts", "queue", "offered", "a", "", "2026-11-25T10:00:00Z" };
	n = put(out, n, "\"");
	for (uint32_t k = rnd(4); k > 0; k--)
		n = put(out, n, rnd(3) ? words[rnd(sizeof words / sizeof words[0])]
				       : tricky[rnd(sizeof tricky / sizeof tricky[0])]);
	return put(out, n, "\"");
}

static size_t gen_value(char *out, size_t n, int depth)
{
	uint32_t k = depth > 6 ? rnd(4) : rnd(7);

	switch (k) {
	case 0:
		return gen_string(out, n);
	case 1:
		return put(out, n, numbers[rnd(sizeof numbers / sizeof numbers[0])]);
	case 2: {
		static const char *const lits[] = { "true", "false", "null" };
		return put(out, n, lits[rnd(3)]);
	}
	case 3:
		return put(out, n, rnd(2) ? "1" : "\"x\"");
	case 4: case 5: {
		uint32_t m = rnd(5);
		n = put(out, n, "{");
		for (uint32_t i = 0; i < m; i++) {
			if (i)
				n = put(out, n, rnd(8) ? "," : " , ");
			n = gen_string(out, n);
			n = put(out, n, rnd(8) ? ":" : " :\n");
			n = gen_value(out, n, depth + 1);
		}
		return put(out, n, "}");
	}
	default: {
		uint32_t m = rnd(5);
		n = put(out, n, "[");
		for (uint32_t i = 0; i < m; i++) {
			if (i)
				n = put(out, n, ",");
			n = gen_value(out, n, depth + 1);
		}
		return put(out, n, "]");
	}
	}
}

static size_t mutate(char *buf, size_t len)
{
	for (uint32_t m = 1 + rnd(3); m > 0; m--) {
		size_t pos = len ? rnd((uint32_t)len + 1) : 0;
		const char *ins;
		size_t il, dl;

		switch (rnd(5)) {
		case 0: /* flip a bit */
			if (len)
				buf[pos == len ? pos - 1 : pos] ^= (char)(1 << rnd(8));
			break;
		case 1: /* truncate */
			len = pos;
			break;
		case 2: /* delete a few bytes */
			dl = 1 + rnd(4);
			if (pos + dl > len)
				dl = len - pos;
			memmove(buf + pos, buf + pos + dl, len - pos - dl);
			len -= dl;
			break;
		default: /* insert something tricky */
			ins = rnd(2) ? tricky[rnd(sizeof tricky / sizeof tricky[0])]
				     : numbers[rnd(sizeof numbers / sizeof numbers[0])];
			il = strlen(ins) ? strlen(ins) : 1; /* "\x00" is one NUL */
			if (len + il >= INPUT_MAX)
				break;
			memmove(buf + pos + il, buf + pos, len - pos);
			memcpy(buf + pos, ins, il);
			len += il;
			break;
		}
	}
	return len;
}

/* ---- tests ---- */

static int setup(void **state)
{
	(void)state;
	dec = csla_decoder_new(1 << 20);
	return dec ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	csla_decoder_destroy(dec);
	for (size_t i = 0; i < nseeds; i++)
		free(seeds[i]);
	return 0;
}

static void test_corpus(void **state)
{
	(void)state;
	mismatches = 0;
	assert_true(corpus_each("valid", on_corpus_file, NULL) > 0);
	assert_true(corpus_each("reject", on_corpus_file, NULL) > 0);
	assert_int_equal(mismatches, 0);
}

/* Events as csla_event_json() writes them, every optional field present:
 * the order the decoder guesses keys in. */
static void test_canonical(void **state)
{
	static const csla_str_t queues[] = { { "q1", 2 }, { "q\xc3\xa9", 3 } };
	csla_event_t evs[4] = {
		{ .type = CSLA_EV_CALL, .call_event = CSLA_CALL_ANSWERED,
		  .wait_ms = 12000 },
		{ .type = CSLA_EV_CALL, .call_event = CSLA_CALL_ENDED,
		  .talk_ms = 90000, .hold_ms = 5000, .acw_ms = 20000 },
		{ .type = CSLA_EV_AGENT, .state = CSLA_AS_NOT_READY,
		  .reason = { "lunch", 5 }, .team = { "t\"1", 3 },
		  .has_queues = true, .nqueues = 2 },
		{ .type = CSLA_EV_CDR, .outcome = CSLA_OUT_ANSWERED,
		  .offered_at = 1795680000000LL, .alerting_at = 1795680001000LL,
		  .answered_at = 1795680003000LL, .ended_at = 1795680100000LL,
		  .talk_ms = 97000, .hold_ms = 0, .acw_ms = 15000 },
	};
	char buf[1024], err[256];
	csla_event_t got;
	(void)state;
	mismatches = 0;
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) {
		csla_event_t *e = &evs[i];
		size_t n;

		e->ts_ms = 1795680000123LL;
		e->tenant = (csla_str_t){ "acme", 4 };
		e->id = (csla_str_t){ "e-1", 3 };
		e->call_id = (csla_str_t){ "c-1", 3 };
		e->queue = (csla_str_t){ "billing", 7 };
		e->agent_id = (csla_str_t){ "agent-00001", 11 };
		memcpy(e->queues, queues, sizeof queues);
		if (e->type != CSLA_EV_CALL)
			e->wait_ms = CSLA_NO_MS;
		if (e->type == CSLA_EV_CALL && e->call_event != CSLA_CALL_ENDED)
			e->talk_ms = e->hold_ms = e->acw_ms = CSLA_NO_MS;
		if (e->type != CSLA_EV_CDR)
			e->offered_at = e->alerting_at = e->answered_at =
				e->ended_at = CSLA_NO_MS;
		n = csla_event_json(e, buf, sizeof buf);
		assert_true(n < sizeof buf);
		if (csla_decode(dec, buf, n, &got, err, sizeof err) != CSLA_OK)
			fail_msg("%s: %s", buf, err);
		compare(buf, n);
		add_seed(buf, n);
	}
	assert_int_equal(mismatches, 0);
}

static void test_edge_cases(void **state)
{
	static const char *const cases[] = {
		"", " ", "{}", "[]", "\"\"", "0", "-0", "1 ", "\n{}\n", "{} {}",
		"{\"a\":1,}", "[1,]", "{\"a\"}", "{\"\\u0000\":1}",
		"{\"a\":\"\\u0000\"}", "\xef\xbb\xbf{}", "[\"\\ud800\\udc00\"]",
		"[\"\\uD800\\uDC00\"]", "[\"\\udbff\"]", "[\"\\u0041\\u00\"]",
	};
	/* NUL bytes right after tokens (jansson skips one after a number or
	 * literal), so the lengths are spelled out */
	static const struct {
		const char *s;
		size_t len;
	} nuls[] = {
		{ "{\"a\":1}\x00", 8 }, { "{\"a\":1\x00}", 8 },
		{ "[true\x00]", 7 },   { "[null\x00\x00]", 8 },
		{ "[\"a\"\x00]", 6 },  { "[1.5\x00]", 6 },
		{ "[1e5\x00]", 6 },    { "[-\x00" "1]", 5 },
		{ "[nul\x00l]", 7 },   { "[1\x00 ,2]", 7 },
		{ "[\"a\x00\"]", 5 },  { "\x00", 1 },
		{ "1\x00", 2 },        { "1\x00\x00", 3 },
		{ "\x00 1", 3 },
	};
	static char buf[16384];
	size_t n;
	(void)state;
	mismatches = 0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		compare(cases[i], strlen(cases[i]));
	for (size_t i = 0; i < sizeof nuls / sizeof nuls[0]; i++)
		compare(nuls[i].s, nuls[i].len);
	/* d nested containers, arrays and objects alternating, the innermost
	 * an empty array or one holding a scalar (one level deeper) */
	for (int d = 2046; d <= 2049; d++) {
		for (int scalar = 0; scalar < 2; scalar++) {
			n = 0;
			for (int i = 0; i < d - 1; i++)
				n += (size_t)sprintf(buf + n, i % 2 ? "{\"k\":" : "[");
			n += (size_t)sprintf(buf + n, scalar ? "[7]" : "[]");
			for (int i = d - 2; i >= 0; i--)
				buf[n++] = i % 2 ? '}' : ']';
			compare(buf, n);
		}
	}
	assert_int_equal(mismatches, 0);
}

static void test_generated(void **state)
{
	char buf[INPUT_MAX];
	(void)state;
	mismatches = 0;
	for (int i = 0; i < GENERATED_DOCS; i++) {
		size_t n = gen_value(buf, 0, 0);
		compare(buf, n);
		if (i % 20 == 0)
			add_seed(buf, n);
		n = mutate(buf, n);
		compare(buf, n);
	}
	assert_int_equal(mismatches, 0);
}

static void test_mutants(void **state)
{
	char buf[INPUT_MAX];
	(void)state;
	mismatches = 0;
	assert_true(nseeds > 50);
	for (size_t s = 0; s < nseeds; s++) {
		for (int i = 0; i < MUTANTS_PER_SEED; i++) {
			size_t n = seed_len[s];
			memcpy(buf, seeds[s], n);
			n = mutate(buf, n);
			compare(buf, n);
		}
	}
	print_message("compared %ld inputs with jansson\n", compared);
	assert_int_equal(mismatches, 0);
}

int main(void)
{
	/* in this order: the corpus and the generator provide the seeds */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_generated),
		cmocka_unit_test(test_mutants),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
