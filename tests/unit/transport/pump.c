/* Two transports driven against each other (see pump.h). */
#include "pump.h"

#include <criterion/criterion.h>
#include <string.h>

static int blocked(int rc)
{
	return rc == CORREU_ERR_WANT_READ || rc == CORREU_ERR_WANT_WRITE;
}

/* Nothing moved: give loopback TCP a moment; the memory pair never waits. */
static void settle(correu_transport *a, correu_transport *b)
{
	int rc;

	/* Ready or not, the caller retries both sides; only the pause matters. */
	if (correu_transport_fd(a) >= 0)
		rc = correu_transport_wait(a, CORREU_WAIT_READ, 20);
	if (correu_transport_fd(b) >= 0)
		rc = correu_transport_wait(b, CORREU_WAIT_READ, 20);
	(void)rc;
}

void pump_handshake(correu_transport *a, correu_transport *b, int *rc_a, int *rc_b)
{
	*rc_a = *rc_b = CORREU_ERR_WANT_READ;
	for (int i = 0; i < 2000; i++) {
		if (blocked(*rc_a))
			*rc_a = correu_transport_handshake(a);
		if (blocked(*rc_b))
			*rc_b = correu_transport_handshake(b);
		if (!blocked(*rc_a) && !blocked(*rc_b))
			return;
		/* One side failed: let the other read the alert, then stop. */
		if ((*rc_a < 0 && !blocked(*rc_a)) || (*rc_b < 0 && !blocked(*rc_b))) {
			if (blocked(*rc_a))
				*rc_a = correu_transport_handshake(a);
			if (blocked(*rc_b))
				*rc_b = correu_transport_handshake(b);
			return;
		}
		if (i > 100)
			settle(a, b);
	}
	cr_assert_fail("handshake made no progress");
}

void pump_transfer(correu_transport *from, correu_transport *to, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t got[65536];
	size_t sent = 0, recvd = 0;

	cr_assert_leq(len, sizeof(got));
	for (int i = 0; i < 100000 && recvd < len; i++) {
		correu_ssize n;

		if (sent < len) {
			n = correu_transport_send(from, p + sent, len - sent);
			if (n > 0)
				sent += (size_t)n;
			else
				cr_assert(blocked((int)n), "send: %s", correu_err_name((int)n));
		}
		n = correu_transport_recv(to, got + recvd, len - recvd);
		if (n > 0)
			recvd += (size_t)n;
		else
			cr_assert(blocked((int)n), "recv: %s", correu_err_name((int)n));
		if (i > 100 && n <= 0)
			settle(from, to);
	}
	cr_assert_eq(recvd, len, "only %zu of %zu bytes arrived", recvd, len);
	cr_assert_arr_eq(got, p, len);
}

void tls_configs(const char *ca, const char *cert, const char *key,
                 correu_tls_config **client, correu_tls_config **server)
{
	cr_assert_eq(correu_tls_config_new(CORREU_TLS_CLIENT, NULL, client), 0);
	cr_assert_eq(correu_tls_config_set_ca_pem(*client, (const uint8_t *)ca, strlen(ca)), 0);
	cr_assert_eq(correu_tls_config_new(CORREU_TLS_SERVER, NULL, server), 0);
	cr_assert_eq(correu_tls_config_set_cert_pem(*server, (const uint8_t *)cert, strlen(cert),
	                                            (const uint8_t *)key, strlen(key), NULL),
	             0);
}
