/*
 * libFuzzer harness for the MIME parser (MIME layer): arbitrary bytes are
 * parsed whole and split at an offset chosen from the input, with tight
 * limits so the limit paths run too. Both parses must describe the same
 * structure; every section range must lie inside the message; the saved
 * form must load back to the same description; header decoding must not
 * fail.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "correu/mime.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int discard(const uint8_t *p, size_t n, void *ud)
{
	(void)p, (void)n, (void)ud;
	return 0;
}

static void describe(const correu_mime_message *m, struct fuzz_rec *t)
{
	uint32_t n = correu_mime_part_count(m);

	fuzz_rec_add(t, &n, sizeof(n));
	for (uint32_t i = 0; i < n; i++) {
		correu_mime_part_info pi = { .version = CORREU_MIME_PART_INFO_VERSION };

		if (correu_mime_part_info_get(m, i, &pi) != 0)
			abort();
		if (pi.header_offset + pi.header_size != pi.body_offset ||
		    pi.body_offset + pi.body_size > correu_mime_message_size(m))
			abort();
		fuzz_rec_add(t, &pi, sizeof(pi));
		for (uint32_t f = 0; f < correu_mime_field_count(m, i); f++) {
			const uint8_t *fn, *fv;
			size_t nl, vl;

			if (correu_mime_field_get(m, i, f, &fn, &nl, &fv, &vl) != 0)
				abort();
			fuzz_rec_add(t, fn, nl);
			fuzz_rec_add(t, fv, vl);
			if (correu_mime_decode_words(fv, vl, discard, NULL, NULL, NULL) != 0)
				abort();
		}
		if (correu_mime_param_get(m, i, "Content-Disposition", "filename", discard, NULL) ==
		    CORREU_ERR_NOMEM)
			abort();
	}
	for (uint32_t what = 1; what <= 3; what++)
		if (correu_mime_imap_write(m, 0, what, CORREU_MIME_IMAP_UTF8, fuzz_rec_put, t) != 0)
			abort();
}

static correu_mime_message *parse(const uint8_t *d, size_t size, size_t cut)
{
	correu_mime_settings s;
	correu_mime_parser *p;
	correu_mime_message *m;

	correu_mime_settings_default(&s);
	s.max_depth = 8;
	s.max_parts = 64;
	s.max_header_fields = 16;
	s.max_boundary = 16;
	s.max_field_size = 256;
	s.max_header_size = 1024;
	if (correu_mime_parser_new(&s, NULL, &p) != 0)
		abort();
	if (correu_mime_parser_feed(p, d, cut) != 0 ||
	    correu_mime_parser_feed(p, d + cut, size - cut) != 0 ||
	    correu_mime_parser_finish(p, &m) != 0)
		abort();
	correu_mime_parser_free(p);
	return m;
}

static void sections(const correu_mime_message *m)
{
	static const char *names[] = { "",       "1",      "2",    "1.1",   "1.2.MIME", "2.HEADER",
		                       "1.TEXT", "HEADER", "TEXT", "3.1.2", "1.1.1.1" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint64_t off, sz;

		if (correu_mime_section_range(m, names[i], strlen(names[i]), &off, &sz, NULL) ==
		            0 &&
		    off + sz > correu_mime_message_size(m))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cut = size > 2 ? ((size_t)data[0] << 8 | data[1]) % (size + 1) : 0;
	correu_mime_message *whole = parse(data, size, size), *split = parse(data, size, cut), *l;
	struct fuzz_rec a = { 0 }, b = { 0 }, saved = { 0 };

	describe(whole, &a);
	describe(split, &b);
	if (!fuzz_rec_same(&a, &b))
		abort(); /* the result depends on how the input was cut */
	sections(whole);
	if (correu_mime_message_save(whole, fuzz_rec_put, &saved) != 0 ||
	    correu_mime_message_load(saved.p, saved.len, NULL, &l) != 0)
		abort();
	b.len = 0;
	describe(l, &b);
	if (!fuzz_rec_same(&a, &b))
		abort(); /* the cache does not round-trip */
	correu_mime_message_free(l);
	/* and loading arbitrary bytes must be safe */
	if (correu_mime_message_load(data, size, NULL, &l) == 0)
		correu_mime_message_free(l);
	fuzz_rec_free(&a);
	fuzz_rec_free(&b);
	fuzz_rec_free(&saved);
	correu_mime_message_free(whole);
	correu_mime_message_free(split);
	return 0;
}
