/*
 * Header handling of the MIME layer: unfolding, field access by name,
 * RFC 2047 encoded words, RFC 2231 parameters and the structured-field
 * defaults of RFC 2045. Messages go through split_check().
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "mime_harness.h"

struct sink {
	char buf[512];
	size_t len;
};

static int to_sink(const uint8_t *p, size_t n, void *ud)
{
	struct sink *s = ud;

	cr_assert_lt(s->len + n, sizeof(s->buf));
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return 0;
}

static char *decode(const char *in, correu_mime_charset_fn hook)
{
	static struct sink s;

	s.len = 0;
	s.buf[0] = '\0';
	cr_assert_eq(
		correu_mime_decode_words((const uint8_t *)in, strlen(in), to_sink, &s, hook, NULL),
		0);
	return s.buf;
}

static correu_mime_message *parse_split(struct mime_ctx *ctx, const char *msg)
{
	free(mime_check(ctx, msg, strlen(msg)));
	return ctx->last;
}

static void field(const correu_mime_message *m, uint32_t part, uint32_t i, const char *name,
                  const char *value)
{
	const uint8_t *n, *v;
	size_t nl, vl;

	cr_assert_eq(correu_mime_field_get(m, part, i, &n, &nl, &v, &vl), 0);
	cr_assert_eq(nl, strlen(name));
	cr_assert_eq(memcmp(n, name, nl), 0, "field %u name", i);
	cr_assert_eq(vl, strlen(value), "field %u value %.*s", i, (int)vl, (const char *)v);
	cr_assert_eq(memcmp(v, value, vl), 0, "field %u value %.*s", i, (int)vl, (const char *)v);
}

Test(header, folded_fields_are_unfolded_and_trimmed)
{
	struct mime_ctx ctx = { 0 };
	correu_mime_message *m =
		parse_split(&ctx, "Subject: a long\r\n  subject\r\n\tthat folds  \r\n"
	                          "X-Empty:\r\nX-Obs : value\r\n\r\nbody");

	cr_assert_eq(correu_mime_field_count(m, 0), 3);
	field(m, 0, 0, "Subject", "a long  subject\tthat folds");
	field(m, 0, 1, "X-Empty", "");
	field(m, 0, 2, "X-Obs", "value");
	mime_ctx_done(&ctx);
}

Test(header, fields_are_found_by_name_case_insensitively)
{
	struct mime_ctx ctx = { 0 };
	correu_mime_message *m =
		parse_split(&ctx, "Received: one\r\nSubject: s\r\nRECEIVED: two\r\n"
	                          "received: three\r\n\r\n");
	const char *want[] = { "one", "two", "three" };
	int i = -1, k = 0;

	while ((i = correu_mime_field_find(m, 0, "received", 8, (uint32_t)(i + 1))) >= 0) {
		const uint8_t *n, *v;
		size_t nl, vl;

		cr_assert_lt(k, 3);
		cr_assert_eq(correu_mime_field_get(m, 0, (uint32_t)i, &n, &nl, &v, &vl), 0);
		cr_assert_eq(vl, strlen(want[k]));
		cr_assert_eq(memcmp(v, want[k], vl), 0);
		k++;
	}
	cr_assert_eq(k, 3);
	cr_assert_eq(i, CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_mime_field_find(m, 0, "Subject", 7, 0), 1);
	cr_assert_eq(correu_mime_field_find(m, 0, "Subjec", 6, 0), CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_mime_field_find(m, 5, "Subject", 7, 0), CORREU_ERR_NOT_FOUND);
	mime_ctx_done(&ctx);
}

Test(header, lines_that_are_not_fields_are_skipped_and_flagged)
{
	struct mime_ctx ctx = { 0 };
	correu_mime_message *m =
		parse_split(&ctx, "From me Tue Jan 2 10:00:00 2024\r\nno colon here\r\n"
	                          ": no name\r\nSubject: kept\r\n\r\nbody\r\n");

	cr_assert_eq(correu_mime_field_count(m, 0), 1);
	field(m, 0, 0, "Subject", "kept");
	cr_assert_eq(correu_mime_message_flags(m), CORREU_MIME_F_BAD_HEADER);
	mime_ctx_done(&ctx);
}

Test(header, rfc2047_examples)
{
	/* RFC 2047 §8 */
	cr_assert_str_eq(decode("(=?ISO-8859-1?Q?a?=)", NULL), "(a)");
	cr_assert_str_eq(decode("(=?ISO-8859-1?Q?a?= b)", NULL), "(a b)");
	cr_assert_str_eq(decode("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", NULL), "(ab)");
	cr_assert_str_eq(decode("(=?ISO-8859-1?Q?a?=  \r\n  =?ISO-8859-1?Q?b?=)", NULL), "(ab)");
	cr_assert_str_eq(decode("(=?ISO-8859-1?Q?a_b?=)", NULL), "(a b)");
	cr_assert_str_eq(decode("=?ISO-8859-1?Q?Andr=E9?= Pirard", NULL), "Andr\xc3\xa9 Pirard");
	cr_assert_str_eq(decode("=?UTF-8?B?w4lsw6h2ZQ==?=   =?UTF-8?Q?_=C3=A0_Paris?= now", NULL),
	                 "\xc3\x89l\xc3\xa8ve \xc3\xa0 Paris now");
	cr_assert_str_eq(decode("=?us-ascii*en?q?plain?=", NULL), "plain");
}

Test(header, rfc2047_bad_input_is_kept_or_replaced)
{
	/* not encoded words: literal */
	cr_assert_str_eq(decode("=?utf-8?X?abc?= =?utf-8?q?no end", NULL),
	                 "=?utf-8?X?abc?= =?utf-8?q?no end");
	cr_assert_str_eq(decode("=?utf-8?q?sp ace?=", NULL), "=?utf-8?q?sp ace?=");
	/* a character split over two words is joined (a common violation) */
	cr_assert_str_eq(decode("=?UTF-8?Q?=C3?= =?UTF-8?Q?=A9?=", NULL), "\xc3\xa9");
	/* bad UTF-8 and 8-bit "US-ASCII" become U+FFFD */
	cr_assert_str_eq(decode("=?UTF-8?Q?a=FFb=C3?=", NULL), "a\xef\xbf\xbd"
	                                                       "b\xef\xbf\xbd");
	cr_assert_str_eq(decode("=?US-ASCII?Q?=E9?=", NULL), "\xef\xbf\xbd");
	/* raw UTF-8 (RFC 6532) passes through */
	cr_assert_str_eq(decode("Gr\xc3\xbc\xc3\x9f"
	                        "e",
	                        NULL),
	                 "Gr\xc3\xbc\xc3\x9f"
	                 "e");
	/* unknown charset without hook: stays encoded */
	cr_assert_str_eq(decode("x =?KOI8-R?Q?=F0?= y", NULL), "x =?KOI8-R?Q?=F0?= y");
}

static int koi8_hook(const uint8_t *cs, size_t cslen, const uint8_t *in, size_t n,
                     correu_mime_write_fn write, void *wud, void *ud)
{
	(void)ud;
	if (cslen != 6 || memcmp(cs, "KOI8-R", 6) != 0)
		return CORREU_ERR_UNSUPPORTED;
	cr_assert_eq(n, 1);
	cr_assert_eq(in[0], 0xf0);
	return write((const uint8_t *)"\xd0\x9f", 2, wud); /* П */
}

Test(header, unknown_charsets_go_to_the_hook)
{
	cr_assert_str_eq(decode("x =?KOI8-R?Q?=F0?= y", koi8_hook), "x \xd0\x9f y");
	cr_assert_str_eq(decode("=?ISO-8859-2?Q?a?=", koi8_hook), "=?ISO-8859-2?Q?a?=");
}

static int stop_hook(const uint8_t *cs, size_t cslen, const uint8_t *in, size_t n,
                     correu_mime_write_fn write, void *wud, void *ud)
{
	(void)cs, (void)cslen, (void)in, (void)n, (void)write, (void)wud, (void)ud;
	return CORREU_ERR_CANCELLED;
}

Test(header, a_failing_hook_stops_decoding)
{
	struct sink s = { .len = 0 };

	cr_assert_eq(correu_mime_decode_words((const uint8_t *)"=?X?Q?a?=", 9, to_sink, &s,
	                                      stop_hook, NULL),
	             CORREU_ERR_CANCELLED);
}

static char *param(const correu_mime_message *m, uint32_t part, const char *f, const char *p,
                   int want)
{
	static struct sink s;

	s.len = 0;
	s.buf[0] = '\0';
	cr_assert_eq(correu_mime_param_get(m, part, f, p, to_sink, &s), want, "%s %s", f, p);
	return s.buf;
}

Test(header, rfc2231_and_quoted_parameters_are_decoded)
{
	struct mime_ctx ctx = { 0 };
	correu_mime_message *m = parse_split(
		&ctx,
		"Content-Type: application/x-stuff;\r\n"
		" title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n"
		" title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n title*2=\"isn't it!\";\r\n"
		" name=\"a \\\"quoted\\\" name\"; latin*=iso-8859-1''caf%E9;\r\n"
		" enc=\"=?UTF-8?B?cmFwcG9ydC5wZGY=?=\"; plain=token; plain*=utf-8''better\r\n\r\n");

	/* RFC 2231 §4.1 example */
	cr_assert_str_eq(param(m, 0, "content-type", "TITLE", 0),
	                 "This is even more ***fun*** isn't it!");
	cr_assert_str_eq(param(m, 0, "Content-Type", "name", 0), "a \"quoted\" name");
	cr_assert_str_eq(param(m, 0, "Content-Type", "latin", 0), "caf\xc3\xa9");
	cr_assert_str_eq(param(m, 0, "Content-Type", "enc", 0), "rapport.pdf");
	cr_assert_str_eq(param(m, 0, "Content-Type", "plain", 0), "better");
	param(m, 0, "Content-Type", "missing", CORREU_ERR_NOT_FOUND);
	param(m, 0, "Content-Disposition", "filename", CORREU_ERR_NOT_FOUND);
	mime_ctx_done(&ctx);
}

Test(header, corpus_filenames_decode_to_utf8)
{
	size_t len;
	char *msg = mime_load("mixed_alternative.eml", &len);
	correu_mime_message *m = mime_parse(msg, len, NULL);
	char *bs;

	/* part index 4 is the PDF: root, alternative, plain, html, pdf */
	cr_assert_str_eq(param(m, 4, "Content-Disposition", "filename", 0),
	                 "r\xc3\xa9sum\xc3\xa9 - 2024.pdf");
	correu_mime_message_free(m);
	free(msg);
	msg = mime_load("encoded.eml", &len);
	m = mime_parse(msg, len, NULL);
	cr_assert_str_eq(param(m, 2, "Content-Disposition", "filename", 0),
	                 "r\xc3\xa9sum\xc3\xa9.pdf");
	cr_assert_str_eq(param(m, 2, "Content-Type", "name", 0), "rapport.pdf");
	bs = mime_imap(m, 1, CORREU_MIME_IMAP_BODY, 0);
	cr_assert_str_eq(bs, "(\"text\" \"plain\" (\"charset\" \"iso-8859-1\") NIL NIL "
	                     "\"quoted-printable\" 6 0)");
	free(bs);
	correu_mime_message_free(m);
	free(msg);
}

Test(header, content_type_defaults_and_syntax_errors)
{
	struct mime_ctx ctx = { 0 };
	correu_mime_message *m = parse_split(
		&ctx,
		"Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\n"
		"Content-Type: text\r\n\r\nbad type\r\n--x\r\n"
		"Content-Type: (comment) Text / HTML (c) ; charset = \"utf-8\" (c)\r\n"
		"Content-Transfer-Encoding: (c) BASE64 (c)\r\n"
		"Content-Disposition: INLINE\r\nContent-Language: (c) de-CH\r\n\r\nx\r\n--x--\r\n");
	char *bs = mime_imap(m, 0, CORREU_MIME_IMAP_BODYSTRUCTURE, 0);

	/* RFC 2045 §5.2: a bad Content-Type means text/plain; us-ascii. */
	cr_assert_str_eq(bs, "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 8 0 "
	                     "NIL NIL NIL NIL)(\"Text\" \"HTML\" (\"charset\" \"utf-8\") NIL NIL "
	                     "\"BASE64\" 1 0 NIL (\"INLINE\" NIL) \"de-CH\" NIL) \"mixed\" "
	                     "(\"boundary\" \"x\") NIL NIL NIL)");
	free(bs);
	mime_ctx_done(&ctx);
}

Test(header, envelope_addresses_odd_and_obsolete_forms)
{
	struct mime_ctx ctx = { 0 };
	correu_mime_message *m = parse_split(
		&ctx,
		"From: a)example.com\r\nSender: ,,,\r\nReply-To:\r\n"
		"To: <@route1,@route2:user@host>, \"q \\\"x\\\"\" <\"odd local\"@[192.0.2.1]>\r\n"
		"Cc: joe@x.test (Joe Bloggs), localonly\r\nBcc: empty:;, g: a@b, ;\r\n\r\n");
	char *env = mime_imap(m, 0, CORREU_MIME_IMAP_ENVELOPE, 0);

	cr_assert_str_eq(env, "(NIL NIL ((NIL NIL \"a)example.com\" \"MISSING_DOMAIN\")) "
	                      "((NIL NIL \"a)example.com\" \"MISSING_DOMAIN\")) "
	                      "((NIL NIL \"a)example.com\" \"MISSING_DOMAIN\")) "
	                      "((NIL \"@route1,@route2\" \"user\" \"host\")"
	                      "(\"q \\\"x\\\"\" NIL \"\\\"odd local\\\"\" \"[192.0.2.1]\")) "
	                      "((\"Joe Bloggs\" NIL \"joe\" \"x.test\")"
	                      "(NIL NIL \"localonly\" \"MISSING_DOMAIN\")) "
	                      "((NIL NIL \"empty\" NIL)(NIL NIL NIL NIL)(NIL NIL \"g\" NIL)"
	                      "(NIL NIL \"a\" \"b\")(NIL NIL NIL NIL)) NIL NIL)");
	free(env);
	mime_ctx_done(&ctx);
}
