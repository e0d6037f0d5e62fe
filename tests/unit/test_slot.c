/* test_slot.c - a partition number's slot (daemon/slot.h): journal entry
 * text, applying batches (offsets, rejections, redeliveries, the admit
 * hook), and the checkpoint of docs/redis.md: a base plus the journal,
 * replayed as Kafka redelivers, gives byte for byte the same engine.
 *
 * The stream is three batches on topics cc.calls (0) and cc.agents (1) of
 * tenant "default", worked out by hand:
 *
 *   batch 1, wall 10:10:00                 batch 2, wall 10:20:00
 *   c0 offered c1 q1 10:00:00              c3 offered c2 q1 10:05:00
 *   c1 answered c1 q1 a1 10:00:12          c4 abandoned c2 10:05:30 (30 s)
 *   c2 malformed JSON -> malformed_json    a2 a1 acw 10:04:00
 *   a0 a1 available [q1] 09:59:00          a3 a2 available 10:40:00 ->
 *   a1 a1 talking 10:00:12                    future_ts (> 10:20 + 5 min)
 *
 *   batch 3, wall 10:30:00 (cc.calls only)
 *   c5 offered c3 q2 10:10:00 (id e5)
 *   c6 offered c4 q2 10:10:01, id e5 again -> duplicate
 *   c7 abandoned c3 q2 10:10:03 (3 s: a short abandon)
 *
 * ("c5" is cc.calls offset 5.)  Within a batch the slot merges the topics
 * on event time (a1's 09:59 goes before c0's 10:00), which changes no
 * number here; the tests pass caught_up for every topic unless they are
 * about holding messages back.  So 9 events are applied; malformed_json,
 * future_ts and duplicate are 1 each; the tenant's `today` has offered 3
 * (c1 answered, c2 abandoned, c3 short-abandoned).  The journal entries are
 * "1795601400000 2 1", "1795602000000 4 3" and "1795602600000 7 -1"
 * (10:10, 10:20 and 10:30 on 2026-11-25 in epoch ms, from date(1)). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "callsla/config.h"
#include "callsla/engine.h"
#include "callsla/timefmt.h"
#include "slot.h"

#define W1 1795601400000LL /* 2026-11-25T10:10:00Z */
#define W2 1795602000000LL /* 10:20:00 */
#define W3 1795602600000LL /* 10:30:00 */
#define W_EARLY 1795600800000LL /* 10:00:00: batches 2 and 3 would be future */
#define W_LATE 1795608000000LL  /* 12:00:00: batch 2's 10:40 would pass */

static const char *const TOPICS[] = { "cc.calls", "cc.agents" };

typedef struct mdef {
	uint32_t topic;
	int64_t offset;
	const char *json;
} mdef_t;

static const mdef_t MSGS[] = {
	/* batch 1: [0, 5) */
	{ 0, 0, "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:00:00Z\","
		"\"event\":\"offered\",\"call_id\":\"c1\",\"queue\":\"q1\","
		"\"id\":\"e1\"}" },
	{ 0, 1, "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:00:12Z\","
		"\"event\":\"answered\",\"call_id\":\"c1\",\"queue\":\"q1\","
		"\"agent_id\":\"a1\",\"id\":\"e2\"}" },
	{ 0, 2, "{\"v\":1,\"type\":\"call\"," },
	{ 1, 0, "{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T09:59:00Z\","
		"\"agent_id\":\"a1\",\"state\":\"available\",\"queues\":[\"q1\"],"
		"\"id\":\"g1\"}" },
	{ 1, 1, "{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T10:00:12Z\","
		"\"agent_id\":\"a1\",\"state\":\"talking\",\"id\":\"g2\"}" },
	/* batch 2: [5, 9) */
	{ 0, 3, "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:05:00Z\","
		"\"event\":\"offered\",\"call_id\":\"c2\",\"queue\":\"q1\","
		"\"id\":\"e3\"}" },
	{ 0, 4, "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:05:30Z\","
		"\"event\":\"abandoned\",\"call_id\":\"c2\",\"queue\":\"q1\","
		"\"id\":\"e4\"}" },
	{ 1, 2, "{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T10:04:00Z\","
		"\"agent_id\":\"a1\",\"state\":\"acw\",\"id\":\"g3\"}" },
	{ 1, 3, "{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T10:40:00Z\","
		"\"agent_id\":\"a2\",\"state\":\"available\",\"id\":\"g4\"}" },
	/* batch 3: [9, 12) */
	{ 0, 5, "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:10:00Z\","
		"\"event\":\"offered\",\"call_id\":\"c3\",\"queue\":\"q2\","
		"\"id\":\"e5\"}" },
	{ 0, 6, "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:10:01Z\","
		"\"event\":\"offered\",\"call_id\":\"c4\",\"queue\":\"q2\","
		"\"id\":\"e5\"}" },
	{ 0, 7, "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:10:03Z\","
		"\"event\":\"abandoned\",\"call_id\":\"c3\",\"queue\":\"q2\","
		"\"id\":\"e6\"}" },
};
/* batch b is MSGS[BATCH[b - 1]] .. MSGS[BATCH[b] - 1] */
static const size_t BATCH[4] = { 0, 5, 9, 12 };
static const int64_t WALL[4] = { 0, W1, W2, W3 };

/* ---- harness ---------------------------------------------------------- */

typedef struct rejrec {
	uint32_t topic;
	int64_t offset;
	csla_reject_t r;
	char why[200];
} rejrec_t;

typedef struct hookctx {
	rejrec_t rej[64];
	size_t nrej;
	size_t nadmit;
	const char *deny; /* tenant the admit hook refuses, or NULL */
	char seen[64][32];
} hookctx_t;

typedef struct env {
	csla_conf_t *conf;
	hookctx_t hc;
	csla_slot_hooks_t hooks;
} env_t;

static csla_reject_t admit_hook(void *opaque, csla_slot_t *s, csla_str_t t)
{
	hookctx_t *hc = opaque;

	(void)s;
	if (hc->nadmit < 64)
		snprintf(hc->seen[hc->nadmit], sizeof hc->seen[0], "%.*s",
			 (int)t.len, t.p);
	hc->nadmit++;
	if (hc->deny && t.len == strlen(hc->deny) &&
	    !memcmp(t.p, hc->deny, t.len))
		return CSLA_REJ_TENANT_PARTITION_CONFLICT;
	return CSLA_OK;
}

static void reject_hook(void *opaque, csla_slot_t *s, const csla_kmsg_t *m,
			csla_reject_t r, const char *why)
{
	hookctx_t *hc = opaque;

	(void)s;
	if (hc->nrej++ >= 64)
		return; /* counted, not recorded */
	rejrec_t *x = &hc->rej[hc->nrej - 1];
	x->topic = m->topic;
	x->offset = m->offset;
	x->r = r;
	snprintf(x->why, sizeof x->why, "%s", why);
}

static env_t *env_new(void)
{
	char err[256] = "";
	env_t *v = calloc(1, sizeof *v);

	assert_non_null(v);
	v->conf = csla_conf_new_defaults();
	assert_non_null(v->conf);
	v->conf->clock = CSLA_CLOCK_EVENT;
	if (csla_conf_validate(v->conf, err, sizeof err))
		fail_msg("csla_conf_validate: %s", err);
	v->hooks = (csla_slot_hooks_t){ admit_hook, reject_hook, &v->hc };
	return v;
}

static void env_free(env_t *v)
{
	csla_conf_destroy(v->conf);
	free(v);
}

static csla_slot_t *slot_new(env_t *v, size_t ntopics)
{
	csla_slot_t *s = csla_slot_new(3, ntopics, v->conf, &v->hooks);
	assert_non_null(s);
	return s;
}

/* Applies the messages MSGS[idx[0]], MSGS[idx[1]], ... (idx ends with -1;
 * the caller lists them in canonical order).  Each payload is a copy that
 * is scribbled over and freed after the call: the slot only borrows it. */
static const bool CAUGHT[CSLA_SLOT_MAX_TOPICS] = { true, true, true, true,
						   true, true, true, true };

static size_t feed_idx_cu(csla_slot_t *s, const int *idx, const bool *cu,
			  int64_t wall)
{
	size_t n = 0;
	while (idx[n] >= 0)
		n++;
	csla_kmsg_t *m = calloc(n + 1, sizeof *m);
	char **copies = calloc(n + 1, sizeof *copies);
	assert_non_null(m);
	assert_non_null(copies);
	for (size_t i = 0; i < n; i++) {
		const mdef_t *d = &MSGS[idx[i]];
		size_t len = strlen(d->json);
		copies[i] = malloc(len + 8);
		assert_non_null(copies[i]);
		memcpy(copies[i], d->json, len);
		memcpy(copies[i] + len, "default", 7);
		m[i] = (csla_kmsg_t){ .topic = d->topic, .partition = 3,
				      .offset = d->offset, .ts_ms = wall,
				      .key = copies[i] + len, .keylen = 7,
				      .payload = copies[i], .len = len };
	}
	size_t r = csla_slot_apply(s, m, n, cu, wall);
	for (size_t i = 0; i < n; i++) {
		memset(copies[i], '#', strlen(MSGS[idx[i]].json) + 7);
		free(copies[i]);
	}
	free(copies);
	free(m);
	return r;
}

/* The same with every topic caught up: all that is held goes. */
static size_t feed_idx(csla_slot_t *s, const int *idx, int64_t wall)
{
	return feed_idx_cu(s, idx, CAUGHT, wall);
}

/* Applies batch b (1..3) with its wall time. */
static size_t feed_batch(csla_slot_t *s, int b)
{
	int idx[16], k = 0;
	for (size_t i = BATCH[b - 1]; i < BATCH[b]; i++)
		idx[k++] = (int)i;
	idx[k] = -1;
	return feed_idx(s, idx, WALL[b]);
}

typedef struct text {
	char *p;
	size_t len, cap;
} text_t;

static void text_add(text_t *t, const char *s, size_t n)
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

static void on_row(void *opaque, const csla_snapshot_t *s)
{
	char buf[4096];
	size_t n = csla_snapshot_json(s, buf, sizeof buf);
	assert_true(n < sizeof buf);
	text_add(opaque, buf, n);
	text_add(opaque, "\n", 1);
}

/* Every row of the slot's engine as of now, one JSON line each.  Caller
 * frees. */
static char *snap_text(csla_slot_t *s, int64_t now)
{
	text_t t = { 0 };
	text_add(&t, "", 0);
	csla_engine_snapshot(csla_slot_engine(s), now, on_row, &t);
	return t.p;
}

/* The line of one row ("scope":"...","id":"...","window":"..."), or NULL. */
static const char *find_row(const char *snap, const char *scope,
			    const char *id, const char *window)
{
	char pat[256];
	snprintf(pat, sizeof pat, "\"scope\":\"%s\",\"id\":\"%s\",\"window\":\"%s\"",
		 scope, id, window);
	return strstr(snap, pat);
}

/* Asserts that the row's line contains `want` (a "key":value text). */
static void assert_row_has(const char *snap, const char *scope, const char *id,
			   const char *window, const char *want)
{
	const char *r = find_row(snap, scope, id, window);
	if (!r)
		fail_msg("no row %s/%s/%s", scope, id, window);
	const char *eol = strchr(r, '\n');
	const char *hit = strstr(r, want);
	if (!hit || hit > eol)
		fail_msg("row %s/%s/%s: want %s in\n%.*s", scope, id, window,
			 want, (int)(eol - r), r);
}

static void assert_entry(const csla_jentry_t *e, int64_t wall, int64_t l0,
			 int64_t l1)
{
	assert_int_equal(e->wall_ms, wall);
	assert_int_equal(e->last[0], l0);
	assert_int_equal(e->last[1], l1);
}

static size_t npending(const csla_slot_t *s)
{
	size_t n;
	csla_slot_pending(s, &n);
	return n;
}

/* ---- journal entry text ---------------------------------------------- */

static void test_jentry_format(void **state)
{
	(void)state;
	char buf[24 * (CSLA_SLOT_MAX_TOPICS + 1)];
	csla_jentry_t e = { .seq = 9, .wall_ms = 1700000000000LL,
			    .last = { 5, -1, 0, 123456789012LL } };

	assert_int_equal(csla_jentry_format(&e, 2, buf, sizeof buf), 18);
	assert_string_equal(buf, "1700000000000 5 -1");
	assert_int_equal(csla_jentry_format(&e, 1, buf, sizeof buf), 15);
	assert_string_equal(buf, "1700000000000 5");
	assert_int_equal(csla_jentry_format(&e, 4, buf, sizeof buf), 33);
	assert_string_equal(buf, "1700000000000 5 -1 0 123456789012");

	/* The widest entry fits the documented buffer. */
	csla_jentry_t big = { .wall_ms = INT64_MIN };
	for (int t = 0; t < CSLA_SLOT_MAX_TOPICS; t++)
		big.last[t] = INT64_MAX;
	size_t n = csla_jentry_format(&big, CSLA_SLOT_MAX_TOPICS, buf, sizeof buf);
	assert_int_equal(n, 20 + 8 * 20);
	assert_int_equal(strlen(buf), n);
	assert_memory_equal(buf, "-9223372036854775808 9223372036854775807 ",
			    41);
	assert_string_equal(buf + n - 20, " 9223372036854775807");
}

static void parse_ok(const char *s, size_t ntopics, int64_t wall,
		     const int64_t *last)
{
	csla_jentry_t e;
	memset(&e, 0x5a, sizeof e);
	if (csla_jentry_parse(s, strlen(s), ntopics, &e) != 0)
		fail_msg("refused \"%s\" (%zu topics)", s, ntopics);
	assert_int_equal(e.wall_ms, wall);
	for (size_t t = 0; t < ntopics; t++)
		assert_int_equal(e.last[t], last[t]);
}

static void parse_bad(const char *s, size_t len, size_t ntopics)
{
	csla_jentry_t e;
	if (csla_jentry_parse(s, len, ntopics, &e) != -1)
		fail_msg("accepted \"%.*s\" (%zu topics)", (int)len, s, ntopics);
}

static void test_jentry_parse(void **state)
{
	(void)state;
	parse_ok("1700000000000 5 -1", 2, 1700000000000LL,
		 (int64_t[]){ 5, -1 });
	parse_ok("0 0", 1, 0, (int64_t[]){ 0 });
	parse_ok("1700000000000", 0, 1700000000000LL, NULL);
	parse_ok("1 9223372036854775807 -1 0", 3, 1,
		 (int64_t[]){ INT64_MAX, -1, 0 });
	parse_ok("9223372036854775807 1 2 3 4 5 6 7 8", 8, INT64_MAX,
		 (int64_t[]){ 1, 2, 3, 4, 5, 6, 7, 8 });
	/* len bounds the text: what follows is not read */
	csla_jentry_t e;
	assert_int_equal(csla_jentry_parse("12 34 56", 5, 1, &e), 0);
	assert_int_equal(e.wall_ms, 12);
	assert_int_equal(e.last[0], 34);

	/* round trips */
	const csla_jentry_t rt[] = {
		{ .wall_ms = 1795602000000LL, .last = { 4, 3 } },
		{ .wall_ms = 1795602600000LL, .last = { 7, -1 } },
		{ .wall_ms = 0, .last = { -1, 0, INT64_MAX, 1, 2, 3, 4, -1 } },
	};
	for (size_t i = 0; i < 3; i++) {
		char buf[24 * (CSLA_SLOT_MAX_TOPICS + 1)];
		size_t nt = i == 2 ? CSLA_SLOT_MAX_TOPICS : 2;
		size_t n = csla_jentry_format(&rt[i], nt, buf, sizeof buf);
		csla_jentry_t back;
		assert_int_equal(csla_jentry_parse(buf, n, nt, &back), 0);
		assert_int_equal(back.wall_ms, rt[i].wall_ms);
		assert_memory_equal(back.last, rt[i].last,
				    nt * sizeof back.last[0]);
	}
}

static void test_jentry_parse_bad(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",                                     /* empty */
		"1700000000000",                        /* no offsets */
		"1700000000000 5",                      /* one missing */
		"1700000000000 5 -1 7",                 /* one too many */
		"1700000000000 5 -1 ",                  /* trailing space */
		" 1700000000000 5 -1",                  /* leading space */
		"1700000000000  5 -1",                  /* two spaces */
		"1700000000000\t5 -1",                  /* not a space */
		"1700000000000 5 -1\n",                 /* newline */
		"17000x0000000 5 -1",                   /* letters */
		"1700000000000 a -1",
		"1700000000000 5 -1x",
		"1700000000000 5 -",                    /* sign alone */
		"1700000000000 5 +1",                   /* plus sign */
		"1700000000000 5 --1",
		"1700000000000 5 -2",                   /* offset < -1 */
		"1700000000000 -9223372036854775807 0",
		"99999999999999999999 5 -1",            /* overflow */
		"9223372036854775808 5 -1",             /* INT64_MAX + 1 */
		"1700000000000 9223372036854775808 -1",
		"1700000000000 18446744073709551616 -1",
		"1700000000000 5 -1.0",
		"1,700,000,000,000 5 -1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		parse_bad(bad[i], strlen(bad[i]), 2);
	/* a NUL inside the text */
	parse_bad("1700000000000 5\0 -1", 18, 2);
	/* more topics than a slot can have */
	parse_bad("1 2 3 4 5 6 7 8 9 10", 20, CSLA_SLOT_MAX_TOPICS + 1);
}

/* ---- applying ----------------------------------------------------------- */

/* Three topics, messages on the first two: cc.calls 10..13 (one malformed,
 * one repeating an event id), cc.agents 20..21. */
static const mdef_t APPLY[] = {
	{ 0, 10, "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:00:00Z\","
		 "\"event\":\"offered\",\"call_id\":\"c1\",\"queue\":\"q1\","
		 "\"id\":\"e1\"}" },
	{ 0, 11, "{\"v\":1,\"type\":\"call\",\"ts\":" },
	{ 0, 12, "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:00:12Z\","
		 "\"event\":\"answered\",\"call_id\":\"c1\",\"queue\":\"q1\","
		 "\"agent_id\":\"a1\",\"id\":\"e2\"}" },
	{ 0, 13, "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:00:20Z\","
		 "\"event\":\"offered\",\"call_id\":\"c9\",\"queue\":\"q1\","
		 "\"id\":\"e1\"}" },
	{ 1, 20, "{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T09:59:00Z\","
		 "\"agent_id\":\"a1\",\"state\":\"available\",\"queues\":[\"q1\"]}" },
	{ 1, 21, "{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T10:00:12Z\","
		 "\"agent_id\":\"a1\",\"state\":\"talking\"}" },
};

static size_t apply_defs_cu(csla_slot_t *s, const mdef_t *d, size_t n,
			    const bool *cu, int64_t wall)
{
	csla_kmsg_t m[16];
	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++)
		m[i] = (csla_kmsg_t){ .topic = d[i].topic, .partition = 3,
				      .offset = d[i].offset,
				      .payload = d[i].json,
				      .len = strlen(d[i].json) };
	return csla_slot_apply(s, m, n, cu, wall);
}

static size_t apply_defs(csla_slot_t *s, const mdef_t *d, size_t n,
			 int64_t wall)
{
	return apply_defs_cu(s, d, n, CAUGHT, wall);
}

static void test_apply(void **state)
{
	(void)state;
	env_t *v = env_new();
	csla_slot_t *s = slot_new(v, 3);

	assert_int_equal(csla_slot_partition(s), 3);
	for (size_t t = 0; t < 3; t++)
		assert_int_equal(csla_slot_next(s, t), -1);
	assert_int_equal(csla_slot_next(s, 7), -1); /* no such topic */
	assert_false(csla_slot_replaying(s));

	assert_int_equal(apply_defs(s, APPLY, 6, W1), 6);
	assert_int_equal(csla_slot_applied(s), 4);
	const uint64_t *rej = csla_slot_rejected(s);
	for (int r = 0; r < CSLA_REJ__COUNT; r++)
		assert_int_equal(rej[r], r == CSLA_REJ_MALFORMED_JSON ||
						 r == CSLA_REJ_DUPLICATE
					 ? 1 : 0);
	assert_int_equal(v->hc.nrej, 2);
	assert_int_equal(v->hc.rej[0].topic, 0);
	assert_int_equal(v->hc.rej[0].offset, 11);
	assert_int_equal(v->hc.rej[0].r, CSLA_REJ_MALFORMED_JSON);
	assert_true(strlen(v->hc.rej[0].why) > 0); /* the decoder's words */
	assert_int_equal(v->hc.rej[1].topic, 0);
	assert_int_equal(v->hc.rej[1].offset, 13);
	assert_int_equal(v->hc.rej[1].r, CSLA_REJ_DUPLICATE);
	/* an engine verdict, in the engine's words */
	assert_string_equal(v->hc.rej[1].why, "event id already seen, or the "
			    "call's outcome / handling already counted");
	/* admitted: every message that decoded (all but offset 11) */
	assert_int_equal(v->hc.nadmit, 5);
	assert_string_equal(v->hc.seen[0], "default");
	/* by type: calls 10 and 12 applied, 13 a duplicate; 11 did not
	 * decode; agents 20 and 21 applied; no CDR */
	const csla_slot_counts_t *c = csla_slot_counts(s);
	assert_int_equal(c->applied[CSLA_EV_CALL], 2);
	assert_int_equal(c->rejected[CSLA_EV_CALL], 1);
	assert_int_equal(c->applied[0], 0);
	assert_int_equal(c->rejected[0], 1);
	assert_int_equal(c->applied[CSLA_EV_AGENT], 2);
	assert_int_equal(c->rejected[CSLA_EV_AGENT], 0);
	assert_int_equal(c->applied[CSLA_EV_CDR], 0);
	assert_int_equal(c->rejected[CSLA_EV_CDR], 0);

	assert_int_equal(csla_slot_next(s, 0), 14);
	assert_int_equal(csla_slot_next(s, 1), 22);
	assert_int_equal(csla_slot_next(s, 2), -1);
	assert_int_equal(csla_slot_seen(s, 0), 14);
	assert_int_equal(csla_slot_seen(s, 1), 22);
	assert_int_equal(csla_slot_seen(s, 2), -1);
	assert_int_equal(csla_slot_held(s), 0);

	size_t n;
	const csla_jentry_t *p = csla_slot_pending(s, &n);
	assert_int_equal(n, 1);
	assert_int_equal(csla_slot_journal_len(s), 1);
	assert_entry(&p[0], W1, 13, 21);
	assert_int_equal(p[0].last[2], -1);

	char *snap = snap_text(s, W1);
	assert_row_has(snap, "queue", "q1", "today", "\"offered\":1,\"answered\":1,");
	free(snap);

	csla_slot_destroy(s);
	env_free(v);
}

/* Until every topic has a message held or is caught up, an event of a
 * lagging topic could still come before the held ones: they wait. */
static void test_apply_holds(void **state)
{
	(void)state;
	env_t *v = env_new();
	csla_slot_t *s = slot_new(v, 3);

	assert_int_equal(apply_defs_cu(s, APPLY, 6, NULL, W1), 0);
	assert_int_equal(csla_slot_held(s), 6);
	assert_int_equal(npending(s), 0);
	assert_int_equal(csla_slot_applied(s), 0);
	assert_int_equal(v->hc.nrej + v->hc.nadmit, 0);
	assert_int_equal(csla_slot_next(s, 0), -1);
	assert_int_equal(csla_slot_seen(s, 0), 14);
	assert_int_equal(csla_slot_seen(s, 1), 22);
	assert_int_equal(csla_slot_seen(s, 2), -1);

	/* the third topic is still behind */
	const bool two[3] = { true, true, false };
	assert_int_equal(apply_defs_cu(s, NULL, 0, two, W1), 0);
	assert_int_equal(csla_slot_held(s), 6);
	/* redelivered while held: kept once */
	assert_int_equal(apply_defs_cu(s, APPLY, 6, two, W1), 0);
	assert_int_equal(csla_slot_held(s), 6);

	/* the messages were copied: the caller's are gone by now */
	assert_int_equal(apply_defs(s, NULL, 0, W2), 6);
	assert_int_equal(csla_slot_held(s), 0);
	assert_int_equal(csla_slot_applied(s), 4);
	assert_int_equal(v->hc.nrej, 2);
	size_t n;
	const csla_jentry_t *p = csla_slot_pending(s, &n);
	assert_int_equal(n, 1);
	assert_entry(&p[0], W2, 13, 21);
	assert_int_equal(p[0].last[2], -1);
	assert_int_equal(csla_slot_next(s, 0), 14);
	assert_int_equal(csla_slot_next(s, 1), 22);

	csla_slot_destroy(s);
	env_free(v);
}

/* The topics are merged on event time, the lower topic first on a tie: an
 * event id sent twice shows which copy went first (the other one is the
 * duplicate). */
static void test_merge_order(void **state)
{
	(void)state;
	env_t *v = env_new();
	csla_slot_t *s = slot_new(v, 2);
	const bool none[2] = { false, false };
	const bool agents_done[2] = { false, true };

	const mdef_t calls[] = {
		{ 0, 0, "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:00:00Z\","
			"\"event\":\"offered\",\"call_id\":\"c1\",\"queue\":\"q1\","
			"\"id\":\"x1\"}" },
		{ 0, 1, "{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T10:05:00Z\","
			"\"agent_id\":\"a2\",\"state\":\"available\"}" },
	};
	const mdef_t agents[] = {
		{ 1, 0, "{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T09:58:00Z\","
			"\"agent_id\":\"a1\",\"state\":\"available\","
			"\"id\":\"x1\"}" },
	};
	/* cc.agents has nothing yet: cc.calls waits */
	assert_int_equal(apply_defs_cu(s, calls, 2, none, W1), 0);
	assert_int_equal(csla_slot_held(s), 2);
	/* 09:58 on cc.agents goes before 10:00 on cc.calls, then cc.agents
	 * is empty again */
	assert_int_equal(apply_defs_cu(s, agents, 1, none, W1), 1);
	assert_int_equal(csla_slot_held(s), 2);
	assert_int_equal(v->hc.nrej, 0);
	size_t n;
	const csla_jentry_t *p = csla_slot_pending(s, &n);
	assert_int_equal(n, 1);
	assert_entry(&p[0], W1, -1, 0);
	/* cc.agents has caught up: the rest goes, and 10:00 is the copy */
	assert_int_equal(apply_defs_cu(s, NULL, 0, agents_done, W2), 2);
	assert_int_equal(v->hc.nrej, 1);
	assert_int_equal(v->hc.rej[0].topic, 0);
	assert_int_equal(v->hc.rej[0].offset, 0);
	assert_int_equal(v->hc.rej[0].r, CSLA_REJ_DUPLICATE);
	p = csla_slot_pending(s, &n);
	assert_int_equal(n, 2);
	assert_entry(&p[1], W2, 1, -1);
	assert_int_equal(csla_slot_applied(s), 2);

	/* the same time on both topics: cc.calls first */
	const mdef_t tie[] = {
		{ 0, 2, "{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T10:06:00Z\","
			"\"agent_id\":\"a3\",\"state\":\"available\",\"id\":\"x9\"}" },
		{ 1, 1, "{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T10:06:00Z\","
			"\"agent_id\":\"a4\",\"state\":\"available\",\"id\":\"x9\"}" },
	};
	assert_int_equal(apply_defs(s, tie, 2, W2), 2);
	assert_int_equal(v->hc.nrej, 2);
	assert_int_equal(v->hc.rej[1].topic, 1);
	assert_int_equal(v->hc.rej[1].offset, 1);
	assert_int_equal(v->hc.rej[1].r, CSLA_REJ_DUPLICATE);
	p = csla_slot_pending(s, &n);
	assert_int_equal(n, 3);
	assert_entry(&p[2], W2, 2, 1);

	csla_slot_destroy(s);
	env_free(v);
}

/* A quiet topic holds the others back for the merge wait only: wall time
 * since the held message arrived. */
static void test_merge_wait(void **state)
{
	(void)state;
	env_t *v = env_new();
	csla_slot_t *s = slot_new(v, 2);
	const bool none[2] = { false, false };
	size_t n;

	assert_int_equal(CSLA_SLOT_MERGE_WAIT_MS, 200);
	assert_int_equal(apply_defs_cu(s, APPLY, 1, none, W1), 0);
	assert_int_equal(apply_defs_cu(s, NULL, 0, none, W1 + 199), 0);
	assert_int_equal(csla_slot_held(s), 1);
	assert_int_equal(apply_defs_cu(s, NULL, 0, none, W1 + 200), 1);
	assert_int_equal(csla_slot_held(s), 0);
	const csla_jentry_t *p = csla_slot_pending(s, &n);
	assert_int_equal(n, 1);
	assert_entry(&p[0], W1 + 200, 10, -1);

	/* cc.calls 12 arrives at W2, 13 at W2 + 150: at W2 + 200 only 12
	 * has waited long enough, and 13 waits for cc.agents again */
	assert_int_equal(apply_defs_cu(s, APPLY + 2, 1, none, W2), 0);
	assert_int_equal(apply_defs_cu(s, APPLY + 3, 1, none, W2 + 150), 0);
	assert_int_equal(apply_defs_cu(s, NULL, 0, none, W2 + 200), 1);
	assert_int_equal(csla_slot_held(s), 1);
	assert_int_equal(csla_slot_next(s, 0), 13);
	assert_int_equal(apply_defs_cu(s, NULL, 0, none, W2 + 350), 1);
	assert_int_equal(csla_slot_next(s, 0), 14);

	/* a longer wait */
	csla_slot_set_merge_wait(s, 5000);
	assert_int_equal(apply_defs_cu(s, APPLY + 4, 1, none, W3), 0);
	assert_int_equal(apply_defs_cu(s, NULL, 0, none, W3 + 4999), 0);
	assert_int_equal(apply_defs_cu(s, NULL, 0, none, W3 + 5000), 1);
	p = csla_slot_pending(s, &n);
	assert_int_equal(n, 4);
	assert_entry(&p[3], W3 + 5000, -1, 20);

	csla_slot_destroy(s);
	env_free(v);
}

static void test_redelivery(void **state)
{
	(void)state;
	env_t *v = env_new();
	csla_slot_t *s = slot_new(v, 3);

	assert_int_equal(apply_defs(s, APPLY, 6, W1), 6);
	char *before = snap_text(s, W2);

	/* The same messages again: nothing is new. */
	assert_int_equal(apply_defs(s, APPLY, 6, W2), 0);
	assert_int_equal(npending(s), 1);
	assert_int_equal(csla_slot_journal_len(s), 1);
	assert_int_equal(csla_slot_applied(s), 4);
	assert_int_equal(v->hc.nrej, 2);
	assert_int_equal(v->hc.nadmit, 5);
	char *after = snap_text(s, W2);
	assert_string_equal(before, after);
	free(after);

	/* Old and new together: cc.calls 12..13 are old, 14..15 new;
	 * cc.agents 21 is old. */
	const mdef_t mixed[] = {
		APPLY[2], APPLY[3],
		{ 0, 14, "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:01:00Z\","
			 "\"event\":\"offered\",\"call_id\":\"c5\",\"queue\":\"q1\"}" },
		{ 0, 15, "{\"v\":1,\"type\":\"call\",\"ts\":\"2026-11-25T10:01:40Z\","
			 "\"event\":\"abandoned\",\"call_id\":\"c5\",\"queue\":\"q1\"}" },
		APPLY[5],
	};
	assert_int_equal(apply_defs(s, mixed, 5, W2), 2);
	assert_int_equal(csla_slot_applied(s), 6);
	assert_int_equal(v->hc.nrej, 2);
	assert_int_equal(csla_slot_next(s, 0), 16);
	assert_int_equal(csla_slot_next(s, 1), 22);
	size_t n;
	const csla_jentry_t *p = csla_slot_pending(s, &n);
	assert_int_equal(n, 2);
	assert_int_equal(csla_slot_journal_len(s), 2);
	assert_entry(&p[1], W2, 15, -1);
	assert_int_equal(p[1].last[2], -1);
	after = snap_text(s, W2);
	/* c1 answered, c5 abandoned after 40 s */
	assert_row_has(after, "queue", "q1", "today",
		       "\"offered\":2,\"answered\":1,\"abandoned\":1,");

	free(before);
	free(after);
	csla_slot_destroy(s);
	env_free(v);
}

static void test_admit_conflict(void **state)
{
	(void)state;
	env_t *v = env_new();
	csla_slot_t *s = slot_new(v, 2);

	assert_int_equal(feed_batch(s, 1), 5);
	char *before = snap_text(s, W2);
	csla_engine_stats_t st0, st1;
	csla_engine_stats(csla_slot_engine(s), &st0);
	assert_int_equal(st0.tenants, 1);
	size_t nrej0 = v->hc.nrej;

	v->hc.deny = "other";
	const mdef_t conflict[] = {
		{ 0, 3, "{\"v\":1,\"type\":\"call\",\"tenant\":\"other\","
			"\"ts\":\"2026-11-25T10:02:00Z\",\"event\":\"offered\","
			"\"call_id\":\"x1\",\"queue\":\"q1\",\"id\":\"x\"}" },
		{ 1, 2, "{\"v\":1,\"type\":\"agent\",\"tenant\":\"other\","
			"\"ts\":\"2026-11-25T10:03:00Z\",\"agent_id\":\"a1\","
			"\"state\":\"not_ready\"}" },
	};
	assert_int_equal(apply_defs(s, conflict, 2, W2), 2);

	assert_int_equal(v->hc.nrej, nrej0 + 2);
	assert_int_equal(v->hc.rej[nrej0].offset, 3);
	assert_int_equal(v->hc.rej[nrej0].topic, 0);
	assert_int_equal(v->hc.rej[nrej0].r, CSLA_REJ_TENANT_PARTITION_CONFLICT);
	assert_int_equal(v->hc.rej[nrej0 + 1].offset, 2);
	assert_int_equal(v->hc.rej[nrej0 + 1].topic, 1);
	assert_int_equal(v->hc.rej[nrej0 + 1].r,
			 CSLA_REJ_TENANT_PARTITION_CONFLICT);
	assert_string_equal(v->hc.seen[v->hc.nadmit - 1], "other");
	assert_int_equal(csla_slot_rejected(s)[CSLA_REJ_TENANT_PARTITION_CONFLICT],
			 2);
	assert_int_equal(csla_slot_applied(s), 4);

	/* The engine never saw them: same rows, same clock, no tenant. */
	char *after = snap_text(s, W2);
	assert_string_equal(before, after);
	csla_engine_stats(csla_slot_engine(s), &st1);
	assert_memory_equal(&st0, &st1, sizeof st0);
	assert_int_equal(csla_engine_event_now(csla_slot_engine(s)),
			 W1 - 600000 + 12000); /* 10:00:12 */
	/* The messages are consumed all the same. */
	assert_int_equal(csla_slot_next(s, 0), 4);
	assert_int_equal(csla_slot_next(s, 1), 3);
	assert_int_equal(npending(s), 2);

	free(before);
	free(after);
	csla_slot_destroy(s);
	env_free(v);
}

static void test_pending_ack(void **state)
{
	(void)state;
	env_t *v = env_new();
	csla_slot_t *s = slot_new(v, 2);

	for (int b = 1; b <= 3; b++)
		feed_batch(s, b);
	size_t n;
	const csla_jentry_t *p = csla_slot_pending(s, &n);
	assert_int_equal(n, 3);
	assert_entry(&p[0], W1, 2, 1);
	assert_entry(&p[1], W2, 4, 3);
	assert_entry(&p[2], W3, 7, -1);
	assert_true(p[0].seq < p[1].seq && p[1].seq < p[2].seq);
	uint64_t seq1 = p[0].seq, seq2 = p[1].seq, seq3 = p[2].seq;

	csla_slot_pending_ack(s, seq1 - 1); /* before the first: nothing */
	p = csla_slot_pending(s, &n);
	assert_int_equal(n, 3);

	csla_slot_pending_ack(s, seq2);
	p = csla_slot_pending(s, &n);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].seq, seq3);
	assert_entry(&p[0], W3, 7, -1);
	/* stored entries are still in the journal since the base */
	assert_int_equal(csla_slot_journal_len(s), 3);

	csla_slot_pending_ack(s, seq2); /* again: nothing */
	p = csla_slot_pending(s, &n);
	assert_int_equal(n, 1);

	/* a new entry after an ack gets a later seq */
	const mdef_t more[] = {
		{ 1, 4, "{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T10:11:00Z\","
			"\"agent_id\":\"a1\",\"state\":\"available\"}" },
	};
	assert_int_equal(apply_defs(s, more, 1, W3), 1);
	p = csla_slot_pending(s, &n);
	assert_int_equal(n, 2);
	assert_true(p[1].seq > seq3);
	assert_entry(&p[1], W3, -1, 4);

	csla_slot_pending_ack(s, p[1].seq + 100); /* beyond the last: all */
	csla_slot_pending(s, &n);
	assert_int_equal(n, 0);
	assert_int_equal(csla_slot_journal_len(s), 4);

	csla_slot_destroy(s);
	env_free(v);
}

/* ---- base and journal -------------------------------------------------- */

typedef struct saved {
	csla_buf_t base;       /* after batch 1 */
	char e1[64], e2[64], e3[64];
	char *snap;            /* A's rows after batch 3, as of W3 */
	int64_t next[2];
	uint64_t rejected[CSLA_REJ__COUNT];
	uint64_t applied;
} saved_t;

static void format_entry(const csla_jentry_t *e, char *buf, size_t len)
{
	char tmp[24 * (CSLA_SLOT_MAX_TOPICS + 1)];
	size_t n = csla_jentry_format(e, 2, tmp, sizeof tmp);
	assert_true(n < len);
	memcpy(buf, tmp, n);
	buf[n] = '\0';
}

/* Slot A: batch 1, a base, batches 2 and 3. */
static void run_a(env_t *v, saved_t *sv)
{
	csla_slot_t *a = slot_new(v, 2);
	size_t n;

	memset(sv, 0, sizeof *sv);
	assert_int_equal(feed_batch(a, 1), 5);
	const csla_jentry_t *p = csla_slot_pending(a, &n);
	assert_int_equal(n, 1);
	format_entry(&p[0], sv->e1, sizeof sv->e1);
	assert_string_equal(sv->e1, "1795601400000 2 1");

	csla_slot_save_base(a, TOPICS, &sv->base);
	assert_true(sv->base.len > 4);
	assert_memory_equal(sv->base.p, "CSLB", 4);
	/* a base empties the journal */
	assert_int_equal(npending(a), 0);
	assert_int_equal(csla_slot_journal_len(a), 0);

	assert_int_equal(feed_batch(a, 2), 4);
	assert_int_equal(feed_batch(a, 3), 3);
	p = csla_slot_pending(a, &n);
	assert_int_equal(n, 2);
	assert_int_equal(csla_slot_journal_len(a), 2);
	format_entry(&p[0], sv->e2, sizeof sv->e2);
	format_entry(&p[1], sv->e3, sizeof sv->e3);
	assert_string_equal(sv->e2, "1795602000000 4 3");
	assert_string_equal(sv->e3, "1795602600000 7 -1");

	sv->snap = snap_text(a, W3);
	sv->next[0] = csla_slot_next(a, 0);
	sv->next[1] = csla_slot_next(a, 1);
	memcpy(sv->rejected, csla_slot_rejected(a), sizeof sv->rejected);
	sv->applied = csla_slot_applied(a);

	/* the numbers of the header comment */
	assert_int_equal(sv->next[0], 8);
	assert_int_equal(sv->next[1], 4);
	assert_int_equal(sv->applied, 9);
	for (int r = 0; r < CSLA_REJ__COUNT; r++)
		assert_int_equal(sv->rejected[r],
				 r == CSLA_REJ_MALFORMED_JSON ||
						 r == CSLA_REJ_FUTURE_TS ||
						 r == CSLA_REJ_DUPLICATE
					 ? 1 : 0);
	assert_row_has(sv->snap, "tenant", "default", "today",
		       "\"offered\":3,\"answered\":1,\"abandoned\":1,"
		       "\"short_abandoned\":1,\"flowout\":0,");
	csla_slot_destroy(a);
}

static void saved_free(saved_t *sv)
{
	csla_buf_free(&sv->base);
	free(sv->snap);
}

static void restore_ok(csla_slot_t *s, const char *const *topics,
		       const csla_buf_t *base, const char *const *j, size_t nj)
{
	size_t jl[16];
	char err[256] = "";
	assert_true(nj <= 16);
	for (size_t i = 0; i < nj; i++)
		jl[i] = strlen(j[i]);
	if (csla_slot_restore(s, topics, base ? base->p : NULL,
			      base ? base->len : 0, j, jl, nj, err, sizeof err))
		fail_msg("csla_slot_restore: %s", err);
}

/* B is at the end of the journal: it must be A. */
static void assert_same_as_a(csla_slot_t *b, const saved_t *sv)
{
	assert_false(csla_slot_replaying(b));
	char *snap = snap_text(b, W3);
	assert_row_has(snap, "tenant", "default", "today",
		       "\"offered\":3,\"answered\":1,\"abandoned\":1,"
		       "\"short_abandoned\":1,\"flowout\":0,");
	assert_string_equal(snap, sv->snap);
	free(snap);
	assert_int_equal(csla_slot_next(b, 0), sv->next[0]);
	assert_int_equal(csla_slot_next(b, 1), sv->next[1]);
	assert_memory_equal(csla_slot_rejected(b), sv->rejected,
			    sizeof sv->rejected);
	assert_int_equal(csla_slot_applied(b), sv->applied);
	/* Re-applying what the journal held journals nothing new. */
	assert_int_equal(npending(b), 0);
}

/* Restores B from the base and the journal texts j[0..nj), then feeds it
 * the messages as Kafka would redeliver them from the base offsets, in
 * chunks that do not follow the batches, with wall times that would give
 * other results if they were used instead of the journal's. */
static void replay_into_b(const saved_t *sv, const char *const *j, size_t nj,
			  size_t nkept)
{
	env_t *v = env_new();
	csla_slot_t *b = slot_new(v, 2);

	restore_ok(b, TOPICS, &sv->base, j, nj);
	assert_true(csla_slot_replaying(b));
	assert_int_equal(csla_slot_journal_len(b), nkept);
	assert_int_equal(npending(b), 0);
	assert_int_equal(csla_slot_next(b, 0), 3);
	assert_int_equal(csla_slot_next(b, 1), 2);
	assert_int_equal(csla_slot_applied(b), 4);
	assert_int_equal(csla_slot_rejected(b)[CSLA_REJ_MALFORMED_JSON], 1);

	/* cc.calls 3..5: entry 2 also needs cc.agents 2..3 */
	assert_int_equal(feed_idx(b, (int[]){ 5, 6, 9, -1 }, W_LATE), 0);
	assert_true(csla_slot_replaying(b));
	assert_int_equal(csla_slot_applied(b), 4);
	/* older offsets than the base's, and cc.agents 2: still waiting */
	assert_int_equal(feed_idx(b, (int[]){ 0, 1, 2, 3, 4, 7, -1 }, W_EARLY),
			 0);
	assert_true(csla_slot_replaying(b));
	assert_int_equal(csla_slot_applied(b), 4);
	assert_int_equal(csla_slot_next(b, 0), 3);
	/* cc.calls 6 and cc.agents 3: entry 2 is complete, entry 3 is not */
	feed_idx(b, (int[]){ 10, 8, -1 }, W_LATE);
	assert_true(csla_slot_replaying(b));
	assert_int_equal(csla_slot_next(b, 0), 5);
	assert_int_equal(csla_slot_next(b, 1), 4);
	assert_int_equal(csla_slot_applied(b), 4 + 3);
	assert_int_equal(csla_slot_rejected(b)[CSLA_REJ_FUTURE_TS], 1);
	/* cc.calls 7 (and 4 again): entry 3 is complete */
	feed_idx(b, (int[]){ 6, 11, -1 }, W_EARLY);
	assert_same_as_a(b, sv);

	/* live from here: the next batch is journalled with its wall time */
	const mdef_t more[] = {
		{ 1, 4, "{\"v\":1,\"type\":\"agent\",\"ts\":\"2026-11-25T10:11:00Z\","
			"\"agent_id\":\"a1\",\"state\":\"available\"}" },
	};
	assert_int_equal(apply_defs(b, more, 1, W3), 1);
	size_t n;
	const csla_jentry_t *p = csla_slot_pending(b, &n);
	assert_int_equal(n, 1);
	assert_entry(&p[0], W3, -1, 4);

	csla_slot_destroy(b);
	env_free(v);
}

static void test_base_roundtrip(void **state)
{
	(void)state;
	env_t *v = env_new();
	saved_t sv;
	run_a(v, &sv);

	/* as stored */
	replay_into_b(&sv, (const char *[]){ sv.e2, sv.e3 }, 2, 2);
	/* entry 2 stored twice (a lost reply) */
	replay_into_b(&sv, (const char *[]){ sv.e2, sv.e2, sv.e3 }, 3, 2);
	/* entry 1, which the base covers, and repeats */
	replay_into_b(&sv, (const char *[]){ sv.e1, sv.e2, sv.e2, sv.e3, sv.e3 },
		      5, 2);

	/* The base's own bytes: magic, version 1, two topics by name. */
	assert_memory_equal(sv.base.p, "CSLB\1\0\0\0\0\0\0\0\2\0\0\0\0\0\0\0"
				       "\10\0\0\0\0\0\0\0cc.calls"
				       "\3\0\0\0\0\0\0\0"
				       "\11\0\0\0\0\0\0\0cc.agents"
				       "\2\0\0\0\0\0\0\0",
			    4 + 8 + 8 + 8 + 8 + 8 + 8 + 9 + 8);

	/* Then (from byte 69) the 14 rejection counts, malformed_json's at
	 * 85; applied at 189; one tenant at 197, its length at 205 and its
	 * engine bytes from 213 to the end. */
	assert_int_equal(CSLA_REJ__COUNT, 14);
	assert_memory_equal(sv.base.p + 69, "\16\0\0\0\0\0\0\0", 8);
	assert_memory_equal(sv.base.p + 85, "\1\0\0\0\0\0\0\0", 8);
	assert_memory_equal(sv.base.p + 189, "\4\0\0\0\0\0\0\0", 8);
	assert_memory_equal(sv.base.p + 197, "\1\0\0\0\0\0\0\0", 8);
	uint64_t tlen = 0;
	for (int i = 0; i < 8; i++)
		tlen |= (uint64_t)(unsigned char)sv.base.p[205 + i] << (8 * i);
	assert_int_equal(213 + tlen, sv.base.len);

	/* Deterministic: B's base equals A's. */
	csla_slot_t *b = slot_new(v, 2);
	restore_ok(b, TOPICS, &sv.base, NULL, 0);
	assert_false(csla_slot_replaying(b));
	csla_buf_t again = { 0 };
	csla_slot_save_base(b, TOPICS, &again);
	assert_int_equal(again.len, sv.base.len);
	assert_memory_equal(again.p, sv.base.p, sv.base.len);
	csla_buf_free(&again);
	csla_slot_destroy(b);

	saved_free(&sv);
	env_free(v);
}

/* The journal holds entry 2 only (A stopped before storing entry 3): B
 * waits for both topics, then applies what follows live. */
static void test_replay_waits(void **state)
{
	(void)state;
	env_t *v = env_new();
	saved_t sv;
	run_a(v, &sv);

	csla_slot_t *b = slot_new(v, 2);
	restore_ok(b, TOPICS, &sv.base, (const char *[]){ sv.e2 }, 1);
	assert_true(csla_slot_replaying(b));
	char *at_base = snap_text(b, W3);

	/* cc.calls of entry 2 (and beyond) only, arriving at 12:00 */
	assert_int_equal(feed_idx(b, (int[]){ 5, 6, 9, 10, 11, -1 }, W_LATE),
			 0);
	assert_true(csla_slot_replaying(b));
	assert_int_equal(csla_slot_applied(b), 4);
	assert_int_equal(csla_slot_next(b, 0), 3);
	assert_int_equal(csla_slot_next(b, 1), 2);
	assert_int_equal(npending(b), 0);
	char *snap = snap_text(b, W3);
	assert_string_equal(snap, at_base);
	free(snap);

	/* cc.agents 2 of 2..3: still waiting */
	assert_int_equal(feed_idx(b, (int[]){ 7, -1 }, W_LATE), 0);
	assert_true(csla_slot_replaying(b));
	assert_int_equal(csla_slot_applied(b), 4);

	/* cc.agents 3: entry 2 is replayed with its wall time (10:40 is
	 * future for 10:20, not for 12:00); cc.calls 5..7 are new, but
	 * cc.agents is not caught up and they arrived just now (the merge
	 * wait has not passed): they wait. */
	assert_int_equal(feed_idx_cu(b, (int[]){ 8, -1 }, NULL, W_LATE), 0);
	assert_false(csla_slot_replaying(b));
	assert_int_equal(csla_slot_held(b), 3);
	assert_int_equal(npending(b), 0);
	assert_int_equal(csla_slot_next(b, 0), 5);
	assert_int_equal(csla_slot_next(b, 1), 4);
	assert_int_equal(csla_slot_applied(b), 4 + 3);
	/* now it is: one batch, one entry, with this call's wall time */
	assert_int_equal(feed_idx(b, (int[]){ -1 }, W3), 3);
	assert_int_equal(csla_slot_held(b), 0);
	size_t n;
	const csla_jentry_t *p = csla_slot_pending(b, &n);
	assert_int_equal(n, 1);
	assert_entry(&p[0], W3, 7, -1);
	assert_int_equal(csla_slot_journal_len(b), 2);
	snap = snap_text(b, W3);
	assert_string_equal(snap, sv.snap);
	free(snap);
	assert_int_equal(csla_slot_next(b, 0), 8);
	assert_int_equal(csla_slot_next(b, 1), 4);
	assert_memory_equal(csla_slot_rejected(b), sv.rejected,
			    sizeof sv.rejected);
	assert_int_equal(csla_slot_applied(b), 9);

	free(at_base);
	csla_slot_destroy(b);
	saved_free(&sv);
	env_free(v);
}

/* While B replays, the consumer goes back to the base offsets (a seek after
 * a rebalance, a fetch retried) and some held messages arrive a second
 * time, after later ones.  Every message of entry 3 has arrived: the
 * journal must complete. */
static void test_replay_redelivered(void **state)
{
	(void)state;
	env_t *v = env_new();
	saved_t sv;
	run_a(v, &sv);

	csla_slot_t *b = slot_new(v, 2);
	restore_ok(b, TOPICS, &sv.base, (const char *[]){ sv.e2, sv.e3 }, 2);
	/* cc.calls 3..7 */
	feed_idx(b, (int[]){ 5, 6, 9, 10, 11, -1 }, W3);
	/* cc.calls 5..6 again */
	feed_idx(b, (int[]){ 9, 10, -1 }, W3);
	/* cc.agents 2..3: entry 2, then entry 3 (cc.calls up to 7) */
	feed_idx(b, (int[]){ 7, 8, -1 }, W3);
	assert_same_as_a(b, &sv);

	csla_slot_destroy(b);
	saved_free(&sv);
	env_free(v);
}

/* ---- restore errors ----------------------------------------------------- */

typedef struct state_copy {
	char *snap;
	int64_t next[2];
	uint64_t applied;
	uint64_t rejected[CSLA_REJ__COUNT];
	size_t npend, jlen;
	bool replaying;
} state_copy_t;

static void take_state(csla_slot_t *s, state_copy_t *c)
{
	c->snap = snap_text(s, W3);
	c->next[0] = csla_slot_next(s, 0);
	c->next[1] = csla_slot_next(s, 1);
	c->applied = csla_slot_applied(s);
	memcpy(c->rejected, csla_slot_rejected(s), sizeof c->rejected);
	c->npend = npending(s);
	c->jlen = csla_slot_journal_len(s);
	c->replaying = csla_slot_replaying(s);
}

static void assert_unchanged(csla_slot_t *s, const state_copy_t *c,
			     bool full)
{
	assert_int_equal(csla_slot_next(s, 0), c->next[0]);
	assert_int_equal(csla_slot_next(s, 1), c->next[1]);
	assert_int_equal(csla_slot_applied(s), c->applied);
	assert_memory_equal(csla_slot_rejected(s), c->rejected,
			    sizeof c->rejected);
	assert_int_equal(npending(s), c->npend);
	assert_int_equal(csla_slot_journal_len(s), c->jlen);
	assert_int_equal(csla_slot_replaying(s), c->replaying);
	if (full) {
		char *snap = snap_text(s, W3);
		assert_string_equal(snap, c->snap);
		free(snap);
	}
}

/* A slot with a past: batches 1 and 2 applied, both pending. */
static csla_slot_t *busy_slot(env_t *v)
{
	csla_slot_t *s = slot_new(v, 2);
	feed_batch(s, 1);
	feed_batch(s, 2);
	return s;
}

static int restore_raw(csla_slot_t *s, const void *data, size_t len,
		       const char *const *j, size_t nj, char *err, size_t errlen)
{
	size_t jl[8];
	for (size_t i = 0; i < nj; i++)
		jl[i] = strlen(j[i]);
	return csla_slot_restore(s, TOPICS, data, len, j, jl, nj, err, errlen);
}

static void test_restore_bad_magic(void **state)
{
	(void)state;
	env_t *v = env_new();
	saved_t sv;
	run_a(v, &sv);
	csla_slot_t *s = busy_slot(v);
	state_copy_t c;
	take_state(s, &c);
	char err[256];

	char *bad = malloc(sv.base.len);
	assert_non_null(bad);
	memcpy(bad, sv.base.p, sv.base.len);
	bad[0] = 'X';
	err[0] = '\0';
	assert_int_equal(restore_raw(s, bad, sv.base.len, NULL, 0, err,
				     sizeof err), -1);
	assert_string_equal(err, "not a version 1 slot base");
	assert_unchanged(s, &c, true);

	/* version 2 */
	memcpy(bad, sv.base.p, sv.base.len);
	bad[4] = 2;
	err[0] = '\0';
	assert_int_equal(restore_raw(s, bad, sv.base.len, NULL, 0, err,
				     sizeof err), -1);
	assert_string_equal(err, "not a version 1 slot base");
	assert_unchanged(s, &c, true);

	/* a byte too many */
	char *longer = malloc(sv.base.len + 1);
	assert_non_null(longer);
	memcpy(longer, sv.base.p, sv.base.len);
	longer[sv.base.len] = 0;
	err[0] = '\0';
	assert_int_equal(restore_raw(s, longer, sv.base.len + 1, NULL, 0, err,
				     sizeof err), -1);
	assert_true(strlen(err) > 0);
	assert_unchanged(s, &c, true);

	/* the tenant's engine bytes damaged (from byte 213, see
	 * test_base_roundtrip) */
	memcpy(bad, sv.base.p, sv.base.len);
	bad[213] ^= 0x55;
	err[0] = '\0';
	assert_int_equal(restore_raw(s, bad, sv.base.len, NULL, 0, err,
				     sizeof err), -1);
	assert_memory_equal(err, "tenant 0: ", 10);
	assert_unchanged(s, &c, true);

	/* nine topics */
	memcpy(bad, sv.base.p, sv.base.len);
	bad[12] = 9;
	err[0] = '\0';
	assert_int_equal(restore_raw(s, bad, sv.base.len, NULL, 0, err,
				     sizeof err), -1);
	assert_true(strlen(err) > 0);
	assert_unchanged(s, &c, true);

	free(longer);
	free(bad);
	free(c.snap);
	csla_slot_destroy(s);
	saved_free(&sv);
	env_free(v);
}

static void test_restore_truncated(void **state)
{
	(void)state;
	env_t *v = env_new();
	saved_t sv;
	run_a(v, &sv);
	csla_slot_t *s = busy_slot(v);
	state_copy_t c;
	take_state(s, &c);

	for (size_t len = 0; len < sv.base.len; len++) {
		char err[256] = "";
		/* exactly len bytes, so that ASan sees a read past them */
		char *p = malloc(len ? len : 1);
		assert_non_null(p);
		memcpy(p, sv.base.p, len);
		int rc = restore_raw(s, p, len, (const char *[]){ sv.e2 }, 1,
				     err, sizeof err);
		free(p);
		if (rc != -1)
			fail_msg("a base cut to %zu of %zu bytes was accepted",
				 len, sv.base.len);
		if (!err[0])
			fail_msg("no message at %zu bytes", len);
		assert_unchanged(s, &c, len % 97 == 0 || len + 1 == sv.base.len);
	}
	assert_unchanged(s, &c, true);

	free(c.snap);
	csla_slot_destroy(s);
	saved_free(&sv);
	env_free(v);
}

static void test_restore_bad_journal(void **state)
{
	(void)state;
	env_t *v = env_new();
	saved_t sv;
	run_a(v, &sv);
	csla_slot_t *s = busy_slot(v);
	state_copy_t c;
	take_state(s, &c);
	char err[256];

	err[0] = '\0';
	assert_int_equal(restore_raw(s, sv.base.p, sv.base.len,
				     (const char *[]){ sv.e2, "1795602600000 7" },
				     2, err, sizeof err), -1);
	assert_non_null(strstr(err, "journal entry 1"));
	assert_unchanged(s, &c, true);

	err[0] = '\0';
	assert_int_equal(restore_raw(s, sv.base.p, sv.base.len,
				     (const char *[]){ "x", sv.e2 }, 2, err,
				     sizeof err), -1);
	assert_non_null(strstr(err, "journal entry 0"));
	assert_unchanged(s, &c, true);

	/* without a base too */
	err[0] = '\0';
	assert_int_equal(restore_raw(s, NULL, 0,
				     (const char *[]){ "1795602600000 7 -1 " },
				     1, err, sizeof err), -1);
	assert_non_null(strstr(err, "journal entry 0"));
	assert_unchanged(s, &c, true);

	free(c.snap);
	csla_slot_destroy(s);
	saved_free(&sv);
	env_free(v);
}

/* Topics are matched by name: one renamed in the configuration starts
 * unknown, and the order of the list does not matter. */
static void test_restore_renamed_topic(void **state)
{
	(void)state;
	env_t *v = env_new();
	saved_t sv;
	run_a(v, &sv);

	csla_slot_t *b = slot_new(v, 2);
	const char *const renamed[] = { "cc.calls", "cc.agents.v2" };
	restore_ok(b, renamed, &sv.base, NULL, 0);
	assert_int_equal(csla_slot_next(b, 0), 3);
	assert_int_equal(csla_slot_next(b, 1), -1);
	assert_false(csla_slot_replaying(b));
	assert_int_equal(csla_slot_applied(b), 4);
	csla_slot_destroy(b);

	b = slot_new(v, 2);
	const char *const swapped[] = { "cc.agents", "cc.calls" };
	restore_ok(b, swapped, &sv.base, NULL, 0);
	assert_int_equal(csla_slot_next(b, 0), 2);
	assert_int_equal(csla_slot_next(b, 1), 3);
	csla_slot_destroy(b);

	/* one topic more than the base knows */
	b = slot_new(v, 3);
	const char *const three[] = { "cc.calls", "cc.agents", "cc.cdrs" };
	restore_ok(b, three, &sv.base, NULL, 0);
	assert_int_equal(csla_slot_next(b, 0), 3);
	assert_int_equal(csla_slot_next(b, 1), 2);
	assert_int_equal(csla_slot_next(b, 2), -1);
	csla_slot_destroy(b);

	saved_free(&sv);
	env_free(v);
}

/* An entry whose batch had no message of a topic (last -1) needs nothing
 * from it, even when that topic's offset is unknown: here the base of
 * batches 1-2 under a renamed cc.agents, and entry 3 (cc.calls only). */
static void test_replay_unknown_topic(void **state)
{
	(void)state;
	env_t *v = env_new();
	saved_t sv;
	run_a(v, &sv);

	/* a base after batch 2 */
	csla_slot_t *a = slot_new(v, 2);
	feed_batch(a, 1);
	feed_batch(a, 2);
	csla_buf_t base2 = { 0 };
	csla_slot_save_base(a, TOPICS, &base2);
	csla_slot_destroy(a);

	csla_slot_t *b = slot_new(v, 2);
	const char *const renamed[] = { "cc.calls", "cc.agents.v2" };
	restore_ok(b, renamed, &base2, (const char *[]){ sv.e3 }, 1);
	assert_int_equal(csla_slot_next(b, 0), 5);
	assert_int_equal(csla_slot_next(b, 1), -1);
	assert_true(csla_slot_replaying(b));
	feed_idx(b, (int[]){ 9, 10, 11, -1 }, W3);
	assert_false(csla_slot_replaying(b));
	assert_int_equal(csla_slot_next(b, 0), 8);
	char *snap = snap_text(b, W3);
	assert_string_equal(snap, sv.snap);
	free(snap);
	csla_slot_destroy(b);

	/* the same without a base: the journal of a slot that never stored
	 * one, cc.calls 0..2 and nothing of cc.agents */
	b = slot_new(v, 2);
	restore_ok(b, TOPICS, NULL, (const char *[]){ "1795601400000 2 -1" }, 1);
	assert_true(csla_slot_replaying(b));
	feed_idx(b, (int[]){ 0, 1, 2, -1 }, W3);
	assert_false(csla_slot_replaying(b));
	assert_int_equal(csla_slot_next(b, 0), 3);
	assert_int_equal(csla_slot_next(b, 1), -1);
	assert_int_equal(csla_slot_applied(b), 2);
	csla_slot_destroy(b);

	csla_buf_free(&base2);
	saved_free(&sv);
	env_free(v);
}

/* ---- many messages ------------------------------------------------------ */

#define NGEN 300 /* per topic */

typedef struct gen {
	char *json[2][NGEN];
} gen_t;

/* cc.calls: offers and abandons (wait given), every 37th malformed;
 * cc.agents: five agents cycling through states.  Event times interleave
 * the topics and are not monotonic within one. */
static void gen_make(gen_t *g)
{
	static const char *const states[] = { "available", "alerting",
					      "talking", "acw", "not_ready" };
	int64_t base = W_EARLY;
	for (int i = 0; i < NGEN; i++) {
		char buf[512], ts[40];
		int64_t t = base + (int64_t)i * 2000 - (i % 3 == 0 ? 2500 : 0);
		csla_time_format_utc(t, ts, sizeof ts);
		if (i % 37 == 36)
			snprintf(buf, sizeof buf, "{\"v\":1,\"type\":");
		else if (i % 2 == 0)
			snprintf(buf, sizeof buf,
				 "{\"v\":1,\"type\":\"call\",\"ts\":\"%s\","
				 "\"event\":\"offered\",\"call_id\":\"c%d\","
				 "\"queue\":\"q%d\",\"id\":\"o%d\"}",
				 ts, i / 2, i % 3, i);
		else
			snprintf(buf, sizeof buf,
				 "{\"v\":1,\"type\":\"call\",\"ts\":\"%s\","
				 "\"event\":\"abandoned\",\"call_id\":\"c%d\","
				 "\"queue\":\"q%d\",\"wait_ms\":%d}",
				 ts, i / 2, (i - 1) % 3, 1000 + i * 10);
		g->json[0][i] = strdup(buf);
		t = base + (int64_t)i * 2000 + 700 + (i % 4 == 1 ? 3000 : 0);
		csla_time_format_utc(t, ts, sizeof ts);
		snprintf(buf, sizeof buf,
			 "{\"v\":1,\"type\":\"agent\",\"ts\":\"%s\","
			 "\"agent_id\":\"a%d\",\"state\":\"%s\","
			 "\"queues\":[\"q%d\"]}",
			 ts, i % 5, states[(i / 5) % 5], i % 3);
		g->json[1][i] = strdup(buf);
		assert_non_null(g->json[0][i]);
		assert_non_null(g->json[1][i]);
	}
}

static void gen_free(gen_t *g)
{
	for (int i = 0; i < NGEN; i++) {
		free(g->json[0][i]);
		free(g->json[1][i]);
	}
}

/* Topic t's offsets [from, to) in one call, copied and scribbled over
 * afterwards. */
static size_t gen_feed(csla_slot_t *s, const gen_t *g, uint32_t t, int from,
		       int to, const bool *cu, int64_t wall)
{
	int n = to - from;
	csla_kmsg_t *m = calloc((size_t)n + 1, sizeof *m);
	char **c = calloc((size_t)n + 1, sizeof *c);
	assert_non_null(m);
	assert_non_null(c);
	for (int i = 0; i < n; i++) {
		c[i] = strdup(g->json[t][from + i]);
		assert_non_null(c[i]);
		m[i] = (csla_kmsg_t){ .topic = t, .partition = 3,
				      .offset = from + i, .payload = c[i],
				      .len = strlen(c[i]) };
	}
	size_t r = csla_slot_apply(s, m, (size_t)n, cu, wall);
	for (int i = 0; i < n; i++) {
		memset(c[i], '#', strlen(c[i]));
		free(c[i]);
	}
	free(c);
	free(m);
	return r;
}

static uint32_t lcg(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return (*x >> 16) & 0x7fff;
}

/* Feeds both topics in random chunks, neither caught up until the end. */
static void gen_chunked(csla_slot_t *s, const gen_t *g, uint32_t seed,
			int maxchunk, int64_t wall)
{
	const bool none[2] = { false, false };
	int at[2] = { 0, 0 };
	uint32_t x = seed;
	while (at[0] < NGEN || at[1] < NGEN) {
		uint32_t t = lcg(&x) % 2;
		if (at[t] == NGEN)
			t = 1 - t;
		int k = 1 + (int)(lcg(&x) % (uint32_t)maxchunk);
		if (at[t] + k > NGEN)
			k = NGEN - at[t];
		/* now and then a stretch again (a redelivery) */
		int back = lcg(&x) % 5 == 0 ? (int)(lcg(&x) % 10) : 0;
		int from = at[t] - back < 0 ? 0 : at[t] - back;
		gen_feed(s, g, t, from, at[t] + k, none, wall);
		at[t] += k;
	}
	gen_feed(s, g, 0, 0, 0, CAUGHT, wall);
}

static void assert_same_slot(csla_slot_t *x, csla_slot_t *y)
{
	char *a = snap_text(x, W_LATE), *b = snap_text(y, W_LATE);
	assert_string_equal(a, b);
	free(a);
	free(b);
	for (size_t t = 0; t < 2; t++)
		assert_int_equal(csla_slot_next(x, t), csla_slot_next(y, t));
	assert_memory_equal(csla_slot_rejected(x), csla_slot_rejected(y),
			    CSLA_REJ__COUNT * sizeof(uint64_t));
	assert_int_equal(csla_slot_applied(x), csla_slot_applied(y));
}

/* Fed in small chunks while the topics lag each other, a slot applies the
 * same events in the same order as one fed everything at once; and its
 * journal, replayed from a base taken before the first message, gives
 * the same slot again. */
static void test_chunked(void **state)
{
	(void)state;
	env_t *v = env_new();
	gen_t g;
	gen_make(&g);

	csla_slot_t *x = slot_new(v, 2);
	gen_feed(x, &g, 0, 0, NGEN, NULL, W_LATE);
	assert_int_equal(gen_feed(x, &g, 1, 0, NGEN, CAUGHT, W_LATE),
			 2 * NGEN);
	assert_int_equal(npending(x), 1);
	/* every 37th of cc.calls is malformed: 8 of them */
	assert_int_equal(csla_slot_rejected(x)[CSLA_REJ_MALFORMED_JSON], 8);
	assert_int_equal(csla_slot_next(x, 0), NGEN);
	assert_int_equal(csla_slot_next(x, 1), NGEN);

	for (uint32_t seed = 1; seed <= 6; seed++) {
		int maxchunk = seed % 2 ? 7 : 150;
		csla_slot_t *y = slot_new(v, 2);
		csla_slot_set_next(y, 0, 0);
		csla_slot_set_next(y, 1, 0);
		csla_buf_t b0 = { 0 };
		csla_slot_save_base(y, TOPICS, &b0);

		gen_chunked(y, &g, seed, maxchunk, W_LATE);
		assert_int_equal(csla_slot_held(y), 0);
		assert_same_slot(x, y);

		size_t n;
		const csla_jentry_t *p = csla_slot_pending(y, &n);
		assert_true(n > 1);
		char **jt = calloc(n, sizeof *jt);
		size_t *jl = calloc(n, sizeof *jl);
		assert_non_null(jt);
		assert_non_null(jl);
		for (size_t i = 0; i < n; i++) {
			jt[i] = malloc(24 * (CSLA_SLOT_MAX_TOPICS + 1));
			assert_non_null(jt[i]);
			jl[i] = csla_jentry_format(&p[i], 2, jt[i],
						   24 * (CSLA_SLOT_MAX_TOPICS + 1));
		}
		csla_slot_t *z = slot_new(v, 2);
		char err[256] = "";
		if (csla_slot_restore(z, TOPICS, b0.p, b0.len,
				      (const char *const *)jt, jl, n, err,
				      sizeof err))
			fail_msg("restore: %s", err);
		assert_true(csla_slot_replaying(z));
		/* Kafka's chunks now: other ones, with another wall time */
		gen_chunked(z, &g, seed + 100, 60, W_EARLY);
		assert_false(csla_slot_replaying(z));
		assert_int_equal(npending(z), 0);
		assert_same_slot(y, z);

		for (size_t i = 0; i < n; i++)
			free(jt[i]);
		free(jt);
		free(jl);
		csla_buf_free(&b0);
		csla_slot_destroy(z);
		csla_slot_destroy(y);
	}

	csla_slot_destroy(x);
	gen_free(&g);
	env_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jentry_format),
		cmocka_unit_test(test_jentry_parse),
		cmocka_unit_test(test_jentry_parse_bad),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_apply_holds),
		cmocka_unit_test(test_merge_order),
		cmocka_unit_test(test_merge_wait),
		cmocka_unit_test(test_redelivery),
		cmocka_unit_test(test_admit_conflict),
		cmocka_unit_test(test_pending_ack),
		cmocka_unit_test(test_base_roundtrip),
		cmocka_unit_test(test_replay_waits),
		cmocka_unit_test(test_replay_redelivered),
		cmocka_unit_test(test_restore_bad_magic),
		cmocka_unit_test(test_restore_truncated),
		cmocka_unit_test(test_restore_bad_journal),
		cmocka_unit_test(test_restore_renamed_topic),
		cmocka_unit_test(test_replay_unknown_topic),
		cmocka_unit_test(test_chunked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
