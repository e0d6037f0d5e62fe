/*
 * daemon.h - callslad: the state one libevent loop owns, shared by the
 * daemon's adapters (daemon.c: loop, timers, signals, reload;
 * daemon_kafka.c: consumer, rebalances, dead letters; daemon_redis.c:
 * flushes, restores, the connection).  Private to those files.
 */
#ifndef CALLSLA_DAEMON_H
#define CALLSLA_DAEMON_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <librdkafka/rdkafka.h>

#include "callsla/alert.h"
#include "callsla/config.h"
#include "callsla/decode.h"
#include "flush.h"
#include "hashmap.h"
#include "kafka_producer.h"
#include "prom.h"
#include "slot.h"

/* A slot the daemon holds, with what its Redis side needs. */
typedef struct dslot {
	csla_slot_t *s;
	csla_rows_t *rows;
	int64_t epoch;          /* fencing token taken at restore */
	bool base_stored;       /* a base of this epoch is in Redis */
	int64_t base_wall_ms;   /* when the last base was taken */
	bool dirty;             /* events applied since the last flush */
	uint64_t sent_seq;      /* journal entries up to here are in flight */
	bool sent_base;         /* ... and so is a base */
	csla_alerts_t *alerts;  /* the slot's alerts (daemon_alerts.c) */
	struct da_slot *da;     /* ... and their transitions to write */
	int64_t series_min;     /* ms / 60000 of the last series sample sent */
	int64_t series_trim_ms; /* wall time the series were last trimmed */
	int64_t written_ms;     /* wall time of the last acknowledged write */
	/* Per topic, refreshed by every drain from librdkafka's cache (the
	 * HTTP server must not ask the broker): the high watermark (-1:
	 * unknown), and when the slot last had received up to it. */
	int64_t hi[CSLA_SLOT_MAX_TOPICS];
	int64_t caught_ms[CSLA_SLOT_MAX_TOPICS];
} dslot_t;

/* A tenant's owner, for tenant_partition_conflict. */
typedef struct owner {
	char *name;
	size_t len;
	int32_t partition;
} owner_t;

/* Latency in 10 ms buckets; the last holds everything from a minute. */
#define CSLA_LAT_BUCKETS 6001
typedef struct lat_hist {
	uint64_t n[CSLA_LAT_BUCKETS];
	uint64_t count;
} lat_hist_t;

typedef struct csla_daemon {
	struct event_base *base;
	csla_conf_t *conf;
	const char *conf_path;
	const char **topics;       /* as started with (a reload keeps them) */
	size_t ntopics;

	/* Kafka */
	rd_kafka_t *rk;
	rd_kafka_queue_t *queue;
	int wake[2];               /* librdkafka writes to [1] */
	struct event *wake_ev;
	csla_kprod_t *dlq;
	bool consuming;
	bool joined;               /* the first assignment was served */

	/* slots, indexed by partition number */
	dslot_t **slots;
	uint32_t nslots;

	/* tenants -> partition */
	csla_map_t owners_map;
	owner_t *owners;
	uint32_t nowners, capowners;

	/* Redis */
	redisAsyncContext *ac;
	bool rconnected;
	bool in_flight;            /* a flush awaits its EXEC reply */
	int64_t in_flight_since;
	int64_t backoff_ms;
	struct event *reconnect_ev;
	bool degraded;             /* the last write failed or Redis is down */

	struct event *flush_ev, *poll_ev;
	struct event *sig_ev[4];
	bool stopping;
	int exit_code;
	struct csla_notify *notify; /* alert deliveries (notify.c) */
	struct event *alert_ev;    /* the rules' evaluation timer */
	struct da_daemon *da;      /* deliveries awaited (daemon_alerts.c) */
	struct csla_sd *sd;        /* systemd notifications (daemon_systemd.c) */
	struct csla_http *http;    /* the HTTP server (http.c), or NULL */

	/* figures, logged at exit and kept for /metrics */
	uint64_t events_in, flushes, flush_errors, reconnects, fenced;
	uint64_t dlq_sent;
	uint64_t topic_msgs[CSLA_SLOT_MAX_TOPICS]; /* consumed, per topic */
	lat_hist_t latency;        /* event (Kafka timestamp) to Redis */
	csla_prom_hist_t flush_seconds; /* MULTI sent to EXEC answered */
	int64_t in_flight_ns;      /* monotonic time the flush was sent */
	uint64_t *lat_pending;     /* Kafka timestamps of the flush in flight */
	size_t nlat_pending, caplat;
	uint64_t *lat_new;         /* ... and of events since */
	size_t nlat_new, caplat_new;
} csla_daemon_t;

int64_t csla_now_ms(void);
/* CLOCK_MONOTONIC in ns: for durations. */
int64_t csla_mono_ns(void);

/* daemon_kafka.c */
int dk_start(csla_daemon_t *d, char *errstr, size_t errlen);
/* Serves the consumer queue until it is empty. */
void dk_drain(csla_daemon_t *d);
/* Leaves the group: revokes (flushing) every slot.  Blocks. */
void dk_close(csla_daemon_t *d);
void dk_destroy(csla_daemon_t *d);
/* The slot hook that dead-letters a rejected event. */
void dk_on_reject(void *opaque, csla_slot_t *s, const csla_kmsg_t *m,
		  csla_reject_t r, const char *why);
/* Informational Kafka commits of what Redis holds. */
void dk_store_offsets(csla_daemon_t *d, const dslot_t *ds);
/* Lag of topic t of a slot at wall time now, from the cached watermark:
 * messages not yet applied (-1: watermark unknown), and milliseconds since
 * the slot last had everything the partition held (0 when it has). */
void dk_lag(const dslot_t *ds, size_t t, int64_t now, int64_t *msgs,
	    int64_t *ms);

/* daemon_redis.c */
void dr_connect(csla_daemon_t *d);
void dr_disconnect(csla_daemon_t *d);
/* Starts an asynchronous flush of every slot with changes, unless one is
 * already in flight. */
void dr_flush(csla_daemon_t *d);
/* Blocking: takes the slot's epoch and loads its base and journal.
 * Returns the slot, or NULL when Redis could not be read in time. */
dslot_t *dr_restore(csla_daemon_t *d, int32_t partition, char *errstr,
		    size_t errlen);
/* Blocking: writes the slot's last changes (it is being revoked). */
int dr_final_flush(csla_daemon_t *d, dslot_t *ds);

/* daemon_alerts.c: the alert rules of each slot, their writes and their
 * deliveries (docs/alerts.md). */
int da_start(csla_daemon_t *d, char *errstr, size_t errlen);
/* Before the old configuration is freed. */
void da_reload(csla_daemon_t *d, const csla_conf_t *c);
/* The timer again, for a reloaded evaluate_every. */
void da_rearm(csla_daemon_t *d);
/* Waits up to timeout_ms for deliveries in flight, then frees it all. */
void da_stop(csla_daemon_t *d, int64_t timeout_ms);
/* A restored slot's alerts from its state blob (NULL: none), and what
 * they still had to deliver sent again. */
void da_slot_init(csla_daemon_t *d, dslot_t *ds, const char *blob,
		  size_t len);
/* Frees the slot's alerts; the notifiers stop re-posting them. */
void da_slot_free(csla_daemon_t *d, dslot_t *ds);
/* Whether the slot has alert writes waiting for a flush. */
bool da_slot_pending(const dslot_t *ds);
/* Appends the slot's alert ops (X, H, K, A) to its EVAL. */
void da_flush_ops(csla_daemon_t *d, dslot_t *ds, csla_argv_t *a);
/* That flush's outcome: on success the transitions are logged and the
 * notifications handed to the notifiers; else all is written again. */
void da_flush_done(csla_daemon_t *d, dslot_t *ds, bool ok);

/* daemon.c */
/* Set once every slot has been revoked and flushed at a stop. */
extern volatile sig_atomic_t csla_daemon_flushed_out;
dslot_t *csla_daemon_slot(csla_daemon_t *d, int32_t partition);
void csla_daemon_drop_slot(csla_daemon_t *d, int32_t partition);
void csla_daemon_set_slot(csla_daemon_t *d, int32_t partition, dslot_t *ds);
extern const csla_slot_hooks_t csla_daemon_hooks_proto;

#endif
