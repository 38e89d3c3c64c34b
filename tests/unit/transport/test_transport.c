/* The handle over user-supplied operations: dispatch, shutdown, wait, logging. */
#include <criterion/criterion.h>
#include <string.h>

#include "correu/transport.h"
#include "failalloc.h"

/* A user transport: a byte sink and a canned source, counting calls. */
struct user {
	uint8_t sent[64];
	size_t sent_len;
	const char *source;
	size_t source_pos;
	int shutdowns, closes;
};

static correu_ssize u_send(const uint8_t *buf, size_t len, void *ud)
{
	struct user *u = ud;

	if (u->sent_len == sizeof(u->sent))
		return CORREU_ERR_WANT_WRITE;
	if (len > sizeof(u->sent) - u->sent_len)
		len = sizeof(u->sent) - u->sent_len;
	memcpy(u->sent + u->sent_len, buf, len);
	u->sent_len += len;
	return (correu_ssize)len;
}

static correu_ssize u_recv(uint8_t *buf, size_t len, void *ud)
{
	struct user *u = ud;
	size_t left = strlen(u->source) - u->source_pos;

	if (left == 0)
		return CORREU_ERR_EOF;
	if (len > left)
		len = left;
	memcpy(buf, u->source + u->source_pos, len);
	u->source_pos += len;
	return (correu_ssize)len;
}

static int u_shutdown(void *ud)
{
	((struct user *)ud)->shutdowns++;
	return 0;
}

static int u_close(void *ud)
{
	((struct user *)ud)->closes++;
	return 0;
}

static const correu_transport_ops user_ops = {
	CORREU_TRANSPORT_OPS_VERSION, u_send, u_recv, u_shutdown, u_close, NULL, NULL,
};

Test(transport, user_ops_carry_the_bytes)
{
	struct user u = { .source = "+OK ready\r\n" };
	correu_transport *t;
	uint8_t buf[32];

	cr_assert_eq(correu_transport_new(&user_ops, &u, NULL, &t), 0);
	cr_assert_eq(correu_transport_send(t, (const uint8_t *)"CAPA\r\n", 6), 6);
	cr_assert_eq(u.sent_len, 6);
	cr_assert_arr_eq(u.sent, "CAPA\r\n", 6);
	cr_assert_eq(correu_transport_recv(t, buf, sizeof(buf)), 11);
	cr_assert_arr_eq(buf, "+OK ready\r\n", 11);
	cr_assert_eq(correu_transport_recv(t, buf, sizeof(buf)), CORREU_ERR_EOF);
	cr_assert_eq(correu_transport_fd(t), -1);
	cr_assert_eq(correu_transport_wait(t, CORREU_WAIT_READ, 0), CORREU_ERR_UNSUPPORTED);
	cr_assert_eq(correu_transport_handshake(t), 0, "a plain transport has no handshake");
	cr_assert_eq(correu_transport_is_tls(t), 0);
	cr_assert_eq(correu_transport_tls_verify_flags(t), CORREU_CERT_NOT_VERIFIED);
	cr_assert_null(correu_transport_tls_cipher(t));
	correu_transport_free(t);
	cr_assert_eq(u.closes, 1);
}

Test(transport, shutdown_once_then_sends_fail)
{
	struct user u = { .source = "" };
	correu_transport *t;

	cr_assert_eq(correu_transport_new(&user_ops, &u, NULL, &t), 0);
	cr_assert_eq(correu_transport_shutdown(t), 0);
	cr_assert_eq(correu_transport_shutdown(t), 0);
	cr_assert_eq(u.shutdowns, 1);
	cr_assert_eq(correu_transport_send(t, (const uint8_t *)"x", 1), CORREU_ERR_CLOSED);
	cr_assert_eq(u.sent_len, 0);
	correu_transport_free(t);
}

Test(transport, ops_table_is_checked_and_copied)
{
	correu_transport_ops ops = user_ops;
	struct user u = { .source = "hi" };
	correu_transport *t = (correu_transport *)&t;
	uint8_t buf[4];

	ops.version = 99;
	cr_assert_eq(correu_transport_new(&ops, &u, NULL, &t), CORREU_ERR_ARG);
	cr_assert_null(t);
	ops.version = CORREU_TRANSPORT_OPS_VERSION;
	ops.recv = NULL;
	cr_assert_eq(correu_transport_new(&ops, &u, NULL, &t), CORREU_ERR_ARG);
	ops.recv = u_recv;
	cr_assert_eq(correu_transport_new(&ops, &u, NULL, &t), 0);
	memset(&ops, 0, sizeof(ops)); /* the handle kept its own copy */
	cr_assert_eq(correu_transport_recv(t, buf, sizeof(buf)), 2);
	correu_transport_free(t);
	correu_transport_free(NULL);
	cr_assert_eq(correu_transport_new(NULL, &u, NULL, &t), CORREU_ERR_ARG);
	cr_assert_eq(correu_transport_new(&user_ops, &u, NULL, NULL), CORREU_ERR_ARG);
}

static int make_user(void *ctx, const correu_allocator *al)
{
	struct user *u = ctx;
	correu_transport *t;
	int rc = correu_transport_new(&user_ops, u, al, &t);

	if (rc < 0)
		return rc;
	correu_transport_free(t);
	return 0;
}

Test(transport, allocation_failure_is_clean)
{
	struct user u = { .source = "" };

	cr_assert_eq(failalloc_loop(make_user, &u, 10), 1);
}
