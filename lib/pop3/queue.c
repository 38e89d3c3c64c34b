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
	return (correu__pop3_cmd *)correu__proto_cmdq_at(&c->cmds, i);
}

int correu__pop3_queue(correu_pop3_client *c, uint8_t cmd, uint32_t msg, bool multi,
                       const uint8_t *bytes, size_t len)
{
	correu__pop3_cmd r = { .cmd = cmd, .msg = msg, .multi = multi };
	int rc = correu__proto_cmdq_push(&c->cmds, &r.q, bytes, len);

	return rc < 0 ? rc : correu__pop3_pump(c);
}

int correu__pop3_inflight(correu_pop3_client *c, uint8_t cmd)
{
	correu__pop3_cmd r = { .cmd = cmd };

	return correu__proto_cmdq_inflight(&c->cmds, &r.q);
}

void correu__pop3_pop(correu_pop3_client *c)
{
	correu__proto_cmdq_pop(&c->cmds);
}

void correu__pop3_drop_next(correu_pop3_client *c)
{
	correu__proto_cmdq_drop_next(&c->cmds);
}

int correu__pop3_reserve(correu_pop3_client *c, size_t ncmds, size_t nbytes)
{
	return correu__proto_cmdq_reserve(&c->cmds, ncmds, nbytes);
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

/* The pump's gate: whether the next command may go now. */
static int may_send(correu__proto_cmd *next, void *userdata)
{
	correu_pop3_client *c = userdata;
	size_t nsent = c->cmds.nsent;

	(void)next;
	if (c->state == ST_FAILED || c->state == ST_TLS_WAIT)
		return 0;
	return nsent == 0 ||
	       (pipelining(c) && !ends_group(correu__pop3_cmd_at(c, nsent - 1)->cmd));
}

int correu__pop3_pump(correu_pop3_client *c)
{
	int rc = correu__proto_cmdq_pump(&c->cmds, &c->out, may_send, c);

	return rc < 0 ? correu__pop3_fail(c, rc, "out of memory") : 0;
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
