/*
 * The POP3 response reader (POP3 layer): the codec's CRLF line decoder for
 * status lines, and for multi-line responses (RFC 1939 §3) the codec's dot
 * decoder, whose unstuffed output is either handed on as message pieces
 * (RETR, TOP) or split into lines by a second line decoder (CAPA, LIST,
 * UIDL). Responses are strict: a bare CR or LF, a line over the limit or a
 * malformed line ends the stream, because a client cannot tell where the
 * next response would start and must not act on a guess.
 */
#include "pop3_internal.h"

int correu__pop3_reader_init(correu__pop3_reader *rd, const correu_allocator *a, size_t max_line,
                             size_t max_body_line, uint32_t dot_flags)
{
	size_t ls = correu_line_decoder_sizeof(), ds = correu_dot_decoder_sizeof();
	uint8_t *m;
	int rc;

	rd->alloc = a;
	rd->mode = RD_MODE_STATUS;
	rd->mem_len = 2 * ls + ds;
	rd->buf_len = 2 * max_line;
	rd->mem = correu__alloc(a, rd->mem_len);
	rd->bufs = correu__alloc(a, rd->buf_len);
	if (!rd->mem || !rd->bufs) {
		correu__pop3_reader_free(rd);
		return CORREU_ERR_NOMEM;
	}
	m = rd->mem;
	rc = correu_line_decoder_init(m, ls, rd->bufs, max_line, max_line, 0, &rd->status);
	if (rc == 0)
		rc = correu_line_decoder_init(m + ls, ls, rd->bufs + max_line, max_line, max_line,
		                              0, &rd->listing);
	if (rc == 0)
		rc = correu_dot_decoder_init(m + 2 * ls, ds, max_body_line, dot_flags, &rd->dot);
	if (rc < 0)
		correu__pop3_reader_free(rd);
	return rc;
}

void correu__pop3_reader_free(correu__pop3_reader *rd)
{
	if (rd->mem)
		correu__free(rd->alloc, rd->mem, rd->mem_len);
	if (rd->bufs)
		correu__free(rd->alloc, rd->bufs, rd->buf_len);
	rd->mem = NULL;
	rd->bufs = NULL;
	rd->status = rd->listing = NULL;
	rd->dot = NULL;
}

void correu__pop3_reader_reset(correu__pop3_reader *rd)
{
	correu_line_decoder_reset(rd->status);
	correu_line_decoder_reset(rd->listing);
	correu_dot_decoder_reset(rd->dot);
	rd->mode = RD_MODE_STATUS;
	rd->piece = NULL;
	rd->piece_len = 0;
	rd->ended = false;
}

void correu__pop3_reader_multi(correu__pop3_reader *rd, enum rd_mode mode)
{
	/* The status line decoder stopped right at its line end, so the dot
	 * decoder starts at the first byte of the data (RFC 1939 §3). */
	correu_dot_decoder_reset(rd->dot);
	correu_line_decoder_reset(rd->listing);
	rd->mode = mode;
	rd->ended = false;
	rd->piece_len = 0;
}

static int feed_status(correu__pop3_reader *rd, const uint8_t *in, size_t len, size_t *off)
{
	while (*off < len) {
		size_t used;
		int rc = correu_line_decoder_feed(rd->status, in + *off, len - *off, &used,
		                                  &rd->line, &rd->line_len);

		*off += used;
		if (rc < 0)
			return rc;
		if (rc == CORREU_LINE_READY)
			return RD_STATUS;
	}
	return 0;
}

/* One step of a multi-line response: a line or piece found, the end, an
 * error, or 0 when the input is used up. */
static int feed_multi(correu__pop3_reader *rd, const uint8_t *in, size_t len, size_t *off)
{
	for (;;) {
		const uint8_t *data;
		size_t used, dl;
		int rc;

		if (rd->piece_len) {
			/* Listing data: split the unstuffed piece into lines. */
			rc = correu_line_decoder_feed(rd->listing, rd->piece, rd->piece_len, &used,
			                              &rd->line, &rd->line_len);
			rd->piece += used;
			rd->piece_len -= used;
			if (rc < 0)
				return rc;
			if (rc == CORREU_LINE_READY)
				return RD_LINE;
			continue;
		}
		/* The pieces before a fault have all been handed out: stop at
		 * the fault itself rather than read on to the terminator, so a
		 * hostile endless line costs no more than the limit. */
		rc = correu_dot_decoder_error(rd->dot, NULL);
		if (rc < 0)
			return rc;
		if (rd->ended) {
			rd->mode = RD_MODE_STATUS;
			rd->ended = false;
			return RD_END;
		}
		if (*off == len)
			return 0;
		rc = correu_dot_decoder_feed(rd->dot, in + *off, len - *off, &used, &data, &dl);
		*off += used;
		if (rc < 0)
			return rc;
		rd->ended = rc == CORREU_DOT_END;
		if (dl == 0)
			continue;
		if (rd->mode == RD_MODE_LINES) {
			rd->piece = data;
			rd->piece_len = dl;
			continue;
		}
		rd->line = data;
		rd->line_len = dl;
		return RD_DATA;
	}
}

int correu__pop3_reader_feed(correu__pop3_reader *rd, const uint8_t *in, size_t len,
                             size_t *consumed)
{
	size_t off = 0;
	int rc;

	rc = rd->mode == RD_MODE_STATUS ? feed_status(rd, in, len, &off)
	                                : feed_multi(rd, in, len, &off);
	*consumed = off;
	return rc;
}

size_t correu__pop3_reader_pending(const correu__pop3_reader *rd)
{
	return correu_line_decoder_pending(rd->status) + (rd->mode != RD_MODE_STATUS);
}
