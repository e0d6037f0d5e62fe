/* swar.h - bytes handled eight at a time in a uint64_t ("SIMD within a
 * register"), for the fast paths of the decoder and the time parser, and
 * the event id set's bucket tags.
 *
 * Words are little-endian whatever the host: byte i of a word is the byte
 * at p[i], so masks and shifts mean the same everywhere. */
#ifndef CALLSLA_SWAR_H
#define CALLSLA_SWAR_H

#include <stdint.h>
#include <string.h>

#define CSLA_ONES 0x0101010101010101ULL

/* The 8 bytes at p. */
static inline uint64_t csla_load64(const void *p)
{
	uint64_t w;
	memcpy(&w, p, sizeof w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

/* Bit 4 or more is set in byte i when byte i of w is not an ASCII digit.
 * XOR maps '0'..'9' to 0..9, whose high nibble stays 0 after adding 6; an
 * addition carries into the next byte only out of a byte that is no digit,
 * so a word without flags holds digits only. */
static inline uint64_t csla_nondigits(uint64_t w)
{
	uint64_t y = w ^ CSLA_ONES * '0';
	return (y | (y + CSLA_ONES * 6)) & CSLA_ONES * 0xf0;
}

/* 0x80 in each byte of w equal to c, 0 elsewhere.  Exact: the low seven
 * bits are added apart from the top one, so no carry crosses a byte. */
static inline uint64_t csla_bytes_eq(uint64_t w, uint8_t c)
{
	uint64_t y = w ^ CSLA_ONES * c, low = CSLA_ONES * 0x7f;
	return ~(((y & low) + low) | y | low);
}

#endif
