/* The scripted SMTP server for session tests (see script_server.h). */
#include "script_server.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int srv_wait(correu_transport *t, correu_ssize rc)
{
	if (rc != CORREU_ERR_WANT_READ && rc != CORREU_ERR_WANT_WRITE)
		return (int)rc;
	rc = correu_transport_wait(t, rc == CORREU_ERR_WANT_READ ? CORREU_WAIT_READ : CORREU_WAIT_WRITE,
	                           5000);
	return rc < 0 ? (int)rc : 0;
}

static int srv_send(struct server *sv, const char *text)
{
	size_t len = strlen(text), off = 0;

	while (off < len) {
		correu_ssize n = correu_transport_send(sv->t, (const uint8_t *)text + off, len - off);

		if (n > 0)
			off += (size_t)n;
		else if (srv_wait(sv->t, n) < 0)
			return -1;
	}
	return 0;
}

/* One line (without CRLF) into out; -1 on EOF or error. */
static int srv_line(struct server *sv, char *out, size_t cap)
{
	for (;;) {
		char *nl = memchr(sv->in, '\n', sv->in_len);

		if (nl) {
			size_t n = (size_t)(nl - sv->in) + 1;
			size_t l = n >= 2 && sv->in[n - 2] == '\r' ? n - 2 : n - 1;

			if (l >= cap)
				l = cap - 1;
			memcpy(out, sv->in, l);
			out[l] = '\0';
			memmove(sv->in, sv->in + n, sv->in_len - n);
			sv->in_len -= n;
			return 0;
		}
		correu_ssize r = correu_transport_recv(sv->t, (uint8_t *)sv->in + sv->in_len,
		                                       sizeof(sv->in) - sv->in_len);

		if (r > 0)
			sv->in_len += (size_t)r;
		else if (srv_wait(sv->t, r) < 0)
			return -1;
	}
}

static int srv_tls(struct server *sv)
{
	int rc = correu_transport_starttls(sv->t, sv->tls, NULL);

	while (rc == 0 || rc == CORREU_ERR_WANT_READ || rc == CORREU_ERR_WANT_WRITE) {
		rc = correu_transport_handshake(sv->t);
		if (rc == 0)
			return 0;
		if (srv_wait(sv->t, rc) < 0)
			return -1;
	}
	return rc;
}

static void *serve(void *arg)
{
	struct server *sv = arg;
	char line[1024];
	int rc = CORREU_ERR_WANT_READ;

	while (rc == CORREU_ERR_WANT_READ) {
		rc = correu_tcp_accept(sv->l, &sv->t, NULL, 0);
		if (rc == CORREU_ERR_WANT_READ)
			usleep(1000);
	}
	if (rc < 0) {
		snprintf(sv->fail, sizeof(sv->fail), "accept: %s", correu_err_name(rc));
		return NULL;
	}
	if (sv->implicit && srv_tls(sv) < 0) {
		snprintf(sv->fail, sizeof(sv->fail), "implicit TLS handshake failed");
		goto out;
	}
	for (const char *const *st = sv->script; *st && !sv->fail[0]; st++) {
		const char *s = *st;

		if (s[0] == 'S') {
			char buf[1100];

			snprintf(buf, sizeof(buf), "%s\r\n", s + 2);
			if (srv_send(sv, buf) < 0)
				snprintf(sv->fail, sizeof(sv->fail), "send failed at %s", s);
		} else if (s[0] == 'C') {
			if (srv_line(sv, line, sizeof(line)) < 0)
				snprintf(sv->fail, sizeof(sv->fail), "EOF waiting for %s", s + 2);
			else if (strcmp(line, s + 2) != 0)
				snprintf(sv->fail, sizeof(sv->fail), "got \"%s\", want \"%s\"", line,
				         s + 2);
		} else if (s[0] == 'D') {
			/* The body, up to the line ".", kept in wire form. */
			sv->body_len = 0;
			while (srv_line(sv, line, sizeof(line)) == 0 && strcmp(line, ".") != 0) {
				size_t l = strlen(line);

				if (sv->body_len + l + 2 < sizeof(sv->body)) {
					memcpy(sv->body + sv->body_len, line, l);
					memcpy(sv->body + sv->body_len + l, "\r\n", 2);
					sv->body_len += l + 2;
				}
			}
		} else if (s[0] == 'T') {
			if (sv->in_len != 0 || srv_tls(sv) < 0)
				snprintf(sv->fail, sizeof(sv->fail), "STARTTLS handshake failed");
		} else if (s[0] == 'W') {
			usleep(1000u * (unsigned)atoi(s + 2));
		}
	}
out:
	if (correu_transport_shutdown(sv->t) < 0) {
		/* the client may be gone already */
	}
	correu_transport_free(sv->t);
	return NULL;
}

static char cert_pem[4096];

void start(struct server *sv, const char *const *script, int tls, int implicit)
{
	memset(sv, 0, sizeof(*sv));
	sv->script = script;
	sv->implicit = implicit;
	cr_assert_eq(correu_tcp_listen("127.0.0.1", 0, 4, 0, NULL, &sv->l), 0);
	sv->port = correu_tcp_listener_port(sv->l);
	cr_assert_gt(sv->port, 0);
	if (tls) {
		size_t n;

		int rc = correu_tls_config_new(CORREU_TLS_SERVER, NULL, &sv->tls);

		if (rc == CORREU_ERR_UNSUPPORTED)
			cr_skip_test("needs a build with mbedTLS");
		cr_assert_eq(rc, 0);
		cr_assert_eq(correu_tls_config_set_self_signed(sv->tls, "127.0.0.1", 2,
		                                               (uint8_t *)cert_pem, sizeof(cert_pem),
		                                               &n),
		             0);
	}
	cr_assert_eq(pthread_create(&sv->th, NULL, serve, sv), 0);
}

void finish(struct server *sv)
{
	pthread_join(sv->th, NULL);
	correu_tcp_listener_free(sv->l);
	correu_tls_config_free(sv->tls);
	cr_assert_str_eq(sv->fail, "", "server: %s", sv->fail);
}

correu_tls_config *client_tls(void)
{
	correu_tls_config *c;

	cr_assert_eq(correu_tls_config_new(CORREU_TLS_CLIENT, NULL, &c), 0);
	cr_assert_eq(correu_tls_config_set_ca_pem(c, (const uint8_t *)cert_pem, strlen(cert_pem)),
	             0);
	return c;
}
