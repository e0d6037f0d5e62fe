/* test_produce.c - `callsla devbroker`, `callsla produce` and `callsla
 * consume` together on loopback: a devbroker is started for the group and
 * its bootstrap line read; JSONL files with good, bad and empty lines are
 * produced to it (also with --key and --raw) and consumed back; the topics,
 * keys, values, partitions, the reported lines and the exit status are
 * compared with what was worked out by hand from the input.  Messages with
 * binary keys, values and headers are written with librdkafka and read
 * with `callsla consume`, whose lines are compared byte for byte.
 *
 * The tool tests need CALLSLA (the built tool, set by tests/run.sh) and are
 * skipped without it. */
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <librdkafka/rdkafka.h>

#include "kafka_producer.h"

/* ---- helpers ------------------------------------------------------------- */

static const char *tool(void)
{
	const char *t = getenv("CALLSLA");
	return t && *t ? t : NULL;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* The lines of a file, without their newlines; *n receives the count. */
static char **read_lines(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	char **lines = NULL, *line = NULL;
	size_t cap = 0;
	ssize_t len;

	assert_non_null(f);
	*n = 0;
	while ((len = getline(&line, &cap, f)) != -1) {
		if (len && line[len - 1] == '\n')
			line[len - 1] = '\0';
		lines = realloc(lines, (*n + 1) * sizeof *lines);
		assert_non_null(lines);
		lines[(*n)++] = strdup(line);
	}
	free(line);
	fclose(f);
	return lines;
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static void assert_prefix(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)))
		fail_msg("\"%s\" does not start with \"%s\"", s, prefix);
}

/* ---- devbrokers in the background --------------------------------------- */

/* Each takes about a second to start and to stop (librdkafka 2.0.2's mock
 * thread polls with a 1 s timeout), so the test runs two side by side. */
typedef struct broker {
	pid_t pid;
	int out; /* its stdout */
	char bootstrap[512];
} broker_t;

/* Starts `callsla devbroker ARGS`; broker_ready() reads its bootstrap
 * line. */
static void broker_spawn(broker_t *b, const char *args)
{
	int fds[2];
	char cmd[1024];

	snprintf(cmd, sizeof cmd, "exec '%s' devbroker %s 2>/dev/null", tool(),
		 args);
	assert_int_equal(pipe(fds), 0);
	b->pid = fork();
	assert_true(b->pid != -1);
	if (b->pid == 0) {
		/* Gone with the test, however the test ends. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	b->out = fds[0];
}

static void broker_ready(broker_t *b)
{
	char line[600];
	size_t len = 0;
	double deadline = now_s() + 10;

	while (len < sizeof line - 1 && (!len || line[len - 1] != '\n')) {
		struct pollfd pfd = { b->out, POLLIN, 0 };
		int left = (int)((deadline - now_s()) * 1000);
		assert_true(left > 0);
		if (poll(&pfd, 1, left) <= 0)
			continue;
		ssize_t got = read(b->out, line + len, sizeof line - 1 - len);
		assert_true(got > 0);
		len += (size_t)got;
	}
	line[len] = '\0';
	close(b->out);
	assert_prefix(line, "bootstrap=");
	assert_true(len - 11 < sizeof b->bootstrap);
	memcpy(b->bootstrap, line + 10, len - 11);
	b->bootstrap[len - 11] = '\0';
}

/* Its exit status, or -1 for a death by signal; fails when it is still up
 * 5 s after the signal. */
static int broker_reap(broker_t *b)
{
	int st;
	double deadline = now_s() + 5;

	for (;;) {
		pid_t r = waitpid(b->pid, &st, WNOHANG);
		assert_true(r != -1);
		if (r == b->pid)
			break;
		if (now_s() > deadline) {
			kill(b->pid, SIGKILL);
			waitpid(b->pid, &st, 0);
			fail_msg("devbroker still up 5 s after a signal");
		}
		usleep(10000);
	}
	b->pid = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- a consumer ------------------------------------------------------------ */

static rd_kafka_t *client(const char *bootstrap, rd_kafka_type_t type)
{
	char err[256];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();

	assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap,
					   err, sizeof err),
			 RD_KAFKA_CONF_OK);
	assert_int_equal(rd_kafka_conf_set(conf, "log_level", "0", err,
					   sizeof err),
			 RD_KAFKA_CONF_OK);
	if (type == RD_KAFKA_CONSUMER)
		assert_int_equal(rd_kafka_conf_set(conf, "fetch.wait.max.ms",
						   "10", err, sizeof err),
				 RD_KAFKA_CONF_OK);
	rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
	assert_non_null(rk);
	return rk;
}

/* The partition count of a topic, 0 when the broker does not know it. */
static int partitions_of(rd_kafka_t *rk, const char *topic)
{
	const struct rd_kafka_metadata *md;
	int n = 0;

	assert_int_equal(rd_kafka_metadata(rk, 1, NULL, &md, 5000), 0);
	for (int i = 0; i < md->topic_cnt; i++)
		if (!strcmp(md->topics[i].topic, topic) && !md->topics[i].err)
			n = md->topics[i].partition_cnt;
	rd_kafka_metadata_destroy(md);
	return n;
}

typedef struct msg {
	int32_t partition;
	int64_t offset;
	char *key, *value;
	size_t keylen, len;
} msg_t;

static char *dup_n(const void *p, size_t n)
{
	char *s = malloc(n + 1);
	assert_non_null(s);
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* Everything in the topic, each partition in offset order: the broker's
 * watermarks say how much there is. */
static size_t consume_all(const char *bootstrap, const char *topic,
			  msg_t **out)
{
	rd_kafka_t *rk = client(bootstrap, RD_KAFKA_CONSUMER);
	int np = partitions_of(rk, topic);
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	int64_t next[64], want = 0;
	size_t n = 0;

	assert_true(np > 0 && np <= 64);
	*out = NULL;
	for (int32_t p = 0; p < np; p++) {
		int64_t hi;
		assert_int_equal(rd_kafka_query_watermark_offsets(rk, topic, p,
								  &next[p], &hi,
								  5000),
				 0);
		want += hi - next[p];
		if (hi > next[p])
			assert_int_equal(rd_kafka_consume_start_queue(rkt, p,
								      next[p], q),
					 0);
	}
	double deadline = now_s() + 10;
	while ((int64_t)n < want) {
		assert_true(now_s() < deadline);
		rd_kafka_message_t *m = rd_kafka_consume_queue(q, 100);
		if (!m)
			continue;
		if (!m->err) {
			assert_int_equal(m->offset, next[m->partition]++);
			*out = realloc(*out, (n + 1) * sizeof **out);
			assert_non_null(*out);
			(*out)[n++] = (msg_t){ m->partition, m->offset,
					       dup_n(m->key, m->key_len),
					       dup_n(m->payload, m->len),
					       m->key_len, m->len };
		}
		rd_kafka_message_destroy(m);
	}
	for (int32_t p = 0; p < np; p++)
		rd_kafka_consume_stop(rkt, p);
	rd_kafka_queue_destroy(q);
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

/* One input line and where it must end up. */
typedef struct expect {
	const char *line;   /* as in the file, without its newline */
	const char *topic;  /* NULL: not sent */
	const char *tenant; /* the key: the decoded tenant */
	size_t value_len;   /* bytes of the line that are the value */
} expect_t;

/* Checks that `topic` holds exactly the lines of `ex` meant for it: each
 * once, keyed by its tenant, value byte-equal to the line; all of a
 * tenant's lines on one partition, in file order. */
static void check_topic(const char *bootstrap, const char *topic,
			const expect_t *ex, size_t nex, size_t want)
{
	msg_t *m;
	size_t n = consume_all(bootstrap, topic, &m), idx[64];
	int seen[64] = { 0 };

	assert_true(nex <= 64 && want <= 64);
	assert_int_equal(n, want);
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < nex && !(ex[j].topic && ex[j].value_len == m[i].len &&
				    !memcmp(ex[j].line, m[i].value, m[i].len)))
			j++;
		if (j == nex)
			fail_msg("unexpected message \"%s\" in %s", m[i].value,
				 topic);
		assert_string_equal(ex[j].topic, topic);
		assert_int_equal(m[i].keylen, strlen(ex[j].tenant));
		assert_memory_equal(m[i].key, ex[j].tenant, m[i].keylen);
		seen[j]++;
		idx[i] = j;
		for (size_t k = 0; k < i; k++)
			if (!strcmp(m[k].key, m[i].key)) {
				assert_int_equal(m[k].partition, m[i].partition);
				assert_true(idx[k] < idx[i]);
			}
	}
	for (size_t j = 0; j < nex; j++)
		if (ex[j].topic && !strcmp(ex[j].topic, topic))
			assert_int_equal(seen[j], 1);
	free_msgs(m, n);
}

/* ---- fixture ---------------------------------------------------------------- */

typedef struct fixture {
	broker_t def; /* defaults */
	broker_t opt; /* --brokers 3 --partitions 2 --topics x,y,z */
	char dir[64];
	char path[128];
} fixture_t;

static int setup(void **state)
{
	fixture_t *f = calloc(1, sizeof *f);

	assert_non_null(f);
	if (tool()) {
		broker_spawn(&f->def, "");
		broker_spawn(&f->opt, "--brokers 3 --partitions 2 --topics x,y,z");
		broker_ready(&f->def);
		broker_ready(&f->opt);
	}
	snprintf(f->dir, sizeof f->dir, "/tmp/test_produce.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

/* Both brokers stop on a signal, exit status 0. */
static int teardown(void **state)
{
	fixture_t *f = *state;
	int def = 0, opt = 0;

	sh("rm -rf '%s'", f->dir);
	if (f->def.pid) {
		kill(f->def.pid, SIGTERM);
		kill(f->opt.pid, SIGINT);
		def = broker_reap(&f->def);
		opt = broker_reap(&f->opt);
	}
	free(f);
	assert_int_equal(def, 0);
	assert_int_equal(opt, 0);
	return 0;
}

static const char *in_dir(fixture_t *f, const char *name)
{
	snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
	return f->path;
}

/* ---- devbroker ----------------------------------------------------------- */

static void assert_loopback_list(const char *bootstrap, int brokers)
{
	const char *p = bootstrap;

	for (int i = 0; i < brokers; i++) {
		unsigned port;
		int used = 0;
		assert_int_equal(sscanf(p, "127.0.0.1:%u%n", &port, &used), 1);
		assert_true(port > 0 && port < 65536);
		p += used;
		if (i + 1 < brokers) {
			assert_int_equal(*p, ',');
			p++;
		}
	}
	assert_int_equal(*p, '\0');
}

static void devbroker_defaults(void **state)
{
	fixture_t *f = *state;

	if (!tool())
		skip();
	assert_loopback_list(f->def.bootstrap, 1);
	rd_kafka_t *rk = client(f->def.bootstrap, RD_KAFKA_PRODUCER);
	assert_int_equal(partitions_of(rk, "cc.calls"), 8);
	assert_int_equal(partitions_of(rk, "cc.agents"), 8);
	rd_kafka_destroy(rk);
}

static void devbroker_options(void **state)
{
	fixture_t *f = *state;

	if (!tool())
		skip();
	assert_loopback_list(f->opt.bootstrap, 3);
	rd_kafka_t *rk = client(f->opt.bootstrap, RD_KAFKA_PRODUCER);
	assert_int_equal(partitions_of(rk, "x"), 2);
	assert_int_equal(partitions_of(rk, "y"), 2);
	assert_int_equal(partitions_of(rk, "z"), 2);
	assert_int_equal(partitions_of(rk, "cc.calls"), 0);
	rd_kafka_destroy(rk);

	assert_int_equal(sh("'%s' devbroker --partitions 0 2>/dev/null", tool()),
			 2);
	assert_int_equal(sh("'%s' devbroker --topics a,,b 2>/dev/null", tool()),
			 2);
	assert_int_equal(sh("'%s' devbroker --port 9092 2>/dev/null", tool()), 2);
}

/* ---- produce --------------------------------------------------------------- */

#define CALL(tenant, rest) \
	"{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:00:00Z\"," tenant rest "}"

/* Lines 1..13 of the main input; values are the lines without "\r\n". */
static const expect_t mixed[] = {
	{ CALL("\"tenant\":\"acme\",", "\"event\":\"offered\",\"call_id\":\"c1\","
				       "\"queue\":\"sales\""),
	  "cc.calls", "acme", 0 },
	{ "{\"v\":1,\"type\":\"agent\",\"ts\":1795600800000,\"tenant\":\"acme\","
	  "\"agent_id\":\"a1\",\"state\":\"available\"}",
	  "cc.agents", "acme", 0 },
	{ "", NULL, NULL, 0 },
	{ "{\"v\":1,\"type\":\"cdr\",\"tenant\":\"globex\",\"call_id\":\"c9\","
	  "\"queue\":\"q\",\"offered_at\":\"2026-11-25T09:00:00Z\","
	  "\"outcome\":\"abandoned\",\"ended_at\":\"2026-11-25T09:01:00Z\"}",
	  "cc.calls", "globex", 0 },
	{ "{\"v\":1,\"type\":\"call\",\"ts\":", NULL, NULL, 0 },
	{ CALL("", "\"event\":\"answered\",\"call_id\":\"c2\",\"queue\":\"q\","
		   "\"agent_id\":\"a2\""),
	  "cc.calls", "default", 0 },
	{ "{\"v\":1,\"type\":\"agent\",\"ts\":1795600800000,"
	  "\"tenant\":\"caf\\u00e9\",\"agent_id\":\"a3\",\"state\":\"acw\"}",
	  "cc.agents", "caf\xc3\xa9", 0 },
	{ "{\"v\":2,\"type\":\"call\"}", NULL, NULL, 0 },
	{ CALL("\"tenant\":\"acme\",", "\"event\":\"answered\",\"call_id\":\"c3\","
				       "\"queue\":\"sales\",\"agent_id\":\"a1\"") "\r",
	  "cc.calls", "acme", 0 },
	{ "{\"v\":1,\"type\":\"agent\",\"ts\":1795600800000,\"tenant\":\"globex\","
	  "\"agent_id\":\"a4\",\"state\":\"not_ready\",\"reason\":\"lunch\"}",
	  "cc.agents", "globex", 0 },
	{ "[1,2]", NULL, NULL, 0 },
	{ CALL("\"tenant\":\"acme\",", "\"event\":\"offered\",\"call_id\":\"c5\""),
	  NULL, NULL, 0 },
	{ CALL("\"tenant\":\"acme\",", "\"event\":\"ended\",\"call_id\":\"c4\","
				       "\"agent_id\":\"a1\",\"talk_ms\":1000"),
	  "cc.calls", "acme", 0 },
};
#define NMIXED (sizeof mixed / sizeof mixed[0])

/* The file: each line and "\n", but no newline after the last one. */
static void write_expect(const char *path, expect_t *ex, size_t n)
{
	FILE *out = fopen(path, "w");

	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(ex[i].line);
		ex[i].value_len = len && ex[i].line[len - 1] == '\r' ? len - 1
								     : len;
		fprintf(out, "%s%s", ex[i].line, i + 1 < n ? "\n" : "");
	}
	assert_int_equal(fclose(out), 0);
}

static void produce_routes_by_type_and_keys_by_tenant(void **state)
{
	fixture_t *f = *state;
	expect_t ex[NMIXED];
	char in[160], err[160], want[256];

	if (!tool())
		skip();
	memcpy(ex, mixed, sizeof ex);
	snprintf(in, sizeof in, "%s", in_dir(f, "mixed.jsonl"));
	snprintf(err, sizeof err, "%s", in_dir(f, "mixed.err"));
	write_expect(in, ex, NMIXED);

	assert_int_equal(sh("'%s' produce --brokers %s '%s' 2>'%s'", tool(),
			    f->def.bootstrap, in, err),
			 1);

	size_t n;
	char **lines = read_lines(err, &n);
	assert_int_equal(n, 9);
	snprintf(want, sizeof want, "callsla produce: %s:5: malformed_json: ", in);
	assert_prefix(lines[0], want);
	snprintf(want, sizeof want, "callsla produce: %s:8: bad_version: ", in);
	assert_prefix(lines[1], want);
	snprintf(want, sizeof want, "callsla produce: %s:11: not_object: ", in);
	assert_prefix(lines[2], want);
	snprintf(want, sizeof want, "callsla produce: %s:12: missing_field: ", in);
	assert_prefix(lines[3], want);
	assert_string_equal(lines[4],
			    "callsla produce: 13 lines, 8 sent (cc.calls 5, "
			    "cc.agents 3), 4 rejected, 1 empty, 0 delivery "
			    "errors");
	assert_string_equal(lines[5], "callsla produce:   malformed_json"
				      "             1");
	assert_string_equal(lines[6], "callsla produce:   not_object"
				      "                 1");
	assert_string_equal(lines[7], "callsla produce:   bad_version"
				      "                1");
	assert_string_equal(lines[8], "callsla produce:   missing_field"
				      "              1");
	free_lines(lines, n);

	check_topic(f->def.bootstrap, "cc.calls", ex, NMIXED, 5);
	check_topic(f->def.bootstrap, "cc.agents", ex, NMIXED, 3);
}

static void produce_stdin_to_one_topic(void **state)
{
	fixture_t *f = *state;
	expect_t ex[] = {
		{ CALL("\"tenant\":\"t1\",", "\"event\":\"offered\","
					     "\"call_id\":\"k1\",\"queue\":\"q\""),
		  "one", "t1", 0 },
		{ "{\"v\":1,\"type\":\"agent\",\"ts\":1795600800000,"
		  "\"tenant\":\"t2\",\"agent_id\":\"a1\",\"state\":\"talking\"}",
		  "one", "t2", 0 },
		{ CALL("\"tenant\":\"t1\",", "\"event\":\"abandoned\","
					     "\"call_id\":\"k1\",\"queue\":\"q\""),
		  "one", "t1", 0 },
	};
	char in[160], err[160];

	if (!tool())
		skip();
	snprintf(in, sizeof in, "%s", in_dir(f, "one.jsonl"));
	snprintf(err, sizeof err, "%s", in_dir(f, "one.err"));
	write_expect(in, ex, 3);
	assert_int_equal(sh("'%s' produce --brokers %s --topic one - <'%s' "
			    "2>'%s'",
			    tool(), f->def.bootstrap, in, err),
			 0);
	size_t n;
	char **lines = read_lines(err, &n);
	assert_int_equal(n, 1);
	assert_string_equal(lines[0], "callsla produce: 3 lines, 3 sent (one 3), "
				      "0 rejected, 0 empty, 0 delivery errors");
	free_lines(lines, n);
	check_topic(f->def.bootstrap, "one", ex, 3, 3);
	/* Created on first use, with the mock's default partition count. */
	rd_kafka_t *rk = client(f->def.bootstrap, RD_KAFKA_PRODUCER);
	assert_int_equal(partitions_of(rk, "one"), 4);
	rd_kafka_destroy(rk);
}

static void rejects_beyond_ten_are_only_counted(void **state)
{
	fixture_t *f = *state;
	char in[160], err[160], want[256];
	/* Lines 1-7 not JSON, 8-12 of an unknown type, 13 good. */
	const char *text = "x\nx\nx\nx\nx\nx\nx\n"
			   "{\"v\":1,\"type\":\"Call\"}\n"
			   "{\"v\":1,\"type\":\"Call\"}\n"
			   "{\"v\":1,\"type\":\"Call\"}\n"
			   "{\"v\":1,\"type\":\"Call\"}\n"
			   "{\"v\":1,\"type\":\"Call\"}\n" CALL(
				   "", "\"event\":\"offered\",\"call_id\":\"z\","
				       "\"queue\":\"q\"") "\n";

	if (!tool())
		skip();
	snprintf(in, sizeof in, "%s", in_dir(f, "bad.jsonl"));
	snprintf(err, sizeof err, "%s", in_dir(f, "bad.err"));
	write_file(in, text);
	assert_int_equal(sh("'%s' produce --brokers %s --topic many '%s' "
			    "2>'%s'",
			    tool(), f->def.bootstrap, in, err),
			 1);
	size_t n;
	char **lines = read_lines(err, &n);
	assert_int_equal(n, 13);
	for (int i = 0; i < 10; i++) {
		snprintf(want, sizeof want, "callsla produce: %s:%d: %s: ", in,
			 i + 1, i < 7 ? "malformed_json" : "unknown_type");
		assert_prefix(lines[i], want);
	}
	assert_string_equal(lines[10], "callsla produce: 13 lines, 1 sent "
				       "(many 1), 12 rejected, 0 empty, 0 "
				       "delivery errors");
	assert_string_equal(lines[11], "callsla produce:   malformed_json"
				       "             7");
	assert_string_equal(lines[12], "callsla produce:   unknown_type"
				       "               5");
	free_lines(lines, n);
}

static void undelivered_events_fail(void **state)
{
	fixture_t *f = *state;
	char in[160], err[160];

	if (!tool())
		skip();
	snprintf(in, sizeof in, "%s", in_dir(f, "lost.jsonl"));
	snprintf(err, sizeof err, "%s", in_dir(f, "lost.err"));
	write_file(in, CALL("", "\"event\":\"offered\",\"call_id\":\"l1\","
				"\"queue\":\"q\"") "\n"
		       CALL("", "\"event\":\"offered\",\"call_id\":\"l2\","
				"\"queue\":\"q\"") "\n");
	/* Nothing listens on loopback port 1. */
	assert_int_equal(sh("'%s' produce --brokers 127.0.0.1:1 -X "
			    "message.timeout.ms=300 -X log_level=0 '%s' 2>'%s'",
			    tool(), in, err),
			 1);
	size_t n;
	char **lines = read_lines(err, &n);
	assert_int_equal(n, 2);
	assert_string_equal(lines[0], "callsla produce: 2 lines, 2 sent "
				      "(cc.calls 2, cc.agents 0), 0 rejected, "
				      "0 empty, 2 delivery errors");
	assert_prefix(lines[1], "callsla produce: kafka: delivery failed: ");
	free_lines(lines, n);
}

static void usage_errors(void **state)
{
	fixture_t *f = *state;

	if (!tool())
		skip();
	assert_int_equal(sh("'%s' produce /dev/null 2>/dev/null", tool()), 2);
	assert_int_equal(sh("'%s' produce --brokers %s 2>/dev/null", tool(),
			    f->def.bootstrap),
			 2);
	assert_int_equal(sh("'%s' produce --brokers %s a b 2>/dev/null", tool(),
			    f->def.bootstrap),
			 2);
	assert_int_equal(sh("'%s' produce --brokers %s -X nosuch=1 /dev/null "
			    "2>/dev/null",
			    tool(), f->def.bootstrap),
			 1);
	assert_int_equal(sh("'%s' produce --brokers %s '%s/missing' "
			    "2>/dev/null",
			    tool(), f->def.bootstrap, f->dir),
			 1);
}

/* ---- the adapter's topics --------------------------------------------------- */

static void topics_are_numbered_up_to_the_limit(void **state)
{
	const char *props[] = { "log_level=0", NULL };
	char err[256], name[16];
	(void)state;

	csla_kprod_t *p = csla_kprod_new("127.0.0.1:1", "t0", props, err,
					 sizeof err);
	assert_non_null(p);
	for (int i = 1; i < CSLA_KPROD_MAX_TOPICS; i++) {
		snprintf(name, sizeof name, "t%d", i);
		assert_int_equal(csla_kprod_add_topic(p, name), i);
	}
	assert_int_equal(csla_kprod_add_topic(p, "t8"), -1);
	assert_string_equal(csla_kprod_error(p), "t8: more than 8 topics");
	csla_kprod_destroy(p);
}

/* ---- produce --key, --raw ------------------------------------------------ */

/* These use the second broker, where cc.calls and cc.agents do not exist
 * until written to here (devbroker_options checked that before). */
static void produce_key_overrides_tenant(void **state)
{
	fixture_t *f = *state;
	expect_t ex[] = {
		{ CALL("\"tenant\":\"t1\",", "\"event\":\"offered\","
					     "\"call_id\":\"m1\",\"queue\":\"q\""),
		  "keyed", "mis", 0 },
		{ "{\"v\":1,\"type\":\"agent\"}", NULL, NULL, 0 },
		{ CALL("", "\"event\":\"abandoned\",\"call_id\":\"m1\","
			   "\"queue\":\"q\""),
		  "keyed", "mis", 0 },
	};
	char in[160], err[160], want[256];

	if (!tool())
		skip();
	snprintf(in, sizeof in, "%s", in_dir(f, "keyed.jsonl"));
	snprintf(err, sizeof err, "%s", in_dir(f, "keyed.err"));
	write_expect(in, ex, 3);
	/* Without --raw a line that does not decode is still not sent. */
	assert_int_equal(sh("'%s' produce --brokers %s --topic keyed --key mis "
			    "'%s' 2>'%s'",
			    tool(), f->opt.bootstrap, in, err),
			 1);
	size_t n;
	char **lines = read_lines(err, &n);
	assert_int_equal(n, 3);
	snprintf(want, sizeof want, "callsla produce: %s:2: missing_field: ",
		 in);
	assert_prefix(lines[0], want);
	assert_string_equal(lines[1], "callsla produce: 3 lines, 2 sent "
				      "(keyed 2), 1 rejected, 0 empty, 0 "
				      "delivery errors");
	free_lines(lines, n);
	check_topic(f->opt.bootstrap, "keyed", ex, 3, 2);
}

static void produce_raw_sends_every_line(void **state)
{
	fixture_t *f = *state;
	expect_t ex[] = {
		/* Decodes (a CR is JSON whitespace): to cc.agents, CR and
		 * all. */
		{ "{\"v\":1,\"type\":\"agent\",\"ts\":1795600800000,"
		  "\"tenant\":\"t1\",\"agent_id\":\"a1\",\"state\":"
		  "\"available\"}\r",
		  "cc.agents", "raw", 0 },
		{ "not json", "cc.calls", "raw", 0 },
		{ "", NULL, NULL, 0 },
		{ "{\"v\":1,\"type\":\"agent\",\"tenant\":\"t2\"}",
		  "cc.calls", "raw", 0 },
		{ CALL("\"tenant\":\"t3\",", "\"event\":\"offered\","
					     "\"call_id\":\"r1\",\"queue\":\"q\""),
		  "cc.calls", "raw", 0 },
	};
	char in[160], err[160], want[256];

	if (!tool())
		skip();
	snprintf(in, sizeof in, "%s", in_dir(f, "raw.jsonl"));
	snprintf(err, sizeof err, "%s", in_dir(f, "raw.err"));
	write_expect(in, ex, 5);
	ex[0].value_len = strlen(ex[0].line);
	assert_int_equal(sh("'%s' produce --brokers %s --raw --key raw '%s' "
			    "2>'%s'",
			    tool(), f->opt.bootstrap, in, err),
			 0);
	size_t n;
	char **lines = read_lines(err, &n);
	assert_int_equal(n, 5);
	snprintf(want, sizeof want, "callsla produce: %s:2: malformed_json: ",
		 in);
	assert_prefix(lines[0], want);
	assert_true(strstr(lines[0], " (sent: --raw)") != NULL);
	snprintf(want, sizeof want, "callsla produce: %s:4: missing_field: ",
		 in);
	assert_prefix(lines[1], want);
	assert_string_equal(lines[2], "callsla produce: 5 lines, 4 sent "
				      "(cc.calls 3, cc.agents 1), 2 "
				      "undecodable (sent: --raw), 1 empty, 0 "
				      "delivery errors");
	assert_string_equal(lines[3], "callsla produce:   malformed_json"
				      "             1");
	assert_string_equal(lines[4], "callsla produce:   missing_field"
				      "              1");
	free_lines(lines, n);
	check_topic(f->opt.bootstrap, "cc.calls", ex, 5, 3);
	check_topic(f->opt.bootstrap, "cc.agents", ex, 5, 1);

	/* --raw needs a key: a line that does not decode has no tenant. */
	assert_int_equal(sh("'%s' produce --brokers %s --raw '%s' 2>/dev/null",
			    tool(), f->opt.bootstrap, in),
			 2);
	assert_int_equal(sh("'%s' produce --brokers %s --key '' '%s' "
			    "2>/dev/null",
			    tool(), f->opt.bootstrap, in),
			 2);
}

/* ---- consume ------------------------------------------------------------- */

#define TS 1795600800000LL

/* Sends one message with librdkafka to an explicit partition, with a fixed
 * timestamp: key or value NULL are absent, not empty. */
static void send_one(rd_kafka_t *rk, const char *topic, int32_t partition,
		     const void *key, size_t keylen, const void *value,
		     size_t len, const char *const *hnames,
		     const void *const *hvalues, const size_t *hlens,
		     size_t nh)
{
	rd_kafka_headers_t *h = rd_kafka_headers_new(nh);
	for (size_t i = 0; i < nh; i++)
		assert_int_equal(rd_kafka_header_add(h, hnames[i], -1,
						     hvalues[i],
						     (ssize_t)hlens[i]),
				 0);
	assert_int_equal(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
					   RD_KAFKA_V_PARTITION(partition),
					   RD_KAFKA_V_KEY(key, keylen),
					   RD_KAFKA_V_VALUE((void *)value, len),
					   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
					   RD_KAFKA_V_TIMESTAMP(TS),
					   RD_KAFKA_V_HEADERS(h),
					   RD_KAFKA_V_END),
			 0);
}

/* Every byte class the JSON writer treats apart: controls, quote,
 * backslash, DEL, valid 2- and 4-byte UTF-8, a lone continuation byte, a
 * surrogate, beyond U+10FFFF, overlong forms, a sequence cut short. */
static const char bin_value[] =
	"a\0b\x01\x1f\"\\\x7f \xc3\xa9 \xe9 \x80 \xed\xa0\x80 "
	"\xf0\x9f\x98\x80 \xf4\x90\x80\x80 \xc0\xaf \xe0\x80\xaf "
	"\xf0\x8f\xbf\xbf \xef\xbf\xbf \xc2";
static const char bin_json[] =
	"\"a\\u0000b\\u0001\\u001f\\\"\\\\\\u007f \xc3\xa9 \\u00e9 \\u0080 "
	"\\u00ed\\u00a0\\u0080 \xf0\x9f\x98\x80 "
	"\\u00f4\\u0090\\u0080\\u0080 \\u00c0\\u00af "
	"\\u00e0\\u0080\\u00af \\u00f0\\u008f\\u00bf\\u00bf \xef\xbf\xbf "
	"\\u00c2\"";

/* Three messages in topic "bin": a tombstone without key on partition 0, a
 * binary one with headers after it, and one on partition 3. */
static void fill_bin(const char *bootstrap)
{
	rd_kafka_t *rk = client(bootstrap, RD_KAFKA_PRODUCER);
	const char *names[] = { "h1", "h1", "bin", "\xc3\xa9" };
	const void *values[] = { "v1", NULL, "\0\xff\n", "\xc3\xbc" };
	const size_t lens[] = { 2, 0, 3, 2 };

	send_one(rk, "bin", 0, NULL, 0, NULL, 0, NULL, NULL, NULL, 0);
	send_one(rk, "bin", 0, "k\"\\\t", 4, bin_value,
		 sizeof bin_value - 1, names, values, lens, 4);
	send_one(rk, "bin", 3, "p3", 2, "{}", 2, NULL, NULL, NULL, 0);
	assert_int_equal(rd_kafka_flush(rk, 10000), 0);
	rd_kafka_destroy(rk);
}

static void consume_prints_every_byte(void **state)
{
	fixture_t *f = *state;
	char out[160], want[1024];
	const char *lines_want[3];

	if (!tool())
		skip();
	fill_bin(f->def.bootstrap);
	lines_want[0] = "{\"topic\":\"bin\",\"partition\":0,\"offset\":0,"
			"\"timestamp_ms\":1795600800000,\"key\":null,"
			"\"headers\":{},\"value\":null}";
	snprintf(want, sizeof want,
		 "{\"topic\":\"bin\",\"partition\":0,\"offset\":1,"
		 "\"timestamp_ms\":1795600800000,\"key\":\"k\\\"\\\\\\u0009\","
		 "\"headers\":{\"h1\":\"v1\",\"h1\":null,"
		 "\"bin\":\"\\u0000\\u00ff\\u000a\",\"\xc3\xa9\":\"\xc3\xbc\"},"
		 "\"value\":%s}",
		 bin_json);
	lines_want[1] = want;
	lines_want[2] = "{\"topic\":\"bin\",\"partition\":3,\"offset\":0,"
			"\"timestamp_ms\":1795600800000,\"key\":\"p3\","
			"\"headers\":{},\"value\":\"{}\"}";

	snprintf(out, sizeof out, "%s", in_dir(f, "bin.out"));
	assert_int_equal(sh("'%s' consume --brokers %s --topic bin --count 3 "
			    ">'%s'",
			    tool(), f->def.bootstrap, out),
			 0);
	size_t n;
	char **lines = read_lines(out, &n);
	assert_int_equal(n, 3);
	/* Partitions interleave as they come; each is in offset order. */
	int p0 = -1;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < 3 && strcmp(lines[i], lines_want[j]))
			j++;
		if (j == 3)
			fail_msg("unexpected line %s", lines[i]);
		if (j < 2) {
			assert_int_equal((int)j, p0 + 1);
			p0 = (int)j;
		}
	}
	assert_int_equal(p0, 1);
	free_lines(lines, n);

	/* Fewer than --count: all printed, then exit 1 after the timeout
	 * (long enough for a loaded machine to fetch the three first). */
	assert_int_equal(sh("'%s' consume --brokers %s --topic bin --count 4 "
			    "--timeout 3 >'%s' 2>/dev/null",
			    tool(), f->def.bootstrap, out),
			 1);
	lines = read_lines(out, &n);
	assert_int_equal(n, 3);
	free_lines(lines, n);
	/* From the end: nothing new, exit 1 with or without --count. */
	assert_int_equal(sh("'%s' consume --brokers %s --topic bin --from-end "
			    "--timeout 0.5 >'%s' 2>/dev/null",
			    tool(), f->def.bootstrap, out),
			 1);
	lines = read_lines(out, &n);
	assert_int_equal(n, 0);
	free_lines(lines, n);
	/* --count stops early. */
	assert_int_equal(sh("'%s' consume --brokers %s --topic bin --count 1 "
			    "--from-beginning >'%s'",
			    tool(), f->def.bootstrap, out),
			 0);
	lines = read_lines(out, &n);
	assert_int_equal(n, 1);
	free_lines(lines, n);
}

static void consume_errors(void **state)
{
	fixture_t *f = *state;
	const char *b = f->def.bootstrap;

	if (!tool())
		skip();
	/* Usage: 2. */
	assert_int_equal(sh("'%s' consume --brokers %s 2>/dev/null", tool(), b),
			 2);
	assert_int_equal(sh("'%s' consume --topic t 2>/dev/null", tool()), 2);
	assert_int_equal(sh("'%s' consume --brokers %s --topic t --count 0 "
			    "2>/dev/null", tool(), b),
			 2);
	assert_int_equal(sh("'%s' consume --brokers %s --topic t --count x "
			    "2>/dev/null", tool(), b),
			 2);
	assert_int_equal(sh("'%s' consume --brokers %s --topic t --timeout 0 "
			    "2>/dev/null", tool(), b),
			 2);
	assert_int_equal(sh("'%s' consume --brokers %s --topic t --from-end "
			    "--from-beginning 2>/dev/null", tool(), b),
			 2);
	assert_int_equal(sh("'%s' consume --brokers %s --topic t -X nosuch=1 "
			    "2>/dev/null", tool(), b),
			 2);
	/* Nothing listens on loopback port 1: 2. */
	assert_int_equal(sh("'%s' consume --brokers 127.0.0.1:1 --topic t "
			    "--timeout 0.5 -X log_level=0 2>/dev/null", tool()),
			 2);
	/* A topic that does not exist is waited for, not created: 1. */
	assert_int_equal(sh("'%s' consume --brokers %s --topic never "
			    "--timeout 0.5 2>/dev/null", tool(), b),
			 1);
	rd_kafka_t *rk = client(b, RD_KAFKA_PRODUCER);
	assert_int_equal(partitions_of(rk, "never"), 0);
	rd_kafka_destroy(rk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(devbroker_defaults),
		cmocka_unit_test(devbroker_options),
		cmocka_unit_test(produce_routes_by_type_and_keys_by_tenant),
		cmocka_unit_test(produce_stdin_to_one_topic),
		cmocka_unit_test(rejects_beyond_ten_are_only_counted),
		cmocka_unit_test(undelivered_events_fail),
		cmocka_unit_test(usage_errors),
		cmocka_unit_test(topics_are_numbered_up_to_the_limit),
		cmocka_unit_test(produce_key_overrides_tenant),
		cmocka_unit_test(produce_raw_sends_every_line),
		cmocka_unit_test(consume_prints_every_byte),
		cmocka_unit_test(consume_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
