/*
 * The POP3 command queue (POP3 layer): commands wait in order, move to
 * the output when the protocol allows, and stay recorded until their
 * response arrives, so every response is matched to its command. With
 * PIPELINING (RFC 2449 §6.6) several go out at once; the commands that
 * change the session's state (CAPA during start-up, STLS, the login
 * commands, UTF8) are always the last before the client waits, and the
 * commands after them follow only once they are answered. Without
 * PIPELINING, one at a time.
 */
#include <string.h>

#include "pop3_internal.h"

correu__pop3_cmd *correu__pop3_cmd_at(correu_pop3_client *c, size_t i)
{
	return &c->cmds[(c->cmds_head + i) % c->cmds_cap];
}

static int grow(correu_pop3_client *c)
{
	size_t cap, i;
	correu__pop3_cmd *n;

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
		n[i] = *correu__pop3_cmd_at(c, i);
	if (c->cmds)
		correu__free(c->alloc, c->cmds, c->cmds_cap * sizeof(*c->cmds));
	c->cmds = n;
	c->cmds_cap = cap;
	c->cmds_head = 0;
	return 0;
}

static correu__pop3_cmd *push(correu_pop3_client *c, uint8_t cmd, uint32_t msg, bool multi, int *rc)
{
	correu__pop3_cmd *r;

	*rc = grow(c);
	if (*rc < 0)
		return NULL;
	r = &c->cmds[(c->cmds_head + c->cmds_len) % c->cmds_cap];
	memset(r, 0, sizeof(*r));
	r->cmd = cmd;
	r->msg = msg;
	r->multi = multi;
	c->cmds_len++;
	return r;
}

int correu__pop3_queue(correu_pop3_client *c, uint8_t cmd, uint32_t msg, bool multi,
                       const uint8_t *bytes, size_t len)
{
	correu__pop3_cmd *r;
	int rc;

	/* Room is checked first so a refused command leaves nothing behind. */
	if (len > c->cmdq.max - c->cmdq.len)
		return CORREU_ERR_LIMIT;
	r = push(c, cmd, msg, multi, &rc);
	if (!r)
		return rc;
	rc = correu__buf_append(&c->cmdq, bytes, len);
	if (rc < 0) {
		c->cmds_len--;
		return rc;
	}
	r->len = len;
	c->progress = true;
	return correu__pop3_pump(c);
}

int correu__pop3_inflight(correu_pop3_client *c, uint8_t cmd)
{
	correu__pop3_cmd *r;
	int rc;

	r = push(c, cmd, 0, false, &rc);
	if (!r)
		return rc;
	r->sent = 1;
	c->nsent++;
	c->progress = true;
	return 0;
}

void correu__pop3_pop(correu_pop3_client *c)
{
	c->cmds_head = (c->cmds_head + 1) % c->cmds_cap;
	c->cmds_len--;
	c->nsent--;
}

void correu__pop3_drop_next(correu_pop3_client *c)
{
	correu__pop3_cmd *r = correu__pop3_cmd_at(c, c->nsent);
	size_t n = r->len;
	size_t i;

	/* Its bytes are the first in cmdq (commands leave it in order). */
	correu__buf_consume(&c->cmdq, n);
	correu_wipe(c->cmdq.data + c->cmdq.len, n);
	for (i = c->nsent; i + 1 < c->cmds_len; i++)
		*correu__pop3_cmd_at(c, i) = *correu__pop3_cmd_at(c, i + 1);
	c->cmds_len--;
}

int correu__pop3_reserve(correu_pop3_client *c, size_t ncmds, size_t nbytes)
{
	size_t cap, i;
	correu__pop3_cmd *n;

	if (nbytes > c->cmdq.max - c->cmdq.len || ncmds > c->set.max_commands - c->cmds_len)
		return CORREU_ERR_LIMIT;
	if (c->cmds_len + ncmds > c->cmds_cap) {
		cap = c->cmds_len + ncmds + 8;
		if (cap > c->set.max_commands)
			cap = c->set.max_commands;
		n = correu__alloc(c->alloc, cap * sizeof(*n));
		if (!n)
			return CORREU_ERR_NOMEM;
		for (i = 0; i < c->cmds_len; i++)
			n[i] = *correu__pop3_cmd_at(c, i);
		if (c->cmds)
			correu__free(c->alloc, c->cmds, c->cmds_cap * sizeof(*c->cmds));
		c->cmds = n;
		c->cmds_cap = cap;
		c->cmds_head = 0;
	}
	return correu__buf_reserve(&c->cmdq, nbytes);
}

static bool pipelining(const correu_pop3_client *c)
{
	return (c->caps.mask & CORREU_POP3_CAP_PIPELINING) &&
	       !(c->set.flags & CORREU_POP3_NO_PIPELINING);
}

static bool ends_group(uint8_t cmd)
{
	switch (cmd) {
	case CORREU_POP3_CMD_STAT:
	case CORREU_POP3_CMD_LIST:
	case CORREU_POP3_CMD_UIDL:
	case CORREU_POP3_CMD_RETR:
	case CORREU_POP3_CMD_TOP:
	case CORREU_POP3_CMD_DELE:
	case CORREU_POP3_CMD_RSET:
	case CORREU_POP3_CMD_NOOP: return false;
	default: return true;
	}
}

int correu__pop3_pump(correu_pop3_client *c)
{
	while (c->nsent < c->cmds_len) {
		correu__pop3_cmd *r = correu__pop3_cmd_at(c, c->nsent);
		int rc;

		if (c->state == ST_FAILED || c->state == ST_TLS_WAIT)
			return 0;
		if (c->nsent > 0) {
			uint8_t last = correu__pop3_cmd_at(c, c->nsent - 1)->cmd;

			if (!pipelining(c) || ends_group(last))
				return 0;
		}
		if (r->len > c->out.max - c->out.len)
			return 0; /* back-pressure: wait for the output to drain */
		rc = correu__buf_append(&c->out, c->cmdq.data, r->len);
		if (rc < 0)
			return correu__pop3_fail(c, rc, "out of memory");
		correu__buf_consume(&c->cmdq, r->len);
		correu_wipe(c->cmdq.data + c->cmdq.len, r->len);
		r->len = 0;
		r->sent = 1;
		c->nsent++;
	}
	return 0;
}

int correu__pop3_queue_simple(correu_pop3_client *c, uint8_t cmd, const char *verb, uint32_t n,
                              bool has_n, uint32_t m, bool has_m, bool multi)
{
	uint8_t tmp[4 + 2 * 11 + 2];
	correu__buf b;
	int rc;

	/* A fixed buffer: the longest line is "TOP 4294967295 4294967295". */
	b.data = tmp;
	b.len = 0;
	b.cap = b.max = sizeof(tmp);
	b.alloc = NULL;
	rc = correu__pop3_append_str(&b, verb);
	if (rc == 0 && has_n)
		rc = correu__buf_append(&b, " ", 1);
	if (rc == 0 && has_n)
		rc = correu__pop3_append_u32(&b, n);
	if (rc == 0 && has_m)
		rc = correu__buf_append(&b, " ", 1);
	if (rc == 0 && has_m)
		rc = correu__pop3_append_u32(&b, m);
	if (rc == 0)
		rc = correu__buf_append(&b, "\r\n", 2);
	if (rc < 0)
		return CORREU_ERR_INTERNAL;
	return correu__pop3_queue(c, cmd, n, multi, b.data, b.len);
}
