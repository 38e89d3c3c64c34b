/*
 * The SASL server handle (SASL layer): the start/step/supply sequence
 * shared by every mechanism, the "need credentials" pause that lets an
 * asynchronous backend answer later, sticky errors with a reason, and the
 * wiping of passwords and tokens as soon as the verdict is in.
 */
#include <string.h>

#include "sasl_internal.h"

int correu_sasl_server_new(const correu_sasl_settings *settings, int mech,
                           correu_sasl_server **server_out)
{
	const correu__sasl_mech *m;
	const correu_allocator *a;
	correu_sasl_server *s;

	if (!server_out)
		return CORREU_ERR_ARG;
	*server_out = NULL;
	m = correu__sasl_mech_get(mech);
	if (!m)
		return CORREU_ERR_UNSUPPORTED;
	if (m->server_random && (!settings || !settings->random))
		return CORREU_ERR_ARG;
	a = settings ? settings->allocator : NULL;
	s = correu__calloc(a, sizeof(*s));
	if (!s)
		return CORREU_ERR_NOMEM;
	correu__sasl_settings_apply(&s->set, settings);
	s->mech = m;
	correu__buf_init(&s->out, a, SIZE_MAX);
	*server_out = s;
	return 0;
}

void correu_sasl_server_free(correu_sasl_server *s)
{
	const correu_allocator *a;

	if (!s)
		return;
	a = s->set.allocator;
	if (s->mech->server_free)
		s->mech->server_free(s);
	correu__sasl_str_free(a, &s->user);
	correu__sasl_str_free(a, &s->authzid);
	correu__sasl_str_free(a, &s->secret);
	correu__sasl_str_free(a, &s->oauth_error);
	correu__sasl_str_free(a, &s->challenge);
	correu__buf_free(&s->out, true);
	correu_wipe(s, sizeof(*s));
	correu__free(a, s, sizeof(*s));
}

/* Record the outcome of a mechanism call and hand out the output. */
static int outcome(correu_sasl_server *s, int rc, const uint8_t **out, size_t *out_len)
{
	if (rc < 0 || rc == CORREU_SASL_SUCCESS) {
		s->done = true;
		s->need = 0;
		correu__sasl_str_free(s->set.allocator, &s->secret);
	}
	if (rc < 0) {
		s->error = rc;
		s->out.len = 0;
		if (!s->reason[0])
			(void)correu__sasl_sfail(s, rc, correu_strerror(rc));
	}
	*out = s->out.len ? s->out.data : (const uint8_t *)"";
	*out_len = s->out.len;
	return rc;
}

static int enter(correu_sasl_server *s, const uint8_t **out, size_t *out_len)
{
	if (!s || !out || !out_len)
		return CORREU_ERR_ARG;
	*out = NULL;
	*out_len = 0;
	if (s->error)
		return s->error;
	if (s->done)
		return CORREU_ERR_STATE;
	if (s->out.data)
		correu_wipe(s->out.data, s->out.cap);
	s->out.len = 0;
	return 0;
}

int correu_sasl_server_start(correu_sasl_server *s, const uint8_t **out, size_t *out_len)
{
	int rc = enter(s, out, out_len);

	if (rc < 0)
		return rc;
	if (s->begun)
		return CORREU_ERR_STATE;
	s->begun = true;
	/* Client-first mechanisms answer "no initial response" with an empty
	 * challenge (RFC 4422 Section 5). */
	rc = s->mech->server_start ? s->mech->server_start(s) : CORREU_SASL_CHALLENGE;
	return outcome(s, rc, out, out_len);
}

int correu_sasl_server_step(correu_sasl_server *s, const uint8_t *in, size_t in_len,
                            const uint8_t **out, size_t *out_len)
{
	int rc = enter(s, out, out_len);

	if (rc < 0)
		return rc;
	if (!in && in_len)
		return CORREU_ERR_ARG;
	if (s->need)
		return CORREU_ERR_STATE;
	s->begun = true;
	if (in_len > s->set.max_message)
		rc = correu__sasl_sfail(s, CORREU_ERR_LIMIT, "response too long");
	else
		rc = s->mech->server_step(s, in ? in : (const uint8_t *)"", in_len);
	return outcome(s, rc, out, out_len);
}

static int supply(correu_sasl_server *s, const correu__sasl_supply *sup, const uint8_t **out,
                  size_t *out_len)
{
	int rc = enter(s, out, out_len);

	if (rc < 0)
		return rc;
	if (!s->need)
		return CORREU_ERR_STATE;
	rc = s->mech->server_supply(s, sup);
	if (rc == CORREU_ERR_STATE || rc == CORREU_ERR_ARG) {
		/* A caller mistake: the exchange still waits for a proper answer. */
		*out = (const uint8_t *)"";
		return rc;
	}
	s->need = 0;
	/* The verdict is in: the password or token is no longer needed. */
	correu__sasl_str_free(s->set.allocator, &s->secret);
	return outcome(s, rc, out, out_len);
}

int correu_sasl_server_supply_result(correu_sasl_server *s, int ok, const uint8_t **out,
                                     size_t *out_len)
{
	correu__sasl_supply sup = {CORREU__SUPPLY_RESULT, ok != 0, NULL, 0, NULL};

	return supply(s, &sup, out, out_len);
}

int correu_sasl_server_supply_secret(correu_sasl_server *s, const char *secret, size_t len,
                                     const uint8_t **out, size_t *out_len)
{
	correu__sasl_supply sup = {CORREU__SUPPLY_SECRET, 1, secret, len, NULL};

	if (!secret && len)
		return CORREU_ERR_ARG;
	return supply(s, &sup, out, out_len);
}

int correu_sasl_server_supply_scram_keys(correu_sasl_server *s,
                                         const correu_sasl_scram_keys *keys,
                                         const uint8_t **out, size_t *out_len)
{
	correu__sasl_supply sup = {CORREU__SUPPLY_KEYS, 1, NULL, 0, keys};

	if (!keys)
		return CORREU_ERR_ARG;
	return supply(s, &sup, out, out_len);
}

int correu_sasl_server_need(const correu_sasl_server *s)
{
	return s ? s->need : 0;
}

int correu_sasl_server_field(const correu_sasl_server *s, int field, const char **out,
                             size_t *out_len)
{
	const correu__sasl_str *str;

	if (!s || !out || !out_len)
		return CORREU_ERR_ARG;
	switch (field) {
	case CORREU_SASL_FIELD_USERNAME: str = &s->user; break;
	case CORREU_SASL_FIELD_AUTHZID: str = &s->authzid; break;
	case CORREU_SASL_FIELD_PASSWORD:
		str = (s->mech->id == CORREU_SASL_PLAIN || s->mech->id == CORREU_SASL_LOGIN)
		              ? &s->secret : NULL;
		break;
	case CORREU_SASL_FIELD_TOKEN:
		str = (s->mech->id == CORREU_SASL_XOAUTH2 || s->mech->id == CORREU_SASL_OAUTHBEARER)
		              ? &s->secret : NULL;
		break;
	default: return CORREU_ERR_ARG;
	}
	if (!str || !str->p)
		return CORREU_ERR_NOT_FOUND;
	*out = str->p;
	*out_len = str->len;
	return 0;
}

int correu_sasl_server_set_oauth_error(correu_sasl_server *s, const char *json, size_t len)
{
	if (!s || (!json && len))
		return CORREU_ERR_ARG;
	if (len > s->set.max_message)
		return CORREU_ERR_LIMIT;
	return correu__sasl_str_set(s->set.allocator, &s->oauth_error, json ? json : "", len);
}

const char *correu_sasl_server_reason(const correu_sasl_server *s)
{
	return s ? s->reason : "";
}
