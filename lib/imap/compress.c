/*
 * COMPRESS=DEFLATE in the IMAP client core (IMAP layer, RFC 4978). The
 * core never compresses: it stays sans-I/O. It sends COMPRESS DEFLATE
 * with nothing behind it, and on the OK stops reading and writing (as
 * after the STARTTLS go-ahead, so no uncompressed byte behind the OK is
 * ever taken) until the driver has put a deflate filter under it
 * (correu_transport_deflate_new()) and says so. It needs no zlib itself,
 * so a firmware build of the core links without the transport layer.
 */
#include "client_internal.h"

int correu_imap_client_compress(correu_imap_client *c)
{
	struct correu__imapc_put p;

	if (!c)
		return CORREU_ERR_ARG;
	if (!correu__imapc_caps_has(&c->caps, "COMPRESS=DEFLATE", 16))
		return CORREU_ERR_UNSUPPORTED;
	/* §3: a second COMPRESS is refused by the server; do not send it. */
	if (c->compressed || c->compress_wait)
		return CORREU_ERR_STATE;
	for (const correu__imapc_cmd *q = c->head; q; q = q->next)
		if (q->kind == CORREU_IMAP_CMD_COMPRESS && !q->done)
			return CORREU_ERR_STATE;
	if (correu__imapc_p_start(&p, c, CORREU_IMAP_CMD_COMPRESS, "COMPRESS DEFLATE") < 0)
		return p.rc;
	/* §3: the client compresses from the OK on, so nothing may follow
	 * the command before the answer. */
	p.cmd->barrier = true;
	return correu__imapc_p_finish(&p);
}

int correu__imapc_compress_accepted(correu_imap_client *c)
{
	c->state = CS_TLS_WAIT;
	c->compress_wait = true;
	return correu__imapc_emit(c, CORREU_IMAP_CLIENT_EV_COMPRESS, NULL, 0, NULL);
}

int correu_imap_client_compress_done(correu_imap_client *c)
{
	if (!c)
		return CORREU_ERR_ARG;
	if (c->state == CS_FAILED)
		return c->error;
	if (c->state != CS_TLS_WAIT || !c->compress_wait || c->in_recv)
		return CORREU_ERR_STATE;
	c->compress_wait = false;
	c->compressed = true;
	c->state = CS_READY;
	c->timer.progress = true;
	return correu__imapc_pump(c);
}

int correu_imap_client_is_compressed(const correu_imap_client *c)
{
	return c && c->compressed;
}
