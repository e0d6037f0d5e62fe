/* pipe.c - see include/callsla/pipe.h. */
#include "callsla/pipe.h"

#include <stdio.h>
#include <stdlib.h>

#include "callsla/decode.h"
#include "engine_internal.h"

typedef struct slot {
	csla_decoder_t *dec; /* one each: decoded strings must live on */
	csla_event_t ev;
	eng_keys_t keys; /* hashed once, for the prefetch and the apply */
	csla_reject_t r;
	bool skip;
	uint64_t tag;
	int64_t wall_ms;
	char err[192];
} slot_t;

struct csla_pipe {
	csla_engine_t *e;
	csla_pipe_cb cb;
	csla_pipe_admit_cb admit;
	void *opaque;
	int64_t max_ts;
	uint64_t skipped;
	unsigned head, n;
	slot_t s[CSLA_PIPE_DEPTH];
};

csla_pipe_t *csla_pipe_new(csla_engine_t *e, size_t max_bytes,
			   csla_pipe_cb cb, void *opaque)
{
	csla_pipe_t *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->e = e;
	p->cb = cb;
	p->opaque = opaque;
	p->max_ts = INT64_MAX;
	for (unsigned i = 0; i < CSLA_PIPE_DEPTH; i++)
		if (!(p->s[i].dec = csla_decoder_new(max_bytes))) {
			csla_pipe_destroy(p);
			return NULL;
		}
	return p;
}

void csla_pipe_destroy(csla_pipe_t *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < CSLA_PIPE_DEPTH; i++)
		csla_decoder_destroy(p->s[i].dec);
	free(p);
}

void csla_pipe_set_max_ts(csla_pipe_t *p, int64_t max_ts)
{
	p->max_ts = max_ts;
}

uint64_t csla_pipe_skipped(const csla_pipe_t *p)
{
	return p->skipped;
}

/* What the engine's reasons mean, for the one-line error. */
static const char *engine_why(csla_reject_t r)
{
	switch (r) {
	case CSLA_REJ_LATE:
		return "event time is older than now minus allowed_lateness";
	case CSLA_REJ_FUTURE_TS:
		return "event time is beyond the wall clock plus max_future_skew";
	case CSLA_REJ_DUPLICATE:
		return "event id already seen, or the call's outcome / handling "
		       "already counted";
	case CSLA_REJ_UNKNOWN_CALL:
		return "outcome without wait_ms for a call never offered";
	case CSLA_REJ_BAD_FIELD:
		return "outcome time is before the call was offered";
	default:
		return "not applied";
	}
}

/* How many events before its apply each later stage of the prefetch runs
 * (the first runs at the push, CSLA_PIPE_DEPTH before): evenly apart, so
 * each fetch has about as long to arrive. */
#define PIPE_STAGE2 5
#define PIPE_STAGE3 2

/* The slot `before` events ahead of the next to apply, if it is to be
 * applied, else NULL. */
static slot_t *ahead(csla_pipe_t *p, unsigned before)
{
	if (p->n <= before)
		return NULL;
	slot_t *s = &p->s[(p->head + before) % CSLA_PIPE_DEPTH];
	return s->r == CSLA_OK && !s->skip ? s : NULL;
}

static void retire(csla_pipe_t *p)
{
	slot_t *a = ahead(p, PIPE_STAGE2);
	if (a)
		eng_prefetch_entities(p->e, &a->ev, &a->keys);
	if ((a = ahead(p, PIPE_STAGE3)))
		eng_prefetch_agent(p->e, &a->ev, &a->keys);
	slot_t *s = &p->s[p->head];
	p->head = (p->head + 1) % CSLA_PIPE_DEPTH;
	p->n--;
	if (s->skip) {
		p->skipped++;
		return;
	}
	if (s->r == CSLA_OK && p->admit &&
	    (s->r = p->admit(p->opaque, &s->ev)) != CSLA_OK)
		s->err[0] = '\0';
	if (s->r == CSLA_OK) {
		s->r = eng_apply(p->e, &s->ev, &s->keys, s->wall_ms);
		if (s->r != CSLA_OK)
			snprintf(s->err, sizeof s->err, "%s", engine_why(s->r));
	}
	p->cb(p->opaque, s->tag, s->r, s->err);
}

void csla_pipe_set_admit(csla_pipe_t *p, csla_pipe_admit_cb admit)
{
	p->admit = admit;
}

void csla_pipe_push(csla_pipe_t *p, const char *msg, size_t len,
		    uint64_t tag, int64_t wall_ms)
{
	if (p->n == CSLA_PIPE_DEPTH)
		retire(p);
	slot_t *s = &p->s[(p->head + p->n) % CSLA_PIPE_DEPTH];
	p->n++;
	s->tag = tag;
	s->wall_ms = wall_ms;
	s->r = csla_decode(s->dec, msg, len, &s->ev, s->err, sizeof s->err);
	s->skip = s->r == CSLA_OK && s->ev.ts_ms > p->max_ts;
	if (s->r == CSLA_OK && !s->skip) {
		eng_keys(&s->ev, &s->keys);
		eng_prefetch(p->e, &s->ev, &s->keys);
	}
}

void csla_pipe_drain(csla_pipe_t *p)
{
	while (p->n)
		retire(p);
}
