/*
 * RETR and TOP (POP3 layer, server side; RFC 1939 sections 7 and 9): the
 * message is read from the store's stream one bounded chunk at a time,
 * dot-stuffed on its way to the output and ended with CRLF "." CRLF, and
 * the next chunk is asked for only when the output has drained below one
 * chunk, so a message of any size costs a few chunks of memory. TOP sends
 * the header, the blank line that ends it, and exactly n lines of the body,
 * counted by their line ends (RFC 1939 section 7: "the first n lines").
 * Once "+OK" is out, a failing store can only end the session: no "-ERR"
 * can follow inside a multi-line answer. RETR marks the message read, as
 * Dovecot does and TOP does not: \Seen is added at QUIT with the
 * deletions (server_quit.c), so a session that ends without QUIT changes
 * nothing in the maildrop.
 */
#include <stdio.h>
#include <string.h>

#include "pop3d_int.h"

void correu__pop3d_body_end(correu__pop3d *s)
{
	correu_store_stream_close(s->stream);
	s->stream = NULL;
	if (s->job == J_BODY)
		s->job = J_NONE;
}

int correu__pop3d_retr(correu__pop3d *s, const correu__pop3d_cmd *c)
{
	const char *a = c->arg, *b;
	size_t alen = c->arg_len, blen;
	correu_store_req *req;
	uint32_t i, lines = 0;
	int rc;

	s->top = c->verb == V_TOP;
	if (s->top && (correu__pop3d_two(c->arg, c->arg_len, &a, &alen, &b, &blen) < 0 ||
	               correu__pop3d_u32(b, blen, &lines) < 0))
		return correu__pop3d_err(s, NULL, "Usage: TOP msg lines");
	rc = correu__pop3d_msgno(s, a, alen, &i);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	s->cursor = i;
	s->lines_left = lines;
	rc = correu__pop3d_req(s, W_OPEN, &req);
	if (rc < 0)
		return rc;
	return correu__pop3d_started(s, correu_store_message_open(req, s->box, s->msgs[i].uid));
}

int correu__pop3d_open_done(correu__pop3d *s, int rc)
{
	char text[64];

	if (rc == 0)
		rc = correu_store_req_take_stream(s->req, &s->stream);
	if (rc == CORREU_ERR_NOMEM)
		return rc;
	if (rc == CORREU_ERR_NOT_FOUND)
		return correu__pop3d_err(s, NULL, "Message was removed by another session");
	if (rc < 0)
		return correu__pop3d_err(s, "SYS/TEMP", "Cannot read the message now");
	correu_dot_encoder_reset(s->enc);
	s->in_body = s->line_nonempty = s->cut = s->stream_end = false;
	s->job = J_BODY;
	if (s->top)
		return correu__pop3d_ok(s, "Top of message follows");
	s->msgs[s->cursor].retr = 1;
	snprintf(text, sizeof(text), "%llu octets", (unsigned long long)s->msgs[s->cursor].size);
	return correu__pop3d_ok(s, text);
}

/* TOP: how much of this chunk to send; sets `cut` at the end of the last
 * line wanted. A line ends at LF (the store gives CRLF; a bare LF from a
 * lax one is counted the same, as it is sent as a line end). */
static size_t top_cut(correu__pop3d *s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool was_empty = !s->line_nonempty;

		if (p[i] != '\n') {
			if (p[i] != '\r')
				s->line_nonempty = true;
			continue;
		}
		s->line_nonempty = false;
		if (!s->in_body) {
			/* The empty line that ends the header (RFC 5322 section 2.1). */
			if (!was_empty)
				continue;
			s->in_body = true;
		} else {
			s->lines_left--;
		}
		if (s->lines_left == 0) {
			s->cut = true;
			return i + 1;
		}
	}
	return n;
}

/* Dot-stuff bytes into the output (RFC 1939 section 3). */
static int encode(correu__pop3d *s, const uint8_t *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		size_t used = 0, wrote = 0;
		/* Normalising a bare LF doubles it at worst; a stuffed dot adds
		 * one byte per line. */
		int rc = correu__buf_reserve(&s->out.buf, 2 * (n - done) + 8);

		if (rc < 0)
			return rc;
		rc = correu_dot_encoder_feed(s->enc, p + done, n - done, &used,
		                             s->out.buf.data + s->out.buf.len,
		                             s->out.buf.cap - s->out.buf.len, &wrote);
		s->out.buf.len += wrote;
		if (rc < 0)
			return rc;
		done += used;
	}
	return correu__pop3d_raw(s, "", 0);
}

static int finish(correu__pop3d *s)
{
	int rc;

	correu__pop3d_body_end(s);
	do {
		size_t wrote = 0;

		rc = correu__buf_reserve(&s->out.buf, 8);
		if (rc < 0)
			return rc;
		rc = correu_dot_encoder_finish(s->enc, s->out.buf.data + s->out.buf.len,
		                               s->out.buf.cap - s->out.buf.len, &wrote);
		s->out.buf.len += wrote;
	} while (rc == 0);
	return rc < 0 ? rc : correu__pop3d_raw(s, "", 0);
}

int correu__pop3d_body_more(correu__pop3d *s)
{
	correu_store_req *req;
	int rc;

	if (s->cut || s->stream_end)
		return finish(s);
	rc = correu__pop3d_req(s, W_READ, &req);
	if (rc < 0)
		return rc;
	return correu__pop3d_started(s, correu_store_stream_read(req, s->stream,
	                                                         s->svc->set.max_chunk));
}

int correu__pop3d_read_done(correu__pop3d *s, int rc)
{
	correu_store_result r = { .version = CORREU_STORE_RESULT_VERSION };
	size_t n;

	if (rc == 0)
		rc = correu_store_req_result(s->req, &r);
	if (rc < 0) {
		correu__pop3d_log(s, CORREU_LOG_ERROR, "reading a message from the store failed");
		return rc;
	}
	if (r.data_len == 0) {
		s->stream_end = true;
		return 0;
	}
	n = s->top ? top_cut(s, r.data, r.data_len) : r.data_len;
	return encode(s, r.data, n);
}
