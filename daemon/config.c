/* config.c - the built-in defaults, the settings tables, the validation
 * pass and the lookups of config.h.  No I/O but time zone loading (and a
 * scratch librdkafka configuration that judges kafka { }); the file parser
 * is conf_file.c. */
#include <fnmatch.h>
#include <limits.h>
#include <librdkafka/rdkafka.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callsla/alert.h"
#include "conf_fields.h"
#include "notify_format.h"
#include "redis_addr.h"
#include "util.h"

#define SEC_MS INT64_C(1000)
#define MIN_MS (60 * SEC_MS)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)

/* Identifiers (tenant names) are 1..128 bytes, as in events. */
#define NAME_MAX_BYTES 128

const csla_conf_field_t csla_engine_fields[] = {
	{ "clock", CSLA_CF_CLOCK, offsetof(csla_conf_t, clock) },
	{ "windows", CSLA_CF_WINDOWS, offsetof(csla_conf_t, nrolling),
	  offsetof(csla_conf_t, rolling_ms), 0, SEC_MS, DAY_MS,
	  "whole seconds from 1s to 24h" },
	{ "intervals", CSLA_CF_INTERVALS, offsetof(csla_conf_t, nintervals),
	  offsetof(csla_conf_t, interval_ms), 0, MIN_MS, DAY_MS,
	  "whole seconds from 1m to 24h that divide 24h" },
	{ "allowed_lateness", CSLA_CF_DURATION,
	  offsetof(csla_conf_t, allowed_lateness_ms), 0, 0, 0, 7 * DAY_MS,
	  "from 0 to 7d" },
	{ "max_future_skew", CSLA_CF_DURATION,
	  offsetof(csla_conf_t, max_future_skew_ms), 0, 0, 0, DAY_MS,
	  "from 0 to 24h" },
	{ "max_message_bytes", CSLA_CF_SIZE,
	  offsetof(csla_conf_t, max_message_bytes), 0, 0, 256, 16 << 20,
	  "from 256 to 16777216" },
	{ "call_timeout", CSLA_CF_DURATION,
	  offsetof(csla_conf_t, call_timeout_ms), 0, 0, SEC_MS, 30 * DAY_MS,
	  "from 1s to 30d" },
	{ "agent_idle", CSLA_CF_DURATION, offsetof(csla_conf_t, agent_idle_ms),
	  0, 0, SEC_MS, 30 * DAY_MS, "from 1s to 30d" },
};
const size_t csla_n_engine_fields =
	sizeof csla_engine_fields / sizeof csla_engine_fields[0];

const csla_conf_field_t csla_queue_fields[] = {
	{ "service_level", CSLA_CF_DURATION, offsetof(csla_queue_conf_t, sl_ms),
	  0, CSLA_QO_SL, 1, DAY_MS, "from 1ms to 24h" },
	{ "answer_rings", CSLA_CF_UINT32,
	  offsetof(csla_queue_conf_t, answer_rings), 0, CSLA_QO_RINGS, 1, 100,
	  "from 1 to 100" },
	{ "ring_cycle", CSLA_CF_DURATION,
	  offsetof(csla_queue_conf_t, ring_cycle_ms), 0, CSLA_QO_RING_CYCLE, 1,
	  MIN_MS, "from 1ms to 1m" },
	{ "short_abandon", CSLA_CF_DURATION,
	  offsetof(csla_queue_conf_t, short_abandon_ms), 0, CSLA_QO_SHORT, 0,
	  HOUR_MS, "from 0 (off) to 1h" },
	{ "sl_abandon", CSLA_CF_SL_MODE, offsetof(csla_queue_conf_t, sl_mode), 0,
	  CSLA_QO_SL_MODE },
	{ "sl_flowout", CSLA_CF_BOOL, offsetof(csla_queue_conf_t, sl_flowout), 0,
	  CSLA_QO_SL_FLOWOUT },
};
const size_t csla_n_queue_fields =
	sizeof csla_queue_fields / sizeof csla_queue_fields[0];

const csla_conf_field_t csla_redis_fields[] = {
	{ "port", CSLA_CF_INT, offsetof(csla_daemon_conf_t, redis_port), 0, 0,
	  1, 65535, "from 1 to 65535" },
	{ "database", CSLA_CF_INT, offsetof(csla_daemon_conf_t, redis_db), 0, 0,
	  0, INT_MAX, "from 0 to 2147483647" },
	{ "snapshot_ttl", CSLA_CF_DURATION,
	  offsetof(csla_daemon_conf_t, snapshot_ttl_ms), 0, 0, MIN_MS,
	  365 * DAY_MS, "from 1m to 365d" },
	{ "timeout", CSLA_CF_DURATION,
	  offsetof(csla_daemon_conf_t, redis_timeout_ms), 0, 0, 100, MIN_MS,
	  "from 100ms to 60s" },
};
const size_t csla_n_redis_fields =
	sizeof csla_redis_fields / sizeof csla_redis_fields[0];

const csla_conf_field_t csla_daemon_fields[] = {
	{ "flush_interval", CSLA_CF_DURATION,
	  offsetof(csla_daemon_conf_t, flush_interval_ms), 0, 0, 10, MIN_MS,
	  "from 10ms to 60s" },
	{ "checkpoint_interval", CSLA_CF_DURATION,
	  offsetof(csla_daemon_conf_t, checkpoint_interval_ms), 0, 0, SEC_MS,
	  HOUR_MS, "from 1s to 1h" },
	{ "journal_max", CSLA_CF_UINT32,
	  offsetof(csla_daemon_conf_t, journal_max), 0, 0, 10, 1000000,
	  "from 10 to 1000000" },
	{ "shutdown_timeout", CSLA_CF_DURATION,
	  offsetof(csla_daemon_conf_t, shutdown_timeout_ms), 0, 0, SEC_MS,
	  5 * MIN_MS, "from 1s to 5m" },
};
const size_t csla_n_daemon_fields =
	sizeof csla_daemon_fields / sizeof csla_daemon_fields[0];

const csla_conf_field_t csla_http_fields[] = {
	{ "enabled", CSLA_CF_BOOL, offsetof(csla_http_conf_t, enabled) },
	{ "max_lag", CSLA_CF_DURATION, offsetof(csla_http_conf_t, max_lag_ms),
	  0, 0, SEC_MS, DAY_MS, "from 1s to 24h" },
	/* Each hour is 60 samples per queue and window in Redis. */
	{ "series_hours", CSLA_CF_UINT32,
	  offsetof(csla_http_conf_t, series_hours), 0, 0, 1, 48,
	  "from 1 to 48" },
	{ "metrics_agents", CSLA_CF_BOOL,
	  offsetof(csla_http_conf_t, metrics_agents) },
};
const size_t csla_n_http_fields =
	sizeof csla_http_fields / sizeof csla_http_fields[0];

const csla_conf_field_t csla_alerts_fields[] = {
	{ "evaluate_every", CSLA_CF_DURATION,
	  offsetof(csla_alerts_conf_t, evaluate_every_ms), 0, 0, 100, HOUR_MS,
	  "from 100ms to 1h" },
	{ "queue_max", CSLA_CF_UINT32, offsetof(csla_alerts_conf_t, queue_max),
	  0, 0, 1, 1000000, "from 1 to 1000000" },
};
const size_t csla_n_alerts_fields =
	sizeof csla_alerts_fields / sizeof csla_alerts_fields[0];

const csla_conf_field_t csla_rule_fields[] = {
	{ "for", CSLA_CF_DURATION, offsetof(csla_alert_rule_t, for_ms), 0, 0,
	  0, DAY_MS, "from 0 to 24h" },
	{ "repeat", CSLA_CF_DURATION, offsetof(csla_alert_rule_t, repeat_ms), 0,
	  0, 0, 7 * DAY_MS, "from 0 (never) to 7d" },
};
const size_t csla_n_rule_fields =
	sizeof csla_rule_fields / sizeof csla_rule_fields[0];

const csla_conf_field_t csla_notifier_fields[] = {
	{ "timeout", CSLA_CF_DURATION,
	  offsetof(csla_notifier_conf_t, timeout_ms), 0, 0, 100, 5 * MIN_MS,
	  "from 100ms to 5m" },
	{ "max_attempts", CSLA_CF_UINT32,
	  offsetof(csla_notifier_conf_t, max_attempts), 0, 0, 1, 100,
	  "from 1 to 100" },
	{ "backoff_min", CSLA_CF_DURATION,
	  offsetof(csla_notifier_conf_t, backoff_min_ms), 0, 0, 10, HOUR_MS,
	  "from 10ms to 1h" },
	{ "backoff_max", CSLA_CF_DURATION,
	  offsetof(csla_notifier_conf_t, backoff_max_ms), 0, 0, 10, DAY_MS,
	  "from 10ms to 24h" },
	{ "resend", CSLA_CF_DURATION,
	  offsetof(csla_notifier_conf_t, resend_ms), 0, 0, 0, HOUR_MS,
	  "from 0 (never) to 1h" },
};
const size_t csla_n_notifier_fields =
	sizeof csla_notifier_fields / sizeof csla_notifier_fields[0];

/* Enum settings are read and written as int. */
_Static_assert(sizeof(csla_clock_t) == sizeof(int), "enum size");
_Static_assert(sizeof(csla_sl_mode_t) == sizeof(int), "enum size");

static const char *const clock_names[] = { "wall", "event" };
static const char *const sl_mode_names[] = { "negative", "ignore", "positive" };

const char *const *csla_cf_enum_names(csla_cf_kind_t kind, size_t *n)
{
	if (kind == CSLA_CF_CLOCK) {
		*n = sizeof clock_names / sizeof clock_names[0];
		return clock_names;
	}
	*n = sizeof sl_mode_names / sizeof sl_mode_names[0];
	return sl_mode_names;
}

const char *csla_conf_fmt_duration(int64_t ms, char *buf, size_t len)
{
	static const struct {
		const char *unit;
		int64_t ms;
	} units[] = {
		{ "d", DAY_MS }, { "h", HOUR_MS }, { "m", MIN_MS },
		{ "s", SEC_MS }, { "ms", 1 },
	};
	size_t i = ms ? 0 : 3; /* zero reads best as "0s" */

	while (ms % units[i].ms)
		i++;
	snprintf(buf, len, "%lld%s", (long long)(ms / units[i].ms),
		 units[i].unit);
	return buf;
}

const char *csla_window_name(const char *prefix, int64_t ms, char *buf,
			     size_t len)
{
	if (ms % MIN_MS == 0)
		snprintf(buf, len, "%s%lldm", prefix, (long long)(ms / MIN_MS));
	else
		snprintf(buf, len, "%s%llds", prefix, (long long)(ms / SEC_MS));
	return buf;
}

/* ---- defaults, destroy ------------------------------------------------------ */

static char *dup_str(const char *s)
{
	return csla_xstrndup(s, strlen(s));
}

static void daemon_defaults(csla_daemon_conf_t *d)
{
	d->brokers = dup_str("localhost:9092");
	d->group = dup_str("callsla");
	d->ntopics = 2;
	d->topics = csla_xcalloc(d->ntopics, sizeof *d->topics);
	d->topics[0] = dup_str("cc.calls");
	d->topics[1] = dup_str("cc.agents");
	d->assignor = dup_str("range");
	d->start_latest = false;
	d->redis_host = dup_str("127.0.0.1");
	d->redis_port = 6379;
	d->redis_db = 0;
	d->prefix = dup_str("callsla:");
	d->snapshot_ttl_ms = 7 * DAY_MS;
	d->redis_timeout_ms = 2 * SEC_MS;
	d->flush_interval_ms = 1 * SEC_MS;
	d->checkpoint_interval_ms = 30 * SEC_MS;
	d->journal_max = 10000;
	d->shutdown_timeout_ms = 10 * SEC_MS;
}

static void alerts_defaults(csla_alerts_conf_t *a)
{
	a->evaluate_every_ms = 1 * SEC_MS;
	a->queue_max = 10000;
	a->stream_key = dup_str("alerts");
	a->stream_maxlen = 100000;
}

void csla_notifier_defaults(csla_notifier_conf_t *n)
{
	n->timeout_ms = 5 * SEC_MS;
	n->max_attempts = 8;
	n->backoff_min_ms = 500;
	n->backoff_max_ms = 5 * MIN_MS;
	n->resend_ms = 1 * MIN_MS;
}

static void alerts_free(csla_alerts_conf_t *a)
{
	for (size_t i = 0; i < a->nrules; i++) {
		csla_alert_rule_t *r = &a->rules[i];

		free(r->name);
		free(r->tenant);
		free(r->id);
		free(r->window);
		free(r->summary);
		for (size_t k = 0; k < r->nnotifiers; k++)
			free(r->notifiers[k]);
		free(r->notifiers);
		for (size_t k = 0; k < r->nlabels; k++) {
			free(r->labels[k].key);
			free(r->labels[k].value);
		}
		free(r->labels);
	}
	free(a->rules);
	for (size_t i = 0; i < a->nnotifiers; i++) {
		csla_notifier_conf_t *n = &a->notifiers[i];

		free(n->name);
		csla_conf_secret_free(n->url); /* may be from url_file */
		csla_conf_secret_free(n->secret);
		csla_conf_secret_free(n->routing_key);
	}
	free(a->notifiers);
	free(a->stream_key);
}

static void http_defaults(csla_http_conf_t *h)
{
	h->enabled = true;
	h->listen = dup_str("127.0.0.1:8080");
	h->max_lag_ms = 30 * SEC_MS;
	h->series_hours = 6;
	h->metrics_agents = false;
}

void csla_conf_secret_free(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static void daemon_free(csla_daemon_conf_t *d)
{
	free(d->brokers);
	free(d->group);
	for (size_t i = 0; i < d->ntopics; i++)
		free(d->topics[i]);
	free(d->topics);
	free(d->assignor);
	free(d->dead_letter_topic);
	for (size_t i = 0; i < d->nkafka; i++) {
		free(d->kafka[i].key);
		if (d->kafka[i].secret)
			csla_conf_secret_free(d->kafka[i].value);
		else
			free(d->kafka[i].value);
	}
	free(d->kafka);
	free(d->redis_host);
	free(d->redis_unix);
	free(d->redis_user);
	csla_conf_secret_free(d->redis_password);
	free(d->prefix);
}

csla_conf_t *csla_conf_new_defaults(void)
{
	csla_conf_t *c = csla_xcalloc(1, sizeof *c);

	c->clock = CSLA_CLOCK_WALL;
	c->nrolling = 4;
	c->rolling_ms[0] = 5 * MIN_MS;
	c->rolling_ms[1] = 15 * MIN_MS;
	c->rolling_ms[2] = 30 * MIN_MS;
	c->rolling_ms[3] = 60 * MIN_MS;
	c->nintervals = 2;
	c->interval_ms[0] = 15 * MIN_MS;
	c->interval_ms[1] = 30 * MIN_MS;
	c->allowed_lateness_ms = 2 * HOUR_MS;
	c->max_future_skew_ms = 5 * MIN_MS;
	c->max_message_bytes = 65536;
	c->call_timeout_ms = 4 * HOUR_MS;
	c->agent_idle_ms = 26 * HOUR_MS;
	c->default_timezone = csla_xstrndup("UTC", 3);
	c->default_tz = csla_tz_utc();
	c->queue_defaults = (csla_queue_conf_t){
		.sl_ms = 20 * SEC_MS,
		.answer_rings = 3,
		.ring_cycle_ms = 5 * SEC_MS,
		.short_abandon_ms = 5 * SEC_MS,
		.sl_mode = CSLA_SL_NEGATIVE,
		.sl_flowout = false,
	};
	daemon_defaults(&c->daemon);
	http_defaults(&c->http);
	alerts_defaults(&c->alerts);
	return c;
}

static void free_rules(csla_queue_override_t *q, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(q[i].match);
	free(q);
}

void csla_conf_destroy(csla_conf_t *conf)
{
	if (!conf)
		return;
	for (size_t i = 0; i < conf->ntenants; i++) {
		csla_tenant_conf_t *t = &conf->tenants[i];

		free(t->name);
		free(t->timezone);
		csla_tz_destroy(t->tz);
		free(t->own.match);
		free_rules(t->queues, t->nqueues);
	}
	free(conf->tenants);
	free_rules(conf->queues, conf->nqueues);
	free(conf->default_timezone);
	csla_tz_destroy(conf->default_tz);
	daemon_free(&conf->daemon);
	alerts_free(&conf->alerts);
	free(conf->http.listen);
	csla_conf_secret_free(conf->http.token);
	free(conf->path);
	free(conf);
}

/* ---- where values came from ----------------------------------------------- */

void csla_conf_src_add(csla_conf_src_t *src, const void *field,
		       const char *file, int line, const char *path)
{
	csla_grow(&src->rec, &src->cap, src->n + 1, sizeof *src->rec);
	src->rec[src->n++] = (csla_conf_src_rec_t){
		.field = field,
		.file = file,
		.line = line,
		.path = csla_xstrndup(path, strlen(path)),
	};
}

void csla_conf_src_free(csla_conf_src_t *src)
{
	for (size_t i = 0; i < src->n; i++)
		free(src->rec[i].path);
	free(src->rec);
	*src = (csla_conf_src_t){ 0 };
}

/* ---- validation ----------------------------------------------------------- */

struct vctx {
	const csla_conf_t *conf;
	const csla_conf_src_t *src;
	char *errstr;
	size_t errlen;
};

/* Reports a bad value: "FILE:LINE: PATH: msg" when the parser recorded
 * where the value came from, else "PATH: msg" with path as built here. */
__attribute__((format(printf, 4, 5)))
static int bad(const struct vctx *v, const void *field, const char *path,
	       const char *fmt, ...)
{
	const csla_conf_src_rec_t *r = NULL;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	for (size_t i = 0; v->src && i < v->src->n; i++)
		if (v->src->rec[i].field == field)
			r = &v->src->rec[i];
	if (!v->errlen)
		return -1;
	if (r)
		snprintf(v->errstr, v->errlen, "%s:%d: %s: %s", r->file, r->line,
			 r->path, msg);
	else if (v->conf->path)
		snprintf(v->errstr, v->errlen, "%s: %s: %s", v->conf->path, path,
			 msg);
	else
		snprintf(v->errstr, v->errlen, "%s: %s", path, msg);
	return -1;
}

static bool in_range(const csla_conf_field_t *f, int64_t x)
{
	return x >= f->min && x <= f->max;
}

static int check_list(const struct vctx *v, const csla_conf_field_t *f,
		      const char *base, const char *path)
{
	size_t n;
	const int64_t *w = (const int64_t *)(base + f->off2);
	char buf[32];

	memcpy(&n, base + f->off, sizeof n);
	if (n < 1 || n > CSLA_MAX_WINDOWS)
		return bad(v, base + f->off, path, "give 1 to %d durations",
			   CSLA_MAX_WINDOWS);
	for (size_t i = 0; i < n; i++) {
		bool ok = in_range(f, w[i]) && w[i] % SEC_MS == 0 &&
			  (f->kind != CSLA_CF_INTERVALS || DAY_MS % w[i] == 0);

		if (!ok)
			return bad(v, &w[i], path, "%s: each must be %s",
				   csla_conf_fmt_duration(w[i], buf, sizeof buf),
				   f->range);
		for (size_t j = 0; j < i; j++)
			if (w[j] == w[i])
				return bad(v, &w[i], path, "%s is listed twice",
					   csla_conf_fmt_duration(w[i], buf,
								  sizeof buf));
	}
	return 0;
}

/* Checks the fields of tab at base; only those in set when it is not ~0u
 * (an override names some settings only). */
static int check_fields(const struct vctx *v, const char *ctx,
			const csla_conf_field_t *tab, size_t ntab,
			const void *base_v, unsigned set)
{
	const char *base = base_v;
	char path[160];

	for (size_t i = 0; i < ntab; i++) {
		const csla_conf_field_t *f = &tab[i];
		const char *p = base + f->off;
		int64_t x = 0;
		size_t nnames;
		int e = 0;

		if (set != ~0u && !(set & f->bit))
			continue;
		snprintf(path, sizeof path, "%s.%s", ctx, f->name);
		switch (f->kind) {
		case CSLA_CF_DURATION:
			memcpy(&x, p, sizeof x);
			break;
		case CSLA_CF_UINT32: {
			uint32_t u;

			memcpy(&u, p, sizeof u);
			x = u;
			break;
		}
		case CSLA_CF_SIZE: {
			size_t z;

			memcpy(&z, p, sizeof z);
			x = z > INT64_MAX ? INT64_MAX : (int64_t)z;
			break;
		}
		case CSLA_CF_INT: {
			int k;

			memcpy(&k, p, sizeof k);
			x = k;
			break;
		}
		case CSLA_CF_BOOL:
			continue;
		case CSLA_CF_CLOCK:
		case CSLA_CF_SL_MODE:
			/* Both enums have int's size and start at 0. */
			memcpy(&e, p, sizeof e);
			csla_cf_enum_names(f->kind, &nnames);
			if (e < 0 || (size_t)e >= nnames)
				return bad(v, p, path, "unknown value %d", e);
			continue;
		case CSLA_CF_WINDOWS:
		case CSLA_CF_INTERVALS:
			if (check_list(v, f, base, path))
				return -1;
			continue;
		}
		if (!in_range(f, x))
			return bad(v, p, path, "must be %s", f->range);
	}
	return 0;
}

/* fnmatch(3) reports no syntax errors: an unclosed '[' silently matches
 * itself.  Such patterns mean something else than they seem: refused. */
static const char *glob_error(const char *p)
{
	if (!*p)
		return "is empty";
	for (; *p; p++) {
		if (*p == '\\') {
			if (!*++p)
				return "ends with a lone '\\'";
		} else if (*p == '[') {
			const char *q = p + 1;

			if (*q == '!' || *q == '^')
				q++;
			if (*q == ']')
				q++;
			while (*q && *q != ']') {
				/* [:class:], [.sym.] and [=eq=] hold a ']' */
				if (*q == '[' && (q[1] == ':' || q[1] == '.' ||
						  q[1] == '=')) {
					char close = q[1];

					for (q += 2; *q && !(q[0] == close &&
							     q[1] == ']');)
						q++;
					if (!*q)
						break;
					q++;
				}
				q++;
			}
			if (!*q)
				return "has an unclosed '['";
			p = q;
		}
	}
	return NULL;
}

static int check_rules(const struct vctx *v, const char *ctx,
		       const csla_queue_override_t *q, size_t n)
{
	char path[128];

	for (size_t i = 0; i < n; i++) {
		const char *why = q[i].match ? glob_error(q[i].match) :
					       "is missing";

		snprintf(path, sizeof path, "%s[%zu]", ctx, i);
		if (why) {
			char mp[160];

			snprintf(mp, sizeof mp, "%s.match", path);
			return bad(v, &q[i].match, mp, "pattern %s", why);
		}
		if (check_fields(v, path, csla_queue_fields,
				 csla_n_queue_fields, &q[i].v, q[i].set))
			return -1;
	}
	return 0;
}

/* Loads *tz from name (replacing it only on success). */
static int load_tz(const struct vctx *v, char *const *name, csla_tz_t **tz,
		   const char *path)
{
	char err[256];
	csla_tz_t *t = csla_tz_load(*name, err, sizeof err);

	if (!t)
		return bad(v, name, path, "%s", err);
	csla_tz_destroy(*tz);
	*tz = t;
	return 0;
}

static int check_tenant(const struct vctx *v, csla_conf_t *conf, size_t i)
{
	csla_tenant_conf_t *t = &conf->tenants[i];
	char ctx[64], path[128];
	size_t len = t->name ? strlen(t->name) : 0;

	snprintf(ctx, sizeof ctx, "tenants[%zu]", i);
	snprintf(path, sizeof path, "%s.name", ctx);
	if (len < 1 || len > NAME_MAX_BYTES)
		return bad(v, &t->name, path, "must be 1 to %d bytes",
			   NAME_MAX_BYTES);
	for (size_t j = 0; j < i; j++)
		if (!strcmp(conf->tenants[j].name, t->name))
			return bad(v, &t->name, path,
				   "tenant \"%s\" is defined twice (first at "
				   "line %d)", t->name, conf->tenants[j].line);
	if (t->timezone) {
		snprintf(path, sizeof path, "%s.timezone", ctx);
		if (load_tz(v, &t->timezone, &t->tz, path))
			return -1;
	}
	if (check_fields(v, ctx, csla_queue_fields, csla_n_queue_fields,
			 &t->own.v, t->own.set))
		return -1;
	snprintf(path, sizeof path, "%s.queues", ctx);
	return check_rules(v, path, t->queues, t->nqueues);
}

/* ---- the daemon's settings ------------------------------------------------ */

#define MAX_TOPICS 8
#define PREFIX_MAX_BYTES 64
/* sun_path holds 108 bytes with the terminating NUL. */
#define UNIX_PATH_MAX_BYTES 107

static bool recorded(const struct vctx *v, const void *field)
{
	for (size_t i = 0; v->src && i < v->src->n; i++)
		if (v->src->rec[i].field == field)
			return true;
	return false;
}

/* Kafka's rule for topic names (Topic.java): 1 to 249 of [a-zA-Z0-9._-],
 * and not "." or "..". */
static bool topic_name_ok(const char *t)
{
	size_t n = t ? strlen(t) : 0;

	if (n < 1 || n > 249 || !strcmp(t, ".") || !strcmp(t, ".."))
		return false;
	for (; *t; t++)
		if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') ||
		      (*t >= '0' && *t <= '9') || *t == '.' || *t == '_' ||
		      *t == '-'))
			return false;
	return true;
}

#define TOPIC_RULE                                                      \
	"is not a Kafka topic name (1 to 249 of a-z A-Z 0-9 . _ -, not "   \
	"\".\" or \"..\")"

static int check_nonempty(const struct vctx *v, char *const *s,
			  const char *path)
{
	if (!*s || !**s)
		return bad(v, s, path, "must not be empty");
	return 0;
}

static int check_topics(const struct vctx *v, const csla_daemon_conf_t *d)
{
	char path[64];

	if (d->ntopics < 1 || d->ntopics > MAX_TOPICS)
		return bad(v, &d->topics, "consumer.topics", "give 1 to %d topics",
			   MAX_TOPICS);
	for (size_t i = 0; i < d->ntopics; i++) {
		snprintf(path, sizeof path, "consumer.topics[%zu]", i);
		if (!topic_name_ok(d->topics[i]))
			return bad(v, &d->topics[i], path, TOPIC_RULE);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(d->topics[j], d->topics[i]))
				return bad(v, &d->topics[i], path,
					   "\"%s\" is listed twice", d->topics[i]);
	}
	return 0;
}

static const char *const assignors[] = { "range", "roundrobin",
					 "cooperative-sticky" };

/* A tenant's calls and agent events are keyed by tenant and so land on the
 * same partition number p of every topic; the engine needs both streams of
 * a tenant in one place.  Only the range assignor gives one consumer
 * partition p of every (co-partitioned) topic; the others spread the
 * partitions of each topic independently. */
static int check_assignor(const struct vctx *v, const csla_daemon_conf_t *d)
{
	size_t i, n = sizeof assignors / sizeof assignors[0];

	for (i = 0; i < n && (!d->assignor || strcmp(d->assignor, assignors[i]));
	     i++)
		;
	if (i == n)
		return bad(v, &d->assignor, "consumer.assignor",
			   "expected one of \"range\", \"roundrobin\", "
			   "\"cooperative-sticky\"");
	if (i != 0 && d->ntopics > 1)
		return bad(v, &d->assignor, "consumer.assignor",
			   "\"%s\" cannot be used with %zu topics: only "
			   "\"range\" gives one daemon partition p of every "
			   "topic, where a tenant's calls and agent events "
			   "meet (the topics must be co-partitioned)",
			   d->assignor, d->ntopics);
	return 0;
}

static int check_consumer(const struct vctx *v, const csla_daemon_conf_t *d)
{
	if (check_nonempty(v, &d->brokers, "consumer.brokers") ||
	    check_nonempty(v, &d->group, "consumer.group") ||
	    check_topics(v, d) || check_assignor(v, d))
		return -1;
	if (d->dead_letter_topic) {
		const char *p = "consumer.dead_letter_topic";

		if (!topic_name_ok(d->dead_letter_topic))
			return bad(v, &d->dead_letter_topic, p, TOPIC_RULE);
		for (size_t i = 0; i < d->ntopics; i++)
			if (!strcmp(d->topics[i], d->dead_letter_topic))
				return bad(v, &d->dead_letter_topic, p,
					   "\"%s\" is an input topic: rejected "
					   "events would be read again",
					   d->dead_letter_topic);
	}
	return 0;
}

/* Properties kafka { } may not set: consumer { } sets them (where they are
 * checked together), or the daemon's exactly-once bookkeeping depends on
 * their value. */
static const struct {
	const char *key, *why;
} kafka_refused[] = {
	{ "bootstrap.servers", "use consumer.brokers" },
	{ "metadata.broker.list", "use consumer.brokers" },
	{ "group.id", "use consumer.group" },
	{ "partition.assignment.strategy", "use consumer.assignor" },
	{ "auto.offset.reset", "use consumer.start_from" },
	{ "enable.auto.offset.store",
	  "the daemon manages it (exactly-once processing depends on it)" },
	{ "enable.partition.eof",
	  "the daemon manages it (exactly-once processing depends on it)" },
};

/* Names that would load code when set: not tried during validation. */
static bool kafka_side_effect(const char *key)
{
	return !strcmp(key, "plugin.library.paths");
}

/* Tries each property on a scratch librdkafka configuration so that a
 * misspelt name or a bad value is reported with its line now, not when the
 * daemon starts.  A secret is tried with an empty value (only its name is
 * checked): librdkafka keeps and frees values without wiping them. */
static int check_kafka_props(const struct vctx *v, const csla_daemon_conf_t *d,
			     rd_kafka_conf_t *rk)
{
	char path[160], err[512];

	for (size_t i = 0; i < d->nkafka; i++) {
		const csla_kv_t *kv = &d->kafka[i];
		rd_kafka_conf_res_t r;

		if (kafka_side_effect(kv->key))
			continue;
		snprintf(path, sizeof path, "kafka.%s", kv->key);
		err[0] = '\0';
		r = rd_kafka_conf_set(rk, kv->key, kv->secret ? "" : kv->value,
				      err, sizeof err);
		if (r == RD_KAFKA_CONF_UNKNOWN ||
		    (r != RD_KAFKA_CONF_OK && !kv->secret))
			return bad(v, &kv->key, path, "%s", err);
	}
	return 0;
}

static int check_kafka(const struct vctx *v, const csla_daemon_conf_t *d)
{
	char path[160];
	rd_kafka_conf_t *rk;
	int rc;

	for (size_t i = 0; i < d->nkafka; i++) {
		const csla_kv_t *kv = &d->kafka[i];
		size_t nref = sizeof kafka_refused / sizeof kafka_refused[0];

		snprintf(path, sizeof path, "kafka.%s", kv->key ? kv->key : "");
		if (!kv->key || !*kv->key || !kv->value)
			return bad(v, &kv->key, path, "needs a name and a value");
		for (size_t k = 0; k < nref; k++)
			if (!strcmp(kv->key, kafka_refused[k].key))
				return bad(v, &kv->key, path,
					   "\"%s\" cannot be set here: %s",
					   kv->key, kafka_refused[k].why);
		for (size_t j = 0; j < i; j++) {
			if (strcmp(d->kafka[j].key, kv->key))
				continue;
			if (d->kafka[j].line > 0)
				return bad(v, &kv->key, path,
					   "\"%s\" is set twice (first at line "
					   "%d)", kv->key, d->kafka[j].line);
			return bad(v, &kv->key, path, "\"%s\" is set twice",
				   kv->key);
		}
	}
	if (!d->nkafka)
		return 0;
	rk = rd_kafka_conf_new();
	rc = check_kafka_props(v, d, rk);
	rd_kafka_conf_destroy(rk);
	return rc;
}

static int check_redis(const struct vctx *v, const csla_daemon_conf_t *d)
{
	size_t n;

	if (check_nonempty(v, &d->redis_host, "redis.host"))
		return -1;
	if (d->redis_unix) {
		n = strlen(d->redis_unix);
		if (n < 1 || n > UNIX_PATH_MAX_BYTES)
			return bad(v, &d->redis_unix, "redis.unix_socket",
				   "must be 1 to %d bytes (a socket path's "
				   "limit)", UNIX_PATH_MAX_BYTES);
	}
	if (d->redis_user && check_nonempty(v, &d->redis_user, "redis.user"))
		return -1;
	if (d->redis_password &&
	    check_nonempty(v, &d->redis_password, "redis.password"))
		return -1;
	if (d->redis_user && !d->redis_password)
		return bad(v, &d->redis_user, "redis.user",
			   "needs password or password_file");
	n = d->prefix ? strlen(d->prefix) : 0;
	if (n < 1 || n > PREFIX_MAX_BYTES)
		return bad(v, &d->prefix, "redis.prefix", "must be 1 to %d bytes",
			   PREFIX_MAX_BYTES);
	return check_fields(v, "redis", csla_redis_fields, csla_n_redis_fields,
			    d, ~0u);
}

static int check_daemon_group(const struct vctx *v,
			      const csla_daemon_conf_t *d)
{
	char a[32], b[32];

	if (check_fields(v, "daemon", csla_daemon_fields,
			 csla_n_daemon_fields, d, ~0u))
		return -1;
	if (d->checkpoint_interval_ms >= d->flush_interval_ms)
		return 0;
	/* Named where the file set it: either may be the default. */
	csla_conf_fmt_duration(d->checkpoint_interval_ms, a, sizeof a);
	csla_conf_fmt_duration(d->flush_interval_ms, b, sizeof b);
	if (!recorded(v, &d->checkpoint_interval_ms) &&
	    recorded(v, &d->flush_interval_ms))
		return bad(v, &d->flush_interval_ms, "daemon.flush_interval",
			   "%s is longer than daemon.checkpoint_interval (%s)",
			   b, a);
	return bad(v, &d->checkpoint_interval_ms, "daemon.checkpoint_interval",
		   "%s is shorter than daemon.flush_interval (%s)", a, b);
}

static int check_daemon(const struct vctx *v, const csla_daemon_conf_t *d)
{
	if (check_consumer(v, d) || check_kafka(v, d) || check_redis(v, d) ||
	    check_daemon_group(v, d))
		return -1;
	return 0;
}

/* A token goes into an HTTP header: visible ASCII only, and long enough
 * not to be guessed. */
#define TOKEN_MIN_BYTES 16

static int check_http(const struct vctx *v, const csla_http_conf_t *h)
{
	csla_redis_addr_t addr;
	char err[512];

	if (!h->listen || csla_listen_addr_parse(h->listen, &addr, err,
						 sizeof err))
		return bad(v, &h->listen, "http.listen", "%s",
			   h->listen ? err : "must not be empty");
	if (h->token) {
		size_t n = strlen(h->token);

		if (n < TOKEN_MIN_BYTES)
			return bad(v, &h->token, "http.token_file",
				   "the token is %zu bytes: give at least %d",
				   n, TOKEN_MIN_BYTES);
		for (const char *c = h->token; *c; c++)
			if (*c <= ' ' || *c > '~')
				return bad(v, &h->token, "http.token_file",
					   "the token may hold visible ASCII "
					   "characters only");
	}
	return check_fields(v, "http", csla_http_fields, csla_n_http_fields,
			    h, ~0u);
}

/* ---- alerts { } ------------------------------------------------------------ */

#define ALERT_NAME_MAX_BYTES 64
#define STREAM_KEY_MAX_BYTES 64
#define STREAM_MAXLEN_MAX 1000000000u
#define PAGERDUTY_URL "https://events.pagerduty.com/v2/enqueue"

/* Rule and notifier names: they appear in keys, logs and URLs. */
static bool alert_name_ok(const char *n)
{
	size_t len = n ? strlen(n) : 0;

	if (len < 1 || len > ALERT_NAME_MAX_BYTES)
		return false;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') ||
		      (*n >= '0' && *n <= '9') || *n == '_' || *n == '-' ||
		      *n == '.'))
			return false;
	return true;
}

#define ALERT_NAME_RULE "must be 1 to 64 of a-z A-Z 0-9 _ - ."

static int check_notifier(const struct vctx *v, csla_alerts_conf_t *ac,
			  size_t i)
{
	csla_notifier_conf_t *n = &ac->notifiers[i];
	char ctx[64], path[128];
	char a[32], b[32];

	snprintf(ctx, sizeof ctx, "alerts.notifiers[%zu]", i);
	snprintf(path, sizeof path, "%s.name", ctx);
	if (!alert_name_ok(n->name))
		return bad(v, &n->name, path, ALERT_NAME_RULE);
	for (size_t j = 0; j < i; j++)
		if (!strcmp(ac->notifiers[j].name, n->name))
			return bad(v, &n->name, path, "notifier \"%s\" is "
				   "defined twice (first at line %d)", n->name,
				   ac->notifiers[j].line);
	snprintf(path, sizeof path, "%s.type", ctx);
	if ((unsigned)n->kind > CSLA_NOTIFY_ALERTMANAGER)
		return bad(v, &n->kind, path, "unknown type %d", (int)n->kind);
	if (!n->url && n->kind == CSLA_NOTIFY_PAGERDUTY)
		n->url = dup_str(PAGERDUTY_URL);
	snprintf(path, sizeof path, "%s.url", ctx);
	if (!n->url)
		return bad(v, &n->name, path, "needs a url");
	if (strncmp(n->url, "http://", 7) && strncmp(n->url, "https://", 8))
		return bad(v, &n->url, path, "\"%s\" is not an http:// or "
			   "https:// URL", n->url);
	snprintf(path, sizeof path, "%s.secret_file", ctx);
	if (n->secret && n->kind != CSLA_NOTIFY_WEBHOOK)
		return bad(v, &n->secret, path, "only a webhook notifier signs "
			   "its requests");
	unsigned char key[CSLA_NOTIFY_KEY_MAX];
	size_t keylen = sizeof key;
	int keyrc = n->secret ? csla_notify_secret_key(n->secret, key, &keylen)
			      : 0;
	explicit_bzero(key, sizeof key);
	if (keyrc < 0)
		return bad(v, &n->secret, path, "must be \"whsec_\" and base64, "
			   "or at most %d bytes", CSLA_NOTIFY_KEY_MAX);
	snprintf(path, sizeof path, "%s.routing_key_file", ctx);
	if (n->routing_key && n->kind != CSLA_NOTIFY_PAGERDUTY)
		return bad(v, &n->routing_key, path, "only a pagerduty "
			   "notifier takes a routing key");
	if (!n->routing_key && n->kind == CSLA_NOTIFY_PAGERDUTY)
		return bad(v, &n->name, path, "a pagerduty notifier needs "
			   "routing_key_file");
	if (check_fields(v, ctx, csla_notifier_fields, csla_n_notifier_fields,
			 n, ~0u))
		return -1;
	if (n->backoff_min_ms <= n->backoff_max_ms)
		return 0;
	snprintf(path, sizeof path, "%s.backoff_max", ctx);
	return bad(v, recorded(v, &n->backoff_max_ms) ? &n->backoff_max_ms
						       : &n->backoff_min_ms,
		   path, "backoff_max (%s) is shorter than backoff_min (%s)",
		   csla_conf_fmt_duration(n->backoff_max_ms, a, sizeof a),
		   csla_conf_fmt_duration(n->backoff_min_ms, b, sizeof b));
}

/* Whether conf has a window of this name, as snapshots name them. */
static bool window_known(const csla_conf_t *conf, const char *w)
{
	char buf[32];

	if (!strcmp(w, "today"))
		return true;
	for (size_t i = 0; i < conf->nrolling; i++)
		if (!strcmp(w, csla_window_name("", conf->rolling_ms[i], buf,
						sizeof buf)))
			return true;
	for (size_t i = 0; i < conf->nintervals; i++)
		if (!strcmp(w, csla_window_name("cur", conf->interval_ms[i], buf,
						sizeof buf)) ||
		    !strcmp(w, csla_window_name("prev", conf->interval_ms[i],
						buf, sizeof buf)))
			return true;
	return false;
}

static int check_alert_rule(const struct vctx *v, const csla_conf_t *conf,
			    size_t i)
{
	const csla_alerts_conf_t *ac = &conf->alerts;
	const csla_alert_rule_t *r = &ac->rules[i];
	char ctx[64], path[128];
	const char *why;
	/* For "<" a healthy value is above the threshold, for ">" below. */
	bool low_is_bad = r->cmp == CSLA_CMP_LT || r->cmp == CSLA_CMP_LE;

	snprintf(ctx, sizeof ctx, "alerts.rules[%zu]", i);
	snprintf(path, sizeof path, "%s.name", ctx);
	if (!alert_name_ok(r->name))
		return bad(v, &r->name, path, ALERT_NAME_RULE);
	for (size_t j = 0; j < i; j++)
		if (!strcmp(ac->rules[j].name, r->name))
			return bad(v, &r->name, path, "rule \"%s\" is defined "
				   "twice (first at line %d)", r->name,
				   ac->rules[j].line);
	snprintf(path, sizeof path, "%s.tenant", ctx);
	if ((why = glob_error(r->tenant ? r->tenant : "")))
		return bad(v, &r->tenant, path, "pattern %s", why);
	snprintf(path, sizeof path, "%s.id", ctx);
	if ((why = glob_error(r->id ? r->id : "")))
		return bad(v, &r->id, path, "pattern %s", why);
	snprintf(path, sizeof path, "%s.scope", ctx);
	if (r->scope < 0 || r->scope >= CSLA_SCOPE__COUNT)
		return bad(v, &r->scope, path, "unknown scope %d", r->scope);
	snprintf(path, sizeof path, "%s.metric", ctx);
	if (r->metric < 0 || r->metric >= CSLA_AM__COUNT)
		return bad(v, &r->metric, path, "unknown metric %d", r->metric);
	if (!csla_alert_metric_in_scope(r->metric, (csla_scope_t)r->scope))
		return bad(v, &r->metric, path, "%s is not a field of %s rows",
			   csla_alert_metric_name(r->metric),
			   csla_scope_name((csla_scope_t)r->scope));
	snprintf(path, sizeof path, "%s.window", ctx);
	if (!r->window || !window_known(conf, r->window))
		return bad(v, &r->window, path, "no window \"%s\" in "
			   "engine.windows / engine.intervals (\"15m\", "
			   "\"cur30m\", \"prev15m\", \"today\", ...)",
			   r->window ? r->window : "");
	snprintf(path, sizeof path, "%s.op", ctx);
	if ((unsigned)r->cmp > CSLA_CMP_GE)
		return bad(v, &r->cmp, path, "unknown comparison %d",
			   (int)r->cmp);
	snprintf(path, sizeof path, "%s.threshold", ctx);
	if (!isfinite(r->threshold))
		return bad(v, &r->threshold, path, "must be a finite number");
	snprintf(path, sizeof path, "%s.clear", ctx);
	if (r->has_clear && (!isfinite(r->clear) ||
			     (low_is_bad ? r->clear < r->threshold
					 : r->clear > r->threshold)))
		return bad(v, &r->clear, path, "%g is on the wrong side of "
			   "the threshold %g: with op \"%s\" an alert clears "
			   "once the value is %s it", r->clear, r->threshold,
			   r->cmp == CSLA_CMP_LT ? "<" : r->cmp == CSLA_CMP_LE
			   ? "<=" : r->cmp == CSLA_CMP_GT ? ">" : ">=",
			   low_is_bad ? "back above" : "back below");
	snprintf(path, sizeof path, "%s.severity", ctx);
	if ((unsigned)r->severity > CSLA_SEV_CRITICAL)
		return bad(v, &r->severity, path, "unknown severity %d",
			   (int)r->severity);
	for (size_t k = 0; k < r->nnotifiers; k++) {
		size_t j = 0;

		while (j < ac->nnotifiers && (!r->notifiers[k] ||
		       strcmp(ac->notifiers[j].name, r->notifiers[k])))
			j++;
		snprintf(path, sizeof path, "%s.notifiers[%zu]", ctx, k);
		if (j == ac->nnotifiers)
			return bad(v, &r->notifiers[k], path, "no notifier "
				   "\"%s\" in alerts.notifiers",
				   r->notifiers[k] ? r->notifiers[k] : "");
		for (size_t m = 0; m < k; m++)
			if (!strcmp(r->notifiers[m], r->notifiers[k]))
				return bad(v, &r->notifiers[k], path,
					   "\"%s\" is listed twice",
					   r->notifiers[k]);
	}
	snprintf(path, sizeof path, "%s.summary", ctx);
	if ((why = csla_alert_summary_error(r)))
		return bad(v, &r->summary, path, "the template %s", why);
	return check_fields(v, ctx, csla_rule_fields, csla_n_rule_fields, r,
			    ~0u);
}

static int check_alerts(const struct vctx *v, csla_conf_t *conf)
{
	csla_alerts_conf_t *ac = &conf->alerts;
	size_t n = ac->stream_key ? strlen(ac->stream_key) : 0;

	if (check_fields(v, "alerts", csla_alerts_fields, csla_n_alerts_fields,
			 ac, ~0u))
		return -1;
	if (n < 1 || n > STREAM_KEY_MAX_BYTES)
		return bad(v, &ac->stream_key, "alerts.stream_key",
			   "must be 1 to %d bytes", STREAM_KEY_MAX_BYTES);
	if (ac->stream_maxlen < 1 || ac->stream_maxlen > STREAM_MAXLEN_MAX)
		return bad(v, &ac->stream_maxlen, "alerts.stream_maxlen",
			   "must be from 1 to %u", STREAM_MAXLEN_MAX);
	for (size_t i = 0; i < ac->nnotifiers; i++)
		if (check_notifier(v, ac, i))
			return -1;
	for (size_t i = 0; i < ac->nrules; i++)
		if (check_alert_rule(v, conf, i))
			return -1;
	return 0;
}

bool csla_conf_kafka_sensitive(const char *key)
{
	return strstr(key, "password") || strstr(key, "secret") ||
	       !strcmp(key, "ssl.key.pem") ||
	       !strcmp(key, "sasl.oauthbearer.config");
}

int csla_conf_validate_src(csla_conf_t *conf, const csla_conf_src_t *src,
			   char *errstr, size_t errlen)
{
	const struct vctx v = { conf, src, errstr, errlen };

	if (check_fields(&v, "engine", csla_engine_fields,
			 csla_n_engine_fields, conf, ~0u) ||
	    check_fields(&v, "defaults", csla_queue_fields,
			 csla_n_queue_fields, &conf->queue_defaults, ~0u) ||
	    load_tz(&v, &conf->default_timezone, &conf->default_tz,
		    "defaults.timezone") ||
	    check_rules(&v, "queues", conf->queues, conf->nqueues))
		return -1;
	for (size_t i = 0; i < conf->ntenants; i++)
		if (check_tenant(&v, conf, i))
			return -1;
	if (check_daemon(&v, &conf->daemon) || check_http(&v, &conf->http) ||
	    check_alerts(&v, conf))
		return -1;
	return 0;
}

int csla_conf_validate(csla_conf_t *conf, char *errstr, size_t errlen)
{
	return csla_conf_validate_src(conf, NULL, errstr, errlen);
}

/* ---- lookups -------------------------------------------------------------- */

const csla_tenant_conf_t *csla_conf_tenant(const csla_conf_t *conf,
					   const char *tenant, size_t len)
{
	for (size_t i = 0; i < conf->ntenants; i++) {
		const char *n = conf->tenants[i].name;

		if (strlen(n) == len && !memcmp(n, tenant, len))
			return &conf->tenants[i];
	}
	return NULL;
}

static size_t kind_size(csla_cf_kind_t kind)
{
	switch (kind) {
	case CSLA_CF_DURATION:
		return sizeof(int64_t);
	case CSLA_CF_UINT32:
		return sizeof(uint32_t);
	case CSLA_CF_BOOL:
		return sizeof(bool);
	case CSLA_CF_SIZE:
		return sizeof(size_t);
	case CSLA_CF_INT:
		return sizeof(int);
	case CSLA_CF_CLOCK:
		return sizeof(csla_clock_t);
	case CSLA_CF_SL_MODE:
		return sizeof(csla_sl_mode_t);
	default: /* lists are not queue settings */
		return 0;
	}
}

static void apply(csla_queue_conf_t *q, const csla_queue_override_t *o)
{
	for (size_t i = 0; i < csla_n_queue_fields; i++) {
		const csla_conf_field_t *f = &csla_queue_fields[i];

		if (o->set & f->bit)
			memcpy((char *)q + f->off, (const char *)&o->v + f->off,
			       kind_size(f->kind));
	}
}

static const csla_queue_override_t *
first_match(const csla_queue_override_t *q, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!fnmatch(q[i].match, name, 0))
			return &q[i];
	return NULL;
}

void csla_conf_queue(const csla_conf_t *conf, const csla_tenant_conf_t *tc,
		     const char *queue, size_t len, csla_queue_conf_t *out)
{
	char small[NAME_MAX_BYTES * 2 + 1];
	char *name = len < sizeof small ? small : csla_xmalloc(len + 1);
	const csla_queue_override_t *o;

	memcpy(name, queue, len);
	name[len] = '\0';
	csla_conf_tenant_scope(conf, tc, out);
	o = first_match(conf->queues, conf->nqueues, name);
	if (o)
		apply(out, o);
	if (tc) {
		o = first_match(tc->queues, tc->nqueues, name);
		if (o)
			apply(out, o);
	}
	if (name != small)
		free(name);
}

void csla_conf_tenant_scope(const csla_conf_t *conf,
			    const csla_tenant_conf_t *tc,
			    csla_queue_conf_t *out)
{
	*out = conf->queue_defaults;
	if (tc)
		apply(out, &tc->own);
}

const csla_tz_t *csla_conf_tz(const csla_conf_t *conf,
			      const csla_tenant_conf_t *tc)
{
	return tc && tc->tz ? tc->tz : conf->default_tz;
}
