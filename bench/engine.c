/* bench/engine.c - decode + aggregate from memory on one core.
 *
 * A streaming generator plays a contact centre (AGENTS agents serving three
 * of QUEUES queues each, 8 events per answered call, some abandons and
 * breaks) and writes canonical JSON lines into a chunk buffer; each chunk is
 * then timed two ways: callsla's decoder alone and decode +
 * csla_engine_apply; the first JANSSON_CHUNKS also a third, jansson's
 * json_loadb plus field extraction alone (the yardstick).
 * Generation is not timed.  Peak RSS is the process's, and the input is
 * never held whole, so it measures the engine's state.
 *
 * usage: bench-engine [DAYS [skip-jansson]] (default 1 day, with jansson) */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "callsla/config.h"
#include "callsla/decode.h"
#include "callsla/engine.h"
#include "callsla/pipe.h"
#include "callsla/timefmt.h"

#define AGENTS 10000
#define QUEUES 1000
#define CHUNK 65536
#define LINE 320
/* jansson decodes the first JANSSON_CHUNKS chunks, after their timed
 * passes: its cost per event does not depend on the engine's state, and its
 * heap churn evicts that state, which early in the day is small. */
#define JANSSON_CHUNKS 8

typedef struct agent {
	int64_t next;
	int step;
	uint64_t call;
	int64_t wait, ring, talk, acw;
	int queue;
} agent_t;

static agent_t agents[AGENTS];
static int heap[AGENTS];
static uint64_t rng = 88172645463325252ull;
static uint64_t ncalls;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int64_t uni(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

static void sift_down(int i, int n)
{
	for (;;) {
		int c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && agents[heap[c + 1]].next < agents[heap[c]].next)
			c++;
		if (agents[heap[i]].next <= agents[heap[c]].next)
			return;
		int x = heap[i];
		heap[i] = heap[c];
		heap[c] = x;
		i = c;
	}
}

/* Lines with their lengths, as every feeder of the engine has them (Kafka
 * messages, getline): no strlen in the timed loops. */
typedef struct chunk {
	char *buf;
	size_t len;
	uint32_t off[CHUNK + 8], llen[CHUNK + 8], n;
} chunk_t;

static void line(chunk_t *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void line(chunk_t *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(c->buf + c->len, LINE, fmt, ap);
	va_end(ap);
	c->off[c->n] = (uint32_t)c->len;
	c->llen[c->n++] = (uint32_t)n;
	c->len += (size_t)n + 1;
}

static void call_ev(chunk_t *c, int64_t ts, const char *ev, const agent_t *a,
		    int ai, const char *extra)
{
	char t[32];
	csla_time_format_utc(ts, t, sizeof t);
	line(c, "{\"v\":1,\"type\":\"call\",\"ts\":\"%s\",\"tenant\":\"bench\","
		"\"id\":\"c%llu-%s\",\"event\":\"%s\",\"call_id\":\"c%llu\","
		"\"queue\":\"q%04d\",\"agent_id\":\"agent-%05d\"%s}",
	     t, (unsigned long long)a->call, ev, ev,
	     (unsigned long long)a->call, a->queue, ai, extra);
}

static void agent_ev(chunk_t *c, int64_t ts, int ai, const char *state,
		     const char *extra)
{
	char t[32];
	static uint64_t seq;
	csla_time_format_utc(ts, t, sizeof t);
	line(c, "{\"v\":1,\"type\":\"agent\",\"ts\":\"%s\",\"tenant\":\"bench\","
		"\"id\":\"a%llu\",\"agent_id\":\"agent-%05d\",\"state\":\"%s\"%s}",
	     t, (unsigned long long)++seq, ai, state, extra);
}

/* Emits the next step of the agent at the top of the heap. */
static void step(chunk_t *c)
{
	int ai = heap[0];
	agent_t *a = &agents[ai];
	int64_t t = a->next;
	char x[160];
	switch (a->step) {
	case 0: /* log in */
		snprintf(x, sizeof x,
			 ",\"team\":\"team-%03d\",\"queues\":[\"q%04d\",\"q%04d\",\"q%04d\"]",
			 ai / 25, ai % QUEUES, (ai * 7 + 1) % QUEUES,
			 (ai * 13 + 2) % QUEUES);
		agent_ev(c, t, ai, "available", x);
		a->next = t + uni(1000, 60000);
		a->step = 1;
		break;
	case 1: /* a call rings, an abandon elsewhere, or a break */
		if (rnd() % 20 == 0) {
			agent_ev(c, t, ai, "not_ready", ",\"reason\":\"break\"");
			a->next = t + uni(300000, 900000);
			a->step = 5;
			break;
		}
		a->call = ++ncalls;
		a->queue = (int)(rnd() % 3 == 0 ? ai % QUEUES
						: (ai * 7 + 1) % QUEUES);
		a->wait = uni(0, 30000);
		if (rnd() % 8 == 0) {
			snprintf(x, sizeof x, ",\"wait_ms\":%lld",
				 (long long)a->wait);
			call_ev(c, t - a->wait, "offered", a, ai, "");
			call_ev(c, t, "abandoned", a, ai, x);
			a->next = t + uni(1000, 30000);
			break;
		}
		call_ev(c, t - a->wait, "offered", a, ai, "");
		call_ev(c, t, "alerting", a, ai, "");
		agent_ev(c, t, ai, "alerting", "");
		a->ring = uni(1000, 20000);
		a->next = t + a->ring;
		a->step = 2;
		break;
	case 2: /* answered */
		snprintf(x, sizeof x, ",\"wait_ms\":%lld",
			 (long long)(a->wait + a->ring));
		call_ev(c, t, "answered", a, ai, x);
		agent_ev(c, t, ai, "talking", "");
		a->talk = uni(30000, 400000);
		a->next = t + a->talk;
		a->step = 3;
		break;
	case 3: /* after-call work */
		agent_ev(c, t, ai, "acw", "");
		a->acw = uni(5000, 60000);
		a->next = t + a->acw;
		a->step = 4;
		break;
	case 4: /* handling ended */
		snprintf(x, sizeof x, ",\"talk_ms\":%lld,\"acw_ms\":%lld",
			 (long long)a->talk, (long long)a->acw);
		call_ev(c, t, "ended", a, ai, x);
		/* fall through */
	case 5:
		agent_ev(c, t, ai, "available", "");
		a->next = t + uni(1000, 90000);
		a->step = 1;
		break;
	}
	sift_down(0, AGENTS);
}

/* With PERF_CTL_FD=N in the environment, "enable" and "disable" go to fd
 * N around each timed decode + aggregate pass, for
 * `perf record -D -1 --control fd:N` to sample that part only
 * (bench/README.md). */
static void perf_ctl(const char *cmd)
{
	static int fd = -2;
	if (fd == -2) {
		const char *s = getenv("PERF_CTL_FD");
		fd = s ? atoi(s) : -1;
	}
	if (fd >= 0 && write(fd, cmd, strlen(cmd)) == -1)
		fd = -1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The yardstick: what a program using jansson does to get the same
 * fields out. */
static int jansson_decode(const char *s, size_t len)
{
	json_error_t err;
	json_t *o = json_loadb(s, len, 0, &err);
	if (!o)
		return -1;
	int ok = json_integer_value(json_object_get(o, "v")) == 1;
	const char *type = json_string_value(json_object_get(o, "type"));
	const char *ts = json_string_value(json_object_get(o, "ts"));
	int64_t ms;
	ok &= type && ts && csla_time_parse_rfc3339(ts, strlen(ts), &ms) == 0;
	static const char *const f[] = { "tenant", "id", "event", "call_id",
					 "queue", "agent_id", "state", "team",
					 "reason" };
	for (size_t i = 0; i < sizeof f / sizeof *f; i++)
		(void)json_string_value(json_object_get(o, f[i]));
	(void)json_integer_value(json_object_get(o, "wait_ms"));
	json_decref(o);
	return ok ? 0 : -1;
}

static void count_rejects(void *opaque, uint64_t tag, csla_reject_t r,
			  const char *err)
{
	(void)tag;
	(void)err;
	if (r != CSLA_OK)
		(*(uint64_t *)opaque)++;
}

static void count_row(void *opaque, const csla_snapshot_t *s)
{
	char buf[1024];
	csla_snapshot_json(s, buf, sizeof buf);
	(*(uint64_t *)opaque)++;
}

int main(int argc, char **argv)
{
	int days = argc > 1 ? atoi(argv[1]) : 1;
	int jansson = !(argc > 2 && !strcmp(argv[2], "skip-jansson"));
	csla_conf_t *conf = csla_conf_new_defaults();
	char err[256];
	conf->clock = CSLA_CLOCK_EVENT;
	if (!conf || csla_conf_validate(conf, err, sizeof err)) {
		fprintf(stderr, "bench-engine: config: %s\n", err);
		return 1;
	}
	csla_decoder_t *dec = csla_decoder_new(conf->max_message_bytes);
	csla_engine_t *eng = csla_engine_new(conf);
	uint64_t rejected = 0;
	csla_pipe_t *pipe = csla_pipe_new(eng, conf->max_message_bytes,
					  count_rejects, &rejected);
	chunk_t *c = malloc(sizeof *c);
	c->buf = malloc((size_t)(CHUNK + 8) * LINE);

	int64_t start = 1795564800000LL; /* 2026-11-25T00:00:00Z */
	int64_t end = start + (int64_t)days * 86400000;
	for (int i = 0; i < AGENTS; i++) {
		agents[i].next = start + uni(0, 2 * 3600000);
		heap[i] = i;
	}
	for (int i = AGENTS / 2 - 1; i >= 0; i--)
		sift_down(i, AGENTS);

	double t_dec = 0, t_jan = 0, t_all = 0;
	uint64_t n = 0, n_jan = 0, bytes = 0;
	unsigned chunks = 0;
	csla_event_t ev;
	while (agents[heap[0]].next < end) {
		c->len = 0;
		c->n = 0;
		while (c->n < CHUNK && agents[heap[0]].next < end)
			step(c);
		double t0 = now_s();
		for (uint32_t i = 0; i < c->n; i++) {
			csla_decode(dec, c->buf + c->off[i], c->llen[i], &ev,
				    NULL, 0);
		}
		double t1 = now_s();
		perf_ctl("enable\n");
		for (uint32_t i = 0; i < c->n; i++) {
			bytes += c->llen[i];
			csla_pipe_push(pipe, c->buf + c->off[i], c->llen[i], i,
				       INT64_MAX / 2);
		}
		csla_pipe_drain(pipe);
		perf_ctl("disable\n");
		double t2 = now_s();
		if (jansson && chunks++ < JANSSON_CHUNKS) {
			for (uint32_t i = 0; i < c->n; i++) {
				if (jansson_decode(c->buf + c->off[i],
						   c->llen[i]))
					rejected++;
			}
			t_jan += now_s() - t2;
			n_jan += c->n;
		}
		t_dec += t1 - t0;
		t_all += t2 - t1;
		n += c->n;
	}
	/* One snapshot of every scope and window, as a flush would do. */
	uint64_t rows = 0;
	double s0 = now_s();
	csla_engine_snapshot(eng, csla_engine_event_now(eng), count_row, &rows);
	double t_snap = now_s() - s0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	csla_engine_stats_t st;
	csla_engine_stats(eng, &st);

	printf("bench/engine: %d agents, %d queues, %d day(s), %llu events, "
	       "%.1f bytes/event, rejected %llu\n",
	       AGENTS, QUEUES, days, (unsigned long long)n,
	       (double)bytes / (double)n, (unsigned long long)rejected);
	printf("decode callsla:      %7.1f ns/event  %6.2f M events/s\n",
	       t_dec * 1e9 / (double)n, (double)n / t_dec / 1e6);
	if (n_jan)
		printf("decode jansson:      %7.1f ns/event  %6.2f M events/s "
		       "(the first %llu events)\n",
		       t_jan * 1e9 / (double)n_jan,
		       (double)n_jan / t_jan / 1e6,
		       (unsigned long long)n_jan);
	printf("decode + aggregate:  %7.1f ns/event  %6.2f M events/s\n",
	       t_all * 1e9 / (double)n, (double)n / t_all / 1e6);
	printf("peak RSS:            %7.1f MB\n", ru.ru_maxrss / 1024.0);
	printf("engine state: %llu calls, %llu records, %llu ids, %llu agents, "
	       "%llu queues, %llu teams\n",
	       (unsigned long long)st.calls, (unsigned long long)st.records,
	       (unsigned long long)st.ids, (unsigned long long)st.agents,
	       (unsigned long long)st.queues, (unsigned long long)st.teams);
	printf("snapshot:            %7.1f ms for %llu rows\n", t_snap * 1e3,
	       (unsigned long long)rows);
	/* The tenant's checkpoint, saved and loaded into a fresh engine. */
	csla_buf_t ck = { 0 };
	csla_engine_t *back = csla_engine_new(conf);
	double k0 = now_s();
	csla_engine_save_tenant(eng, (csla_str_t){ "bench", 5 }, &ck);
	double k1 = now_s();
	int bad = csla_engine_load_tenant(back, ck.p, ck.len, err, sizeof err);
	double k2 = now_s();
	printf("checkpoint:          %7.1f MB, save %.1f ms, load %.1f ms%s\n",
	       ck.len / 1e6, (k1 - k0) * 1e3, (k2 - k1) * 1e3,
	       bad ? " (load failed)" : "");
	csla_engine_destroy(back);
	csla_buf_free(&ck);
	csla_pipe_destroy(pipe);
	csla_engine_destroy(eng);
	csla_decoder_destroy(dec);
	csla_conf_destroy(conf);
	free(c->buf);
	free(c);
	return 0;
}
