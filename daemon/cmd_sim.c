/* cmd_sim.c - `callsla sim`: the simulator's events as JSONL on stdout, as
 * fast as they come, or produced to Kafka paced in simulated time; its
 * ground truth to a file on request.  The adapter around the pure model
 * (sim.c): options, time zones, output, the clock for pacing. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "callsla/event_json.h"
#include "callsla/timefmt.h"
#include "cmd.h"
#include "kafka_producer.h"
#include "sim.h"

#define OUT_BUF (1 << 20)
/* Room kept free in the output buffer for one line: an agent's log-in
 * with CSLA_MAX_AGENT_QUEUES queue names of the simulator's lengths fits. */
#define LINE_MAX_BYTES 4096
#define MAX_PROPS 64
#define FLUSH_TIMEOUT_MS 60000

static int usage(void)
{
	fprintf(stderr,
		"usage: callsla sim [--seed N] [--days D] [--start YYYY-MM-DD] "
		"[--tenants K]\n"
		"         [--queues Q] [--agents A] [--calls-per-hour C] [--cdr] "
		"[--truth FILE]\n"
		"         [--profile W,W,...] [--shift HH:MM-HH:MM[/LUNCH]]...\n"
		"         [--kafka BROKERS [--topic T] [--speed X] "
		"[-X name=value]...]\n"
		"  With --kafka, call and cdr events go to cc.calls and agent "
		"events to\n  cc.agents (or all to T), keyed by tenant.\n");
	return 2;
}

/* ---- JSONL to stdout ------------------------------------------------- */

typedef struct fd_out {
	int fd;
	char *buf;
	size_t len;
	int err; /* errno of a failed write */
} fd_out_t;

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int fd_flush(fd_out_t *o)
{
	if (o->len && write_all(o->fd, o->buf, o->len) == -1) {
		o->err = errno;
		return -1;
	}
	o->len = 0;
	return 0;
}

static int fd_emit(void *opaque, const csla_event_t *ev)
{
	fd_out_t *o = opaque;

	if (OUT_BUF - o->len < LINE_MAX_BYTES && fd_flush(o) == -1)
		return 1;
	size_t n = csla_event_json(ev, o->buf + o->len, OUT_BUF - o->len);
	if (n + 1 >= OUT_BUF - o->len) {
		o->err = EMSGSIZE;
		return 1;
	}
	o->buf[o->len + n] = '\n';
	o->len += n + 1;
	return 0;
}

/* ---- Kafka, paced -------------------------------------------------------- */

typedef struct kafka_out {
	csla_kprod_t *p;
	double speed;
	bool split;      /* agent events to topic 1 (no --topic given) */
	bool started;
	int64_t t0_ms;   /* simulated time of the first event */
	int64_t wall0_ns; /* monotonic time it was sent */
	char line[LINE_MAX_BYTES];
} kafka_out_t;

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Waits until simulated time ts is due: wall start + (ts - t0) / speed,
 * serving delivery reports meanwhile. */
static void pace(kafka_out_t *k, int64_t ts)
{
	if (!k->started) {
		k->started = true;
		k->t0_ms = ts;
		k->wall0_ns = mono_ns();
		return;
	}
	int64_t due = k->wall0_ns + (int64_t)((double)(ts - k->t0_ms) * 1e6 /
					      k->speed);
	for (;;) {
		int64_t left = due - mono_ns();
		if (left <= 0)
			return;
		if (left >= 1000000) {
			csla_kprod_poll(k->p, left > 100000000 ? 100
							       : (int)(left / 1000000));
		} else {
			struct timespec ts_sleep = { 0, (long)left };
			nanosleep(&ts_sleep, NULL);
		}
	}
}

static int kafka_emit(void *opaque, const csla_event_t *ev)
{
	kafka_out_t *k = opaque;

	pace(k, ev->ts_ms);
	size_t n = csla_event_json(ev, k->line, sizeof k->line);
	if (n >= sizeof k->line)
		return 1;
	int topic = k->split && ev->type == CSLA_EV_AGENT;
	return csla_kprod_produce_to(k->p, topic, ev->tenant.p, ev->tenant.len,
				     k->line, n) == 0
		       ? 0
		       : 1;
}

/* ---- options ------------------------------------------------------------- */

typedef struct args {
	csla_sim_opts_t o;
	const char *truth, *brokers, *topic;
	double speed;
	const char *props[MAX_PROPS + 1]; /* NULL-terminated: args are zeroed */
	size_t nprops;
} args_t;

static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;

	errno = 0;
	if (!*s || *s == '-')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || errno || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(s, lo, hi, &v) == -1)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static int parse_date(const char *s, int64_t *day)
{
	unsigned y, m, d;
	char tail;

	if (strlen(s) != 10 || sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	*day = csla_days_from_civil(y, m, d);
	int64_t yy;
	unsigned mm, dd;
	csla_civil_from_days(*day, &yy, &mm, &dd);
	return mm == m && dd == d ? 0 : -1; /* refuses 2026-02-30 */
}

/* 24 hourly or 48 half-hourly weights from local midnight. */
static int parse_profile(const char *s, double *profile)
{
	double w[CSLA_SIM_SLOTS];
	int n = 0;
	const char *p = s;

	for (;;) {
		char *end;
		if (n == CSLA_SIM_SLOTS)
			return -1;
		errno = 0;
		w[n++] = strtod(p, &end);
		if (end == p || errno || !isfinite(w[n - 1]) || w[n - 1] < 0)
			return -1;
		if (!*end)
			break;
		if (*end != ',')
			return -1;
		p = end + 1;
	}
	if (n != 24 && n != CSLA_SIM_SLOTS)
		return -1;
	for (int i = 0; i < CSLA_SIM_SLOTS; i++)
		profile[i] = n == 24 ? w[i / 2] : w[i];
	return 0;
}

/* HH:MM-HH:MM[/LUNCH] */
static int parse_shift(const char *s, csla_sim_shift_t *sh)
{
	unsigned h1, m1, h2, m2, lunch = 30;
	int used = 0;

	if (sscanf(s, "%2u:%2u-%2u:%2u%n", &h1, &m1, &h2, &m2, &used) != 4)
		return -1;
	if (s[used] == '/') {
		int more = 0;
		if (sscanf(s + used + 1, "%3u%n", &lunch, &more) != 1)
			return -1;
		used += 1 + more;
	}
	if (s[used] || m1 > 59 || m2 > 59 || h1 > 23 || h2 > 24 ||
	    (h2 == 24 && m2))
		return -1;
	*sh = (csla_sim_shift_t){ (int32_t)(h1 * 60 + m1),
				  (int32_t)(h2 * 60 + m2), (int32_t)lunch };
	return 0;
}

static int bad(const char *opt, const char *val)
{
	fprintf(stderr, "callsla sim: %s \"%s\": invalid value\n", opt, val);
	return 2;
}

static int parse_args(int argc, char **argv, args_t *a)
{
	bool shifts_given = false;

	csla_sim_opts_default(&a->o);
	a->speed = 1;
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		if (!strcmp(opt, "--cdr")) {
			a->o.cdr = true;
			continue;
		}
		if (i + 1 >= argc)
			return usage();
		const char *v = argv[++i];
		if (!strcmp(opt, "--seed")) {
			if (parse_u64(v, 0, UINT64_MAX, &a->o.seed) == -1)
				return bad(opt, v);
		} else if (!strcmp(opt, "--days")) {
			if (parse_u32(v, 1, 366, &a->o.days) == -1)
				return bad(opt, v);
		} else if (!strcmp(opt, "--start")) {
			if (parse_date(v, &a->o.start_day) == -1)
				return bad(opt, v);
		} else if (!strcmp(opt, "--tenants")) {
			if (parse_u32(v, 1, CSLA_SIM_MAX_TENANTS, &a->o.tenants) == -1)
				return bad(opt, v);
		} else if (!strcmp(opt, "--queues")) {
			if (parse_u32(v, 1, CSLA_SIM_MAX_QUEUES, &a->o.queues) == -1)
				return bad(opt, v);
		} else if (!strcmp(opt, "--agents")) {
			if (parse_u32(v, 1, CSLA_SIM_MAX_AGENTS, &a->o.agents) == -1)
				return bad(opt, v);
		} else if (!strcmp(opt, "--calls-per-hour")) {
			if (parse_double(v, &a->o.calls_per_hour) == -1)
				return bad(opt, v);
		} else if (!strcmp(opt, "--profile")) {
			if (parse_profile(v, a->o.profile) == -1)
				return bad(opt, v);
		} else if (!strcmp(opt, "--shift")) {
			if (!shifts_given)
				a->o.nshifts = 0;
			shifts_given = true;
			if (a->o.nshifts == CSLA_SIM_MAX_SHIFTS ||
			    parse_shift(v, &a->o.shifts[a->o.nshifts]) == -1)
				return bad(opt, v);
			a->o.nshifts++;
		} else if (!strcmp(opt, "--truth")) {
			a->truth = v;
		} else if (!strcmp(opt, "--kafka")) {
			a->brokers = v;
		} else if (!strcmp(opt, "--topic")) {
			a->topic = v;
		} else if (!strcmp(opt, "--speed")) {
			if (parse_double(v, &a->speed) == -1 || a->speed <= 0)
				return bad(opt, v);
		} else if (!strcmp(opt, "-X")) {
			if (a->nprops == MAX_PROPS)
				return bad(opt, v);
			a->props[a->nprops++] = v;
		} else
			return usage();
	}
	if (a->topic && !a->brokers) {
		fprintf(stderr, "callsla sim: --topic needs --kafka\n");
		return 2;
	}
	return 0;
}

/* ---- the command --------------------------------------------------------- */

static int run_stdout(csla_sim_t *sim)
{
	fd_out_t o = { STDOUT_FILENO, malloc(OUT_BUF), 0, 0 };

	if (!o.buf) {
		fprintf(stderr, "callsla sim: out of memory\n");
		return 1;
	}
	int rc = csla_sim_run(sim, fd_emit, &o);
	if (rc == 0)
		fd_flush(&o);
	free(o.buf);
	if (o.err) {
		fprintf(stderr, "callsla sim: writing events: %s\n",
			strerror(o.err));
		return 1;
	}
	return 0;
}

static int run_kafka(csla_sim_t *sim, args_t *a)
{
	char err[512];
	kafka_out_t *k = calloc(1, sizeof *k);
	if (!k) {
		fprintf(stderr, "callsla sim: out of memory\n");
		return 1;
	}
	k->speed = a->speed;
	k->split = !a->topic;
	k->p = csla_kprod_new(a->brokers, a->topic ? a->topic : "cc.calls",
			      a->props, err, sizeof err);
	if (!k->p) {
		fprintf(stderr, "callsla sim: kafka: %s\n", err);
		free(k);
		return 1;
	}
	if (k->split && csla_kprod_add_topic(k->p, "cc.agents") != 1) {
		fprintf(stderr, "callsla sim: kafka: %s\n",
			csla_kprod_error(k->p));
		csla_kprod_destroy(k->p);
		free(k);
		return 1;
	}
	int rc = csla_sim_run(sim, kafka_emit, k);
	int status = 0;
	if (rc != 0 || csla_kprod_flush(k->p, FLUSH_TIMEOUT_MS) == -1) {
		fprintf(stderr, "callsla sim: kafka: %s (%llu delivered, %llu "
				"failed)\n",
			csla_kprod_error(k->p)[0] ? csla_kprod_error(k->p)
						  : "event too large",
			(unsigned long long)csla_kprod_delivered(k->p),
			(unsigned long long)csla_kprod_failed(k->p));
		status = 1;
	}
	csla_kprod_destroy(k->p);
	free(k);
	return status;
}

static int write_truth(const csla_sim_t *sim, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f || csla_truth_write(csla_sim_truth(sim), f) == -1 ||
	    fclose(f) == EOF) {
		fprintf(stderr, "callsla sim: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

int csla_cmd_sim(int argc, char **argv)
{
	args_t a = { 0 };
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc;

	/* One zone object per distinct name. */
	csla_tz_t **tz = calloc(a.o.tenants, sizeof *tz);
	bool *owner = calloc(a.o.tenants, sizeof *owner);
	char err[512];
	int status = 1;
	csla_sim_t *sim = NULL;
	if (!tz || !owner) {
		fprintf(stderr, "callsla sim: out of memory\n");
		goto out;
	}
	for (uint32_t i = 0; i < a.o.tenants; i++) {
		const char *name = csla_sim_tenant_zone(i, a.o.tenants);
		for (uint32_t j = 0; j < i && !tz[i]; j++)
			if (!strcmp(csla_tz_name(tz[j]), name))
				tz[i] = tz[j];
		if (tz[i])
			continue;
		tz[i] = csla_tz_load(name, err, sizeof err);
		if (!tz[i]) {
			fprintf(stderr, "callsla sim: %s\n", err);
			goto out;
		}
		owner[i] = true;
	}
	a.o.tz = (const csla_tz_t *const *)tz;
	sim = csla_sim_new(&a.o, err, sizeof err);
	if (!sim) {
		fprintf(stderr, "callsla sim: %s\n", err);
		status = 2;
		goto out;
	}
	status = a.brokers ? run_kafka(sim, &a) : run_stdout(sim);
	if (status == 0 && a.truth)
		status = write_truth(sim, a.truth);
out:
	csla_sim_destroy(sim);
	for (uint32_t i = 0; tz && owner && i < a.o.tenants; i++)
		if (owner[i])
			csla_tz_destroy(tz[i]);
	free(tz);
	free(owner);
	return status;
}
