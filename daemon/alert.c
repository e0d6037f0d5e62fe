/* alert.c - the rules' evaluator (include/callsla/alert.h): each rule's
 * rows from the engine's selective snapshot, the lifecycle of each alert
 * (inactive -> pending -> firing -> resolved), and the notifications
 * waiting to be marked delivered.  Pure: time comes from the caller.
 *
 * Rows and the rule's existing alerts are both walked in (tenant, scope,
 * id) order and merged, so an evaluation costs the rows the rule selects
 * plus its alerts, with no lookups. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alert_internal.h"
#include "util.h"

#define SEC_MS INT64_C(1000)
#define DAY_MS (86400 * SEC_MS)
/* Notifications waiting per alert: past this the oldest repeat goes (a
 * reminder is the one to lose while a notifier is down for long). */
#define PEND_MAX 16

/* ---- metrics ------------------------------------------------------------- */

static const char *const metric_names[CSLA_AM__COUNT] = {
	"service_level", "three_ring_rate", "abandon_rate", "occupancy",
	"utilization", "asa_s", "aht_s", "max_wait_s", "offered", "answered",
	"abandoned", "waiting_now", "longest_wait_s", "staffed",
	"agents_available",
};

const char *csla_alert_metric_name(int m)
{
	return m >= 0 && m < CSLA_AM__COUNT ? metric_names[m] : "?";
}

int csla_alert_metric_parse(const char *name)
{
	for (int m = 0; m < CSLA_AM__COUNT; m++)
		if (!strcmp(name, metric_names[m]))
			return m;
	return -1;
}

static bool agent_time_metric(int m)
{
	return m == CSLA_AM_OCCUPANCY || m == CSLA_AM_UTILIZATION;
}

static bool gauge_metric(int m)
{
	return m >= CSLA_AM_WAITING_NOW;
}

bool csla_alert_metric_in_scope(int m, csla_scope_t scope)
{
	if (scope == CSLA_SCOPE_QUEUE || scope == CSLA_SCOPE_TENANT)
		return m >= 0 && m < CSLA_AM__COUNT;
	/* agent and team rows: the fields of spec section 2 */
	return m == CSLA_AM_OCCUPANCY || m == CSLA_AM_UTILIZATION ||
	       m == CSLA_AM_AHT_S || m == CSLA_AM_ANSWERED;
}

double csla_alert_metric_value(int m, const csla_snapshot_t *s)
{
	const csla_agg_t *a = &s->agg;
	bool queue_row = s->scope == CSLA_SCOPE_QUEUE ||
			 s->scope == CSLA_SCOPE_TENANT;

	if (!csla_alert_metric_in_scope(m, s->scope) ||
	    (gauge_metric(m) && !s->has_gauges))
		return NAN;
	switch (m) {
	case CSLA_AM_SERVICE_LEVEL:
		return queue_row && s->qc ? csla_metric_service_level(a, s->qc)
					  : NAN;
	case CSLA_AM_THREE_RING_RATE: return csla_metric_three_ring_rate(a);
	case CSLA_AM_ABANDON_RATE: return csla_metric_abandon_rate(a);
	case CSLA_AM_OCCUPANCY: return csla_metric_occupancy(a);
	case CSLA_AM_UTILIZATION: return csla_metric_utilization(a);
	case CSLA_AM_ASA_S: return csla_metric_asa_s(a);
	case CSLA_AM_AHT_S: return csla_metric_aht_s(a);
	case CSLA_AM_MAX_WAIT_S: return csla_metric_max_wait_s(a);
	case CSLA_AM_OFFERED: return (double)csla_metric_offered(a);
	case CSLA_AM_ANSWERED: return (double)a->answered;
	case CSLA_AM_ABANDONED: return (double)a->abandoned;
	case CSLA_AM_WAITING_NOW: return (double)s->waiting_now;
	case CSLA_AM_LONGEST_WAIT_S:
		return (double)s->longest_wait_ms / 1000.0;
	case CSLA_AM_STAFFED: return (double)s->staffed;
	case CSLA_AM_AGENTS_AVAILABLE:
		return (double)s->agents[CSLA_AS_AVAILABLE];
	default: return NAN;
	}
}

/* Half away from zero, with the few ulps of slack the snapshot writer
 * gives a quotient meant as an exact decimal. */
static double round_to(double v, int decimals)
{
	double scale = decimals == 4 ? 1e4 : 1e3;
	double y = fabs(v) * scale, f = floor(y);

	if (y - f >= 0.5 - 8 * 2.220446049250313e-16 * (y > 1 ? y : 1))
		f += 1;
	return copysign(f / scale, v);
}

double csla_alert_metric_shown(int m, const csla_snapshot_t *s)
{
	double v = csla_alert_metric_value(m, s);

	if (isnan(v))
		return v;
	switch (m) {
	case CSLA_AM_SERVICE_LEVEL:
	case CSLA_AM_THREE_RING_RATE:
	case CSLA_AM_ABANDON_RATE:
	case CSLA_AM_OCCUPANCY:
	case CSLA_AM_UTILIZATION:
		return round_to(v, 4);
	case CSLA_AM_ASA_S:
	case CSLA_AM_AHT_S:
	case CSLA_AM_MAX_WAIT_S:
	case CSLA_AM_LONGEST_WAIT_S:
		return round_to(v, 3);
	default:
		return v;
	}
}

/* What min_volume is compared with: offered calls in the window, or for
 * the agent-time metrics the staffed agent-seconds. */
static uint64_t volume(int m, const csla_snapshot_t *s)
{
	if (!agent_time_metric(m))
		return csla_metric_offered(&s->agg);
	int64_t ms = 0;
	for (int k = 0; k < CSLA_AS_COUNT; k++)
		if (k != CSLA_AS_LOGGED_OUT)
			ms += s->agg.state_ms[k];
	return (uint64_t)(ms / 1000);
}

static unsigned need_of(const csla_alert_rule_t *r)
{
	if (agent_time_metric(r->metric))
		return CSLA_SEL_AGENTS;
	if (gauge_metric(r->metric))
		return CSLA_SEL_GAUGES | (r->min_volume ? CSLA_SEL_RECORDS : 0);
	return CSLA_SEL_RECORDS;
}

static bool holds(csla_cmp_t cmp, double v, double limit)
{
	switch (cmp) {
	case CSLA_CMP_LT: return v < limit;
	case CSLA_CMP_LE: return v <= limit;
	case CSLA_CMP_GT: return v > limit;
	default: return v >= limit;
	}
}

/* How long a firing alert stays firing without being judged: the span of
 * its window, after which the window holds nothing of what fired it. */
static int64_t window_span(const char *w)
{
	char *end;
	long long n;

	if (!w || !strcmp(w, "today"))
		return DAY_MS;
	if (!strncmp(w, "cur", 3))
		w += 3;
	else if (!strncmp(w, "prev", 4))
		w += 4;
	n = strtoll(w, &end, 10);
	if (n <= 0)
		return DAY_MS;
	return *end == 'm' ? n * 60 * SEC_MS : n * SEC_MS;
}

const char *csla_alert_kind_name(csla_alert_kind_t k)
{
	static const char *const names[] = { "pending", "cancelled", "firing",
					     "repeat", "resolved" };
	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

/* ---- rules ------------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
	return s ? csla_xstrndup(s, strlen(s)) : NULL;
}

static csla_alert_rule_t *rule_copy(const csla_alert_rule_t *r)
{
	csla_alert_rule_t *c = csla_xcalloc(1, sizeof *c);

	*c = *r;
	c->name = dup_or_null(r->name);
	c->tenant = dup_or_null(r->tenant);
	c->id = dup_or_null(r->id);
	c->window = dup_or_null(r->window);
	c->summary = dup_or_null(r->summary);
	c->notifiers = csla_xcalloc(r->nnotifiers + 1, sizeof *c->notifiers);
	for (size_t i = 0; i < r->nnotifiers; i++)
		c->notifiers[i] = dup_or_null(r->notifiers[i]);
	c->labels = csla_xcalloc(r->nlabels + 1, sizeof *c->labels);
	for (size_t i = 0; i < r->nlabels; i++) {
		c->labels[i].key = dup_or_null(r->labels[i].key);
		c->labels[i].value = dup_or_null(r->labels[i].value);
	}
	return c;
}

static void rule_free(csla_alert_rule_t *r)
{
	free(r->name);
	free(r->tenant);
	free(r->id);
	free(r->window);
	free(r->summary);
	for (size_t i = 0; i < r->nnotifiers; i++)
		free(r->notifiers[i]);
	free(r->notifiers);
	for (size_t i = 0; i < r->nlabels; i++) {
		free(r->labels[i].key);
		free(r->labels[i].value);
	}
	free(r->labels);
	free(r);
}

static bool is_orphan(const csla_alerts_t *al, const csla_alert_rule_t *r)
{
	for (uint32_t i = 0; i < al->norphans; i++)
		if (al->orphans[i] == r)
			return true;
	return false;
}

static const csla_alert_rule_t *adopt(csla_alerts_t *al,
				      csla_alert_rule_t *copy)
{
	csla_grow(&al->orphans, &al->caporphans, al->norphans + 1,
		  sizeof *al->orphans);
	al->orphans[al->norphans++] = copy;
	return copy;
}

static const csla_alert_rule_t *conf_rule(const csla_conf_t *conf,
					  const char *name)
{
	for (size_t i = 0; i < conf->alerts.nrules; i++)
		if (!strcmp(conf->alerts.rules[i].name, name))
			return &conf->alerts.rules[i];
	return NULL;
}

const csla_alert_rule_t *alert_rule_by_name(csla_alerts_t *al,
					    const char *name)
{
	const csla_alert_rule_t *r = conf_rule(al->conf, name);
	csla_alert_rule_t stub = { 0 };

	if (r)
		return r;
	for (uint32_t i = 0; i < al->norphans; i++)
		if (!strcmp(al->orphans[i]->name, name))
			return al->orphans[i];
	stub.name = (char *)name;
	return adopt(al, rule_copy(&stub));
}

/* Frees the orphans no alert refers to any more. */
static void orphans_gc(csla_alerts_t *al)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < al->norphans; i++) {
		bool used = false;
		for (uint32_t j = 0; j < al->n && !used; j++)
			used = al->a[j]->rule == al->orphans[i];
		if (used)
			al->orphans[k++] = al->orphans[i];
		else
			rule_free(al->orphans[i]);
	}
	al->norphans = k;
}

/* ---- alerts -------------------------------------------------------------- */

static bool same_sel(const csla_select_t *a, const csla_alert_rule_t *r)
{
	return a->scope == (csla_scope_t)r->scope &&
	       !strcmp(a->tenant, r->tenant) && !strcmp(a->id, r->id) &&
	       !strcmp(a->window, r->window);
}

static void sels_free(csla_alerts_t *al)
{
	for (uint32_t i = 0; i < al->nsels; i++)
		free(al->sels[i].rows);
	free(al->sels);
	free(al->rule_sel);
	al->sels = NULL;
	al->rule_sel = NULL;
	al->nsels = 0;
}

/* Groups the rules of al->conf by the rows they select. */
static void sels_build(csla_alerts_t *al)
{
	const csla_alerts_conf_t *ac = &al->conf->alerts;

	sels_free(al);
	al->sels = csla_xcalloc(ac->nrules + 1, sizeof *al->sels);
	al->rule_sel = csla_xcalloc(ac->nrules + 1, sizeof *al->rule_sel);
	for (size_t i = 0; i < ac->nrules; i++) {
		const csla_alert_rule_t *r = &ac->rules[i];
		uint32_t g = 0;
		while (g < al->nsels && !same_sel(&al->sels[g].sel, r))
			g++;
		if (g == al->nsels)
			al->sels[al->nsels++].sel = (csla_select_t){
				.tenant = r->tenant ? r->tenant : "*",
				.scope = (csla_scope_t)r->scope,
				.id = r->id ? r->id : "*",
				.window = r->window ? r->window : "",
			};
		al->sels[g].sel.need |= need_of(r);
		al->rule_sel[i] = g;
	}
}

csla_alerts_t *csla_alerts_new(const csla_conf_t *conf)
{
	csla_alerts_t *al = calloc(1, sizeof *al);

	if (!al)
		return NULL;
	al->conf = conf;
	sels_build(al);
	return al;
}

void alert_free(alert_t *a)
{
	free(a->tenant);
	free(a->id);
	free(a->pend);
	free(a);
}

void csla_alerts_destroy(csla_alerts_t *al)
{
	if (!al)
		return;
	for (uint32_t i = 0; i < al->n; i++)
		alert_free(al->a[i]);
	free(al->a);
	for (uint32_t i = 0; i < al->norphans; i++)
		rule_free(al->orphans[i]);
	free(al->orphans);
	sels_free(al);
	csla_buf_free(&al->summary);
	free(al);
}

alert_t *alert_add(csla_alerts_t *al, const csla_alert_rule_t *r,
		   csla_str_t tenant, int scope, csla_str_t id)
{
	alert_t *a = csla_xcalloc(1, sizeof *a);

	a->rule = r;
	a->tenant = csla_xstrndup(tenant.p, tenant.len);
	a->tlen = (uint32_t)tenant.len;
	a->id = csla_xstrndup(id.p, id.len);
	a->idlen = (uint32_t)id.len;
	a->scope = (uint8_t)scope;
	a->active_ms = a->fired_ms = a->notified_ms = 0;
	a->unjudged_ms = CSLA_ALERT_NONE;
	a->value = NAN;
	csla_alert_dedup_key(r->name, tenant, (csla_scope_t)scope, id, a->key);
	csla_grow(&al->a, &al->cap, al->n + 1, sizeof *al->a);
	al->a[al->n++] = a;
	return a;
}

static int key_cmp(const void *x, const void *y)
{
	return strcmp((*(alert_t *const *)x)->key, (*(alert_t *const *)y)->key);
}

alert_t **alert_sorted(const csla_alerts_t *al)
{
	alert_t **v = csla_xmalloc((al->n + 1) * sizeof *v);

	/* al->a is NULL while there are none: memcpy() must not see it. */
	if (al->n)
		memcpy(v, al->a, al->n * sizeof *v);
	qsort(v, al->n, sizeof *v, key_cmp);
	return v;
}

/* Byte order, shorter first on a tie: the engine's order of names. */
static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int r = memcmp(a, b, an < bn ? an : bn);
	return r ? r : (an > bn) - (an < bn);
}

static int row_cmp(const alert_t *a, csla_str_t tenant, int scope,
		   csla_str_t id)
{
	int r = bytes_cmp(a->tenant, a->tlen, tenant.p, tenant.len);
	if (!r)
		r = (a->scope > scope) - (a->scope < scope);
	if (!r)
		r = bytes_cmp(a->id, a->idlen, id.p, id.len);
	return r;
}

static int order_cmp(const void *x, const void *y)
{
	const alert_t *a = *(alert_t *const *)x, *b = *(alert_t *const *)y;
	return row_cmp(a, (csla_str_t){ b->tenant, b->tlen }, b->scope,
		       (csla_str_t){ b->id, b->idlen });
}

static void remove_at(csla_alerts_t *al, uint32_t i)
{
	alert_free(al->a[i]);
	al->a[i] = al->a[--al->n];
}

/* ---- the lifecycle ------------------------------------------------------- */

typedef struct eval {
	csla_alerts_t *al;
	const csla_alert_rule_t *r;
	int64_t now;
	csla_alert_cb cb;
	void *opaque;
	alert_t **mine;   /* the rule's alerts in row order */
	uint32_t nmine, capmine, next;
} eval_t;

/* Calls cb with the event of alert a; its summary is written into
 * scratch. */
static void emit(csla_buf_t *scratch, const alert_t *a,
		 csla_alert_kind_t kind, int64_t at, double value, uint64_t seq,
		 csla_alert_cb cb, void *opaque)
{
	csla_alert_event_t ev = {
		.kind = kind,
		.rule = a->rule,
		.tenant = { a->tenant, a->tlen },
		.scope = (csla_scope_t)a->scope,
		.id = { a->id, a->idlen },
		.window = a->rule->window,
		.value = value,
		.at_ms = at,
		.active_ms = a->active_ms,
		.fired_ms = a->fired_ms,
		.dedup_key = a->key,
		.seq = seq,
	};
	scratch->len = 0;
	csla_alert_summary(a->rule, &ev, scratch);
	ev.summary = scratch->p;
	cb(opaque, &ev);
}

/* A notification: seq moves on, and it waits to be marked delivered when
 * the rule has somewhere to send it. */
static void notify(eval_t *x, alert_t *a, csla_alert_kind_t kind,
		   double value)
{
	a->seq++;
	a->notified_ms = x->now;
	if (a->rule->nnotifiers) {
		if (a->npend == PEND_MAX) {
			uint32_t k = 0;
			while (k < a->npend && a->pend[k].kind != CSLA_AK_REPEAT)
				k++;
			if (k == a->npend)
				k = 0;
			memmove(&a->pend[k], &a->pend[k + 1],
				(a->npend - k - 1) * sizeof *a->pend);
			a->npend--;
		}
		csla_grow(&a->pend, &a->cappend, a->npend + 1, sizeof *a->pend);
		a->pend[a->npend++] = (alert_pend_t){
			.kind = (uint8_t)kind, .seq = a->seq, .at_ms = x->now,
			.value = value };
	}
	emit(&x->al->summary, a, kind, x->now, value, a->seq, x->cb, x->opaque);
}

static void fire(eval_t *x, alert_t *a, double v)
{
	a->state = CSLA_ALERT_FIRING;
	a->fired_ms = x->now;
	a->unjudged_ms = CSLA_ALERT_NONE;
	notify(x, a, CSLA_AK_FIRING, v);
}

static void resolve(eval_t *x, alert_t *a, double v)
{
	a->state = CSLA_ALERT_INACTIVE;
	a->unjudged_ms = CSLA_ALERT_NONE;
	notify(x, a, CSLA_AK_RESOLVED, v);
}

/* One evaluation of alert a (NULL: none yet for this row).  judged: the
 * row is there with a value and enough volume.  Returns the alert (a new
 * one when the condition began to hold), or NULL. */
static alert_t *step(eval_t *x, alert_t *a, csla_str_t tenant, csla_str_t id,
		 bool judged, double v)
{
	const csla_alert_rule_t *r = x->r;
	bool bad = judged && holds(r->cmp, v, r->threshold);

	if (judged && a)
		a->value = v;
	switch (a ? a->state : CSLA_ALERT_INACTIVE) {
	case CSLA_ALERT_INACTIVE:
		if (!bad)
			return a;
		if (!a)
			a = alert_add(x->al, r, tenant, r->scope, id);
		a->value = v;
		a->active_ms = x->now;
		a->fired_ms = 0;
		if (r->for_ms == 0) {
			fire(x, a, v);
			return a;
		}
		a->state = CSLA_ALERT_PENDING;
		emit(&x->al->summary, a, CSLA_AK_PENDING, x->now, v, a->seq,
		     x->cb, x->opaque);
		return a;
	case CSLA_ALERT_PENDING:
		if (bad) {
			if (x->now - a->active_ms >= r->for_ms)
				fire(x, a, v);
			return a;
		}
		a->state = CSLA_ALERT_INACTIVE;
		emit(&x->al->summary, a, CSLA_AK_CANCELLED, x->now,
		     judged ? v : NAN, a->seq, x->cb, x->opaque);
		return a;
	default: /* firing */
		if (!judged) {
			/* Not judged (no value, too little volume, the row
			 * is gone): keeps firing, quietly, for one window
			 * span; then nothing that fired it is left. */
			if (a->unjudged_ms == CSLA_ALERT_NONE)
				a->unjudged_ms = x->now;
			if (x->now - a->unjudged_ms >= window_span(r->window))
				resolve(x, a, NAN);
			return a;
		}
		a->unjudged_ms = CSLA_ALERT_NONE;
		if (!holds(r->cmp, v, r->has_clear ? r->clear : r->threshold))
			resolve(x, a, v);
		else if (r->repeat_ms && x->now - a->notified_ms >= r->repeat_ms)
			notify(x, a, CSLA_AK_REPEAT, v);
		return a;
	}
}

/* The rule's alerts whose row sorts before (tenant, scope, id) did not
 * come: not judged.  NULL tenant: every one left. */
static void unseen_before(eval_t *x, const csla_str_t *tenant,
			  const csla_str_t *id)
{
	while (x->next < x->nmine) {
		alert_t *a = x->mine[x->next];
		if (tenant && row_cmp(a, *tenant, x->r->scope, *id) >= 0)
			return;
		x->next++;
		step(x, a, (csla_str_t){ a->tenant, a->tlen },
		     (csla_str_t){ a->id, a->idlen }, false, NAN);
	}
}

static void on_row(eval_t *x, const csla_snapshot_t *s)
{
	const csla_alert_rule_t *r = x->r;
	alert_t *a = NULL;

	unseen_before(x, &s->tenant, &s->id);
	if (x->next < x->nmine &&
	    !row_cmp(x->mine[x->next], s->tenant, s->scope, s->id))
		a = x->mine[x->next++];
	double v = csla_alert_metric_shown(r->metric, s);
	bool judged = !isnan(v) && volume(r->metric, s) >= r->min_volume;
	a = step(x, a, s->tenant, s->id, judged, v);
	if (a)
		a->gen = x->al->gen;
}

/* Gathers the alerts of rule r, in row order. */
static void gather(eval_t *x)
{
	csla_alerts_t *al = x->al;

	x->nmine = x->next = 0;
	csla_grow(&x->mine, &x->capmine, al->n, sizeof *x->mine);
	for (uint32_t i = 0; i < al->n; i++)
		if (al->a[i]->rule == x->r)
			x->mine[x->nmine++] = al->a[i];
	if (x->nmine > 1)
		qsort(x->mine, x->nmine, sizeof *x->mine, order_cmp);
}

/* A rule that left the configuration: its alerts end now. */
static void end_orphan(eval_t *x, alert_t *a)
{
	if (a->state == CSLA_ALERT_PENDING) {
		a->state = CSLA_ALERT_INACTIVE;
		emit(&x->al->summary, a, CSLA_AK_CANCELLED, x->now, NAN,
		     a->seq, x->cb, x->opaque);
	} else if (a->state == CSLA_ALERT_FIRING) {
		resolve(x, a, NAN);
	}
}

static void keep_row(void *opaque, const csla_snapshot_t *s)
{
	alert_sel_t *g = opaque;

	csla_grow(&g->rows, &g->cap, g->n + 1, sizeof *g->rows);
	g->rows[g->n] = *s;
	g->rows[g->n++].window = g->sel.window; /* s->window is the call's */
}

void csla_alerts_eval(csla_alerts_t *al, csla_engine_t *e, int64_t now_ms,
		      csla_alert_cb cb, void *opaque)
{
	const csla_alerts_conf_t *ac = &al->conf->alerts;
	eval_t x = { .al = al, .now = now_ms, .cb = cb, .opaque = opaque };

	al->gen++;
	for (uint32_t g = 0; g < al->nsels; g++) {
		al->sels[g].n = 0;
		csla_engine_snapshot_select(e, now_ms, &al->sels[g].sel,
					    keep_row, &al->sels[g]);
	}
	for (size_t i = 0; i < ac->nrules; i++) {
		const alert_sel_t *g = &al->sels[al->rule_sel[i]];
		x.r = &ac->rules[i];
		gather(&x);
		for (uint32_t k = 0; k < g->n; k++)
			on_row(&x, &g->rows[k]);
		unseen_before(&x, NULL, NULL);
	}
	for (uint32_t o = 0; o < al->norphans; o++) {
		x.r = al->orphans[o];
		gather(&x);
		for (uint32_t k = 0; k < x.nmine; k++)
			end_orphan(&x, x.mine[k]);
	}
	free(x.mine);
	/* Forgotten: inactive alerts nothing waits for whose row is gone,
	 * or whose rule is. */
	for (uint32_t i = 0; i < al->n;) {
		alert_t *a = al->a[i];
		if (a->state == CSLA_ALERT_INACTIVE && !a->npend &&
		    (a->gen != al->gen || is_orphan(al, a->rule)))
			remove_at(al, i);
		else
			i++;
	}
	orphans_gc(al);
}

void csla_alerts_set_conf(csla_alerts_t *al, const csla_conf_t *conf)
{
	al->conf = conf;
	sels_build(al);
	for (uint32_t i = 0; i < al->n; i++) {
		alert_t *a = al->a[i];
		const csla_alert_rule_t *r = conf_rule(conf, a->rule->name);
		if (r)
			a->rule = r;
		else if (!is_orphan(al, a->rule))
			a->rule = adopt(al, rule_copy(a->rule));
	}
	orphans_gc(al);
}

/* ---- deliveries and the active list -------------------------------------- */

void csla_alerts_delivered(csla_alerts_t *al, const char *dedup_key,
			   uint64_t seq)
{
	for (uint32_t i = 0; i < al->n; i++) {
		alert_t *a = al->a[i];
		if (strcmp(a->key, dedup_key))
			continue;
		for (uint32_t k = 0; k < a->npend; k++)
			if (a->pend[k].seq == seq) {
				memmove(&a->pend[k], &a->pend[k + 1],
					(a->npend - k - 1) * sizeof *a->pend);
				a->npend--;
				return;
			}
		return;
	}
}

void csla_alerts_undelivered(csla_alerts_t *al, csla_alert_cb cb,
			     void *opaque)
{
	alert_t **v = alert_sorted(al);
	for (uint32_t i = 0; i < al->n; i++)
		for (uint32_t k = 0; k < v[i]->npend; k++) {
			const alert_pend_t *p = &v[i]->pend[k];
			emit(&al->summary, v[i], (csla_alert_kind_t)p->kind,
			     p->at_ms, p->value, p->seq, cb, opaque);
		}
	free(v);
}

void csla_alerts_active(const csla_alerts_t *al, csla_alert_cb cb,
			void *opaque)
{
	alert_t **v = alert_sorted(al);
	csla_buf_t scratch = { 0 };
	for (uint32_t i = 0; i < al->n; i++) {
		const alert_t *a = v[i];
		if (a->state == CSLA_ALERT_PENDING)
			emit(&scratch, a, CSLA_AK_PENDING, a->active_ms,
			     a->value, a->seq, cb, opaque);
		else if (a->state == CSLA_ALERT_FIRING)
			emit(&scratch, a, CSLA_AK_FIRING, a->fired_ms,
			     a->value, a->seq, cb, opaque);
	}
	csla_buf_free(&scratch);
	free(v);
}

void csla_alerts_drop_tenant(csla_alerts_t *al, csla_str_t tenant)
{
	for (uint32_t i = 0; i < al->n;) {
		const alert_t *a = al->a[i];
		if (a->tlen == tenant.len && !memcmp(a->tenant, tenant.p, a->tlen))
			remove_at(al, i);
		else
			i++;
	}
	orphans_gc(al);
}
