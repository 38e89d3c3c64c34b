/*
 * Message bytes into the store (SMTP layer, server side). The body of DATA
 * goes through the codec's dot decoder, which ends it only at CRLF "."
 * CRLF and reports a bare CR or LF without ever treating one as a line end
 * (so "\n.\n", "\r.\r", "\r\n.\n" and their kin are data, not the end: no
 * SMTP smuggling). BDAT chunks are taken as counted bytes. Bytes gather in
 * a chunk of `max_chunk` that is handed to the backend when full; the
 * trace header goes first. Only after the backend's commit completes, the
 * message being durable, is the final reply queued (one per recipient for
 * LMTP, RFC 2033 section 4.2). A refused message is read to its end and
 * then dropped by closing the delivery.
 */
#include <stdio.h>
#include <string.h>

#include "smtpd_int.h"

void correu__smtpd_body_fail(correu__smtpd *s, uint32_t code, const char *enh, const char *text)
{
	if (s->body_failed)
		return; /* the first reason is the one reported */
	s->body_failed = true;
	s->fail_code = code;
	snprintf(s->fail_enh, sizeof(s->fail_enh), "%s", enh);
	snprintf(s->fail_text, sizeof(s->fail_text), "%s", text);
}

int correu__smtpd_body_begin(correu__smtpd *s)
{
	correu__buf hdr;
	int rc;

	if (!s->chunk) {
		s->chunk = correu__alloc(s->alloc, s->svc->set.max_chunk);
		if (!s->chunk)
			return CORREU_ERR_NOMEM;
	}
	if (!s->dot) {
		uint32_t flags = (s->svc->set.flags & CORREU_SMTP_SERVER_NORMALISE)
		                         ? CORREU_DOT_NORMALISE
		                         : 0;

		rc = correu_dot_decoder_init(s->dot_mem, correu_dot_decoder_sizeof(),
		                             s->svc->set.max_body_line, flags, &s->dot);
		if (rc < 0)
			return rc;
	}
	s->chunk_len = 0;
	s->body_size = 0;
	s->body_failed = false;
	correu__buf_init(&hdr, s->alloc, s->svc->set.max_chunk);
	rc = correu__smtpd_received(s, &hdr);
	if (rc == 0) {
		memcpy(s->chunk, hdr.data, hdr.len);
		s->chunk_len = hdr.len;
	}
	correu__buf_free(&hdr, false);
	return rc;
}

/* Message bytes: counted against the limit, gathered unless refused. */
static void add(correu__smtpd *s, const uint8_t *p, size_t n)
{
	if (n > s->svc->set.max_message - s->body_size) {
		correu__smtpd_body_fail(s, 552, "5.3.4", "Message too big for this server");
		s->body_size = s->svc->set.max_message;
	} else {
		s->body_size += n;
	}
	if (s->body_failed || s->bdat_discard)
		return;
	memcpy(s->chunk + s->chunk_len, p, n);
	s->chunk_len += n;
}

/* Hand the gathered bytes to the backend (which copies them). */
static int flush(correu__smtpd *s, bool last)
{
	correu_store_req *req;
	int rc;

	rc = correu__smtpd_req(s, last ? W_CHUNK_END : W_CHUNK, &req);
	if (rc < 0)
		return rc;
	rc = correu_store_deliver_data(req, s->delivery, s->chunk, s->chunk_len);
	s->chunk_len = 0;
	if (rc == CORREU_PAUSE)
		return 0;
	s->wait = W_NONE;
	return correu__smtpd_chunk_done(s, last, rc);
}

static int commit(correu__smtpd *s)
{
	correu_store_req *req;
	int rc;

	rc = correu__smtpd_req(s, W_COMMIT, &req);
	if (rc < 0)
		return rc;
	s->lmtp_replies = 0;
	rc = correu_store_deliver_commit(req, s->delivery);
	if (rc == CORREU_PAUSE)
		return 0;
	s->wait = W_NONE;
	return correu__smtpd_commit_done(s, rc);
}

/* The refusal decided while reading: at the end of the message one per
 * LMTP recipient, else one; the delivery is then dropped. */
static int refuse(correu__smtpd *s, bool final)
{
	bool lmtp = s->svc->set.mode == CORREU_SMTP_SERVER_LMTP;
	uint32_t n = lmtp && final && !s->bdat_discard ? s->naccepted : 1;
	int rc = 0;

	for (uint32_t i = 0; i < n && rc == 0; i++)
		rc = correu__smtpd_reply(s, s->fail_code, s->fail_enh, s->fail_text);
	if (s->bdat_discard) {
		/* No transaction was touched; only this chunk is refused. */
		s->bdat_discard = false;
		s->body_failed = false;
		return rc;
	}
	correu__smtpd_txn_reset(s);
	return rc;
}

/* The whole message has been read. */
static int body_end(correu__smtpd *s)
{
	s->phase = PH_CMD;
	if (s->body_failed)
		return refuse(s, true);
	if (s->chunk_len)
		return flush(s, true);
	return commit(s);
}

int correu__smtpd_chunk_done(correu__smtpd *s, bool last, int rc)
{
	correu_store_result r = { .version = CORREU_STORE_RESULT_VERSION };

	if (rc < 0) {
		char enh[16];

		if (rc == CORREU_ERR_NOMEM) {
			correu__smtpd_req_end(s);
			return rc;
		}
		if (rc == CORREU_ERR_REPLY && correu_store_req_result(s->req, &r) == 0 &&
		    r.reply_code >= 400 && r.reply_code <= 599) {
			snprintf(enh, sizeof(enh), "%u.%u.%u", (unsigned)r.reply_code / 100,
			         (unsigned)r.enhanced[1], (unsigned)r.enhanced[2]);
			correu__smtpd_body_fail(s, r.reply_code, enh,
			                        r.text ? r.text : "Message refused");
		} else if (rc == CORREU_ERR_LIMIT) {
			correu__smtpd_body_fail(s, 552, "5.3.4", "Message too big for this server");
		} else {
			correu__smtpd_body_fail(s, 451, "4.3.0",
			                        "Temporary local problem, try again later");
		}
	}
	correu__smtpd_req_end(s);
	if (!last)
		return 0;
	if (s->body_failed)
		return refuse(s, true);
	return commit(s);
}

int correu__smtpd_commit_done(correu__smtpd *s, int rc)
{
	correu_store_result r = { .version = CORREU_STORE_RESULT_VERSION };
	bool lmtp = s->svc->set.mode == CORREU_SMTP_SERVER_LMTP;

	if (correu_store_req_result(s->req, &r) < 0 || (rc < 0 && rc != CORREU_ERR_REPLY))
		r.reply_code = 0;
	if (!lmtp) {
		rc = rc == 0 && r.reply_code == 0 ? correu__smtpd_reply(s, 250, "2.0.0", "Ok")
		                                  : correu__smtpd_reply_store(s, &r);
	} else {
		/* Recipients the hook gave no reply (a commit refused before
		 * the backend saw it) get a temporary failure: never silence. */
		rc = 0;
		for (uint32_t i = s->lmtp_replies; i < s->naccepted && rc == 0; i++)
			rc = correu__smtpd_reply(s, 451, "4.3.0", "Temporary local problem");
	}
	correu__smtpd_req_end(s);
	correu__smtpd_txn_reset(s);
	return rc;
}

/* BDAT: a chunk has been read in full. */
int correu__smtpd_chunk_end(correu__smtpd *s)
{
	char text[64];

	if (s->bdat_last && !s->bdat_discard)
		return body_end(s);
	if (s->bdat_discard || s->body_failed) {
		s->phase = PH_CMD;
		return refuse(s, false);
	}
	s->phase = PH_CMD;
	snprintf(text, sizeof(text), "%llu octets received", (unsigned long long)s->body_size);
	return correu__smtpd_reply(s, 250, "2.0.0", text);
}

static correu_ssize feed_bdat(correu__smtpd *s, const uint8_t *in, size_t len)
{
	size_t room = s->svc->set.max_chunk - s->chunk_len;
	size_t n = len;
	int rc;

	if (room == 0 && !s->body_failed && !s->bdat_discard) {
		rc = flush(s, false);
		return rc < 0 ? rc : 0;
	}
	if (n > s->bdat_left)
		n = (size_t)s->bdat_left;
	if (n > room && !s->body_failed && !s->bdat_discard)
		n = room;
	add(s, in, n);
	s->bdat_left -= n;
	if (s->bdat_left == 0) {
		rc = correu__smtpd_chunk_end(s);
		if (rc < 0)
			return rc;
	}
	return (correu_ssize)n;
}

static correu_ssize feed_data(correu__smtpd *s, const uint8_t *in, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t room = s->svc->set.max_chunk - s->chunk_len, used, dlen, n;
		const uint8_t *data;
		int rc;

		/* Each input byte yields at most two body bytes (a normalised
		 * bare line end), so half the room is always enough. */
		if (room < 2 && !s->body_failed) {
			rc = flush(s, false);
			return rc < 0 ? rc : (correu_ssize)off;
		}
		n = len - off;
		if (!s->body_failed && n > room / 2)
			n = room / 2;
		rc = correu_dot_decoder_feed(s->dot, in + off, n, &used, &data, &dlen);
		off += used;
		if (dlen)
			add(s, data, dlen);
		if (rc == CORREU_DOT_END || rc == CORREU_ERR_BARE_EOL || rc == CORREU_ERR_LIMIT) {
			if (rc == CORREU_ERR_BARE_EOL)
				correu__smtpd_body_fail(
					s, 550, "5.6.0",
					"Bare CR or LF in message, use CRLF line ends");
			else if (rc == CORREU_ERR_LIMIT)
				correu__smtpd_body_fail(s, 550, "5.6.0", "Message line too long");
			rc = body_end(s);
			return rc < 0 ? rc : (correu_ssize)off;
		}
		if (rc < 0)
			return rc;
	}
	return (correu_ssize)off;
}

correu_ssize correu__smtpd_body_feed(correu__smtpd *s, const uint8_t *in, size_t len)
{
	return s->phase == PH_BDAT ? feed_bdat(s, in, len) : feed_data(s, in, len);
}
