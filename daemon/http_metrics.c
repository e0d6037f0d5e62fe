/* http_metrics.c - GET /metrics (docs/http.md, "Metrics"): the SLA numbers
 * of the slots this daemon owns as gauges (a Prometheus scrapes every
 * daemon of a group; each tenant is in exactly one), and the daemon's own
 * health.  Numbers are taken from each row's JSON, so that a gauge shows
 * exactly what the snapshot shows, rounded alike. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callsla/snapshot.h"
#include "http.h"
#include "json.h"
#include "notify.h"
#include "prom.h"
#include "util.h"

/* The numbers of snapshot rows, by field name; the family is "callsla_"
 * and the name, with a trailing "_s" written "_seconds". */
static const struct gauge {
	const char *field, *help;
} gauges[] = {
	{ "offered", "Calls with a queue outcome in the window." },
	{ "answered", "Calls answered in the window." },
	{ "abandoned", "Calls abandoned in the window, short abandons "
		       "excluded." },
	{ "short_abandoned", "Calls abandoned within the short-abandon "
			     "threshold." },
	{ "flowout", "Calls that left the queue unanswered otherwise." },
	{ "answered_in_sl", "Calls answered within the service-level "
			    "threshold." },
	{ "answered_in_rings", "Calls answered within the three-ring "
			       "threshold." },
	{ "service_level", "Service level (ratio, docs/metrics.md)." },
	{ "three_ring_rate", "Share of calls answered within three rings." },
	{ "abandon_rate", "Abandoned / (answered + abandoned + flowout)." },
	{ "asa_s", "Average speed of answer." },
	{ "max_wait_s", "Longest wait among the window's outcomes." },
	{ "handled", "Answered calls whose handling ended in the window." },
	{ "aht_s", "Average handle time." },
	{ "occupancy", "Busy time over busy plus available time." },
	{ "utilization", "Busy time over logged-in time." },
	{ "waiting_now", "Calls waiting now." },
	{ "longest_wait_s", "Age of the oldest waiting call." },
	{ "staffed", "Agents logged in now." },
	{ "agent_answer_in_rings", "Alerts the agent answered within three "
				   "rings." },
	{ "rona", "Alerts that ended without an answer (ring no answer)." },
};

/* The rows of one scrape: JSON and label bytes in one arena. */
typedef struct rowref {
	size_t json, jlen, tenant, tlen, id, ilen;
	const char *scope, *window; /* static names */
} rowref_t;

typedef struct rows {
	csla_buf_t arena;
	rowref_t *v;
	uint32_t n, cap;
	bool agents;
	char *json;
	size_t jcap;
} rows_t;

static size_t stash(rows_t *r, const char *p, size_t n)
{
	size_t at = r->arena.len;
	csla_buf_put(&r->arena, p, n);
	return at;
}

static void on_row(void *opaque, const csla_snapshot_t *s)
{
	rows_t *r = opaque;

	if (s->scope == CSLA_SCOPE_AGENT && !r->agents)
		return;
	size_t need = csla_snapshot_json_grow(s, &r->json, &r->jcap);
	csla_grow(&r->v, &r->cap, r->n + 1, sizeof *r->v);
	rowref_t *w = &r->v[r->n++];
	w->json = stash(r, r->json, need);
	w->jlen = need;
	w->tenant = stash(r, s->tenant.p, s->tenant.len);
	w->tlen = s->tenant.len;
	w->id = stash(r, s->id.p, s->id.len);
	w->ilen = s->id.len;
	w->scope = csla_scope_name(s->scope);
	/* Window names outlive the call only as text: keep a copy. */
	w->window = NULL;
	w->jlen = need;
	csla_buf_put(&r->arena, s->window, strlen(s->window) + 1);
}

static void labels_of(const rows_t *r, const rowref_t *w,
		      csla_prom_label_t *l)
{
	const char *a = r->arena.p;
	const char *window = a + w->id + w->ilen;

	l[0] = (csla_prom_label_t){ "tenant", a + w->tenant, w->tlen };
	l[1] = (csla_prom_label_t){ "scope", w->scope, strlen(w->scope) };
	l[2] = (csla_prom_label_t){ "id", a + w->id, w->ilen };
	l[3] = (csla_prom_label_t){ "window", window, strlen(window) };
}

static void sla_families(csla_buf_t *b, const rows_t *r)
{
	static const char *const states[] = { "available", "alerting",
					       "talking",   "hold",
					       "acw",       "not_ready" };
	csla_prom_label_t l[5];
	char name[64];

	for (size_t g = 0; g < sizeof gauges / sizeof gauges[0]; g++) {
		size_t fl = strlen(gauges[g].field);
		bool secs = fl > 2 && !strcmp(gauges[g].field + fl - 2, "_s");

		snprintf(name, sizeof name, "callsla_%.*s%s",
			 (int)(secs ? fl - 2 : fl), gauges[g].field,
			 secs ? "_seconds" : "");
		csla_prom_family(b, name, gauges[g].help, CSLA_PROM_GAUGE);
		for (uint32_t i = 0; i < r->n; i++) {
			const rowref_t *w = &r->v[i];
			csla_jval_t v;

			if (csla_json_member(r->arena.p + w->json, w->jlen,
					     gauges[g].field, &v) ||
			    v.type != CSLA_JT_NUMBER)
				continue; /* null, or not of this scope */
			labels_of(r, w, l);
			csla_prom_sample_text(b, name, l, 4, v.p, v.len);
		}
	}
	csla_prom_family(b, "callsla_agents", "Agents by state now.",
			 CSLA_PROM_GAUGE);
	for (uint32_t i = 0; i < r->n; i++) {
		const rowref_t *w = &r->v[i];
		csla_jval_t obj, v;

		if (csla_json_member(r->arena.p + w->json, w->jlen, "agents",
				     &obj))
			continue;
		labels_of(r, w, l);
		for (size_t s = 0; s < sizeof states / sizeof states[0]; s++) {
			if (csla_json_member(obj.p, obj.len, states[s], &v) ||
			    v.type != CSLA_JT_NUMBER)
				continue;
			l[4] = (csla_prom_label_t){ "state", states[s],
						    strlen(states[s]) };
			csla_prom_sample_text(b, "callsla_agents", l, 5, v.p,
					      v.len);
		}
	}
}

/* ---- the daemon's health -------------------------------------------------- */

static void counter(csla_buf_t *b, const char *name, const char *help,
		    uint64_t v)
{
	csla_prom_family(b, name, help, CSLA_PROM_COUNTER);
	csla_prom_sample_u64(b, name, NULL, 0, v);
}

static void gauge(csla_buf_t *b, const char *name, const char *help,
		  double v)
{
	csla_prom_family(b, name, help, CSLA_PROM_GAUGE);
	csla_prom_sample(b, name, NULL, 0, v);
}

static void partition_label(csla_prom_label_t *l, char *buf, size_t len,
			    uint32_t p)
{
	int n = snprintf(buf, len, "%" PRIu32, p);
	*l = (csla_prom_label_t){ "partition", buf, (size_t)n };
}

static void slot_families(csla_buf_t *b, csla_daemon_t *d, int64_t now)
{
	csla_prom_label_t l[2];
	char part[16];

	csla_prom_family(b, "callsla_events_total", "Events applied or "
			 "rejected, per partition (kept in the checkpoint).",
			 CSLA_PROM_COUNTER);
	for (uint32_t p = 0; p < d->nslots; p++) {
		if (!d->slots[p])
			continue;
		const uint64_t *rej = csla_slot_rejected(d->slots[p]->s);
		uint64_t nrej = 0;

		for (int r = 1; r < CSLA_REJ__COUNT; r++)
			nrej += rej[r];
		partition_label(&l[0], part, sizeof part, p);
		l[1] = (csla_prom_label_t){ "result", "applied", 7 };
		csla_prom_sample_u64(b, "callsla_events_total", l, 2,
				     csla_slot_applied(d->slots[p]->s));
		l[1] = (csla_prom_label_t){ "result", "rejected", 8 };
		csla_prom_sample_u64(b, "callsla_events_total", l, 2, nrej);
	}
	csla_prom_family(b, "callsla_events_by_type_total", "Events applied "
			 "or rejected, per partition and type (\"invalid\": "
			 "did not decode), since this daemon took the "
			 "partition.", CSLA_PROM_COUNTER);
	for (uint32_t p = 0; p < d->nslots; p++) {
		static const char *const types[] = { "invalid", "call",
						     "agent", "cdr" };
		csla_prom_label_t lt[3];

		if (!d->slots[p])
			continue;
		const csla_slot_counts_t *c = csla_slot_counts(d->slots[p]->s);
		partition_label(&lt[0], part, sizeof part, p);
		for (int t = 0; t <= CSLA_EV_CDR; t++) {
			lt[1] = (csla_prom_label_t){ "type", types[t],
						     strlen(types[t]) };
			lt[2] = (csla_prom_label_t){ "result", "applied", 7 };
			csla_prom_sample_u64(b, "callsla_events_by_type_total",
					     lt, 3, c->applied[t]);
			lt[2] = (csla_prom_label_t){ "result", "rejected", 8 };
			csla_prom_sample_u64(b, "callsla_events_by_type_total",
					     lt, 3, c->rejected[t]);
		}
	}
	csla_prom_family(b, "callsla_rejected_events_total", "Events "
			 "rejected, per partition and reason.",
			 CSLA_PROM_COUNTER);
	for (uint32_t p = 0; p < d->nslots; p++) {
		if (!d->slots[p])
			continue;
		const uint64_t *rej = csla_slot_rejected(d->slots[p]->s);

		partition_label(&l[0], part, sizeof part, p);
		for (int r = 1; r < CSLA_REJ__COUNT; r++) {
			const char *why = csla_reject_name((csla_reject_t)r);

			l[1] = (csla_prom_label_t){ "reason", why, strlen(why) };
			csla_prom_sample_u64(b, "callsla_rejected_events_total",
					     l, 2, rej[r]);
		}
	}
	for (int which = 0; which < 2; which++) {
		const char *name = which ? "callsla_consumer_lag_seconds"
					 : "callsla_consumer_lag_messages";

		csla_prom_family(b, name, which
			? "Time since the partition was last consumed up to "
			  "its high watermark (0: caught up)."
			: "Messages not yet applied, from the cached high "
			  "watermark.", CSLA_PROM_GAUGE);
		for (uint32_t p = 0; p < d->nslots; p++) {
			const dslot_t *ds = d->slots[p];

			for (size_t t = 0; ds && t < d->ntopics; t++) {
				int64_t msgs, ms;

				dk_lag(ds, t, now, &msgs, &ms);
				if (!which && msgs < 0)
					continue;
				l[0] = (csla_prom_label_t){
					"topic", d->topics[t],
					strlen(d->topics[t]) };
				partition_label(&l[1], part, sizeof part, p);
				csla_prom_sample(b, name, l, 2,
						 which ? (double)ms / 1000
						       : (double)msgs);
			}
		}
	}
	csla_prom_family(b, "callsla_checkpoint_age_seconds", "Time since "
			 "the partition's state was last written to Redis.",
			 CSLA_PROM_GAUGE);
	for (uint32_t p = 0; p < d->nslots; p++) {
		const dslot_t *ds = d->slots[p];

		if (!ds || !ds->written_ms)
			continue;
		partition_label(&l[0], part, sizeof part, p);
		csla_prom_sample(b, "callsla_checkpoint_age_seconds", l, 1,
				 (double)(now - ds->written_ms) / 1000);
	}
}

static void health_families(csla_buf_t *b, csla_daemon_t *d, int64_t now)
{
	csla_prom_label_t l;
	uint32_t held = 0;

	csla_prom_family(b, "callsla_messages_total", "Kafka messages "
			 "consumed, per topic.", CSLA_PROM_COUNTER);
	for (size_t t = 0; t < d->ntopics; t++) {
		l = (csla_prom_label_t){ "topic", d->topics[t],
					 strlen(d->topics[t]) };
		csla_prom_sample_u64(b, "callsla_messages_total", &l, 1,
				     d->topic_msgs[t]);
	}
	slot_families(b, d, now);
	for (uint32_t p = 0; p < d->nslots; p++)
		held += d->slots[p] != NULL;
	gauge(b, "callsla_partitions_assigned", "Partitions this daemon "
	      "holds.", held);
	csla_prom_family(b, "callsla_flush_duration_seconds", "From sending "
			 "a flush's MULTI to its EXEC reply.",
			 CSLA_PROM_HISTOGRAM);
	csla_prom_histogram(b, "callsla_flush_duration_seconds", NULL, 0,
			    &d->flush_seconds);
	counter(b, "callsla_flushes_total", "Flushes sent to Redis.",
		d->flushes);
	counter(b, "callsla_redis_errors_total", "Flushes that failed or "
		"whose outcome is unknown.", d->flush_errors);
	counter(b, "callsla_redis_reconnects_total", "Connections to Redis "
		"after the first.", d->reconnects ? d->reconnects - 1 : 0);
	gauge(b, "callsla_redis_connected", "1 while the Redis connection "
	      "is up.", d->rconnected);
	counter(b, "callsla_fenced_total", "Writes refused because another "
		"daemon took the partition.", d->fenced);
	counter(b, "callsla_dead_letters_total", "Rejected events copied to "
		"the dead-letter topic.", d->dlq_sent);
}

/* Zeros when the daemon has no notifier (no alerts configured). */
static void notify_families(csla_buf_t *b, csla_daemon_t *d)
{
	csla_notify_stats_t st = { 0 };

	if (d->notify)
		csla_notify_stats(d->notify, &st);
	counter(b, "callsla_alert_notifications_sent_total", "Alert "
		"notifications delivered.", st.sent);
	counter(b, "callsla_alert_notifications_failed_total", "Alert "
		"notifications given up on after every attempt.", st.failed);
	counter(b, "callsla_alert_notifications_dropped_total", "Alert "
		"notifications dropped because the queue was full.", st.dropped);
}

void csla_api_metrics(csla_daemon_t *d, struct evhttp_request *req,
		      const struct evkeyvalq *q)
{
	rows_t r = { .agents = d->conf->http.metrics_agents };
	csla_buf_t b = { 0 };
	int64_t now = csla_now_ms();
	(void)q;

	for (uint32_t p = 0; p < d->nslots; p++) {
		dslot_t *ds = d->slots[p];

		if (!ds || csla_slot_replaying(ds->s))
			continue;
		csla_engine_t *e = csla_slot_engine(ds->s);
		int64_t ev = csla_engine_event_now(e);
		int64_t at = d->conf->clock == CSLA_CLOCK_EVENT || ev > now
				     ? ev : now;

		if (at != INT64_MIN)
			csla_engine_snapshot(e, at, on_row, &r);
	}
	sla_families(&b, &r);
	health_families(&b, d, now);
	notify_families(&b, d);
	csla_http_send(req, 200, "text/plain; version=0.0.4; charset=utf-8",
		       &b);
	csla_buf_free(&b);
	csla_buf_free(&r.arena);
	free(r.v);
	free(r.json);
}
