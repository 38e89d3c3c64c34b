/*
 * Fuzz harness for IMAP modified UTF-7 (codec layer). Valid UTF-8 must
 * survive encode then decode unchanged; any modified UTF-7 that decodes
 * must be exactly what encoding the result gives back (only the canonical
 * form is accepted). Measuring (a NULL buffer) must agree with writing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "correu/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	size_t emax = correu_mutf7_encoded_max(size), dmax = correu_mutf7_decoded_max(size);
	char *enc = malloc(emax + 1), *dec = malloc(dmax + 1);
	char *back = malloc(size + 1);

	if (!enc || !dec || !back)
		abort();
	/* As UTF-8. */
	correu_ssize e = correu_mutf7_encode(in, size, enc, emax);

	if (e != correu_mutf7_encode(in, size, NULL, 0))
		abort();
	if (e >= 0) {
		if (correu_mutf7_decode(enc, (size_t)e, back, size) != (correu_ssize)size ||
		    memcmp(back, data, size) != 0)
			abort();
	} else if (e != CORREU_ERR_ENCODING) {
		abort();
	}
	/* As modified UTF-7. */
	correu_ssize d = correu_mutf7_decode(in, size, dec, dmax);

	if (d != correu_mutf7_decode(in, size, NULL, 0))
		abort();
	if (d >= 0) {
		if (correu_mutf7_encode(dec, (size_t)d, back, size) != (correu_ssize)size ||
		    memcmp(back, data, size) != 0)
			abort();
	} else if (d != CORREU_ERR_ENCODING) {
		abort();
	}
	free(enc);
	free(dec);
	free(back);
	return 0;
}
