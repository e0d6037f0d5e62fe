/*
 * reject.h - why an event was not applied (spec section 5).
 *
 * Every rejected event is counted by one of these reasons; the names are the
 * strings used in logs, metrics and dead-letter headers.
 */
#ifndef CALLSLA_REJECT_H
#define CALLSLA_REJECT_H

#include <stdint.h>

typedef enum csla_reject {
	CSLA_OK = 0,
	CSLA_REJ_MALFORMED_JSON,
	CSLA_REJ_NOT_OBJECT,
	CSLA_REJ_BAD_VERSION,
	CSLA_REJ_UNKNOWN_TYPE,
	CSLA_REJ_MISSING_FIELD,
	CSLA_REJ_BAD_FIELD,
	CSLA_REJ_TOO_LARGE,
	CSLA_REJ_BAD_TS,
	CSLA_REJ_LATE,
	CSLA_REJ_FUTURE_TS,
	CSLA_REJ_DUPLICATE,
	CSLA_REJ_TENANT_PARTITION_CONFLICT,
	/* An answer, abandon or flow-out without wait_ms for a call whose
	 * offered event was never seen: its wait cannot be known. */
	CSLA_REJ_UNKNOWN_CALL,
	CSLA_REJ__COUNT
} csla_reject_t;

/* "malformed_json", ... ; "ok" for CSLA_OK. */
const char *csla_reject_name(csla_reject_t r);

/* Counters indexed by csla_reject_t. */
typedef struct csla_reject_counts {
	uint64_t n[CSLA_REJ__COUNT];
} csla_reject_counts_t;

#endif
