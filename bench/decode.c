/* bench/decode.c - decoding speed: csla_decode() against jansson's
 * json_loadb() plus field extraction, on the same in-memory mix of events.
 *
 * The mix imitates a busy site: calls through 1,000 queues (offered,
 * alerting, answered or abandoned, ended) and state changes of 10,000
 * agents, 150-250 bytes per event, RFC 3339 timestamps.  Usage:
 *   decode [EVENTS]      (default 1000000)
 * Prints one line per decoder:
 *   decode callsla: 1000000 events, 112.3 ns/event, 8.9 M events/s */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "callsla/decode.h"
#include "callsla/timefmt.h"

#define NQUEUES 1000
#define NAGENTS 10000
#define MAX_EVENT 512

struct corpus {
	char *buf;
	size_t *off; /* event i is buf[off[i] .. off[i + 1]) */
	size_t n;
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* Appends one event of the simulated stream to c. */
static void gen_event(struct corpus *c, size_t i, int64_t ts, char *at)
{
	static const char *const states[] = { "available", "not_ready",
		"talking", "acw", "hold", "alerting" };
	char t[32];
	uint32_t q = rnd(NQUEUES), a = rnd(NAGENTS);
	unsigned call = (unsigned)(i / 4);
	int n;

	csla_time_format_utc(ts, t, sizeof t);
	switch (i % 5) {
	case 0:
		n = snprintf(at, MAX_EVENT, "{\"v\":1,\"type\":\"call\",\"ts\":\"%s\","
			     "\"tenant\":\"acme-contact\",\"id\":\"ev-%08zu\","
			     "\"event\":\"offered\",\"call_id\":\"call-%08u\","
			     "\"queue\":\"queue-%04u\"}", t, i, call, q);
		break;
	case 1:
		n = snprintf(at, MAX_EVENT, "{\"v\":1,\"type\":\"call\",\"ts\":\"%s\","
			     "\"tenant\":\"acme-contact\",\"id\":\"ev-%08zu\","
			     "\"event\":\"answered\",\"call_id\":\"call-%08u\","
			     "\"queue\":\"queue-%04u\",\"agent_id\":\"agent-%05u\","
			     "\"wait_ms\":%u}", t, i, call, q, a, rnd(60000));
		break;
	case 2:
		n = snprintf(at, MAX_EVENT, "{\"v\":1,\"type\":\"call\",\"ts\":\"%s\","
			     "\"tenant\":\"acme-contact\",\"id\":\"ev-%08zu\","
			     "\"event\":\"ended\",\"call_id\":\"call-%08u\","
			     "\"agent_id\":\"agent-%05u\",\"talk_ms\":%u,"
			     "\"hold_ms\":%u,\"acw_ms\":%u}", t, i, call, a,
			     rnd(600000), rnd(30000), rnd(60000));
		break;
	case 3:
		n = snprintf(at, MAX_EVENT, "{\"v\":1,\"type\":\"agent\",\"ts\":\"%s\","
			     "\"tenant\":\"acme-contact\",\"id\":\"ev-%08zu\","
			     "\"agent_id\":\"agent-%05u\",\"state\":\"%s\","
			     "\"team\":\"team-%03u\"}", t, i, a, states[rnd(6)],
			     a / 100);
		break;
	default:
		n = snprintf(at, MAX_EVENT, "{\"v\":1,\"type\":\"agent\",\"ts\":\"%s\","
			     "\"tenant\":\"acme-contact\",\"id\":\"ev-%08zu\","
			     "\"agent_id\":\"agent-%05u\",\"state\":\"available\","
			     "\"team\":\"team-%03u\",\"queues\":[\"queue-%04u\","
			     "\"queue-%04u\"]}", t, i, a, a / 100, q,
			     (q + 1) % NQUEUES);
		break;
	}
	c->off[i + 1] = c->off[i] + (size_t)n;
}

static int corpus_make(struct corpus *c, size_t n)
{
	int64_t ts = 1795600800000LL; /* 2026-11-25T10:00:00Z */

	c->n = n;
	c->buf = malloc(n * 260);
	c->off = malloc((n + 1) * sizeof *c->off);
	if (!c->buf || !c->off)
		return -1;
	c->off[0] = 0;
	for (size_t i = 0; i < n; i++) {
		ts += rnd(20);
		gen_event(c, i, ts, c->buf + c->off[i]);
	}
	return 0;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Decodes every event; returns a checksum of the decoded values, or -1 on
 * the first rejection. */
static int64_t run_callsla(const struct corpus *c, csla_decoder_t *d)
{
	int64_t sum = 0;
	csla_event_t ev;
	char err[128];

	for (size_t i = 0; i < c->n; i++) {
		if (csla_decode(d, c->buf + c->off[i], c->off[i + 1] - c->off[i],
				&ev, err, sizeof err) != CSLA_OK) {
			fprintf(stderr, "event %zu rejected: %s\n", i, err);
			return -1;
		}
		sum += ev.ts_ms + ev.tenant.len + ev.call_id.len + ev.queue.len +
		       ev.agent_id.len + ev.nqueues;
		if (ev.wait_ms != CSLA_NO_MS)
			sum += ev.wait_ms;
	}
	return sum;
}

static size_t json_strlen(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_length(v) : 0;
}

/* The same extraction with jansson: parse to a tree, then look fields up
 * (what a decoder built on jansson would do at least). */
static int64_t run_jansson(const struct corpus *c)
{
	int64_t sum = 0;

	for (size_t i = 0; i < c->n; i++) {
		json_error_t e;
		json_t *o = json_loadb(c->buf + c->off[i], c->off[i + 1] - c->off[i],
				       JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
		const char *ts;
		int64_t ms;
		json_t *v;

		if (!json_is_object(o) ||
		    !(ts = json_string_value(json_object_get(o, "ts"))) ||
		    csla_time_parse_rfc3339(ts, strlen(ts), &ms)) {
			fprintf(stderr, "event %zu: jansson: %s\n", i, e.text);
			json_decref(o);
			return -1;
		}
		sum += ms + json_strlen(o, "tenant") + json_strlen(o, "call_id") +
		       json_strlen(o, "queue") + json_strlen(o, "agent_id");
		json_strlen(o, "v");
		json_strlen(o, "type");
		json_strlen(o, "id");
		json_strlen(o, "event");
		json_strlen(o, "team");
		v = json_object_get(o, "queues");
		if (json_is_array(v))
			sum += (int64_t)json_array_size(v);
		v = json_object_get(o, "wait_ms");
		if (json_is_integer(v))
			sum += json_integer_value(v);
		json_decref(o);
	}
	return sum;
}

static void report(const char *name, const struct corpus *c, double secs)
{
	double ns = secs * 1e9 / (double)c->n;
	printf("decode %s: %zu events, %.1f ns/event, %.1f M events/s\n", name,
	       c->n, ns, 1e3 / ns);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	struct corpus c;
	csla_decoder_t *d = csla_decoder_new(65536);
	int64_t s1, s2;
	double t, best = 1e30;

	if (n == 0 || !d || corpus_make(&c, n)) {
		fprintf(stderr, "usage: decode [EVENTS > 0] (or out of memory)\n");
		return 2;
	}
	printf("# decode: %zu events of %.1f bytes on average\n", n,
	       (double)c.off[n] / (double)n);
	/* best of three: the first pass also warms caches and page tables */
	for (int pass = 0; pass < 3; pass++) {
		t = now_s();
		s1 = run_callsla(&c, d);
		t = now_s() - t;
		if (t < best)
			best = t;
	}
	report("callsla", &c, best);
	t = now_s();
	s2 = run_jansson(&c);
	report("jansson", &c, now_s() - t);
	if (s1 < 0 || s1 != s2) {
		fprintf(stderr, "decode: checksums differ (%lld vs %lld)\n",
			(long long)s1, (long long)s2);
		return 1;
	}
	csla_decoder_destroy(d);
	free(c.buf);
	free(c.off);
	return 0;
}
