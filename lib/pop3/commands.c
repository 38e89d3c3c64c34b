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

/*
 * Whether a command may be queued now: 0 or the error to return. The
 * TRANSACTION commands (RFC 1939 §5) may follow a login still under way
 * (they are sent after it is answered), but not come without one; `cap`,
 * when not 0, is an extension the server must list if it answered CAPA.
 */
static int ready(const correu_pop3_client *c, bool transact, uint32_t cap)
{
	int rc = c ? correu__pop3_can_queue(c) : CORREU_ERR_ARG;

	if (rc < 0)
		return rc;
	if (transact && c->login == LOGIN_NONE)
		return CORREU_ERR_STATE;
	return cap && c->caps.answered && !(c->caps.mask & cap) ? CORREU_ERR_UNSUPPORTED : 0;
}

/* Check, then queue "VERB" or "VERB msg" (msg 0: none). */
static int queue(correu_pop3_client *c, bool transact, uint32_t cap, uint8_t cmd,
                 const char *verb, uint32_t msg, bool multi)
{
	int rc = ready(c, transact, cap);

	if (rc < 0)
		return rc;
	return correu__pop3_queue_simple(c, cmd, verb, msg, msg != 0, 0, false, multi);
}

int correu_pop3_client_capa(correu_pop3_client *c)
{
	return queue(c, false, 0, CORREU_POP3_CMD_CAPA, "CAPA", 0, true);
}

int correu_pop3_client_utf8(correu_pop3_client *c)
{
	int rc = ready(c, false, 0);

	if (rc < 0)
		return rc;
	/* RFC 6856 §2: only in the AUTHORIZATION state, and only when the
	 * server listed it (whether it answered CAPA or not). */
	if (c->login != LOGIN_NONE)
		return CORREU_ERR_STATE;
	if (!(c->caps.mask & CORREU_POP3_CAP_UTF8))
		return CORREU_ERR_UNSUPPORTED;
	return correu__pop3_queue_simple(c, CORREU_POP3_CMD_UTF8, "UTF8", 0, false, 0, false,
	                                 false);
}

int correu_pop3_client_stat(correu_pop3_client *c)
{
	return queue(c, true, 0, CORREU_POP3_CMD_STAT, "STAT", 0, false);
}

/* LIST and UIDL: of one message, or of all (a multi-line listing). */
int correu_pop3_client_list(correu_pop3_client *c, uint32_t msg)
{
	return queue(c, true, 0, CORREU_POP3_CMD_LIST, "LIST", msg, msg == 0);
}

int correu_pop3_client_uidl(correu_pop3_client *c, uint32_t msg)
{
	return queue(c, true, CORREU_POP3_CAP_UIDL, CORREU_POP3_CMD_UIDL, "UIDL", msg, msg == 0);
}

int correu_pop3_client_retr(correu_pop3_client *c, uint32_t msg)
{
	if (msg == 0)
		return CORREU_ERR_ARG;
	return queue(c, true, 0, CORREU_POP3_CMD_RETR, "RETR", msg, true);
}

int correu_pop3_client_top(correu_pop3_client *c, uint32_t msg, uint32_t lines)
{
	int rc = msg ? ready(c, true, CORREU_POP3_CAP_TOP) : CORREU_ERR_ARG;

	if (rc < 0)
		return rc;
	return correu__pop3_queue_simple(c, CORREU_POP3_CMD_TOP, "TOP", msg, true, lines, true,
	                                 true);
}

int correu_pop3_client_dele(correu_pop3_client *c, uint32_t msg)
{
	if (msg == 0)
		return CORREU_ERR_ARG;
	return queue(c, true, 0, CORREU_POP3_CMD_DELE, "DELE", msg, false);
}

int correu_pop3_client_rset(correu_pop3_client *c)
{
	return queue(c, true, 0, CORREU_POP3_CMD_RSET, "RSET", 0, false);
}

int correu_pop3_client_noop(correu_pop3_client *c)
{
	return queue(c, false, 0, CORREU_POP3_CMD_NOOP, "NOOP", 0, false);
}

int correu_pop3_client_quit(correu_pop3_client *c)
{
	int rc = queue(c, false, 0, CORREU_POP3_CMD_QUIT, "QUIT", 0, false);

	if (rc == 0)
		c->state = ST_QUITTING;
	return rc;
}
