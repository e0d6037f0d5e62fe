/*
 * event_json.h - the canonical JSON line of an event (spec section 1), the
 * inverse of csla_decode().  Used by `callsla convert`, `callsla sim` and
 * tests.  Pure, no allocation.
 */
#ifndef CALLSLA_EVENT_JSON_H
#define CALLSLA_EVENT_JSON_H

#include <stddef.h>

#include "callsla/event.h"

/* Writes one JSON object (no newline) for ev into buf, NUL-terminated.
 * Times are written as RFC 3339 UTC with milliseconds; absent optional
 * fields are omitted; strings are escaped per RFC 8259.  Returns the length
 * needed, like snprintf: a result >= buflen means it was truncated. */
size_t csla_event_json(const csla_event_t *ev, char *buf, size_t buflen);

#endif
