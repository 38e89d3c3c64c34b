/*
 * The GS2 header (RFC 5801 Section 4) that starts SCRAM (RFC 5802 Section 7)
 * and OAUTHBEARER (RFC 7628 Section 3.1) messages, and the "saslname"
 * escaping of identities inside them: "," is written =2C and "=" is =3D.
 * No mechanism here offers channel binding, so the header is always "n,"
 * from our clients, and a "p=" request from a client is refused.
 */
#include <string.h>

#include "sasl_internal.h"

int correu__sasl_saslname_append(correu__buf *b, const char *p, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		if (p[i] == ',')
			rc = correu__buf_append(b, "=2C", 3);
		else if (p[i] == '=')
			rc = correu__buf_append(b, "=3D", 3);
		else
			rc = correu__buf_append(b, p + i, 1);
	}
	return rc;
}

int correu__sasl_saslname_parse(const correu_allocator *a, const uint8_t *p, size_t n,
                                correu__sasl_str *out)
{
	correu__buf b;
	int rc = 0;

	correu__buf_init(&b, a, n + 1);
	for (size_t i = 0; i < n && rc == 0; i++) {
		uint8_t c = p[i];

		if (c == ',')
			rc = CORREU_ERR_SYNTAX;
		else if (c != '=')
			rc = correu__buf_append(&b, &c, 1);
		else if (n - i >= 3 && p[i + 1] == '2' && (p[i + 2] == 'C' || p[i + 2] == 'c'))
			rc = correu__buf_append(&b, ",", 1), i += 2;
		else if (n - i >= 3 && p[i + 1] == '3' && (p[i + 2] == 'D' || p[i + 2] == 'd'))
			rc = correu__buf_append(&b, "=", 1), i += 2;
		else
			rc = CORREU_ERR_SYNTAX; /* RFC 5802 Section 5.1: any other "=" */
	}
	if (rc == 0 && !correu__sasl_utf8_ok(b.data, b.len))
		rc = CORREU_ERR_SYNTAX;
	if (rc == 0)
		rc = correu__sasl_str_set(a, out, b.data, b.len);
	correu__buf_free(&b, true);
	return rc;
}

int correu__sasl_gs2_parse(correu_sasl_server *s, const uint8_t *in, size_t len,
                           size_t *hdr_len)
{
	const correu_allocator *a = s->set.allocator;
	size_t i, start;
	int rc;

	if (len >= 2 && in[0] == 'p' && in[1] == '=')
		return correu__sasl_sfail(s, CORREU_ERR_PROTO, "channel binding is not offered");
	/* "y": the client could bind but thinks we cannot; true, we cannot. */
	if (len < 3 || (in[0] != 'n' && in[0] != 'y') || in[1] != ',')
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "bad GS2 header");
	if (in[2] == ',') {
		*hdr_len = 3;
		return correu__sasl_str_set(a, &s->authzid, "", 0);
	}
	if (len < 5 || in[2] != 'a' || in[3] != '=')
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "bad GS2 header");
	start = 4;
	for (i = start; i < len && in[i] != ','; i++)
		;
	if (i == len)
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "GS2 header not ended");
	if (i - start > s->set.max_username)
		return correu__sasl_sfail(s, CORREU_ERR_LIMIT, "authzid too long");
	rc = correu__sasl_saslname_parse(a, in + start, i - start, &s->authzid);
	if (rc < 0)
		return correu__sasl_sfail(s, rc, "bad authzid in GS2 header");
	*hdr_len = i + 1;
	return 0;
}

int correu__sasl_gs2_append(correu__buf *b, const correu__sasl_str *authzid)
{
	int rc = correu__buf_append(b, "n,", 2);

	if (rc == 0 && authzid->len) {
		rc = correu__buf_append(b, "a=", 2);
		if (rc == 0)
			rc = correu__sasl_saslname_append(b, authzid->p, authzid->len);
	}
	if (rc == 0)
		rc = correu__buf_append(b, ",", 1);
	return rc;
}
