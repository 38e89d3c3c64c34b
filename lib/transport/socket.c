/*
 * Non-blocking TCP transport (transport layer): the socket operations and
 * the connecting side. A name is resolved with getaddrinfo() and every
 * address it gives, IPv6 and IPv4 alike, is tried in turn under one overall
 * deadline, each with a non-blocking connect() and poll(). A blocking
 * driver's timed receive is one blocking recv() bounded by SO_RCVTIMEO
 * rather than poll() and then recv(): one system call less per reply.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "transport_int.h"

/* The descriptor is the whole state: it travels in the userdata pointer. */
static int ud_fd(void *userdata)
{
	return (int)(intptr_t)userdata;
}

/* Every call is non-blocking by its flags, whatever the descriptor's
 * mode: recv_until() makes a client's descriptor blocking. */
#ifdef MSG_DONTWAIT
#define NOWAIT MSG_DONTWAIT
#else
#define NOWAIT 0
#endif

static correu_ssize sock_send(const uint8_t *buf, size_t len, void *userdata)
{
	ssize_t n;

	do /* MSG_NOSIGNAL: a closed peer is an error code, not a SIGPIPE. */
		n = send(ud_fd(userdata), buf, len, MSG_NOSIGNAL | NOWAIT);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return (correu_ssize)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return CORREU_ERR_WANT_WRITE;
	if (errno == EPIPE)
		return CORREU_ERR_CLOSED;
	return CORREU_ERR_IO;
}

static correu_ssize recv_result(ssize_t n)
{
	if (n > 0)
		return (correu_ssize)n;
	if (n == 0)
		return CORREU_ERR_EOF;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return CORREU_ERR_WANT_READ;
	return CORREU_ERR_IO;
}

static correu_ssize sock_recv(uint8_t *buf, size_t len, void *userdata)
{
	ssize_t n;

	do
		n = recv(ud_fd(userdata), buf, len, NOWAIT);
	while (n < 0 && errno == EINTR);
	return recv_result(n);
}

static int sock_shutdown(void *userdata)
{
	if (shutdown(ud_fd(userdata), SHUT_WR) == 0)
		return 0;
	return errno == ENOTCONN ? CORREU_ERR_CLOSED : CORREU_ERR_IO;
}

static int sock_close(void *userdata)
{
	return close(ud_fd(userdata)) == 0 ? 0 : CORREU_ERR_IO;
}

static int sock_fd(void *userdata)
{
	return ud_fd(userdata);
}

static int sock_wait(uint32_t events, int32_t timeout_ms, void *userdata)
{
	struct pollfd p = { ud_fd(userdata), 0, 0 };
	int n;

	if (events & CORREU_WAIT_READ)
		p.events |= POLLIN;
	if (events & CORREU_WAIT_WRITE)
		p.events |= POLLOUT;
	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return CORREU_ERR_IO;
	if (n == 0)
		return CORREU_ERR_TIMEOUT;
	/* An error or hang-up counts as ready: the next call reports it. */
	if (p.revents & (POLLERR | POLLHUP | POLLNVAL))
		return (int)events;
	return ((p.revents & POLLIN) ? (int)CORREU_WAIT_READ : 0) |
	       ((p.revents & POLLOUT) ? (int)CORREU_WAIT_WRITE : 0);
}

static const correu_transport_ops sock_ops = {
	CORREU_TRANSPORT_OPS_VERSION, sock_send, sock_recv, sock_shutdown,
	sock_close, sock_fd, sock_wait,
};

uint64_t correu__transport_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Bound the next blocking recv() by at most `left` ms. A new timeout
 * costs a system call, so one that is still no longer than `left` stays;
 * a new one is half of `left` (the last few ms exact), so that the
 * deadlines of later replies, each a fresh few minutes, find it short
 * enough: a few calls per deadline, not one per reply. */
static int bound_recv(correu_transport *t, int fd, uint64_t left)
{
	uint32_t ms;
	struct timeval tv;
	int fl;

	if (!t->fd_blocking) {
		fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
			return CORREU_ERR_IO;
		t->fd_blocking = true;
	}
	if (t->rcvtimeo_ms && t->rcvtimeo_ms <= left)
		return 0;
	left = left > 16 ? left / 2 : left;
	ms = left > 86400000u ? 86400000u : (uint32_t)left; /* a day; recv_until loops on */
	tv.tv_sec = (time_t)(ms / 1000u);
	tv.tv_usec = (suseconds_t)(ms % 1000u) * 1000;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return CORREU_ERR_IO;
	t->rcvtimeo_ms = ms;
	return 0;
}

/* Receive, blocking until bytes come or the deadline passes (then one
 * last look that does not block, and WANT_READ). */
static correu_ssize recv_until(correu_transport *t, uint8_t *buf, size_t len, uint64_t deadline)
{
	int fd = ud_fd(t->userdata);
	uint64_t now;
	ssize_t n;

	while ((now = correu__transport_now_ms()) < deadline) {
		if (bound_recv(t, fd, deadline - now) < 0)
			break; /* the descriptor is as it was: the plain look below */
		n = recv(fd, buf, len, 0);
		/* EAGAIN: the timeout, or an earlier one still set; EINTR: a
		 * signal. Either way the loop looks at the clock again. */
		if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			return recv_result(n);
	}
	return sock_recv(buf, len, t->userdata);
}

int correu__socket_transport(int fd, const correu_allocator *alloc, correu_transport **out)
{
	int rc = correu_transport_new(&sock_ops, (void *)(intptr_t)fd, alloc, out);

	if (rc < 0) {
		close(fd);
		return rc;
	}
#ifdef MSG_DONTWAIT
	(*out)->recv_until = recv_until;
#endif
	return 0;
}

int correu_tcp_from_fd(int fd, const correu_allocator *alloc, correu_transport **out)
{
	int fl;

	if (!out)
		return CORREU_ERR_ARG;
	*out = NULL;
	if (fd < 0)
		return CORREU_ERR_ARG;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		close(fd);
		return CORREU_ERR_IO;
	}
	return correu__socket_transport(fd, alloc, out);
}

/* RFC 6761 section 6.4: ".invalid" names never resolve; do not ask DNS. */
static bool is_invalid_tld(const char *host)
{
	size_t n = strlen(host);

	if (n && host[n - 1] == '.')
		n--;
	if (n < 7 || strncasecmp(host + n - 7, "invalid", 7) != 0)
		return false;
	return n == 7 || host[n - 8] == '.';
}

static int64_t now_ms(void)
{
	return (int64_t)correu__transport_now_ms();
}

/* One address: 0 and *fd_out, or CORREU_ERR_CONNECT / TIMEOUT / IO. */
static int connect_one(const struct addrinfo *ai, int64_t deadline, int *fd_out)
{
	struct pollfd p;
	int fd, n, err = 0, one = 1;
	socklen_t elen = sizeof(err);

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	            ai->ai_protocol);
	if (fd < 0)
		return CORREU_ERR_CONNECT; /* e.g. no IPv6 on this host */
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS && errno != EINTR) {
			close(fd);
			return CORREU_ERR_CONNECT;
		}
		p.fd = fd;
		p.events = POLLOUT;
		do {
			int64_t left = deadline < 0 ? -1 : deadline - now_ms();

			if (deadline >= 0 && left <= 0) {
				n = 0;
				break;
			}
			n = poll(&p, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		} while (n < 0 && errno == EINTR);
		if (n <= 0) {
			close(fd);
			return n == 0 ? CORREU_ERR_TIMEOUT : CORREU_ERR_IO;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 || err != 0) {
			close(fd);
			return CORREU_ERR_CONNECT;
		}
	}
	/* Mail commands are small and pipelined; do not hold them back. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	*fd_out = fd;
	return 0;
}

int correu__resolve(const char *host, uint16_t port, int passive, struct addrinfo **res)
{
	struct addrinfo hints;
	char serv[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	snprintf(serv, sizeof(serv), "%u", (unsigned)port);
	if (host && is_invalid_tld(host))
		return CORREU_ERR_RESOLVE;
	rc = getaddrinfo(host, serv, &hints, res);
	if (rc == 0)
		return 0;
	return rc == EAI_MEMORY ? CORREU_ERR_NOMEM : CORREU_ERR_RESOLVE;
}

int correu_tcp_connect(const char *host, uint16_t port, int32_t timeout_ms,
                       const correu_allocator *alloc, correu_transport **out)
{
	struct addrinfo *res, *ai;
	int64_t deadline;
	int rc, fd = -1;

	if (!out)
		return CORREU_ERR_ARG;
	*out = NULL;
	if (!host || !*host || port == 0 || timeout_ms < -1)
		return CORREU_ERR_ARG;
	deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	rc = correu__resolve(host, port, 0, &res);
	if (rc < 0)
		return rc;
	rc = CORREU_ERR_CONNECT;
	for (ai = res; ai; ai = ai->ai_next) {
		rc = connect_one(ai, deadline, &fd);
		if (rc == 0 || rc == CORREU_ERR_TIMEOUT)
			break;
	}
	freeaddrinfo(res);
	if (rc < 0)
		return rc;
	return correu__socket_transport(fd, alloc, out);
}
