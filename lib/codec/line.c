/*
 * CRLF line framing (codec layer). Splits a byte stream into lines for the
 * SMTP, POP3 and IMAP cores: zero-copy when a line lies in one chunk, else
 * assembled in a caller buffer; a hard line limit checked before copying;
 * bare CR and LF refused (RFC 5321 §2.3.8) unless the caller asks for them
 * to be taken as line ends. The result never depends on how the input was
 * split: a CR at the end of a chunk waits for the next byte to decide.
 */
#include "codec_internal.h"

struct correu_line_decoder {
	uint8_t *buf;      /* caller's buffer for a line split over chunks */
	size_t max_line;   /* longest line, line end not counted */
	uint32_t flags;
	size_t used;       /* bytes of the current line held in buf */
	bool cr_pending;   /* the last byte taken was a CR; its follower unseen */
	bool skipping;     /* discarding the rest of an over-long line */
	bool bare;         /* the current line holds a bare CR or LF */
	uint64_t bare_off; /* stream offset of the first of them */
	uint64_t line_off; /* stream offset of the current line's first byte */
	uint64_t off;      /* stream offset of in[0] in the current call */
	int err;           /* last error reported */
	uint64_t err_off;
};

/* The result of one feed call, filled by the helpers below. */
struct feed_out {
	const uint8_t *in;
	size_t *consumed;
	const uint8_t **line;
	size_t *line_len;
};

size_t correu_line_decoder_sizeof(void)
{
	return sizeof(correu_line_decoder) + _Alignof(correu_line_decoder) - 1;
}

int correu_line_decoder_init(void *mem, size_t mem_len, uint8_t *buf, size_t buf_len,
                             size_t max_line, uint32_t flags, correu_line_decoder **dec_out)
{
	correu_line_decoder *d;

	if (!dec_out)
		return CORREU_ERR_ARG;
	*dec_out = NULL;
	d = correu__codec_place(mem, mem_len, sizeof(*d), _Alignof(correu_line_decoder));
	if (!d || !buf || max_line == 0 || buf_len < max_line || (flags & ~CORREU_LINE_NORMALISE))
		return CORREU_ERR_ARG;
	d->buf = buf;
	d->max_line = max_line;
	d->flags = flags;
	correu_line_decoder_reset(d);
	*dec_out = d;
	return 0;
}

void correu_line_decoder_reset(correu_line_decoder *d)
{
	if (!d)
		return;
	d->used = 0;
	d->cr_pending = false;
	d->skipping = false;
	d->bare = false;
	d->bare_off = 0;
	d->line_off = 0;
	d->off = 0;
	d->err = 0;
	d->err_off = 0;
}

size_t correu_line_decoder_pending(const correu_line_decoder *d)
{
	if (!d || d->skipping)
		return 0;
	return d->used + (d->cr_pending ? 1 : 0);
}

int correu_line_decoder_error(const correu_line_decoder *d, uint64_t *offset_out)
{
	if (offset_out)
		*offset_out = d && d->err ? d->err_off : 0;
	return d ? d->err : 0;
}

static uint64_t pos(const correu_line_decoder *d, const struct feed_out *r, const uint8_t *p)
{
	return d->off + (uint64_t)(p - r->in);
}

static void start_line(correu_line_decoder *d, uint64_t at)
{
	d->used = 0;
	d->bare = false;
	d->line_off = at;
}

/* Account for the bytes consumed up to p and return rc. */
static int done(correu_line_decoder *d, const struct feed_out *r, const uint8_t *p, int rc)
{
	*r->consumed = (size_t)(p - r->in);
	d->off += (uint64_t)*r->consumed;
	return rc;
}

static void mark_bare(correu_line_decoder *d, uint64_t at)
{
	if (!d->bare) {
		d->bare = true;
		d->bare_off = at;
	}
}

/*
 * The line ends with the n bytes at `tail` (n <= max_line - used, checked by
 * the caller); its line end runs to p. Zero-copy unless part of it is held.
 */
static int end_line(correu_line_decoder *d, const struct feed_out *r, const uint8_t *tail,
                    size_t n, const uint8_t *p)
{
	int rc = CORREU_LINE_READY;

	if (d->used == 0) {
		*r->line = tail;
		*r->line_len = n;
	} else {
		if (n)
			memcpy(d->buf + d->used, tail, n);
		*r->line = d->buf;
		*r->line_len = d->used + n;
	}
	if (d->bare) {
		/* RFC 5321 §2.3.8: a bare CR or LF is not a line end, and a line
		 * that holds one is reported whole so the caller can refuse it. */
		d->err = rc = CORREU_ERR_BARE_EOL;
		d->err_off = d->bare_off;
	}
	rc = done(d, r, p, rc);
	start_line(d, d->off);
	return rc;
}

/*
 * The line grew past max_line. Report its first max_line bytes, of which
 * max_line - used start at `tail`, and discard the rest up to the line end.
 */
static int over_limit(correu_line_decoder *d, const struct feed_out *r, const uint8_t *tail)
{
	size_t n = d->max_line - d->used;

	if (d->used == 0) {
		*r->line = tail;
	} else {
		if (n)
			memcpy(d->buf + d->used, tail, n);
		*r->line = d->buf;
	}
	*r->line_len = d->max_line;
	d->err = CORREU_ERR_LIMIT;
	d->err_off = d->line_off + d->max_line;
	d->skipping = true;
	d->used = 0;
	d->bare = false;
	return done(d, r, tail + n, CORREU_ERR_LIMIT);
}

/* Hold the n bytes at p as part of a line still open. */
static void hold(correu_line_decoder *d, const uint8_t *p, size_t n)
{
	if (n)
		memcpy(d->buf + d->used, p, n);
	d->used += n;
}

/*
 * Discard bytes of an over-long line up to its line end (by the same rules
 * as a normal line). Returns where the next line starts, or `end` with
 * d->skipping still set when the chunk ran out first.
 */
static const uint8_t *skip_line(correu_line_decoder *d, const uint8_t *p, const uint8_t *end)
{
	bool normalise = d->flags & CORREU_LINE_NORMALISE;

	while (p < end) {
		const uint8_t *q = correu__find_eol(p, end);

		if (q == end)
			return end;
		if (*q == '\r') {
			if (q + 1 == end) {
				d->cr_pending = true;
				return end;
			}
			if (q[1] == '\n') {
				d->skipping = false;
				return q + 2;
			}
		}
		if (normalise) {
			d->skipping = false;
			return q + 1;
		}
		p = q + 1;
	}
	return p;
}

/*
 * A CR ended the previous chunk; p[0] (p < end) decides what it was.
 * Returns 1 when a line or error is to be returned (rc in *rc), else 0
 * with *pp advanced past anything consumed.
 */
static int resolve_cr(correu_line_decoder *d, const struct feed_out *r, const uint8_t **pp,
                      int *rc)
{
	const uint8_t *p = *pp;
	bool normalise = d->flags & CORREU_LINE_NORMALISE;

	d->cr_pending = false;
	if (*p == '\n' || normalise) {
		/* CRLF, or (normalising) a bare CR: either way a line end. */
		if (*p == '\n')
			p++;
		if (d->skipping) {
			d->skipping = false;
			start_line(d, pos(d, r, p));
			*pp = p;
			return 0;
		}
		*rc = end_line(d, r, p, 0, p);
		return 1;
	}
	/* A bare CR, which is part of the line. */
	if (d->skipping)
		return 0;
	if (d->used == d->max_line) {
		*rc = over_limit(d, r, p);
		return 1;
	}
	d->buf[d->used++] = '\r';
	mark_bare(d, pos(d, r, p) - 1);
	return 0;
}

int correu_line_decoder_feed(correu_line_decoder *d, const uint8_t *in, size_t len,
                             size_t *consumed_out, const uint8_t **line_out, size_t *line_len_out)
{
	struct feed_out r = { in, consumed_out, line_out, line_len_out };
	const uint8_t *p = in, *end;
	bool normalise;
	int rc;

	if (!d || !consumed_out || !line_out || !line_len_out || (!in && len))
		return CORREU_ERR_ARG;
	*consumed_out = 0;
	*line_out = NULL;
	*line_len_out = 0;
	if (len == 0)
		return 0;
	end = in + len; /* only now: in may be NULL when len is 0 */
	normalise = d->flags & CORREU_LINE_NORMALISE;
	if (d->cr_pending && resolve_cr(d, &r, &p, &rc))
		return rc;
	if (d->skipping) {
		p = skip_line(d, p, end);
		if (d->skipping)
			return done(d, &r, end, 0);
		start_line(d, pos(d, &r, p));
	}

	const uint8_t *start = p, *q = p, *scan_end = end;
	size_t room = d->max_line - d->used;
	/* Scan no further than one byte past the limit: a peer's endless
	 * line costs no more than max_line + 1 bytes of scanning per call. */
	bool capped = (size_t)(end - p) > room;

	if (capped)
		scan_end = p + room + 1;
	for (;;) {
		q = correu__find_eol(q, scan_end);
		if (q == scan_end) {
			if (capped)
				return over_limit(d, &r, start);
			hold(d, start, (size_t)(end - start));
			return done(d, &r, end, 0);
		}
		if (*q == '\r') {
			if (q + 1 == end) {
				hold(d, start, (size_t)(q - start));
				d->cr_pending = true;
				return done(d, &r, end, 0);
			}
			if (q[1] == '\n')
				return end_line(d, &r, start, (size_t)(q - start), q + 2);
		}
		/* A bare CR or LF: a line end when normalising, else data that
		 * spoils the line (reported when the line is complete). */
		if (normalise)
			return end_line(d, &r, start, (size_t)(q - start), q + 1);
		mark_bare(d, pos(d, &r, q));
		q++;
	}
}
