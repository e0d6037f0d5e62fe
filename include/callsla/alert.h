/*
 * alert.h - threshold rules over the snapshots, and the lifecycle of each
 * alert: inactive -> pending -> firing -> resolved (docs/alerts.md).
 *
 * Pure and deterministic, like the engine: the caller says what time it
 * is (the event clock in a replay, the daemon's clock in callslad), and
 * the same engine state and times give the same transitions.  A set of
 * alerts (csla_alerts_t) belongs to one engine: a replay's, or one slot's
 * in the daemon, so that only the daemon owning a tenant's partition
 * evaluates its rules and two daemons never page twice.
 */
#ifndef CALLSLA_ALERT_H
#define CALLSLA_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "callsla/config.h"
#include "callsla/engine.h"
#include "callsla/snapshot.h"

/* What a rule can watch: every ratio and gauge of the snapshot. */
typedef enum csla_alert_metric {
	CSLA_AM_SERVICE_LEVEL = 0,
	CSLA_AM_THREE_RING_RATE,
	CSLA_AM_ABANDON_RATE,
	CSLA_AM_OCCUPANCY,
	CSLA_AM_UTILIZATION,
	CSLA_AM_ASA_S,
	CSLA_AM_AHT_S,
	CSLA_AM_MAX_WAIT_S,
	CSLA_AM_OFFERED,
	CSLA_AM_ANSWERED,
	CSLA_AM_ABANDONED,
	CSLA_AM_WAITING_NOW,
	CSLA_AM_LONGEST_WAIT_S,
	CSLA_AM_STAFFED,
	CSLA_AM_AGENTS_AVAILABLE,
	CSLA_AM__COUNT
} csla_alert_metric_t;

/* The snapshot field name ("service_level"), and back (-1: unknown). */
const char *csla_alert_metric_name(int m);
int csla_alert_metric_parse(const char *name);
/* Metric m of s; NAN when s has none (a null ratio, a gauge of a scope
 * without gauges). */
double csla_alert_metric_value(int m, const csla_snapshot_t *s);

typedef enum csla_alert_state {
	CSLA_ALERT_INACTIVE = 0,
	CSLA_ALERT_PENDING,
	CSLA_ALERT_FIRING,
} csla_alert_state_t;

/* A transition, or a reminder while firing. */
typedef enum csla_alert_kind {
	CSLA_AK_PENDING = 0, /* condition holds, `for` not yet elapsed */
	CSLA_AK_CANCELLED,   /* pending, then healthy again before firing */
	CSLA_AK_FIRING,
	CSLA_AK_REPEAT,      /* still firing, repeat interval passed */
	CSLA_AK_RESOLVED,
} csla_alert_kind_t;

const char *csla_alert_kind_name(csla_alert_kind_t k); /* "firing", ... */
const char *csla_severity_name(csla_severity_t s);    /* "warning", ... */

/* One transition, as handed to the callback, the notifiers, the Redis
 * stream and the log.  Everything is borrowed for the duration of the
 * call; a notifier that keeps it copies what it needs. */
typedef struct csla_alert_event {
	csla_alert_kind_t kind;
	const csla_alert_rule_t *rule;   /* name, severity, labels, notifiers */
	csla_str_t tenant;
	csla_scope_t scope;
	csla_str_t id;
	const char *window;
	double value;            /* the metric at this evaluation (NAN: none) */
	int64_t at_ms;           /* evaluation time of this transition */
	int64_t active_ms;       /* when the condition began to hold */
	int64_t fired_ms;        /* when it fired (0 before) */
	const char *dedup_key;   /* deterministic per (rule, tenant, scope, id):
				    the same across restarts and daemons */
	uint64_t seq;            /* per alert, counts its notifications, so
				    "dedup_key:seq" names one delivery */
	const char *summary;     /* the rule's template, filled in */
} csla_alert_event_t;

typedef void (*csla_alert_cb)(void *opaque, const csla_alert_event_t *ev);

/* The dedup key of (rule, tenant, scope, id): the first 16 bytes of the
 * SHA-256 of the JSON array ["rule","tenant","scope","id"] (compact, the
 * strings escaped as in snapshots), in lower-case hex.  Fixed length and
 * URL-safe (PagerDuty allows 255 bytes; ids may hold anything). */
#define CSLA_ALERT_KEY_LEN 32
void csla_alert_dedup_key(const char *rule, csla_str_t tenant,
			  csla_scope_t scope, csla_str_t id,
			  char out[CSLA_ALERT_KEY_LEN + 1]);

/* ev as one JSON object (no newline), appended to out: the line of
 * `callsla replay --alerts`, of the log and of the Redis stream. */
void csla_alert_event_json(const csla_alert_event_t *ev, csla_buf_t *out);

/* The template (rule->summary, or the default when NULL) filled in for
 * ev, appended to out with a terminating NUL (not counted in out->len). */
void csla_alert_summary(const csla_alert_rule_t *rule,
			const csla_alert_event_t *ev, csla_buf_t *out);
/* What is wrong with a template (an unknown {name}, an unclosed '{', a
 * {label.X} the rule does not define), or NULL. */
const char *csla_alert_summary_error(const csla_alert_rule_t *rule);

/* The value a rule compares: the metric rounded as snapshots print it
 * (ratios to 4 decimals, seconds to 3), so that an alert agrees with the
 * dashboards; NAN when there is none. */
double csla_alert_metric_shown(int m, const csla_snapshot_t *s);
/* Whether a scope's rows carry metric m (service_level is not a field of
 * agent rows). */
bool csla_alert_metric_in_scope(int m, csla_scope_t scope);

typedef struct csla_alerts csla_alerts_t;

/* Alerts over rules of conf->alerts (borrowed, like the engine's conf).
 * Returns NULL when out of memory.  Caller owns it. */
csla_alerts_t *csla_alerts_new(const csla_conf_t *conf);
void csla_alerts_destroy(csla_alerts_t *al);
/* A reloaded configuration: alerts of rules that keep their name keep
 * their state; alerts of rules that are gone resolve at the next
 * evaluation. */
void csla_alerts_set_conf(csla_alerts_t *al, const csla_conf_t *conf);

/* Evaluates every rule against e's snapshots as of now_ms and calls cb for
 * each transition, in the order of rule, tenant, scope, id. */
void csla_alerts_eval(csla_alerts_t *al, csla_engine_t *e, int64_t now_ms,
		      csla_alert_cb cb, void *opaque);

/* A notification of (dedup_key, seq) went out to every notifier of its
 * rule (or was given up on): it is not re-sent after a restore. */
void csla_alerts_delivered(csla_alerts_t *al, const char *dedup_key,
			   uint64_t seq);
/* Calls cb again for every firing / resolved / repeat notification not
 * yet marked delivered (after a restore). */
void csla_alerts_undelivered(csla_alerts_t *al, csla_alert_cb cb,
			     void *opaque);

/* Every alert that is pending or firing, for the API and the wallboard,
 * in dedup key order.  kind is CSLA_AK_PENDING or CSLA_AK_FIRING. */
void csla_alerts_active(const csla_alerts_t *al, csla_alert_cb cb,
			void *opaque);

/* The state of every alert, versioned and deterministic, appended to out;
 * and back.  load returns 0, or -1 with errstr (al unchanged). */
void csla_alerts_save(const csla_alerts_t *al, csla_buf_t *out);
int csla_alerts_load(csla_alerts_t *al, const void *data, size_t len,
		     char *errstr, size_t errlen);
/* Forgets a tenant's alerts (its partition went to another daemon). */
void csla_alerts_drop_tenant(csla_alerts_t *al, csla_str_t tenant);

#endif
