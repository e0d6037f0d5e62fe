/* cmd_convert.c - `callsla convert --from technion FILE...`: the Technion
 * "Anonymous Bank" monthly files in, canonical JSONL events out, all files
 * merged and sorted by event time; a summary of what every row became on
 * stderr.  The row rules live in technion.c; this file does the I/O, the
 * merge and the counting. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callsla/event_json.h"
#include "callsla/tz.h"
#include "cmd.h"
#include "technion.h"
#include "util.h"

#define USAGE "usage: callsla convert --from technion FILE...\n"

typedef struct src {
	const char *name;
	char *data;
	size_t len;
} src_t;

/* One output event.  The line is converted again when it is written: that
 * keeps 40 bytes per event in memory instead of its JSON. */
typedef struct rec {
	int64_t ts_ms;
	const char *line;
	const char *call_id; /* tie-break: independent of the input order */
	uint32_t line_len;
	uint32_t row;        /* last tie-break, should call ids repeat */
	uint16_t call_id_len;
	uint8_t ev;          /* index in the call: offered < answered < ended */
} rec_t;

typedef struct stats {
	uint64_t rows[CSLA_TN__COUNT];
	uint64_t notes[CSLA_TN_NOTE__COUNT];
	uint64_t lines, events;
	const char *first_file[CSLA_TN__COUNT];
	uint64_t first_line[CSLA_TN__COUNT];
} stats_t;

static int read_all(const char *name, src_t *s)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "rb") : stdin;
	size_t cap = 1 << 20;

	s->name = name;
	s->len = 0;
	if (!f) {
		fprintf(stderr, "callsla convert: %s: %s\n", name,
			strerror(errno));
		return -1;
	}
	s->data = csla_xmalloc(cap);
	for (;;) {
		if (s->len == cap)
			s->data = csla_xrealloc(s->data, cap *= 2);
		size_t n = fread(s->data + s->len, 1, cap - s->len, f);
		s->len += n;
		if (n == 0)
			break;
	}
	int err = ferror(f) ? errno : 0;
	if (f != stdin)
		fclose(f);
	if (err) {
		fprintf(stderr, "callsla convert: %s: %s\n", name,
			strerror(err));
		return -1;
	}
	return 0;
}

static int cmp_rec(const void *a, const void *b)
{
	const rec_t *x = a, *y = b;

	if (x->ts_ms != y->ts_ms)
		return x->ts_ms < y->ts_ms ? -1 : 1;
	size_t n = x->call_id_len < y->call_id_len ? x->call_id_len
						   : y->call_id_len;
	int c = memcmp(x->call_id, y->call_id, n);
	if (c)
		return c;
	if (x->call_id_len != y->call_id_len)
		return x->call_id_len < y->call_id_len ? -1 : 1;
	if (x->ev != y->ev)
		return x->ev < y->ev ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

/* Converts every line of s, appending its events to *recs and the call ids
 * to the arena (never longer than the line they come from, so an arena as
 * large as the input cannot overflow). */
static void collect(const csla_tz_t *tz, const src_t *s, stats_t *st,
		    rec_t **recs, uint32_t *nrec, uint32_t *cap, char **arena)
{
	const char *p = s->data, *end = s->data + s->len;
	csla_tn_out_t out;

	for (uint64_t lineno = 1; p < end; lineno++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl + 1 : end;
		size_t len = (size_t)(le - p);
		csla_tn_row_t r = csla_tn_convert(tz, p, len, &out);

		st->lines++;
		if (!st->rows[r]++) {
			st->first_file[r] = s->name;
			st->first_line[r] = lineno;
		}
		if (r == CSLA_TN_CALL) {
			size_t cl = strlen(out.call_id);
			memcpy(*arena, out.call_id, cl);
			csla_grow(recs, cap, (size_t)*nrec + out.nev,
				  sizeof **recs);
			for (unsigned i = 0; i < out.nev; i++)
				(*recs)[(*nrec)++] = (rec_t){
					.ts_ms = out.ev[i].ts_ms,
					.line = p,
					.call_id = *arena,
					.line_len = (uint32_t)len,
					.row = (uint32_t)st->lines,
					.call_id_len = (uint16_t)cl,
					.ev = (uint8_t)i,
				};
			*arena += cl;
			st->events += out.nev;
			for (unsigned b = 0; b < CSLA_TN_NOTE__COUNT; b++)
				st->notes[b] += (out.notes >> b) & 1;
		}
		p = le;
	}
}

static void summary(const stats_t *st, size_t nfiles)
{
	uint64_t bad = 0;

	for (int r = CSLA_TN_FIRST_BAD; r < CSLA_TN__COUNT; r++)
		bad += st->rows[r];
	fprintf(stderr,
		"callsla convert: %llu rows from %zu file%s: %llu calls "
		"(%llu events), %llu header, %llu blank, %llu phantom, "
		"%llu vru_only, %llu bad\n",
		(unsigned long long)st->lines, nfiles, nfiles == 1 ? "" : "s",
		(unsigned long long)st->rows[CSLA_TN_CALL],
		(unsigned long long)st->events,
		(unsigned long long)st->rows[CSLA_TN_HEADER],
		(unsigned long long)st->rows[CSLA_TN_BLANK],
		(unsigned long long)st->rows[CSLA_TN_PHANTOM],
		(unsigned long long)st->rows[CSLA_TN_VRU_ONLY],
		(unsigned long long)bad);
	fprintf(stderr, "callsla convert: bad rows:");
	for (int r = CSLA_TN_FIRST_BAD; r < CSLA_TN__COUNT; r++)
		fprintf(stderr, " %s=%llu", csla_tn_row_name(r),
			(unsigned long long)st->rows[r]);
	fprintf(stderr, "\n");
	for (int r = CSLA_TN_FIRST_BAD; r < CSLA_TN__COUNT; r++)
		if (st->rows[r])
			fprintf(stderr,
				"callsla convert: first %s row: %s:%llu\n",
				csla_tn_row_name(r), st->first_file[r],
				(unsigned long long)st->first_line[r]);
	fprintf(stderr, "callsla convert: notes:");
	for (unsigned b = 0; b < CSLA_TN_NOTE__COUNT; b++)
		fprintf(stderr, " %s=%llu", csla_tn_note_name(b),
			(unsigned long long)st->notes[b]);
	fprintf(stderr, "\n");
}

static int write_events(const csla_tz_t *tz, const rec_t *recs, uint32_t n)
{
	/* The longest possible event: three 128-byte identifiers (and the id
	 * and call id repeat one), each byte escaped to six. */
	char buf[8192];
	csla_tn_out_t out;

	for (uint32_t i = 0; i < n; i++) {
		csla_tn_convert(tz, recs[i].line, recs[i].line_len, &out);
		size_t len = csla_event_json(&out.ev[recs[i].ev], buf,
					     sizeof buf - 1);
		buf[len] = '\n';
		fwrite(buf, 1, len + 1, stdout);
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "callsla convert: write error: %s\n",
			strerror(errno));
		return 1;
	}
	return 0;
}

int csla_cmd_convert(int argc, char **argv)
{
	const char *from = NULL;
	const char **files = csla_xcalloc((size_t)argc, sizeof *files);
	size_t nfiles = 0;
	bool opts = true;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (opts && !strcmp(a, "--from") && i + 1 < argc) {
			from = argv[++i];
		} else if (opts && !strncmp(a, "--from=", 7)) {
			from = a + 7;
		} else if (opts && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			fputs(USAGE, stdout);
			free(files);
			return 0;
		} else if (opts && !strcmp(a, "--")) {
			opts = false;
		} else if (opts && a[0] == '-' && a[1]) {
			fprintf(stderr, "callsla convert: unknown option %s\n"
				USAGE, a);
			free(files);
			return 2;
		} else {
			files[nfiles++] = a;
		}
	}
	if (!from || strcmp(from, "technion") || !nfiles) {
		if (from && strcmp(from, "technion"))
			fprintf(stderr, "callsla convert: unknown source "
				"\"%s\" (known: technion)\n", from);
		fputs(USAGE, stderr);
		free(files);
		return 2;
	}

	char err[256];
	csla_tz_t *tz = csla_tz_load(CSLA_TN_ZONE, err, sizeof err);
	if (!tz) {
		fprintf(stderr, "callsla convert: %s\n", err);
		free(files);
		return 1;
	}

	/* Every file is read before anything is written: an unreadable one
	 * fails the run without half an output. */
	src_t *srcs = csla_xcalloc(nfiles, sizeof *srcs);
	size_t total = 0;
	int rc = 0;
	for (size_t i = 0; i < nfiles && !rc; i++) {
		if (read_all(files[i], &srcs[i]))
			rc = 1;
		total += srcs[i].len;
	}

	rec_t *recs = NULL;
	uint32_t nrec = 0, cap = 0;
	char *arena = csla_xmalloc(total);
	if (!rc) {
		stats_t st;
		char *a = arena;

		memset(&st, 0, sizeof st);
		for (size_t i = 0; i < nfiles; i++)
			collect(tz, &srcs[i], &st, &recs, &nrec, &cap, &a);
		qsort(recs, nrec, sizeof *recs, cmp_rec);
		setvbuf(stdout, NULL, _IOFBF, 1 << 20);
		rc = write_events(tz, recs, nrec);
		summary(&st, nfiles);
	}

	free(recs);
	free(arena);
	for (size_t i = 0; i < nfiles; i++)
		free(srcs[i].data);
	free(srcs);
	free(files);
	csla_tz_destroy(tz);
	return rc;
}
