/*
 * PLAIN (RFC 4616), client and server (SASL layer). One message,
 * [authzid] NUL authcid NUL passwd, sent in the clear: it belongs only on
 * a TLS-protected connection (see correu_sasl_choose()).
 */
#include <string.h>

#include "sasl_internal.h"

static int client_check(correu_sasl_client *c)
{
	/* RFC 4616 Section 2: authcid and passwd are non-empty. */
	return (c->user.len && c->password.len) ? 0 : CORREU_ERR_ARG;
}

static int client_initial(correu_sasl_client *c)
{
	int rc;

	c->state = 1;
	if ((rc = correu__buf_append(&c->out, c->authzid.p, c->authzid.len)) < 0 ||
	    (rc = correu__buf_append(&c->out, "", 1)) < 0 ||
	    (rc = correu__buf_append(&c->out, c->user.p, c->user.len)) < 0 ||
	    (rc = correu__buf_append(&c->out, "", 1)) < 0 ||
	    (rc = correu__buf_append(&c->out, c->password.p, c->password.len)) < 0)
		return rc;
	/* Sent: the only copy left is the output, wiped at the next call. */
	correu__sasl_str_free(c->set.allocator, &c->password);
	return 0;
}

static int client_step(correu_sasl_client *c, const uint8_t *in, size_t len)
{
	(void)in;
	(void)len;
	return correu__sasl_cfail(c, CORREU_ERR_PROTO, "PLAIN takes no challenge");
}

static int server_step(correu_sasl_server *s, const uint8_t *in, size_t len)
{
	const uint8_t *nul1, *nul2;
	size_t zlen, ulen, plen;
	int rc;

	if (s->state != 0)
		return correu__sasl_sfail(s, CORREU_ERR_STATE, "PLAIN has one message");
	s->state = 1;
	nul1 = memchr(in, 0, len);
	nul2 = nul1 ? memchr(nul1 + 1, 0, len - (size_t)(nul1 + 1 - in)) : NULL;
	if (!nul2 || memchr(nul2 + 1, 0, len - (size_t)(nul2 + 1 - in)))
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "PLAIN needs exactly two NULs");
	zlen = (size_t)(nul1 - in);
	ulen = (size_t)(nul2 - nul1 - 1);
	plen = len - (size_t)(nul2 + 1 - in);
	if (ulen == 0 || plen == 0)
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "empty user name or password");
	if (zlen > s->set.max_username || ulen > s->set.max_username)
		return correu__sasl_sfail(s, CORREU_ERR_LIMIT, "identity too long");
	if (!correu__sasl_utf8_ok(in, zlen) || !correu__sasl_utf8_ok(nul1 + 1, ulen) ||
	    !correu__sasl_utf8_ok(nul2 + 1, plen))
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "not UTF-8");
	if ((rc = correu__sasl_str_set(s->set.allocator, &s->authzid, in, zlen)) < 0 ||
	    (rc = correu__sasl_str_set(s->set.allocator, &s->user, nul1 + 1, ulen)) < 0 ||
	    (rc = correu__sasl_str_set(s->set.allocator, &s->secret, nul2 + 1, plen)) < 0)
		return rc;
	s->need = CORREU_SASL_NEED_PASSWORD_CHECK;
	return CORREU_SASL_NEED_CREDENTIALS;
}

const correu__sasl_mech correu__sasl_plain = {
	.id = CORREU_SASL_PLAIN,
	.name = "PLAIN",
	.plaintext = true,
	.initial = true,
	.client_initial = client_initial,
	.client_step = client_step,
	.client_check = client_check,
	.server_step = server_step,
	.server_supply = correu__sasl_password_supply,
};
