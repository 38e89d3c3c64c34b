/*
 * Dot-stuffing encoder (codec layer): the sending side of SMTP DATA
 * (RFC 5321 §4.5.2) and of POP3 multi-line responses (RFC 1939 §3). It
 * doubles a "." that starts a line and ends the data with CRLF "." CRLF.
 * A bare CR or LF in the message is refused, or sent as CRLF on request;
 * either way no byte of the message can form the terminator early.
 */
#include "codec_internal.h"

enum enc_state {
	ST_LINE_START, /* after CRLF (or at the start): a "." must be doubled */
	ST_TEXT,       /* inside a line */
	ST_CR,         /* a CR was written; LF would end the line */
	ST_FINISHING,  /* the terminator is being written */
	ST_DONE        /* the terminator was written */
};

struct correu_dot_encoder {
	uint32_t flags;
	int state;        /* enum enc_state */
	uint64_t off;     /* message offset of in[0] in the current call */
	int err;          /* sticky: the message cannot be sent */
	uint64_t err_off;
	uint8_t pend[8];  /* output that did not fit; written first next time */
	uint8_t pend_pos; /* pend[pend_pos..pend_len) is still to be written */
	uint8_t pend_len;
};

size_t correu_dot_encoder_sizeof(void)
{
	return sizeof(correu_dot_encoder) + _Alignof(correu_dot_encoder) - 1;
}

int correu_dot_encoder_init(void *mem, size_t mem_len, uint32_t flags, correu_dot_encoder **enc_out)
{
	correu_dot_encoder *e;

	if (!enc_out)
		return CORREU_ERR_ARG;
	*enc_out = NULL;
	e = correu__codec_place(mem, mem_len, sizeof(*e), _Alignof(correu_dot_encoder));
	if (!e || (flags & ~CORREU_DOT_NORMALISE))
		return CORREU_ERR_ARG;
	e->flags = flags;
	correu_dot_encoder_reset(e);
	*enc_out = e;
	return 0;
}

void correu_dot_encoder_reset(correu_dot_encoder *e)
{
	if (!e)
		return;
	e->state = ST_LINE_START;
	e->off = 0;
	e->err = 0;
	e->err_off = 0;
	e->pend_pos = 0;
	e->pend_len = 0;
}

int correu_dot_encoder_error(const correu_dot_encoder *e, uint64_t *offset_out)
{
	if (offset_out)
		*offset_out = e && e->err ? e->err_off : 0;
	return e ? e->err : 0;
}

/* An output cursor: bytes beyond the caller's buffer go to pend. */
struct sink {
	uint8_t *o, *end;
};

static void put(correu_dot_encoder *e, struct sink *s, uint8_t c)
{
	if (s->o < s->end)
		*s->o++ = c;
	else
		e->pend[e->pend_len++] = c;
}

/* Write what is pending; true when nothing is left. */
static bool flush(correu_dot_encoder *e, struct sink *s)
{
	while (e->pend_pos < e->pend_len && s->o < s->end)
		*s->o++ = e->pend[e->pend_pos++];
	if (e->pend_pos < e->pend_len)
		return false;
	e->pend_pos = e->pend_len = 0;
	return true;
}

/*
 * A bare CR or LF `back` bytes before p (RFC 5321 §2.3.8 forbids it): the
 * message cannot go out as given, and the error stays.
 */
static int bare(correu_dot_encoder *e, const uint8_t *in, const uint8_t *p, unsigned back,
                const struct sink *s, const uint8_t *out, size_t *consumed_out,
                size_t *out_len_out)
{
	*consumed_out = (size_t)(p - in);
	*out_len_out = (size_t)(s->o - out);
	e->off += (uint64_t)*consumed_out;
	e->err = CORREU_ERR_BARE_EOL;
	e->err_off = e->off - back;
	return e->err;
}

int correu_dot_encoder_feed(correu_dot_encoder *e, const uint8_t *in, size_t len,
                            size_t *consumed_out, uint8_t *out, size_t out_cap,
                            size_t *out_len_out)
{
	const uint8_t *p = in, *end;
	struct sink s;
	bool normalise;

	if (!e || !consumed_out || !out_len_out || (!in && len) || (!out && out_cap))
		return CORREU_ERR_ARG;
	*consumed_out = 0;
	*out_len_out = 0;
	if (e->err)
		return e->err;
	if (e->state >= ST_FINISHING)
		return CORREU_ERR_STATE;
	if (len == 0 && e->pend_len == 0)
		return 0;
	if (out_cap == 0)
		return CORREU_ERR_BUFFER;
	/* Only now: in (when len is 0) and out (when out_cap is 0) may be NULL,
	 * and C gives no arithmetic on a null pointer. */
	if (!in)
		in = p = (const uint8_t *)"";
	end = in + len;
	s.o = out;
	s.end = out + out_cap;
	normalise = e->flags & CORREU_DOT_NORMALISE;
	if (!flush(e, &s))
		goto out;
	while (p < end && s.o < s.end) {
		switch (e->state) {
		case ST_LINE_START:
			/* RFC 5321 §4.5.2: a line that starts with "." gets one more. */
			if (*p == '.')
				put(e, &s, '.');
			e->state = ST_TEXT;
			break;
		case ST_TEXT: {
			size_t room = (size_t)(s.end - s.o);
			const uint8_t *lim = (size_t)(end - p) > room ? p + room : end;
			const uint8_t *q = correu__find_eol(p, lim);

			memcpy(s.o, p, (size_t)(q - p));
			s.o += q - p;
			p = q;
			if (p == lim)
				break;
			if (*p == '\r') {
				*s.o++ = '\r';
				p++;
				e->state = ST_CR;
				break;
			}
			if (!normalise)
				return bare(e, in, p, 0, &s, out, consumed_out, out_len_out);
			/* A bare LF goes out as CRLF, and the next byte starts a
			 * wire line, so a "." there is stuffed like any other. */
			put(e, &s, '\r');
			put(e, &s, '\n');
			p++;
			e->state = ST_LINE_START;
			break;
		}
		case ST_CR:
			if (*p == '\n') {
				*s.o++ = '\n';
				p++;
				e->state = ST_LINE_START;
				break;
			}
			if (!normalise) /* the CR before p, maybe in an earlier call */
				return bare(e, in, p, 1, &s, out, consumed_out, out_len_out);
			put(e, &s, '\n');
			e->state = ST_LINE_START;
			break;
		default:
			return CORREU_ERR_INTERNAL;
		}
	}
out:
	*consumed_out = (size_t)(p - in);
	*out_len_out = (size_t)(s.o - out);
	e->off += (uint64_t)*consumed_out;
	return 0;
}

int correu_dot_encoder_finish(correu_dot_encoder *e, uint8_t *out, size_t out_cap,
                              size_t *out_len_out)
{
	static const char *const trailer[] = {
		[ST_LINE_START] = ".\r\n",   /* the message ended with CRLF */
		[ST_TEXT] = "\r\n.\r\n",     /* end the last line first */
		[ST_CR] = "\n.\r\n",         /* a final bare CR, normalised */
	};
	struct sink s;

	if (!e || !out_len_out || (!out && out_cap))
		return CORREU_ERR_ARG;
	*out_len_out = 0;
	if (e->err)
		return e->err;
	if (e->state == ST_DONE)
		return CORREU_ERR_STATE;
	if (out_cap == 0)
		return CORREU_ERR_BUFFER;
	s.o = out;
	s.end = out + out_cap;
	if (e->state != ST_FINISHING) {
		const char *t;

		if (e->state == ST_CR && !(e->flags & CORREU_DOT_NORMALISE)) {
			e->err = CORREU_ERR_BARE_EOL;
			e->err_off = e->off - 1;
			return e->err;
		}
		t = trailer[e->state];
		/* Behind any byte of the message still pending. */
		memmove(e->pend, e->pend + e->pend_pos, (size_t)(e->pend_len - e->pend_pos));
		e->pend_len = (uint8_t)(e->pend_len - e->pend_pos);
		e->pend_pos = 0;
		memcpy(e->pend + e->pend_len, t, strlen(t));
		e->pend_len = (uint8_t)(e->pend_len + strlen(t));
		e->state = ST_FINISHING;
	}
	if (!flush(e, &s)) {
		*out_len_out = (size_t)(s.o - out);
		return 0;
	}
	*out_len_out = (size_t)(s.o - out);
	e->state = ST_DONE;
	return CORREU_DOT_END;
}
