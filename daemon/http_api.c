/* http_api.c - the JSON API and the probes (docs/http.md).  Snapshots,
 * series, tenants and alerts are read from Redis on the daemon's async
 * connection, so that every daemon of a group answers for every tenant;
 * rules come from the loaded configuration, readiness from the loop's
 * own state.  Each Redis-backed request owns a context that its last
 * reply callback frees (hiredis calls it with no reply when the
 * connection goes, so every request is answered). */
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callsla/alert.h"
#include "callsla/snapshot.h"
#include "http.h"
#include "json.h"
#include "series.h"
#include "snaprow.h"
#include "util.h"

#define HOUR_MS (60 * CSLA_MINUTE_MS)

/* ---- parameters ----------------------------------------------------------- */

static bool scope_known(const char *s)
{
	for (int i = 0; i < CSLA_SCOPE__COUNT; i++)
		if (!strcmp(s, csla_scope_name((csla_scope_t)i)))
			return true;
	return false;
}

/* The window names the configuration produces, in snapshot order, as
 * "5m, 15m, ..." into list (when not NULL); whether w is one of them. */
static bool window_known(const csla_conf_t *c, const char *w, char *list,
			 size_t len)
{
	char name[32];
	size_t used = 0;
	bool found = false;

	if (list)
		list[0] = '\0';
#define ONE(n)                                                            \
	do {                                                              \
		found = found || (w && !strcmp(w, n));                    \
		if (list && used < len)                                   \
			used += (size_t)snprintf(list + used, len - used, \
						 "%s%s", used ? ", " : "", \
						 n);                      \
	} while (0)
	for (size_t i = 0; i < c->nrolling; i++)
		ONE(csla_window_name("", c->rolling_ms[i], name, sizeof name));
	for (size_t i = 0; i < c->nintervals; i++) {
		ONE(csla_window_name("cur", c->interval_ms[i], name,
				     sizeof name));
		ONE(csla_window_name("prev", c->interval_ms[i], name,
				     sizeof name));
	}
	ONE("today");
#undef ONE
	return found;
}

/* Checks scope and window when given; 400 and false otherwise. */
static bool filters_ok(const csla_daemon_t *d, struct evhttp_request *req,
		       const char *scope, const char *window)
{
	char list[512];

	if (scope && !scope_known(scope)) {
		csla_http_error(req, 400, "scope: unknown scope \"%.64s\" "
				"(agent, queue, team or tenant)", scope);
		return false;
	}
	if (window && !window_known(d->conf, window, list, sizeof list)) {
		csla_http_error(req, 400, "window: unknown window \"%.64s\" "
				"(%s)", window, list);
		return false;
	}
	return true;
}

static const char *need(struct evhttp_request *req,
			const struct evkeyvalq *q, const char *name)
{
	const char *v = csla_http_param(q, name);

	if (!v || !*v)
		csla_http_error(req, 400, "%s: required", name);
	return v && *v ? v : NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? csla_xstrndup(s, strlen(s)) : NULL;
}

/* ---- Redis --------------------------------------------------------------- */

static bool redis_up(csla_daemon_t *d, struct evhttp_request *req)
{
	if (d->ac && d->rconnected)
		return true;
	csla_http_error(req, 503, "redis not connected");
	return false;
}

/* Sends a command whose arguments are prefix + part + tenant then extra
 * ones; false (request answered) when hiredis refused it. */
static bool command(csla_daemon_t *d, struct evhttp_request *req,
		    redisCallbackFn *fn, void *priv, const char *cmd,
		    const char *key, size_t klen, const char *const *extra,
		    size_t nextra)
{
	const char *argv[8] = { cmd, key };
	size_t lens[8] = { strlen(cmd), klen };

	for (size_t i = 0; i < nextra && i < 6; i++) {
		argv[2 + i] = extra[i];
		lens[2 + i] = strlen(extra[i]);
	}
	if (redisAsyncCommandArgv(d->ac, fn, priv, (int)(2 + nextra), argv,
				  lens) == REDIS_OK)
		return true;
	csla_http_error(req, 503, "redis not connected");
	return false;
}

static void key_of(csla_buf_t *k, const csla_daemon_t *d, const char *part,
		   const char *tenant)
{
	k->len = 0;
	csla_buf_puts(k, d->conf->daemon.prefix);
	csla_buf_puts(k, part);
	if (tenant)
		csla_buf_puts(k, tenant);
}

/* An unusable reply: answered with 503, true. */
static bool reply_failed(struct evhttp_request *req, const redisReply *r,
			 int want)
{
	if (!r) {
		csla_http_error(req, 503, "redis connection lost");
		return true;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		csla_http_error(req, 503, "redis: %.200s", r->str);
		return true;
	}
	if (r->type != want) {
		csla_http_error(req, 503, "redis: unexpected reply");
		return true;
	}
	return false;
}

/* ---- probes ---------------------------------------------------------------- */

void csla_api_healthz(csla_daemon_t *d, struct evhttp_request *req,
		      const struct evkeyvalq *q)
{
	csla_buf_t b = { 0 };
	(void)d;
	(void)q;
	csla_buf_puts(&b, "{\"status\":\"ok\"}\n");
	csla_http_send(req, 200, NULL, &b);
	csla_buf_free(&b);
}

static void problem(csla_buf_t *b, const char *text)
{
	csla_buf_puts(b, b->len > 30 ? "," : "");
	csla_json_str(b, text, strlen(text));
}

void csla_api_readyz(csla_daemon_t *d, struct evhttp_request *req,
		     const struct evkeyvalq *q)
{
	static const char head[] = "{\"ready\":false,\"problems\":[";
	csla_buf_t b = { 0 };
	char text[160];
	int64_t now = csla_now_ms(), max = d->conf->http.max_lag_ms;
	size_t held = 0;
	(void)q;

	csla_buf_put(&b, head, sizeof head - 1);
	if (d->stopping)
		problem(&b, "stopping");
	for (uint32_t p = 0; p < d->nslots; p++) {
		const dslot_t *ds = d->slots[p];
		int64_t worst = 0;

		if (!ds)
			continue;
		held++;
		for (size_t t = 0; t < d->ntopics; t++) {
			int64_t msgs, ms;

			dk_lag(ds, t, now, &msgs, &ms);
			if (ms > worst)
				worst = ms;
		}
		if (worst > max) {
			snprintf(text, sizeof text, "lag %" PRId64 " > %" PRId64
				 " on partition %" PRIu32, worst, max, p);
			problem(&b, text);
		}
	}
	if (!held)
		problem(&b, "no partitions assigned");
	if (!d->rconnected)
		problem(&b, "redis not connected");
	if (b.len == sizeof head - 1) {
		b.len = 0;
		csla_buf_puts(&b, "{\"ready\":true}\n");
		csla_http_send(req, 200, NULL, &b);
	} else {
		csla_buf_puts(&b, "]}\n");
		csla_http_send(req, 503, NULL, &b);
	}
	csla_buf_free(&b);
}

/* ---- tenants ----------------------------------------------------------------- */

typedef struct call {
	csla_daemon_t *d;
	struct evhttp_request *req;
	char *tenant, *scope, *id, *window, *metric;
	int field;
	int64_t hours;
	char as_of[CSLA_AS_OF_LEN + 1];
	int pending;  /* replies still to come; the last one frees */
} call_t;

static call_t *call_new(csla_daemon_t *d, struct evhttp_request *req)
{
	call_t *c = csla_xcalloc(1, sizeof *c);
	c->d = d;
	c->req = req;
	c->pending = 1;
	return c;
}

/* One reply came (or a command was not sent): frees c after the last. */
static void call_free(call_t *c)
{
	if (--c->pending > 0)
		return;
	free(c->tenant);
	free(c->scope);
	free(c->id);
	free(c->window);
	free(c->metric);
	free(c);
}

static int bytes_ptr_cmp(const void *a, const void *b)
{
	return csla_bytes_cmp(*(const csla_bytes_t *)a,
			      *(const csla_bytes_t *)b);
}

static void on_tenants(redisAsyncContext *ac, void *reply, void *priv)
{
	call_t *c = priv;
	const redisReply *r = reply;
	csla_buf_t b = { 0 };
	(void)ac;

	if (!reply_failed(c->req, r, REDIS_REPLY_ARRAY)) {
		csla_bytes_t *t = csla_xmalloc((r->elements + 1) * sizeof *t);
		size_t n = 0;

		for (size_t i = 0; i < r->elements; i++)
			if (r->element[i]->type == REDIS_REPLY_STRING)
				t[n++] = (csla_bytes_t){ r->element[i]->str,
							 r->element[i]->len };
		qsort(t, n, sizeof *t, bytes_ptr_cmp);
		csla_buf_puts(&b, "{\"tenants\":[");
		for (size_t i = 0; i < n; i++) {
			csla_buf_puts(&b, i ? "," : "");
			csla_json_str(&b, t[i].p, t[i].n);
		}
		csla_buf_puts(&b, "]}\n");
		csla_http_send(c->req, 200, NULL, &b);
		free(t);
	}
	csla_buf_free(&b);
	call_free(c);
}

void csla_api_tenants(csla_daemon_t *d, struct evhttp_request *req,
		      const struct evkeyvalq *q)
{
	csla_buf_t k = { 0 };
	call_t *c;
	(void)q;

	if (!redis_up(d, req))
		return;
	c = call_new(d, req);
	key_of(&k, d, "tenants", NULL);
	if (!command(d, req, on_tenants, c, "SMEMBERS", k.p, k.len, NULL, 0))
		call_free(c);
	csla_buf_free(&k);
}

/* ---- snapshot ------------------------------------------------------------ */

static void on_as_of(redisAsyncContext *ac, void *reply, void *priv)
{
	call_t *c = priv;
	const redisReply *r = reply;
	(void)ac;

	/* Without it rows keep their own stamps, as `callsla snapshot`
	 * prints them then. */
	if (r && r->type == REDIS_REPLY_STRING && r->len == CSLA_AS_OF_LEN)
		memcpy(c->as_of, r->str, CSLA_AS_OF_LEN + 1);
	call_free(c);
}

static bool row_wanted(const call_t *c, const csla_snaprow_t *row)
{
	csla_bytes_t s = { c->scope, c->scope ? strlen(c->scope) : 0 };
	csla_bytes_t i = { c->id, c->id ? strlen(c->id) : 0 };
	csla_bytes_t w = { c->window, c->window ? strlen(c->window) : 0 };

	return (!c->scope || !csla_bytes_cmp(row->scope, s)) &&
	       (!c->id || !csla_bytes_cmp(row->id, i)) &&
	       (!c->window || !csla_bytes_cmp(row->window, w));
}

static void on_snapshot(redisAsyncContext *ac, void *reply, void *priv)
{
	call_t *c = priv;
	const redisReply *r = reply;
	csla_buf_t b = { 0 };
	(void)ac;

	if (!reply_failed(c->req, r, REDIS_REPLY_ARRAY)) {
		csla_snaprow_t *rows =
			csla_xmalloc((r->elements / 2 + 1) * sizeof *rows);
		size_t n = 0;

		for (size_t i = 0; i + 1 < r->elements; i += 2) {
			const redisReply *f = r->element[i], *v = r->element[i + 1];
			csla_snaprow_t row;

			if (f->type != REDIS_REPLY_STRING ||
			    v->type != REDIS_REPLY_STRING || !v->len ||
			    csla_snaprow_split(f->str, f->len, &row))
				continue;
			row.json = (csla_bytes_t){ v->str, v->len };
			if (row_wanted(c, &row))
				rows[n++] = row;
		}
		qsort(rows, n, sizeof *rows, csla_snaprow_cmp);
		csla_buf_puts(&b, "{\"rows\":[");
		for (size_t i = 0; i < n; i++) {
			const csla_bytes_t *j = &rows[i].json;
			long at = c->as_of[0] ? csla_snaprow_as_of(j->p, j->n)
					      : -1;

			csla_buf_puts(&b, i ? ",\n" : "\n");
			if (at < 0) {
				csla_buf_put(&b, j->p, j->n);
				continue;
			}
			csla_buf_put(&b, j->p, (size_t)at);
			csla_buf_put(&b, c->as_of, CSLA_AS_OF_LEN);
			csla_buf_put(&b, j->p + at + CSLA_AS_OF_LEN,
				     j->n - (size_t)at - CSLA_AS_OF_LEN);
		}
		csla_buf_puts(&b, "]}\n");
		csla_http_send(c->req, 200, NULL, &b);
		free(rows);
	}
	csla_buf_free(&b);
	call_free(c);
}

void csla_api_snapshot(csla_daemon_t *d, struct evhttp_request *req,
		       const struct evkeyvalq *q)
{
	static const char *const as_of[] = { "as_of" };
	const char *tenant = need(req, q, "tenant");
	const char *scope = csla_http_param(q, "scope");
	const char *window = csla_http_param(q, "window");
	csla_buf_t k = { 0 };
	call_t *c;

	if (!tenant || !filters_ok(d, req, scope, window) || !redis_up(d, req))
		return;
	c = call_new(d, req);
	c->scope = dup_or_null(scope);
	c->id = dup_or_null(csla_http_param(q, "id"));
	c->window = dup_or_null(window);
	/* Pipelined: the meta reply comes first; the rows' callback answers.
	 * Callbacks run from the loop, never inside the send. */
	key_of(&k, d, "meta:", tenant);
	if (!command(d, req, on_as_of, c, "HGET", k.p, k.len, as_of, 1)) {
		call_free(c);
	} else {
		c->pending++;
		key_of(&k, d, "snap:", tenant);
		if (!command(d, req, on_snapshot, c, "HGETALL", k.p, k.len,
			     NULL, 0))
			call_free(c);
	}
	csla_buf_free(&k);
}

/* ---- series ---------------------------------------------------------------- */

static void on_series(redisAsyncContext *ac, void *reply, void *priv)
{
	call_t *c = priv;
	const redisReply *r = reply;
	csla_buf_t b = { 0 };
	int64_t newest = INT64_MIN, minute;
	csla_bytes_t v;
	(void)ac;

	if (reply_failed(c->req, r, REDIS_REPLY_ARRAY))
		goto out;
	/* Members sort by score: the minute. */
	for (size_t i = 0; i < r->elements; i++)
		if (r->element[i]->type == REDIS_REPLY_STRING &&
		    !csla_series_member(r->element[i]->str,
					r->element[i]->len, 0, &minute, &v) &&
		    minute > newest)
			newest = minute;
	csla_buf_puts(&b, "{\"tenant\":");
	csla_json_str(&b, c->tenant, strlen(c->tenant));
	csla_buf_puts(&b, ",\"scope\":");
	csla_json_str(&b, c->scope, strlen(c->scope));
	csla_buf_puts(&b, ",\"id\":");
	csla_json_str(&b, c->id, strlen(c->id));
	csla_buf_puts(&b, ",\"window\":");
	csla_json_str(&b, c->window, strlen(c->window));
	csla_buf_puts(&b, ",\"metric\":");
	csla_json_str(&b, c->metric, strlen(c->metric));
	csla_buf_puts(&b, ",\"step_s\":60,\"points\":[");
	size_t n = 0;
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *m = r->element[i];

		if (m->type != REDIS_REPLY_STRING ||
		    csla_series_member(m->str, m->len, (size_t)c->field,
				       &minute, &v) ||
		    minute <= newest - c->hours * HOUR_MS)
			continue;
		csla_buf_printf(&b, "%s[%" PRId64 ",", n++ ? "," : "", minute);
		if (v.n)
			csla_buf_put(&b, v.p, v.n);
		else
			csla_buf_puts(&b, "null");
		csla_buf_puts(&b, "]");
	}
	csla_buf_puts(&b, "]}\n");
	csla_http_send(c->req, 200, NULL, &b);
out:
	csla_buf_free(&b);
	call_free(c);
}

void csla_api_series(csla_daemon_t *d, struct evhttp_request *req,
		     const struct evkeyvalq *q)
{
	static const char *const all[] = { "0", "-1" };
	const char *tenant, *scope, *id, *metric, *window, *hours;
	uint32_t max = d->conf->http.series_hours;
	char *end;
	long h = 1;
	int field;
	csla_buf_t k = { 0 };
	call_t *c;

	if (!(tenant = need(req, q, "tenant")) ||
	    !(scope = need(req, q, "scope")) || !(id = need(req, q, "id")) ||
	    !(metric = need(req, q, "metric")))
		return;
	window = csla_http_param(q, "window");
	if (!window)
		window = "5m";
	if (!filters_ok(d, req, scope, window))
		return;
	if (strcmp(scope, "queue") && strcmp(scope, "tenant")) {
		csla_http_error(req, 400, "scope: series are kept for queue "
				"and tenant rows only");
		return;
	}
	field = csla_series_field(metric);
	if (field < 0) {
		csla_http_error(req, 400, "metric: \"%.64s\" is not a number "
				"of a queue or tenant row", metric);
		return;
	}
	hours = csla_http_param(q, "hours");
	if (hours) {
		h = strtol(hours, &end, 10);
		if (!*hours || *end || h < 1 || h > (long)max) {
			csla_http_error(req, 400, "hours: must be a whole "
					"number from 1 to %u (http.series_hours)",
					(unsigned)max);
			return;
		}
	}
	if (!redis_up(d, req))
		return;
	c = call_new(d, req);
	c->tenant = dup_or_null(tenant);
	c->scope = dup_or_null(scope);
	c->id = dup_or_null(id);
	c->window = dup_or_null(window);
	c->metric = dup_or_null(metric);
	c->field = field;
	c->hours = h;
	csla_series_key(&k, d->conf->daemon.prefix,
			(csla_bytes_t){ tenant, strlen(tenant) },
			(csla_bytes_t){ scope, strlen(scope) },
			(csla_bytes_t){ window, strlen(window) },
			(csla_bytes_t){ id, strlen(id) });
	if (!command(d, req, on_series, c, "ZRANGE", k.p, k.len, all, 2))
		call_free(c);
	csla_buf_free(&k);
}

/* ---- alerts ----------------------------------------------------------------- */

typedef struct alert_row {
	csla_bytes_t json, key;
	int rank; /* critical first */
} alert_row_t;

static int alert_cmp(const void *a, const void *b)
{
	const alert_row_t *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return csla_bytes_cmp(x->key, y->key);
}

/* Whether string member name of json equals want once decoded. */
static bool member_is(const char *json, size_t n, const char *name,
		      const char *want)
{
	csla_jval_t v;
	char *dec;
	bool eq;
	size_t dl;

	if (csla_json_member(json, n, name, &v) || v.type != CSLA_JT_STRING)
		return false;
	dec = csla_xmalloc(v.len + 1);
	dl = csla_json_unescape(v.p, v.len, dec);
	eq = dl != (size_t)-1 && dl == strlen(want) && !memcmp(dec, want, dl);
	free(dec);
	return eq;
}

static void on_alerts(redisAsyncContext *ac, void *reply, void *priv)
{
	call_t *c = priv;
	const redisReply *r = reply;
	csla_buf_t b = { 0 };
	(void)ac;

	if (!reply_failed(c->req, r, REDIS_REPLY_ARRAY)) {
		alert_row_t *a = csla_xmalloc((r->elements / 2 + 1) * sizeof *a);
		size_t n = 0;

		for (size_t i = 1; i < r->elements; i += 2) {
			const redisReply *v = r->element[i];
			csla_jval_t key;

			/* Values are alert objects (docs/alerts.md); anything
			 * else in the hash is not shown. */
			if (v->type != REDIS_REPLY_STRING ||
			    csla_json_member(v->str, v->len, "dedup_key",
					     &key) ||
			    key.type != CSLA_JT_STRING ||
			    (c->tenant && !member_is(v->str, v->len, "tenant",
						     c->tenant)))
				continue;
			a[n] = (alert_row_t){
				.json = { v->str, v->len },
				.key = { key.p, key.len },
				.rank = member_is(v->str, v->len, "severity",
						  "critical") ? 0
					: member_is(v->str, v->len, "severity",
						    "warning") ? 1 : 2,
			};
			n++;
		}
		qsort(a, n, sizeof *a, alert_cmp);
		csla_buf_puts(&b, "{\"alerts\":[");
		for (size_t i = 0; i < n; i++) {
			csla_buf_puts(&b, i ? ",\n" : "\n");
			csla_buf_put(&b, a[i].json.p, a[i].json.n);
		}
		csla_buf_puts(&b, "]}\n");
		csla_http_send(c->req, 200, NULL, &b);
		free(a);
	}
	csla_buf_free(&b);
	call_free(c);
}

void csla_api_alerts(csla_daemon_t *d, struct evhttp_request *req,
		     const struct evkeyvalq *q)
{
	csla_buf_t k = { 0 };
	call_t *c;

	if (!redis_up(d, req))
		return;
	c = call_new(d, req);
	c->tenant = dup_or_null(csla_http_param(q, "tenant"));
	key_of(&k, d, "alerts:active", NULL);
	if (!command(d, req, on_alerts, c, "HGETALL", k.p, k.len, NULL, 0))
		call_free(c);
	csla_buf_free(&k);
}

/* ---- rules ------------------------------------------------------------------ */

void csla_api_rules(csla_daemon_t *d, struct evhttp_request *req,
		    const struct evkeyvalq *q)
{
	static const char *const ops[] = { "<", "<=", ">", ">=" };
	static const char *const sev[] = { "warning", "critical" };
	const csla_alerts_conf_t *al = &d->conf->alerts;
	const char *tenant = csla_http_param(q, "tenant");
	csla_buf_t b = { 0 };
	size_t n = 0;

	csla_buf_puts(&b, "{\"rules\":[");
	for (size_t i = 0; i < al->nrules; i++) {
		const csla_alert_rule_t *r = &al->rules[i];
		const char *metric = csla_alert_metric_name(r->metric);

		if (tenant && fnmatch(r->tenant, tenant, 0))
			continue;
		csla_buf_puts(&b, n++ ? ",\n{\"name\":" : "\n{\"name\":");
		csla_json_str(&b, r->name, strlen(r->name));
		csla_buf_puts(&b, ",\"tenant\":");
		csla_json_str(&b, r->tenant, strlen(r->tenant));
		csla_buf_puts(&b, ",\"scope\":\"");
		csla_buf_puts(&b, csla_scope_name((csla_scope_t)r->scope));
		csla_buf_puts(&b, "\",\"id\":");
		csla_json_str(&b, r->id, strlen(r->id));
		csla_buf_puts(&b, ",\"metric\":");
		csla_json_str(&b, metric ? metric : "", metric ? strlen(metric)
							      : 0);
		csla_buf_puts(&b, ",\"window\":");
		csla_json_str(&b, r->window, strlen(r->window));
		csla_buf_printf(&b, ",\"op\":\"%s\",\"threshold\":",
				ops[r->cmp & 3]);
		csla_json_num(&b, r->threshold);
		csla_buf_puts(&b, ",\"clear\":");
		if (r->has_clear)
			csla_json_num(&b, r->clear);
		else
			csla_buf_puts(&b, "null");
		csla_buf_printf(&b, ",\"min_volume\":%" PRIu64
				",\"severity\":\"%s\"}",
				(uint64_t)r->min_volume,
				sev[r->severity == CSLA_SEV_CRITICAL]);
	}
	csla_buf_puts(&b, "]}\n");
	csla_http_send(req, 200, NULL, &b);
	csla_buf_free(&b);
}
