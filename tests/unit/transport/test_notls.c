/* A build without mbedTLS (-Dtls=disabled): every TLS call is present and says so. */
#include <criterion/criterion.h>

#include "correu/transport.h"

Test(notls, tls_calls_answer_unsupported)
{
	correu_tls_config *cfg = (correu_tls_config *)&cfg;
	correu_transport *a, *b;
	char buf[32];

	cr_assert_eq(correu_tls_config_new(CORREU_TLS_CLIENT, NULL, &cfg), CORREU_ERR_UNSUPPORTED);
	cr_assert_null(cfg);
	cr_assert_eq(correu_tls_config_set_ca_file(NULL, "x"), CORREU_ERR_UNSUPPORTED);
	correu_tls_config_free(NULL);
	cr_assert_eq(correu_mem_pair_new(64, 0, NULL, &a, &b), 0);
	cr_assert_eq(correu_transport_starttls(a, NULL, "localhost"), CORREU_ERR_UNSUPPORTED);
	cr_assert_eq(correu_transport_is_tls(a), 0);
	cr_assert_eq(correu_transport_handshake(a), 0);
	cr_assert_eq(correu_transport_tls_verify_flags(a), CORREU_CERT_NOT_VERIFIED);
	cr_assert_eq(correu_transport_tls_peer_name(a, CORREU_TLS_PEER_SUBJECT, buf, sizeof(buf)),
	             CORREU_ERR_UNSUPPORTED);
	/* The plain stream is untouched by the refused upgrade. */
	cr_assert_eq(correu_transport_send(a, (const uint8_t *)"ok", 2), 2);
	cr_assert_eq(correu_transport_recv(b, (uint8_t *)buf, sizeof(buf)), 2);
	correu_transport_free(a);
	correu_transport_free(b);
}
