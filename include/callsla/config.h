/*
 * config.h - configuration: the defaults struct, the parsed file, one
 * validation pass, and the per-tenant / per-queue lookups the engine uses.
 *
 * The file format (libconfig) is documented in docs/configuration.md and
 * shown in conf/callsla.conf.  Parsing (conf_file.c) is the only part that
 * does I/O; lookups are pure.
 */
#ifndef CALLSLA_CONFIG_H
#define CALLSLA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "callsla/tz.h"

typedef enum csla_sl_mode {
	CSLA_SL_NEGATIVE = 0, /* A_T / (A + B) */
	CSLA_SL_IGNORE,       /* A_T / (A + B - B_T) */
	CSLA_SL_POSITIVE,     /* (A_T + B_T) / (A + B) */
} csla_sl_mode_t;

typedef enum csla_clock {
	CSLA_CLOCK_WALL = 0,
	CSLA_CLOCK_EVENT,
} csla_clock_t;

/* Thresholds and formula choices of one queue (or of a tenant's own scope). */
typedef struct csla_queue_conf {
	int64_t sl_ms;            /* T: service-level threshold [20 s] */
	uint32_t answer_rings;    /* [3] */
	int64_t ring_cycle_ms;    /* [5 s]; R = answer_rings * ring_cycle_ms */
	int64_t short_abandon_ms; /* S [5 s]; 0 disables */
	csla_sl_mode_t sl_mode;   /* [negative] */
	bool sl_flowout;          /* add flow-outs to the SL denominator [false] */
} csla_queue_conf_t;

static inline int64_t csla_queue_conf_rings_ms(const csla_queue_conf_t *q)
{
	return (int64_t)q->answer_rings * q->ring_cycle_ms;
}

/* Bits of csla_queue_override_t.set: which fields an override block names. */
enum {
	CSLA_QO_SL = 1u << 0,
	CSLA_QO_RINGS = 1u << 1,
	CSLA_QO_RING_CYCLE = 1u << 2,
	CSLA_QO_SHORT = 1u << 3,
	CSLA_QO_SL_MODE = 1u << 4,
	CSLA_QO_SL_FLOWOUT = 1u << 5,
};

/* A block that overrides some queue settings: a tenant's own block, or a
 * `queues` entry whose `match` is a glob (fnmatch(3), no flags). */
typedef struct csla_queue_override {
	char *match;      /* NULL for a tenant's own block */
	unsigned set;     /* CSLA_QO_* */
	csla_queue_conf_t v;
	int line;         /* where it was defined, for messages */
} csla_queue_override_t;

typedef struct csla_tenant_conf {
	char *name;
	char *timezone;
	csla_tz_t *tz;               /* loaded by validation */
	csla_queue_override_t own;   /* tenant-wide overrides */
	csla_queue_override_t *queues; /* first match wins */
	size_t nqueues;
	int line;
} csla_tenant_conf_t;

/* A librdkafka property from the kafka { } block: `security_protocol`
 * becomes "security.protocol"; a name ending in `_file` names a file whose
 * contents (without one trailing "\n" or "\r\n") are the value of the
 * property without that suffix, so secrets stay out of the config file.
 * Values are librdkafka's strings: integers in decimal, booleans "true" or
 * "false".  Pass them to rd_kafka_conf_set() in array order, before the
 * daemon's own settings (validation refuses the names those use). */
typedef struct csla_kv {
	char *key;    /* librdkafka name, "sasl.password" */
	char *value;  /* the value, read from the file when file was set */
	bool secret;  /* came from a file, or the name holds a credential
			 ("password", "secret", "ssl.key.pem", ...): never
			 logged; wiped when the conf is destroyed */
	int line;     /* in the configuration file; 0 when built in code */
} csla_kv_t;

/* The daemon's settings (consumer { }, redis { }, daemon { }, kafka { }).
 * The replay tool ignores them; check-config validates them.  Every string
 * is owned by the conf (csla_conf_destroy frees it; redis_password and
 * secret kafka values are wiped first); NULL means not set. */
typedef struct csla_daemon_conf {
	/* consumer { } */
	char *brokers;            /* ["localhost:9092"] */
	char *group;              /* consumer group id ["callsla"] */
	char **topics;            /* ["cc.calls", "cc.agents"], 1..8 */
	size_t ntopics;
	char *assignor;           /* ["range"]; "roundrobin", "cooperative-sticky"
				     are allowed with one topic only */
	bool start_latest;        /* start_from "earliest" (false) | "latest" */
	char *dead_letter_topic;  /* [NULL: rejected events are only counted];
				     never one of topics */

	/* kafka { }: passed through to librdkafka, in file order */
	csla_kv_t *kafka;
	size_t nkafka;

	/* redis { } */
	char *redis_host;         /* ["127.0.0.1"] */
	int redis_port;           /* [6379], 1..65535 */
	char *redis_unix;         /* unix_socket: wins over host/port [NULL] */
	char *redis_user;         /* AUTH user [NULL: password only] */
	char *redis_password;     /* from password_file (or password) [NULL];
				     secret: never logged */
	int redis_db;             /* database [0], 0..INT_MAX */
	char *prefix;             /* key prefix ["callsla:"], 1..64 bytes */
	int64_t snapshot_ttl_ms;  /* [7d], 1m..365d */
	int64_t redis_timeout_ms; /* connect and reply timeout [2s], 100ms..60s */

	/* daemon { } */
	int64_t flush_interval_ms;      /* [1s], 10ms..60s */
	int64_t checkpoint_interval_ms; /* a new base this often [30s], 1s..1h,
					   >= flush_interval */
	uint32_t journal_max;           /* or after this many entries [10000],
					   10..1000000 */
	int64_t shutdown_timeout_ms;    /* SIGTERM to exit, at most [10s], 1s..5m */
} csla_daemon_conf_t;


/* alerts { } (docs/alerts.md).  Rules and notifiers are validated by the
 * one validation pass like everything else; names are unique. */
typedef enum csla_cmp {
	CSLA_CMP_LT = 0, /* "<"  */
	CSLA_CMP_LE,     /* "<=" */
	CSLA_CMP_GT,     /* ">"  */
	CSLA_CMP_GE,     /* ">=" */
} csla_cmp_t;

typedef enum csla_severity {
	CSLA_SEV_WARNING = 0,
	CSLA_SEV_CRITICAL,
} csla_severity_t;

typedef enum csla_notifier_kind {
	CSLA_NOTIFY_WEBHOOK = 0,   /* JSON, Standard Webhooks HMAC-SHA256 */
	CSLA_NOTIFY_SLACK,         /* incoming webhook */
	CSLA_NOTIFY_PAGERDUTY,     /* Events API v2 */
	CSLA_NOTIFY_ALERTMANAGER,  /* POST /api/v2/alerts */
} csla_notifier_kind_t;

typedef struct csla_notifier_conf {
	char *name;               /* referred to by rules */
	csla_notifier_kind_t kind;
	char *url;                /* PagerDuty: [https://events.pagerduty.com/v2/enqueue] */
	char *secret;             /* webhook signing secret ("whsec_" + base64,
				     or raw bytes), from secret_file; secret */
	char *routing_key;        /* PagerDuty integration key, from
				     routing_key_file; secret */
	int64_t timeout_ms;       /* one attempt [5s] */
	uint32_t max_attempts;    /* [8] */
	int64_t backoff_min_ms;   /* first retry after about this [500ms] */
	int64_t backoff_max_ms;   /* cap [5m] */
	int64_t resend_ms;        /* Alertmanager: firing alerts re-posted this
				     often [1m]; 0: never, endsAt left out */
	int line;
} csla_notifier_conf_t;

typedef struct csla_kvs {
	char *key, *value;
} csla_kvs_t;

typedef struct csla_alert_rule {
	char *name;
	char *tenant;             /* glob, fnmatch(3) ["*"] */
	int scope;                /* csla_scope_t [tenant] */
	char *id;                 /* glob over the scope's ids ["*"] */
	int metric;               /* csla_alert_metric_t (alert.h) */
	char *window;             /* a window name as in snapshots ["15m"] */
	csla_cmp_t cmp;
	double threshold;
	bool has_clear;
	double clear;             /* resolves only once past this; must lie
				     on the healthy side of threshold */
	int64_t for_ms;           /* [0] */
	uint64_t min_volume;      /* offered calls in the window [0]; for
				     agent-time metrics: staffed agent-seconds */
	csla_severity_t severity; /* [warning] */
	int64_t repeat_ms;        /* re-notify while firing [0: never] */
	char **notifiers;         /* names from alerts.notifiers */
	size_t nnotifiers;
	csla_kvs_t *labels;
	size_t nlabels;
	char *summary;            /* template, {tenant} {scope} {id} {window}
				     {metric} {value} {threshold} {rule}
				     {severity} and {label.NAME} */
	int line;
} csla_alert_rule_t;

typedef struct csla_alerts_conf {
	int64_t evaluate_every_ms;  /* [1s] */
	uint32_t queue_max;         /* notifications waiting, all notifiers [10000] */
	char *stream_key;           /* after the prefix ["alerts"] */
	uint64_t stream_maxlen;     /* XADD MAXLEN ~ [100000] */
	csla_alert_rule_t *rules;
	size_t nrules;
	csla_notifier_conf_t *notifiers;
	size_t nnotifiers;
} csla_alerts_conf_t;

/* http { } (docs/http.md). */
typedef struct csla_http_conf {
	bool enabled;             /* [true] */
	char *listen;             /* ["127.0.0.1:8080"] */
	char *token;              /* bearer token, from token_file [NULL: none];
				     secret; /healthz never asks for it */
	int64_t max_lag_ms;       /* /readyz fails past this consumer lag [30s] */
	uint32_t series_hours;    /* per-minute history kept [6], 1..48 */
	bool metrics_agents;      /* agent rows in /metrics [false]: 10,000
				     agents would make every scrape huge */
} csla_http_conf_t;

#define CSLA_MAX_WINDOWS 16

typedef struct csla_conf {
	char *path;                  /* file it came from, or NULL */

	/* engine { } */
	csla_clock_t clock;          /* [wall] */
	size_t nrolling;             /* rolling windows, in ms [5m 15m 30m 60m] */
	int64_t rolling_ms[CSLA_MAX_WINDOWS];
	size_t nintervals;           /* aligned intervals [15m 30m] */
	int64_t interval_ms[CSLA_MAX_WINDOWS];
	int64_t allowed_lateness_ms; /* [2 h] */
	int64_t max_future_skew_ms;  /* [5 min] */
	size_t max_message_bytes;    /* [65536] */
	int64_t call_timeout_ms;     /* waiting/answered call forgotten [4 h] */
	int64_t agent_idle_ms;       /* silent agent forgotten [26 h] */

	/* defaults { } and the global queues ( ) list */
	char *default_timezone;      /* ["UTC"] */
	csla_tz_t *default_tz;
	csla_queue_conf_t queue_defaults;
	csla_queue_override_t *queues;
	size_t nqueues;

	/* tenants ( ) */
	csla_tenant_conf_t *tenants;
	size_t ntenants;

	csla_daemon_conf_t daemon;
	csla_alerts_conf_t alerts;
	csla_http_conf_t http;
} csla_conf_t;

/* The name a window of length ms carries in snapshots, after `prefix`
 * ("", "cur", "prev"): whole minutes as "60m", else whole seconds as
 * "90s".  Writes into buf (24 bytes suffice) and returns it. */
const char *csla_window_name(const char *prefix, int64_t ms, char *buf,
			     size_t len);

/* A conf holding only the built-in defaults (UTC, spec thresholds).
 * Returns NULL when out of memory.  Caller owns it (csla_conf_destroy). */
csla_conf_t *csla_conf_new_defaults(void);

/* Reads and validates a file.  On error returns NULL and writes
 * "FILE:LINE: message" into errstr.  Caller owns the result. */
csla_conf_t *csla_conf_load(const char *path, char *errstr, size_t errlen);

/* The validation pass (loads time zones).  csla_conf_load() calls it; it is
 * public for confs built in code (tests).  Returns 0, or -1 with errstr. */
int csla_conf_validate(csla_conf_t *conf, char *errstr, size_t errlen);

/* Frees conf and everything it holds, wiping secrets first.  NULL is fine. */
void csla_conf_destroy(csla_conf_t *conf);

/* The tenant's block, or NULL when the file has none for it. */
const csla_tenant_conf_t *csla_conf_tenant(const csla_conf_t *conf,
					   const char *tenant, size_t len);

/* Effective settings of a queue: defaults, then the tenant's own block, then
 * the first matching global `queues` entry, then the first matching entry of
 * the tenant's `queues`.  tc may be NULL. */
void csla_conf_queue(const csla_conf_t *conf, const csla_tenant_conf_t *tc,
		     const char *queue, size_t len, csla_queue_conf_t *out);

/* Effective settings of a tenant's own scope (no queue rule applies). */
void csla_conf_tenant_scope(const csla_conf_t *conf,
			    const csla_tenant_conf_t *tc,
			    csla_queue_conf_t *out);

/* The tenant's time zone (its own, else the default). */
const csla_tz_t *csla_conf_tz(const csla_conf_t *conf,
			      const csla_tenant_conf_t *tc);

#endif
