/*
 * decode.h - one message's bytes in, a csla_event_t or a rejection out.
 *
 * Pure: no I/O, no allocation per message (the decoder owns one scratch
 * buffer, sized by max_bytes at creation, for unescaped strings).  The JSON
 * grammar accepted is RFC 8259 with jansson's limits (see docs/events.md):
 * nesting depth 2048, integers that fit int64_t, reals that do not overflow
 * a double.  Unknown fields are skipped, whatever their value.
 */
#ifndef CALLSLA_DECODE_H
#define CALLSLA_DECODE_H

#include <stddef.h>

#include "callsla/event.h"
#include "callsla/reject.h"

typedef struct csla_decoder csla_decoder_t;

/* Messages longer than max_bytes are rejected too_large before parsing.
 * Returns NULL only when out of memory.  The caller owns the decoder. */
csla_decoder_t *csla_decoder_new(size_t max_bytes);
void csla_decoder_destroy(csla_decoder_t *d);

/* Decodes buf[0..len).  On CSLA_OK *ev is filled (see event.h for the
 * lifetime of its strings).  On a rejection, errstr (when not NULL) receives
 * a one-line, specific explanation such as "field \"wait_ms\": expected a
 * non-negative integer" - NUL-terminated, truncated to errlen. */
csla_reject_t csla_decode(csla_decoder_t *d, const char *buf, size_t len,
			  csla_event_t *ev, char *errstr, size_t errlen);

#endif
