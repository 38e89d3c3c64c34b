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

#include "fixture.h"

static void limit_case(bool per_ip)
{
	fixture f;
	int fds[4], extra;
	char want[32];

	fx_setup(&f);
	if (per_ip) {
		f.set.max_conns_per_ip = 3;
	} else {
		f.set.max_conns = 3;
		f.set.max_conns_per_ip = 0;
	}
	fx_start(&f);
	/* At the limit: served. */
	for (int i = 0; i < 3; i++)
		fds[i] = fx_connect(&f, NULL);
	/* One past it: the core's refusal line, then the close. */
	fds[3] = cli_connect(f.port);
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
	extra = fx_connect(&f, NULL);
	close(extra);
	close(fds[1]);
	close(fds[2]);
	fx_stop(&f);
	cr_assert_eq(fx_stats(&f).refused, 1);
	cr_assert_eq(fx_stats(&f).accepted, 5);
	fx_end(&f);
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
	fixture f;
	int a, b;
	char line[64];

	fx_setup(&f);
	f.cfg.silent_refuse = true;
	f.set.max_conns = 1;
	fx_start(&f);
	a = fx_connect(&f, NULL);
	b = cli_connect(f.port);
	cr_assert_eq(cli_line(b, line, sizeof(line)), -1, "a refused client read \"%s\"", line);
	close(a);
	close(b);
	fx_end(&f);
}

Test(limits, idle_timeout_closes_quiet_clients_only, .timeout = 30)
{
	fixture f;
	int quiet, busy;
	uint64_t t0;

	fx_setup(&f);
	f.set.idle_timeout_ms = 300;
	fx_start(&f);
	quiet = cli_connect(f.port);
	busy = cli_connect(f.port);
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
	fx_stop(&f);
	cr_assert_eq(fx_stats(&f).idle_closed, 1);
	fx_end(&f);
}

Test(limits, command_timeout_is_the_cores_deadline, .timeout = 30)
{
	fixture f;
	int fd;
	uint64_t t0;

	fx_setup(&f);
	f.cfg.cmd_timeout_ms = 200;
	fx_start(&f);
	fd = fx_connect(&f, NULL);
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
	fx_end(&f);
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
	enum { REPLY = 10000, BATCH = 64 };
	fixture f;
	int hog, other, flags;
	size_t sent = 0;
	uint64_t end;
	char cmds[BATCH * 11 + 1] = "";

	fx_setup(&f);
	f.set.max_output = 4096;
	f.set.idle_timeout_ms = 1000;
	fx_start(&f);
	hog = fx_connect(&f, NULL);
	/* Ask for ~10 kB per command and never read, until our own sending
	 * blocks: the server must have stopped reading us. */
	flags = fcntl(hog, F_GETFL);
	fcntl(hog, F_SETFL, flags | O_NONBLOCK);
	/* Commands go in batches: one per write could take longer than the
	 * idle timeout on a loaded machine to fill the socket buffers. */
	for (int i = 0; i < BATCH; i++)
		strcat(cmds, "BIG 10000\r\n");
	end = now_ms() + 5000;
	while (now_ms() < end) {
		ssize_t r = send(hog, cmds, sizeof(cmds) - 1, MSG_NOSIGNAL);

		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			usleep(50 * 1000);
			if (send(hog, cmds, 11, MSG_NOSIGNAL) < 0)
				break;
			continue;
		}
		cr_assert_gt(r, 0);
		sent += (size_t)r;
	}
	cr_assert_lt(now_ms(), end, "the server kept reading a client that never reads");
	cr_assert_gt(sent, 11u * 100);
	/* Meanwhile others are served. */
	other = fx_connect(&f, NULL);
	cli_send(other, "hi\r\n");
	cli_expect(other, "+OK hi");
	close(other);
	/* Nothing moves on the hog's connection, so the idle timeout ends it.
	 * Reading to see the end would drain the backlog and make it move,
	 * so look at the socket's TCP state instead. */
	cr_assert(tcp_gone_within(hog, 5000), "the idle timeout did not close the hog");
	close(hog);
	fx_stop(&f);
	/* Input stopped once the output reached the cap: at most one reply over. */
	cr_assert_leq(atomic_load(&f.cfg.max_output), f.set.max_output + REPLY + 6 + 2);
	cr_assert_geq(fx_stats(&f).idle_closed, 1);
	fx_end(&f);
}

Test(limits, max_input_at_and_past_the_limit, .timeout = 30)
{
	fixture f;
	int fd;
	char line[600];

	fx_setup(&f);
	f.set.max_input = 512;
	fx_start(&f);
	fd = fx_connect(&f, NULL);
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
	fx_end(&f);
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
	fixture f;
	int a, b;
	const uint32_t expect[] = { 2000, 4000, 8000, 15000, 15000 };

	fx_setup(&f);
	f.set.auth_max_failures = 0;
	fx_start(&f);
	a = fx_connect(&f, NULL);
	cli_send(a, "DELAY\r\n");
	cr_assert_str_eq(cli_expect(a, "+OK delay"), "+OK delay 0");
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
		cr_assert_eq(fail_once(a), expect[i], "failure %zu", i + 1);
	/* The address, not the session, carries the penalty. */
	b = fx_connect(&f, NULL);
	cli_send(b, "DELAY\r\n");
	cr_assert_str_eq(cli_expect(b, "+OK delay"), "+OK delay 15000");
	cli_send(b, "GOOD\r\n");
	cli_expect(b, "+OK");
	cli_send(a, "DELAY\r\n");
	cr_assert_str_eq(cli_expect(a, "+OK delay"), "+OK delay 0");
	close(a);
	close(b);
	fx_end(&f);
}

Test(limits, auth_failures_per_session_are_capped, .timeout = 30)
{
	fixture f;
	int fd;

	fx_setup(&f);
	f.set.auth_max_failures = 3;
	fx_start(&f);
	fd = fx_connect(&f, NULL);
	fail_once(fd);
	fail_once(fd);
	cli_send(fd, "FAIL\r\n");
	cli_expect(fd, "-ERR too many");
	cr_assert(cli_closed_within(fd, 2000));
	close(fd);
	fx_end(&f);
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
	fixture f;
	struct sockaddr_in sa[3];
	struct rlimit old, low;
	int fds[3], spare;
	uint64_t t0;

	fx_setup(&f);
	fx_start(&f);
	for (int i = 0; i < 3; i++)
		fds[i] = socket_for(f.port, &sa[i]);
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
	fx_stop(&f);
	cr_assert_eq(atomic_load(&f.cfg.opened), 3);
	fx_end(&f);
}
