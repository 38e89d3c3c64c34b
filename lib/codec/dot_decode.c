/*
 * Dot-stuffing decoder (codec layer): the receiving side of SMTP DATA
 * (RFC 5321 §4.5.2) and of POP3 multi-line responses (RFC 1939 §3). It
 * removes the leading "." of stuffed lines and finds the end of the data,
 * which is only ever CRLF "." CRLF: a "." line reached through a bare CR or
 * LF is data, so a message cannot smuggle a second one past a relay. The
 * body is returned as zero-copy pieces of the input.
 */
#include "codec_internal.h"

/* Where the decoder is in the wire form. */
enum dot_state {
	ST_LINE_START, /* after CRLF (or at the start): a "." is special */
	ST_DOT,        /* "." at a line start */
	ST_DOT_CR,     /* "." CR at a line start: LF would end the data */
	ST_TEXT,       /* inside a line */
	ST_CR,         /* CR inside a line: LF would end the line */
	ST_END         /* the terminator was consumed */
};

struct correu_dot_decoder {
	size_t max_line;   /* 0: no limit */
	uint32_t flags;
	int state;         /* enum dot_state */
	uint64_t line_off; /* stream offset of the current wire line */
	uint64_t off;      /* stream offset of in[0] in the current call */
	int err;           /* first error in the body, or 0 */
	uint64_t err_off;
};

/* What a normalised bare line end is written as (its LF alone after a CR
 * already returned). Constant storage, so a piece can point at it. */
static const uint8_t crlf[2] = { '\r', '\n' };

size_t correu_dot_decoder_sizeof(void)
{
	return sizeof(correu_dot_decoder) + _Alignof(correu_dot_decoder) - 1;
}

int correu_dot_decoder_init(void *mem, size_t mem_len, size_t max_line, uint32_t flags,
                            correu_dot_decoder **dec_out)
{
	correu_dot_decoder *d;

	if (!dec_out)
		return CORREU_ERR_ARG;
	*dec_out = NULL;
	d = correu__codec_place(mem, mem_len, sizeof(*d), _Alignof(correu_dot_decoder));
	if (!d || (flags & ~CORREU_DOT_NORMALISE))
		return CORREU_ERR_ARG;
	d->max_line = max_line;
	d->flags = flags;
	correu_dot_decoder_reset(d);
	*dec_out = d;
	return 0;
}

void correu_dot_decoder_reset(correu_dot_decoder *d)
{
	if (!d)
		return;
	d->state = ST_LINE_START;
	d->line_off = 0;
	d->off = 0;
	d->err = 0;
	d->err_off = 0;
}

int correu_dot_decoder_error(const correu_dot_decoder *d, uint64_t *offset_out)
{
	if (offset_out)
		*offset_out = d && d->err ? d->err_off : 0;
	return d ? d->err : 0;
}

/* Only the first error counts; from it on the body is discarded. */
static void fail(correu_dot_decoder *d, int err, uint64_t at)
{
	if (!d->err) {
		d->err = err;
		d->err_off = at;
	}
}

/* Consume up to p and return the n bytes at data as the next piece. */
static int piece(correu_dot_decoder *d, const uint8_t *in, const uint8_t *p, size_t *consumed_out,
                 const uint8_t *data, size_t n, const uint8_t **data_out, size_t *data_len_out)
{
	*consumed_out = (size_t)(p - in);
	d->off += (uint64_t)*consumed_out;
	if (n) {
		*data_out = data;
		*data_len_out = n;
	}
	return 0;
}

/*
 * The body is every byte before the first fault, whatever the split: so at
 * a fault with undelivered bytes before it, those are returned first and
 * the fault is met again, with nothing before it, by the next call. A CR
 * is held back until its follower is seen for the same reason.
 */
int correu_dot_decoder_feed(correu_dot_decoder *d, const uint8_t *in, size_t len,
                            size_t *consumed_out, const uint8_t **data_out, size_t *data_len_out)
{
	const uint8_t *p = in, *end;
	const uint8_t *seg = NULL; /* start of the run of body bytes ending at p */
	bool normalise;

	if (!d || !consumed_out || !data_out || !data_len_out || (!in && len))
		return CORREU_ERR_ARG;
	*consumed_out = 0;
	*data_out = NULL;
	*data_len_out = 0;
	if (d->state == ST_END)
		return CORREU_ERR_STATE;
	if (len == 0)
		return 0;
	end = in + len; /* only now: in may be NULL when len is 0 */
	normalise = d->flags & CORREU_DOT_NORMALISE;
/* Stream offset of x; is there a run to deliver before x; deliver it. */
#define POS(x) (d->off + (uint64_t)((x) - in))
#define RUN_BEFORE(x) (seg && (x) > seg && !d->err)
#define DELIVER(x) piece(d, in, (x), consumed_out, seg, (size_t)((x) - seg), data_out, data_len_out)
#define INSERT(x, s, n) piece(d, in, (x), consumed_out, (s), (n), data_out, data_len_out)
	while (p < end) {
		switch (d->state) {
		case ST_LINE_START:
			d->line_off = POS(p);
			if (*p != '.') {
				d->state = ST_TEXT;
				break;
			}
			/* The "." is stuffing or the terminator, never body. */
			if (RUN_BEFORE(p))
				return DELIVER(p);
			seg = NULL;
			d->state = ST_DOT;
			p++;
			break;
		case ST_DOT:
			if (*p == '\r') {
				d->state = ST_DOT_CR;
				p++;
			} else {
				d->state = ST_TEXT; /* the dot was stuffing */
			}
			break;
		case ST_DOT_CR:
			if (*p == '\n') {
				/* CRLF "." CRLF: the end (RFC 5321 §4.5.2). */
				d->state = ST_END;
				INSERT(p + 1, NULL, 0);
				return d->err ? d->err : CORREU_DOT_END;
			}
			/* "." then a bare CR: stuffing, then a bad line end. */
			d->state = ST_TEXT;
			if (!normalise) {
				fail(d, CORREU_ERR_BARE_EOL, POS(p) - 1);
				break;
			}
			d->line_off = POS(p);
			if (!d->err)
				return INSERT(p, crlf, 2);
			break;
		case ST_TEXT: {
			const uint8_t *scan_end = end;
			bool capped = false;

			if (!seg)
				seg = p;
			if (d->max_line && !d->err) {
				size_t room = d->max_line - (size_t)(POS(p) - d->line_off);

				if ((size_t)(end - p) > room) {
					scan_end = p + room + 1;
					capped = true;
				}
			}
			p = correu__find_eol(p, scan_end);
			if (p == scan_end) {
				if (!capped)
					break;
				/* p - 1 is the first byte past max_line. */
				if (RUN_BEFORE(p - 1))
					return DELIVER(p - 1);
				fail(d, CORREU_ERR_LIMIT, POS(p - 1));
				break;
			}
			if (*p == '\r') {
				d->state = ST_CR;
				p++;
				break;
			}
			/* A bare LF. */
			if (RUN_BEFORE(p))
				return DELIVER(p);
			seg = NULL;
			if (!normalise) {
				fail(d, CORREU_ERR_BARE_EOL, POS(p));
				p++;
				break;
			}
			p++;
			d->line_off = POS(p);
			if (!d->err)
				return INSERT(p, crlf, 2);
			break;
		}
		case ST_CR:
			if (*p == '\n') {
				d->state = ST_LINE_START;
				p++;
				/* A CR held from the last call goes out with its LF. */
				if (!seg && !d->err)
					return INSERT(p, crlf, 2);
				break;
			}
			/* A bare CR: before p if this call saw it, else held. */
			if (seg && RUN_BEFORE(p - 1)) {
				d->state = ST_TEXT;
				return DELIVER(p - 1);
			}
			seg = NULL;
			d->state = ST_TEXT;
			if (!normalise) {
				fail(d, CORREU_ERR_BARE_EOL, POS(p) - 1);
				break;
			}
			d->line_off = POS(p);
			if (!d->err)
				return INSERT(p, crlf, 2);
			break;
		default:
			return CORREU_ERR_INTERNAL;
		}
	}
	/* A CR at the very end is held until its follower is known. */
	if (d->state == ST_CR && seg) {
		if (RUN_BEFORE(p - 1))
			return piece(d, in, p, consumed_out, seg, (size_t)(p - 1 - seg), data_out,
			             data_len_out);
	} else if (RUN_BEFORE(p)) {
		return DELIVER(p);
	}
	return INSERT(p, NULL, 0);
#undef POS
#undef RUN_BEFORE
#undef DELIVER
#undef INSERT
}
