/* alert_internal.h - the state of a set of alerts, shared by alert.c (the
 * evaluator) and alert_state.c (its bytes in the checkpoint).  Private to
 * those two. */
#ifndef CALLSLA_ALERT_INTERNAL_H
#define CALLSLA_ALERT_INTERNAL_H

#include <stdint.h>

#include "callsla/alert.h"

#define CSLA_ALERT_NONE INT64_MIN

/* A notification not yet marked delivered (firing, repeat, resolved). */
typedef struct alert_pend {
	uint8_t kind;
	uint64_t seq;
	int64_t at_ms;
	double value;
} alert_pend_t;

/* One (rule, tenant, scope, id).  Kept while inactive too, so that seq
 * keeps counting, until its row is gone and nothing waits for delivery. */
typedef struct alert {
	const csla_alert_rule_t *rule; /* of the conf, or an orphan copy */
	char *tenant, *id;             /* owned, NUL-terminated */
	uint32_t tlen, idlen;
	uint8_t scope;
	uint8_t state;                 /* csla_alert_state_t */
	char key[CSLA_ALERT_KEY_LEN + 1];
	int64_t active_ms, fired_ms, notified_ms;
	int64_t unjudged_ms;           /* firing, not judged since; or NONE */
	double value;                  /* at the last judgement */
	uint64_t seq;
	uint32_t gen;                  /* the last evaluation that saw its row */
	alert_pend_t *pend;
	uint32_t npend, cappend;
} alert_t;

/* The rows one selection gave at this evaluation: rules that select the
 * same rows (tenant, scope, id, window) share one pass over the engine.
 * Copies whose strings point into the engine, valid while it is not
 * changed (during the evaluation). */
typedef struct alert_sel {
	csla_select_t sel;
	csla_snapshot_t *rows;
	uint32_t n, cap;
} alert_sel_t;

struct csla_alerts {
	const csla_conf_t *conf;
	alert_sel_t *sels;             /* per distinct selection of the rules */
	uint32_t nsels;
	uint32_t *rule_sel;            /* per rule: its index in sels */
	alert_t **a;                   /* owned; order does not matter */
	uint32_t n, cap;
	/* Rules that left the configuration while alerts of theirs were
	 * active: copies, until those alerts are resolved and delivered. */
	csla_alert_rule_t **orphans;
	uint32_t norphans, caporphans;
	uint32_t gen;
	csla_buf_t summary;            /* scratch for the filled-in template */
};

/* A new alert (added to al) with its key worked out. */
alert_t *alert_add(csla_alerts_t *al, const csla_alert_rule_t *r,
		   csla_str_t tenant, int scope, csla_str_t id);
void alert_free(alert_t *a);
/* The current rule named `name`, else an orphan of that name (made with
 * only the name when none exists: a restored alert of a rule that is no
 * longer configured). */
const csla_alert_rule_t *alert_rule_by_name(csla_alerts_t *al,
					    const char *name);
/* Pointers to al's alerts sorted by dedup key; the caller frees it. */
alert_t **alert_sorted(const csla_alerts_t *al);

#endif
