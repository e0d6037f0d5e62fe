/* config.c - the built-in defaults, the settings tables, the validation
 * pass and the lookups of config.h.  No I/O but time zone loading; the file
 * parser is conf_file.c. */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_fields.h"
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
	char msg[256];
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
