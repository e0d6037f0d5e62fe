/* daemon_redis.c - callslad's Redis side (docs/redis.md): flushes through
 * hiredis' async API on the loop, restores and final flushes through a
 * blocking connection (they run inside librdkafka's rebalance callback,
 * where the loop cannot wait for a reply), reconnection with backoff.
 *
 * hiredis 0.14 has no async timeouts: a flush whose reply has not come
 * within redis.timeout drops the connection, which fails the flush; its
 * outcome is then unknown, and the next flush writes everything again
 * (writes are idempotent, docs/redis.md). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/adapters/libevent.h>

#include "daemon.h"
#include "daemon_systemd.h"
#include "log.h"
#include "series.h"
#include "util.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
/* A restore retries this long before the daemon gives up and exits, to be
 * restarted (systemd's Restart=on-failure): it blocks the loop meanwhile,
 * signals included, and must stay well under max.poll.interval.ms. */
#define RESTORE_DEADLINE_MS 10000

/* One flush in flight: what its EXEC acknowledges. */
typedef struct sent {
	int32_t partition;
	int64_t epoch;
	uint64_t seq;
	bool base;
} sent_t;

typedef struct flush_rec {
	csla_daemon_t *d;
	sent_t *v;
	size_t n;
} flush_rec_t;

static const csla_daemon_conf_t *rconf(const csla_daemon_t *d)
{
	return &d->conf->daemon;
}

static void key_of(const csla_daemon_t *d, int32_t p, const char *what,
		   char *buf, size_t len)
{
	snprintf(buf, len, "%sslot:%" PRId32 ":%s", rconf(d)->prefix, p, what);
}

/* ---- building a slot's writes ----------------------------------------- */

static bool base_due(const csla_daemon_t *d, const dslot_t *ds, int64_t now)
{
	return !ds->base_stored ||
	       now - ds->base_wall_ms >= rconf(d)->checkpoint_interval_ms ||
	       csla_slot_journal_len(ds->s) >= rconf(d)->journal_max;
}

/* The slot's EVAL into a; false when it has nothing to write. */
static bool build_slot(csla_daemon_t *d, dslot_t *ds, int64_t now,
		       csla_argv_t *a, sent_t *sent)
{
	const csla_conf_t *c = d->conf;
	size_t npend;
	const csla_jentry_t *pend = csla_slot_pending(ds->s, &npend);
	bool base = base_due(d, ds, now);

	if (!ds->dirty && !npend && !base && !da_slot_pending(ds) &&
	    c->clock == CSLA_CLOCK_EVENT)
		return false;
	*sent = (sent_t){ .partition = csla_slot_partition(ds->s),
			  .epoch = ds->epoch };
	csla_flush_begin(a, rconf(d)->prefix, sent->partition, ds->epoch, now,
			 rconf(d)->snapshot_ttl_ms);
	if (base) {
		csla_buf_t blob = { 0 };
		csla_slot_save_base(ds->s, d->topics, &blob);
		csla_flush_base(a, &blob);
		csla_buf_free(&blob);
		ds->base_wall_ms = now;
		sent->base = true;
		npend = 0;
	}
	if (npend) {
		csla_flush_journal(a, pend, npend, d->ntopics);
		sent->seq = pend[npend - 1].seq;
	}
	csla_engine_t *e = csla_slot_engine(ds->s);
	int64_t as_of = c->clock == CSLA_CLOCK_EVENT
				? csla_engine_event_now(e) : now;
	/* The first flush of each minute of the slot's clock samples it,
	 * from the rows' own pass.  Only a first sample (after a restore or
	 * a failed flush) may find its minute stored already; trimming and
	 * the TTL wait for a wall minute, whatever the clock runs at. */
	if (as_of != INT64_MIN && as_of / CSLA_MINUTE_MS > ds->series_min) {
		bool first = ds->series_min == 0;
		bool trim = first || now - ds->series_trim_ms >= CSLA_MINUTE_MS;
		csla_series_pass_t sp;
		csla_series_begin(&sp, rconf(d)->prefix, as_of,
				  c->http.series_hours, first, trim);
		csla_rows_diff(ds->rows, e, as_of, a, csla_series_row, &sp);
		csla_series_end(&sp, a);
		ds->series_min = as_of / CSLA_MINUTE_MS;
		if (trim)
			ds->series_trim_ms = now;
	} else if (as_of != INT64_MIN) {
		csla_rows_diff(ds->rows, e, as_of, a, NULL, NULL);
	}
	da_flush_ops(d, ds, a);
	csla_flush_meta(a, ds->s, d->topics, d->ntopics, ds->epoch);
	ds->dirty = false;
	return true;
}

static void publish_args(csla_daemon_t *d, const sent_t *v, size_t n,
			 int64_t now, csla_argv_t *a)
{
	char ch[128];
	size_t cap = 64 + n * (32 + d->ntopics * 300), used = 0;
	char *msg = csla_xmalloc(cap);

	snprintf(ch, sizeof ch, "%supdates", rconf(d)->prefix);
	used += (size_t)snprintf(msg, cap, "{\"flush_ms\":%" PRId64
				 ",\"slots\":[", now);
	for (size_t i = 0; i < n; i++) {
		dslot_t *ds = csla_daemon_slot(d, v[i].partition);
		used += (size_t)snprintf(msg + used, cap - used,
					 "%s{\"partition\":%" PRId32
					 ",\"next\":{", i ? "," : "",
					 v[i].partition);
		for (size_t t = 0; t < d->ntopics; t++)
			used += (size_t)snprintf(
				msg + used, cap - used, "%s\"%s\":%" PRId64,
				t ? "," : "", d->topics[t],
				ds ? csla_slot_next(ds->s, t) : -1);
		used += (size_t)snprintf(msg + used, cap - used, "}}");
	}
	used += (size_t)snprintf(msg + used, cap - used, "]}");
	csla_argv_adds(a, "PUBLISH");
	csla_argv_adds(a, ch);
	csla_argv_add(a, msg, used);
	free(msg);
}

/* ---- acknowledgements -------------------------------------------------- */

/* The flush of slot `s` failed or its outcome is unknown: write it all
 * again next time, with a new base. */
static void slot_unsure(csla_daemon_t *d, const sent_t *s)
{
	dslot_t *ds = csla_daemon_slot(d, s->partition);
	if (!ds || ds->epoch != s->epoch)
		return;
	csla_rows_forget(ds->rows);
	ds->base_stored = false;
	ds->dirty = true;
	ds->series_min = 0; /* sampled again; the script replaces it */
	da_flush_done(d, ds, false);
}

static void slot_done(csla_daemon_t *d, const sent_t *s)
{
	dslot_t *ds = csla_daemon_slot(d, s->partition);
	if (!ds || ds->epoch != s->epoch)
		return;
	if (s->seq)
		csla_slot_pending_ack(ds->s, s->seq);
	if (s->base)
		ds->base_stored = true;
	ds->written_ms = csla_now_ms();
	da_flush_done(d, ds, true);
	dk_store_offsets(d, ds);
}

static void lat_record(csla_daemon_t *d, int64_t now)
{
	for (size_t i = 0; i < d->nlat_pending; i++) {
		int64_t ms = now - (int64_t)d->lat_pending[i];
		size_t b = ms < 0 ? 0 : (size_t)(ms / 10);
		if (b >= CSLA_LAT_BUCKETS)
			b = CSLA_LAT_BUCKETS - 1;
		d->latency.n[b]++;
		d->latency.count++;
	}
	d->nlat_pending = 0;
}

/* A reply naming a fenced slot: another daemon holds it now. */
static bool is_fenced(const redisReply *r)
{
	return r && r->type == REDIS_REPLY_ERROR &&
	       !strncmp(r->str, "FENCED", 6);
}

/* Applies an EXEC reply (NULL: the connection went) to what was sent.
 * Returns 0 when every slot was written. */
static int acknowledge(csla_daemon_t *d, const redisReply *r,
		       const sent_t *v, size_t n)
{
	int rc = 0;

	if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < n) {
		csla_log(CSLA_LOG_WARNING, "flush of %zu slots failed: %s", n,
			 !r ? "no reply (connection lost)"
			 : r->type == REDIS_REPLY_ERROR ? r->str
							: "unexpected reply");
		for (size_t i = 0; i < n; i++)
			slot_unsure(d, &v[i]);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const redisReply *e = r->element[i];
		if (e->type != REDIS_REPLY_ERROR) {
			slot_done(d, &v[i]);
			continue;
		}
		rc = -1;
		if (is_fenced(e)) {
			d->fenced++;
			csla_log(CSLA_LOG_ERR, "partition %" PRId32 ": another "
				 "daemon has taken it (epoch beyond %" PRId64
				 "); dropping it and stopping so that a restart"
				 " rejoins cleanly", v[i].partition,
				 v[i].epoch);
			csla_daemon_drop_slot(d, v[i].partition);
			d->exit_code = 1;
			d->stopping = true;
			event_base_loopbreak(d->base);
		} else {
			csla_log(CSLA_LOG_WARNING, "partition %" PRId32
				 ": write failed: %s", v[i].partition, e->str);
			slot_unsure(d, &v[i]);
		}
	}
	return rc;
}

static void on_exec(redisAsyncContext *ac, void *reply, void *priv)
{
	flush_rec_t *fr = priv;
	csla_daemon_t *d = fr->d;
	(void)ac;

	d->in_flight = false;
	csla_prom_hist_observe(&d->flush_seconds,
			       (double)(csla_mono_ns() - d->in_flight_ns) / 1e9);
	if (acknowledge(d, reply, fr->v, fr->n) == 0) {
		lat_record(d, csla_now_ms());
		if (d->degraded)
			csla_log(CSLA_LOG_NOTICE, "Redis writes succeed again");
		d->degraded = false;
	} else {
		d->flush_errors++;
		d->degraded = true;
	}
	free(fr->v);
	free(fr);
}

/* ---- the asynchronous connection --------------------------------------- */

static void schedule_reconnect(csla_daemon_t *d)
{
	if (d->stopping)
		return;
	d->backoff_ms = d->backoff_ms ? d->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (d->backoff_ms > BACKOFF_MAX_MS)
		d->backoff_ms = BACKOFF_MAX_MS;
	/* Jitter, so that daemons restarted together do not reconnect in
	 * step. */
	int64_t ms = d->backoff_ms / 2 + rand() % (d->backoff_ms / 2 + 1);
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
	evtimer_add(d->reconnect_ev, &tv);
}

static void on_auth(redisAsyncContext *ac, void *reply, void *priv)
{
	redisReply *r = reply;
	(void)priv;
	if (r && r->type == REDIS_REPLY_ERROR) {
		csla_log(CSLA_LOG_ERR, "Redis refused AUTH/SELECT: %s", r->str);
		redisAsyncDisconnect(ac);
	}
}

static void on_connect(const redisAsyncContext *ac, int status)
{
	csla_daemon_t *d = ac->data;
	if (status != REDIS_OK) {
		csla_log(CSLA_LOG_WARNING, "Redis connect failed: %s",
			 ac->errstr);
		d->ac = NULL; /* hiredis frees it */
		d->degraded = true;
		schedule_reconnect(d);
		return;
	}
	csla_log(CSLA_LOG_INFO, "Redis connected");
	d->rconnected = true;
	d->backoff_ms = 0;
	csla_sd_ready_check(d);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
	csla_daemon_t *d = ac->data;
	if (status != REDIS_OK)
		csla_log(CSLA_LOG_WARNING, "Redis connection lost: %s",
			 ac->errstr);
	d->ac = NULL;
	d->rconnected = false;
	d->in_flight = false;
	d->degraded = true;
	schedule_reconnect(d);
}

static void send_auth(csla_daemon_t *d, redisAsyncContext *ac)
{
	const csla_daemon_conf_t *c = rconf(d);
	if (c->redis_password) {
		const char *argv[3] = { "AUTH", c->redis_user, c->redis_password };
		size_t lens[3] = { 4, c->redis_user ? strlen(c->redis_user) : 0,
				   strlen(c->redis_password) };
		if (c->redis_user)
			redisAsyncCommandArgv(ac, on_auth, NULL, 3, argv, lens);
		else {
			argv[1] = argv[2];
			lens[1] = lens[2];
			redisAsyncCommandArgv(ac, on_auth, NULL, 2, argv, lens);
		}
	}
	if (c->redis_db)
		redisAsyncCommand(ac, on_auth, NULL, "SELECT %d", c->redis_db);
}

void dr_connect(csla_daemon_t *d)
{
	const csla_daemon_conf_t *c = rconf(d);
	redisAsyncContext *ac = c->redis_unix
					? redisAsyncConnectUnix(c->redis_unix)
					: redisAsyncConnect(c->redis_host,
							    c->redis_port);
	if (!ac || ac->err) {
		csla_log(CSLA_LOG_WARNING, "Redis connect failed: %s",
			 ac ? ac->errstr : "out of memory");
		if (ac)
			redisAsyncFree(ac);
		d->degraded = true;
		schedule_reconnect(d);
		return;
	}
	ac->data = d;
	d->ac = ac;
	d->reconnects++;
	redisLibeventAttach(ac, d->base);
	redisAsyncSetConnectCallback(ac, on_connect);
	redisAsyncSetDisconnectCallback(ac, on_disconnect);
	send_auth(d, ac);
}

void dr_disconnect(csla_daemon_t *d)
{
	if (d->ac) {
		redisAsyncContext *ac = d->ac;
		d->ac = NULL;
		redisAsyncFree(ac);
	}
	d->rconnected = false;
}

static void send_argv(redisAsyncContext *ac, csla_argv_t *a,
		      redisCallbackFn *fn, void *priv)
{
	redisAsyncCommandArgv(ac, fn, priv, (int)a->n, csla_argv_ptrs(a),
			      a->lens);
}

void dr_flush(csla_daemon_t *d)
{
	int64_t now = csla_now_ms();

	if (d->in_flight && now - d->in_flight_since >
				    rconf(d)->redis_timeout_ms) {
		csla_log(CSLA_LOG_WARNING, "Redis did not answer a flush "
			 "within %" PRId64 " ms: reconnecting",
			 rconf(d)->redis_timeout_ms);
		dr_disconnect(d); /* fails the flush in flight */
		schedule_reconnect(d);
	}
	if (!d->rconnected || d->in_flight)
		return;

	sent_t *v = csla_xmalloc((d->nslots + 1) * sizeof *v);
	size_t n = 0;
	csla_argv_t a = { 0 };
	bool began = false;
	for (uint32_t p = 0; p < d->nslots; p++) {
		dslot_t *ds = d->slots[p];
		if (!ds || csla_slot_replaying(ds->s))
			continue;
		csla_argv_free(&a);
		if (!build_slot(d, ds, now, &a, &v[n]))
			continue;
		if (!began) {
			redisAsyncCommand(d->ac, NULL, NULL, "MULTI");
			began = true;
		}
		send_argv(d->ac, &a, NULL, NULL);
		n++;
	}
	if (!began) {
		csla_argv_free(&a);
		free(v);
		return;
	}
	csla_argv_free(&a);
	publish_args(d, v, n, now, &a);
	send_argv(d->ac, &a, NULL, NULL);
	csla_argv_free(&a);

	flush_rec_t *fr = csla_xmalloc(sizeof *fr);
	*fr = (flush_rec_t){ .d = d, .v = v, .n = n };
	redisAsyncCommand(d->ac, on_exec, fr, "EXEC");
	d->in_flight = true;
	d->in_flight_since = now;
	d->in_flight_ns = csla_mono_ns();
	d->flushes++;
	/* The events of this flush are in Redis once its EXEC is. */
	uint64_t *t = d->lat_pending;
	d->lat_pending = d->lat_new;
	d->nlat_pending = d->nlat_new;
	d->lat_new = t;
	d->nlat_new = 0;
	size_t c = d->caplat;
	d->caplat = d->caplat_new;
	d->caplat_new = c;
}

/* ---- the blocking connection ------------------------------------------- */

static redisContext *sync_connect(csla_daemon_t *d, char *errstr,
				  size_t errlen)
{
	const csla_daemon_conf_t *c = rconf(d);
	struct timeval tv = { (time_t)(c->redis_timeout_ms / 1000),
			      (suseconds_t)(c->redis_timeout_ms % 1000) * 1000 };
	redisContext *rc = c->redis_unix
		? redisConnectUnixWithTimeout(c->redis_unix, tv)
		: redisConnectWithTimeout(c->redis_host, c->redis_port, tv);

	if (!rc || rc->err) {
		snprintf(errstr, errlen, "connect: %s",
			 rc ? rc->errstr : "out of memory");
		redisFree(rc);
		return NULL;
	}
	redisSetTimeout(rc, tv);
	redisReply *r = NULL;
	if (c->redis_password) {
		const char *argv[3] = { "AUTH", c->redis_user ? c->redis_user
							      : c->redis_password,
					c->redis_password };
		size_t lens[3] = { 4, strlen(argv[1]), strlen(argv[2]) };
		r = redisCommandArgv(rc, c->redis_user ? 3 : 2, argv, lens);
		if (!r || r->type == REDIS_REPLY_ERROR)
			goto fail;
		freeReplyObject(r);
	}
	if (c->redis_db) {
		r = redisCommand(rc, "SELECT %d", c->redis_db);
		if (!r || r->type == REDIS_REPLY_ERROR)
			goto fail;
		freeReplyObject(r);
	}
	return rc;
fail:
	snprintf(errstr, errlen, "AUTH/SELECT: %s",
		 r ? r->str : rc->errstr);
	freeReplyObject(r);
	redisFree(rc);
	return NULL;
}

/* One attempt at a restore.  Returns the slot, or NULL with errstr. */
static dslot_t *restore_once(csla_daemon_t *d, int32_t p, char *errstr,
			     size_t errlen)
{
	char ke[256], kb[256], kj[256], ka[256];
	redisReply *r[4] = { NULL, NULL, NULL, NULL };
	dslot_t *ds = NULL;
	redisContext *rc = sync_connect(d, errstr, errlen);

	if (!rc)
		return NULL;
	key_of(d, p, "epoch", ke, sizeof ke);
	key_of(d, p, "base", kb, sizeof kb);
	key_of(d, p, "journal", kj, sizeof kj);
	key_of(d, p, "alerts", ka, sizeof ka);
	/* The epoch first: once it is ours, a former owner's late writes
	 * are refused, so what we read next cannot change under us. */
	redisAppendCommand(rc, "INCR %s", ke);
	redisAppendCommand(rc, "GET %s", kb);
	redisAppendCommand(rc, "LRANGE %s 0 -1", kj);
	redisAppendCommand(rc, "GET %s", ka);
	for (int i = 0; i < 4; i++) {
		void *reply;
		if (redisGetReply(rc, &reply) != REDIS_OK) {
			snprintf(errstr, errlen, "%s", rc->errstr);
			goto out;
		}
		r[i] = reply;
		if (r[i]->type == REDIS_REPLY_ERROR) {
			snprintf(errstr, errlen, "%s", r[i]->str);
			goto out;
		}
	}
	if (r[0]->type != REDIS_REPLY_INTEGER ||
	    (r[1]->type != REDIS_REPLY_STRING && r[1]->type != REDIS_REPLY_NIL) ||
	    r[2]->type != REDIS_REPLY_ARRAY ||
	    (r[3]->type != REDIS_REPLY_STRING && r[3]->type != REDIS_REPLY_NIL)) {
		snprintf(errstr, errlen, "unexpected reply types");
		goto out;
	}

	csla_slot_hooks_t hooks = csla_daemon_hooks_proto;
	hooks.opaque = d;
	csla_slot_t *s = csla_slot_new(p, d->ntopics, d->conf, &hooks);
	size_t nj = r[2]->elements;
	const char **jp = csla_xmalloc((nj + 1) * sizeof *jp);
	size_t *jl = csla_xmalloc((nj + 1) * sizeof *jl);
	for (size_t i = 0; i < nj; i++) {
		jp[i] = r[2]->element[i]->str;
		jl[i] = (size_t)r[2]->element[i]->len;
	}
	bool has_base = r[1]->type == REDIS_REPLY_STRING;
	int rcode = csla_slot_restore(s, d->topics,
				      has_base ? r[1]->str : NULL,
				      has_base ? (size_t)r[1]->len : 0, jp, jl,
				      nj, errstr, errlen);
	free(jp);
	free(jl);
	if (rcode) {
		csla_slot_destroy(s);
		goto out;
	}
	ds = csla_xcalloc(1, sizeof *ds);
	ds->s = s;
	ds->rows = csla_rows_new();
	ds->epoch = r[0]->integer;
	/* A new epoch writes a base of its own first: the stored one may
	 * be followed by entries that this restore skipped. */
	ds->base_stored = false;
	ds->dirty = true;
	da_slot_init(d, ds, r[3]->type == REDIS_REPLY_STRING ? r[3]->str : NULL,
		     r[3]->type == REDIS_REPLY_STRING ? (size_t)r[3]->len : 0);
	csla_log(CSLA_LOG_INFO, "partition %" PRId32 ": restored (epoch %"
		 PRId64 ", base %s, %zu journal entries)", p, ds->epoch,
		 has_base ? "loaded" : "none", nj);
out:
	for (int i = 0; i < 4; i++)
		freeReplyObject(r[i]);
	redisFree(rc);
	return ds;
}

dslot_t *dr_restore(csla_daemon_t *d, int32_t p, char *errstr, size_t errlen)
{
	int64_t deadline = csla_now_ms() + RESTORE_DEADLINE_MS;
	int64_t wait = BACKOFF_MIN_MS;

	for (;;) {
		dslot_t *ds = restore_once(d, p, errstr, errlen);
		if (ds || csla_now_ms() + wait > deadline)
			return ds;
		csla_log(CSLA_LOG_WARNING, "partition %" PRId32 ": restore "
			 "failed (%s); retrying in %" PRId64 " ms", p, errstr,
			 wait);
		struct timespec ts = { (time_t)(wait / 1000),
				       (long)(wait % 1000) * 1000000 };
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
		wait = wait * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : wait * 2;
	}
}

int dr_final_flush(csla_daemon_t *d, dslot_t *ds)
{
	char err[256];
	int64_t now = csla_now_ms();
	csla_argv_t a = { 0 };
	sent_t s;
	int rc = -1;

	if (csla_slot_replaying(ds->s))
		return 0; /* nothing new since what Redis holds */
	ds->dirty = true;
	if (!build_slot(d, ds, now, &a, &s))
		return 0;
	redisContext *c = sync_connect(d, err, sizeof err);
	if (!c) {
		csla_log(CSLA_LOG_WARNING, "partition %" PRId32 ": final flush "
			 "failed (%s); the next owner re-reads from Kafka",
			 s.partition, err);
		csla_argv_free(&a);
		return -1;
	}
	redisAppendCommand(c, "MULTI");
	redisAppendCommandArgv(c, (int)a.n, csla_argv_ptrs(&a), a.lens);
	redisAppendCommand(c, "EXEC");
	redisReply *r[3] = { NULL, NULL, NULL };
	for (int i = 0; i < 3; i++) {
		void *reply = NULL;
		if (redisGetReply(c, &reply) != REDIS_OK)
			break;
		r[i] = reply;
	}
	if (r[2] && r[2]->type == REDIS_REPLY_ARRAY && r[2]->elements == 1 &&
	    r[2]->element[0]->type != REDIS_REPLY_ERROR) {
		rc = 0;
		da_flush_done(d, ds, true);
		dk_store_offsets(d, ds);
	} else {
		da_flush_done(d, ds, false);
		csla_log(CSLA_LOG_WARNING, "partition %" PRId32 ": final flush "
			 "failed (%s); the next owner re-reads from Kafka",
			 s.partition,
			 r[2] && r[2]->type == REDIS_REPLY_ARRAY &&
					 r[2]->elements == 1
				 ? r[2]->element[0]->str
				 : c->err ? c->errstr : "no reply");
	}
	for (int i = 0; i < 3; i++)
		freeReplyObject(r[i]);
	redisFree(c);
	csla_argv_free(&a);
	return rc;
}
