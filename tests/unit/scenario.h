/*
 * scenario.h - a harness for the engine scenario tests (test_engine_*.c):
 * feeds JSON event lines through csla_decode() and csla_engine_apply(),
 * collects csla_engine_snapshot() rows, and compares row fields with the
 * numbers each test works out by hand.
 *
 * Event lines are written for the eye: single quotes stand for double
 * quotes, the braces and "v":1 are added, and a quoted time of day such as
 * '10:00:10' or '10:00:20.001' becomes sc->day + "T" + it + sc->zone
 * ("2026-11-25T10:00:10Z" by default).  Full RFC 3339 strings pass as is.
 *
 * Include after <cmocka.h>.
 */
#ifndef CALLSLA_TEST_SCENARIO_H
#define CALLSLA_TEST_SCENARIO_H

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callsla/config.h"
#include "callsla/decode.h"
#include "callsla/engine.h"
#include "callsla/timefmt.h"

typedef struct sc_row {
	char tenant[CSLA_ID_MAX + 1];
	char id[CSLA_ID_MAX + 1];
	char window[16];
	csla_snapshot_t s; /* strings point into this row; qc is NULL */
	char json[2048];
} sc_row_t;

typedef struct scenario {
	csla_conf_t *conf;
	csla_engine_t *e;
	csla_decoder_t *d;
	const char *day;    /* date of bare times of day ["2026-11-25"] */
	const char *zone;   /* their offset ["Z"] */
	const char *tenant; /* tenant that sc_get() looks in ["default"] */
	int64_t wall;       /* wall_ms passed to apply; INT64_MAX/2 when 0 */
	sc_row_t *rows;
	size_t nrows, cap;
} scenario_t;

/* A conf with the built-in defaults and the event clock, for the test to
 * adjust before sc_start(). */
static inline scenario_t *sc_new(void)
{
	scenario_t *sc = calloc(1, sizeof *sc);

	assert_non_null(sc);
	sc->conf = csla_conf_new_defaults();
	assert_non_null(sc->conf);
	sc->conf->clock = CSLA_CLOCK_EVENT;
	sc->day = "2026-11-25";
	sc->zone = "Z";
	sc->tenant = "default";
	return sc;
}

/* Validates the conf and creates the engine and the decoder. */
static inline void sc_start(scenario_t *sc)
{
	char err[256] = "";

	if (csla_conf_validate(sc->conf, err, sizeof err) != 0) {
		print_error("csla_conf_validate: %s\n", err);
		fail();
	}
	sc->e = csla_engine_new(sc->conf);
	sc->d = csla_decoder_new(sc->conf->max_message_bytes);
	assert_non_null(sc->e);
	assert_non_null(sc->d);
}

static inline void sc_free(scenario_t *sc)
{
	csla_engine_destroy(sc->e);
	csla_decoder_destroy(sc->d);
	csla_conf_destroy(sc->conf);
	free(sc->rows);
	free(sc);
}

static inline int sc_is_time_of_day(const char *s, size_t n)
{
	if (n < 8 || !isdigit((unsigned char)s[0]) || s[2] != ':' ||
	    s[5] != ':')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && s[i] != ':' && s[i] != '.')
			return 0;
	return 1;
}

/* The expansion described at the top, into out (NUL-terminated). */
static inline void sc_expand(const scenario_t *sc, const char *in, char *out,
			     size_t outlen)
{
	size_t o = 0;

	while (*in) {
		const char *end;

		if (*in != '\'' || !(end = strchr(in + 1, '\''))) {
			out[o++] = *in++;
		} else {
			size_t n = (size_t)(end - in - 1);
			int tod = sc_is_time_of_day(in + 1, n);

			o += (size_t)snprintf(out + o, outlen - o,
					      "\"%s%s%.*s%s\"",
					      tod ? sc->day : "", tod ? "T" : "",
					      (int)n, in + 1,
					      tod ? sc->zone : "");
			in = end + 1;
		}
		assert_true(o < outlen - 1);
	}
	out[o] = '\0';
}

/* Epoch ms of a time of day (on sc->day, in sc->zone) or of a full
 * RFC 3339 string. */
static inline int64_t sc_ms(const scenario_t *sc, const char *t)
{
	char q[128], full[128];
	int64_t ms;

	snprintf(q, sizeof q, "'%s'", t);
	sc_expand(sc, q, full, sizeof full);
	if (csla_time_parse_rfc3339(full + 1, strlen(full) - 2, &ms) != 0) {
		print_error("bad time %s\n", full);
		fail();
	}
	return ms;
}

/* Decodes and applies one event line (see the top); the line must decode. */
static inline csla_reject_t sc_event(scenario_t *sc, const char *fmt, ...)
{
	char line[2048], json[4096], err[256] = "";
	csla_event_t ev;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	sc_expand(sc, line, json + 7, sizeof json - 8);
	memcpy(json, "{\"v\":1,", 7);
	strcat(json, "}");
	csla_reject_t r = csla_decode(sc->d, json, strlen(json), &ev, err,
				      sizeof err);
	if (r != CSLA_OK) {
		print_error("%s: decode: %s: %s\n", json, csla_reject_name(r),
			    err);
		fail();
	}
	return csla_engine_apply(sc->e, &ev, sc->wall ? sc->wall
						      : INT64_MAX / 2);
}

#define sc_ok(sc, ...) sc_expect(sc, CSLA_OK, __VA_ARGS__)
#define sc_expect(sc, want, ...)                                          \
	do {                                                              \
		csla_reject_t r_ = sc_event(sc, __VA_ARGS__);            \
		if (r_ != (want)) {                                       \
			print_error("line %d: got %s, expected %s\n",     \
				    __LINE__, csla_reject_name(r_),        \
				    csla_reject_name(want));              \
			fail();                                           \
		}                                                         \
	} while (0)

static inline void sc_collect(void *opaque, const csla_snapshot_t *s)
{
	scenario_t *sc = opaque;

	if (sc->nrows == sc->cap) {
		sc->cap = sc->cap ? 2 * sc->cap : 64;
		sc->rows = realloc(sc->rows, sc->cap * sizeof *sc->rows);
		assert_non_null(sc->rows);
	}
	sc_row_t *r = &sc->rows[sc->nrows++];

	assert_true(s->tenant.len <= CSLA_ID_MAX && s->id.len <= CSLA_ID_MAX);
	assert_true(strlen(s->window) < sizeof r->window);
	assert_true(csla_snapshot_json(s, r->json, sizeof r->json) <
		    sizeof r->json);
	memcpy(r->tenant, s->tenant.p, s->tenant.len);
	r->tenant[s->tenant.len] = '\0';
	memcpy(r->id, s->id.p, s->id.len);
	r->id[s->id.len] = '\0';
	strcpy(r->window, s->window);
	r->s = *s;
	r->s.tenant = (csla_str_t){ r->tenant, s->tenant.len };
	r->s.id = (csla_str_t){ r->id, s->id.len };
	r->s.window = r->window;
	r->s.qc = NULL;
}

/* Replaces the collected rows with a snapshot as of `at` (see sc_ms). */
static inline void sc_snap(scenario_t *sc, const char *at)
{
	sc->nrows = 0;
	csla_engine_snapshot(sc->e, sc_ms(sc, at), sc_collect, sc);
	/* rows moved while growing: re-point their strings */
	for (size_t i = 0; i < sc->nrows; i++) {
		sc_row_t *r = &sc->rows[i];
		r->s.tenant.p = r->tenant;
		r->s.id.p = r->id;
		r->s.window = r->window;
	}
}

static inline const sc_row_t *sc_find(const scenario_t *sc,
				      const char *scope, const char *id,
				      const char *window)
{
	for (size_t i = 0; i < sc->nrows; i++) {
		const sc_row_t *r = &sc->rows[i];
		if (!strcmp(r->tenant, sc->tenant) &&
		    !strcmp(csla_scope_name(r->s.scope), scope) &&
		    !strcmp(r->id, id) && !strcmp(r->window, window))
			return r;
	}
	return NULL;
}

/* The JSON text of one field's value in a row ("0.5", "null", "{...}"), or
 * "absent". */
static inline const char *sc_field(const sc_row_t *r, const char *key,
				   char *buf, size_t buflen)
{
	char pat[64];
	const char *p, *e;

	snprintf(pat, sizeof pat, "\"%s\":", key);
	p = strstr(r->json, pat);
	if (!p)
		return "absent";
	p += strlen(pat);
	e = *p == '{' ? strchr(p, '}') + 1 : p + strcspn(p, ",}");
	snprintf(buf, buflen, "%.*s", (int)(e - p), p);
	return buf;
}

static inline int sc_state_index(const char *name)
{
	for (int s = 0; s < CSLA_AS_COUNT; s++)
		if (!strcmp(csla_agent_state_name(s), name))
			return s;
	return -1;
}

/* Checks a row against "key=value ..." where each key is a JSON field of
 * the row (the value compared as JSON text; "absent" when the row must not
 * have it), or "ms.STATE" for the raw state time of the window.  Reports
 * every mismatch, then fails. */
static inline void sc_check_at(const scenario_t *sc, int line,
			       const char *scope, const char *id,
			       const char *window, const char *expect)
{
	const sc_row_t *r = sc_find(sc, scope, id, window);
	char spec[2048], buf[256], got[64];
	int bad = 0;

	if (!r) {
		print_error("line %d: no row %s/%s/%s/%s\n", line, sc->tenant,
			    scope, id, window);
		fail();
	}
	snprintf(spec, sizeof spec, "%s", expect);
	for (char *save, *kv = strtok_r(spec, " \n\t", &save); kv;
	     kv = strtok_r(NULL, " \n\t", &save)) {
		char *eq = strchr(kv, '=');
		const char *val;

		assert_non_null(eq);
		*eq = '\0';
		if (!strncmp(kv, "ms.", 3)) {
			int st = sc_state_index(kv + 3);
			assert_true(st >= 0);
			snprintf(got, sizeof got, "%lld",
				 (long long)r->s.agg.state_ms[st]);
			val = got;
		} else {
			val = sc_field(r, kv, buf, sizeof buf);
		}
		if (strcmp(val, eq + 1)) {
			print_error("line %d: %s/%s/%s: %s = %s, expected %s\n",
				    line, scope, id, window, kv, val, eq + 1);
			bad = 1;
		}
	}
	if (bad) {
		print_error("row: %s\n", r->json);
		fail();
	}
}

/* sc_check(sc, "queue", "billing", "15m today", "offered=8 ..."): the
 * same expectations for each window of a space-separated list. */
static inline void sc_check_windows(const scenario_t *sc, int line,
				    const char *scope, const char *id,
				    const char *windows, const char *expect)
{
	char list[256];

	snprintf(list, sizeof list, "%s", windows);
	for (char *save, *w = strtok_r(list, " ", &save); w;
	     w = strtok_r(NULL, " ", &save))
		sc_check_at(sc, line, scope, id, w, expect);
}

#define sc_check(sc, scope, id, windows, expect) \
	sc_check_windows(sc, __LINE__, scope, id, windows, expect)

/* Configuration helpers: the conf owns what they allocate. */
static inline char *sc_strdup(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

static inline void sc_set_default_tz(scenario_t *sc, const char *tz)
{
	free(sc->conf->default_timezone);
	sc->conf->default_timezone = sc_strdup(tz);
}

static inline csla_tenant_conf_t *sc_add_tenant(scenario_t *sc,
						const char *name,
						const char *tz)
{
	csla_conf_t *c = sc->conf;

	c->tenants = realloc(c->tenants, (c->ntenants + 1) * sizeof *c->tenants);
	assert_non_null(c->tenants);
	csla_tenant_conf_t *t = &c->tenants[c->ntenants++];
	memset(t, 0, sizeof *t);
	t->name = sc_strdup(name);
	t->timezone = tz ? sc_strdup(tz) : NULL;
	return t;
}

/* A global `queues` rule: fields named in `set` (CSLA_QO_*) come from v. */
static inline void sc_add_queue_rule(scenario_t *sc, const char *match,
				     unsigned set, csla_queue_conf_t v)
{
	csla_conf_t *c = sc->conf;

	c->queues = realloc(c->queues, (c->nqueues + 1) * sizeof *c->queues);
	assert_non_null(c->queues);
	c->queues[c->nqueues++] = (csla_queue_override_t){
		.match = sc_strdup(match), .set = set, .v = v,
	};
}

#endif
