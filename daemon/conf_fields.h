/* conf_fields.h - the settings tables shared by the file parser
 * (conf_file.c) and the validation pass (config.c), so that a setting's
 * name, type and allowed range are written once.  Private to those two and
 * to the check-config command. */
#ifndef CALLSLA_CONF_FIELDS_H
#define CALLSLA_CONF_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "callsla/config.h"

typedef enum csla_cf_kind {
	CSLA_CF_DURATION,  /* int64_t ms: "20s", "250ms" or integer seconds */
	CSLA_CF_UINT32,    /* uint32_t, integer */
	CSLA_CF_SIZE,      /* size_t, integer */
	CSLA_CF_INT,       /* int, integer */
	CSLA_CF_BOOL,      /* bool */
	CSLA_CF_CLOCK,     /* csla_clock_t, by name */
	CSLA_CF_SL_MODE,   /* csla_sl_mode_t, by name */
	CSLA_CF_WINDOWS,   /* rolling windows: count at off, int64_t[] at off2 */
	CSLA_CF_INTERVALS, /* aligned intervals: the same layout */
} csla_cf_kind_t;

/* One setting: where it lives in its struct and what it may hold.  min and
 * max bound numbers (ms for durations; each element for lists); range says
 * the same in words for messages. */
typedef struct csla_conf_field {
	const char *name;
	csla_cf_kind_t kind;
	size_t off, off2;
	unsigned bit; /* CSLA_QO_* for queue settings */
	int64_t min, max;
	const char *range;
} csla_conf_field_t;

/* engine { }: offsets into csla_conf_t. */
extern const csla_conf_field_t csla_engine_fields[];
extern const size_t csla_n_engine_fields;
/* The queue settings of defaults, tenants and queue rules: offsets into
 * csla_queue_conf_t. */
extern const csla_conf_field_t csla_queue_fields[];
extern const size_t csla_n_queue_fields;
/* The numbers of redis { } and daemon { }: offsets into csla_daemon_conf_t.
 * Their strings, lists and kafka { } are read by hand in conf_file.c. */
extern const csla_conf_field_t csla_redis_fields[];
extern const size_t csla_n_redis_fields;
extern const csla_conf_field_t csla_daemon_fields[];
extern const size_t csla_n_daemon_fields;
/* The numbers and switches of http { }: offsets into csla_http_conf_t.
 * listen and token_file are read by hand in conf_file.c. */
extern const csla_conf_field_t csla_http_fields[];
extern const size_t csla_n_http_fields;

/* alerts { } (offsets into csla_alerts_conf_t), a rule's durations
 * (csla_alert_rule_t) and a notifier's numbers (csla_notifier_conf_t).
 * Their strings, names and lists are read by hand in conf_file.c. */
extern const csla_conf_field_t csla_alerts_fields[];
extern const size_t csla_n_alerts_fields;
extern const csla_conf_field_t csla_rule_fields[];
extern const size_t csla_n_rule_fields;
extern const csla_conf_field_t csla_notifier_fields[];
extern const size_t csla_n_notifier_fields;
/* A notifier's built-in timings (its strings stay NULL). */
void csla_notifier_defaults(csla_notifier_conf_t *n);

/* Wipes a secret's bytes (explicit_bzero: the compiler may not drop it)
 * and frees it.  NULL is fine.  Used for every value marked secret, so a
 * freed password does not linger in the heap. */
void csla_conf_secret_free(char *s);

/* Whether a librdkafka property holds a credential by its name alone
 * ("sasl.password", "ssl.key.pem", ...), so that check-config hides it
 * even when it is written inline. */
bool csla_conf_kafka_sensitive(const char *key);

/* The names of an enum kind's values, in enum order, and their count. */
const char *const *csla_cf_enum_names(csla_cf_kind_t kind, size_t *n);

/* Writes ms in the largest unit that divides it ("15m", "90s", "250ms",
 * "0s") into buf and returns buf. */
const char *csla_conf_fmt_duration(int64_t ms, char *buf, size_t len);

/* Where the parser found each value, so that validation can name
 * FILE:LINE.  file points into the parser's libconfig state, which must
 * outlive the validation that uses it. */
typedef struct csla_conf_src_rec {
	const void *field;
	const char *file;
	int line;
	char *path; /* "tenants[0].queues[1].ring_cycle" */
} csla_conf_src_rec_t;

typedef struct csla_conf_src {
	csla_conf_src_rec_t *rec;
	size_t n;
	uint32_t cap;
} csla_conf_src_t;

/* Records that the value at field came from file:line (path is copied). */
void csla_conf_src_add(csla_conf_src_t *src, const void *field,
		       const char *file, int line, const char *path);
void csla_conf_src_free(csla_conf_src_t *src);

/* csla_conf_validate() with messages located by src (NULL: none). */
int csla_conf_validate_src(csla_conf_t *conf, const csla_conf_src_t *src,
			   char *errstr, size_t errlen);

#endif
