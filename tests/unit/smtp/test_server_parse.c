/*
 * The SMTP server's command-line parser: verbs, MAIL and RCPT paths with
 * source routes, quoted local parts and parameters, xtext, numbers, and
 * the limits at their edge. These functions read whole lines (the line
 * framing, fed every way, is the transcripts' job).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "smtp/smtpd_int.h"

static correu__smtpd_cmd cmd(const char *line)
{
	correu__smtpd_cmd c;

	correu__smtpd_parse_cmd((const uint8_t *)line, strlen(line), &c);
	return c;
}

Test(server_parse, verbs)
{
	correu__smtpd_cmd c = cmd("mail FROM:<a@b.c>");

	cr_assert_eq(c.verb, V_MAIL);
	cr_assert_eq(c.arg_len, 12);
	cr_assert(memcmp(c.arg, "FROM:<a@b.c>", 12) == 0);
	cr_assert_eq(cmd("StartTLS").verb, V_STARTTLS);
	cr_assert_eq(cmd("STARTTLSX").verb, V_UNKNOWN);
	cr_assert_eq(cmd("").verb, V_UNKNOWN);
	cr_assert_eq(cmd("QUIT").arg_len, 0);
	/* One space separates verb and argument; the rest is argument. */
	c = cmd("NOOP  x");
	cr_assert_eq(c.arg_len, 2);
}

static int addr(const char *arg, bool rcpt, correu__smtpd_addr_cmd *a)
{
	return correu__smtpd_parse_addr(arg, strlen(arg), rcpt, a);
}

static bool path_is(const correu__smtpd_addr_cmd *a, const char *want)
{
	return a->path_len == strlen(want) && memcmp(a->path, want, a->path_len) == 0;
}

Test(server_parse, paths)
{
	correu__smtpd_addr_cmd a;

	cr_assert_eq(addr("FROM:<>", false, &a), 0);
	cr_assert_eq(a.path_len, 0);
	cr_assert_eq(addr("from: <a@example.org>", false, &a), 0);
	cr_assert(path_is(&a, "a@example.org"));
	cr_assert_eq(addr("TO:<@r1.example,@r2.example:b@example.org>", true, &a), 0);
	cr_assert(path_is(&a, "b@example.org"));
	cr_assert_eq(addr("TO:<\"a>b\"@example.org> NOTIFY=NEVER", true, &a), 0);
	cr_assert(path_is(&a, "\"a>b\"@example.org"));
	cr_assert_eq(a.nparams, 1);
	cr_assert_eq(addr("TO:<b@example.org>", false, &a), CORREU_ERR_SYNTAX);
	cr_assert_eq(addr("FROM:a@example.org", false, &a), CORREU_ERR_SYNTAX);
	cr_assert_eq(addr("FROM:<a@example.org", false, &a), CORREU_ERR_SYNTAX);
	cr_assert_eq(addr("FROM:<@route-without-colon>", false, &a), CORREU_ERR_ARG);
	cr_assert_eq(addr("FROM:<a@example.org>X", false, &a), CORREU_ERR_SYNTAX);
}

Test(server_parse, path_limit)
{
	correu__smtpd_addr_cmd a;
	char line[400];
	size_t n;

	/* 256 octets with the brackets is the most (RFC 5321 4.5.3.1.3). */
	memcpy(line, "FROM:<", 6);
	n = 6;
	memset(line + n, 'a', 254 - 12);
	n += 254 - 12;
	memcpy(line + n, "@example.org>", 13);
	n += 13;
	line[n] = '\0';
	cr_assert_eq(addr(line, false, &a), 0);
	cr_assert_eq(a.path_len, 254);
	memmove(line + 7, line + 6, n - 5);
	line[6] = 'a';
	cr_assert_eq(addr(line, false, &a), CORREU_ERR_LIMIT);
}

Test(server_parse, params)
{
	correu__smtpd_addr_cmd a;
	char line[400];
	size_t n;

	cr_assert_eq(addr("FROM:<a@b.c> SIZE=10  BODY=8BITMIME SMTPUTF8", false, &a), 0);
	cr_assert_eq(a.nparams, 3);
	cr_assert(a.params[0].has_val && a.params[0].val_len == 2);
	cr_assert(!a.params[2].has_val);
	cr_assert_eq(addr("FROM:<a@b.c> SIZE=", false, &a), CORREU_ERR_SYNTAX);
	cr_assert_eq(addr("FROM:<a@b.c> =1", false, &a), CORREU_ERR_SYNTAX);
	cr_assert_eq(addr("FROM:<a@b.c> -X=1", false, &a), CORREU_ERR_SYNTAX);
	cr_assert_eq(addr("FROM:<a@b.c> X=a=b", false, &a), CORREU_ERR_SYNTAX);
	/* Sixteen parameters, and one more. */
	n = (size_t)snprintf(line, sizeof(line), "FROM:<a@b.c>");
	for (int i = 0; i < 16; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " P%d", i);
	cr_assert_eq(addr(line, false, &a), 0);
	cr_assert_eq(a.nparams, 16);
	snprintf(line + n, sizeof(line) - n, " P16");
	cr_assert_eq(addr(line, false, &a), CORREU_ERR_LIMIT);
}

Test(server_parse, mailboxes)
{
	cr_assert_eq(correu__smtpd_check_mailbox("", 0, false, false), 0);
	cr_assert_eq(correu__smtpd_check_mailbox("", 0, false, true), CORREU_ERR_ARG);
	cr_assert_eq(correu__smtpd_check_mailbox("PostMaster", 10, false, true), 0);
	cr_assert_eq(correu__smtpd_check_mailbox("postmaster", 10, false, false), CORREU_ERR_ARG);
	cr_assert_eq(correu__smtpd_check_mailbox("a@[192.0.2.1]", 13, false, true), 0);
	cr_assert_eq(correu__smtpd_check_mailbox("@b.c", 4, false, true), CORREU_ERR_ARG);
	cr_assert_eq(correu__smtpd_check_mailbox("a@", 2, false, true), CORREU_ERR_ARG);
	cr_assert_eq(correu__smtpd_check_mailbox("a@b_c", 5, false, true), CORREU_ERR_ARG);
	cr_assert_eq(correu__smtpd_check_mailbox("\xc3\xa5@b.c", 6, false, true), CORREU_ERR_ARG);
	cr_assert_eq(correu__smtpd_check_mailbox("\xc3\xa5@b.c", 6, true, true), 0);
	cr_assert_eq(correu__smtpd_check_mailbox("a\x01@b.c", 6, true, true), CORREU_ERR_ARG);
}

Test(server_parse, xtext)
{
	char out[8];

	cr_assert_eq(correu__smtpd_xtext_decode("a+2Bb", 5, out, sizeof(out)), 3);
	cr_assert(memcmp(out, "a+b", 3) == 0);
	cr_assert_eq(correu__smtpd_xtext_decode("a+2b", 4, out, sizeof(out)), CORREU_ERR_SYNTAX);
	cr_assert_eq(correu__smtpd_xtext_decode("a+2", 3, out, sizeof(out)), CORREU_ERR_SYNTAX);
	cr_assert_eq(correu__smtpd_xtext_decode("a=b", 3, out, sizeof(out)), CORREU_ERR_SYNTAX);
	cr_assert_eq(correu__smtpd_xtext_decode("+0A", 3, out, sizeof(out)), CORREU_ERR_SYNTAX);
	/* At the output's size, then one more. */
	cr_assert_eq(correu__smtpd_xtext_decode("12345678", 8, out, sizeof(out)), 8);
	cr_assert_eq(correu__smtpd_xtext_decode("123456789", 9, out, sizeof(out)),
	             CORREU_ERR_LIMIT);
}

Test(server_parse, numbers)
{
	uint64_t v;

	cr_assert_eq(correu__smtpd_u64("18446744073709551615", 20, &v), 0);
	cr_assert_eq(v, UINT64_MAX);
	cr_assert_eq(correu__smtpd_u64("18446744073709551616", 20, &v), CORREU_ERR_LIMIT);
	cr_assert_eq(correu__smtpd_u64("000000000000000000001", 21, &v), CORREU_ERR_SYNTAX);
	cr_assert_eq(correu__smtpd_u64("", 0, &v), CORREU_ERR_SYNTAX);
	cr_assert_eq(correu__smtpd_u64("-1", 2, &v), CORREU_ERR_SYNTAX);
}
