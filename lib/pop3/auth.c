/*
 * AUTH (RFC 5034) over the SASL layer (POP3 layer): the mechanism is the
 * strongest the server lists under SASL for the credentials, the initial
 * response goes with the command when the line stays within 255 octets
 * (§4), each "+" challenge is base64-decoded, answered by the mechanism and
 * encoded back, and a challenge the mechanism cannot answer cancels with
 * "*". A SCRAM success is believed only once the server proved itself.
 */
#include <string.h>

#include "pop3_internal.h"
#include "proto/proto_auth.h"

/* Why an exchange can fail while answering, as the error events say. */
static const correu__proto_auth_why why = { "challenge after AUTH was cancelled",
	                                    "AUTH response does not fit" };

void correu__pop3_auth_clear(correu_pop3_client *c)
{
	correu__proto_sasl_clear(&c->sasl);
}

static int choose(correu_pop3_client *c, int mech, const correu_sasl_credentials *cred, int *out)
{
	size_t len = 0;
	const char *list = correu_pop3_client_sasl_mechs(c, &len);

	/* An explicit mechanism must be listed, unless the server did not
	 * answer CAPA and so could list nothing. */
	if (mech != 0 && !c->caps.answered)
		list = NULL;
	else if (!list)
		list = "";
	return correu__proto_sasl_pick(list, len, mech,
	                               c->tls || (c->set.flags & CORREU_POP3_ALLOW_PLAINTEXT_AUTH),
	                               cred, out);
}

int correu_pop3_client_auth(correu_pop3_client *c, int mech, const correu_sasl_credentials *cred,
                            const correu_sasl_settings *sasl)
{
	correu__buf b;
	int rc;

	if (!c || !cred || mech < 0)
		return CORREU_ERR_ARG;
	rc = correu__pop3_can_queue(c);
	if (rc < 0)
		return rc;
	if (c->login != LOGIN_NONE || c->sasl.client)
		return CORREU_ERR_STATE;
	rc = choose(c, mech, cred, &mech);
	if (rc < 0)
		return rc;
	correu__buf_init(&b, c->alloc, c->set.max_queue);
	rc = correu__proto_auth_command(&c->sasl, sasl, mech, cred, &b, c->set.max_command);
	if (rc == 0)
		rc = correu__pop3_queue(c, CORREU_POP3_CMD_AUTH, 0, false, b.data, b.len);
	correu__buf_free(&b, true);
	if (rc < 0) {
		correu__pop3_auth_clear(c);
		return rc;
	}
	c->login = LOGIN_PENDING;
	correu__log(&c->logger, CORREU_LOG_INFO, "pop3: AUTH %s", correu_sasl_mech_name(mech));
	return mech;
}

/* Answer a "+" challenge (base64, or "*" to cancel) straight in the
 * output: AUTH ends a pipelining group, so nothing is sent behind it. */
static int challenge(correu_pop3_client *c, const char *b64, size_t b64_len)
{
	const char *reason;
	int rc = correu__proto_auth_answer(&c->sasl, b64, b64_len, &c->out, &c->timer, &why,
	                                   &reason);

	return rc < 0 ? correu__pop3_fail(c, rc, reason) : 0;
}

int correu__pop3_auth_line(correu_pop3_client *c, const uint8_t *line, size_t len)
{
	correu__pop3_status st;
	correu_pop3_event ev;
	const char *b64;
	size_t b64_len;
	bool codes;
	int rc;

	if (!c->sasl.client)
		return correu__pop3_fail(c, CORREU_ERR_PROTO, "AUTH response without an exchange");
	if (correu__pop3_challenge(line, len, &b64, &b64_len))
		return challenge(c, b64, b64_len);
	codes = (c->caps.mask & (CORREU_POP3_CAP_RESP_CODES | CORREU_POP3_CAP_AUTH_RESP_CODE)) != 0;
	if (correu__pop3_status_parse(line, len, codes, &st) < 0)
		return correu__pop3_fail(c, CORREU_ERR_SYNTAX, "not a POP3 status line");
	if (st.ok) {
		/* SCRAM: the server must have proved it knows the password
		 * (RFC 5802 §5); success without that proof is an attack. */
		if (correu__proto_sasl_finish(&c->sasl) < 0)
			return correu__pop3_fail(c, CORREU_ERR_AUTH,
			                         "the server did not prove it knows the password");
	}
	correu__pop3_auth_clear(c);
	c->login = st.ok ? LOGIN_DONE : LOGIN_NONE;
	correu__pop3_pop(c);
	memset(&ev, 0, sizeof(ev));
	ev.type = CORREU_POP3_EV_REPLY;
	ev.command = CORREU_POP3_CMD_AUTH;
	ev.ok = st.ok;
	ev.resp_code = st.resp_code;
	ev.code_text = st.code;
	ev.code_text_len = st.code_len;
	ev.text = st.text;
	ev.text_len = st.text_len;
	rc = correu__pop3_deliver(c, &ev);
	if (rc == 0 && c->state != ST_FAILED)
		rc = correu__pop3_pump(c);
	return rc < 0 ? rc : 0;
}
