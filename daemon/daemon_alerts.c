/* daemon_alerts.c - callslad's side of the alert rules (docs/alerts.md):
 * each slot's alerts evaluated on a timer, their transitions written by
 * the slot's next flush (stream, active hash, state blob: one EXEC with
 * the checkpoint), and only once that EXEC succeeded logged and handed to
 * the notifiers, whose completions are written back by a later flush.
 * So a crash before EXEC re-evaluates and nothing was sent, and a restore
 * re-sends what was never confirmed (receivers dedupe on dedup_key and
 * seq). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "notify.h"
#include "util.h"

/* A transition evaluated and not yet acknowledged by Redis. */
typedef struct da_item {
	uint8_t kind;
	uint64_t seq;
	char key[CSLA_ALERT_KEY_LEN + 1];
	char *json;
	size_t len;
} da_item_t;

struct da_slot {
	da_item_t *v;
	uint32_t n, cap;
	uint32_t sent;   /* v[0..sent) are in the flush in flight */
	bool dirty;      /* the state changed: write it even without items */
	int64_t tick;    /* event clock: the last multiple evaluated at */
};

/* Notifications handed to the notifiers, by (dedup_key, seq): how many
 * notifiers have yet to finish. */
typedef struct da_wait {
	char key[CSLA_ALERT_KEY_LEN + 1];
	uint64_t seq;
	size_t left;
} da_wait_t;

struct da_daemon {
	da_wait_t *w;
	uint32_t n, cap;
};

static bool notification(uint8_t kind)
{
	return kind == CSLA_AK_FIRING || kind == CSLA_AK_REPEAT ||
	       kind == CSLA_AK_RESOLVED;
}

/* ---- deliveries -------------------------------------------------------- */

static void mark_delivered(csla_daemon_t *d, const char *key, uint64_t seq)
{
	for (uint32_t p = 0; p < d->nslots; p++) {
		dslot_t *ds = d->slots[p];
		if (!ds || !ds->alerts)
			continue;
		csla_alerts_delivered(ds->alerts, key, seq);
		ds->da->dirty = true;
	}
}

static void on_done(void *opaque, const char *key, uint64_t seq,
		    const char *notifier, bool ok)
{
	csla_daemon_t *d = opaque;
	struct da_daemon *dd = d->da;

	if (!ok)
		csla_log(CSLA_LOG_WARNING, "alert %s seq %" PRIu64 ": notifier "
			 "%s gave up", key, seq, notifier);
	for (uint32_t i = 0; i < dd->n; i++) {
		da_wait_t *w = &dd->w[i];
		if (strcmp(w->key, key) || w->seq != seq)
			continue;
		if (--w->left)
			return;
		dd->w[i] = dd->w[--dd->n];
		break;
	}
	mark_delivered(d, key, seq);
}

static void submit(csla_daemon_t *d, csla_alerts_t *al,
		   const csla_alert_event_t *ev)
{
	struct da_daemon *dd = d->da;
	size_t k = d->notify ? csla_notify_submit(d->notify, ev) : 0;

	if (!k) { /* nowhere to go, or dropped: nothing to wait for */
		csla_alerts_delivered(al, ev->dedup_key, ev->seq);
		return;
	}
	csla_grow(&dd->w, &dd->cap, dd->n + 1, sizeof *dd->w);
	da_wait_t *w = &dd->w[dd->n++];
	memcpy(w->key, ev->dedup_key, sizeof w->key);
	w->seq = ev->seq;
	w->left = k;
}

typedef struct pick {
	csla_daemon_t *d;
	dslot_t *ds;
	const da_item_t *it; /* NULL: every undelivered one */
} pick_t;

static void submit_picked(void *opaque, const csla_alert_event_t *ev)
{
	pick_t *pk = opaque;

	if (pk->it && (ev->seq != pk->it->seq ||
		       strcmp(ev->dedup_key, pk->it->key)))
		return;
	submit(pk->d, pk->ds->alerts, ev);
	pk->ds->da->dirty = true;
}

/* ---- evaluation ----------------------------------------------------------- */

static void on_transition(void *opaque, const csla_alert_event_t *ev)
{
	dslot_t *ds = opaque;
	struct da_slot *q = ds->da;
	csla_buf_t b = { 0 };

	csla_alert_event_json(ev, &b);
	csla_grow(&q->v, &q->cap, q->n + 1, sizeof *q->v);
	da_item_t *it = &q->v[q->n++];
	it->kind = (uint8_t)ev->kind;
	it->seq = ev->seq;
	memcpy(it->key, ev->dedup_key, sizeof it->key);
	it->json = b.p;
	it->len = b.len;
	q->dirty = true;
}

static void on_eval(evutil_socket_t fd, short what, void *arg)
{
	csla_daemon_t *d = arg;
	int64_t wall = csla_now_ms(), every = d->conf->alerts.evaluate_every_ms;
	(void)fd;
	(void)what;

	for (uint32_t p = 0; p < d->nslots; p++) {
		dslot_t *ds = d->slots[p];
		if (!ds || !ds->alerts || csla_slot_replaying(ds->s))
			continue;
		csla_engine_t *e = csla_slot_engine(ds->s);
		int64_t now = wall;
		if (d->conf->clock == CSLA_CLOCK_EVENT) {
			/* At the slot's event time, once per multiple of
			 * evaluate_every it has crossed. */
			now = csla_engine_event_now(e);
			if (now == INT64_MIN || now / every <= ds->da->tick)
				continue;
			ds->da->tick = now / every;
		}
		csla_alerts_eval(ds->alerts, e, now, on_transition, ds);
	}
}

/* On the wall clock every evaluate_every; on the event clock, whose time
 * may run far faster than the wall's (a backfill), at every flush
 * interval too, each slot evaluating once per multiple crossed. */
static void arm(csla_daemon_t *d)
{
	int64_t ms = d->conf->alerts.evaluate_every_ms;
	if (d->conf->clock == CSLA_CLOCK_EVENT &&
	    d->conf->daemon.flush_interval_ms < ms)
		ms = d->conf->daemon.flush_interval_ms;
	struct timeval tv = { (time_t)(ms / 1000),
			      (suseconds_t)(ms % 1000) * 1000 };
	evtimer_add(d->alert_ev, &tv);
}

/* ---- the daemon's life ------------------------------------------------ */

int da_start(csla_daemon_t *d, char *errstr, size_t errlen)
{
	d->da = csla_xcalloc(1, sizeof *d->da);
	d->notify = csla_notify_new(d->base, d->conf, on_done, d, errstr,
				    errlen);
	if (!d->notify)
		return -1;
	d->alert_ev = event_new(d->base, -1, EV_PERSIST, on_eval, d);
	arm(d);
	return 0;
}

void da_reload(csla_daemon_t *d, const csla_conf_t *c)
{
	for (uint32_t p = 0; p < d->nslots; p++)
		if (d->slots[p] && d->slots[p]->alerts)
			csla_alerts_set_conf(d->slots[p]->alerts, c);
	if (d->notify)
		csla_notify_set_conf(d->notify, c);
}

void da_rearm(csla_daemon_t *d)
{
	if (d->alert_ev)
		arm(d);
}

void da_stop(csla_daemon_t *d, int64_t timeout_ms)
{
	if (d->alert_ev)
		event_free(d->alert_ev);
	d->alert_ev = NULL;
	csla_notify_destroy(d->notify, timeout_ms);
	d->notify = NULL;
	if (d->da) {
		free(d->da->w);
		free(d->da);
		d->da = NULL;
	}
}

/* ---- slots -------------------------------------------------------------- */

/* Alertmanager notifiers re-post the firing alerts of the slots this
 * daemon owns, and of no others. */
static void remember_firing(void *opaque, const csla_alert_event_t *ev)
{
	if (ev->kind == CSLA_AK_FIRING)
		csla_notify_remember(opaque, ev);
}

static void forget_active(void *opaque, const csla_alert_event_t *ev)
{
	csla_notify_forget(opaque, ev);
}

void da_slot_init(csla_daemon_t *d, dslot_t *ds, const char *blob,
		  size_t len)
{
	char err[256];
	int32_t p = csla_slot_partition(ds->s);

	ds->alerts = csla_alerts_new(d->conf);
	ds->da = csla_xcalloc(1, sizeof *ds->da);
	ds->da->tick = INT64_MIN;
	if (!ds->alerts) {
		csla_log(CSLA_LOG_ERR, "out of memory");
		abort();
	}
	if (blob && csla_alerts_load(ds->alerts, blob, len, err, sizeof err))
		csla_log(CSLA_LOG_WARNING, "partition %" PRId32 ": %s; its "
			 "alerts start afresh", p, err);
	/* What a former owner evaluated and wrote but never saw
	 * confirmed goes out again. */
	pick_t pk = { d, ds, NULL };
	csla_alerts_undelivered(ds->alerts, submit_picked, &pk);
	if (d->notify)
		csla_alerts_active(ds->alerts, remember_firing, d->notify);
}

void da_slot_free(csla_daemon_t *d, dslot_t *ds)
{
	if (!ds->da)
		return;
	if (d->notify)
		csla_alerts_active(ds->alerts, forget_active, d->notify);
	for (uint32_t i = 0; i < ds->da->n; i++)
		free(ds->da->v[i].json);
	free(ds->da->v);
	free(ds->da);
	ds->da = NULL;
	csla_alerts_destroy(ds->alerts);
	ds->alerts = NULL;
}

bool da_slot_pending(const dslot_t *ds)
{
	return ds->da && (ds->da->n > ds->da->sent || ds->da->dirty);
}

void da_flush_ops(csla_daemon_t *d, dslot_t *ds, csla_argv_t *a)
{
	struct da_slot *q = ds->da;
	const csla_alerts_conf_t *ac = &d->conf->alerts;

	if (!q)
		return;
	q->sent = q->n;
	if (q->n) {
		csla_argv_adds(a, "X");
		csla_argv_adds(a, ac->stream_key);
		csla_argv_addi(a, (int64_t)ac->stream_maxlen);
		for (uint32_t i = 0; i < q->n; i++) {
			csla_argv_adds(a, csla_alert_kind_name(q->v[i].kind));
			csla_argv_adds(a, q->v[i].key);
			csla_argv_add(a, q->v[i].json, q->v[i].len);
		}
		csla_argv_add(a, "", 0);
	}
	/* In order: an alert that went pending and was cancelled within
	 * one flush ends up deleted. */
	for (uint32_t i = 0; i < q->n; i++) {
		const da_item_t *it = &q->v[i];
		bool set = it->kind == CSLA_AK_PENDING ||
			   it->kind == CSLA_AK_FIRING;
		if (!set && it->kind != CSLA_AK_CANCELLED &&
		    it->kind != CSLA_AK_RESOLVED)
			continue;
		csla_argv_adds(a, set ? "H" : "K");
		csla_argv_adds(a, it->key);
		if (set)
			csla_argv_add(a, it->json, it->len);
		csla_argv_add(a, "", 0);
	}
	csla_buf_t blob = { 0 };
	csla_alerts_save(ds->alerts, &blob);
	csla_argv_adds(a, "A");
	csla_argv_add(a, blob.p, blob.len);
	csla_buf_free(&blob);
	q->dirty = false;
}

void da_flush_done(csla_daemon_t *d, dslot_t *ds, bool ok)
{
	struct da_slot *q = ds->da;

	if (!q)
		return;
	if (!ok) { /* outcome unknown: all of it again with the next flush */
		q->sent = 0;
		q->dirty = true;
		return;
	}
	for (uint32_t i = 0; i < q->sent; i++) {
		da_item_t *it = &q->v[i];
		csla_log(CSLA_LOG_NOTICE, "alert %.*s", (int)it->len, it->json);
		if (notification(it->kind)) {
			pick_t pk = { d, ds, it };
			csla_alerts_undelivered(ds->alerts, submit_picked, &pk);
		}
		free(it->json);
	}
	if (q->n > q->sent)
		memmove(q->v, q->v + q->sent,
			(q->n - q->sent) * sizeof *q->v);
	q->n -= q->sent;
	q->sent = 0;
}
