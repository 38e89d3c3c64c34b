/*
 * RCPT TO (SMTP layer, server side): the forward path with the DSN
 * parameters NOTIFY and ORCPT (RFC 3461 section 4), offered to the backend,
 * which accepts or refuses each recipient. The recipient limit is checked
 * first and answered with 452 (RFC 5321 section 4.5.3.1.10), so a client
 * learns to send the rest in another transaction.
 */
#include <string.h>

#include "smtpd_int.h"

struct rcpt_args {
	uint32_t notify;
	char orcpt[SMTPD_MAX_ORCPT + 32];
	size_t orcpt_len;
};

/* NOTIFY=NEVER or a comma list of SUCCESS, FAILURE, DELAY. */
static int parse_notify(const char *p, size_t len, uint32_t *out)
{
	size_t i = 0;

	*out = 0;
	while (i <= len) {
		size_t j = i;
		uint32_t bit;

		while (j < len && p[j] != ',')
			j++;
		if (correu__smtpd_kw(p + i, j - i, "NEVER"))
			bit = CORREU_STORE_NOTIFY_NEVER;
		else if (correu__smtpd_kw(p + i, j - i, "SUCCESS"))
			bit = CORREU_STORE_NOTIFY_SUCCESS;
		else if (correu__smtpd_kw(p + i, j - i, "FAILURE"))
			bit = CORREU_STORE_NOTIFY_FAILURE;
		else if (correu__smtpd_kw(p + i, j - i, "DELAY"))
			bit = CORREU_STORE_NOTIFY_DELAY;
		else
			return CORREU_ERR_SYNTAX;
		if (*out & bit)
			return CORREU_ERR_SYNTAX;
		*out |= bit;
		i = j + 1;
	}
	/* RFC 3461 section 4.1: NEVER stands alone. */
	if ((*out & CORREU_STORE_NOTIFY_NEVER) && *out != CORREU_STORE_NOTIFY_NEVER)
		return CORREU_ERR_SYNTAX;
	return 0;
}

/* ORCPT=addr-type;xtext: kept as "type;address" with the xtext decoded. */
static int parse_orcpt(const char *p, size_t len, struct rcpt_args *a)
{
	const char *semi = memchr(p, ';', len);
	size_t tlen;
	correu_ssize n;

	if (!semi || semi == p || len > SMTPD_MAX_ORCPT + 32)
		return CORREU_ERR_SYNTAX;
	tlen = (size_t)(semi - p);
	for (size_t i = 0; i < tlen; i++) {
		char c = p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return CORREU_ERR_SYNTAX;
	}
	memcpy(a->orcpt, p, tlen + 1);
	n = correu__smtpd_xtext_decode(semi + 1, len - tlen - 1, a->orcpt + tlen + 1,
	                               sizeof(a->orcpt) - tlen - 1);
	if (n <= 0)
		return CORREU_ERR_SYNTAX;
	a->orcpt_len = tlen + 1 + (size_t)n;
	return 0;
}

static int rcpt_params(correu__smtpd *s, const correu__smtpd_addr_cmd *c, struct rcpt_args *a)
{
	bool notify = false, orcpt = false;

	for (size_t i = 0; i < c->nparams; i++) {
		const correu__smtpd_param *p = &c->params[i];
		int rc;

		if (correu__smtpd_kw(p->kw, p->kw_len, "NOTIFY") && !notify) {
			notify = true;
			rc = p->has_val ? parse_notify(p->val, p->val_len, &a->notify) : -1;
		} else if (correu__smtpd_kw(p->kw, p->kw_len, "ORCPT") && !orcpt) {
			orcpt = true;
			rc = p->has_val ? parse_orcpt(p->val, p->val_len, a) : -1;
		} else {
			return correu__smtpd_reply(s, 555, "5.5.4", "Unsupported RCPT parameter");
		}
		if (rc < 0)
			return correu__smtpd_reply(s, 501, "5.5.4", "Bad RCPT parameter value");
	}
	return 1;
}

int correu__smtpd_rcpt(correu__smtpd *s, const correu__smtpd_cmd *c)
{
	correu__smtpd_addr_cmd a;
	struct rcpt_args ra;
	correu_store_rcpt r;
	correu_store_req *req;
	int rc;

	if (!s->delivery)
		return correu__smtpd_reply(s, 503, "5.5.1", "Need MAIL command first");
	if (s->nrcpt >= s->svc->set.max_rcpts)
		return correu__smtpd_reply(s, 452, "4.5.3", "Too many recipients");
	rc = correu__smtpd_parse_addr(c->arg, c->arg_len, true, &a);
	if (rc == CORREU_ERR_LIMIT)
		return correu__smtpd_reply(s, 501, "5.5.4", "Address or parameter list too long");
	if (rc < 0)
		return correu__smtpd_reply(s, 501, "5.5.4", "Syntax: RCPT TO:<address>");
	memset(&ra, 0, sizeof(ra));
	rc = rcpt_params(s, &a, &ra);
	if (rc != 1)
		return rc;
	if (correu__smtpd_check_mailbox(a.path, a.path_len,
	                                (s->env_flags & CORREU_STORE_ENV_SMTPUTF8) != 0, true) < 0)
		return correu__smtpd_reply(s, 553, "5.1.3", "Bad recipient address syntax");
	memset(&r, 0, sizeof(r));
	r.version = CORREU_STORE_RCPT_VERSION;
	r.address = a.path;
	r.address_len = a.path_len;
	r.notify = ra.notify;
	r.orcpt = ra.orcpt_len ? ra.orcpt : NULL;
	r.orcpt_len = ra.orcpt_len;
	/* Kept for "for <...>" in the trace header, should it be the only one. */
	memcpy(s->rcpt_path, a.path, a.path_len);
	s->rcpt_path_len = a.path_len;
	rc = correu__smtpd_req(s, W_RCPT, &req);
	if (rc < 0)
		return rc;
	rc = correu_store_deliver_rcpt(req, s->delivery, &r);
	if (rc == CORREU_PAUSE)
		return 0;
	s->wait = W_NONE;
	return correu__smtpd_rcpt_done(s, rc);
}

int correu__smtpd_rcpt_done(correu__smtpd *s, int rc)
{
	correu_store_result r = { .version = CORREU_STORE_RESULT_VERSION };

	s->nrcpt++;
	if (rc == CORREU_ERR_NOMEM) {
		correu__smtpd_req_end(s);
		return rc;
	}
	if (correu_store_req_result(s->req, &r) < 0)
		r.reply_code = 0;
	if (rc == 0 && s->naccepted++ == 0) {
		memcpy(s->first_rcpt, s->rcpt_path, s->rcpt_path_len);
		s->first_rcpt_len = s->rcpt_path_len;
	}
	if (rc == CORREU_ERR_LIMIT)
		rc = correu__smtpd_reply(s, 452, "4.5.3", "Too many recipients");
	else if (rc == 0 && r.reply_code == 0)
		rc = correu__smtpd_reply(s, 250, "2.1.5", "Ok");
	else
		rc = correu__smtpd_reply_store(s, &r);
	correu__smtpd_req_end(s);
	return rc;
}
