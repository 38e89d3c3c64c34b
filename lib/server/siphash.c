/*
 * SipHash-2-4 (server runtime, driver layer), the keyed hash of
 * Aumasson and Bernstein, "SipHash: a fast short-input PRF" (2012),
 * written from the paper's section 2. The runtime keys its address tables
 * with it so that a client choosing its source addresses cannot predict
 * which ones share a hash chain.
 */
#include "server_int.h"

static uint64_t rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

/* Eight bytes as a little-endian word (the paper's byte order). */
static uint64_t le64(const uint8_t *p)
{
	uint64_t w = 0;

	for (unsigned i = 0; i < 8; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

typedef struct sip {
	uint64_t v0, v1, v2, v3;
} sip;

static void rounds(sip *s, unsigned n)
{
	while (n--) {
		s->v0 += s->v1;
		s->v1 = rotl(s->v1, 13) ^ s->v0;
		s->v0 = rotl(s->v0, 32);
		s->v2 += s->v3;
		s->v3 = rotl(s->v3, 16) ^ s->v2;
		s->v0 += s->v3;
		s->v3 = rotl(s->v3, 21) ^ s->v0;
		s->v2 += s->v1;
		s->v1 = rotl(s->v1, 17) ^ s->v2;
		s->v2 = rotl(s->v2, 32);
	}
}

/* Compression: two rounds per message word. */
static void absorb(sip *s, uint64_t m)
{
	s->v3 ^= m;
	rounds(s, 2);
	s->v0 ^= m;
}

uint64_t correu__siphash24(const uint8_t key[CORREU__SIPHASH_KEY], const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	/* The initial state: the key xored with "somepseudorandomlygeneratedbytes". */
	sip s = { k0 ^ 0x736f6d6570736575u, k1 ^ 0x646f72616e646f6du, k0 ^ 0x6c7967656e657261u,
		  k1 ^ 0x7465646279746573u };
	uint64_t last = (uint64_t)(len & 0xff) << 56;
	size_t tail = len % 8;

	for (size_t i = 0; i + 8 <= len; i += 8)
		absorb(&s, le64(p + i));
	/* The last word: the remaining bytes, and the length mod 256 on top. */
	for (size_t i = 0; i < tail; i++)
		last |= (uint64_t)p[len - tail + i] << (8 * i);
	absorb(&s, last);
	/* Finalisation: four rounds. */
	s.v2 ^= 0xff;
	rounds(&s, 4);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
