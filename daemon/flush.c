/* flush.c - a slot's writes as the fenced script's arguments (flush.h). */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callsla/timefmt.h"
#include "flush.h"
#include "hashmap.h"
#include "util.h"

/* ---- arguments ---------------------------------------------------------- */

void csla_argv_add(csla_argv_t *a, const void *p, size_t len)
{
	csla_reserve(&a->arena, &a->cap, a->len, len);
	if (a->n == a->capn) {
		a->capn = a->capn ? a->capn * 2 : 64;
		a->off = csla_xrealloc(a->off, a->capn * sizeof *a->off);
		a->lens = csla_xrealloc(a->lens, a->capn * sizeof *a->lens);
	}
	if (len)
		memcpy(a->arena + a->len, p, len);
	a->off[a->n] = a->len;
	a->lens[a->n++] = len;
	a->len += len;
}

void csla_argv_adds(csla_argv_t *a, const char *s)
{
	csla_argv_add(a, s, strlen(s));
}

void csla_argv_addi(csla_argv_t *a, int64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof buf, "%" PRId64, v);
	csla_argv_add(a, buf, (size_t)n);
}

void csla_argv_append(csla_argv_t *a, const csla_argv_t *b)
{
	for (size_t i = 0; i < b->n; i++)
		csla_argv_add(a, b->arena + b->off[i], b->lens[i]);
}

const char **csla_argv_ptrs(csla_argv_t *a)
{
	a->ptrs = csla_xrealloc(a->ptrs, (a->n + 1) * sizeof *a->ptrs);
	for (size_t i = 0; i < a->n; i++)
		a->ptrs[i] = a->arena + a->off[i];
	return a->ptrs;
}

void csla_argv_free(csla_argv_t *a)
{
	free(a->arena);
	free(a->off);
	free(a->lens);
	free(a->ptrs);
	*a = (csla_argv_t){ 0 };
}

/* ---- the script ----------------------------------------------------------- */

/* HSET/HDEL/RPUSH take their arguments in chunks: Lua's unpack() is limited
 * by the C stack (LUAI_MAXCSTACK, 8000). */
const char csla_flush_script[] =
	"if redis.call('GET', KEYS[1]) ~= ARGV[3] then\n"
	"  return redis.error_reply('FENCED slot ' .. ARGV[2])\n"
	"end\n"
	"local p, slot, now, ttl = ARGV[1], ARGV[2], ARGV[4], ARGV[5]\n"
	"local sk = p .. 'slot:' .. slot\n"
	"local function upto(i)\n"
	"  local j = i\n"
	"  while ARGV[j] ~= '' do j = j + 1 end\n"
	"  return j\n"
	"end\n"
	"local function chunked(cmd, key, i, j, step)\n"
	"  while i < j do\n"
	"    local k = math.min(j, i + step)\n"
	"    redis.call(cmd, key, unpack(ARGV, i, k - 1))\n"
	"    i = k\n"
	"  end\n"
	"end\n"
	"local i = 6\n"
	"while i <= #ARGV do\n"
	"  local op = ARGV[i]\n"
	"  if op == 'R' then\n"
	"    local t, asof = ARGV[i + 1], ARGV[i + 2]\n"
	"    local j = upto(i + 3)\n"
	"    local snap, meta = p .. 'snap:' .. t, p .. 'meta:' .. t\n"
	"    chunked('HSET', snap, i + 3, j, 2000)\n"
	"    redis.call('HSET', meta, 'as_of', asof, 'slot', slot,\n"
	"               'updated_ms', now)\n"
	"    redis.call('SADD', p .. 'tenants', t)\n"
	"    redis.call('PEXPIRE', snap, ttl)\n"
	"    redis.call('PEXPIRE', meta, ttl)\n"
	"    i = j + 1\n"
	"  elseif op == 'D' then\n"
	"    local j = upto(i + 2)\n"
	"    chunked('HDEL', p .. 'snap:' .. ARGV[i + 1], i + 2, j, 2000)\n"
	"    i = j + 1\n"
	"  elseif op == 'B' then\n"
	"    redis.call('SET', sk .. ':base', ARGV[i + 1])\n"
	"    redis.call('DEL', sk .. ':journal')\n"
	"    i = i + 2\n"
	"  elseif op == 'J' then\n"
	"    local j = upto(i + 1)\n"
	"    chunked('RPUSH', sk .. ':journal', i + 1, j, 2000)\n"
	"    i = j + 1\n"
	"  elseif op == 'M' then\n"
	"    local j = upto(i + 1)\n"
	"    chunked('HSET', sk .. ':meta', i + 1, j, 2000)\n"
	"    redis.call('HSET', sk .. ':meta', 'updated_ms', now)\n"
	"    i = j + 1\n"
	"  elseif op == 'S' then\n"
	"    local m, cut, keep = ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]\n"
	"    local replace, trim = ARGV[i + 4] == '1', ARGV[i + 5] == '1'\n"
	"    local j = upto(i + 6)\n"
	"    for k = i + 6, j - 1, 2 do\n"
	"      if replace then\n"
	"        redis.call('ZREMRANGEBYSCORE', ARGV[k], m, m)\n"
	"      end\n"
	"      redis.call('ZADD', ARGV[k], m, ARGV[k + 1])\n"
	"      if trim then\n"
	"        redis.call('ZREMRANGEBYSCORE', ARGV[k], '-inf', '(' .. cut)\n"
	"        redis.call('PEXPIRE', ARGV[k], keep)\n"
	"      end\n"
	"    end\n"
	"    i = j + 1\n"
	"  elseif op == 'A' then\n"
	"    redis.call('SET', sk .. ':alerts', ARGV[i + 1])\n"
	"    i = i + 2\n"
	"  elseif op == 'X' then\n"
	"    local xk, maxlen = p .. ARGV[i + 1], ARGV[i + 2]\n"
	"    local j = upto(i + 3)\n"
	"    for k = i + 3, j - 1, 3 do\n"
	"      redis.call('XADD', xk, 'MAXLEN', '~', maxlen, '*', 'kind',\n"
	"                 ARGV[k], 'dedup_key', ARGV[k + 1], 'alert',\n"
	"                 ARGV[k + 2])\n"
	"    end\n"
	"    i = j + 1\n"
	"  elseif op == 'H' then\n"
	"    local j = upto(i + 1)\n"
	"    chunked('HSET', p .. 'alerts:active', i + 1, j, 2000)\n"
	"    i = j + 1\n"
	"  elseif op == 'K' then\n"
	"    local j = upto(i + 1)\n"
	"    chunked('HDEL', p .. 'alerts:active', i + 1, j, 2000)\n"
	"    i = j + 1\n"
	"  else\n"
	"    return redis.error_reply('callsla flush: unknown op ' .. op)\n"
	"  end\n"
	"end\n"
	"return 1\n";

void csla_flush_begin(csla_argv_t *a, const char *prefix, int32_t partition,
		      int64_t epoch, int64_t now_ms, int64_t ttl_ms)
{
	char key[256];

	csla_argv_adds(a, "EVAL");
	csla_argv_adds(a, csla_flush_script);
	csla_argv_adds(a, "1");
	snprintf(key, sizeof key, "%sslot:%" PRId32 ":epoch", prefix,
		 partition);
	csla_argv_adds(a, key);
	csla_argv_adds(a, prefix);
	csla_argv_addi(a, partition);
	csla_argv_addi(a, epoch);
	csla_argv_addi(a, now_ms);
	csla_argv_addi(a, ttl_ms);
}

void csla_flush_journal(csla_argv_t *a, const csla_jentry_t *e, size_t n,
			size_t ntopics)
{
	char buf[24 * (CSLA_SLOT_MAX_TOPICS + 1)];

	if (!n)
		return;
	csla_argv_adds(a, "J");
	for (size_t i = 0; i < n; i++)
		csla_argv_add(a, buf,
			      csla_jentry_format(&e[i], ntopics, buf,
						 sizeof buf));
	csla_argv_add(a, "", 0);
}

void csla_flush_base(csla_argv_t *a, const csla_buf_t *blob)
{
	csla_argv_adds(a, "B");
	csla_argv_add(a, blob->p, blob->len);
}

void csla_flush_meta(csla_argv_t *a, const csla_slot_t *s,
		     const char *const *topics, size_t ntopics, int64_t epoch)
{
	char name[300];
	const uint64_t *rej = csla_slot_rejected(s);

	csla_argv_adds(a, "M");
	for (size_t t = 0; t < ntopics; t++) {
		snprintf(name, sizeof name, "offset:%s", topics[t]);
		csla_argv_adds(a, name);
		csla_argv_addi(a, csla_slot_next(s, t));
	}
	csla_argv_adds(a, "epoch");
	csla_argv_addi(a, epoch);
	csla_argv_adds(a, "applied");
	csla_argv_addi(a, (int64_t)csla_slot_applied(s));
	for (int r = 1; r < CSLA_REJ__COUNT; r++) {
		snprintf(name, sizeof name, "rejected:%s",
			 csla_reject_name((csla_reject_t)r));
		csla_argv_adds(a, name);
		csla_argv_addi(a, (int64_t)rej[r]);
	}
	csla_argv_add(a, "", 0);
}

/* ---- changed rows ------------------------------------------------------- */

typedef struct row {
	uint64_t sum;   /* of the JSON without its as_of stamp */
	uint32_t gen;   /* the last diff that produced it */
	uint32_t tlen;  /* key = tenant bytes, then the field */
	char *key;
	size_t klen;
} row_t;

struct csla_rows {
	csla_map_t map; /* hash of key -> index in rows */
	row_t *rows;
	uint32_t n, cap;
	csla_freelist_t free;
	uint32_t gen;
};

/* The diff of one snapshot pass. */
typedef struct pass {
	csla_rows_t *r;
	csla_argv_t *a;
	char *json;
	size_t jcap;
	char *tenant; /* the tenant whose R op is open */
	size_t tlen;
	size_t changed;
	csla_row_tap_t tap;
	void *tap_arg;
} pass_t;

csla_rows_t *csla_rows_new(void)
{
	csla_rows_t *r = csla_xcalloc(1, sizeof *r);
	csla_map_init(&r->map);
	return r;
}

void csla_rows_forget(csla_rows_t *r)
{
	for (uint32_t i = 0; i < r->n; i++)
		free(r->rows[i].key);
	free(r->rows);
	free(r->free.idx);
	csla_map_free(&r->map);
	uint32_t gen = r->gen;
	*r = (csla_rows_t){ .gen = gen };
	csla_map_init(&r->map);
}

void csla_rows_destroy(csla_rows_t *r)
{
	if (!r)
		return;
	csla_rows_forget(r);
	csla_map_free(&r->map);
	free(r);
}

/* The sum of the JSON with the value of "as_of" left out: a flush must
 * not rewrite a row only because time was stamped on it. */
static uint64_t row_sum(const char *json, size_t len)
{
	static const char tag[] = "\"as_of\":\"";
	const size_t tl = sizeof tag - 1;
	const char *p = json, *end = json + len;
	while ((p = memchr(p, '"', (size_t)(end - p))) &&
	       ((size_t)(end - p) < tl || memcmp(p, tag, tl)))
		p++;
	if (!p || (size_t)(end - p) < tl)
		return csla_hash(json, len);
	const char *v = p + tl;
	const char *q = memchr(v, '"', len - (size_t)(v - json));
	if (!q)
		return csla_hash(json, len);
	size_t head = (size_t)(v - json), tail = len - (size_t)(q - json);
	return csla_hash(json, head) * 31 + csla_hash(q, tail);
}

static void close_tenant(pass_t *ps)
{
	if (ps->tenant)
		csla_argv_add(ps->a, "", 0);
	free(ps->tenant);
	ps->tenant = NULL;
}

static void open_tenant(pass_t *ps, const csla_snapshot_t *s)
{
	char asof[40];

	close_tenant(ps);
	ps->tenant = csla_xstrndup(s->tenant.p, s->tenant.len);
	ps->tlen = s->tenant.len;
	csla_time_format_utc(s->as_of_ms, asof, sizeof asof);
	csla_argv_adds(ps->a, "R");
	csla_argv_add(ps->a, s->tenant.p, s->tenant.len);
	csla_argv_adds(ps->a, asof);
}

static void on_row(void *opaque, const csla_snapshot_t *s)
{
	pass_t *ps = opaque;
	csla_rows_t *r = ps->r;

	if (!ps->tenant || ps->tlen != s->tenant.len ||
	    memcmp(ps->tenant, s->tenant.p, ps->tlen))
		open_tenant(ps, s);

	size_t need = csla_snapshot_json_grow(s, &ps->json, &ps->jcap);
	if (ps->tap)
		ps->tap(ps->tap_arg, s, ps->json, need);

	/* key: tenant bytes, then "scope|window|id" */
	const char *scope = csla_scope_name(s->scope);
	size_t sl = strlen(scope), wl = strlen(s->window);
	size_t klen = s->tenant.len + sl + 1 + wl + 1 + s->id.len;
	char *key = csla_xmalloc(klen);
	char *k = key;
	memcpy(k, s->tenant.p, s->tenant.len);
	k += s->tenant.len;
	memcpy(k, scope, sl);
	k += sl;
	*k++ = '|';
	memcpy(k, s->window, wl);
	k += wl;
	*k++ = '|';
	memcpy(k, s->id.p, s->id.len);

	uint64_t h = csla_map_key(csla_hash(key, klen));
	uint64_t sum = row_sum(ps->json, need);
	uint32_t i = CSLA_MAP_END;
	for (uint32_t m = csla_map_first(&r->map, h); m != CSLA_MAP_END;
	     m = csla_map_next(&r->map, h, m)) {
		row_t *c = &r->rows[r->map.slots[m].v];
		if (c->klen == klen && c->tlen == s->tenant.len &&
		    !memcmp(c->key, key, klen)) {
			i = r->map.slots[m].v;
			break;
		}
	}
	if (i == CSLA_MAP_END) {
		i = csla_slot_take(&r->rows, &r->n, &r->cap, sizeof *r->rows,
				   &r->free);
		r->rows[i] = (row_t){ .key = key, .klen = klen,
				      .tlen = (uint32_t)s->tenant.len,
				      .sum = ~sum };
		csla_map_put(&r->map, h, i);
	} else {
		free(key);
	}
	row_t *row = &r->rows[i];
	row->gen = r->gen;
	if (row->sum == sum)
		return;
	row->sum = sum;
	csla_argv_add(ps->a, row->key + row->tlen, row->klen - row->tlen);
	csla_argv_add(ps->a, ps->json, need);
	ps->changed++;
}

size_t csla_rows_diff(csla_rows_t *r, csla_engine_t *e, int64_t now_ms,
		      csla_argv_t *a, csla_row_tap_t tap, void *tap_arg)
{
	pass_t ps = { .r = r, .a = a, .tap = tap, .tap_arg = tap_arg };

	r->gen++;
	csla_engine_snapshot(e, now_ms, on_row, &ps);
	close_tenant(&ps);
	free(ps.json);

	/* Rows not produced this time: their agent was forgotten. */
	for (uint32_t i = 0; i < r->n; i++) {
		row_t *row = &r->rows[i];
		if (!row->key || row->gen == r->gen)
			continue;
		csla_argv_adds(a, "D");
		csla_argv_add(a, row->key, row->tlen);
		csla_argv_add(a, row->key + row->tlen, row->klen - row->tlen);
		csla_argv_add(a, "", 0);
		csla_map_del(&r->map, csla_map_key(csla_hash(row->key,
							      row->klen)),
			     i);
		free(row->key);
		row->key = NULL;
		csla_slot_give(&r->free, i);
		ps.changed++;
	}
	return ps.changed;
}
