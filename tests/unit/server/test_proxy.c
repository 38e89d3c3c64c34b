/*
 * The PROXY protocol parser (haproxy proxy-protocol.txt, versions 1 and
 * 2): every input fed whole, byte by byte and split at every offset; the
 * "need" hint never reaching past the header; strictness and limits.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_int.h"
#include "split.h"

struct pctx {
	uint8_t buf[70000];
	size_t len;
	size_t max;
	bool done;
	size_t need;
};

static void p_reset(void *vctx)
{
	struct pctx *c = vctx;

	c->len = 0;
	c->done = false;
	c->need = 0;
}

static void print_hdr(const correu__proxy_hdr *h, correu_ssize n, struct split_out *out)
{
	char s[CORREU__ADDR_TEXT], d[CORREU__ADDR_TEXT];

	if (h->local) {
		split_out_printf(out, "v%u local len=%zd", h->version, n);
		return;
	}
	correu__addr_text(&h->src, s);
	correu__addr_text(&h->dst, d);
	split_out_printf(out, "v%u %s:%u -> %s:%u len=%zd", h->version, s, h->src_port, d,
	                 h->dst_port, n);
}

static int p_feed(void *vctx, const uint8_t *p, size_t n, struct split_out *out)
{
	struct pctx *c = vctx;
	correu__proxy_hdr h;
	correu_ssize rc;

	if (c->done)
		return -1;
	cr_assert_leq(n, sizeof(c->buf) - c->len);
	memcpy(c->buf + c->len, p, n);
	c->len += n;
	rc = correu__proxy_parse(c->buf, c->len, c->max, &h, &c->need);
	if (rc == 0)
		return 0;
	c->done = true;
	if (rc < 0)
		split_out_printf(out, "%s", correu_err_name((int)rc));
	else
		print_hdr(&h, rc, out);
	return -1;
}

static void p_finish(void *vctx, struct split_out *out)
{
	struct pctx *c = vctx;

	if (!c->done)
		split_out_printf(out, "incomplete need=%zu", c->need);
}

static const struct split_ops ops = { p_reset, p_feed, p_finish };

static char *run(const void *in, size_t len, size_t max)
{
	static struct pctx c;

	c.max = max;
	return split_check(&ops, &c, in, len);
}

static void expect(const void *in, size_t len, const char *want)
{
	char *got = run(in, len, 1024);

	cr_assert_str_eq(got, want);
	free(got);
}

#define EXPECT_STR(s, want) expect(s, strlen(s), want)

Test(proxy_v1, tcp4_tcp6_and_unknown)
{
	EXPECT_STR("PROXY TCP4 192.0.2.7 198.51.100.1 56324 25\r\nEHLO x\r\n",
	           "v1 192.0.2.7:56324 -> 198.51.100.1:25 len=44");
	EXPECT_STR("PROXY TCP6 2001:db8::7 2001:db8::1 65535 0\r\n",
	           "v1 2001:db8::7:65535 -> 2001:db8::1:0 len=44");
	EXPECT_STR("PROXY UNKNOWN\r\n", "v1 local len=15");
	EXPECT_STR("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\nrest", "v1 local len=35");
}

Test(proxy_v1, strict_syntax)
{
	const char *bad[] = {
		"PROXY TCP4 192.0.2.7 198.51.100.1 56324 25\n",   /* bare LF */
		"PROXY TCP4 192.0.2.7 198.51.100.1 56324 25\rX\n", /* bare CR */
		"PROXY TCP4 192.0.2.7  198.51.100.1 56324 25\r\n", /* two spaces */
		"PROXY TCP4 192.0.2.7 198.51.100.1 056324 25\r\n", /* leading zero */
		"PROXY TCP4 192.0.2.7 198.51.100.1 65536 25\r\n",  /* port range */
		"PROXY TCP4 2001:db8::7 198.51.100.1 1 25\r\n",    /* family mismatch */
		"PROXY TCP6 192.0.2.7 198.51.100.1 1 25\r\n",
		"PROXY TCP4 192.0.2.7 198.51.100.1 1\r\n",         /* missing field */
		"PROXY TCP4 192.0.2.7 198.51.100.1 1 2 3\r\n",     /* extra field */
		"PROXY UDP4 192.0.2.7 198.51.100.1 1 2\r\n",
		"PROXY UNKNOWNX\r\n",
		"proxy TCP4 192.0.2.7 198.51.100.1 1 2\r\n",
		"PROXY TCP4 192.0.2.7 198.51.100.1 1 2 \r\n",
		"PROXYTCP4\r\n",
		"EHLO client.example\r\n",
		"PROXY TCP4 192.0.2.\x01 198.51.100.1 1 2\r\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_STR(bad[i], "CORREU_ERR_SYNTAX");
}

Test(proxy_v1, line_length_limit)
{
	char line[200];

	/* 107 bytes with CRLF is the longest v1 header (2.1): accepted as
	 * UNKNOWN with padding; one more byte is refused. */
	memcpy(line, "PROXY UNKNOWN ", 14);
	memset(line + 14, 'a', 91);
	memcpy(line + 105, "\r\n", 3);
	EXPECT_STR(line, "v1 local len=107");
	memset(line + 14, 'a', 92);
	memcpy(line + 106, "\r\n", 3);
	EXPECT_STR(line, "CORREU_ERR_LIMIT");
}

static size_t v2(uint8_t *out, uint8_t ver_cmd, uint8_t fam, const uint8_t *body, size_t blen)
{
	static const uint8_t sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
		                         0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

	memcpy(out, sig, 12);
	out[12] = ver_cmd;
	out[13] = fam;
	out[14] = (uint8_t)(blen >> 8);
	out[15] = (uint8_t)blen;
	if (blen)
		memcpy(out + 16, body, blen);
	return 16 + blen;
}

static const uint8_t in4[12] = { 192, 0, 2, 7, 198, 51, 100, 1, 0xdc, 0x04, 0, 25 };

Test(proxy_v2, inet_inet6_local_unix_and_tlvs)
{
	uint8_t buf[600], body[300];
	size_t n;

	n = v2(buf, 0x21, 0x11, in4, sizeof(in4));
	memcpy(buf + n, "EHLO", 4); /* protocol bytes follow the header */
	expect(buf, n + 4, "v2 192.0.2.7:56324 -> 198.51.100.1:25 len=28");

	memset(body, 0, 36);
	body[0] = 0x20, body[1] = 0x01, body[2] = 0x0d, body[3] = 0xb8, body[15] = 7;
	body[16] = 0x20, body[17] = 0x01, body[18] = 0x0d, body[19] = 0xb8, body[31] = 1;
	body[32] = 0x01, body[33] = 0xbb, body[34] = 0x03, body[35] = 0xe1;
	n = v2(buf, 0x21, 0x21, body, 36);
	expect(buf, n, "v2 2001:db8::7:443 -> 2001:db8::1:993 len=52");

	/* LOCAL: the proxy's own health check; addresses ignored. */
	n = v2(buf, 0x20, 0x00, NULL, 0);
	expect(buf, n, "v2 local len=16");
	n = v2(buf, 0x20, 0x11, in4, sizeof(in4));
	expect(buf, n, "v2 local len=28");

	/* UNIX sockets and UNSPEC carry nothing an IP limit could use. */
	memset(body, 'p', 216);
	n = v2(buf, 0x21, 0x31, body, 216);
	expect(buf, n, "v2 local len=232");

	/* TLVs: ALPN "smtp" and a NOOP pad, tiling the rest exactly. */
	memcpy(body, in4, 12);
	memcpy(body + 12, "\x01\x00\x04smtp\x04\x00\x00", 10);
	n = v2(buf, 0x21, 0x11, body, 22);
	expect(buf, n, "v2 192.0.2.7:56324 -> 198.51.100.1:25 len=38");
}

Test(proxy_v2, strict_syntax_and_limits)
{
	uint8_t buf[2000], body[1200];
	size_t n;

	n = v2(buf, 0x11, 0x11, in4, sizeof(in4)); /* version 1 in binary */
	expect(buf, n, "CORREU_ERR_SYNTAX");
	n = v2(buf, 0x22, 0x11, in4, sizeof(in4)); /* unknown command */
	expect(buf, n, "CORREU_ERR_SYNTAX");
	n = v2(buf, 0x21, 0x12, in4, sizeof(in4)); /* DGRAM */
	expect(buf, n, "CORREU_ERR_SYNTAX");
	n = v2(buf, 0x21, 0x41, in4, sizeof(in4)); /* unknown family */
	expect(buf, n, "CORREU_ERR_SYNTAX");
	n = v2(buf, 0x21, 0x11, in4, 11); /* address block too short */
	expect(buf, n, "CORREU_ERR_SYNTAX");
	memcpy(body, in4, 12);
	memcpy(body + 12, "\x01\x00\x05smtp", 7); /* TLV overruns */
	n = v2(buf, 0x21, 0x11, body, 19);
	expect(buf, n, "CORREU_ERR_SYNTAX");
	memcpy(body + 12, "\x01\x00", 2); /* TLV header cut short */
	n = v2(buf, 0x21, 0x11, body, 14);
	expect(buf, n, "CORREU_ERR_SYNTAX");
	buf[3] = 'X'; /* broken signature */
	expect(buf, 16, "CORREU_ERR_SYNTAX");

	/* max_len: 1024 accepted at the limit, refused one past it, and the
	 * refusal comes from the length field, before the bytes. */
	memcpy(body, in4, 12);
	body[12] = 0x04;
	body[13] = (uint8_t)((1024 - 16 - 15) >> 8);
	body[14] = (uint8_t)(1024 - 16 - 15);
	memset(body + 15, 0, 1024 - 16 - 15);
	n = v2(buf, 0x21, 0x11, body, 1024 - 16);
	cr_assert_eq(n, 1024);
	expect(buf, n, "v2 192.0.2.7:56324 -> 198.51.100.1:25 len=1024");
	body[14]++;
	n = v2(buf, 0x21, 0x11, body, 1024 - 16 + 1);
	expect(buf, n, "CORREU_ERR_LIMIT");
	expect(buf, 16, "CORREU_ERR_LIMIT");
}

/* The hint must never ask for a byte after the header: what follows may
 * be a TLS ClientHello that the transport has to read itself. */
static void check_need(const uint8_t *h, size_t len)
{
	for (size_t k = 0; k < len; k++) {
		correu__proxy_hdr out;
		size_t need = 0;

		cr_assert_eq(correu__proxy_parse(h, k, 1024, &out, &need), 0, "prefix %zu", k);
		cr_assert_gt(need, 0);
		cr_assert_leq(k + need, len, "prefix %zu asks for %zu of %zu", k, need, len);
	}
}

Test(proxy, need_hint_stays_inside_the_header)
{
	uint8_t buf[100];
	const char *v1[] = { "PROXY UNKNOWN\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
		             "PROXY TCP6 ::1 ::2 65535 65535\r\n" };

	for (size_t i = 0; i < sizeof(v1) / sizeof(v1[0]); i++)
		check_need((const uint8_t *)v1[i], strlen(v1[i]));
	check_need(buf, v2(buf, 0x21, 0x11, in4, sizeof(in4)));
	check_need(buf, v2(buf, 0x20, 0x00, NULL, 0));
}
