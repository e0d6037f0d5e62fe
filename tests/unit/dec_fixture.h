/* dec_fixture.h - the decoder tests' fixture: one decoder (64 KiB messages)
 * for the whole group, the event and error buffers it writes into, and a
 * check of a decoded string. */
#ifndef CALLSLA_TEST_DEC_FIXTURE_H
#define CALLSLA_TEST_DEC_FIXTURE_H

#include "callsla/decode.h"

static csla_decoder_t *dec;
static csla_event_t ev;
static char err[256];

static int setup(void **state)
{
	(void)state;
	dec = csla_decoder_new(65536);
	return dec ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	csla_decoder_destroy(dec);
	return 0;
}

/* Fails unless s holds exactly the bytes of want. */
static inline void check_str(csla_str_t s, const char *want)
{
	size_t n = strlen(want);
	if (s.len != n || (n && memcmp(s.p, want, n)))
		fail_msg("got \"%.*s\" (%u bytes), want \"%s\" (%zu bytes)",
			 (int)s.len, s.p ? s.p : "", s.len, want, n);
}

#endif
