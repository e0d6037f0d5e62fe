/*
 * technion.h - one row of the Technion SEE lab's "Anonymous Bank" call-centre
 * data (1999) in, zero to three canonical call events out.  The mapping and
 * the handling of the data's quirks are documented in docs/real-data.md.
 *
 * Pure: no I/O and no allocation; the caller loads the time zone (the
 * bank's is Asia/Jerusalem) and owns everything.
 */
#ifndef CALLSLA_TECHNION_H
#define CALLSLA_TECHNION_H

#include <stddef.h>

#include "callsla/event.h"
#include "callsla/tz.h"

#define CSLA_TN_TENANT "anonymous-bank"
#define CSLA_TN_ZONE "Asia/Jerusalem"
#define CSLA_TN_MAX_EVENTS 3

/* What a row was.  Everything from CSLA_TN_BAD_FIELD_COUNT on is a bad row:
 * no events, counted by reason. */
typedef enum csla_tn_row {
	CSLA_TN_CALL = 0,    /* a call: two or three events */
	CSLA_TN_BLANK,       /* nothing but separators */
	CSLA_TN_HEADER,      /* the column names */
	CSLA_TN_PHANTOM,     /* outcome PHANTOM: a virtual call, ignored */
	CSLA_TN_VRU_ONLY,    /* HANG without queueing: never offered */
	CSLA_TN_BAD_FIELD_COUNT,
	CSLA_TN_BAD_DATE,
	CSLA_TN_BAD_TIME,
	CSLA_TN_BAD_NUMBER,  /* vru_time, q_time or ser_time */
	CSLA_TN_BAD_OUTCOME,
	CSLA_TN_BAD_ID,      /* call id or queue or agent name too long */
	CSLA_TN_AGENT_WITHOUT_TIMES, /* AGENT, neither queued nor served */
	CSLA_TN_QUEUE_EXIT_BEFORE_START,
	CSLA_TN_SERVICE_EXIT_BEFORE_START,
	CSLA_TN__COUNT
} csla_tn_row_t;

#define CSLA_TN_FIRST_BAD CSLA_TN_BAD_FIELD_COUNT

/* Facts about a converted call worth counting (bits of csla_tn_out_t.notes;
 * csla_tn_note_name() takes the bit's index). */
enum {
	/* a time past midnight under the same date */
	CSLA_TN_NOTE_ROLLED = 1u << 0,
	/* answered by "NO_SERVER", kept as the agent's name */
	CSLA_TN_NOTE_NO_SERVER = 1u << 1,
	/* AGENT after queueing, no service times: no ended event */
	CSLA_TN_NOTE_NO_SERVICE = 1u << 2,
	/* HANG after queueing with service times: they are ignored */
	CSLA_TN_NOTE_HANG_SERVED = 1u << 3,
	/* service ended before the answer: ended moved to the answer */
	CSLA_TN_NOTE_END_CLAMPED = 1u << 4,
	/* a local time in a DST gap or overlap */
	CSLA_TN_NOTE_DST = 1u << 5,
	CSLA_TN_NOTE__COUNT = 6
};

/* The events of one row.  The events' strings point into this struct:
 * they are valid while it is neither overwritten nor moved. */
typedef struct csla_tn_out {
	unsigned nev;
	unsigned notes;
	csla_event_t ev[CSLA_TN_MAX_EVENTS]; /* in call order */
	char call_id[CSLA_ID_MAX + 1];
	char queue[CSLA_ID_MAX + 1];
	char agent[CSLA_ID_MAX + 1];
	char id[CSLA_TN_MAX_EVENTS][CSLA_ID_MAX + 16];
} csla_tn_out_t;

/* Converts line[0..len) (a trailing "\n" or "\r\n" is allowed) with local
 * times in tz.  Fills out when the result is CSLA_TN_CALL; otherwise out->nev
 * is 0. */
csla_tn_row_t csla_tn_convert(const csla_tz_t *tz, const char *line,
			      size_t len, csla_tn_out_t *out);

/* "call", "blank", "header", "phantom", "vru_only", "bad_field_count", ... */
const char *csla_tn_row_name(csla_tn_row_t r);
/* "rolled_midnight", ... for bit index 0..CSLA_TN_NOTE__COUNT-1 */
const char *csla_tn_note_name(unsigned bit);

#endif
