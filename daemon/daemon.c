/* daemon.c - callslad's loop: configuration and its reload, the slots and
 * the tenants they own, timers (flush, safety poll), signals, and the
 * figures logged at exit.  Kafka and Redis live in daemon_kafka.c and
 * daemon_redis.c. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "callslad.h"
#include "daemon.h"
#include "http.h"
#include "daemon_systemd.h"
#include "log.h"
#include "redis_addr.h"
#include "util.h"

/* The consumer queue is served at least this often even when its fd says
 * nothing: rebalances and group liveness depend on being polled. */
#define SAFETY_POLL_MS 100

int64_t csla_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t csla_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Flush durations in seconds: a healthy local Redis answers in a few ms;
 * past redis.timeout (2 s) the flush is abandoned. */
static const double flush_bounds[] = { 0.001, 0.0025, 0.005, 0.01, 0.025,
				       0.05,  0.1,    0.25,  0.5,  1,
				       2.5,   5,      10 };

/* ---- slots and tenant owners ----------------------------------------- */

dslot_t *csla_daemon_slot(csla_daemon_t *d, int32_t p)
{
	return p >= 0 && (uint32_t)p < d->nslots ? d->slots[p] : NULL;
}

static csla_reject_t admit(void *opaque, csla_slot_t *s, csla_str_t tenant);

struct claim {
	csla_daemon_t *d;
	csla_slot_t *s;
};

static void claim_tenant(void *opaque, csla_str_t name)
{
	struct claim *c = opaque;
	if (admit(c->d, c->s, name) != CSLA_OK)
		csla_log(CSLA_LOG_WARNING, "tenant %.*s is in the state of "
			 "partition %" PRId32 " and of another one",
			 (int)name.len, name.p, csla_slot_partition(c->s));
}

/* The restored tenants are the slot's before any event names them. */
void csla_daemon_set_slot(csla_daemon_t *d, int32_t p, dslot_t *ds)
{
	struct claim c = { d, ds->s };
	csla_engine_tenants(csla_slot_engine(ds->s), claim_tenant, &c);
	if ((uint32_t)p >= d->nslots) {
		uint32_t n = (uint32_t)p + 1;
		d->slots = csla_xrealloc(d->slots, n * sizeof *d->slots);
		memset(d->slots + d->nslots, 0,
		       (n - d->nslots) * sizeof *d->slots);
		d->nslots = n;
	}
	d->slots[p] = ds;
}

/* Forgets the owner entries of partition p. */
static void owners_drop(csla_daemon_t *d, int32_t p)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < d->nowners; i++) {
		if (d->owners[i].partition == p)
			free(d->owners[i].name);
		else
			d->owners[k++] = d->owners[i];
	}
	d->nowners = k;
	csla_map_free(&d->owners_map);
	csla_map_init(&d->owners_map);
	for (uint32_t i = 0; i < d->nowners; i++)
		csla_map_put(&d->owners_map,
			     csla_map_key(csla_hash(d->owners[i].name,
						    d->owners[i].len)),
			     i);
}

void csla_daemon_drop_slot(csla_daemon_t *d, int32_t p)
{
	dslot_t *ds = csla_daemon_slot(d, p);
	if (!ds)
		return;
	d->slots[p] = NULL;
	owners_drop(d, p);
	csla_rows_destroy(ds->rows);
	da_slot_free(d, ds);
	csla_slot_destroy(ds->s);
	free(ds);
}

/* A tenant belongs to the first partition it arrives on. */
static csla_reject_t admit(void *opaque, csla_slot_t *s, csla_str_t tenant)
{
	csla_daemon_t *d = opaque;
	int32_t p = csla_slot_partition(s);
	uint64_t h = csla_map_key(csla_hash(tenant.p, tenant.len));

	for (uint32_t m = csla_map_first(&d->owners_map, h); m != CSLA_MAP_END;
	     m = csla_map_next(&d->owners_map, h, m)) {
		const owner_t *o = &d->owners[d->owners_map.slots[m].v];
		if (o->len == tenant.len && !memcmp(o->name, tenant.p, o->len))
			return o->partition == p
				       ? CSLA_OK
				       : CSLA_REJ_TENANT_PARTITION_CONFLICT;
	}
	csla_grow(&d->owners, &d->capowners, d->nowners + 1,
		  sizeof *d->owners);
	d->owners[d->nowners] = (owner_t){
		.name = csla_xstrndup(tenant.p, tenant.len),
		.len = tenant.len,
		.partition = p,
	};
	csla_map_put(&d->owners_map, h, d->nowners++);
	return CSLA_OK;
}

const csla_slot_hooks_t csla_daemon_hooks_proto = {
	.admit = admit,
	.reject = dk_on_reject,
};

/* ---- configuration ------------------------------------------------------ */

static int apply_opts(csla_conf_t *c, const csla_daemon_opts_t *o,
		      char *errstr, size_t errlen)
{
	csla_daemon_conf_t *dc = &c->daemon;

	if (o->brokers) {
		free(dc->brokers);
		dc->brokers = csla_xstrndup(o->brokers, strlen(o->brokers));
	}
	if (o->group) {
		free(dc->group);
		dc->group = csla_xstrndup(o->group, strlen(o->group));
	}
	if (o->prefix) {
		free(dc->prefix);
		dc->prefix = csla_xstrndup(o->prefix, strlen(o->prefix));
	}
	if (o->redis) {
		csla_redis_addr_t a;
		if (csla_redis_addr_parse(o->redis, &a, errstr, errlen))
			return -1;
		free(dc->redis_unix);
		dc->redis_unix = NULL;
		if (a.is_unix) {
			dc->redis_unix = csla_xstrndup(a.path, strlen(a.path));
		} else {
			free(dc->redis_host);
			dc->redis_host = csla_xstrndup(a.host, strlen(a.host));
			dc->redis_port = a.port;
		}
	}
	return 0;
}

static csla_conf_t *load_conf(const csla_daemon_opts_t *o, char *errstr,
			      size_t errlen)
{
	csla_conf_t *c = o->config ? csla_conf_load(o->config, errstr, errlen)
				   : csla_conf_new_defaults();
	if (!c) {
		if (!o->config)
			snprintf(errstr, errlen, "out of memory");
		return NULL;
	}
	if (apply_opts(c, o, errstr, errlen)) {
		csla_conf_destroy(c);
		return NULL;
	}
	return c;
}

static const csla_daemon_opts_t *g_opts;

/* SIGHUP: new thresholds, windows and rules for the state kept.  What
 * the consumer and the connections were built from needs a restart. */
static void reload(csla_daemon_t *d)
{
	char err[1024];
	csla_sd_reloading(d);
	csla_conf_t *c = load_conf(g_opts, err, sizeof err);

	if (!c) {
		csla_log(CSLA_LOG_ERR, "reload failed, keeping the running "
			 "configuration: %s", err);
		csla_sd_reloaded(d, err);
		return;
	}
	csla_daemon_conf_t *a = &d->conf->daemon, *b = &c->daemon;
	bool same_topics = a->ntopics == b->ntopics;
	for (size_t t = 0; same_topics && t < a->ntopics; t++)
		same_topics = !strcmp(a->topics[t], b->topics[t]);
	if (!same_topics || strcmp(a->brokers, b->brokers) ||
	    strcmp(a->group, b->group) || strcmp(a->prefix, b->prefix) ||
	    c->max_message_bytes != d->conf->max_message_bytes)
		csla_log(CSLA_LOG_WARNING, "reload: consumer, Redis prefix and "
			 "max_message_bytes changes take effect at the next "
			 "restart");
	if (c->http.enabled != d->conf->http.enabled ||
	    strcmp(c->http.listen, d->conf->http.listen))
		csla_log(CSLA_LOG_WARNING, "reload: http.enabled and "
			 "http.listen changes take effect at the next restart");
	/* The connections and the key names stay as they were built: the
	 * running daemon block moves into the new configuration, and only
	 * its timings are taken from the file. */
	csla_daemon_conf_t keep = *a;
	keep.flush_interval_ms = b->flush_interval_ms;
	keep.checkpoint_interval_ms = b->checkpoint_interval_ms;
	keep.journal_max = b->journal_max;
	keep.shutdown_timeout_ms = b->shutdown_timeout_ms;
	keep.snapshot_ttl_ms = b->snapshot_ttl_ms;
	keep.redis_timeout_ms = b->redis_timeout_ms;
	*a = *b;
	*b = keep;
	c->max_message_bytes = d->conf->max_message_bytes;
	for (uint32_t p = 0; p < d->nslots; p++)
		if (d->slots[p])
			csla_slot_set_conf(d->slots[p]->s, c);
	da_reload(d, c);
	csla_conf_destroy(d->conf);
	d->conf = c;
	da_rearm(d);
	struct timeval tv = { (time_t)(c->daemon.flush_interval_ms / 1000),
			      (suseconds_t)(c->daemon.flush_interval_ms % 1000) *
				      1000 };
	evtimer_add(d->flush_ev, &tv);
	csla_log(CSLA_LOG_NOTICE, "configuration reloaded");
	csla_sd_reloaded(d, NULL);
}

/* ---- timers and signals ------------------------------------------------ */

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
	csla_daemon_t *d = arg;
	(void)fd;
	(void)what;
	dr_flush(d);
}

static void on_poll(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	dk_drain(arg);
}

static void on_reconnect(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	dr_connect(arg);
}

volatile sig_atomic_t csla_daemon_flushed_out;

/* The stop took longer than shutdown_timeout (a broker that is gone makes
 * leaving the group wait).  Once every slot's last state is in Redis
 * nothing is at stake: that is a clean stop. */
static void on_alarm(int sig)
{
	static const char late[] = "callslad: shutdown_timeout passed before "
				   "the final flush\n";
	static const char left[] = "callslad: shutdown_timeout passed while "
				   "leaving the group; state was flushed\n";
	(void)sig;
	if (csla_daemon_flushed_out) {
		if (write(STDERR_FILENO, left, sizeof left - 1) == -1)
			_exit(0);
		_exit(0);
	}
	if (write(STDERR_FILENO, late, sizeof late - 1) == -1)
		_exit(1);
	_exit(1);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	csla_daemon_t *d = arg;
	(void)what;

	if (sig == SIGHUP) {
		reload(d);
		return;
	}
	csla_log(CSLA_LOG_NOTICE, "signal %d: stopping", (int)sig);
	d->stopping = true;
	/* Bounded: a stuck broker or Redis must not hold the stop. */
	signal(SIGALRM, on_alarm);
	alarm((unsigned)((d->conf->daemon.shutdown_timeout_ms + 999) / 1000));
	event_base_loopbreak(d->base);
}

/* ---- figures ------------------------------------------------------------- */

static int64_t lat_quantile(const lat_hist_t *h, double q)
{
	uint64_t want = (uint64_t)(q * (double)h->count), seen = 0;
	for (size_t b = 0; b < CSLA_LAT_BUCKETS; b++) {
		seen += h->n[b];
		if (seen > want)
			return (int64_t)(b + 1) * 10;
	}
	return -1;
}

/* CPU of the whole process, librdkafka's threads included. */
static void log_figures(const csla_daemon_t *d)
{
	struct rusage ru;
	double cpu = 0;
	long rss_kb = 0;

	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		      (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
		rss_kb = ru.ru_maxrss;
	}
	csla_log(CSLA_LOG_NOTICE, "figures: events=%" PRIu64 " flushes=%"
		 PRIu64 " flush_errors=%" PRIu64 " reconnects=%" PRIu64
		 " dead_letters=%" PRIu64 " latency_ms_p50=%" PRId64
		 " latency_ms_p99=%" PRId64 " latency_events=%" PRIu64
		 " cpu_s=%.3f max_rss_kb=%ld",
		 d->events_in, d->flushes, d->flush_errors, d->reconnects,
		 d->dlq_sent, lat_quantile(&d->latency, 0.50),
		 lat_quantile(&d->latency, 0.99), d->latency.count, cpu,
		 rss_kb);
}

/* ---- life ------------------------------------------------------------------ */

static void teardown(csla_daemon_t *d)
{
	for (uint32_t p = 0; p < d->nslots; p++)
		csla_daemon_drop_slot(d, p);
	free(d->slots);
	d->slots = NULL;
	d->nslots = 0;
	dk_destroy(d);
	/* Requests waiting for Redis are answered as it goes: the server
	 * must still be there. */
	dr_disconnect(d);
	csla_http_stop(d);
	for (size_t i = 0; i < 4; i++)
		if (d->sig_ev[i])
			event_free(d->sig_ev[i]);
	if (d->flush_ev)
		event_free(d->flush_ev);
	if (d->poll_ev)
		event_free(d->poll_ev);
	if (d->reconnect_ev)
		event_free(d->reconnect_ev);
	/* Notifications of the final flushes get a moment to go out; what
	 * does not is sent again by the next owner. */
	da_stop(d, 2000);
	csla_map_free(&d->owners_map);
	free(d->owners);
	free(d->lat_pending);
	free(d->lat_new);
	for (size_t t = 0; t < d->ntopics; t++)
		free((char *)d->topics[t]);
	free(d->topics);
	csla_conf_destroy(d->conf);
	csla_sd_destroy(d);
	if (d->base)
		event_base_free(d->base);
}

int csla_daemon_main(const csla_daemon_opts_t *o)
{
	static csla_daemon_t dd;
	csla_daemon_t *d = &dd;
	char err[1024];

	g_opts = o;
	csla_log_set_level(o->log_level ? o->log_level : CSLA_LOG_INFO);
	signal(SIGPIPE, SIG_IGN);
	srand((unsigned)(csla_now_ms() ^ getpid()));
	csla_map_init(&d->owners_map);
	d->wake[0] = d->wake[1] = -1;

	d->conf = load_conf(o, err, sizeof err);
	if (!d->conf) {
		csla_log(CSLA_LOG_ERR, "%s", err);
		return 2;
	}
	const csla_daemon_conf_t *dc = &d->conf->daemon;
	d->ntopics = dc->ntopics;
	d->topics = csla_xcalloc(dc->ntopics + 1, sizeof *d->topics);
	for (size_t t = 0; t < dc->ntopics; t++)
		d->topics[t] = csla_xstrndup(dc->topics[t],
					     strlen(dc->topics[t]));
	d->base = event_base_new();
	if (!d->base) {
		csla_log(CSLA_LOG_ERR, "out of memory");
		teardown(d);
		return 1;
	}

	d->flush_ev = event_new(d->base, -1, EV_PERSIST, on_flush, d);
	d->poll_ev = event_new(d->base, -1, EV_PERSIST, on_poll, d);
	d->reconnect_ev = evtimer_new(d->base, on_reconnect, d);
	const int sigs[4] = { SIGTERM, SIGINT, SIGHUP, 0 };
	for (size_t i = 0; sigs[i]; i++) {
		d->sig_ev[i] = evsignal_new(d->base, sigs[i], on_signal, d);
		event_add(d->sig_ev[i], NULL);
	}
	struct timeval ftv = { (time_t)(dc->flush_interval_ms / 1000),
			       (suseconds_t)(dc->flush_interval_ms % 1000) *
				       1000 };
	struct timeval ptv = { 0, SAFETY_POLL_MS * 1000 };
	event_add(d->flush_ev, &ftv);
	event_add(d->poll_ev, &ptv);
	if (csla_sd_new(d, err, sizeof err)) {
		csla_log(CSLA_LOG_ERR, "%s", err);
		teardown(d);
		return 1;
	}

	csla_prom_hist_init(&d->flush_seconds, flush_bounds,
			    sizeof flush_bounds / sizeof flush_bounds[0]);
	if (csla_http_start(d, err, sizeof err)) {
		csla_log(CSLA_LOG_ERR, "%s", err);
		teardown(d);
		return 2;
	}

	if (da_start(d, err, sizeof err)) {
		csla_log(CSLA_LOG_ERR, "%s", err);
		teardown(d);
		return 2;
	}
	dr_connect(d);
	if (dk_start(d, err, sizeof err)) {
		csla_log(CSLA_LOG_ERR, "%s", err);
		teardown(d);
		return 2;
	}
	csla_log(CSLA_LOG_NOTICE, "consuming %s%s%s from %s as group %s",
		 d->topics[0], d->ntopics > 1 ? " and others" : "", "",
		 dc->brokers, dc->group);

	event_base_dispatch(d->base);
	csla_sd_stopping(d);

	/* Stop consuming; the revoke of every slot writes its last state
	 * through a blocking connection. */
	dk_close(d);
	csla_daemon_flushed_out = 1;
	log_figures(d);
	int rc = d->exit_code;
	teardown(d);
	return rc;
}
