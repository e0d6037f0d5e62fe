/* notify.c - alert notifications over libcurl's multi interface on the
 * libevent loop (notify.h, docs/alerts.md "Notifiers").
 *
 * Glue: curl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION: one
 * event per socket) and when to call it back (CURLMOPT_TIMERFUNCTION: one
 * timer); we hand both to the loop and report readiness with
 * curl_multi_socket_action().  Nothing blocks.
 *
 * Each (event, notifier) is a delivery in its notifier's FIFO.  A delivery
 * waits behind an earlier one of the same dedup key (so a resolve never
 * overtakes its trigger), otherwise up to MAX_INFLIGHT per notifier run at
 * once.  A failed attempt (transport error, 408, 425, 429, 5xx) is retried
 * after an exponential backoff with jitter, or after Retry-After on 429 and
 * 503; anything else is final.  Deliveries over all notifiers are bounded
 * by alerts.queue_max: past it a new one is dropped and counted.
 *
 * Alertmanager forgets an alert that is not re-posted before its endsAt,
 * so each Alertmanager notifier keeps the alerts firing through it and
 * re-posts them every resend interval, up to AM_BATCH per request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "log.h"
#include "notify.h"
#include "notify_format.h"
#include "util.h"

/* Concurrent requests per notifier: enough for a burst of alerts, few
 * enough not to trip a receiver's rate limit on their own. */
#define MAX_INFLIGHT 8
/* Re-posted alerts per request, so a storm does not make one huge body. */
#define AM_BATCH 500

/* One curl transfer: a delivery's attempt or a resend. */
typedef struct xfer {
	CURL *easy;
	struct curl_slist *hdrs;
	csla_notify_req_t req;
	char err[CURL_ERROR_SIZE];
	void (*done)(struct xfer *x, CURLcode rc, long status,
		     int64_t retry_after_ms);
	void *owner;            /* the delivery, or the notifier re-posting */
} xfer_t;

/* An event with everything it points to owned. */
typedef struct ev_copy {
	csla_alert_event_t ev;
	csla_alert_rule_t rule;
} ev_copy_t;

typedef enum dstate {
	D_BLOCKED,  /* behind an earlier delivery of its dedup key */
	D_READY,    /* may start */
	D_INFLIGHT,
	D_BACKOFF,  /* waiting for its retry timer */
} dstate_t;

struct notifier;

typedef struct delivery {
	struct delivery *prev, *next;   /* the notifier's FIFO */
	struct delivery *after;         /* the next one of the same key */
	struct notifier *nt;
	dstate_t state;
	uint32_t attempts;
	ev_copy_t ec;
	xfer_t x;
	struct event *timer;
} delivery_t;

typedef struct notifier {
	csla_notify_t *n;
	const csla_notifier_conf_t *c;
	delivery_t *head, *tail;
	size_t inflight;
	csla_notify_stats_t st;
	char last_error[CURL_ERROR_SIZE + 64];
	/* Alertmanager: the alerts firing through it, re-posted */
	ev_copy_t **firing;
	size_t nfiring;
	uint32_t capfiring;
	struct event *resend_ev;
	xfer_t *resend;         /* allocated: the notifier moves on reload */
	bool resending;
} notifier_t;

struct csla_notify {
	struct event_base *base;
	const csla_conf_t *conf;
	csla_notify_done_cb done;
	void *opaque;
	CURLM *multi;
	struct event *curl_timer;
	notifier_t *nt;
	size_t nnt;
	size_t queued;          /* deliveries not finished, all notifiers */
	bool draining;
};

static void pump(notifier_t *nt);

static int64_t wall_ms(const csla_notify_t *n)
{
	struct timeval tv;
	event_base_gettimeofday_cached(n->base, &tv);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* ---- owned copies of events ------------------------------------------- */

static char *dup0(const char *s)
{
	return s ? csla_xstrndup(s, strlen(s)) : NULL;
}

static void ev_copy(ev_copy_t *d, const csla_alert_event_t *ev)
{
	const csla_alert_rule_t *r = ev->rule;
	d->ev = *ev;
	d->rule = (csla_alert_rule_t){
		.name = dup0(r->name), .metric = r->metric,
		.window = dup0(r->window), .cmp = r->cmp,
		.threshold = r->threshold, .severity = r->severity,
		.nlabels = r->nlabels,
	};
	d->rule.labels = csla_xcalloc(r->nlabels ? r->nlabels : 1,
				      sizeof *r->labels);
	for (size_t i = 0; i < r->nlabels; i++) {
		d->rule.labels[i].key = dup0(r->labels[i].key);
		d->rule.labels[i].value = dup0(r->labels[i].value);
	}
	d->ev.rule = &d->rule;
	d->ev.tenant.p = csla_xstrndup(ev->tenant.p, ev->tenant.len);
	d->ev.id.p = csla_xstrndup(ev->id.p, ev->id.len);
	d->ev.window = dup0(ev->window);
	d->ev.dedup_key = dup0(ev->dedup_key);
	d->ev.summary = dup0(ev->summary);
}

static void ev_copy_free(ev_copy_t *d)
{
	for (size_t i = 0; i < d->rule.nlabels; i++) {
		free(d->rule.labels[i].key);
		free(d->rule.labels[i].value);
	}
	free(d->rule.labels);
	free(d->rule.name);
	free(d->rule.window);
	free((char *)d->ev.tenant.p);
	free((char *)d->ev.id.p);
	free((char *)d->ev.window);
	free((char *)d->ev.dedup_key);
	free((char *)d->ev.summary);
}

/* ---- curl on the loop ---------------------------------------------------- */

static void xfer_reset(xfer_t *x)
{
	if (x->easy)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->hdrs);
	csla_notify_req_free(&x->req);
	x->easy = NULL;
	x->hdrs = NULL;
}

/* Starts x->req.  Returns 0, or -1 with x->err. */
static int xfer_start(csla_notify_t *n, xfer_t *x, int64_t timeout_ms)
{
	x->err[0] = 0;
	x->easy = curl_easy_init();
	if (!x->easy) {
		snprintf(x->err, sizeof x->err, "curl_easy_init failed");
		return -1;
	}
	for (size_t i = 0; i < x->req.nheaders; i++)
		x->hdrs = curl_slist_append(x->hdrs, x->req.headers[i]);
	/* curl would wait a second for "100 Continue" before a large body. */
	x->hdrs = curl_slist_append(x->hdrs, "Expect:");
	CURL *e = x->easy;
	curl_easy_setopt(e, CURLOPT_URL, x->req.url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->req.body.p);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
			 (curl_off_t)x->req.body.len);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "callsla");
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->err);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	CURLMcode mc = curl_multi_add_handle(n->multi, e);
	if (mc != CURLM_OK) {
		snprintf(x->err, sizeof x->err, "%s", curl_multi_strerror(mc));
		return -1;
	}
	return 0;
}

static void check_done(csla_notify_t *n)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(n->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		CURL *e = m->easy_handle;
		CURLcode rc = m->data.result;
		char *priv = NULL;
		long status = 0;
		curl_off_t ra = 0;
		curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
		xfer_t *x = (xfer_t *)priv;
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
		/* Both forms of Retry-After (seconds, HTTP-date) as seconds
		 * from now; 0 when absent. */
		curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &ra);
		curl_multi_remove_handle(n->multi, e);
		if (rc != CURLE_OK && !x->err[0])
			snprintf(x->err, sizeof x->err, "%s",
				 curl_easy_strerror(rc));
		x->done(x, rc, status, ra > 0 ? (int64_t)ra * 1000 : 0);
	}
}

static void on_sock_event(evutil_socket_t fd, short what, void *arg)
{
	csla_notify_t *n = arg;
	int action = (what & EV_READ ? CURL_CSELECT_IN : 0) |
		     (what & EV_WRITE ? CURL_CSELECT_OUT : 0);
	int running;
	curl_multi_socket_action(n->multi, fd, action, &running);
	check_done(n);
}

static void on_curl_timer(evutil_socket_t fd, short what, void *arg)
{
	csla_notify_t *n = arg;
	int running;
	(void)fd;
	(void)what;
	curl_multi_socket_action(n->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(n);
}

static int sock_cb(CURL *e, curl_socket_t s, int what, void *userp,
		   void *socketp)
{
	csla_notify_t *n = userp;
	struct event *ev = socketp;
	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (ev) {
			event_free(ev);
			curl_multi_assign(n->multi, s, NULL);
		}
		return 0;
	}
	short kind = EV_PERSIST | (what & CURL_POLL_IN ? EV_READ : 0) |
		     (what & CURL_POLL_OUT ? EV_WRITE : 0);
	if (ev) {
		event_del(ev);
		event_assign(ev, n->base, s, kind, on_sock_event, n);
	} else {
		ev = event_new(n->base, s, kind, on_sock_event, n);
		curl_multi_assign(n->multi, s, ev);
	}
	event_add(ev, NULL);
	return 0;
}

static int timer_cb(CURLM *m, long timeout_ms, void *userp)
{
	csla_notify_t *n = userp;
	(void)m;
	if (timeout_ms < 0) {
		evtimer_del(n->curl_timer);
		return 0;
	}
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	evtimer_add(n->curl_timer, &tv);
	return 0;
}

/* ---- deliveries ------------------------------------------------------------ */

static notifier_t *notifier_named(csla_notify_t *n, const char *name)
{
	for (size_t i = 0; i < n->nnt; i++)
		if (n->nt[i].c && !strcmp(n->nt[i].c->name, name))
			return &n->nt[i];
	return NULL;
}

/* Unlinks and frees d, releasing the delivery waiting behind it. */
static void finish(delivery_t *d, bool ok)
{
	notifier_t *nt = d->nt;
	csla_notify_t *n = nt->n;
	if (d->after)
		d->after->state = D_READY;
	if (d->prev)
		d->prev->next = d->next;
	else
		nt->head = d->next;
	if (d->next)
		d->next->prev = d->prev;
	else
		nt->tail = d->prev;
	nt->st.queued--;
	n->queued--;
	if (n->done)
		n->done(n->opaque, d->ec.ev.dedup_key, d->ec.ev.seq,
			nt->c->name, ok);
	xfer_reset(&d->x);
	if (d->timer)
		event_free(d->timer);
	ev_copy_free(&d->ec);
	free(d);
	if (n->draining && n->queued == 0)
		event_base_loopbreak(n->base);
}

static bool retryable(CURLcode rc, long status)
{
	if (rc != CURLE_OK)
		return true;
	return status == 408 || status == 425 || status == 429 ||
	       status >= 500;
}

/* Retry n (1: the first) after a uniformly random time between
 * backoff_min and min(backoff_max, backoff_min * 2^n): exponential, with
 * the whole span jittered so that many alerts failing together do not
 * come back together. */
static int64_t backoff_ms(const csla_notifier_conf_t *c, uint32_t n)
{
	int64_t hi = c->backoff_min_ms;
	for (uint32_t i = 0; i < n && hi < c->backoff_max_ms; i++)
		hi *= 2;
	if (hi > c->backoff_max_ms)
		hi = c->backoff_max_ms;
	int64_t span = hi - c->backoff_min_ms;
	if (span <= 0)
		return c->backoff_min_ms;
	return c->backoff_min_ms +
	       (int64_t)((double)rand() / ((double)RAND_MAX + 1) * (span + 1));
}

/* The end of an attempt: delivered, given up on, or retried later. */
static void attempt_over(delivery_t *d, CURLcode rc, long status,
			 int64_t retry_after_ms)
{
	notifier_t *nt = d->nt;
	const csla_notifier_conf_t *c = nt->c;
	nt->inflight--;
	if (rc == CURLE_OK && status >= 200 && status < 300) {
		nt->st.sent++;
		finish(d, true);
		return;
	}
	if (rc != CURLE_OK)
		snprintf(nt->last_error, sizeof nt->last_error, "%s", d->x.err);
	else
		snprintf(nt->last_error, sizeof nt->last_error, "HTTP %ld",
			 status);
	if (!retryable(rc, status) || d->attempts >= c->max_attempts) {
		csla_log(CSLA_LOG_WARNING,
			 "notifier %s: gave up on %s:%llu after %u "
			 "attempt(s): %s", c->name, d->ec.ev.dedup_key,
			 (unsigned long long)d->ec.ev.seq, d->attempts,
			 nt->last_error);
		nt->st.failed++;
		finish(d, false);
		return;
	}
	int64_t wait = backoff_ms(c, d->attempts);
	if ((status == 429 || status == 503) && retry_after_ms > 0)
		wait = retry_after_ms < c->backoff_max_ms ? retry_after_ms
							  : c->backoff_max_ms;
	csla_log(CSLA_LOG_INFO,
		 "notifier %s: attempt %u of %s:%llu failed (%s), retry in "
		 "%lld ms", c->name, d->attempts, d->ec.ev.dedup_key,
		 (unsigned long long)d->ec.ev.seq, nt->last_error,
		 (long long)wait);
	nt->st.retries++;
	xfer_reset(&d->x);
	d->state = D_BACKOFF;
	struct timeval tv = { wait / 1000, (wait % 1000) * 1000 };
	evtimer_add(d->timer, &tv);
}

static void delivery_done(xfer_t *x, CURLcode rc, long status,
			  int64_t retry_after_ms)
{
	delivery_t *d = x->owner;
	notifier_t *nt = d->nt;
	attempt_over(d, rc, status, retry_after_ms);
	pump(nt);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	delivery_t *d = arg;
	(void)fd;
	(void)what;
	d->state = D_READY;
	pump(d->nt);
}

static void start(delivery_t *d)
{
	notifier_t *nt = d->nt;
	d->attempts++;
	if (csla_notify_format(nt->c, &d->ec.ev, wall_ms(nt->n), &d->x.req,
			       nt->last_error, sizeof nt->last_error) < 0) {
		csla_log(CSLA_LOG_ERR, "%s", nt->last_error);
		nt->st.failed++;
		finish(d, false);
		return;
	}
	d->state = D_INFLIGHT;
	nt->inflight++;
	if (xfer_start(nt->n, &d->x, nt->c->timeout_ms) < 0)
		attempt_over(d, CURLE_FAILED_INIT, 0, 0);
}

/* Starts what may start, oldest first.  Nothing starts on an Alertmanager
 * notifier while its re-post is in flight: a resolve sent meanwhile could
 * arrive first and be undone by it. */
static void pump(notifier_t *nt)
{
	if (nt->resending)
		return;
	delivery_t *d = nt->head;
	while (d && nt->inflight < MAX_INFLIGHT) {
		delivery_t *next = d->next;
		if (d->state == D_READY)
			start(d);
		d = next;
	}
}

/* ---- Alertmanager re-posts ------------------------------------------------ */

static void am_forget(notifier_t *nt, const char *key)
{
	for (size_t i = 0; i < nt->nfiring; i++) {
		if (strcmp(nt->firing[i]->ev.dedup_key, key))
			continue;
		ev_copy_free(nt->firing[i]);
		free(nt->firing[i]);
		nt->firing[i] = nt->firing[--nt->nfiring];
		return;
	}
}

static void am_remember(notifier_t *nt, const csla_alert_event_t *ev)
{
	am_forget(nt, ev->dedup_key);
	csla_grow(&nt->firing, &nt->capfiring, nt->nfiring + 1,
		  sizeof *nt->firing);
	ev_copy_t *ec = csla_xmalloc(sizeof *ec);
	ev_copy(ec, ev);
	nt->firing[nt->nfiring++] = ec;
}

static void am_clear(notifier_t *nt)
{
	while (nt->nfiring)
		am_forget(nt, nt->firing[0]->ev.dedup_key);
}

static void resend_done(xfer_t *x, CURLcode rc, long status,
			int64_t retry_after_ms)
{
	notifier_t *nt = x->owner;
	(void)retry_after_ms;
	if (rc != CURLE_OK || status < 200 || status >= 300)
		csla_log(CSLA_LOG_WARNING,
			 "notifier %s: re-posting firing alerts failed: %s",
			 nt->c->name, rc != CURLE_OK ? x->err : "HTTP error");
	xfer_reset(x);
	nt->resending = false;
	pump(nt);
}

/* One request with up to AM_BATCH alerts; the next tick sends the rest
 * of a larger list (rotated, so every alert gets its turn). */
static void on_resend(evutil_socket_t fd, short what, void *arg)
{
	notifier_t *nt = arg;
	(void)fd;
	(void)what;
	if (nt->resending || nt->nfiring == 0)
		return;
	size_t k = nt->nfiring < AM_BATCH ? nt->nfiring : AM_BATCH;
	const csla_alert_event_t **evs = csla_xmalloc(k * sizeof *evs);
	for (size_t i = 0; i < k; i++)
		evs[i] = &nt->firing[i]->ev;
	char err[256];
	int rc = csla_notify_format_am(nt->c, evs, k, wall_ms(nt->n),
				       &nt->resend->req, err, sizeof err);
	free(evs);
	if (rc < 0) {
		csla_log(CSLA_LOG_ERR, "%s", err);
		return;
	}
	if (k < nt->nfiring) {
		ev_copy_t **v = nt->firing;
		ev_copy_t *tmp[AM_BATCH];
		memcpy(tmp, v, k * sizeof *v);
		memmove(v, v + k, (nt->nfiring - k) * sizeof *v);
		memcpy(v + nt->nfiring - k, tmp, k * sizeof *v);
	}
	nt->resending = true;
	if (xfer_start(nt->n, nt->resend, nt->c->timeout_ms) < 0) {
		xfer_reset(nt->resend);
		nt->resending = false;
	}
}

static void notifier_arm(notifier_t *nt)
{
	if (nt->resend_ev)
		event_free(nt->resend_ev);
	nt->resend_ev = NULL;
	if (nt->c->kind != CSLA_NOTIFY_ALERTMANAGER || nt->c->resend_ms <= 0) {
		am_clear(nt);
		return;
	}
	nt->resend_ev = event_new(nt->n->base, -1, EV_PERSIST, on_resend, nt);
	struct timeval tv = { nt->c->resend_ms / 1000,
			      (nt->c->resend_ms % 1000) * 1000 };
	event_add(nt->resend_ev, &tv);
}

/* Gives up on everything the notifier holds (done is called, not ok,
 * unless the notifier set is being destroyed) and frees it. */
static void notifier_free(notifier_t *nt)
{
	while (nt->head) {
		delivery_t *d = nt->head;
		if (d->state == D_INFLIGHT) {
			curl_multi_remove_handle(nt->n->multi, d->x.easy);
			nt->inflight--;
		}
		nt->st.failed++;
		finish(d, false);
	}
	if (nt->resending)
		curl_multi_remove_handle(nt->n->multi, nt->resend->easy);
	xfer_reset(nt->resend);
	free(nt->resend);
	am_clear(nt);
	free(nt->firing);
	if (nt->resend_ev)
		event_free(nt->resend_ev);
}

/* ---- the API --------------------------------------------------------------- */

/* The notifiers of conf; those of the same name in old (n->nt) move over
 * with their queues and figures, the others are given up on. */
static void adopt(csla_notify_t *n, const csla_conf_t *conf)
{
	size_t nn = conf->alerts.nnotifiers;
	notifier_t *nv = csla_xcalloc(nn ? nn : 1, sizeof *nv);
	for (size_t i = 0; i < nn; i++) {
		const csla_notifier_conf_t *c = &conf->alerts.notifiers[i];
		notifier_t *old = n->nt ? notifier_named(n, c->name) : NULL;
		if (old) {
			nv[i] = *old;
			old->c = NULL; /* moved */
		}
		nv[i].n = n;
		nv[i].c = c;
		if (!nv[i].resend) {
			nv[i].resend = csla_xcalloc(1, sizeof *nv[i].resend);
			nv[i].resend->done = resend_done;
		}
		nv[i].resend->owner = &nv[i];
	}
	/* Pointers into the array (deliveries, timers) follow their
	 * notifier to its new place. */
	for (size_t i = 0; i < nn; i++) {
		for (delivery_t *d = nv[i].head; d; d = d->next)
			d->nt = &nv[i];
		notifier_arm(&nv[i]);
	}
	for (size_t i = 0; i < n->nnt; i++)
		if (n->nt[i].c)
			notifier_free(&n->nt[i]);
	free(n->nt);
	n->nt = nv;
	n->nnt = nn;
	n->conf = conf;
	for (size_t i = 0; i < nn; i++)
		pump(&nv[i]);
}

csla_notify_t *csla_notify_new(struct event_base *base,
			       const csla_conf_t *conf,
			       csla_notify_done_cb done, void *opaque,
			       char *errstr, size_t errlen)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(errstr, errlen, "curl_global_init failed");
		return NULL;
	}
	csla_notify_t *n = csla_xcalloc(1, sizeof *n);
	n->base = base;
	n->done = done;
	n->opaque = opaque;
	n->multi = curl_multi_init();
	n->curl_timer = evtimer_new(base, on_curl_timer, n);
	if (!n->multi || !n->curl_timer) {
		snprintf(errstr, errlen, "cannot set up libcurl on the loop");
		csla_notify_destroy(n, 0);
		return NULL;
	}
	curl_multi_setopt(n->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(n->multi, CURLMOPT_SOCKETDATA, n);
	curl_multi_setopt(n->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(n->multi, CURLMOPT_TIMERDATA, n);
	adopt(n, conf);
	return n;
}

void csla_notify_set_conf(csla_notify_t *n, const csla_conf_t *conf)
{
	adopt(n, conf);
}

void csla_notify_remember(csla_notify_t *n, const csla_alert_event_t *ev)
{
	for (size_t i = 0; i < ev->rule->nnotifiers; i++) {
		notifier_t *nt = notifier_named(n, ev->rule->notifiers[i]);
		if (nt && nt->resend_ev)
			am_remember(nt, ev);
	}
}

void csla_notify_forget(csla_notify_t *n, const csla_alert_event_t *ev)
{
	for (size_t i = 0; i < ev->rule->nnotifiers; i++) {
		notifier_t *nt = notifier_named(n, ev->rule->notifiers[i]);
		if (nt && nt->resend_ev)
			am_forget(nt, ev->dedup_key);
	}
}

/* Only transitions that page someone are sent: firing, its reminders,
 * and the resolution. */
static bool notifiable(csla_alert_kind_t k)
{
	return k == CSLA_AK_FIRING || k == CSLA_AK_REPEAT ||
	       k == CSLA_AK_RESOLVED;
}

size_t csla_notify_submit(csla_notify_t *n, const csla_alert_event_t *ev)
{
	if (!notifiable(ev->kind))
		return 0;
	size_t queued = 0;
	for (size_t i = 0; i < ev->rule->nnotifiers; i++) {
		notifier_t *nt = notifier_named(n, ev->rule->notifiers[i]);
		if (!nt)
			continue;
		if (nt->resend_ev) {
			if (ev->kind == CSLA_AK_RESOLVED)
				am_forget(nt, ev->dedup_key);
			else
				am_remember(nt, ev);
		}
		if (n->queued >= n->conf->alerts.queue_max) {
			nt->st.dropped++;
			continue;
		}
		delivery_t *d = csla_xcalloc(1, sizeof *d);
		d->nt = nt;
		ev_copy(&d->ec, ev);
		d->x.done = delivery_done;
		d->x.owner = d;
		d->timer = evtimer_new(n->base, on_retry, d);
		d->state = D_READY;
		for (delivery_t *o = nt->tail; o; o = o->prev) {
			if (!strcmp(o->ec.ev.dedup_key, ev->dedup_key)) {
				o->after = d;
				d->state = D_BLOCKED;
				break;
			}
		}
		d->prev = nt->tail;
		if (nt->tail)
			nt->tail->next = d;
		else
			nt->head = d;
		nt->tail = d;
		nt->st.queued++;
		n->queued++;
		queued++;
		pump(nt);
	}
	return queued;
}

static void on_drain_deadline(evutil_socket_t fd, short what, void *arg)
{
	csla_notify_t *n = arg;
	(void)fd;
	(void)what;
	event_base_loopbreak(n->base);
}

void csla_notify_destroy(csla_notify_t *n, int64_t timeout_ms)
{
	if (!n)
		return;
	if (n->multi && n->queued > 0 && timeout_ms > 0) {
		struct event *dl = evtimer_new(n->base, on_drain_deadline, n);
		struct timeval tv = { timeout_ms / 1000,
				      (timeout_ms % 1000) * 1000 };
		evtimer_add(dl, &tv);
		n->draining = true;
		event_base_dispatch(n->base);
		n->draining = false;
		event_free(dl);
	}
	/* What is left is abandoned without a done call: the daemon sends
	 * it again after a restore. */
	n->done = NULL;
	for (size_t i = 0; i < n->nnt; i++)
		notifier_free(&n->nt[i]);
	free(n->nt);
	if (n->multi)
		curl_multi_cleanup(n->multi);
	if (n->curl_timer)
		event_free(n->curl_timer);
	free(n);
	curl_global_cleanup();
}

static void add_stats(csla_notify_stats_t *t, const csla_notify_stats_t *s)
{
	t->sent += s->sent;
	t->failed += s->failed;
	t->dropped += s->dropped;
	t->retries += s->retries;
	t->queued += s->queued;
}

void csla_notify_stats(const csla_notify_t *n, csla_notify_stats_t *total)
{
	memset(total, 0, sizeof *total);
	for (size_t i = 0; i < n->nnt; i++)
		add_stats(total, &n->nt[i].st);
}

void csla_notify_stats_of(const csla_notify_t *n, size_t i,
			  csla_notify_stats_t *st)
{
	*st = n->nt[i].st;
}

const char *csla_notify_last_error(const csla_notify_t *n, size_t i)
{
	return n->nt[i].last_error;
}
