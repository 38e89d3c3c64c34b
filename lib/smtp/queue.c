/*
 * The command queue (SMTP layer): commands wait in order, move to the
 * output when the protocol allows, and stay recorded until their reply
 * arrives, so every reply is matched to its command. With PIPELINING
 * (RFC 2920 §3.1) several go out at once, but a command that ends a group
 * (EHLO, STARTTLS, AUTH, DATA, NOOP, QUIT) is always the last one before
 * the client waits; without it, one at a time.
 */
#include <string.h>

#include "smtp_internal.h"

correu__smtp_cmd *correu__smtp_cmd_at(correu_smtp_client *c, size_t i)
{
	return (correu__smtp_cmd *)correu__proto_cmdq_at(&c->cmds, i);
}

int correu__smtp_queue(correu_smtp_client *c, uint8_t cmd, uint32_t index,
                       const uint8_t *bytes, size_t len)
{
	correu__smtp_cmd r = { .cmd = cmd, .index = index, .gen = c->gen };
	int rc = correu__proto_cmdq_push(&c->cmds, &r.q, bytes, len);

	return rc < 0 ? rc : correu__smtp_pump(c);
}

int correu__smtp_inflight(correu_smtp_client *c, uint8_t cmd, uint32_t index)
{
	correu__smtp_cmd r = { .cmd = cmd, .index = index, .gen = c->gen };

	/* Only called when nothing is queued behind the sent commands. */
	return correu__proto_cmdq_inflight(&c->cmds, &r.q);
}

void correu__smtp_pop(correu_smtp_client *c)
{
	correu__proto_cmdq_pop(&c->cmds);
}

bool correu__smtp_pipelining(const correu_smtp_client *c)
{
	return (c->caps.mask & CORREU_SMTP_CAP_PIPELINING) &&
	       !(c->set.flags & CORREU_SMTP_NO_PIPELINING);
}

/* RFC 2920 §3.1: the end of the data may be followed in the same group by
 * the next transaction's MAIL and RCPT (the message content may even be
 * the first "command" of a group), so it does not end one. */
static bool ends_group(uint8_t cmd)
{
	switch (cmd) {
	case CORREU_SMTP_CMD_MAIL:
	case CORREU_SMTP_CMD_RCPT:
	case CORREU_SMTP_CMD_RSET:
	case CORREU_SMTP_CMD_BDAT:
	case CORREU_SMTP_CMD_DATA_END:
		return false;
	default:
		return true;
	}
}

/* The pump's gate: whether the next command may go now. */
static int may_send(correu__proto_cmd *next, void *userdata)
{
	correu_smtp_client *c = userdata;
	size_t nsent = c->cmds.nsent;

	if (c->state == ST_FAILED || c->state == ST_TLS_WAIT || c->body != BODY_NONE)
		return 0;
	if (nsent > 0 &&
	    (!correu__smtp_pipelining(c) || ends_group(correu__smtp_cmd_at(c, nsent - 1)->cmd)))
		return 0;
	if (((correu__smtp_cmd *)next)->cmd == CMD_BDAT_START) {
		/* No bytes and no reply: the body starts here. */
		correu__proto_cmdq_unpush(&c->cmds);
		return correu__smtp_body_begin(c);
	}
	return 1;
}

int correu__smtp_pump(correu_smtp_client *c)
{
	return correu__proto_cmdq_pump(&c->cmds, &c->out, may_send, c);
}

int correu__smtp_queue_simple(correu_smtp_client *c, uint8_t cmd, const char *line)
{
	return correu__smtp_queue(c, cmd, 0, (const uint8_t *)line, strlen(line));
}
