/* conf_file.c - csla_conf_load(): the libconfig file onto csla_conf_t.
 *
 * Parsing checks types, names and syntax (every member must be a known
 * setting, so a typo cannot pass silently) and records where each value
 * came from; csla_conf_validate_src() then checks the values.  Every
 * message names FILE:LINE. */
#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callsla/timefmt.h"
#include "conf_fields.h"
#include "util.h"

struct loader {
	csla_conf_t *conf;
	csla_conf_src_t src;
	char *errstr;
	size_t errlen;
};

/* "tenants[0].queues[1].ring_cycle" */
static void path_of(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *chain[32];
	size_t n = 0, used = 0;

	for (; s && !config_setting_is_root(s) && n < 32;
	     s = config_setting_parent(s))
		chain[n++] = s;
	buf[0] = '\0';
	while (n-- > 0 && used < len) {
		const config_setting_t *c = chain[n];
		int w;

		if (config_setting_name(c))
			w = snprintf(buf + used, len - used, "%s%s",
				     used ? "." : "", config_setting_name(c));
		else
			w = snprintf(buf + used, len - used, "[%d]",
				     config_setting_index(c));
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static const char *file_of(const struct loader *ld, const config_setting_t *s)
{
	const char *f = config_setting_source_file(s);

	return f ? f : ld->conf->path;
}

__attribute__((format(printf, 3, 4)))
static int fail(struct loader *ld, const config_setting_t *s, const char *fmt,
		...)
{
	char path[256], msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	path_of(s, path, sizeof path);
	if (ld->errlen)
		snprintf(ld->errstr, ld->errlen, "%s:%u: %s: %s", file_of(ld, s),
			 config_setting_source_line(s), path, msg);
	return -1;
}

static void note(struct loader *ld, const void *field,
		 const config_setting_t *s)
{
	char path[256];

	path_of(s, path, sizeof path);
	csla_conf_src_add(&ld->src, field, file_of(ld, s),
			  (int)config_setting_source_line(s), path);
}

/* ---- values --------------------------------------------------------------- */

static bool is_int(const config_setting_t *s)
{
	int t = config_setting_type(s);

	return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

static int read_duration(struct loader *ld, const config_setting_t *s,
			 int64_t *out)
{
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		const char *str = config_setting_get_string(s);

		if (csla_duration_parse(str, out))
			return fail(ld, s, "\"%s\" is not a duration such as "
				    "\"250ms\", \"20s\", \"5m\", \"2h\"", str);
		return 0;
	}
	if (is_int(s)) {
		long long v = config_setting_get_int64(s);

		if (v > INT64_MAX / 1000 || v < -(INT64_MAX / 1000))
			return fail(ld, s, "%lld seconds is too long", v);
		*out = v * 1000;
		return 0;
	}
	return fail(ld, s, "expected a duration such as \"20s\" or whole "
		    "seconds");
}

/* An integer that fits [0, max]; out of that it cannot be stored, so its
 * range is reported here rather than by validation. */
static int read_count(struct loader *ld, const config_setting_t *s,
		      const csla_conf_field_t *f, uint64_t max, uint64_t *out)
{
	long long v;

	if (!is_int(s))
		return fail(ld, s, "expected an integer");
	v = config_setting_get_int64(s);
	if (v < 0 || (unsigned long long)v > max)
		return fail(ld, s, "must be %s", f->range);
	*out = (uint64_t)v;
	return 0;
}

static int read_enum(struct loader *ld, const config_setting_t *s,
		     csla_cf_kind_t kind, int *out)
{
	size_t n;
	const char *const *names = csla_cf_enum_names(kind, &n);
	const char *str;
	char list[128] = "";

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		str = config_setting_get_string(s);
		for (size_t i = 0; i < n; i++)
			if (!strcmp(str, names[i])) {
				*out = (int)i;
				return 0;
			}
	}
	for (size_t i = 0; i < n; i++) {
		strcat(list, i ? ", \"" : "\"");
		strcat(list, names[i]);
		strcat(list, "\"");
	}
	return fail(ld, s, "expected one of %s", list);
}

static int read_list(struct loader *ld, const config_setting_t *s,
		     const csla_conf_field_t *f, char *base)
{
	int64_t *w = (int64_t *)(base + f->off2);
	size_t n;

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return fail(ld, s, "expected a list of durations such as "
			    "[\"5m\", \"15m\"]");
	n = (size_t)config_setting_length(s);
	if (n > CSLA_MAX_WINDOWS)
		return fail(ld, s, "at most %d durations", CSLA_MAX_WINDOWS);
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);

		if (read_duration(ld, e, &w[i]))
			return -1;
		note(ld, &w[i], e);
	}
	memcpy(base + f->off, &n, sizeof n);
	return 0;
}

/* Stores setting s into field f of base. */
static int take(struct loader *ld, const config_setting_t *s,
		const csla_conf_field_t *f, void *base_v)
{
	char *base = base_v, *p = base + f->off;
	int64_t d;
	uint64_t u;
	int e = 0;

	switch (f->kind) {
	case CSLA_CF_DURATION:
		if (read_duration(ld, s, &d))
			return -1;
		memcpy(p, &d, sizeof d);
		break;
	case CSLA_CF_UINT32: {
		uint32_t v;

		if (read_count(ld, s, f, UINT32_MAX, &u))
			return -1;
		v = (uint32_t)u;
		memcpy(p, &v, sizeof v);
		break;
	}
	case CSLA_CF_SIZE: {
		size_t v;

		if (read_count(ld, s, f, SIZE_MAX, &u))
			return -1;
		v = (size_t)u;
		memcpy(p, &v, sizeof v);
		break;
	}
	case CSLA_CF_BOOL: {
		bool b;

		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return fail(ld, s, "expected true or false");
		b = config_setting_get_bool(s);
		memcpy(p, &b, sizeof b);
		break;
	}
	case CSLA_CF_CLOCK:
	case CSLA_CF_SL_MODE:
		if (read_enum(ld, s, f->kind, &e))
			return -1;
		memcpy(p, &e, sizeof e);
		break;
	case CSLA_CF_WINDOWS:
	case CSLA_CF_INTERVALS:
		if (read_list(ld, s, f, base))
			return -1;
		break;
	}
	note(ld, p, s);
	return 0;
}

static int read_string(struct loader *ld, const config_setting_t *s,
		       char **out)
{
	const char *str;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(ld, s, "expected a string");
	str = config_setting_get_string(s);
	free(*out);
	*out = csla_xstrndup(str, strlen(str));
	note(ld, out, s);
	return 0;
}

/* ---- groups --------------------------------------------------------------- */

/* A member of a group that is not in its field table: 1 when taken, 0 when
 * unknown, -1 on error. */
typedef int (*extra_fn)(struct loader *ld, const config_setting_t *s,
			void *obj);

/* Reads group g: members named in tab go into base (and their bit into
 * *set), others to extra(). */
static int read_members(struct loader *ld, const config_setting_t *g,
			const csla_conf_field_t *tab, size_t ntab, void *base,
			unsigned *set, extra_fn extra, void *obj)
{
	if (!config_setting_is_group(g))
		return fail(ld, g, "expected a group { ... }");
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		size_t k;
		int rc;

		for (k = 0; k < ntab && strcmp(tab[k].name, name); k++)
			;
		if (k < ntab) {
			if (take(ld, s, &tab[k], base))
				return -1;
			if (set)
				*set |= tab[k].bit;
			continue;
		}
		rc = extra ? extra(ld, s, obj) : 0;
		if (rc < 0)
			return -1;
		if (rc == 0)
			return fail(ld, s, "unknown setting");
	}
	return 0;
}

static int rule_extra(struct loader *ld, const config_setting_t *s, void *obj)
{
	csla_queue_override_t *o = obj;

	if (strcmp(config_setting_name(s), "match"))
		return 0;
	return read_string(ld, s, &o->match) ? -1 : 1;
}

/* ( { match = "glob"; settings... }, ... ) */
static int read_rules(struct loader *ld, const config_setting_t *s,
		      csla_queue_override_t **out, size_t *nout)
{
	size_t n;

	if (!config_setting_is_list(s))
		return fail(ld, s, "expected a list ( { match = \"...\"; ... } )");
	n = (size_t)config_setting_length(s);
	/* Sized once: the recorded field addresses must not move. */
	*out = csla_xcalloc(n, sizeof **out);
	*nout = n;
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		csla_queue_override_t *o = &(*out)[i];

		o->line = (int)config_setting_source_line(e);
		if (read_members(ld, e, csla_queue_fields, csla_n_queue_fields,
				 &o->v, &o->set, rule_extra, o))
			return -1;
		if (!o->match)
			return fail(ld, e, "missing \"match\"");
	}
	return 0;
}

static int tenant_extra(struct loader *ld, const config_setting_t *s,
			void *obj)
{
	csla_tenant_conf_t *t = obj;
	const char *name = config_setting_name(s);

	if (!strcmp(name, "name"))
		return read_string(ld, s, &t->name) ? -1 : 1;
	if (!strcmp(name, "timezone"))
		return read_string(ld, s, &t->timezone) ? -1 : 1;
	if (!strcmp(name, "queues"))
		return read_rules(ld, s, &t->queues, &t->nqueues) ? -1 : 1;
	return 0;
}

static int defaults_extra(struct loader *ld, const config_setting_t *s,
			  void *obj)
{
	csla_conf_t *conf = obj;

	if (strcmp(config_setting_name(s), "timezone"))
		return 0;
	return read_string(ld, s, &conf->default_timezone) ? -1 : 1;
}

/* ---- top-level sections --------------------------------------------------- */

static int read_engine(struct loader *ld, const config_setting_t *s)
{
	return read_members(ld, s, csla_engine_fields, csla_n_engine_fields,
			    ld->conf, NULL, NULL, NULL);
}

static int read_defaults(struct loader *ld, const config_setting_t *s)
{
	return read_members(ld, s, csla_queue_fields, csla_n_queue_fields,
			    &ld->conf->queue_defaults, NULL, defaults_extra,
			    ld->conf);
}

static int read_queues(struct loader *ld, const config_setting_t *s)
{
	return read_rules(ld, s, &ld->conf->queues, &ld->conf->nqueues);
}

static int read_tenants(struct loader *ld, const config_setting_t *s)
{
	csla_conf_t *conf = ld->conf;
	size_t n;

	if (!config_setting_is_list(s))
		return fail(ld, s, "expected a list ( { name = \"...\"; ... } )");
	n = (size_t)config_setting_length(s);
	conf->tenants = csla_xcalloc(n, sizeof *conf->tenants);
	conf->ntenants = n;
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		csla_tenant_conf_t *t = &conf->tenants[i];

		t->line = t->own.line = (int)config_setting_source_line(e);
		if (read_members(ld, e, csla_queue_fields, csla_n_queue_fields,
				 &t->own.v, &t->own.set, tenant_extra, t))
			return -1;
		if (!t->name)
			return fail(ld, e, "missing \"name\"");
	}
	return 0;
}

/* The top-level settings.  A new group (kafka, redis, ...) is one entry. */
static const struct section {
	const char *name;
	int (*read)(struct loader *ld, const config_setting_t *s);
} sections[] = {
	{ "engine", read_engine },
	{ "defaults", read_defaults },
	{ "queues", read_queues },
	{ "tenants", read_tenants },
};

static int read_root(struct loader *ld, const config_setting_t *root)
{
	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		size_t k, n = sizeof sections / sizeof sections[0];

		for (k = 0; k < n && strcmp(sections[k].name,
					    config_setting_name(s)); k++)
			;
		if (k == n)
			return fail(ld, s, "unknown setting");
		if (sections[k].read(ld, s))
			return -1;
	}
	return 0;
}

csla_conf_t *csla_conf_load(const char *path, char *errstr, size_t errlen)
{
	struct loader ld = { .errstr = errstr, .errlen = errlen };
	config_t cfg;
	int rc;

	config_init(&cfg);
	errno = 0;
	if (!config_read_file(&cfg, path)) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			snprintf(errstr, errlen, "%s: cannot read: %s", path,
				 errno ? strerror(errno) : "not a file");
		else
			snprintf(errstr, errlen, "%s:%d: %s",
				 config_error_file(&cfg) ?
					 config_error_file(&cfg) : path,
				 config_error_line(&cfg),
				 config_error_text(&cfg));
		config_destroy(&cfg);
		return NULL;
	}
	ld.conf = csla_conf_new_defaults();
	ld.conf->path = csla_xstrndup(path, strlen(path));
	rc = read_root(&ld, config_root_setting(&cfg));
	if (!rc)
		rc = csla_conf_validate_src(ld.conf, &ld.src, errstr, errlen);
	/* The records point into cfg: free them first. */
	csla_conf_src_free(&ld.src);
	config_destroy(&cfg);
	if (rc) {
		csla_conf_destroy(ld.conf);
		return NULL;
	}
	return ld.conf;
}
