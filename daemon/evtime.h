/* evtime.h - the event time of a message without decoding it: what the
 * daemon's merge of two topics orders by.  Pure. */
#ifndef CALLSLA_EVTIME_H
#define CALLSLA_EVTIME_H

#include <stddef.h>
#include <stdint.h>

/* The time csla_decode() would give the event in msg[0..len) (ts_ms: a
 * CDR's ended_at, any other type's ts), found by skimming the top-level
 * keys only.  Returns INT64_MIN when there is none to find (no such key,
 * not an object, a timestamp that does not parse).  For a message the
 * decoder accepts the two agree, unless a key or the type is written with
 * JSON escapes; for one it rejects the result is only some deterministic
 * number, which is all the merge needs of it. */
int64_t csla_evtime_peek(const char *msg, size_t len);

#endif
