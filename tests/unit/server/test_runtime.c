/*
 * The server runtime over real sockets on 127.0.0.1 with the echo core:
 * serving many clients, connection limits (at the limit and one past it),
 * idle and command timeouts, back-pressure, input limits, auth back-off,
 * graceful shutdown and allocation failures. Built twice: on epoll and on
 * poll(2).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "echo.h"
#include "failalloc.h"

Test(runtime, serves_many_connections_at_once, .timeout = 30)
{
	enum { N = 64 };
	correu_server_settings s;
	echo_cfg cfg = { 0 };
	srv_thread st;
	int fds[N];
	correu_server *srv;
	uint32_t port;

	test_settings(&s);
	s.max_conns_per_ip = 0;
	srv = test_server(&s);
	port = test_listen(srv, CORREU_SERVER_LISTEN_PLAIN, 0, NULL, &cfg);
	srv_start(&st, srv);
	for (int i = 0; i < N; i++) {
		fds[i] = cli_connect(port);
		cli_expect(fds[i], "+OK hello 127.0.0.1 ");
	}
	for (int i = 0; i < N; i++) {
		char cmd[64], want[64];

		snprintf(cmd, sizeof(cmd), "line %d\r\n", i);
		snprintf(want, sizeof(want), "+OK line %d", i);
		cli_send(fds[i], cmd);
		cr_assert_str_eq(cli_expect(fds[i], "+OK"), want);
	}
	/* Pipelined commands in one write are all answered, in order. */
	cli_send(fds[0], "a\r\nb\r\nc\r\n");
	cr_assert_str_eq(cli_expect(fds[0], "+OK"), "+OK a");
	cr_assert_str_eq(cli_expect(fds[0], "+OK"), "+OK b");
	cr_assert_str_eq(cli_expect(fds[0], "+OK"), "+OK c");
	for (int i = 0; i < N; i++) {
		cli_send(fds[i], "QUIT\r\n");
		cli_expect(fds[i], "+OK bye");
		cr_assert(cli_closed_within(fds[i], 2000));
		close(fds[i]);
	}
	srv_stop(&st, 1000);
	cr_assert_eq(atomic_load(&cfg.opened), N);
	cr_assert_eq(atomic_load(&cfg.closed), N);
	correu_server_free(srv);
}

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

Test(runtime, total_connection_limit, .timeout = 30)
{
	limit_case(false);
}

Test(runtime, per_ip_connection_limit, .timeout = 30)
{
	limit_case(true);
}

Test(runtime, refusal_without_a_line, .timeout = 30)
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

Test(runtime, idle_timeout_closes_quiet_clients_only, .timeout = 30)
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

Test(runtime, command_timeout_is_the_cores_deadline, .timeout = 30)
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

Test(runtime, back_pressure_on_a_client_that_never_reads, .timeout = 60)
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

Test(runtime, max_input_at_and_past_the_limit, .timeout = 30)
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

Test(runtime, auth_backoff_grows_caps_and_resets, .timeout = 30)
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

Test(runtime, auth_failures_per_session_are_capped, .timeout = 30)
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

Test(runtime, graceful_shutdown_waits_for_the_transaction, .timeout = 30)
{
	correu_server_settings s;
	echo_cfg cfg = { 0 };
	correu_server_stats stats = { .version = CORREU_SERVER_STATS_VERSION };
	srv_thread st;
	correu_server *srv;
	uint32_t port;
	int busy, idle;
	struct sockaddr_in sa = { 0 };
	int late;

	test_settings(&s);
	srv = test_server(&s);
	port = test_listen(srv, CORREU_SERVER_LISTEN_PLAIN, 0, NULL, &cfg);
	srv_start(&st, srv);
	busy = cli_connect(port);
	idle = cli_connect(port);
	cli_expect(busy, "+OK hello");
	cli_expect(idle, "+OK hello");
	cli_send(busy, "BEGIN\r\n");
	cli_expect(busy, "+OK begin");
	cr_assert_eq(correu_server_stop(srv, 5000), 0);
	/* The idle session is told and leaves at once. */
	cli_expect(idle, "+OK shutdown");
	cr_assert(cli_closed_within(idle, 2000));
	/* No new connections. */
	late = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(0x7f000001);
	cr_assert_neq(connect(late, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(late);
	/* The transaction still completes, then the session ends. */
	cli_send(busy, "in txn\r\n");
	cli_expect(busy, "+OK in txn");
	cli_send(busy, "END\r\n");
	cli_expect(busy, "+OK end");
	cli_expect(busy, "+OK shutdown");
	cr_assert(cli_closed_within(busy, 2000));
	cr_assert_eq(pthread_join(st.th, NULL), 0);
	st.running = false;
	cr_assert_eq(st.rc, 0);
	cr_assert_eq(correu_server_get_stats(srv, &stats), 0);
	cr_assert_eq(stats.cut_off, 0);
	cr_assert_eq(atomic_load(&cfg.shutdown_events), 2);
	close(busy);
	close(idle);
	correu_server_free(srv);
}

Test(runtime, graceful_shutdown_cuts_off_after_the_grace, .timeout = 30)
{
	correu_server_settings s;
	echo_cfg cfg = { 0 };
	correu_server_stats stats = { .version = CORREU_SERVER_STATS_VERSION };
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
	cli_send(fd, "BEGIN\r\n");
	cli_expect(fd, "+OK begin");
	t0 = now_ms();
	srv_stop(&st, 200);
	cr_assert_geq(now_ms() - t0, 150, "cut off before the grace period");
	cr_assert(cli_closed_within(fd, 2000));
	cr_assert_eq(correu_server_get_stats(srv, &stats), 0);
	cr_assert_eq(stats.cut_off, 1);
	cr_assert_eq(atomic_load(&cfg.closed), 1);
	close(fd);
	correu_server_free(srv);
}

Test(runtime, sigterm_stops_the_loop, .timeout = 30)
{
	correu_server_settings s;
	echo_cfg cfg = { 0 };
	srv_thread st;
	correu_server *srv;
	uint32_t port;
	int fd;

	test_settings(&s);
	srv = test_server(&s);
	port = test_listen(srv, CORREU_SERVER_LISTEN_PLAIN, 0, NULL, &cfg);
	cr_assert_eq(correu_server_catch_signals(srv), 0);
	srv_start(&st, srv);
	fd = cli_connect(port);
	cli_expect(fd, "+OK hello");
	cr_assert_eq(raise(SIGTERM), 0);
	cli_expect(fd, "+OK shutdown");
	cr_assert(cli_closed_within(fd, 2000));
	cr_assert_eq(pthread_join(st.th, NULL), 0);
	cr_assert_eq(st.rc, 0);
	close(fd);
	correu_server_free(srv);
}

Test(runtime, loops_share_a_port_with_reuseport, .timeout = 30)
{
	correu_server_settings s;
	echo_cfg cfg1 = { 0 }, cfg2 = { 0 };
	srv_thread st1, st2;
	correu_server *a, *b;
	correu_server_listen_cfg lc = { 0 };
	uint32_t port, port2 = 0;

	test_settings(&s);
	s.max_conns_per_ip = 0;
	a = test_server(&s);
	b = test_server(&s);
	port = test_listen(a, CORREU_SERVER_LISTEN_PLAIN, CORREU_SERVER_LISTEN_REUSEPORT, NULL,
	                   &cfg1);
	lc.version = CORREU_SERVER_LISTEN_VERSION;
	lc.flags = CORREU_SERVER_LISTEN_REUSEPORT;
	lc.host = "127.0.0.1";
	lc.port = port;
	lc.core = &echo_core;
	lc.core_userdata = &cfg2;
	cr_assert_eq(correu_server_listen(b, &lc, &port2), 0);
	cr_assert_eq(port2, port);
	srv_start(&st1, a);
	srv_start(&st2, b);
	for (int i = 0; i < 40; i++) {
		int fd = cli_connect(port);

		cli_expect(fd, "+OK hello");
		close(fd);
	}
	srv_stop(&st1, 1000);
	srv_stop(&st2, 1000);
	cr_assert_eq(atomic_load(&cfg1.opened) + atomic_load(&cfg2.opened), 40);
	correu_server_free(a);
	correu_server_free(b);
}

static int create_scenario(void *ctx, const correu_allocator *a)
{
	correu_server_settings s;
	correu_server *srv = NULL;
	correu_server_listen_cfg lc = { 0 };
	int rc;

	(void)ctx;
	test_settings(&s);
	s.max_conns = 8;
	s.auth_table_size = 8;
	rc = correu_server_new(&s, a, &srv);
	if (rc < 0)
		return rc;
	lc.version = CORREU_SERVER_LISTEN_VERSION;
	lc.host = "127.0.0.1";
	lc.core = &echo_core;
	rc = correu_server_listen(srv, &lc, NULL);
	if (rc == 0)
		rc = correu_server_trust_proxy(srv, "10.0.0.0/8");
	correu_server_free(srv);
	return rc;
}

Test(runtime, creation_survives_allocation_failures)
{
	cr_assert_gt(failalloc_loop(create_scenario, NULL, 100), 0);
}

Test(runtime, settings_are_checked)
{
	correu_server_settings s;
	correu_server *srv = NULL;

	cr_assert_eq(correu_server_settings_init(&s), 0);
	s.max_conns = 0;
	cr_assert_eq(correu_server_new(&s, NULL, &srv), CORREU_ERR_ARG);
	cr_assert_eq(correu_server_settings_init(&s), 0);
	s.max_input = (uint32_t)INT32_MAX + 1;
	cr_assert_eq(correu_server_new(&s, NULL, &srv), CORREU_ERR_ARG);
	s.max_input = INT32_MAX;
	cr_assert_eq(correu_server_new(&s, NULL, &srv), 0);
	cr_assert_eq(correu_server_trust_proxy(srv, "10.0.0.0/33"), CORREU_ERR_SYNTAX);
	cr_assert_eq(correu_server_trust_proxy(srv, "10.0.0.0/32"), 0);
	cr_assert_eq(correu_server_trust_proxy(srv, "::1/129"), CORREU_ERR_SYNTAX);
	cr_assert_eq(correu_server_trust_proxy(srv, "::1/128"), 0);
	correu_server_free(srv);
}

Test(runtime, half_close_gets_the_answers_then_the_end, .timeout = 30)
{
	correu_server_settings s;
	echo_cfg cfg = { 0 };
	srv_thread st;
	correu_server *srv;
	uint32_t port;
	int fd;

	test_settings(&s);
	srv = test_server(&s);
	port = test_listen(srv, CORREU_SERVER_LISTEN_PLAIN, 0, NULL, &cfg);
	srv_start(&st, srv);
	fd = cli_connect(port);
	cli_expect(fd, "+OK hello");
	/* Two commands and an unfinished one, then our side closes. */
	cli_send(fd, "one\r\ntwo\r\nthr");
	cr_assert_eq(shutdown(fd, SHUT_WR), 0);
	cr_assert_str_eq(cli_expect(fd, "+OK"), "+OK one");
	cr_assert_str_eq(cli_expect(fd, "+OK"), "+OK two");
	cr_assert(cli_closed_within(fd, 2000));
	close(fd);
	srv_stop(&st, 1000);
	cr_assert_eq(atomic_load(&cfg.closed), 1);
	correu_server_free(srv);
}

Test(runtime, a_woken_session_is_looked_at_again, .timeout = 30)
{
	correu_server_settings s;
	echo_cfg cfg = { 0 };
	srv_thread st;
	correu_server *srv;
	uint32_t port;
	int a, b;

	test_settings(&s);
	srv = test_server(&s);
	port = test_listen(srv, CORREU_SERVER_LISTEN_PLAIN, 0, NULL, &cfg);
	srv_start(&st, srv);
	a = cli_connect(port);
	b = cli_connect(port);
	cli_expect(a, "+OK hello");
	cli_expect(b, "+OK hello");
	cli_send(a, "PARK\r\n");
	usleep(100 * 1000);
	cli_send(b, "POKE\r\n");
	cli_expect(b, "+OK poke");
	/* Nothing arrived on a's socket: only the wake-up makes the runtime
	 * look at its session's output. */
	cr_assert_str_eq(cli_expect(a, "+OK"), "+OK poked");
	close(a);
	close(b);
	srv_stop(&st, 1000);
	correu_server_free(srv);
}

struct logbook {
	pthread_mutex_t mu;
	char text[65536];
	size_t len;
	int lines;
};

static void log_hook(int level, const char *msg, size_t len, void *userdata)
{
	struct logbook *lb = userdata;

	(void)level;
	pthread_mutex_lock(&lb->mu);
	if (len + 1 < sizeof(lb->text) - lb->len) {
		memcpy(lb->text + lb->len, msg, len);
		lb->text[lb->len + len] = '\n';
		lb->len += len + 1;
		lb->lines++;
	}
	pthread_mutex_unlock(&lb->mu);
}

Test(runtime, every_connection_message_names_its_id, .timeout = 30)
{
	static struct logbook lb = { .mu = PTHREAD_MUTEX_INITIALIZER };
	correu_logger lg = { CORREU_LOGGER_VERSION, CORREU_LOG_TRACE, log_hook, &lb };
	correu_server_settings s;
	echo_cfg cfg = { 0 };
	srv_thread st;
	correu_server *srv;
	uint32_t port;
	int fd;
	unsigned long long id;
	char want[64];
	const char *l;

	test_settings(&s);
	srv = test_server(&s);
	cr_assert_eq(correu_server_set_logger(srv, &lg), 0);
	port = test_listen(srv, CORREU_SERVER_LISTEN_PLAIN, 0, NULL, &cfg);
	srv_start(&st, srv);
	fd = cli_connect(port);
	cli_expect(fd, "+OK hello");
	cli_send(fd, "INFO\r\n");
	l = cli_expect(fd, "+OK tls=0");
	id = strtoull(strstr(l, "id=") + 3, NULL, 10);
	cr_assert_gt(id, 0);
	cli_send(fd, "LOG\r\nFAIL\r\nQUIT\r\n");
	cli_expect(fd, "+OK");
	cli_expect(fd, "-ERR delay");
	cli_expect(fd, "+OK bye");
	cr_assert(cli_closed_within(fd, 2000));
	close(fd);
	srv_stop(&st, 1000);
	lb.text[lb.len] = '\0';
	snprintf(want, sizeof(want), "conn %llu: core says hi\n", id);
	cr_assert_not_null(strstr(lb.text, want), "log:\n%s", lb.text);
	snprintf(want, sizeof(want), "conn %llu: accepted from 127.0.0.1:", id);
	cr_assert_not_null(strstr(lb.text, want), "log:\n%s", lb.text);
	snprintf(want, sizeof(want), "conn %llu: authentication failed", id);
	cr_assert_not_null(strstr(lb.text, want), "log:\n%s", lb.text);
	snprintf(want, sizeof(want), "conn %llu: closed\n", id);
	cr_assert_not_null(strstr(lb.text, want), "log:\n%s", lb.text);
	/* Only loop-wide messages go without an id. */
	for (char *line = lb.text; *line; line = strchr(line, '\n') + 1)
		cr_assert(strncmp(line, "conn ", 5) == 0 || strncmp(line, "stopping", 8) == 0,
		          "a message without a connection id: %.60s", line);
	correu_server_free(srv);
}

Test(runtime, run_returns_at_once_when_stopped_idle)
{
	correu_server_settings s;
	echo_cfg cfg = { 0 };
	correu_server *srv;

	test_settings(&s);
	srv = test_server(&s);
	(void)test_listen(srv, CORREU_SERVER_LISTEN_PLAIN, 0, NULL, &cfg);
	cr_assert_eq(correu_server_run_once(srv, 0), 1, "a listening loop has work");
	cr_assert_eq(correu_server_stop(srv, 1000), 0);
	cr_assert_eq(correu_server_run_once(srv, 0), 0);
	cr_assert_eq(correu_server_run(srv), 0);
	cr_assert_eq(correu_server_listen(srv, &(correu_server_listen_cfg){
	                                          .version = CORREU_SERVER_LISTEN_VERSION,
	                                          .host = "127.0.0.1", .core = &echo_core },
	                                  NULL),
	             CORREU_ERR_STATE);
	correu_server_free(srv);
}

/* Accepting and serving with the Nth allocation after start-up failing:
 * the client is served or closed, nothing leaks, the loop goes on. */
Test(runtime, accept_survives_allocation_failures, .timeout = 120)
{
	long base = -1;
	bool ended = false;

	for (long n = 0; n < 40 && !ended; n++) {
		correu_server_settings s;
		echo_cfg cfg = { 0 };
		srv_thread st;
		correu_server *srv = NULL;
		failalloc f;
		uint32_t port;
		int fd;
		char line[256];

		test_settings(&s);
		failalloc_init(&f, 0);
		cr_assert_eq(correu_server_new(&s, &f.table, &srv), 0);
		port = test_listen(srv, CORREU_SERVER_LISTEN_PLAIN, 0, NULL, &cfg);
		if (base < 0)
			base = f.count;
		f.fail_at = n ? f.count + n : 0;
		srv_start(&st, srv);
		fd = cli_connect(port);
		cli_send(fd, "hi\r\n");
		if (cli_line(fd, line, sizeof(line)) >= 0) {
			cr_assert(strncmp(line, "+OK hello", 9) == 0, "got \"%s\"", line);
			cr_assert_eq(cli_line(fd, line, sizeof(line)) >= 0 ? strcmp(line, "+OK hi") : 0,
			             0, "got \"%s\"", line);
		}
		close(fd);
		srv_stop(&st, 1000);
		correu_server_free(srv);
		cr_assert_eq(f.live_blocks, 0, "failing allocation %ld leaked", n);
		/* Past the last allocation a connection makes: done. */
		ended = n > 0 && !f.failed;
	}
	cr_assert(ended, "a connection still allocating after 40 allocations");
	cr_assert_geq(base, 1);
}
