/*
 * EXTERNAL (RFC 4422 Appendix A), client and server (SASL layer). The
 * identity comes from outside SASL, typically the TLS client certificate;
 * the one message carries only the authorization identity the client asks
 * for (empty: "the identity my credentials imply").
 */
#include "sasl_internal.h"

static int client_initial(correu_sasl_client *c)
{
	c->state = 1;
	return correu__buf_append(&c->out, c->authzid.p, c->authzid.len);
}

static int client_step(correu_sasl_client *c, const uint8_t *in, size_t len)
{
	(void)in;
	(void)len;
	return correu__sasl_cfail(c, CORREU_ERR_PROTO, "EXTERNAL takes no challenge");
}

static int server_step(correu_sasl_server *s, const uint8_t *in, size_t len)
{
	int rc;

	if (s->state != 0)
		return correu__sasl_sfail(s, CORREU_ERR_STATE, "EXTERNAL has one message");
	s->state = 1;
	if (len > s->set.max_username)
		return correu__sasl_sfail(s, CORREU_ERR_LIMIT, "authzid too long");
	if (!correu__sasl_utf8_ok(in, len))
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "authzid not UTF-8");
	rc = correu__sasl_str_set(s->set.allocator, &s->authzid, in, len);
	if (rc < 0)
		return rc;
	s->need = CORREU_SASL_NEED_EXTERNAL_CHECK;
	return CORREU_SASL_NEED_CREDENTIALS;
}

static int server_supply(correu_sasl_server *s, const correu__sasl_supply *sup)
{
	if (sup->kind != CORREU__SUPPLY_RESULT)
		return CORREU_ERR_STATE;
	if (!sup->ok)
		return correu__sasl_sfail(s, CORREU_ERR_AUTH, "external identity refused");
	return CORREU_SASL_SUCCESS;
}

const correu__sasl_mech correu__sasl_external = {
	.id = CORREU_SASL_EXTERNAL,
	.name = "EXTERNAL",
	.initial = true,
	.client_initial = client_initial,
	.client_step = client_step,
	.server_step = server_step,
	.server_supply = server_supply,
};
