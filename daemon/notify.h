/*
 * notify.h - delivery of alert notifications to webhooks, Slack,
 * PagerDuty and Alertmanager (docs/alerts.md), with libcurl's multi
 * interface on the daemon's libevent loop: never blocking, bounded.
 *
 * notify_format.c builds the request bodies and signatures (pure, tested
 * without a network); notify.c moves them (timeouts, retries with
 * exponential backoff and jitter, Retry-After on 429, a bounded queue).
 */
#ifndef CALLSLA_NOTIFY_H
#define CALLSLA_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "callsla/alert.h"
#include "callsla/config.h"

typedef struct csla_notify csla_notify_t;

/* Called once per (event, notifier) queued when it was delivered or given
 * up on (attempts exhausted, an answer not worth retrying, the notifier
 * gone after a reload).  Not called for a delivery dropped at submit (the
 * return value says how many were queued) nor for one still pending at
 * csla_notify_destroy() (it is sent again after a restore).  The daemon
 * marks the event delivered once every notifier is done. */
typedef void (*csla_notify_done_cb)(void *opaque, const char *dedup_key,
				    uint64_t seq, const char *notifier,
				    bool ok);

/* A notifier set over conf->alerts.notifiers (borrowed: replace it with
 * csla_notify_set_conf() before freeing it; notifiers keep their queues
 * and figures by name, those no longer configured are given up on).
 * Returns NULL with errstr.  Caller owns it (csla_notify_destroy). */
csla_notify_t *csla_notify_new(struct event_base *base,
			       const csla_conf_t *conf,
			       csla_notify_done_cb done, void *opaque,
			       char *errstr, size_t errlen);
void csla_notify_set_conf(csla_notify_t *n, const csla_conf_t *conf);

/* Queues ev (copied) for each notifier its rule names, if it is a firing,
 * a repeat or a resolution (other kinds are not sent).  Never blocks; past
 * alerts.queue_max waiting deliveries the event is dropped and counted.
 * Returns the number of deliveries queued. */
size_t csla_notify_submit(csla_notify_t *n, const csla_alert_event_t *ev);

/* Alertmanager forgets a firing alert that is not posted again, so each
 * Alertmanager notifier re-posts the firing alerts it knows of.  A daemon
 * that takes over a partition tells them of the alerts it finds firing
 * there (remember; nothing is sent now), and one that gives a partition
 * up lets its alerts go (forget), so that only the owner re-posts them.
 * ev is copied. */
void csla_notify_remember(csla_notify_t *n, const csla_alert_event_t *ev);
void csla_notify_forget(csla_notify_t *n, const csla_alert_event_t *ev);

/* Waits at most timeout_ms (running the loop: call it outside the loop's
 * callbacks) for queued deliveries, then frees everything.  NULL is
 * fine. */
void csla_notify_destroy(csla_notify_t *n, int64_t timeout_ms);

typedef struct csla_notify_stats {
	uint64_t sent, failed, dropped, retries;
	uint64_t queued;          /* waiting now, in flight included */
} csla_notify_stats_t;

/* Totals over notifiers, and per notifier i (< conf's nnotifiers). */
void csla_notify_stats(const csla_notify_t *n, csla_notify_stats_t *total);
void csla_notify_stats_of(const csla_notify_t *n, size_t i,
			  csla_notify_stats_t *st);
/* Why notifier i's last failed attempt failed ("HTTP 500", curl's
 * message), "" before any; borrowed until the next attempt ends. */
const char *csla_notify_last_error(const csla_notify_t *n, size_t i);

#endif
