/* series.c - per-minute samples of queue and tenant rows (series.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callsla/snapshot.h"
#include "json.h"
#include "series.h"
#include "util.h"

const char *const csla_series_fields[CSLA_SERIES_NFIELDS] = {
	"offered",        "answered",        "abandoned",
	"short_abandoned", "flowout",        "answered_in_sl",
	"answered_in_rings", "service_level", "three_ring_rate",
	"abandon_rate",   "asa_s",           "max_wait_s",
	"handled",        "aht_s",           "occupancy",
	"utilization",    "waiting_now",     "longest_wait_s",
	"staffed",
};

int csla_series_field(const char *name)
{
	for (size_t i = 0; i < CSLA_SERIES_NFIELDS; i++)
		if (!strcmp(csla_series_fields[i], name))
			return (int)i;
	return -1;
}

void csla_series_key(csla_buf_t *b, const char *prefix, csla_bytes_t tenant,
		     csla_bytes_t scope, csla_bytes_t window, csla_bytes_t id)
{
	csla_buf_printf(b, "%sseries:%zu:", prefix, tenant.n);
	csla_buf_put(b, tenant.p, tenant.n);
	csla_buf_put(b, "|", 1);
	csla_buf_put(b, scope.p, scope.n);
	csla_buf_put(b, "|", 1);
	csla_buf_put(b, window.p, window.n);
	csla_buf_put(b, "|", 1);
	csla_buf_put(b, id.p, id.n);
}

void csla_series_begin(csla_series_pass_t *ps, const char *prefix,
		       int64_t now_ms, uint32_t hours, bool replace,
		       bool trim)
{
	*ps = (csla_series_pass_t){
		.prefix = prefix,
		.minute = now_ms - (now_ms % CSLA_MINUTE_MS + CSLA_MINUTE_MS) %
					   CSLA_MINUTE_MS,
		.hours = hours,
		.replace = replace,
		.trim = trim,
	};
}

/* The member is built from the row's JSON, so that a sample holds exactly
 * the numbers a snapshot of that moment shows, rounded alike.  One walk
 * over the row's members: the fields come in the row's order, so the
 * search for each starts where the last one was found. */
void csla_series_row(void *opaque, const csla_snapshot_t *s, const char *json,
		     size_t len)
{
	csla_series_pass_t *ps = opaque;
	csla_jval_t vals[CSLA_SERIES_NFIELDS];
	csla_json_iter_t it;
	const char *k;
	size_t klen, at = 0;
	csla_jval_t v;

	if (s->scope != CSLA_SCOPE_QUEUE && s->scope != CSLA_SCOPE_TENANT)
		return;
	memset(vals, 0, sizeof vals);
	if (!csla_json_iter_init(&it, json, len))
		while (csla_json_iter_next(&it, &k, &klen, &v))
			for (size_t i = 0; i < CSLA_SERIES_NFIELDS; i++) {
				size_t f = (at + i) % CSLA_SERIES_NFIELDS;
				const char *name = csla_series_fields[f];
				if (strlen(name) == klen &&
				    !memcmp(name, k, klen)) {
					vals[f] = v;
					at = f + 1;
					break;
				}
			}

	const char *scope = csla_scope_name(s->scope);
	ps->key.len = 0;
	csla_series_key(&ps->key, ps->prefix,
			(csla_bytes_t){ s->tenant.p, s->tenant.len },
			(csla_bytes_t){ scope, strlen(scope) },
			(csla_bytes_t){ s->window, strlen(s->window) },
			(csla_bytes_t){ s->id.p, s->id.len });
	ps->member.len = 0;
	csla_buf_printf(&ps->member, "%" PRId64 " %" PRId64 " ", ps->minute,
			s->as_of_ms);
	for (size_t i = 0; i < CSLA_SERIES_NFIELDS; i++) {
		if (i)
			csla_buf_put(&ps->member, ",", 1);
		if (vals[i].type == CSLA_JT_NUMBER)
			csla_buf_put(&ps->member, vals[i].p, vals[i].len);
	}
	csla_argv_add(&ps->pairs, ps->key.p, ps->key.len);
	csla_argv_add(&ps->pairs, ps->member.p, ps->member.len);
	ps->n++;
}

size_t csla_series_end(csla_series_pass_t *ps, csla_argv_t *a)
{
	int64_t keep = (int64_t)ps->hours * 60 * CSLA_MINUTE_MS;
	size_t n = ps->n;

	csla_argv_adds(a, "S");
	csla_argv_addi(a, ps->minute);
	/* Scores from here on stay: exactly `hours` hours of minutes. */
	csla_argv_addi(a, ps->minute - keep + CSLA_MINUTE_MS);
	csla_argv_addi(a, keep);
	csla_argv_adds(a, ps->replace ? "1" : "0");
	csla_argv_adds(a, ps->trim ? "1" : "0");
	csla_argv_append(a, &ps->pairs);
	csla_argv_add(a, "", 0);
	csla_argv_free(&ps->pairs);
	csla_buf_free(&ps->key);
	csla_buf_free(&ps->member);
	*ps = (csla_series_pass_t){ 0 };
	return n;
}

int csla_series_member(const char *m, size_t n, size_t field,
		       int64_t *minute_ms, csla_bytes_t *value)
{
	const char *end = m + n, *p;
	char num[24];
	size_t k;

	p = memchr(m, ' ', n);
	if (!p || p == m || (size_t)(p - m) >= sizeof num)
		return -1;
	memcpy(num, m, (size_t)(p - m));
	num[p - m] = '\0';
	char *stop;
	*minute_ms = strtoll(num, &stop, 10);
	if (*stop)
		return -1;
	p = memchr(p + 1, ' ', (size_t)(end - p - 1));
	if (!p)
		return -1;
	p++;
	for (k = 0; k < field; k++) {
		p = memchr(p, ',', (size_t)(end - p));
		if (!p)
			return -1;
		p++;
	}
	const char *q = memchr(p, ',', (size_t)(end - p));
	*value = (csla_bytes_t){ p, (size_t)((q ? q : end) - p) };
	return 0;
}
