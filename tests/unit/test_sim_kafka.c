/* test_sim_kafka.c - the Kafka producer adapter and `callsla sim --kafka`
 * against librdkafka's mock cluster on loopback: what is produced is
 * consumed back and compared, key by key and byte by byte, with what was
 * sent (for the tool: with its own stdout for the same seed); failures
 * (a bad property, an unreachable broker) are reported, not lost.
 *
 * The tool tests need CALLSLA (the built tool, set by tests/run.sh) and
 * are skipped without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "callsla/timefmt.h"
#include "kafka_producer.h"

#define PARTITIONS 4

typedef struct msg {
	int32_t partition;
	char *key, *value;
} msg_t;

typedef struct mock {
	rd_kafka_t *rk;
	rd_kafka_mock_cluster_t *mc;
	const char *bootstraps;
} mock_t;

static int mock_up(void **state)
{
	mock_t *m = calloc(1, sizeof *m);
	char err[256];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();

	assert_non_null(m);
	assert_int_equal(rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err),
			 RD_KAFKA_CONF_OK);
	m->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	assert_non_null(m->rk);
	m->mc = rd_kafka_mock_cluster_new(m->rk, 1);
	assert_non_null(m->mc);
	m->bootstraps = rd_kafka_mock_cluster_bootstraps(m->mc);
	assert_non_null(strstr(m->bootstraps, "127.0.0.1:"));
	*state = m;
	return 0;
}

static int mock_down(void **state)
{
	mock_t *m = *state;

	rd_kafka_mock_cluster_destroy(m->mc);
	rd_kafka_destroy(m->rk);
	free(m);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *dup_n(const void *p, size_t n)
{
	char *s = malloc(n + 1);
	assert_non_null(s);
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* Reads the topic from the beginning of every partition until `want`
 * messages came (or 20 s passed), then for a little longer to catch any
 * extra ones, up to `cap`; returns how many. */
static size_t consume(const char *bootstraps, const char *topic, msg_t *out,
		      size_t want, size_t cap)
{
	char err[256];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	size_t n = 0;

	assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps,
					   err, sizeof err),
			 RD_KAFKA_CONF_OK);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
	assert_non_null(rk);
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
	for (int32_t p = 0; p < PARTITIONS; p++)
		assert_int_equal(rd_kafka_consume_start(rkt, p,
							RD_KAFKA_OFFSET_BEGINNING),
				 0);
	double deadline = now_s() + 20, extra = 0;
	while (n < cap && now_s() < (extra ? extra : deadline)) {
		for (int32_t p = 0; p < PARTITIONS && n < cap; p++) {
			rd_kafka_message_t *batch[256];
			ssize_t got = rd_kafka_consume_batch(rkt, p, 20, batch, 256);
			for (ssize_t i = 0; i < got; i++) {
				rd_kafka_message_t *m = batch[i];
				if (!m->err && n < cap) {
					out[n].partition = m->partition;
					out[n].key = dup_n(m->key, m->key_len);
					out[n].value = dup_n(m->payload, m->len);
					n++;
				}
				rd_kafka_message_destroy(m);
			}
		}
		if (n >= want && !extra)
			extra = now_s() + 0.3;
	}
	for (int32_t p = 0; p < PARTITIONS; p++)
		rd_kafka_consume_stop(rkt, p);
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	return n;
}

static void free_msgs(msg_t *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].key);
		free(m[i].value);
	}
	free(m);
}

static void produced_messages_come_back(void **state)
{
	mock_t *m = *state;
	const char *props[] = { "linger.ms=1", "compression.codec=lz4", NULL };
	char err[256], val[64];
	enum { N = 300 };

	assert_int_equal(rd_kafka_mock_topic_create(m->mc, "unit", PARTITIONS, 1), 0);
	csla_kprod_t *p = csla_kprod_new(m->bootstraps, "unit", props, err,
					 sizeof err);
	assert_non_null(p);
	for (int i = 0; i < N; i++) {
		int len = snprintf(val, sizeof val, "{\"n\":%d}", i);
		assert_int_equal(csla_kprod_produce(p, &"abc"[i % 3], 1, val,
						    (size_t)len),
				 0);
	}
	assert_int_equal(csla_kprod_flush(p, 10000), 0);
	assert_int_equal(csla_kprod_delivered(p), N);
	assert_int_equal(csla_kprod_failed(p), 0);
	assert_string_equal(csla_kprod_error(p), "");
	csla_kprod_destroy(p);

	msg_t *got = calloc(N, sizeof *got);
	assert_int_equal(consume(m->bootstraps, "unit", got, N, N), N);
	/* One partition per key, and in it the key's values in order. */
	int next[3] = { 0, 1, 2 };
	int32_t part[3] = { -1, -1, -1 };
	for (int i = 0; i < N; i++) {
		int k = got[i].key[0] - 'a';
		assert_in_range(k, 0, 2);
		assert_int_equal(strlen(got[i].key), 1);
		if (part[k] < 0)
			part[k] = got[i].partition;
		assert_int_equal(got[i].partition, part[k]);
		snprintf(val, sizeof val, "{\"n\":%d}", next[k]);
		assert_string_equal(got[i].value, val);
		next[k] += 3;
	}
	assert_int_equal(next[0] + next[1] + next[2], 3 * N + 3);
	free_msgs(got, N);
}

static void bad_properties_are_refused(void **state)
{
	mock_t *m = *state;
	const char *no_eq[] = { "linger.ms", NULL };
	const char *unknown[] = { "no.such.property=1", NULL };
	char err[256];

	assert_null(csla_kprod_new(m->bootstraps, "unit", no_eq, err, sizeof err));
	assert_string_equal(err, "property \"linger.ms\": expected name=value");
	assert_null(csla_kprod_new(m->bootstraps, "unit", unknown, err,
				   sizeof err));
	assert_non_null(strstr(err, "no.such.property"));
}

static void undelivered_messages_are_reported(void **state)
{
	/* Nothing listens on loopback port 1. */
	const char *props[] = { "message.timeout.ms=300", "log_level=0", NULL };
	char err[256];
	(void)state;

	csla_kprod_t *p = csla_kprod_new("127.0.0.1:1", "unit", props, err,
					 sizeof err);
	assert_non_null(p);
	for (int i = 0; i < 3; i++)
		assert_int_equal(csla_kprod_produce(p, "k", 1, "v", 1), 0);
	assert_int_equal(csla_kprod_flush(p, 10000), -1);
	assert_int_equal(csla_kprod_failed(p), 3);
	assert_int_equal(csla_kprod_delivered(p), 0);
	assert_true(!strncmp(csla_kprod_error(p), "delivery failed: ", 17));
	csla_kprod_destroy(p);
}

/* ---- the tool ------------------------------------------------------------ */

static const char *tool(void)
{
	const char *t = getenv("CALLSLA");
	return t && *t ? t : NULL;
}

static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The value of "tenant" in an event line. */
static void tenant_of(const char *line, char *out, size_t len)
{
	const char *p = strstr(line, "\"tenant\":\"");
	assert_non_null(p);
	p += 10;
	size_t n = strcspn(p, "\"");
	assert_true(n < len);
	memcpy(out, p, n);
	out[n] = '\0';
}

static int64_t ts_of(const char *line)
{
	const char *p = strstr(line, "\"ts\":\"");
	int64_t ms;

	assert_non_null(p);
	p += 6;
	assert_int_equal(csla_time_parse_rfc3339(p, strcspn(p, "\""), &ms), 0);
	return ms;
}

#define SIM_ARGS "sim --seed 5 --tenants 2 --agents 6 --calls-per-hour 40"

static void sim_to_kafka_equals_sim_to_stdout(void **state)
{
	mock_t *m = *state;
	char dir[] = "/tmp/test_sim_kafka.XXXXXX", path[256];
	double speed = 100000;

	if (!tool())
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/out.jsonl", dir);
	assert_int_equal(sh("'%s' " SIM_ARGS " > %s", tool(), path), 0);

	/* The stdout lines, and the span of simulated time they cover. */
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char **lines = NULL, *line = NULL;
	size_t nlines = 0, cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) > 0) {
		lines = realloc(lines, (nlines + 1) * sizeof *lines);
		assert_non_null(lines);
		lines[nlines++] = dup_n(line, (size_t)len - 1);
	}
	free(line);
	fclose(f);
	assert_true(nlines > 1000);
	double span = (double)(ts_of(lines[nlines - 1]) - ts_of(lines[0])) / 1000;

	assert_int_equal(rd_kafka_mock_topic_create(m->mc, "sim", PARTITIONS, 1), 0);
	double t0 = now_s();
	assert_int_equal(sh("'%s' " SIM_ARGS " --kafka %s --topic sim --speed %.0f",
			    tool(), m->bootstraps, speed),
			 0);
	double took = now_s() - t0;
	/* Paced: not faster than simulated time / speed. */
	assert_true(took >= span / speed);

	msg_t *got = calloc(nlines + 1, sizeof *got);
	assert_int_equal(consume(m->bootstraps, "sim", got, nlines, nlines + 1),
			 nlines);
	/* Per tenant, its messages in partition order are its stdout lines in
	 * order, keyed by the tenant. */
	const char *tenants[] = { "t1", "t2" };
	for (int t = 0; t < 2; t++) {
		size_t i = 0, j = 0, seen = 0;
		for (;;) {
			char name[64];
			while (i < nlines) {
				tenant_of(lines[i], name, sizeof name);
				if (!strcmp(name, tenants[t]))
					break;
				i++;
			}
			while (j < nlines && strcmp(got[j].key, tenants[t]))
				j++;
			if (i == nlines || j == nlines) {
				assert_int_equal(i, nlines);
				assert_int_equal(j, nlines);
				break;
			}
			assert_string_equal(got[j].value, lines[i]);
			i++;
			j++;
			seen++;
		}
		assert_true(seen > 100);
	}
	for (size_t i = 0; i < nlines; i++) {
		char name[64];
		tenant_of(got[i].value, name, sizeof name);
		assert_string_equal(got[i].key, name);
		free(lines[i]);
	}
	free(lines);
	free_msgs(got, nlines + 1);
	unlink(path);
	rmdir(dir);
}

static void sim_reports_undelivered_events(void **state)
{
	(void)state;
	if (!tool())
		skip();
	assert_int_equal(sh("'%s' sim --agents 2 --calls-per-hour 5 --kafka "
			    "127.0.0.1:1 --topic sim --speed 1e9 -X "
			    "message.timeout.ms=300 2>/dev/null",
			    tool()),
			 1);
	/* --topic names a Kafka topic: alone it is a usage error. */
	assert_int_equal(sh("'%s' sim --topic sim 2>/dev/null", tool()), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(produced_messages_come_back),
		cmocka_unit_test(bad_properties_are_refused),
		cmocka_unit_test(undelivered_messages_are_reported),
		cmocka_unit_test(sim_to_kafka_equals_sim_to_stdout),
		cmocka_unit_test(sim_reports_undelivered_events),
	};
	return cmocka_run_group_tests(tests, mock_up, mock_down);
}
