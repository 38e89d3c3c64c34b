/*
 * One message through the blocking SMTP session (SMTP layer, driver): the
 * envelope is queued (pipelined when offered), the body is pulled from a
 * reader in bounded chunks and pushed as fast as the connection takes it,
 * and the per-recipient results are kept for the caller. Buffer and file
 * descriptor sources are readers too, so no message is ever held whole.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "session_int.h"

#define CHUNK 16384

static bool body_or_idle(const correu_smtp_session *s)
{
	return correu_smtp_client_body_ready(s->c) || correu_smtp_client_idle(s->c);
}

static bool idle(const correu_smtp_session *s)
{
	return correu_smtp_client_idle(s->c);
}

int correu__smtp_session_envelope(correu_smtp_session *s, const correu_smtp_envelope *env,
                                  uint64_t size_hint)
{
	correu_smtp_mail_params mp;
	int rc;

	if (env->mail)
		mp = *env->mail;
	else {
		memset(&mp, 0, sizeof(mp));
		mp.version = CORREU_SMTP_MAIL_PARAMS_VERSION;
	}
	if (!mp.size)
		mp.size = size_hint;
	rc = correu_smtp_client_mail(s->c, env->from, strlen(env->from), &mp);
	if (rc < 0)
		return rc;
	for (size_t i = 0; rc >= 0 && i < env->to_count; i++)
		rc = correu_smtp_client_rcpt(s->c, env->to[i], strlen(env->to[i]), env->rcpt);
	if (rc >= 0)
		rc = correu_smtp_client_data(s->c);
	if (rc < 0 && correu_smtp_client_error(s->c) == 0) {
		/* A recipient refused locally after MAIL was queued: take the
		 * transaction back so the session stays usable. */
		int r2 = correu_smtp_client_rset(s->c);

		(void)r2;
	}
	return rc < 0 ? rc : 0;
}

/* Feed one chunk whole, writing and reading as the core asks. */
static int feed_chunk(correu_smtp_session *s, const uint8_t *p, size_t n)
{
	while (n > 0) {
		correu_ssize k = correu_smtp_client_body(s->c, p, n);

		if (k == CORREU_ERR_WANT_READ || k == 0) {
			int rc = correu__smtp_session_io(s);

			if (rc < 0)
				return rc;
			continue;
		}
		if (k < 0)
			return (int)k;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int correu__smtp_session_body(correu_smtp_session *s, correu_smtp_reader_fn reader, void *ud,
                              uint64_t total)
{
	uint8_t *buf = correu__alloc(s->base.alloc, CHUNK);
	uint64_t sent = 0;
	int rc = 0;

	if (!buf)
		return CORREU_ERR_NOMEM;
	for (;;) {
		correu_ssize n = reader(buf, CHUNK, ud);

		if (n == 0)
			break;
		if (n < 0 || (size_t)n > CHUNK) {
			rc = n < 0 ? (int)n : CORREU_ERR_ARG;
			break;
		}
		rc = feed_chunk(s, buf, (size_t)n);
		if (rc < 0)
			break;
		sent += (uint64_t)n;
		if (s->opts.progress && (rc = s->opts.progress(sent, total, s->opts.progress_userdata)) < 0)
			break;
	}
	correu__free(s->base.alloc, buf, CHUNK);
	if (rc == CORREU_ERR_REPLY)
		return rc; /* a BDAT chunk refused: the server ended the transaction */
	if (rc < 0) {
		/* A message cut short must never be ended: that would deliver it.
		 * The connection is given up instead. */
		if (!s->base.error)
			s->base.error = rc;
		return rc;
	}
	while ((rc = correu_smtp_client_body_end(s->c)) == CORREU_ERR_WANT_WRITE ||
	       rc == CORREU_ERR_WANT_READ) {
		rc = correu__smtp_session_io(s);
		if (rc < 0)
			return rc;
	}
	return rc;
}

int correu_smtp_session_send(correu_smtp_session *s, const correu_smtp_envelope *env,
                             correu_smtp_reader_fn reader, void *userdata, uint64_t size_hint)
{
	uint32_t accepted = 0;
	int rc;

	if (!s || !env || !reader || env->version != CORREU_SMTP_ENVELOPE_VERSION || !env->from ||
	    !env->to || env->to_count == 0 || env->to_count > UINT32_MAX)
		return CORREU_ERR_ARG;
	if (s->base.error)
		return s->base.error;
	if (s->rcpt_codes)
		correu__free(s->base.alloc, s->rcpt_codes, s->nrcpt * sizeof(*s->rcpt_codes));
	s->nrcpt = 0;
	s->rcpt_codes = correu__calloc(s->base.alloc, env->to_count * sizeof(*s->rcpt_codes));
	if (!s->rcpt_codes)
		return CORREU_ERR_NOMEM;
	s->nrcpt = env->to_count;
	s->data_end_code = 0;
	s->delivered = 0;
	rc = correu__smtp_session_envelope(s, env, size_hint);
	if (rc == 0)
		rc = correu__smtp_session_until(s, body_or_idle);
	if (rc < 0)
		return rc;
	if (!correu_smtp_client_body_ready(s->c))
		return CORREU_ERR_REPLY; /* MAIL, every RCPT or DATA refused */
	rc = correu__smtp_session_body(s, reader, userdata, size_hint);
	if (rc == 0)
		rc = correu__smtp_session_until(s, idle);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < s->nrcpt; i++)
		if (s->rcpt_codes[i] >= 200 && s->rcpt_codes[i] < 300)
			accepted++;
	if (s->set.flags & CORREU_SMTP_LMTP)
		return s->delivered ? (int)s->delivered : CORREU_ERR_REPLY;
	if (s->data_end_code < 200 || s->data_end_code >= 300)
		return CORREU_ERR_REPLY;
	return (int)(accepted & INT32_MAX);
}

correu_ssize correu__smtp_mem_read(uint8_t *buf, size_t cap, void *userdata)
{
	struct correu__smtp_mem *m = userdata;
	size_t n = m->left < cap ? m->left : cap;

	if (n)
		memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (correu_ssize)n;
}

int correu_smtp_session_send_buf(correu_smtp_session *s, const correu_smtp_envelope *env,
                                 const uint8_t *msg, size_t len)
{
	struct correu__smtp_mem m = { msg, len };

	if (len && !msg)
		return CORREU_ERR_ARG;
	return correu_smtp_session_send(s, env, correu__smtp_mem_read, &m, len);
}

static correu_ssize fd_read(uint8_t *buf, size_t cap, void *userdata)
{
	int fd = *(const int *)userdata;

	for (;;) {
		ssize_t n = read(fd, buf, cap);

		if (n >= 0)
			return (correu_ssize)n;
		if (errno != EINTR)
			return CORREU_ERR_IO;
	}
}

int correu_smtp_session_send_fd(correu_smtp_session *s, const correu_smtp_envelope *env, int fd)
{
	if (fd < 0)
		return CORREU_ERR_ARG;
	return correu_smtp_session_send(s, env, fd_read, &fd, 0);
}

uint32_t correu_smtp_session_rcpt_code(const correu_smtp_session *s, size_t i)
{
	return s && i < s->nrcpt ? s->rcpt_codes[i] : 0;
}
