/*
 * Reading messages through the default backend (store layer). IMAP and
 * POP3 deliver messages with CRLF line ends (RFC 9051 section 2.3.4,
 * RFC 1939 section 3), while Maildir files often hold bare LFs: the stream
 * turns each bare LF into CRLF, chunk by chunk, and RFC822.SIZE counts the
 * same bytes.
 */
#include <string.h>

#include "mdbe_int.h"

/* Raw bytes read from the file per refill. */
#define RAW 4096

struct mdbe_stream {
	correu_maildir_reader *r;
	uint8_t raw[RAW];
	size_t pos, len;
	bool prev_cr; /* the last byte handed out was CR */
	bool owe_lf;  /* a CR was handed out for a bare LF; its LF is due */
	bool eof;
	uint8_t out[RAW * 2];
};

int correu__mdbe_vsize(correu_maildir_box *box, uint32_t uid, uint64_t *out)
{
	correu_maildir_reader *r;
	uint8_t buf[RAW];
	uint64_t v = 0;
	bool prev_cr = false;
	correu_ssize n;
	int rc = correu_maildir_reader_open(box, uid, &r);

	if (rc < 0)
		return rc;
	while ((n = correu_maildir_reader_read(r, buf, sizeof(buf))) > 0) {
		for (correu_ssize i = 0; i < n; i++) {
			v += 1 + (buf[i] == '\n' && !prev_cr);
			prev_cr = buf[i] == '\r';
		}
	}
	correu_maildir_reader_free(r);
	if (n < 0)
		return (int)n;
	*out = v;
	return 0;
}

int correu__mdbe_message_open(correu_store_req *req, void *box, uint32_t uid, void *ud)
{
	struct mdbe_box *b = box;
	struct mdbe_stream *s = correu__calloc(MB(ud)->alloc, sizeof(*s));
	int rc;

	if (!s)
		return correu_store_complete(req, CORREU_ERR_NOMEM);
	rc = correu_maildir_reader_open(b->box, uid, &s->r);
	if (rc < 0) {
		correu__free(MB(ud)->alloc, s, sizeof(*s));
		return correu_store_complete(req, rc);
	}
	return correu_store_complete_handle(req, s);
}

int correu__mdbe_stream_read(correu_store_req *req, void *stream, size_t max, void *ud)
{
	struct mdbe_stream *s = stream;
	size_t n = 0, cap = max < sizeof(s->out) ? max : sizeof(s->out);

	(void)ud;
	while (n < cap) {
		const uint8_t *p, *lf;
		size_t run;

		if (s->owe_lf) {
			s->out[n++] = '\n';
			s->owe_lf = false;
			s->prev_cr = false;
			continue;
		}
		if (s->pos == s->len) {
			correu_ssize got;

			if (s->eof || n > 0)
				break; /* hand out what we have before reading again */
			got = correu_maildir_reader_read(s->r, s->raw, sizeof(s->raw));
			if (got < 0)
				return correu_store_complete(req, (int)got);
			s->pos = 0;
			s->len = (size_t)got;
			s->eof = got == 0;
			continue;
		}
		/* Copy the run up to the next LF at once: only LFs need a
		 * look, and most lines are long. */
		p = s->raw + s->pos;
		run = s->len - s->pos < cap - n ? s->len - s->pos : cap - n;
		lf = memchr(p, '\n', run);
		if (lf != p) {
			run = lf ? (size_t)(lf - p) : run;
			memcpy(s->out + n, p, run);
			n += run;
			s->pos += run;
			s->prev_cr = p[run - 1] == '\r';
			continue;
		}
		s->pos++;
		if (s->prev_cr) {
			s->out[n++] = '\n';
			s->prev_cr = false;
		} else {
			s->out[n++] = '\r';
			s->owe_lf = true; /* may go out in the next chunk */
		}
	}
	return correu_store_complete_data(req, n ? s->out : NULL, n);
}

int correu__mdbe_stream_close(void *stream, void *ud)
{
	struct mdbe_stream *s = stream;

	correu_maildir_reader_free(s->r);
	correu__free(MB(ud)->alloc, s, sizeof(*s));
	return 0;
}
