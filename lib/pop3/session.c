/*
 * The blocking POP3 session (POP3 layer, driver): runs the sans-I/O client
 * core over a transport, as the SMTP session does. It connects, upgrades
 * to TLS when the core says so (RFC 2595) or from the start (RFC 8314),
 * waits on the transport with the core's deadlines, logs in with the
 * strongest method offered and turns the core's events into results.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

#include "session_int.h"

#define DEF_CONNECT_TIMEOUT 30000u
#define HANDSHAKE_TIMEOUT 60000u

uint64_t correu__pop3_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void correu_pop3_session_options_init(correu_pop3_session_options *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof(*o));
	o->version = CORREU_POP3_SESSION_OPTIONS_VERSION;
	o->tls_mode = CORREU_POP3_SESSION_STLS;
	o->connect_timeout_ms = DEF_CONNECT_TIMEOUT;
}

static void keep_reply(correu_pop3_session *s, const correu_pop3_event *ev)
{
	size_t n = ev->text_len < s->last_text.max - 1 ? ev->text_len : s->last_text.max - 1;

	s->have_reply = true;
	s->last_ok = ev->ok;
	s->last_code = ev->resp_code;
	/* Keep what fits in the room made at the start; the text is for
	 * people, never parsed. */
	memcpy(s->last_text.data, ev->text, n);
	s->last_text.data[n] = '\0';
	s->last_text.len = n + 1;
}

static void on_reply(correu_pop3_session *s, const correu_pop3_event *ev)
{
	bool multi = ev->command == CORREU_POP3_CMD_RETR || ev->command == CORREU_POP3_CMD_TOP ||
	             ev->command == CORREU_POP3_CMD_LIST || ev->command == CORREU_POP3_CMD_UIDL;

	keep_reply(s, ev);
	if (ev->command == CORREU_POP3_CMD_STAT) {
		s->stat_count = ev->msg;
		s->stat_size = ev->size;
	}
	/* A refused USER ends the login without a PASS reply. */
	if (ev->command == s->await ||
	    (s->await == CORREU_POP3_CMD_PASS && ev->command == CORREU_POP3_CMD_USER && !ev->ok)) {
		/* A multi-line +OK is done at its end; the jobs here ask LIST
		 * and UIDL for every message, so they are multi-line too. */
		if (!ev->ok || !multi)
			s->done = true;
	}
}

static void consume(correu_pop3_session *s, const correu_pop3_event *ev)
{
	int rc = 0;

	if (s->fn_error)
		return;
	if (ev->type == CORREU_POP3_EV_BODY && s->body_fn)
		rc = s->body_fn(ev->data, ev->data_len, s->fn_userdata);
	else if (ev->command == CORREU_POP3_CMD_LIST && s->list_fn)
		rc = s->list_fn(ev->msg, ev->size, s->fn_userdata);
	else if (ev->command == CORREU_POP3_CMD_UIDL && s->uidl_fn)
		rc = s->uidl_fn(ev->msg, ev->text, ev->text_len, s->fn_userdata);
	if (rc < 0)
		s->fn_error = rc;
}

static int on_event(const correu_pop3_event *ev, void *userdata)
{
	correu_pop3_session *s = userdata;

	switch (ev->type) {
	case CORREU_POP3_EV_REPLY: on_reply(s, ev); break;
	case CORREU_POP3_EV_ITEM:
	case CORREU_POP3_EV_BODY: consume(s, ev); break;
	case CORREU_POP3_EV_END:
		if (ev->command == s->await)
			s->done = true;
		break;
	case CORREU_POP3_EV_READY: s->ready = true; break;
	case CORREU_POP3_EV_STARTTLS: s->starttls = true; break;
	case CORREU_POP3_EV_CLOSED:
		s->closed = true;
		s->done = true;
		break;
	case CORREU_POP3_EV_ERROR: s->error = ev->error; break;
	default: break;
	}
	return 0;
}

/* Wait for the transport until the core's deadline. */
static int wait_for(correu_pop3_session *s, uint32_t events, uint64_t deadline)
{
	uint64_t now = correu__pop3_now_ms();
	int32_t ms = -1;
	int rc;

	if (deadline != UINT64_MAX) {
		if (now >= deadline)
			return CORREU_ERR_TIMEOUT;
		ms = deadline - now > INT32_MAX ? INT32_MAX : (int32_t)(deadline - now);
	}
	rc = correu_transport_wait(s->t, events, ms);
	return rc < 0 ? rc : 0;
}

static int tls_config(correu_pop3_session *s, const correu_tls_config **cfg)
{
	int rc;

	if (s->opts.tls) {
		*cfg = s->opts.tls;
		return 0;
	}
	if (!s->own_tls) {
		rc = correu_tls_config_new(CORREU_TLS_CLIENT, s->alloc, &s->own_tls);
		if (rc < 0)
			return rc;
	}
	*cfg = s->own_tls;
	return 0;
}

/* Start TLS on the transport and finish the handshake in time. */
static int handshake(correu_pop3_session *s)
{
	const correu_tls_config *cfg;
	uint64_t deadline = correu__pop3_now_ms() + HANDSHAKE_TIMEOUT;
	int rc = tls_config(s, &cfg);

	if (rc == 0)
		rc = correu_transport_starttls(s->t, cfg, s->host);
	while (rc == 0) {
		rc = correu_transport_handshake(s->t);
		if (rc != CORREU_ERR_WANT_READ && rc != CORREU_ERR_WANT_WRITE)
			return rc;
		rc = wait_for(s, rc == CORREU_ERR_WANT_READ ? CORREU_WAIT_READ : CORREU_WAIT_WRITE,
		              deadline);
	}
	return rc;
}

/* One round of I/O: write, or read, or wait, by the core's wishes. */
static int io(correu_pop3_session *s)
{
	uint64_t now = correu__pop3_now_ms();
	correu_ssize n;
	size_t len;
	const uint8_t *out;
	int rc = correu_pop3_client_tick(s->c, now);

	if (rc < 0)
		return rc;
	if (s->starttls) {
		/* The core read nothing past the go-ahead (it refuses any such
		 * bytes), so the transport holds no stale plaintext. */
		s->starttls = false;
		rc = handshake(s);
		return rc < 0 ? rc : correu_pop3_client_tls_done(s->c);
	}
	out = correu_pop3_client_send_buf(s->c, &len);
	if (out) {
		n = correu_transport_send(s->t, out, len);
		if (n > 0)
			return correu_pop3_client_send_ack(s->c, (size_t)n);
		if (n != CORREU_ERR_WANT_WRITE && n != CORREU_ERR_WANT_READ)
			return n == 0 ? CORREU_ERR_IO : (int)n;
		return wait_for(s, n == CORREU_ERR_WANT_READ ? CORREU_WAIT_READ : CORREU_WAIT_WRITE,
		                correu_pop3_client_next_deadline(s->c));
	}
	if (!correu_pop3_client_want_read(s->c))
		return CORREU_ERR_STATE; /* nothing to do: the wait could never end */
	n = correu_transport_recv(s->t, s->rbuf, sizeof(s->rbuf));
	if (n > 0) {
		n = correu_pop3_client_recv(s->c, s->rbuf, (size_t)n, correu__pop3_now_ms());
		return n < 0 ? (int)n : 0;
	}
	if (n == CORREU_ERR_EOF)
		return correu_pop3_client_eof(s->c) < 0 ? CORREU_ERR_EOF : 0;
	if (n != CORREU_ERR_WANT_READ && n != CORREU_ERR_WANT_WRITE)
		return n == 0 ? CORREU_ERR_IO : (int)n;
	return wait_for(s, n == CORREU_ERR_WANT_READ ? CORREU_WAIT_READ : CORREU_WAIT_WRITE,
	                correu_pop3_client_next_deadline(s->c));
}

static int until(correu_pop3_session *s, const bool *flag)
{
	int rc;

	while (!*flag) {
		if (s->error)
			return s->error;
		rc = io(s);
		if (rc < 0) {
			if (!s->error)
				s->error = rc;
			return rc;
		}
	}
	return 0;
}

int correu__pop3_session_wait(correu_pop3_session *s)
{
	return until(s, &s->done);
}

int correu__pop3_session_job(correu_pop3_session *s, uint32_t cmd, int queued)
{
	int rc;

	/* No event comes while a command is queued, so the wait starts
	 * here, after it. */
	s->await = cmd;
	s->done = false;
	rc = queued < 0 ? queued : correu__pop3_session_wait(s);
	s->await = 0;
	s->list_fn = NULL;
	s->uidl_fn = NULL;
	s->body_fn = NULL;
	if (rc < 0)
		return rc;
	if (s->fn_error) {
		rc = s->fn_error;
		s->fn_error = 0;
		return rc;
	}
	return s->last_ok ? 0 : CORREU_ERR_REPLY;
}

/*
 * Write what the core left for a failing session (the QUIT after
 * TLS_REQUIRED or a refused greeting), briefly and without caring about
 * errors: the session ends either way, politely when the server lets it.
 */
static void flush_quietly(correu_pop3_session *s)
{
	uint64_t deadline = correu__pop3_now_ms() + 1000;
	const uint8_t *out;
	size_t len;

	while ((out = correu_pop3_client_send_buf(s->c, &len)) != NULL) {
		correu_ssize n = correu_transport_send(s->t, out, len);

		if (n > 0) {
			if (correu_pop3_client_send_ack(s->c, (size_t)n) < 0)
				return;
		} else if ((n != CORREU_ERR_WANT_WRITE && n != CORREU_ERR_WANT_READ) ||
		           wait_for(s, CORREU_WAIT_WRITE, deadline) < 0)
			return;
	}
}

/* The start-up ends at READY, or at a refused greeting (the core then
 * sends QUIT; its answer closes the session). */
static int start_up(correu_pop3_session *s)
{
	int rc;

	s->await = CORREU_POP3_CMD_GREETING;
	while (!s->ready && !s->closed) {
		if (s->error)
			return s->error;
		if (s->done && !s->last_ok)
			return CORREU_ERR_REPLY;
		rc = io(s);
		if (rc < 0)
			return s->error ? s->error : rc;
	}
	s->await = 0;
	return s->ready ? 0 : CORREU_ERR_REPLY;
}

int correu_pop3_session_start(correu_transport *t, const char *host,
                              const correu_pop3_session_options *opts,
                              correu_pop3_session **session_out)
{
	correu_pop3_session_options o;
	correu_pop3_session *s;
	const correu_allocator *a;
	int rc;

	if (session_out)
		*session_out = NULL;
	if (!t || !session_out) {
		correu_transport_free(t);
		return CORREU_ERR_ARG;
	}
	if (!opts)
		correu_pop3_session_options_init(&o);
	else
		o = *opts;
	if (o.version != CORREU_POP3_SESSION_OPTIONS_VERSION ||
	    o.tls_mode > CORREU_POP3_SESSION_IMPLICIT) {
		correu_transport_free(t);
		return CORREU_ERR_ARG;
	}
	a = correu__allocator(o.settings ? o.settings->allocator : NULL);
	s = correu__calloc(a, sizeof(*s));
	if (!s) {
		correu_transport_free(t);
		return CORREU_ERR_NOMEM;
	}
	s->alloc = a;
	s->t = t;
	s->opts = o;
	s->opts.settings = NULL;
	correu__buf_init(&s->last_text, a, 4096);
	/* The reply text is kept in room made now, so that keeping it later
	 * can never fail. */
	if (correu__buf_reserve(&s->last_text, 4096) < 0) {
		correu_pop3_session_free(s);
		return CORREU_ERR_NOMEM;
	}
	if (o.settings)
		s->set = *o.settings;
	else
		correu_pop3_settings_init(&s->set);
	if (o.tls_mode == CORREU_POP3_SESSION_IMPLICIT)
		s->set.tls_policy = CORREU_POP3_TLS_IMPLICIT;
	s->set.on_event = on_event;
	s->set.event_userdata = s;
	if (host) {
		s->host_len = strlen(host);
		s->host = correu__alloc(a, s->host_len + 1);
		if (!s->host) {
			correu_pop3_session_free(s);
			return CORREU_ERR_NOMEM;
		}
		memcpy(s->host, host, s->host_len + 1);
	}
	rc = correu_pop3_client_new(&s->set, &s->c);
	if (rc == 0)
		rc = start_up(s);
	if (rc < 0) {
		if (s->c)
			flush_quietly(s);
		correu_pop3_session_free(s);
		return rc;
	}
	*session_out = s;
	return 0;
}

int correu_pop3_session_open(const char *host, uint16_t port,
                             const correu_pop3_session_options *opts,
                             correu_pop3_session **session_out)
{
	correu_pop3_session_options o;
	correu_transport *t = NULL;
	correu_tls_config *own = NULL;
	const correu_allocator *a;
	int rc;

	if (!host || !session_out)
		return CORREU_ERR_ARG;
	if (!opts)
		correu_pop3_session_options_init(&o);
	else
		o = *opts;
	a = o.settings ? o.settings->allocator : NULL;
	rc = correu_tcp_connect(
		host, port, o.connect_timeout_ms ? (int32_t)(o.connect_timeout_ms & INT32_MAX) : -1,
		a, &t);
	if (rc < 0)
		return rc;
	if (o.tls_mode == CORREU_POP3_SESSION_IMPLICIT) {
		/* TLS from the first byte (RFC 8314 §3.3); the handshake runs on
		 * the first read of the greeting. */
		if (!o.tls) {
			rc = correu_tls_config_new(CORREU_TLS_CLIENT, a, &own);
			o.tls = own;
		}
		if (rc == 0)
			rc = correu_transport_starttls(t, o.tls, host);
		if (rc < 0) {
			correu_transport_free(t);
			correu_tls_config_free(own);
			return rc;
		}
	}
	rc = correu_pop3_session_start(t, host, &o, session_out);
	if (rc < 0)
		correu_tls_config_free(own);
	else
		(*session_out)->own_tls = own;
	return rc;
}

void correu_pop3_session_free(correu_pop3_session *s)
{
	if (!s)
		return;
	correu_pop3_client_free(s->c);
	correu_transport_free(s->t);
	/* After the transport, which borrows it. */
	correu_tls_config_free(s->own_tls);
	if (s->host)
		correu__free(s->alloc, s->host, s->host_len + 1);
	correu__buf_free(&s->last_text, false);
	correu__free(s->alloc, s, sizeof(*s));
}

/* The SCRAM nonce source: the kernel's CSPRNG. */
static int os_random(uint8_t *buf, size_t len, void *userdata)
{
	(void)userdata;
	while (len > 0) {
#if defined(__linux__)
		ssize_t n = getrandom(buf, len, 0);
#else
		ssize_t n = -1;
#endif
		if (n <= 0)
			return CORREU_ERR_CRYPTO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* SASL with the strongest mechanism offered; NOT_FOUND when none fits. */
static int login_sasl(correu_pop3_session *s, const char *user, const char *password)
{
	correu_sasl_credentials cr;
	correu_sasl_settings ss;

	memset(&cr, 0, sizeof(cr));
	cr.version = CORREU_SASL_CREDENTIALS_VERSION;
	cr.username = user;
	cr.username_len = strlen(user);
	cr.password = password;
	cr.password_len = strlen(password);
	correu_sasl_settings_init(&ss);
	ss.allocator = s->alloc;
	ss.random = s->opts.random ? s->opts.random : os_random;
	ss.random_userdata = s->opts.random ? s->opts.random_userdata : NULL;
	return correu_pop3_client_auth(s->c, 0, &cr, &ss);
}

int correu_pop3_session_login(correu_pop3_session *s, const char *user, const char *password)
{
	size_t ulen, plen;
	uint32_t cmd;
	int rc;

	if (!s || !user || !password)
		return CORREU_ERR_ARG;
	if (s->error)
		return s->error;
	ulen = strlen(user);
	plen = strlen(password);
	/* Strongest first: SASL (SCRAM never shows the password), then APOP
	 * (a digest), then USER/PASS (the password itself, over TLS only
	 * unless allowed). */
	cmd = CORREU_POP3_CMD_AUTH;
	rc = login_sasl(s, user, password);
	if (rc == CORREU_ERR_UNSUPPORTED || rc == CORREU_ERR_NOT_FOUND ||
	    rc == CORREU_ERR_TLS_REQUIRED) {
		cmd = CORREU_POP3_CMD_APOP;
		rc = correu_pop3_client_apop(s->c, user, ulen, password, plen);
	}
	if (rc == CORREU_ERR_UNSUPPORTED) {
		cmd = CORREU_POP3_CMD_PASS;
		rc = correu_pop3_client_user(s->c, user, ulen, password, plen);
		if (rc == CORREU_ERR_UNSUPPORTED)
			rc = CORREU_ERR_NOT_FOUND;
	}
	rc = correu__pop3_session_job(s, cmd, rc < 0 ? rc : 0);
	return rc == CORREU_ERR_REPLY ? CORREU_ERR_AUTH : rc;
}

int correu_pop3_session_quit(correu_pop3_session *s)
{
	int rc;

	if (!s)
		return CORREU_ERR_ARG;
	if (s->closed)
		return 0;
	if (s->error)
		return s->error;
	rc = correu__pop3_session_job(s, CORREU_POP3_CMD_QUIT, correu_pop3_client_quit(s->c));
	if (rc == 0 || rc == CORREU_ERR_REPLY) {
		int sh = correu_transport_shutdown(s->t);

		(void)sh; /* the session is over either way */
	}
	return rc;
}

int correu_pop3_session_last_reply(const correu_pop3_session *s, const char **text_out,
                                   uint32_t *resp_code_out)
{
	if (text_out)
		*text_out = "";
	if (resp_code_out)
		*resp_code_out = 0;
	if (!s || !s->have_reply)
		return CORREU_ERR_NOT_FOUND;
	if (text_out && s->last_text.len)
		*text_out = (const char *)s->last_text.data;
	if (resp_code_out)
		*resp_code_out = s->last_code;
	return s->last_ok ? 1 : 0;
}

correu_pop3_client *correu_pop3_session_client(correu_pop3_session *s)
{
	return s ? s->c : NULL;
}
