/*
 * The message body (SMTP layer), streamed in bounded pieces: after DATA's
 * 354 through the codec's dot-stuffing encoder (RFC 5321 §4.5.2), or as
 * BDAT chunks (RFC 3030 §2) sized to the room left in the output. The
 * caller feeds as much as fits; a full output is the back-pressure, so
 * the core never holds more than max_output bytes of the message.
 */
#include <string.h>

#include "smtp_internal.h"

/* "BDAT " + 20 digits + " LAST\r\n" */
#define BDAT_HEAD_MAX 32

int correu__smtp_body_begin(correu_smtp_client *c)
{
	/* A transaction refused while the chunks waited has no body. */
	if (c->txn != TXN_DATA)
		return 0;
	c->body = BODY_BDAT;
	return correu__smtp_emit(c, CORREU_SMTP_EV_BODY, 0, NULL, 0);
}

static bool bdat_may_send(const correu_smtp_client *c)
{
	/* Without PIPELINING each chunk waits for the previous one's reply
	 * (RFC 3030 §4.2). */
	return correu__smtp_pipelining(c) || c->cmds.nsent == 0;
}

int correu_smtp_client_body_ready(const correu_smtp_client *c)
{
	if (!c || c->state == ST_FAILED || c->txn != TXN_DATA)
		return 0;
	return c->body == BODY_DOT || (c->body == BODY_BDAT && bdat_may_send(c));
}

/* Why the body cannot flow now, or 0 when it can. */
static int body_check(correu_smtp_client *c)
{
	if (c->state == ST_FAILED)
		return c->error;
	if (c->txn == TXN_FAILED) {
		c->body = BODY_NONE;
		return CORREU_ERR_REPLY;
	}
	if (c->txn != TXN_DATA)
		return CORREU_ERR_STATE;
	if (c->body == BODY_NONE || (c->body == BODY_BDAT && !bdat_may_send(c)))
		return CORREU_ERR_WANT_READ;
	return 0;
}

static correu_ssize body_dot(correu_smtp_client *c, const uint8_t *data, size_t len)
{
	size_t room = c->out.max - c->out.len, cap, used = 0, wrote = 0;
	int rc;

	if (room == 0 || len == 0)
		return 0;
	cap = (room > 64 && len < room - 64) ? len + 64 : room;
	rc = correu__buf_reserve(&c->out, cap);
	if (rc < 0)
		return correu__smtp_fail(c, rc, "out of memory");
	rc = correu_dot_encoder_feed(c->enc, data, len, &used, c->out.data + c->out.len, cap,
	                             &wrote);
	c->out.len += wrote;
	if (rc == CORREU_ERR_BARE_EOL)
		return correu__smtp_fail(c, rc, "bare CR or LF in the message body");
	if (rc < 0)
		return correu__smtp_fail(c, rc, "dot-stuffing failed");
	c->timer.progress = true;
	return (correu_ssize)used;
}

static int bdat_head(correu_smtp_client *c, size_t n, bool last)
{
	int rc = correu__smtp_append_str(&c->out, "BDAT ");

	if (rc == 0)
		rc = correu__smtp_append_u64(&c->out, n);
	if (rc == 0)
		rc = correu__smtp_append_str(&c->out, last ? " LAST\r\n" : "\r\n");
	return rc;
}

static correu_ssize body_bdat(correu_smtp_client *c, const uint8_t *data, size_t len)
{
	size_t room = c->out.max - c->out.len, n;
	int rc;

	if (len == 0 || room <= BDAT_HEAD_MAX)
		return 0;
	n = len < room - BDAT_HEAD_MAX ? len : room - BDAT_HEAD_MAX;
	rc = correu__buf_reserve(&c->out, BDAT_HEAD_MAX + n);
	if (rc == 0)
		rc = bdat_head(c, n, false);
	if (rc == 0)
		rc = correu__buf_append(&c->out, data, n);
	if (rc == 0)
		rc = correu__smtp_inflight(c, CORREU_SMTP_CMD_BDAT, 0);
	if (rc < 0)
		return correu__smtp_fail(c, rc, "cannot queue a BDAT chunk");
	return (correu_ssize)n;
}

correu_ssize correu_smtp_client_body(correu_smtp_client *c, const uint8_t *data, size_t len)
{
	int rc;

	if (!c || (len && !data))
		return CORREU_ERR_ARG;
	rc = body_check(c);
	if (rc < 0)
		return rc;
	if (len > (size_t)PTRDIFF_MAX)
		len = (size_t)PTRDIFF_MAX;
	return c->body == BODY_DOT ? body_dot(c, data, len) : body_bdat(c, data, len);
}

int correu_smtp_client_body_end(correu_smtp_client *c)
{
	int rc;

	if (!c)
		return CORREU_ERR_ARG;
	rc = body_check(c);
	if (rc < 0)
		return rc;
	if (c->out.max - c->out.len < BDAT_HEAD_MAX)
		return CORREU_ERR_WANT_WRITE;
	if (c->body == BODY_DOT) {
		size_t wrote = 0;

		rc = correu__buf_reserve(&c->out, 5);
		if (rc == 0) {
			rc = correu_dot_encoder_finish(c->enc, c->out.data + c->out.len, 5, &wrote);
			c->out.len += wrote;
		}
		if (rc == CORREU_ERR_BARE_EOL)
			return correu__smtp_fail(c, rc, "the message ends in a bare CR");
		if (rc != CORREU_DOT_END)
			return correu__smtp_fail(c, rc < 0 ? rc : CORREU_ERR_INTERNAL,
			                         "cannot end the data");
	} else {
		/* An empty last chunk keeps the data chunks independent of
		 * knowing which one is last (RFC 3030 §2 allows size 0). */
		rc = bdat_head(c, 0, true);
		if (rc < 0)
			return correu__smtp_fail(c, rc, "cannot end the data");
	}
	rc = correu__smtp_inflight(c, CORREU_SMTP_CMD_DATA_END, 0);
	if (rc < 0)
		return correu__smtp_fail(c, rc, "too many commands in flight");
	c->body = BODY_NONE;
	c->txn = TXN_ENDING;
	c->timer.progress = true;
	return 0;
}
