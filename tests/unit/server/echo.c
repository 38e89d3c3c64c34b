/* Test support for the server runtime: the echo core, a server thread, a
 * log collector and loopback clients (see echo.h). */
#include "echo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define LINE_MAX_ 1024

typedef struct echo {
	echo_cfg *cfg;
	correu_server_conn *conn;
	correu__buf out;
	int want;
	bool in_txn, shutdown_pending;
	uint64_t slow_at;     /* SLOW reply due; UINT64_MAX: none */
	uint64_t cmd_deadline;
	uint64_t discarded;
	bool tls;
	bool unix_peer;
	uint64_t id;
} echo;

static void say(echo *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(echo *e, const char *fmt, ...)
{
	char line[LINE_MAX_ + 64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	memcpy(line + n, "\r\n", 2);
	cr_assert_eq(correu__buf_append(&e->out, line, (size_t)n + 2), 0);
	if (e->out.len > atomic_load(&e->cfg->max_output))
		atomic_store(&e->cfg->max_output, e->out.len);
}

static void bye(echo *e, const char *line)
{
	say(e, "%s", line);
	e->want = CORREU_SERVER_WANT_CLOSE;
}

static int e_open(const correu_server_peer *peer, correu_server_conn *conn, void **session_out,
                  void *userdata)
{
	echo *e = calloc(1, sizeof(*e));

	cr_assert(e);
	e->cfg = userdata;
	e->conn = conn;
	e->want = CORREU_SERVER_WANT_READ;
	e->slow_at = UINT64_MAX;
	e->cmd_deadline = UINT64_MAX;
	e->tls = peer->flags & CORREU_SERVER_PEER_TLS;
	e->id = peer->conn_id;
	e->unix_peer = peer->flags & CORREU_SERVER_PEER_UNIX;
	correu__buf_init(&e->out, NULL, 16u << 20);
	atomic_fetch_add(&e->cfg->opened, 1);
	say(e, "+OK hello %s %u tls=%d proxied=%d", peer->addr, peer->port, e->tls ? 1 : 0,
	    peer->flags & CORREU_SERVER_PEER_PROXIED ? 1 : 0);
	*session_out = e;
	return 0;
}

static void arm_cmd_timeout(echo *e, uint64_t now)
{
	e->cmd_deadline = e->cfg->cmd_timeout_ms ? now + e->cfg->cmd_timeout_ms : UINT64_MAX;
}

static void command(echo *e, const char *l, uint64_t now)
{
	uint32_t delay = 0;

	if (strcmp(l, "QUIT") == 0) {
		bye(e, "+OK bye");
	} else if (strcmp(l, "STARTTLS") == 0) {
		say(e, "+OK begin TLS");
		e->want = CORREU_SERVER_WANT_STARTTLS;
	} else if (strcmp(l, "INFO") == 0) {
		say(e, "+OK tls=%d discarded=%llu id=%llu unix=%d", e->tls ? 1 : 0,
		    (unsigned long long)e->discarded, (unsigned long long)e->id, e->unix_peer ? 1 : 0);
	} else if (strcmp(l, "FAIL") == 0) {
		if (correu_server_conn_auth_failure(e->conn, now, &delay) == CORREU_ERR_LIMIT)
			bye(e, "-ERR too many");
		else
			say(e, "-ERR delay %u", delay);
	} else if (strcmp(l, "GOOD") == 0) {
		cr_assert_eq(correu_server_conn_auth_success(e->conn), 0);
		say(e, "+OK");
	} else if (strcmp(l, "DELAY") == 0) {
		say(e, "+OK delay %u", correu_server_conn_auth_delay(e->conn, now));
	} else if (strncmp(l, "SLOW ", 5) == 0) {
		e->slow_at = now + strtoull(l + 5, NULL, 10);
	} else if (strcmp(l, "BEGIN") == 0) {
		e->in_txn = true;
		say(e, "+OK begin");
	} else if (strcmp(l, "END") == 0) {
		e->in_txn = false;
		say(e, "+OK end");
		if (e->shutdown_pending)
			bye(e, "+OK shutdown");
	} else if (strncmp(l, "BIG ", 4) == 0) {
		size_t n = strtoul(l + 4, NULL, 10);

		cr_assert_eq(correu__buf_append(&e->out, "+OK ", 4), 0);
		for (size_t i = 0; i < n; i++)
			cr_assert_eq(correu__buf_append(&e->out, "x", 1), 0);
		cr_assert_eq(correu__buf_append(&e->out, "\r\n", 2), 0);
		if (e->out.len > atomic_load(&e->cfg->max_output))
			atomic_store(&e->cfg->max_output, e->out.len);
	} else if (strcmp(l, "PARK") == 0) {
		e->cfg->parked = e;
	} else if (strcmp(l, "POKE") == 0) {
		echo *p = e->cfg->parked;

		say(e, "+OK poke");
		if (p) {
			/* Another session's output changed outside its own calls. */
			e->cfg->parked = NULL;
			say(p, "+OK poked");
			cr_assert_eq(correu_server_conn_wake(p->conn), 0);
		}
	} else if (strcmp(l, "LOG") == 0) {
		cr_assert_eq(correu_server_conn_log(e->conn, CORREU_LOG_INFO, "core says hi", 12), 0);
		say(e, "+OK");
	} else {
		say(e, "+OK %s", l);
	}
}

static int e_recv(const uint8_t *in, size_t len, uint64_t now, void *session)
{
	echo *e = session;
	size_t used = 0;

	/* One whole line per call, as the runtime asks, so that back-pressure
	 * can act between commands. */
	if (used < len && e->want == CORREU_SERVER_WANT_READ) {
		const uint8_t *nl = memchr(in + used, '\n', len - used);
		char line[LINE_MAX_];
		size_t n;

		if (!nl) {
			if (len - used >= LINE_MAX_) {
				bye(e, "-ERR line too long");
				return (int)len;
			}
			return 0;
		}
		n = (size_t)(nl - (in + used));
		if (n > 0 && in[used + n - 1] == '\r')
			n--;
		if (n >= LINE_MAX_) {
			bye(e, "-ERR line too long");
			return (int)len;
		}
		memcpy(line, in + used, n);
		line[n] = '\0';
		used = (size_t)(nl - in) + 1;
		arm_cmd_timeout(e, now);
		command(e, line, now);
	}
	return (int)used;
}

static int e_send_buf(const uint8_t **buf_out, size_t *len_out, void *session)
{
	echo *e = session;

	*buf_out = e->out.data;
	*len_out = e->out.len;
	return 0;
}

static int e_send_ack(size_t n, void *session)
{
	echo *e = session;

	cr_assert_leq(n, e->out.len);
	correu__buf_consume(&e->out, n);
	return 0;
}

static int e_want(void *session)
{
	return ((echo *)session)->want;
}

static int e_deadline(uint64_t *deadline_out, void *session)
{
	echo *e = session;

	*deadline_out = e->slow_at < e->cmd_deadline ? e->slow_at : e->cmd_deadline;
	return 0;
}

static int e_event(uint32_t ev, uint64_t arg, uint64_t now, void *session)
{
	echo *e = session;

	switch (ev) {
	case CORREU_SERVER_EV_TIMER:
		if (e->slow_at <= now) {
			e->slow_at = UINT64_MAX;
			say(e, "+OK slow");
		}
		if (e->cmd_deadline <= now) {
			e->cmd_deadline = UINT64_MAX;
			bye(e, "-ERR timeout");
		}
		break;
	case CORREU_SERVER_EV_IDLE:
		say(e, "-ERR idle");
		break;
	case CORREU_SERVER_EV_TLS_STARTED:
		/* RFC 3207 section 4.2: forget what was said before. */
		e->tls = true;
		e->discarded = arg;
		e->want = CORREU_SERVER_WANT_READ;
		break;
	case CORREU_SERVER_EV_SHUTDOWN:
		atomic_fetch_add(&e->cfg->shutdown_events, 1);
		if (e->in_txn)
			e->shutdown_pending = true;
		else
			bye(e, "+OK shutdown");
		break;
	default:
		break;
	}
	return 0;
}

static int e_close(void *session)
{
	echo *e = session;

	atomic_fetch_add(&e->cfg->closed, 1);
	if (e->cfg->parked == e)
		e->cfg->parked = NULL;
	correu__buf_free(&e->out, false);
	free(e);
	return 0;
}

static int e_refuse(uint32_t reason, uint8_t *buf, size_t cap, void *userdata)
{
	echo_cfg *cfg = userdata;

	if (cfg->silent_refuse)
		return 0;
	return snprintf((char *)buf, cap, "-ERR refused %u\r\n", reason);
}

const correu_server_core echo_core = {
	CORREU_SERVER_CORE_VERSION, e_open, e_recv, e_send_buf, e_send_ack, e_want,
	e_deadline, e_event, e_close, e_refuse,
};

/* ---- the server thread ---- */

void test_settings(correu_server_settings *s)
{
	cr_assert_eq(correu_server_settings_init(s), 0);
	s->idle_timeout_ms = 5000;
	s->close_linger_ms = 500;
	s->shutdown_grace_ms = 3000;
	s->handshake_timeout_ms = 5000;
	s->proxy_timeout_ms = 2000;
}

correu_server *test_server(const correu_server_settings *s)
{
	correu_server *srv = NULL;

	cr_assert_eq(correu_server_new(s, NULL, &srv), 0);
	return srv;
}

uint32_t test_listen(correu_server *srv, uint32_t mode, uint32_t flags,
                     const correu_tls_config *tls, echo_cfg *cfg)
{
	correu_server_listen_cfg lc = { 0 };
	uint32_t port = 0;

	lc.version = CORREU_SERVER_LISTEN_VERSION;
	lc.mode = mode;
	lc.flags = flags;
	lc.host = "127.0.0.1";
	lc.tls = tls;
	lc.core = &echo_core;
	lc.core_userdata = cfg;
	cr_assert_eq(correu_server_listen(srv, &lc, &port), 0);
	cr_assert_gt(port, 0);
	return port;
}

static void *srv_main(void *arg)
{
	srv_thread *st = arg;

	st->rc = correu_server_run(st->srv);
	return NULL;
}

void srv_start(srv_thread *st, correu_server *srv)
{
	st->srv = srv;
	st->rc = -1;
	cr_assert_eq(pthread_create(&st->th, NULL, srv_main, st), 0);
	st->running = true;
}

void srv_stop(srv_thread *st, uint32_t grace_ms)
{
	if (!st->running)
		return;
	cr_assert_eq(correu_server_stop(st->srv, grace_ms), 0);
	cr_assert_eq(pthread_join(st->th, NULL), 0);
	st->running = false;
	cr_assert_eq(st->rc, 0, "the loop returned %d", st->rc);
}

void logbook_hook(int level, const char *msg, size_t len, void *userdata)
{
	logbook *lb = userdata;

	(void)level;
	pthread_mutex_lock(&lb->mu);
	if (len + 1 < sizeof(lb->text) - lb->len) {
		memcpy(lb->text + lb->len, msg, len);
		lb->text[lb->len + len] = '\n';
		lb->len += len + 1;
		lb->text[lb->len] = '\0';
	}
	pthread_mutex_unlock(&lb->mu);
}

/* ---- clients ---- */

int cli_connect(uint32_t port)
{
	struct sockaddr_in sa = { 0 };
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert_geq(fd, 0);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "connect to %u", port);
	return fd;
}

void cli_send(int fd, const char *s)
{
	size_t len = strlen(s);

	cr_assert_eq(send(fd, s, len, MSG_NOSIGNAL), (ssize_t)len);
}

int cli_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	for (;;) {
		char ch;
		ssize_t r = recv(fd, &ch, 1, 0);

		if (r == 0)
			return -1;
		if (r < 0)
			return -2;
		if (ch == '\n')
			break;
		if (n + 1 < cap)
			buf[n++] = ch;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return (int)n;
}

const char *cli_expect(int fd, const char *prefix)
{
	static char line[2048];
	int n = cli_line(fd, line, sizeof(line));

	cr_assert_geq(n, 0, "no line (%d) where \"%s\" was expected", n, prefix);
	cr_assert(strncmp(line, prefix, strlen(prefix)) == 0, "got \"%s\", expected \"%s...\"",
	          line, prefix);
	return line;
}

bool cli_closed_within(int fd, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		uint64_t now = now_ms();
		char buf[4096];
		ssize_t r;

		if (now >= end)
			return false;
		if (poll(&p, 1, (int)(end - now)) <= 0)
			return false;
		r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return true;
	}
}

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
