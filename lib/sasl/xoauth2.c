/*
 * XOAUTH2 (Google's and Microsoft's OAuth 2.0 mechanism), client and server
 * (SASL layer). The one message is "user=" name SOH "auth=Bearer " token
 * SOH SOH. A refused token comes back as a JSON challenge that the client
 * answers with an empty response before the server reports failure.
 */
#include "sasl_internal.h"

static int client_check(correu_sasl_client *c)
{
	if (!c->user.len || correu__sasl_has_byte(c->user.p, c->user.len, 0x01))
		return CORREU_ERR_ARG;
	return correu__oauth_token_ok(c->token.p, c->token.len) ? 0 : CORREU_ERR_ARG;
}

static int client_initial(correu_sasl_client *c)
{
	int rc;

	c->state = CORREU__OAUTH_SENT;
	if ((rc = correu__buf_append(&c->out, "user=", 5)) < 0 ||
	    (rc = correu__buf_append(&c->out, c->user.p, c->user.len)) < 0 ||
	    (rc = correu__buf_append(&c->out, "\001", 1)) < 0)
		return rc;
	return correu__oauth_append_auth(c);
}

/* The one message: "user=" name SOH "auth=Bearer " token SOH SOH. */
static int server_parse(correu_sasl_server *s, const uint8_t *in, size_t len)
{
	int rc = correu__oauth_kv_parse(s, in, len, &s->user);

	if (rc < 0)
		return rc;
	if (!s->user.p || !s->user.len)
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "no user");
	return 0;
}

/* The error challenge is answered with an empty response. */
static const correu__oauth_flavour flavour = {
	.ack = "",
	.ack_len = 0,
	.error_json = "{\"status\":\"401\",\"schemes\":\"bearer\"}",
	.second_challenge = "XOAUTH2: second challenge",
	.server_parse = server_parse,
};

const correu__sasl_mech correu__sasl_xoauth2 =
	CORREU__OAUTH_MECH(CORREU_SASL_XOAUTH2, "XOAUTH2", &flavour, client_initial, client_check);
