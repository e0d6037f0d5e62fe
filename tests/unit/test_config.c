/* test_config.c - configuration: built-in defaults, layering worked by hand
 * on tests/conf/layering.conf, every parse and validation error with its
 * exact FILE:LINE, and a good load after a bad one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "callsla/config.h"

#define SEC 1000
#define MIN (60 * SEC)
#define HOUR (60 * MIN)

/* tests/ (run.sh exports TESTS; make test runs from the repository). */
static const char *tests_dir(void)
{
	const char *t = getenv("TESTS");

	return t && *t ? t : "tests";
}

static csla_conf_t *load_ok(const char *path)
{
	char err[512] = "";
	csla_conf_t *c = csla_conf_load(path, err, sizeof err);

	if (!c) {
		print_error("%s\n", err);
		fail();
	}
	return c;
}

static csla_conf_t *load_repo_file(const char *rel)
{
	char path[1024];

	snprintf(path, sizeof path, "%s/%s", tests_dir(), rel);
	return load_ok(path);
}

static void write_file(char *path, const char *text)
{
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void assert_queue(const csla_queue_conf_t *q, int64_t sl,
			 uint32_t rings, int64_t cycle, int64_t shrt,
			 csla_sl_mode_t mode, bool flowout)
{
	assert_int_equal(q->sl_ms, sl);
	assert_int_equal(q->answer_rings, rings);
	assert_int_equal(q->ring_cycle_ms, cycle);
	assert_int_equal(q->short_abandon_ms, shrt);
	assert_int_equal(q->sl_mode, mode);
	assert_int_equal(q->sl_flowout, flowout);
}

static void test_defaults(void **state)
{
	(void)state;
	char err[256];
	csla_conf_t *c = csla_conf_new_defaults();
	csla_queue_conf_t q;

	assert_non_null(c);
	assert_null(c->path);
	assert_int_equal(c->clock, CSLA_CLOCK_WALL);
	assert_int_equal(c->nrolling, 4);
	assert_int_equal(c->rolling_ms[0], 5 * MIN);
	assert_int_equal(c->rolling_ms[1], 15 * MIN);
	assert_int_equal(c->rolling_ms[2], 30 * MIN);
	assert_int_equal(c->rolling_ms[3], 60 * MIN);
	assert_int_equal(c->nintervals, 2);
	assert_int_equal(c->interval_ms[0], 15 * MIN);
	assert_int_equal(c->interval_ms[1], 30 * MIN);
	assert_int_equal(c->allowed_lateness_ms, 2 * HOUR);
	assert_int_equal(c->max_future_skew_ms, 5 * MIN);
	assert_int_equal(c->max_message_bytes, 65536);
	assert_int_equal(c->call_timeout_ms, 4 * HOUR);
	assert_int_equal(c->agent_idle_ms, 26 * HOUR);
	assert_string_equal(c->default_timezone, "UTC");
	assert_string_equal(csla_tz_name(csla_conf_tz(c, NULL)), "UTC");
	assert_int_equal(c->ntenants, 0);
	assert_int_equal(c->nqueues, 0);
	assert_queue(&c->queue_defaults, 20 * SEC, 3, 5 * SEC, 5 * SEC,
		     CSLA_SL_NEGATIVE, false);
	assert_int_equal(csla_queue_conf_rings_ms(&c->queue_defaults), 15 * SEC);
	csla_conf_queue(c, NULL, "any", 3, &q);
	assert_queue(&q, 20 * SEC, 3, 5 * SEC, 5 * SEC, CSLA_SL_NEGATIVE, false);
	assert_null(csla_conf_tenant(c, "acme", 4));
	assert_int_equal(csla_conf_validate(c, err, sizeof err), 0);
	csla_conf_destroy(c);

	/* An empty file is the defaults too. */
	char path[] = "/tmp/callsla-test-XXXXXX";

	write_file(path, "# nothing\n");
	c = load_ok(path);
	unlink(path);
	assert_string_equal(c->path, path);
	assert_int_equal(c->nrolling, 4);
	assert_queue(&c->queue_defaults, 20 * SEC, 3, 5 * SEC, 5 * SEC,
		     CSLA_SL_NEGATIVE, false);
	csla_conf_destroy(c);
}

/* layering.conf: defaults { T 15s, rings 4, S 3s } over the built-in
 * (ring_cycle 5s, negative, no flow-outs); global rules vip-* {T 10s, rings
 * 2}, vip-gold {T 5s} (shadowed), *-night {ignore}; tenant acme {T 30s,
 * cycle 6s; sales* {cycle 4s, flowout}, vip-* {rings 5}}; beta {positive}. */
static void test_layering(void **state)
{
	(void)state;
	csla_conf_t *c = load_repo_file("conf/layering.conf");
	const csla_tenant_conf_t *acme, *beta;
	csla_queue_conf_t q;

	assert_int_equal(c->clock, CSLA_CLOCK_EVENT);
	assert_int_equal(c->nrolling, 2);
	assert_int_equal(c->rolling_ms[0], 1 * MIN);
	assert_int_equal(c->rolling_ms[1], 10 * MIN);
	assert_int_equal(c->nintervals, 1);
	assert_int_equal(c->interval_ms[0], HOUR);
	assert_int_equal(c->allowed_lateness_ms, 10 * MIN);
	assert_int_equal(c->max_future_skew_ms, 30 * SEC);
	assert_int_equal(c->max_message_bytes, 4096);
	assert_int_equal(c->call_timeout_ms, 90 * MIN);
	assert_int_equal(c->agent_idle_ms, 24 * HOUR);
	assert_int_equal(c->nqueues, 3);
	assert_int_equal(c->queues[1].line, 24);
	assert_int_equal(c->ntenants, 2);

	acme = csla_conf_tenant(c, "acmeXYZ", 4);
	beta = csla_conf_tenant(c, "beta", 4);
	assert_non_null(acme);
	assert_non_null(beta);
	assert_string_equal(acme->name, "acme");
	assert_int_equal(acme->line, 29);
	assert_null(csla_conf_tenant(c, "acm", 3));
	assert_null(csla_conf_tenant(c, "zeta", 4));

	/* No tenant block. */
	csla_conf_queue(c, NULL, "support", 7, &q);
	assert_queue(&q, 15 * SEC, 4, 5 * SEC, 3 * SEC, CSLA_SL_NEGATIVE, false);
	csla_conf_queue(c, NULL, "vip-gold", 8, &q);
	assert_queue(&q, 10 * SEC, 2, 5 * SEC, 3 * SEC, CSLA_SL_NEGATIVE, false);
	csla_conf_queue(c, NULL, "x-night", 7, &q);
	assert_queue(&q, 15 * SEC, 4, 5 * SEC, 3 * SEC, CSLA_SL_IGNORE, false);

	/* acme: its own block, then global, then its rules. */
	csla_conf_tenant_scope(c, acme, &q);
	assert_queue(&q, 30 * SEC, 4, 6 * SEC, 3 * SEC, CSLA_SL_NEGATIVE, false);
	csla_conf_queue(c, acme, "support", 7, &q);
	assert_queue(&q, 30 * SEC, 4, 6 * SEC, 3 * SEC, CSLA_SL_NEGATIVE, false);
	csla_conf_queue(c, acme, "sales-eastXYZ", 10, &q);
	assert_queue(&q, 30 * SEC, 4, 4 * SEC, 3 * SEC, CSLA_SL_NEGATIVE, true);
	assert_int_equal(csla_queue_conf_rings_ms(&q), 16 * SEC);
	csla_conf_queue(c, acme, "vip-1", 5, &q);
	assert_queue(&q, 10 * SEC, 5, 6 * SEC, 3 * SEC, CSLA_SL_NEGATIVE, false);
	csla_conf_queue(c, acme, "sales-night", 11, &q);
	assert_queue(&q, 30 * SEC, 4, 4 * SEC, 3 * SEC, CSLA_SL_IGNORE, true);

	/* beta: positive, but *-night (global) beats the tenant's own. */
	csla_conf_queue(c, beta, "vip-x", 5, &q);
	assert_queue(&q, 10 * SEC, 2, 5 * SEC, 3 * SEC, CSLA_SL_POSITIVE, false);
	csla_conf_queue(c, beta, "a-night", 7, &q);
	assert_queue(&q, 15 * SEC, 4, 5 * SEC, 3 * SEC, CSLA_SL_IGNORE, false);

	/* Time zones: acme's own, beta the default. */
	assert_string_equal(csla_tz_name(csla_conf_tz(c, acme)), "Asia/Shanghai");
	assert_int_equal(csla_tz_offset_s(csla_conf_tz(c, acme), 0), 8 * 3600);
	assert_string_equal(csla_tz_name(csla_conf_tz(c, beta)), "Europe/London");
	assert_string_equal(csla_tz_name(csla_conf_tz(c, NULL)), "Europe/London");
	csla_conf_destroy(c);
}

/* The shipped example is valid and means what its comments say. */
static void test_example_conf(void **state)
{
	(void)state;
	csla_conf_t *c = load_repo_file("../conf/callsla.conf");
	const csla_tenant_conf_t *acme = csla_conf_tenant(c, "acme", 4);
	csla_queue_conf_t q;

	assert_int_equal(c->clock, CSLA_CLOCK_WALL);
	assert_non_null(acme);
	csla_conf_queue(c, acme, "sales", 5, &q);
	assert_queue(&q, 30 * SEC, 3, 6 * SEC, 5 * SEC, CSLA_SL_NEGATIVE, false);
	csla_conf_queue(c, NULL, "vip-1", 5, &q);
	assert_queue(&q, 10 * SEC, 2, 5 * SEC, 5 * SEC, CSLA_SL_NEGATIVE, false);
	assert_string_equal(csla_tz_name(csla_conf_tz(c, acme)), "Asia/Shanghai");
	csla_conf_destroy(c);
}

/* Each file and the exact message after "FILE:". */
static const struct bad_case {
	const char *text;
	const char *msg;
} bad_cases[] = {
	/* libconfig's own errors */
	{ "# c\nengine = {\n  clock = ;\n};\n", "3: syntax error" },
	{ "engine = {\n clock = \"wall\";\n clock = \"event\";\n};\n",
	  "3: duplicate setting name" },
	/* unknown names */
	{ "engine = { };\nkafka = { brokers = \"x\"; };\n",
	  "2: kafka: unknown setting" },
	{ "engine = {\n  windowz = [\"5m\"];\n};\n",
	  "2: engine.windowz: unknown setting" },
	{ "defaults = { timezone = \"UTC\";\n name = \"x\"; };\n",
	  "2: defaults.name: unknown setting" },
	{ "tenants = (\n  { name = \"a\";\n    servce_level = \"20s\"; }\n);\n",
	  "3: tenants[0].servce_level: unknown setting" },
	{ "tenants = ( { name = \"a\";\n queues = ( { match = \"x\";\n"
	  " ringcycle = 5; } ); } );\n",
	  "3: tenants[0].queues[0].ringcycle: unknown setting" },
	{ "queues = (\n { match = \"a\"; timezone = \"UTC\"; }\n);\n",
	  "2: queues[0].timezone: unknown setting" },
	/* types */
	{ "engine = 5;\n", "1: engine: expected a group { ... }" },
	{ "tenants = { name = \"a\"; };\n",
	  "1: tenants: expected a list ( { name = \"...\"; ... } )" },
	{ "queues = [ \"a\" ];\n",
	  "1: queues: expected a list ( { match = \"...\"; ... } )" },
	{ "tenants = ( { name = \"a\"; queues = ( 5 ); } );\n",
	  "1: tenants[0].queues[0]: expected a group { ... }" },
	{ "engine = {\n\n windows = \"5m\";\n};\n",
	  "3: engine.windows: expected a list of durations such as "
	  "[\"5m\", \"15m\"]" },
	{ "defaults = { sl_flowout = \"yes\"; };\n",
	  "1: defaults.sl_flowout: expected true or false" },
	{ "defaults = { ring_cycle = 5.5; };\n",
	  "1: defaults.ring_cycle: expected a duration such as \"20s\" or "
	  "whole seconds" },
	{ "defaults = {\n service_level = \"20 s\";\n};\n",
	  "2: defaults.service_level: \"20 s\" is not a duration such as "
	  "\"250ms\", \"20s\", \"5m\", \"2h\"" },
	{ "defaults = { service_level = \"99999999999999999999s\"; };\n",
	  "1: defaults.service_level: \"99999999999999999999s\" is not a "
	  "duration such as \"250ms\", \"20s\", \"5m\", \"2h\"" },
	{ "engine = { call_timeout = 9223372036854775807L; };\n",
	  "1: engine.call_timeout: 9223372036854775807 seconds is too long" },
	{ "defaults = { answer_rings = \"3\"; };\n",
	  "1: defaults.answer_rings: expected an integer" },
	{ "defaults = { timezone = 8; };\n",
	  "1: defaults.timezone: expected a string" },
	{ "tenants = (\n { name = 5; }\n);\n",
	  "2: tenants[0].name: expected a string" },
	{ "defaults = {\n\n\n sl_abandon = \"negativ\";\n};\n",
	  "4: defaults.sl_abandon: expected one of \"negative\", \"ignore\", "
	  "\"positive\"" },
	{ "engine = { clock = \"evnt\"; };\n",
	  "1: engine.clock: expected one of \"wall\", \"event\"" },
	/* windows and intervals */
	{ "engine = {\n  windows = [ \"5m\",\n    \"25h\" ];\n};\n",
	  "3: engine.windows[1]: 25h: each must be whole seconds from 1s to "
	  "24h" },
	{ "engine = { windows = [\"1500ms\"]; };\n",
	  "1: engine.windows[0]: 1500ms: each must be whole seconds from 1s "
	  "to 24h" },
	{ "engine = { windows = [0]; };\n",
	  "1: engine.windows[0]: 0s: each must be whole seconds from 1s to "
	  "24h" },
	{ "engine = {\n windows = [];\n};\n",
	  "2: engine.windows: give 1 to 16 durations" },
	{ "engine = { windows = [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17];"
	  " };\n",
	  "1: engine.windows: at most 16 durations" },
	{ "engine = { windows = (\"5m\",\n 300); };\n",
	  "2: engine.windows[1]: 5m is listed twice" },
	{ "engine = {\n\n intervals = [\"15m\", \"7m\"];\n};\n",
	  "3: engine.intervals[1]: 7m: each must be whole seconds from 1m to "
	  "24h that divide 24h" },
	{ "engine = { intervals = [\"30s\"]; };\n",
	  "1: engine.intervals[0]: 30s: each must be whole seconds from 1m to "
	  "24h that divide 24h" },
	{ "engine = { intervals = [\"48h\"]; };\n",
	  "1: engine.intervals[0]: 2d: each must be whole seconds from 1m to "
	  "24h that divide 24h" },
	/* ranges */
	{ "defaults = { answer_rings = 0; };\n",
	  "1: defaults.answer_rings: must be from 1 to 100" },
	{ "defaults = { answer_rings = -1; };\n",
	  "1: defaults.answer_rings: must be from 1 to 100" },
	{ "defaults = { answer_rings = 101; };\n",
	  "1: defaults.answer_rings: must be from 1 to 100" },
	{ "engine = { max_message_bytes = 100; };\n",
	  "1: engine.max_message_bytes: must be from 256 to 16777216" },
	{ "engine = {\n allowed_lateness = \"8d\"; };\n",
	  "2: engine.allowed_lateness: must be from 0 to 7d" },
	{ "engine = { max_future_skew = \"25h\"; };\n",
	  "1: engine.max_future_skew: must be from 0 to 24h" },
	{ "engine = { call_timeout = 0; };\n",
	  "1: engine.call_timeout: must be from 1s to 30d" },
	{ "engine = { agent_idle = \"31d\"; };\n",
	  "1: engine.agent_idle: must be from 1s to 30d" },
	{ "defaults = { service_level = 0; };\n",
	  "1: defaults.service_level: must be from 1ms to 24h" },
	{ "defaults = { service_level = -5; };\n",
	  "1: defaults.service_level: must be from 1ms to 24h" },
	{ "defaults = { ring_cycle = \"61s\"; };\n",
	  "1: defaults.ring_cycle: must be from 1ms to 1m" },
	{ "queues = (\n { match = \"a*\";\n   short_abandon = \"2h\"; }\n);\n",
	  "3: queues[0].short_abandon: must be from 0 (off) to 1h" },
	{ "tenants = ( { name = \"a\";\n service_level = \"25h\"; } );\n",
	  "2: tenants[0].service_level: must be from 1ms to 24h" },
	{ "tenants = ( { name = \"a\"; queues = (\n { match = \"b\"; },\n"
	  " { match = \"c\"; answer_rings = 0; } ); } );\n",
	  "3: tenants[0].queues[1].answer_rings: must be from 1 to 100" },
	/* time zones */
	{ "defaults = {\n timezone = \"Mars/Olympus\";\n};\n",
	  "2: defaults.timezone: unknown time zone \"Mars/Olympus\"" },
	{ "tenants = (\n {\n name = \"a\";\n timezone = \"../etc/UTC\";\n }\n);\n",
	  "4: tenants[0].timezone: unknown time zone \"../etc/UTC\"" },
	/* globs and required names */
	{ "queues = (\n { match = \"sales[\"; }\n);\n",
	  "2: queues[0].match: pattern has an unclosed '['" },
	{ "queues = ( { match = \"[[:digit:]\"; } );\n",
	  "1: queues[0].match: pattern has an unclosed '['" },
	{ "queues = ( { match = \"\"; } );\n",
	  "1: queues[0].match: pattern is empty" },
	{ "queues = ( { match = \"a\\\\\"; } );\n",
	  "1: queues[0].match: pattern ends with a lone '\\'" },
	{ "queues = (\n { service_level = 5; }\n);\n",
	  "2: queues[0]: missing \"match\"" },
	{ "tenants = (\n { timezone = \"UTC\"; }\n);\n",
	  "2: tenants[0]: missing \"name\"" },
	{ "tenants = ( { name = \"\"; } );\n",
	  "1: tenants[0].name: must be 1 to 128 bytes" },
	{ "tenants = (\n { name = \"acme\"; },\n { name = \"beta\"; },\n"
	  " { name = \"acme\"; }\n);\n",
	  "4: tenants[2].name: tenant \"acme\" is defined twice (first at "
	  "line 2)" },
};

static void test_errors(void **state)
{
	(void)state;

	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		char path[] = "/tmp/callsla-test-XXXXXX";
		char err[512] = "", want[600];
		csla_conf_t *c;

		write_file(path, bad_cases[i].text);
		c = csla_conf_load(path, err, sizeof err);
		unlink(path);
		snprintf(want, sizeof want, "%s:%s", path, bad_cases[i].msg);
		if (c || strcmp(err, want)) {
			print_error("case %zu:\n  got  %s\n  want %s\n", i,
				    c ? "(loaded)" : err, want);
			csla_conf_destroy(c);
			fail();
		}
	}
}

/* Patterns that look odd but are well formed. */
static void test_good_globs(void **state)
{
	(void)state;
	char path[] = "/tmp/callsla-test-XXXXXX";
	csla_conf_t *c;
	csla_queue_conf_t q;

	write_file(path, "queues = (\n"
			 " { match = \"[]x]*\"; answer_rings = 7; },\n"
			 " { match = \"q[[:digit:]]\"; answer_rings = 8; },\n"
			 " { match = \"lit\\\\[\"; answer_rings = 9; }\n"
			 ");\n");
	c = load_ok(path);
	unlink(path);
	csla_conf_queue(c, NULL, "]abc", 4, &q);
	assert_int_equal(q.answer_rings, 7);
	csla_conf_queue(c, NULL, "q5", 2, &q);
	assert_int_equal(q.answer_rings, 8);
	csla_conf_queue(c, NULL, "lit[", 4, &q);
	assert_int_equal(q.answer_rings, 9);
	csla_conf_queue(c, NULL, "other", 5, &q);
	assert_int_equal(q.answer_rings, 3);
	csla_conf_destroy(c);
}

static void test_io_errors(void **state)
{
	(void)state;
	char err[512];

	assert_null(csla_conf_load("/nonexistent/callsla.conf", err, sizeof err));
	assert_string_equal(err, "/nonexistent/callsla.conf: cannot read: "
				 "No such file or directory");
	assert_null(csla_conf_load("/tmp", err, sizeof err));
	assert_string_equal(err, "/tmp: cannot read: not a file");
}

/* A conf built in code gets the same checks, named by path. */
static void test_validate_in_code(void **state)
{
	(void)state;
	char err[512];
	csla_conf_t *c = csla_conf_new_defaults();

	c->rolling_ms[1] = 1500;
	assert_int_equal(csla_conf_validate(c, err, sizeof err), -1);
	assert_string_equal(err, "engine.windows: 1500ms: each must be whole "
				 "seconds from 1s to 24h");
	c->rolling_ms[1] = 15 * MIN;
	c->interval_ms[1] = 15 * MIN;
	assert_int_equal(csla_conf_validate(c, err, sizeof err), -1);
	assert_string_equal(err, "engine.intervals: 15m is listed twice");
	c->interval_ms[1] = 30 * MIN;
	c->queue_defaults.sl_mode = (csla_sl_mode_t)3;
	assert_int_equal(csla_conf_validate(c, err, sizeof err), -1);
	assert_string_equal(err, "defaults.sl_abandon: unknown value 3");
	c->queue_defaults.sl_mode = CSLA_SL_POSITIVE;

	c->tenants = calloc(1, sizeof *c->tenants);
	c->ntenants = 1;
	c->tenants[0].name = strdup("t1");
	c->tenants[0].timezone = strdup("Nope/Zone");
	assert_int_equal(csla_conf_validate(c, err, sizeof err), -1);
	assert_string_equal(err, "tenants[0].timezone: unknown time zone "
				 "\"Nope/Zone\"");
	free(c->tenants[0].timezone);
	c->tenants[0].timezone = strdup("Asia/Kathmandu");
	/* An override is checked only for what it sets. */
	c->tenants[0].own.v.answer_rings = 0;
	c->tenants[0].own.v.sl_ms = 7 * SEC;
	c->tenants[0].own.set = CSLA_QO_SL;
	assert_int_equal(csla_conf_validate(c, err, sizeof err), 0);
	/* +05:45 on 2026-01-01 (1767225600 s). */
	assert_int_equal(csla_tz_offset_s(csla_conf_tz(c, &c->tenants[0]),
					  INT64_C(1767225600000)),
			 20700);
	/* Validating again replaces the loaded zones (ASan: no leak). */
	assert_int_equal(csla_conf_validate(c, err, sizeof err), 0);
	c->tenants[0].own.set |= CSLA_QO_RINGS;
	assert_int_equal(csla_conf_validate(c, err, sizeof err), -1);
	assert_string_equal(err, "tenants[0].answer_rings: must be from 1 to 100");
	csla_conf_destroy(c);
}

/* What a reload does: a bad file is refused whole, then a good one loads. */
static void test_reload(void **state)
{
	(void)state;
	char bad[1024], err[512];
	csla_conf_t *c;

	snprintf(bad, sizeof bad, "%s/conf/bad_timezone.conf", tests_dir());
	assert_null(csla_conf_load(bad, err, sizeof err));
	assert_non_null(strstr(err, "bad_timezone.conf:4: tenants[1].timezone: "
				    "unknown time zone \"Mars/Olympus\""));
	c = load_repo_file("conf/layering.conf");
	assert_int_equal(c->ntenants, 2);
	csla_conf_destroy(c);
	snprintf(bad, sizeof bad, "%s/conf/bad_window.conf", tests_dir());
	assert_null(csla_conf_load(bad, err, sizeof err));
	assert_non_null(strstr(err, "bad_window.conf:4: engine.windows[2]: 25h"));
	c = load_repo_file("conf/layering.conf");
	csla_conf_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_layering),
		cmocka_unit_test(test_example_conf),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_good_globs),
		cmocka_unit_test(test_io_errors),
		cmocka_unit_test(test_validate_in_code),
		cmocka_unit_test(test_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
