/*
 * Non-blocking TCP on loopback only (127.0.0.1 and ::1): connect, accept,
 * data, EOF, and the distinct failures: refused, unresolvable, timed out.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "correu/transport.h"
#include "failalloc.h"
#include "pump.h"

static correu_tcp_listener *listen_on(const char *host)
{
	correu_tcp_listener *l;

	cr_assert_eq(correu_tcp_listen(host, 0, 16, 0, NULL, &l), 0);
	cr_assert_gt(correu_tcp_listener_port(l), 0);
	return l;
}

/* Accept the connection a client just made (it is already queued). */
static correu_transport *accept_one(correu_tcp_listener *l, char *peer)
{
	correu_transport *s = NULL;
	int rc;

	for (int i = 0; i < 100; i++) {
		rc = correu_tcp_accept(l, &s, peer, CORREU_TCP_PEER_MAX);
		if (rc != CORREU_ERR_WANT_READ)
			break;
		usleep(1000);
	}
	cr_assert_eq(rc, 0, "accept: %s", correu_err_name(rc));
	return s;
}

static void round_trip(const char *host, const char *peer_prefix)
{
	correu_tcp_listener *l = listen_on(host);
	uint16_t port = (uint16_t)correu_tcp_listener_port(l);
	correu_transport *c, *s;
	char peer[CORREU_TCP_PEER_MAX];
	uint8_t buf[8];
	int rc;

	cr_assert_eq(correu_tcp_connect(host, port, 2000, NULL, &c), 0);
	s = accept_one(l, peer);
	cr_assert_eq(strncmp(peer, peer_prefix, strlen(peer_prefix)), 0, "peer %s", peer);
	cr_assert_geq(correu_transport_fd(c), 0);
	pump_transfer(c, s, "EHLO x\r\n", 8);
	pump_transfer(s, c, "250 ok\r\n", 8);
	cr_assert_eq(correu_transport_recv(s, buf, sizeof(buf)), CORREU_ERR_WANT_READ);
	cr_assert_eq(correu_transport_wait(s, CORREU_WAIT_READ, 0), CORREU_ERR_TIMEOUT);
	cr_assert_eq(correu_transport_wait(s, CORREU_WAIT_READ | CORREU_WAIT_WRITE, 0),
	             CORREU_WAIT_WRITE);
	cr_assert_eq(correu_transport_shutdown(c), 0);
	rc = correu_transport_wait(s, CORREU_WAIT_READ, 2000);
	cr_assert_eq(rc, CORREU_WAIT_READ);
	cr_assert_eq(correu_transport_recv(s, buf, sizeof(buf)), CORREU_ERR_EOF);
	correu_transport_free(c);
	correu_transport_free(s);
	correu_tcp_listener_free(l);
}

Test(tcp, ipv4_loopback_round_trip)
{
	round_trip("127.0.0.1", "127.0.0.1:");
}

Test(tcp, ipv6_loopback_round_trip)
{
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	correu_tcp_listener *l;

	if (fd < 0)
		cr_skip_test("no IPv6 on this host");
	close(fd);
	if (correu_tcp_listen("::1", 0, 1, 0, NULL, &l) != 0)
		cr_skip_test("::1 is not configured on this host");
	correu_tcp_listener_free(l);
	round_trip("::1", "[::1]:");
}

Test(tcp, nothing_to_accept_wants_read)
{
	correu_tcp_listener *l = listen_on("127.0.0.1");
	correu_transport *s = (correu_transport *)&s;
	char small[8];

	cr_assert_eq(correu_tcp_accept(l, &s, NULL, 0), CORREU_ERR_WANT_READ);
	cr_assert_null(s);
	cr_assert_eq(correu_tcp_accept(l, &s, small, sizeof(small)), CORREU_ERR_ARG);
	cr_assert_geq(correu_tcp_listener_fd(l), 0);
	correu_tcp_listener_free(l);
}

Test(tcp, closed_port_is_a_connect_error)
{
	correu_tcp_listener *l = listen_on("127.0.0.1");
	uint16_t port = (uint16_t)correu_tcp_listener_port(l);
	correu_transport *c = (correu_transport *)&c;

	correu_tcp_listener_free(l); /* nothing listens there any more */
	cr_assert_eq(correu_tcp_connect("127.0.0.1", port, 2000, NULL, &c), CORREU_ERR_CONNECT);
	cr_assert_null(c);
}

Test(tcp, invalid_name_fails_to_resolve_without_dns)
{
	correu_transport *c;

	cr_assert_eq(correu_tcp_connect("nonexistent.invalid", 25, 1000, NULL, &c),
	             CORREU_ERR_RESOLVE);
	cr_assert_eq(correu_tcp_connect("MAIL.Example.INVALID.", 25, 1000, NULL, &c),
	             CORREU_ERR_RESOLVE);
	cr_assert_eq(correu_tcp_listen("x.invalid", 0, 1, 0, NULL, &(correu_tcp_listener *){ 0 }),
	             CORREU_ERR_RESOLVE);
}

/*
 * A listener that never accepts and whose queue is full drops further SYNs
 * (Linux), so the next connect can only time out. The first connections
 * fill the queue; within a few attempts one must time out.
 */
Test(tcp, full_backlog_gives_timeout)
{
	correu_tcp_listener *l;
	correu_transport *held[8] = { 0 };
	int rc = 0, i;

	cr_assert_eq(correu_tcp_listen("127.0.0.1", 0, 0, 0, NULL, &l), 0);
	for (i = 0; i < 8; i++) {
		rc = correu_tcp_connect("127.0.0.1", (uint16_t)correu_tcp_listener_port(l), 200,
		                        NULL, &held[i]);
		if (rc != 0)
			break;
	}
	cr_assert_eq(rc, CORREU_ERR_TIMEOUT, "after %d connections: %s", i, correu_err_name(rc));
	for (i = 0; i < 8; i++)
		correu_transport_free(held[i]);
	correu_tcp_listener_free(l);
}

Test(tcp, port_in_use_is_busy_unless_reuseport)
{
	correu_tcp_listener *a, *b = NULL;
	uint16_t port;

	cr_assert_eq(correu_tcp_listen("127.0.0.1", 0, 4, CORREU_TCP_REUSEPORT, NULL, &a), 0);
	port = (uint16_t)correu_tcp_listener_port(a);
	cr_assert_eq(correu_tcp_listen("127.0.0.1", port, 4, 0, NULL, &b), CORREU_ERR_BUSY);
	cr_assert_eq(correu_tcp_listen("127.0.0.1", port, 4, CORREU_TCP_REUSEPORT, NULL, &b), 0);
	cr_assert_eq(correu_tcp_listener_port(b), port);
	correu_tcp_listener_free(b);
	correu_tcp_listener_free(a);
	cr_assert_eq(correu_tcp_listen("127.0.0.1", 0, -1, 0, NULL, &a), CORREU_ERR_ARG);
	cr_assert_eq(correu_tcp_listen("127.0.0.1", 0, 1, 0x80, NULL, &a), CORREU_ERR_ARG);
}

Test(tcp, wrapping_a_socket_the_caller_has)
{
	int sv[2];
	correu_transport *x, *y;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cr_assert_eq(correu_tcp_from_fd(sv[0], NULL, &x), 0);
	cr_assert_eq(correu_tcp_from_fd(sv[1], NULL, &y), 0);
	cr_assert_eq(correu_transport_fd(x), sv[0]);
	pump_transfer(x, y, "* OK\r\n", 6);
	correu_transport_free(x);
	cr_assert_eq(correu_transport_wait(y, CORREU_WAIT_READ, 1000), CORREU_WAIT_READ);
	cr_assert_eq(correu_transport_recv(y, (uint8_t[4]){ 0 }, 4), CORREU_ERR_EOF);
	/* The peer is gone: an error code, and no SIGPIPE kills the test. */
	cr_assert_eq(correu_transport_send(y, (const uint8_t *)"x", 1), CORREU_ERR_CLOSED);
	correu_transport_free(y);
	cr_assert_eq(correu_tcp_from_fd(-1, NULL, &x), CORREU_ERR_ARG);
}

Test(tcp, bad_arguments)
{
	correu_transport *c;

	cr_assert_eq(correu_tcp_connect(NULL, 25, 0, NULL, &c), CORREU_ERR_ARG);
	cr_assert_eq(correu_tcp_connect("", 25, 0, NULL, &c), CORREU_ERR_ARG);
	cr_assert_eq(correu_tcp_connect("127.0.0.1", 0, 0, NULL, &c), CORREU_ERR_ARG);
	cr_assert_eq(correu_tcp_connect("127.0.0.1", 25, -5, NULL, &c), CORREU_ERR_ARG);
	cr_assert_eq(correu_tcp_connect("127.0.0.1", 25, 0, NULL, NULL), CORREU_ERR_ARG);
}

static int tcp_scenario(void *ctx, const correu_allocator *al)
{
	correu_tcp_listener *l;
	correu_transport *c = NULL, *s = NULL;
	int rc;

	(void)ctx;
	rc = correu_tcp_listen("127.0.0.1", 0, 4, 0, al, &l);
	if (rc < 0)
		return rc;
	rc = correu_tcp_connect("127.0.0.1", (uint16_t)correu_tcp_listener_port(l), 2000, al, &c);
	for (int i = 0; rc == 0 && i < 100; i++) {
		rc = correu_tcp_accept(l, &s, NULL, 0);
		if (rc != CORREU_ERR_WANT_READ)
			break;
		rc = 0;
		usleep(1000);
	}
	if (rc < 0)
		cr_assert_eq(rc, CORREU_ERR_NOMEM);
	correu_transport_free(s);
	correu_transport_free(c);
	correu_tcp_listener_free(l);
	return rc;
}

Test(tcp, allocation_failures_are_clean)
{
	cr_assert_eq(failalloc_loop(tcp_scenario, NULL, 10), 3);
}
