/*
 * kafka_producer.h - a small librdkafka producer for one topic: keyed
 * values in, delivery counted, errors kept for the caller to report.
 * Used by `callsla sim --kafka`, `callsla produce` and callslad's dead
 * letters.
 *
 * Not thread-safe: one thread produces, polls and flushes.
 */
#ifndef CALLSLA_KAFKA_PRODUCER_H
#define CALLSLA_KAFKA_PRODUCER_H

#include <stddef.h>
#include <stdint.h>

typedef struct csla_kprod csla_kprod_t;

/* Topics one producer can write to: the one it was created with and those
 * added with csla_kprod_add_topic(). */
#define CSLA_KPROD_MAX_TOPICS 8

/* Connects to `brokers` (bootstrap.servers) to produce to `topic`, with
 * compression.codec=lz4, linger.ms=5 and enable.idempotence=true unless
 * props says otherwise.  props is NULL or a NULL-terminated list of
 * "name=value" librdkafka properties, applied in order after those (a later
 * one wins).  Returns
 * NULL with a message in errstr.  The caller owns the producer. */
csla_kprod_t *csla_kprod_new(const char *brokers, const char *topic,
			     const char *const *props, char *errstr,
			     size_t errlen);

/* Flushes nothing: call csla_kprod_flush() first to deliver what is
 * queued.  Accepts NULL. */
void csla_kprod_destroy(csla_kprod_t *p);

/* Queues one message (key and value are copied).  When librdkafka's queue
 * is full it serves delivery reports until there is room.  Returns 0, or
 * -1 with csla_kprod_error() set. */
int csla_kprod_produce(csla_kprod_t *p, const void *key, size_t keylen,
		       const void *value, size_t len);

/* Adds a topic to produce to through the same connection and queues.
 * Returns its number for csla_kprod_produce_to() (the topic given to
 * csla_kprod_new() is number 0), or -1 with csla_kprod_error() set. */
int csla_kprod_add_topic(csla_kprod_t *p, const char *topic);

/* csla_kprod_produce() to topic number `topic`. */
int csla_kprod_produce_to(csla_kprod_t *p, int topic, const void *key,
			  size_t keylen, const void *value, size_t len);

/* csla_kprod_produce_to() with headers names[i] = values[i] (strings,
 * copied). */
int csla_kprod_produce_hdrs(csla_kprod_t *p, int topic, const void *key,
			    size_t keylen, const void *value, size_t len,
			    const char *const *names, const char *const *values,
			    size_t nhdrs);

/* Serves delivery reports, waiting up to timeout_ms for one. */
void csla_kprod_poll(csla_kprod_t *p, int timeout_ms);

/* Waits up to timeout_ms for every queued message to be delivered or to
 * fail.  Returns 0 when all were delivered, else -1 with csla_kprod_error()
 * set. */
int csla_kprod_flush(csla_kprod_t *p, int timeout_ms);

/* Messages acknowledged by the broker, and those that failed. */
uint64_t csla_kprod_delivered(const csla_kprod_t *p);
uint64_t csla_kprod_failed(const csla_kprod_t *p);

/* The first error seen ("" when none); owned by p. */
const char *csla_kprod_error(const csla_kprod_t *p);

#endif
