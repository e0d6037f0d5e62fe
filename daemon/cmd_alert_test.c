/* cmd_alert_test.c - `callsla alert-test --config F [--notifier NAME]
 * [--resolve-after DURATION]`: sends a synthetic firing alert, and after
 * DURATION its resolution, through the configured notifiers (all, or the
 * one named), with their timeouts, retries and backoff, on a libevent
 * loop, and says per notifier what happened.  An operator's check of the
 * hooks; exits 0 when every notification was delivered, 1 otherwise (or
 * on a bad file), 2 on a usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <event2/event.h>

#include "callsla/alert.h"
#include "callsla/config.h"
#include "callsla/timefmt.h"
#include "cmd.h"
#include "notify.h"

#define ME "callsla alert-test"
#define RULE "callsla-alert-test"
#define TENANT "alert-test"

static int usage(void)
{
	fprintf(stderr, "usage: " ME " --config FILE [--notifier NAME] "
			"[--resolve-after DURATION]\n");
	return 2;
}

typedef struct run {
	struct event_base *base;
	const csla_conf_t *conf;
	csla_notify_t *n;
	int *ok;        /* per notifier of the conf: -1 waiting, 0, 1 */
	size_t waiting;
} run_t;

static void on_done(void *opaque, const char *key, uint64_t seq,
		    const char *notifier, bool ok)
{
	run_t *r = opaque;
	(void)key;
	(void)seq;
	for (size_t i = 0; i < r->conf->alerts.nnotifiers; i++)
		if (!strcmp(r->conf->alerts.notifiers[i].name, notifier))
			r->ok[i] = ok;
	if (--r->waiting == 0)
		event_base_loopbreak(r->base);
}

static int64_t attempts_of(const csla_notify_stats_t *s)
{
	return (int64_t)(s->sent + s->failed + s->retries);
}

/* Sends ev to the notifiers it names and waits for each; prints a line
 * per notifier.  Returns whether all were delivered. */
static bool send_and_wait(run_t *r, const csla_alert_event_t *ev)
{
	size_t nn = r->conf->alerts.nnotifiers;
	csla_notify_stats_t *before = calloc(nn, sizeof *before);
	bool all = true;

	for (size_t i = 0; i < nn; i++) {
		r->ok[i] = -1;
		csla_notify_stats_of(r->n, i, &before[i]);
	}
	r->waiting = csla_notify_submit(r->n, ev);
	if (r->waiting)
		event_base_dispatch(r->base);
	for (size_t i = 0; i < ev->rule->nnotifiers; i++) {
		size_t k = 0;
		while (strcmp(r->conf->alerts.notifiers[k].name,
			      ev->rule->notifiers[i]))
			k++;
		csla_notify_stats_t st;
		csla_notify_stats_of(r->n, k, &st);
		int64_t tries = attempts_of(&st) - attempts_of(&before[k]);
		const char *what = csla_alert_kind_name(ev->kind);
		const char *name = ev->rule->notifiers[i];
		if (r->ok[k] == 1) {
			printf("%s: %s delivered after %lld attempt%s\n", name,
			       what, (long long)tries, tries == 1 ? "" : "s");
			continue;
		}
		all = false;
		if (r->ok[k] < 0)
			printf("%s: %s dropped (alerts.queue_max)\n", name,
			       what);
		else
			printf("%s: %s not delivered after %lld attempt%s: "
			       "%s\n", name, what, (long long)tries,
			       tries == 1 ? "" : "s",
			       csla_notify_last_error(r->n, k));
	}
	fflush(stdout);
	free(before);
	return all;
}

static int64_t now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* The alert: rule RULE on tenant TENANT's own row, service level 0.5
 * under a threshold of 0.8, in the first rolling window. */
static int alert_test(const csla_conf_t *conf, char **names, size_t nnames,
		      int64_t resolve_after_ms)
{
	static csla_kvs_t labels[] = { { "test", "true" } };
	char window[24], key[CSLA_ALERT_KEY_LEN + 1];
	csla_alert_rule_t rule = {
		.name = RULE, .metric = CSLA_AM_SERVICE_LEVEL,
		.cmp = CSLA_CMP_LT, .threshold = 0.8,
		.severity = CSLA_SEV_WARNING, .notifiers = names,
		.nnotifiers = nnames, .labels = labels, .nlabels = 1,
	};
	csla_str_t tenant = { TENANT, sizeof TENANT - 1 };

	rule.window = (char *)csla_window_name("", conf->rolling_ms[0], window,
					       sizeof window);
	csla_alert_dedup_key(RULE, tenant, CSLA_SCOPE_TENANT, tenant, key);

	run_t r = { .conf = conf };
	char err[256];
	int rc = 1;
	r.base = event_base_new();
	r.ok = calloc(conf->alerts.nnotifiers, sizeof *r.ok);
	r.n = r.base ? csla_notify_new(r.base, conf, on_done, &r, err,
				       sizeof err) : NULL;
	if (!r.n) {
		fprintf(stderr, ME ": %s\n", r.base ? err : "event_base_new");
		goto out;
	}
	int64_t t0 = now_ms();
	srand((unsigned)(t0 ^ getpid())); /* the backoff's jitter */
	csla_alert_event_t ev = {
		.kind = CSLA_AK_FIRING, .rule = &rule, .tenant = tenant,
		.scope = CSLA_SCOPE_TENANT, .id = tenant, .window = window,
		.value = 0.5, .at_ms = t0, .active_ms = t0, .fired_ms = t0,
		.dedup_key = key, .seq = 1,
		.summary = "callsla alert-test: a test notification, nothing "
			   "is wrong",
	};
	bool ok = send_and_wait(&r, &ev);
	if (resolve_after_ms >= 0) {
		struct timeval tv = { resolve_after_ms / 1000,
				      (resolve_after_ms % 1000) * 1000 };
		event_base_loopexit(r.base, &tv);
		event_base_dispatch(r.base);
		ev.kind = CSLA_AK_RESOLVED;
		ev.at_ms = now_ms();
		ev.seq = 2;
		ok = send_and_wait(&r, &ev) && ok;
	}
	rc = ok ? 0 : 1;
out:
	csla_notify_destroy(r.n, 0);
	if (r.base)
		event_base_free(r.base);
	free(r.ok);
	return rc;
}

int csla_cmd_alert_test(int argc, char **argv)
{
	const char *path = NULL, *only = NULL, *after = NULL;
	int64_t after_ms = -1;

	for (int i = 1; i < argc; i += 2) {
		const char **slot;
		if (i + 1 >= argc)
			return usage();
		if (!strcmp(argv[i], "--config"))
			slot = &path;
		else if (!strcmp(argv[i], "--notifier"))
			slot = &only;
		else if (!strcmp(argv[i], "--resolve-after"))
			slot = &after;
		else
			return usage();
		if (*slot) {
			fprintf(stderr, ME ": %s given twice\n", argv[i]);
			return 2;
		}
		*slot = argv[i + 1];
	}
	if (!path)
		return usage();
	if (after && csla_duration_parse(after, &after_ms) < 0) {
		fprintf(stderr, ME ": --resolve-after \"%s\": not a duration "
				"(\"10s\", \"2m\")\n", after);
		return 2;
	}

	char err[512];
	csla_conf_t *conf = csla_conf_load(path, err, sizeof err);
	if (!conf) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	size_t nn = conf->alerts.nnotifiers;
	char **names = calloc(nn ? nn : 1, sizeof *names);
	size_t nnames = 0;
	for (size_t i = 0; i < nn; i++)
		if (!only || !strcmp(only, conf->alerts.notifiers[i].name))
			names[nnames++] = conf->alerts.notifiers[i].name;
	int rc = 1;
	if (nnames == 0)
		fprintf(stderr, only ? ME ": %s: no notifier \"%s\" in "
				       "alerts.notifiers\n"
				     : ME ": %s: alerts.notifiers is empty%s\n",
			path, only ? only : "");
	else
		rc = alert_test(conf, names, nnames, after_ms);
	free(names);
	csla_conf_destroy(conf);
	return rc;
}
