/*
 * SASL settings (SASL layer): the documented defaults, and the random
 * source turned into nonce characters. Nonces use the RFC 5802 Section 7
 * alphabet (printable ASCII except ","); each accepted random byte gives one
 * character, by rejection sampling so that no character is favoured.
 */
#include <string.h>

#include "sasl_internal.h"

#define NONCE_ALPHABET 93u /* 0x21 .. 0x7e without ',' */

void correu_sasl_settings_init(correu_sasl_settings *s)
{
	if (!s)
		return;
	memset(s, 0, sizeof(*s));
	s->version = CORREU_SASL_SETTINGS_VERSION;
	s->max_message = 8192;
	s->max_username = 255;
	s->min_iterations = 4096;
	s->max_iterations = 600000;
	s->server_iterations = 4096;
	s->nonce_len = 24;
}

void correu__sasl_settings_apply(correu_sasl_settings *dst, const correu_sasl_settings *src)
{
	correu_sasl_settings def;

	correu_sasl_settings_init(&def);
	if (!src) {
		*dst = def;
		return;
	}
	*dst = *src;
	dst->version = CORREU_SASL_SETTINGS_VERSION;
	if (!dst->max_message)
		dst->max_message = def.max_message;
	if (!dst->max_username)
		dst->max_username = def.max_username;
	if (!dst->min_iterations)
		dst->min_iterations = def.min_iterations;
	if (!dst->max_iterations)
		dst->max_iterations = def.max_iterations;
	if (!dst->server_iterations)
		dst->server_iterations = def.server_iterations;
	if (!dst->nonce_len)
		dst->nonce_len = def.nonce_len;
	if (dst->nonce_len > 256)
		dst->nonce_len = 256;
}

int correu__sasl_nonce(const correu_sasl_settings *set, char *out, size_t n)
{
	uint8_t buf[64];
	size_t have = 0;
	int rc = 0;

	if (!set->random)
		return CORREU_ERR_ARG;
	/* 2 * 93 = 186 values map evenly; bytes above are drawn again. A broken
	 * source that never yields a usable byte is stopped after many rounds. */
	for (int rounds = 0; have < n && rounds < 1000; rounds++) {
		size_t want = n - have < sizeof(buf) ? n - have : sizeof(buf);

		rc = set->random(buf, want, set->random_userdata);
		if (rc < 0)
			break;
		for (size_t i = 0; i < want && have < n; i++) {
			unsigned v = buf[i];

			if (v >= 2 * NONCE_ALPHABET)
				continue;
			v %= NONCE_ALPHABET;
			out[have++] = (char)(v < 11 ? 0x21 + v : 0x22 + v);
		}
	}
	correu_wipe(buf, sizeof(buf));
	if (rc < 0)
		return rc;
	return have == n ? 0 : CORREU_ERR_CRYPTO;
}
