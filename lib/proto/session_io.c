/*
 * A blocking session's I/O loop (proto layer, driver level): one round at
 * a time by the client core's wishes (write its output, or read and feed
 * it, or wait on the transport until its deadline), the TLS upgrade when
 * the core says so (RFC 3207 §4, RFC 2595 §4, RFC 9051 §6.2.1), and the
 * brief last write of a failing session.
 */
#include "proto_session.h"

#define HANDSHAKE_TIMEOUT 60000u
#define FLUSH_TIMEOUT 1000u

/* The transport's timeout for a wait until `until`: -1 for none
 * (UINT64_MAX), 0 once it has passed. */
static int32_t ms_until(uint64_t until)
{
	uint64_t now = correu__proto_now_ms();

	if (until == UINT64_MAX)
		return -1;
	if (now >= until)
		return 0;
	return until - now > INT32_MAX ? INT32_MAX : (int32_t)(until - now);
}

/* Wait for the transport until the deadline (UINT64_MAX: none). */
static int wait_for(correu__proto_io *io, uint32_t events, uint64_t deadline)
{
	int32_t ms = ms_until(deadline);
	int rc;

	if (ms == 0)
		return CORREU_ERR_TIMEOUT;
	rc = correu_transport_wait(io->t, events, ms);
	return rc < 0 ? rc : 0;
}

/* What a WANT_READ or WANT_WRITE asks to wait for (TLS may want either). */
static uint32_t wanted(correu_ssize why)
{
	return why == CORREU_ERR_WANT_READ ? CORREU_WAIT_READ : CORREU_WAIT_WRITE;
}

static bool would_block(correu_ssize n)
{
	return n == CORREU_ERR_WANT_READ || n == CORREU_ERR_WANT_WRITE;
}

static int tls_config(correu__proto_io *io, const correu_tls_config **cfg)
{
	int rc;

	if (!io->tls && !io->own_tls) {
		rc = correu_tls_config_new(CORREU_TLS_CLIENT, io->alloc, &io->own_tls);
		if (rc < 0)
			return rc;
	}
	*cfg = io->tls ? io->tls : io->own_tls;
	return 0;
}

/* Start TLS on the transport and finish the handshake in time. */
static int handshake(correu__proto_io *io)
{
	const correu_tls_config *cfg;
	uint64_t deadline = correu__proto_now_ms() + HANDSHAKE_TIMEOUT;
	int rc = tls_config(io, &cfg);

	if (rc == 0)
		rc = correu_transport_starttls(io->t, cfg, io->host);
	while (rc == 0) {
		rc = correu_transport_handshake(io->t);
		if (!would_block(rc))
			return rc;
		rc = wait_for(io, wanted(rc), deadline);
	}
	return rc;
}

/* After a send or receive that would block: the core's deadline, or the
 * caller's wake-up time when sooner; passing the latter is not a timeout. */
static int wait_io(correu__proto_io *io, correu_ssize why, uint64_t wake)
{
	uint64_t deadline = io->ops->next_deadline(io->core);
	int rc;

	if (wake >= deadline)
		return wait_for(io, wanted(why), deadline);
	rc = wait_for(io, wanted(why), wake);
	return rc == CORREU_ERR_TIMEOUT ? 0 : rc;
}

/* Feed what arrives by the core's deadline, or by the caller's wake-up
 * time when sooner (passing the latter is not a timeout). One blocking
 * receive does the waiting and the reading; the end of the stream is the
 * core's to judge. */
static int receive(correu__proto_io *io, uint64_t wake)
{
	uint64_t deadline = io->ops->next_deadline(io->core);
	uint64_t until = wake < deadline ? wake : deadline;
	/* Once `until` has passed, 0 still takes what is already there. */
	correu_ssize n = correu_transport_recv_wait(io->t, io->rbuf, io->rbuf_len, ms_until(until));

	if (n > 0) {
		n = io->ops->recv(io->core, io->rbuf, (size_t)n, correu__proto_now_ms());
		return n < 0 ? (int)n : 0;
	}
	if (n == CORREU_ERR_EOF)
		return io->ops->eof(io->core) < 0 ? CORREU_ERR_EOF : 0;
	if (n == CORREU_ERR_TIMEOUT)
		return until < deadline ? 0 : CORREU_ERR_TIMEOUT;
	if (n == CORREU_ERR_WANT_READ)
		return 0; /* bytes without data yet: the next round reads on */
	if (n == CORREU_ERR_WANT_WRITE)
		return wait_io(io, n, wake);
	return n == 0 ? CORREU_ERR_IO : (int)n;
}

int correu__proto_io_round(correu__proto_io *io, uint64_t wake)
{
	const uint8_t *out;
	correu_ssize n;
	size_t len;
	/* A tick first: the core may have something due (an IDLE renewal). */
	int rc = io->ops->tick(io->core, correu__proto_now_ms());

	if (rc < 0)
		return rc;
	if (io->starttls) {
		/* The core read nothing past the go-ahead (it refuses any such
		 * bytes), so the transport holds no stale plaintext. */
		io->starttls = false;
		rc = handshake(io);
		return rc < 0 ? rc : io->ops->tls_done(io->core);
	}
	out = io->ops->send_buf(io->core, &len);
	if (out) {
		n = correu_transport_send(io->t, out, len);
		if (n > 0)
			return io->ops->send_ack(io->core, (size_t)n);
		if (!would_block(n))
			return n == 0 ? CORREU_ERR_IO : (int)n;
		return wait_io(io, n, wake);
	}
	if (!io->ops->want_read(io->core))
		return CORREU_ERR_STATE; /* nothing to do: the wait could never end */
	return receive(io, wake);
}

int correu__proto_io_step(correu__proto_io *io, int *error, uint64_t wake)
{
	int rc;

	if (*error)
		return *error;
	rc = correu__proto_io_round(io, wake);
	if (rc < 0 && !*error)
		*error = rc;
	return rc;
}

void correu__proto_io_flush(correu__proto_io *io)
{
	uint64_t deadline = correu__proto_now_ms() + FLUSH_TIMEOUT;
	const uint8_t *out;
	size_t len;

	while ((out = io->ops->send_buf(io->core, &len)) != NULL) {
		correu_ssize n = correu_transport_send(io->t, out, len);

		if (n > 0) {
			if (io->ops->send_ack(io->core, (size_t)n) < 0)
				return;
		} else if (!would_block(n) || wait_for(io, CORREU_WAIT_WRITE, deadline) < 0)
			return;
	}
}
