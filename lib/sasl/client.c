/*
 * The SASL client handle (SASL layer): credentials copied at creation,
 * the start/step/finish sequence shared by every mechanism, sticky errors
 * and an output buffer that is wiped before each reuse because it often
 * holds a password or token.
 */
#include <string.h>

#include "sasl_internal.h"

static int copy_cred(correu_sasl_client *c, correu__sasl_str *dst, const char *p, size_t len)
{
	if (!p && len)
		return CORREU_ERR_ARG;
	if (correu__sasl_has_byte(p, len, 0))
		return CORREU_ERR_ARG; /* NUL separates fields in PLAIN */
	return correu__sasl_str_set(c->set.allocator, dst, p ? p : "", len);
}

static int fill(correu_sasl_client *c, const correu_sasl_credentials *cred)
{
	int rc;

	if (cred->username_len > c->set.max_username || cred->authzid_len > c->set.max_username)
		return CORREU_ERR_LIMIT;
	if ((rc = copy_cred(c, &c->user, cred->username, cred->username_len)) < 0 ||
	    (rc = copy_cred(c, &c->authzid, cred->authzid, cred->authzid_len)) < 0 ||
	    (rc = copy_cred(c, &c->password, cred->password, cred->password_len)) < 0 ||
	    (rc = copy_cred(c, &c->token, cred->token, cred->token_len)) < 0 ||
	    (rc = copy_cred(c, &c->host, cred->host, cred->host_len)) < 0)
		return rc;
	if (cred->port > 65535)
		return CORREU_ERR_ARG;
	c->port = cred->port;
	return c->mech->client_check ? c->mech->client_check(c) : 0;
}

int correu_sasl_client_new(const correu_sasl_settings *settings, int mech,
                           const correu_sasl_credentials *cred, correu_sasl_client **client_out)
{
	const correu__sasl_mech *m;
	const correu_allocator *a;
	correu_sasl_client *c;
	int rc;

	if (!cred || !client_out)
		return CORREU_ERR_ARG;
	*client_out = NULL;
	m = correu__sasl_mech_get(mech);
	if (!m)
		return CORREU_ERR_UNSUPPORTED;
	a = settings ? settings->allocator : NULL;
	c = correu__calloc(a, sizeof(*c));
	if (!c)
		return CORREU_ERR_NOMEM;
	correu__sasl_settings_apply(&c->set, settings);
	c->mech = m;
	correu__buf_init(&c->out, a, SIZE_MAX);
	rc = fill(c, cred);
	if (rc < 0) {
		correu_sasl_client_free(c);
		return rc;
	}
	*client_out = c;
	return 0;
}

void correu_sasl_client_free(correu_sasl_client *c)
{
	const correu_allocator *a;

	if (!c)
		return;
	a = c->set.allocator;
	if (c->mech->client_free)
		c->mech->client_free(c);
	correu__sasl_str_free(a, &c->user);
	correu__sasl_str_free(a, &c->authzid);
	correu__sasl_str_free(a, &c->password);
	correu__sasl_str_free(a, &c->token);
	correu__sasl_str_free(a, &c->host);
	correu__buf_free(&c->out, true);
	correu_wipe(c, sizeof(*c));
	correu__free(a, c, sizeof(*c));
}

/* Forget the last message; it may have carried a secret. */
static void clear_out(correu_sasl_client *c)
{
	if (c->out.data)
		correu_wipe(c->out.data, c->out.cap);
	c->out.len = 0;
}

static int finish_call(correu_sasl_client *c, int rc, const uint8_t **out, size_t *out_len)
{
	if (rc < 0) {
		c->error = rc;
		clear_out(c);
		*out = NULL;
		*out_len = 0;
		return rc;
	}
	*out = c->out.len ? c->out.data : (const uint8_t *)"";
	*out_len = c->out.len;
	return rc;
}

int correu_sasl_client_start(correu_sasl_client *c, const uint8_t **out, size_t *out_len)
{
	int rc;

	if (!c || !out || !out_len)
		return CORREU_ERR_ARG;
	*out = NULL;
	*out_len = 0;
	if (c->error)
		return c->error;
	if (c->state != 0)
		return CORREU_ERR_STATE;
	if (!c->mech->initial)
		return 0;
	clear_out(c);
	rc = c->mech->client_initial(c);
	return finish_call(c, rc < 0 ? rc : 1, out, out_len);
}

int correu_sasl_client_step(correu_sasl_client *c, const uint8_t *in, size_t in_len,
                            const uint8_t **out, size_t *out_len)
{
	int rc;

	if (!c || (!in && in_len) || !out || !out_len)
		return CORREU_ERR_ARG;
	*out = NULL;
	*out_len = 0;
	if (c->error)
		return c->error;
	if (c->done)
		return CORREU_ERR_STATE;
	clear_out(c);
	if (in_len > c->set.max_message) {
		rc = correu__sasl_cfail(c, CORREU_ERR_LIMIT, "challenge too long");
	} else if (c->state == 0 && c->mech->initial) {
		/* No initial response was sent: the server's first challenge
		 * must be empty (RFC 4422 Section 5) and we answer with it. */
		rc = in_len ? correu__sasl_cfail(c, CORREU_ERR_PROTO,
		                                 "non-empty first challenge")
		            : c->mech->client_initial(c);
	} else {
		rc = c->mech->client_step(c, in ? in : (const uint8_t *)"", in_len);
	}
	return finish_call(c, rc, out, out_len);
}

int correu_sasl_client_finish(correu_sasl_client *c, const uint8_t *data, size_t len)
{
	int rc = 0;

	if (!c || (!data && len))
		return CORREU_ERR_ARG;
	if (c->error)
		return c->error;
	if (len > c->set.max_message)
		rc = correu__sasl_cfail(c, CORREU_ERR_LIMIT, "success data too long");
	else if (c->mech->client_finish)
		rc = c->mech->client_finish(c, data, data ? len : 0);
	else if (data && len)
		rc = correu__sasl_cfail(c, CORREU_ERR_PROTO, "unexpected data with success");
	clear_out(c);
	if (rc < 0)
		c->error = rc;
	else
		c->done = true;
	return rc;
}

const char *correu_sasl_client_reason(const correu_sasl_client *c)
{
	return c ? c->reason : "";
}
