/* names.c - the wire names of the core's enums, in one place so that the
 * decoder, the writers and the docs cannot disagree. */
#include "callsla/event.h"
#include "callsla/reject.h"
#include "callsla/snapshot.h"

static const char *const agent_states[CSLA_AS_COUNT] = {
	"logged_out", "available", "not_ready", "alerting",
	"talking",    "hold",      "acw",
};

static const char *const call_events[] = {
	"offered", "alerting", "answered", "abandoned", "flowout", "ended",
};

static const char *const outcomes[] = { "answered", "abandoned", "flowout" };

static const char *const rejects[CSLA_REJ__COUNT] = {
	"ok",          "malformed_json", "not_object", "bad_version",
	"unknown_type", "missing_field", "bad_field",  "too_large",
	"bad_ts",      "late",           "future_ts",  "duplicate",
	"tenant_partition_conflict",     "unknown_call",
};

static const char *const scopes[CSLA_SCOPE__COUNT] = {
	"agent", "queue", "team", "tenant",
};

const char *csla_agent_state_name(csla_agent_state_t s)
{
	return (unsigned)s < CSLA_AS_COUNT ? agent_states[s] : "?";
}

const char *csla_call_event_name(csla_call_ev_t e)
{
	return (unsigned)e <= CSLA_CALL_ENDED ? call_events[e] : "?";
}

const char *csla_outcome_name(csla_outcome_t o)
{
	return (unsigned)o <= CSLA_OUT_FLOWOUT ? outcomes[o] : "?";
}

const char *csla_reject_name(csla_reject_t r)
{
	return (unsigned)r < CSLA_REJ__COUNT ? rejects[r] : "?";
}

const char *csla_scope_name(csla_scope_t s)
{
	return (unsigned)s < CSLA_SCOPE__COUNT ? scopes[s] : "?";
}
