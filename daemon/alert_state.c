/* alert_state.c - a set of alerts as bytes, kept with the slot's
 * checkpoint so that a restart neither fires again nor forgets to resolve
 * (docs/alerts.md, "State").  Versioned, little-endian, deterministic:
 * alerts in dedup key order, and the key itself is not stored but worked
 * out again from (rule, tenant, scope, id). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_internal.h"
#include "util.h"

static const char magic[8] = { 'C', 'S', 'L', 'A', 'A', 'L', 'R', 'T' };
#define VERSION 1u
#define RULE_NAME_MAX 256
#define PEND_LIMIT 64

static void put_le(csla_buf_t *b, uint64_t v, size_t n)
{
	unsigned char tmp[8];
	for (size_t i = 0; i < n; i++)
		tmp[i] = (unsigned char)(v >> (8 * i));
	csla_buf_put(b, tmp, n);
}

static void put_f64(csla_buf_t *b, double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	put_le(b, u, 8);
}

static void put_str(csla_buf_t *b, const char *p, size_t n)
{
	put_le(b, n, 4);
	if (n)
		csla_buf_put(b, p, n);
}

void csla_alerts_save(const csla_alerts_t *al, csla_buf_t *out)
{
	alert_t **v = alert_sorted(al);

	csla_buf_put(out, magic, sizeof magic);
	put_le(out, VERSION, 4);
	put_le(out, al->n, 4);
	for (uint32_t i = 0; i < al->n; i++) {
		const alert_t *a = v[i];
		put_str(out, a->rule->name, strlen(a->rule->name));
		put_str(out, a->tenant, a->tlen);
		put_le(out, a->scope, 1);
		put_str(out, a->id, a->idlen);
		put_le(out, a->state, 1);
		put_le(out, (uint64_t)a->active_ms, 8);
		put_le(out, (uint64_t)a->fired_ms, 8);
		put_le(out, (uint64_t)a->notified_ms, 8);
		put_le(out, (uint64_t)a->unjudged_ms, 8);
		put_le(out, a->seq, 8);
		put_f64(out, a->value);
		put_le(out, a->npend, 4);
		for (uint32_t k = 0; k < a->npend; k++) {
			const alert_pend_t *p = &a->pend[k];
			put_le(out, p->kind, 1);
			put_le(out, p->seq, 8);
			put_le(out, (uint64_t)p->at_ms, 8);
			put_f64(out, p->value);
		}
	}
	free(v);
}

/* ---- reading ------------------------------------------------------------- */

typedef struct rd {
	const unsigned char *p, *end;
	const char *err; /* the first problem */
} rd_t;

static uint64_t get_le(rd_t *r, size_t n)
{
	uint64_t v = 0;
	if (r->err || (size_t)(r->end - r->p) < n) {
		r->err = r->err ? r->err : "truncated";
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	return v;
}

static double get_f64(rd_t *r)
{
	uint64_t u = get_le(r, 8);
	double d;
	memcpy(&d, &u, sizeof d);
	return d;
}

/* A string of at most max bytes, NUL-terminated and owned. */
static char *get_str(rd_t *r, size_t max, uint32_t *len)
{
	uint64_t n = get_le(r, 4);
	if (r->err)
		return NULL;
	if (n > max || (size_t)(r->end - r->p) < n) {
		r->err = n > max ? "string too long" : "truncated";
		return NULL;
	}
	char *s = csla_xstrndup((const char *)r->p, (size_t)n);
	r->p += n;
	if (len)
		*len = (uint32_t)n;
	return s;
}

typedef struct loaded {
	alert_t *a;
	char *rule;
} loaded_t;

static bool pend_kind_ok(uint64_t k)
{
	return k == CSLA_AK_FIRING || k == CSLA_AK_REPEAT ||
	       k == CSLA_AK_RESOLVED;
}

/* One alert, or NULL with r->err. */
static alert_t *get_alert(rd_t *r, char **rule)
{
	alert_t *a = csla_xcalloc(1, sizeof *a);

	*rule = get_str(r, RULE_NAME_MAX, NULL);
	a->tenant = get_str(r, CSLA_ID_MAX, &a->tlen);
	a->scope = (uint8_t)get_le(r, 1);
	a->id = get_str(r, CSLA_ID_MAX, &a->idlen);
	a->state = (uint8_t)get_le(r, 1);
	a->active_ms = (int64_t)get_le(r, 8);
	a->fired_ms = (int64_t)get_le(r, 8);
	a->notified_ms = (int64_t)get_le(r, 8);
	a->unjudged_ms = (int64_t)get_le(r, 8);
	a->seq = get_le(r, 8);
	a->value = get_f64(r);
	uint64_t np = get_le(r, 4);
	if (!r->err && (a->scope >= CSLA_SCOPE__COUNT ||
			a->state > CSLA_ALERT_FIRING || !*rule || !**rule ||
			!a->tlen))
		r->err = "bad alert fields";
	if (!r->err && np > PEND_LIMIT)
		r->err = "too many undelivered notifications";
	for (uint64_t k = 0; !r->err && k < np; k++) {
		alert_pend_t p;
		uint64_t kind = get_le(r, 1);
		p.kind = (uint8_t)kind;
		p.seq = get_le(r, 8);
		p.at_ms = (int64_t)get_le(r, 8);
		p.value = get_f64(r);
		if (!r->err && (!pend_kind_ok(kind) || p.seq > a->seq))
			r->err = "bad undelivered notification";
		if (r->err)
			break;
		csla_grow(&a->pend, &a->cappend, a->npend + 1, sizeof *a->pend);
		a->pend[a->npend++] = p;
	}
	if (r->err) {
		free(*rule);
		*rule = NULL;
		alert_free(a);
		return NULL;
	}
	return a;
}

int csla_alerts_load(csla_alerts_t *al, const void *data, size_t len,
		     char *errstr, size_t errlen)
{
	rd_t r = { data, (const unsigned char *)data + len, NULL };
	loaded_t *v = NULL;
	uint64_t n = 0, got = 0;

	if (len < sizeof magic || memcmp(data, magic, sizeof magic)) {
		snprintf(errstr, errlen, "alert state: not an alert state");
		return -1;
	}
	r.p += sizeof magic;
	uint64_t version = get_le(&r, 4);
	if (!r.err && version != VERSION) {
		snprintf(errstr, errlen, "alert state: version %llu, expected "
			 "%u", (unsigned long long)version, VERSION);
		return -1;
	}
	n = get_le(&r, 4);
	/* Each alert takes more than 64 bytes: a count beyond that is
	 * corrupt, and is not allowed to size an allocation. */
	if (!r.err && n > len / 64)
		r.err = "truncated";
	if (!r.err)
		v = csla_xcalloc(n + 1, sizeof *v);
	for (; !r.err && got < n; got++)
		v[got].a = get_alert(&r, &v[got].rule);
	if (!r.err && r.p != r.end)
		r.err = "trailing bytes";
	if (r.err) {
		for (uint64_t i = 0; i < got; i++) {
			if (v[i].a)
				alert_free(v[i].a);
			free(v[i].rule);
		}
		free(v);
		snprintf(errstr, errlen, "alert state: %s", r.err);
		return -1;
	}
	for (uint32_t i = 0; i < al->n; i++)
		alert_free(al->a[i]);
	al->n = 0;
	for (uint64_t i = 0; i < n; i++) {
		alert_t *a = v[i].a;
		a->rule = alert_rule_by_name(al, v[i].rule);
		csla_alert_dedup_key(a->rule->name,
				     (csla_str_t){ a->tenant, a->tlen },
				     (csla_scope_t)a->scope,
				     (csla_str_t){ a->id, a->idlen }, a->key);
		a->gen = al->gen;
		csla_grow(&al->a, &al->cap, al->n + 1, sizeof *al->a);
		al->a[al->n++] = a;
		free(v[i].rule);
	}
	free(v);
	return 0;
}
