/* conf_file.c - csla_conf_load(): the libconfig file onto csla_conf_t.
 *
 * Parsing checks types, names and syntax (every member must be a known
 * setting, so a typo cannot pass silently), reads the secret files that
 * *_file settings name, and records where each value came from;
 * csla_conf_validate_src() then checks the values.  Every message names
 * FILE:LINE. */
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "callsla/alert.h"
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
	char path[256], msg[512];
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

/* A string that must be one of names[0..n): its index into *out. */
static int read_choice(struct loader *ld, const config_setting_t *s,
		       const char *const *names, size_t n, int *out)
{
	const char *str;
	char list[160] = "";

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

static int read_enum(struct loader *ld, const config_setting_t *s,
		     csla_cf_kind_t kind, int *out)
{
	size_t n;
	const char *const *names = csla_cf_enum_names(kind, &n);

	return read_choice(ld, s, names, n, out);
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
	uint64_t u = 0; /* set on success; gcc -O3 cannot tell */
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
	case CSLA_CF_INT: {
		int v;

		if (read_count(ld, s, f, INT_MAX, &u))
			return -1;
		v = (int)u;
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

/* ---- secrets from files ---------------------------------------------------- */

/* Credentials can be large (a PEM key) but not this large. */
#define SECRET_MAX_BYTES 1048576 /* 1 MiB */
#define STR_(x) #x
#define STR(x) STR_(x)
#define CRED_VAR "CREDENTIALS_DIRECTORY"

/* dir (dlen bytes) + "/" + rest, malloc'ed. */
static char *join_path(const char *dir, size_t dlen, const char *rest)
{
	size_t rlen = strlen(rest);
	char *out = csla_xmalloc(dlen + 1 + rlen + 1);

	memcpy(out, dir, dlen);
	out[dlen] = '/';
	memcpy(out + dlen + 1, rest, rlen + 1);
	return out;
}

/* The file a *_file setting names, malloc'ed: "$CREDENTIALS_DIRECTORY/x"
 * (or "${...}/x") under that variable, which systemd sets for a service
 * with LoadCredential=; an absolute path as written; any other path
 * relative to the configuration file's folder, so that the result does not
 * depend on the daemon's working directory.  NULL after fail(). */
static char *secret_path(struct loader *ld, const config_setting_t *s)
{
	static const char *const vars[] = { "$" CRED_VAR "/",
					    "${" CRED_VAR "}/" };
	const char *p, *slash;

	if (config_setting_type(s) != CONFIG_TYPE_STRING ||
	    !*config_setting_get_string(s)) {
		fail(ld, s, "expected a file name");
		return NULL;
	}
	p = config_setting_get_string(s);
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		size_t vlen = strlen(vars[i]);
		const char *dir;

		if (strncmp(p, vars[i], vlen))
			continue;
		dir = getenv(CRED_VAR);
		if (!dir || !*dir) {
			fail(ld, s, "$" CRED_VAR " is not set (systemd sets it "
			     "for a service with LoadCredential=)");
			return NULL;
		}
		return join_path(dir, strlen(dir), p + vlen);
	}
	slash = strrchr(ld->conf->path, '/');
	if (p[0] == '/' || !slash) /* a bare file name: its folder is "." */
		return csla_xstrndup(p, strlen(p));
	/* "/x.conf" gives an empty dir, and so "/" + p. */
	return join_path(ld->conf->path, (size_t)(slash - ld->conf->path), p);
}

/* Reads size bytes of fd into *buf (malloc'ed, NUL-terminated, *n bytes
 * read).  Returns 0, or an errno value with nothing allocated. */
static int read_all(int fd, size_t size, char **buf, size_t *n)
{
	/* Sized once from fstat: growing would leave copies behind in freed
	 * memory.  A file that grows meanwhile is read up to its old size. */
	char *b = csla_xmalloc(size + 1);
	size_t got = 0;

	while (got < size) {
		ssize_t r = read(fd, b + got, size - got);

		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			int e = errno;

			explicit_bzero(b, got);
			free(b);
			return e;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	b[got] = '\0';
	*buf = b;
	*n = got;
	return 0;
}

/* Reads the secret file that setting s names into *out (malloc'ed, one
 * trailing "\n" or "\r\n" removed, as `echo` and editors leave one).  The
 * caller owns *out and frees it with csla_conf_secret_free().  Messages
 * name the file and the OS error, never the contents. */
static int read_secret(struct loader *ld, const config_setting_t *s,
		       char **out)
{
	char *path = secret_path(ld, s), *buf = NULL;
	const char *why = NULL; /* our reason, else strerror(e) */
	struct stat st;
	size_t n = 0;
	int fd, e = 0, rc = -1;

	if (!path)
		return -1;
	/* O_NONBLOCK: a FIFO would block open() until a writer came. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1 || fstat(fd, &st) == -1)
		e = errno;
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_size > SECRET_MAX_BYTES)
		why = "larger than " STR(SECRET_MAX_BYTES) " bytes";
	else
		e = read_all(fd, (size_t)st.st_size, &buf, &n);
	if (fd != -1)
		close(fd);
	if (e || why) {
		fail(ld, s, "cannot read \"%s\": %s", path,
		     why ? why : strerror(e));
		goto out;
	}
	if (memchr(buf, '\0', n)) {
		fail(ld, s, "cannot use \"%s\": it holds a NUL byte", path);
		goto out;
	}
	if (n && buf[n - 1] == '\n') {
		buf[--n] = '\0';
		if (n && buf[n - 1] == '\r')
			buf[--n] = '\0';
	}
	if (!n) {
		fail(ld, s, "\"%s\" is empty", path);
		goto out;
	}
	*out = buf;
	buf = NULL;
	rc = 0;
out:
	if (buf) {
		explicit_bzero(buf, n);
		free(buf);
	}
	free(path);
	return rc;
}

/* ---- the daemon's groups -------------------------------------------------- */

/* The string settings of consumer { } and redis { }, read as they are and
 * checked by validation. */
static const struct str_field {
	const char *group, *name;
	size_t off;
} str_fields[] = {
	{ "consumer", "brokers", offsetof(csla_daemon_conf_t, brokers) },
	{ "consumer", "group", offsetof(csla_daemon_conf_t, group) },
	{ "consumer", "assignor", offsetof(csla_daemon_conf_t, assignor) },
	{ "consumer", "dead_letter_topic",
	  offsetof(csla_daemon_conf_t, dead_letter_topic) },
	{ "redis", "host", offsetof(csla_daemon_conf_t, redis_host) },
	{ "redis", "unix_socket", offsetof(csla_daemon_conf_t, redis_unix) },
	{ "redis", "user", offsetof(csla_daemon_conf_t, redis_user) },
	{ "redis", "prefix", offsetof(csla_daemon_conf_t, prefix) },
};

/* 1 when s is one of group's string settings (read into d), 0 if not. */
static int take_str(struct loader *ld, const config_setting_t *s,
		    const char *group, csla_daemon_conf_t *d)
{
	for (size_t i = 0; i < sizeof str_fields / sizeof str_fields[0]; i++) {
		const struct str_field *f = &str_fields[i];

		if (!strcmp(f->group, group) &&
		    !strcmp(f->name, config_setting_name(s)))
			return read_string(ld, s, (char **)((char *)d + f->off)) ?
				       -1 : 1;
	}
	return 0;
}

static void free_topics(csla_daemon_conf_t *d)
{
	for (size_t i = 0; i < d->ntopics; i++)
		free(d->topics[i]);
	free(d->topics);
	d->topics = NULL;
	d->ntopics = 0;
}

/* topics = [ "cc.calls", "cc.agents" ]: replaces the defaults. */
static int read_topics(struct loader *ld, const config_setting_t *s,
		       csla_daemon_conf_t *d)
{
	size_t n;

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return fail(ld, s, "expected a list of topics such as "
			    "[\"cc.calls\", \"cc.agents\"]");
	n = (size_t)config_setting_length(s);
	free_topics(d);
	/* Sized once: the recorded field addresses must not move. */
	d->topics = csla_xcalloc(n, sizeof *d->topics);
	note(ld, &d->topics, s);
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return fail(ld, e, "expected a string");
		d->topics[i] = csla_xstrndup(config_setting_get_string(e),
					     strlen(config_setting_get_string(e)));
		d->ntopics = i + 1;
		note(ld, &d->topics[i], e);
	}
	return 0;
}

static int consumer_extra(struct loader *ld, const config_setting_t *s,
			  void *obj)
{
	csla_daemon_conf_t *d = obj;
	const char *name = config_setting_name(s);
	int rc = take_str(ld, s, "consumer", d);

	if (rc)
		return rc;
	if (!strcmp(name, "topics"))
		return read_topics(ld, s, d) ? -1 : 1;
	if (!strcmp(name, "start_from")) {
		const char *v = config_setting_type(s) == CONFIG_TYPE_STRING ?
					config_setting_get_string(s) : "";

		if (strcmp(v, "earliest") && strcmp(v, "latest"))
			return fail(ld, s, "expected one of \"earliest\", "
				    "\"latest\"");
		d->start_latest = !strcmp(v, "latest");
		note(ld, &d->start_latest, s);
		return 1;
	}
	return 0;
}

static int redis_extra(struct loader *ld, const config_setting_t *s,
		       void *obj)
{
	csla_daemon_conf_t *d = obj;
	const char *name = config_setting_name(s);
	bool from_file = !strcmp(name, "password_file");
	int rc = take_str(ld, s, "redis", d);

	if (rc)
		return rc;
	if (!from_file && strcmp(name, "password"))
		return 0;
	/* Both are set only by this function, and each once (libconfig
	 * refuses a repeated name). */
	if (d->redis_password)
		return fail(ld, s, "give password or password_file, not both");
	if (from_file) {
		if (read_secret(ld, s, &d->redis_password))
			return -1;
	} else {
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			return fail(ld, s, "expected a string");
		d->redis_password = csla_xstrndup(config_setting_get_string(s),
						  strlen(config_setting_get_string(s)));
	}
	note(ld, &d->redis_password, s);
	return 1;
}

/* A property's value in librdkafka's string form. */
static int kafka_value(struct loader *ld, const config_setting_t *s,
		       char **out)
{
	char num[32];

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		*out = csla_xstrndup(config_setting_get_string(s),
				     strlen(config_setting_get_string(s)));
		return 0;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		snprintf(num, sizeof num, "%lld", config_setting_get_int64(s));
		*out = csla_xstrndup(num, strlen(num));
		return 0;
	case CONFIG_TYPE_BOOL:
		*out = csla_xstrndup(config_setting_get_bool(s) ? "true" : "false",
				     config_setting_get_bool(s) ? 4 : 5);
		return 0;
	default:
		return fail(ld, s, "expected a string, an integer, true or "
			    "false");
	}
}

/* kafka { security_protocol = "sasl_ssl"; sasl_password_file = "..."; }:
 * librdkafka properties with '_' for '.' (libconfig names have no dots),
 * in file order.  Validation checks the names. */
static int read_kafka(struct loader *ld, const config_setting_t *g)
{
	csla_daemon_conf_t *d = &ld->conf->daemon;
	size_t n;

	if (!config_setting_is_group(g))
		return fail(ld, g, "expected a group { ... }");
	n = (size_t)config_setting_length(g);
	/* Sized once: the recorded field addresses must not move. */
	d->kafka = csla_xcalloc(n, sizeof *d->kafka);
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		size_t len = strlen(name);
		bool file = len > 5 && !strcmp(name + len - 5, "_file");
		csla_kv_t *kv = &d->kafka[d->nkafka++];

		kv->key = csla_xstrndup(name, file ? len - 5 : len);
		for (char *c = kv->key; *c; c++)
			if (*c == '_')
				*c = '.';
		kv->line = (int)config_setting_source_line(s);
		kv->secret = file || csla_conf_kafka_sensitive(kv->key);
		if (file ? read_secret(ld, s, &kv->value) :
			   kafka_value(ld, s, &kv->value))
			return -1;
		note(ld, &kv->key, s);
		note(ld, &kv->value, s);
	}
	return 0;
}

static int read_consumer(struct loader *ld, const config_setting_t *s)
{
	return read_members(ld, s, NULL, 0, &ld->conf->daemon, NULL,
			    consumer_extra, &ld->conf->daemon);
}

static int read_redis(struct loader *ld, const config_setting_t *s)
{
	return read_members(ld, s, csla_redis_fields, csla_n_redis_fields,
			    &ld->conf->daemon, NULL, redis_extra,
			    &ld->conf->daemon);
}

static int read_daemon(struct loader *ld, const config_setting_t *s)
{
	return read_members(ld, s, csla_daemon_fields, csla_n_daemon_fields,
			    &ld->conf->daemon, NULL, NULL, NULL);
}

/* http { }: listen as written (validation checks it); the bearer token
 * only from a file, so that it is never in the configuration itself. */
static int http_extra(struct loader *ld, const config_setting_t *s,
		      void *obj)
{
	csla_http_conf_t *h = obj;
	const char *name = config_setting_name(s);

	if (!strcmp(name, "listen"))
		return read_string(ld, s, &h->listen) ? -1 : 1;
	if (strcmp(name, "token_file"))
		return 0;
	if (read_secret(ld, s, &h->token))
		return -1;
	note(ld, &h->token, s);
	return 1;
}

static int read_http(struct loader *ld, const config_setting_t *s)
{
	return read_members(ld, s, csla_http_fields, csla_n_http_fields,
			    &ld->conf->http, NULL, http_extra, &ld->conf->http);
}

/* ---- alerts { } ------------------------------------------------------------ */

static const char *const scope_names[] = { "agent", "queue", "team",
					   "tenant" };
static const char *const cmp_names[] = { "<", "<=", ">", ">=" };
static const char *const severity_names[] = { "warning", "critical" };
static const char *const notifier_kinds[] = { "webhook", "slack",
					      "pagerduty", "alertmanager" };
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int read_number(struct loader *ld, const config_setting_t *s,
		       double *out)
{
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		*out = config_setting_get_float(s);
	else if (is_int(s))
		*out = (double)config_setting_get_int64(s);
	else
		return fail(ld, s, "expected a number");
	note(ld, out, s);
	return 0;
}

/* [ "a", "b" ] into a new array of strings, each noted. */
static int read_names(struct loader *ld, const config_setting_t *s,
		      char ***out, size_t *nout)
{
	size_t n;

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return fail(ld, s, "expected a list of names such as "
			    "[\"ops\"]");
	n = (size_t)config_setting_length(s);
	/* Sized once: the recorded field addresses must not move. */
	*out = csla_xcalloc(n + 1, sizeof **out);
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return fail(ld, e, "expected a string");
		(*out)[i] = csla_xstrndup(config_setting_get_string(e),
					  strlen(config_setting_get_string(e)));
		*nout = i + 1;
		note(ld, &(*out)[i], e);
	}
	return 0;
}

/* labels = { team = "frontline"; }: string values, in file order. */
static int read_labels(struct loader *ld, const config_setting_t *g,
		       csla_alert_rule_t *r)
{
	size_t n;

	if (!config_setting_is_group(g))
		return fail(ld, g, "expected a group { name = \"value\"; }");
	n = (size_t)config_setting_length(g);
	r->labels = csla_xcalloc(n + 1, sizeof *r->labels);
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);

		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			return fail(ld, s, "expected a string");
		/* Notifiers send these labels themselves: a rule's own
		 * would contradict them. */
		static const char *const builtin[] = {
			"alertname", "tenant", "scope", "id", "severity",
			"window",
		};
		for (size_t k = 0; k < NELEM(builtin); k++)
			if (!strcmp(name, builtin[k]))
				return fail(ld, s, "\"%s\" is a label callsla "
					    "sets itself (alertname, tenant, "
					    "scope, id, severity, window)",
					    name);
		r->labels[i].key = csla_xstrndup(name, strlen(name));
		r->labels[i].value =
			csla_xstrndup(config_setting_get_string(s),
				      strlen(config_setting_get_string(s)));
		r->nlabels = i + 1;
	}
	return 0;
}

static int rule_member(struct loader *ld, const config_setting_t *s,
		       void *obj)
{
	csla_alert_rule_t *r = obj;
	const char *name = config_setting_name(s);
	int e = 0;
	uint64_t u = 0;
	static const csla_conf_field_t volume = {
		"min_volume", CSLA_CF_SIZE, 0, 0, 0, 0, 0,
		"from 0 to 18446744073709551615"
	};

	if (!strcmp(name, "name"))
		return read_string(ld, s, &r->name) ? -1 : 1;
	if (!strcmp(name, "tenant"))
		return read_string(ld, s, &r->tenant) ? -1 : 1;
	if (!strcmp(name, "id"))
		return read_string(ld, s, &r->id) ? -1 : 1;
	if (!strcmp(name, "window"))
		return read_string(ld, s, &r->window) ? -1 : 1;
	if (!strcmp(name, "summary"))
		return read_string(ld, s, &r->summary) ? -1 : 1;
	if (!strcmp(name, "threshold"))
		return read_number(ld, s, &r->threshold) ? -1 : 1;
	if (!strcmp(name, "clear")) {
		r->has_clear = true;
		return read_number(ld, s, &r->clear) ? -1 : 1;
	}
	if (!strcmp(name, "notifiers"))
		return read_names(ld, s, &r->notifiers, &r->nnotifiers) ? -1 : 1;
	if (!strcmp(name, "labels"))
		return read_labels(ld, s, r) ? -1 : 1;
	if (!strcmp(name, "min_volume")) {
		if (read_count(ld, s, &volume, UINT64_MAX, &u))
			return -1;
		r->min_volume = u;
		note(ld, &r->min_volume, s);
		return 1;
	}
	if (!strcmp(name, "metric")) {
		const char *m = config_setting_type(s) == CONFIG_TYPE_STRING ?
					config_setting_get_string(s) : "";

		r->metric = csla_alert_metric_parse(m);
		if (r->metric < 0) {
			char list[400] = "";

			for (int i = 0; i < CSLA_AM__COUNT; i++) {
				strcat(list, i ? ", " : "");
				strcat(list, csla_alert_metric_name(i));
			}
			return fail(ld, s, "unknown metric; expected one of %s",
				    list);
		}
		note(ld, &r->metric, s);
		return 1;
	}
	if (!strcmp(name, "scope")) {
		if (read_choice(ld, s, scope_names, NELEM(scope_names), &e))
			return -1;
		r->scope = e;
		note(ld, &r->scope, s);
		return 1;
	}
	if (!strcmp(name, "op")) {
		if (read_choice(ld, s, cmp_names, NELEM(cmp_names), &e))
			return -1;
		r->cmp = (csla_cmp_t)e;
		note(ld, &r->cmp, s);
		return 1;
	}
	if (!strcmp(name, "severity")) {
		if (read_choice(ld, s, severity_names, NELEM(severity_names),
				&e))
			return -1;
		r->severity = (csla_severity_t)e;
		note(ld, &r->severity, s);
		return 1;
	}
	return 0;
}

static char *dup_lit(const char *s)
{
	return csla_xstrndup(s, strlen(s));
}

/* rules = ( { name = ...; metric = ...; op = "<"; threshold = 0.9; ... } ) */
static int read_alert_rules(struct loader *ld, const config_setting_t *s,
			    csla_alerts_conf_t *ac)
{
	static const char *const required[] = { "name", "metric", "op",
						"threshold" };
	size_t n;

	if (!config_setting_is_list(s))
		return fail(ld, s, "expected a list ( { name = \"...\"; ... } )");
	n = (size_t)config_setting_length(s);
	/* Sized once: the recorded field addresses must not move. */
	ac->rules = csla_xcalloc(n + 1, sizeof *ac->rules);
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		csla_alert_rule_t *r = &ac->rules[i];

		ac->nrules = i + 1;
		r->line = (int)config_setting_source_line(e);
		r->scope = CSLA_SCOPE_TENANT;
		r->severity = CSLA_SEV_WARNING;
		if (read_members(ld, e, csla_rule_fields, csla_n_rule_fields,
				 r, NULL, rule_member, r))
			return -1;
		for (size_t k = 0; k < NELEM(required); k++)
			if (!config_setting_get_member(e, required[k]))
				return fail(ld, e, "missing \"%s\"", required[k]);
		if (!r->tenant)
			r->tenant = dup_lit("*");
		if (!r->id)
			r->id = dup_lit("*");
		if (!r->window)
			r->window = dup_lit("15m");
	}
	return 0;
}

static int notifier_member(struct loader *ld, const config_setting_t *s,
			   void *obj)
{
	csla_notifier_conf_t *nc = obj;
	const char *name = config_setting_name(s);
	/* A Slack webhook URL is itself a credential: url_file. */
	char **secret = !strcmp(name, "secret_file") ? &nc->secret :
			!strcmp(name, "routing_key_file") ? &nc->routing_key :
			!strcmp(name, "url_file") ? &nc->url :
						    NULL;
	int e = 0;

	if (!strcmp(name, "name"))
		return read_string(ld, s, &nc->name) ? -1 : 1;
	if ((!strcmp(name, "url") || !strcmp(name, "url_file")) && nc->url)
		return fail(ld, s, "url and url_file name the same setting: "
			    "give one");
	if (!strcmp(name, "url"))
		return read_string(ld, s, &nc->url) ? -1 : 1;
	if (!strcmp(name, "type")) {
		if (read_choice(ld, s, notifier_kinds, NELEM(notifier_kinds),
				&e))
			return -1;
		nc->kind = (csla_notifier_kind_t)e;
		note(ld, &nc->kind, s);
		return 1;
	}
	if (!secret)
		return 0;
	if (read_secret(ld, s, secret))
		return -1;
	note(ld, secret, s);
	return 1;
}

/* notifiers = ( { name = "ops"; type = "webhook"; url = ...; } ) */
static int read_notifiers(struct loader *ld, const config_setting_t *s,
			  csla_alerts_conf_t *ac)
{
	size_t n;

	if (!config_setting_is_list(s))
		return fail(ld, s, "expected a list ( { name = \"...\"; "
			    "type = \"webhook\"; ... } )");
	n = (size_t)config_setting_length(s);
	ac->notifiers = csla_xcalloc(n + 1, sizeof *ac->notifiers);
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		csla_notifier_conf_t *nc = &ac->notifiers[i];

		ac->nnotifiers = i + 1;
		csla_notifier_defaults(nc);
		nc->line = (int)config_setting_source_line(e);
		if (read_members(ld, e, csla_notifier_fields,
				 csla_n_notifier_fields, nc, NULL,
				 notifier_member, nc))
			return -1;
		if (!config_setting_get_member(e, "name"))
			return fail(ld, e, "missing \"name\"");
		if (!config_setting_get_member(e, "type"))
			return fail(ld, e, "missing \"type\"");
	}
	return 0;
}

static int alerts_member(struct loader *ld, const config_setting_t *s,
			 void *obj)
{
	csla_alerts_conf_t *ac = obj;
	const char *name = config_setting_name(s);
	uint64_t u = 0;
	static const csla_conf_field_t maxlen = {
		"stream_maxlen", CSLA_CF_SIZE, 0, 0, 0, 0, 0,
		"from 1 to 1000000000"
	};

	if (!strcmp(name, "stream_key"))
		return read_string(ld, s, &ac->stream_key) ? -1 : 1;
	if (!strcmp(name, "stream_maxlen")) {
		if (read_count(ld, s, &maxlen, UINT64_MAX, &u))
			return -1;
		ac->stream_maxlen = u;
		note(ld, &ac->stream_maxlen, s);
		return 1;
	}
	/* Rules name notifiers: validation checks those names, so either
	 * may come first in the file. */
	if (!strcmp(name, "notifiers"))
		return read_notifiers(ld, s, ac) ? -1 : 1;
	if (!strcmp(name, "rules"))
		return read_alert_rules(ld, s, ac) ? -1 : 1;
	return 0;
}

static int read_alerts(struct loader *ld, const config_setting_t *s)
{
	return read_members(ld, s, csla_alerts_fields, csla_n_alerts_fields,
			    &ld->conf->alerts, NULL, alerts_member,
			    &ld->conf->alerts);
}

/* The top-level settings.  A new group (http, alerts, ...) is one entry. */
static const struct section {
	const char *name;
	int (*read)(struct loader *ld, const config_setting_t *s);
} sections[] = {
	{ "engine", read_engine },
	{ "defaults", read_defaults },
	{ "queues", read_queues },
	{ "tenants", read_tenants },
	{ "consumer", read_consumer },
	{ "kafka", read_kafka },
	{ "redis", read_redis },
	{ "daemon", read_daemon },
	{ "http", read_http },
	{ "alerts", read_alerts },
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
