/* daemon_kafka.c - callslad's Kafka side: the high-level consumer woken
 * through its queue's event fd, batches handed to their slots in the
 * canonical order, rebalances (restore on assign, flush on revoke, drop
 * on loss) and dead letters.
 *
 * Everything librdkafka calls back runs on the loop's thread: the
 * rebalance callback is served from rd_kafka_consume_batch_queue(), which
 * is only called here (2.0.x is not safe to seek or assign from another
 * thread while a batch call runs). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "daemon_systemd.h"
#include "log.h"
#include "util.h"

#define BATCH 4096
/* Batches per wake-up: a backlog must not starve the flush timer and the
 * Redis replies (a flush judged late is written again in full). */
#define DRAIN_ROUNDS 8

static int set(rd_kafka_conf_t *kc, const char *name, const char *value,
	       bool secret, char *errstr, size_t errlen)
{
	char why[256];
	if (rd_kafka_conf_set(kc, name, value, why, sizeof why) ==
	    RD_KAFKA_CONF_OK)
		return 0;
	snprintf(errstr, errlen, "kafka property %s=%s: %s", name,
		 secret ? "(secret)" : value, why);
	return -1;
}

static void on_error(rd_kafka_t *rk, int err, const char *reason,
		     void *opaque)
{
	(void)rk;
	(void)opaque;
	csla_log(err == RD_KAFKA_RESP_ERR__FATAL ? CSLA_LOG_ERR
						  : CSLA_LOG_WARNING,
		 "kafka: %s: %s", rd_kafka_err2name(err), reason);
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac,
		   const char *buf)
{
	(void)rk;
	csla_log(level < CSLA_LOG_ERR ? CSLA_LOG_ERR : level, "kafka %s: %s",
		 fac, buf);
}

/* ---- rebalances ---------------------------------------------------------- */

static int topic_index(const csla_daemon_t *d, const char *name)
{
	for (size_t t = 0; t < d->ntopics; t++)
		if (!strcmp(d->topics[t], name))
			return (int)t;
	return -1;
}

/* Where a topic with no stored offset starts: its low or high watermark,
 * made explicit so that the base records a real offset. */
static void resolve_start(csla_daemon_t *d, dslot_t *ds, int32_t p)
{
	for (size_t t = 0; t < d->ntopics; t++) {
		int64_t lo, hi;
		if (csla_slot_next(ds->s, t) >= 0)
			continue;
		rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
			d->rk, d->topics[t], p, &lo, &hi, 10000);
		if (err) {
			csla_log(CSLA_LOG_WARNING, "%s/%" PRId32 ": no "
				 "watermarks (%s); starting from the %s",
				 d->topics[t], p, rd_kafka_err2str(err),
				 d->conf->daemon.start_latest ? "end"
							      : "beginning");
			continue;
		}
		csla_slot_set_next(ds->s, t,
				   d->conf->daemon.start_latest ? hi : lo);
	}
}

static void fatal(csla_daemon_t *d)
{
	d->exit_code = 1;
	d->stopping = true;
	event_base_loopbreak(d->base);
}

static void assign_parts(csla_daemon_t *d, rd_kafka_topic_partition_list_t *parts)
{
	char err[512];

	for (int i = 0; i < parts->cnt; i++) {
		rd_kafka_topic_partition_t *tp = &parts->elems[i];
		int t = topic_index(d, tp->topic);
		dslot_t *ds = csla_daemon_slot(d, tp->partition);
		if (!ds && !d->stopping) {
			ds = dr_restore(d, tp->partition, err, sizeof err);
			if (!ds) {
				csla_log(CSLA_LOG_ERR, "partition %" PRId32
					 ": cannot restore from Redis (%s); "
					 "stopping", tp->partition, err);
				fatal(d);
			} else {
				resolve_start(d, ds, tp->partition);
				for (size_t k = 0; k < d->ntopics; k++) {
					ds->hi[k] = -1;
					ds->caught_ms[k] = csla_now_ms();
				}
				csla_daemon_set_slot(d, tp->partition, ds);
			}
		}
		if (ds && t >= 0 && csla_slot_next(ds->s, (size_t)t) >= 0)
			tp->offset = csla_slot_next(ds->s, (size_t)t);
		else
			tp->offset = d->conf->daemon.start_latest
					     ? RD_KAFKA_OFFSET_END
					     : RD_KAFKA_OFFSET_BEGINNING;
		csla_log(CSLA_LOG_INFO, "assigned %s/%" PRId32 " from offset %"
			 PRId64, tp->topic, tp->partition, tp->offset);
	}
}

static void revoke_parts(csla_daemon_t *d, rd_kafka_topic_partition_list_t *parts,
		   bool lost)
{
	for (int i = 0; i < parts->cnt; i++) {
		int32_t p = parts->elems[i].partition;
		dslot_t *ds = csla_daemon_slot(d, p);
		if (!ds)
			continue;
		/* A lost partition may already be another member's: its
		 * state must not be written. */
		if (!lost)
			dr_final_flush(d, ds);
		csla_log(CSLA_LOG_INFO, "partition %" PRId32 " %s", p,
			 lost ? "lost: state dropped unwritten"
			      : "revoked: flushed and dropped");
		csla_daemon_drop_slot(d, p);
	}
	if (d->stopping && !lost)
		csla_daemon_flushed_out = 1;
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
			 rd_kafka_topic_partition_list_t *parts, void *opaque)
{
	csla_daemon_t *d = opaque;
	bool coop = !strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE");
	rd_kafka_error_t *e = NULL;
	rd_kafka_resp_err_t ae = 0;

	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		assign_parts(d, parts);
		if (coop)
			e = rd_kafka_incremental_assign(rk, parts);
		else
			ae = rd_kafka_assign(rk, parts);
		d->joined = true;
		csla_sd_ready_check(d);
	} else {
		revoke_parts(d, parts, rd_kafka_assignment_lost(rk));
		if (coop)
			e = rd_kafka_incremental_unassign(rk, parts);
		else
			ae = rd_kafka_assign(rk, NULL);
	}
	if (e) {
		csla_log(CSLA_LOG_ERR, "kafka (un)assign: %s",
			 rd_kafka_error_string(e));
		rd_kafka_error_destroy(e);
	}
	if (ae)
		csla_log(CSLA_LOG_ERR, "kafka assign: %s",
			 rd_kafka_err2str(ae));
}

/* ---- dead letters ---------------------------------------------------------- */

void dk_on_reject(void *opaque, csla_slot_t *s, const csla_kmsg_t *m,
		  csla_reject_t r, const char *why)
{
	csla_daemon_t *d = opaque;
	char part[16], off[24];
	(void)s;

	if (!d->dlq)
		return;
	snprintf(part, sizeof part, "%" PRId32, m->partition);
	snprintf(off, sizeof off, "%" PRId64, m->offset);
	const char *names[] = { "callsla.source.topic",
				"callsla.source.partition",
				"callsla.source.offset", "callsla.reason",
				"callsla.error" };
	const char *values[] = { d->topics[m->topic], part, off,
				 csla_reject_name(r), why };
	if (csla_kprod_produce_hdrs(d->dlq, 0, m->key, m->keylen, m->payload,
				    m->len, names, values, 5))
		csla_log(CSLA_LOG_WARNING, "dead letter for %s/%s@%s: %s",
			 values[0], part, off, csla_kprod_error(d->dlq));
	else
		d->dlq_sent++;
}

/* ---- consuming ------------------------------------------------------------ */

/* Orders a batch by partition, then topic, each in arrival (offset) order:
 * a counting sort, as partitions and topics are small integers (it was a
 * qsort, 2-3 % of callslad's CPU). */
static void by_slot(const csla_kmsg_t *in, size_t n, size_t ntopics,
		    csla_kmsg_t *out)
{
	int32_t maxp = 0;
	for (size_t i = 0; i < n; i++)
		if (in[i].partition > maxp)
			maxp = in[i].partition;
	size_t nb = ((size_t)maxp + 1) * ntopics;
	size_t *at = csla_xcalloc(nb + 1, sizeof *at);
	for (size_t i = 0; i < n; i++)
		at[(size_t)in[i].partition * ntopics + in[i].topic + 1]++;
	for (size_t b = 1; b <= nb; b++)
		at[b] += at[b - 1];
	for (size_t i = 0; i < n; i++)
		out[at[(size_t)in[i].partition * ntopics + in[i].topic]++] =
			in[i];
	free(at);
}

static void note_latency(csla_daemon_t *d, int64_t ts)
{
	if (ts <= 0)
		return;
	if (d->nlat_new == d->caplat_new) {
		d->caplat_new = d->caplat_new ? d->caplat_new * 2 : 4096;
		d->lat_new = csla_xrealloc(d->lat_new,
					   d->caplat_new * sizeof *d->lat_new);
	}
	d->lat_new[d->nlat_new++] = (uint64_t)ts;
}

/* Partition p of each topic has nothing more to fetch right now: the
 * slot has received up to the high watermark librdkafka last saw.  That
 * watermark can be stale (just after an assignment, say), so this only
 * shortens the merge wait on the wall clock, where order within a fraction
 * of a second cannot change what a replay would say anyway. */
static void caught_up(csla_daemon_t *d, const dslot_t *ds, bool *out)
{
	int32_t p = csla_slot_partition(ds->s);
	for (size_t t = 0; t < d->ntopics; t++) {
		int64_t lo, hi, seen = csla_slot_seen(ds->s, t);
		out[t] = rd_kafka_get_watermark_offsets(d->rk, d->topics[t], p,
							&lo, &hi) == 0 &&
			 hi >= 0 && seen >= hi;
	}
}

static void feed(csla_daemon_t *d, dslot_t *ds, const csla_kmsg_t *m,
		 size_t n, int64_t wall)
{
	bool cu[CSLA_SLOT_MAX_TOPICS];
	bool wall_clock = d->conf->clock == CSLA_CLOCK_WALL;
	if (wall_clock)
		caught_up(d, ds, cu);
	if (csla_slot_apply(ds->s, m, n, wall_clock ? cu : NULL, wall))
		ds->dirty = true;
}

/* Hands one batch to its slots: per slot, topic by topic, in offset
 * order, with one wall time (docs/redis.md). */
static void handle(csla_daemon_t *d, rd_kafka_message_t **msgs, size_t n)
{
	csla_kmsg_t *o = csla_xmalloc((n + 1) * sizeof *o);
	csla_kmsg_t *k = csla_xmalloc((n + 1) * sizeof *k);
	size_t m = 0;
	const rd_kafka_topic_t *last_rkt = NULL;
	int last_t = -1;

	for (size_t i = 0; i < n; i++) {
		rd_kafka_message_t *msg = msgs[i];
		if (msg->err) {
			if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
				csla_log(CSLA_LOG_WARNING, "kafka: %s",
					 rd_kafka_message_errstr(msg));
			continue;
		}
		if (msg->rkt != last_rkt) {
			last_rkt = msg->rkt;
			last_t = topic_index(d, rd_kafka_topic_name(msg->rkt));
		}
		if (last_t < 0)
			continue;
		o[m] = (csla_kmsg_t){
			.topic = (uint32_t)last_t,
			.partition = msg->partition,
			.offset = msg->offset,
			.ts_ms = rd_kafka_message_timestamp(msg, NULL),
			.key = msg->key,
			.keylen = msg->key_len,
			.payload = msg->payload,
			.len = msg->len,
		};
		note_latency(d, o[m].ts_ms);
		d->topic_msgs[last_t]++;
		m++;
	}
	by_slot(o, m, d->ntopics, k);

	int64_t wall = csla_now_ms();
	for (size_t i = 0; i < m;) {
		size_t j = i;
		while (j < m && k[j].partition == k[i].partition)
			j++;
		dslot_t *ds = csla_daemon_slot(d, k[i].partition);
		if (ds)
			feed(d, ds, k + i, j - i, wall);
		d->events_in += j - i;
		i = j;
	}
	free(o);
	free(k);
}

/* Applies what the slots hold that the partitions' watermarks now let
 * go (a topic that caught up no longer holds the others back). */
static void release_held(csla_daemon_t *d)
{
	int64_t wall = csla_now_ms();
	for (uint32_t p = 0; p < d->nslots; p++)
		if (d->slots[p] && csla_slot_held(d->slots[p]->s))
			feed(d, d->slots[p], NULL, 0, wall);
}

/* The next offset the slot has not received (nothing received yet: the
 * offset it starts from). */
static int64_t received(const dslot_t *ds, size_t t)
{
	int64_t seen = csla_slot_seen(ds->s, t), next = csla_slot_next(ds->s, t);

	return seen > next ? seen : next;
}

/* Caches each slot's watermarks and when it last had received up to
 * them, for lag figures (dk_lag). */
static void note_watermarks(csla_daemon_t *d)
{
	int64_t now = csla_now_ms();

	for (uint32_t p = 0; p < d->nslots; p++) {
		dslot_t *ds = d->slots[p];

		for (size_t t = 0; ds && t < d->ntopics; t++) {
			int64_t lo, hi;

			if (rd_kafka_get_watermark_offsets(d->rk, d->topics[t],
							   (int32_t)p, &lo,
							   &hi) || hi < 0)
				continue;
			ds->hi[t] = hi;
			if (received(ds, t) >= hi)
				ds->caught_ms[t] = now;
		}
	}
}

void dk_lag(const dslot_t *ds, size_t t, int64_t now, int64_t *msgs,
	    int64_t *ms)
{
	int64_t next = csla_slot_next(ds->s, t);

	*msgs = ds->hi[t] < 0 ? -1 : ds->hi[t] - (next < 0 ? 0 : next);
	if (*msgs < -1)
		*msgs = 0;
	*ms = ds->hi[t] >= 0 && received(ds, t) >= ds->hi[t]
		      ? 0 : now - ds->caught_ms[t];
	if (*ms < 0)
		*ms = 0;
}

void dk_drain(csla_daemon_t *d)
{
	rd_kafka_message_t *msgs[BATCH];
	char sink[256];

	while (read(d->wake[0], sink, sizeof sink) > 0)
		;
	for (int round = 0; round < DRAIN_ROUNDS; round++) {
		ssize_t n = rd_kafka_consume_batch_queue(d->queue, 0, msgs,
							 BATCH);
		if (n <= 0)
			break;
		handle(d, msgs, (size_t)n);
		for (ssize_t i = 0; i < n; i++)
			rd_kafka_message_destroy(msgs[i]);
		if (d->stopping)
			break;
		/* The queue may still hold messages: librdkafka will not
		 * write to the fd again until it has been empty, so come
		 * back right after the loop has served its timers and
		 * Redis replies. */
		if (round == DRAIN_ROUNDS - 1)
			event_active(d->wake_ev, EV_READ, 0);
	}
	release_held(d);
	note_watermarks(d);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	dk_drain(arg);
}

void dk_store_offsets(csla_daemon_t *d, const dslot_t *ds)
{
	if (!d->rk || !d->consuming)
		return;
	rd_kafka_topic_partition_list_t *l =
		rd_kafka_topic_partition_list_new((int)d->ntopics);
	for (size_t t = 0; t < d->ntopics; t++) {
		int64_t next = csla_slot_next(ds->s, t);
		if (next >= 0)
			rd_kafka_topic_partition_list_add(
				l, d->topics[t], csla_slot_partition(ds->s))
				->offset = next;
	}
	/* Only informational (Redis holds the truth): a partition that
	 * moved on meanwhile fails here, which is fine. */
	if (l->cnt)
		rd_kafka_offsets_store(d->rk, l);
	rd_kafka_topic_partition_list_destroy(l);
}

/* The kafka { } block is written for the consumer; the dead-letter
 * producer shares its connection settings (security, SASL, TLS, client
 * id) but not these, which librdkafka would warn about. */
static bool consumer_only(const char *key)
{
	static const char *const prefixes[] = {
		"session.timeout.ms", "heartbeat.interval.ms",
		"max.poll.interval.ms", "queued.", "fetch.", "auto.",
		"enable.auto.", "partition.assignment.strategy", "group.",
		"isolation.level", "check.crcs", "coordinator.",
	};
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
		if (!strncmp(key, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static int make_dlq(csla_daemon_t *d, char *errstr, size_t errlen)
{
	const csla_daemon_conf_t *c = &d->conf->daemon;
	const char **props = csla_xcalloc(c->nkafka + 1, sizeof *props);
	char **owned = csla_xcalloc(c->nkafka + 1, sizeof *owned);

	size_t n = 0;
	for (size_t i = 0; i < c->nkafka; i++) {
		if (consumer_only(c->kafka[i].key))
			continue;
		size_t len = strlen(c->kafka[i].key) +
			     strlen(c->kafka[i].value) + 2;
		owned[n] = csla_xmalloc(len);
		snprintf(owned[n], len, "%s=%s", c->kafka[i].key,
			 c->kafka[i].value);
		props[n] = owned[n];
		n++;
	}
	d->dlq = csla_kprod_new(c->brokers, c->dead_letter_topic, props,
				errstr, errlen);
	for (size_t i = 0; i < n; i++) {
		explicit_bzero(owned[i], strlen(owned[i]));
		free(owned[i]);
	}
	free(owned);
	free(props);
	return d->dlq ? 0 : -1;
}

int dk_start(csla_daemon_t *d, char *errstr, size_t errlen)
{
	const csla_daemon_conf_t *c = &d->conf->daemon;
	rd_kafka_conf_t *kc = rd_kafka_conf_new();
	char why[512];

	if (set(kc, "bootstrap.servers", c->brokers, false, errstr, errlen) ||
	    set(kc, "group.id", c->group, false, errstr, errlen) ||
	    set(kc, "partition.assignment.strategy", c->assignor, false,
		errstr, errlen) ||
	    set(kc, "enable.auto.offset.store", "false", false, errstr,
		errlen) ||
	    set(kc, "enable.partition.eof", "false", false, errstr, errlen) ||
	    set(kc, "auto.offset.reset",
		c->start_latest ? "latest" : "earliest", false, errstr,
		errlen) ||
	    /* librdkafka's defaults prefetch too little to keep up with a
	     * busy centre (measured: 184 k of 700 k events/s, bench/README.md)
	     * and wait up to 500 ms on an idle partition. */
	    set(kc, "queued.min.messages", "1000000", false, errstr, errlen) ||
	    set(kc, "queued.max.messages.kbytes", "32768", false, errstr,
		errlen) ||
	    set(kc, "fetch.wait.max.ms", "50", false, errstr, errlen))
		goto fail;
	for (size_t i = 0; i < c->nkafka; i++)
		if (set(kc, c->kafka[i].key, c->kafka[i].value,
			c->kafka[i].secret, errstr, errlen))
			goto fail;
	rd_kafka_conf_set_opaque(kc, d);
	rd_kafka_conf_set_rebalance_cb(kc, on_rebalance);
	rd_kafka_conf_set_error_cb(kc, on_error);
	rd_kafka_conf_set_log_cb(kc, on_log);

	d->rk = rd_kafka_new(RD_KAFKA_CONSUMER, kc, why, sizeof why);
	if (!d->rk) {
		snprintf(errstr, errlen, "kafka: %s", why);
		goto fail;
	}
	kc = NULL; /* rd_kafka_new took it */
	rd_kafka_poll_set_consumer(d->rk);
	d->queue = rd_kafka_queue_get_consumer(d->rk);

	if (pipe(d->wake) == -1) {
		snprintf(errstr, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	for (int i = 0; i < 2; i++)
		if (fcntl(d->wake[i], F_SETFL, O_NONBLOCK) == -1 ||
		    fcntl(d->wake[i], F_SETFD, FD_CLOEXEC) == -1) {
			snprintf(errstr, errlen, "fcntl: %s", strerror(errno));
			goto fail;
		}
	rd_kafka_queue_io_event_enable(d->queue, d->wake[1], "1", 1);
	d->wake_ev = event_new(d->base, d->wake[0], EV_READ | EV_PERSIST,
			       on_wake, d);
	event_add(d->wake_ev, NULL);

	if (c->dead_letter_topic && make_dlq(d, errstr, errlen))
		goto fail;

	rd_kafka_topic_partition_list_t *sub =
		rd_kafka_topic_partition_list_new((int)d->ntopics);
	for (size_t t = 0; t < d->ntopics; t++)
		rd_kafka_topic_partition_list_add(sub, d->topics[t],
						  RD_KAFKA_PARTITION_UA);
	rd_kafka_resp_err_t err = rd_kafka_subscribe(d->rk, sub);
	rd_kafka_topic_partition_list_destroy(sub);
	if (err) {
		snprintf(errstr, errlen, "kafka subscribe: %s",
			 rd_kafka_err2str(err));
		goto fail;
	}
	d->consuming = true;
	return 0;
fail:
	if (kc)
		rd_kafka_conf_destroy(kc);
	return -1;
}

void dk_close(csla_daemon_t *d)
{
	if (!d->rk || !d->consuming)
		return;
	/* Revokes through on_rebalance (final flushes), commits, leaves. */
	rd_kafka_resp_err_t err = rd_kafka_consumer_close(d->rk);
	if (err)
		csla_log(CSLA_LOG_WARNING, "kafka close: %s",
			 rd_kafka_err2str(err));
	d->consuming = false;
	if (d->dlq && csla_kprod_flush(d->dlq, 5000))
		csla_log(CSLA_LOG_WARNING, "dead letters not all delivered: "
			 "%s", csla_kprod_error(d->dlq));
}

void dk_destroy(csla_daemon_t *d)
{
	if (d->wake_ev)
		event_free(d->wake_ev);
	if (d->queue)
		rd_kafka_queue_destroy(d->queue);
	if (d->rk)
		rd_kafka_destroy(d->rk);
	csla_kprod_destroy(d->dlq);
	for (int i = 0; i < 2; i++)
		if (d->wake[i] > 0)
			close(d->wake[i]);
}
