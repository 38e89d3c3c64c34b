/*
 * Binary IP addresses for the server runtime (driver layer): parsing the
 * text forms that accept and PROXY headers carry, masking IPv6 clients to
 * a prefix so that one host cannot dodge per-IP limits by walking its /64,
 * and matching trusted networks written as CIDR (RFC 4632 section 3.1).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

bool correu__addr_is_v4(const correu__addr *a)
{
	return memcmp(a->b, v4_mapped, sizeof(v4_mapped)) == 0;
}

void correu__addr_from_v4(correu__addr *a, const uint8_t v4[4])
{
	memcpy(a->b, v4_mapped, sizeof(v4_mapped));
	memcpy(a->b + 12, v4, 4);
}

int correu__addr_parse(correu__addr *a, const char *s, size_t len)
{
	char tmp[CORREU__ADDR_TEXT];
	uint8_t v4[4];

	if (len == 0 || len >= sizeof(tmp))
		return CORREU_ERR_SYNTAX;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	/* inet_pton() takes only dotted-quad decimal without leading zeros
	 * for IPv4, and no zone suffix for IPv6: the strict forms. */
	if (inet_pton(AF_INET, tmp, v4) == 1) {
		correu__addr_from_v4(a, v4);
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, a->b) == 1)
		return 0;
	return CORREU_ERR_SYNTAX;
}

int correu__addr_parse_peer(correu__addr *a, uint32_t *port, const char *s)
{
	const char *colon = strrchr(s, ':');
	const char *host = s;
	size_t hlen;
	char *end;
	unsigned long p;

	if (!colon)
		return CORREU_ERR_SYNTAX;
	hlen = (size_t)(colon - s);
	if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
		host = s + 1;
		hlen -= 2;
	}
	p = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || p > 65535)
		return CORREU_ERR_SYNTAX;
	*port = (uint32_t)p;
	return correu__addr_parse(a, host, hlen);
}

int correu__addr_from_sockaddr(correu__addr *a, uint32_t *port,
                               const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		correu__addr_from_v4(a, (const uint8_t *)&in->sin_addr);
		*port = ntohs(in->sin_port);
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		memcpy(a->b, &in6->sin6_addr, 16);
		*port = ntohs(in6->sin6_port);
		return 0;
	}
	return CORREU_ERR_UNSUPPORTED;
}

void correu__addr_text(const correu__addr *a, char out[CORREU__ADDR_TEXT])
{
	const char *ok;

	if (correu__addr_is_v4(a))
		ok = inet_ntop(AF_INET, a->b + 12, out, CORREU__ADDR_TEXT);
	else
		ok = inet_ntop(AF_INET6, a->b, out, CORREU__ADDR_TEXT);
	if (!ok)
		strcpy(out, "?");
}

static void keep_bits(uint8_t *b, size_t nbytes, uint32_t bits)
{
	for (size_t i = 0; i < nbytes; i++) {
		if (bits >= 8) {
			bits -= 8;
			continue;
		}
		b[i] &= (uint8_t)(0xff00u >> bits);
		bits = 0;
	}
}

void correu__addr_mask(correu__addr *a, uint32_t v4_bits, uint32_t v6_bits)
{
	if (correu__addr_is_v4(a))
		keep_bits(a->b + 12, 4, v4_bits);
	else
		keep_bits(a->b, 16, v6_bits);
}

int correu__cidr_parse(correu__cidr *c, const char *s)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	uint32_t bits;
	int rc = correu__addr_parse(&c->net, s, alen);
	bool v4;

	if (rc < 0)
		return rc;
	v4 = correu__addr_is_v4(&c->net) && memchr(s, ':', alen) == NULL;
	bits = v4 ? 32 : 128;
	if (slash) {
		const char *d = slash + 1;
		unsigned long n = 0;

		/* One to three decimal digits, no sign, no leading zero. */
		if (*d < '0' || *d > '9' || (d[0] == '0' && d[1] != '\0') || strlen(d) > 3)
			return CORREU_ERR_SYNTAX;
		for (; *d; d++) {
			if (*d < '0' || *d > '9')
				return CORREU_ERR_SYNTAX;
			n = n * 10 + (unsigned long)(*d - '0');
		}
		if (n > bits)
			return CORREU_ERR_SYNTAX;
		bits = (uint32_t)n;
	}
	/* An IPv4 prefix is a prefix of the mapped form after its 96 bits. */
	c->bits = v4 ? bits + 96 : bits;
	keep_bits(c->net.b, 16, c->bits);
	return 0;
}

bool correu__cidr_match(const correu__cidr *c, const correu__addr *a)
{
	correu__addr m = *a;

	keep_bits(m.b, 16, c->bits);
	return memcmp(m.b, c->net.b, 16) == 0;
}
