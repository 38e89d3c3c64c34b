/*
 * A blocking session's connection (proto layer, driver level): the clock
 * and randomness a driver supplies to its core, connecting with TLS from
 * the first byte when asked (RFC 8314 §3.3), and the set-up and release of
 * what the SMTP, POP3 and IMAP sessions share.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

#include "proto_session.h"

uint64_t correu__proto_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int correu__proto_os_random(uint8_t *buf, size_t len, void *userdata)
{
	(void)userdata;
	while (len > 0) {
#if defined(__linux__)
		ssize_t n = getrandom(buf, len, 0);
#else
		ssize_t n = -1;
#endif
		if (n <= 0)
			return CORREU_ERR_CRYPTO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int correu__proto_connect(const char *host, uint16_t port, uint32_t timeout_ms,
                          const correu_allocator *a, bool implicit,
                          const correu_tls_config **tls, correu_transport **t_out,
                          correu_tls_config **own_out)
{
	correu_transport *t = NULL;
	correu_tls_config *own = NULL;
	int rc = correu_tcp_connect(host, port, timeout_ms ? (int32_t)(timeout_ms & INT32_MAX) : -1,
	                            a, &t);

	*t_out = NULL;
	*own_out = NULL;
	if (rc < 0)
		return rc;
	if (implicit) {
		/* The handshake runs on the first read of the greeting. */
		if (!*tls) {
			rc = correu_tls_config_new(CORREU_TLS_CLIENT, a, &own);
			*tls = own;
		}
		if (rc == 0)
			rc = correu_transport_starttls(t, *tls, host);
		if (rc < 0) {
			correu_transport_free(t);
			correu_tls_config_free(own);
			if (*tls == own)
				*tls = NULL;
			return rc;
		}
	}
	*t_out = t;
	*own_out = own;
	return 0;
}

int correu__proto_io_init(correu__proto_io *io, const correu_allocator *a, correu_transport *t,
                          const char *host, const correu_tls_config *tls, uint8_t *rbuf,
                          size_t rbuf_len)
{
	memset(io, 0, sizeof(*io));
	io->alloc = a;
	io->t = t;
	io->tls = tls;
	io->rbuf = rbuf;
	io->rbuf_len = rbuf_len;
	if (host) {
		io->host_len = strlen(host);
		io->host = correu__alloc(a, io->host_len + 1);
		if (!io->host)
			return CORREU_ERR_NOMEM;
		memcpy(io->host, host, io->host_len + 1);
	}
	return 0;
}

void correu__proto_io_free(correu__proto_io *io)
{
	correu_transport_free(io->t);
	/* After the transport, which borrows it. */
	correu_tls_config_free(io->own_tls);
	if (io->host)
		correu__free(io->alloc, io->host, io->host_len + 1);
	memset(io, 0, sizeof(*io));
}
