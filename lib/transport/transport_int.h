/*
 * What the transport layer's files share and nobody else sees: the handle
 * itself and the hooks between the generic handle (transport.c) and the TLS
 * state layered on it (tls.c, or tls_none.c when TLS is not built).
 */
#ifndef CORREU_TRANSPORT_INT_H
#define CORREU_TRANSPORT_INT_H

#include <stdbool.h>

#include "correu/transport.h"
#include "internal.h"

typedef struct correu__tls correu__tls;

struct correu_transport {
	const correu_allocator *alloc; /* never NULL; borrowed */
	correu_transport_ops ops;      /* the plain stream underneath */
	void *userdata;
	correu_logger log;
	correu__tls *tls;              /* NULL until correu_transport_starttls() */
	bool shut;                     /* our sending side is closed */
	/* correu_transport_recv_wait(): the OS transport's receive that may
	 * block until a deadline (NULL for the application's own operations,
	 * which wait and then receive), and the deadline while such a call
	 * runs (0: plain receives, which never block). */
	correu_ssize (*recv_until)(correu_transport *t, uint8_t *buf, size_t len,
	                           uint64_t deadline_ms);
	uint64_t recv_deadline;
	/* State of recv_until on a socket: the descriptor was made blocking
	 * (every other call still passes MSG_DONTWAIT), and the receive
	 * timeout now set on it in milliseconds (0: none set yet). */
	bool fd_blocking;
	uint32_t rcvtimeo_ms;
};

/* The plain stream, bypassing TLS: TLS records travel through these. */
correu_ssize correu__transport_raw_send(correu_transport *t, const uint8_t *buf, size_t len);
correu_ssize correu__transport_raw_recv(correu_transport *t, uint8_t *buf, size_t len);

/* Milliseconds on the monotonic clock (socket.c). */
uint64_t correu__transport_now_ms(void);

/* TCP (socket.c), shared with the listening side (socket_listen.c). */
struct addrinfo;
/* A transport for a connected non-blocking socket; closes fd on failure. */
int correu__socket_transport(int fd, const correu_allocator *alloc, correu_transport **out);
/* getaddrinfo() for a stream socket: 0, CORREU_ERR_RESOLVE or _NOMEM. */
int correu__resolve(const char *host, uint16_t port, int passive, struct addrinfo **res);

/* TLS state of a handle (tls.c). */
correu_ssize correu__tls_send(correu__tls *s, const uint8_t *buf, size_t len);
correu_ssize correu__tls_recv(correu__tls *s, uint8_t *buf, size_t len);
int correu__tls_shutdown(correu__tls *s);
size_t correu__tls_pending(const correu__tls *s);
void correu__tls_free(correu__tls *s);

#endif
