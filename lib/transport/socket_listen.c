/*
 * Listening TCP sockets (transport layer): bind and listen with
 * SO_REUSEADDR (and SO_REUSEPORT on request), then accept connections
 * without blocking, each as a non-blocking transport plus the peer's
 * address as text for logs and per-IP limits.
 */
/* accept4() is a GNU/BSD extension: it sets O_NONBLOCK without a race. */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport_int.h"

struct correu_tcp_listener {
	const correu_allocator *alloc;
	int fd;
};

static int bind_one(const struct addrinfo *ai, int32_t backlog, uint32_t flags, int *fd_out)
{
	int fd, one = 1, zero = 0;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	            ai->ai_protocol);
	if (fd < 0)
		return CORREU_ERR_IO;
	/* A restarted server must not wait out TIME_WAIT of its old connections. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto io;
#ifdef SO_REUSEPORT
	if ((flags & CORREU_TCP_REUSEPORT) &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		goto io;
#else
	if (flags & CORREU_TCP_REUSEPORT) {
		close(fd);
		return CORREU_ERR_UNSUPPORTED;
	}
#endif
	/* The wildcard IPv6 socket also takes IPv4 where the system allows. */
	if (ai->ai_family == AF_INET6 && (ai->ai_flags & AI_PASSIVE))
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		int busy = errno == EADDRINUSE;

		close(fd);
		return busy ? CORREU_ERR_BUSY : CORREU_ERR_IO;
	}
	if (listen(fd, backlog) < 0)
		goto io;
	*fd_out = fd;
	return 0;
io:
	close(fd);
	return CORREU_ERR_IO;
}

int correu_tcp_listen(const char *host, uint16_t port, int32_t backlog, uint32_t flags,
                      const correu_allocator *alloc, correu_tcp_listener **out)
{
	struct addrinfo *res, *ai;
	correu_tcp_listener *l;
	int rc, fd = -1;

	if (!out)
		return CORREU_ERR_ARG;
	*out = NULL;
	if (backlog < 0 || (flags & ~CORREU_TCP_REUSEPORT))
		return CORREU_ERR_ARG;
	alloc = correu__allocator(alloc);
	l = correu__calloc(alloc, sizeof(*l));
	if (!l)
		return CORREU_ERR_NOMEM;
	rc = correu__resolve(host, port, 1, &res);
	if (rc < 0)
		goto fail;
	/* getaddrinfo lists IPv6 first for a NULL host: it covers both. */
	for (ai = res; ai; ai = ai->ai_next) {
		rc = bind_one(ai, backlog, flags, &fd);
		if (rc == 0)
			break;
	}
	freeaddrinfo(res);
	if (rc < 0)
		goto fail;
	l->alloc = alloc;
	l->fd = fd;
	*out = l;
	return 0;
fail:
	correu__free(alloc, l, sizeof(*l));
	return rc;
}

/* "192.0.2.1:25" or "[2001:db8::1]:25". */
static void format_peer(const struct sockaddr_storage *ss, socklen_t len, char *buf, size_t cap)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo((const struct sockaddr *)ss, len, host, sizeof(host), serv, sizeof(serv),
	                NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(buf, cap, "?");
		return;
	}
	snprintf(buf, cap, ss->ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv);
}

int correu_tcp_accept(correu_tcp_listener *l, correu_transport **out, char *peer_out,
                      size_t peer_cap)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	if (!out)
		return CORREU_ERR_ARG;
	*out = NULL;
	if (!l || (peer_out && peer_cap < CORREU_TCP_PEER_MAX))
		return CORREU_ERR_ARG;
	for (;;) {
		fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0)
			break;
		/* A connection reset before we took it is simply gone. */
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return CORREU_ERR_WANT_READ;
		return CORREU_ERR_IO;
	}
	if (peer_out)
		format_peer(&ss, len, peer_out, peer_cap);
	return correu__socket_transport(fd, l->alloc, out);
}

int correu_tcp_listener_fd(const correu_tcp_listener *l)
{
	return l ? l->fd : -1;
}

int correu_tcp_listener_port(const correu_tcp_listener *l)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (!l)
		return CORREU_ERR_ARG;
	if (getsockname(l->fd, (struct sockaddr *)&ss, &len) < 0)
		return CORREU_ERR_IO;
	if (ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&ss)->sin_port);
}

void correu_tcp_listener_free(correu_tcp_listener *l)
{
	if (!l)
		return;
	close(l->fd);
	correu__free(l->alloc, l, sizeof(*l));
}
