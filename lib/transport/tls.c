/*
 * TLS on a transport (transport layer, mbedTLS): the per-connection state
 * that correu_transport_starttls() puts on top of a handle's plain stream.
 * mbedTLS reads and writes records through bio callbacks that call the
 * stream's own operations, so TLS works over TCP, the in-memory pair and
 * any stream an application supplies, and WANT_READ/WANT_WRITE pass
 * through unchanged in both directions.
 */
#include <limits.h>
#include <string.h>

#include <mbedtls/net_sockets.h>

#include "tls_int.h"

/* bio: mbedTLS wants an int count, 0 for EOF, or its own WANT codes. */
static int bio_result(correu__tls *s, correu_ssize n, int fail)
{
	if (n > 0)
		return (int)n;
	if (n == CORREU_ERR_WANT_READ)
		return MBEDTLS_ERR_SSL_WANT_READ;
	if (n == CORREU_ERR_WANT_WRITE)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	if (n == CORREU_ERR_EOF)
		return 0;
	s->io_err = n < 0 ? (int)n : CORREU_ERR_IO;
	return fail;
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	correu__tls *s = ctx;

	if (len > INT_MAX)
		len = INT_MAX;
	return bio_result(s, correu__transport_raw_send(s->t, buf, len),
	                  MBEDTLS_ERR_NET_SEND_FAILED);
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	correu__tls *s = ctx;

	if (len > INT_MAX)
		len = INT_MAX;
	return bio_result(s, correu__transport_raw_recv(s->t, buf, len),
	                  MBEDTLS_ERR_NET_RECV_FAILED);
}

/* An mbedTLS result as a correu code; fatal ones stick to the session. */
static int map_err(correu__tls *s, const char *what, int rc)
{
	int err;

	switch (rc) {
	case MBEDTLS_ERR_SSL_WANT_READ:
		return CORREU_ERR_WANT_READ;
	case MBEDTLS_ERR_SSL_WANT_WRITE:
		return CORREU_ERR_WANT_WRITE;
	case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
		return CORREU_ERR_EOF;
	case MBEDTLS_ERR_SSL_CONN_EOF:
		/* No close_notify: the application protocol's own end marker
		 * (QUIT, ".", LOGOUT) tells whether anything was cut off. */
		correu__log(&s->t->log, CORREU_LOG_INFO, "tls: peer closed without close_notify");
		return CORREU_ERR_EOF;
	case MBEDTLS_ERR_NET_SEND_FAILED:
	case MBEDTLS_ERR_NET_RECV_FAILED:
		err = s->io_err ? s->io_err : CORREU_ERR_IO;
		break;
	case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
	case MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE:
		err = CORREU_ERR_CERT;
		break;
	case MBEDTLS_ERR_SSL_ALLOC_FAILED:
		err = CORREU_ERR_NOMEM;
		break;
	default:
		err = CORREU_ERR_TLS;
		break;
	}
	if (err == CORREU_ERR_CERT) {
		char why[160];

		if (correu_cert_flags_text(correu_transport_tls_verify_flags(s->t), why,
		                           sizeof(why)) < 0)
			why[0] = '\0';
		correu__log(&s->t->log, CORREU_LOG_WARN, "tls: %s: certificate rejected: %s", what,
		            why);
	} else {
		correu__tls_log_err(&s->t->log, what, rc);
	}
	s->fatal = err;
	return err;
}

/* Record what a client connects to: an IP address or a DNS name. */
static int set_host(correu__tls *s, const char *host)
{
	size_t n = strlen(host);

	if (n == 0 || n > 255)
		return CORREU_ERR_ARG;
	s->host_size = n + 1;
	s->host = correu__alloc(s->t->alloc, s->host_size);
	if (!s->host)
		return CORREU_ERR_NOMEM;
	memcpy(s->host, host, s->host_size);
	s->ip_len = correu__tls_parse_ip(host, s->ip);
	return 0;
}

static void tls_release(correu__tls *s)
{
	const correu_allocator *alloc = s->t->alloc;

	mbedtls_ssl_free(&s->ssl); /* zeroizes session keys */
	if (s->host) {
		correu_wipe(s->host, s->host_size);
		correu__free(alloc, s->host, s->host_size);
	}
	correu_wipe(s, sizeof(*s));
	correu__free(alloc, s, sizeof(*s));
}

int correu_transport_starttls(correu_transport *t, const correu_tls_config *cfg,
                              const char *host)
{
	correu__tls *s;
	int rc;

	if (!t || !cfg)
		return CORREU_ERR_ARG;
	if (t->tls)
		return CORREU_ERR_STATE;
	if (t->shut)
		return CORREU_ERR_CLOSED;
	if (cfg->role == CORREU_TLS_CLIENT && !host && cfg->verify == CORREU_TLS_VERIFY_DEFAULT)
		return CORREU_ERR_ARG; /* nothing to check the certificate against */
	if (cfg->role == CORREU_TLS_SERVER && !cfg->have_own)
		return CORREU_ERR_ARG;
	s = correu__calloc(t->alloc, sizeof(*s));
	if (!s)
		return CORREU_ERR_NOMEM;
	s->t = t;
	s->cfg = cfg;
	mbedtls_ssl_init(&s->ssl);
	if (cfg->role == CORREU_TLS_CLIENT && host) {
		rc = set_host(s, host);
		if (rc < 0)
			goto fail;
	}
	rc = mbedtls_ssl_setup(&s->ssl, &cfg->conf);
	if (rc != 0) {
		rc = rc == MBEDTLS_ERR_SSL_ALLOC_FAILED ? CORREU_ERR_NOMEM : CORREU_ERR_TLS;
		goto fail;
	}
	/*
	 * SNI carries DNS names only (RFC 6066 section 3); NULL also tells
	 * mbedTLS 3.6+ that host checks are ours. mbedTLS would also
	 * match the name against every kind of subjectAltName; our verify
	 * callback overrides that with type-aware checks (tls_verify.c).
	 */
	if (mbedtls_ssl_set_hostname(&s->ssl, s->host && s->ip_len == 0 ? s->host : NULL) != 0) {
		rc = CORREU_ERR_NOMEM;
		goto fail;
	}
	mbedtls_ssl_set_verify(&s->ssl, correu__tls_verify_cb, s);
	mbedtls_ssl_set_bio(&s->ssl, s, bio_send, bio_recv, NULL);
	t->tls = s;
	return 0;
fail:
	tls_release(s);
	return rc;
}

void correu__tls_free(correu__tls *s)
{
	tls_release(s);
}

int correu_transport_handshake(correu_transport *t)
{
	correu__tls *s;
	int rc;

	if (!t)
		return CORREU_ERR_ARG;
	s = t->tls;
	if (!s || s->done)
		return 0;
	if (s->fatal)
		return s->fatal;
	rc = mbedtls_ssl_handshake(&s->ssl);
	if (rc != 0)
		return map_err(s, "handshake", rc);
	s->done = true;
	correu__log(&t->log, CORREU_LOG_DEBUG, "tls: %s %s", mbedtls_ssl_get_version(&s->ssl),
	            mbedtls_ssl_get_ciphersuite(&s->ssl));
	return 0;
}

correu_ssize correu__tls_send(correu__tls *s, const uint8_t *buf, size_t len)
{
	int rc;

	if (s->fatal)
		return s->fatal;
	if (len > INT_MAX)
		len = INT_MAX;
	rc = mbedtls_ssl_write(&s->ssl, buf, len);
	if (rc >= 0) {
		s->done = true;
		return rc;
	}
	return map_err(s, "write", rc);
}

correu_ssize correu__tls_recv(correu__tls *s, uint8_t *buf, size_t len)
{
	int rc;

	if (s->fatal)
		return s->fatal;
	for (;;) {
		rc = mbedtls_ssl_read(&s->ssl, buf, len);
		if (rc > 0) {
			s->done = true;
			return rc;
		}
		if (rc == 0)
			return CORREU_ERR_EOF;
#if defined(MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
		/* TLS 1.3 tickets (mbedTLS 3.x) are not data: read on. */
		if (rc == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
			continue;
#endif
		return map_err(s, "read", rc);
	}
}

int correu__tls_shutdown(correu__tls *s)
{
	int rc;

	if (s->closed_notify || s->fatal || !s->done)
		return 0; /* nothing to protect: just close the stream */
	rc = mbedtls_ssl_close_notify(&s->ssl);
	if (rc != 0)
		return map_err(s, "close_notify", rc);
	s->closed_notify = true;
	return 0;
}

size_t correu__tls_pending(const correu__tls *s)
{
	return mbedtls_ssl_get_bytes_avail(&s->ssl);
}

int correu_transport_is_tls(const correu_transport *t)
{
	return t && t->tls ? 1 : 0;
}

uint32_t correu_transport_tls_verify_flags(const correu_transport *t)
{
	const correu__tls *s;
	uint32_t mbed;

	if (!t || !t->tls)
		return CORREU_CERT_NOT_VERIFIED;
	s = t->tls;
	mbed = mbedtls_ssl_get_verify_result(&s->ssl);
	/* A peer that sent no certificate never reaches the verify callback. */
	if (!s->verified)
		return mbed != (uint32_t)-1 && (mbed & MBEDTLS_X509_BADCERT_MISSING)
		               ? CORREU_CERT_MISSING
		               : CORREU_CERT_NOT_VERIFIED;
	return correu__tls_map_flags(mbed, s->extra, s->ip_len != 0);
}

const char *correu_transport_tls_cipher(const correu_transport *t)
{
	return t && t->tls && t->tls->done ? mbedtls_ssl_get_ciphersuite(&t->tls->ssl) : NULL;
}

const char *correu_transport_tls_version(const correu_transport *t)
{
	return t && t->tls && t->tls->done ? mbedtls_ssl_get_version(&t->tls->ssl) : NULL;
}

correu_ssize correu_transport_tls_peer_name(const correu_transport *t, uint32_t which,
                                            char *buf, size_t cap)
{
	const mbedtls_x509_crt *crt;
	int n;

	if (!t || !buf || !cap ||
	    (which != CORREU_TLS_PEER_SUBJECT && which != CORREU_TLS_PEER_ISSUER))
		return CORREU_ERR_ARG;
	buf[0] = '\0';
	if (!t->tls || !t->tls->done)
		return CORREU_ERR_NOT_FOUND;
	crt = mbedtls_ssl_get_peer_cert(&t->tls->ssl);
	if (!crt)
		return CORREU_ERR_NOT_FOUND;
	n = mbedtls_x509_dn_gets(buf, cap,
	                         which == CORREU_TLS_PEER_SUBJECT ? &crt->subject : &crt->issuer);
	if (n < 0) {
		buf[cap - 1] = '\0';
		return CORREU_ERR_BUFFER;
	}
	return n;
}
