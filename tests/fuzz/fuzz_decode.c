/* fuzz_decode.c - libFuzzer target for csla_decode() (`make fuzz`).
 *
 * Besides crashes and sanitizer reports, it checks what the decoder
 * promises about an accepted event: every string lies inside the input or
 * in memory the decoder owns (ASan checks each byte we read), identifiers
 * are 1..128 bytes of UTF-8 without NUL, required fields are there, enums
 * and times are in range, CDR times are ordered; a rejection comes with a
 * reason the decoder can give and a non-empty message; and decoding the
 * same bytes twice gives the same answer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callsla/decode.h"

#define MAX_BYTES 4000 /* below -max_len, so too_large is reached too */
#define MIN_TS_MS (-62135596800000LL)
#define MAX_TS_MS 253402300799999LL
#define MAX_DURATION_MS (366LL * 86400000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_decode: invariant broken: %s\n", what);
		abort();
	}
}

static int valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], k, lo, hi;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c < 0xc2 || c > 0xf4)
			return 0;
		k = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
		if (n - i < k || s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (unsigned j = 2; j < k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
		i += k;
	}
	return 1;
}

/* An identifier: absent (len 0) unless required, else 1..128 bytes. */
static void check_ident(csla_str_t s, const uint8_t *in, size_t size,
			int required, const char *what)
{
	const unsigned char *p = (const unsigned char *)s.p;

	if (s.len == 0) {
		check(!required, what);
		return;
	}
	check(s.p != NULL && s.len <= CSLA_ID_MAX, what);
	if (p >= in && p < in + size)
		check(s.len <= (size_t)(in + size - p), what);
	check(memchr(p, '\0', s.len) == NULL, what);
	check(valid_utf8(p, s.len), what);
}

static void check_ms(int64_t v, const char *what)
{
	check(v == CSLA_NO_MS || (v >= 0 && v <= MAX_DURATION_MS), what);
}

static void check_time(int64_t v, const char *what)
{
	check(v >= MIN_TS_MS && v <= MAX_TS_MS, what);
}

static void check_event(const csla_event_t *ev, const uint8_t *in, size_t n)
{
	check_ident(ev->tenant, in, n, 1, "tenant");
	check_ident(ev->id, in, n, 0, "id");
	switch (ev->type) {
	case CSLA_EV_CALL: {
		csla_call_ev_t e = ev->call_event;
		int outcome = e == CSLA_CALL_ANSWERED ||
			      e == CSLA_CALL_ABANDONED || e == CSLA_CALL_FLOWOUT;
		check(e <= CSLA_CALL_ENDED, "call event");
		check_time(ev->ts_ms, "call ts");
		check_ident(ev->call_id, in, n, 1, "call_id");
		check_ident(ev->queue, in, n, outcome || e == CSLA_CALL_OFFERED,
			    "queue");
		check_ident(ev->agent_id, in, n, e == CSLA_CALL_ALERTING ||
			    e == CSLA_CALL_ANSWERED || e == CSLA_CALL_ENDED,
			    "agent_id");
		check_ms(ev->wait_ms, "wait_ms");
		check(outcome || ev->wait_ms == CSLA_NO_MS, "wait_ms kept");
		check(e == CSLA_CALL_ENDED || (ev->talk_ms == CSLA_NO_MS &&
		      ev->hold_ms == CSLA_NO_MS && ev->acw_ms == CSLA_NO_MS),
		      "handle times kept");
		break;
	}
	case CSLA_EV_AGENT:
		check((unsigned)ev->state < CSLA_AS_COUNT, "state");
		check_time(ev->ts_ms, "agent ts");
		check_ident(ev->agent_id, in, n, 1, "agent_id");
		check_ident(ev->reason, in, n, 0, "reason");
		check_ident(ev->team, in, n, 0, "team");
		check(ev->nqueues <= CSLA_MAX_AGENT_QUEUES, "nqueues");
		check(ev->has_queues || ev->nqueues == 0, "has_queues");
		for (uint32_t i = 0; i < ev->nqueues; i++) {
			check_ident(ev->queues[i], in, n, 1, "queues[]");
			for (uint32_t j = 0; j < i; j++)
				check(!csla_str_eq(ev->queues[i], ev->queues[j].p,
						   ev->queues[j].len),
				      "queues unique");
		}
		break;
	case CSLA_EV_CDR:
		check(ev->outcome <= CSLA_OUT_FLOWOUT, "outcome");
		check_ident(ev->call_id, in, n, 1, "call_id");
		check_ident(ev->queue, in, n, 1, "queue");
		check_ident(ev->agent_id, in, n, 0, "agent_id");
		check_time(ev->offered_at, "offered_at");
		check_time(ev->ended_at, "ended_at");
		check(ev->ts_ms == ev->ended_at, "cdr ts");
		check(ev->offered_at <= ev->ended_at, "offered <= ended");
		if (ev->outcome == CSLA_OUT_ANSWERED) {
			check_time(ev->answered_at, "answered_at");
			check(ev->offered_at <= ev->answered_at &&
			      ev->answered_at <= ev->ended_at, "answer order");
		} else {
			check(ev->answered_at == CSLA_NO_MS, "answered_at");
		}
		if (ev->alerting_at != CSLA_NO_MS)
			check(ev->offered_at <= ev->alerting_at &&
			      ev->alerting_at <= ev->ended_at, "alerting order");
		check_ms(ev->talk_ms, "talk_ms");
		check_ms(ev->hold_ms, "hold_ms");
		check_ms(ev->acw_ms, "acw_ms");
		break;
	default:
		check(0, "type");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static csla_decoder_t *d;
	csla_event_t ev, again;
	char err[160], err2[160];
	csla_reject_t r, r2;

	if (!d && !(d = csla_decoder_new(MAX_BYTES)))
		abort();
	err[0] = '\0';
	r = csla_decode(d, (const char *)data, size, &ev, err, sizeof err);
	if (r == CSLA_OK) {
		check_event(&ev, data, size);
	} else {
		check(r <= CSLA_REJ_BAD_TS, "a decoder reason");
		check(err[0] != '\0' && memchr(err, '\0', sizeof err), "errstr");
		check((r == CSLA_REJ_TOO_LARGE) == (size > MAX_BYTES), "too_large");
	}
	r2 = csla_decode(d, (const char *)data, size, &again, err2, sizeof err2);
	check(r2 == r, "deterministic");
	if (r == CSLA_OK)
		check(again.type == ev.type && again.ts_ms == ev.ts_ms &&
		      again.call_id.len == ev.call_id.len &&
		      again.nqueues == ev.nqueues, "deterministic event");
	else
		check(strcmp(err, err2) == 0, "deterministic errstr");
	return 0;
}
