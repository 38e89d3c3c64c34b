/*
 * Saving and loading parsed messages (MIME layer cache): every corpus
 * message round-trips to the same structure, ranges, fields and IMAP text,
 * and damaged saves are refused, never trusted.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "mime_harness.h"

static const char *files[] = {
	"simple.eml",           "mixed_alternative.eml", "forwarded.eml", "broken.eml",
	"no_boundary.eml",      "utf8_headers.eml",      "encoded.eml",   "lf_only.eml",
	"no_trailing_crlf.eml", "empty_body.eml",        "digest.eml",    "padding.eml",
};

struct blob {
	uint8_t *p;
	size_t len;
};

static int to_blob(const uint8_t *p, size_t n, void *ud)
{
	struct blob *b = ud;

	b->p = realloc(b->p, b->len + n);
	cr_assert_not_null(b->p);
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static struct blob save(const correu_mime_message *m)
{
	struct blob b = { NULL, 0 };

	cr_assert_eq(correu_mime_message_save(m, to_blob, &b), 0);
	return b;
}

static void same(const correu_mime_message *a, const correu_mime_message *b, const char *file)
{
	cr_assert_eq(correu_mime_part_count(a), correu_mime_part_count(b), "%s", file);
	cr_assert_eq(correu_mime_message_flags(a), correu_mime_message_flags(b));
	for (uint32_t i = 0; i < correu_mime_part_count(a); i++) {
		correu_mime_part_info x = { .version = CORREU_MIME_PART_INFO_VERSION };
		correu_mime_part_info y = { .version = CORREU_MIME_PART_INFO_VERSION };

		cr_assert_eq(correu_mime_part_info_get(a, i, &x), 0);
		cr_assert_eq(correu_mime_part_info_get(b, i, &y), 0);
		cr_assert_eq(memcmp(&x, &y, sizeof(x)), 0, "%s part %u", file, i);
		cr_assert_eq(correu_mime_field_count(a, i), correu_mime_field_count(b, i));
		for (uint32_t f = 0; f < correu_mime_field_count(a, i); f++) {
			const uint8_t *n1, *v1, *n2, *v2;
			size_t nl1, vl1, nl2, vl2;

			cr_assert_eq(correu_mime_field_get(a, i, f, &n1, &nl1, &v1, &vl1), 0);
			cr_assert_eq(correu_mime_field_get(b, i, f, &n2, &nl2, &v2, &vl2), 0);
			cr_assert(nl1 == nl2 && memcmp(n1, n2, nl1) == 0);
			cr_assert(vl1 == vl2 && memcmp(v1, v2, vl1) == 0);
		}
	}
	for (uint32_t what = 1; what <= 3; what++) {
		char *x = mime_imap(a, 0, what, 0), *y = mime_imap(b, 0, what, 0);

		cr_assert_str_eq(x, y, "%s item %u", file, what);
		free(x);
		free(y);
	}
}

Test(cache, every_corpus_message_round_trips)
{
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		size_t len;
		char *msg = mime_load(files[k], &len);
		correu_mime_message *m = mime_parse(msg, len, NULL), *l = NULL;
		struct blob b = save(m), b2;

		cr_assert_eq(correu_mime_message_load(b.p, b.len, NULL, &l), 0, "%s", files[k]);
		same(m, l, files[k]);
		b2 = save(l);
		cr_assert(b2.len == b.len && memcmp(b.p, b2.p, b.len) == 0, "%s: saves differ",
		          files[k]);
		free(b.p);
		free(b2.p);
		correu_mime_message_free(l);
		correu_mime_message_free(m);
		free(msg);
	}
}

Test(cache, damaged_saves_are_refused)
{
	size_t len;
	char *msg = mime_load("forwarded.eml", &len);
	correu_mime_message *m = mime_parse(msg, len, NULL), *l;
	struct blob b = save(m);
	int accepted = 0;

	/* every truncation */
	for (size_t n = 0; n < b.len; n++) {
		l = NULL;
		cr_assert_eq(correu_mime_message_load(b.p, n, NULL, &l), CORREU_ERR_SYNTAX,
		             "cut at %zu", n);
		cr_assert_null(l);
	}
	/* every single-byte corruption: refused, or a consistent tree */
	for (size_t i = 0; i < b.len; i++) {
		uint8_t save_byte = b.p[i];

		b.p[i] ^= 0x5a;
		l = NULL;
		int rc = correu_mime_message_load(b.p, b.len, NULL, &l);

		cr_assert(rc == 0 || rc == CORREU_ERR_SYNTAX || rc == CORREU_ERR_UNSUPPORTED);
		if (rc == 0) {
			char *bs = mime_imap(l, 0, CORREU_MIME_IMAP_BODYSTRUCTURE, 0);

			free(bs);
			accepted++;
			correu_mime_message_free(l);
		}
		b.p[i] = save_byte;
	}
	cr_assert_lt(accepted, (int)b.len, "most corruptions must be caught");
	cr_assert_eq(correu_mime_message_load((const uint8_t *)"nope", 4, NULL, &l),
	             CORREU_ERR_SYNTAX);
	free(b.p);
	correu_mime_message_free(m);
	free(msg);
}
