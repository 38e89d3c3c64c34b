/*
 * The server runtime over real sockets on 127.0.0.1 with the echo core:
 * serving many clients, pipelining, half-close, wake-ups of a session from
 * outside its own calls, connection ids in the log, driving the loop turn
 * by turn, settings checks and allocation failures at creation and while
 * accepting. Built twice: on epoll and on poll(2).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"
#include "failalloc.h"

Test(runtime, serves_many_connections_at_once, .timeout = 30)
{
	enum { N = 64 };
	fixture f;
	int fds[N];

	fx_setup(&f);
	f.set.max_conns_per_ip = 0;
	fx_start(&f);
	for (int i = 0; i < N; i++) {
		fds[i] = cli_connect(f.port);
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
	fx_stop(&f);
	cr_assert_eq(atomic_load(&f.cfg.opened), N);
	cr_assert_eq(atomic_load(&f.cfg.closed), N);
	fx_end(&f);
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
	fixture f;
	int fd;

	fx_setup(&f);
	fx_start(&f);
	fd = fx_connect(&f, NULL);
	/* Two commands and an unfinished one, then our side closes. */
	cli_send(fd, "one\r\ntwo\r\nthr");
	cr_assert_eq(shutdown(fd, SHUT_WR), 0);
	cr_assert_str_eq(cli_expect(fd, "+OK"), "+OK one");
	cr_assert_str_eq(cli_expect(fd, "+OK"), "+OK two");
	cr_assert(cli_closed_within(fd, 2000));
	close(fd);
	fx_stop(&f);
	cr_assert_eq(atomic_load(&f.cfg.closed), 1);
	fx_end(&f);
}

Test(runtime, a_woken_session_is_looked_at_again, .timeout = 30)
{
	fixture f;
	int a, b;

	fx_setup(&f);
	fx_start(&f);
	a = fx_connect(&f, NULL);
	b = fx_connect(&f, NULL);
	cli_send(a, "PARK\r\n");
	usleep(100 * 1000);
	cli_send(b, "POKE\r\n");
	cli_expect(b, "+OK poke");
	/* Nothing arrived on a's socket: only the wake-up makes the runtime
	 * look at its session's output. */
	cr_assert_str_eq(cli_expect(a, "+OK"), "+OK poked");
	close(a);
	close(b);
	fx_end(&f);
}

Test(runtime, every_connection_message_names_its_id, .timeout = 30)
{
	static logbook lb = { .mu = PTHREAD_MUTEX_INITIALIZER };
	correu_logger lg = { CORREU_LOGGER_VERSION, CORREU_LOG_TRACE, logbook_hook, &lb };
	fixture f;
	int fd;
	unsigned long long id;
	char want[64];
	const char *l;

	fx_setup(&f);
	fx_create(&f);
	cr_assert_eq(correu_server_set_logger(f.srv, &lg), 0);
	fx_start(&f);
	fd = fx_connect(&f, NULL);
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
	fx_stop(&f);
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
	fx_end(&f);
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

Test(runtime, starttls_without_tls_closes, .timeout = 30)
{
	fixture f;
	const char *greeting;
	int fd;

	fx_setup(&f);
	fx_start(&f);
	fd = fx_connect(&f, &greeting);
	cr_assert_not_null(strstr(greeting, " tls=0 "));
	/* The core asks for TLS on a listener that has none: the runtime
	 * never goes on in plaintext after the go-ahead. */
	cli_send(fd, "STARTTLS\r\nINFO\r\n");
	cli_expect(fd, "+OK begin TLS");
	cr_assert(cli_closed_within(fd, 2000));
	close(fd);
	fx_end(&f);
}
