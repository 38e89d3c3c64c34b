/*
 * MAIL FROM (SMTP layer, server side): the reverse path and its ESMTP
 * parameters, SIZE (RFC 1870), BODY (RFC 6152, RFC 3030), SMTPUTF8
 * (RFC 6531), RET and ENVID (RFC 3461), AUTH (RFC 4954 section 5) and
 * REQUIRETLS (RFC 8689), checked in full before the backend is asked to
 * begin a delivery. In submission mode the client must have authenticated
 * first (RFC 6409 section 4.3).
 */
#include <string.h>

#include "smtpd_int.h"

struct mail_args {
	uint64_t size;
	uint32_t ret;
	uint32_t flags; /* CORREU_STORE_ENV_* from BODY and SMTPUTF8 */
	char envid[SMTPD_MAX_ENVID];
	size_t envid_len;
	bool has_envid;
	bool requiretls;
};

/* One parameter; returns 0 or the reply to send (as an error code). */
static int mail_param(correu__smtpd *s, const correu__smtpd_param *p, struct mail_args *a,
                      uint32_t *seen)
{
	static const char *const names[] = { "SIZE",  "BODY", "SMTPUTF8",  "RET",
		                             "ENVID", "AUTH", "REQUIRETLS" };
	size_t k = CORREU__ARRAY_LEN(names);

	for (size_t i = 0; i < CORREU__ARRAY_LEN(names); i++)
		if (correu__smtpd_kw(p->kw, p->kw_len, names[i]))
			k = i;
	if (k == CORREU__ARRAY_LEN(names))
		return correu__smtpd_reply(s, 555, "5.5.4", "Unsupported MAIL parameter");
	if (*seen & (1u << k))
		return correu__smtpd_reply(s, 501, "5.5.4", "Duplicate MAIL parameter");
	*seen |= 1u << k;
	/* SMTPUTF8 and REQUIRETLS take no value; the others need one. */
	if (p->has_val != (k != 2 && k != 6))
		return correu__smtpd_reply(s, 501, "5.5.4", "Bad MAIL parameter value");
	switch (k) {
	case 0:
		if (correu__smtpd_u64(p->val, p->val_len, &a->size) < 0)
			return correu__smtpd_reply(s, 501, "5.5.4", "Bad SIZE value");
		if (a->size > s->svc->set.max_message)
			return correu__smtpd_reply(s, 552, "5.3.4",
			                           "Message too big for this server");
		return 1;
	case 1:
		if (correu__smtpd_kw(p->val, p->val_len, "8BITMIME"))
			a->flags |= CORREU_STORE_ENV_8BITMIME;
		else if (correu__smtpd_kw(p->val, p->val_len, "BINARYMIME"))
			a->flags |= CORREU_STORE_ENV_BINARYMIME;
		else if (!correu__smtpd_kw(p->val, p->val_len, "7BIT"))
			return correu__smtpd_reply(s, 501, "5.5.4", "Bad BODY value");
		return 1;
	case 2: a->flags |= CORREU_STORE_ENV_SMTPUTF8; return 1;
	case 3:
		if (correu__smtpd_kw(p->val, p->val_len, "FULL"))
			a->ret = CORREU_STORE_RET_FULL;
		else if (correu__smtpd_kw(p->val, p->val_len, "HDRS"))
			a->ret = CORREU_STORE_RET_HDRS;
		else
			return correu__smtpd_reply(s, 501, "5.5.4", "Bad RET value");
		return 1;
	case 4: {
		correu_ssize n =
			correu__smtpd_xtext_decode(p->val, p->val_len, a->envid, sizeof(a->envid));

		if (n < 0)
			return correu__smtpd_reply(s, 501, "5.5.4", "Bad ENVID value");
		a->envid_len = (size_t)n;
		a->has_envid = true;
		return 1;
	}
	case 5: {
		/* RFC 4954 section 5: the identity a relay vouches for. This
		 * server trusts no relay's word, so it is checked and then
		 * treated as AUTH=<>. */
		char tmp[SMTPD_MAX_PATH];

		if (correu__smtpd_xtext_decode(p->val, p->val_len, tmp, sizeof(tmp)) < 0)
			return correu__smtpd_reply(s, 501, "5.5.4", "Bad AUTH value");
		return 1;
	}
	default:
		/* RFC 8689 section 4: only offered, so only accepted, over TLS.
		 * A final delivery over TLS meets the requirement. */
		if (!s->tls || s->svc->set.mode == CORREU_SMTP_SERVER_LMTP)
			return correu__smtpd_reply(s, 555, "5.5.4", "Unsupported MAIL parameter");
		a->requiretls = true;
		return 1;
	}
}

static int mail_state(correu__smtpd *s)
{
	const correu_smtp_service *svc = s->svc;

	if (!s->helo_len)
		return correu__smtpd_reply(s, 503, "5.5.1", "Send a hello first");
	if (s->delivery)
		return correu__smtpd_reply(s, 503, "5.5.1", "Nested MAIL command");
	if (svc->set.mode == CORREU_SMTP_SERVER_SUBMISSION && !s->user_len)
		return correu__smtpd_reply(s, 530, "5.7.0", "Authentication required");
	if (s->transactions >= svc->set.max_transactions)
		return correu__smtpd_close_421(s, "4.7.0", "Too many messages in one session");
	return 1;
}

int correu__smtpd_mail(correu__smtpd *s, const correu__smtpd_cmd *c)
{
	correu__smtpd_addr_cmd a;
	struct mail_args m;
	correu_store_envelope env;
	correu_store_req *req;
	uint32_t seen = 0;
	int rc;

	rc = mail_state(s);
	if (rc != 1)
		return rc;
	rc = correu__smtpd_parse_addr(c->arg, c->arg_len, false, &a);
	if (rc == CORREU_ERR_LIMIT)
		return correu__smtpd_reply(s, 501, "5.5.4", "Address or parameter list too long");
	if (rc < 0)
		return correu__smtpd_reply(s, 501, "5.5.4", "Syntax: MAIL FROM:<address>");
	memset(&m, 0, sizeof(m));
	for (size_t i = 0; i < a.nparams; i++) {
		rc = mail_param(s, &a.params[i], &m, &seen);
		if (rc != 1)
			return rc;
	}
	if (correu__smtpd_check_mailbox(a.path, a.path_len,
	                                (m.flags & CORREU_STORE_ENV_SMTPUTF8) != 0, false) < 0)
		return correu__smtpd_reply(s, 553, "5.1.7", "Bad sender address syntax");
	memset(&env, 0, sizeof(env));
	env.version = CORREU_STORE_ENVELOPE_VERSION;
	env.flags = m.flags |
	            (s->svc->set.mode == CORREU_SMTP_SERVER_LMTP ? CORREU_STORE_ENV_LMTP : 0) |
	            (s->user_len ? CORREU_STORE_ENV_AUTHENTICATED : 0) |
	            (s->tls ? CORREU_STORE_ENV_TLS : 0);
	env.mail_from = a.path;
	env.mail_from_len = a.path_len;
	env.size = m.size;
	env.ret = m.ret;
	env.envid = m.has_envid ? m.envid : NULL;
	env.envid_len = m.envid_len;
	env.helo = s->helo;
	env.helo_len = s->helo_len;
	env.client_addr = s->addr;
	env.client_addr_len = strlen(s->addr);
	env.auth_user = s->user_len ? s->user : NULL;
	env.auth_user_len = s->user_len;
	env.requiretls = m.requiretls;
	s->env_flags = env.flags;
	rc = correu__smtpd_req(s, W_MAIL, &req);
	if (rc < 0)
		return rc;
	rc = correu_store_deliver_begin(req, &env);
	if (rc == CORREU_PAUSE)
		return 0;
	s->wait = W_NONE;
	return correu__smtpd_mail_done(s, rc);
}

int correu__smtpd_mail_done(correu__smtpd *s, int rc)
{
	correu_store_result r = { .version = CORREU_STORE_RESULT_VERSION };

	if (rc == 0)
		rc = correu_store_req_take_delivery(s->req, &s->delivery);
	if (rc == 0) {
		correu__smtpd_req_end(s);
		s->transactions++;
		s->binary = (s->env_flags & CORREU_STORE_ENV_BINARYMIME) != 0;
		return correu__smtpd_reply(s, 250, "2.1.0", "Ok");
	}
	if (rc == CORREU_ERR_NOMEM) {
		correu__smtpd_req_end(s);
		return rc;
	}
	if (rc != CORREU_ERR_REPLY || correu_store_req_result(s->req, &r) < 0)
		r.reply_code = 0;
	rc = correu__smtpd_reply_store(s, &r);
	correu__smtpd_req_end(s);
	s->env_flags = 0;
	return rc;
}
