/*
 * The TCP entry points of a build for a platform without BSD sockets
 * (firmware), transport layer: there the application supplies its own
 * operations through correu_transport_new(). They exist so that the
 * exported symbols never depend on the platform, and answer
 * CORREU_ERR_UNSUPPORTED.
 */
#include "transport_int.h"

int correu_tcp_connect(const char *host, uint16_t port, int32_t timeout_ms,
                       const correu_allocator *alloc, correu_transport **out)
{
	(void)host, (void)port, (void)timeout_ms, (void)alloc;
	if (out)
		*out = NULL;
	return CORREU_ERR_UNSUPPORTED;
}

int correu_tcp_from_fd(int fd, const correu_allocator *alloc, correu_transport **out)
{
	(void)fd, (void)alloc;
	if (out)
		*out = NULL;
	return CORREU_ERR_UNSUPPORTED;
}

int correu_tcp_listen(const char *host, uint16_t port, int32_t backlog, uint32_t flags,
                      const correu_allocator *alloc, correu_tcp_listener **out)
{
	(void)host, (void)port, (void)backlog, (void)flags, (void)alloc;
	if (out)
		*out = NULL;
	return CORREU_ERR_UNSUPPORTED;
}

int correu_tcp_accept(correu_tcp_listener *l, correu_transport **out, char *peer_out,
                      size_t peer_cap)
{
	(void)l, (void)peer_out, (void)peer_cap;
	if (out)
		*out = NULL;
	return CORREU_ERR_UNSUPPORTED;
}

int correu_tcp_listener_fd(const correu_tcp_listener *l)
{
	(void)l;
	return -1;
}

int correu_tcp_listener_port(const correu_tcp_listener *l)
{
	(void)l;
	return CORREU_ERR_UNSUPPORTED;
}

void correu_tcp_listener_free(correu_tcp_listener *l)
{
	(void)l;
}
