/* test_alert.c - the alert rules on hand-built timelines through a real
 * engine: `for`, hysteresis, minimum volume, repeat, every comparison,
 * null metrics and the firing alert that can no longer be judged, dedup
 * keys (against openssl), the state's bytes, reloads, deliveries, and the
 * selective snapshot against the full one. */
#include <fnmatch.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "callsla/alert.h"
#include "scenario.h"

/* ---- harness --------------------------------------------------------------- */

/* The transitions, as "HH:MM:SS.mmm kind rule id value seq=N". */
typedef struct tlog {
	char line[64][200];
	int n;
} tlog_t;

static void record(void *opaque, const csla_alert_event_t *ev)
{
	tlog_t *l = opaque;
	char at[40], val[32];

	assert_true(l->n < 64);
	csla_time_format_utc(ev->at_ms, at, sizeof at);
	if (isnan(ev->value))
		strcpy(val, "null");
	else
		snprintf(val, sizeof val, "%g", ev->value);
	snprintf(l->line[l->n++], sizeof l->line[0], "%.12s %s %s %.*s %s seq=%llu",
		 at + 11, csla_alert_kind_name(ev->kind), ev->rule->name,
		 (int)ev->id.len, ev->id.p, val, (unsigned long long)ev->seq);
}

/* Checks that the log holds exactly the lines given (NULL-terminated),
 * then empties it. */
static void expect_log(tlog_t *l, int line, ...)
{
	va_list ap;
	int i = 0;
	const char *want;

	va_start(ap, line);
	while ((want = va_arg(ap, const char *))) {
		if (i >= l->n || strcmp(l->line[i], want)) {
			print_error("line %d: transition %d: got \"%s\", "
				    "expected \"%s\"\n", line, i,
				    i < l->n ? l->line[i] : "(none)", want);
			fail();
		}
		i++;
	}
	va_end(ap);
	if (i != l->n) {
		print_error("line %d: %d transitions more, first \"%s\"\n",
			    line, l->n - i, l->line[i]);
		fail();
	}
	l->n = 0;
}
#define EXPECT(l, ...) expect_log(l, __LINE__, __VA_ARGS__, NULL)

typedef struct fix {
	scenario_t *sc;
	csla_alerts_t *al;
	tlog_t log;
} fix_t;

/* A rule of sc's conf (which owns its strings).  The pointer is good
 * until the next add_rule(). */
static csla_alert_rule_t *add_rule(scenario_t *sc, const char *name,
				   csla_scope_t scope, const char *id,
				   int metric, const char *window,
				   csla_cmp_t cmp, double threshold)
{
	csla_alerts_conf_t *a = &sc->conf->alerts;

	a->rules = realloc(a->rules, (a->nrules + 1) * sizeof *a->rules);
	assert_non_null(a->rules);
	csla_alert_rule_t *r = &a->rules[a->nrules++];
	memset(r, 0, sizeof *r);
	r->name = sc_strdup(name);
	r->tenant = sc_strdup("*");
	r->scope = scope;
	r->id = sc_strdup(id);
	r->metric = metric;
	r->window = sc_strdup(window);
	r->cmp = cmp;
	r->threshold = threshold;
	return r;
}

static fix_t *fix_new(void)
{
	fix_t *f = calloc(1, sizeof *f);

	assert_non_null(f);
	f->sc = sc_new();
	f->sc->conf->nrolling = 1;
	f->sc->conf->rolling_ms[0] = 5 * 60000;
	return f;
}

static void fix_start(fix_t *f)
{
	sc_start(f->sc);
	f->al = csla_alerts_new(f->sc->conf);
	assert_non_null(f->al);
}

static void fix_free(fix_t *f)
{
	csla_alerts_destroy(f->al);
	sc_free(f->sc);
	free(f);
}

static void eval_at(fix_t *f, const char *t)
{
	csla_alerts_eval(f->al, f->sc->e, sc_ms(f->sc, t), record, &f->log);
}

/* One call's outcome on queue q at time t after `wait` seconds. */
static void answered(fix_t *f, const char *t, const char *call, int wait)
{
	sc_ok(f->sc, "'type':'call','event':'answered','ts':'%s','call_id':"
		     "'%s','queue':'q','agent_id':'a1','wait_ms':%d", t, call,
	      wait * 1000);
}

static void abandoned(fix_t *f, const char *t, const char *call, int wait)
{
	sc_ok(f->sc, "'type':'call','event':'abandoned','ts':'%s','call_id':"
		     "'%s','queue':'q','wait_ms':%d", t, call, wait * 1000);
}

/* ---- for ----------------------------------------------------------------- */

/* abandon_rate > 0.25 over 5m for 2m: the condition holds from 10:00:30
 * (1 abandoned of 2 = 0.5), so the alert fires at 10:02:30 exactly. */
static void test_for_fires_exactly(void **state)
{
	(void)state;
	fix_t *f = fix_new();
	csla_alert_rule_t *r = add_rule(f->sc, "ab", CSLA_SCOPE_QUEUE, "q",
					CSLA_AM_ABANDON_RATE, "5m",
					CSLA_CMP_GT, 0.25);
	r->for_ms = 120000;
	fix_start(f);
	answered(f, "10:00:00", "c1", 10);
	eval_at(f, "10:00:20");
	EXPECT(&f->log, NULL);
	abandoned(f, "10:00:25", "c2", 30);
	eval_at(f, "10:00:30");
	EXPECT(&f->log, "10:00:30.000 pending ab q 0.5 seq=0");
	eval_at(f, "10:02:00");
	eval_at(f, "10:02:29.999");
	EXPECT(&f->log, NULL);
	eval_at(f, "10:02:30");
	EXPECT(&f->log, "10:02:30.000 firing ab q 0.5 seq=1");
	eval_at(f, "10:02:31");
	EXPECT(&f->log, NULL);
	fix_free(f);
}

/* Healthy again before `for`: cancelled, and `for` starts over. */
static void test_pending_cancelled(void **state)
{
	(void)state;
	fix_t *f = fix_new();
	csla_alert_rule_t *r = add_rule(f->sc, "ab", CSLA_SCOPE_QUEUE, "q",
					CSLA_AM_ABANDON_RATE, "5m",
					CSLA_CMP_GT, 0.25);
	r->for_ms = 60000;
	fix_start(f);
	abandoned(f, "10:00:00", "c1", 30);
	eval_at(f, "10:00:10");
	/* 1/1, then 1/4 = 0.25 is not > 0.25 */
	answered(f, "10:00:20", "c2", 5);
	answered(f, "10:00:21", "c3", 5);
	answered(f, "10:00:22", "c4", 5);
	eval_at(f, "10:00:30");
	abandoned(f, "10:00:40", "c5", 30); /* 2/5 = 0.4 */
	eval_at(f, "10:00:50");
	eval_at(f, "10:01:49.999");
	eval_at(f, "10:01:50");
	EXPECT(&f->log, "10:00:10.000 pending ab q 1 seq=0",
	       "10:00:30.000 cancelled ab q 0.25 seq=0",
	       "10:00:50.000 pending ab q 0.4 seq=0",
	       "10:01:50.000 firing ab q 0.4 seq=1");
	fix_free(f);
}

/* ---- hysteresis ------------------------------------------------------------ */

/* abandon_rate > 0.25 over today, with and without clear = 0.1: one
 * abandoned call (1/1 = 1) fires both; with 4 answered calls more the
 * rate is 1/5 = 0.2, under the threshold but above clear: only the rule
 * without clear resolves; at 9 answered, 1/10 = 0.1 is not > 0.1 and the
 * other resolves too. */
static void test_hysteresis(void **state)
{
	(void)state;
	fix_t *f = fix_new();
	char call[16];
	add_rule(f->sc, "plain", CSLA_SCOPE_QUEUE, "q", CSLA_AM_ABANDON_RATE,
		 "today", CSLA_CMP_GT, 0.25);
	csla_alert_rule_t *r = add_rule(f->sc, "hyst", CSLA_SCOPE_QUEUE, "q",
					CSLA_AM_ABANDON_RATE, "today",
					CSLA_CMP_GT, 0.25);
	r->has_clear = true;
	r->clear = 0.1;
	fix_start(f);
	abandoned(f, "10:00:00", "c0", 30);
	eval_at(f, "10:00:01");
	EXPECT(&f->log, "10:00:01.000 firing plain q 1 seq=1",
	       "10:00:01.000 firing hyst q 1 seq=1");
	for (int i = 1; i <= 4; i++) {
		snprintf(call, sizeof call, "a%d", i);
		answered(f, "10:01:00", call, 5);
	}
	eval_at(f, "10:01:01");
	EXPECT(&f->log, "10:01:01.000 resolved plain q 0.2 seq=2");
	for (int i = 5; i <= 8; i++) {
		snprintf(call, sizeof call, "a%d", i);
		answered(f, "10:02:00", call, 5);
	}
	eval_at(f, "10:02:01"); /* 1/9 = 0.1111 > 0.1: still firing */
	EXPECT(&f->log, NULL);
	answered(f, "10:03:00", "a9", 5);
	eval_at(f, "10:03:01");
	EXPECT(&f->log, "10:03:01.000 resolved hyst q 0.1 seq=2");
	fix_free(f);
}

/* ---- minimum volume ------------------------------------------------------- */

/* min_volume 3 offered calls: 2 abandoned of 2 are not judged; with a
 * third call (2/3 = 0.6667) the rule fires. */
static void test_min_volume(void **state)
{
	(void)state;
	fix_t *f = fix_new();
	csla_alert_rule_t *r = add_rule(f->sc, "ab", CSLA_SCOPE_QUEUE, "q",
					CSLA_AM_ABANDON_RATE, "5m",
					CSLA_CMP_GT, 0.25);
	r->min_volume = 3;
	fix_start(f);
	abandoned(f, "10:00:00", "c1", 30);
	abandoned(f, "10:00:01", "c2", 30);
	eval_at(f, "10:00:02");
	EXPECT(&f->log, NULL);
	answered(f, "10:00:03", "c3", 5);
	eval_at(f, "10:00:04");
	EXPECT(&f->log, "10:00:04.000 firing ab q 0.6667 seq=1");
	fix_free(f);
}

/* ---- repeat ------------------------------------------------------------- */

static void test_repeat(void **state)
{
	(void)state;
	fix_t *f = fix_new();
	csla_alert_rule_t *r = add_rule(f->sc, "ab", CSLA_SCOPE_QUEUE, "q",
					CSLA_AM_ABANDON_RATE, "today",
					CSLA_CMP_GT, 0.25);
	r->repeat_ms = 60000;
	fix_start(f);
	abandoned(f, "10:00:00", "c1", 30);
	eval_at(f, "10:00:00");
	eval_at(f, "10:00:59.999");
	eval_at(f, "10:01:00");
	eval_at(f, "10:01:30");
	eval_at(f, "10:02:00");
	EXPECT(&f->log, "10:00:00.000 firing ab q 1 seq=1",
	       "10:01:00.000 repeat ab q 1 seq=2",
	       "10:02:00.000 repeat ab q 1 seq=3");
	for (int i = 0; i < 3; i++) {
		char call[16];
		snprintf(call, sizeof call, "a%d", i);
		answered(f, "10:02:10", call, 5);
	}
	eval_at(f, "10:02:20"); /* 1/4 = 0.25 */
	EXPECT(&f->log, "10:02:20.000 resolved ab q 0.25 seq=4");
	/* A new episode goes on counting: seq names one notification. */
	abandoned(f, "10:03:00", "c2", 30);
	abandoned(f, "10:03:01", "c3", 30);
	eval_at(f, "10:03:02");
	EXPECT(&f->log, "10:03:02.000 firing ab q 0.5 seq=5");
	fix_free(f);
}

/* ---- comparisons ------------------------------------------------------- */

/* 1 abandoned of 2 is exactly 0.5: only <= and >= hold at 0.5; 0.4999 and
 * 0.5001 thresholds split < and >. */
static void test_comparisons(void **state)
{
	(void)state;
	fix_t *f = fix_new();
	add_rule(f->sc, "lt", CSLA_SCOPE_QUEUE, "q", CSLA_AM_ABANDON_RATE,
		 "5m", CSLA_CMP_LT, 0.5);
	add_rule(f->sc, "le", CSLA_SCOPE_QUEUE, "q", CSLA_AM_ABANDON_RATE,
		 "5m", CSLA_CMP_LE, 0.5);
	add_rule(f->sc, "gt", CSLA_SCOPE_QUEUE, "q", CSLA_AM_ABANDON_RATE,
		 "5m", CSLA_CMP_GT, 0.5);
	add_rule(f->sc, "ge", CSLA_SCOPE_QUEUE, "q", CSLA_AM_ABANDON_RATE,
		 "5m", CSLA_CMP_GE, 0.5);
	add_rule(f->sc, "lt2", CSLA_SCOPE_QUEUE, "q", CSLA_AM_ABANDON_RATE,
		 "5m", CSLA_CMP_LT, 0.5001);
	add_rule(f->sc, "gt2", CSLA_SCOPE_QUEUE, "q", CSLA_AM_ABANDON_RATE,
		 "5m", CSLA_CMP_GT, 0.4999);
	fix_start(f);
	answered(f, "10:00:00", "c1", 5);
	abandoned(f, "10:00:01", "c2", 30);
	eval_at(f, "10:00:02");
	EXPECT(&f->log, "10:00:02.000 firing le q 0.5 seq=1",
	       "10:00:02.000 firing ge q 0.5 seq=1",
	       "10:00:02.000 firing lt2 q 0.5 seq=1",
	       "10:00:02.000 firing gt2 q 0.5 seq=1");
	fix_free(f);
}

/* Compared as printed: 2 of 3 is 0.6667 in the rows, so "> 0.6667" does
 * not hold although 2/3 is a hair above 0.6667. */
static void test_compared_as_shown(void **state)
{
	(void)state;
	fix_t *f = fix_new();
	add_rule(f->sc, "gt", CSLA_SCOPE_QUEUE, "q", CSLA_AM_ABANDON_RATE,
		 "5m", CSLA_CMP_GT, 0.6667);
	add_rule(f->sc, "ge", CSLA_SCOPE_QUEUE, "q", CSLA_AM_ABANDON_RATE,
		 "5m", CSLA_CMP_GE, 0.6667);
	fix_start(f);
	answered(f, "10:00:00", "c1", 5);
	abandoned(f, "10:00:01", "c2", 30);
	abandoned(f, "10:00:02", "c3", 30);
	eval_at(f, "10:00:03");
	EXPECT(&f->log, "10:00:03.000 firing ge q 0.6667 seq=1");
	fix_free(f);
}

/* ---- null metrics and rows that cannot be judged ---------------------- */

/* asa_s has no value without answered calls: no alert however the rule
 * reads; the tenant row has no service_level field for an agent rule. */
static void test_null_metric(void **state)
{
	(void)state;
	fix_t *f = fix_new();
	add_rule(f->sc, "asa", CSLA_SCOPE_QUEUE, "q", CSLA_AM_ASA_S, "5m",
		 CSLA_CMP_GE, 0);
	add_rule(f->sc, "asa-lt", CSLA_SCOPE_QUEUE, "q", CSLA_AM_ASA_S, "5m",
		 CSLA_CMP_LT, 1e9);
	fix_start(f);
	abandoned(f, "10:00:00", "c1", 30);
	eval_at(f, "10:00:01");
	EXPECT(&f->log, NULL);
	answered(f, "10:00:02", "c2", 12);
	eval_at(f, "10:00:03");
	EXPECT(&f->log, "10:00:03.000 firing asa q 12 seq=1",
	       "10:00:03.000 firing asa-lt q 12 seq=1");
	csla_snapshot_t s = { .scope = CSLA_SCOPE_AGENT };
	csla_agg_init(&s.agg);
	assert_true(isnan(csla_alert_metric_value(CSLA_AM_SERVICE_LEVEL, &s)));
	assert_false(csla_alert_metric_in_scope(CSLA_AM_SERVICE_LEVEL,
						CSLA_SCOPE_AGENT));
	assert_true(csla_alert_metric_in_scope(CSLA_AM_OCCUPANCY,
					       CSLA_SCOPE_TEAM));
	fix_free(f);
}

/* A firing alert that can no longer be judged (the 5m window emptied
 * overnight, volume under min_volume) keeps firing quietly for one span
 * of its window, then resolves with no value; judged bad again in the
 * meantime it simply goes on firing (no new notification: no flapping). */
static void test_unjudged_firing(void **state)
{
	(void)state;
	fix_t *f = fix_new();
	csla_alert_rule_t *r = add_rule(f->sc, "ab", CSLA_SCOPE_QUEUE, "q",
					CSLA_AM_ABANDON_RATE, "5m",
					CSLA_CMP_GT, 0.25);
	r->min_volume = 2;
	fix_start(f);
	abandoned(f, "10:00:00", "c1", 30);
	abandoned(f, "10:00:01", "c2", 30);
	eval_at(f, "10:00:02");
	EXPECT(&f->log, "10:00:02.000 firing ab q 1 seq=1");
	/* (10:00:01, 10:05:01] holds c2 only: 1 call, not judged */
	eval_at(f, "10:05:01");
	abandoned(f, "10:06:00", "c3", 30);
	abandoned(f, "10:06:01", "c4", 30);
	eval_at(f, "10:06:02"); /* judged again, still bad: quiet */
	eval_at(f, "10:11:01"); /* empty since 10:11:01 (c4 left) */
	eval_at(f, "10:16:00.999");
	EXPECT(&f->log, NULL);
	eval_at(f, "10:16:01");
	EXPECT(&f->log, "10:16:01.000 resolved ab q null seq=2");
	fix_free(f);
}

/* ---- dedup keys ---------------------------------------------------------- */

/* Expected values: printf '%s' '["abandon-high","default","queue","sales"]'
 * | openssl dgst -sha256, first 32 hex digits (and likewise for the
 * others). */
static void test_dedup_key(void **state)
{
	(void)state;
	char k[CSLA_ALERT_KEY_LEN + 1];

	csla_alert_dedup_key("abandon-high", (csla_str_t){ "default", 7 },
			     CSLA_SCOPE_QUEUE, (csla_str_t){ "sales", 5 }, k);
	assert_string_equal(k, "980b051fbbc3e3b59519c905354d80b8");
	csla_alert_dedup_key("sl-low", (csla_str_t){ "default", 7 },
			     CSLA_SCOPE_TENANT, (csla_str_t){ "default", 7 }, k);
	assert_string_equal(k, "e5904bf0c27938af6eb730e07c6692df");
	/* ["r","t","agent","a\"b"] */
	csla_alert_dedup_key("r", (csla_str_t){ "t", 1 }, CSLA_SCOPE_AGENT,
			     (csla_str_t){ "a\"b", 3 }, k);
	assert_string_equal(k, "0c83e946979d2b3dc80998dddf73ab4e");
}

/* ---- state --------------------------------------------------------------- */

static csla_notifier_conf_t *add_notifier(scenario_t *sc, const char *name)
{
	csla_alerts_conf_t *a = &sc->conf->alerts;

	a->notifiers = realloc(a->notifiers,
			       (a->nnotifiers + 1) * sizeof *a->notifiers);
	assert_non_null(a->notifiers);
	csla_notifier_conf_t *n = &a->notifiers[a->nnotifiers++];
	memset(n, 0, sizeof *n);
	n->name = sc_strdup(name);
	n->url = sc_strdup("http://127.0.0.1:9/hook");
	n->timeout_ms = 1000;
	n->max_attempts = 1;
	n->backoff_min_ms = n->backoff_max_ms = 100;
	return n;
}

static void notify_to(csla_alert_rule_t *r, const char *name)
{
	r->notifiers = calloc(2, sizeof *r->notifiers);
	assert_non_null(r->notifiers);
	r->notifiers[0] = sc_strdup(name);
	r->nnotifiers = 1;
}

/* A rule "ab" that notifies n1 and a rule "quiet" that notifies nobody,
 * both firing at 10:00:02 and repeating every minute. */
static fix_t *two_firing(void)
{
	fix_t *f = fix_new();
	add_notifier(f->sc, "n1");
	csla_alert_rule_t *r = add_rule(f->sc, "ab", CSLA_SCOPE_QUEUE, "q",
					CSLA_AM_ABANDON_RATE, "today",
					CSLA_CMP_GT, 0.25);
	r->repeat_ms = 60000;
	notify_to(r, "n1");
	r = add_rule(f->sc, "quiet", CSLA_SCOPE_TENANT, "*",
		     CSLA_AM_ABANDON_RATE, "today", CSLA_CMP_GT, 0.25);
	r->repeat_ms = 60000;
	fix_start(f);
	abandoned(f, "10:00:00", "c1", 30);
	eval_at(f, "10:00:02");
	eval_at(f, "10:01:02");
	EXPECT(&f->log, "10:00:02.000 firing ab q 1 seq=1",
	       "10:00:02.000 firing quiet default 1 seq=1",
	       "10:01:02.000 repeat ab q 1 seq=2",
	       "10:01:02.000 repeat quiet default 1 seq=2");
	return f;
}

static void test_undelivered(void **state)
{
	(void)state;
	fix_t *f = two_firing();
	csla_alerts_undelivered(f->al, record, &f->log);
	EXPECT(&f->log, "10:00:02.000 firing ab q 1 seq=1",
	       "10:01:02.000 repeat ab q 1 seq=2");
	char k[CSLA_ALERT_KEY_LEN + 1];
	csla_alert_dedup_key("ab", (csla_str_t){ "default", 7 },
			     CSLA_SCOPE_QUEUE, (csla_str_t){ "q", 1 }, k);
	csla_alerts_delivered(f->al, k, 1);
	csla_alerts_delivered(f->al, k, 7);       /* unknown seq: ignored */
	csla_alerts_delivered(f->al, "nokey", 2); /* unknown key: ignored */
	csla_alerts_undelivered(f->al, record, &f->log);
	EXPECT(&f->log, "10:01:02.000 repeat ab q 1 seq=2");
	csla_alerts_delivered(f->al, k, 2);
	csla_alerts_undelivered(f->al, record, &f->log);
	EXPECT(&f->log, NULL);
	csla_alerts_active(f->al, record, &f->log);
	/* in dedup key order; firing alerts carry their firing time */
	char kq[CSLA_ALERT_KEY_LEN + 1];
	csla_alert_dedup_key("quiet", (csla_str_t){ "default", 7 },
			     CSLA_SCOPE_TENANT, (csla_str_t){ "default", 7 }, kq);
	if (strcmp(kq, k) < 0)
		EXPECT(&f->log, "10:00:02.000 firing quiet default 1 seq=2",
		       "10:00:02.000 firing ab q 1 seq=2");
	else
		EXPECT(&f->log, "10:00:02.000 firing ab q 1 seq=2",
		       "10:00:02.000 firing quiet default 1 seq=2");
	fix_free(f);
}

static void test_save_load(void **state)
{
	(void)state;
	fix_t *f = two_firing();
	csla_buf_t a = { 0 }, b = { 0 };
	char err[128];

	csla_alerts_save(f->al, &a);
	csla_alerts_t *al2 = csla_alerts_new(f->sc->conf);
	assert_int_equal(csla_alerts_load(al2, a.p, a.len, err, sizeof err), 0);
	csla_alerts_save(al2, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.p, b.p, a.len);

	/* The same future from both: no second firing after a restore, the
	 * repeat clock and seq carried over, undelivered kept. */
	tlog_t l2 = { .n = 0 };
	eval_at(f, "10:02:02");
	csla_alerts_eval(al2, f->sc->e, sc_ms(f->sc, "10:02:02"), record, &l2);
	assert_int_equal(f->log.n, 2);
	assert_int_equal(l2.n, 2);
	for (int i = 0; i < 2; i++)
		assert_string_equal(f->log.line[i], l2.line[i]);
	EXPECT(&f->log, "10:02:02.000 repeat ab q 1 seq=3",
	       "10:02:02.000 repeat quiet default 1 seq=3");
	csla_alerts_undelivered(al2, record, &l2);
	assert_int_equal(l2.n, 5);

	/* Every cut is refused and leaves the alerts as they were. */
	csla_buf_t before = { 0 }, after = { 0 };
	csla_alerts_save(al2, &before);
	for (size_t n = 0; n < a.len; n++) {
		err[0] = '\0';
		assert_int_equal(csla_alerts_load(al2, a.p, n, err, sizeof err),
				 -1);
		assert_true(!strncmp(err, "alert state: ", 13));
	}
	csla_alerts_save(al2, &after);
	assert_int_equal(before.len, after.len);
	assert_memory_equal(before.p, after.p, before.len);
	/* magic, then the version as 4 little-endian bytes */
	assert_int_equal(csla_alerts_load(al2, "XXXXXXXX\1\0\0\0\0\0\0\0", 16,
					  err, sizeof err), -1);
	assert_string_equal(err, "alert state: not an alert state");
	a.p[8] = 2;
	assert_int_equal(csla_alerts_load(al2, a.p, a.len, err, sizeof err), -1);
	assert_string_equal(err, "alert state: version 2, expected 1");
	a.p[8] = 1;
	csla_buf_put(&a, "x", 1);
	assert_int_equal(csla_alerts_load(al2, a.p, a.len, err, sizeof err), -1);
	assert_string_equal(err, "alert state: trailing bytes");

	csla_buf_free(&a);
	csla_buf_free(&b);
	csla_buf_free(&before);
	csla_buf_free(&after);
	csla_alerts_destroy(al2);
	fix_free(f);
}

/* An empty set of alerts: magic, version 1, count 0. */
static void test_save_empty_bytes(void **state)
{
	(void)state;
	csla_conf_t *c = csla_conf_new_defaults();
	csla_alerts_t *al = csla_alerts_new(c);
	csla_buf_t b = { 0 };

	csla_alerts_save(al, &b);
	assert_int_equal(b.len, 16);
	assert_memory_equal(b.p, "CSLAALRT\1\0\0\0\0\0\0\0", 16);
	csla_buf_free(&b);
	csla_alerts_destroy(al);
	csla_conf_destroy(c);
}

/* ---- reload ------------------------------------------------------------- */

/* "ab" stays (its threshold changes, its state is kept: no new firing),
 * "quiet" goes (resolved at the next evaluation, with no value), "new"
 * comes. */
static void test_set_conf(void **state)
{
	(void)state;
	fix_t *f = two_firing();
	scenario_t *sc2 = sc_new();
	sc2->conf->nrolling = 1;
	sc2->conf->rolling_ms[0] = 5 * 60000;
	add_notifier(sc2, "n1");
	csla_alert_rule_t *r = add_rule(sc2, "new", CSLA_SCOPE_QUEUE, "*",
					CSLA_AM_ABANDONED, "today",
					CSLA_CMP_GE, 1);
	r = add_rule(sc2, "ab", CSLA_SCOPE_QUEUE, "q", CSLA_AM_ABANDON_RATE,
		     "today", CSLA_CMP_GT, 0.5);
	r->repeat_ms = 600000;
	char err[256];
	assert_int_equal(csla_conf_validate(sc2->conf, err, sizeof err), 0);

	csla_engine_set_conf(f->sc->e, sc2->conf);
	csla_alerts_set_conf(f->al, sc2->conf);
	/* the old conf may go now: a removed rule's alerts keep a copy */
	csla_conf_t *old = f->sc->conf;
	f->sc->conf = sc2->conf;
	sc2->conf = old;
	sc_free(sc2);

	eval_at(f, "10:01:30");
	EXPECT(&f->log, "10:01:30.000 firing new q 1 seq=1",
	       "10:01:30.000 resolved quiet default null seq=3");
	eval_at(f, "10:02:30");
	EXPECT(&f->log, NULL);
	fix_free(f);
}

/* ---- the selective snapshot ----------------------------------------------- */

typedef struct rows {
	char json[256][1024];
	int n;
} rows_t;

static void keep_json(void *opaque, const csla_snapshot_t *s)
{
	rows_t *r = opaque;
	assert_true(r->n < 256);
	csla_snapshot_json(s, r->json[r->n++], sizeof r->json[0]);
}

typedef struct filt {
	rows_t *r;
	csla_scope_t scope;
	const char *window, *id;
} filt_t;

static void keep_if(void *opaque, const csla_snapshot_t *s)
{
	filt_t *f = opaque;
	char id[256];
	snprintf(id, sizeof id, "%.*s", (int)s->id.len, s->id.p);
	if (s->scope == f->scope && !strcmp(s->window, f->window) &&
	    (!f->id || !fnmatch(f->id, id, 0)))
		keep_json(f->r, s);
}

/* With every part asked for, the rows a selection gives are the full
 * snapshot's rows of that scope, window and ids, byte for byte. */
static void test_select_equals_full(void **state)
{
	(void)state;
	static rows_t want, got;
	scenario_t *sc = sc_new();
	sc_start(sc);
	sc_ok(sc, "'type':'agent','ts':'09:00:00','agent_id':'a1','state':'available','team':'t1','queues':['q1','q2']");
	sc_ok(sc, "'type':'agent','ts':'09:00:00','agent_id':'a2','state':'available','team':'t2','queues':['q2']");
	sc_ok(sc, "'type':'call','event':'offered','ts':'09:40:00','call_id':'c1','queue':'q1'");
	sc_ok(sc, "'type':'call','event':'alerting','ts':'09:40:05','call_id':'c1','agent_id':'a1'");
	sc_ok(sc, "'type':'agent','ts':'09:40:05','agent_id':'a1','state':'alerting'");
	sc_ok(sc, "'type':'call','event':'answered','ts':'09:40:10','call_id':'c1','queue':'q1','agent_id':'a1'");
	sc_ok(sc, "'type':'agent','ts':'09:40:10','agent_id':'a1','state':'talking'");
	sc_ok(sc, "'type':'call','event':'ended','ts':'09:45:00','call_id':'c1','agent_id':'a1','talk_ms':290000");
	sc_ok(sc, "'type':'agent','ts':'09:45:00','agent_id':'a1','state':'available'");
	sc_ok(sc, "'type':'call','event':'offered','ts':'09:50:00','call_id':'c2','queue':'q2'");
	sc_ok(sc, "'type':'call','event':'abandoned','ts':'09:50:40','call_id':'c2','queue':'q2'");
	sc_ok(sc, "'type':'call','event':'offered','ts':'09:55:00','call_id':'c3','queue':'q2'");
	static const char *const wins[] = { "5m", "15m", "30m", "60m",
					    "cur15m", "prev15m", "cur30m",
					    "prev30m", "today" };
	static const char *const ids[] = { NULL, "*", "q1", "a?", "t2",
					   "default", "nope" };
	int64_t now = sc_ms(sc, "10:00:00");
	for (int scope = 0; scope < CSLA_SCOPE__COUNT; scope++)
		for (size_t w = 0; w < sizeof wins / sizeof *wins; w++)
			for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
				filt_t fl = { &want, (csla_scope_t)scope,
					      wins[w], ids[i] };
				csla_select_t sel = {
					.tenant = i % 2 ? "def*" : "default",
					.scope = (csla_scope_t)scope,
					.id = ids[i], .window = wins[w],
					.need = CSLA_SEL_ALL };
				want.n = got.n = 0;
				csla_engine_snapshot(sc->e, now, keep_if, &fl);
				csla_engine_snapshot_select(sc->e, now, &sel,
							    keep_json, &got);
				assert_int_equal(got.n, want.n);
				for (int k = 0; k < got.n; k++)
					assert_string_equal(got.json[k],
							    want.json[k]);
			}
	/* an unknown window or tenant selects nothing */
	csla_select_t sel = { .tenant = "*", .scope = CSLA_SCOPE_QUEUE,
			      .window = "7m", .need = CSLA_SEL_ALL };
	got.n = 0;
	csla_engine_snapshot_select(sc->e, now, &sel, keep_json, &got);
	sel.window = "5m";
	sel.tenant = "other";
	csla_engine_snapshot_select(sc->e, now, &sel, keep_json, &got);
	assert_int_equal(got.n, 0);
	sc_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_for_fires_exactly),
		cmocka_unit_test(test_pending_cancelled),
		cmocka_unit_test(test_hysteresis),
		cmocka_unit_test(test_min_volume),
		cmocka_unit_test(test_repeat),
		cmocka_unit_test(test_comparisons),
		cmocka_unit_test(test_compared_as_shown),
		cmocka_unit_test(test_null_metric),
		cmocka_unit_test(test_unjudged_firing),
		cmocka_unit_test(test_dedup_key),
		cmocka_unit_test(test_undelivered),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_save_empty_bytes),
		cmocka_unit_test(test_set_conf),
		cmocka_unit_test(test_select_equals_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
