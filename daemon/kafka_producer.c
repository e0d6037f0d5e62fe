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
	rd_kafka_topic_t *rkt;
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
	p->rkt = rd_kafka_topic_new(p->rk, topic, NULL);
	if (!p->rkt) {
		snprintf(errstr, errlen, "topic \"%s\": %s", topic,
			 rd_kafka_err2str(rd_kafka_last_error()));
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
	if (p->rkt)
		rd_kafka_topic_destroy(p->rkt);
	if (p->rk)
		rd_kafka_destroy(p->rk);
	free(p);
}

int csla_kprod_produce(csla_kprod_t *p, const void *key, size_t keylen,
		       const void *value, size_t len)
{
	for (;;) {
		if (rd_kafka_produce(p->rkt, RD_KAFKA_PARTITION_UA,
				     RD_KAFKA_MSG_F_COPY, (void *)value, len,
				     key, keylen, NULL) == 0)
			break;
		rd_kafka_resp_err_t err = rd_kafka_last_error();
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
