/*
 * json.h - the little JSON the HTTP API needs beyond the snapshot writer:
 * one member of an object read from its text (rows and alerts stored in
 * Redis), strings escaped and unescaped, and formatted appends to a
 * csla_buf_t.  Pure: no I/O, no allocation but the buffer's.
 */
#ifndef CALLSLA_JSON_H
#define CALLSLA_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "callsla/engine.h"

typedef enum csla_jtype {
	CSLA_JT_NULL = 0,
	CSLA_JT_NUMBER,
	CSLA_JT_STRING, /* p, len: between the quotes, still escaped */
	CSLA_JT_OTHER,  /* true, false, an object or an array */
} csla_jtype_t;

typedef struct csla_jval {
	csla_jtype_t type;
	const char *p; /* the value's text, inside json */
	size_t len;
} csla_jval_t;

/* The members of an object at its top level, in text order, without
 * reading their values:
 *
 *	if (!csla_json_iter_init(&it, json, len))
 *		while (csla_json_iter_next(&it, &key, &klen, &v)) ...
 *
 * init returns -1 when the text does not start an object; next returns 1
 * with a member (its key as written, escapes and all), 0 at the end or
 * where the text stops being an object. */
typedef struct csla_json_iter {
	const char *p, *end;
	bool first;
} csla_json_iter_t;

int csla_json_iter_init(csla_json_iter_t *it, const char *json, size_t len);
int csla_json_iter_next(csla_json_iter_t *it, const char **key,
			size_t *klen, csla_jval_t *v);

/* Finds the member `name` at the top level of the object json[0..len).
 * Keys are compared as written (no escape in them is decoded).  Returns
 * 0 with *out, or -1 when there is no such member or the text is not an
 * object (scanned only as far as the member). */
int csla_json_member(const char *json, size_t len, const char *name,
		     csla_jval_t *out);

/* Decodes the escaped contents of a JSON string (CSLA_JT_STRING's p, len)
 * into out, which must hold len bytes (decoding never grows text).
 * Returns the decoded length, or (size_t)-1 on a bad escape. */
size_t csla_json_unescape(const char *p, size_t len, char *out);

/* The escape of byte c in a JSON string into esc: its length (2 for the
 * short escapes JSON has, 6 for other control characters as \u00XX), or 0
 * when c goes as it is (UTF-8 included).  Every JSON writer of callsla
 * escapes this way. */
static inline size_t csla_json_escape(unsigned char c, char esc[6])
{
	static const char hex[] = "0123456789abcdef";

	if (c >= 0x20 && c != '"' && c != '\\')
		return 0;
	esc[0] = '\\';
	switch (c) {
	case '"': esc[1] = '"'; return 2;
	case '\\': esc[1] = '\\'; return 2;
	case '\b': esc[1] = 'b'; return 2;
	case '\f': esc[1] = 'f'; return 2;
	case '\n': esc[1] = 'n'; return 2;
	case '\r': esc[1] = 'r'; return 2;
	case '\t': esc[1] = 't'; return 2;
	default:
		memcpy(esc + 1, "u00", 3);
		esc[4] = hex[c >> 4];
		esc[5] = hex[c & 15];
		return 6;
	}
}

/* Appends s[0..n) as a JSON string, quotes included; control characters,
 * quotes and backslashes escaped, other bytes as they are. */
void csla_json_str(csla_buf_t *b, const char *s, size_t n);

/* Writes a finite v in the shortest form strtod() reads back as v
 * ("0.1", "20", "1e-05") into buf and returns its length. */
size_t csla_fmt_double(double v, char *buf, size_t len);

/* Appends v as a JSON number, or null when it is not finite. */
void csla_json_num(csla_buf_t *b, double v);

/* Appends printf output. */
__attribute__((format(printf, 2, 3)))
void csla_buf_printf(csla_buf_t *b, const char *fmt, ...);

static inline void csla_buf_puts(csla_buf_t *b, const char *s)
{
	csla_buf_put(b, s, strlen(s));
}

#endif
