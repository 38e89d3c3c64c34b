/*
 * IMAP section ranges (RFC 9051 §6.4.5) of the MIME layer: numbering of
 * multiparts and of messages inside message/rfc822, HEADER, TEXT and MIME,
 * and section syntax errors.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "mime_harness.h"

static const char *msg =
	"Subject: outer\r\nContent-Type: message/rfc822\r\n\r\n"
	"Subject: inner\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n"
	"--z\r\nContent-Type: text/plain\r\n\r\nfirst\r\n--z\r\n"
	"Content-Type: message/rfc822\r\n\r\nSubject: deepest\r\n\r\ndeep body\r\n--z--\r\n";

static void is_in(correu_mime_message *m, const char *text, const char *s, const char *want)
{
	char *got = mime_section(m, text, s);

	cr_assert_not_null(got, "section %s not found", s);
	cr_assert_str_eq(got, want, "section %s", s);
	free(got);
}

static char *sec(correu_mime_message *m, const char *s)
{
	return mime_section(m, msg, s);
}

static void is(correu_mime_message *m, const char *s, const char *want)
{
	char *got = sec(m, s);

	if (!want) {
		cr_assert_null(got, "section %s should not exist", s);
		return;
	}
	cr_assert_not_null(got, "section %s not found", s);
	cr_assert_str_eq(got, want, "section %s", s);
	free(got);
}

Test(section, message_rfc822_at_the_top)
{
	struct mime_ctx ctx = { 0 };
	correu_mime_message *m;

	free(mime_check(&ctx, msg, strlen(msg)));
	m = ctx.last;
	is(m, "", msg);
	is(m, "HEADER", "Subject: outer\r\nContent-Type: message/rfc822\r\n\r\n");
	/* part 1 of a non-multipart message is its body: here a message */
	is(m, "1.HEADER", "Subject: inner\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n");
	is(m, "1.1", "first");
	is(m, "1.1.MIME", "Content-Type: text/plain\r\n\r\n");
	is(m, "1.2.HEADER", "Subject: deepest\r\n\r\n");
	is(m, "1.2.TEXT", "deep body");
	is(m, "1.2.1", "deep body");
	is(m, "1.2.1.1", NULL);
	is(m, "1.3", NULL);
	is(m, "2", NULL);
	is(m, "1.1.HEADER", NULL);
	is(m, "header.fields (Subject)", "Subject: outer\r\nContent-Type: message/rfc822\r\n\r\n");
	is(m, "1.2.text", "deep body");
	mime_ctx_done(&ctx);
}

Test(section, bad_section_syntax)
{
	correu_mime_message *m = mime_parse(msg, strlen(msg), NULL);
	const char *bad[] = { "0", "1.", "1..2", "MIME", "1.FOO", ".1", "1.0", "TEXTX" };
	uint64_t off, size;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(
			correu_mime_section_range(m, bad[i], strlen(bad[i]), &off, &size, NULL),
			CORREU_ERR_SYNTAX, "%s", bad[i]);
	cr_assert_eq(correu_mime_section_range(m, "99999999999999999999", 20, &off, &size, NULL),
	             CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_mime_section_range(NULL, "1", 1, &off, &size, NULL), CORREU_ERR_ARG);
	correu_mime_message_free(m);
}

Test(section, envelope_of_an_inner_message_and_item_errors)
{
	correu_mime_message *m = mime_parse(msg, strlen(msg), NULL);
	uint32_t part;
	uint64_t off, size;
	char *env;
	uint8_t small[4];
	size_t need = 0;

	cr_assert_eq(correu_mime_section_range(m, "1.2.HEADER", 10, &off, &size, &part), 0);
	env = mime_imap(m, part, CORREU_MIME_IMAP_ENVELOPE, 0);
	cr_assert_str_eq(env, "(NIL \"deepest\" NIL NIL NIL NIL NIL NIL NIL NIL)");
	free(env);
	cr_assert_eq(correu_mime_section_range(m, "1.1", 3, &off, &size, &part), 0);
	cr_assert_eq(correu_mime_imap_format(m, part, CORREU_MIME_IMAP_ENVELOPE, 0, small, 4, NULL),
	             CORREU_ERR_NOT_FOUND, "a text part has no envelope");
	cr_assert_eq(correu_mime_imap_format(m, 0, CORREU_MIME_IMAP_ENVELOPE, 0, small, 4, &need),
	             CORREU_ERR_BUFFER);
	cr_assert_eq(need, strlen("(NIL \"outer\" NIL NIL NIL NIL NIL NIL NIL NIL)"));
	cr_assert_eq(correu_mime_imap_format(m, 0, 9, 0, small, 4, NULL), CORREU_ERR_ARG);
	correu_mime_message_free(m);
}

Test(section, a_part_without_body_keeps_ranges_nested)
{
	/* The blank line ending 1.1's header is the line break the delimiter
	 * takes (RFC 2046 §5.1.1): the header loses it, and the inner
	 * message/rfc822 that never got a header moves inside its parent. */
	const char *m2 = "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n"
			 "Content-Type: message/rfc822\r\n\r\n--o\r\n"
			 "Content-Type: text/plain\r\n\r\n--o--\r\n";
	struct mime_ctx ctx = { 0 };
	correu_mime_message *m;
	char *bs;

	free(mime_check(&ctx, m2, strlen(m2)));
	m = ctx.last;
	for (uint32_t i = 1; i < correu_mime_part_count(m); i++) {
		correu_mime_part_info c = { .version = CORREU_MIME_PART_INFO_VERSION };
		correu_mime_part_info p = { .version = CORREU_MIME_PART_INFO_VERSION };

		cr_assert_eq(correu_mime_part_info_get(m, i, &c), 0);
		cr_assert_eq(correu_mime_part_info_get(m, c.parent, &p), 0);
		cr_assert_geq(c.header_offset, p.body_offset, "part %u starts outside its parent",
		              i);
		cr_assert_leq(c.body_offset + c.body_size, p.body_offset + p.body_size,
		              "part %u ends outside its parent", i);
	}
	is_in(m, m2, "1.MIME", "Content-Type: message/rfc822\r\n");
	is_in(m, m2, "2.MIME", "Content-Type: text/plain\r\n");
	is_in(m, m2, "2", "");
	bs = mime_imap(m, 0, CORREU_MIME_IMAP_BODY, 0);
	cr_assert_str_eq(bs,
	                 "((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 0 (NIL NIL NIL NIL NIL "
	                 "NIL NIL NIL NIL NIL) (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL "
	                 "NIL \"7bit\" 0 0) 0)(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL "
	                 "NIL \"7bit\" 0 0) "
	                 "\"mixed\")");
	free(bs);
	mime_ctx_done(&ctx);
}
