/* test_flush.c - what one flush of a slot sends (daemon/flush.h): the
 * binary-safe argument list, the EVAL header of the fenced script, the
 * journal, base and meta ops argument by argument, and the changed rows:
 * every row the first time, then only the rows whose numbers changed
 * (worked out by hand from the windows of docs/metrics.md), nothing when
 * only the as_of stamp moved, and D ops for the rows of a forgotten agent;
 * the tap that shows a series sample every row, and the sample's op S.
 *
 * The engine's stream (tenants t1 and t2, 2026-11-25, UTC, event clock):
 *   10:00:00 t1 a1 available, queues [q1]; t1 a2 available, queues [q2]
 *   10:07:00 t1 c1 abandoned on q2 after 20 s
 *   10:08:00 t1 c2 abandoned on q1 after 10 s
 *   10:10:00 t2 c1 abandoned on qx after 10 s
 *   10:20:00 t1 a2 available again (the clock moves to 10:20)
 * Rows: t1 has agents a1 a2, queues q1 q2 and its tenant row, t2 queue qx
 * and its tenant row, each in the 9 default windows (15m 30m 5m 60m cur15m
 * cur30m prev15m prev30m today, in byte order): 63 rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "callsla/config.h"
#include "callsla/decode.h"
#include "callsla/engine.h"
#include "flush.h"
#include "series.h"
#include "slot.h"

#define T1020 1795602000000LL /* 2026-11-25T10:20:00Z (date(1)) */
#define WALL 1795737600000LL  /* 2026-11-27T00:00:00Z: after every event */

static const char *const WINDOWS[9] = {
	"15m", "30m", "5m", "60m", "cur15m", "cur30m", "prev15m", "prev30m",
	"today",
};

/* ---- argument helpers ------------------------------------------------- */

static void assert_arg_bin(const csla_argv_t *a, size_t i, const void *p,
			   size_t len)
{
	if (i >= a->n)
		fail_msg("argument %zu of %zu", i, a->n);
	if (a->lens[i] != len || memcmp(a->arena + a->off[i], p, len))
		fail_msg("argument %zu is \"%.*s\" (%zu bytes), expected "
			 "\"%.*s\" (%zu bytes)", i, (int)a->lens[i],
			 a->arena + a->off[i], a->lens[i], (int)len,
			 (const char *)p, len);
}

static void assert_arg(const csla_argv_t *a, size_t i, const char *s)
{
	assert_arg_bin(a, i, s, strlen(s));
}

static bool arg_is(const csla_argv_t *a, size_t i, const char *s)
{
	return i < a->n && a->lens[i] == strlen(s) &&
	       !memcmp(a->arena + a->off[i], s, a->lens[i]);
}

/* ---- csla_argv -------------------------------------------------------- */

static void test_argv(void **state)
{
	(void)state;
	csla_argv_t a = { 0 };
	char big[10000];

	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)(i % 7 == 0 ? 0 : 'a' + i % 26);
	csla_argv_add(&a, "abc", 3);
	csla_argv_add(&a, "a\0b\0", 4);
	csla_argv_adds(&a, "");
	csla_argv_addi(&a, 0);
	csla_argv_addi(&a, INT64_MIN);
	csla_argv_addi(&a, INT64_MAX);
	csla_argv_addi(&a, -42);
	csla_argv_add(&a, big, sizeof big);
	csla_argv_adds(&a, "tail");
	assert_int_equal(a.n, 9);

	const char **p = csla_argv_ptrs(&a);
	static const size_t lens[] = { 3, 4, 0, 1, 20, 19, 3, 10000, 4 };
	for (size_t i = 0; i < 9; i++)
		assert_int_equal(a.lens[i], lens[i]);
	assert_memory_equal(p[0], "abc", 3);
	assert_memory_equal(p[1], "a\0b\0", 4);
	assert_memory_equal(p[3], "0", 1);
	assert_memory_equal(p[4], "-9223372036854775808", 20);
	assert_memory_equal(p[5], "9223372036854775807", 19);
	assert_memory_equal(p[6], "-42", 3);
	assert_memory_equal(p[7], big, sizeof big);
	assert_memory_equal(p[8], "tail", 4);

	/* Many more: the index arrays and the arena grow, nothing moves out
	 * of place. */
	for (int i = 0; i < 5000; i++)
		csla_argv_addi(&a, i);
	p = csla_argv_ptrs(&a);
	assert_int_equal(a.n, 5009);
	assert_memory_equal(p[1], "a\0b\0", 4);
	assert_memory_equal(p[7], big, sizeof big);
	for (int i = 0; i < 5000; i++) {
		char want[16];
		int n = snprintf(want, sizeof want, "%d", i);
		assert_int_equal(a.lens[9 + i], n);
		assert_memory_equal(p[9 + i], want, (size_t)n);
	}

	csla_argv_free(&a);
	assert_int_equal(a.n, 0);
	assert_null(a.arena);
	assert_null(a.ptrs);
	/* usable again after free */
	csla_argv_adds(&a, "x");
	p = csla_argv_ptrs(&a);
	assert_int_equal(a.n, 1);
	assert_memory_equal(p[0], "x", 1);
	csla_argv_free(&a);
}

/* ---- begin, journal, base, meta ----------------------------------------- */

static csla_conf_t *conf_event(void)
{
	char err[256] = "";
	csla_conf_t *c = csla_conf_new_defaults();
	assert_non_null(c);
	c->clock = CSLA_CLOCK_EVENT;
	if (csla_conf_validate(c, err, sizeof err))
		fail_msg("csla_conf_validate: %s", err);
	return c;
}

static void test_flush_ops(void **state)
{
	(void)state;
	csla_conf_t *conf = conf_event();
	csla_slot_hooks_t hooks = { 0 };
	csla_slot_t *s = csla_slot_new(3, 2, conf, &hooks);
	assert_non_null(s);

	/* cc.calls 5..7: an offer, a malformed message, the offer's id again;
	 * cc.agents 0: an agent.  2 applied, 1 malformed_json, 1 duplicate. */
	static const char *const json[] = {
		"{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:00:00Z\","
		"\"event\":\"offered\",\"call_id\":\"c1\",\"queue\":\"q1\",\"id\":\"e1\"}",
		"nope",
		"{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:00:05Z\","
		"\"event\":\"offered\",\"call_id\":\"c2\",\"queue\":\"q1\",\"id\":\"e1\"}",
		"{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T09:59:00Z\","
		"\"agent_id\":\"a1\",\"state\":\"available\"}",
	};
	csla_kmsg_t m[4];
	for (int i = 0; i < 4; i++)
		m[i] = (csla_kmsg_t){ .topic = i < 3 ? 0 : 1, .partition = 3,
				      .offset = i < 3 ? 5 + i : 0,
				      .payload = json[i],
				      .len = strlen(json[i]) };
	const bool cu[2] = { true, true };
	assert_int_equal(csla_slot_apply(s, m, 4, cu, T1020), 4);

	csla_argv_t a = { 0 };
	csla_flush_begin(&a, "callsla:", 3, 7, T1020, 604800000);
	assert_int_equal(a.n, 9);
	assert_arg(&a, 0, "EVAL");
	assert_arg(&a, 1, csla_flush_script);
	assert_non_null(strstr(csla_flush_script, "FENCED"));
	assert_arg(&a, 2, "1");
	assert_arg(&a, 3, "callsla:slot:3:epoch");
	assert_arg(&a, 4, "callsla:");
	assert_arg(&a, 5, "3");
	assert_arg(&a, 6, "7");
	assert_arg(&a, 7, "1795602000000");
	assert_arg(&a, 8, "604800000");

	const csla_jentry_t ents[2] = {
		{ .seq = 1, .wall_ms = 1795601400000LL, .last = { 2, 1 } },
		{ .seq = 2, .wall_ms = 1795602000000LL, .last = { 4, -1 } },
	};
	csla_flush_journal(&a, ents, 0, 2); /* nothing: no op at all */
	assert_int_equal(a.n, 9);
	csla_flush_journal(&a, ents, 2, 2);
	static const char blob_bytes[] = "CSLB\0\1\0x";
	const csla_buf_t blob = { (char *)blob_bytes, 8, 8 };
	csla_flush_base(&a, &blob);
	static const char *const topics[] = { "cc.calls", "cc.agents" };
	csla_flush_meta(&a, s, topics, 2, 7);

	static const char *const want[] = {
		"J", "1795601400000 2 1", "1795602000000 4 -1", "",
		"B", NULL, /* the blob, checked below */
		"M",
		"offset:cc.calls", "8",
		"offset:cc.agents", "1",
		"epoch", "7",
		"applied", "2",
		"rejected:malformed_json", "1",
		"rejected:not_object", "0",
		"rejected:bad_version", "0",
		"rejected:unknown_type", "0",
		"rejected:missing_field", "0",
		"rejected:bad_field", "0",
		"rejected:too_large", "0",
		"rejected:bad_ts", "0",
		"rejected:late", "0",
		"rejected:future_ts", "0",
		"rejected:duplicate", "1",
		"rejected:tenant_partition_conflict", "0",
		"rejected:unknown_call", "0",
		"",
	};
	size_t nwant = sizeof want / sizeof want[0];
	assert_int_equal(a.n, 9 + nwant);
	for (size_t i = 0; i < nwant; i++) {
		if (want[i])
			assert_arg(&a, 9 + i, want[i]);
		else
			assert_arg_bin(&a, 9 + i, blob_bytes, 8);
	}
	/* what redisCommandArgv() gets */
	const char **p = csla_argv_ptrs(&a);
	assert_memory_equal(p[14], blob_bytes, 8);
	assert_int_equal(a.lens[14], 8);

	/* another slot, prefix and partition */
	csla_argv_t b = { 0 };
	csla_flush_begin(&b, "x:", 12, -1, 0, 60000);
	assert_arg(&b, 3, "x:slot:12:epoch");
	assert_arg(&b, 4, "x:");
	assert_arg(&b, 5, "12");
	assert_arg(&b, 6, "-1");
	assert_arg(&b, 7, "0");
	assert_arg(&b, 8, "60000");
	csla_argv_free(&b);

	csla_argv_free(&a);
	csla_slot_destroy(s);
	csla_conf_destroy(conf);
}

/* ---- changed rows ------------------------------------------------------ */

typedef struct rop {
	size_t tenant, asof; /* argument indexes */
	size_t row[160];     /* index of each field; its JSON follows */
	size_t nrows;
} rop_t;

typedef struct dop {
	size_t tenant;
	size_t field[8];
	size_t nfields;
} dop_t;

typedef struct ops {
	rop_t r[8];
	size_t nr;
	dop_t d[64];
	size_t nd;
} ops_t;

static bool arg_empty(const csla_argv_t *a, size_t i)
{
	if (i >= a->n)
		fail_msg("the ops end without their \"\" (%zu arguments)", a->n);
	return a->lens[i] == 0;
}

/* Reads the R and D ops from argument `from` to the end, as the script
 * does. */
static void read_ops(const csla_argv_t *a, size_t from, ops_t *o)
{
	memset(o, 0, sizeof *o);
	size_t i = from;
	while (i < a->n) {
		if (arg_is(a, i, "R")) {
			assert_true(o->nr < 8);
			rop_t *r = &o->r[o->nr++];
			r->tenant = i + 1;
			r->asof = i + 2;
			assert_true(i + 2 < a->n);
			size_t j = i + 3;
			while (!arg_empty(a, j)) {
				assert_true(r->nrows < 160);
				assert_false(arg_empty(a, j + 1));
				r->row[r->nrows++] = j;
				j += 2;
			}
			i = j + 1;
		} else if (arg_is(a, i, "D")) {
			assert_true(o->nd < 64);
			dop_t *d = &o->d[o->nd++];
			d->tenant = i + 1;
			assert_false(arg_empty(a, i + 1));
			size_t j = i + 2;
			while (!arg_empty(a, j)) {
				assert_true(d->nfields < 8);
				d->field[d->nfields++] = j;
				j++;
			}
			i = j + 1;
		} else {
			fail_msg("argument %zu: not an op: \"%.*s\"", i,
				 (int)a->lens[i], a->arena + a->off[i]);
		}
	}
}

/* The engine's own rows as of now, to check that the JSON is passed on
 * verbatim. */
typedef struct eng_rows {
	char field[128][160];
	char json[128][1024];
	char tenant[128][32];
	size_t n;
} eng_rows_t;

static void collect_row(void *opaque, const csla_snapshot_t *s)
{
	eng_rows_t *er = opaque;
	assert_true(er->n < 128);
	snprintf(er->field[er->n], sizeof er->field[0], "%s|%s|%.*s",
		 csla_scope_name(s->scope), s->window, (int)s->id.len, s->id.p);
	snprintf(er->tenant[er->n], sizeof er->tenant[0], "%.*s",
		 (int)s->tenant.len, s->tenant.p);
	size_t n = csla_snapshot_json(s, er->json[er->n], sizeof er->json[0]);
	assert_true(n < sizeof er->json[0]);
	er->n++;
}

typedef struct world {
	csla_conf_t *conf;
	csla_decoder_t *dec;
	csla_engine_t *e;
	csla_rows_t *rows;
	size_t tapped; /* rows the last diff showed its tap */
} world_t;

static void world_new(world_t *w)
{
	w->conf = conf_event();
	w->dec = csla_decoder_new(w->conf->max_message_bytes);
	assert_non_null(w->dec);
	w->e = csla_engine_new(w->conf);
	assert_non_null(w->e);
	w->rows = csla_rows_new();
	assert_non_null(w->rows);
}

static void world_free(world_t *w)
{
	csla_rows_destroy(w->rows);
	csla_engine_destroy(w->e);
	csla_decoder_destroy(w->dec);
	csla_conf_destroy(w->conf);
}

static void ev(world_t *w, const char *json)
{
	csla_event_t e;
	char err[200] = "";
	csla_reject_t r = csla_decode(w->dec, json, strlen(json), &e, err,
				      sizeof err);
	if (r != CSLA_OK)
		fail_msg("%s: %s: %s", json, csla_reject_name(r), err);
	r = csla_engine_apply(w->e, &e, WALL);
	if (r != CSLA_OK)
		fail_msg("%s: %s", json, csla_reject_name(r));
}

/* The tap is shown every row of the pass, written or not, with its JSON. */
static void tap(void *opaque, const csla_snapshot_t *s, const char *json,
		size_t len)
{
	world_t *w = opaque;
	(void)s;
	assert_true(len > 2 && json[0] == '{' && json[len - 1] == '}');
	w->tapped++;
}

static size_t diff(world_t *w, int64_t now, csla_argv_t *a, ops_t *o)
{
	csla_argv_free(a);
	w->tapped = 0;
	size_t n = csla_rows_diff(w->rows, w->e, now, a, tap, w);
	read_ops(a, 0, o);
	size_t rows = 0, dels = 0;
	for (size_t i = 0; i < o->nr; i++)
		rows += o->r[i].nrows;
	for (size_t i = 0; i < o->nd; i++)
		dels += o->d[i].nfields;
	assert_int_equal(n, rows + dels);
	return n;
}

/* "scope|window|id" for each window, in order, appended to out. */
static size_t fields_of(char (*out)[160], const char *scope, const char *id,
			const char *const *windows, size_t nw)
{
	for (size_t i = 0; i < nw; i++)
		snprintf(out[i], 160, "%s|%s|%s", scope, windows[i], id);
	return nw;
}

static void assert_rop(const csla_argv_t *a, const rop_t *r,
		       const char *tenant, const char *asof,
		       char (*fields)[160], size_t nfields)
{
	assert_arg(a, r->tenant, tenant);
	assert_arg(a, r->asof, asof);
	if (r->nrows != nfields)
		fail_msg("tenant %s: %zu rows written, expected %zu", tenant,
			 r->nrows, nfields);
	for (size_t i = 0; i < nfields; i++)
		assert_arg(a, r->row[i], fields[i]);
}

/* Each written row's JSON is the engine's row, as of the same time. */
static void assert_rows_verbatim(world_t *w, int64_t now, const csla_argv_t *a,
				 const ops_t *o)
{
	eng_rows_t *er = calloc(1, sizeof *er);
	assert_non_null(er);
	csla_engine_snapshot(w->e, now, collect_row, er);
	for (size_t i = 0; i < o->nr; i++) {
		const rop_t *r = &o->r[i];
		for (size_t k = 0; k < r->nrows; k++) {
			size_t f = r->row[k];
			size_t j = 0;
			while (j < er->n &&
			       !(arg_is(a, r->tenant, er->tenant[j]) &&
				 arg_is(a, f, er->field[j])))
				j++;
			if (j == er->n)
				fail_msg("row %.*s is not the engine's",
					 (int)a->lens[f], a->arena + a->off[f]);
			assert_arg(a, f + 1, er->json[j]);
		}
	}
	free(er);
}

static const char *row_json(const csla_argv_t *a, const ops_t *o,
			    const char *tenant, const char *field, char *buf,
			    size_t len)
{
	for (size_t i = 0; i < o->nr; i++) {
		if (!arg_is(a, o->r[i].tenant, tenant))
			continue;
		for (size_t k = 0; k < o->r[i].nrows; k++) {
			size_t f = o->r[i].row[k];
			if (arg_is(a, f, field)) {
				snprintf(buf, len, "%.*s", (int)a->lens[f + 1],
					 a->arena + a->off[f + 1]);
				return buf;
			}
		}
	}
	fail_msg("no row %s %s", tenant, field);
	return NULL;
}

static void feed_day(world_t *w)
{
	ev(w, "{\"v\":1,\"type\":\"agent\",\"tenant\":\"t1\",\"ts\":\"2026-11-25T10:00:00Z\","
	      "\"agent_id\":\"a1\",\"state\":\"available\",\"queues\":[\"q1\"]}");
	ev(w, "{\"v\":1,\"type\":\"agent\",\"tenant\":\"t1\",\"ts\":\"2026-11-25T10:00:00Z\","
	      "\"agent_id\":\"a2\",\"state\":\"available\",\"queues\":[\"q2\"]}");
	ev(w, "{\"v\":1,\"type\":\"call\",\"tenant\":\"t1\",\"ts\":\"2026-11-25T10:07:00Z\","
	      "\"event\":\"abandoned\",\"call_id\":\"c1\",\"queue\":\"q2\",\"wait_ms\":20000}");
	ev(w, "{\"v\":1,\"type\":\"call\",\"tenant\":\"t1\",\"ts\":\"2026-11-25T10:08:00Z\","
	      "\"event\":\"abandoned\",\"call_id\":\"c2\",\"queue\":\"q1\",\"wait_ms\":10000}");
	ev(w, "{\"v\":1,\"type\":\"call\",\"tenant\":\"t2\",\"ts\":\"2026-11-25T10:10:00Z\","
	      "\"event\":\"abandoned\",\"call_id\":\"c1\",\"queue\":\"qx\",\"wait_ms\":10000}");
	ev(w, "{\"v\":1,\"type\":\"agent\",\"tenant\":\"t1\",\"ts\":\"2026-11-25T10:20:00Z\","
	      "\"agent_id\":\"a2\",\"state\":\"available\"}");
	assert_int_equal(csla_engine_event_now(w->e), T1020);
}

/* t1's 45 fields and t2's 18, in output order. */
static size_t all_t1(char (*f)[160])
{
	size_t n = 0;
	n += fields_of(f + n, "agent", "a1", WINDOWS, 9);
	n += fields_of(f + n, "agent", "a2", WINDOWS, 9);
	n += fields_of(f + n, "queue", "q1", WINDOWS, 9);
	n += fields_of(f + n, "queue", "q2", WINDOWS, 9);
	n += fields_of(f + n, "tenant", "t1", WINDOWS, 9);
	return n;
}

static size_t all_t2(char (*f)[160])
{
	size_t n = 0;
	n += fields_of(f + n, "queue", "qx", WINDOWS, 9);
	n += fields_of(f + n, "tenant", "t2", WINDOWS, 9);
	return n;
}

static void test_rows_diff(void **state)
{
	(void)state;
	world_t w;
	csla_argv_t a = { 0 };
	ops_t *o = calloc(1, sizeof *o);
	char (*f1)[160] = calloc(64, 160), (*f2)[160] = calloc(64, 160);
	char buf[1024];
	assert_non_null(o);
	assert_non_null(f1);
	assert_non_null(f2);

	world_new(&w);
	feed_day(&w);
	size_t n1 = all_t1(f1), n2 = all_t2(f2);
	assert_int_equal(n1, 45);
	assert_int_equal(n2, 18);

	/* 1. Everything. */
	assert_int_equal(diff(&w, T1020, &a, o), 63);
	assert_int_equal(w.tapped, 63);
	assert_int_equal(o->nr, 2);
	assert_int_equal(o->nd, 0);
	assert_arg(&a, 0, "R");
	assert_rop(&a, &o->r[0], "t1", "2026-11-25T10:20:00.000Z", f1, n1);
	assert_rop(&a, &o->r[1], "t2", "2026-11-25T10:20:00.000Z", f2, n2);
	assert_int_equal(a.n, 2 * (3 + 1) + 2 * 63);
	assert_rows_verbatim(&w, T1020, &a, o);
	assert_string_equal(
		row_json(&a, o, "t1", "queue|today|q1", buf, sizeof buf),
		"{\"tenant\":\"t1\",\"as_of\":\"2026-11-25T10:20:00.000Z\","
		"\"scope\":\"queue\",\"id\":\"q1\",\"window\":\"today\","
		"\"offered\":1,\"answered\":0,\"abandoned\":1,"
		"\"short_abandoned\":0,\"flowout\":0,\"answered_in_sl\":0,"
		"\"answered_in_rings\":0,\"service_level\":0.0,"
		"\"three_ring_rate\":0.0,\"abandon_rate\":1.0,\"asa_s\":null,"
		"\"max_wait_s\":10.0,\"handled\":0,\"aht_s\":null,"
		"\"occupancy\":0.0,\"utilization\":0.0,\"waiting_now\":0,"
		"\"longest_wait_s\":0.0,\"agents\":{\"available\":1,"
		"\"alerting\":0,\"talking\":0,\"hold\":0,\"acw\":0,"
		"\"not_ready\":0},\"staffed\":1}");
	assert_string_equal(
		row_json(&a, o, "t1", "agent|today|a1", buf, sizeof buf),
		"{\"tenant\":\"t1\",\"as_of\":\"2026-11-25T10:20:00.000Z\","
		"\"scope\":\"agent\",\"id\":\"a1\",\"window\":\"today\","
		"\"answered\":0,\"handled\":0,\"aht_s\":null,\"occupancy\":0.0,"
		"\"utilization\":0.0,\"agent_answer_in_rings\":0,\"rona\":0}");
	assert_non_null(strstr(row_json(&a, o, "t1", "tenant|today|t1", buf,
					sizeof buf),
			       "\"offered\":2,\"answered\":0,\"abandoned\":2,"));
	assert_non_null(strstr(buf, "\"max_wait_s\":20.0,"));
	assert_non_null(strstr(buf, "\"staffed\":2}"));
	/* 5m is (10:15, 10:20]: nothing happened in it */
	assert_non_null(strstr(row_json(&a, o, "t1", "queue|5m|q1", buf,
					sizeof buf),
			       "\"offered\":0,"));

	/* 2. Nothing new, same now: each tenant's R op, no rows. */
	assert_int_equal(diff(&w, T1020, &a, o), 0);
	assert_int_equal(w.tapped, 63);
	assert_int_equal(o->nr, 2);
	assert_int_equal(o->nd, 0);
	assert_int_equal(a.n, 8);
	assert_rop(&a, &o->r[0], "t1", "2026-11-25T10:20:00.000Z", f1, 0);
	assert_rop(&a, &o->r[1], "t2", "2026-11-25T10:20:00.000Z", f2, 0);
	assert_arg(&a, 3, "");
	assert_arg(&a, 7, "");

	/* 3. c3 abandoned on q1 at 10:12 after 30 s (the clock stays at
	 * 10:20).  Windows that hold 10:12 at 10:20: 15m (10:05, 10:20],
	 * 30m, 60m, cur30m [10:00, 10:20] and prev15m [10:00, 10:15), today;
	 * not 5m (10:15, 10:20], cur15m [10:15, 10:20], prev30m [09:30,
	 * 10:00).  Rows: q1's and t1's in those six windows; no agent (the
	 * call has none), not q2, not t2. */
	ev(&w, "{\"v\":1,\"type\":\"call\",\"tenant\":\"t1\",\"ts\":\"2026-11-25T10:12:00Z\","
	       "\"event\":\"abandoned\",\"call_id\":\"c3\",\"queue\":\"q1\",\"wait_ms\":30000}");
	static const char *const six[] = { "15m", "30m", "60m", "cur30m",
					   "prev15m", "today" };
	size_t n = 0;
	n += fields_of(f1 + n, "queue", "q1", six, 6);
	n += fields_of(f1 + n, "tenant", "t1", six, 6);
	assert_int_equal(diff(&w, T1020, &a, o), 12);
	assert_int_equal(o->nr, 2);
	assert_rop(&a, &o->r[0], "t1", "2026-11-25T10:20:00.000Z", f1, n);
	assert_rop(&a, &o->r[1], "t2", "2026-11-25T10:20:00.000Z", f2, 0);
	assert_rows_verbatim(&w, T1020, &a, o);
	assert_string_equal(
		row_json(&a, o, "t1", "queue|today|q1", buf, sizeof buf),
		"{\"tenant\":\"t1\",\"as_of\":\"2026-11-25T10:20:00.000Z\","
		"\"scope\":\"queue\",\"id\":\"q1\",\"window\":\"today\","
		"\"offered\":2,\"answered\":0,\"abandoned\":2,"
		"\"short_abandoned\":0,\"flowout\":0,\"answered_in_sl\":0,"
		"\"answered_in_rings\":0,\"service_level\":0.0,"
		"\"three_ring_rate\":0.0,\"abandon_rate\":1.0,\"asa_s\":null,"
		"\"max_wait_s\":30.0,\"handled\":0,\"aht_s\":null,"
		"\"occupancy\":0.0,\"utilization\":0.0,\"waiting_now\":0,"
		"\"longest_wait_s\":0.0,\"agents\":{\"available\":1,"
		"\"alerting\":0,\"talking\":0,\"hold\":0,\"acw\":0,"
		"\"not_ready\":0},\"staffed\":1}");
	/* prev15m [10:00, 10:15): c2 at 10:08 and c3 at 10:12 */
	assert_non_null(strstr(row_json(&a, o, "t1", "queue|prev15m|q1", buf,
					sizeof buf),
			       "\"offered\":2,"));

	/* 4. One second later: every outcome stays in the same windows (the
	 * 15m window is now (10:05:01, 10:20:01], still holding 10:07) and
	 * the agents were available throughout (occupancy 0.0 whatever the
	 * span): only as_of differs, nothing is written. */
	assert_int_equal(diff(&w, T1020 + 1000, &a, o), 0);
	assert_int_equal(o->nr, 2);
	assert_rop(&a, &o->r[0], "t1", "2026-11-25T10:20:01.000Z", f1, 0);
	assert_rop(&a, &o->r[1], "t2", "2026-11-25T10:20:01.000Z", f2, 0);

	/* 5. After a failed write everything goes again, stamped 10:20:01. */
	csla_rows_forget(w.rows);
	n1 = all_t1(f1);
	assert_int_equal(diff(&w, T1020 + 1000, &a, o), 63);
	assert_rop(&a, &o->r[0], "t1", "2026-11-25T10:20:01.000Z", f1, n1);
	assert_rop(&a, &o->r[1], "t2", "2026-11-25T10:20:01.000Z", f2, n2);
	assert_rows_verbatim(&w, T1020 + 1000, &a, o);
	assert_non_null(strstr(row_json(&a, o, "t2", "tenant|5m|t2", buf,
					sizeof buf),
			       "\"as_of\":\"2026-11-25T10:20:01.000Z\""));
	assert_int_equal(diff(&w, T1020 + 1000, &a, o), 0);

	/* 6. 27.5 hours later a2 speaks again; a1 has been silent longer
	 * than agent_idle (26 h) and is forgotten: its nine rows go. */
	ev(&w, "{\"v\":1,\"type\":\"agent\",\"tenant\":\"t1\",\"ts\":\"2026-11-26T13:30:00Z\","
	       "\"agent_id\":\"a2\",\"state\":\"available\"}");
	int64_t later = T1020 + 27 * 3600000LL + 10 * 60000LL;
	diff(&w, later, &a, o);
	assert_int_equal(o->nd, 9);
	bool seen[9] = { false };
	for (size_t i = 0; i < o->nd; i++) {
		assert_arg(&a, o->d[i].tenant, "t1");
		assert_int_equal(o->d[i].nfields, 1);
		size_t k = 0;
		char want[64];
		for (; k < 9; k++) {
			snprintf(want, sizeof want, "agent|%s|a1", WINDOWS[k]);
			if (arg_is(&a, o->d[i].field[0], want))
				break;
		}
		if (k == 9)
			fail_msg("D of %.*s", (int)a.lens[o->d[i].field[0]],
				 a.arena + a.off[o->d[i].field[0]]);
		assert_false(seen[k]);
		seen[k] = true;
	}
	for (size_t i = 0; i < o->nr; i++)
		for (size_t k = 0; k < o->r[i].nrows; k++) {
			size_t fi = o->r[i].row[k];
			assert_false(a.lens[fi] >= 3 &&
				     !memcmp(a.arena + a.off[fi] + a.lens[fi] - 3,
					     "|a1", 3));
		}
	assert_arg(&a, o->r[0].asof, "2026-11-26T13:30:00.000Z");
	assert_rows_verbatim(&w, later, &a, o);
	/* and they are not deleted twice */
	assert_int_equal(diff(&w, later, &a, o), 0);
	assert_int_equal(o->nd, 0);

	csla_argv_free(&a);
	world_free(&w);
	free(f1);
	free(f2);
	free(o);
}

/* Rows are keyed by tenant and field: tenant "t" with agent "queue|5m|q"
 * and tenant "tagent|5m|" with queue "q" have different rows whose
 * tenant + field texts coincide ("tagent|5m|queue|5m|q"). */
static void test_rows_distinct_tenants(void **state)
{
	(void)state;
	world_t w;
	csla_argv_t a = { 0 };
	ops_t *o = calloc(1, sizeof *o);
	assert_non_null(o);

	world_new(&w);
	ev(&w, "{\"v\":1,\"type\":\"agent\",\"tenant\":\"t\",\"ts\":\"2026-11-25T10:00:00Z\","
	       "\"agent_id\":\"queue|5m|q\",\"state\":\"available\"}");
	ev(&w, "{\"v\":1,\"type\":\"call\",\"tenant\":\"tagent|5m|\","
	       "\"ts\":\"2026-11-25T10:01:00Z\",\"event\":\"abandoned\","
	       "\"call_id\":\"c1\",\"queue\":\"q\",\"wait_ms\":10000}");
	int64_t now = T1020 - 19 * 60000LL; /* 10:01 */
	/* t: agent and tenant rows; tagent|5m|: queue and tenant rows */
	assert_int_equal(diff(&w, now, &a, o), 36);
	assert_int_equal(o->nr, 2);
	char (*ft)[160] = calloc(18, 160), (*fa)[160] = calloc(18, 160);
	assert_non_null(ft);
	assert_non_null(fa);
	fields_of(ft, "agent", "queue|5m|q", WINDOWS, 9);
	fields_of(ft + 9, "tenant", "t", WINDOWS, 9);
	fields_of(fa, "queue", "q", WINDOWS, 9);
	fields_of(fa + 9, "tenant", "tagent|5m|", WINDOWS, 9);
	assert_rop(&a, &o->r[0], "t", "2026-11-25T10:01:00.000Z", ft, 18);
	assert_rop(&a, &o->r[1], "tagent|5m|", "2026-11-25T10:01:00.000Z", fa,
		   18);
	assert_rows_verbatim(&w, now, &a, o);
	free(ft);
	free(fa);
	/* nothing changed: nothing is written (each of the two rows must
	 * not be taken for the other) */
	size_t n = diff(&w, now, &a, o);
	if (n) {
		char list[512] = "";
		for (size_t i = 0; i < o->nr; i++)
			for (size_t k = 0; k < o->r[i].nrows; k++) {
				size_t f = o->r[i].row[k];
				size_t l = strlen(list);
				snprintf(list + l, sizeof list - l, " [%.*s] %.*s",
					 (int)a.lens[o->r[i].tenant],
					 a.arena + a.off[o->r[i].tenant],
					 (int)a.lens[f], a.arena + a.off[f]);
			}
		fail_msg("%zu rows written again:%s", n, list);
	}
	/* The agent is forgotten the day after: its nine rows are deleted
	 * from its own tenant's hash, and nothing else is. */
	ev(&w, "{\"v\":1,\"type\":\"call\",\"tenant\":\"t\",\"ts\":\"2026-11-26T13:30:00Z\","
	       "\"event\":\"abandoned\",\"call_id\":\"c9\",\"queue\":\"z\",\"wait_ms\":10000}");
	diff(&w, T1020 + 27 * 3600000LL + 10 * 60000LL, &a, o);
	size_t nd = 0;
	for (size_t i = 0; i < o->nd; i++) {
		assert_arg(&a, o->d[i].tenant, "t");
		for (size_t k = 0; k < o->d[i].nfields; k++) {
			size_t f = o->d[i].field[k];
			const char *p = a.arena + a.off[f];
			size_t l = a.lens[f];
			if (!(l > 6 && !memcmp(p, "agent|", 6) && l >= 11 &&
			      !memcmp(p + l - 11, "|queue|5m|q", 11)))
				fail_msg("D of [t] %.*s", (int)l, p);
			nd++;
		}
	}
	assert_int_equal(nd, 9);

	csla_argv_free(&a);
	world_free(&w);
	free(o);
}

/* A sample takes the queue and tenant rows it is shown, field by field
 * in csla_series_fields' order whatever the row's order, top-level
 * members only, nulls and missing fields empty; then op S with the minute,
 * the cut (the minute, less 2 h, plus one minute), the TTL and flags. */
static void test_series_pass(void **state)
{
	static const char json[] =
		"{\"v\":1,\"staffed\":4,\"agents\":{\"offered\":99},"
		"\"offered\":10,\"asa_s\":12.5,\"answered\":8,"
		"\"service_level\":0.75,\"abandon_rate\":null,\"id\":\"q1\"}";
	csla_snapshot_t s = {
		.tenant = { "t", 1 },
		.scope = CSLA_SCOPE_QUEUE,
		.id = { "q1", 2 },
		.window = "5m",
		.as_of_ms = 1764065745000LL,
	};
	csla_series_pass_t ps;
	csla_argv_t a = { 0 };
	(void)state;

	csla_series_begin(&ps, "P:", 1764065745123LL, 2, false, true);
	csla_series_row(&ps, &s, json, strlen(json));
	s.scope = CSLA_SCOPE_AGENT; /* not sampled */
	csla_series_row(&ps, &s, json, strlen(json));
	assert_int_equal(csla_series_end(&ps, &a), 1);
	assert_int_equal(a.n, 9);
	assert_arg(&a, 0, "S");
	assert_arg(&a, 1, "1764065700000");
	assert_arg(&a, 2, "1764058560000");
	assert_arg(&a, 3, "7200000");
	assert_arg(&a, 4, "0");
	assert_arg(&a, 5, "1");
	assert_arg(&a, 6, "P:series:1:t|queue|5m|q1");
	assert_arg(&a, 7, "1764065700000 1764065745000 "
			  "10,8,,,,,,0.75,,,12.5,,,,,,,,4");
	assert_arg(&a, 8, "");
	csla_argv_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_flush_ops),
		cmocka_unit_test(test_rows_diff),
		cmocka_unit_test(test_rows_distinct_tenants),
		cmocka_unit_test(test_series_pass),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
