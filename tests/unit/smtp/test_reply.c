/*
 * SMTP reply parsing: codes, continuation lines, code mismatches, limits,
 * bare line ends and enhanced status codes, through the reply reader fed
 * in every split.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp_internal.h"
#include "split.h"

struct rctx {
	correu__smtp_reader rd;
	size_t max_line, max_reply;
	bool open, dead;
};

static void r_reset(void *ctx)
{
	struct rctx *x = ctx;

	if (x->open)
		correu__smtp_reader_free(&x->rd);
	cr_assert_eq(correu__smtp_reader_init(&x->rd, NULL, x->max_line, x->max_reply), 0);
	x->open = true;
	x->dead = false;
}

static int r_feed(void *ctx, const uint8_t *p, size_t n, struct split_out *out)
{
	struct rctx *x = ctx;

	while (n > 0 && !x->dead) {
		size_t used;
		int rc = correu__smtp_reader_feed(&x->rd, p, n, &used);

		cr_assert_leq(used, n);
		p += used;
		n -= used;
		if (rc < 0) {
			split_out_printf(out, "error %s\n", correu_err_name(rc));
			x->dead = true;
		} else if (rc == 1) {
			split_out_printf(out, "reply %u \"", x->rd.reply.code);
			split_out_bytes(out, x->rd.reply.text.data, x->rd.reply.text.len);
			split_out_printf(out, "\"\n");
		}
	}
	return 0;
}

static void r_finish(void *ctx, struct split_out *out)
{
	struct rctx *x = ctx;

	if (!x->dead && correu__smtp_reader_pending(&x->rd))
		split_out_printf(out, "pending\n");
	correu__smtp_reader_free(&x->rd);
	x->open = false;
}

static const struct split_ops rops = { r_reset, r_feed, r_finish };

static void expect(const char *in, size_t max_line, const char *want)
{
	struct rctx x = { .max_line = max_line, .max_reply = 4096 };
	char *got = split_check(&rops, &x, (const uint8_t *)in, strlen(in));

	cr_assert_str_eq(got, want, "input \"%s\"", in);
	free(got);
}

Test(reply, single_and_multi_line)
{
	expect("220 mx ready\r\n", 512, "reply 220 \"mx ready\"\n");
	expect("250-mx\r\n250-PIPELINING\r\n250 SIZE 100\r\n", 512,
	       "reply 250 \"mx\\nPIPELINING\\nSIZE 100\"\n");
	/* A bare code is a complete reply with no text. */
	expect("250\r\n221 bye\r\n", 512, "reply 250 \"\"\nreply 221 \"bye\"\n");
	expect("250-\r\n250 \r\n", 512, "reply 250 \"\\n\"\n");
}

Test(reply, malformed_lines_are_errors)
{
	expect("22 short\r\n", 512, "error CORREU_ERR_SYNTAX\n");
	expect("220x text\r\n", 512, "error CORREU_ERR_SYNTAX\n");
	expect("620 bad class\r\n", 512, "error CORREU_ERR_SYNTAX\n");
	expect("160 bad class\r\n", 512, "error CORREU_ERR_SYNTAX\n");
	expect("270 bad second digit\r\n", 512, "error CORREU_ERR_SYNTAX\n");
	expect("2a0 x\r\n", 512, "error CORREU_ERR_SYNTAX\n");
	expect("250 nul\x01 inside\r\n", 512, "error CORREU_ERR_SYNTAX\n");
	expect("\r\n", 512, "error CORREU_ERR_SYNTAX\n");
}

Test(reply, code_change_inside_a_multi_line_reply)
{
	expect("250-first\r\n251 second\r\n", 512, "error CORREU_ERR_PROTO\n");
}

Test(reply, bare_line_ends_are_refused)
{
	expect("250 a\nb\r\n", 512, "error CORREU_ERR_BARE_EOL\n");
	expect("250 a\rb\r\n", 512, "error CORREU_ERR_BARE_EOL\n");
	expect("250 ok\n", 512, "pending\n");
}

Test(reply, unterminated_reply_stays_pending)
{
	expect("250 ok", 512, "pending\n");
	expect("250-one\r\n", 512, "pending\n");
}

Test(reply, line_limit_and_limit_plus_one)
{
	char line[600];

	/* 512 bytes of line (without CRLF) are accepted... */
	memset(line, 'x', sizeof(line));
	memcpy(line, "250 ", 4);
	memcpy(line + 512, "\r\n", 3);
	{
		struct rctx x = { .max_line = 512, .max_reply = 4096 };
		char *got = split_check(&rops, &x, (const uint8_t *)line, 514);

		cr_assert(strncmp(got, "reply 250 ", 10) == 0, "%s", got);
		free(got);
	}
	/* ...513 are not. */
	memset(line, 'x', sizeof(line));
	memcpy(line, "250 ", 4);
	memcpy(line + 513, "\r\n", 3);
	expect(line, 512, "error CORREU_ERR_LIMIT\n");
}

Test(reply, reply_text_limit)
{
	struct rctx x = { .max_line = 512, .max_reply = 10 };
	/* 5 + 1 + 4 = 10 bytes of text fit; one more does not. */
	char *got = split_check(&rops, &x, (const uint8_t *)"250-abcde\r\n250 fghi\r\n", 21);

	cr_assert_str_eq(got, "reply 250 \"abcde\\nfghi\"\n");
	free(got);
	got = split_check(&rops, &x, (const uint8_t *)"250-abcde\r\n250 fghij\r\n", 22);
	cr_assert_str_eq(got, "error CORREU_ERR_LIMIT\n");
	free(got);
}

static void enh(const char *text, unsigned code, const char *want)
{
	uint32_t c = 0, s = 0, d = 0;
	size_t n = correu__smtp_enhanced(text, strlen(text), code, &c, &s, &d);
	char got[64];

	if (n)
		snprintf(got, sizeof(got), "%u.%u.%u+%zu", c, s, d, n);
	else
		snprintf(got, sizeof(got), "none");
	cr_assert_str_eq(got, want, "text \"%s\"", text);
}

Test(reply, enhanced_status_codes)
{
	enh("2.1.5 Ok", 250, "2.1.5+6");
	enh("5.7.1 denied", 550, "5.7.1+6");
	enh("4.4.2", 421, "4.4.2+5");
	enh("5.123.456 x", 554, "5.123.456+10");
	enh("2.1.5 wrong class", 550, "none");
	enh("2.1 short", 250, "none");
	enh("2.1.5x", 250, "none");
	enh("3.1.5 no class 3", 354, "none");
	enh("2.1234.5 too long", 250, "none");
	enh("2.01.5 leading zero", 250, "none");
	enh("2.0.0 ok", 250, "2.0.0+6");
	enh("", 250, "none");
}
