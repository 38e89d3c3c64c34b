/*
 * The SMTP server's API and what transcripts cannot show: settings checks,
 * XCLIENT networks, the refusal line, pipelining detected within one read
 * (a timing property, so not split-invariant), SCRAM through the SASL
 * client, back-pressure of the one-command-per-recv rule, and the output
 * limit.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "correu/codec.h"
#include "correu/smtp_server.h"
#include "memback.h"
#include "smtp_adapter.h"
#include "smtpd_adapter.h"

struct h {
	struct memback mb;
	correu_store *store;
	correu_smtp_service *svc;
	const correu_server_core *core;
	void *sess;
	char out[65536];
	size_t out_len;
};

static void h_open(struct h *h, const correu_smtp_server_settings *set, uint32_t peer_flags)
{
	correu_server_peer peer = { .version = CORREU_SERVER_PEER_VERSION };

	memset(h, 0, sizeof(*h));
	memback_init(&h->mb);
	cr_assert_eq(correu_store_new(memback_table(), &h->mb, NULL, NULL, &h->store), 0);
	cr_assert_eq(correu_smtp_service_new(set, h->store, NULL, &h->svc), 0);
	h->core = correu_smtp_server_core();
	peer.flags = peer_flags;
	peer.conn_id = 7;
	peer.addr = "192.0.2.9";
	cr_assert_eq(h->core->open(&peer, NULL, &h->sess, h->svc), 0);
}

static void h_drain(struct h *h)
{
	const uint8_t *p;
	size_t n;

	cr_assert_eq(h->core->send_buf(&p, &n, h->sess), 0);
	cr_assert_lt(h->out_len + n, sizeof(h->out));
	memcpy(h->out + h->out_len, p, n);
	h->out_len += n;
	h->out[h->out_len] = '\0';
	cr_assert_eq(h->core->send_ack(n, h->sess), 0);
}

/* Offer everything in one buffer, as the runtime does with one read:
 * the core takes one command per call. Returns the calls made. */
static int h_feed(struct h *h, const char *bytes)
{
	size_t len = strlen(bytes), off = 0;
	int calls = 0;

	while (off < len && (h->core->want(h->sess) & CORREU_SERVER_WANT_READ)) {
		int n = h->core->recv((const uint8_t *)bytes + off, len - off, 0, h->sess);

		cr_assert_geq(n, 0);
		calls++;
		if (n == 0)
			break;
		off += (size_t)n;
	}
	h_drain(h);
	return calls;
}

static void h_close(struct h *h)
{
	cr_assert_eq(h->core->close(h->sess), 0);
	correu_smtp_service_free(h->svc);
	correu_store_free(h->store);
}

static void defaults(correu_smtp_server_settings *s)
{
	cr_assert_eq(correu_smtp_server_settings_init(s), 0);
	s->hostname = "mx.example";
}

Test(server_api, settings_are_checked)
{
	correu_smtp_server_settings s;
	struct memback mb;
	correu_store *store;
	correu_smtp_service *svc = NULL;

	memback_init(&mb);
	cr_assert_eq(correu_store_new(memback_table(), &mb, NULL, NULL, &store), 0);
	cr_assert_eq(correu_smtp_server_settings_init(NULL), CORREU_ERR_ARG);
	defaults(&s);
	cr_assert_eq(correu_smtp_service_new(&s, NULL, NULL, &svc), CORREU_ERR_ARG);
	cr_assert_eq(correu_smtp_service_new(&s, store, NULL, NULL), CORREU_ERR_ARG);
	/* The command line: 512 octets at least (RFC 5321 4.5.3.1.4). */
	s.max_line = 511;
	cr_assert_eq(correu_smtp_service_new(&s, store, NULL, &svc), CORREU_ERR_ARG);
	s.max_line = 512;
	cr_assert_eq(correu_smtp_service_new(&s, store, NULL, &svc), 0);
	correu_smtp_service_free(svc);
	defaults(&s);
	s.mode = 3;
	cr_assert_eq(correu_smtp_service_new(&s, store, NULL, &svc), CORREU_ERR_ARG);
	defaults(&s);
	s.flags = 0x80;
	cr_assert_eq(correu_smtp_service_new(&s, store, NULL, &svc), CORREU_ERR_ARG);
	defaults(&s);
	s.hostname = "bad host";
	cr_assert_eq(correu_smtp_service_new(&s, store, NULL, &svc), CORREU_ERR_ARG);
	defaults(&s);
	s.version = 99;
	cr_assert_eq(correu_smtp_service_new(&s, store, NULL, &svc), CORREU_ERR_ARG);
	/* NULL settings: the defaults, host "localhost". */
	cr_assert_eq(correu_smtp_service_new(NULL, store, NULL, &svc), 0);
	correu_smtp_service_free(svc);
	correu_smtp_service_free(NULL);
	correu_store_free(store);
}

Test(server_api, store_without_delivery_is_refused)
{
	correu_store_backend be;
	struct memback mb;
	correu_store *store;
	correu_smtp_service *svc = NULL;

	memback_init(&mb);
	be = *memback_table();
	be.deliver_commit = NULL;
	be.deliver_begin = NULL;
	be.deliver_rcpt = NULL;
	be.deliver_data = NULL;
	be.deliver_abort = NULL;
	cr_assert_eq(correu_store_new(&be, &mb, NULL, NULL, &store), 0);
	cr_assert_eq(correu_smtp_service_new(NULL, store, NULL, &svc), CORREU_ERR_UNSUPPORTED);
	correu_store_free(store);
}

Test(server_api, xclient_networks)
{
	correu_smtp_server_settings s;
	struct h h;
	char net[32];

	defaults(&s);
	h_open(&h, &s, 0);
	cr_assert_eq(correu_smtp_service_trust_xclient(h.svc, "not a net"), CORREU_ERR_SYNTAX);
	cr_assert_eq(correu_smtp_service_trust_xclient(NULL, "10.0.0.0/8"), CORREU_ERR_ARG);
	for (int i = 0; i < 16; i++) {
		snprintf(net, sizeof(net), "10.%d.0.0/16", i);
		cr_assert_eq(correu_smtp_service_trust_xclient(h.svc, net), 0);
	}
	cr_assert_eq(correu_smtp_service_trust_xclient(h.svc, "10.99.0.0/16"), CORREU_ERR_LIMIT);
	h_close(&h);
}

Test(server_api, refusal_line)
{
	correu_smtp_server_settings s;
	struct h h;
	uint8_t buf[128];
	int n;

	defaults(&s);
	h_open(&h, &s, 0);
	n = h.core->refuse(CORREU_SERVER_REFUSE_PER_IP, buf, sizeof(buf), h.svc);
	cr_assert_gt(n, 0);
	cr_assert(memcmp(buf, "421 4.7.0 mx.example ", 21) == 0);
	cr_assert(memcmp(buf + n - 2, "\r\n", 2) == 0);
	/* Too small a buffer: no partial line, close without a word. */
	cr_assert_eq(h.core->refuse(CORREU_SERVER_REFUSE_TOTAL, buf, 10, h.svc), 0);
	h_close(&h);
}

Test(server_api, one_command_per_recv)
{
	correu_smtp_server_settings s;
	struct h h;

	defaults(&s);
	h_open(&h, &s, 0);
	h.out_len = 0;
	cr_assert_eq(h_feed(&h, "NOOP\r\nNOOP\r\nNOOP\r\n"), 3);
	cr_assert(strstr(h.out, "250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n") != NULL);
	h_close(&h);
}

/* RFC 2920 section 3.1, seen within one read: before EHLO nothing may be
 * pipelined, and DATA must end a group. */
Test(server_api, pipelining_refused_where_forbidden)
{
	correu_smtp_server_settings s;
	struct h h;

	defaults(&s);
	s.max_errors = 100;
	s.error_delay_after = 100;
	h_open(&h, &s, 0);
	h_feed(&h, "HELO client.example\r\n");
	h.out_len = 0;
	h_feed(&h, "MAIL FROM:<alice@example.net>\r\nRCPT TO:<bob@example.org>\r\n");
	cr_assert_str_eq(h.out, "503 5.5.0 Improper use of SMTP command pipelining\r\n"
	                        "503 5.5.1 Need MAIL command first\r\n");
	h_feed(&h, "EHLO client.example\r\n");
	h.out_len = 0;
	h_feed(&h, "MAIL FROM:<alice@example.net>\r\nRCPT TO:<bob@example.org>\r\n");
	cr_assert_str_eq(h.out, "250 2.1.0 Ok\r\n250 2.1.5 OK\r\n");
	h.out_len = 0;
	h_feed(&h, "DATA\r\nSubject: injected\r\n\r\nbody\r\n.\r\n");
	cr_assert_str_eq(h.out, "503 5.5.0 Improper use of SMTP command pipelining\r\n"
	                        "500 5.5.2 Command unrecognized\r\n"
	                        "500 5.5.2 Command unrecognized\r\n"
	                        "500 5.5.2 Command unrecognized\r\n"
	                        "500 5.5.2 Command unrecognized\r\n");
	cr_assert_eq(h.mb.ndelivered, 0);
	h_close(&h);
}

/* The session stops reading while its replies are held back or a backend
 * request is pending; the runtime then keeps the input. */
Test(server_api, pending_backend_stops_reading)
{
	correu_smtp_server_settings s;
	struct h h;

	defaults(&s);
	h_open(&h, &s, 0);
	h.mb.later = true;
	h_feed(&h, "EHLO client.example\r\n");
	h.out_len = 0;
	cr_assert_eq(h_feed(&h, "MAIL FROM:<alice@example.net>\r\nNOOP\r\n"), 1);
	cr_assert_eq(h.core->want(h.sess) & CORREU_SERVER_WANT_READ, 0);
	cr_assert_eq(h.out_len, 0);
	cr_assert_eq(h.core->recv((const uint8_t *)"NOOP\r\n", 6, 0, h.sess), 0);
	cr_assert_eq(memback_run(&h.mb), 1);
	cr_assert_neq(h.core->want(h.sess) & CORREU_SERVER_WANT_READ, 0);
	h_feed(&h, "NOOP\r\n");
	cr_assert_str_eq(h.out, "250 2.1.0 Ok\r\n250 2.0.0 Ok\r\n");
	/* Closing with a request pending cancels it; the backend still
	 * completes it, and nothing is left behind. */
	h_feed(&h, "RCPT TO:<bob@example.org>\r\n");
	cr_assert_eq(h.core->close(h.sess), 0);
	memback_run(&h.mb);
	cr_assert_eq(correu_store_live_requests(h.store), 0);
	cr_assert_eq(h.mb.deliveries_open, 0);
	correu_smtp_service_free(h.svc);
	correu_store_free(h.store);
}

Test(server_api, output_limit_ends_the_session)
{
	correu_smtp_server_settings s;
	struct h h;
	int rc = 0;

	defaults(&s);
	s.max_output = 4096;
	h_open(&h, &s, 0);
	/* A client that never reads: replies pile up to the limit. */
	for (int i = 0; i < 1000 && rc >= 0; i++)
		rc = h.core->recv((const uint8_t *)"NOOP\r\n", 6, 0, h.sess);
	cr_assert_eq(rc, CORREU_ERR_LIMIT);
	h_close(&h);
}

Test(server_api, tls_started_only_after_go_ahead)
{
	correu_smtp_server_settings s;
	struct h h;

	defaults(&s);
	h_open(&h, &s, CORREU_SERVER_PEER_STARTTLS);
	cr_assert_eq(h.core->event(CORREU_SERVER_EV_TLS_STARTED, 0, 0, h.sess), CORREU_ERR_STATE);
	h_feed(&h, "STARTTLS\r\n");
	cr_assert_eq(h.core->want(h.sess), CORREU_SERVER_WANT_STARTTLS);
	cr_assert_eq(h.core->event(CORREU_SERVER_EV_TLS_STARTED, 12, 0, h.sess), 0);
	cr_assert_eq(h.core->want(h.sess), CORREU_SERVER_WANT_READ);
	h_close(&h);
}

static void b64(const uint8_t *p, size_t n, char *out, size_t cap)
{
	correu_ssize k = correu_base64_encode(p, n, out, cap);

	cr_assert_geq(k, 0);
	out[k] = '\0';
}

/* SCRAM-SHA-256 end to end with the library's SASL client; the server's
 * final message comes as a 334 challenge answered by an empty line. */
Test(server_api, scram_sha_256)
{
	correu_smtp_server_settings s;
	correu_sasl_settings cs;
	correu_sasl_credentials cred = { .version = CORREU_SASL_CREDENTIALS_VERSION };
	correu_sasl_client *c;
	struct h h;
	const uint8_t *out;
	size_t out_len;
	char line[2048], enc[1024];
	uint8_t raw[1024];
	correu_ssize n;

	if (correu_sasl_mech_available(CORREU_SASL_SCRAM_SHA_256) <= 0)
		cr_skip_test("built without mbedTLS");
	defaults(&s);
	s.random = smtp_test_random;
	h_open(&h, &s, CORREU_SERVER_PEER_TLS);
	h_feed(&h, "EHLO client.example\r\n");
	correu_sasl_settings_init(&cs);
	cs.random = smtp_test_random;
	cred.username = MB_USER;
	cred.username_len = strlen(MB_USER);
	cred.password = MB_PASSWORD;
	cred.password_len = strlen(MB_PASSWORD);
	cr_assert_eq(correu_sasl_client_new(&cs, CORREU_SASL_SCRAM_SHA_256, &cred, &c), 0);
	cr_assert_geq(correu_sasl_client_start(c, &out, &out_len), 0);
	b64(out, out_len, enc, sizeof(enc));
	snprintf(line, sizeof(line), "AUTH SCRAM-SHA-256 %s\r\n", enc);
	for (int round = 0; round < 2; round++) {
		h.out_len = 0;
		h_feed(&h, line);
		cr_assert(strncmp(h.out, "334 ", 4) == 0, "got %s", h.out);
		n = correu_base64_decode(h.out + 4, h.out_len - 6, raw, sizeof(raw));
		cr_assert_geq(n, 0);
		cr_assert_geq(correu_sasl_client_step(c, raw, (size_t)n, &out, &out_len), 0);
		b64(out, out_len, enc, sizeof(enc));
		snprintf(line, sizeof(line), "%s\r\n", enc);
	}
	h.out_len = 0;
	h_feed(&h, line);
	cr_assert_str_eq(h.out, "235 2.7.0 Authentication successful\r\n");
	correu_sasl_client_free(c);
	h_close(&h);
}
