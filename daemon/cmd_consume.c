/* cmd_consume.c - `callsla consume`: every partition of one topic printed
 * as JSON lines (partition, offset, timestamp, key, headers, value), to
 * inspect dead letters or what a producer really sent.
 *
 * It reads with librdkafka's simple consumer (rd_kafka_consume_start_queue
 * per partition at a logical offset): no group.id, no group joined, nothing
 * committed, so callslad's group never sees it.  rd_kafka_assign() would
 * need a group.id.
 *
 * Bytes are printed losslessly where JSON allows: valid UTF-8 as itself,
 * control characters (and DEL) as \u00XX, and each byte that is not part of
 * valid UTF-8 as \u00XX of the byte.  Since valid characters above U+007F
 * are never escaped, an escape \u0080..\u00ff in the output always stands
 * for such a byte (a JSON parser reads it as U+0080..U+00FF, though).
 *
 * Exit status: 0 when N messages were printed (--count N), or at least one
 * without --count; 1 when --timeout seconds passed without a message before
 * that (also when the topic does not exist meanwhile); 2 for usage errors,
 * brokers that cannot be reached, and stdout write errors. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "cmd.h"

#define ME "callsla consume"
#define MAX_PROPS 64
#define DEFAULT_TIMEOUT_S 5.0
/* Between two metadata requests while the topic does not exist yet. */
#define TOPIC_RETRY_MS 200

static int usage(void)
{
	fprintf(stderr,
		"usage: callsla consume --brokers B --topic T "
		"[--from-beginning|--from-end] [--count N]\n"
		"         [--timeout SECONDS] [-X name=value]...\n"
		"  Prints each message of every partition of T as one JSON "
		"line:\n"
		"  {\"topic\",\"partition\",\"offset\",\"timestamp_ms\",\"key\","
		"\"headers\":{..},\"value\"}.\n"
		"  Starts at the beginning (default) or the end of each "
		"partition, joins no\n"
		"  group, commits nothing.  Stops after N messages, or when "
		"none came for\n"
		"  SECONDS (default 5).  Exit 0: N printed (any, without "
		"--count); 1: timed\n"
		"  out before; 2: usage, connection or output error.\n");
	return 2;
}

typedef struct args {
	const char *brokers, *topic;
	int64_t offset; /* RD_KAFKA_OFFSET_BEGINNING or _END */
	bool offset_set;
	uint64_t count; /* 0: no limit */
	int64_t timeout_ms;
	const char *props[MAX_PROPS];
	size_t nprops;
} args_t;

static int parse_count(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v == 0)
		return -1;
	*out = v;
	return 0;
}

/* Seconds, fractions allowed, more than 0 and at most a day. */
static int parse_timeout(const char *s, int64_t *ms)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (*s < '0' || *s > '9' || *end || errno || !(v > 0) || v > 86400)
		return -1;
	*ms = (int64_t)(v * 1000 + 0.5);
	if (*ms < 1)
		*ms = 1;
	return 0;
}

static int parse_args(int argc, char **argv, args_t *a)
{
	a->offset = RD_KAFKA_OFFSET_BEGINNING;
	a->timeout_ms = (int64_t)(DEFAULT_TIMEOUT_S * 1000);
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		if (!strcmp(opt, "--from-beginning") ||
		    !strcmp(opt, "--from-end")) {
			if (a->offset_set)
				return usage();
			a->offset_set = true;
			a->offset = opt[7] == 'b' ? RD_KAFKA_OFFSET_BEGINNING
						  : RD_KAFKA_OFFSET_END;
			continue;
		}
		if (i + 1 >= argc)
			return usage();
		const char *v = argv[++i];
		if (!strcmp(opt, "--brokers"))
			a->brokers = v;
		else if (!strcmp(opt, "--topic"))
			a->topic = v;
		else if (!strcmp(opt, "--count")) {
			if (parse_count(v, &a->count)) {
				fprintf(stderr, ME ": --count \"%s\": expected "
						"a whole number above 0\n", v);
				return 2;
			}
		} else if (!strcmp(opt, "--timeout")) {
			if (parse_timeout(v, &a->timeout_ms)) {
				fprintf(stderr, ME ": --timeout \"%s\": "
						"expected seconds above 0, at "
						"most 86400\n", v);
				return 2;
			}
		} else if (!strcmp(opt, "-X")) {
			if (a->nprops == MAX_PROPS) {
				fprintf(stderr, ME ": more than %d -X "
						"properties\n", MAX_PROPS);
				return 2;
			}
			a->props[a->nprops++] = v;
		} else
			return usage();
	}
	if (!a->brokers || !*a->brokers || !a->topic || !*a->topic)
		return usage();
	return 0;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- JSON ------------------------------------------------------------- */

/* The length of the valid UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return len;
}

/* Writes bytes as a JSON string, or null when p is NULL. */
static void put_str(FILE *f, const void *data, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = data;
	size_t run = 0; /* bytes of p[i - run .. i) to copy as they are */

	if (!p) {
		fputs("null", f);
		return;
	}
	putc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t len = c >= 0x20 && c != '"' && c != '\\' && c != 0x7f
				     ? utf8_seq(p + i, n - i)
				     : 0;
		if (len) {
			run += len;
			i += len;
			continue;
		}
		fwrite(p + i - run, 1, run, f);
		run = 0;
		if (c == '"' || c == '\\') {
			putc('\\', f);
			putc(c, f);
		} else {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4],
					hex[c & 15] };
			fwrite(esc, 1, sizeof esc, f);
		}
		i++;
	}
	fwrite(p + n - run, 1, run, f);
	putc('"', f);
}

static void put_message(FILE *f, const rd_kafka_message_t *m)
{
	rd_kafka_timestamp_type_t tstype;
	int64_t ts = rd_kafka_message_timestamp(m, &tstype);
	rd_kafka_headers_t *hdrs = NULL;

	const char *topic = rd_kafka_topic_name(m->rkt);

	fputs("{\"topic\":", f);
	put_str(f, topic, strlen(topic));
	fprintf(f, ",\"partition\":%" PRId32 ",\"offset\":%" PRId64
		   ",\"timestamp_ms\":",
		m->partition, m->offset);
	if (tstype == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || ts < 0)
		fputs("null", f);
	else
		fprintf(f, "%" PRId64, ts);
	fputs(",\"key\":", f);
	put_str(f, m->key, m->key_len);
	fputs(",\"headers\":{", f);
	if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
		const char *name;
		const void *val;
		size_t size;
		for (size_t i = 0; !rd_kafka_header_get_all(hdrs, i, &name,
							     &val, &size);
		     i++) {
			if (i)
				putc(',', f);
			put_str(f, name, strlen(name));
			putc(':', f);
			put_str(f, val, size);
		}
	}
	fputs("},\"value\":", f);
	put_str(f, m->payload, m->len);
	fputs("}\n", f);
}

/* ---- Kafka ------------------------------------------------------------ */

static rd_kafka_t *open_consumer(const args_t *a)
{
	char err[512];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	/* Nothing of this reader may be stored anywhere: without a group
	 * these only make sure of it. */
	const char *fixed[] = { "enable.auto.commit=false",
				"enable.auto.offset.store=false",
				"enable.partition.eof=false" };
	size_t nfixed = sizeof fixed / sizeof fixed[0];

	if (rd_kafka_conf_set(conf, "bootstrap.servers", a->brokers, err,
			      sizeof err) != RD_KAFKA_CONF_OK)
		goto bad;
	for (size_t i = 0; i < nfixed + a->nprops; i++) {
		const char *nv = i < nfixed ? fixed[i] : a->props[i - nfixed];
		const char *eq = strchr(nv, '=');
		char name[256];
		if (!eq || eq == nv || (size_t)(eq - nv) >= sizeof name) {
			snprintf(err, sizeof err, "-X \"%s\": expected "
				 "name=value", nv);
			goto bad;
		}
		memcpy(name, nv, (size_t)(eq - nv));
		name[eq - nv] = '\0';
		if (rd_kafka_conf_set(conf, name, eq + 1, err, sizeof err) !=
		    RD_KAFKA_CONF_OK)
			goto bad;
	}
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
	if (rk)
		return rk; /* it owns conf now */
bad:
	rd_kafka_conf_destroy(conf);
	fprintf(stderr, ME ": kafka: %s\n", err);
	return NULL;
}

/* The partition count of the topic, waiting until `deadline` for it to
 * exist (a dead-letter topic appears with its first dead letter).  The
 * cluster's whole topic list is asked for: a request naming the topic, or
 * a topic handle made before it exists, can make a broker with automatic
 * topic creation (the mock devbroker) create it.  Returns the count, 0
 * when the topic did not appear in time, -1 when the brokers could not be
 * asked. */
static int partitions_of(rd_kafka_t *rk, const args_t *a, int64_t deadline)
{
	rd_kafka_resp_err_t last = RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;

	for (;;) {
		const struct rd_kafka_metadata *md = NULL;
		int64_t left = deadline - mono_ms();
		if (left < 1)
			left = 1;
		rd_kafka_resp_err_t err = rd_kafka_metadata(
			rk, 1, NULL, &md, left > INT32_MAX ? INT32_MAX : (int)left);
		int n = 0;
		if (!err) {
			for (int i = 0; i < md->topic_cnt; i++)
				if (!strcmp(md->topics[i].topic, a->topic)) {
					last = md->topics[i].err;
					n = last ? 0 : md->topics[i].partition_cnt;
				}
			rd_kafka_metadata_destroy(md);
			if (n > 0)
				return n;
		}
		if (mono_ms() + TOPIC_RETRY_MS >= deadline) {
			if (err) {
				fprintf(stderr, ME ": kafka: no metadata "
						"from %s: %s\n", a->brokers,
					rd_kafka_err2str(err));
				return -1;
			}
			fprintf(stderr, ME ": topic %s: %s\n", a->topic,
				last ? rd_kafka_err2str(last)
				     : "no partitions");
			return 0;
		}
		rd_kafka_poll(rk, TOPIC_RETRY_MS);
	}
}

/* Prints messages until a.count are printed or none came for the timeout.
 * Returns how many were printed. */
static uint64_t print_messages(rd_kafka_t *rk, rd_kafka_queue_t *q,
			       const args_t *a, int64_t deadline)
{
	uint64_t printed = 0;

	while (!a->count || printed < a->count) {
		rd_kafka_poll(rk, 0); /* errors and logs of the handle */
		rd_kafka_message_t *m = rd_kafka_consume_queue(q, 0);
		if (!m) {
			/* Idle: what was printed is shown now, which
			 * matters when following a topic from its end. */
			fflush(stdout);
			int64_t left = deadline - mono_ms();
			if (left <= 0)
				break;
			m = rd_kafka_consume_queue(q, left > 100 ? 100 : (int)left);
			if (!m)
				continue;
		}
		if (m->err) {
			if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
				fprintf(stderr, ME ": %s/%" PRId32 ": %s\n",
					a->topic, m->partition,
					rd_kafka_message_errstr(m));
		} else {
			put_message(stdout, m);
			printed++;
			deadline = mono_ms() + a->timeout_ms;
		}
		rd_kafka_message_destroy(m);
	}
	return printed;
}

int csla_cmd_consume(int argc, char **argv)
{
	args_t a = { 0 };
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc;

	rd_kafka_t *rk = open_consumer(&a);
	if (!rk)
		return 2;
	int np = partitions_of(rk, &a, mono_ms() + a.timeout_ms);
	rd_kafka_topic_t *rkt = NULL;
	if (np > 0) {
		rkt = rd_kafka_topic_new(rk, a.topic, NULL);
		if (!rkt) {
			fprintf(stderr, ME ": topic %s: %s\n", a.topic,
				rd_kafka_err2str(rd_kafka_last_error()));
			np = -1;
		}
	}
	int status = np < 0 ? 2 : 1;
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	int started = 0;
	for (; started < np; started++)
		if (rd_kafka_consume_start_queue(rkt, started, a.offset, q) == -1) {
			fprintf(stderr, ME ": %s/%d: %s\n", a.topic, started,
				rd_kafka_err2str(rd_kafka_last_error()));
			status = 2;
			break;
		}
	if (np > 0 && started == np) {
		/* The wait for the first message starts once the
		 * partitions are asked for. */
		uint64_t printed = print_messages(rk, q, &a,
						  mono_ms() + a.timeout_ms);
		if (a.count ? printed == a.count : printed > 0)
			status = 0;
		else if (a.count)
			fprintf(stderr, ME ": %s: %" PRIu64 " of %" PRIu64
				" messages, then none for %.3f s\n", a.topic,
				printed, a.count, (double)a.timeout_ms / 1000);
		else
			fprintf(stderr, ME ": %s: no message in %.3f s\n",
				a.topic, (double)a.timeout_ms / 1000);
	}
	for (int p = 0; p < started; p++)
		rd_kafka_consume_stop(rkt, p);
	rd_kafka_queue_destroy(q);
	if (rkt)
		rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, ME ": writing stdout: %s\n", strerror(errno));
		status = 2;
	}
	return status;
}
