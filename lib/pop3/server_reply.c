/*
 * POP3 server replies (POP3 layer, server side): status lines "+OK" and
 * "-ERR", the latter with an RFC 2449 section 8 response code in brackets
 * where one applies ([AUTH], [IN-USE], [SYS/TEMP], [SYS/PERM] of RFC 3206,
 * [UTF8] of RFC 6856). Replies wait in one output buffer; bytes queued
 * after an authentication failure are held back for the runtime's
 * back-off delay, and too many refused commands end the session.
 */
#include <string.h>

#include "pop3d_int.h"

size_t correu__pop3d_queued(const correu__pop3d *s)
{
	return s->out.buf.len;
}

int correu__pop3d_raw(correu__pop3d *s, const void *p, size_t n)
{
	/* Output over max_output means a client that does not read: the
	 * session cannot go on (RFC 1939 leaves no way to resume). */
	return correu__server_out_append(&s->out, p, n);
}

static int line(correu__pop3d *s, const char *ind, const char *code, const char *text)
{
	int rc = correu__pop3_append_str(&s->out.buf, ind);

	if (rc == 0 && code) {
		rc = correu__buf_append(&s->out.buf, " [", 2);
		if (rc == 0)
			rc = correu__pop3_append_str(&s->out.buf, code);
		if (rc == 0)
			rc = correu__buf_append(&s->out.buf, "]", 1);
	}
	if (rc == 0 && text && *text) {
		rc = correu__buf_append(&s->out.buf, " ", 1);
		if (rc == 0)
			rc = correu__pop3_append_str(&s->out.buf, text);
	}
	if (rc == 0)
		rc = correu__pop3d_raw(s, "\r\n", 2);
	return rc;
}

int correu__pop3d_ok(correu__pop3d *s, const char *text)
{
	return line(s, "+OK", NULL, text);
}

int correu__pop3d_err(correu__pop3d *s, const char *code, const char *text)
{
	int rc = line(s, "-ERR", code, text);

	if (rc == 0 && ++s->errors >= s->svc->set.max_errors && s->state != PS_CLOSING) {
		rc = line(s, "-ERR", NULL, "Too many errors, closing connection");
		s->state = PS_CLOSING;
	}
	return rc;
}

int correu__pop3d_close_err(correu__pop3d *s, const char *code, const char *text)
{
	int rc = line(s, "-ERR", code, text);

	s->state = PS_CLOSING;
	return rc;
}

void correu__pop3d_log(correu__pop3d *s, int level, const char *msg)
{
	/* Logging is best effort: a failed log line changes nothing. */
	if (s->conn && correu_server_conn_log(s->conn, level, msg, strlen(msg)) < 0)
		return;
}
