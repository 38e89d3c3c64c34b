/*
 * The POP3 client's typed commands (POP3 layer): CAPA, UTF8 (RFC 6856) and
 * the TRANSACTION commands of RFC 1939 §5 (STAT, LIST, UIDL, RETR, TOP,
 * DELE, RSET, NOOP) and QUIT (§6). Each checks the state and its
 * arguments, then goes to the queue; the responses come as events.
 */
#include "pop3_internal.h"

int correu__pop3_can_queue(const correu_pop3_client *c)
{
	int rc = correu__pop3_usable(c);

	if (rc < 0)
		return rc;
	return c->state == ST_READY ? 0 : CORREU_ERR_STATE;
}

/* TRANSACTION commands may follow a login still under way (they are sent
 * after it is answered), but not come without one. */
static int can_transact(const correu_pop3_client *c)
{
	int rc = correu__pop3_can_queue(c);

	if (rc < 0)
		return rc;
	return c->login == LOGIN_NONE ? CORREU_ERR_STATE : 0;
}

int correu_pop3_client_capa(correu_pop3_client *c)
{
	int rc;

	if (!c)
		return CORREU_ERR_ARG;
	rc = correu__pop3_can_queue(c);
	if (rc < 0)
		return rc;
	return correu__pop3_queue_simple(c, CORREU_POP3_CMD_CAPA, "CAPA", 0, false, 0, false, true);
}

int correu_pop3_client_utf8(correu_pop3_client *c)
{
	int rc;

	if (!c)
		return CORREU_ERR_ARG;
	rc = correu__pop3_can_queue(c);
	if (rc < 0)
		return rc;
	/* RFC 6856 §2: only in the AUTHORIZATION state. */
	if (c->login != LOGIN_NONE)
		return CORREU_ERR_STATE;
	if (!(c->caps.mask & CORREU_POP3_CAP_UTF8))
		return CORREU_ERR_UNSUPPORTED;
	return correu__pop3_queue_simple(c, CORREU_POP3_CMD_UTF8, "UTF8", 0, false, 0, false,
	                                 false);
}

int correu_pop3_client_stat(correu_pop3_client *c)
{
	int rc;

	if (!c)
		return CORREU_ERR_ARG;
	rc = can_transact(c);
	if (rc < 0)
		return rc;
	return correu__pop3_queue_simple(c, CORREU_POP3_CMD_STAT, "STAT", 0, false, 0, false,
	                                 false);
}

int correu_pop3_client_list(correu_pop3_client *c, uint32_t msg)
{
	int rc;

	if (!c)
		return CORREU_ERR_ARG;
	rc = can_transact(c);
	if (rc < 0)
		return rc;
	return correu__pop3_queue_simple(c, CORREU_POP3_CMD_LIST, "LIST", msg, msg != 0, 0, false,
	                                 msg == 0);
}

int correu_pop3_client_uidl(correu_pop3_client *c, uint32_t msg)
{
	int rc;

	if (!c)
		return CORREU_ERR_ARG;
	rc = can_transact(c);
	if (rc < 0)
		return rc;
	if (c->caps.answered && !(c->caps.mask & CORREU_POP3_CAP_UIDL))
		return CORREU_ERR_UNSUPPORTED;
	return correu__pop3_queue_simple(c, CORREU_POP3_CMD_UIDL, "UIDL", msg, msg != 0, 0, false,
	                                 msg == 0);
}

int correu_pop3_client_retr(correu_pop3_client *c, uint32_t msg)
{
	int rc;

	if (!c || msg == 0)
		return CORREU_ERR_ARG;
	rc = can_transact(c);
	if (rc < 0)
		return rc;
	return correu__pop3_queue_simple(c, CORREU_POP3_CMD_RETR, "RETR", msg, true, 0, false,
	                                 true);
}

int correu_pop3_client_top(correu_pop3_client *c, uint32_t msg, uint32_t lines)
{
	int rc;

	if (!c || msg == 0)
		return CORREU_ERR_ARG;
	rc = can_transact(c);
	if (rc < 0)
		return rc;
	if (c->caps.answered && !(c->caps.mask & CORREU_POP3_CAP_TOP))
		return CORREU_ERR_UNSUPPORTED;
	return correu__pop3_queue_simple(c, CORREU_POP3_CMD_TOP, "TOP", msg, true, lines, true,
	                                 true);
}

int correu_pop3_client_dele(correu_pop3_client *c, uint32_t msg)
{
	int rc;

	if (!c || msg == 0)
		return CORREU_ERR_ARG;
	rc = can_transact(c);
	if (rc < 0)
		return rc;
	return correu__pop3_queue_simple(c, CORREU_POP3_CMD_DELE, "DELE", msg, true, 0, false,
	                                 false);
}

int correu_pop3_client_rset(correu_pop3_client *c)
{
	int rc;

	if (!c)
		return CORREU_ERR_ARG;
	rc = can_transact(c);
	if (rc < 0)
		return rc;
	return correu__pop3_queue_simple(c, CORREU_POP3_CMD_RSET, "RSET", 0, false, 0, false,
	                                 false);
}

int correu_pop3_client_noop(correu_pop3_client *c)
{
	int rc;

	if (!c)
		return CORREU_ERR_ARG;
	rc = correu__pop3_can_queue(c);
	if (rc < 0)
		return rc;
	return correu__pop3_queue_simple(c, CORREU_POP3_CMD_NOOP, "NOOP", 0, false, 0, false,
	                                 false);
}

int correu_pop3_client_quit(correu_pop3_client *c)
{
	int rc;

	if (!c)
		return CORREU_ERR_ARG;
	rc = correu__pop3_can_queue(c);
	if (rc < 0)
		return rc;
	rc = correu__pop3_queue_simple(c, CORREU_POP3_CMD_QUIT, "QUIT", 0, false, 0, false, false);
	if (rc == 0)
		c->state = ST_QUITTING;
	return rc;
}
