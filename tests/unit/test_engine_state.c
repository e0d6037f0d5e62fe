/* test_engine_state.c - checkpoints: an engine restored from saved tenants
 * behaves byte for byte like the one that saved them, the bytes are the
 * documented format, and corrupt bytes fail cleanly.
 *
 * The stream: two days of four simulated tenants (three on call progress
 * events, one of them across New York's spring-forward, one on CDRs),
 * merged in time order and then roughened - some events lost, some sent
 * twice, some delayed by a few minutes and some by hours - so that calls
 * expire, agents are evicted overnight, id generations rotate, late events
 * are inserted or refused as late, and duplicates are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "callsla/config.h"
#include "callsla/decode.h"
#include "callsla/engine.h"
#include "callsla/event_json.h"
#include "callsla/timefmt.h"
#include "sim.h"
#include "util.h"

#define MIN_MS 60000LL
#define HOUR_MS 3600000LL
#define NTENANTS 4
#define SNAP_EVERY 150

/* ---- the stream ---------------------------------------------------------- */

typedef struct line {
	char *s;
	size_t len;
	int64_t ts;
	char tenant[16];
} line_t;

typedef struct lines {
	line_t *l;
	size_t n, cap;
} lines_t;

static void lines_push(lines_t *ls, const char *s, int64_t ts,
		       const char *tenant)
{
	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? 2 * ls->cap : 1024;
		ls->l = realloc(ls->l, ls->cap * sizeof *ls->l);
		assert_non_null(ls->l);
	}
	line_t *l = &ls->l[ls->n++];
	l->s = strdup(s);
	l->len = strlen(s);
	l->ts = ts;
	snprintf(l->tenant, sizeof l->tenant, "%s", tenant);
}

static void lines_free(lines_t *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		free(ls->l[i].s);
	free(ls->l);
}

static csla_str_t str(const char *s)
{
	return (csla_str_t){ s, (uint32_t)strlen(s) };
}

/* The sim's events as lines, and each tenant's recent event ids. */
#define HIST 64
typedef struct sink {
	lines_t lines;
	struct {
		char id[HIST][32];
		uint64_t n;
	} hist[NTENANTS];
} sink_t;

/* Tenant t2's calls get ids longer than the engine stores inline.  Every
 * 53rd event of a tenant reuses the id of one 10 to 39 events before (6 to
 * 25 minutes in the day): whether it is refused depends on how long ids
 * are remembered. */
static int collect(void *opaque, const csla_event_t *ev)
{
	sink_t *sk = opaque;
	char buf[4096], id[CSLA_ID_MAX + 1], tenant[16];
	csla_event_t e = *ev;

	snprintf(tenant, sizeof tenant, "%.*s", (int)ev->tenant.len,
		 ev->tenant.p);
	if (!strcmp(tenant, "t2") && ev->call_id.len) {
		int n = snprintf(id, sizeof id, "a-call-id-longer-than-32-bytes-%.*s",
				 (int)ev->call_id.len, ev->call_id.p);
		e.call_id = (csla_str_t){ id, (uint32_t)n };
	}
	size_t ti = tenant[0] == 't' ? (size_t)(tenant[1] - '1') : NTENANTS - 1;
	assert_true(ti < NTENANTS);
	uint64_t k = sk->hist[ti].n++;
	snprintf(sk->hist[ti].id[k % HIST], sizeof sk->hist[ti].id[0], "%.*s",
		 (int)ev->id.len, ev->id.p);
	if (k % 53 == 19 && k >= HIST)
		e.id = str(sk->hist[ti].id[(k - 10 - k % 30) % HIST]);
	size_t n = csla_event_json(&e, buf, sizeof buf);
	assert_true(n < sizeof buf);
	lines_push(&sk->lines, buf, ev->ts_ms, tenant);
	return 0;
}

static void simulate(lines_t *out, uint32_t tenants, bool cdr, uint64_t seed,
		     const csla_tz_t *const *tz)
{
	csla_sim_opts_t o;
	char err[256];
	sink_t *sk = calloc(1, sizeof *sk);

	csla_sim_opts_default(&o);
	o.tz = tz;
	o.seed = seed;
	o.tenants = tenants;
	o.days = 2;
	/* New York springs forward on the 8th. */
	o.start_day = csla_days_from_civil(2026, 3, 7);
	o.queues = 2;
	o.agents = cdr ? 3 : 4;
	o.calls_per_hour = cdr ? 10 : 12;
	o.cdr = cdr;
	csla_sim_t *s = csla_sim_new(&o, err, sizeof err);
	if (!s)
		fail_msg("%s", err);
	assert_non_null(sk);
	assert_int_equal(csla_sim_run(s, collect, sk), 0);
	csla_sim_destroy(s);
	*out = sk->lines;
	free(sk);
}

typedef struct fixture {
	csla_conf_t *conf;
	csla_decoder_t *dec;
	lines_t lines;
	uint32_t *ord;   /* the roughened stream: indexes into lines */
	size_t n;
	int64_t *wall;   /* wall_ms for each position */
} fixture_t;

/* The sim's tenants t1..t3 and their zones, and `default` (UTC). */
static csla_conf_t *make_conf(csla_clock_t clock)
{
	csla_conf_t *c = csla_conf_new_defaults();
	char err[256];

	assert_non_null(c);
	c->clock = clock;
	c->allowed_lateness_ms = 10 * MIN_MS;
	c->call_timeout_ms = 20 * MIN_MS;
	/* The engine keeps agents for the horizon plus an hour (3 h). */
	c->agent_idle_ms = 1000;
	c->ntenants = 3;
	c->tenants = calloc(3, sizeof *c->tenants);
	assert_non_null(c->tenants);
	for (uint32_t i = 0; i < 3; i++) {
		char name[16];
		csla_sim_tenant_name(i, 3, name);
		c->tenants[i].name = strdup(name);
		c->tenants[i].timezone = strdup(csla_sim_tenant_zone(i, 3));
	}
	if (csla_conf_validate(c, err, sizeof err))
		fail_msg("%s", err);
	return c;
}

typedef struct item {
	uint64_t key;
	uint32_t line;
} item_t;

static int item_cmp(const void *a, const void *b)
{
	const item_t *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

static fixture_t *fixture_new(csla_clock_t clock)
{
	fixture_t *f = calloc(1, sizeof *f);
	lines_t prog = { 0 }, cdr = { 0 };
	char err[256];
	csla_tz_t *z[3];
	const csla_tz_t *tz[3];

	assert_non_null(f);
	for (uint32_t i = 0; i < 3; i++) {
		z[i] = csla_tz_load(csla_sim_tenant_zone(i, 3), err, sizeof err);
		if (!z[i])
			fail_msg("%s", err);
		tz[i] = z[i];
	}
	simulate(&prog, 3, false, 3, tz);
	simulate(&cdr, 1, true, 4, tz);
	for (uint32_t i = 0; i < 3; i++)
		csla_tz_destroy(z[i]);

	/* Merged in time order, progress events first on a tie. */
	size_t a = 0, b = 0;
	while (a < prog.n || b < cdr.n) {
		line_t *l = b == cdr.n || (a < prog.n && prog.l[a].ts <= cdr.l[b].ts)
				    ? &prog.l[a++]
				    : &cdr.l[b++];
		lines_push(&f->lines, l->s, l->ts, l->tenant);
	}
	lines_free(&prog);
	lines_free(&cdr);

	/* Roughened: a position key per copy of a line, sorted. */
	size_t n = f->lines.n;
	item_t *it = calloc(2 * n, sizeof *it);
	size_t m = 0;
	assert_non_null(it);
	for (uint32_t i = 0; i < n; i++) {
		if (i % 101 == 50)
			continue; /* lost */
		uint64_t key = 4 * (uint64_t)i;
		if (i % 23 == 7)
			key = 4 * (uint64_t)(i + 40) + 1;
		if (i % 997 == 500)
			key = 4 * (uint64_t)(i + 3000) + 1;
		it[m++] = (item_t){ key, i };
		if (i % 37 == 11)
			it[m++] = (item_t){ 4 * (uint64_t)(i + 5) + 2, i };
	}
	qsort(it, m, sizeof *it, item_cmp);
	f->n = m;
	f->ord = calloc(m, sizeof *f->ord);
	f->wall = calloc(m, sizeof *f->wall);
	assert_non_null(f->ord);
	assert_non_null(f->wall);
	int64_t newest = INT64_MIN;
	for (size_t p = 0; p < m; p++) {
		f->ord[p] = it[p].line;
		if (f->lines.l[it[p].line].ts > newest)
			newest = f->lines.l[it[p].line].ts;
		/* The wall clock runs a second ahead of the newest event. */
		f->wall[p] = clock == CSLA_CLOCK_WALL ? newest + 1000
						       : INT64_MAX / 2;
	}
	free(it);
	f->conf = make_conf(clock);
	f->dec = csla_decoder_new(f->conf->max_message_bytes);
	assert_non_null(f->dec);
	return f;
}

static void fixture_free(fixture_t *f)
{
	lines_free(&f->lines);
	free(f->ord);
	free(f->wall);
	csla_decoder_destroy(f->dec);
	csla_conf_destroy(f->conf);
	free(f);
}

static csla_reject_t apply_at(fixture_t *f, csla_engine_t *e, size_t p)
{
	const line_t *l = &f->lines.l[f->ord[p]];
	csla_event_t ev;
	csla_reject_t r = csla_decode(f->dec, l->s, l->len, &ev, NULL, 0);

	return r != CSLA_OK ? r : csla_engine_apply(e, &ev, f->wall[p]);
}

/* ---- snapshots as text --------------------------------------------------- */

typedef struct text {
	char *p;
	size_t len, cap;
	const char *skip; /* rows of this tenant are left out */
	size_t rows;
} text_t;

static void text_put(text_t *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->p = realloc(t->p, t->cap);
		assert_non_null(t->p);
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

static void row(void *opaque, const csla_snapshot_t *s)
{
	text_t *t = opaque;
	char buf[4096];

	if (t->skip && csla_str_eq(s->tenant, t->skip, strlen(t->skip)))
		return;
	size_t n = csla_snapshot_json(s, buf, sizeof buf - 1);
	assert_true(n < sizeof buf - 1);
	buf[n++] = '\n';
	text_put(t, buf, n);
	t->rows++;
}

static char *snapshot(csla_engine_t *e, int64_t now, const char *skip)
{
	text_t t = { .skip = skip };

	text_put(&t, "", 0);
	csla_engine_snapshot(e, now, row, &t);
	return t.p;
}

/* The lines of text that are not of tenant `skip`. */
static char *without(const char *text, const char *skip)
{
	char prefix[64];
	text_t t = { 0 };

	snprintf(prefix, sizeof prefix, "{\"tenant\":\"%s\",", skip);
	text_put(&t, "", 0);
	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) + 1 : strlen(s);
		if (strncmp(s, prefix, strlen(prefix)) != 0)
			text_put(&t, s, n);
		s += n;
	}
	return t.p;
}

static void assert_same_text(const char *want, const char *got, size_t p)
{
	if (!strcmp(want, got))
		return;
	size_t i = 0;
	while (want[i] == got[i])
		i++;
	while (i > 0 && want[i - 1] != '\n')
		i--;
	fail_msg("snapshot after position %zu differs:\n want %.300s\n got  %.300s",
		 p, want + i, got + i);
}

/* ---- tenants and their blobs -------------------------------------------- */

typedef struct names {
	char name[NTENANTS + 4][CSLA_ID_MAX + 1];
	size_t n;
	char joined[256];
} names_t;

static void name_cb(void *opaque, csla_str_t s)
{
	names_t *nm = opaque;
	assert_true(nm->n < NTENANTS + 4);
	snprintf(nm->name[nm->n++], CSLA_ID_MAX + 1, "%.*s", (int)s.len, s.p);
	size_t l = strlen(nm->joined);
	snprintf(nm->joined + l, sizeof nm->joined - l, "%s%.*s", l ? "," : "",
		 (int)s.len, s.p);
}

static void tenants_of(const csla_engine_t *e, names_t *nm)
{
	memset(nm, 0, sizeof *nm);
	csla_engine_tenants(e, name_cb, nm);
}

typedef struct blobs {
	names_t names;
	csla_buf_t b[NTENANTS + 4];
} blobs_t;

static void save_all(const csla_engine_t *e, blobs_t *bl)
{
	memset(bl, 0, sizeof *bl);
	tenants_of(e, &bl->names);
	for (size_t i = 0; i < bl->names.n; i++)
		assert_int_equal(csla_engine_save_tenant(e, str(bl->names.name[i]),
							 &bl->b[i]), 0);
}

static void load_all(csla_engine_t *e, const blobs_t *bl)
{
	char err[256] = "";
	for (size_t i = 0; i < bl->names.n; i++)
		if (csla_engine_load_tenant(e, bl->b[i].p, bl->b[i].len, err,
					    sizeof err))
			fail_msg("loading %s: %s", bl->names.name[i], err);
}

static void blobs_free(blobs_t *bl)
{
	for (size_t i = 0; i < bl->names.n; i++)
		csla_buf_free(&bl->b[i]);
}

/* ---- (1, 2) cut, save, load, carry on ----------------------------------- */

/* What engine A, fed the whole stream, answered and showed. */
typedef struct ref {
	csla_reject_t *res;
	csla_engine_stats_t *st; /* after position p */
	char **snap;    /* after position p, or NULL */
	int64_t *now;   /* the instant of that snapshot */
	char *later;    /* at the end, three hours on */
	int64_t end_now;
} ref_t;

static bool snap_here(const fixture_t *f, const size_t *cuts, size_t ncuts,
		      size_t p)
{
	if (p % SNAP_EVERY == SNAP_EVERY - 1 || p == f->n - 1)
		return true;
	for (size_t i = 0; i < ncuts; i++)
		if (cuts[i] == p + 1)
			return true;
	return false;
}

static int64_t now_after(const fixture_t *f, const csla_engine_t *e, size_t p)
{
	return f->conf->clock == CSLA_CLOCK_EVENT ? csla_engine_event_now(e)
						  : f->wall[p];
}

static void ref_run(fixture_t *f, ref_t *r, const size_t *cuts, size_t ncuts)
{
	csla_engine_t *a = csla_engine_new(f->conf);
	csla_engine_stats_t st;
	size_t ok = 0, late = 0, dup = 0;

	r->res = calloc(f->n, sizeof *r->res);
	r->st = calloc(f->n, sizeof *r->st);
	r->snap = calloc(f->n, sizeof *r->snap);
	r->now = calloc(f->n, sizeof *r->now);
	for (size_t p = 0; p < f->n; p++) {
		r->res[p] = apply_at(f, a, p);
		ok += r->res[p] == CSLA_OK;
		late += r->res[p] == CSLA_REJ_LATE;
		dup += r->res[p] == CSLA_REJ_DUPLICATE;
		csla_engine_stats(a, &r->st[p]);
		if (snap_here(f, cuts, ncuts, p)) {
			r->now[p] = now_after(f, a, p);
			r->snap[p] = snapshot(a, r->now[p], NULL);
		}
	}
	r->end_now = r->now[f->n - 1] + 3 * HOUR_MS;
	r->later = snapshot(a, r->end_now, NULL);
	/* The stream does reach what the checkpoints must carry. */
	csla_engine_stats(a, &st);
	assert_true(ok > 6000 && late > 10 && dup > 100);
	st = r->st[f->n - 1];
	assert_true(st.expired_calls > 10 && st.evicted_agents > 10);
	assert_int_equal(st.tenants, NTENANTS);
	csla_engine_destroy(a);
}

static void ref_free(const fixture_t *f, ref_t *r)
{
	for (size_t p = 0; p < f->n; p++)
		free(r->snap[p]);
	free(r->snap);
	free(r->now);
	free(r->res);
	free(r->st);
	free(r->later);
}

/* The sizes of the state, which show when calls are forgotten, agents
 * evicted, records folded and ids dropped, must be A's; the counters, since
 * a process started, must have grown as A's did since the cut. */
static void assert_same_stats(const csla_engine_stats_t *want,
			      const csla_engine_stats_t *want0,
			      const csla_engine_t *c,
			      const csla_engine_stats_t *got0, size_t p)
{
	csla_engine_stats_t got;
	csla_engine_stats(c, &got);
	if (got.tenants != want->tenants || got.queues != want->queues ||
	    got.teams != want->teams || got.agents != want->agents ||
	    got.calls != want->calls || got.records != want->records ||
	    got.ids != want->ids ||
	    got.expired_calls - got0->expired_calls !=
		    want->expired_calls - want0->expired_calls ||
	    got.evicted_agents - got0->evicted_agents !=
		    want->evicted_agents - want0->evicted_agents)
		fail_msg("after position %zu: agents %llu/%llu calls %llu/%llu "
			 "records %llu/%llu ids %llu/%llu", p,
			 (unsigned long long)got.agents,
			 (unsigned long long)want->agents,
			 (unsigned long long)got.calls,
			 (unsigned long long)want->calls,
			 (unsigned long long)got.records,
			 (unsigned long long)want->records,
			 (unsigned long long)got.ids,
			 (unsigned long long)want->ids);
}

/* Engine B applies the first k events and saves every tenant; engine C
 * (fresh, or holding older state of the same tenants) loads them and
 * applies the rest.  C must answer every event as A did and show the same
 * snapshots, and save the very bytes it loaded. */
static void check_cut(fixture_t *f, const ref_t *r, size_t k, bool prefed)
{
	csla_engine_t *b = csla_engine_new(f->conf);
	csla_engine_t *c = csla_engine_new(f->conf);
	blobs_t bl, again;

	for (size_t p = 0; p < k; p++)
		assert_int_equal(apply_at(f, b, p), r->res[p]);
	save_all(b, &bl);
	assert_true(k > 0 ? bl.names.n > 0 : bl.names.n == 0);
	for (size_t p = 0; prefed && p < 50 && p < k; p++)
		apply_at(f, c, p);
	load_all(c, &bl);
	assert_int_equal(csla_engine_event_now(c), csla_engine_event_now(b));
	csla_engine_destroy(b);

	save_all(c, &again);
	assert_string_equal(again.names.joined, bl.names.joined);
	for (size_t i = 0; i < bl.names.n; i++) {
		assert_int_equal(again.b[i].len, bl.b[i].len);
		assert_memory_equal(again.b[i].p, bl.b[i].p, bl.b[i].len);
	}
	blobs_free(&again);
	blobs_free(&bl);

	csla_engine_stats_t zero = { 0 }, got0;
	const csla_engine_stats_t *want0 = k > 0 ? &r->st[k - 1] : &zero;
	csla_engine_stats(c, &got0);
	if (k > 0) {
		assert_same_stats(want0, want0, c, &got0, k - 1);
		if (r->snap[k - 1]) {
			char *s = snapshot(c, r->now[k - 1], NULL);
			assert_same_text(r->snap[k - 1], s, k - 1);
			free(s);
		}
	}
	for (size_t p = k; p < f->n; p++) {
		csla_reject_t got = apply_at(f, c, p);
		if (got != r->res[p])
			fail_msg("cut %zu: event %zu: %s, not %s", k, p,
				 csla_reject_name(got), csla_reject_name(r->res[p]));
		assert_same_stats(&r->st[p], want0, c, &got0, p);
		if (r->snap[p]) {
			char *s = snapshot(c, r->now[p], NULL);
			assert_same_text(r->snap[p], s, p);
			free(s);
		}
	}
	char *s = snapshot(c, r->end_now, NULL);
	assert_same_text(r->later, s, f->n);
	free(s);
	csla_engine_destroy(c);
}

static void restored_engine_carries_on_as_the_original(csla_clock_t clock)
{
	fixture_t *f = fixture_new(clock);
	size_t n = f->n;
	const size_t cuts[] = { 0, 1, 37, n / 7, n / 4, n / 3, n / 2 + 13,
				2 * n / 3, 5 * n / 6, n - 1, n };
	size_t ncuts = sizeof cuts / sizeof cuts[0];
	ref_t r = { 0 };

	ref_run(f, &r, cuts, ncuts);
	for (size_t i = 0; i < ncuts; i++)
		check_cut(f, &r, cuts[i], cuts[i] >= 50 && i % 2);
	ref_free(f, &r);
	fixture_free(f);
}

static void event_clock_cuts(void **state)
{
	(void)state;
	restored_engine_carries_on_as_the_original(CSLA_CLOCK_EVENT);
}

static void wall_clock_cuts(void **state)
{
	(void)state;
	restored_engine_carries_on_as_the_original(CSLA_CLOCK_WALL);
}

/* ---- (3) dropping a tenant ----------------------------------------------- */

static void drop_leaves_the_others_alone(void **state)
{
	fixture_t *f = fixture_new(CSLA_CLOCK_EVENT);
	csla_engine_t *a = csla_engine_new(f->conf);
	csla_engine_t *d = csla_engine_new(f->conf);
	csla_engine_stats_t st;
	names_t nm;
	csla_buf_t b = { 0 };
	size_t half = f->n / 2;
	(void)state;

	for (size_t p = 0; p < half; p++)
		assert_int_equal(apply_at(f, d, p), apply_at(f, a, p));
	int64_t now = csla_engine_event_now(d);
	char *before = snapshot(d, now, NULL);
	char *others = without(before, "default");
	assert_true(strlen(others) < strlen(before));

	csla_engine_drop_tenant(d, str("default"));
	tenants_of(d, &nm);
	assert_string_equal(nm.joined, "t1,t2,t3");
	csla_engine_stats(d, &st);
	assert_int_equal(st.tenants, 3);
	assert_int_equal(csla_engine_save_tenant(d, str("default"), &b), -1);
	assert_int_equal(b.len, 0);
	char *after = snapshot(d, now, NULL);
	assert_string_equal(after, others);
	free(after);
	/* Dropping what is not there changes nothing. */
	csla_engine_drop_tenant(d, str("default"));
	csla_engine_drop_tenant(d, str("t9"));
	after = snapshot(d, now, NULL);
	assert_string_equal(after, others);
	free(after);

	/* The others answer as in an engine that kept it; `default` starts
	 * afresh.  Its events still move the event clock as they did in A
	 * (a CDR or agent event is never refused by a tenant that forgot
	 * the call), so the others see the same clock. */
	for (size_t p = half; p < f->n; p++) {
		csla_reject_t want = apply_at(f, a, p);
		csla_reject_t got = apply_at(f, d, p);
		if (strcmp(f->lines.l[f->ord[p]].tenant, "default") != 0)
			assert_int_equal(got, want);
	}
	assert_int_equal(csla_engine_event_now(d), csla_engine_event_now(a));
	tenants_of(d, &nm);
	assert_string_equal(nm.joined, "default,t1,t2,t3");
	now = csla_engine_event_now(a);
	char *sa = snapshot(a, now, "default"), *sd = snapshot(d, now, "default");
	assert_same_text(sa, sd, f->n);
	free(sa);
	free(sd);
	free(before);
	free(others);
	csla_engine_destroy(a);
	csla_engine_destroy(d);
	fixture_free(f);
}

/* ---- (4) the format, and what is not it --------------------------------- */

/* The expected bytes, written by hand from docs/engine.md. */
typedef struct w {
	unsigned char p[2048];
	size_t len;
} w_t;

static void w_le(w_t *w, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		w->p[w->len++] = (unsigned char)(v >> (8 * i));
}

static void w_str(w_t *w, const char *s)
{
	w_le(w, strlen(s), 4);
	memcpy(w->p + w->len, s, strlen(s));
	w->len += strlen(s);
}

/* Day sums with nothing folded: day INT64_MIN, all zero, longest wait -1. */
static void w_no_day(w_t *w)
{
	w_le(w, (uint64_t)INT64_MIN, 8);
	for (int i = 0; i < 20; i++)
		w_le(w, i == 8 ? (uint64_t)-1 : 0, 8);
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

#define T0 1795600800000LL /* 2026-11-25T10:00:00Z */

static const char *const tiny[] = {
	"{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:00:00Z\",\"tenant\":"
	"\"x\",\"id\":\"e1\",\"event\":\"offered\",\"call_id\":\"c1\","
	"\"queue\":\"q\"}",
	"{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T10:00:05Z\",\"tenant\":"
	"\"x\",\"id\":\"e2\",\"agent_id\":\"a\",\"state\":\"available\","
	"\"team\":\"tm\",\"queues\":[\"q\"]}",
	"{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:00:10Z\",\"tenant\":"
	"\"x\",\"id\":\"e3\",\"event\":\"answered\",\"call_id\":\"c1\","
	"\"queue\":\"q\",\"agent_id\":\"a\"}",
	"{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T10:00:00Z\",\"tenant\":"
	"\"y\",\"agent_id\":\"b\",\"state\":\"talking\"}",
};

/* Offsets of fields the corruption cases change. */
typedef struct tiny_at {
	size_t version, waiting, qset_queue, ent_state, rec_kind, nrecs,
		call_queue, wheel_call, cur_ids;
} tiny_at_t;

/* State of tenant x after tiny[0..3), with the defaults (2 h lateness and
 * horizon, T 20 s, R 15 s) on the event clock, worked out by hand. */
static void tiny_expected(w_t *w, tiny_at_t *at)
{
	memset(w, 0, sizeof *w);
	w_le(w, 'C' | 'S' << 8 | 'L' << 16 | (uint64_t)'A' << 24, 4);
	at->version = w->len;
	w_le(w, 1, 4);
	w_str(w, "x");
	w_le(w, T0 + 10000, 8);              /* event clock */
	w_no_day(w);                         /* tenant */
	w_le(w, T0 + 10000 - 2 * HOUR_MS, 8); /* fold point */
	w_le(w, T0, 8);                      /* last agent sweep */
	w_le(w, 1, 4);                       /* queues */
	w_str(w, "q");
	w_no_day(w);
	at->waiting = w->len;
	w_le(w, 0, 4);                       /* answered: not waiting */
	w_le(w, 1, 4);                       /* teams */
	w_str(w, "tm");
	w_no_day(w);
	w_le(w, 1, 4);                       /* queue sets after the empty one */
	w_le(w, 1, 4);
	at->qset_queue = w->len;
	w_le(w, 0, 4);
	w_le(w, 1, 4);                       /* agents */
	w_str(w, "a");
	w_no_day(w);
	w_le(w, T0 + 10000, 8);              /* last seen: the answer */
	w_le(w, 0, 4);                       /* team tm */
	w_le(w, 1, 4);                       /* queue set {q} */
	w_le(w, (uint64_t)INT64_MAX, 8);     /* one entry: nothing to fold */
	w_le(w, 1, 4);
	w_le(w, T0 + 5000, 8);
	w_le(w, T0 + 5000, 8);
	w_le(w, 0, 4);
	w_le(w, 1, 4);
	at->ent_state = w->len;
	w_le(w, CSLA_AS_AVAILABLE, 1);
	w_le(w, 0, 4);                       /* free agent slots */
	at->nrecs = w->len;
	w_le(w, 1, 4);                       /* records */
	w_le(w, T0 + 10000, 8);
	w_le(w, 0, 4);                       /* queue q */
	w_le(w, 0, 4);                       /* agent a */
	w_le(w, 0, 4);                       /* team tm */
	w_le(w, 10000, 4);                   /* waited 10 s */
	at->rec_kind = w->len;
	w_le(w, 0, 1);                       /* answered */
	w_le(w, 3, 1);                       /* within T and within R */
	w_le(w, 1, 4);                       /* calls */
	w_le(w, 1, 4);                       /* generation */
	w_le(w, 1, 1);                       /* live */
	w_le(w, 2, 1);
	memcpy(w->p + w->len, "c1", 2);
	w->len += 2;
	w_le(w, T0, 8);                      /* offered */
	w_le(w, T0 + 10000, 8);              /* last event */
	at->call_queue = w->len;
	w_le(w, 0, 4);
	w_le(w, 1, 1);                       /* answered */
	w_le(w, 0, 4);                       /* free call slots */
	/* Filed at creation under the minute of T0 + 2 h: 29926800, slot
	 * 29926800 mod 1024 = 400. */
	w_le(w, 29926800, 8);
	w_le(w, 1, 4);
	w_le(w, 400, 4);
	w_le(w, 1, 4);
	at->wheel_call = w->len;
	w_le(w, 0, 4);
	w_le(w, T0, 8);                      /* ids collected since */
	w_le(w, 0, 4);                       /* old generation */
	uint64_t k[3] = { csla_hash("e1", 2), csla_hash("e2", 2),
			  csla_hash("e3", 2) };
	qsort(k, 3, sizeof k[0], u64_cmp);
	at->cur_ids = w->len;
	w_le(w, 3, 4);
	for (int i = 0; i < 3; i++)
		w_le(w, k[i], 8);
}

static csla_engine_t *tiny_engine(const csla_conf_t *conf, csla_decoder_t *d,
				  size_t n)
{
	csla_engine_t *e = csla_engine_new(conf);
	csla_event_t ev;

	for (size_t i = 0; i < n; i++) {
		assert_int_equal(csla_decode(d, tiny[i], strlen(tiny[i]), &ev,
					     NULL, 0), CSLA_OK);
		assert_int_equal(csla_engine_apply(e, &ev, INT64_MAX / 2),
				 CSLA_OK);
	}
	return e;
}

static void saves_the_documented_bytes(void **state)
{
	csla_conf_t *conf = csla_conf_new_defaults();
	csla_decoder_t *d = csla_decoder_new(conf->max_message_bytes);
	csla_buf_t b = { 0 }, b2 = { 0 };
	tiny_at_t at;
	w_t w;
	char err[256];
	(void)state;

	conf->clock = CSLA_CLOCK_EVENT;
	assert_int_equal(csla_conf_validate(conf, err, sizeof err), 0);
	csla_engine_t *e = tiny_engine(conf, d, 3);
	tiny_expected(&w, &at);
	assert_int_equal(csla_engine_save_tenant(e, str("x"), &b), 0);
	assert_int_equal(b.len, w.len);
	assert_memory_equal(b.p, w.p, w.len);
	/* Appends. */
	assert_int_equal(csla_engine_save_tenant(e, str("x"), &b), 0);
	assert_int_equal(b.len, 2 * w.len);
	assert_memory_equal(b.p + w.len, w.p, w.len);
	assert_int_equal(csla_engine_save_tenant(e, str("nobody"), &b), -1);
	assert_int_equal(b.len, 2 * w.len);

	/* Loaded where x has an older state, it replaces it; the clock
	 * moves on to the saved one. */
	csla_engine_t *o = tiny_engine(conf, d, 1);
	assert_int_equal(csla_engine_load_tenant(o, w.p, w.len, err, sizeof err),
			 0);
	assert_int_equal(csla_engine_event_now(o), T0 + 10000);
	assert_int_equal(csla_engine_save_tenant(o, str("x"), &b2), 0);
	assert_int_equal(b2.len, w.len);
	assert_memory_equal(b2.p, w.p, w.len);
	char *want = snapshot(e, T0 + 60000, NULL);
	char *got = snapshot(o, T0 + 60000, NULL);
	assert_string_equal(got, want);
	free(want);
	free(got);
	csla_buf_free(&b);
	csla_buf_free(&b2);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	csla_engine_destroy(o);
	csla_engine_destroy(e);
	csla_decoder_destroy(d);
	csla_conf_destroy(conf);
}

typedef struct bad_case {
	const char *what;
	void (*edit)(w_t *w, const tiny_at_t *at);
	const char *err;
} bad_case_t;

static void put_at(w_t *w, size_t off, uint64_t v, int bytes)
{
	size_t len = w->len;
	w->len = off;
	w_le(w, v, bytes);
	w->len = len;
}

static void e_magic(w_t *w, const tiny_at_t *at)
{
	(void)at;
	w->p[0] = 'X';
}
static void e_version(w_t *w, const tiny_at_t *at)
{
	put_at(w, at->version, 2, 4);
}
static void e_empty(w_t *w, const tiny_at_t *at)
{
	(void)at;
	w->len = 0;
}
static void e_short(w_t *w, const tiny_at_t *at)
{
	(void)at;
	w->len--;
}
static void e_long(w_t *w, const tiny_at_t *at)
{
	(void)at;
	w->p[w->len++] = 0;
	w->p[w->len++] = 0;
}
static void e_waiting(w_t *w, const tiny_at_t *at)
{
	put_at(w, at->waiting, 1, 4);
}
static void e_qset(w_t *w, const tiny_at_t *at)
{
	put_at(w, at->qset_queue, 1, 4);
}
static void e_state(w_t *w, const tiny_at_t *at)
{
	put_at(w, at->ent_state, CSLA_AS_COUNT, 1);
}
static void e_kind(w_t *w, const tiny_at_t *at)
{
	put_at(w, at->rec_kind, 4, 1);
}
static void e_nrecs(w_t *w, const tiny_at_t *at)
{
	put_at(w, at->nrecs, UINT32_MAX, 4);
}
static void e_call_queue(w_t *w, const tiny_at_t *at)
{
	put_at(w, at->call_queue, 5, 4);
}
static void e_wheel(w_t *w, const tiny_at_t *at)
{
	put_at(w, at->wheel_call, 1, 4);
}
static void e_ids(w_t *w, const tiny_at_t *at)
{
	/* The first two ids swapped. */
	unsigned char tmp[8];
	memcpy(tmp, w->p + at->cur_ids + 4, 8);
	memcpy(w->p + at->cur_ids + 4, w->p + at->cur_ids + 12, 8);
	memcpy(w->p + at->cur_ids + 12, tmp, 8);
}

static void corrupt_bytes_fail_cleanly(void **state)
{
	csla_conf_t *conf = csla_conf_new_defaults();
	csla_decoder_t *d = csla_decoder_new(conf->max_message_bytes);
	tiny_at_t at;
	w_t good;
	char err[256];
	(void)state;

	conf->clock = CSLA_CLOCK_EVENT;
	assert_int_equal(csla_conf_validate(conf, err, sizeof err), 0);
	tiny_expected(&good, &at);
	char records[80];
	snprintf(records, sizeof records,
		 "truncated: records: 4294967295 cannot fit in the %zu "
		 "bytes left",
		 good.len - at.nrecs - 4);
	const bad_case_t cases[] = {
		{ "magic", e_magic, "not a callsla checkpoint" },
		{ "version", e_version,
		  "checkpoint version 2: this build reads version 1" },
		{ "empty", e_empty, "truncated: 0 bytes end inside the state" },
		/* The last 3 ids need 24 bytes. */
		{ "short", e_short,
		  "truncated: current ids: 3 cannot fit in the 23 bytes left" },
		{ "long", e_long, "2 bytes after the end of the state" },
		{ "waiting", e_waiting, "queue 0: 1 waiting, 0 calls waiting in it" },
		{ "qset", e_qset, "queue set 1: no queue 1" },
		{ "state", e_state,
		  "agent 0: log entry 0: no team 0, queue set 1 or state 7" },
		{ "kind", e_kind, "record 0: kind 4, flags 3" },
		{ "nrecs", e_nrecs, records },
		{ "call queue", e_call_queue, "call 0: no queue 5 or outcome 1" },
		{ "wheel", e_wheel,
		  "wheel: slot 400: call 1 is not live or filed twice" },
		{ "ids", e_ids, "current ids: id 1 out of order or listed twice" },
	};
	/* An engine holding x and y: a failed load must leave both. */
	csla_engine_t *e = tiny_engine(conf, d, 4);
	csla_buf_t x0 = { 0 }, y0 = { 0 };
	assert_int_equal(csla_engine_save_tenant(e, str("x"), &x0), 0);
	assert_int_equal(csla_engine_save_tenant(e, str("y"), &y0), 0);
	char *snap0 = snapshot(e, T0 + 60000, NULL);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		w_t w = good;
		cases[i].edit(&w, &at);
		strcpy(err, "unchanged");
		assert_int_equal(csla_engine_load_tenant(e, w.p, w.len, err,
							 sizeof err), -1);
		if (strcmp(err, cases[i].err))
			fail_msg("%s: \"%s\", not \"%s\"", cases[i].what, err,
				 cases[i].err);
	}
	csla_buf_t x1 = { 0 }, y1 = { 0 };
	assert_int_equal(csla_engine_save_tenant(e, str("x"), &x1), 0);
	assert_int_equal(csla_engine_save_tenant(e, str("y"), &y1), 0);
	assert_int_equal(x1.len, x0.len);
	assert_memory_equal(x1.p, x0.p, x0.len);
	assert_int_equal(y1.len, y0.len);
	assert_memory_equal(y1.p, y0.p, y0.len);
	char *snap1 = snapshot(e, T0 + 60000, NULL);
	assert_string_equal(snap1, snap0);
	free(snap0);
	free(snap1);
	csla_buf_free(&x0);
	csla_buf_free(&y0);
	csla_buf_free(&x1);
	csla_buf_free(&y1);
	csla_engine_destroy(e);
	csla_decoder_destroy(d);
	csla_conf_destroy(conf);
}

/* Random truncations and byte flips of a real blob: each loads or fails
 * with a message, and an engine that loaded one keeps working (the
 * sanitizer builds check that nothing reads or writes out of bounds). */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void count_row(void *opaque, const csla_snapshot_t *s)
{
	char buf[4096];
	csla_snapshot_json(s, buf, sizeof buf);
	(*(size_t *)opaque)++;
}

static void mangled_blobs_load_or_fail(void **state)
{
	fixture_t *f = fixture_new(CSLA_CLOCK_EVENT);
	csla_engine_t *src = csla_engine_new(f->conf);
	blobs_t bl;
	size_t cut = f->n / 2 + 200, loaded = 0, failed = 0;
	(void)state;

	for (size_t p = 0; p < cut; p++)
		apply_at(f, src, p);
	save_all(src, &bl);
	csla_engine_destroy(src);
	/* t3 (New York), mid-day, with waiting calls and agent logs. */
	const csla_buf_t *blob = &bl.b[3];
	assert_string_equal(bl.names.name[3], "t3");
	unsigned char *m = malloc(blob->len);
	assert_non_null(m);

	csla_engine_t *e = csla_engine_new(f->conf);
	load_all(e, &bl);
	for (int trial = 0; trial < 3000; trial++) {
		size_t len = blob->len;
		memcpy(m, blob->p, len);
		if (trial % 10 == 0) {
			len = rnd() % len;
		} else {
			for (int k = 1 + (int)(rnd() % 4); k > 0; k--)
				m[rnd() % len] ^= (unsigned char)(1 + rnd() % 255);
		}
		int64_t now0 = csla_engine_event_now(e);
		char err[256] = "";
		if (csla_engine_load_tenant(e, m, len, err, sizeof err)) {
			failed++;
			assert_true(err[0] != '\0');
			if (trial % 10 == 0)
				assert_memory_equal(err, "truncated: ", 11);
			assert_int_equal(csla_engine_event_now(e), now0);
			if (trial % 50 == 1) {
				csla_buf_t now_b = { 0 };
				assert_int_equal(csla_engine_save_tenant(
							 e, str("t3"), &now_b), 0);
				assert_int_equal(now_b.len, blob->len);
				assert_memory_equal(now_b.p, blob->p, blob->len);
				csla_buf_free(&now_b);
			}
			continue;
		}
		loaded++;
		assert_true(trial % 10 != 0);
		size_t rows = 0;
		int64_t now = csla_engine_event_now(e);
		csla_engine_snapshot(e, now, count_row, &rows);
		for (size_t p = cut; p < cut + 30 && p < f->n; p++)
			apply_at(f, e, p);
		now = csla_engine_event_now(e);
		csla_engine_snapshot(e, now + HOUR_MS, count_row, &rows);
		assert_true(rows > 0);
		csla_engine_destroy(e);
		e = csla_engine_new(f->conf);
		load_all(e, &bl);
	}
	/* Both outcomes were exercised. */
	assert_true(loaded > 100 && failed > 1000);
	csla_engine_destroy(e);
	free(m);
	blobs_free(&bl);
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(saves_the_documented_bytes),
		cmocka_unit_test(corrupt_bytes_fail_cleanly),
		cmocka_unit_test(event_clock_cuts),
		cmocka_unit_test(wall_clock_cuts),
		cmocka_unit_test(drop_leaves_the_others_alone),
		cmocka_unit_test(mangled_blobs_load_or_fail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
