/*
 * correu_transport_recv_wait() on TCP loopback and on an application's own
 * operations: bytes already there come at once, bytes sent later wake the
 * receive, silence ends at the time limit (a short limit after a long one
 * included), the end of the stream is EOF, and the handle's other calls
 * stay non-blocking once the descriptor itself blocks.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "correu/transport.h"
#include "pump.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A connected client c and server s on 127.0.0.1. */
static void tcp_pair(correu_transport **c, correu_transport **s)
{
	correu_tcp_listener *l;
	int rc = CORREU_ERR_WANT_READ;

	cr_assert_eq(correu_tcp_listen("127.0.0.1", 0, 4, 0, NULL, &l), 0);
	cr_assert_eq(correu_tcp_connect("127.0.0.1", (uint16_t)correu_tcp_listener_port(l), 2000,
	                                NULL, c),
	             0);
	for (int k = 0; k < 100 && (rc = correu_tcp_accept(l, s, NULL, 0)) != 0; k++)
		usleep(1000);
	cr_assert_eq(rc, 0);
	correu_tcp_listener_free(l);
}

/* recv_wait with `timeout` on nothing: TIMEOUT, after about that long. */
static void silence_times_out(correu_transport *c, int32_t timeout)
{
	uint8_t buf[16];
	double t0 = now_ms(), took;

	cr_assert_eq(correu_transport_recv_wait(c, buf, sizeof(buf), timeout), CORREU_ERR_TIMEOUT);
	took = now_ms() - t0;
	cr_assert_geq(took, timeout - 1, "returned after %.1f ms of %d", took, timeout);
	cr_assert_lt(took, timeout + 500, "returned after %.1f ms of %d", took, timeout);
}

Test(recv_wait, bytes_already_there_come_at_once)
{
	correu_transport *c, *s;
	uint8_t buf[16];
	double t0;

	tcp_pair(&c, &s);
	cr_assert_eq(correu_transport_send(s, (const uint8_t *)"220 hi\r\n", 8), 8);
	t0 = now_ms();
	cr_assert_eq(correu_transport_recv_wait(c, buf, sizeof(buf), 5000), 8);
	cr_assert_lt(now_ms() - t0, 1000);
	cr_assert_eq(memcmp(buf, "220 hi\r\n", 8), 0);
	correu_transport_free(c);
	correu_transport_free(s);
}

Test(recv_wait, bytes_sent_later_wake_the_receive)
{
	correu_transport *c, *s;
	uint8_t buf[16];
	pid_t pid;
	int st;

	tcp_pair(&c, &s);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		usleep(100000);
		_exit(write(correu_transport_fd(s), "250 ok\r\n", 8) == 8 ? 0 : 1);
	}
	cr_assert_eq(correu_transport_recv_wait(c, buf, sizeof(buf), -1), 8);
	cr_assert_eq(memcmp(buf, "250 ok\r\n", 8), 0);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert_eq(st, 0);
	correu_transport_free(c);
	correu_transport_free(s);
}

Test(recv_wait, silence_ends_at_the_limit_even_after_a_longer_one)
{
	correu_transport *c, *s;
	uint8_t buf[16];

	tcp_pair(&c, &s);
	/* A long limit met at once leaves a long receive timeout on the
	 * socket; the short limit after it must still hold. */
	cr_assert_eq(correu_transport_send(s, (const uint8_t *)"x", 1), 1);
	cr_assert_eq(correu_transport_recv_wait(c, buf, sizeof(buf), 60000), 1);
	silence_times_out(c, 150);
	silence_times_out(c, 40);
	silence_times_out(c, 0);
	/* And a longer one again, after the short ones. */
	silence_times_out(c, 300);
	correu_transport_free(c);
	correu_transport_free(s);
}

Test(recv_wait, end_of_stream_is_eof)
{
	correu_transport *c, *s;
	uint8_t buf[16];

	tcp_pair(&c, &s);
	cr_assert_eq(correu_transport_shutdown(s), 0);
	cr_assert_eq(correu_transport_recv_wait(c, buf, sizeof(buf), 2000), CORREU_ERR_EOF);
	correu_transport_free(c);
	correu_transport_free(s);
}

Test(recv_wait, other_calls_stay_non_blocking)
{
	correu_transport *c, *s;
	static uint8_t chunk[65536];
	uint8_t buf[16];
	correu_ssize n = 0;
	double t0;
	int i;

	tcp_pair(&c, &s);
	silence_times_out(c, 10); /* the descriptor blocks from here on */
	t0 = now_ms();
	cr_assert_eq(correu_transport_recv(c, buf, sizeof(buf)), CORREU_ERR_WANT_READ);
	/* Nobody reads s: sending fills both buffers, then must not block. */
	for (i = 0; i < 4096 && (n = correu_transport_send(c, chunk, sizeof(chunk))) > 0; i++)
		;
	cr_assert_eq(n, CORREU_ERR_WANT_WRITE, "after %d chunks: %s", i, correu_err_name((int)n));
	cr_assert_lt(now_ms() - t0, 5000);
	cr_assert_eq(correu_transport_wait(c, CORREU_WAIT_READ, 0), CORREU_ERR_TIMEOUT);
	correu_transport_free(c);
	correu_transport_free(s);
}

Test(recv_wait, memory_pair_waits_then_receives)
{
	correu_transport *a, *b;
	uint8_t buf[16];

	cr_assert_eq(correu_mem_pair_new(64, 0, NULL, &a, &b), 0);
	cr_assert_eq(correu_transport_recv_wait(b, buf, sizeof(buf), 0), CORREU_ERR_TIMEOUT);
	cr_assert_eq(correu_transport_send(a, (const uint8_t *)"+OK\r\n", 5), 5);
	cr_assert_eq(correu_transport_recv_wait(b, buf, sizeof(buf), 1000), 5);
	cr_assert_eq(memcmp(buf, "+OK\r\n", 5), 0);
	correu_transport_free(a);
	correu_transport_free(b);
}

static correu_ssize nop_send(const uint8_t *buf, size_t len, void *ud)
{
	(void)buf;
	(void)ud;
	return (correu_ssize)len;
}

static correu_ssize nop_recv(uint8_t *buf, size_t len, void *ud)
{
	(void)buf;
	(void)len;
	(void)ud;
	return CORREU_ERR_WANT_READ;
}

Test(recv_wait, user_ops_without_wait_are_unsupported)
{
	correu_transport_ops ops = { .version = CORREU_TRANSPORT_OPS_VERSION, .send = nop_send,
		                     .recv = nop_recv };
	correu_transport *t;
	uint8_t buf[4];

	cr_assert_eq(correu_transport_new(&ops, NULL, NULL, &t), 0);
	cr_assert_eq(correu_transport_recv_wait(t, buf, sizeof(buf), 10), CORREU_ERR_UNSUPPORTED);
	correu_transport_free(t);
}

Test(recv_wait, bad_arguments)
{
	correu_transport *a, *b;
	uint8_t buf[4];

	cr_assert_eq(correu_mem_pair_new(64, 0, NULL, &a, &b), 0);
	cr_assert_eq(correu_transport_recv_wait(NULL, buf, 4, 0), CORREU_ERR_ARG);
	cr_assert_eq(correu_transport_recv_wait(a, NULL, 4, 0), CORREU_ERR_ARG);
	cr_assert_eq(correu_transport_recv_wait(a, buf, 4, -2), CORREU_ERR_ARG);
	cr_assert_eq(correu_transport_recv_wait(a, buf, 0, 0), 0);
	correu_transport_free(a);
	correu_transport_free(b);
}
