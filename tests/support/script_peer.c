/*
 * The scripted server for the blocking sessions' tests (test support; see
 * script_peer.h): a thread that plays a script against one client over a
 * correu transport, byte by byte on reads so that a TLS upgrade finds no
 * plaintext consumed ahead of it.
 */
#include "script_peer.h"

#include <criterion/criterion.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "failalloc.h"

/* The longest wait for the client, in ms: a stuck test fails, not hangs. */
#define PATIENCE_MS 5000

correu_tls_config *script_peer_server_tls, *script_peer_client_tls;

/* After a send or receive that would block: wait for the transport. */
static int wait_io(correu_transport *t, correu_ssize rc)
{
	if (rc != CORREU_ERR_WANT_READ && rc != CORREU_ERR_WANT_WRITE)
		return (int)rc;
	rc = correu_transport_wait(
		t, rc == CORREU_ERR_WANT_READ ? CORREU_WAIT_READ : CORREU_WAIT_WRITE, PATIENCE_MS);
	return rc < 0 ? CORREU_ERR_TIMEOUT : 0;
}

static int send_all(correu_transport *t, const char *p, size_t n)
{
	while (n > 0) {
		correu_ssize k = correu_transport_send(t, (const uint8_t *)p, n);
		int rc;

		if (k > 0) {
			p += k;
			n -= (size_t)k;
		} else if ((rc = wait_io(t, k)) < 0)
			return rc;
	}
	return 0;
}

/* One line without its CRLF, read a byte at a time so that nothing after
 * it is consumed (a TLS upgrade may follow). */
static int read_line(correu_transport *t, char *buf, size_t cap)
{
	size_t n = 0;

	for (;;) {
		uint8_t ch;
		correu_ssize k = correu_transport_recv(t, &ch, 1);
		int rc;

		if (k == 1) {
			if (ch == '\n' && n > 0 && buf[n - 1] == '\r') {
				buf[n - 1] = '\0';
				return 0;
			}
			if (n + 1 >= cap)
				return CORREU_ERR_LIMIT;
			buf[n++] = (char)ch;
		} else if ((rc = wait_io(t, k)) < 0)
			return rc;
	}
}

static int handshake(correu_transport *t, const correu_tls_config *tls)
{
	int rc = correu_transport_starttls(t, tls, NULL);

	while (rc == 0 && (rc = correu_transport_handshake(t)) != 0)
		rc = wait_io(t, rc);
	return rc;
}

/* One step of the script; -1 when the client strayed from it. */
static int step(struct script_peer *p, correu_transport *t, const char *st)
{
	char line[2048];
	int rc = 0;

	if (strncmp(st, "S:", 2) == 0) {
		rc = send_all(t, st + 2, strlen(st + 2));
		if (rc == 0)
			rc = send_all(t, "\r\n", 2);
	} else if (strncmp(st, "C:", 2) == 0) {
		rc = read_line(t, line, sizeof(line));
		if (rc == 0 && strcmp(line, st + 2) != 0) {
			snprintf(p->failure, sizeof(p->failure), "expected \"%s\", got \"%s\"",
			         st + 2, line);
			return -1;
		}
	} else if (strcmp(st, "TLS") == 0) {
		rc = handshake(t, p->tls);
	} else if (strcmp(st, "WAIT") == 0) {
		while (read_line(t, line, sizeof(line)) == 0)
			;
	} else if (strcmp(st, "SLEEP") == 0)
		usleep(300000);
	if (rc < 0)
		snprintf(p->failure, sizeof(p->failure), "step \"%s\": %s", st,
		         correu_err_name(rc));
	return rc;
}

/* Accept one connection on the listener (non-blocking: poll first). */
static int accept_one(correu_tcp_listener *l, correu_transport **t)
{
	struct pollfd pfd = { correu_tcp_listener_fd(l), POLLIN, 0 };
	int rc;

	while ((rc = correu_tcp_accept(l, t, NULL, 0)) == CORREU_ERR_WANT_READ)
		if (poll(&pfd, 1, PATIENCE_MS) <= 0)
			return CORREU_ERR_TIMEOUT;
	return rc;
}

static void *serve(void *arg)
{
	struct script_peer *p = arg;
	correu_transport *t;

	if (p->listener ? accept_one(p->listener, &t) < 0
	                : correu_tcp_from_fd(p->fd, NULL, &t) < 0) {
		snprintf(p->failure, sizeof(p->failure), "no transport");
		return NULL;
	}
	for (const char *const *st = p->script; *st; st++)
		if (step(p, t, *st) < 0)
			break;
	correu_transport_free(t);
	return NULL;
}

int script_peer_pair(struct script_peer *p, const char *const *script, const correu_allocator *a,
                     bool implicit, correu_transport **client_out)
{
	int fds[2], rc;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	memset(p, 0, sizeof(*p));
	p->script = script;
	p->fd = fds[1];
	p->tls = script_peer_server_tls;
	cr_assert_eq(pthread_create(&p->thread, NULL, serve, p), 0);
	rc = correu_tcp_from_fd(fds[0], a, client_out);
	if (rc == 0 && implicit)
		cr_assert_eq(
			correu_transport_starttls(*client_out, script_peer_client_tls, "localhost"),
			0);
	return rc;
}

uint16_t script_peer_listen(struct script_peer *p, const char *const *script)
{
	int port;

	memset(p, 0, sizeof(*p));
	p->script = script;
	cr_assert_eq(correu_tcp_listen("127.0.0.1", 0, 4, 0, NULL, &p->listener), 0);
	port = correu_tcp_listener_port(p->listener);
	cr_assert_gt(port, 0);
	cr_assert_eq(pthread_create(&p->thread, NULL, serve, p), 0);
	return (uint16_t)port;
}

void script_peer_join(struct script_peer *p)
{
	pthread_join(p->thread, NULL);
	correu_tcp_listener_free(p->listener);
	p->listener = NULL;
}

void script_peer_finish(struct script_peer *p)
{
	script_peer_join(p);
	cr_assert_str_empty(p->failure, "server: %s", p->failure);
}

struct round {
	const char *const *script;
	script_peer_scenario scenario;
};

static int one_round(void *ctx, const correu_allocator *a)
{
	const struct round *r = ctx;
	struct script_peer p;
	correu_transport *t;
	int rc = script_peer_pair(&p, r->script, a, false, &t);

	if (rc == 0)
		rc = r->scenario(t, a);
	/* The session freed, or the descriptor closed by a failed
	 * correu_tcp_from_fd(), ends the script wherever the failure left it. */
	script_peer_join(&p);
	return rc;
}

long script_peer_failalloc(const char *const *script, script_peer_scenario scenario, long max)
{
	struct round r = { script, scenario };

	return failalloc_loop(one_round, &r, max);
}

void script_peer_tls_init(void)
{
	uint8_t pem[2048];
	size_t len;
	int rc = correu_tls_config_new(CORREU_TLS_SERVER, NULL, &script_peer_server_tls);

	if (rc == CORREU_ERR_UNSUPPORTED)
		cr_skip_test("needs a build with mbedTLS");
	cr_assert_eq(rc, 0);
	cr_assert_eq(correu_tls_config_set_self_signed(script_peer_server_tls, "localhost", 2, pem,
	                                               sizeof(pem), &len),
	             0);
	cr_assert_eq(correu_tls_config_new(CORREU_TLS_CLIENT, NULL, &script_peer_client_tls), 0);
	cr_assert_eq(correu_tls_config_set_ca_pem(script_peer_client_tls, pem, len + 1), 0);
}

void script_peer_tls_fini(void)
{
	correu_tls_config_free(script_peer_client_tls);
	correu_tls_config_free(script_peer_server_tls);
	script_peer_client_tls = script_peer_server_tls = NULL;
}

int script_peer_random(uint8_t *buf, size_t len, void *userdata)
{
	(void)userdata;
	memset(buf, 7, len);
	return 0;
}
