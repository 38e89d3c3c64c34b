/*
 * The transport handle (transport layer): a copy of an operations table and
 * its userdata, with optional TLS state on top. Every byte a caller sends or
 * receives passes through here, so switching a handle to TLS in place is a
 * matter of setting one pointer.
 */
#include <stdint.h>
#include <string.h>

#include "transport_int.h"

int correu_transport_new(const correu_transport_ops *ops, void *userdata,
                         const correu_allocator *alloc, correu_transport **out)
{
	correu_transport *t;

	if (!out)
		return CORREU_ERR_ARG;
	*out = NULL;
	if (!ops || ops->version != CORREU_TRANSPORT_OPS_VERSION || !ops->send || !ops->recv)
		return CORREU_ERR_ARG;
	alloc = correu__allocator(alloc);
	t = correu__calloc(alloc, sizeof(*t));
	if (!t)
		return CORREU_ERR_NOMEM;
	t->alloc = alloc;
	t->ops = *ops;
	t->userdata = userdata;
	*out = t;
	return 0;
}

void correu_transport_free(correu_transport *t)
{
	if (!t)
		return;
	if (t->tls)
		correu__tls_free(t->tls);
	if (t->ops.close)
		(void)t->ops.close(t->userdata);
	correu__free(t->alloc, t, sizeof(*t));
}

int correu_transport_set_logger(correu_transport *t, const correu_logger *logger)
{
	if (!t)
		return CORREU_ERR_ARG;
	if (logger)
		t->log = *logger;
	else
		memset(&t->log, 0, sizeof(t->log));
	return 0;
}

correu_ssize correu__transport_raw_send(correu_transport *t, const uint8_t *buf, size_t len)
{
	return t->ops.send(buf, len, t->userdata);
}

correu_ssize correu__transport_raw_recv(correu_transport *t, uint8_t *buf, size_t len)
{
	/* Inside correu_transport_recv_wait() every raw read, TLS's included,
	 * may block, but only until that call's one deadline. */
	if (t->recv_deadline)
		return t->recv_until(t, buf, len, t->recv_deadline);
	return t->ops.recv(buf, len, t->userdata);
}

correu_ssize correu_transport_send(correu_transport *t, const uint8_t *buf, size_t len)
{
	if (!t || (!buf && len))
		return CORREU_ERR_ARG;
	if (t->shut)
		return CORREU_ERR_CLOSED;
	if (len == 0)
		return 0;
	if (len > PTRDIFF_MAX)
		len = PTRDIFF_MAX; /* the count must fit the signed result */
	if (t->tls)
		return correu__tls_send(t->tls, buf, len);
	return correu__transport_raw_send(t, buf, len);
}

correu_ssize correu_transport_recv(correu_transport *t, uint8_t *buf, size_t len)
{
	if (!t || (!buf && len))
		return CORREU_ERR_ARG;
	if (len == 0)
		return 0;
	if (len > PTRDIFF_MAX)
		len = PTRDIFF_MAX;
	if (t->tls)
		return correu__tls_recv(t->tls, buf, len);
	return correu__transport_raw_recv(t, buf, len);
}

correu_ssize correu_transport_recv_wait(correu_transport *t, uint8_t *buf, size_t len,
                                       int32_t timeout_ms)
{
	uint64_t deadline;
	correu_ssize n;
	int rc;

	if (!t || (!buf && len) || timeout_ms < -1)
		return CORREU_ERR_ARG;
	if (!t->recv_until || len == 0) {
		/* The application's operations: wait, then receive. */
		rc = len ? correu_transport_wait(t, CORREU_WAIT_READ, timeout_ms) : 0;
		return rc < 0 ? rc : correu_transport_recv(t, buf, len);
	}
	deadline = timeout_ms < 0 ? UINT64_MAX : correu__transport_now_ms() + (uint64_t)timeout_ms;
	t->recv_deadline = deadline ? deadline : 1;
	n = correu_transport_recv(t, buf, len);
	t->recv_deadline = 0;
	/* The raw receive gives up only at the deadline (TLS may also stop
	 * early, after a record that carried no application data). */
	if (n == CORREU_ERR_WANT_READ && correu__transport_now_ms() >= deadline)
		return CORREU_ERR_TIMEOUT;
	return n;
}

int correu_transport_shutdown(correu_transport *t)
{
	int rc;

	if (!t)
		return CORREU_ERR_ARG;
	if (t->tls) {
		rc = correu__tls_shutdown(t->tls);
		if (rc < 0)
			return rc;
	}
	if (!t->shut && t->ops.shutdown) {
		rc = t->ops.shutdown(t->userdata);
		if (rc < 0)
			return rc;
	}
	t->shut = true;
	return 0;
}

int correu_transport_fd(const correu_transport *t)
{
	if (!t || !t->ops.fd)
		return -1;
	return t->ops.fd(t->userdata);
}

size_t correu_transport_pending(const correu_transport *t)
{
	if (!t || !t->tls)
		return 0;
	return correu__tls_pending(t->tls);
}

/* Blocking drivers wait here; an event loop uses the descriptor instead. */
int correu_transport_wait(correu_transport *t, uint32_t events, int32_t timeout_ms)
{
	events &= CORREU_WAIT_READ | CORREU_WAIT_WRITE;
	if (!t || !events || timeout_ms < -1)
		return CORREU_ERR_ARG;
	/* Decrypted bytes inside mbedTLS never show on the descriptor. */
	if ((events & CORREU_WAIT_READ) && correu_transport_pending(t) > 0)
		return CORREU_WAIT_READ;
	if (!t->ops.wait)
		return CORREU_ERR_UNSUPPORTED;
	return t->ops.wait(events, timeout_ms, t->userdata);
}
