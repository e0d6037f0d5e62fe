/* cmd_replay.c - `callsla replay`: JSONL events through the engine on the
 * event clock, snapshot lines out (or, with --alerts, the transitions of
 * the alert rules).  The adapter around the pure core: it
 * reads the file, the configuration and the system clock; the engine does
 * the rest exactly as the daemon's will. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "callsla/alert.h"
#include "callsla/config.h"
#include "callsla/engine.h"
#include "callsla/pipe.h"
#include "callsla/timefmt.h"
#include "cmd.h"

/* Only this many rejected lines are shown one by one; the rest are in the
 * per-reason summary. */
#define SHOW_REJECTS 10

typedef struct out {
	char **windows;
	size_t nwindows;
	char *buf;
	size_t cap;
} out_t;

static void emit(void *opaque, const csla_snapshot_t *s)
{
	out_t *o = opaque;
	if (o->nwindows) {
		size_t i = 0;
		while (i < o->nwindows && strcmp(o->windows[i], s->window))
			i++;
		if (i == o->nwindows)
			return;
	}
	size_t need = csla_snapshot_json_grow(s, &o->buf, &o->cap);
	o->buf[need] = '\n';
	fwrite(o->buf, 1, need + 1, stdout);
}

/* --at: epoch milliseconds, or RFC 3339 with an offset. */
static int parse_at(const char *s, int64_t *ms)
{
	char *end;
	if (*s && (isdigit((unsigned char)*s) || *s == '-')) {
		errno = 0;
		long long v = strtoll(s, &end, 10);
		if (!*end && !errno) {
			*ms = v;
			return 0;
		}
	}
	return csla_time_parse_rfc3339(s, strlen(s), ms);
}

/* --alerts: the rules are evaluated at every multiple of
 * alerts.evaluate_every that the event clock crosses, just before the
 * first event later than it is applied, so that each evaluation sees
 * exactly the events up to its time. */
typedef struct alerting {
	csla_alerts_t *al;
	csla_engine_t *e;
	int64_t every;
	int64_t next;      /* the next multiple to evaluate at */
	uint64_t transitions;
	csla_buf_t line;
} alerting_t;

static void print_alert(void *opaque, const csla_alert_event_t *ev)
{
	alerting_t *x = opaque;

	x->line.len = 0;
	csla_alert_event_json(ev, &x->line);
	csla_buf_put(&x->line, "\n", 1);
	fwrite(x->line.p, 1, x->line.len, stdout);
	x->transitions++;
}

/* Evaluates at every multiple before `until` not yet evaluated. */
static void ticks_before(alerting_t *x, int64_t until)
{
	int64_t clock = csla_engine_event_now(x->e);

	if (clock == INT64_MIN)
		return; /* nothing applied: nothing to judge */
	if (x->next == INT64_MIN) /* the first multiple the clock reaches */
		x->next = clock % x->every == 0 || clock < 0
				  ? clock - clock % x->every
				  : clock - clock % x->every + x->every;
	for (; x->next < until; x->next += x->every)
		csla_alerts_eval(x->al, x->e, x->next, print_alert, x);
}

typedef struct rejects {
	const char *file;
	uint64_t lines, applied, rejected;
	csla_reject_counts_t counts;
	alerting_t *alerts; /* NULL without --alerts */
} rejects_t;

/* The pipe's admit hook: ticks crossed before ev are evaluated first. */
static csla_reject_t before_apply(void *opaque, const csla_event_t *ev)
{
	rejects_t *x = opaque;

	ticks_before(x->alerts, ev->ts_ms);
	return CSLA_OK;
}

static void count_reject(void *opaque, uint64_t line, csla_reject_t r,
			 const char *err)
{
	rejects_t *x = opaque;
	if (r == CSLA_OK) {
		x->applied++;
		return;
	}
	x->counts.n[r]++;
	if (x->rejected++ < SHOW_REJECTS)
		fprintf(stderr, "callsla replay: %s:%llu: %s: %s\n", x->file,
			(unsigned long long)line, csla_reject_name(r), err);
}

/* Feeds every non-empty line of `in` to the pipe, reading in large blocks:
 * a line stays in the block (the pipe borrows it) until the pipe is drained
 * before the block is refilled.  Returns 0, or 1 when the input could not
 * be read. */
#define BLOCK (1u << 20)
static int feed(FILE *in, const char *file, csla_pipe_t *pipe, int64_t wall,
		uint64_t *lines)
{
	size_t cap = BLOCK, have = 0;
	char *buf = malloc(cap);
	if (!buf) {
		fprintf(stderr, "callsla replay: out of memory\n");
		exit(1);
	}
	for (;;) {
		if (have == cap) { /* one line longer than the block */
			cap *= 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				fprintf(stderr, "callsla replay: out of memory\n");
				exit(1);
			}
			buf = nb;
		}
		size_t got = fread(buf + have, 1, cap - have, in);
		have += got;
		bool eof = got == 0;
		size_t start = 0;
		for (size_t i = 0; i < have; i++) {
			if (buf[i] != '\n')
				continue;
			size_t len = i - start;
			++*lines;
			while (len && buf[start + len - 1] == '\r')
				len--;
			if (len)
				csla_pipe_push(pipe, buf + start, len, *lines, wall);
			start = i + 1;
		}
		if (eof && start < have) { /* last line without newline */
			++*lines;
			csla_pipe_push(pipe, buf + start, have - start, *lines,
				       wall);
			start = have;
		}
		csla_pipe_drain(pipe);
		memmove(buf, buf + start, have - start);
		have -= start;
		if (eof)
			break;
	}
	free(buf);
	if (ferror(in)) {
		fprintf(stderr, "callsla replay: %s: %s\n", file,
			strerror(errno));
		return 1;
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: callsla replay [--config FILE] [--at TS] "
			"[--window W]... FILE|-\n"
			"       callsla replay --alerts [--config FILE] "
			"[--at TS] FILE|-\n");
	return 2;
}

static int64_t wall_now(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int csla_cmd_replay(int argc, char **argv)
{
	const char *conf_path = NULL, *file = NULL;
	bool have_at = false, alerts = false;
	int64_t at = 0;
	out_t out = { 0 };
	char *windows[CSLA_MAX_WINDOWS * 4];

	out.windows = windows;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--config") && i + 1 < argc)
			conf_path = argv[++i];
		else if (!strcmp(a, "--at") && i + 1 < argc) {
			if (parse_at(argv[++i], &at) == -1) {
				fprintf(stderr, "callsla replay: --at \"%s\": "
						"expected RFC 3339 with an "
						"offset or epoch milliseconds\n",
					argv[i]);
				return 2;
			}
			have_at = true;
		} else if (!strcmp(a, "--alerts")) {
			alerts = true;
		} else if (!strcmp(a, "--window") && i + 1 < argc) {
			if (out.nwindows == sizeof windows / sizeof *windows)
				return usage();
			windows[out.nwindows++] = argv[++i];
		} else if (a[0] == '-' && a[1] != '\0')
			return usage();
		else if (file)
			return usage();
		else
			file = a;
	}
	if (!file || (alerts && out.nwindows))
		return usage();

	char err[512];
	csla_conf_t *conf = conf_path ? csla_conf_load(conf_path, err, sizeof err)
				      : csla_conf_new_defaults();
	if (!conf) {
		fprintf(stderr, "callsla replay: %s\n",
			conf_path ? err : "out of memory");
		return 1;
	}
	/* A replay always runs on the event clock: same input, same output. */
	conf->clock = CSLA_CLOCK_EVENT;

	FILE *in = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!in) {
		fprintf(stderr, "callsla replay: %s: %s\n", file,
			strerror(errno));
		csla_conf_destroy(conf);
		return 1;
	}
	csla_engine_t *eng = csla_engine_new(conf);
	rejects_t rej = { .file = file };
	csla_pipe_t *pipe = eng ? csla_pipe_new(eng, conf->max_message_bytes,
						count_reject, &rej)
				: NULL;
	if (!pipe) {
		fprintf(stderr, "callsla replay: out of memory\n");
		exit(1);
	}
	if (have_at)
		csla_pipe_set_max_ts(pipe, at);
	alerting_t alerting = { .e = eng, .every = conf->alerts.evaluate_every_ms,
				.next = INT64_MIN };
	if (alerts) {
		if (!(alerting.al = csla_alerts_new(conf))) {
			fprintf(stderr, "callsla replay: out of memory\n");
			exit(1);
		}
		rej.alerts = &alerting;
		csla_pipe_set_admit(pipe, before_apply);
	}
	int status = feed(in, file, pipe, wall_now(), &rej.lines);
	if (in != stdin)
		fclose(in);

	int64_t now = have_at ? at : csla_engine_event_now(eng);
	if (status == 0 && alerts && rej.applied) {
		/* the ticks up to the end, and the end itself */
		ticks_before(&alerting, now);
		csla_alerts_eval(alerting.al, eng, now, print_alert, &alerting);
	} else if (status == 0 && (have_at || rej.applied)) {
		csla_engine_snapshot(eng, now, emit, &out);
	}
	fflush(stdout);

	fprintf(stderr, "callsla replay: %llu lines, %llu applied, %llu "
			"rejected, %llu after --at\n",
		(unsigned long long)rej.lines, (unsigned long long)rej.applied,
		(unsigned long long)rej.rejected,
		(unsigned long long)csla_pipe_skipped(pipe));
	for (int r = 1; r < CSLA_REJ__COUNT; r++)
		if (rej.counts.n[r])
			fprintf(stderr, "callsla replay:   %-26s %llu\n",
				csla_reject_name((csla_reject_t)r),
				(unsigned long long)rej.counts.n[r]);
	if (alerts)
		fprintf(stderr, "callsla replay: %llu alert transitions\n",
			(unsigned long long)alerting.transitions);
	csla_alerts_destroy(alerting.al);
	csla_buf_free(&alerting.line);
	free(out.buf);
	csla_pipe_destroy(pipe);
	csla_engine_destroy(eng);
	csla_conf_destroy(conf);
	return status;
}
