/*
 * libFuzzer harness for the SMTP reply reader (SMTP layer): line framing,
 * multi-line assembly and enhanced status codes over arbitrary bytes. The
 * first byte picks the chunk size, so splits are explored too.
 */
#include <stddef.h>
#include <stdint.h>

#include "smtp/smtp_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	correu__smtp_reader rd;
	size_t chunk;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	/* Small limits so the fuzzer reaches them. */
	if (correu__smtp_reader_init(&rd, NULL, 512, 2048) < 0)
		return 0;
	while (size > 0) {
		size_t n = size < chunk ? size : chunk, used = 0;
		int rc = correu__smtp_reader_feed(&rd, data, n, &used);

		if (used > n)
			__builtin_trap();
		data += used;
		size -= used;
		if (rc < 0)
			break;
		if (rc == 1) {
			uint32_t c, s, d;
			const correu__smtp_reply *r = &rd.reply;

			if (r->code < 200 || r->code > 559)
				__builtin_trap();
			(void)correu__smtp_enhanced((const char *)r->text.data, r->text.len, r->code,
			                            &c, &s, &d);
		}
	}
	(void)correu__smtp_reader_pending(&rd);
	correu__smtp_reader_free(&rd);
	return 0;
}
