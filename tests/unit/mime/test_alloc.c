/*
 * Allocation failure in the MIME layer: parsing, IMAP output (parameter
 * and address lists allocate), parameter decoding, saving and loading, with
 * the Nth allocation failing for every N; each run must fail cleanly and
 * leak nothing.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "failalloc.h"
#include "mime_harness.h"

struct grow {
	const correu_allocator *a;
	uint8_t *p;
	size_t len, cap;
};

static int to_grow(const uint8_t *p, size_t n, void *ud)
{
	struct grow *g = ud;

	if (g->len + n > g->cap) {
		size_t cap = (g->len + n) * 2;
		uint8_t *q = g->p ? g->a->realloc(g->a->user, g->p, g->cap, cap)
		                  : g->a->alloc(g->a->user, cap);

		if (!q)
			return CORREU_ERR_NOMEM;
		g->p = q;
		g->cap = cap;
	}
	memcpy(g->p + g->len, p, n);
	g->len += n;
	return 0;
}

static int scenario(void *ctx, const correu_allocator *a)
{
	const char *file = ctx;
	size_t len;
	char *msg = mime_load(file, &len);
	correu_mime_parser *p = NULL;
	correu_mime_message *m = NULL, *loaded = NULL;
	struct grow g = { a, NULL, 0, 0 };
	int rc;

	rc = correu_mime_parser_new(NULL, a, &p);
	for (size_t i = 0; rc == 0 && i < len; i += 97)
		rc = correu_mime_parser_feed(p, (const uint8_t *)msg + i,
		                             len - i < 97 ? len - i : 97);
	if (rc == 0)
		rc = correu_mime_parser_finish(p, &m);
	for (uint32_t part = 0; rc == 0 && part < correu_mime_part_count(m); part++) {
		rc = correu_mime_imap_write(m, part, CORREU_MIME_IMAP_BODYSTRUCTURE, 0, to_grow,
		                            &g);
		if (rc == 0) {
			rc = correu_mime_param_get(m, part, "Content-Disposition", "filename",
			                           to_grow, &g);
			if (rc == CORREU_ERR_NOT_FOUND)
				rc = 0;
		}
	}
	if (rc == 0)
		rc = correu_mime_imap_write(m, 0, CORREU_MIME_IMAP_ENVELOPE, 0, to_grow, &g);
	if (rc == 0) {
		g.len = 0;
		rc = correu_mime_message_save(m, to_grow, &g);
	}
	if (rc == 0)
		rc = correu_mime_message_load(g.p, g.len, a, &loaded);
	if (g.p)
		a->free(a->user, g.p, g.cap);
	correu_mime_message_free(loaded);
	correu_mime_message_free(m);
	correu_mime_parser_free(p);
	free(msg);
	if (rc < 0)
		cr_assert_eq(rc, CORREU_ERR_NOMEM, "unexpected error %d", rc);
	return rc;
}

Test(alloc, every_failure_in_a_nested_message_is_clean)
{
	cr_assert_gt(failalloc_loop(scenario, "forwarded.eml", 2000), 5);
}

Test(alloc, every_failure_with_rfc2231_parameters_and_groups_is_clean)
{
	cr_assert_gt(failalloc_loop(scenario, "mixed_alternative.eml", 2000), 5);
}

Test(alloc, a_failed_parser_is_poisoned_until_reset)
{
	failalloc f;
	correu_mime_parser *p;
	correu_mime_message *m;

	failalloc_init(&f, 0);
	cr_assert_eq(correu_mime_parser_new(NULL, &f.table, &p), 0);
	f.fail_at = f.count + 1;
	cr_assert_eq(correu_mime_parser_feed(p, (const uint8_t *)"A: b\r\n", 6), CORREU_ERR_NOMEM);
	cr_assert_eq(correu_mime_parser_feed(p, (const uint8_t *)"\r\n", 2), CORREU_ERR_POISONED);
	cr_assert_eq(correu_mime_parser_finish(p, &m), CORREU_ERR_POISONED);
	correu_mime_parser_reset(p);
	cr_assert_eq(correu_mime_parser_feed(p, (const uint8_t *)"A: b\r\n\r\n", 8), 0);
	cr_assert_eq(correu_mime_parser_finish(p, &m), 0);
	cr_assert_eq(correu_mime_field_count(m, 0), 1);
	correu_mime_message_free(m);
	correu_mime_parser_free(p);
	cr_assert_eq(f.live_blocks, 0);
}
