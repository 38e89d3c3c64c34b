/*
 * The transaction commands (SMTP layer): MAIL FROM with its parameters
 * (SIZE RFC 1870, BODY RFC 6152/3030, SMTPUTF8 RFC 6531, RET/ENVID RFC
 * 3461, REQUIRETLS RFC 8689, AUTH= RFC 4954 §5), RCPT TO with NOTIFY and
 * ORCPT, DATA or BDAT, and RSET, NOOP and QUIT. Each call checks the
 * caller's strings and the server's extensions before anything is queued.
 */
#include <string.h>

#include "smtp_internal.h"

/* ENVID is at most 100 characters (RFC 3461 §4.4). */
#define MAX_ENVID 100

/* The transaction states (enum smtp_txn) a command may come in, as a mask. */
#define IN(txn) (1u << (txn))

/* Whether a command may be queued now, in one of the transaction states
 * `txns`: 0 or the error to return. */
static int ready(const correu_smtp_client *c, unsigned txns)
{
	if (!c)
		return CORREU_ERR_ARG;
	if (c->state == ST_FAILED)
		return c->error;
	if (c->state == ST_CLOSED)
		return CORREU_ERR_CLOSED;
	if (c->state != ST_READY || !(txns & IN(c->txn)))
		return CORREU_ERR_STATE;
	return 0;
}

static bool has(const correu_smtp_client *c, uint32_t cap)
{
	return (c->caps.mask & cap) != 0;
}

static int mail_params(correu_smtp_client *c, correu__buf *b, const correu_smtp_mail_params *p)
{
	static const char *const body[] = { NULL, " BODY=7BIT", " BODY=8BITMIME",
		                            " BODY=BINARYMIME" };
	int rc = 0;

	if (p->version != CORREU_SMTP_MAIL_PARAMS_VERSION || p->body > 3 || p->ret > 2 ||
	    (p->flags & ~(uint32_t)(CORREU_SMTP_MAIL_SMTPUTF8 | CORREU_SMTP_MAIL_REQUIRETLS)) ||
	    (p->envid_len && !p->envid) || (p->auth_len && !p->auth) || p->envid_len > MAX_ENVID)
		return CORREU_ERR_ARG;
	if ((p->body == CORREU_SMTP_BODY_8BITMIME && !has(c, CORREU_SMTP_CAP_8BITMIME)) ||
	    (p->body == CORREU_SMTP_BODY_BINARYMIME &&
	     (!has(c, CORREU_SMTP_CAP_BINARYMIME) || !has(c, CORREU_SMTP_CAP_CHUNKING))) ||
	    ((p->flags & CORREU_SMTP_MAIL_SMTPUTF8) && !has(c, CORREU_SMTP_CAP_SMTPUTF8)) ||
	    ((p->ret || p->envid) && !has(c, CORREU_SMTP_CAP_DSN)))
		return CORREU_ERR_UNSUPPORTED;
	/* RFC 8689 §4.1: REQUIRETLS only over TLS, to a server offering it. */
	if ((p->flags & CORREU_SMTP_MAIL_REQUIRETLS) && (!c->tls || !has(c, CORREU_SMTP_CAP_REQUIRETLS)))
		return CORREU_ERR_UNSUPPORTED;
	if (p->size && has(c, CORREU_SMTP_CAP_SIZE)) {
		if (c->caps.max_size && p->size > c->caps.max_size)
			return CORREU_ERR_LIMIT;
		rc = correu__smtp_append_str(b, " SIZE=");
		if (rc == 0)
			rc = correu__smtp_append_u64(b, p->size);
	}
	if (rc == 0 && body[p->body])
		rc = correu__smtp_append_str(b, body[p->body]);
	if (rc == 0 && (p->flags & CORREU_SMTP_MAIL_SMTPUTF8))
		rc = correu__smtp_append_str(b, " SMTPUTF8");
	if (rc == 0 && p->ret)
		rc = correu__smtp_append_str(b, p->ret == CORREU_SMTP_RET_FULL ? " RET=FULL"
		                                                               : " RET=HDRS");
	if (rc == 0 && p->envid) {
		rc = correu__smtp_append_str(b, " ENVID=");
		if (rc == 0)
			rc = correu__smtp_xtext(b, p->envid, p->envid_len);
	}
	if (rc == 0 && (p->flags & CORREU_SMTP_MAIL_REQUIRETLS))
		rc = correu__smtp_append_str(b, " REQUIRETLS");
	if (rc == 0 && p->auth && has(c, CORREU_SMTP_CAP_AUTH)) {
		/* "<>" is the one non-mailbox value (RFC 4954 §5). */
		if (!(p->auth_len == 2 && memcmp(p->auth, "<>", 2) == 0)) {
			rc = correu__smtp_check_path(p->auth, p->auth_len,
			                             (p->flags & CORREU_SMTP_MAIL_SMTPUTF8) != 0);
			if (rc == 0 && p->auth_len == 0)
				rc = CORREU_ERR_ARG;
		}
		if (rc == 0)
			rc = correu__smtp_append_str(b, " AUTH=");
		if (rc == 0)
			rc = correu__smtp_xtext(b, p->auth, p->auth_len);
	}
	return rc;
}

/* Start a command with its path ("MAIL FROM:<" path ">") in a scratch
 * buffer b, after checking the path; the caller frees b. */
static int path_command(correu_smtp_client *c, correu__buf *b, const char *verb,
                        const char *path, size_t len, bool utf8)
{
	int rc = correu__smtp_check_path(path, len, utf8);

	correu__buf_init(b, c->alloc, c->set.max_queue);
	if (rc == 0)
		rc = correu__smtp_append_str(b, verb);
	if (rc == 0)
		rc = correu__buf_append(b, path, len);
	return rc == 0 ? correu__buf_append(b, ">", 1) : rc;
}

/* Format into a scratch buffer, then queue: a refused call queues nothing. */
static int queue_buf(correu_smtp_client *c, uint8_t cmd, uint32_t index, correu__buf *b, int rc)
{
	if (rc == 0)
		rc = correu__buf_append(b, "\r\n", 2);
	if (rc == 0)
		rc = correu__smtp_queue(c, cmd, index, b->data, b->len);
	correu__buf_free(b, false);
	return rc;
}

int correu_smtp_client_mail(correu_smtp_client *c, const char *from, size_t len,
                            const correu_smtp_mail_params *params)
{
	correu_smtp_mail_params none;
	correu__buf b;
	bool utf8;
	/* Once the data has ended the next transaction may begin: its MAIL
	 * waits in the queue behind the end of the data, or goes out with it
	 * under PIPELINING (RFC 2920 §3.1). */
	int rc = ready(c, IN(TXN_IDLE) | IN(TXN_ENDING) | IN(TXN_FAILED));

	if (rc < 0)
		return rc;
	if (!params) {
		memset(&none, 0, sizeof(none));
		none.version = CORREU_SMTP_MAIL_PARAMS_VERSION;
		params = &none;
	}
	utf8 = (params->flags & CORREU_SMTP_MAIL_SMTPUTF8) != 0;
	rc = path_command(c, &b, "MAIL FROM:<", from, len, utf8);
	if (rc == 0)
		rc = mail_params(c, &b, params);
	if (rc < 0) {
		correu__buf_free(&b, false);
		return rc;
	}
	/* A refused transaction whose MAIL had been accepted may still be open
	 * on the server: reset it first. */
	if (c->txn == TXN_FAILED && c->mail_ok) {
		rc = correu__smtp_queue_simple(c, CORREU_SMTP_CMD_RSET, "RSET\r\n");
		if (rc < 0) {
			correu__buf_free(&b, false);
			return rc;
		}
	}
	c->gen++;
	rc = queue_buf(c, CORREU_SMTP_CMD_MAIL, 0, &b, rc);
	if (rc < 0)
		return rc;
	c->txn = TXN_OPEN;
	c->mail_ok = false;
	c->nrcpt = 0;
	c->naccepted = 0;
	c->utf8 = utf8;
	c->binary = params->body == CORREU_SMTP_BODY_BINARYMIME;
	return 0;
}

uint32_t correu_smtp_client_transaction(const correu_smtp_client *c)
{
	return c ? c->gen : 0;
}

/* Whether bytes hold anything but ASCII. */
static bool has_8bit(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)p[i] >= 0x80)
			return true;
	return false;
}

static int rcpt_params(correu__buf *b, const correu_smtp_rcpt_params *p, bool utf8)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} notify[] = { { CORREU_SMTP_NOTIFY_SUCCESS, "SUCCESS" },
		       { CORREU_SMTP_NOTIFY_FAILURE, "FAILURE" },
		       { CORREU_SMTP_NOTIFY_DELAY, "DELAY" } };
	int rc = 0;

	if (p->notify) {
		const char *sep = " NOTIFY=";

		if (p->notify == CORREU_SMTP_NOTIFY_NEVER)
			return correu__smtp_append_str(b, " NOTIFY=NEVER");
		for (size_t i = 0; i < CORREU__ARRAY_LEN(notify) && rc == 0; i++) {
			if (!(p->notify & notify[i].bit))
				continue;
			rc = correu__smtp_append_str(b, sep);
			if (rc == 0)
				rc = correu__smtp_append_str(b, notify[i].name);
			sep = ",";
		}
	}
	if (rc == 0 && p->orcpt && utf8 && has_8bit(p->orcpt, p->orcpt_len)) {
		/* RFC 6533 §3: an address beyond ASCII is of type utf-8, not
		 * rfc822; the 7-bit form suits any DSN the server makes. */
		rc = correu__smtp_append_str(b, " ORCPT=utf-8;");
		if (rc == 0)
			rc = correu__smtp_utf8_xtext(b, p->orcpt, p->orcpt_len);
	} else if (rc == 0 && p->orcpt) {
		rc = correu__smtp_append_str(b, " ORCPT=rfc822;");
		if (rc == 0)
			rc = correu__smtp_xtext(b, p->orcpt, p->orcpt_len);
	}
	return rc;
}

int correu_smtp_client_rcpt(correu_smtp_client *c, const char *to, size_t len,
                            const correu_smtp_rcpt_params *params)
{
	const uint32_t notify_all = CORREU_SMTP_NOTIFY_NEVER | CORREU_SMTP_NOTIFY_SUCCESS |
	                            CORREU_SMTP_NOTIFY_FAILURE | CORREU_SMTP_NOTIFY_DELAY;
	correu__buf b;
	int rc = ready(c, IN(TXN_OPEN));

	if (rc < 0)
		return rc;
	if (len == 0)
		return CORREU_ERR_ARG;
	if (params) {
		if (params->version != CORREU_SMTP_RCPT_PARAMS_VERSION ||
		    (params->notify & ~notify_all) ||
		    ((params->notify & CORREU_SMTP_NOTIFY_NEVER) &&
		     params->notify != CORREU_SMTP_NOTIFY_NEVER) ||
		    (params->orcpt_len && !params->orcpt) || (params->orcpt && !params->orcpt_len))
			return CORREU_ERR_ARG;
		if ((params->notify || params->orcpt) && !has(c, CORREU_SMTP_CAP_DSN))
			return CORREU_ERR_UNSUPPORTED;
	}
	if (c->nrcpt >= c->set.max_commands)
		return CORREU_ERR_LIMIT;
	rc = path_command(c, &b, "RCPT TO:<", to, len, c->utf8);
	if (rc == 0 && params)
		rc = rcpt_params(&b, params, c->utf8);
	rc = queue_buf(c, CORREU_SMTP_CMD_RCPT, c->nrcpt, &b, rc);
	if (rc < 0)
		return rc;
	return (int)c->nrcpt++;
}

int correu_smtp_client_data(correu_smtp_client *c)
{
	bool bdat;
	int rc = ready(c, IN(TXN_OPEN));

	if (rc < 0)
		return rc;
	if (c->nrcpt == 0)
		return CORREU_ERR_STATE;
	bdat = c->binary ||
	       ((c->set.flags & CORREU_SMTP_PREFER_CHUNKING) && has(c, CORREU_SMTP_CAP_CHUNKING));
	/* Set first: with BDAT the body may begin inside the queue call. */
	c->txn = TXN_DATA;
	if (bdat)
		rc = correu__smtp_queue(c, CMD_BDAT_START, 0, NULL, 0);
	else
		rc = correu__smtp_queue_simple(c, CORREU_SMTP_CMD_DATA, "DATA\r\n");
	if (rc < 0 && c->txn == TXN_DATA && c->body == BODY_NONE)
		c->txn = TXN_OPEN;
	return rc;
}

static int simple(correu_smtp_client *c, uint8_t cmd, const char *verb)
{
	/* Between DATA and the end of the body nothing else may be sent. */
	int rc = ready(c, IN(TXN_IDLE) | IN(TXN_OPEN) | IN(TXN_ENDING) | IN(TXN_FAILED));

	if (rc < 0)
		return rc;
	if (c->body != BODY_NONE)
		return CORREU_ERR_STATE;
	return correu__smtp_queue_simple(c, cmd, verb);
}

int correu_smtp_client_rset(correu_smtp_client *c)
{
	int rc = simple(c, CORREU_SMTP_CMD_RSET, "RSET\r\n");

	if (rc == 0) {
		/* Replies still due to the old transaction change nothing once
		 * it is idle; the next MAIL starts a new number. */
		c->txn = TXN_IDLE;
		c->mail_ok = false;
	}
	return rc;
}

int correu_smtp_client_noop(correu_smtp_client *c)
{
	return simple(c, CORREU_SMTP_CMD_NOOP, "NOOP\r\n");
}

int correu_smtp_client_quit(correu_smtp_client *c)
{
	int rc = simple(c, CORREU_SMTP_CMD_QUIT, "QUIT\r\n");

	if (rc == 0)
		c->state = ST_QUITTING;
	return rc;
}
