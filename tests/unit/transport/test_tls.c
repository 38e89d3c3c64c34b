/*
 * TLS over the transports: the memory pair with tiny chunks, TCP loopback,
 * an application's own operations, an in-place STARTTLS upgrade, old
 * protocol versions refused, SNI, configuration errors and allocation
 * failures. Certificates are made by the test (certgen.c).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>

#include "certgen.h"
#include "correu/transport.h"
#include "failalloc.h"
#include "pump.h"

static cert_pem ca, leaf;
static correu_tls_config *ccfg, *scfg;

static void setup(void)
{
	certgen_ca(&ca);
	certgen_localhost(&ca, &leaf);
	tls_configs(ca.cert, leaf.cert, leaf.key, &ccfg, &scfg);
}

static void teardown(void)
{
	correu_tls_config_free(ccfg);
	correu_tls_config_free(scfg);
}

TestSuite(tls, .init = setup, .fini = teardown);

static void handshake_ok(correu_transport *c, correu_transport *s)
{
	int rc_c, rc_s;

	pump_handshake(c, s, &rc_c, &rc_s);
	cr_assert_eq(rc_c, 0, "client: %s", correu_err_name(rc_c));
	cr_assert_eq(rc_s, 0, "server: %s", correu_err_name(rc_s));
}

Test(tls, memory_pair_with_one_byte_chunks)
{
	correu_transport *c, *s;
	char subject[128], issuer[128];
	uint8_t big[20000];

	/* Tiny buffers and chunks: every record crosses in pieces. */
	cr_assert_eq(correu_mem_pair_new(64, 1, NULL, &c, &s), 0);
	cr_assert_eq(correu_transport_starttls(c, ccfg, "localhost"), 0);
	cr_assert_eq(correu_transport_starttls(s, scfg, NULL), 0);
	cr_assert_null(correu_transport_tls_cipher(c), "no cipher before the handshake");
	handshake_ok(c, s);
	cr_assert_eq(correu_transport_tls_verify_flags(c), 0);
	cr_assert_str_eq(correu_transport_tls_version(c), "TLSv1.2");
	cr_assert_not_null(correu_transport_tls_cipher(s));
	cr_assert_str_eq(correu_transport_tls_cipher(c), correu_transport_tls_cipher(s));
	cr_assert_gt(correu_transport_tls_peer_name(c, CORREU_TLS_PEER_SUBJECT, subject,
	                                            sizeof(subject)), 0);
	cr_assert_str_eq(subject, "CN=localhost, O=correu");
	cr_assert_gt(correu_transport_tls_peer_name(c, CORREU_TLS_PEER_ISSUER, issuer,
	                                            sizeof(issuer)), 0);
	cr_assert_str_eq(issuer, "CN=correu test CA, O=correu");
	cr_assert_eq(correu_transport_tls_peer_name(c, CORREU_TLS_PEER_SUBJECT, subject, 4),
	             CORREU_ERR_BUFFER);
	cr_assert_eq(correu_transport_tls_peer_name(s, CORREU_TLS_PEER_SUBJECT, subject,
	                                            sizeof(subject)), CORREU_ERR_NOT_FOUND);
	pump_transfer(c, s, "MAIL FROM:<a@b>\r\n", 17);
	pump_transfer(s, c, "250 2.1.0 ok\r\n", 14);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 31);
	pump_transfer(c, s, big, sizeof(big)); /* more than one record */
	correu_transport_free(c);
	correu_transport_free(s);
}

Test(tls, close_notify_reads_as_eof)
{
	correu_transport *c, *s;
	uint8_t buf[8];
	correu_ssize n = 0;

	cr_assert_eq(correu_mem_pair_new(4096, 0, NULL, &c, &s), 0);
	cr_assert_eq(correu_transport_starttls(c, ccfg, "localhost"), 0);
	cr_assert_eq(correu_transport_starttls(s, scfg, NULL), 0);
	handshake_ok(c, s);
	pump_transfer(c, s, "QUIT\r\n", 6);
	cr_assert_eq(correu_transport_shutdown(c), 0);
	cr_assert_eq(correu_transport_send(c, (const uint8_t *)"x", 1), CORREU_ERR_CLOSED);
	n = correu_transport_recv(s, buf, sizeof(buf));
	cr_assert_eq(n, CORREU_ERR_EOF, "got %s", correu_err_name((int)n));
	correu_transport_free(c);
	correu_transport_free(s);
}

Test(tls, tcp_loopback_by_name_and_by_address)
{
	const char *hosts[] = { "localhost", "127.0.0.1" };

	for (size_t i = 0; i < 2; i++) {
		correu_tcp_listener *l;
		correu_transport *c, *s = NULL;
		int rc;

		cr_assert_eq(correu_tcp_listen("127.0.0.1", 0, 4, 0, NULL, &l), 0);
		cr_assert_eq(correu_tcp_connect("127.0.0.1",
		                                (uint16_t)correu_tcp_listener_port(l), 2000, NULL,
		                                &c),
		             0);
		for (int k = 0; k < 100 && (rc = correu_tcp_accept(l, &s, NULL, 0)) != 0; k++)
			usleep(1000);
		cr_assert_eq(rc, 0);
		cr_assert_eq(correu_transport_starttls(c, ccfg, hosts[i]), 0);
		cr_assert_eq(correu_transport_starttls(s, scfg, NULL), 0);
		handshake_ok(c, s);
		cr_assert_eq(correu_transport_tls_verify_flags(c), 0);
		pump_transfer(s, c, "* OK IMAP4rev2\r\n", 16);
		correu_transport_free(c);
		correu_transport_free(s);
		correu_tcp_listener_free(l);
	}
}

Test(tls, buffered_plaintext_counts_as_readable)
{
	correu_transport *c, *s;
	uint8_t buf[4];

	cr_assert_eq(correu_mem_pair_new(4096, 0, NULL, &c, &s), 0);
	cr_assert_eq(correu_transport_starttls(c, ccfg, "localhost"), 0);
	cr_assert_eq(correu_transport_starttls(s, scfg, NULL), 0);
	handshake_ok(c, s);
	cr_assert_eq(correu_transport_send(s, (const uint8_t *)"+OK 2 msgs\r\n", 12), 12);
	cr_assert_eq(correu_transport_pending(c), 0);
	cr_assert_eq(correu_transport_recv(c, buf, 3), 3);
	/* The rest of the record is inside mbedTLS, not in the pair any more. */
	cr_assert_eq(correu_transport_pending(c), 9);
	cr_assert_eq(correu_transport_wait(c, CORREU_WAIT_READ, 0), CORREU_WAIT_READ);
	correu_transport_free(c);
	correu_transport_free(s);
}

struct logged {
	int warnings;
	char last[512];
};

static void on_log(int level, const char *msg, size_t len, void *ud)
{
	struct logged *lg = ud;

	if (level <= CORREU_LOG_WARN)
		lg->warnings++;
	snprintf(lg->last, sizeof(lg->last), "%.*s", (int)len, msg);
}

Test(tls, rejection_is_logged_with_its_reason)
{
	struct logged seen = { 0, "" };
	correu_logger lg = { CORREU_LOGGER_VERSION, CORREU_LOG_DEBUG, on_log, &seen };
	correu_transport *c, *s;
	int rc_c, rc_s;

	cr_assert_eq(correu_mem_pair_new(4096, 0, NULL, &c, &s), 0);
	cr_assert_eq(correu_transport_set_logger(c, &lg), 0);
	cr_assert_eq(correu_transport_starttls(c, ccfg, "imap.example.net"), 0);
	cr_assert_eq(correu_transport_starttls(s, scfg, NULL), 0);
	pump_handshake(c, s, &rc_c, &rc_s);
	cr_assert_eq(rc_c, CORREU_ERR_CERT);
	cr_assert_eq(seen.warnings, 1);
	cr_assert_not_null(strstr(seen.last, "host name mismatch"), "logged: %s", seen.last);
	cr_assert_eq(correu_transport_handshake(c), CORREU_ERR_CERT, "the failure sticks");
	correu_transport_free(c);
	correu_transport_free(s);
}

Test(tls, server_can_require_a_client_certificate)
{
	leaf_spec who = { "client.test", { "client.test" }, { 0 }, -1, 30, 0 };
	cert_pem mine;
	correu_transport *c, *s;
	int rc_c, rc_s;

	certgen_leaf(&ca, &who, &mine);
	cr_assert_eq(correu_tls_config_set_verify(scfg, CORREU_TLS_VERIFY_REQUIRE_PEER), 0);
	cr_assert_eq(correu_tls_config_set_ca_pem(scfg, (const uint8_t *)ca.cert, strlen(ca.cert)),
	             0);
	/* Without a certificate the client is turned away. */
	cr_assert_eq(correu_mem_pair_new(4096, 0, NULL, &c, &s), 0);
	cr_assert_eq(correu_transport_starttls(c, ccfg, "localhost"), 0);
	cr_assert_eq(correu_transport_starttls(s, scfg, NULL), 0);
	pump_handshake(c, s, &rc_c, &rc_s);
	cr_assert_eq(rc_s, CORREU_ERR_CERT, "server: %s", correu_err_name(rc_s));
	cr_assert_eq(correu_transport_tls_verify_flags(s), CORREU_CERT_MISSING);
	correu_transport_free(c);
	correu_transport_free(s);
	/* With one signed by the server's CA it gets in, and is named. */
	cr_assert_eq(correu_tls_config_set_cert_pem(ccfg, (const uint8_t *)mine.cert,
	                                            strlen(mine.cert), (const uint8_t *)mine.key,
	                                            strlen(mine.key), NULL), 0);
	cr_assert_eq(correu_mem_pair_new(4096, 0, NULL, &c, &s), 0);
	cr_assert_eq(correu_transport_starttls(c, ccfg, "localhost"), 0);
	cr_assert_eq(correu_transport_starttls(s, scfg, NULL), 0);
	handshake_ok(c, s);
	cr_assert_eq(correu_transport_tls_verify_flags(s), 0);
	{
		char subject[128];

		cr_assert_gt(correu_transport_tls_peer_name(s, CORREU_TLS_PEER_SUBJECT, subject,
		                                            sizeof(subject)), 0);
		cr_assert_str_eq(subject, "CN=client.test, O=correu");
	}
	correu_transport_free(c);
	correu_transport_free(s);
}

Test(tls, starttls_upgrades_the_same_handle)
{
	correu_transport *c, *s, *c_before;
	uint8_t buf[32];

	cr_assert_eq(correu_mem_pair_new(4096, 7, NULL, &c, &s), 0);
	c_before = c;
	pump_transfer(s, c, "220 mx ESMTP\r\n", 14);
	pump_transfer(c, s, "STARTTLS\r\n", 10);
	pump_transfer(s, c, "220 go ahead\r\n", 14);
	cr_assert_eq(correu_transport_recv(c, buf, sizeof(buf)), CORREU_ERR_WANT_READ);
	cr_assert_eq(correu_transport_starttls(c, ccfg, "localhost"), 0);
	cr_assert_eq(correu_transport_starttls(s, scfg, NULL), 0);
	cr_assert_eq(correu_transport_starttls(c, ccfg, "localhost"), CORREU_ERR_STATE);
	handshake_ok(c, s);
	cr_assert_eq(c, c_before);
	cr_assert_eq(correu_transport_is_tls(c), 1);
	pump_transfer(c, s, "EHLO client\r\n", 13);
	pump_transfer(s, c, "250 mx\r\n", 8);
	correu_transport_free(c);
	correu_transport_free(s);
}

/* An application's own stream: forwards to a memory pair, counting bytes. */
struct fw {
	correu_transport *inner;
	size_t sent, received;
	size_t limit; /* send no further than this many bytes in all; 0: no limit */
};

static correu_ssize fw_send(const uint8_t *buf, size_t len, void *ud)
{
	struct fw *f = ud;
	correu_ssize n;

	if (f->limit && f->sent + len > f->limit)
		len = f->limit - f->sent;
	if (len == 0)
		return CORREU_ERR_WANT_WRITE;
	n = correu_transport_send(f->inner, buf, len);

	if (n > 0)
		f->sent += (size_t)n;
	return n;
}

static correu_ssize fw_recv(uint8_t *buf, size_t len, void *ud)
{
	struct fw *f = ud;
	correu_ssize n = correu_transport_recv(f->inner, buf, len);

	if (n > 0)
		f->received += (size_t)n;
	return n;
}

static int fw_close(void *ud)
{
	correu_transport_free(((struct fw *)ud)->inner);
	return 0;
}

Test(tls, user_supplied_ops_carry_tls)
{
	static const correu_transport_ops ops = {
		CORREU_TRANSPORT_OPS_VERSION, fw_send, fw_recv, NULL, fw_close, NULL, NULL,
	};
	struct fw f = { 0 };
	correu_transport *c, *s;

	cr_assert_eq(correu_mem_pair_new(512, 0, NULL, &f.inner, &s), 0);
	cr_assert_eq(correu_transport_new(&ops, &f, NULL, &c), 0);
	cr_assert_eq(correu_transport_starttls(c, ccfg, "localhost"), 0);
	cr_assert_eq(correu_transport_starttls(s, scfg, NULL), 0);
	handshake_ok(c, s);
	pump_transfer(s, c, "+OK POP3\r\n", 10);
	cr_assert_gt(f.sent, 100, "the handshake went through the user's send");
	cr_assert_gt(f.received, 100, "and through the user's recv");
	correu_transport_free(c);
	correu_transport_free(s);
}

/* A timed receive over TLS on TCP: a record that stops half way still
 * ends at the time limit, and the receive takes it whole once the rest
 * comes. The server's sends pass through fw, which holds the record back. */
Test(tls, timed_receive_is_bounded_inside_a_record)
{
	static const correu_transport_ops ops = {
		CORREU_TRANSPORT_OPS_VERSION, fw_send, fw_recv, NULL, fw_close, NULL, NULL,
	};
	struct fw f = { 0 };
	correu_tcp_listener *l;
	correu_transport *c, *s;
	uint8_t buf[64];
	int rc = CORREU_ERR_WANT_READ;

	cr_assert_eq(correu_tcp_listen("127.0.0.1", 0, 4, 0, NULL, &l), 0);
	cr_assert_eq(correu_tcp_connect("127.0.0.1", (uint16_t)correu_tcp_listener_port(l), 2000,
	                                NULL, &c),
	             0);
	for (int k = 0; k < 100 && (rc = correu_tcp_accept(l, &f.inner, NULL, 0)) != 0; k++)
		usleep(1000);
	cr_assert_eq(rc, 0);
	correu_tcp_listener_free(l);
	cr_assert_eq(correu_transport_new(&ops, &f, NULL, &s), 0);
	cr_assert_eq(correu_transport_starttls(c, ccfg, "localhost"), 0);
	cr_assert_eq(correu_transport_starttls(s, scfg, NULL), 0);
	handshake_ok(c, s);
	cr_assert_eq(correu_transport_send(s, (const uint8_t *)"250 ok\r\n", 8), 8);
	cr_assert_eq(correu_transport_recv_wait(c, buf, sizeof(buf), 2000), 8);
	cr_assert_eq(memcmp(buf, "250 ok\r\n", 8), 0);

	f.limit = f.sent + 3; /* the next record: 3 bytes of its header */
	cr_assert_eq(correu_transport_send(s, (const uint8_t *)"354 go\r\n", 8),
	             CORREU_ERR_WANT_WRITE);
	cr_assert_eq(correu_transport_recv_wait(c, buf, sizeof(buf), 150), CORREU_ERR_TIMEOUT);
	f.limit = 0;
	cr_assert_eq(correu_transport_send(s, (const uint8_t *)"354 go\r\n", 8), 8);
	cr_assert_eq(correu_transport_recv_wait(c, buf, sizeof(buf), 2000), 8);
	cr_assert_eq(memcmp(buf, "354 go\r\n", 8), 0);
	correu_transport_free(c);
	correu_transport_free(s);
}

/* A client limited to TLS 1.1, written against mbedTLS directly. */
#if MBEDTLS_VERSION_NUMBER < 0x03000000 && defined(MBEDTLS_SSL_PROTO_TLS1_1)
static int raw_send(void *ctx, const unsigned char *buf, size_t len)
{
	correu_ssize n = correu_transport_send(ctx, buf, len);

	return n >= 0 ? (int)n : MBEDTLS_ERR_SSL_WANT_WRITE;
}

static int raw_recv(void *ctx, unsigned char *buf, size_t len)
{
	correu_ssize n = correu_transport_recv(ctx, buf, len);

	if (n == CORREU_ERR_EOF)
		return 0;
	return n >= 0 ? (int)n : MBEDTLS_ERR_SSL_WANT_READ;
}
#endif

Test(tls, tls_1_1_is_refused)
{
#if MBEDTLS_VERSION_NUMBER < 0x03000000 && defined(MBEDTLS_SSL_PROTO_TLS1_1)
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_ssl_config conf;
	mbedtls_ssl_context ssl;
	correu_transport *c, *s;
	int rc_c = MBEDTLS_ERR_SSL_WANT_READ, rc_s = CORREU_ERR_WANT_READ;

	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_ssl_config_init(&conf);
	mbedtls_ssl_init(&ssl);
	cr_assert_eq(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, NULL, 0), 0);
	cr_assert_eq(mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT,
	                                         MBEDTLS_SSL_TRANSPORT_STREAM,
	                                         MBEDTLS_SSL_PRESET_DEFAULT), 0);
	mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
	mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_NONE);
	mbedtls_ssl_conf_min_version(&conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_2);
	mbedtls_ssl_conf_max_version(&conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_2);
	cr_assert_eq(mbedtls_ssl_setup(&ssl, &conf), 0);
	cr_assert_eq(correu_mem_pair_new(4096, 0, NULL, &c, &s), 0);
	mbedtls_ssl_set_bio(&ssl, c, raw_send, raw_recv, NULL);
	cr_assert_eq(correu_transport_starttls(s, scfg, NULL), 0);
	for (int i = 0; i < 100; i++) {
		if (rc_c == MBEDTLS_ERR_SSL_WANT_READ || rc_c == MBEDTLS_ERR_SSL_WANT_WRITE)
			rc_c = mbedtls_ssl_handshake(&ssl);
		if (rc_s == CORREU_ERR_WANT_READ || rc_s == CORREU_ERR_WANT_WRITE)
			rc_s = correu_transport_handshake(s);
	}
	cr_assert_eq(rc_s, CORREU_ERR_TLS, "server: %s", correu_err_name(rc_s));
	cr_assert_lt(rc_c, 0, "the TLS 1.1 client got through");
	cr_assert_eq(correu_transport_send(s, (const uint8_t *)"x", 1), CORREU_ERR_TLS,
	             "a failed session stays failed");
	correu_transport_free(c);
	correu_transport_free(s);
	mbedtls_ssl_free(&ssl);
	mbedtls_ssl_config_free(&conf);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&entropy);
#else
	cr_skip_test("this mbedTLS cannot speak TLS 1.1 to test with");
#endif
}

Test(tls, min_version_cannot_go_below_1_2)
{
	cr_assert_eq(correu_tls_config_set_min_version(ccfg, 0x0302), CORREU_ERR_ARG);
	cr_assert_eq(correu_tls_config_set_min_version(ccfg, CORREU_TLS_VERSION_1_2), 0);
#if MBEDTLS_VERSION_NUMBER < 0x03000000
	cr_assert_eq(correu_tls_config_set_min_version(ccfg, CORREU_TLS_VERSION_1_3),
	             CORREU_ERR_UNSUPPORTED);
#endif
}

struct sni_seen {
	char name[64];
	correu_tls_config *alt;
};

static int pick_cert(const char *name, size_t len, correu_tls_config **use_out, void *ud)
{
	struct sni_seen *seen = ud;

	cr_assert_lt(len, sizeof(seen->name));
	memcpy(seen->name, name, len);
	seen->name[len] = '\0';
	if (len == 9 && memcmp(name, "alt.test.", 9) == 0)
		return -1;
	if (strcmp(seen->name, "alt.test") == 0)
		*use_out = seen->alt;
	return 0;
}

Test(tls, sni_selects_the_certificate)
{
	leaf_spec alt_spec = { "alt.test", { "alt.test" }, { 0 }, -1, 30, 0 };
	struct sni_seen seen = { "", NULL };
	cert_pem alt;
	correu_transport *c, *s;
	char subject[128];

	certgen_leaf(&ca, &alt_spec, &alt);
	cr_assert_eq(correu_tls_config_new(CORREU_TLS_SERVER, NULL, &seen.alt), 0);
	cr_assert_eq(correu_tls_config_set_cert_pem(seen.alt, (const uint8_t *)alt.cert,
	                                            strlen(alt.cert), (const uint8_t *)alt.key,
	                                            strlen(alt.key), NULL), 0);
	cr_assert_eq(correu_tls_config_set_sni(scfg, pick_cert, &seen), 0);
	cr_assert_eq(correu_tls_config_set_sni(ccfg, pick_cert, &seen), CORREU_ERR_ARG);
	cr_assert_eq(correu_mem_pair_new(4096, 0, NULL, &c, &s), 0);
	cr_assert_eq(correu_transport_starttls(c, ccfg, "alt.test"), 0);
	cr_assert_eq(correu_transport_starttls(s, scfg, NULL), 0);
	handshake_ok(c, s);
	cr_assert_str_eq(seen.name, "alt.test");
	cr_assert_gt(correu_transport_tls_peer_name(c, CORREU_TLS_PEER_SUBJECT, subject,
	                                            sizeof(subject)), 0);
	cr_assert_str_eq(subject, "CN=alt.test, O=correu");
	correu_transport_free(c);
	correu_transport_free(s);

	/* An IP host sends no SNI at all. */
	seen.name[0] = '\0';
	cr_assert_eq(correu_mem_pair_new(4096, 0, NULL, &c, &s), 0);
	cr_assert_eq(correu_transport_starttls(c, ccfg, "127.0.0.1"), 0);
	cr_assert_eq(correu_transport_starttls(s, scfg, NULL), 0);
	handshake_ok(c, s);
	cr_assert_str_eq(seen.name, "", "SNI sent for an IP address: %s", seen.name);
	correu_transport_free(c);
	correu_transport_free(s);
	correu_tls_config_free(seen.alt);
}

Test(tls, self_signed_generator_serves_a_verifiable_cert)
{
	correu_tls_config *srv, *cli;
	correu_transport *c, *s;
	uint8_t pem[2048], tiny[64];
	size_t len = 0;

	cr_assert_eq(correu_tls_config_new(CORREU_TLS_SERVER, NULL, &srv), 0);
	cr_assert_eq(correu_tls_config_set_self_signed(srv, "127.0.0.1", 1, tiny, sizeof(tiny),
	                                               NULL), CORREU_ERR_BUFFER);
	cr_assert_eq(correu_tls_config_set_self_signed(srv, "bad host", 1, pem, sizeof(pem), &len),
	             CORREU_ERR_ARG);
	cr_assert_eq(correu_tls_config_set_self_signed(srv, "127.0.0.1", 1, pem, sizeof(pem), &len),
	             0);
	cr_assert_eq(len, strlen((char *)pem));
	cr_assert_eq(correu_tls_config_set_self_signed(srv, "127.0.0.1", 1, pem, sizeof(pem), &len),
	             CORREU_ERR_STATE);
	cr_assert_eq(correu_tls_config_new(CORREU_TLS_CLIENT, NULL, &cli), 0);
	cr_assert_eq(correu_tls_config_set_ca_pem(cli, pem, len), 0);
	cr_assert_eq(correu_mem_pair_new(4096, 0, NULL, &c, &s), 0);
	cr_assert_eq(correu_transport_starttls(c, cli, "127.0.0.1"), 0);
	cr_assert_eq(correu_transport_starttls(s, srv, NULL), 0);
	handshake_ok(c, s);
	correu_transport_free(c);
	correu_transport_free(s);
	correu_tls_config_free(cli);
	correu_tls_config_free(srv);
}

Test(tls, trust_anchors_from_files_and_directories)
{
	char dir[] = "/tmp/correu-tls-XXXXXX", path[64];
	correu_tls_config *cfg;
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ca.pem", dir);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs(ca.cert, f);
	fclose(f);
	cr_assert_eq(correu_tls_config_new(CORREU_TLS_CLIENT, NULL, &cfg), 0);
	cr_assert_eq(correu_tls_config_set_ca_file(cfg, path), 0);
	cr_assert_eq(correu_tls_config_set_ca_dir(cfg, dir), 0);
	cr_assert_eq(correu_tls_config_set_ca_file(cfg, "/nonexistent/ca.pem"), CORREU_ERR_CERT);
	cr_assert_eq(correu_tls_config_set_ca_pem(cfg, (const uint8_t *)"junk", 4), CORREU_ERR_CERT);
	correu_tls_config_free(cfg);
	unlink(path);
	rmdir(dir);
}

Test(tls, configuration_mistakes_are_refused)
{
	correu_tls_config *srv, *other;
	correu_transport *c, *s;
	cert_pem stranger;

	certgen_localhost(&ca, &stranger);
	cr_assert_eq(correu_tls_config_new(7, NULL, &srv), CORREU_ERR_ARG);
	cr_assert_eq(correu_tls_config_new(CORREU_TLS_SERVER, NULL, &srv), 0);
	/* A key that is not the certificate's. */
	cr_assert_eq(correu_tls_config_set_cert_pem(srv, (const uint8_t *)leaf.cert,
	                                            strlen(leaf.cert), (const uint8_t *)stranger.key,
	                                            strlen(stranger.key), NULL), CORREU_ERR_CERT);
	cr_assert_eq(correu_tls_config_set_cert_file(srv, "/nonexistent.crt", "/nonexistent.key",
	                                             NULL), CORREU_ERR_CERT);
	cr_assert_eq(correu_tls_config_set_verify(srv, CORREU_TLS_VERIFY_INSECURE_NONE),
	             CORREU_ERR_ARG);
	cr_assert_eq(correu_tls_config_set_verify(ccfg, CORREU_TLS_VERIFY_REQUIRE_PEER),
	             CORREU_ERR_ARG);
	cr_assert_eq(correu_tls_config_set_verify(ccfg, 42), CORREU_ERR_ARG);
	cr_assert_eq(correu_tls_config_set_cert_pem(scfg, (const uint8_t *)leaf.cert,
	                                            strlen(leaf.cert), (const uint8_t *)leaf.key,
	                                            strlen(leaf.key), NULL), CORREU_ERR_STATE);
	cr_assert_eq(correu_mem_pair_new(4096, 0, NULL, &c, &s), 0);
	cr_assert_eq(correu_transport_starttls(s, srv, NULL), CORREU_ERR_ARG, "server without cert");
	cr_assert_eq(correu_transport_starttls(c, ccfg, NULL), CORREU_ERR_ARG, "client without host");
	cr_assert_eq(correu_transport_is_tls(c), 0);
	cr_assert_eq(correu_tls_config_new(CORREU_TLS_CLIENT, NULL, &other), 0);
	cr_assert_eq(correu_tls_config_set_verify(other, CORREU_TLS_VERIFY_INSECURE_NO_HOST), 0);
	cr_assert_eq(correu_transport_starttls(c, other, NULL), 0);
	correu_transport_free(c);
	correu_transport_free(s);
	correu_tls_config_free(other);
	correu_tls_config_free(srv);
}

static int tls_scenario(void *ctx, const correu_allocator *al)
{
	correu_transport *c, *s;
	int rc, rc_c, rc_s;

	(void)ctx;
	rc = correu_mem_pair_new(4096, 0, al, &c, &s);
	if (rc < 0)
		return rc;
	rc = correu_transport_starttls(c, ccfg, "localhost");
	if (rc == 0)
		rc = correu_transport_starttls(s, scfg, NULL);
	if (rc == 0) {
		pump_handshake(c, s, &rc_c, &rc_s);
		cr_assert_eq(rc_c, 0);
		cr_assert_eq(rc_s, 0);
	} else {
		cr_assert_eq(rc, CORREU_ERR_NOMEM);
		cr_assert_eq(correu_transport_is_tls(s), 0);
	}
	correu_transport_free(c);
	correu_transport_free(s);
	return rc;
}

Test(tls, allocation_failures_are_clean)
{
	cr_assert_gt(failalloc_loop(tls_scenario, NULL, 50), 4);
}

static int config_scenario(void *ctx, const correu_allocator *al)
{
	correu_tls_config *cfg;
	int rc;

	(void)ctx;
	rc = correu_tls_config_new(CORREU_TLS_SERVER, al, &cfg);
	if (rc < 0)
		return rc;
	rc = correu_tls_config_set_cert_pem(cfg, (const uint8_t *)leaf.cert, strlen(leaf.cert),
	                                    (const uint8_t *)leaf.key, strlen(leaf.key), NULL);
	if (rc == 0)
		rc = correu_tls_config_set_ca_pem(cfg, (const uint8_t *)ca.cert, strlen(ca.cert));
	correu_tls_config_free(cfg);
	return rc;
}

Test(tls, config_allocation_failures_are_clean)
{
	cr_assert_eq(failalloc_loop(config_scenario, NULL, 20), 4);
}
