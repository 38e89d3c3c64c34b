/*
 * The blocking IMAP session (IMAP layer, driver): runs the sans-I/O client
 * core over a transport, as the SMTP and POP3 sessions do. It connects
 * (TLS from the start, RFC 8314, or STARTTLS through the core), gets
 * ready, logs in with the strongest method offered, enables the
 * extensions it can use, logs out, and reports the last response. The I/O
 * loop is in session_io.c, the jobs in session_ops.c.
 */
#include <string.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

#include "session_int.h"

#define DEF_CONNECT_TIMEOUT 30000u

void correu_imap_session_options_init(correu_imap_session_options *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof(*o));
	o->version = CORREU_IMAP_SESSION_OPTIONS_VERSION;
	o->tls_mode = CORREU_IMAP_SESSION_STARTTLS;
	o->connect_timeout_ms = DEF_CONNECT_TIMEOUT;
}

static int start_up(correu_imap_session *s)
{
	int rc;

	while (!s->ready) {
		if (s->error)
			return s->error;
		rc = correu__imaps_io(s, UINT64_MAX);
		if (rc < 0)
			return s->error ? s->error : rc;
	}
	return 0;
}

static int make(correu_transport *t, const char *host, const correu_imap_session_options *o,
                correu_imap_session **out)
{
	const correu_allocator *a = correu__allocator(o->settings ? o->settings->allocator : NULL);
	correu_imap_session *s = correu__calloc(a, sizeof(*s));

	*out = s;
	if (!s)
		return CORREU_ERR_NOMEM;
	s->alloc = a;
	s->t = t;
	s->opts = *o;
	s->opts.settings = NULL;
	s->append_fd = -1;
	correu__buf_init(&s->last_text, a, 4096);
	/* The response text is kept in room made now, so that keeping it
	 * later can never fail. */
	if (correu__buf_reserve(&s->last_text, 4096) < 0)
		return CORREU_ERR_NOMEM;
	if (o->settings)
		s->set = *o->settings;
	else
		correu_imap_settings_init(&s->set);
	if (o->tls_mode == CORREU_IMAP_SESSION_IMPLICIT)
		s->set.tls_policy = CORREU_IMAP_TLS_IMPLICIT;
	/* The implicit policy tells the core the channel is protected (it
	 * then sends passwords): only true of a TLS transport. */
	if (s->set.tls_policy == CORREU_IMAP_TLS_IMPLICIT && !correu_transport_is_tls(t))
		return CORREU_ERR_ARG;
	s->set.on_event = correu__imaps_event;
	s->set.event_userdata = s;
	if (host) {
		s->host_len = strlen(host);
		s->host = correu__alloc(a, s->host_len + 1);
		if (!s->host)
			return CORREU_ERR_NOMEM;
		memcpy(s->host, host, s->host_len + 1);
	}
	return correu_imap_client_new(&s->set, &s->c);
}

int correu_imap_session_start(correu_transport *t, const char *host,
                              const correu_imap_session_options *opts,
                              correu_imap_session **session_out)
{
	correu_imap_session_options o;
	correu_imap_session *s = NULL;
	int rc;

	if (session_out)
		*session_out = NULL;
	if (!t || !session_out) {
		correu_transport_free(t);
		return CORREU_ERR_ARG;
	}
	if (!opts)
		correu_imap_session_options_init(&o);
	else
		o = *opts;
	if (o.version != CORREU_IMAP_SESSION_OPTIONS_VERSION ||
	    o.tls_mode > CORREU_IMAP_SESSION_IMPLICIT) {
		correu_transport_free(t);
		return CORREU_ERR_ARG;
	}
	rc = make(t, host, &o, &s);
	if (!s) {
		correu_transport_free(t);
		return rc;
	}
	if (rc == 0)
		rc = start_up(s);
	if (rc < 0) {
		if (s->c)
			correu__imaps_flush(s);
		correu_imap_session_free(s);
		return rc;
	}
	*session_out = s;
	return 0;
}

int correu_imap_session_open(const char *host, uint16_t port,
                             const correu_imap_session_options *opts,
                             correu_imap_session **session_out)
{
	correu_imap_session_options o;
	correu_transport *t = NULL;
	correu_tls_config *own = NULL;
	const correu_allocator *a;
	int rc;

	if (!host || !session_out)
		return CORREU_ERR_ARG;
	if (!opts)
		correu_imap_session_options_init(&o);
	else
		o = *opts;
	a = o.settings ? o.settings->allocator : NULL;
	rc = correu_tcp_connect(
		host, port, o.connect_timeout_ms ? (int32_t)(o.connect_timeout_ms & INT32_MAX) : -1,
		a, &t);
	if (rc < 0)
		return rc;
	if (o.tls_mode == CORREU_IMAP_SESSION_IMPLICIT) {
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
	rc = correu_imap_session_start(t, host, &o, session_out);
	if (rc < 0)
		correu_tls_config_free(own);
	else
		(*session_out)->own_tls = own;
	return rc;
}

void correu_imap_session_free(correu_imap_session *s)
{
	if (!s)
		return;
	correu_imap_client_free(s->c);
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

static int login_sasl(correu_imap_session *s, const char *user, const char *password)
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
	return correu_imap_client_authenticate(s->c, 0, &cr, &ss);
}

/* ENABLE what the session can use, where offered (RFC 5161). QRESYNC
 * stays off: it turns EXPUNGE into VANISHED, which callers of the
 * blocking calls need not know. */
static int enable(correu_imap_session *s)
{
	int id = correu_imap_client_enable(s->c, CORREU_IMAP_CAP_IMAP4REV2 |
	                                                 CORREU_IMAP_CAP_CONDSTORE |
	                                                 CORREU_IMAP_CAP_UTF8_ACCEPT);

	if (id == CORREU_ERR_NOT_FOUND || id == CORREU_ERR_UNSUPPORTED)
		return 0;
	id = correu__imaps_job(s, id);
	/* A refused ENABLE leaves the session as it was. */
	return id == CORREU_ERR_REPLY ? 0 : id;
}

int correu_imap_session_login(correu_imap_session *s, const char *user, const char *password)
{
	int rc;

	if (!s || !user || !password)
		return CORREU_ERR_ARG;
	if (s->error)
		return s->error;
	if (correu_imap_client_logged_in(s->c))
		return enable(s);
	/* Strongest first: SASL (SCRAM never shows the password), then
	 * LOGIN (the password itself, over TLS only unless allowed). */
	rc = login_sasl(s, user, password);
	if (rc == CORREU_ERR_UNSUPPORTED || rc == CORREU_ERR_NOT_FOUND ||
	    rc == CORREU_ERR_TLS_REQUIRED) {
		int lrc = correu_imap_client_login(s->c, user, strlen(user), password,
		                                   strlen(password));

		rc = lrc == CORREU_ERR_UNSUPPORTED ? CORREU_ERR_NOT_FOUND
		     : lrc == CORREU_ERR_TLS_REQUIRED && rc != CORREU_ERR_TLS_REQUIRED
		             ? CORREU_ERR_TLS_REQUIRED
		             : lrc;
	}
	rc = correu__imaps_job(s, rc);
	if (rc == CORREU_ERR_REPLY)
		return CORREU_ERR_AUTH;
	return rc < 0 ? rc : enable(s);
}

int correu_imap_session_logout(correu_imap_session *s)
{
	int rc;

	if (!s)
		return CORREU_ERR_ARG;
	if (s->closed)
		return 0;
	if (s->error)
		return s->error;
	rc = correu__imaps_job(s, correu_imap_client_logout(s->c));
	/* The core reports CLOSED after LOGOUT's completion; the BYE before
	 * it is the server's goodbye, not a failure. */
	if (rc == 0 || s->closed) {
		int sh = correu_transport_shutdown(s->t);

		(void)sh; /* the session is over either way */
		return 0;
	}
	return rc;
}

int correu_imap_session_last_response(const correu_imap_session *s, const char **text_out,
                                      uint32_t *code_out)
{
	if (text_out)
		*text_out = "";
	if (code_out)
		*code_out = 0;
	if (!s || !s->have_response)
		return CORREU_ERR_NOT_FOUND;
	if (text_out && s->last_text.len)
		*text_out = (const char *)s->last_text.data;
	if (code_out)
		*code_out = s->last_code;
	return (int)s->last_status;
}

correu_imap_client *correu_imap_session_client(correu_imap_session *s)
{
	return s ? s->c : NULL;
}

int correu_imap_session_wait(correu_imap_session *s, int id, correu_imap_event_fn fn,
                             void *userdata)
{
	if (!s)
		return CORREU_ERR_ARG;
	if (s->error)
		return s->error;
	s->data_fn = fn;
	s->fn_userdata = userdata;
	return correu__imaps_job(s, id);
}
