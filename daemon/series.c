/* series.c - per-minute samples of queue and tenant rows (series.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callsla/snapshot.h"
#include "json.h"
#include "series.h"
#include "util.h"

const char *const csla_series_fields[] = {
	"offered",        "answered",        "abandoned",
	"short_abandoned", "flowout",        "answered_in_sl",
	"answered_in_rings", "service_level", "three_ring_rate",
	"abandon_rate",   "asa_s",           "max_wait_s",
	"handled",        "aht_s",           "occupancy",
	"utilization",    "waiting_now",     "longest_wait_s",
	"staffed",
};
const size_t csla_n_series_fields =
	sizeof csla_series_fields / sizeof csla_series_fields[0];

int csla_series_field(const char *name)
{
	for (size_t i = 0; i < csla_n_series_fields; i++)
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

typedef struct pass {
	csla_argv_t *a;
	const char *prefix;
	int64_t minute;
	char *json;
	size_t jcap;
	csla_buf_t key, member;
	size_t n;
} pass_t;

/* The member is built from the row's JSON, so that a sample holds exactly
 * the numbers a snapshot of that moment shows, rounded alike. */
static void on_row(void *opaque, const csla_snapshot_t *s)
{
	pass_t *ps = opaque;

	if (s->scope != CSLA_SCOPE_QUEUE && s->scope != CSLA_SCOPE_TENANT)
		return;
	size_t need = csla_snapshot_json_grow(s, &ps->json, &ps->jcap);
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
	for (size_t i = 0; i < csla_n_series_fields; i++) {
		csla_jval_t v;

		if (i)
			csla_buf_put(&ps->member, ",", 1);
		if (!csla_json_member(ps->json, need, csla_series_fields[i],
				      &v) &&
		    v.type == CSLA_JT_NUMBER)
			csla_buf_put(&ps->member, v.p, v.len);
	}
	csla_argv_add(ps->a, ps->key.p, ps->key.len);
	csla_argv_add(ps->a, ps->member.p, ps->member.len);
	ps->n++;
}

size_t csla_series_add(csla_argv_t *a, csla_engine_t *e, int64_t now_ms,
		       const char *prefix, uint32_t hours, bool replace,
		       bool trim)
{
	int64_t keep = (int64_t)hours * 60 * CSLA_MINUTE_MS;
	int64_t minute = now_ms - (now_ms % CSLA_MINUTE_MS +
				   CSLA_MINUTE_MS) % CSLA_MINUTE_MS;
	pass_t ps = { .a = a, .prefix = prefix, .minute = minute };

	csla_argv_adds(a, "S");
	csla_argv_addi(a, minute);
	/* Scores from here on stay: exactly `hours` hours of minutes. */
	csla_argv_addi(a, minute - keep + CSLA_MINUTE_MS);
	csla_argv_addi(a, keep);
	csla_argv_adds(a, replace ? "1" : "0");
	csla_argv_adds(a, trim ? "1" : "0");
	csla_engine_snapshot(e, now_ms, on_row, &ps);
	csla_argv_add(a, "", 0);
	free(ps.json);
	csla_buf_free(&ps.key);
	csla_buf_free(&ps.member);
	return ps.n;
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
