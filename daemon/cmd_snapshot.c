/* cmd_snapshot.c - `callsla snapshot`: the rows callslad keeps in Redis
 * (docs/redis.md), printed as `callsla replay` prints its own: one JSON
 * row a line, by tenant, scope, id and window, each in byte order.  Rows
 * are printed as stored but for their "as_of": the daemon rewrites a row
 * only when its numbers change, so a row's own stamp is its last change;
 * the tenant's meta hash says when all of them were last computed, and
 * that is the time printed (what `callsla replay --at` it prints).
 *
 * Exit status: 0 (also when there is nothing to print); 1 when Redis
 * answered but some of its data could not be printed (a malformed field,
 * a key of the wrong type), everything else having been printed; 2 for
 * usage and configuration errors and when Redis could not be reached,
 * refused AUTH or failed while answering. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "callsla/config.h"
#include "cmd.h"
#include "redis_addr.h"
#include "snaprow.h"

#define ME "callsla snapshot"
#define DEFAULT_PREFIX "callsla:"
#define DEFAULT_TIMEOUT_MS 2000
/* A password file holds one line; anything larger is not one. */
#define PASSWORD_MAX 4096

static const char *const scopes[] = { "agent", "queue", "team", "tenant" };

static int usage(FILE *f)
{
	fprintf(f,
		"usage: callsla snapshot [--redis HOST:PORT|unix:PATH] "
		"[--prefix P] [--user U]\n"
		"         [--password-file F] [--config FILE] [--tenant T] "
		"[--scope S] [--window W]...\n"
		"  Prints the snapshot rows callslad stored in Redis "
		"(default " CSLA_REDIS_DEFAULT_HOST ":%d, prefix \""
		DEFAULT_PREFIX "\")\n"
		"  as `callsla replay` prints them.  --config reads the "
		"redis { } block;\n"
		"  the other options override it.\n",
		CSLA_REDIS_DEFAULT_PORT);
	return 2;
}

typedef struct args {
	const char *conf, *redis, *prefix, *user, *password_file;
	const char *tenant, *scope;
	const char **windows; /* argc entries: --window may repeat */
	size_t nwindows;
} args_t;

/* Options may come in any order; each but --window at most once. */
static int parse_args(int argc, char **argv, args_t *a)
{
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i], **slot;

		if (i + 1 >= argc)
			return usage(stderr);
		if (!strcmp(opt, "--window")) {
			a->windows[a->nwindows++] = argv[++i];
			continue;
		}
		if (!strcmp(opt, "--config"))
			slot = &a->conf;
		else if (!strcmp(opt, "--redis"))
			slot = &a->redis;
		else if (!strcmp(opt, "--prefix"))
			slot = &a->prefix;
		else if (!strcmp(opt, "--user"))
			slot = &a->user;
		else if (!strcmp(opt, "--password-file"))
			slot = &a->password_file;
		else if (!strcmp(opt, "--tenant"))
			slot = &a->tenant;
		else if (!strcmp(opt, "--scope"))
			slot = &a->scope;
		else
			return usage(stderr);
		if (*slot) {
			fprintf(stderr, ME ": %s given twice\n", opt);
			return 2;
		}
		*slot = argv[++i];
	}
	if (a->scope) {
		size_t k = 0;
		while (k < sizeof scopes / sizeof *scopes &&
		       strcmp(a->scope, scopes[k]))
			k++;
		if (k == sizeof scopes / sizeof *scopes) {
			fprintf(stderr, ME ": --scope \"%s\": unknown scope "
					"(valid: agent, queue, team, tenant)\n",
				a->scope);
			return 2;
		}
	}
	return 0;
}

/* Where and how to connect, after the configuration and the options. */
typedef struct target {
	csla_redis_addr_t addr;
	char where[CSLA_REDIS_ADDR_STRLEN]; /* for messages */
	const char *prefix;   /* borrowed from argv or the conf */
	const char *user;     /* borrowed; NULL: the default user */
	char *password;       /* owned (zeroed and freed by target_free) */
	int db;
	struct timeval timeout;
} target_t;

static void target_free(target_t *t)
{
	if (t->password) {
		explicit_bzero(t->password, strlen(t->password));
		free(t->password);
	}
}

/* The password file's contents without the line ending, in a new string
 * (the caller owns it), or NULL after a message. */
static char *read_password(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f) {
		fprintf(stderr, ME ": --password-file %s: cannot read: %s\n",
			path, strerror(errno));
		return NULL;
	}
	buf = malloc(PASSWORD_MAX + 1);
	if (!buf) {
		fclose(f);
		fprintf(stderr, ME ": out of memory\n");
		return NULL;
	}
	n = fread(buf, 1, PASSWORD_MAX + 1, f);
	if (ferror(f) || n > PASSWORD_MAX) {
		if (ferror(f))
			fprintf(stderr, ME ": --password-file %s: cannot "
					"read: %s\n", path, strerror(errno));
		else
			fprintf(stderr, ME ": --password-file %s: longer "
					"than %d bytes\n", path, PASSWORD_MAX);
		fclose(f);
		explicit_bzero(buf, PASSWORD_MAX + 1);
		free(buf);
		return NULL;
	}
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	if (n == 0 || memchr(buf, '\0', n)) {
		fprintf(stderr, ME ": --password-file %s: %s\n", path,
			n ? "holds a NUL byte" : "empty");
		explicit_bzero(buf, n);
		free(buf);
		return NULL;
	}
	return buf;
}

/* Fills t from the conf's redis { } block (may be NULL), then from the
 * options.  Settings a conf leaves unset (NULL, 0) take the defaults.  The
 * conf must outlive t (t borrows its strings).  Returns 0, or 2 after a
 * message. */
static int resolve(const args_t *a, const csla_conf_t *conf, target_t *t)
{
	const csla_daemon_conf_t *d = conf ? &conf->daemon : NULL;
	char err[512];
	int rc;
	int64_t ms = d && d->redis_timeout_ms > 0 ? d->redis_timeout_ms
						   : DEFAULT_TIMEOUT_MS;

	t->timeout.tv_sec = ms / 1000;
	t->timeout.tv_usec = (ms % 1000) * 1000;
	t->db = d ? d->redis_db : 0;
	t->prefix = a->prefix ? a->prefix
		  : d && d->prefix ? d->prefix : DEFAULT_PREFIX;
	t->user = a->user ? a->user : d ? d->redis_user : NULL;

	if (a->redis)
		rc = csla_redis_addr_parse(a->redis, &t->addr, err, sizeof err);
	else if (d && d->redis_unix)
		rc = csla_redis_addr_unix(d->redis_unix, &t->addr, err,
					  sizeof err);
	else
		rc = csla_redis_addr_tcp(d && d->redis_host ? d->redis_host
					 : CSLA_REDIS_DEFAULT_HOST,
					 d && d->redis_port ? d->redis_port
					 : CSLA_REDIS_DEFAULT_PORT,
					 &t->addr, err, sizeof err);
	if (rc == -1) {
		if (a->redis)
			fprintf(stderr, ME ": --redis %s: %s\n", a->redis, err);
		else
			fprintf(stderr, ME ": %s: redis { }: %s\n", a->conf,
				err);
		return 2;
	}
	csla_redis_addr_str(&t->addr, t->where, sizeof t->where);

	if (a->password_file) {
		t->password = read_password(a->password_file);
		if (!t->password)
			return 2;
	} else if (d && d->redis_password) {
		t->password = strdup(d->redis_password);
		if (!t->password) {
			fprintf(stderr, ME ": out of memory\n");
			return 2;
		}
	}
	if (t->user && !t->password) {
		fprintf(stderr, ME ": user \"%s\" needs a password "
				"(--password-file)\n", t->user);
		return 2;
	}
	return 0;
}

/* Sends one command (arguments as byte strings: no format string ever
 * sees data).  Returns the reply (caller frees it), or NULL after a
 * message when the connection failed; c is then unusable. */
static redisReply *command(redisContext *c, const char *where, int argc,
			   const char **argv, const size_t *lens)
{
	redisReply *r = redisCommandArgv(c, argc, argv, lens);
	if (!r)
		fprintf(stderr, ME ": Redis at %s: %s: %s\n", where, argv[0],
			c->err ? c->errstr : "no reply");
	return r;
}

/* Connects, authenticates and selects the database.  Returns the context
 * (caller frees it), or NULL after a message. */
static redisContext *open_redis(const target_t *t)
{
	redisContext *c = t->addr.is_unix
		? redisConnectUnixWithTimeout(t->addr.path, t->timeout)
		: redisConnectWithTimeout(t->addr.host, t->addr.port,
					  t->timeout);
	redisReply *r;

	if (!c) {
		fprintf(stderr, ME ": out of memory\n");
		return NULL;
	}
	if (c->err) {
		fprintf(stderr, ME ": cannot connect to Redis at %s: %s\n",
			t->where, c->errstr);
		goto fail;
	}
	/* The connect timeout bounds connecting only; replies need their
	 * own, or a stuck server hangs the tool. */
	if (redisSetTimeout(c, t->timeout) != REDIS_OK) {
		fprintf(stderr, ME ": Redis at %s: cannot set a timeout: %s\n",
			t->where, c->errstr);
		goto fail;
	}
	if (t->password) {
		const char *argv[3] = { "AUTH" };
		size_t lens[3] = { 4 };
		int n = 1;
		if (t->user) {
			argv[n] = t->user;
			lens[n++] = strlen(t->user);
		}
		argv[n] = t->password;
		lens[n++] = strlen(t->password);
		r = command(c, t->where, n, argv, lens);
		if (!r)
			goto fail;
		if (r->type == REDIS_REPLY_ERROR) {
			fprintf(stderr, ME ": Redis at %s refused AUTH%s%s%s: "
					"%s\n", t->where,
				t->user ? " as user \"" : "",
				t->user ? t->user : "", t->user ? "\"" : "",
				r->str);
			freeReplyObject(r);
			goto fail;
		}
		freeReplyObject(r);
	}
	if (t->db) {
		char db[16];
		const char *argv[2] = { "SELECT", db };
		size_t lens[2] = { 6, 0 };
		lens[1] = (size_t)snprintf(db, sizeof db, "%d", t->db);
		r = command(c, t->where, 2, argv, lens);
		if (!r)
			goto fail;
		if (r->type == REDIS_REPLY_ERROR) {
			fprintf(stderr, ME ": Redis at %s: SELECT %s: %s\n",
				t->where, db, r->str);
			freeReplyObject(r);
			goto fail;
		}
		freeReplyObject(r);
	}
	return c;
fail:
	redisFree(c);
	return NULL;
}

typedef csla_bytes_t bytes_t;
typedef csla_snaprow_t row_t;

static int bytes_ptr_cmp(const void *a, const void *b)
{
	return csla_bytes_cmp(*(const bytes_t *)a, *(const bytes_t *)b);
}

static bool wanted(const args_t *a, const row_t *row)
{
	if (a->scope && csla_bytes_cmp(row->scope, (bytes_t){ a->scope,
							 strlen(a->scope) }))
		return false;
	if (!a->nwindows)
		return true;
	for (size_t i = 0; i < a->nwindows; i++)
		if (!csla_bytes_cmp(row->window, (bytes_t){ a->windows[i],
						       strlen(a->windows[i]) }))
			return true;
	return false;
}

/* The key prefix + part + tenant, in a new buffer the caller frees, or
 * NULL when out of memory. */
static char *make_key(const char *prefix, const char *part, bytes_t tenant,
		      size_t *len)
{
	size_t lp = strlen(prefix), lpart = strlen(part);
	char *k = malloc(lp + lpart + tenant.n + 1);
	*len = 0;
	if (!k)
		return NULL;
	memcpy(k, prefix, lp);
	memcpy(k + lp, part, lpart);
	memcpy(k + lp + lpart, tenant.p, tenant.n);
	k[lp + lpart + tenant.n] = '\0';
	*len = lp + lpart + tenant.n;
	return k;
}

/* The tenant's as_of from its meta hash (malloc'd), or NULL when there is
 * none (rows are then printed with their own). */
static char *tenant_as_of(redisContext *c, const target_t *t, bytes_t tenant)
{
	size_t klen;
	char *key = make_key(t->prefix, "meta:", tenant, &klen), *v = NULL;
	if (!key)
		return NULL;
	const char *argv[3] = { "HGET", key, "as_of" };
	size_t lens[3] = { 4, klen, 5 };
	redisReply *r = command(c, t->where, 3, argv, lens);
	if (r && r->type == REDIS_REPLY_STRING && r->len == CSLA_AS_OF_LEN) {
		v = malloc(CSLA_AS_OF_LEN + 1);
		if (v)
			memcpy(v, r->str, CSLA_AS_OF_LEN + 1);
	}
	freeReplyObject(r);
	free(key);
	return v;
}

/* One row, its "as_of" value replaced by asof (when not NULL). */
static void print_row(bytes_t json, const char *asof)
{
	long at = asof ? csla_snaprow_as_of(json.p, json.n) : -1;

	if (at >= 0) {
		fwrite(json.p, 1, (size_t)at, stdout);
		fwrite(asof, 1, CSLA_AS_OF_LEN, stdout);
		fwrite(json.p + at + CSLA_AS_OF_LEN, 1,
		       json.n - (size_t)at - CSLA_AS_OF_LEN, stdout);
	} else {
		fwrite(json.p, 1, json.n, stdout);
	}
	putchar('\n');
}

/* Prints one tenant's wanted rows in order.  Returns 0; 1 when some of
 * its data could not be printed (after a message); 2 when the connection
 * failed or memory ran out. */
static int print_tenant(redisContext *c, const target_t *t, const args_t *a,
			bytes_t tenant)
{
	size_t klen;
	char *key = make_key(t->prefix, "snap:", tenant, &klen);
	const char *argv[2] = { "HGETALL", key };
	size_t lens[2] = { 7, klen };
	redisReply *r;
	row_t *rows;
	size_t nrows = 0;
	int rc = 0;

	if (!key) {
		fprintf(stderr, ME ": out of memory\n");
		return 2;
	}
	r = command(c, t->where, 2, argv, lens);
	if (!r) {
		free(key);
		return 2;
	}
	if (r->type != REDIS_REPLY_ARRAY || r->elements % 2) {
		fprintf(stderr, ME ": Redis at %s: HGETALL %s: %s\n", t->where,
			key, r->type == REDIS_REPLY_ERROR ? r->str
							  : "unexpected reply");
		freeReplyObject(r);
		free(key);
		return 1;
	}
	rows = malloc((r->elements / 2 + 1) * sizeof *rows);
	if (!rows) {
		fprintf(stderr, ME ": out of memory\n");
		freeReplyObject(r);
		free(key);
		return 2;
	}
	for (size_t i = 0; i < r->elements; i += 2) {
		const redisReply *f = r->element[i], *v = r->element[i + 1];
		row_t row;

		if (f->type != REDIS_REPLY_STRING ||
		    v->type != REDIS_REPLY_STRING)
			continue; /* HGETALL answers strings only */
		if (csla_snaprow_split(f->str, f->len, &row) == -1) {
			fprintf(stderr, ME ": %s: field \"%.*s\" is not "
					"SCOPE|WINDOW|ID: skipped\n",
				key, (int)f->len, f->str);
			rc = 1;
			continue;
		}
		/* A line break would split the row in two lines of output. */
		if (memchr(v->str, '\n', v->len) || !v->len) {
			fprintf(stderr, ME ": %s: field \"%.*s\": the row is "
					"%s: skipped\n", key, (int)f->len,
				f->str, v->len ? "not one line" : "empty");
			rc = 1;
			continue;
		}
		row.json = (bytes_t){ v->str, v->len };
		if (wanted(a, &row))
			rows[nrows++] = row;
	}
	qsort(rows, nrows, sizeof *rows, csla_snaprow_cmp);
	char *asof = tenant_as_of(c, t, tenant);
	for (size_t i = 0; i < nrows; i++)
		print_row(rows[i].json, asof);
	free(asof);
	free(rows);
	freeReplyObject(r);
	free(key);
	return rc;
}

/* Every tenant (or --tenant's), in byte order.  Returns the exit status. */
static int print_all(redisContext *c, const target_t *t, const args_t *a)
{
	redisReply *r = NULL;
	bytes_t *tenants, one;
	size_t n = 0;
	int rc = 0;

	if (a->tenant) {
		/* Read directly: a tenant missing from the set (its rows
		 * outlived it, or a hand-made hash) can still be looked at. */
		one = (bytes_t){ a->tenant, strlen(a->tenant) };
		tenants = &one;
		n = 1;
	} else {
		size_t klen;
		char *key = make_key(t->prefix, "tenants", (bytes_t){ "", 0 },
				     &klen);
		const char *argv[2] = { "SMEMBERS", key };
		size_t lens[2] = { 8, klen };

		if (!key) {
			fprintf(stderr, ME ": out of memory\n");
			return 2;
		}
		r = command(c, t->where, 2, argv, lens);
		if (!r) {
			free(key);
			return 2;
		}
		if (r->type != REDIS_REPLY_ARRAY) {
			const char *why = r->type == REDIS_REPLY_ERROR
					? r->str : "unexpected reply";
			fprintf(stderr, ME ": Redis at %s: SMEMBERS %s: %s\n",
				t->where, key, why);
			freeReplyObject(r);
			free(key);
			/* Nothing at all can be read: NOAUTH, NOPERM,
			 * WRONGTYPE on the entry point. */
			return 2;
		}
		free(key);
		tenants = malloc((r->elements + 1) * sizeof *tenants);
		if (!tenants) {
			fprintf(stderr, ME ": out of memory\n");
			freeReplyObject(r);
			return 2;
		}
		for (size_t i = 0; i < r->elements; i++)
			if (r->element[i]->type == REDIS_REPLY_STRING)
				tenants[n++] = (bytes_t){ r->element[i]->str,
							  r->element[i]->len };
		qsort(tenants, n, sizeof *tenants, bytes_ptr_cmp);
	}
	for (size_t i = 0; i < n && rc != 2; i++) {
		int trc = print_tenant(c, t, a, tenants[i]);
		if (trc > rc)
			rc = trc;
	}
	if (r) {
		free(tenants);
		freeReplyObject(r);
	}
	return rc;
}

int csla_cmd_snapshot(int argc, char **argv)
{
	args_t a = { 0 };
	target_t t = { 0 };
	csla_conf_t *conf = NULL;
	redisContext *c;
	int rc;

	if (argc == 2 && (!strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	a.windows = malloc((size_t)argc * sizeof *a.windows);
	if (!a.windows) {
		fprintf(stderr, ME ": out of memory\n");
		return 2;
	}
	rc = parse_args(argc, argv, &a);
	if (rc)
		goto out;
	if (a.conf) {
		char err[512];
		conf = csla_conf_load(a.conf, err, sizeof err);
		if (!conf) {
			fprintf(stderr, ME ": %s\n", err);
			rc = 2;
			goto out;
		}
	}
	rc = resolve(&a, conf, &t);
	if (rc)
		goto out;
	c = open_redis(&t);
	if (!c) {
		rc = 2;
		goto out;
	}
	rc = print_all(c, &t, &a);
	redisFree(c);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, ME ": writing the output: %s\n",
			strerror(errno));
		if (rc < 1)
			rc = 1;
	}
out:
	target_free(&t);
	csla_conf_destroy(conf);
	free(a.windows);
	return rc;
}
