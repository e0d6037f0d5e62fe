/* test_notify.c - deliveries over libcurl on the libevent loop, against an
 * evhttp server in the same event_base on 127.0.0.1:0 that answers each
 * path from a script: retries in order, Retry-After (seconds and
 * HTTP-date) honoured, a resolve never overtaking its trigger, a 400 not
 * retried, timeouts, the bounded queue, one done call per notifier,
 * Alertmanager re-posts, and a reload that drops a notifier. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <time.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "notify.h"

#define MAXREQ 64

typedef struct req {
	char path[64];
	char id[128];           /* webhook-id */
	int64_t t_ms;           /* arrival, monotonic */
	int status;             /* answered with; 0: never answered */
	char body[2048];
} req_t;

/* What a path answers, request after request; past the script, 200.  A
 * status of -1 never answers. */
typedef struct script {
	const char *path;
	int status[4];
	const char *retry_after[4];
} script_t;

typedef struct done_rec {
	char notifier[32];
	char key[64];
	uint64_t seq;
	bool ok;
} done_rec_t;

typedef struct fx {
	struct event_base *base;
	struct evhttp *http;
	int port;
	const script_t *scripts;
	req_t req[MAXREQ];
	int nreq;
	done_rec_t done[16];
	int ndone, want_done;
	bool timed_out;
} fx_t;

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_request(struct evhttp_request *r, void *arg)
{
	fx_t *f = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(r));
	int k = 0; /* earlier requests to this path */
	for (int i = 0; i < f->nreq; i++)
		k += !strcmp(f->req[i].path, path);
	assert_true(f->nreq < MAXREQ);
	req_t *q = &f->req[f->nreq++];
	snprintf(q->path, sizeof q->path, "%s", path);
	const char *id = evhttp_find_header(evhttp_request_get_input_headers(r),
					    "webhook-id");
	snprintf(q->id, sizeof q->id, "%s", id ? id : "");
	q->t_ms = mono_ms();
	struct evbuffer *in = evhttp_request_get_input_buffer(r);
	size_t n = evbuffer_get_length(in);
	if (n >= sizeof q->body)
		n = sizeof q->body - 1;
	evbuffer_remove(in, q->body, n);
	q->body[n] = 0;

	int status = 200;
	const char *ra = NULL;
	for (const script_t *s = f->scripts; s && s->path; s++) {
		if (strcmp(s->path, path) || k >= 4 || !s->status[k])
			continue;
		status = s->status[k];
		ra = s->retry_after[k];
	}
	if (status < 0)
		return;
	q->status = status;
	char date[64];
	if (ra && !strcmp(ra, "date+2")) {
		/* An HTTP-date two seconds ahead (RFC 9110 IMF-fixdate). */
		time_t t = time(NULL) + 2;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		ra = date;
	}
	if (ra)
		evhttp_add_header(evhttp_request_get_output_headers(r),
				  "Retry-After", ra);
	evhttp_send_reply(r, status, "x", NULL);
}

static void on_done(void *opaque, const char *key, uint64_t seq,
		    const char *notifier, bool ok)
{
	fx_t *f = opaque;
	assert_true(f->ndone < 16);
	done_rec_t *d = &f->done[f->ndone++];
	snprintf(d->notifier, sizeof d->notifier, "%s", notifier);
	snprintf(d->key, sizeof d->key, "%s", key);
	d->seq = seq;
	d->ok = ok;
	if (f->ndone == f->want_done)
		event_base_loopbreak(f->base);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	fx_t *f = arg;
	(void)fd;
	(void)what;
	f->timed_out = true;
	event_base_loopbreak(f->base);
}

/* Runs the loop until `want` done calls in all, or ms passed. */
static void run(fx_t *f, int want, int64_t ms)
{
	f->want_done = want;
	f->timed_out = false;
	if (f->ndone >= want && want > 0)
		return;
	struct event *t = evtimer_new(f->base, on_deadline, f);
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	evtimer_add(t, &tv);
	event_base_dispatch(f->base);
	event_free(t);
}

static int setup(void **state)
{
	fx_t *f = calloc(1, sizeof *f);
	f->base = event_base_new();
	f->http = evhttp_new(f->base);
	struct evhttp_bound_socket *bs =
		evhttp_bind_socket_with_handle(f->http, "127.0.0.1", 0);
	assert_non_null(bs);
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	assert_int_equal(getsockname(evhttp_bound_socket_get_fd(bs),
				     (struct sockaddr *)&sa, &len), 0);
	f->port = ntohs(sa.sin_port);
	evhttp_set_gencb(f->http, on_request, f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx_t *f = *state;
	evhttp_free(f->http);
	event_base_free(f->base);
	free(f);
	return 0;
}

static char urls[8][128];

static csla_notifier_conf_t notifier(fx_t *f, int slot, const char *name,
				     csla_notifier_kind_t kind,
				     const char *path)
{
	snprintf(urls[slot], sizeof urls[slot], "http://127.0.0.1:%d%s",
		 f->port, path);
	return (csla_notifier_conf_t){
		.name = (char *)name, .kind = kind, .url = urls[slot],
		.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		.routing_key = "rk", .timeout_ms = 2000, .max_attempts = 5,
		.backoff_min_ms = 100, .backoff_max_ms = 5000,
		.resend_ms = 60000,
	};
}

static char *one[] = { "hook" };

static csla_alert_rule_t rule = {
	.name = "sl-low", .window = "15m", .threshold = 0.8,
	.notifiers = one, .nnotifiers = 1,
};

static csla_alert_event_t event(csla_alert_kind_t kind, const char *key,
				uint64_t seq)
{
	return (csla_alert_event_t){
		.kind = kind, .rule = &rule, .tenant = { "acme", 4 },
		.scope = CSLA_SCOPE_QUEUE, .id = { "sales", 5 },
		.window = "15m", .value = 0.5, .at_ms = 1772449200000LL,
		.active_ms = 1772449200000LL, .fired_ms = 1772449200000LL,
		.dedup_key = key, .seq = seq, .summary = "s",
	};
}

static csla_conf_t conf_of(csla_notifier_conf_t *nc, size_t n, uint32_t qmax)
{
	csla_conf_t c;
	memset(&c, 0, sizeof c);
	c.alerts.notifiers = nc;
	c.alerts.nnotifiers = n;
	c.alerts.queue_max = qmax;
	return c;
}

static csla_notify_t *new_notify(fx_t *f, const csla_conf_t *c)
{
	char err[256] = "";
	csla_notify_t *n = csla_notify_new(f->base, c, on_done, f, err,
					   sizeof err);
	if (!n)
		fail_msg("csla_notify_new: %s", err);
	return n;
}

/* 500, then 429 with Retry-After: 1, then 200: three attempts in that
 * order, the third at least a second after the second; the first retry
 * after backoff_min at least. */
static void test_retry_after(void **state)
{
	fx_t *f = *state;
	static const script_t sc[] = {
		{ "/flaky", { 500, 429 }, { NULL, "1" } }, { NULL },
	};
	f->scripts = sc;
	csla_notifier_conf_t nc = notifier(f, 0, "hook", CSLA_NOTIFY_WEBHOOK,
					   "/flaky");
	csla_conf_t c = conf_of(&nc, 1, 100);
	csla_notify_t *n = new_notify(f, &c);
	csla_alert_event_t ev = event(CSLA_AK_FIRING, "k1", 1);
	assert_int_equal(csla_notify_submit(n, &ev), 1);
	run(f, 1, 10000);
	assert_false(f->timed_out);
	assert_int_equal(f->nreq, 3);
	assert_int_equal(f->req[0].status, 500);
	assert_int_equal(f->req[1].status, 429);
	assert_int_equal(f->req[2].status, 200);
	for (int i = 0; i < 3; i++)
		assert_string_equal(f->req[i].id, "k1:1");
	assert_true(f->req[1].t_ms - f->req[0].t_ms >= 100);
	assert_true(f->req[2].t_ms - f->req[1].t_ms >= 1000);
	assert_int_equal(f->ndone, 1);
	assert_string_equal(f->done[0].notifier, "hook");
	assert_string_equal(f->done[0].key, "k1");
	assert_true(f->done[0].ok);
	csla_notify_stats_t st;
	csla_notify_stats(n, &st);
	assert_int_equal(st.sent, 1);
	assert_int_equal(st.retries, 2);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.queued, 0);
	assert_string_equal(csla_notify_last_error(n, 0), "HTTP 429");
	csla_notify_destroy(n, 0);
}

/* 503 with an HTTP-date two seconds ahead: the retry waits for it (at
 * least a second, since the date has whole seconds). */
static void test_retry_after_date(void **state)
{
	fx_t *f = *state;
	static const script_t sc[] = {
		{ "/busy", { 503 }, { "date+2" } }, { NULL },
	};
	f->scripts = sc;
	csla_notifier_conf_t nc = notifier(f, 0, "hook", CSLA_NOTIFY_WEBHOOK,
					   "/busy");
	csla_conf_t c = conf_of(&nc, 1, 100);
	csla_notify_t *n = new_notify(f, &c);
	csla_alert_event_t ev = event(CSLA_AK_FIRING, "k1", 1);
	csla_notify_submit(n, &ev);
	run(f, 1, 10000);
	assert_int_equal(f->nreq, 2);
	assert_true(f->req[1].t_ms - f->req[0].t_ms >= 1000);
	assert_true(f->done[0].ok);
	csla_notify_destroy(n, 0);
}

/* Firing then resolved of one key, the firing failing once: the resolve
 * waits for the firing's success.  Another key is not held back. */
static void test_order(void **state)
{
	fx_t *f = *state;
	static const script_t sc[] = {
		{ "/order", { 500 } }, { NULL },
	};
	f->scripts = sc;
	csla_notifier_conf_t nc = notifier(f, 0, "hook", CSLA_NOTIFY_WEBHOOK,
					   "/order");
	nc.backoff_min_ms = 300;
	nc.backoff_max_ms = 300;
	csla_conf_t c = conf_of(&nc, 1, 100);
	csla_notify_t *n = new_notify(f, &c);
	csla_alert_event_t ev = event(CSLA_AK_FIRING, "k1", 1);
	csla_notify_submit(n, &ev);
	ev = event(CSLA_AK_RESOLVED, "k1", 2);
	csla_notify_submit(n, &ev);
	ev = event(CSLA_AK_FIRING, "k2", 1);
	csla_notify_submit(n, &ev);
	run(f, 3, 10000);
	assert_int_equal(f->nreq, 4);
	/* k1:1 fails, goes again after the backoff and succeeds; only then
	 * k1:2.  k2:1 runs alongside. */
	int k1[3], nk1 = 0, k2 = 0;
	for (int i = 0; i < 4; i++) {
		if (!strcmp(f->req[i].id, "k2:1"))
			k2++;
		else
			k1[nk1++] = i;
	}
	assert_int_equal(k2, 1);
	assert_int_equal(nk1, 3);
	assert_string_equal(f->req[k1[0]].id, "k1:1");
	assert_int_equal(f->req[k1[0]].status, 500);
	assert_string_equal(f->req[k1[1]].id, "k1:1");
	assert_int_equal(f->req[k1[1]].status, 200);
	assert_string_equal(f->req[k1[2]].id, "k1:2");
	assert_int_equal(f->ndone, 3);
	assert_string_equal(f->done[0].key, "k2");
	assert_int_equal(f->done[1].seq, 1);
	assert_int_equal(f->done[2].seq, 2);
	csla_notify_destroy(n, 0);
}

/* A 400 is final: one attempt, done not ok. */
static void test_no_retry_on_400(void **state)
{
	fx_t *f = *state;
	static const script_t sc[] = {
		{ "/bad", { 400, 400 } }, { NULL },
	};
	f->scripts = sc;
	csla_notifier_conf_t nc = notifier(f, 0, "hook", CSLA_NOTIFY_WEBHOOK,
					   "/bad");
	csla_conf_t c = conf_of(&nc, 1, 100);
	csla_notify_t *n = new_notify(f, &c);
	csla_alert_event_t ev = event(CSLA_AK_FIRING, "k1", 1);
	csla_notify_submit(n, &ev);
	run(f, 1, 10000);
	assert_int_equal(f->nreq, 1);
	assert_false(f->done[0].ok);
	csla_notify_stats_t st;
	csla_notify_stats_of(n, 0, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.retries, 0);
	assert_string_equal(csla_notify_last_error(n, 0), "HTTP 400");
	csla_notify_destroy(n, 0);
}

/* A server that never answers: each attempt ends at timeout_ms, and after
 * max_attempts the delivery is given up on. */
static void test_timeout(void **state)
{
	fx_t *f = *state;
	static const script_t sc[] = {
		{ "/hang", { -1, -1, -1, -1 } }, { NULL },
	};
	f->scripts = sc;
	csla_notifier_conf_t nc = notifier(f, 0, "hook", CSLA_NOTIFY_WEBHOOK,
					   "/hang");
	nc.timeout_ms = 300;
	nc.max_attempts = 2;
	csla_conf_t c = conf_of(&nc, 1, 100);
	csla_notify_t *n = new_notify(f, &c);
	csla_alert_event_t ev = event(CSLA_AK_FIRING, "k1", 1);
	csla_notify_submit(n, &ev);
	run(f, 1, 10000);
	assert_false(f->timed_out);
	assert_int_equal(f->nreq, 2);
	assert_false(f->done[0].ok);
	csla_notify_stats_t st;
	csla_notify_stats(n, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.retries, 1);
	assert_non_null(strstr(csla_notify_last_error(n, 0), "timed out"));
	csla_notify_destroy(n, 0);
}

/* queue_max 2: the third delivery is dropped and counted, never blocks;
 * pending ones are abandoned at destroy without a done call. */
static void test_overflow(void **state)
{
	fx_t *f = *state;
	static const script_t sc[] = {
		{ "/hang", { -1, -1, -1, -1 } }, { NULL },
	};
	f->scripts = sc;
	csla_notifier_conf_t nc = notifier(f, 0, "hook", CSLA_NOTIFY_WEBHOOK,
					   "/hang");
	csla_conf_t c = conf_of(&nc, 1, 2);
	csla_notify_t *n = new_notify(f, &c);
	const char *keys[] = { "k1", "k2", "k3" };
	size_t want[] = { 1, 1, 0 };
	for (int i = 0; i < 3; i++) {
		csla_alert_event_t ev = event(CSLA_AK_FIRING, keys[i], 1);
		assert_int_equal(csla_notify_submit(n, &ev), want[i]);
	}
	/* Pending and cancelled are not sent at all. */
	csla_alert_event_t ev = event(CSLA_AK_PENDING, "k4", 0);
	assert_int_equal(csla_notify_submit(n, &ev), 0);
	csla_notify_stats_t st;
	csla_notify_stats(n, &st);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.queued, 2);
	run(f, 0, 200);
	assert_int_equal(f->nreq, 2);
	csla_notify_destroy(n, 100);
	assert_int_equal(f->ndone, 0);
}

/* A rule with two notifiers: one done call for each, with its name. */
static void test_done_per_notifier(void **state)
{
	fx_t *f = *state;
	f->scripts = NULL;
	csla_notifier_conf_t nc[2] = {
		notifier(f, 0, "hook", CSLA_NOTIFY_WEBHOOK, "/a"),
		notifier(f, 1, "chat", CSLA_NOTIFY_SLACK, "/b"),
	};
	csla_conf_t c = conf_of(nc, 2, 100);
	csla_notify_t *n = new_notify(f, &c);
	char *two[] = { "chat", "hook" };
	csla_alert_rule_t r2 = rule;
	r2.notifiers = two;
	r2.nnotifiers = 2;
	csla_alert_event_t ev = event(CSLA_AK_FIRING, "k1", 1);
	ev.rule = &r2;
	assert_int_equal(csla_notify_submit(n, &ev), 2);
	run(f, 2, 10000);
	run(f, 3, 300); /* and no third */
	assert_int_equal(f->ndone, 2);
	int hook = !strcmp(f->done[0].notifier, "hook") +
		   !strcmp(f->done[1].notifier, "hook");
	int chat = !strcmp(f->done[0].notifier, "chat") +
		   !strcmp(f->done[1].notifier, "chat");
	assert_int_equal(hook, 1);
	assert_int_equal(chat, 1);
	assert_true(f->done[0].ok && f->done[1].ok);
	csla_notify_stats_t st;
	csla_notify_stats_of(n, 1, &st);
	assert_int_equal(st.sent, 1);
	csla_notify_destroy(n, 0);
}

/* An Alertmanager notifier "hook" at the fixture's server, re-posting
 * every 200 ms; nc and c are what it borrows. */
static csla_notify_t *am_notify(fx_t *f, csla_notifier_conf_t *nc,
				csla_conf_t *c)
{
	f->scripts = NULL;
	*nc = notifier(f, 0, "hook", CSLA_NOTIFY_ALERTMANAGER, "");
	nc->resend_ms = 200;
	*c = conf_of(nc, 1, 100);
	return new_notify(f, c);
}

/* Alertmanager: the firing alert is re-posted every resend interval, and
 * no longer once resolved. */
static void test_alertmanager_resend(void **state)
{
	fx_t *f = *state;
	csla_notifier_conf_t nc;
	csla_conf_t c;
	csla_notify_t *n = am_notify(f, &nc, &c);
	csla_alert_event_t ev = event(CSLA_AK_FIRING, "k1", 1);
	csla_notify_submit(n, &ev);
	run(f, 1, 10000);
	run(f, 0, 700);
	int posts = f->nreq;
	assert_true(posts >= 3); /* the firing and at least two re-posts */
	for (int i = 0; i < posts; i++) {
		assert_string_equal(f->req[i].path, "/api/v2/alerts");
		assert_non_null(strstr(f->req[i].body, "\"dedup_key\":\"k1\""));
		assert_non_null(strstr(f->req[i].body, "\"endsAt\""));
	}
	ev = event(CSLA_AK_RESOLVED, "k1", 2);
	ev.at_ms = 1772449260000LL;
	csla_notify_submit(n, &ev);
	run(f, 2, 10000);
	int after = f->nreq;
	run(f, 0, 700);
	assert_int_equal(f->nreq, after);
	assert_non_null(strstr(f->req[after - 1].body,
			       "\"endsAt\":\"2026-03-02T11:01:00.000Z\""));
	csla_notify_destroy(n, 0);
}

/* A firing alert a daemon finds after taking over a partition: remember
 * posts nothing now and re-posts it every resend interval; forget (the
 * partition went elsewhere) stops that.  No done calls: nothing was
 * submitted. */
static void test_alertmanager_remember(void **state)
{
	fx_t *f = *state;
	csla_notifier_conf_t nc;
	csla_conf_t c;
	csla_notify_t *n = am_notify(f, &nc, &c);
	csla_alert_event_t ev = event(CSLA_AK_FIRING, "k7", 3);
	csla_notify_remember(n, &ev);
	assert_int_equal(f->nreq, 0);
	run(f, 0, 700); /* re-posts at about 200, 400 and 600 ms */
	int posts = f->nreq;
	assert_true(posts >= 2);
	for (int i = 0; i < posts; i++) {
		assert_string_equal(f->req[i].path, "/api/v2/alerts");
		assert_non_null(strstr(f->req[i].body, "\"dedup_key\":\"k7\""));
	}
	csla_notify_forget(n, &ev);
	run(f, 0, 300); /* one re-post may have been under way */
	int after = f->nreq;
	run(f, 0, 700);
	assert_int_equal(f->nreq, after);
	assert_true(after <= posts + 1);
	assert_int_equal(f->ndone, 0);
	csla_notify_stats_t st;
	csla_notify_stats(n, &st);
	assert_int_equal(st.sent, 0);
	csla_notify_destroy(n, 0);
}

/* A reload without the notifier gives up its pending deliveries (done,
 * not ok); one kept by name keeps its queue and figures. */
static void test_reload(void **state)
{
	fx_t *f = *state;
	static const script_t sc[] = {
		{ "/hang", { -1, -1, -1, -1 } }, { NULL },
	};
	f->scripts = sc;
	csla_notifier_conf_t nc[2] = {
		notifier(f, 0, "hook", CSLA_NOTIFY_WEBHOOK, "/hang"),
		notifier(f, 1, "chat", CSLA_NOTIFY_SLACK, "/ok"),
	};
	csla_conf_t c = conf_of(nc, 2, 100);
	csla_notify_t *n = new_notify(f, &c);
	csla_alert_event_t ev = event(CSLA_AK_FIRING, "k1", 1);
	csla_notify_submit(n, &ev);
	run(f, 0, 200);
	csla_notifier_conf_t nc2[1] = {
		notifier(f, 2, "chat", CSLA_NOTIFY_SLACK, "/ok"),
	};
	csla_conf_t c2 = conf_of(nc2, 1, 100);
	csla_notify_set_conf(n, &c2);
	assert_int_equal(f->ndone, 1);
	assert_string_equal(f->done[0].notifier, "hook");
	assert_false(f->done[0].ok);
	char *chat[] = { "chat" };
	csla_alert_rule_t r2 = rule;
	r2.notifiers = chat;
	ev.rule = &r2;
	csla_notify_submit(n, &ev);
	run(f, 2, 10000);
	assert_true(f->done[1].ok);
	csla_notify_stats_t st;
	csla_notify_stats(n, &st);
	assert_int_equal(st.sent, 1);
	assert_int_equal(st.queued, 0);
	csla_notify_destroy(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_retry_after, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_after_date, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_retry_on_400, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_done_per_notifier, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_alertmanager_resend, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_alertmanager_remember,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
