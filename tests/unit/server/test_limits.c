/*
 * Limits of the server runtime over real sockets on 127.0.0.1 with the
 * echo core: total and per-address connections (at the limit and one past
 * it), refusal lines, idle and command timeouts, back-pressure on a client
 * that never reads, the input buffer cap, running out of descriptors, and
 * the auth-failure back-off.
 * Built twice: on epoll and on poll(2).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "echo.h"

static void limit_case(bool per_ip)
{
	correu_server_settings s;
	echo_cfg cfg = { 0 };
	correu_server_stats stats = { .version = CORREU_SERVER_STATS_VERSION };
	srv_thread st;
	int fds[4], extra;
	correu_server *srv;
	uint32_t port;
	char want[32];

	test_settings(&s);
	if (per_ip) {
		s.max_conns_per_ip = 3;
	} else {
		s.max_conns = 3;
		s.max_conns_per_ip = 0;
	}
	srv = test_server(&s);
	port = test_listen(srv, CORREU_SERVER_LISTEN_PLAIN, 0, NULL, &cfg);
	srv_start(&st, srv);
	/* At the limit: served. */
	for (int i = 0; i < 3; i++) {
		fds[i] = cli_connect(port);
		cli_expect(fds[i], "+OK hello");
	}
	/* One past it: the core's refusal line, then the close. */
	fds[3] = cli_connect(port);
	snprintf(want, sizeof(want), "-ERR refused %u",
	         per_ip ? CORREU_SERVER_REFUSE_PER_IP : CORREU_SERVER_REFUSE_TOTAL);
	cr_assert_str_eq(cli_expect(fds[3], "-ERR"), want);
	cr_assert(cli_closed_within(fds[3], 2000));
	close(fds[3]);
	/* A freed slot is usable again. */
	cli_send(fds[0], "QUIT\r\n");
	cli_expect(fds[0], "+OK bye");
	cr_assert(cli_closed_within(fds[0], 2000));
	close(fds[0]);
	extra = cli_connect(port);
	cli_expect(extra, "+OK hello");
	close(extra);
	close(fds[1]);
	close(fds[2]);
	srv_stop(&st, 1000);
	cr_assert_eq(correu_server_get_stats(srv, &stats), 0);
	cr_assert_eq(stats.refused, 1);
	cr_assert_eq(stats.accepted, 5);
	correu_server_free(srv);
}

Test(limits, total_connection_limit, .timeout = 30)
{
	limit_case(false);
}

Test(limits, per_ip_connection_limit, .timeout = 30)
{
	limit_case(true);
}

Test(limits, refusal_without_a_line, .timeout = 30)
{
	correu_server_settings s;
	echo_cfg cfg = { .silent_refuse = true };
	srv_thread st;
	correu_server *srv;
	uint32_t port;
	int a, b;
	char line[64];

	test_settings(&s);
	s.max_conns = 1;
	srv = test_server(&s);
	port = test_listen(srv, CORREU_SERVER_LISTEN_PLAIN, 0, NULL, &cfg);
	srv_start(&st, srv);
	a = cli_connect(port);
	cli_expect(a, "+OK hello");
	b = cli_connect(port);
	cr_assert_eq(cli_line(b, line, sizeof(line)), -1, "a refused client read \"%s\"", line);
	close(a);
	close(b);
	srv_stop(&st, 1000);
	correu_server_free(srv);
}

Test(limits, idle_timeout_closes_quiet_clients_only, .timeout = 30)
{
	correu_server_settings s;
	echo_cfg cfg = { 0 };
	correu_server_stats stats = { .version = CORREU_SERVER_STATS_VERSION };
	srv_thread st;
	correu_server *srv;
	uint32_t port;
	int quiet, busy;
	uint64_t t0;

	test_settings(&s);
	s.idle_timeout_ms = 300;
	srv = test_server(&s);
	port = test_listen(srv, CORREU_SERVER_LISTEN_PLAIN, 0, NULL, &cfg);
	srv_start(&st, srv);
	quiet = cli_connect(port);
	busy = cli_connect(port);
	t0 = now_ms();
	cli_expect(quiet, "+OK hello");
	cli_expect(busy, "+OK hello");
	/* The busy client talks every 100 ms for 600 ms: twice the timeout. */
	for (int i = 0; i < 6; i++) {
		usleep(100 * 1000);
		cli_send(busy, "ping\r\n");
		cli_expect(busy, "+OK ping");
	}
	cli_expect(quiet, "-ERR idle");
	cr_assert_geq(now_ms() - t0, 250, "closed before the idle timeout");
	cr_assert(cli_closed_within(quiet, 2000));
	cli_send(busy, "still\r\n");
	cli_expect(busy, "+OK still");
	close(quiet);
	close(busy);
	srv_stop(&st, 1000);
	cr_assert_eq(correu_server_get_stats(srv, &stats), 0);
	cr_assert_eq(stats.idle_closed, 1);
	correu_server_free(srv);
}

Test(limits, command_timeout_is_the_cores_deadline, .timeout = 30)
{
	correu_server_settings s;
	echo_cfg cfg = { .cmd_timeout_ms = 200 };
	srv_thread st;
	correu_server *srv;
	uint32_t port;
	int fd;
	uint64_t t0;

	test_settings(&s);
	srv = test_server(&s);
	port = test_listen(srv, CORREU_SERVER_LISTEN_PLAIN, 0, NULL, &cfg);
	srv_start(&st, srv);
	fd = cli_connect(port);
	cli_expect(fd, "+OK hello");
	/* A delayed answer through the deadline, not a sleep in the core. */
	t0 = now_ms();
	cli_send(fd, "SLOW 100\r\n");
	cli_expect(fd, "+OK slow");
	cr_assert_geq(now_ms() - t0, 90);
	t0 = now_ms();
	cli_send(fd, "x\r\n");
	cli_expect(fd, "+OK x");
	cli_expect(fd, "-ERR timeout");
	cr_assert_geq(now_ms() - t0, 180);
	cr_assert(cli_closed_within(fd, 2000));
	close(fd);
	srv_stop(&st, 1000);
	correu_server_free(srv);
}

/* Whether the peer closed or reset the connection, without reading. */
static bool tcp_gone_within(int fd, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	while (now_ms() < end) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);

		cr_assert_eq(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
		if (ti.tcpi_state != TCP_ESTABLISHED)
			return true;
		usleep(20 * 1000);
	}
	return false;
}

Test(limits, back_pressure_on_a_client_that_never_reads, .timeout = 60)
{
	enum { REPLY = 10000 };
	correu_server_settings s;
	echo_cfg cfg = { 0 };
	correu_server_stats stats = { .version = CORREU_SERVER_STATS_VERSION };
	srv_thread st;
	correu_server *srv;
	uint32_t port;
	int hog, other, flags;
	size_t sent = 0;
	uint64_t end;

	test_settings(&s);
	s.max_output = 4096;
	s.idle_timeout_ms = 1000;
	srv = test_server(&s);
	port = test_listen(srv, CORREU_SERVER_LISTEN_PLAIN, 0, NULL, &cfg);
	srv_start(&st, srv);
	hog = cli_connect(port);
	cli_expect(hog, "+OK hello");
	/* Ask for ~10 kB per command and never read, until our own sending
	 * blocks: the server must have stopped reading us. */
	flags = fcntl(hog, F_GETFL);
	fcntl(hog, F_SETFL, flags | O_NONBLOCK);
	end = now_ms() + 5000;
	while (now_ms() < end) {
		ssize_t r = send(hog, "BIG 10000\r\n", 11, MSG_NOSIGNAL);

		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			usleep(50 * 1000);
			if (send(hog, "BIG 10000\r\n", 11, MSG_NOSIGNAL) < 0)
				break;
			continue;
		}
		cr_assert_gt(r, 0);
		sent += (size_t)r;
	}
	cr_assert_lt(now_ms(), end, "the server kept reading a client that never reads");
	cr_assert_gt(sent, 11u * 100);
	/* Meanwhile others are served. */
	other = cli_connect(port);
	cli_expect(other, "+OK hello");
	cli_send(other, "hi\r\n");
	cli_expect(other, "+OK hi");
	close(other);
	/* Nothing moves on the hog's connection, so the idle timeout ends it.
	 * Reading to see the end would drain the backlog and make it move,
	 * so look at the socket's TCP state instead. */
	cr_assert(tcp_gone_within(hog, 5000), "the idle timeout did not close the hog");
	close(hog);
	srv_stop(&st, 1000);
	/* Input stopped once the output reached the cap: at most one reply over. */
	cr_assert_leq(atomic_load(&cfg.max_output), s.max_output + REPLY + 6 + 2);
	cr_assert_eq(correu_server_get_stats(srv, &stats), 0);
	cr_assert_geq(stats.idle_closed, 1);
	correu_server_free(srv);
}

Test(limits, max_input_at_and_past_the_limit, .timeout = 30)
{
	correu_server_settings s;
	echo_cfg cfg = { 0 };
	srv_thread st;
	correu_server *srv;
	uint32_t port;
	int fd;
	char line[600];

	test_settings(&s);
	s.max_input = 512;
	srv = test_server(&s);
	port = test_listen(srv, CORREU_SERVER_LISTEN_PLAIN, 0, NULL, &cfg);
	srv_start(&st, srv);
	fd = cli_connect(port);
	cli_expect(fd, "+OK hello");
	/* 510 bytes and CRLF: exactly max_input, served. */
	memset(line, 'a', 510);
	memcpy(line + 510, "\r\n", 3);
	cli_send(fd, line);
	cr_assert_eq(strlen(cli_expect(fd, "+OK aaaa")), 4 + 510);
	/* 513 bytes without a line end: the core cannot take a full buffer. */
	memset(line, 'b', 513);
	line[513] = '\0';
	cli_send(fd, line);
	cr_assert(cli_closed_within(fd, 2000));
	close(fd);
	srv_stop(&st, 1000);
	correu_server_free(srv);
}

static uint32_t fail_once(int fd)
{
	const char *l;

	cli_send(fd, "FAIL\r\n");
	l = cli_expect(fd, "-ERR delay ");
	return (uint32_t)strtoul(l + 11, NULL, 10);
}

Test(limits, auth_backoff_grows_caps_and_resets, .timeout = 30)
{
	correu_server_settings s;
	echo_cfg cfg = { 0 };
	srv_thread st;
	correu_server *srv;
	uint32_t port;
	int a, b;
	const uint32_t expect[] = { 2000, 4000, 8000, 15000, 15000 };

	test_settings(&s);
	s.auth_max_failures = 0;
	srv = test_server(&s);
	port = test_listen(srv, CORREU_SERVER_LISTEN_PLAIN, 0, NULL, &cfg);
	srv_start(&st, srv);
	a = cli_connect(port);
	cli_expect(a, "+OK hello");
	cli_send(a, "DELAY\r\n");
	cr_assert_str_eq(cli_expect(a, "+OK delay"), "+OK delay 0");
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
		cr_assert_eq(fail_once(a), expect[i], "failure %zu", i + 1);
	/* The address, not the session, carries the penalty. */
	b = cli_connect(port);
	cli_expect(b, "+OK hello");
	cli_send(b, "DELAY\r\n");
	cr_assert_str_eq(cli_expect(b, "+OK delay"), "+OK delay 15000");
	cli_send(b, "GOOD\r\n");
	cli_expect(b, "+OK");
	cli_send(a, "DELAY\r\n");
	cr_assert_str_eq(cli_expect(a, "+OK delay"), "+OK delay 0");
	close(a);
	close(b);
	srv_stop(&st, 1000);
	correu_server_free(srv);
}

Test(limits, auth_failures_per_session_are_capped, .timeout = 30)
{
	correu_server_settings s;
	echo_cfg cfg = { 0 };
	srv_thread st;
	correu_server *srv;
	uint32_t port;
	int fd;

	test_settings(&s);
	s.auth_max_failures = 3;
	srv = test_server(&s);
	port = test_listen(srv, CORREU_SERVER_LISTEN_PLAIN, 0, NULL, &cfg);
	srv_start(&st, srv);
	fd = cli_connect(port);
	cli_expect(fd, "+OK hello");
	fail_once(fd);
	fail_once(fd);
	cli_send(fd, "FAIL\r\n");
	cli_expect(fd, "-ERR too many");
	cr_assert(cli_closed_within(fd, 2000));
	close(fd);
	srv_stop(&st, 1000);
	correu_server_free(srv);
}

static int socket_for(uint32_t port, struct sockaddr_in *sa)
{
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert_geq(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return fd;
}

static bool readable_within(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, ms) > 0;
}

/* CPU time of the whole process (both threads), in ms. */
static uint64_t cpu_ms(void)
{
	struct rusage ru;

	cr_assert_eq(getrusage(RUSAGE_SELF, &ru), 0);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000u;
}

/* Out of descriptors, accepting fails and the connection waits in the
 * backlog: the loop rests its listeners instead of spinning, and takes the
 * waiting clients once descriptors are free again. */
Test(limits, out_of_descriptors_pauses_accepting, .timeout = 30)
{
	correu_server_settings s;
	echo_cfg cfg = { 0 };
	srv_thread st;
	correu_server *srv;
	struct sockaddr_in sa[3];
	struct rlimit old, low;
	uint32_t port;
	int fds[3], spare;
	uint64_t t0;

	test_settings(&s);
	srv = test_server(&s);
	port = test_listen(srv, CORREU_SERVER_LISTEN_PLAIN, 0, NULL, &cfg);
	srv_start(&st, srv);
	for (int i = 0; i < 3; i++)
		fds[i] = socket_for(port, &sa[i]);
	/* Room for exactly one more descriptor: the first accepted client. */
	spare = dup(0);
	cr_assert_geq(spare, 0);
	close(spare);
	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)spare + 1;
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(connect(fds[i], (struct sockaddr *)&sa[i], sizeof(sa[i])), 0);
	cli_expect(fds[0], "+OK hello");
	t0 = cpu_ms();
	cr_assert_not(readable_within(fds[1], 300), "accepted past the descriptor limit");
	cr_assert_lt(cpu_ms() - t0, 100, "the loop spun on a listener it cannot accept from");
	/* Closing frees descriptors (client and server share the process's
	 * table here), and the waiting clients are taken. */
	close(fds[0]);
	cli_expect(fds[1], "+OK hello");
	cli_expect(fds[2], "+OK hello");
	close(fds[1]);
	close(fds[2]);
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	srv_stop(&st, 1000);
	cr_assert_eq(atomic_load(&cfg.opened), 3);
	correu_server_free(srv);
}
