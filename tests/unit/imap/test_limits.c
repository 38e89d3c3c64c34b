/* Every limit of the IMAP response parser at its value and one past it:
 * at the limit the response parses; past it the response is reported as
 * an ERROR and skipped (literals included), and the next one parses. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_test.h"

/* "x" repeated n times, NUL-terminated; caller frees. */
static char *xs(size_t n)
{
	char *s = malloc(n + 1);

	cr_assert_not_null(s);
	memset(s, 'x', n);
	s[n] = '\0';
	return s;
}

/* Feed head + pad + tail. */
static void expect_padded(const correu_imap_parser_settings *s, const char *head, const char *pad,
                          const char *tail, const char *want)
{
	char in[4096];

	snprintf(in, sizeof(in), "%s%s%s", head, pad, tail);
	imap_expect(s, in, want);
}

Test(imap_limits, line_length)
{
	correu_imap_parser_settings s;
	char *pad = xs(15);

	imap_settings(&s);
	s.max_line = 20;
	/* "* OK " + 15 bytes is exactly 20. */
	expect_padded(&s, "* OK ", pad, "\r\n", "BEGIN OK\nEND OK s0=\"xxxxxxxxxxxxxxx\"\n");
	expect_padded(&s, "* OK ", pad, "y\r\n* OK next\r\n",
	              "ERROR ? CORREU_ERR_LIMIT @0 line too long\nBEGIN OK\nEND OK s0=\"next\"\n");
	free(pad);
}

Test(imap_limits, long_line_ending_in_literal)
{
	correu_imap_parser_settings s;

	imap_settings(&s);
	s.max_line = 20;
	/* The skipped tail announces a literal; its bytes (holding what
	 * looks like a response) must be skipped too. */
	imap_expect(&s, "* 1 XFOO \"a b\" cccccccccccccc {11}\r\n* BAD fake\r\n)\r\n* OK next\r\n",
	            "ERROR ? CORREU_ERR_LIMIT @0 line too long\nBEGIN OK\nEND OK s0=\"next\"\n");
	/* A "{5}" inside a quoted string in the tail is no literal. */
	imap_expect(&s, "* 1 XFOO cccccccccccccccccc \"{5}\r\n* OK next\r\n",
	            "ERROR ? CORREU_ERR_LIMIT @0 line too long\nBEGIN OK\nEND OK s0=\"next\"\n");
}

Test(imap_limits, inline_literal)
{
	correu_imap_parser_settings s;

	imap_settings(&s);
	s.max_inline_literal = 4;
	imap_expect(&s, "* LIST () \"/\" {4}\r\nabcd\r\n",
	            "BEGIN LIST\nITEM DELIMITER s0=\"/\"\nITEM MAILBOX s0=\"abcd\" s1=\"abcd\"\n"
	            "END LIST\n");
	imap_expect(&s, "* LIST () \"/\" {5}\r\n* OK \r\n* OK next\r\n",
	            "ERROR ? CORREU_ERR_LIMIT @0 literal too big\nBEGIN OK\nEND OK s0=\"next\"\n");
}

Test(imap_limits, streamed_literal)
{
	correu_imap_parser_settings s;

	imap_settings(&s);
	s.max_literal = 3;
	imap_expect(&s, "* 1 FETCH (BODY[] {3}\r\nabc)\r\n",
	            "BEGIN FETCH num=1\nLIT BODY_SECTION num=1 num3=3 s0=\"\"\n"
	            "LITEND data=\"abc\" num=1 num3=3 s0=\"\"\nEND FETCH\n");
	imap_expect(&s, "* 1 FETCH (BODY[] {4}\r\n* OK)\r\n* OK next\r\n",
	            "ERROR ? CORREU_ERR_LIMIT @0 literal too big\nBEGIN OK\nEND OK s0=\"next\"\n");
}

Test(imap_limits, depth)
{
	correu_imap_parser_settings s;
	const char *in = "* THREAD ((((1))))\r\n* OK next\r\n";

	imap_settings(&s);
	s.max_depth = 4;
	imap_expect(
		&s, in,
		"BEGIN THREAD\nITEM THREAD_OPEN d=1\nITEM THREAD_OPEN d=2\nITEM THREAD_OPEN d=3\n"
		"ITEM THREAD_OPEN d=4\nITEM NUMBER d=4 num=1\nITEM THREAD_CLOSE d=4\n"
		"ITEM THREAD_CLOSE d=3\nITEM THREAD_CLOSE d=2\nITEM THREAD_CLOSE d=1\n"
		"END THREAD\nBEGIN OK\nEND OK s0=\"next\"\n");
	s.max_depth = 3;
	imap_expect(
		&s, in,
		"BEGIN THREAD\nITEM THREAD_OPEN d=1\nITEM THREAD_OPEN d=2\nITEM THREAD_OPEN d=3\n"
		"ERROR THREAD CORREU_ERR_LIMIT @0 nesting too deep\nBEGIN OK\nEND OK "
		"s0=\"next\"\n");
}

Test(imap_limits, body_depth)
{
	correu_imap_parser_settings s;
	/* FETCH list (1), multipart (2), its child (3). */
	const char *in =
		"* 1 FETCH (BODY ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) \"MIXED\"))\r\n";

	imap_settings(&s);
	s.max_depth = 3;
	imap_expect(&s, in,
	            "BEGIN FETCH num=1\nITEM BODY\nITEM PART_BEGIN d=1 f=0x8\n"
	            "ITEM PART_BEGIN d=2 s0=\"TEXT\" s1=\"PLAIN\"\n"
	            "ITEM PART_FIELDS d=2 num=1 s0=NIL s1=NIL s2=\"7BIT\"\n"
	            "ITEM PART_LINES d=2 num=1\nITEM PART_END d=2\n"
	            "ITEM PART_SUBTYPE d=1 s0=NIL s1=\"MIXED\"\nITEM PART_END d=1\nEND FETCH\n");
	s.max_depth = 2;
	imap_expect(&s, in,
	            "BEGIN FETCH num=1\nITEM BODY\nITEM PART_BEGIN d=1 f=0x8\n"
	            "ERROR FETCH CORREU_ERR_LIMIT @0 nesting too deep\n");
}

Test(imap_limits, list_length)
{
	correu_imap_parser_settings s;
	const char *in = "* SEARCH 1 2 3\r\n";

	imap_settings(&s);
	s.max_list = 3;
	imap_expect(&s, in,
	            "BEGIN SEARCH\nITEM NUMBER num=1\nITEM NUMBER num=2\nITEM NUMBER num=3\n"
	            "END SEARCH\n");
	s.max_list = 2;
	imap_expect(&s, in,
	            "BEGIN SEARCH\nITEM NUMBER num=1\nITEM NUMBER num=2\n"
	            "ERROR SEARCH CORREU_ERR_LIMIT @0 list too long\n");
}

Test(imap_limits, response_size)
{
	correu_imap_parser_settings s;
	/* 15 + 2 + 4 + 3 + 2 = 26 bytes held: line, CRLF, literal, line, CRLF. */
	const char *in = "* LIST () \"/\" {4}\r\nabcd\r\n* OK next\r\n";

	imap_settings(&s);
	s.max_response = 25;
	imap_expect(&s, in,
	            "BEGIN LIST\nITEM DELIMITER s0=\"/\"\nITEM MAILBOX s0=\"abcd\" s1=\"abcd\"\n"
	            "END LIST\nBEGIN OK\nEND OK s0=\"next\"\n");
	s.max_response = 24;
	imap_expect(&s, in,
	            "ERROR ? CORREU_ERR_LIMIT @0 response too big\nBEGIN OK\nEND OK s0=\"next\"\n");
}

Test(imap_limits, chunk_size)
{
	correu_imap_parser_settings s;

	imap_settings(&s);
	s.max_chunk = 1; /* the harness asserts every piece is at most 1 byte */
	imap_expect(&s, "* 1 FETCH (BODY[] {5}\r\nhello BODY[1] \"quoted\")\r\n",
	            "BEGIN FETCH num=1\nLIT BODY_SECTION num=1 num3=5 s0=\"\"\n"
	            "LITEND data=\"hello\" num=1 num3=5 s0=\"\"\n"
	            "LIT BODY_SECTION num=1 num3=6 s0=\"1\"\n"
	            "LITEND data=\"quoted\" num=1 num3=6 s0=\"1\"\nEND FETCH\n");
}
