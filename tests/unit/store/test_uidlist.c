/* The dovecot-uidlist parser: versions 3 and 1, damage, limits, splits. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "failalloc.h"
#include "split.h"
#include "store/maildir_internal.h"

struct pctx {
	md_uidlist_parser p;
	size_t max_line;
	struct split_out *out;
	const correu_allocator *a;
	bool started;
};

static int on_rec(void *ud, uint32_t uid, const char *ext, size_t ext_len, const char *fn,
                  size_t fn_len)
{
	struct pctx *c = ud;

	split_out_printf(c->out, "rec %u [", uid);
	split_out_bytes(c->out, (const uint8_t *)ext, ext_len);
	split_out_printf(c->out, "] ");
	split_out_bytes(c->out, (const uint8_t *)fn, fn_len);
	split_out_printf(c->out, "\n");
	return 0;
}

static void p_reset(void *ctx)
{
	struct pctx *c = ctx;

	if (c->started)
		correu__md_uidlist_parser_free(&c->p);
	correu__md_uidlist_parser_init(&c->p, c->a, c->max_line, on_rec, c);
	c->started = true;
}

static int p_feed(void *ctx, const uint8_t *d, size_t n, struct split_out *out)
{
	struct pctx *c = ctx;
	int rc;

	c->out = out;
	rc = correu__md_uidlist_feed(&c->p, d, n);
	if (rc < 0) {
		split_out_printf(out, "error %s\n", correu_err_name(rc));
		return rc;
	}
	return 0;
}

static void p_finish(void *ctx, struct split_out *out)
{
	struct pctx *c = ctx;

	split_out_printf(out, "v%u V%u N%u guid=%d %02x..%02x ext=[", c->p.version,
	                 c->p.uidvalidity, c->p.next_uid, c->p.have_guid, c->p.guid[0],
	                 c->p.guid[15]);
	split_out_bytes(out, c->p.hdr_ext.data, c->p.hdr_ext.len);
	split_out_printf(out, "] broken=%d consumed=%llu pending=%zu\n", c->p.broken,
	                 (unsigned long long)c->p.consumed, c->p.line.len);
}

static const struct split_ops ops = {p_reset, p_feed, p_finish};

static char *parse(const char *in, size_t max_line)
{
	struct pctx c = {.max_line = max_line};
	char *text = split_check(&ops, &c, (const uint8_t *)in, strlen(in));

	correu__md_uidlist_parser_free(&c.p);
	return text;
}

Test(uidlist, dovecot_v3_file_with_extensions_and_unknown_header_fields)
{
	char *t = parse("3 V1275660208 N25022 G3085f01b7f11094c501100008c4a11c1 Xfuture\n"
	                "25006 :1276528487.M364837P9451.kurkku,S=1355,W=1394:2,\n"
	                "25017 W2481 :1276533073.M242911P3632.kurkku:2,F\n",
	                8192);

	cr_assert_str_eq(t, "rec 25006 [] 1276528487.M364837P9451.kurkku,S=1355,W=1394:2,\n"
	                    "rec 25017 [W2481] 1276533073.M242911P3632.kurkku:2,F\n"
	                    "v3 V1275660208 N25022 guid=1 30..c1 ext=[Xfuture] broken=0 "
	                    "consumed=166 pending=0\n");
	free(t);
}

Test(uidlist, next_uid_never_below_the_last_record)
{
	char *t = parse("3 V7 N2\n5 :a\n", 8192);

	cr_assert(strstr(t, "V7 N6 ") != NULL, "%s", t);
	free(t);
}

Test(uidlist, courier_version_1)
{
	char *t = parse("1 1000 3\n1 msg.one:2,S\n2 msg.two\n", 8192);

	cr_assert_str_eq(t, "rec 1 [] msg.one:2,S\nrec 2 [] msg.two\n"
	                    "v1 V1000 N3 guid=0 00..00 ext=[] broken=0 consumed=33 pending=0\n");
	free(t);
}

Test(uidlist, unreadable_headers_are_errors)
{
	static const char *bad[] = {
		"2 V1 N1\n", "3 N5\n", "3 V0 N5\n", "3 V5 N0\n", "3 V99999999999 N1\n",
		"3 V1 N1 Gxyz\n", "3 V1 N1 G3085f01b7f11094c501100008c4a11cZ\n", "x\n",
		"3V1 N1\n", "1 5\n", "\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *t = parse(bad[i], 8192);

		cr_assert(strncmp(t, "error CORREU_ERR_SYNTAX", 23) == 0, "%s -> %s", bad[i], t);
		free(t);
	}
}

Test(uidlist, a_bad_record_stops_the_parse_and_keeps_what_came_before)
{
	static const char *bad[] = {
		"0 :zero\n", "2 :dup\n", "x :word\n", "4 W1\n", "4 :\n", "4 :a/b\n",
		"4 :cr\r\n", "4294967295 :max\n", "99999999999 :big\n", "4\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char in[256];
		char *t;

		snprintf(in, sizeof(in), "3 V9 N3\n2 :good\n%s3 :after\n", bad[i]);
		t = parse(in, 8192);
		cr_assert(strncmp(t, "rec 2 [] good\nv3 V9 N3 ", 23) == 0, "%s -> %s", bad[i], t);
		cr_assert(strstr(t, "broken=1 consumed=16 ") != NULL, "%s -> %s", bad[i], t);
		free(t);
	}
}

Test(uidlist, line_limit_at_and_past)
{
	/* "3 V1 N1" is 7 bytes; a record line of exactly 16 bytes. */
	char *t = parse("3 V1 N1\n1 :abcdefghijklm\n", 16);

	cr_assert(strstr(t, "rec 1 [] abcdefghijklm") != NULL, "%s", t);
	free(t);
	t = parse("3 V1 N1\n1 :abcdefghijklmn\n", 16);
	cr_assert(strstr(t, "error CORREU_ERR_LIMIT") != NULL, "%s", t);
	free(t);
}

Test(uidlist, a_partial_last_line_waits)
{
	char *t = parse("3 V1 N1\n1 :a\n2 :b", 8192);

	cr_assert(strstr(t, "rec 2") == NULL, "%s", t);
	cr_assert(strstr(t, "consumed=13 pending=4") != NULL, "%s", t);
	free(t);
}

static int parse_scenario(void *ctx, const correu_allocator *a)
{
	const char *in = ctx;
	md_uidlist_parser p;
	int rc = 0;

	correu__md_uidlist_parser_init(&p, a, 8192, NULL, NULL);
	/* Byte at a time so the partial line buffer grows. */
	for (size_t i = 0; in[i] && rc == 0; i++)
		rc = correu__md_uidlist_feed(&p, (const uint8_t *)in + i, 1);
	correu__md_uidlist_parser_free(&p);
	return rc;
}

Test(uidlist, every_allocation_failure_is_clean)
{
	long n = failalloc_loop(parse_scenario,
	                        (void *)"3 V1 N1 Xa Yb Zc\n1 W12 :some-long-file-name-here\n", 50);

	cr_assert_gt(n, 0);
}
