/*
 * OAUTHBEARER (RFC 7628), client and server (SASL layer). The message is a
 * GS2 header naming the user, then SOH-separated host, port and
 * "auth=Bearer" pairs and a closing SOH (Section 3.1). A refused token
 * comes back as a JSON challenge (Section 3.2.2) that the client answers
 * with a lone SOH before the server reports failure.
 */
#include <stdio.h>

#include "sasl_internal.h"

static int client_check(correu_sasl_client *c)
{
	if (correu__sasl_has_byte(c->host.p, c->host.len, 0x01) ||
	    correu__sasl_has_byte(c->host.p, c->host.len, '\r') ||
	    correu__sasl_has_byte(c->host.p, c->host.len, '\n'))
		return CORREU_ERR_ARG;
	return correu__oauth_token_ok(c->token.p, c->token.len) ? 0 : CORREU_ERR_ARG;
}

static int client_initial(correu_sasl_client *c)
{
	const correu__sasl_str *who = c->authzid.len ? &c->authzid : &c->user;
	char port[16];
	int rc;

	c->state = CORREU__OAUTH_SENT;
	if ((rc = correu__sasl_gs2_append(&c->out, who)) < 0 ||
	    (rc = correu__buf_append(&c->out, "\001", 1)) < 0)
		return rc;
	if (c->host.len &&
	    ((rc = correu__buf_append(&c->out, "host=", 5)) < 0 ||
	     (rc = correu__buf_append(&c->out, c->host.p, c->host.len)) < 0 ||
	     (rc = correu__buf_append(&c->out, "\001", 1)) < 0))
		return rc;
	if (c->port) {
		int n = snprintf(port, sizeof(port), "port=%u\001", (unsigned)c->port);

		if ((rc = correu__buf_append(&c->out, port, (size_t)n)) < 0)
			return rc;
	}
	return correu__oauth_append_auth(c);
}

/* The message after the GS2 header (RFC 7628 Section 3.1). */
static int server_parse(correu_sasl_server *s, const uint8_t *in, size_t len)
{
	size_t hdr;
	int rc;

	rc = correu__sasl_gs2_parse(s, in, len, &hdr);
	if (rc < 0)
		return rc;
	if (hdr >= len || in[hdr] != 0x01)
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "no SOH after the GS2 header");
	rc = correu__oauth_kv_parse(s, in + hdr + 1, len - hdr - 1, NULL);
	if (rc < 0)
		return rc;
	/* The GS2 authzid names the user (RFC 7628 Section 3.1). */
	return correu__sasl_str_set(s->set.allocator, &s->user, s->authzid.p, s->authzid.len);
}

/* The error challenge is answered with a lone SOH (Section 3.2.3). */
static const correu__oauth_flavour flavour = {
	.ack = "\001",
	.ack_len = 1,
	.error_json = "{\"status\":\"invalid_token\"}",
	.second_challenge = "OAUTHBEARER: second challenge",
	.server_parse = server_parse,
};

const correu__sasl_mech correu__sasl_oauthbearer =
	CORREU__OAUTH_MECH(CORREU_SASL_OAUTHBEARER, "OAUTHBEARER", &flavour, client_initial, client_check);
