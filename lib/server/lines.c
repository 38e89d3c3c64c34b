/*
 * Command-line input of a server core (server layer, internal; see
 * lines.h): the shared buffer and the two line decoders of the SMTP and
 * POP3 server sessions.
 */
#include <string.h>

#include "lines.h"

int correu__server_lines_init(correu__server_lines *l, const correu_allocator *a, size_t max_line,
                              size_t max_auth_line, uint32_t flags)
{
	size_t dec_len = correu_line_decoder_sizeof();
	/* The decoders' limits leave out the CRLF the settings count. */
	size_t cmd_max = max_line - 2, auth_max = max_auth_line - 2;
	int rc;

	memset(l, 0, sizeof(*l));
	l->buf_len = cmd_max > auth_max ? cmd_max : auth_max;
	l->buf = correu__alloc(a, l->buf_len);
	l->cmd_mem = correu__alloc(a, dec_len);
	l->auth_mem = correu__alloc(a, dec_len);
	if (!l->buf || !l->cmd_mem || !l->auth_mem)
		return CORREU_ERR_NOMEM;
	rc = correu_line_decoder_init(l->cmd_mem, dec_len, l->buf, l->buf_len, cmd_max, flags,
	                              &l->cmd);
	if (rc == 0)
		rc = correu_line_decoder_init(l->auth_mem, dec_len, l->buf, l->buf_len, auth_max,
		                              flags, &l->auth);
	return rc;
}

void correu__server_lines_reset(correu__server_lines *l)
{
	correu_line_decoder_reset(l->cmd);
	correu_line_decoder_reset(l->auth);
}

void correu__server_lines_free(correu__server_lines *l, const correu_allocator *a)
{
	size_t dec_len = correu_line_decoder_sizeof();

	if (l->cmd_mem)
		correu__free(a, l->cmd_mem, dec_len);
	if (l->auth_mem)
		correu__free(a, l->auth_mem, dec_len);
	if (l->buf) {
		correu_wipe(l->buf, l->buf_len);
		correu__free(a, l->buf, l->buf_len);
	}
	memset(l, 0, sizeof(*l));
}
