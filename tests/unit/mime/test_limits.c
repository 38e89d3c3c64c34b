/*
 * Limits of the MIME parser, each at the limit (no flag, nothing lost) and
 * at limit + 1 (a flag, a degraded but usable structure). Every message
 * goes through split_check().
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime_harness.h"

static correu_mime_settings small(void)
{
	correu_mime_settings s;

	correu_mime_settings_default(&s);
	return s;
}

static correu_mime_message *run(struct mime_ctx *ctx, const correu_mime_settings *s,
                                const char *msg)
{
	ctx->settings = s;
	free(mime_check(ctx, msg, strlen(msg)));
	return ctx->last;
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	cr_assert_not_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

Test(limits, settings_are_checked)
{
	correu_mime_settings s = small();
	correu_mime_parser *p = NULL;

	s.max_depth = 0;
	cr_assert_eq(correu_mime_parser_new(&s, NULL, &p), CORREU_ERR_ARG);
	s = small();
	s.version = 99;
	cr_assert_eq(correu_mime_parser_new(&s, NULL, &p), CORREU_ERR_ARG);
	cr_assert_eq(correu_mime_parser_new(NULL, NULL, NULL), CORREU_ERR_ARG);
	cr_assert_null(p);
}

Test(limits, field_size)
{
	correu_mime_settings s = small();
	struct mime_ctx ctx = { 0 };
	correu_mime_message *m;
	const uint8_t *n, *v;
	size_t nl, vl;

	s.max_field_size = 20; /* "Subject: " + 11 */
	m = run(&ctx, &s, "Subject: 0123456\r\n 789\r\n\r\nbody");
	cr_assert_eq(correu_mime_message_flags(m), 0);
	cr_assert_eq(correu_mime_field_get(m, 0, 0, &n, &nl, &v, &vl), 0);
	cr_assert_eq(vl, 11);
	m = run(&ctx, &s, "Subject: 0123456\r\n 789X\r\nTo: a@b\r\n\r\nbody");
	cr_assert_eq(correu_mime_message_flags(m), CORREU_MIME_F_FIELD_TRUNCATED);
	cr_assert_eq(correu_mime_field_get(m, 0, 0, &n, &nl, &v, &vl), 0);
	cr_assert_eq(vl, 11, "cut to the limit");
	cr_assert_eq(memcmp(v, "0123456 789", 11), 0);
	cr_assert_eq(correu_mime_field_count(m, 0), 2, "the next field is still read");
	mime_ctx_done(&ctx);
}

Test(limits, header_fields)
{
	correu_mime_settings s = small();
	struct mime_ctx ctx = { 0 };
	correu_mime_message *m;

	s.max_header_fields = 3;
	m = run(&ctx, &s, "A: 1\r\nB: 2\r\nC: 3\r\n\r\nbody");
	cr_assert_eq(correu_mime_field_count(m, 0), 3);
	cr_assert_eq(correu_mime_message_flags(m), 0);
	m = run(&ctx, &s, "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\nbody");
	cr_assert_eq(correu_mime_field_count(m, 0), 3);
	cr_assert_eq(correu_mime_message_flags(m), CORREU_MIME_F_HEADER_TRUNCATED);
	mime_ctx_done(&ctx);
}

Test(limits, header_size)
{
	correu_mime_settings s = small();
	struct mime_ctx ctx = { 0 };
	correu_mime_message *m;

	s.max_header_size = 12; /* two fields "A: 12" + "B: 4" = 5 + 4 + 3 */
	m = run(&ctx, &s, "A: 12\r\nB: 4\r\nC: \r\n\r\nbody");
	cr_assert_eq(correu_mime_field_count(m, 0), 3);
	cr_assert_eq(correu_mime_message_flags(m), 0);
	m = run(&ctx, &s, "A: 12\r\nB: 4\r\nC: 5\r\n\r\nbody");
	cr_assert_eq(correu_mime_field_count(m, 0), 2);
	cr_assert_eq(correu_mime_message_flags(m), CORREU_MIME_F_HEADER_TRUNCATED);
	mime_ctx_done(&ctx);
}

/* A multipart nested `levels` deep, each level with its own boundary. */
static char *nested(int levels)
{
	static char buf[4096];
	size_t o = 0;

	for (int i = 0; i < levels; i++)
		o += (size_t)snprintf(
			buf + o, sizeof(buf) - o,
			"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i);
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\r\nleaf\r\n");
	for (int i = levels - 1; i >= 0; i--)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "--b%d--\r\n", i);
	return buf;
}

Test(limits, depth)
{
	correu_mime_settings s = small();
	struct mime_ctx ctx = { 0 };
	correu_mime_message *m;
	uint64_t off, size;

	s.max_depth = 3; /* multiparts at depth 0..2, the leaf at depth 3 */
	m = run(&ctx, &s, nested(3));
	cr_assert_eq(correu_mime_message_flags(m), 0);
	cr_assert_eq(correu_mime_part_count(m), 4);
	cr_assert_eq(correu_mime_section_range(m, "1.1.1", 5, &off, &size, NULL), 0);
	cr_assert_eq(size, 4);
	m = run(&ctx, &s, nested(4));
	cr_assert_eq(correu_mime_message_flags(m), CORREU_MIME_F_DEPTH);
	cr_assert_eq(correu_mime_part_count(m), 4, "the deepest multipart is kept as a leaf");
	cr_assert_eq(correu_mime_section_range(m, "1.1.1.1", 7, &off, &size, NULL),
	             CORREU_ERR_NOT_FOUND);
	mime_ctx_done(&ctx);
}

Test(limits, deep_message_rfc822_nesting)
{
	correu_mime_settings s = small();
	struct mime_ctx ctx = { 0 };
	correu_mime_message *m;
	char msg[2048];
	size_t o = 0;

	s.max_depth = 5;
	for (int i = 0; i < 7; i++)
		o += (size_t)snprintf(msg + o, sizeof(msg) - o,
		                      "Subject: level %d\r\nContent-Type: message/rfc822\r\n\r\n",
		                      i);
	snprintf(msg + o, sizeof(msg) - o, "Subject: inner\r\n\r\nhi\r\n");
	m = run(&ctx, &s, msg);
	cr_assert_eq(correu_mime_part_count(m), 6);
	cr_assert_eq(correu_mime_message_flags(m), CORREU_MIME_F_DEPTH);
	mime_ctx_done(&ctx);
}

Test(limits, parts)
{
	correu_mime_settings s = small();
	struct mime_ctx ctx = { 0 };
	correu_mime_message *m;
	const char *three = "Content-Type: multipart/mixed; boundary=p\r\n\r\n--p\r\n\r\none\r\n"
			    "--p\r\n\r\ntwo\r\n--p--\r\n";
	const char *four = "Content-Type: multipart/mixed; boundary=p\r\n\r\n--p\r\n\r\none\r\n"
			   "--p\r\n\r\ntwo\r\n--p\r\n\r\nthree\r\n--p--\r\n";
	uint64_t off, size;

	s.max_parts = 3;
	m = run(&ctx, &s, three);
	cr_assert_eq(correu_mime_part_count(m), 3);
	cr_assert_eq(correu_mime_message_flags(m), 0);
	m = run(&ctx, &s, four);
	cr_assert_eq(correu_mime_part_count(m), 3);
	cr_assert_eq(correu_mime_message_flags(m), CORREU_MIME_F_PARTS);
	cr_assert_eq(correu_mime_section_range(m, "2", 1, &off, &size, NULL), 0);
	cr_assert_eq(size, 3, "part 2 still ends at the next delimiter");
	mime_ctx_done(&ctx);
}

Test(limits, boundary_length)
{
	correu_mime_settings s = small();
	struct mime_ctx ctx = { 0 };
	correu_mime_message *m;
	char msg[512];
	char *b = repeat('b', 11);

	s.max_boundary = 10;
	snprintf(msg, sizeof(msg),
	         "Content-Type: multipart/mixed; boundary=%.10s\r\n\r\n--%.10s\r\n\r\nx\r\n"
	         "--%.10s--  \t \r\n",
	         b, b, b);
	m = run(&ctx, &s, msg);
	cr_assert_eq(correu_mime_message_flags(m), 0);
	cr_assert_eq(correu_mime_part_count(m), 2);
	snprintf(msg, sizeof(msg),
	         "Content-Type: multipart/mixed; boundary=%s\r\n\r\n--%s\r\n\r\nx\r\n--%s--\r\n", b,
	         b, b);
	m = run(&ctx, &s, msg);
	cr_assert_eq(correu_mime_message_flags(m), CORREU_MIME_F_BAD_BOUNDARY);
	cr_assert_eq(correu_mime_part_count(m), 1);
	free(b);
	mime_ctx_done(&ctx);
}

Test(limits, long_lines_and_huge_headers_never_break_the_structure)
{
	correu_mime_settings s = small();
	struct mime_ctx ctx = { 0 };
	correu_mime_message *m;
	char *pad = repeat('x', 1500);
	char *msg = malloc(4096);
	uint64_t off, size;

	s.max_field_size = 1000;
	s.max_boundary = 8;
	/* a field over the limit, a body line far longer than the delimiter
	 * room, and a delimiter followed by a long run of padding */
	snprintf(msg, 4096,
	         "Subject: %s\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n\r\n"
	         "--q%s\r\n--q%.40s\r\n\r\nsecond\r\n--q--\r\n",
	         pad, pad, "                                                  ");
	m = run(&ctx, &s, msg);
	cr_assert_eq(correu_mime_message_flags(m), CORREU_MIME_F_FIELD_TRUNCATED);
	cr_assert_eq(correu_mime_section_range(m, "1", 1, &off, &size, NULL), 0);
	cr_assert_eq(size, 1503);
	cr_assert_eq(correu_mime_section_range(m, "2", 1, &off, &size, NULL), 0);
	cr_assert_eq(size, 6);
	free(pad);
	free(msg);
	mime_ctx_done(&ctx);
}

Test(limits, megabyte_header_with_default_limits)
{
	size_t n = 1 << 20;
	char *msg = malloc(n + 64);
	correu_mime_message *whole, *chunked;
	correu_mime_parser *p;
	char *a, *b;

	memcpy(msg, "Subject: ", 9);
	memset(msg + 9, 'y', n);
	memcpy(msg + 9 + n, "\r\n\r\nbody\r\n", 11);
	whole = mime_parse(msg, 9 + n + 10, NULL);
	/* the same in 4093-byte chunks */
	cr_assert_eq(correu_mime_parser_new(NULL, NULL, &p), 0);
	for (size_t i = 0; i < 9 + n + 10; i += 4093) {
		size_t k = 9 + n + 10 - i < 4093 ? 9 + n + 10 - i : 4093;

		cr_assert_eq(correu_mime_parser_feed(p, (const uint8_t *)msg + i, k), 0);
	}
	cr_assert_eq(correu_mime_parser_finish(p, &chunked), 0);
	correu_mime_parser_free(p);
	a = mime_imap(whole, 0, CORREU_MIME_IMAP_BODYSTRUCTURE, 0);
	b = mime_imap(chunked, 0, CORREU_MIME_IMAP_BODYSTRUCTURE, 0);
	cr_assert_str_eq(a, b);
	cr_assert_str_eq(a, "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 6 1 "
	                    "NIL NIL NIL NIL)");
	cr_assert_eq(correu_mime_message_flags(whole), CORREU_MIME_F_FIELD_TRUNCATED);
	free(a);
	free(b);
	correu_mime_message_free(whole);
	correu_mime_message_free(chunked);
	free(msg);
}
