/*
 * The MIME parser on a corpus of real-world shaped messages
 * (tests/data/mime/): each is fed whole, byte by byte and split at every
 * offset, and its BODYSTRUCTURE, ENVELOPE and section ranges are compared
 * with strings derived by hand from the RFC 9051 §9 grammar.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "mime_harness.h"

struct sec {
	const char *section, *bytes; /* bytes NULL: no such section */
};

static void check(const char *file, const char *bodystructure, const char *envelope, uint32_t flags,
                  const struct sec *secs)
{
	struct mime_ctx ctx = { 0 };
	size_t len;
	char *msg = mime_load(file, &len);
	char *text = mime_check(&ctx, msg, len);
	char *bs = mime_imap(ctx.last, 0, CORREU_MIME_IMAP_BODYSTRUCTURE, 0);
	char *env = mime_imap(ctx.last, 0, CORREU_MIME_IMAP_ENVELOPE, 0);

	cr_assert_str_eq(bs, bodystructure, "%s BODYSTRUCTURE", file);
	if (envelope)
		cr_assert_str_eq(env, envelope, "%s ENVELOPE", file);
	cr_assert_eq(correu_mime_message_flags(ctx.last), flags, "%s flags %#x", file,
	             correu_mime_message_flags(ctx.last));
	cr_assert_eq(correu_mime_message_size(ctx.last), len);
	for (; secs && secs->section; secs++) {
		char *got = mime_section(ctx.last, msg, secs->section);

		if (!secs->bytes)
			cr_assert_null(got, "%s section %s should not exist", file, secs->section);
		else
			cr_assert_str_eq(got ? got : "(none)", secs->bytes, "%s section %s", file,
			                 secs->section);
		free(got);
	}
	free(env);
	free(bs);
	free(text);
	free(msg);
	mime_ctx_done(&ctx);
}

Test(corpus, simple_text_message)
{
	static const struct sec secs[] = {
		{ "1", "Shall we meet at noon?\r\nAlice\r\n" },
		{ "TEXT", "Shall we meet at noon?\r\nAlice\r\n" },
		{ "1.MIME", "Date: Tue, 2 Jan 2024 09:30:00 +0100\r\n"
		            "From: Alice Example <alice@example.org>\r\nTo: bob@example.net\r\n"
		            "Subject: Lunch\r\nMessage-ID: <lunch-1@example.org>\r\n\r\n" },
		{ "2", NULL },
		{ "1.1", NULL },
		{ NULL, NULL },
	};

	check("simple.eml",
	      "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 31 2 NIL NIL NIL "
	      "NIL)",
	      "(\"Tue, 2 Jan 2024 09:30:00 +0100\" \"Lunch\" "
	      "((\"Alice Example\" NIL \"alice\" \"example.org\")) "
	      "((\"Alice Example\" NIL \"alice\" \"example.org\")) "
	      "((\"Alice Example\" NIL \"alice\" \"example.org\")) "
	      "((NIL NIL \"bob\" \"example.net\")) NIL NIL NIL \"<lunch-1@example.org>\")",
	      0, secs);
}

Test(corpus, alternative_inside_mixed_with_attachment)
{
	static const struct sec secs[] = {
		{ "1.1", "Hi Dave,\r\nthe report." },
		{ "1.2", "<p>Hi Dave,</p>\r\n<p>the report.</p>" },
		{ "1.2.MIME", "Content-Type: text/html; charset=utf-8\r\n"
		              "Content-Transfer-Encoding: quoted-printable\r\n\r\n" },
		{ "2", "JVBERi0xLjQK" },
		{ "3", NULL },
		{ "2.1", NULL },
		{ "1.HEADER", NULL }, /* part 1 is not a message/rfc822 */
		{ NULL, NULL },
	};

	check("mixed_alternative.eml",
	      "(((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 21 1 "
	      "NIL NIL NIL NIL)(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL "
	      "\"quoted-printable\" 35 1 NIL NIL NIL NIL) \"alternative\" (\"boundary\" "
	      "\"=_alt_42\") NIL NIL NIL)(\"application\" \"pdf\" (\"name\" \"report.pdf\") "
	      "\"<pdf1@example.com>\" \"Quarterly report\" \"base64\" 12 NIL (\"attachment\" "
	      "(\"filename*\" \"utf-8'en'r%C3%A9sum%C3%A9%20-%202024.pdf\")) (\"en\" \"fr\") "
	      "\"http://example.com/report.pdf\") \"mixed\" (\"boundary\" \"=_outer_42\") NIL "
	      "NIL NIL)",
	      "(\"Wed, 3 Jan 2024 12:00:00 +0000\" \"Report attached\" "
	      "((\"Carol Q. Sender\" NIL \"carol\" \"example.com\")) "
	      "((\"Carol Q. Sender\" NIL \"carol\" \"example.com\")) "
	      "((\"Carol Q. Sender\" NIL \"carol\" \"example.com\")) "
	      "((\"Dave\" NIL \"dave\" \"example.net\")(\"Eve\" NIL \"eve\" \"example.net\")) "
	      "((NIL NIL \"team\" NIL)(NIL NIL \"frank\" \"example.net\")"
	      "(NIL NIL \"grace\" \"example.net\")(NIL NIL NIL NIL)) NIL "
	      "\"<req-3@example.net>\" \"<report-7@example.com>\")",
	      0, secs);
}

Test(corpus, forwarded_message_with_its_own_multipart)
{
	static const struct sec secs[] = {
		{ "1", "See below." },
		{ "2.HEADER", "From: Judy <judy@example.com>\r\nTo: Heidi <heidi@example.org>\r\n"
		              "Subject: Photos\r\nDate: Wed, 3 Jan 2024 18:00:00 +0000\r\n"
		              "Message-ID: <photos@example.com>\r\nMIME-Version: 1.0\r\n"
		              "Content-Type: multipart/mixed; boundary=b1-outer\r\n\r\n" },
		{ "2.MIME", "Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n" },
		{ "2.1", "Two photos." },
		{ "2.1.MIME", "Content-Type: text/plain; charset=us-ascii\r\n\r\n" },
		{ "2.2", "iVBORw0KGgo=" },
		{ "2.3", NULL },
		{ NULL, NULL },
	};

	check("forwarded.eml",
	      "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 0 NIL NIL "
	      "NIL NIL)(\"message\" "
	      "\"rfc822\" NIL NIL NIL \"7bit\" 444 (\"Wed, 3 Jan 2024 18:00:00 +0000\" "
	      "\"Photos\" ((\"Judy\" NIL \"judy\" \"example.com\")) ((\"Judy\" NIL \"judy\" "
	      "\"example.com\")) ((\"Judy\" NIL \"judy\" \"example.com\")) ((\"Heidi\" NIL "
	      "\"heidi\" \"example.org\")) NIL NIL NIL \"<photos@example.com>\") "
	      "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 11 0 NIL NIL "
	      "NIL NIL)(\"image\" \"png\" NIL NIL NIL \"base64\" 12 NIL (\"attachment\" "
	      "(\"filename\" \"a.png\")) NIL NIL) \"mixed\" (\"boundary\" \"b1-outer\") NIL NIL "
	      "NIL) 19 NIL (\"inline\" NIL) NIL NIL) \"mixed\" (\"boundary\" \"b1-outer-xyz\") "
	      "NIL NIL NIL)",
	      NULL, 0, secs);
}

Test(corpus, broken_boundaries_still_give_a_structure)
{
	static const struct sec secs[] = {
		{ "1.1", "first, --BBB not at a line start\r\n--BBBX is not a delimiter" },
		{ "1.2", "<b>never closed</b>" },
		{ "2", "last part, and no close delimiter\r\n" },
		{ NULL, NULL },
	};

	check("broken.eml",
	      "(((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 59 1 NIL NIL NIL "
	      "NIL)(\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 19 0 NIL NIL "
	      "NIL NIL) \"alternative\" "
	      "(\"boundary\" \"BBB\") NIL NIL NIL)(\"text\" \"plain\" (\"charset\" \"us-ascii\") "
	      "NIL NIL \"7bit\" 35 1 "
	      "NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"AAA\") NIL NIL NIL)",
	      NULL, CORREU_MIME_F_NO_CLOSE, secs);
}

Test(corpus, multipart_without_boundary_is_opaque)
{
	static const struct sec secs[] = {
		{ "1", "--xyz\r\nhello\r\n--xyz--\r\n" },
		{ "1.1", NULL },
		{ NULL, NULL },
	};

	check("no_boundary.eml",
	      "(\"application\" \"octet-stream\" NIL NIL NIL \"7bit\" 23 NIL NIL NIL NIL)",
	      "(NIL \"No boundary\" NIL NIL NIL NIL NIL NIL NIL NIL)", CORREU_MIME_F_BAD_BOUNDARY,
	      secs);
}

Test(corpus, raw_utf8_headers_are_literals_or_utf8_quoted)
{
	struct mime_ctx ctx = { 0 };
	size_t len;
	char *msg = mime_load("utf8_headers.eml", &len);
	char *text = mime_check(&ctx, msg, len);
	char *env = mime_imap(ctx.last, 0, CORREU_MIME_IMAP_ENVELOPE, CORREU_MIME_IMAP_UTF8);
	char *env7 = mime_imap(ctx.last, 0, CORREU_MIME_IMAP_ENVELOPE, 0);

	cr_assert_str_eq(env, "(NIL \"Grüße aus Köln\" ((\"Jörg Müller\" NIL \"joerg\" "
	                      "\"example.de\")) ((\"Jörg Müller\" NIL \"joerg\" \"example.de\")) "
	                      "((\"Jörg Müller\" NIL \"joerg\" \"example.de\")) ((\"山田\" NIL "
	                      "\"yamada\" \"example.jp\")) NIL NIL NIL NIL)");
	/* "Grüße aus Köln" is 17 octets of UTF-8: a literal without UTF8=ACCEPT. */
	cr_assert_not_null(strstr(env7, "(NIL {17}\r\nGrüße aus Köln (({13}\r\nJörg Müller NIL"));
	cr_assert_eq(correu_mime_message_flags(ctx.last), CORREU_MIME_F_8BIT);
	free(env);
	free(env7);
	free(text);
	free(msg);
	mime_ctx_done(&ctx);
}

Test(corpus, encoded_words_stay_raw_in_imap_output)
{
	check("encoded.eml",
	      "((\"text\" \"plain\" (\"charset\" \"iso-8859-1\") NIL NIL \"quoted-printable\" 6 0 "
	      "NIL NIL NIL NIL)(\"application\" \"octet-stream\" (\"name\" "
	      "\"=?UTF-8?B?cmFwcG9ydC5wZGY=?=\") NIL NIL \"7bit\" 4 NIL (\"attachment\" "
	      "(\"filename\" \"=?UTF-8?Q?r=C3=A9sum=C3=A9=2Epdf?=\")) NIL NIL) \"mixed\" "
	      "(\"boundary\" \"enc\") NIL NIL NIL)",
	      "(NIL \"=?UTF-8?B?w4lsw6h2ZQ==?=   =?UTF-8?Q?_=C3=A0_Paris?= now\" "
	      "((\"=?ISO-8859-1?Q?Andr=E9?= Pirard\" NIL \"PIRARD\" \"vm1.ulg.ac.be\")) "
	      "((\"=?ISO-8859-1?Q?Andr=E9?= Pirard\" NIL \"PIRARD\" \"vm1.ulg.ac.be\")) "
	      "((\"=?ISO-8859-1?Q?Andr=E9?= Pirard\" NIL \"PIRARD\" \"vm1.ulg.ac.be\")) "
	      "((\"=?utf-8?b?S2zDvHNl?=\" NIL \"k\" \"example.com\")) NIL NIL NIL NIL)",
	      0, NULL);
}

Test(corpus, lf_only_message)
{
	static const struct sec secs[] = {
		{ "1", "one\ntwo" },
		{ "2", "three" },
		{ "2.MIME", "Content-Type: text/plain\n\n" },
		{ "HEADER",
		  "Subject: Stored with LF\nContent-Type: multipart/mixed; boundary=lf\n\n" },
		{ NULL, NULL },
	};
	correu_mime_message *m;
	size_t len;
	char *msg = mime_load("lf_only.eml", &len);
	char *crlf;

	check("lf_only.eml",
	      "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 7 1 NIL NIL NIL "
	      "NIL)(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 0 NIL NIL NIL "
	      "NIL) \"mixed\" (\"boundary\" \"lf\") NIL NIL NIL)",
	      NULL, 0, secs);
	/* Sent with CRLF, "one\ntwo" is 8 octets. */
	m = mime_parse(msg, len, NULL);
	crlf = mime_imap(m, 0, CORREU_MIME_IMAP_BODY, CORREU_MIME_IMAP_CRLF_SIZES);
	cr_assert_str_eq(crlf,
	                 "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 8 1)"
	                 "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 0) "
	                 "\"mixed\")");
	free(crlf);
	correu_mime_message_free(m);
	free(msg);
}

Test(corpus, close_delimiter_without_final_line_break)
{
	static const struct sec secs[] = { { "1", "only part" }, { NULL, NULL } };

	check("no_trailing_crlf.eml",
	      "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 9 0 NIL NIL NIL "
	      "NIL) \"mixed\" (\"boundary\" \"end\") NIL NIL NIL)",
	      NULL, 0, secs);
}

Test(corpus, empty_body)
{
	static const struct sec secs[] = { { "TEXT", "" }, { "1", "" }, { NULL, NULL } };

	check("empty_body.eml",
	      "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL "
	      "NIL)",
	      "(NIL \"Empty\" ((NIL NIL \"nobody\" \"example.com\")) ((NIL NIL \"nobody\" "
	      "\"example.com\")) ((NIL NIL \"nobody\" \"example.com\")) NIL NIL NIL NIL NIL)",
	      0, secs);
}

Test(corpus, digest_parts_default_to_message_rfc822)
{
	static const struct sec secs[] = {
		{ "1.HEADER", "Subject: first\r\nFrom: a@example.com\r\n\r\n" },
		{ "1.1", "one" },
		{ "2", "not a message" },
		{ NULL, NULL },
	};

	check("digest.eml",
	      "((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 42 (NIL \"first\" ((NIL NIL \"a\" "
	      "\"example.com\")) ((NIL NIL \"a\" \"example.com\")) ((NIL NIL \"a\" "
	      "\"example.com\")) NIL NIL NIL NIL NIL) (\"text\" \"plain\" (\"charset\" "
	      "\"us-ascii\") NIL NIL \"7bit\" 3 0 NIL NIL NIL NIL) 3 NIL NIL NIL NIL)(\"text\" "
	      "\"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 13 0 NIL NIL NIL NIL) "
	      "\"digest\" (\"boundary\" "
	      "\"dg\") NIL NIL NIL)",
	      NULL, 0, secs);
}

Test(corpus, transport_padding_preamble_and_epilogue)
{
	static const struct sec secs[] = { { "1", "padded" }, { NULL, NULL } };

	check("padding.eml",
	      "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 6 0 NIL NIL NIL "
	      "NIL) \"mixed\" "
	      "(\"boundary\" \"pad\") NIL NIL NIL)",
	      NULL, 0, secs);
}
