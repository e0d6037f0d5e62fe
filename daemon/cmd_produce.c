/* cmd_produce.c - `callsla produce`: JSONL events to Kafka, one message per
 * line, keyed by tenant, for backfills and tests.  Each line goes through
 * the daemon's decoder first, so that what would be rejected on arrival is
 * reported here, with its line number, and never sent.
 *
 * Two switches exist to reproduce what a faulty producer does, for tests
 * and for trying out the daemon's rejections and dead letters: --key K
 * keys every message by K instead of its tenant, and --raw (with --key)
 * sends every line as it is, decodable or not. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callsla/config.h"
#include "callsla/decode.h"
#include "cmd.h"
#include "kafka_producer.h"

#define CALLS_TOPIC "cc.calls"
#define AGENTS_TOPIC "cc.agents"
#define MAX_PROPS 64
#define FLUSH_TIMEOUT_MS 60000
/* Only this many rejected lines are shown one by one; the rest are in the
 * per-reason summary. */
#define SHOW_REJECTS 10
#define T_OR_CALLS "T or " CALLS_TOPIC

static int usage(void)
{
	fprintf(stderr,
		"usage: callsla produce --brokers B [--topic T] "
		"[--key K [--raw]] [-X name=value]... FILE|-\n"
		"  Sends each JSONL event as one message keyed by its tenant: "
		"call and cdr\n"
		"  events to " CALLS_TOPIC ", agent events to " AGENTS_TOPIC
		", or all to T.  Lines that do\n"
		"  not decode are reported and not sent (exit status 1).\n"
		"  --key K: every message keyed by K instead (a mis-keyed "
		"producer).\n"
		"  --raw (needs --key): every line is sent as it is, without "
		"its newline;\n"
		"  lines that do not decode are reported and sent too, to "
		T_OR_CALLS ".\n");
	return 2;
}

typedef struct args {
	const char *brokers, *topic, *file;
	const char *key; /* NULL: each event's tenant */
	bool raw;
	const char *props[MAX_PROPS + 1]; /* NULL-terminated: args are zeroed */
	size_t nprops;
} args_t;

static int parse_args(int argc, char **argv, args_t *a)
{
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		if (!strcmp(opt, "-") || opt[0] != '-') {
			if (a->file)
				return usage();
			a->file = opt;
			continue;
		}
		if (!strcmp(opt, "--raw")) {
			a->raw = true;
			continue;
		}
		if (i + 1 >= argc)
			return usage();
		const char *v = argv[++i];
		if (!strcmp(opt, "--brokers"))
			a->brokers = v;
		else if (!strcmp(opt, "--topic"))
			a->topic = v;
		else if (!strcmp(opt, "--key"))
			a->key = v;
		else if (!strcmp(opt, "-X")) {
			if (a->nprops == MAX_PROPS) {
				fprintf(stderr, "callsla produce: more than %d "
						"-X properties\n",
					MAX_PROPS);
				return 2;
			}
			a->props[a->nprops++] = v;
		} else
			return usage();
	}
	if (!a->brokers || !a->file || (a->topic && !*a->topic) ||
	    (a->key && !*a->key))
		return usage();
	/* A line that does not decode has no tenant to be keyed by. */
	if (a->raw && !a->key) {
		fprintf(stderr, "callsla produce: --raw needs --key\n");
		return 2;
	}
	return 0;
}

/* The topics of one run, by the producer's topic numbers: 0 is --topic or
 * cc.calls, 1 is cc.agents when the events' types choose. */
typedef struct route {
	const char *name[2];
	int ntopics;
	uint64_t sent[2];
} route_t;

typedef struct tally {
	const char *file;
	bool raw; /* rejected lines are sent anyway */
	uint64_t lines, empty, rejected, unsent;
	csla_reject_counts_t counts;
} tally_t;

static void reject(tally_t *t, uint64_t line, csla_reject_t r,
		   const char *err)
{
	t->counts.n[r]++;
	if (t->rejected++ < SHOW_REJECTS)
		fprintf(stderr, "callsla produce: %s:%llu: %s: %s%s\n",
			t->file, (unsigned long long)line, csla_reject_name(r),
			err, t->raw ? " (sent: --raw)" : "");
}

static csla_kprod_t *open_producer(const args_t *a, route_t *rt)
{
	char err[512];
	rt->name[0] = a->topic ? a->topic : CALLS_TOPIC;
	rt->ntopics = 1;
	csla_kprod_t *p = csla_kprod_new(a->brokers, rt->name[0], a->props, err,
					 sizeof err);
	if (!p) {
		fprintf(stderr, "callsla produce: kafka: %s\n", err);
		return NULL;
	}
	if (!a->topic) {
		rt->name[1] = AGENTS_TOPIC;
		if (csla_kprod_add_topic(p, AGENTS_TOPIC) != 1) {
			fprintf(stderr, "callsla produce: kafka: %s\n",
				csla_kprod_error(p));
			csla_kprod_destroy(p);
			return NULL;
		}
		rt->ntopics = 2;
	}
	return p;
}

/* Decodes and sends every non-empty line of `in` (with --raw, those that
 * do not decode too), keyed by a->key or the event's tenant.  Returns 0, or
 * -1 when the input could not be read. */
static int send_lines(FILE *in, const args_t *a, csla_decoder_t *dec,
		      csla_kprod_t *p, route_t *rt, tally_t *t)
{
	char *line = NULL, err[256];
	size_t cap = 0;
	ssize_t got;

	while ((got = getline(&line, &cap, in)) != -1) {
		size_t len = (size_t)got;
		t->lines++;
		if (len && line[len - 1] == '\n')
			len--;
		while (!a->raw && len && line[len - 1] == '\r')
			len--;
		if (!len) {
			t->empty++;
			continue;
		}
		csla_event_t ev;
		csla_reject_t r = csla_decode(dec, line, len, &ev, err,
					      sizeof err);
		if (r != CSLA_OK) {
			reject(t, t->lines, r, err);
			if (!a->raw)
				continue;
		}
		int topic = rt->ntopics == 2 && r == CSLA_OK &&
			    ev.type == CSLA_EV_AGENT;
		const char *key = a->key ? a->key : ev.tenant.p;
		size_t keylen = a->key ? strlen(a->key) : ev.tenant.len;
		/* The key is copied before the next decode reuses the
		 * decoder's scratch buffer. */
		if (csla_kprod_produce_to(p, topic, key, keylen, line, len) ==
		    -1) {
			t->unsent++;
			continue;
		}
		rt->sent[topic]++;
	}
	int rc = ferror(in) ? -1 : 0;
	if (rc)
		fprintf(stderr, "callsla produce: %s: %s\n", t->file,
			strerror(errno));
	free(line);
	return rc;
}

/* The summary on stderr.  Returns the number of delivery errors: messages
 * that could not be queued, failed, or were still queued at the end. */
static uint64_t summary(const csla_kprod_t *p, const route_t *rt,
			const tally_t *t)
{
	uint64_t sent = rt->sent[0] + rt->sent[1];
	uint64_t errors = sent - csla_kprod_delivered(p) + t->unsent;

	fprintf(stderr, "callsla produce: %llu lines, %llu sent (",
		(unsigned long long)t->lines, (unsigned long long)sent);
	for (int i = 0; i < rt->ntopics; i++)
		fprintf(stderr, "%s%s %llu", i ? ", " : "", rt->name[i],
			(unsigned long long)rt->sent[i]);
	fprintf(stderr, "), %llu %s, %llu empty, %llu delivery errors\n",
		(unsigned long long)t->rejected,
		t->raw ? "undecodable (sent: --raw)" : "rejected",
		(unsigned long long)t->empty, (unsigned long long)errors);
	for (int r = 1; r < CSLA_REJ__COUNT; r++)
		if (t->counts.n[r])
			fprintf(stderr, "callsla produce:   %-26s %llu\n",
				csla_reject_name((csla_reject_t)r),
				(unsigned long long)t->counts.n[r]);
	if (errors)
		fprintf(stderr, "callsla produce: kafka: %s\n",
			csla_kprod_error(p));
	return errors;
}

int csla_cmd_produce(int argc, char **argv)
{
	args_t a = { 0 };
	route_t rt = { 0 };
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc;

	/* The daemon's default limit: what it would reject as too_large is
	 * not sent. */
	csla_conf_t *defaults = csla_conf_new_defaults();
	csla_decoder_t *dec = csla_decoder_new(defaults->max_message_bytes);
	csla_conf_destroy(defaults);
	if (!dec) {
		fprintf(stderr, "callsla produce: out of memory\n");
		return 1;
	}
	FILE *in = strcmp(a.file, "-") ? fopen(a.file, "r") : stdin;
	if (!in) {
		fprintf(stderr, "callsla produce: %s: %s\n", a.file,
			strerror(errno));
		csla_decoder_destroy(dec);
		return 1;
	}
	int status = 1;
	csla_kprod_t *p = open_producer(&a, &rt);
	if (p) {
		tally_t t = { .file = a.file, .raw = a.raw };
		rc = send_lines(in, &a, dec, p, &rt, &t);
		csla_kprod_flush(p, FLUSH_TIMEOUT_MS);
		if (summary(p, &rt, &t) == 0 && (t.rejected == 0 || a.raw) &&
		    rc == 0)
			status = 0;
		csla_kprod_destroy(p);
	}
	if (in != stdin)
		fclose(in);
	csla_decoder_destroy(dec);
	return status;
}
