/* kafka_producer.c - see kafka_producer.h. */
#include "kafka_producer.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "util.h"

/* Serve delivery reports this often even when the queue has room, so that
 * their memory does not pile up. */
#define POLL_EVERY 1024

struct csla_kprod {
	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt[CSLA_KPROD_MAX_TOPICS];
	int ntopics;
	uint64_t delivered, failed, since_poll;
	char err[256];
};

static void set_err(csla_kprod_t *p, const char *what, const char *msg)
{
	if (!p->err[0])
		snprintf(p->err, sizeof p->err, "%s: %s", what, msg);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m,
			void *opaque)
{
	csla_kprod_t *p = opaque;

	(void)rk;
	if (m->err) {
		p->failed++;
		set_err(p, "delivery failed", rd_kafka_err2str(m->err));
	} else
		p->delivered++;
}

static int set_prop(rd_kafka_conf_t *conf, const char *name,
		    const char *value, char *errstr, size_t errlen)
{
	if (rd_kafka_conf_set(conf, name, value, errstr, errlen) !=
	    RD_KAFKA_CONF_OK)
		return -1;
	return 0;
}

csla_kprod_t *csla_kprod_new(const char *brokers, const char *topic,
			     const char *const *props, char *errstr,
			     size_t errlen)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	csla_kprod_t *p = csla_xcalloc(1, sizeof *p);

	if (set_prop(conf, "bootstrap.servers", brokers, errstr, errlen) == -1)
		goto fail;
	/* Our defaults, before the caller's properties so those win: lz4
	 * keeps more events within the broker's retention, a short linger
	 * batches them, idempotence keeps a tenant's events in order and
	 * unduplicated through retries. */
	static const char *const defaults[][2] = {
		{ "compression.codec", "lz4" },
		{ "linger.ms", "5" },
		{ "enable.idempotence", "true" },
	};
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
		if (set_prop(conf, defaults[i][0], defaults[i][1], errstr,
			     errlen) == -1)
			goto fail;
	for (size_t i = 0; props && props[i]; i++) {
		const char *eq = strchr(props[i], '=');
		if (!eq || eq == props[i]) {
			snprintf(errstr, errlen,
				 "property \"%s\": expected name=value",
				 props[i]);
			goto fail;
		}
		char name[128];
		size_t n = (size_t)(eq - props[i]);
		if (n >= sizeof name) {
			snprintf(errstr, errlen, "property name too long");
			goto fail;
		}
		memcpy(name, props[i], n);
		name[n] = '\0';
		if (set_prop(conf, name, eq + 1, errstr, errlen) == -1)
			goto fail;
	}
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_opaque(conf, p);
	/* rd_kafka_new() frees conf when it succeeds. */
	p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, errlen);
	if (!p->rk)
		goto fail;
	conf = NULL;
	if (csla_kprod_add_topic(p, topic) == -1) {
		snprintf(errstr, errlen, "%s", p->err);
		goto fail;
	}
	return p;
fail:
	if (conf)
		rd_kafka_conf_destroy(conf);
	csla_kprod_destroy(p);
	return NULL;
}

void csla_kprod_destroy(csla_kprod_t *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->ntopics; i++)
		rd_kafka_topic_destroy(p->rkt[i]);
	if (p->rk)
		rd_kafka_destroy(p->rk);
	free(p);
}

int csla_kprod_add_topic(csla_kprod_t *p, const char *topic)
{
	if (p->ntopics == CSLA_KPROD_MAX_TOPICS) {
		char msg[64];
		snprintf(msg, sizeof msg, "more than %d topics",
			 CSLA_KPROD_MAX_TOPICS);
		set_err(p, topic, msg);
		return -1;
	}
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(p->rk, topic, NULL);
	if (!rkt) {
		char what[160];
		snprintf(what, sizeof what, "topic \"%s\"", topic);
		set_err(p, what, rd_kafka_err2str(rd_kafka_last_error()));
		return -1;
	}
	p->rkt[p->ntopics] = rkt;
	return p->ntopics++;
}

int csla_kprod_produce(csla_kprod_t *p, const void *key, size_t keylen,
		       const void *value, size_t len)
{
	return csla_kprod_produce_to(p, 0, key, keylen, value, len);
}

/* Produces one message; hdrs (may be NULL) passes to librdkafka when the
 * message is accepted and stays the caller's otherwise. */
static int produce(csla_kprod_t *p, int topic, const void *key, size_t keylen,
		   const void *value, size_t len, rd_kafka_headers_t *hdrs)
{
	for (;;) {
		rd_kafka_resp_err_t err = rd_kafka_producev(
			p->rk, RD_KAFKA_V_RKT(p->rkt[topic]),
			RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
			RD_KAFKA_V_VALUE((void *)value, len),
			RD_KAFKA_V_KEY(key, keylen),
			RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
		if (!err)
			break;
		if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
			set_err(p, "produce", rd_kafka_err2str(err));
			return -1;
		}
		rd_kafka_poll(p->rk, 100);
	}
	if (++p->since_poll >= POLL_EVERY) {
		p->since_poll = 0;
		rd_kafka_poll(p->rk, 0);
	}
	return 0;
}

int csla_kprod_produce_to(csla_kprod_t *p, int topic, const void *key,
			  size_t keylen, const void *value, size_t len)
{
	return produce(p, topic, key, keylen, value, len, NULL);
}

int csla_kprod_produce_hdrs(csla_kprod_t *p, int topic, const void *key,
			    size_t keylen, const void *value, size_t len,
			    const char *const *names, const char *const *values,
			    size_t nhdrs)
{
	rd_kafka_headers_t *h = rd_kafka_headers_new(nhdrs);
	for (size_t i = 0; i < nhdrs; i++)
		rd_kafka_header_add(h, names[i], -1, values[i], -1);
	if (produce(p, topic, key, keylen, value, len, h)) {
		rd_kafka_headers_destroy(h);
		return -1;
	}
	return 0;
}

void csla_kprod_poll(csla_kprod_t *p, int timeout_ms)
{
	rd_kafka_poll(p->rk, timeout_ms);
}

int csla_kprod_flush(csla_kprod_t *p, int timeout_ms)
{
	rd_kafka_resp_err_t err = rd_kafka_flush(p->rk, timeout_ms);

	if (err) {
		char msg[64];
		snprintf(msg, sizeof msg, "%d message(s) not delivered",
			 rd_kafka_outq_len(p->rk));
		set_err(p, "flush", msg);
		return -1;
	}
	return p->failed ? -1 : 0;
}

uint64_t csla_kprod_delivered(const csla_kprod_t *p)
{
	return p->delivered;
}

uint64_t csla_kprod_failed(const csla_kprod_t *p)
{
	return p->failed;
}

const char *csla_kprod_error(const csla_kprod_t *p)
{
	return p->err;
}
