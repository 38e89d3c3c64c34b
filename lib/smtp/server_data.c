/*
 * DATA and BDAT (SMTP layer, server side): the commands that start a
 * message body. DATA's body is dot-stuffed and ends only at CRLF "." CRLF
 * (RFC 5321 section 4.1.1.4); BDAT's chunks are counted bytes (RFC 3030
 * section 2), the only way to send BINARYMIME. The two never mix in one
 * transaction. A BDAT whose transaction cannot take it still has its bytes
 * read, so the command stream stays in step.
 */
#include <string.h>

#include "smtpd_int.h"

int correu__smtpd_data(correu__smtpd *s, const correu__smtpd_cmd *c)
{
	static const char end_hint[] = "End data with <CR><LF>.<CR><LF>";
	int rc;

	if (c->arg_len)
		return correu__smtpd_reply(s, 501, "5.5.4", "Syntax: DATA");
	if (!s->delivery)
		return correu__smtpd_reply(s, 503, "5.5.1", "Need MAIL command first");
	if (s->naccepted == 0)
		return correu__smtpd_reply(s, 554, "5.5.1", "No valid recipients");
	if (s->binary || s->bdat_used)
		return correu__smtpd_reply(s, 503, "5.5.1", "Use BDAT for this message");
	rc = correu__smtpd_body_begin(s);
	if (rc < 0)
		return rc;
	correu_dot_decoder_reset(s->dot);
	s->phase = PH_DATA;
	/* 354 is neither success nor failure: no enhanced code (RFC 2034). */
	return correu__smtpd_reply_line(s, 354, true, NULL, end_hint, strlen(end_hint));
}

/* "BDAT" SP size [ SP "LAST" ] (RFC 3030 section 2). */
static int parse_bdat(const correu__smtpd_cmd *c, uint64_t *size, bool *last)
{
	const char *sp = memchr(c->arg, ' ', c->arg_len);
	size_t nlen = sp ? (size_t)(sp - c->arg) : c->arg_len;

	*last = false;
	if (sp) {
		if (!correu__smtpd_kw(sp + 1, c->arg_len - nlen - 1, "LAST"))
			return CORREU_ERR_SYNTAX;
		*last = true;
	}
	return correu__smtpd_u64(c->arg, nlen, size);
}

int correu__smtpd_bdat(correu__smtpd *s, const correu__smtpd_cmd *c)
{
	uint64_t size;
	bool last;
	int rc;

	/* Without a size the chunk's end is unknown: the stream is lost. */
	if (parse_bdat(c, &size, &last) < 0)
		return correu__smtpd_close_421(s, "4.5.4", "Bad BDAT syntax, closing connection");
	s->bdat_left = size;
	s->bdat_last = last;
	s->phase = PH_BDAT;
	if (!s->delivery) {
		s->bdat_discard = true;
		correu__smtpd_body_fail(s, 503, "5.5.1", "Need MAIL command first");
	} else if (s->naccepted == 0) {
		s->bdat_discard = true;
		correu__smtpd_body_fail(s, 554, "5.5.1", "No valid recipients");
	} else if (!s->bdat_used) {
		rc = correu__smtpd_body_begin(s);
		if (rc < 0)
			return rc;
		s->bdat_used = true;
	}
	if (size == 0)
		return correu__smtpd_chunk_end(s);
	return 0;
}
