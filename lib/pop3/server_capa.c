/*
 * CAPA, STLS and UTF8 (POP3 layer, server side). CAPA (RFC 2449 section 5)
 * lists exactly what this session can use now: USER and the SASL
 * mechanisms only where passwords may be sent (TLS, or plaintext allowed by
 * name), STLS only before TLS on a listener that can upgrade (RFC 2595
 * section 4), nothing for logging in once logged in. STLS hands the
 * upgrade to the runtime, which drops whatever was pipelined behind it.
 * UTF8 (RFC 6856 section 2) is accepted in the AUTHORIZATION state.
 */
#include <stdio.h>
#include <string.h>

#include "pop3d_int.h"

/* RFC 8314 section 4.1 and DESIGN: a mechanism that sends the secret (or a
 * bearer token) needs TLS unless allowed by name. SCRAM keeps to the same
 * rule: without TLS its channel cannot be trusted either. Which mechanisms
 * the store can verify is the store layer's bridge's answer (store_sasl.h). */
bool correu__pop3d_plain_ok(const correu__pop3d *s)
{
	return s->tls || (s->svc->set.flags & CORREU_POP3_SERVER_PLAINTEXT_AUTH);
}

/* The mechanism named by the client, if it may be used now. */
int correu__pop3d_find_mech(const correu__pop3d *s, const char *p, size_t len)
{
	if (!correu__pop3d_plain_ok(s))
		return 0;
	return correu__store_sasl_mech_find(p, len, s->svc->base.caps, s->svc->set.random != NULL);
}

int correu__pop3d_sasl_mechs(const correu__pop3d *s, correu__buf *out, const char *sep)
{
	if (!correu__pop3d_plain_ok(s))
		return 0;
	return correu__store_sasl_mechs(out, sep, s->svc->base.caps, s->svc->set.random != NULL);
}

bool correu__pop3d_user_offered(const correu__pop3d *s)
{
	return !(s->svc->set.flags & CORREU_POP3_SERVER_NO_USER) &&
	       (s->svc->base.caps & CORREU_STORE_CAP_AUTH_PASSWORD) && correu__pop3d_plain_ok(s);
}

bool correu__pop3d_apop_offered(const correu__pop3d *s)
{
	return s->ts_len != 0;
}

static int cap(correu__pop3d *s, const char *text)
{
	int rc = correu__pop3_append_str(&s->out.buf, text);

	return rc < 0 ? rc : correu__pop3d_raw(s, "\r\n", 2);
}

static int capa_login(correu__pop3d *s)
{
	size_t mark;
	int rc = 0, n;

	if (correu__pop3d_user_offered(s))
		rc = cap(s, "USER");
	if (rc == 0) {
		/* RFC 5034 section 3: "SASL" with the mechanisms, or no line. */
		mark = s->out.buf.len;
		rc = correu__pop3_append_str(&s->out.buf, "SASL ");
		n = rc < 0 ? rc : correu__pop3d_sasl_mechs(s, &s->out.buf, " ");
		if (n == 0)
			s->out.buf.len = mark;
		rc = n <= 0 ? n : correu__pop3d_raw(s, "\r\n", 2);
	}
	if (rc == 0 && s->can_stls && !s->tls)
		rc = cap(s, "STLS");
	return rc;
}

int correu__pop3d_capa(correu__pop3d *s, const correu__pop3d_cmd *c)
{
	const correu_pop3_server_settings *set = &s->svc->set;
	char line[POP3D_MAX_IMPL + 32];
	int rc;

	if (c->arg_len)
		return correu__pop3d_err(s, NULL, "CAPA takes no argument");
	rc = correu__pop3d_ok(s, "Capability list follows");
	if (rc == 0)
		rc = cap(s, "TOP");
	if (rc == 0)
		rc = cap(s, "UIDL");
	if (rc == 0 && s->state == PS_AUTH)
		rc = capa_login(s);
	if (rc == 0)
		rc = cap(s, "PIPELINING");
	if (rc == 0)
		rc = cap(s, "RESP-CODES");
	if (rc == 0)
		rc = cap(s, "AUTH-RESP-CODE");
	if (rc == 0 && s->state == PS_AUTH)
		rc = cap(s, "UTF8 USER");
	if (rc == 0 && (set->flags & CORREU_POP3_SERVER_EXPIRE)) {
		if (set->expire_days == CORREU_POP3_EXPIRE_NEVER)
			snprintf(line, sizeof(line), "EXPIRE NEVER");
		else
			snprintf(line, sizeof(line), "EXPIRE %lu", (unsigned long)set->expire_days);
		rc = cap(s, line);
	}
	if (rc == 0 && set->login_delay_s) {
		snprintf(line, sizeof(line), "LOGIN-DELAY %lu", (unsigned long)set->login_delay_s);
		rc = cap(s, line);
	}
	if (rc == 0 && set->implementation) {
		snprintf(line, sizeof(line), "IMPLEMENTATION %s", set->implementation);
		rc = cap(s, line);
	}
	return rc == 0 ? cap(s, ".") : rc;
}

int correu__pop3d_stls(correu__pop3d *s, const correu__pop3d_cmd *c)
{
	if (c->arg_len)
		return correu__pop3d_err(s, NULL, "STLS takes no argument");
	if (s->tls)
		return correu__pop3d_err(s, NULL, "Already using TLS");
	if (!s->can_stls)
		return correu__pop3d_err(s, NULL, "STLS not available");
	if (s->user_given || s->in_auth)
		return correu__pop3d_err(s, NULL, "STLS not allowed after USER");
	s->state = PS_TLS;
	return correu__pop3d_ok(s, "Begin TLS negotiation");
}

int correu__pop3d_utf8(correu__pop3d *s, const correu__pop3d_cmd *c)
{
	if (c->arg_len)
		return correu__pop3d_err(s, NULL, "UTF8 takes no argument");
	s->utf8 = true;
	return correu__pop3d_ok(s, "UTF8 enabled");
}
