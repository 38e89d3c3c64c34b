/*
 * TLS through the runtime over real sockets: an implicit-TLS listener, a
 * STARTTLS upgrade in place with plaintext pipelined behind the command
 * discarded (RFC 3207 section 4.2), PROXY before implicit TLS, a failed
 * handshake and one that never finishes. The certificate is made by the transport layer's
 * self-signed generator for "localhost" and trusted by the test client.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"

struct tls_env {
	correu_tls_config *srv_cfg, *cli_cfg;
};

static struct tls_env env;

static void tls_setup(void)
{
	uint8_t pem[4096];
	size_t pem_len = 0;
	int rc = correu_tls_config_new(CORREU_TLS_SERVER, NULL, &env.srv_cfg);

	if (rc == CORREU_ERR_UNSUPPORTED)
		cr_skip_test("built without TLS");
	cr_assert_eq(rc, 0);
	cr_assert_eq(correu_tls_config_set_self_signed(env.srv_cfg, "localhost", 1, pem,
	                                               sizeof(pem), &pem_len), 0);
	cr_assert_eq(correu_tls_config_new(CORREU_TLS_CLIENT, NULL, &env.cli_cfg), 0);
	cr_assert_eq(correu_tls_config_set_ca_pem(env.cli_cfg, pem, pem_len), 0);
}

static void tls_teardown(void)
{
	correu_tls_config_free(env.cli_cfg);
	correu_tls_config_free(env.srv_cfg);
}

TestSuite(tls, .init = tls_setup, .fini = tls_teardown, .timeout = 60);

struct tcli {
	correu_transport *t;
	char buf[8192];
	size_t len;
};

/* TLS over a connected socket: handshake to the end, verifying "localhost". */
static void tcli_tls(struct tcli *c, int fd)
{
	int rc;

	cr_assert_eq(correu_tcp_from_fd(fd, NULL, &c->t), 0);
	cr_assert_eq(correu_transport_starttls(c->t, env.cli_cfg, "localhost"), 0);
	while ((rc = correu_transport_handshake(c->t)) == CORREU_ERR_WANT_READ ||
	       rc == CORREU_ERR_WANT_WRITE)
		cr_assert_gt(correu_transport_wait(c->t,
		                                   rc == CORREU_ERR_WANT_READ ? CORREU_WAIT_READ :
		                                                                 CORREU_WAIT_WRITE,
		                                   5000),
		             0, "handshake timed out");
	cr_assert_eq(rc, 0, "client handshake: %s", correu_err_name(rc));
}

static void tcli_send(struct tcli *c, const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		correu_ssize n = correu_transport_send(c->t, (const uint8_t *)s + off, len - off);

		if (n == CORREU_ERR_WANT_WRITE || n == CORREU_ERR_WANT_READ) {
			cr_assert_gt(correu_transport_wait(c->t, CORREU_WAIT_READ | CORREU_WAIT_WRITE,
			                                   5000), 0);
			continue;
		}
		cr_assert_gt(n, 0, "send: %s", correu_err_name((int)n));
		off += (size_t)n;
	}
}

/* One line (without CRLF), or NULL at EOF. */
static const char *tcli_line(struct tcli *c)
{
	static char line[8192];

	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		correu_ssize n;

		if (nl) {
			size_t l = (size_t)(nl - c->buf);

			memcpy(line, c->buf, l);
			line[l > 0 && line[l - 1] == '\r' ? l - 1 : l] = '\0';
			memmove(c->buf, nl + 1, c->len - l - 1);
			c->len -= l + 1;
			return line;
		}
		n = correu_transport_recv(c->t, (uint8_t *)c->buf + c->len, sizeof(c->buf) - c->len);
		if (n == CORREU_ERR_WANT_READ || n == CORREU_ERR_WANT_WRITE) {
			cr_assert_gt(correu_transport_wait(c->t, CORREU_WAIT_READ, 5000), 0,
			             "read timed out");
			continue;
		}
		if (n < 0)
			return NULL;
		c->len += (size_t)n;
	}
}

Test(tls, implicit_tls_listener)
{
	fixture f;
	struct tcli c = { 0 };
	const char *l;

	fx_setup(&f);
	fx_serve(&f, CORREU_SERVER_LISTEN_TLS, 0, env.srv_cfg);
	tcli_tls(&c, cli_connect(f.port));
	l = tcli_line(&c);
	cr_assert_not_null(l);
	cr_assert(strstr(l, " tls=1 ") != NULL, "greeting \"%s\"", l);
	tcli_send(&c, "INFO\r\n");
	l = tcli_line(&c);
	cr_assert(l && strncmp(l, "+OK tls=1 discarded=0", 21) == 0, "got \"%s\"", l ? l : "EOF");
	tcli_send(&c, "QUIT\r\n");
	cr_assert_str_eq(tcli_line(&c), "+OK bye");
	cr_assert_null(tcli_line(&c));
	correu_transport_free(c.t);
	fx_end(&f);
}

Test(tls, starttls_discards_pipelined_plaintext)
{
	fixture f;
	struct tcli c = { 0 };
	const char *l;
	int fd;

	fx_setup(&f);
	fx_serve(&f, CORREU_SERVER_LISTEN_STARTTLS, 0, env.srv_cfg);
	fd = fx_connect(&f, &l);
	cr_assert_not_null(strstr(l, " tls=0 "));
	/* A man in the middle appends a command to the STARTTLS: one write. */
	cli_send(fd, "STARTTLS\r\nINJECTED\r\n");
	cli_expect(fd, "+OK begin TLS");
	tcli_tls(&c, fd);
	tcli_send(&c, "INFO\r\n");
	l = tcli_line(&c);
	cr_assert_not_null(l);
	/* The injected line was dropped unseen, and the core was told. */
	cr_assert(strncmp(l, "+OK tls=1 discarded=10 ", 23) == 0, "got \"%s\"", l);
	tcli_send(&c, "after tls\r\n");
	cr_assert_str_eq(tcli_line(&c), "+OK after tls");
	correu_transport_free(c.t);
	fx_end(&f);
}

Test(tls, proxy_header_before_implicit_tls)
{
	fixture f;
	struct tcli c = { 0 };
	const char *l;
	int fd;

	fx_setup(&f);
	fx_create(&f);
	cr_assert_eq(correu_server_trust_proxy(f.srv, "127.0.0.1"), 0);
	fx_serve(&f, CORREU_SERVER_LISTEN_TLS, CORREU_SERVER_LISTEN_PROXY, env.srv_cfg);
	fd = cli_connect(f.port);
	/* The shortest header, so the runtime must not read into the
	 * ClientHello that follows it. */
	cli_send(fd, "PROXY TCP6 2001:db8::7 2001:db8::1 1 993\r\n");
	tcli_tls(&c, fd);
	l = tcli_line(&c);
	cr_assert_not_null(l);
	cr_assert_str_eq(l, "+OK hello 2001:db8::7 1 tls=1 proxied=1");
	correu_transport_free(c.t);
	fx_end(&f);
}

Test(tls, failed_handshake_is_closed_and_counted)
{
	fixture f;
	int fd;

	fx_setup(&f);
	fx_serve(&f, CORREU_SERVER_LISTEN_TLS, 0, env.srv_cfg);
	fd = cli_connect(f.port);
	cli_send(fd, "EHLO this is not TLS\r\n\r\n");
	cr_assert(cli_closed_within(fd, 3000));
	close(fd);
	fx_stop(&f);
	cr_assert_eq(fx_stats(&f).tls_errors, 1);
	cr_assert_eq(atomic_load(&f.cfg.opened), 0);
	fx_end(&f);
}

Test(tls, handshake_timeout)
{
	fixture f;
	uint64_t t0;
	int fd;

	fx_setup(&f);
	f.set.handshake_timeout_ms = 200;
	fx_serve(&f, CORREU_SERVER_LISTEN_TLS, 0, env.srv_cfg);
	t0 = now_ms();
	fd = cli_connect(f.port);
	cr_assert(cli_closed_within(fd, 3000), "a silent client kept its handshake open");
	cr_assert_geq(now_ms() - t0, 150);
	close(fd);
	fx_stop(&f);
	cr_assert_eq(fx_stats(&f).tls_errors, 1);
	fx_end(&f);
}
