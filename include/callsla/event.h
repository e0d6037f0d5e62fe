/*
 * event.h - the decoded form of one input event (spec section 1).
 *
 * A csla_event_t never owns memory: every csla_str_t points either into the
 * message bytes handed to the decoder or into the decoder's scratch buffer
 * (for strings that had JSON escapes).  It is valid until the next call to
 * csla_decode() on the same decoder or until the input bytes are freed,
 * whichever comes first.  Copy what must outlive that.
 */
#ifndef CALLSLA_EVENT_H
#define CALLSLA_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Identifiers (tenant, call_id, queue, agent_id, team, reason) are 1..128
 * bytes of UTF-8 (spec section 1). */
#define CSLA_ID_MAX 128
/* An agent event may name at most this many queues; more is bad_field. */
#define CSLA_MAX_AGENT_QUEUES 32
/* "absent" for optional millisecond fields and timestamps. */
#define CSLA_NO_MS INT64_MIN

typedef struct csla_str {
	const char *p;
	uint32_t len;
} csla_str_t;

typedef enum csla_ev_type {
	CSLA_EV_CALL = 1,
	CSLA_EV_AGENT,
	CSLA_EV_CDR,
} csla_ev_type_t;

typedef enum csla_call_ev {
	CSLA_CALL_OFFERED = 0,
	CSLA_CALL_ALERTING,
	CSLA_CALL_ANSWERED,
	CSLA_CALL_ABANDONED,
	CSLA_CALL_FLOWOUT,
	CSLA_CALL_ENDED,
} csla_call_ev_t;

/* Order matters: it is the order of the "agents" object in snapshots and of
 * the state_ms arrays in the engine. */
typedef enum csla_agent_state {
	CSLA_AS_LOGGED_OUT = 0,
	CSLA_AS_AVAILABLE,
	CSLA_AS_NOT_READY,
	CSLA_AS_ALERTING,
	CSLA_AS_TALKING,
	CSLA_AS_HOLD,
	CSLA_AS_ACW,
	CSLA_AS_COUNT
} csla_agent_state_t;

/* Queue outcome of a CDR. */
typedef enum csla_outcome {
	CSLA_OUT_ANSWERED = 0,
	CSLA_OUT_ABANDONED,
	CSLA_OUT_FLOWOUT,
} csla_outcome_t;

typedef struct csla_event {
	csla_ev_type_t type;
	/* Event time in Unix epoch ms.  For a CDR: ended_at (the CDR's `ts`,
	 * when present, is validated but the record's time is its end). */
	int64_t ts_ms;
	csla_str_t tenant;   /* "default" when absent */
	csla_str_t id;       /* len 0 when absent */

	/* call and cdr */
	csla_str_t call_id;
	csla_str_t queue;    /* len 0 when absent */
	csla_str_t agent_id; /* call, cdr, agent; len 0 when absent */
	csla_call_ev_t call_event;
	int64_t wait_ms;     /* CSLA_NO_MS when absent */
	int64_t talk_ms, hold_ms, acw_ms; /* CSLA_NO_MS when absent */

	/* agent */
	csla_agent_state_t state;
	csla_str_t reason;   /* len 0 when absent */
	csla_str_t team;     /* len 0 when absent */
	bool has_queues;     /* `queues` present (possibly empty) */
	uint32_t nqueues;
	csla_str_t queues[CSLA_MAX_AGENT_QUEUES];

	/* cdr */
	csla_outcome_t outcome;
	int64_t offered_at, answered_at, alerting_at, ended_at; /* CSLA_NO_MS */
} csla_event_t;

const char *csla_agent_state_name(csla_agent_state_t s);
const char *csla_call_event_name(csla_call_ev_t e);
const char *csla_outcome_name(csla_outcome_t o);

static inline bool csla_str_eq(csla_str_t a, const char *b, size_t blen)
{
	return a.len == blen && (blen == 0 || __builtin_memcmp(a.p, b, blen) == 0);
}

#endif
