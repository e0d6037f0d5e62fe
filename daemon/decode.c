/* decode.c - one message's bytes -> csla_event_t, or a rejection.
 *
 * Two phases.  The first walks the whole message once, validating it as
 * jansson 2.14 json_loadb(JSON_DECODE_ANY | JSON_ALLOW_NUL) would, and
 * records the raw span of each top-level field the schema knows (the last
 * one wins on duplicate keys, as in jansson); everything else is skipped.
 * The second interprets those spans in a fixed order, so that key order in
 * the message never matters and the first failing field in that order names
 * the rejection.  Strings without escapes are returned as pointers into the
 * message; escaped ones are unescaped into the decoder's scratch buffer,
 * which never overflows because an unescaped string is never longer than its
 * source and each source string is unescaped at most once per message.
 *
 * Speed: the common case is compact JSON (no blanks between tokens) with
 * plain ASCII strings, and it is kept inline.  The parser classifies the
 * message 64 bytes at a time (a bit per '"', '\\', control or non-ASCII
 * byte, see find_special()), so that finding where a string ends is a shift
 * and a bit scan.  Keys are first compared with the one csla_event_json()
 * writes next (canon_next), and looked up only when that guess fails; enum
 * values are found through a perfect hash; the tables for both are shared
 * by all decoders.  Blanks, escapes, UTF-8, containers and errors take
 * out-of-line paths that do the full work. */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "callsla/decode.h"
#include "util.h"
#include "callsla/timefmt.h"
#include "swar.h"

/* jansson's JSON_PARSER_MAX_DEPTH: a value nested in more than 2047
 * containers is refused. */
#define JSON_MAX_DEPTH 2048

/* Bounds of what the schema accepts besides JSON itself (docs/events.md). */
#define MAX_DURATION_MS (366LL * 86400000)
#define MIN_TS_MS (-62135596800000LL)  /* 0001-01-01T00:00:00.000Z */
#define MAX_TS_MS 253402300799999LL    /* 9999-12-31T23:59:59.999Z */

/* The wire names of one enum (names.c), as words for two compares a name
 * (see name_words()), found through a perfect hash: a loop over the names
 * would leave at a different turn from event to event, and mispredict. */
#define MAX_NAME 16 /* bytes; the longest name is 10 */
#define NAME_SLOTS_LOG2 5

struct names {
	int n;
	uint64_t mult; /* collision-free for these names (names_hash()) */
	uint8_t slot[1 << NAME_SLOTS_LOG2]; /* index + 1, 0 for none */
	uint8_t len[CSLA_AS_COUNT];
	uint64_t head[CSLA_AS_COUNT], tail[CSLA_AS_COUNT];
};

/* The fields of the schema, and their keys. */
enum field {
	F_V, F_TYPE, F_TS, F_TENANT, F_ID, F_EVENT, F_CALL_ID, F_QUEUE,
	F_AGENT_ID, F_WAIT_MS, F_TALK_MS, F_HOLD_MS, F_ACW_MS, F_STATE,
	F_REASON, F_TEAM, F_QUEUES, F_OUTCOME, F_OFFERED_AT, F_ANSWERED_AT,
	F_ALERTING_AT, F_ENDED_AT, F__COUNT
};

static const char *const field_names[F__COUNT] = {
	"v", "type", "ts", "tenant", "id", "event", "call_id", "queue",
	"agent_id", "wait_ms", "talk_ms", "hold_ms", "acw_ms", "state",
	"reason", "team", "queues", "outcome", "offered_at", "answered_at",
	"alerting_at", "ended_at",
};

/* A field's member as it follows another, ,"key":" for a string value -
 * the bytes of the first 16 that must be so, and their masks. */
struct keypat {
	uint64_t w0, w1, m0, m1;
	uint8_t len;
};

/* What every decoder compares with, built once (schema_init()): one copy
 * for all, since a pipe runs several decoders in turn, and copies of their
 * own would take that many times the room in the first-level cache. */
static struct schema {
	struct names types, call_events, states, outcomes;
	struct keypat keys[F__COUNT];
	bool ok;
} schema;

struct csla_decoder {
	size_t max_bytes;
	char *scratch;  /* max_bytes + 1 bytes */
	csla_time_memo_t memo; /* timestamps' last date */
};

/* The first and the last 8 bytes of the n bytes at s, zero-padded when
 * fewer, n <= MAX_NAME; bytes up to limit (at least s + n) may be read. */
static inline void name_words(const char *s, size_t n, const char *limit,
			      uint64_t *head, uint64_t *tail)
{
	if (limit - s >= 8) {
		*head = csla_load64(s);
	} else {
		unsigned char b[8] = { 0 };
		memcpy(b, s, n);
		*head = csla_load64(b);
	}
	if (n < 8)
		*head &= (1ULL << 8 * n) - 1;
	*tail = n > 8 ? csla_load64(s + n - 8) : 0;
}

static inline unsigned names_hash(uint64_t mult, uint64_t head, uint64_t tail,
				  size_t n)
{
	return (unsigned)(((head ^ tail ^ n) * mult) >> (64 - NAME_SLOTS_LOG2));
}

/* Fills t->slot with the first multiplier of a fixed sequence under which
 * no two names share a slot; false when none of the sequence does. */
static bool names_seal(struct names *t)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (int tries = 0; tries < 1000; tries++) {
		uint64_t mult = (x += 0x9e3779b97f4a7c15ULL) | 1;
		bool ok = true;

		memset(t->slot, 0, sizeof t->slot);
		for (int i = 0; i < t->n && ok; i++) {
			unsigned h = names_hash(mult, t->head[i], t->tail[i],
						t->len[i]);
			ok = t->slot[h] == 0;
			t->slot[h] = (uint8_t)(i + 1);
		}
		if (ok) {
			t->mult = mult;
			return true;
		}
	}
	return false;
}

static void names_add(struct names *t, const char *name)
{
	size_t n = strlen(name);

	name_words(name, n, name + n + 1, &t->head[t->n], &t->tail[t->n]);
	t->len[t->n++] = (uint8_t)n;
}

/* The index of s[0..n) in t, or -1. */
static inline int name_index(const struct names *t, const char *s,
			     size_t n, const char *limit)
{
	uint64_t head, tail;
	int i;

	if (n - 1 >= MAX_NAME)
		return -1;
	name_words(s, n, limit, &head, &tail);
	i = t->slot[names_hash(t->mult, head, tail, n)] - 1;
	if (i < 0 || t->head[i] != head || t->tail[i] != tail || t->len[i] != n)
		return -1;
	return i;
}

/* ---- phase 1: JSON ---------------------------------------------------- */

typedef const unsigned char uchar;

enum jkind { J_NULL, J_FALSE, J_TRUE, J_INT, J_REAL, J_STR, J_ARR, J_OBJ };

enum { STR_ESC = 1, STR_NUL = 2 }; /* jval.flags of a J_STR */

/* One JSON value: a string's raw contents (between the quotes, escapes
 * still in), an integer's value, or where a container starts. */
struct jval {
	uint8_t kind;
	uint8_t flags;
	uint32_t len;
	const char *p;
	int64_t i;
};

struct parser {
	uchar *start, *end;
	/* Bit i of bits: blk[i] is a special byte (see find_special()); blk
	 * is at or before what is still to be scanned, and bits has none past
	 * end. */
	uchar *blk;
	uint64_t bits;
	const char *err;  /* what made it malformed */
	size_t err_at;
	/* Bit d: the open container at depth d is an object. */
	uint64_t nest[JSON_MAX_DEPTH / 64 + 1];
};

/* Every scanner returns the position after what it read, or NULL with the
 * reason in ps. */
static uchar *fail(struct parser *ps, uchar *at, const char *what)
{
	ps->err = what;
	ps->err_at = (size_t)(at - ps->start);
	return NULL;
}

/* The slow half of skip_ws(). */
static uchar *skip_blanks(uchar *p, uchar *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

/* Compact JSON has no blanks: one compare decides most calls. */
static inline uchar *skip_ws(uchar *p, uchar *end)
{
	return p < end && *p <= ' ' ? skip_blanks(p, end) : p;
}

/* Bytes that end a run of plain string contents: '"', '\\', control
 * characters and the bytes of UTF-8 sequences. */
static inline bool str_special(unsigned char c)
{
	return c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
}

#ifdef __SSE2__
/* Bit i set when p[i] is special, for 16 bytes.  As signed bytes, both
 * control characters and UTF-8 bytes (>= 0x80) are below 0x20. */
static inline uint64_t special16(uchar *p)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i m = _mm_or_si128(_mm_or_si128(
			_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
			_mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
			_mm_cmpgt_epi8(_mm_set1_epi8(0x20), x));
	return (unsigned)_mm_movemask_epi8(m);
}
#endif

/* Bit i set when p[i] is special, for 64 bytes. */
static inline uint64_t special64(uchar *p)
{
#ifdef __SSE2__
	return special16(p) | special16(p + 16) << 16 |
	       special16(p + 32) << 32 | special16(p + 48) << 48;
#else
	uint64_t bits = 0;
	for (int i = 0; i < 64; i++)
		bits |= (uint64_t)str_special(p[i]) << i;
	return bits;
#endif
}

/* block_bits() of a message shorter than 64 bytes, from a copy. */
static uint64_t short_message_bits(uchar *start, size_t len)
{
	unsigned char copy[64] = { 0 };
	memcpy(copy, start, len);
	return special64(copy) & ((1ULL << len) - 1);
}

/* The special bytes of the block at blk (see struct parser), blk < end.
 * Always inline: gcc 12 otherwise keeps one copy out of line, and the call
 * then sits between one member and the next on expected_member()'s path. */
static inline __attribute__((always_inline)) uint64_t
block_bits(const struct parser *ps, uchar *blk)
{
	size_t left = (size_t)(ps->end - blk);

	if (left >= 64)
		return special64(blk);
	if (ps->end - ps->start >= 64)
		return special64(ps->end - 64) >> (64 - left);
	return short_message_bits(blk, left); /* blk is the start */
}

/* Starts the block cursor of ps at the message's first byte. */
static void blocks_init(struct parser *ps)
{
	ps->blk = ps->start;
	ps->bits = ps->start < ps->end ? block_bits(ps, ps->start) : 0;
}

/* find_special() past the current block. */
static uchar *find_special_slow(struct parser *ps, uchar *p)
{
	for (;;) {
		size_t off = (size_t)(p - ps->blk);
		uint64_t m;

		if (p == ps->end)
			return p;
		if (off >= 64) {
			ps->blk += off & ~(size_t)63;
			ps->bits = block_bits(ps, ps->blk);
			off &= 63;
		}
		m = ps->bits >> off;
		if (m)
			return p + __builtin_ctzll(m);
		if (ps->end - ps->blk <= 64)
			return ps->end;
		p = ps->blk + 64;
	}
}

/* The first special byte at or after p, or ps->end.  The special bytes of
 * the 64-byte block holding p are kept from call to call, so that where a
 * string ends depends on where it starts through a few register operations
 * only, not through a load and a vector compare. */
static inline uchar *find_special(struct parser *ps, uchar *p)
{
	size_t off = (size_t)(p - ps->blk);
	uint64_t m;

	if (off < 64 && (m = ps->bits >> off) != 0)
		return p + __builtin_ctzll(m);
	return find_special_slow(ps, p);
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The code unit of "\uXXXX" at p (which points at the backslash), or -1. */
static long hex4(uchar *p, uchar *end)
{
	long v = 0;
	if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
		return -1;
	for (int i = 2; i < 6; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

/* Validates the escape at p (a backslash). */
static uchar *scan_escape(struct parser *ps, uchar *p, uint8_t *flags)
{
	*flags |= STR_ESC;
	if (p + 1 >= ps->end)
		return fail(ps, p, "unterminated string");
	switch (p[1]) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r':
	case 't':
		return p + 2;
	case 'u':
		break;
	default:
		return fail(ps, p, "invalid escape");
	}
	long u = hex4(p, ps->end);
	if (u < 0)
		return fail(ps, p, "invalid \\u escape");
	if (u == 0)
		*flags |= STR_NUL;
	if (u >= 0xdc00 && u <= 0xdfff)
		return fail(ps, p, "lone low surrogate");
	if (u < 0xd800 || u > 0xdbff)
		return p + 6;
	long lo = hex4(p + 6, ps->end);
	if (lo < 0xdc00 || lo > 0xdfff)
		return fail(ps, p, "high surrogate without a low one");
	return p + 12;
}

/* Validates the UTF-8 sequence at p (lead byte >= 0x80) strictly, as
 * jansson does: no overlong forms, no surrogates, nothing above U+10FFFF. */
static uchar *scan_utf8(struct parser *ps, uchar *p)
{
	unsigned c = p[0], n, lo = 0x80, hi = 0xbf;

	if (c < 0xc2 || c > 0xf4)
		return fail(ps, p, "invalid UTF-8");
	n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if ((size_t)(ps->end - p) < n || p[1] < lo || p[1] > hi)
		return fail(ps, p, "invalid UTF-8");
	for (unsigned i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return fail(ps, p, "invalid UTF-8");
	return p + n;
}

/* The rest of a string from its first special byte p. */
static uchar *scan_string_slow(struct parser *ps, uchar *p, struct jval *v)
{
	uint8_t flags = 0;

	for (;;) {
		if (p == ps->end)
			return fail(ps, p, "unterminated string");
		if (*p == '"')
			break;
		if (*p == '\\')
			p = scan_escape(ps, p, &flags);
		else if (*p < 0x20)
			return fail(ps, p, "control character in string");
		else
			p = scan_utf8(ps, p);
		if (!p)
			return NULL;
		p = find_special(ps, p);
	}
	v->flags = flags;
	v->len = (uint32_t)(p - (uchar *)v->p);
	return p + 1;
}

/* p is just past the opening quote. */
static inline uchar *scan_string(struct parser *ps, uchar *p, struct jval *v)
{
	uchar *q = find_special(ps, p);

	v->kind = J_STR;
	v->p = (const char *)p;
	if (q < ps->end && *q == '"') {
		v->flags = 0;
		v->len = (uint32_t)(q - p);
		return q + 1;
	}
	return scan_string_slow(ps, q, v);
}

/* jansson reads one byte past a number or literal and pushes it back; a NUL
 * pushed back is lost, so one NUL right after such a token is skipped. */
static inline uchar *skip_pushed_back_nul(uchar *p, uchar *end)
{
	return p < end && *p == '\0' ? p + 1 : p;
}

static inline bool is_digit(uchar *p, uchar *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

/* 2^1024 - 2^970 (Python: str(2**1024 - 2**970)): the smallest decimal
 * that strtod rounds to infinity, halfway between DBL_MAX and 2^1024 with
 * the tie going to the even 2^1024.  309 digits. */
static const char dbl_overflow[] =
	"179769313486231580793728971405303415079934132710037826936173778980"
	"444968292764750946649017977587207096330286416692887910946555547851"
	"940402630657488671505820681908902000708383676273854845817711531764"
	"475730270069855571366959622842914819860834936475292719074168444365"
	"510704342711559699508093042880177904174497792";

/* Whether a real is too big for a double, from its integer digits ip[ni],
 * fraction digits fp[nf] and exponent - exactly, without strtod (which
 * also depends on the locale). */
static bool real_overflows(uchar *ip, size_t ni, uchar *fp, size_t nf,
			   int64_t exp)
{
	size_t lead = 0;
	int64_t mag; /* the value is in [10^mag, 10^(mag+1)) */

	while (lead < ni + nf && (lead < ni ? ip[lead] : fp[lead - ni]) == '0')
		lead++;
	if (lead == ni + nf)
		return false;
	mag = (int64_t)ni - 1 - (int64_t)lead + exp;
	if (mag != 308)
		return mag > 308;
	for (size_t k = 0; k < sizeof dbl_overflow - 1; k++) {
		size_t at = lead + k;
		char c = at < ni + nf ? (char)(at < ni ? ip[at] : fp[at - ni]) : '0';
		if (c != dbl_overflow[k])
			return c > dbl_overflow[k];
	}
	return true;
}

/* The fraction and exponent of a real whose integer digits are ip[ni]. */
static uchar *scan_real(struct parser *ps, uchar *p, uchar *ip, size_t ni,
			struct jval *v)
{
	uchar *end = ps->end, *fp = NULL;
	size_t nf = 0;
	int64_t exp = 0;

	if (*p == '.') {
		fp = ++p;
		if (!is_digit(p, end))
			return fail(ps, p, "digit expected after '.'");
		while (is_digit(p, end))
			p++;
		nf = (size_t)(p - fp);
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		bool neg = false;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			neg = *p++ == '-';
		if (!is_digit(p, end))
			return fail(ps, p, "digit expected in exponent");
		for (; is_digit(p, end); p++)
			if (exp < 1000000000)
				exp = exp * 10 + (*p - '0');
		if (neg)
			exp = -exp;
	}
	if (real_overflows(ip, ni, fp, nf, exp))
		return fail(ps, ip, "number overflows a double");
	v->kind = J_REAL;
	return skip_pushed_back_nul(p, end);
}

static uchar *scan_number(struct parser *ps, uchar *p, struct jval *v)
{
	uchar *end = ps->end, *ip;
	bool neg = *p == '-';
	uint64_t u = 0;
	size_t ni;

	ip = p += neg;
	for (; is_digit(p, end); p++)
		u = u * 10 + (*p - '0'); /* wraps only past 19 digits */
	ni = (size_t)(p - ip);
	if (ni == 0)
		return fail(ps, ip, "invalid number");
	if (*ip == '0' && ni > 1)
		return fail(ps, ip + 1, "leading zero in number");
	if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
		return scan_real(ps, p, ip, ni, v);
	if (ni > 19 || u > (uint64_t)INT64_MAX + neg)
		return fail(ps, ip, "integer out of int64 range");
	v->kind = J_INT;
	v->i = neg ? (int64_t)(0 - u) : (int64_t)u;
	return skip_pushed_back_nul(p, end);
}

static uchar *scan_literal(struct parser *ps, uchar *p, struct jval *v)
{
	static const struct {
		const char *text;
		uint8_t len, kind;
	} lits[] = { { "null", 4, J_NULL }, { "true", 4, J_TRUE },
		     { "false", 5, J_FALSE } };

	for (size_t i = 0; i < sizeof lits / sizeof lits[0]; i++) {
		if ((size_t)(ps->end - p) >= lits[i].len &&
		    !memcmp(p, lits[i].text, lits[i].len)) {
			v->kind = lits[i].kind;
			return skip_pushed_back_nul(p + lits[i].len, ps->end);
		}
	}
	return fail(ps, p, "invalid literal");
}

/* A scalar, or just the opening bracket of a container. */
static inline uchar *scan_token(struct parser *ps, uchar *p, struct jval *v)
{
	if (p == ps->end)
		return fail(ps, p, "value expected");
	if (*p == '"')
		return scan_string(ps, p + 1, v);
	if ((*p >= '0' && *p <= '9') || *p == '-')
		return scan_number(ps, p, v);
	if (*p == '{' || *p == '[') {
		v->kind = *p == '{' ? J_OBJ : J_ARR;
		v->p = (const char *)p;
		return p + 1;
	}
	return scan_literal(ps, p, v);
}

/* p at the opening quote of a key; returns past the ':' and the blanks
 * after it. */
static inline uchar *scan_key(struct parser *ps, uchar *p, struct jval *k)
{
	if (p == ps->end || *p != '"')
		return fail(ps, p, "string key expected");
	p = scan_string(ps, p + 1, k);
	if (!p)
		return NULL;
	if (k->flags & STR_NUL)
		return fail(ps, (uchar *)k->p, "NUL byte in object key");
	p = skip_ws(p, ps->end);
	if (p == ps->end || *p != ':')
		return fail(ps, p, "':' expected");
	return skip_ws(p + 1, ps->end);
}

static void nest_set(struct parser *ps, unsigned d, bool is_obj)
{
	if (is_obj)
		ps->nest[d / 64] |= 1ULL << (d % 64);
	else
		ps->nest[d / 64] &= ~(1ULL << (d % 64));
}

static bool nest_is_obj(const struct parser *ps, unsigned d)
{
	return ps->nest[d / 64] >> (d % 64) & 1;
}

/* The rest of a container whose opening bracket at depth `depth` was just
 * read (p is past it).  Iterative, so that nesting costs no C stack. */
static uchar *skip_container(struct parser *ps, uchar *p, unsigned depth,
			     bool is_obj)
{
	uchar *end = ps->end;
	struct jval inner;
	unsigned open = 0; /* containers open, this one included */

	if (depth > JSON_MAX_DEPTH)
		return fail(ps, p - 1, "nesting deeper than 2048");
	for (;;) {
		/* Just past an opening bracket at depth + open. */
		nest_set(ps, depth + open, is_obj);
		open++;
		p = skip_ws(p, end);
		if (p < end && *p == (is_obj ? '}' : ']')) {
			p++;
			goto closed;
		}
		for (;;) {
			if (is_obj && !(p = scan_key(ps, p, &inner)))
				return NULL;
			if (depth + open > JSON_MAX_DEPTH)
				return fail(ps, p, "nesting deeper than 2048");
			if (!(p = scan_token(ps, p, &inner)))
				return NULL;
			if (inner.kind == J_OBJ || inner.kind == J_ARR) {
				is_obj = inner.kind == J_OBJ;
				break; /* descend */
			}
			for (;;) {
				p = skip_ws(p, end);
				if (p == end)
					return fail(ps, p, "unterminated container");
				is_obj = nest_is_obj(ps, depth + open - 1);
				if (*p == ',') {
					p = skip_ws(p + 1, end);
					break; /* next member */
				}
				if (*p != (is_obj ? '}' : ']'))
					return fail(ps, p, is_obj ?
						    "',' or '}' expected" :
						    "',' or ']' expected");
				p++;
closed:
				if (--open == 0)
					return p;
			}
		}
	}
}

/* One value at nesting depth `depth` (1 for the message itself); *v
 * describes it, containers being skipped over. */
static inline uchar *scan_value(struct parser *ps, uchar *p, unsigned depth,
				struct jval *v)
{
	p = scan_token(ps, p, v);
	if (p && (v->kind == J_OBJ || v->kind == J_ARR))
		return skip_container(ps, p, depth, v->kind == J_OBJ);
	return p;
}

/* ---- phase 2: the schema ---------------------------------------------- */

/* The field a key names, or -1.  A switch on the length and fixed-size
 * compares: it runs for every key of every message, and measured faster
 * than hashing. */
static int key_field(const char *k, size_t n)
{
#define IS(name) (!memcmp(k, name, sizeof name - 1))
	switch (n) {
	case 1:
		return k[0] == 'v' ? F_V : -1;
	case 2:
		return IS("ts") ? F_TS : IS("id") ? F_ID : -1;
	case 4:
		return IS("type") ? F_TYPE : IS("team") ? F_TEAM : -1;
	case 5:
		return IS("event") ? F_EVENT : IS("queue") ? F_QUEUE :
		       IS("state") ? F_STATE : -1;
	case 6:
		return IS("tenant") ? F_TENANT : IS("queues") ? F_QUEUES :
		       IS("reason") ? F_REASON : IS("acw_ms") ? F_ACW_MS : -1;
	case 7:
		return IS("call_id") ? F_CALL_ID : IS("wait_ms") ? F_WAIT_MS :
		       IS("talk_ms") ? F_TALK_MS : IS("hold_ms") ? F_HOLD_MS :
		       IS("outcome") ? F_OUTCOME : -1;
	case 8:
		return IS("agent_id") ? F_AGENT_ID : IS("ended_at") ? F_ENDED_AT :
		       -1;
	case 10:
		return IS("offered_at") ? F_OFFERED_AT : -1;
	case 11:
		return IS("answered_at") ? F_ANSWERED_AT :
		       IS("alerting_at") ? F_ALERTING_AT : -1;
	default:
		return -1;
	}
#undef IS
}

/* Everything phase 2 works on. */
struct dctx {
	csla_time_memo_t *memo; /* the decoder's */
	struct jval vals[F__COUNT];
	uint32_t seen;      /* bit per field present and not null */
	const char *start, *end; /* the message */
	char *scratch, *scratch_end;
	size_t used;        /* bytes of scratch handed out */
	char *errstr;
	size_t errlen;
};

/* Unescapes contents that phase 1 validated; returns the length written. */
static size_t unescape(const char *src, size_t n, char *dst)
{
	const unsigned char *s = (const unsigned char *)src, *e = s + n;
	char *o = dst;

	while (s < e) {
		if (*s != '\\') {
			*o++ = (char)*s++;
			continue;
		}
		switch (s[1]) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			unsigned long cp = (unsigned long)hex4(s, e);
			if (cp >= 0xd800 && cp <= 0xdbff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     ((unsigned long)hex4(s + 6, e) - 0xdc00);
				s += 6;
			}
			o += csla_utf8_put(o, (uint32_t)cp);
			s += 6;
			continue;
		}
		default: *o++ = (char)s[1]; break; /* '"', '\\', '/' */
		}
		s += 2;
	}
	return (size_t)(o - dst);
}

/* The text of a J_STR, unescaped into scratch when it has escapes. */
static csla_str_t str_of(struct dctx *c, const struct jval *v)
{
	csla_str_t s = { v->p, v->len };
	if (v->flags & STR_ESC) {
		s.p = c->scratch + c->used;
		s.len = (uint32_t)unescape(v->p, v->len, c->scratch + c->used);
		c->used += s.len;
	}
	return s;
}

static csla_reject_t rej(struct dctx *c, csla_reject_t r, const char *fmt, ...)
{
	if (c->errstr && c->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->errstr, c->errlen, fmt, ap);
		va_end(ap);
	}
	return r;
}

static const struct jval *get(const struct dctx *c, enum field f)
{
	return c->seen >> f & 1 ? &c->vals[f] : NULL;
}

static csla_reject_t missing(struct dctx *c, enum field f, const char *why)
{
	return rej(c, CSLA_REJ_MISSING_FIELD, "missing field \"%s\"%s",
		   field_names[f], why);
}

static csla_reject_t bad(struct dctx *c, enum field f, const char *expected)
{
	return rej(c, CSLA_REJ_BAD_FIELD, "field \"%s\": expected %s",
		   field_names[f], expected);
}

/* The index in t of a J_STR's text, or -1. */
static inline int lookup(struct dctx *c, const struct names *t,
			 const struct jval *v)
{
	csla_str_t s = str_of(c, v);
	return name_index(t, s.p, s.len,
			  v->flags & STR_ESC ? c->scratch_end : c->end);
}

/* An identifier (1..CSLA_ID_MAX bytes, no NUL) from a J_STR; false when the
 * value is not one. */
static bool ident_of(struct dctx *c, const struct jval *v, csla_str_t *out)
{
	if (v->kind != J_STR || (v->flags & STR_NUL) || v->len == 0)
		return false;
	*out = str_of(c, v);
	return out->len <= CSLA_ID_MAX;
}

#define IDENT_EXPECTED "a string of 1..128 bytes without NUL"

/* Optional identifier: out->len stays 0 when absent. */
static inline csla_reject_t opt_ident(struct dctx *c, enum field f,
				      csla_str_t *out)
{
	const struct jval *v = get(c, f);
	out->p = NULL;
	out->len = 0;
	if (!v)
		return CSLA_OK;
	/* Most are plain strings: nothing to unescape, no NUL. */
	if (v->kind == J_STR && !v->flags && v->len - 1 < CSLA_ID_MAX) {
		out->p = v->p;
		out->len = v->len;
		return CSLA_OK;
	}
	if (!ident_of(c, v, out))
		return bad(c, f, IDENT_EXPECTED);
	return CSLA_OK;
}

static inline csla_reject_t req_ident(struct dctx *c, enum field f,
				      const char *why, csla_str_t *out)
{
	if (!get(c, f))
		return missing(c, f, why);
	return opt_ident(c, f, out);
}

/* Optional duration: CSLA_NO_MS when absent. */
static inline csla_reject_t opt_duration(struct dctx *c, enum field f,
					 int64_t *out)
{
	const struct jval *v = get(c, f);
	*out = CSLA_NO_MS;
	if (!v)
		return CSLA_OK;
	if (v->kind != J_INT || v->i < 0 || v->i > MAX_DURATION_MS)
		return bad(c, f, "an integer of milliseconds in 0..31622400000");
	*out = v->i;
	return CSLA_OK;
}

/* Optional time, RFC 3339 or epoch ms: CSLA_NO_MS when absent. */
static csla_reject_t opt_time(struct dctx *c, enum field f, int64_t *out)
{
	const struct jval *v = get(c, f);
	*out = CSLA_NO_MS;
	if (!v)
		return CSLA_OK;
	if (v->kind == J_INT && v->i >= MIN_TS_MS && v->i <= MAX_TS_MS) {
		*out = v->i;
		return CSLA_OK;
	}
	if (v->kind == J_STR) {
		csla_str_t s = str_of(c, v);
		if (!csla_time_parse_rfc3339_memo(c->memo, s.p, s.len, out))
			return CSLA_OK;
	}
	*out = CSLA_NO_MS;
	return rej(c, CSLA_REJ_BAD_TS,
		   "field \"%s\": expected an RFC 3339 timestamp with offset or "
		   "integer epoch milliseconds of years 1..9999",
		   field_names[f]);
}

static csla_reject_t req_time(struct dctx *c, enum field f, const char *why,
			      int64_t *out)
{
	if (!get(c, f))
		return missing(c, f, why);
	return opt_time(c, f, out);
}

/* req_enum() of any value. */
static csla_reject_t req_enum_slow(struct dctx *c, enum field f,
				   const struct names *t, const char *allowed,
				   int *id)
{
	const struct jval *v = get(c, f);
	if (!v)
		return missing(c, f, "");
	if (v->kind != J_STR)
		return bad(c, f, "a string");
	*id = lookup(c, t, v);
	return *id < 0 ? bad(c, f, allowed) : CSLA_OK;
}

/* A required enum field: its value's id in t, or a rejection naming the
 * values allowed.  Inline for the usual value, a plain string, since a call
 * costs more than the lookup. */
static inline __attribute__((always_inline)) csla_reject_t
req_enum(struct dctx *c, enum field f, const struct names *t,
	 const char *allowed, int *id)
{
	const struct jval *v = &c->vals[f];

	if ((c->seen >> f & 1) && v->kind == J_STR && !v->flags &&
	    (*id = name_index(t, v->p, v->len, c->end)) >= 0)
		return CSLA_OK;
	return req_enum_slow(c, f, t, allowed, id);
}

#define TRY(expr)                                                            \
	do {                                                                 \
		csla_reject_t r_ = (expr);                                   \
		if (r_ != CSLA_OK)                                           \
			return r_;                                           \
	} while (0)

static csla_reject_t decode_call(struct dctx *c, csla_event_t *ev)
{
	static const char *const why[] = {
		[CSLA_CALL_OFFERED] = " (required for call event \"offered\")",
		[CSLA_CALL_ALERTING] = " (required for call event \"alerting\")",
		[CSLA_CALL_ANSWERED] = " (required for call event \"answered\")",
		[CSLA_CALL_ABANDONED] = " (required for call event \"abandoned\")",
		[CSLA_CALL_FLOWOUT] = " (required for call event \"flowout\")",
		[CSLA_CALL_ENDED] = " (required for call event \"ended\")",
	};
	int e;
	int64_t wait, talk, hold, acw;
	bool outcome, needs_queue, needs_agent;

	TRY(req_enum(c, F_EVENT, &schema.call_events, "offered, alerting, "
		     "answered, abandoned, flowout or ended", &e));
	outcome = e == CSLA_CALL_ANSWERED || e == CSLA_CALL_ABANDONED ||
		  e == CSLA_CALL_FLOWOUT;
	needs_queue = outcome || e == CSLA_CALL_OFFERED;
	needs_agent = e == CSLA_CALL_ALERTING || e == CSLA_CALL_ANSWERED ||
		      e == CSLA_CALL_ENDED;

	ev->call_event = (csla_call_ev_t)e;
	TRY(req_ident(c, F_CALL_ID, "", &ev->call_id));
	if (needs_queue)
		TRY(req_ident(c, F_QUEUE, why[e], &ev->queue));
	else
		TRY(opt_ident(c, F_QUEUE, &ev->queue));
	if (needs_agent)
		TRY(req_ident(c, F_AGENT_ID, why[e], &ev->agent_id));
	else
		TRY(opt_ident(c, F_AGENT_ID, &ev->agent_id));
	TRY(opt_duration(c, F_WAIT_MS, &wait));
	TRY(opt_duration(c, F_TALK_MS, &talk));
	TRY(opt_duration(c, F_HOLD_MS, &hold));
	TRY(opt_duration(c, F_ACW_MS, &acw));
	/* Kept only where the spec gives them a meaning. */
	if (outcome)
		ev->wait_ms = wait;
	if (e == CSLA_CALL_ENDED) {
		ev->talk_ms = talk;
		ev->hold_ms = hold;
		ev->acw_ms = acw;
	}
	return CSLA_OK;
}

static csla_reject_t decode_queues(struct dctx *c, const char *at,
				   csla_event_t *ev)
{
	struct parser ps;
	struct jval v;
	uchar *p;

	/* Phase 1 validated the array: only the schema can fail here. */
	ps.start = (uchar *)c->start;
	ps.end = (uchar *)c->end;
	blocks_init(&ps);
	ev->has_queues = true;
	p = skip_ws((uchar *)at + 1, ps.end);
	if (*p == ']')
		return CSLA_OK;
	for (;;) {
		csla_str_t q;
		uint32_t i;

		p = scan_value(&ps, p, 3, &v);
		if (!ident_of(c, &v, &q))
			return bad(c, F_QUEUES, "an array of strings of "
				   "1..128 bytes without NUL");
		for (i = 0; i < ev->nqueues; i++)
			if (csla_str_eq(ev->queues[i], q.p, q.len))
				break;
		if (i == ev->nqueues) {
			if (ev->nqueues == CSLA_MAX_AGENT_QUEUES)
				return bad(c, F_QUEUES, "at most 32 queues");
			ev->queues[ev->nqueues++] = q;
		}
		p = skip_ws(p, ps.end);
		if (*p++ == ']')
			return CSLA_OK;
		p = skip_ws(p, ps.end);
	}
}

static csla_reject_t decode_agent(struct dctx *c, csla_event_t *ev)
{
	const struct jval *qs;
	int s;

	TRY(req_ident(c, F_AGENT_ID, "", &ev->agent_id));
	TRY(req_enum(c, F_STATE, &schema.states, "logged_out, available, "
		     "not_ready, alerting, talking, hold or acw", &s));
	ev->state = (csla_agent_state_t)s;
	TRY(opt_ident(c, F_REASON, &ev->reason));
	TRY(opt_ident(c, F_TEAM, &ev->team));
	qs = get(c, F_QUEUES);
	if (!qs)
		return CSLA_OK;
	if (qs->kind != J_ARR)
		return bad(c, F_QUEUES, "an array of strings");
	return decode_queues(c, qs->p, ev);
}

static csla_reject_t decode_cdr(struct dctx *c, csla_event_t *ev)
{
	int o;
	int64_t off, ans, alrt, end;

	TRY(req_ident(c, F_CALL_ID, "", &ev->call_id));
	TRY(req_ident(c, F_QUEUE, "", &ev->queue));
	TRY(req_time(c, F_OFFERED_AT, "", &off));
	TRY(req_enum(c, F_OUTCOME, &schema.outcomes,
		     "answered, abandoned or flowout", &o));
	ev->outcome = (csla_outcome_t)o;
	if (o == CSLA_OUT_ANSWERED)
		TRY(req_time(c, F_ANSWERED_AT,
			     " (required for outcome \"answered\")", &ans));
	else
		TRY(opt_time(c, F_ANSWERED_AT, &ans));
	TRY(req_time(c, F_ENDED_AT, "", &end));
	TRY(opt_time(c, F_ALERTING_AT, &alrt));
	TRY(opt_ident(c, F_AGENT_ID, &ev->agent_id));
	TRY(opt_duration(c, F_TALK_MS, &ev->talk_ms));
	TRY(opt_duration(c, F_HOLD_MS, &ev->hold_ms));
	TRY(opt_duration(c, F_ACW_MS, &ev->acw_ms));

	if (o != CSLA_OUT_ANSWERED && ans != CSLA_NO_MS)
		return bad(c, F_ANSWERED_AT, "no answer time when the outcome "
			   "is not \"answered\"");
	if (end < off)
		return bad(c, F_ENDED_AT, "a time not before offered_at");
	if (ans != CSLA_NO_MS && (ans < off || ans > end))
		return bad(c, F_ANSWERED_AT, "a time between offered_at and "
			   "ended_at");
	if (alrt != CSLA_NO_MS &&
	    (alrt < off || alrt > (ans != CSLA_NO_MS ? ans : end)))
		return bad(c, F_ALERTING_AT, "a time between offered_at and "
			   "answered_at (or ended_at)");
	ev->offered_at = off;
	ev->answered_at = ans;
	ev->alerting_at = alrt;
	ev->ended_at = end;
	ev->ts_ms = end;
	return CSLA_OK;
}

static csla_reject_t decode_fields(struct dctx *c, csla_event_t *ev)
{
	const struct jval *v;
	int t;

	v = get(c, F_V);
	if (!v)
		return missing(c, F_V, "");
	if (v->kind != J_INT || v->i != 1)
		return rej(c, CSLA_REJ_BAD_VERSION,
			   "field \"v\": expected schema version 1");

	v = get(c, F_TYPE);
	if (!v)
		return missing(c, F_TYPE, "");
	t = v->kind == J_STR ? lookup(c, &schema.types, v) : -1;
	if (t < 0)
		return rej(c, CSLA_REJ_UNKNOWN_TYPE, "field \"type\": expected "
			   "\"call\", \"agent\" or \"cdr\"");
	ev->type = (csla_ev_type_t)(CSLA_EV_CALL + t);

	TRY(opt_ident(c, F_TENANT, &ev->tenant));
	if (ev->tenant.len == 0) {
		ev->tenant.p = "default";
		ev->tenant.len = 7;
	}
	TRY(opt_ident(c, F_ID, &ev->id));
	if (ev->type == CSLA_EV_CDR)
		TRY(opt_time(c, F_TS, &ev->ts_ms));
	else
		TRY(req_time(c, F_TS, "", &ev->ts_ms));

	switch (ev->type) {
	case CSLA_EV_CALL:
		return decode_call(c, ev);
	case CSLA_EV_AGENT:
		return decode_agent(c, ev);
	default:
		return decode_cdr(c, ev);
	}
}

static void event_reset(csla_event_t *ev)
{
	static const csla_str_t none = { NULL, 0 };

	ev->ts_ms = CSLA_NO_MS;
	/* One by one: a chained assignment reads back what it just stored,
	 * which costs a store-forwarding stall per event. */
	ev->tenant = none;
	ev->id = none;
	ev->call_id = none;
	ev->queue = none;
	ev->agent_id = none;
	ev->reason = none;
	ev->team = none;
	ev->call_event = CSLA_CALL_OFFERED;
	ev->wait_ms = ev->talk_ms = ev->hold_ms = ev->acw_ms = CSLA_NO_MS;
	ev->state = CSLA_AS_LOGGED_OUT;
	ev->has_queues = false;
	ev->nqueues = 0;
	ev->outcome = CSLA_OUT_ANSWERED;
	ev->offered_at = ev->answered_at = ev->alerting_at = CSLA_NO_MS;
	ev->ended_at = CSLA_NO_MS;
}

/* Whether m has three bits set or more. */
static inline bool three_bits(uint64_t m)
{
	m &= m - 1;
	m &= m - 1;
	return m != 0;
}

/* The usual member, "key":"value" with plain strings, p at its first
 * quote: the special bytes of one block from the key on tell where both
 * strings end, and the value is recorded as scan_message() would.  Returns
 * past the value, or NULL, with nothing recorded, for anything else. */
static inline uchar *plain_member(struct parser *ps, uchar *p, struct dctx *c,
				  uint32_t *seen, int *fp)
{
	size_t off = (size_t)(p + 1 - ps->blk);
	uint64_t m = off < 64 ? ps->bits >> off : 0;
	uchar *q, *r;
	int f;

	if (ps->end - p < 6) /* no room for a member and a byte after it */
		return NULL;
	if (!three_bits(m)) {
		/* Past the block's end: a block from the key on (blocks
		 * need not be aligned) saves the general path's detour. */
		if (ps->end - ps->blk <= 64 || off == 0)
			return NULL;
		ps->blk = p + 1;
		m = ps->bits = block_bits(ps, ps->blk);
		if (!three_bits(m))
			return NULL;
	}
	q = p + 1 + __builtin_ctzll(m); /* the key's end */
	if (ps->end - q < 3 || q[0] != '"' || q[1] != ':' || q[2] != '"')
		return NULL;
	m &= m - 1; /* the value's opening quote, q + 2 */
	m &= m - 1;
	r = p + 1 + __builtin_ctzll(m); /* the value's end */
	if (*r != '"')
		return NULL;
	*fp = f = key_field((const char *)p + 1, (size_t)(q - p - 1));
	if (f >= 0) {
		c->vals[f].kind = J_STR;
		c->vals[f].flags = 0;
		c->vals[f].p = (const char *)q + 3;
		c->vals[f].len = (uint32_t)(r - q - 3);
		*seen |= 1u << f;
	}
	return r + 1;
}

/* Any member of the message object, p at its key's opening quote: the
 * value is recorded if the key names a field.  Returns past the value. */
static inline uchar *scan_member(struct parser *ps, uchar *p, struct dctx *c,
				 uint32_t *seen, int *fp)
{
	uchar *end = ps->end;
	struct jval key, skipped, *v;
	const char *k = (const char *)++p;
	size_t klen;
	uint32_t bit;
	int f;

	p = find_special(ps, p);
	if (p < end && *p == '"') {
		klen = (size_t)(p++ - (uchar *)k);
	} else {
		key.p = k;
		if (!(p = scan_string_slow(ps, p, &key)))
			return NULL;
		if (key.flags & STR_NUL)
			return fail(ps, (uchar *)k, "NUL byte in object key");
		klen = key.len;
		if (key.flags & STR_ESC) {
			/* Scratch is free until phase 2. */
			klen = unescape(k, klen, c->scratch);
			k = c->scratch;
		}
	}
	if (p == end || *p != ':') {
		p = skip_ws(p, end);
		if (p == end || *p != ':')
			return fail(ps, p, "':' expected");
	}
	p++;
	*fp = f = key_field(k, klen);
	v = f < 0 ? &skipped : &c->vals[f];
	bit = f < 0 ? 0 : 1u << f;
	if (p < end && *p == '"') {
		if (!(p = scan_string(ps, p + 1, v)))
			return NULL;
		*seen |= bit;
	} else {
		if (!(p = scan_value(ps, skip_ws(p, end), 2, v)))
			return NULL;
		if (v->kind == J_NULL)
			*seen &= ~bit;
		else
			*seen |= bit;
	}
	return p;
}

/* The order csla_event_json() writes fields in, by type: after field f
 * comes canon_next[class][f], 0 (F_V, never second) for no guess.  Class
 * 0 is before the type is known (see type_class()).  Only a guess: keys
 * in any other order are found by key_field(). */
enum { CLASS_ANY, CLASS_CALL, CLASS_AGENT, CLASS_CDR, CLASS__COUNT };

#define COMMON_HEAD [F_V] = F_TYPE, [F_TYPE] = F_TS, [F_TS] = F_TENANT, \
		    [F_TENANT] = F_ID
static const uint8_t canon_next[CLASS__COUNT][F__COUNT] = {
	[CLASS_ANY] = { COMMON_HEAD },
	[CLASS_CALL] = { COMMON_HEAD, [F_ID] = F_EVENT,
			 [F_EVENT] = F_CALL_ID, [F_CALL_ID] = F_QUEUE,
			 [F_QUEUE] = F_AGENT_ID, [F_AGENT_ID] = F_WAIT_MS,
			 [F_WAIT_MS] = F_TALK_MS, [F_TALK_MS] = F_HOLD_MS,
			 [F_HOLD_MS] = F_ACW_MS },
	[CLASS_AGENT] = { COMMON_HEAD, [F_ID] = F_AGENT_ID,
			  [F_AGENT_ID] = F_STATE, [F_STATE] = F_REASON,
			  [F_REASON] = F_TEAM, [F_TEAM] = F_QUEUES },
	[CLASS_CDR] = { COMMON_HEAD, [F_ID] = F_CALL_ID,
			[F_CALL_ID] = F_QUEUE, [F_QUEUE] = F_AGENT_ID,
			[F_AGENT_ID] = F_OUTCOME, [F_OUTCOME] = F_OFFERED_AT,
			[F_OFFERED_AT] = F_ALERTING_AT,
			[F_ALERTING_AT] = F_ANSWERED_AT,
			[F_ANSWERED_AT] = F_ENDED_AT, [F_ENDED_AT] = F_TALK_MS,
			[F_TALK_MS] = F_HOLD_MS, [F_HOLD_MS] = F_ACW_MS },
};
#undef COMMON_HEAD

/* The class a type value guesses, by its length alone: a wrong guess only
 * costs the key compares of expected_member(). */
static inline unsigned type_class(const struct jval *v)
{
	if (v->kind != J_STR)
		return CLASS_ANY;
	return v->len == 4 ? CLASS_CALL : v->len == 5 ? CLASS_AGENT :
	       v->len == 3 ? CLASS_CDR : CLASS_ANY;
}

/* The member after p when it is field f's with a plain string value,
 * p at the comma before it: the usual member of a message in
 * csla_event_json()'s order.  One compare covers the comma, the key and
 * the quote that opens the value, and the special bytes of the current
 * block tell where the value ends.  Recorded as scan_message() would;
 * returns past the value, or NULL, with nothing recorded, for anything
 * else. */
static inline uchar *expected_member(struct parser *ps, uchar *p,
				     struct dctx *c, uint32_t *seen, int f)
{
	const struct keypat *k = &schema.keys[f];
	uchar *v = p + k->len, *q; /* the value's contents */
	size_t off;
	uint64_t m;

	if (ps->end - p < 16 ||
	    ((csla_load64(p) ^ k->w0) & k->m0) |
	    ((csla_load64(p + 8) ^ k->w1) & k->m1))
		return NULL;
	/* Past the block's end, a block from p on (as in plain_member())
	 * rather than find_special()'s detour; not from the value on, which
	 * would leave the block past what the general path scans when this
	 * one gives up. */
	off = (size_t)(v - ps->blk);
	m = off < 64 ? ps->bits >> off : 0;
	if (!m) {
		ps->blk = p;
		ps->bits = block_bits(ps, p);
		if (!(m = ps->bits >> k->len))
			return NULL;
	}
	q = v + __builtin_ctzll(m);
	if (*q != '"')
		return NULL;
	c->vals[f].kind = J_STR;
	c->vals[f].flags = 0;
	c->vals[f].p = (const char *)v;
	c->vals[f].len = (uint32_t)(q - v);
	*seen |= 1u << f;
	return q + 1;
}

/* Phase 1 over a message object; p is past its '{'.  Written for compact
 * JSON: each blank costs a detour through skip_ws(). */
static uchar *scan_message(struct parser *ps, uchar *p, struct dctx *c)
{
	uchar *end = ps->end, *next;
	uint32_t seen = 0;
	unsigned cls = CLASS_ANY;
	int f, want = F_V; /* F_V: no guess */

	p = skip_ws(p, end);
	if (p < end && *p == '}')
		return p + 1;
	/* Messages mostly open with "v":1 (event_json's order): a number,
	 * which plain_member() leaves to the general path.  Recorded as
	 * scan_member() would. */
	if (end - p >= 6 && !memcmp(p, "\"v\":1,", 6)) {
		c->vals[F_V].kind = J_INT;
		c->vals[F_V].i = 1;
		seen = 1u << F_V;
		want = F_TYPE;
		p += 5; /* at the comma */
		goto expected;
	}
	for (;;) {
		if (p == end || *p != '"')
			return fail(ps, p, "string key expected");
		if (!(next = plain_member(ps, p, c, &seen, &f)) &&
		    !(next = scan_member(ps, p, c, &seen, &f)))
			return NULL;
		if (f == F_TYPE)
			cls = type_class(&c->vals[F_TYPE]);
		want = f < 0 ? F_V : canon_next[cls][f];
		p = next;
expected:
		/* Then the members that follow in the expected order. */
		while (want != F_V &&
		       (next = expected_member(ps, p, c, &seen, want))) {
			if (want == F_TYPE)
				cls = type_class(&c->vals[F_TYPE]);
			want = canon_next[cls][want];
			p = next;
		}
		if (p == end || *p != ',') {
			p = skip_ws(p, end);
			if (p < end && *p == '}') {
				c->seen = seen;
				return p + 1;
			}
			if (p == end || *p != ',')
				return fail(ps, p, "',' or '}' expected");
		}
		p++;
		if (p < end && *p != '"')
			p = skip_ws(p, end);
	}
}

static const char *kind_name(uint8_t kind)
{
	static const char *const names[] = {
		[J_NULL] = "null",     [J_FALSE] = "a boolean",
		[J_TRUE] = "a boolean", [J_INT] = "a number",
		[J_REAL] = "a number",  [J_STR] = "a string",
		[J_ARR] = "an array",   [J_OBJ] = "an object",
	};
	return names[kind];
}

csla_reject_t csla_decode(csla_decoder_t *d, const char *buf, size_t len,
			  csla_event_t *ev, char *errstr, size_t errlen)
{
	struct parser ps;
	struct dctx c;
	struct jval top;
	uchar *p;

	c.memo = &d->memo;
	c.seen = 0;
	c.start = buf;
	c.end = buf + len;
	c.scratch = d->scratch;
	c.scratch_end = d->scratch + d->max_bytes + 1;
	c.used = 0;
	c.errstr = errstr;
	c.errlen = errlen;
	if (len > d->max_bytes)
		return rej(&c, CSLA_REJ_TOO_LARGE,
			   "message of %zu bytes exceeds the limit of %zu",
			   len, d->max_bytes);

	ps.start = (uchar *)buf;
	ps.end = ps.start + len;
	blocks_init(&ps);
	p = skip_ws(ps.start, ps.end);
	if (p < ps.end && *p == '{') {
		top.kind = J_OBJ;
		p = scan_message(&ps, p + 1, &c);
	} else {
		p = scan_value(&ps, p, 1, &top);
	}
	if (p && (p = skip_ws(p, ps.end)) != ps.end)
		p = fail(&ps, p, "trailing characters after the value");
	if (!p)
		return rej(&c, CSLA_REJ_MALFORMED_JSON,
			   "invalid JSON at byte %zu: %s", ps.err_at, ps.err);
	if (top.kind != J_OBJ)
		return rej(&c, CSLA_REJ_NOT_OBJECT,
			   "message is %s, not a JSON object",
			   kind_name(top.kind));

	event_reset(ev);
	return decode_fields(&c, ev);
}

static void keypat_init(struct keypat *k, const char *name)
{
	unsigned char b[16] = { 0 }, m[16] = { 0 };
	size_t n = strlen(name) + 5; /* at most 16: "alerting_at" */

	memcpy(b, ",\"", 2);
	memcpy(b + 2, name, n - 5);
	memcpy(b + n - 3, "\":\"", 3);
	memset(m, 0xff, n);
	k->w0 = csla_load64(b);
	k->w1 = csla_load64(b + 8);
	k->m0 = csla_load64(m);
	k->m1 = csla_load64(m + 8);
	k->len = (uint8_t)n;
}

static void schema_init(void)
{
	struct schema *s = &schema;

	names_add(&s->types, "call"); /* CSLA_EV_CALL + index */
	names_add(&s->types, "agent");
	names_add(&s->types, "cdr");
	for (int e = CSLA_CALL_OFFERED; e <= CSLA_CALL_ENDED; e++)
		names_add(&s->call_events, csla_call_event_name(e));
	for (int st = 0; st < CSLA_AS_COUNT; st++)
		names_add(&s->states, csla_agent_state_name(st));
	for (int o = CSLA_OUT_ANSWERED; o <= CSLA_OUT_FLOWOUT; o++)
		names_add(&s->outcomes, csla_outcome_name(o));
	for (int f = 0; f < F__COUNT; f++)
		keypat_init(&s->keys[f], field_names[f]);
	s->ok = names_seal(&s->types) && names_seal(&s->call_events) &&
		names_seal(&s->states) && names_seal(&s->outcomes);
}

csla_decoder_t *csla_decoder_new(size_t max_bytes)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	csla_decoder_t *d;

	if (pthread_once(&once, schema_init) != 0 || !schema.ok)
		return NULL;
	if (!(d = calloc(1, sizeof *d)))
		return NULL;
	d->max_bytes = max_bytes;
	d->scratch = malloc(max_bytes + 1);
	if (!d->scratch) {
		free(d);
		return NULL;
	}
	return d;
}

void csla_decoder_destroy(csla_decoder_t *d)
{
	if (!d)
		return;
	free(d->scratch);
	free(d);
}
