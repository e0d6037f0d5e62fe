/* cmd_replay.c - `callsla replay`: JSONL events through the engine on the
 * event clock, snapshot lines out.  The adapter around the pure core: it
 * reads the file, the configuration and the system clock; the engine does
 * the rest exactly as the daemon's will. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "callsla/config.h"
#include "callsla/decode.h"
#include "callsla/engine.h"
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
	size_t need = csla_snapshot_json(s, o->buf, o->cap);
	if (need >= o->cap) {
		o->cap = need + 1;
		char *nb = realloc(o->buf, o->cap);
		if (!nb) {
			fprintf(stderr, "callsla replay: out of memory\n");
			exit(1);
		}
		o->buf = nb;
		csla_snapshot_json(s, o->buf, o->cap);
	}
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

static int usage(void)
{
	fprintf(stderr, "usage: callsla replay [--config FILE] [--at TS] "
			"[--window W]... FILE|-\n");
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
	bool have_at = false;
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
	if (!file)
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
	csla_decoder_t *dec = csla_decoder_new(conf->max_message_bytes);
	csla_engine_t *eng = csla_engine_new(conf);
	if (!dec || !eng) {
		fprintf(stderr, "callsla replay: out of memory\n");
		exit(1);
	}

	csla_reject_counts_t rej = { { 0 } };
	uint64_t lines = 0, applied = 0, after_at = 0, rejected = 0;
	int64_t wall = wall_now();
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, in)) != -1) {
		lines++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (len == 0)
			continue;
		csla_event_t ev;
		csla_reject_t r = csla_decode(dec, line, (size_t)len, &ev, err,
					      sizeof err);
		if (r == CSLA_OK && have_at && ev.ts_ms > at) {
			after_at++;
			continue;
		}
		if (r == CSLA_OK) {
			r = csla_engine_apply(eng, &ev, wall);
			snprintf(err, sizeof err, "not applied");
		}
		if (r == CSLA_OK) {
			applied++;
			continue;
		}
		rej.n[r]++;
		if (rejected++ < SHOW_REJECTS)
			fprintf(stderr, "callsla replay: %s:%llu: %s: %s\n",
				file, (unsigned long long)lines,
				csla_reject_name(r), err);
	}
	int status = 0;
	if (ferror(in)) {
		fprintf(stderr, "callsla replay: %s: %s\n", file,
			strerror(errno));
		status = 1;
	}
	free(line);
	if (in != stdin)
		fclose(in);

	int64_t now = have_at ? at : csla_engine_event_now(eng);
	if (status == 0 && (have_at || applied))
		csla_engine_snapshot(eng, now, emit, &out);
	fflush(stdout);

	fprintf(stderr, "callsla replay: %llu lines, %llu applied, %llu "
			"rejected, %llu after --at\n",
		(unsigned long long)lines, (unsigned long long)applied,
		(unsigned long long)rejected, (unsigned long long)after_at);
	for (int r = 1; r < CSLA_REJ__COUNT; r++)
		if (rej.n[r])
			fprintf(stderr, "callsla replay:   %-26s %llu\n",
				csla_reject_name((csla_reject_t)r),
				(unsigned long long)rej.n[r]);
	free(out.buf);
	csla_engine_destroy(eng);
	csla_decoder_destroy(dec);
	csla_conf_destroy(conf);
	return status;
}
