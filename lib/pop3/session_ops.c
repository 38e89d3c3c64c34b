/*
 * The blocking POP3 session's jobs (POP3 layer, driver): STAT, LIST and
 * UIDL of every message, RETR and TOP streamed to a callback or a file
 * descriptor in the core's bounded chunks, DELE and RSET. Each queues one
 * command and runs the I/O loop until it is answered in full.
 */
#include "session_int.h"

static int usable(const correu_pop3_session *s)
{
	if (!s)
		return CORREU_ERR_ARG;
	return s->base.error ? s->base.error : 0;
}

int correu_pop3_session_stat(correu_pop3_session *s, uint32_t *count_out, uint64_t *size_out)
{
	int rc = usable(s);

	if (rc < 0)
		return rc;
	rc = correu__pop3_session_job(s, CORREU_POP3_CMD_STAT, correu_pop3_client_stat(s->c));
	if (rc == 0 && count_out)
		*count_out = s->stat_count;
	if (rc == 0 && size_out)
		*size_out = s->stat_size;
	return rc;
}

int correu_pop3_session_list(correu_pop3_session *s, correu_pop3_list_fn fn, void *userdata)
{
	int rc = usable(s);

	if (rc < 0)
		return rc;
	if (!fn)
		return CORREU_ERR_ARG;
	s->fn.list = fn;
	s->fn.userdata = userdata;
	return correu__pop3_session_job(s, CORREU_POP3_CMD_LIST, correu_pop3_client_list(s->c, 0));
}

int correu_pop3_session_uidl(correu_pop3_session *s, correu_pop3_uidl_fn fn, void *userdata)
{
	int rc = usable(s);

	if (rc < 0)
		return rc;
	if (!fn)
		return CORREU_ERR_ARG;
	s->fn.uidl = fn;
	s->fn.userdata = userdata;
	return correu__pop3_session_job(s, CORREU_POP3_CMD_UIDL, correu_pop3_client_uidl(s->c, 0));
}

int correu_pop3_session_retrieve(correu_pop3_session *s, uint32_t msg, correu_pop3_body_fn fn,
                                 void *userdata)
{
	int rc = usable(s);

	if (rc < 0)
		return rc;
	if (!fn || msg == 0)
		return CORREU_ERR_ARG;
	s->fn.body = fn;
	s->fn.userdata = userdata;
	return correu__pop3_session_job(s, CORREU_POP3_CMD_RETR,
	                                correu_pop3_client_retr(s->c, msg));
}

int correu_pop3_session_top(correu_pop3_session *s, uint32_t msg, uint32_t lines,
                            correu_pop3_body_fn fn, void *userdata)
{
	int rc = usable(s);

	if (rc < 0)
		return rc;
	if (!fn || msg == 0)
		return CORREU_ERR_ARG;
	s->fn.body = fn;
	s->fn.userdata = userdata;
	return correu__pop3_session_job(s, CORREU_POP3_CMD_TOP,
	                                correu_pop3_client_top(s->c, msg, lines));
}

int correu_pop3_session_retrieve_fd(correu_pop3_session *s, uint32_t msg, int fd)
{
	if (fd < 0)
		return CORREU_ERR_ARG;
	return correu_pop3_session_retrieve(s, msg, correu__proto_write_fd, &fd);
}

int correu_pop3_session_delete(correu_pop3_session *s, uint32_t msg)
{
	int rc = usable(s);

	if (rc < 0)
		return rc;
	if (msg == 0)
		return CORREU_ERR_ARG;
	return correu__pop3_session_job(s, CORREU_POP3_CMD_DELE,
	                                correu_pop3_client_dele(s->c, msg));
}

int correu_pop3_session_reset(correu_pop3_session *s)
{
	int rc = usable(s);

	if (rc < 0)
		return rc;
	return correu__pop3_session_job(s, CORREU_POP3_CMD_RSET, correu_pop3_client_rset(s->c));
}
