/*
 * The PROXY protocol header parser, versions 1 (text) and 2 (binary), as
 * specified in haproxy's proxy-protocol.txt (server runtime, driver
 * layer). It only parses: the runtime decides whom to believe. Parsing is
 * strict and bounded, and it says how many more bytes it needs at least
 * without ever asking for a byte past the header, so the caller can read
 * exactly the header and leave what follows (a TLS ClientHello) unread.
 */
#include <string.h>

#include "server_int.h"

static const uint8_t v2_sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
	                            0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };
static const char v1_sig[] = "PROXY ";
/* "PROXY UNKNOWN\r\n", the shortest v1 header (section 2.1). */
#define V1_MIN 15

/* A decimal port: 0..65535, no leading zero (section 2.1). */
static int v1_port(const char *s, size_t len, uint32_t *out)
{
	uint32_t v = 0;

	if (len == 0 || len > 5 || (s[0] == '0' && len > 1))
		return CORREU_ERR_SYNTAX;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return CORREU_ERR_SYNTAX;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	if (v > 65535)
		return CORREU_ERR_SYNTAX;
	*out = v;
	return 0;
}

/* The fields of "TCP4 src dst sport dport" between single spaces. */
static correu_ssize v1_fields(const char *line, size_t len, correu__proxy_hdr *out)
{
	const char *f[5];
	size_t fl[5], nf = 0, start = 0;
	bool v4;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != ' ')
			continue;
		if (nf == 5 || i == start)
			return CORREU_ERR_SYNTAX; /* too many fields, or two spaces */
		f[nf] = line + start;
		fl[nf++] = i - start;
		start = i + 1;
	}
	if (nf != 5)
		return CORREU_ERR_SYNTAX;
	if (fl[0] == 4 && memcmp(f[0], "TCP4", 4) == 0)
		v4 = true;
	else if (fl[0] == 4 && memcmp(f[0], "TCP6", 4) == 0)
		v4 = false;
	else
		return CORREU_ERR_SYNTAX;
	if (correu__addr_parse(&out->src, f[1], fl[1]) < 0 ||
	    correu__addr_parse(&out->dst, f[2], fl[2]) < 0)
		return CORREU_ERR_SYNTAX;
	/* The address forms must match the protocol named: TCP6 with an IPv4
	 * text (or an IPv4-mapped one written as IPv6) is refused. */
	if (v4 != (memchr(f[1], ':', fl[1]) == NULL) || v4 != (memchr(f[2], ':', fl[2]) == NULL))
		return CORREU_ERR_SYNTAX;
	if (v1_port(f[3], fl[3], &out->src_port) < 0 || v1_port(f[4], fl[4], &out->dst_port) < 0)
		return CORREU_ERR_SYNTAX;
	return 0;
}

static correu_ssize parse_v1(const uint8_t *p, size_t n, correu__proxy_hdr *out, size_t *need)
{
	const char *s = (const char *)p;
	size_t cmp = n < sizeof(v1_sig) - 1 ? n : sizeof(v1_sig) - 1;
	size_t end;

	if (memcmp(s, v1_sig, cmp) != 0)
		return CORREU_ERR_SYNTAX;
	for (end = 0; end < n && p[end] != '\n'; end++) {
		/* Only printable ASCII and the final CR belong in the line. */
		if (p[end] == '\r' ? end + 1 < n && p[end + 1] != '\n' : p[end] < 0x20 || p[end] > 0x7e)
			return CORREU_ERR_SYNTAX;
	}
	if (end == n) {
		if (n >= CORREU__PROXY_V1_MAX)
			return CORREU_ERR_LIMIT;
		/* A CR could be followed by the LF; otherwise CRLF is still to come. */
		*need = n < V1_MIN ? V1_MIN - n : (n > 0 && p[n - 1] == '\r') ? 1 : 2;
		return 0;
	}
	if (end + 1 > CORREU__PROXY_V1_MAX)
		return CORREU_ERR_LIMIT;
	if (end < V1_MIN - 1 || p[end - 1] != '\r')
		return CORREU_ERR_SYNTAX;
	out->version = 1;
	/* "UNKNOWN" may be followed by anything, which is ignored (2.1). */
	if (end - 1 >= 13 && memcmp(s + 6, "UNKNOWN", 7) == 0 &&
	    (end - 1 == 13 || s[13] == ' ')) {
		out->local = true;
		return (correu_ssize)(end + 1);
	}
	if (v1_fields(s + 6, end - 1 - 6, out) < 0)
		return CORREU_ERR_SYNTAX;
	return (correu_ssize)(end + 1);
}

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

/* TLVs after the addresses must tile the rest exactly (section 2.2.7). */
static int v2_tlvs(const uint8_t *p, size_t len)
{
	while (len > 0) {
		size_t l;

		if (len < 3)
			return CORREU_ERR_SYNTAX;
		l = be16(p + 1);
		if (l > len - 3)
			return CORREU_ERR_SYNTAX;
		p += 3 + l;
		len -= 3 + l;
	}
	return 0;
}

static correu_ssize parse_v2(const uint8_t *p, size_t n, size_t max_len,
                             correu__proxy_hdr *out, size_t *need)
{
	size_t total, alen, want;
	uint32_t fam, proto;
	const uint8_t *a;

	if (memcmp(p, v2_sig, n < sizeof(v2_sig) ? n : sizeof(v2_sig)) != 0)
		return CORREU_ERR_SYNTAX;
	if (n < CORREU__PROXY_V2_FIXED) {
		/* The version nibble can be checked as soon as it arrives. */
		if (n > 12 && (p[12] >> 4) != 2)
			return CORREU_ERR_SYNTAX;
		*need = CORREU__PROXY_V2_FIXED - n;
		return 0;
	}
	if ((p[12] >> 4) != 2 || (p[12] & 0x0f) > 1)
		return CORREU_ERR_SYNTAX;
	alen = be16(p + 14);
	total = CORREU__PROXY_V2_FIXED + alen;
	if (total > max_len)
		return CORREU_ERR_LIMIT;
	if (n < total) {
		*need = total - n;
		return 0;
	}
	out->version = 2;
	fam = p[13] >> 4;
	proto = p[13] & 0x0f;
	a = p + CORREU__PROXY_V2_FIXED;
	if (fam > 3 || proto > 2)
		return CORREU_ERR_SYNTAX;
	/* LOCAL: a health check by the proxy itself; use the real endpoints
	 * and ignore the address block (section 2.2). */
	if ((p[12] & 0x0f) == 0) {
		out->local = true;
		return (correu_ssize)total;
	}
	switch (fam) {
	case 1: want = 12; break;
	case 2: want = 36; break;
	case 3: want = 216; break;
	default: want = 0; break;
	}
	if (alen < want || v2_tlvs(a + want, alen - want) < 0)
		return CORREU_ERR_SYNTAX;
	if (fam == 0 || fam == 3) {
		/* UNSPEC or a UNIX socket: nothing an IP limit could use. */
		out->local = true;
		return (correu_ssize)total;
	}
	if (proto != 1)
		return CORREU_ERR_SYNTAX; /* a stream server takes STREAM only */
	if (fam == 1) {
		correu__addr_from_v4(&out->src, a);
		correu__addr_from_v4(&out->dst, a + 4);
		out->src_port = be16(a + 8);
		out->dst_port = be16(a + 10);
	} else {
		memcpy(out->src.b, a, 16);
		memcpy(out->dst.b, a + 16, 16);
		out->src_port = be16(a + 32);
		out->dst_port = be16(a + 34);
	}
	return (correu_ssize)total;
}

correu_ssize correu__proxy_parse(const uint8_t *p, size_t n, size_t max_len,
                                 correu__proxy_hdr *out, size_t *need_out)
{
	size_t need = 0;
	correu_ssize rc;

	memset(out, 0, sizeof(*out));
	if (n == 0) {
		/* Both versions are at least V1_MIN bytes long. */
		*need_out = V1_MIN;
		return 0;
	}
	if (p[0] == v2_sig[0])
		rc = parse_v2(p, n, max_len, out, &need);
	else
		rc = parse_v1(p, n, out, &need);
	*need_out = need;
	return rc;
}
