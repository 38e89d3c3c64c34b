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
	return &c->cmds[(c->cmds_head + i) % c->cmds_cap];
}

static int grow(correu_smtp_client *c)
{
	size_t cap, i;
	correu__smtp_cmd *n;

	if (c->cmds_len < c->cmds_cap)
		return 0;
	if (c->cmds_len >= c->set.max_commands)
		return CORREU_ERR_LIMIT;
	cap = c->cmds_cap ? c->cmds_cap * 2 : 8;
	if (cap > c->set.max_commands)
		cap = c->set.max_commands;
	n = correu__alloc(c->alloc, cap * sizeof(*n));
	if (!n)
		return CORREU_ERR_NOMEM;
	/* Unroll the ring into the new array. */
	for (i = 0; i < c->cmds_len; i++)
		n[i] = *correu__smtp_cmd_at(c, i);
	if (c->cmds)
		correu__free(c->alloc, c->cmds, c->cmds_cap * sizeof(*c->cmds));
	c->cmds = n;
	c->cmds_cap = cap;
	c->cmds_head = 0;
	return 0;
}

static correu__smtp_cmd *push(correu_smtp_client *c, uint8_t cmd, uint32_t index, int *rc)
{
	correu__smtp_cmd *r;

	*rc = grow(c);
	if (*rc < 0)
		return NULL;
	r = &c->cmds[(c->cmds_head + c->cmds_len) % c->cmds_cap];
	memset(r, 0, sizeof(*r));
	r->cmd = cmd;
	r->index = index;
	r->gen = c->gen;
	c->cmds_len++;
	return r;
}

int correu__smtp_queue(correu_smtp_client *c, uint8_t cmd, uint32_t index,
                       const uint8_t *bytes, size_t len)
{
	correu__smtp_cmd *r;
	int rc;

	/* Room is checked first so a refused command leaves nothing behind. */
	if (len > c->cmdq.max - c->cmdq.len)
		return CORREU_ERR_LIMIT;
	r = push(c, cmd, index, &rc);
	if (!r)
		return rc;
	rc = correu__buf_append(&c->cmdq, bytes, len);
	if (rc < 0) {
		c->cmds_len--;
		return rc;
	}
	r->len = len;
	c->progress = true;
	return correu__smtp_pump(c);
}

int correu__smtp_inflight(correu_smtp_client *c, uint8_t cmd, uint32_t index)
{
	correu__smtp_cmd *r;
	int rc;

	/* Only called when nothing is queued behind the sent commands. */
	r = push(c, cmd, index, &rc);
	if (!r)
		return rc;
	r->sent = 1;
	c->nsent++;
	c->progress = true;
	return 0;
}

void correu__smtp_pop(correu_smtp_client *c)
{
	c->cmds_head = (c->cmds_head + 1) % c->cmds_cap;
	c->cmds_len--;
	c->nsent--;
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

int correu__smtp_pump(correu_smtp_client *c)
{
	while (c->nsent < c->cmds_len) {
		correu__smtp_cmd *r = correu__smtp_cmd_at(c, c->nsent);
		int rc;

		if (c->state == ST_FAILED || c->state == ST_TLS_WAIT || c->body != BODY_NONE)
			return 0;
		if (c->nsent > 0) {
			uint8_t last = correu__smtp_cmd_at(c, c->nsent - 1)->cmd;

			if (!correu__smtp_pipelining(c) || ends_group(last))
				return 0;
		}
		if (r->cmd == CMD_BDAT_START) {
			/* No bytes and no reply: the body starts here. */
			c->cmds_len--;
			return correu__smtp_body_begin(c);
		}
		if (r->len > c->out.max - c->out.len)
			return 0; /* back-pressure: wait for the output to drain */
		rc = correu__buf_append(&c->out, c->cmdq.data, r->len);
		if (rc < 0)
			return rc;
		correu__buf_consume(&c->cmdq, r->len);
		r->len = 0;
		r->sent = 1;
		c->nsent++;
	}
	return 0;
}

int correu__smtp_queue_simple(correu_smtp_client *c, uint8_t cmd, const char *line)
{
	return correu__smtp_queue(c, cmd, 0, (const uint8_t *)line, strlen(line));
}
