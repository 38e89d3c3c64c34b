/*
 * Fuzz harness for strict base64 (codec layer). Any bytes must survive
 * encode then decode unchanged; and any text that decodes must be exactly
 * what encoding the result gives back, since strict base64 has one
 * spelling per byte string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "correu/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t elen = correu_base64_encoded_len(size);
	char *text = malloc(elen + 1);
	uint8_t *back = malloc(size + 1);
	uint8_t *raw = malloc(correu_base64_decoded_max(size) + 1);
	char *again = malloc(size + 1);

	if (!text || !back || !raw || !again)
		abort();
	/* Bytes -> text -> bytes. */
	correu_ssize e = correu_base64_encode(data, size, text, elen);

	if (e != (correu_ssize)elen)
		abort();
	if (correu_base64_decode(text, elen, back, size) != (correu_ssize)size ||
	    memcmp(back, data, size) != 0)
		abort();
	/* Text -> bytes -> the same text, or a clean refusal. */
	correu_ssize d = correu_base64_decode((const char *)data, size, raw,
	                                      correu_base64_decoded_max(size));

	if (d >= 0) {
		if (correu_base64_encode(raw, (size_t)d, again, size) != (correu_ssize)size ||
		    memcmp(again, data, size) != 0)
			abort();
	} else if (d != CORREU_ERR_ENCODING) {
		abort();
	}
	free(text);
	free(back);
	free(raw);
	free(again);
	return 0;
}
