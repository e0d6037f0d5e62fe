/* test_config.c - configuration: built-in defaults, layering worked by hand
 * on tests/conf/layering.conf, every parse and validation error with its
 * exact FILE:LINE, and a good load after a bad one; the daemon's groups
 * (consumer, kafka, redis, daemon), the kafka { } name mapping and secrets
 * read from files. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "callsla/alert.h"
#include "callsla/config.h"

#define SEC 1000
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (INT64_C(24) * HOUR)

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

/* The defaults config.h states for the daemon's settings. */
static void assert_daemon_defaults(const csla_daemon_conf_t *d)
{
	assert_string_equal(d->brokers, "localhost:9092");
	assert_string_equal(d->group, "callsla");
	assert_int_equal(d->ntopics, 2);
	assert_string_equal(d->topics[0], "cc.calls");
	assert_string_equal(d->topics[1], "cc.agents");
	assert_string_equal(d->assignor, "range");
	assert_false(d->start_latest);
	assert_null(d->dead_letter_topic);
	assert_int_equal(d->nkafka, 0);
	assert_string_equal(d->redis_host, "127.0.0.1");
	assert_int_equal(d->redis_port, 6379);
	assert_null(d->redis_unix);
	assert_null(d->redis_user);
	assert_null(d->redis_password);
	assert_int_equal(d->redis_db, 0);
	assert_string_equal(d->prefix, "callsla:");
	assert_int_equal(d->snapshot_ttl_ms, 7 * DAY);
	assert_int_equal(d->redis_timeout_ms, 2 * SEC);
	assert_int_equal(d->flush_interval_ms, 1 * SEC);
	assert_int_equal(d->checkpoint_interval_ms, 30 * SEC);
	assert_int_equal(d->journal_max, 10000);
	assert_int_equal(d->shutdown_timeout_ms, 10 * SEC);
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
	assert_daemon_defaults(&c->daemon);
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
	assert_daemon_defaults(&c->daemon);
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
	/* Its daemon groups show the defaults; the SASL example is commented
	 * out. */
	assert_daemon_defaults(&c->daemon);
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
	{ "engine = { };\nhttps = { port = 80; };\n",
	  "2: https: unknown setting" },
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
	/* consumer { } */
	{ "consumer = { brokerz = \"x\"; };\n",
	  "1: consumer.brokerz: unknown setting" },
	{ "consumer = 5;\n", "1: consumer: expected a group { ... }" },
	{ "consumer = {\n brokers = 5;\n};\n",
	  "2: consumer.brokers: expected a string" },
	{ "consumer = {\n brokers = \"\";\n};\n",
	  "2: consumer.brokers: must not be empty" },
	{ "consumer = { group = \"\"; };\n",
	  "1: consumer.group: must not be empty" },
	{ "consumer = {\n topics = [];\n};\n",
	  "2: consumer.topics: give 1 to 8 topics" },
	{ "consumer = { topics = [\"t1\", \"t2\", \"t3\", \"t4\", \"t5\", "
	  "\"t6\", \"t7\", \"t8\", \"t9\"]; };\n",
	  "1: consumer.topics: give 1 to 8 topics" },
	{ "consumer = { topics = \"cc.calls\"; };\n",
	  "1: consumer.topics: expected a list of topics such as "
	  "[\"cc.calls\", \"cc.agents\"]" },
	{ "consumer = { topics = (\"a\",\n 5); };\n",
	  "2: consumer.topics[1]: expected a string" },
	{ "consumer = { topics = [\"a\",\n \"\"]; };\n",
	  "2: consumer.topics[1]: is not a Kafka topic name (1 to 249 of a-z "
	  "A-Z 0-9 . _ -, not \".\" or \"..\")" },
	{ "consumer = { topics = [\"cc calls\"]; };\n",
	  "1: consumer.topics[0]: is not a Kafka topic name (1 to 249 of a-z "
	  "A-Z 0-9 . _ -, not \".\" or \"..\")" },
	{ "consumer = { topics = [\"..\"]; };\n",
	  "1: consumer.topics[0]: is not a Kafka topic name (1 to 249 of a-z "
	  "A-Z 0-9 . _ -, not \".\" or \"..\")" },
	{ "consumer = { topics = [\"a\", \"b\",\n \"a\"]; };\n",
	  "2: consumer.topics[2]: \"a\" is listed twice" },
	{ "consumer = { assignor = \"sticky\"; };\n",
	  "1: consumer.assignor: expected one of \"range\", \"roundrobin\", "
	  "\"cooperative-sticky\"" },
	/* the default topics are two */
	{ "consumer = {\n assignor = \"roundrobin\";\n};\n",
	  "2: consumer.assignor: \"roundrobin\" cannot be used with 2 topics: "
	  "only \"range\" gives one daemon partition p of every topic, where a "
	  "tenant's calls and agent events meet (the topics must be "
	  "co-partitioned)" },
	{ "consumer = {\n topics = [\"a\", \"b\", \"c\"];\n"
	  " assignor = \"cooperative-sticky\";\n};\n",
	  "3: consumer.assignor: \"cooperative-sticky\" cannot be used with 3 "
	  "topics: only \"range\" gives one daemon partition p of every topic, "
	  "where a tenant's calls and agent events meet (the topics must be "
	  "co-partitioned)" },
	{ "consumer = { start_from = \"beginning\"; };\n",
	  "1: consumer.start_from: expected one of \"earliest\", \"latest\"" },
	{ "consumer = { start_from = true; };\n",
	  "1: consumer.start_from: expected one of \"earliest\", \"latest\"" },
	{ "consumer = {\n\n dead_letter_topic = \"cc.calls\";\n};\n",
	  "3: consumer.dead_letter_topic: \"cc.calls\" is an input topic: "
	  "rejected events would be read again" },
	{ "consumer = { dead_letter_topic = \"\"; };\n",
	  "1: consumer.dead_letter_topic: is not a Kafka topic name (1 to 249 "
	  "of a-z A-Z 0-9 . _ -, not \".\" or \"..\")" },
	/* kafka { } */
	{ "kafka = 5;\n", "1: kafka: expected a group { ... }" },
	{ "kafka = {\n group_id = \"x\";\n};\n",
	  "2: kafka.group_id: \"group.id\" cannot be set here: use "
	  "consumer.group" },
	{ "kafka = { bootstrap_servers = \"h:9092\"; };\n",
	  "1: kafka.bootstrap_servers: \"bootstrap.servers\" cannot be set "
	  "here: use consumer.brokers" },
	{ "kafka = { metadata_broker_list = \"h:9092\"; };\n",
	  "1: kafka.metadata_broker_list: \"metadata.broker.list\" cannot be "
	  "set here: use consumer.brokers" },
	{ "kafka = { partition_assignment_strategy = \"roundrobin\"; };\n",
	  "1: kafka.partition_assignment_strategy: "
	  "\"partition.assignment.strategy\" cannot be set here: use "
	  "consumer.assignor" },
	{ "kafka = { auto_offset_reset = \"earliest\"; };\n",
	  "1: kafka.auto_offset_reset: \"auto.offset.reset\" cannot be set "
	  "here: use consumer.start_from" },
	{ "kafka = {\n fetch_wait_max_ms = 5;\n enable_auto_offset_store = "
	  "true;\n};\n",
	  "3: kafka.enable_auto_offset_store: \"enable.auto.offset.store\" "
	  "cannot be set here: the daemon manages it (exactly-once processing "
	  "depends on it)" },
	{ "kafka = { enable_partition_eof = false; };\n",
	  "1: kafka.enable_partition_eof: \"enable.partition.eof\" cannot be "
	  "set here: the daemon manages it (exactly-once processing depends "
	  "on it)" },
	/* librdkafka's own words on names and values */
	{ "kafka = {\n brokers = \"x\";\n};\n",
	  "2: kafka.brokers: No such configuration property: \"brokers\"" },
	{ "kafka = { security_protocol = \"tls\"; };\n",
	  "1: kafka.security_protocol: Invalid value \"tls\" for configuration "
	  "property \"security.protocol\"" },
	{ "kafka = { session_timeout_ms = 1.5; };\n",
	  "1: kafka.session_timeout_ms: expected a string, an integer, true or "
	  "false" },
	{ "kafka = { client_id = [ \"a\" ]; };\n",
	  "1: kafka.client_id: expected a string, an integer, true or false" },
	{ "kafka = {\n sasl_password_file = \"/nonexistent/kafka.pw\";\n};\n",
	  "2: kafka.sasl_password_file: cannot read \"/nonexistent/kafka.pw\": "
	  "No such file or directory" },
	{ "kafka = { sasl_password_file = 5; };\n",
	  "1: kafka.sasl_password_file: expected a file name" },
	{ "kafka = { sasl_password_file = \"\"; };\n",
	  "1: kafka.sasl_password_file: expected a file name" },
	{ "kafka = { ssl_key_pem_file = \"/tmp\"; };\n",
	  "1: kafka.ssl_key_pem_file: cannot read \"/tmp\": not a regular "
	  "file" },
	/* redis { } */
	{ "redis = { passwd = \"x\"; };\n", "1: redis.passwd: unknown setting" },
	{ "redis = { host = \"\"; };\n", "1: redis.host: must not be empty" },
	{ "redis = {\n port = 0;\n};\n",
	  "2: redis.port: must be from 1 to 65535" },
	{ "redis = { port = 65536; };\n",
	  "1: redis.port: must be from 1 to 65535" },
	{ "redis = { port = -1; };\n",
	  "1: redis.port: must be from 1 to 65535" },
	{ "redis = { port = \"6379\"; };\n",
	  "1: redis.port: expected an integer" },
	{ "redis = { database = -1; };\n",
	  "1: redis.database: must be from 0 to 2147483647" },
	{ "redis = { database = 2147483648L; };\n",
	  "1: redis.database: must be from 0 to 2147483647" },
	{ "redis = { unix_socket = \"\"; };\n",
	  "1: redis.unix_socket: must be 1 to 107 bytes (a socket path's "
	  "limit)" },
	{ "redis = { unix_socket = \"/run/"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\"; };\n", /* 108 bytes */
	  "1: redis.unix_socket: must be 1 to 107 bytes (a socket path's "
	  "limit)" },
	{ "redis = {\n user = \"callsla\";\n};\n",
	  "2: redis.user: needs password or password_file" },
	{ "redis = { user = \"\"; password = \"x\"; };\n",
	  "1: redis.user: must not be empty" },
	{ "redis = {\n password = \"\";\n};\n",
	  "2: redis.password: must not be empty" },
	{ "redis = { password = 5; };\n", "1: redis.password: expected a string" },
	{ "redis = {\n password = \"x\";\n password_file = \"/nonexistent\";\n"
	  "};\n",
	  "3: redis.password_file: give password or password_file, not both" },
	{ "redis = {\n password_file = \"/nonexistent/redis.pw\";\n};\n",
	  "2: redis.password_file: cannot read \"/nonexistent/redis.pw\": No "
	  "such file or directory" },
	{ "redis = { prefix = \"\"; };\n",
	  "1: redis.prefix: must be 1 to 64 bytes" },
	{ "redis = { prefix = \"0123456789012345678901234567890123456789"
	  "0123456789012345678901234\"; };\n", /* 65 bytes */
	  "1: redis.prefix: must be 1 to 64 bytes" },
	{ "redis = { snapshot_ttl = \"59s\"; };\n",
	  "1: redis.snapshot_ttl: must be from 1m to 365d" },
	{ "redis = { snapshot_ttl = \"366d\"; };\n",
	  "1: redis.snapshot_ttl: must be from 1m to 365d" },
	{ "redis = { timeout = \"99ms\"; };\n",
	  "1: redis.timeout: must be from 100ms to 60s" },
	{ "redis = { timeout = 61; };\n",
	  "1: redis.timeout: must be from 100ms to 60s" },
	/* daemon { } */
	{ "daemon = { flush = 1; };\n", "1: daemon.flush: unknown setting" },
	{ "daemon = { flush_interval = \"9ms\"; };\n",
	  "1: daemon.flush_interval: must be from 10ms to 60s" },
	{ "daemon = { flush_interval = \"61s\"; checkpoint_interval = \"1h\"; "
	  "};\n",
	  "1: daemon.flush_interval: must be from 10ms to 60s" },
	{ "daemon = { checkpoint_interval = \"999ms\"; };\n",
	  "1: daemon.checkpoint_interval: must be from 1s to 1h" },
	{ "daemon = { checkpoint_interval = \"61m\"; };\n",
	  "1: daemon.checkpoint_interval: must be from 1s to 1h" },
	{ "daemon = { journal_max = 9; };\n",
	  "1: daemon.journal_max: must be from 10 to 1000000" },
	{ "daemon = { journal_max = 1000001; };\n",
	  "1: daemon.journal_max: must be from 10 to 1000000" },
	{ "daemon = { journal_max = \"10\"; };\n",
	  "1: daemon.journal_max: expected an integer" },
	{ "daemon = { shutdown_timeout = 0; };\n",
	  "1: daemon.shutdown_timeout: must be from 1s to 5m" },
	{ "daemon = { shutdown_timeout = \"301s\"; };\n",
	  "1: daemon.shutdown_timeout: must be from 1s to 5m" },
	{ "daemon = {\n flush_interval = \"10s\";\n checkpoint_interval = "
	  "\"5s\";\n};\n",
	  "3: daemon.checkpoint_interval: 5s is shorter than "
	  "daemon.flush_interval (10s)" },
	/* checkpoint_interval is the default (30s): named at flush_interval */
	{ "daemon = {\n flush_interval = \"45s\";\n};\n",
	  "2: daemon.flush_interval: 45s is longer than "
	  "daemon.checkpoint_interval (30s)" },
	{ "daemon = {\n checkpoint_interval = 1;\n flush_interval = 2;\n};\n",
	  "2: daemon.checkpoint_interval: 1s is shorter than "
	  "daemon.flush_interval (2s)" },
	/* http { } */
	{ "http = { port = 80; };\n", "1: http.port: unknown setting" },
	{ "http = { token = \"abcdefghijklmnop\"; };\n",
	  "1: http.token: unknown setting" },
	{ "http = 1;\n", "1: http: expected a group { ... }" },
	{ "http = {\n listen = \"127.0.0.1\";\n};\n",
	  "2: http.listen: address \"127.0.0.1\": expected HOST:PORT" },
	{ "http = { listen = \"127.0.0.1:65536\"; };\n",
	  "1: http.listen: port \"65536\": must be a number from 0 to 65535" },
	{ "http = { listen = \"::1:80\"; };\n",
	  "1: http.listen: address \"::1:80\": write an IPv6 address in "
	  "brackets: [ADDRESS]:PORT" },
	{ "http = { listen = \"unix:/run/x\"; };\n",
	  "1: http.listen: port \"/run/x\": must be a number from 0 to 65535" },
	{ "http = { listen = 8080; };\n", "1: http.listen: expected a string" },
	{ "http = { enabled = 1; };\n", "1: http.enabled: expected true or false" },
	{ "http = { max_lag = \"999ms\"; };\n",
	  "1: http.max_lag: must be from 1s to 24h" },
	{ "http = { max_lag = \"25h\"; };\n",
	  "1: http.max_lag: must be from 1s to 24h" },
	{ "http = { series_hours = 0; };\n",
	  "1: http.series_hours: must be from 1 to 48" },
	{ "http = { series_hours = 49; };\n",
	  "1: http.series_hours: must be from 1 to 48" },
	{ "http = { metrics_agents = \"yes\"; };\n",
	  "1: http.metrics_agents: expected true or false" },
	{ "http = {\n token_file = \"/nonexistent/token\";\n};\n",
	  "2: http.token_file: cannot read \"/nonexistent/token\": No such "
	  "file or directory" },
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

/* ---- the daemon's groups ------------------------------------------------- */

/* A scratch folder holding a configuration and the files it names. */
struct scratch {
	char dir[64];
	char conf[96];
	char names[16][32];
	size_t n;
};

static void scratch_new(struct scratch *sc)
{
	memset(sc, 0, sizeof *sc);
	strcpy(sc->dir, "/tmp/callsla-conf-XXXXXX");
	assert_non_null(mkdtemp(sc->dir));
	snprintf(sc->conf, sizeof sc->conf, "%s/callsla.conf", sc->dir);
}

/* Writes len bytes into the scratch folder's file name. */
static void put(struct scratch *sc, const char *name, const char *bytes,
		size_t len)
{
	char path[160];
	int fd;
	size_t i;

	snprintf(path, sizeof path, "%s/%s", sc->dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	for (i = 0; i < sc->n && strcmp(sc->names[i], name); i++)
		;
	if (i == sc->n) {
		assert_true(sc->n < 16);
		strcpy(sc->names[sc->n++], name);
	}
}

static void put_str(struct scratch *sc, const char *name, const char *text)
{
	put(sc, name, text, strlen(text));
}

static void scratch_free(struct scratch *sc)
{
	char path[160];

	for (size_t i = 0; i < sc->n; i++) {
		snprintf(path, sizeof path, "%s/%s", sc->dir, sc->names[i]);
		assert_int_equal(unlink(path), 0);
	}
	assert_int_equal(rmdir(sc->dir), 0);
}

/* Loads text as the scratch configuration: the conf, or NULL with err. */
static csla_conf_t *load_text(struct scratch *sc, const char *text,
			      char *err, size_t errlen)
{
	put_str(sc, "callsla.conf", text);
	err[0] = '\0';
	return csla_conf_load(sc->conf, err, errlen);
}

static void assert_kv(const csla_kv_t *kv, const char *key, const char *value,
		      bool secret, int line)
{
	assert_string_equal(kv->key, key);
	assert_string_equal(kv->value, value);
	assert_int_equal(kv->secret, secret);
	assert_int_equal(kv->line, line);
}

/* Every setting of the four groups, and kafka { } names, types and
 * secrets; relative secret files are found next to the configuration. */
static void test_daemon_groups(void **state)
{
	(void)state;
	struct scratch sc;
	char err[512];
	csla_conf_t *c;
	const csla_daemon_conf_t *d;

	scratch_new(&sc);
	put_str(&sc, "kafka.pw", "k-secret\n");
	put_str(&sc, "redis.pw", "r-secret\r\n");
	c = load_text(&sc,
		      "consumer = {\n"                                  /* 1 */
		      "\tbrokers = \"k1:9092,k2:9092\";\n"
		      "\tgroup = \"cc-prod\";\n"
		      "\ttopics = [ \"calls\" ];\n"
		      "\tassignor = \"cooperative-sticky\";\n"          /* 5 */
		      "\tstart_from = \"latest\";\n"
		      "\tdead_letter_topic = \"calls.rejected\";\n"
		      "};\n"
		      "kafka = {\n"
		      "\tsecurity_protocol = \"sasl_ssl\";\n"          /* 10 */
		      "\tsasl_mechanism = \"SCRAM-SHA-512\";\n"
		      "\tsasl_username = \"callsla\";\n"
		      "\tsasl_password_file = \"kafka.pw\";\n"
		      "\tfetch_wait_max_ms = 5;\n"
		      "\tqueued_min_messages = 1000000L;\n"            /* 15 */
		      "\tcheck_crcs = true;\n"
		      "\tenable_auto_commit = false;\n"
		      "\tssl_key_password = \"inline\";\n"
		      "};\n"
		      "redis = {\n"                                     /* 20 */
		      "\thost = \"redis.local\";\n"
		      "\tport = 6380;\n"
		      "\tunix_socket = \"/run/redis/redis.sock\";\n"
		      "\tuser = \"callsla\";\n"
		      "\tpassword_file = \"redis.pw\";\n"               /* 25 */
		      "\tdatabase = 3;\n"
		      "\tprefix = \"cc:\";\n"
		      "\tsnapshot_ttl = \"30d\";\n"
		      "\ttimeout = \"500ms\";\n"
		      "};\n"                                            /* 30 */
		      "daemon = {\n"
		      "\tflush_interval = \"250ms\";\n"
		      "\tcheckpoint_interval = \"5m\";\n"
		      "\tjournal_max = 500;\n"
		      "\tshutdown_timeout = 30;\n"                      /* 35 */
		      "};\n",
		      err, sizeof err);
	if (!c) {
		print_error("%s\n", err);
		fail();
	}
	d = &c->daemon;
	assert_string_equal(d->brokers, "k1:9092,k2:9092");
	assert_string_equal(d->group, "cc-prod");
	assert_int_equal(d->ntopics, 1);
	assert_string_equal(d->topics[0], "calls");
	assert_string_equal(d->assignor, "cooperative-sticky");
	assert_true(d->start_latest);
	assert_string_equal(d->dead_letter_topic, "calls.rejected");

	assert_int_equal(d->nkafka, 9);
	assert_kv(&d->kafka[0], "security.protocol", "sasl_ssl", false, 10);
	assert_kv(&d->kafka[1], "sasl.mechanism", "SCRAM-SHA-512", false, 11);
	assert_kv(&d->kafka[2], "sasl.username", "callsla", false, 12);
	assert_kv(&d->kafka[3], "sasl.password", "k-secret", true, 13);
	assert_kv(&d->kafka[4], "fetch.wait.max.ms", "5", false, 14);
	assert_kv(&d->kafka[5], "queued.min.messages", "1000000", false, 15);
	assert_kv(&d->kafka[6], "check.crcs", "true", false, 16);
	assert_kv(&d->kafka[7], "enable.auto.commit", "false", false, 17);
	/* Inline, but a credential by its name. */
	assert_kv(&d->kafka[8], "ssl.key.password", "inline", true, 18);

	assert_string_equal(d->redis_host, "redis.local");
	assert_int_equal(d->redis_port, 6380);
	assert_string_equal(d->redis_unix, "/run/redis/redis.sock");
	assert_string_equal(d->redis_user, "callsla");
	assert_string_equal(d->redis_password, "r-secret");
	assert_int_equal(d->redis_db, 3);
	assert_string_equal(d->prefix, "cc:");
	assert_int_equal(d->snapshot_ttl_ms, 30 * DAY);
	assert_int_equal(d->redis_timeout_ms, 500);
	assert_int_equal(d->flush_interval_ms, 250);
	assert_int_equal(d->checkpoint_interval_ms, 5 * MIN);
	assert_int_equal(d->journal_max, 500);
	assert_int_equal(d->shutdown_timeout_ms, 30 * SEC);
	/* The engine's settings are untouched. */
	assert_int_equal(c->nrolling, 4);
	csla_conf_destroy(c);

	/* An inline password, and an empty kafka group. */
	c = load_text(&sc, "kafka = { };\nredis = { password = \"pw\"; };\n",
		      err, sizeof err);
	assert_non_null(c);
	assert_int_equal(c->daemon.nkafka, 0);
	assert_string_equal(c->daemon.redis_password, "pw");
	assert_null(c->daemon.redis_user);
	csla_conf_destroy(c);
	scratch_free(&sc);
}

/* The smallest and largest value of every range is accepted. */
static void test_daemon_bounds(void **state)
{
	(void)state;
	struct scratch sc;
	char err[512], text[2048], t249[250], sock[108];
	csla_conf_t *c;
	const csla_daemon_conf_t *d;

	memset(t249, 'x', 249);
	t249[249] = '\0';
	memcpy(sock, "/run/", 5);
	memset(sock + 5, 's', 102); /* 107 bytes */
	sock[107] = '\0';
	scratch_new(&sc);
	snprintf(text, sizeof text,
		 "consumer = { topics = [ \"t-1\", \"T_2\", \"t.3\", \"4\", "
		 "\"t5\", \"t6\", \"t7\", \"%s\" ]; };\n"
		 "redis = { port = 1; database = 0; unix_socket = \"%s\";\n"
		 "  prefix = \"0123456789012345678901234567890123456789"
		 "012345678901234567890123\";\n"
		 "  snapshot_ttl = \"1m\"; timeout = \"100ms\"; };\n"
		 "daemon = { flush_interval = \"10ms\"; checkpoint_interval = "
		 "\"1s\";\n  journal_max = 10; shutdown_timeout = \"1s\"; };\n",
		 t249, sock);
	c = load_text(&sc, text, err, sizeof err);
	if (!c) {
		print_error("%s\n", err);
		fail();
	}
	d = &c->daemon;
	assert_int_equal(d->ntopics, 8);
	assert_string_equal(d->topics[7], t249);
	assert_int_equal(d->redis_port, 1);
	assert_int_equal(strlen(d->redis_unix), 107);
	assert_int_equal(strlen(d->prefix), 64);
	assert_int_equal(d->snapshot_ttl_ms, MIN);
	assert_int_equal(d->redis_timeout_ms, 100);
	assert_int_equal(d->flush_interval_ms, 10);
	assert_int_equal(d->checkpoint_interval_ms, SEC);
	assert_int_equal(d->journal_max, 10);
	assert_int_equal(d->shutdown_timeout_ms, SEC);
	csla_conf_destroy(c);

	/* Upper ends; checkpoint_interval may equal flush_interval. */
	c = load_text(&sc,
		      "consumer = { topics = [ \"one\" ]; assignor = "
		      "\"roundrobin\"; start_from = \"earliest\"; };\n"
		      "redis = { port = 65535; database = 2147483647;\n"
		      "  snapshot_ttl = \"365d\"; timeout = \"60s\"; };\n"
		      "daemon = { flush_interval = \"60s\"; checkpoint_interval "
		      "= 60;\n  journal_max = 1000000; shutdown_timeout = "
		      "\"5m\"; };\n",
		      err, sizeof err);
	if (!c) {
		print_error("%s\n", err);
		fail();
	}
	d = &c->daemon;
	assert_string_equal(d->assignor, "roundrobin");
	assert_false(d->start_latest);
	assert_int_equal(d->redis_port, 65535);
	assert_int_equal(d->redis_db, INT_MAX);
	assert_int_equal(d->snapshot_ttl_ms, 365 * DAY);
	assert_int_equal(d->redis_timeout_ms, 60 * SEC);
	assert_int_equal(d->flush_interval_ms, 60 * SEC);
	assert_int_equal(d->checkpoint_interval_ms, 60 * SEC);
	assert_int_equal(d->journal_max, 1000000);
	assert_int_equal(d->shutdown_timeout_ms, 5 * MIN);
	csla_conf_destroy(c);

	c = load_text(&sc, "daemon = { checkpoint_interval = \"1h\"; };\n",
		      err, sizeof err);
	assert_non_null(c);
	assert_int_equal(c->daemon.checkpoint_interval_ms, HOUR);
	csla_conf_destroy(c);
	scratch_free(&sc);
}

/* http { }: defaults, the token from its file (never inline), and what a
 * token may be. */
static void test_http(void **state)
{
	struct scratch sc;
	char err[512], want[600];
	csla_conf_t *c = csla_conf_new_defaults();
	(void)state;

	assert_true(c->http.enabled);
	assert_string_equal(c->http.listen, "127.0.0.1:8080");
	assert_null(c->http.token);
	assert_int_equal(c->http.max_lag_ms, 30 * SEC);
	assert_int_equal(c->http.series_hours, 6);
	assert_false(c->http.metrics_agents);
	csla_conf_destroy(c);

	scratch_new(&sc);
	put_str(&sc, "token", "0123456789abcdef-x\r\n"); /* 18 bytes + CRLF */
	c = load_text(&sc, "http = {\n enabled = false;\n listen = "
		      "\"[::1]:0\";\n token_file = \"token\";\n max_lag = "
		      "\"24h\";\n series_hours = 48;\n metrics_agents = true;"
		      "\n};\n", err, sizeof err);
	assert_non_null(c);
	assert_false(c->http.enabled);
	assert_string_equal(c->http.listen, "[::1]:0");
	assert_string_equal(c->http.token, "0123456789abcdef-x");
	assert_int_equal(c->http.max_lag_ms, 24 * HOUR);
	assert_int_equal(c->http.series_hours, 48);
	assert_true(c->http.metrics_agents);
	csla_conf_destroy(c);

	/* 15 bytes: one short of the minimum. */
	put_str(&sc, "token", "0123456789abcde\n");
	c = load_text(&sc, "http = {\n token_file = \"token\";\n};\n", err,
		      sizeof err);
	assert_null(c);
	snprintf(want, sizeof want, "%s:2: http.token_file: the token is 15 "
		 "bytes: give at least 16", sc.conf);
	assert_string_equal(err, want);
	put_str(&sc, "token", "0123456789 abcdef\n");
	c = load_text(&sc, "http = { token_file = \"token\"; };\n", err,
		      sizeof err);
	assert_null(c);
	snprintf(want, sizeof want, "%s:1: http.token_file: the token may hold "
		 "visible ASCII characters only", sc.conf);
	assert_string_equal(err, want);
	scratch_free(&sc);
}

/* Loads `kafka = {\n sasl_password_file = "s.pw";\n};` with s.pw holding
 * len bytes; returns the value, or NULL with err. */
static char *secret_value(struct scratch *sc, const char *bytes, size_t len,
			  char *err, size_t errlen)
{
	csla_conf_t *c;
	char *v;

	put(sc, "s.pw", bytes, len);
	c = load_text(sc, "kafka = {\n sasl_password_file = \"s.pw\";\n};\n",
		      err, errlen);
	if (!c)
		return NULL;
	assert_int_equal(c->daemon.nkafka, 1);
	assert_string_equal(c->daemon.kafka[0].key, "sasl.password");
	assert_true(c->daemon.kafka[0].secret);
	v = strdup(c->daemon.kafka[0].value);
	csla_conf_destroy(c);
	return v;
}

/* What a secret file may hold, and the errors that name it but never show
 * its contents. */
static void test_secret_files(void **state)
{
	(void)state;
	static const struct {
		const char *bytes;
		size_t len;
		const char *value; /* NULL: refused */
		const char *msg;   /* after "CONF:2: kafka.sasl_password_file: " */
	} cases[] = {
		{ "hunter2\n", 8, "hunter2", NULL },
		{ "hunter2\r\n", 9, "hunter2", NULL },
		{ "hunter2", 7, "hunter2", NULL },
		/* one newline only; spaces and a lone CR are kept */
		{ "two\n\n", 5, "two\n", NULL },
		{ " sp ace \n", 9, " sp ace ", NULL },
		{ "cr\r", 3, "cr\r", NULL },
		{ "\n", 1, NULL, "\"%s/s.pw\" is empty" },
		{ "\r\n", 2, NULL, "\"%s/s.pw\" is empty" },
		{ "", 0, NULL, "\"%s/s.pw\" is empty" },
		{ "hunter2\0x\n", 10, NULL,
		  "cannot use \"%s/s.pw\": it holds a NUL byte" },
	};
	struct scratch sc;
	char err[512], want[512], msg[256], *v;
	int fd;

	scratch_new(&sc);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		v = secret_value(&sc, cases[i].bytes, cases[i].len, err,
				 sizeof err);
		if (cases[i].value) {
			if (!v)
				print_error("case %zu: %s\n", i, err);
			assert_non_null(v);
			assert_string_equal(v, cases[i].value);
			free(v);
			continue;
		}
		assert_null(v);
		snprintf(msg, sizeof msg, cases[i].msg, sc.dir);
		snprintf(want, sizeof want,
			 "%s:2: kafka.sasl_password_file: %s", sc.conf, msg);
		assert_string_equal(err, want);
		assert_null(strstr(err, "hunter2"));
	}

	/* 1 MiB is the limit. */
	{
		size_t n = 1 << 20;
		char *big = malloc(n);

		assert_non_null(big);
		memset(big, 'k', n);
		v = secret_value(&sc, big, n, err, sizeof err);
		assert_non_null(v);
		assert_int_equal(strlen(v), n);
		free(v);
		free(big);
	}
	fd = open(strcat(strcpy(want, sc.dir), "/s.pw"), O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (1 << 20) + 1), 0);
	assert_int_equal(close(fd), 0);
	assert_null(csla_conf_load(sc.conf, err, sizeof err));
	snprintf(want, sizeof want,
		 "%s:2: kafka.sasl_password_file: cannot read \"%s/s.pw\": "
		 "larger than 1048576 bytes", sc.conf, sc.dir);
	assert_string_equal(err, want);

	/* Unreadable: the OS error (root reads anything: skipped then). */
	if (geteuid() != 0) {
		put_str(&sc, "s.pw", "hunter2\n");
		snprintf(want, sizeof want, "%s/s.pw", sc.dir);
		assert_int_equal(chmod(want, 0), 0);
		assert_null(csla_conf_load(sc.conf, err, sizeof err));
		snprintf(want, sizeof want,
			 "%s:2: kafka.sasl_password_file: cannot read "
			 "\"%s/s.pw\": Permission denied", sc.conf, sc.dir);
		assert_string_equal(err, want);
	}
	scratch_free(&sc);
}

/* Where a *_file path points: next to the configuration, absolute, or
 * under $CREDENTIALS_DIRECTORY. */
static void test_secret_paths(void **state)
{
	(void)state;
	struct scratch sc, cred;
	char err[512], want[512], text[256], cwd[PATH_MAX];
	csla_conf_t *c;
	const char *old = getenv("CREDENTIALS_DIRECTORY");
	char *saved = old ? strdup(old) : NULL;

	scratch_new(&sc);
	scratch_new(&cred);
	put_str(&sc, "here.pw", "next-to-conf\n");
	put_str(&cred, "redis", "from-systemd\n");

	/* Absolute. */
	snprintf(text, sizeof text, "redis = { password_file = \"%s/redis\"; };\n",
		 cred.dir);
	c = load_text(&sc, text, err, sizeof err);
	assert_non_null(c);
	assert_string_equal(c->daemon.redis_password, "from-systemd");
	csla_conf_destroy(c);

	/* $CREDENTIALS_DIRECTORY, in both spellings. */
	assert_int_equal(setenv("CREDENTIALS_DIRECTORY", cred.dir, 1), 0);
	c = load_text(&sc, "redis = { password_file = "
			   "\"$CREDENTIALS_DIRECTORY/redis\"; };\n",
		      err, sizeof err);
	assert_non_null(c);
	assert_string_equal(c->daemon.redis_password, "from-systemd");
	csla_conf_destroy(c);
	c = load_text(&sc, "kafka = { sasl_password_file = "
			   "\"${CREDENTIALS_DIRECTORY}/redis\"; };\n",
		      err, sizeof err);
	assert_non_null(c);
	assert_string_equal(c->daemon.kafka[0].value, "from-systemd");
	csla_conf_destroy(c);
	/* Only as the whole first component. */
	c = load_text(&sc, "redis = {\n password_file = "
			   "\"$CREDENTIALS_DIRECTORYX/redis\";\n};\n",
		      err, sizeof err);
	assert_null(c);
	snprintf(want, sizeof want,
		 "%s:2: redis.password_file: cannot read "
		 "\"%s/$CREDENTIALS_DIRECTORYX/redis\": No such file or "
		 "directory", sc.conf, sc.dir);
	assert_string_equal(err, want);

	/* Unset or empty: say what sets it. */
	for (int i = 0; i < 2; i++) {
		if (i == 0)
			assert_int_equal(unsetenv("CREDENTIALS_DIRECTORY"), 0);
		else
			assert_int_equal(setenv("CREDENTIALS_DIRECTORY", "", 1), 0);
		c = load_text(&sc, "redis = {\n password_file = "
				   "\"$CREDENTIALS_DIRECTORY/redis\";\n};\n",
			      err, sizeof err);
		assert_null(c);
		snprintf(want, sizeof want,
			 "%s:2: redis.password_file: $CREDENTIALS_DIRECTORY is "
			 "not set (systemd sets it for a service with "
			 "LoadCredential=)", sc.conf);
		assert_string_equal(err, want);
	}
	if (saved)
		setenv("CREDENTIALS_DIRECTORY", saved, 1);
	else
		unsetenv("CREDENTIALS_DIRECTORY");
	free(saved);

	/* Relative: found next to the configuration, whatever the working
	 * folder, also when the configuration is named relative to it. */
	assert_non_null(getcwd(cwd, sizeof cwd));
	put_str(&sc, "callsla.conf",
		"redis = { password_file = \"here.pw\"; };\n");
	/* sc.dir is "/tmp/callsla-conf-XXXXXX": sc.dir + 5 is its name in
	 * /tmp. */
	snprintf(text, sizeof text, "%.59s/callsla.conf", sc.dir + 5);
	{
		const char *from[] = { "/", "/tmp", sc.dir };
		const char *name[] = { sc.conf, text, "callsla.conf" };

		for (int i = 0; i < 3; i++) {
			assert_int_equal(chdir(from[i]), 0);
			c = csla_conf_load(name[i], err, sizeof err);
			assert_int_equal(chdir(cwd), 0);
			if (!c)
				print_error("%s from %s: %s\n", name[i],
					    from[i], err);
			assert_non_null(c);
			assert_string_equal(c->daemon.redis_password,
					    "next-to-conf");
			csla_conf_destroy(c);
		}
	}
	scratch_free(&cred);
	scratch_free(&sc);
}

/* Errors that involve a readable secret file; a failed load frees what it
 * had read (ASan). */
static void test_secret_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *msg; /* msg after "CONF:" */
	} cases[] = {
		{ "kafka = {\n sasl_password = \"a\";\n sasl_password_file = "
		  "\"s.pw\";\n};\n",
		  "3: kafka.sasl_password_file: \"sasl.password\" is set twice "
		  "(first at line 2)" },
		{ "redis = {\n password_file = \"s.pw\";\n password = \"x\";\n"
		  "};\n",
		  "3: redis.password: give password or password_file, not "
		  "both" },
		/* a misspelt secret name is caught without trying its value */
		{ "kafka = { sasl_pasword_file = \"s.pw\"; };\n",
		  "1: kafka.sasl_pasword_file: No such configuration property: "
		  "\"sasl.pasword\"" },
		{ "kafka = {\n sasl_password_file = \"s.pw\";\n group_id = "
		  "\"g\";\n};\n",
		  "3: kafka.group_id: \"group.id\" cannot be set here: use "
		  "consumer.group" },
		{ "redis = { password_file = \"s.pw\"; port = 0; };\n",
		  "1: redis.port: must be from 1 to 65535" },
	};
	struct scratch sc;
	char err[512], want[600];
	csla_conf_t *c;

	scratch_new(&sc);
	put_str(&sc, "s.pw", "tls\n");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		c = load_text(&sc, cases[i].text, err, sizeof err);
		snprintf(want, sizeof want, "%s:%s", sc.conf, cases[i].msg);
		if (c || strcmp(err, want)) {
			print_error("case %zu:\n  got  %s\n  want %s\n", i,
				    c ? "(loaded)" : err, want);
			csla_conf_destroy(c);
			fail();
		}
	}
	/* A secret's value is not tried on librdkafka (it would keep an
	 * unwiped copy): "tls" is no security.protocol, yet this loads. */
	c = load_text(&sc, "kafka = { security_protocol_file = \"s.pw\"; };\n",
		      err, sizeof err);
	assert_non_null(c);
	assert_kv(&c->daemon.kafka[0], "security.protocol", "tls", true, 1);
	csla_conf_destroy(c);
	scratch_free(&sc);
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	assert_non_null(p);
	return p;
}

/* alerts { }: the defaults, every setting of a rule and a notifier, the
 * secrets from files, and the errors with their FILE:LINE. */
static void test_alerts(void **state)
{
	(void)state;
	struct scratch sc;
	char err[512], want[700];
	csla_conf_t *c = csla_conf_new_defaults();

	assert_int_equal(c->alerts.evaluate_every_ms, 1 * SEC);
	assert_int_equal(c->alerts.queue_max, 10000);
	assert_string_equal(c->alerts.stream_key, "alerts");
	assert_int_equal(c->alerts.stream_maxlen, 100000);
	assert_int_equal(c->alerts.nrules, 0);
	csla_conf_destroy(c);

	scratch_new(&sc);
	put_str(&sc, "hook.key", "whsec_c2VjcmV0\n");
	put_str(&sc, "pd.key", "R0uting\n");
	put_str(&sc, "slack.url", "https://hooks.slack.example/T0/B0/x\n");
	put_str(&sc, "bad.key", "whsec_!!\n");
	c = load_text(&sc,
		      "alerts = {\n"                                     /* 1 */
		      " evaluate_every = \"30s\"; queue_max = 5;\n"
		      " stream_key = \"al\"; stream_maxlen = 7;\n"
		      " rules = ( { name = \"r1\"; tenant = \"acme*\";\n"
		      "   scope = \"agent\"; id = \"a?\"; metric = "   /* 5 */
		      "\"occupancy\";\n"
		      "   window = \"cur30m\"; op = \">=\"; threshold = 0.9;\n"
		      "   clear = 0.8; for = \"30m\"; min_volume = 1800;\n"
		      "   severity = \"critical\"; repeat = \"1h\";\n"
		      "   notifiers = [ \"pd\", \"hook\" ];\n"
		      "   labels = { team = \"blue\"; };\n"             /* 10 */
		      "   summary = \"{label.team} {value}\"; },\n"
		      "  { name = \"r2\"; metric = \"longest_wait_s\"; "
		      "op = \"<\"; threshold = 5; } );\n"
		      " notifiers = ( { name = \"hook\"; type = \"webhook\";\n"
		      "   url = \"https://h.example/x\"; secret_file = "
		      "\"hook.key\";\n"
		      "   timeout = \"1s\"; max_attempts = 3; backoff_min = " /* 15 */
		      "\"1s\"; backoff_max = \"1m\"; },\n"
		      "  { name = \"pd\"; type = \"pagerduty\"; "
		      "routing_key_file = \"pd.key\"; },\n"
		      "  { name = \"chat\"; type = \"slack\"; "
		      "url_file = \"slack.url\"; } );\n"
		      "};\n", err, sizeof err);
	if (!c)
		print_error("%s\n", err);
	assert_non_null(c);
	const csla_alerts_conf_t *a = &c->alerts;
	assert_int_equal(a->evaluate_every_ms, 30 * SEC);
	assert_int_equal(a->queue_max, 5);
	assert_string_equal(a->stream_key, "al");
	assert_int_equal(a->stream_maxlen, 7);
	assert_int_equal(a->nrules, 2);
	const csla_alert_rule_t *r = &a->rules[0];
	assert_string_equal(r->name, "r1");
	assert_string_equal(r->tenant, "acme*");
	assert_int_equal(r->scope, CSLA_SCOPE_AGENT);
	assert_string_equal(r->id, "a?");
	assert_int_equal(r->metric, CSLA_AM_OCCUPANCY);
	assert_string_equal(r->window, "cur30m");
	assert_int_equal(r->cmp, CSLA_CMP_GE);
	assert_true(r->threshold == 0.9 && r->has_clear && r->clear == 0.8);
	assert_int_equal(r->for_ms, 30 * 60 * SEC);
	assert_int_equal(r->min_volume, 1800);
	assert_int_equal(r->severity, CSLA_SEV_CRITICAL);
	assert_int_equal(r->repeat_ms, 3600 * SEC);
	assert_int_equal(r->nnotifiers, 2);
	assert_string_equal(r->notifiers[0], "pd");
	assert_string_equal(r->notifiers[1], "hook");
	assert_int_equal(r->nlabels, 1);
	assert_string_equal(r->labels[0].key, "team");
	assert_string_equal(r->labels[0].value, "blue");
	assert_string_equal(r->summary, "{label.team} {value}");
	assert_int_equal(r->line, 4);
	r = &a->rules[1]; /* the defaults of a rule */
	assert_string_equal(r->tenant, "*");
	assert_int_equal(r->scope, CSLA_SCOPE_TENANT);
	assert_string_equal(r->id, "*");
	assert_string_equal(r->window, "15m");
	assert_int_equal(r->cmp, CSLA_CMP_LT);
	assert_true(r->threshold == 5 && !r->has_clear);
	assert_int_equal(r->for_ms, 0);
	assert_int_equal(r->min_volume, 0);
	assert_int_equal(r->severity, CSLA_SEV_WARNING);
	assert_int_equal(r->repeat_ms, 0);
	assert_int_equal(r->nnotifiers, 0);
	assert_null(r->summary);
	assert_int_equal(a->nnotifiers, 3);
	const csla_notifier_conf_t *n = &a->notifiers[0];
	assert_string_equal(n->name, "hook");
	assert_int_equal(n->kind, CSLA_NOTIFY_WEBHOOK);
	assert_string_equal(n->url, "https://h.example/x");
	assert_string_equal(n->secret, "whsec_c2VjcmV0");
	assert_null(n->routing_key);
	assert_int_equal(n->timeout_ms, 1 * SEC);
	assert_int_equal(n->max_attempts, 3);
	assert_int_equal(n->backoff_min_ms, 1 * SEC);
	assert_int_equal(n->backoff_max_ms, 60 * SEC);
	n = &a->notifiers[1];
	assert_int_equal(n->kind, CSLA_NOTIFY_PAGERDUTY);
	assert_string_equal(n->url, "https://events.pagerduty.com/v2/enqueue");
	assert_string_equal(n->routing_key, "R0uting");
	assert_int_equal(n->timeout_ms, 5 * SEC);
	assert_int_equal(n->max_attempts, 8);
	assert_int_equal(n->backoff_min_ms, 500);
	assert_int_equal(n->backoff_max_ms, 300 * SEC);
	n = &a->notifiers[2]; /* the URL from its file, one newline off */
	assert_string_equal(n->url, "https://hooks.slack.example/T0/B0/x");
	csla_conf_destroy(c);

	static const struct {
		const char *text;
		const char *err; /* after "FILE:" */
	} bad[] = {
		{ "alerts = {\n rules = ( { name = \"r\"; metric = \"offered\";"
		  "\n op = \">\"; threshold = 1;\n notifiers = [ \"ops\" ]; } );"
		  "\n};\n",
		  "4: alerts.rules[0].notifiers[0]: no notifier \"ops\" in "
		  "alerts.notifiers" },
		{ "alerts = { rules = ( { name = \"r\"; metric = \"offered\";\n"
		  " op = \">\"; threshold = 1;\n window = \"7m\"; } ); };\n",
		  "3: alerts.rules[0].window: no window \"7m\" in engine.windows "
		  "/ engine.intervals (\"15m\", \"cur30m\", \"prev15m\", "
		  "\"today\", ...)" },
		{ "alerts = { rules = ( { name = \"r\"; metric = \"abandon_rate\";"
		  "\n op = \">\"; threshold = 0.05;\n clear = 0.06; } ); };\n",
		  "3: alerts.rules[0].clear: 0.06 is on the wrong side of the "
		  "threshold 0.05: with op \">\" an alert clears once the value "
		  "is back below it" },
		{ "alerts = { rules = ( { name = \"r\"; metric = \"service_level\";"
		  "\n op = \"<\"; threshold = 0.8; clear = 0.7; } ); };\n",
		  "2: alerts.rules[0].clear: 0.7 is on the wrong side of the "
		  "threshold 0.8: with op \"<\" an alert clears once the value "
		  "is back above it" },
		{ "alerts = { rules = (\n { name = \"r\"; metric = \"offered\"; "
		  "op = \">\"; threshold = 1; },\n { name = \"r\"; metric = "
		  "\"offered\"; op = \">\"; threshold = 2; } ); };\n",
		  "3: alerts.rules[1].name: rule \"r\" is defined twice (first "
		  "at line 2)" },
		{ "alerts = { notifiers = (\n { name = \"n\"; type = \"slack\"; "
		  "url = \"http://x/\"; },\n { name = \"n\"; type = \"slack\"; "
		  "url = \"http://y/\"; } ); };\n",
		  "3: alerts.notifiers[1].name: notifier \"n\" is defined twice "
		  "(first at line 2)" },
		{ "alerts = { rules = ( { name = \"r\"; scope = \"agent\";\n"
		  " metric = \"service_level\"; op = \"<\"; threshold = 1; } ); "
		  "};\n",
		  "2: alerts.rules[0].metric: service_level is not a field of "
		  "agent rows" },
		{ "alerts = { rules = (\n { name = \"r\"; metric = \"offered\"; "
		  "op = \">\"; } ); };\n",
		  "2: alerts.rules[0]: missing \"threshold\"" },
		{ "alerts = { rules = ( { name = \"r\";\n metric = \"speed\"; "
		  "op = \">\"; threshold = 1; } ); };\n",
		  "2: alerts.rules[0].metric: unknown metric; expected one of "
		  "service_level, three_ring_rate, abandon_rate, occupancy, "
		  "utilization, asa_s, aht_s, max_wait_s, offered, answered, "
		  "abandoned, waiting_now, longest_wait_s, staffed, "
		  "agents_available" },
		{ "alerts = { notifiers = (\n { name = \"pd\"; type = "
		  "\"pagerduty\"; } ); };\n",
		  "2: alerts.notifiers[0].name: a pagerduty notifier needs "
		  "routing_key_file" },
		{ "alerts = { rules = ( { name = \"r\"; metric = \"offered\";\n"
		  " op = \">\"; threshold = 1;\n summary = \"{rule} {speed}\"; } "
		  "); };\n",
		  "3: alerts.rules[0].summary: the template names an unknown "
		  "{placeholder} (known: {tenant} {scope} {id} {window} {metric} "
		  "{value} {threshold} {rule} {severity} {label.NAME} of the "
		  "rule's labels)" },
		{ "alerts = { notifiers = ( { name = \"n\"; type = \"webhook\";\n"
		  " url = \"http://x/\"; backoff_min = \"2s\";\n backoff_max = "
		  "\"1s\"; } ); };\n",
		  "3: alerts.notifiers[0].backoff_max: backoff_max (1s) is "
		  "shorter than backoff_min (2s)" },
		{ "alerts = { rules = ( { name = \"r\"; metric = \"offered\";"
		  " op = \">\";\n threshold = 1; labels = {\n severity = "
		  "\"low\"; }; } ); };\n",
		  "3: alerts.rules[0].labels.severity: \"severity\" is a label "
		  "callsla sets itself (alertname, tenant, scope, id, severity, "
		  "window)" },
		{ "alerts = { notifiers = ( { name = \"n\"; type = \"slack\";\n"
		  " url = \"http://x/\"; url_file = \"hook.key\"; } ); };\n",
		  "2: alerts.notifiers[0].url_file: url and url_file name the "
		  "same setting: give one" },
		{ "alerts = { notifiers = ( { name = \"n\"; type = "
		  "\"alertmanager\";\n url = \"http://x/\"; resend = \"2h\"; } "
		  "); };\n",
		  "2: alerts.notifiers[0].resend: must be from 0 (never) to 1h" },
		{ "alerts = { notifiers = ( { name = \"n\"; type = \"webhook\";\n"
		  " url = \"http://x/\"; secret_file = \"bad.key\"; } ); };\n",
		  "2: alerts.notifiers[0].secret_file: must be \"whsec_\" and "
		  "base64, or at most 1024 bytes" },
		{ "alerts = {\n evaluate_every = \"50ms\"; };\n",
		  "2: alerts.evaluate_every: must be from 100ms to 1h" },
		{ "alerts = { rules = ( { name = \"a b\"; metric = \"offered\";"
		  " op = \">\"; threshold = 1; } ); };\n",
		  "1: alerts.rules[0].name: must be 1 to 64 of a-z A-Z 0-9 _ - ." },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		c = load_text(&sc, bad[i].text, err, sizeof err);
		if (c)
			print_error("case %zu loaded\n", i);
		assert_null(c);
		snprintf(want, sizeof want, "%s:%s", sc.conf, bad[i].err);
		assert_string_equal(err, want);
	}
	scratch_free(&sc);
}

/* The daemon's checks on a conf built in code, named by path. */
static void test_daemon_in_code(void **state)
{
	(void)state;
	char err[512];
	csla_conf_t *c = csla_conf_new_defaults();
	csla_daemon_conf_t *d = &c->daemon;

	free(d->assignor);
	d->assignor = xstrdup("roundrobin");
	assert_int_equal(csla_conf_validate(c, err, sizeof err), -1);
	assert_string_equal(err, "consumer.assignor: \"roundrobin\" cannot be "
				 "used with 2 topics: only \"range\" gives one "
				 "daemon partition p of every topic, where a "
				 "tenant's calls and agent events meet (the "
				 "topics must be co-partitioned)");
	free(d->topics[1]);
	d->ntopics = 1;
	assert_int_equal(csla_conf_validate(c, err, sizeof err), 0);

	d->kafka = calloc(3, sizeof *d->kafka);
	assert_non_null(d->kafka);
	d->nkafka = 2;
	d->kafka[0] = (csla_kv_t){ xstrdup("client.id"), xstrdup("a"), false, 0 };
	d->kafka[1] = (csla_kv_t){ xstrdup("client.id"), xstrdup("b"), false, 0 };
	assert_int_equal(csla_conf_validate(c, err, sizeof err), -1);
	assert_string_equal(err, "kafka.client.id: \"client.id\" is set twice");
	free(d->kafka[1].key);
	d->kafka[1].key = xstrdup("group.id");
	assert_int_equal(csla_conf_validate(c, err, sizeof err), -1);
	assert_string_equal(err, "kafka.group.id: \"group.id\" cannot be set "
				 "here: use consumer.group");
	free(d->kafka[1].key);
	d->kafka[1].key = xstrdup("fetch.wait.max.ms");
	free(d->kafka[1].value);
	d->kafka[1].value = xstrdup("soon");
	assert_int_equal(csla_conf_validate(c, err, sizeof err), -1);
	assert_string_equal(err, "kafka.fetch.wait.max.ms: Invalid value for "
				 "configuration property \"fetch.wait.max.ms\"");
	free(d->kafka[1].value);
	d->kafka[1].value = xstrdup("5");
	/* A secret is wiped and freed by destroy. */
	d->kafka[2] = (csla_kv_t){ xstrdup("sasl.password"), xstrdup("pw"),
				   true, 0 };
	d->nkafka = 3;
	assert_int_equal(csla_conf_validate(c, err, sizeof err), 0);

	d->flush_interval_ms = 2 * SEC;
	d->checkpoint_interval_ms = 1 * SEC;
	assert_int_equal(csla_conf_validate(c, err, sizeof err), -1);
	assert_string_equal(err, "daemon.checkpoint_interval: 1s is shorter "
				 "than daemon.flush_interval (2s)");
	d->checkpoint_interval_ms = 2 * SEC;
	free(d->prefix);
	d->prefix = NULL;
	assert_int_equal(csla_conf_validate(c, err, sizeof err), -1);
	assert_string_equal(err, "redis.prefix: must be 1 to 64 bytes");
	d->prefix = xstrdup("x");
	d->redis_user = xstrdup("u");
	assert_int_equal(csla_conf_validate(c, err, sizeof err), -1);
	assert_string_equal(err, "redis.user: needs password or password_file");
	d->redis_password = xstrdup("p");
	d->dead_letter_topic = xstrdup("cc.calls");
	assert_int_equal(csla_conf_validate(c, err, sizeof err), -1);
	assert_string_equal(err, "consumer.dead_letter_topic: \"cc.calls\" is "
				 "an input topic: rejected events would be read "
				 "again");
	free(d->dead_letter_topic);
	d->dead_letter_topic = xstrdup("cc.dead");
	assert_int_equal(csla_conf_validate(c, err, sizeof err), 0);
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
		cmocka_unit_test(test_daemon_groups),
		cmocka_unit_test(test_daemon_bounds),
		cmocka_unit_test(test_secret_files),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_secret_paths),
		cmocka_unit_test(test_secret_errors),
		cmocka_unit_test(test_daemon_in_code),
		cmocka_unit_test(test_alerts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
