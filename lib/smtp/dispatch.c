/*
 * Reply dispatch (SMTP layer): each complete reply goes to the command at
 * the head of the in-flight queue, and the session moves on: greeting,
 * EHLO with HELO fallback (RFC 5321 §3.2), STARTTLS under the TLS policy
 * (RFC 3207), the transaction's MAIL, RCPT and DATA, LMTP's reply per
 * recipient (RFC 2033 §4.2), QUIT, and 421 at any point (§3.8).
 */
#include <string.h>

#include "smtp_internal.h"

static bool positive(unsigned code)
{
	return code >= 200 && code < 300;
}

/* End politely after a refusal that leaves nothing to do: QUIT. */
static int bail_out(correu_smtp_client *c)
{
	c->state = ST_QUITTING;
	return correu__smtp_queue_simple(c, CORREU_SMTP_CMD_QUIT, "QUIT\r\n");
}

/*
 * STARTTLS required but impossible: fail with CORREU_ERR_TLS_REQUIRED and
 * leave a QUIT in the output for a driver that wants to end cleanly. Never
 * a plaintext continuation.
 */
static int tls_required(correu_smtp_client *c, const char *why)
{
	(void)correu__buf_append(&c->out, "QUIT\r\n", 6);
	return correu__smtp_fail(c, CORREU_ERR_TLS_REQUIRED, why);
}

/* "EHLO", "HELO" or "LHLO" with the client's name (RFC 5321 §4.1.1.1). */
static int hello(correu_smtp_client *c, uint8_t cmd)
{
	static const char verbs[] = "EHLOHELOLHLO";
	uint8_t line[5 + 255 + 2];
	size_t n = c->ehlo_name_len;

	memcpy(line, verbs + 4 * (cmd - CORREU_SMTP_CMD_EHLO), 4);
	line[4] = ' ';
	memcpy(line + 5, c->ehlo_name, n);
	memcpy(line + 5 + n, "\r\n", 2);
	return correu__smtp_queue(c, cmd, 0, line, n + 7);
}

int correu__smtp_send_hello(correu_smtp_client *c)
{
	c->state = ST_HELLO;
	return hello(c, (c->set.flags & CORREU_SMTP_LMTP) ? CORREU_SMTP_CMD_LHLO
	                                                  : CORREU_SMTP_CMD_EHLO);
}

/* The greeting is done; decide about TLS, then report ready. */
static int after_hello(correu_smtp_client *c)
{
	uint32_t pol = c->set.tls_policy;

	if (!c->tls && pol != CORREU_SMTP_TLS_NONE) {
		if (c->caps.mask & CORREU_SMTP_CAP_STARTTLS) {
			c->state = ST_STARTTLS;
			return correu__smtp_queue_simple(c, CORREU_SMTP_CMD_STARTTLS, "STARTTLS\r\n");
		}
		if (pol == CORREU_SMTP_TLS_REQUIRED)
			return tls_required(c, "the server does not offer STARTTLS");
	}
	c->state = ST_READY;
	return correu__smtp_emit(c, CORREU_SMTP_EV_READY, 0, NULL, 0);
}

static int on_hello(correu_smtp_client *c, uint8_t cmd, correu__smtp_reply *r)
{
	int rc = correu__smtp_emit(c, CORREU_SMTP_EV_REPLY, cmd, r, 0);

	if (rc < 0)
		return rc;
	if (positive(r->code)) {
		c->esmtp = cmd != CORREU_SMTP_CMD_HELO;
		if (c->esmtp) {
			rc = correu__smtp_caps_parse(&c->caps, (const char *)r->text.data, r->text.len);
			if (rc < 0)
				return correu__smtp_fail(c, rc, "capabilities too large");
		} else
			correu__smtp_caps_clear(&c->caps);
		return after_hello(c);
	}
	/* RFC 5321 §3.2: a server that refuses EHLO may still know HELO. */
	if (cmd == CORREU_SMTP_CMD_EHLO && r->code >= 500)
		return hello(c, CORREU_SMTP_CMD_HELO);
	return bail_out(c);
}

static int on_starttls(correu_smtp_client *c, correu__smtp_reply *r)
{
	int rc = correu__smtp_emit(c, CORREU_SMTP_EV_REPLY, CORREU_SMTP_CMD_STARTTLS, r, 0);

	if (rc < 0)
		return rc;
	if (r->code == 220) {
		c->state = ST_TLS_WAIT;
		return correu__smtp_emit(c, CORREU_SMTP_EV_STARTTLS, 0, NULL, 0);
	}
	if (c->set.tls_policy == CORREU_SMTP_TLS_REQUIRED)
		return tls_required(c, "the server refused STARTTLS");
	c->state = ST_READY;
	return correu__smtp_emit(c, CORREU_SMTP_EV_READY, 0, NULL, 0);
}

static void txn_failed(correu_smtp_client *c, uint32_t gen)
{
	if (gen == c->gen && c->txn != TXN_IDLE)
		c->txn = TXN_FAILED;
}

/*
 * LMTP owes one reply per accepted recipient at the end of the data. The
 * accepted recipients are kept as (transaction, index) pairs in reply
 * order. With PIPELINING across messages (RFC 2920 §3.1) the next
 * transaction's RCPT replies only come after this one's end-of-data
 * replies, so when a recipient of transaction g is accepted every pair of
 * another transaction is stale (reset or refused) and is dropped.
 */
struct accepted {
	uint32_t gen, index;
};

static int on_rcpt(correu_smtp_client *c, const correu__smtp_cmd *cmd, correu__smtp_reply *r)
{
	if (positive(r->code) && (c->set.flags & CORREU_SMTP_LMTP)) {
		struct accepted a = { cmd->gen, cmd->index }, last;
		int rc;

		if (c->accepted.len) {
			memcpy(&last, c->accepted.data + c->accepted.len - sizeof(last), sizeof(last));
			if (last.gen != a.gen)
				c->accepted.len = 0;
		}
		rc = correu__buf_append(&c->accepted, &a, sizeof(a));
		if (rc < 0)
			return correu__smtp_fail(c, rc, "too many recipients");
	}
	if (positive(r->code) && cmd->gen == c->gen)
		c->naccepted++;
	return correu__smtp_emit(c, CORREU_SMTP_EV_REPLY, CORREU_SMTP_CMD_RCPT, r, cmd->index);
}

static int on_data(correu_smtp_client *c, const correu__smtp_cmd *cmd, correu__smtp_reply *r)
{
	static const char dot[] = ".\r\n";
	uint32_t gen = cmd->gen;
	int rc = correu__smtp_emit(c, CORREU_SMTP_EV_REPLY, CORREU_SMTP_CMD_DATA, r, 0);

	if (rc < 0)
		return rc;
	if (r->code != 354) {
		c->body = BODY_NONE;
		txn_failed(c, gen);
		return correu__smtp_pump(c);
	}
	if (c->naccepted == 0 || c->txn != TXN_DATA) {
		/* RFC 2920 §3.1: with every recipient refused the server should
		 * not say 354; if it does, send an empty message to close it. */
		c->body = BODY_NONE;
		c->txn = TXN_FAILED;
		rc = correu__buf_append(&c->out, dot, sizeof(dot) - 1);
		if (rc == 0)
			rc = correu__smtp_inflight(c, CORREU_SMTP_CMD_DATA_END, 0);
		return rc < 0 ? correu__smtp_fail(c, rc, "output full") : 0;
	}
	c->body = BODY_DOT;
	correu_dot_encoder_reset(c->enc);
	return correu__smtp_emit(c, CORREU_SMTP_EV_BODY, 0, NULL, 0);
}

/*
 * The end of the data. SMTP: one reply. LMTP: one per recipient whose
 * RCPT was accepted, in RCPT order (RFC 2033 §4.2), each reported with
 * that recipient's index; a single reply when none was. The transaction
 * may no longer be the current one: the next MAIL can be pipelined
 * behind the end of the data. Returns 1 while more replies are due.
 */
static int on_data_end(correu_smtp_client *c, correu__smtp_cmd *cmd, correu__smtp_reply *r)
{
	struct accepted a = { 0, 0 };
	uint32_t gen = cmd->gen, due = 0;
	int rc;

	if (c->accepted.len)
		memcpy(&a, c->accepted.data, sizeof(a));
	if ((c->set.flags & CORREU_SMTP_LMTP) && c->accepted.len && a.gen == gen) {
		if (cmd->replies == 0)
			cmd->replies = (uint32_t)(c->accepted.len / sizeof(a));
		correu__buf_consume(&c->accepted, sizeof(a));
		due = --cmd->replies;
	} else
		a.index = 0;
	/* The callback may queue commands, which may move the queue: no
	 * use of `cmd` after it. */
	rc = correu__smtp_emit(c, CORREU_SMTP_EV_REPLY, CORREU_SMTP_CMD_DATA_END, r, a.index);
	if (rc < 0)
		return rc;
	if (due > 0 && r->code != 421)
		return 1;
	if (gen == c->gen) {
		c->txn = TXN_IDLE;
		c->mail_ok = false;
	}
	return 0;
}

static int on_reply(correu_smtp_client *c, correu__smtp_cmd *cmd, correu__smtp_reply *r)
{
	uint8_t type;
	int rc;

	switch (cmd->cmd) {
	case CORREU_SMTP_CMD_GREETING:
		rc = correu__smtp_emit(c, CORREU_SMTP_EV_REPLY, cmd->cmd, r, 0);
		if (rc < 0 || r->code == 421)
			return rc;
		/* RFC 5321 §3.1: after a 554 greeting only QUIT makes sense. */
		return positive(r->code) ? correu__smtp_send_hello(c) : bail_out(c);
	case CORREU_SMTP_CMD_EHLO:
	case CORREU_SMTP_CMD_HELO:
	case CORREU_SMTP_CMD_LHLO:
		return on_hello(c, cmd->cmd, r);
	case CORREU_SMTP_CMD_STARTTLS:
		return on_starttls(c, r);
	case CORREU_SMTP_CMD_AUTH:
		return correu__smtp_auth_reply(c, r);
	case CORREU_SMTP_CMD_MAIL:
		if (cmd->gen == c->gen && positive(r->code))
			c->mail_ok = true;
		else
			txn_failed(c, cmd->gen);
		break;
	case CORREU_SMTP_CMD_RCPT:
		return on_rcpt(c, cmd, r);
	case CORREU_SMTP_CMD_DATA:
		return on_data(c, cmd, r);
	case CORREU_SMTP_CMD_BDAT:
		if (!positive(r->code) && cmd->gen == c->gen && c->txn == TXN_DATA) {
			/* RFC 3030 §2: a refused chunk ends the transaction. */
			c->txn = TXN_FAILED;
			c->body = BODY_NONE;
		}
		break;
	case CORREU_SMTP_CMD_DATA_END:
		return on_data_end(c, cmd, r);
	default: /* RSET, NOOP, QUIT */
		break;
	}
	/* The callback may move the queue: `cmd` is read before it. */
	type = cmd->cmd;
	rc = correu__smtp_emit(c, CORREU_SMTP_EV_REPLY, type, r, 0);
	if (rc == 0 && type == CORREU_SMTP_CMD_QUIT && c->state != ST_FAILED) {
		c->state = ST_CLOSED;
		rc = correu__smtp_emit(c, CORREU_SMTP_EV_CLOSED, 0, NULL, 0);
	}
	return rc;
}

int correu__smtp_dispatch(correu_smtp_client *c, correu__smtp_reply *r)
{
	correu__smtp_cmd *cmd;
	uint8_t type;
	int rc;

	if (c->cmds.nsent == 0) {
		/* RFC 5321 §3.8: a server shutting down may say 421 unasked. */
		if (r->code == 421 && c->state != ST_FAILED) {
			rc = correu__smtp_emit(c, CORREU_SMTP_EV_REPLY, 0, r, 0);
			c->state = ST_CLOSED;
			return rc < 0 ? rc : correu__smtp_emit(c, CORREU_SMTP_EV_CLOSED, 0, NULL, 0);
		}
		return correu__smtp_fail(c, CORREU_ERR_PROTO, "reply without a command");
	}
	cmd = correu__smtp_cmd_at(c, 0);
	type = cmd->cmd;
	/* The events of a transaction's replies say which one they answer. */
	c->ev_gen = type >= CORREU_SMTP_CMD_MAIL && type <= CORREU_SMTP_CMD_DATA_END ? cmd->gen : 0;
	/* Handlers may queue commands, which can move the ring: `cmd` is not
	 * used after this call. The answered command is still at the head. */
	rc = on_reply(c, cmd, r);
	c->ev_gen = 0;
	if (rc < 0)
		return c->state == ST_FAILED ? c->error : correu__smtp_fail(c, rc, "cannot go on");
	if (c->state == ST_FAILED)
		return c->error;
	if (rc == 1 || (type == CORREU_SMTP_CMD_AUTH && c->sasl.client))
		return 0; /* the command awaits more replies */
	correu__smtp_pop(c);
	/* RFC 5321 §3.8: 421 closes the session whatever it answered. */
	if (r->code == 421 && c->state != ST_CLOSED) {
		c->state = ST_CLOSED;
		return correu__smtp_emit(c, CORREU_SMTP_EV_CLOSED, 0, NULL, 0);
	}
	rc = correu__smtp_pump(c);
	return rc < 0 ? correu__smtp_fail(c, rc, "cannot queue") : 0;
}
