/*
 * IDLE (IMAP layer, RFC 2177, RFC 9051 §6.3.13): the command, the "+"
 * that starts the wait, DONE to end it, and renewal. Servers may drop a
 * connection idle for 30 minutes (RFC 9051 §5.4), so the core asks to be
 * woken before that through next_deadline and, on the tick that passes
 * the deadline, sends DONE and IDLE again by itself; the renewal keeps the
 * caller's command id and is not reported as a completion.
 */
#include "client_internal.h"

static correu__imapc_cmd *idle_cmd(correu_imap_client *c)
{
	for (correu__imapc_cmd *cmd = c->head; cmd; cmd = cmd->next)
		if (cmd->kind == CORREU_IMAP_CMD_IDLE && !cmd->done)
			return cmd;
	return NULL;
}

int correu_imap_client_idle_start(correu_imap_client *c)
{
	correu__imapc_cmd *cmd;
	int rc;

	if (!c)
		return CORREU_ERR_ARG;
	rc = correu__imapc_can_queue(c);
	if (rc < 0)
		return rc;
	if (!(c->caps.mask & (CORREU_IMAP_CAP_IDLE | CORREU_IMAP_CAP_IMAP4REV2)))
		return CORREU_ERR_UNSUPPORTED;
	if (idle_cmd(c))
		return CORREU_ERR_STATE;
	rc = correu__imapc_begin(c, CORREU_IMAP_CMD_IDLE, "IDLE", &cmd);
	if (rc < 0)
		return rc;
	c->idle_stop = false;
	c->idle_renewed = false;
	return correu__imapc_enqueue(c, cmd, false);
}

static int send_done(correu_imap_client *c)
{
	int rc = correu__imapc_out(c, "DONE\r\n", 6);

	c->idling = false;
	return rc < 0 ? correu__imapc_fail(c, rc, "cannot send DONE") : 0;
}

int correu_imap_client_idle_done(correu_imap_client *c)
{
	if (!c)
		return CORREU_ERR_ARG;
	if (c->state == CS_FAILED)
		return c->error;
	if (!idle_cmd(c) || c->idle_stop)
		return CORREU_ERR_STATE;
	c->idle_stop = true;
	c->idle_renew = false;
	/* Before the "+", DONE would be read as a command: it goes once the
	 * server has accepted IDLE. */
	return c->idling ? send_done(c) : 0;
}

int correu__imapc_idle_cont(correu_imap_client *c, correu__imapc_cmd *cmd)
{
	if (c->idling)
		return correu__imapc_fail(c, CORREU_ERR_PROTO, "second continuation for IDLE");
	c->idling = true;
	c->idle_since = c->now_ms;
	if (c->idle_stop)
		return send_done(c);
	if (c->idle_renewed) {
		c->idle_renewed = false;
		return 0;
	}
	return correu__imapc_emit(c, CORREU_IMAP_CLIENT_EV_IDLING, cmd, 0, NULL);
}

int correu__imapc_idle_complete(correu_imap_client *c, correu__imapc_cmd *cmd, uint32_t status)
{
	correu__imapc_cmd *again;
	uint32_t id = cmd->id;
	int rc;

	c->idling = false;
	if (!c->idle_renew || status != CORREU_IMAP_RESP_OK)
		return 0;
	c->idle_renew = false;
	rc = correu__imapc_begin(c, CORREU_IMAP_CMD_IDLE, "IDLE", &again);
	if (rc == 0)
		rc = correu__imapc_enqueue(c, again, true);
	if (rc < 0)
		return correu__imapc_fail(c, rc, "cannot renew IDLE");
	again->id = id;
	c->idle_renewed = true;
	return 1;
}

int correu__imapc_idle_tick(correu_imap_client *c)
{
	if (!c->idling || c->idle_stop || c->now_ms < c->idle_since ||
	    c->now_ms - c->idle_since < c->set.idle_renew_ms)
		return 0;
	c->idle_renew = true;
	return send_done(c);
}
