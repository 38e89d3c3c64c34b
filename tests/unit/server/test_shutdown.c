/*
 * Stopping the server runtime: graceful shutdown with a session in the
 * middle of a transaction, the cut-off after the grace period, SIGTERM
 * through the optional handlers, and two loops sharing a port with
 * SO_REUSEPORT. Built twice: on epoll and on poll(2).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"

Test(shutdown, graceful_shutdown_waits_for_the_transaction, .timeout = 30)
{
	fixture f;
	int busy, idle;
	struct sockaddr_in sa = { 0 };
	int late;

	fx_setup(&f);
	fx_start(&f);
	busy = fx_connect(&f, NULL);
	idle = fx_connect(&f, NULL);
	cli_send(busy, "BEGIN\r\n");
	cli_expect(busy, "+OK begin");
	cr_assert_eq(correu_server_stop(f.srv, 5000), 0);
	/* The idle session is told and leaves at once. */
	cli_expect(idle, "+OK shutdown");
	cr_assert(cli_closed_within(idle, 2000));
	/* No new connections. */
	late = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)f.port);
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
	cr_assert_eq(pthread_join(f.st.th, NULL), 0);
	f.st.running = false;
	cr_assert_eq(f.st.rc, 0);
	cr_assert_eq(fx_stats(&f).cut_off, 0);
	cr_assert_eq(atomic_load(&f.cfg.shutdown_events), 2);
	close(busy);
	close(idle);
	fx_end(&f);
}

Test(shutdown, graceful_shutdown_cuts_off_after_the_grace, .timeout = 30)
{
	fixture f;
	int fd;
	uint64_t t0;

	fx_setup(&f);
	fx_start(&f);
	fd = fx_connect(&f, NULL);
	cli_send(fd, "BEGIN\r\n");
	cli_expect(fd, "+OK begin");
	t0 = now_ms();
	srv_stop(&f.st, 200);
	cr_assert_geq(now_ms() - t0, 150, "cut off before the grace period");
	cr_assert(cli_closed_within(fd, 2000));
	cr_assert_eq(fx_stats(&f).cut_off, 1);
	cr_assert_eq(atomic_load(&f.cfg.closed), 1);
	close(fd);
	fx_end(&f);
}

Test(shutdown, sigterm_stops_the_loop, .timeout = 30)
{
	fixture f;
	int fd;

	fx_setup(&f);
	fx_create(&f);
	cr_assert_eq(correu_server_catch_signals(f.srv), 0);
	fx_start(&f);
	fd = fx_connect(&f, NULL);
	cr_assert_eq(raise(SIGTERM), 0);
	cli_expect(fd, "+OK shutdown");
	cr_assert(cli_closed_within(fd, 2000));
	cr_assert_eq(pthread_join(f.st.th, NULL), 0);
	f.st.running = false;
	cr_assert_eq(f.st.rc, 0);
	close(fd);
	fx_end(&f);
}

Test(shutdown, loops_share_a_port_with_reuseport, .timeout = 30)
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
