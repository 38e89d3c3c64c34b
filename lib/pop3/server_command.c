/*
 * Reading and dispatching POP3 commands (POP3 layer, server side): one
 * CRLF line per call, through the command decoder or, during AUTH, the
 * decoder with the AUTH line limit; each command goes to its file by the
 * session's state (RFC 1939 sections 4-6: AUTHORIZATION commands, then
 * TRANSACTION commands; CAPA and QUIT in both). An overlong line or one
 * with a bare CR or LF is refused whole and never acted on.
 */
#include <string.h>

#include "pop3d_int.h"

static int not_now(correu__pop3d *s)
{
	return correu__pop3d_err(s, NULL, "Command not valid in this state");
}

static int auth_command(correu__pop3d *s, const correu__pop3d_cmd *c)
{
	switch (c->verb) {
	case V_USER:
		return correu__pop3d_user(s, c);
	case V_PASS:
		return correu__pop3d_pass(s, c);
	case V_APOP:
		return correu__pop3d_apop(s, c);
	case V_AUTH:
		return correu__pop3d_auth(s, c);
	case V_STLS:
		return correu__pop3d_stls(s, c);
	case V_UTF8:
		return correu__pop3d_utf8(s, c);
	default:
		return not_now(s);
	}
}

static int trans_command(correu__pop3d *s, const correu__pop3d_cmd *c)
{
	switch (c->verb) {
	case V_STAT:
		return correu__pop3d_stat(s, c);
	case V_LIST:
	case V_UIDL:
		return correu__pop3d_list(s, c);
	case V_RETR:
	case V_TOP:
		return correu__pop3d_retr(s, c);
	case V_DELE:
		return correu__pop3d_dele(s, c);
	case V_RSET:
		return correu__pop3d_rset(s, c);
	case V_NOOP:
		return c->arg_len ? correu__pop3d_err(s, NULL, "NOOP takes no argument")
		                  : correu__pop3d_ok(s, NULL);
	default:
		return not_now(s);
	}
}

static int command(correu__pop3d *s, const uint8_t *line, size_t len)
{
	correu__pop3d_cmd c;

	correu__pop3d_parse_cmd(line, len, &c);
	switch (c.verb) {
	case V_UNKNOWN:
		return correu__pop3d_err(s, NULL, "Unknown command");
	case V_CAPA:
		return correu__pop3d_capa(s, &c);
	case V_QUIT:
		return correu__pop3d_quit(s, &c);
	default:
		return s->state == PS_AUTH ? auth_command(s, &c) : trans_command(s, &c);
	}
}

/* The rest of an overlong AUTH line, up to its LF, belongs to no command. */
static int skip_auth_line(correu__pop3d *s, const uint8_t *in, size_t len)
{
	const uint8_t *lf = memchr(in, '\n', len);

	if (!lf)
		return (int)len;
	s->auth_skip = false;
	correu_line_decoder_reset(s->lines.auth);
	return (int)(lf - in) + 1;
}

int correu__pop3d_read_line(correu__pop3d *s, const uint8_t *in, size_t len)
{
	bool auth = s->in_auth;
	const uint8_t *line;
	size_t used, line_len;
	int rc;

	if (s->auth_skip)
		return skip_auth_line(s, in, len);
	rc = correu_line_decoder_feed(auth ? s->lines.auth : s->lines.cmd, in, len, &used, &line,
	                              &line_len);
	if (rc == CORREU_ERR_LIMIT || rc == CORREU_ERR_BARE_EOL) {
		/* The decoder drops the rest of an overlong line by itself; a
		 * line with a bare CR or LF is never acted on. An AUTH exchange
		 * cut this way is over (RFC 5034 section 4). */
		if (auth) {
			correu__pop3d_auth_clear(s);
			s->auth_skip = rc == CORREU_ERR_LIMIT;
		}
		if (rc == CORREU_ERR_LIMIT)
			rc = correu__pop3d_err(s, NULL, auth ? "Authentication line too long"
			                                     : "Line too long");
		else
			rc = correu__pop3d_err(s, NULL, "Bare CR or LF in command, use CRLF");
	} else if (rc == CORREU_LINE_READY) {
		rc = auth ? correu__pop3d_auth_line(s, line, line_len) : command(s, line, line_len);
	}
	return rc < 0 ? rc : (int)used;
}
