/*
 * LD_PRELOAD shim for the SMTP sending benchmark (bench/): sets TCP_NODELAY
 * on every TCP socket a program connects. libESMTP leaves Nagle's
 * algorithm on, so the short tail of each message waits for the server's
 * delayed ACK (about 40 ms on Linux) and it manages some 20 messages a
 * second on loopback; bench/smtp_send.sh reports libESMTP both as shipped
 * and with this shim, and compares correu with the faster of the two.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

/* Visible although the project builds with -fvisibility=hidden. */
__attribute__((visibility("default"))) int connect(int fd, const struct sockaddr *addr,
                                                   socklen_t len)
{
	int (*real)(int, const struct sockaddr *, socklen_t);
	int rc, saved, one = 1;

	*(void **)&real = dlsym(RTLD_NEXT, "connect");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	rc = real(fd, addr, len);
	saved = errno;
	if ((rc == 0 || errno == EINPROGRESS) &&
	    (addr->sa_family == AF_INET || addr->sa_family == AF_INET6))
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	errno = saved;
	return rc;
}
