/*
 * The SMTP reply reader (SMTP layer): the codec's CRLF line decoder feeding
 * reply assembly. Replies are strict: a bare CR or LF, a line over the
 * limit or a malformed line ends the stream, because a client cannot tell
 * where the next reply would start and must not act on a guess.
 */
#include "smtp_internal.h"

int correu__smtp_reader_init(correu__smtp_reader *rd, const correu_allocator *a,
                             size_t max_line, size_t max_reply)
{
	int rc;

	rd->alloc = a;
	rd->dec = NULL;
	rd->dec_mem_len = correu_line_decoder_sizeof();
	rd->line_buf_len = max_line;
	correu__buf_init(&rd->reply.text, a, max_reply);
	correu__smtp_reply_clear(&rd->reply);
	rd->dec_mem = correu__alloc(a, rd->dec_mem_len);
	rd->line_buf = correu__alloc(a, max_line);
	if (!rd->dec_mem || !rd->line_buf) {
		correu__smtp_reader_free(rd);
		return CORREU_ERR_NOMEM;
	}
	rc = correu_line_decoder_init(rd->dec_mem, rd->dec_mem_len, rd->line_buf, max_line,
	                              max_line, 0, &rd->dec);
	if (rc < 0)
		correu__smtp_reader_free(rd);
	return rc;
}

void correu__smtp_reader_free(correu__smtp_reader *rd)
{
	if (rd->dec_mem)
		correu__free(rd->alloc, rd->dec_mem, rd->dec_mem_len);
	if (rd->line_buf)
		correu__free(rd->alloc, rd->line_buf, rd->line_buf_len);
	rd->dec_mem = NULL;
	rd->line_buf = NULL;
	rd->dec = NULL;
	correu__buf_free(&rd->reply.text, false);
}

void correu__smtp_reader_reset(correu__smtp_reader *rd)
{
	correu_line_decoder_reset(rd->dec);
	correu__smtp_reply_clear(&rd->reply);
}

int correu__smtp_reader_feed(correu__smtp_reader *rd, const uint8_t *in, size_t len,
                             size_t *consumed)
{
	size_t off = 0;

	*consumed = 0;
	if (rd->reply.done)
		correu__smtp_reply_clear(&rd->reply);
	while (off < len) {
		const uint8_t *line;
		size_t used, line_len;
		int rc = correu_line_decoder_feed(rd->dec, in + off, len - off, &used, &line,
		                                  &line_len);

		off += used;
		*consumed = off;
		if (rc < 0)
			return rc;
		if (rc != CORREU_LINE_READY)
			continue;
		rc = correu__smtp_reply_line(&rd->reply, line, line_len);
		if (rc != 0)
			return rc;
	}
	return 0;
}

size_t correu__smtp_reader_pending(const correu__smtp_reader *rd)
{
	return correu_line_decoder_pending(rd->dec) + (rd->reply.code && !rd->reply.done);
}
