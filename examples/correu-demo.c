/*
 * correu-demo: a TLS round trip inside one process, through correu's
 * transport and codec layers. A server thread listens on 127.0.0.1 (an
 * ephemeral port) with a self-signed certificate made at start-up (or the
 * one given on the command line); the client connects, verifies the
 * certificate chain and the host against that CA, sends a few CRLF lines
 * and prints the echoes. Exits 0 when everything checked out.
 *
 *   correu-demo                              generated certificate for 127.0.0.1
 *   correu-demo CERT.pem KEY.pem CA.pem HOST  your own certificate, verified as HOST
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "correu/codec.h"
#include "correu/transport.h"

#define MAX_LINE 998 /* RFC 5322 section 2.1.1 */

/* Blocking use of the non-blocking API: wait for what the call asked for. */
static int wait_for(correu_transport *t, int rc)
{
	uint32_t ev = rc == CORREU_ERR_WANT_READ ? CORREU_WAIT_READ : CORREU_WAIT_WRITE;
	int w;

	if (rc != CORREU_ERR_WANT_READ && rc != CORREU_ERR_WANT_WRITE)
		return rc; /* a real error */
	w = correu_transport_wait(t, ev, 5000);
	return w < 0 ? w : 0;
}

static int handshake(correu_transport *t)
{
	int rc;

	while ((rc = correu_transport_handshake(t)) != 0)
		if ((rc = wait_for(t, rc)) < 0)
			return rc;
	return 0;
}

static int send_all(correu_transport *t, const char *s)
{
	size_t len = strlen(s), done = 0;

	while (done < len) {
		correu_ssize n = correu_transport_send(t, (const uint8_t *)s + done, len - done);
		int rc;

		if (n > 0)
			done += (size_t)n;
		else if ((rc = wait_for(t, (int)n)) < 0)
			return rc;
	}
	return 0;
}

/* A line reader: bytes from the transport, split by the codec's line decoder. */
struct reader {
	correu_transport *t;
	correu_line_decoder *dec;
	uint8_t mem[256], line[MAX_LINE], in[4096];
	size_t pos, len;
};

static int reader_init(struct reader *r, correu_transport *t)
{
	r->t = t;
	r->pos = r->len = 0;
	if (correu_line_decoder_sizeof() > sizeof(r->mem))
		return CORREU_ERR_INTERNAL;
	return correu_line_decoder_init(r->mem, sizeof(r->mem), r->line, sizeof(r->line),
	                                MAX_LINE, 0, &r->dec);
}

/* The next line into buf (NUL-terminated, CRLF removed); 0 or an error. */
static int read_line(struct reader *r, char *buf, size_t cap)
{
	for (;;) {
		const uint8_t *line;
		size_t used, n;
		correu_ssize got;
		int rc;

		if (r->pos < r->len) {
			rc = correu_line_decoder_feed(r->dec, r->in + r->pos, r->len - r->pos, &used,
			                              &line, &n);
			r->pos += used;
			if (rc < 0)
				return rc;
			if (rc == CORREU_LINE_READY) {
				if (n >= cap)
					return CORREU_ERR_LIMIT;
				memcpy(buf, line, n);
				buf[n] = '\0';
				return 0;
			}
			continue;
		}
		got = correu_transport_recv(r->t, r->in, sizeof(r->in));
		if (got > 0) {
			r->pos = 0;
			r->len = (size_t)got;
		} else if ((rc = wait_for(r->t, (int)got)) < 0) {
			return rc;
		}
	}
}

/* The server: accept one client, speak TLS, echo lines until QUIT. */
struct server {
	correu_tcp_listener *listener;
	correu_tls_config *tls;
	int result;
};

static void *serve(void *arg)
{
	struct server *srv = arg;
	struct pollfd p = { correu_tcp_listener_fd(srv->listener), POLLIN, 0 };
	correu_transport *t = NULL;
	struct reader r;
	char line[MAX_LINE + 1], reply[MAX_LINE + 16];
	int rc;

	if (poll(&p, 1, 5000) != 1 || (rc = correu_tcp_accept(srv->listener, &t, NULL, 0)) < 0)
		rc = CORREU_ERR_TIMEOUT;
	else if ((rc = correu_transport_starttls(t, srv->tls, NULL)) == 0 &&
	         (rc = handshake(t)) == 0 && (rc = reader_init(&r, t)) == 0)
		while ((rc = read_line(&r, line, sizeof(line))) == 0) {
			if (strcmp(line, "QUIT") == 0) {
				rc = send_all(t, "221 bye\r\n");
				break;
			}
			snprintf(reply, sizeof(reply), "250 %s\r\n", line);
			if ((rc = send_all(t, reply)) < 0)
				break;
		}
	if (rc == 0)
		rc = correu_transport_shutdown(t); /* close_notify, then FIN */
	correu_transport_free(t);
	srv->result = rc;
	return NULL;
}

/* The client: connect, verify, exchange lines, print what happens. */
static int client(uint16_t port, correu_tls_config *tls, const char *host)
{
	static const char *lines[] = { "HELO correu", "hello over TLS", "QUIT" };
	correu_transport *t;
	struct reader r;
	char text[256];
	int rc;

	if ((rc = correu_tcp_connect("127.0.0.1", port, 5000, NULL, &t)) < 0)
		return rc;
	printf("connected to 127.0.0.1:%u\n", (unsigned)port);
	if ((rc = correu_transport_starttls(t, tls, host)) == 0)
		rc = handshake(t);
	if (rc == 0)
		printf("certificate verified: chain to the trusted CA, issued for %s\n", host);
	else if (correu_cert_flags_text(correu_transport_tls_verify_flags(t), text,
	                                sizeof(text)) >= 0)
		printf("certificate rejected: %s\n", text);
	if (rc == 0 && correu_transport_tls_peer_name(t, CORREU_TLS_PEER_SUBJECT, text,
	                                              sizeof(text)) >= 0)
		printf("  subject: %s\n", text);
	if (rc == 0 && correu_transport_tls_peer_name(t, CORREU_TLS_PEER_ISSUER, text,
	                                              sizeof(text)) >= 0)
		printf("  issuer:  %s\n", text);
	if (rc == 0) {
		printf("%s, %s\n", correu_transport_tls_version(t), correu_transport_tls_cipher(t));
		rc = reader_init(&r, t);
	}
	for (size_t i = 0; rc == 0 && i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(text, sizeof(text), "%s\r\n", lines[i]);
		printf("C: %s\n", lines[i]);
		if ((rc = send_all(t, text)) == 0 && (rc = read_line(&r, text, sizeof(text))) == 0)
			printf("S: %s\n", text);
	}
	/* After QUIT the server closes first; its close_notify reads as EOF. */
	if (rc == 0 && (rc = read_line(&r, text, sizeof(text))) == CORREU_ERR_EOF) {
		printf("server closed the connection (close_notify)\n");
		rc = 0;
	} else if (rc == 0) {
		rc = CORREU_ERR_PROTO; /* it said more after "221 bye" */
	}
	correu_transport_free(t);
	return rc;
}

int main(int argc, char **argv)
{
	struct server srv = { NULL, NULL, 0 };
	correu_tls_config *ctls = NULL;
	const char *host = argc == 5 ? argv[4] : "127.0.0.1";
	uint8_t pem[2048];
	size_t pem_len;
	pthread_t thread;
	int rc, port;

	if (argc != 1 && argc != 5) {
		fprintf(stderr, "usage: %s [CERT.pem KEY.pem CA.pem HOST]\n", argv[0]);
		return 2;
	}
	/* Server side: a listener on an ephemeral loopback port, with a certificate. */
	rc = correu_tcp_listen("127.0.0.1", 0, 4, 0, NULL, &srv.listener);
	if (rc == 0)
		rc = correu_tls_config_new(CORREU_TLS_SERVER, NULL, &srv.tls);
	if (rc == 0)
		rc = argc == 5 ? correu_tls_config_set_cert_file(srv.tls, argv[1], argv[2], NULL)
		               : correu_tls_config_set_self_signed(srv.tls, host, 1, pem, sizeof(pem),
		                                                   &pem_len);
	/* Client side: trust exactly that certificate (or the given CA). */
	if (rc == 0)
		rc = correu_tls_config_new(CORREU_TLS_CLIENT, NULL, &ctls);
	if (rc == 0)
		rc = argc == 5 ? correu_tls_config_set_ca_file(ctls, argv[3])
		               : correu_tls_config_set_ca_pem(ctls, pem, pem_len);
	if (rc == 0 && (port = correu_tcp_listener_port(srv.listener)) > 0 &&
	    pthread_create(&thread, NULL, serve, &srv) == 0) {
		rc = client((uint16_t)port, ctls, host);
		pthread_join(thread, NULL);
		if (rc == 0)
			rc = srv.result;
	} else if (rc == 0) {
		rc = CORREU_ERR_IO;
	}
	correu_tls_config_free(ctls);
	correu_tls_config_free(srv.tls);
	correu_tcp_listener_free(srv.listener);
	if (rc < 0) {
		fprintf(stderr, "correu-demo: %s\n", correu_strerror(rc));
		return 1;
	}
	printf("ok\n");
	return 0;
}
