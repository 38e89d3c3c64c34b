/*
 * Helpers shared by the codec layer's files and never exported: placing a
 * handle in caller memory, the CR-or-LF scan that the line and dot codecs
 * are built on, and UTF-8 encoding. Part of the codec layer.
 */
#ifndef CORREU_CODEC_INTERNAL_H
#define CORREU_CODEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "correu/codec.h"
#include "internal.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/*
 * The handle of `size` bytes and alignment `align` inside caller memory of
 * any alignment, or NULL if it does not fit. The *_sizeof() functions add
 * `align - 1` bytes of slack so that any buffer of that size fits.
 */
static inline void *correu__codec_place(void *mem, size_t mem_len, size_t size, size_t align)
{
	uintptr_t at, pad;

	if (!mem)
		return NULL;
	at = (uintptr_t)mem;
	pad = (align - at % align) % align;
	if (mem_len < pad || mem_len - pad < size)
		return NULL;
	return (uint8_t *)mem + pad;
}

#if !defined(__SSE2__)
/* Word-at-a-time test: does any byte of v equal the byte broadcast in b? */
static inline bool correu__has_byte(uintptr_t v, uintptr_t b)
{
	const uintptr_t ones = (uintptr_t)-1 / 0xff;
	uintptr_t x = v ^ b;

	return ((x - ones) & ~x & (ones << 7)) != 0;
}
#endif

/*
 * The first CR or LF in [p, end), or `end`. Every line end, and every bare
 * CR or LF that RFC 5321 §2.3.8 forbids, is found by this one scan, so it
 * decides the speed of line framing and dot-stuffing. It checks 16 bytes at
 * a time with SSE2 where the compiler targets it, a machine word at a time
 * elsewhere, and never reads outside [p, end).
 */
static inline const uint8_t *correu__find_eol(const uint8_t *p, const uint8_t *end)
{
#if defined(__SSE2__)
	const __m128i cr = _mm_set1_epi8('\r');
	const __m128i lf = _mm_set1_epi8('\n');

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		int m = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));

		if (m)
			return p + __builtin_ctz((unsigned)m);
		p += 16;
	}
#else
	const uintptr_t crs = ((uintptr_t)-1 / 0xff) * '\r';
	const uintptr_t lfs = ((uintptr_t)-1 / 0xff) * '\n';

	while ((size_t)(end - p) >= sizeof(uintptr_t)) {
		uintptr_t v;

		memcpy(&v, p, sizeof(v));
		if (correu__has_byte(v, crs) || correu__has_byte(v, lfs))
			break;
		p += sizeof(v);
	}
#endif
	while (p < end && *p != '\r' && *p != '\n')
		p++;
	return p;
}

/* Write code point cp (a valid scalar value) as UTF-8 into out (room for 4);
 * returns the length. Its inverse is the public correu_utf8_decode(). */
size_t correu__utf8_encode(uint32_t cp, uint8_t *out);

#endif
