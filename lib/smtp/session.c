/*
 * The blocking SMTP session (SMTP layer, driver): runs the sans-I/O client
 * core over a transport. It connects, upgrades to TLS when the core says
 * so (RFC 3207) or from the start (RFC 8314), waits on the transport with
 * the core's deadlines, and turns the core's events into results.
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

uint64_t correu__smtp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void correu_smtp_session_options_init(correu_smtp_session_options *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof(*o));
	o->version = CORREU_SMTP_SESSION_OPTIONS_VERSION;
	o->tls_mode = CORREU_SMTP_SESSION_STARTTLS;
	o->connect_timeout_ms = DEF_CONNECT_TIMEOUT;
}

static int on_event(const correu_smtp_event *ev, void *userdata)
{
	correu_smtp_session *s = userdata;

	switch (ev->type) {
	case CORREU_SMTP_EV_REPLY:
		s->last_code = ev->code;
		s->last_text.len = 0;
		/* Keep what fits; the text is for people, never parsed. */
		if (correu__buf_append(&s->last_text, ev->text, ev->text_len) < 0)
			s->last_text.len = 0;
		if (correu__buf_append(&s->last_text, "", 1) < 0)
			s->last_text.len = 0;
		if (ev->command == CORREU_SMTP_CMD_AUTH)
			s->auth_done = true;
		if (ev->command == CORREU_SMTP_CMD_RCPT && ev->index < s->nrcpt)
			s->rcpt_codes[ev->index] = ev->code;
		if (ev->command == CORREU_SMTP_CMD_DATA_END) {
			s->data_end_code = ev->code;
			if (s->set.flags & CORREU_SMTP_LMTP) {
				if (ev->index < s->nrcpt)
					s->rcpt_codes[ev->index] = ev->code;
				if (ev->code >= 200 && ev->code < 300)
					s->delivered++;
			}
		}
		break;
	case CORREU_SMTP_EV_READY: s->ready = true; break;
	case CORREU_SMTP_EV_STARTTLS: s->starttls = true; break;
	case CORREU_SMTP_EV_BODY: s->body = true; break;
	case CORREU_SMTP_EV_CLOSED: s->closed = true; break;
	case CORREU_SMTP_EV_ERROR: s->error = ev->error; break;
	default: break;
	}
	return s->tap ? s->tap(ev, s->tap_userdata) : 0;
}

/* Wait for the transport until the core's deadline. */
static int wait_for(correu_smtp_session *s, uint32_t events, uint64_t deadline)
{
	uint64_t now = correu__smtp_now_ms();
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

static int tls_config(correu_smtp_session *s, const correu_tls_config **cfg)
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
static int handshake(correu_smtp_session *s)
{
	const correu_tls_config *cfg;
	uint64_t deadline = correu__smtp_now_ms() + HANDSHAKE_TIMEOUT;
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

int correu__smtp_session_io(correu_smtp_session *s)
{
	uint64_t now = correu__smtp_now_ms();
	correu_ssize n;
	size_t len;
	const uint8_t *out;
	int rc = correu_smtp_client_tick(s->c, now);

	if (rc < 0)
		return rc;
	if (s->starttls) {
		/* The core read nothing past the go-ahead (it refuses any such
		 * bytes), so the transport holds no stale plaintext. */
		s->starttls = false;
		rc = handshake(s);
		return rc < 0 ? rc : correu_smtp_client_tls_done(s->c);
	}
	out = correu_smtp_client_send_buf(s->c, &len);
	if (out) {
		n = correu_transport_send(s->t, out, len);
		if (n > 0)
			return correu_smtp_client_send_ack(s->c, (size_t)n);
		if (n != CORREU_ERR_WANT_WRITE && n != CORREU_ERR_WANT_READ)
			return n == 0 ? CORREU_ERR_IO : (int)n;
		return wait_for(s, n == CORREU_ERR_WANT_READ ? CORREU_WAIT_READ : CORREU_WAIT_WRITE,
		                correu_smtp_client_next_deadline(s->c));
	}
	if (!correu_smtp_client_want_read(s->c))
		return CORREU_ERR_STATE; /* nothing to do: the caller's wait can never end */
	n = correu_transport_recv(s->t, s->rbuf, sizeof(s->rbuf));
	if (n > 0) {
		n = correu_smtp_client_recv(s->c, s->rbuf, (size_t)n, correu__smtp_now_ms());
		return n < 0 ? (int)n : 0;
	}
	if (n == CORREU_ERR_EOF)
		return correu_smtp_client_eof(s->c) < 0 ? CORREU_ERR_EOF : 0;
	if (n != CORREU_ERR_WANT_READ && n != CORREU_ERR_WANT_WRITE)
		return n == 0 ? CORREU_ERR_IO : (int)n;
	return wait_for(s, n == CORREU_ERR_WANT_READ ? CORREU_WAIT_READ : CORREU_WAIT_WRITE,
	                correu_smtp_client_next_deadline(s->c));
}

int correu__smtp_session_until(correu_smtp_session *s, bool (*cond)(const correu_smtp_session *))
{
	int rc;

	while (!cond(s)) {
		if (s->error)
			return s->error;
		rc = correu__smtp_session_io(s);
		if (rc < 0) {
			if (!s->error)
				s->error = rc;
			return rc;
		}
	}
	return 0;
}

/*
 * Write what the core left for a failing session (the QUIT after
 * TLS_REQUIRED or a refusal), briefly and without caring about errors:
 * the session ends either way, politely when the server lets it.
 */
static void flush_quietly(correu_smtp_session *s)
{
	uint64_t deadline = correu__smtp_now_ms() + 1000;
	const uint8_t *out;
	size_t len;

	while ((out = correu_smtp_client_send_buf(s->c, &len)) != NULL) {
		correu_ssize n = correu_transport_send(s->t, out, len);

		if (n > 0) {
			if (correu_smtp_client_send_ack(s->c, (size_t)n) < 0)
				return;
		} else if ((n != CORREU_ERR_WANT_WRITE && n != CORREU_ERR_WANT_READ) ||
		           wait_for(s, CORREU_WAIT_WRITE, deadline) < 0)
			return;
	}
}

static bool greeted(const correu_smtp_session *s)
{
	return s->ready || s->closed;
}

int correu_smtp_session_start(correu_transport *t, const char *host,
                              const correu_smtp_session_options *opts,
                              correu_smtp_session **session_out)
{
	correu_smtp_session_options o;
	correu_smtp_session *s;
	const correu_allocator *a;
	int rc;

	if (session_out)
		*session_out = NULL;
	if (!t || !session_out) {
		correu_transport_free(t);
		return CORREU_ERR_ARG;
	}
	if (!opts)
		correu_smtp_session_options_init(&o);
	else
		o = *opts;
	if (o.version != CORREU_SMTP_SESSION_OPTIONS_VERSION ||
	    o.tls_mode > CORREU_SMTP_SESSION_IMPLICIT) {
		correu_transport_free(t);
		return CORREU_ERR_ARG;
	}
	/* The core trusts an implicit-TLS policy and would then allow password
	 * mechanisms, so a plain transport must never be started that way. */
	if (o.tls_mode == CORREU_SMTP_SESSION_IMPLICIT && !correu_transport_is_tls(t)) {
		correu_transport_free(t);
		return CORREU_ERR_TLS_REQUIRED;
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
	if (o.settings)
		s->set = *o.settings;
	else
		correu_smtp_settings_init(&s->set);
	if (o.tls_mode == CORREU_SMTP_SESSION_IMPLICIT)
		s->set.tls_policy = CORREU_SMTP_TLS_IMPLICIT;
	s->set.on_event = on_event;
	s->set.event_userdata = s;
	if (host) {
		s->host_len = strlen(host);
		s->host = correu__alloc(a, s->host_len + 1);
		if (!s->host) {
			correu_smtp_session_free(s);
			return CORREU_ERR_NOMEM;
		}
		memcpy(s->host, host, s->host_len + 1);
	}
	rc = correu_smtp_client_new(&s->set, &s->c);
	if (rc == 0)
		rc = correu__smtp_session_until(s, greeted);
	if (rc == 0 && !s->ready)
		rc = CORREU_ERR_REPLY; /* the greeting or EHLO was refused */
	if (rc < 0) {
		if (s->c)
			flush_quietly(s);
		correu_smtp_session_free(s);
		return rc;
	}
	*session_out = s;
	return 0;
}

int correu_smtp_session_open(const char *host, uint16_t port,
                             const correu_smtp_session_options *opts,
                             correu_smtp_session **session_out)
{
	correu_smtp_session_options o;
	correu_transport *t = NULL;
	correu_tls_config *own = NULL;
	const correu_allocator *a;
	int rc;

	if (!host || !session_out)
		return CORREU_ERR_ARG;
	if (!opts)
		correu_smtp_session_options_init(&o);
	else
		o = *opts;
	a = o.settings ? o.settings->allocator : NULL;
	rc = correu_tcp_connect(host, port,
	                        o.connect_timeout_ms ? (int32_t)(o.connect_timeout_ms & INT32_MAX)
	                                             : -1,
	                        a, &t);
	if (rc < 0)
		return rc;
	if (o.tls_mode == CORREU_SMTP_SESSION_IMPLICIT) {
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
	rc = correu_smtp_session_start(t, host, &o, session_out);
	if (rc < 0)
		correu_tls_config_free(own);
	else
		(*session_out)->own_tls = own;
	return rc;
}

void correu_smtp_session_free(correu_smtp_session *s)
{
	if (!s)
		return;
	correu_smtp_client_free(s->c);
	correu_transport_free(s->t);
	/* After the transport, which borrows it. */
	correu_tls_config_free(s->own_tls);
	if (s->host)
		correu__free(s->alloc, s->host, s->host_len + 1);
	if (s->rcpt_codes)
		correu__free(s->alloc, s->rcpt_codes, s->nrcpt * sizeof(*s->rcpt_codes));
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

static bool auth_answered(const correu_smtp_session *s)
{
	return s->auth_done;
}

int correu_smtp_session_login(correu_smtp_session *s, const char *user, const char *password)
{
	correu_sasl_credentials cr;
	correu_sasl_settings ss;
	int rc;

	if (!s || !user || !password)
		return CORREU_ERR_ARG;
	if (s->error)
		return s->error;
	memset(&cr, 0, sizeof(cr));
	cr.version = CORREU_SASL_CREDENTIALS_VERSION;
	cr.username = user;
	cr.username_len = strlen(user);
	cr.password = password;
	cr.password_len = strlen(password);
	correu_sasl_settings_init(&ss);
	ss.allocator = s->alloc;
	ss.random = os_random;
	s->auth_done = false;
	rc = correu_smtp_client_auth(s->c, 0, &cr, &ss);
	if (rc < 0)
		return rc;
	rc = correu__smtp_session_until(s, auth_answered);
	if (rc < 0)
		return rc;
	return s->last_code == 235 ? 0 : CORREU_ERR_AUTH;
}

static bool is_closed(const correu_smtp_session *s)
{
	return s->closed;
}

int correu_smtp_session_quit(correu_smtp_session *s)
{
	int rc;

	if (!s)
		return CORREU_ERR_ARG;
	if (s->closed)
		return 0;
	if (s->error)
		return s->error;
	rc = correu_smtp_client_quit(s->c);
	if (rc == 0)
		rc = correu__smtp_session_until(s, is_closed);
	if (rc == 0) {
		int sh = correu_transport_shutdown(s->t);

		(void)sh; /* the session is over either way */
	}
	return rc;
}

uint32_t correu_smtp_session_last_reply(const correu_smtp_session *s, const char **text_out)
{
	if (text_out)
		*text_out = s && s->last_text.len ? (const char *)s->last_text.data : "";
	return s ? s->last_code : 0;
}

correu_smtp_client *correu_smtp_session_client(correu_smtp_session *s)
{
	return s ? s->c : NULL;
}
