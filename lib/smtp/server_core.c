/*
 * The SMTP server session (SMTP layer, server side): the operations the
 * server runtime drives per connection (correu/server.h). Input is read
 * one command line, or one bounded piece of a message, per `recv`, so the
 * runtime's back-pressure works and bytes pipelined behind STARTTLS are
 * never taken; replies wait in one output buffer; a request to the store
 * or a held-back error reply stops reading until it is settled.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "smtpd_int.h"

/* The output entries of the table below take the session for its output. */
_Static_assert(offsetof(correu__smtpd, out) == 0, "the output must come first");

static void session_free(correu__smtpd *s)
{
	const correu_allocator *a = s->alloc;

	correu__smtpd_txn_reset(s);
	correu__smtpd_auth_clear(s);
	if (s->chunk)
		correu__free(a, s->chunk, s->svc->set.max_chunk);
	if (s->dot_mem)
		correu__free(a, s->dot_mem, correu_dot_decoder_sizeof());
	correu__server_lines_free(&s->lines, a);
	correu__server_out_free(&s->out);
	correu_wipe(s->user, sizeof(s->user));
	correu__free(a, s, sizeof(*s));
}

static int decoders_init(correu__smtpd *s)
{
	const correu_smtp_server_settings *set = &s->svc->set;
	uint32_t flags = (set->flags & CORREU_SMTP_SERVER_NORMALISE) ? CORREU_LINE_NORMALISE : 0;

	s->dot_mem = correu__alloc(s->alloc, correu_dot_decoder_sizeof());
	if (!s->dot_mem)
		return CORREU_ERR_NOMEM;
	return correu__server_lines_init(&s->lines, s->alloc, set->max_line, set->max_auth_line,
	                                 flags);
}

static bool xclient_trusted(const correu_smtp_service *svc, const char *addr)
{
	correu__addr a;

	if (svc->nxclient == 0 || correu__addr_parse(&a, addr, strlen(addr)) < 0)
		return false;
	for (size_t i = 0; i < svc->nxclient; i++)
		if (correu__cidr_match(&svc->xclient[i], &a))
			return true;
	return false;
}

int correu__smtpd_greet(correu__smtpd *s)
{
	const correu_smtp_service *svc = s->svc;
	char text[SMTPD_MAX_DOMAIN + 32];

	snprintf(text, sizeof(text), "%s %s", svc->host,
	         svc->set.mode == CORREU_SMTP_SERVER_LMTP ? "LMTP ready" : "ESMTP ready");
	/* RFC 2034 section 3: no enhanced code in the greeting. */
	return correu__smtpd_reply_line(s, 220, true, NULL, text, strlen(text));
}

static int s_open(const correu_server_peer *peer, correu_server_conn *conn, void **out,
                  void *userdata)
{
	correu_smtp_service *svc = userdata;
	correu__smtpd *s;
	int rc;

	if (!peer || !out || !svc || peer->version != CORREU_SERVER_PEER_VERSION)
		return CORREU_ERR_ARG;
	s = correu__calloc(svc->base.alloc, sizeof(*s));
	if (!s)
		return CORREU_ERR_NOMEM;
	s->svc = svc;
	s->alloc = svc->base.alloc;
	s->conn = conn;
	s->tls = (peer->flags & CORREU_SERVER_PEER_TLS) != 0;
	s->can_starttls = (peer->flags & CORREU_SERVER_PEER_STARTTLS) != 0;
	snprintf(s->addr, sizeof(s->addr), "%s", peer->addr ? peer->addr : "");
	s->trusted = xclient_trusted(svc, s->addr);
	correu__server_out_init(&s->out, s->alloc, svc->set.max_output);
	rc = decoders_init(s);
	if (rc == 0)
		rc = correu__smtpd_greet(s);
	if (rc < 0) {
		session_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* RFC 2920 section 3.1: before EHLO nothing may be pipelined, and DATA
 * must end a group. A client that sends more anyway is a blind injector
 * or broken; refusing the command keeps its guesses from taking effect. */
static bool pipelining_forbidden(const correu__smtpd *s, enum smtpd_verb v)
{
	switch (v) {
	case V_MAIL:
	case V_RCPT: return !s->esmtp;
	case V_DATA: return true;
	default: return false;
	}
}

static int command(correu__smtpd *s, const uint8_t *line, size_t len, bool more)
{
	correu__smtpd_cmd c;

	correu__smtpd_parse_cmd(line, len, &c);
	if (c.verb == V_XCLIENT && !s->trusted)
		c.verb = V_UNKNOWN;
	if (more && pipelining_forbidden(s, c.verb))
		return correu__smtpd_reply(s, 503, "5.5.0",
		                           "Improper use of SMTP command pipelining");
	switch (c.verb) {
	case V_EHLO:
	case V_HELO:
	case V_LHLO: return correu__smtpd_hello(s, &c);
	case V_MAIL: return correu__smtpd_mail(s, &c);
	case V_RCPT: return correu__smtpd_rcpt(s, &c);
	case V_DATA: return correu__smtpd_data(s, &c);
	case V_BDAT: return correu__smtpd_bdat(s, &c);
	case V_AUTH: return correu__smtpd_auth(s, &c);
	case V_XCLIENT: return correu__smtpd_xclient(s, &c);
	case V_UNKNOWN: return correu__smtpd_reply(s, 500, "5.5.2", "Command unrecognized");
	default: return correu__smtpd_simple(s, &c);
	}
}

static int read_line(correu__smtpd *s, const uint8_t *in, size_t len)
{
	bool auth = s->phase == PH_AUTH || s->auth_overlong;
	const uint8_t *line;
	size_t used, line_len;
	int rc;

	rc = correu_line_decoder_feed(auth ? s->lines.auth : s->lines.cmd, in, len, &used, &line,
	                              &line_len);
	s->stepped = rc != 0;
	if (rc == CORREU_ERR_LIMIT || rc == CORREU_ERR_BARE_EOL) {
		/* The decoder drops the rest of an overlong line by itself, so
		 * after an over-long AUTH line the AUTH decoder must go on
		 * reading until that line ends: handing the rest to the command
		 * decoder would run it as commands. A line with a bare CR or LF
		 * is complete and never acted on. */
		if (s->phase == PH_AUTH) {
			correu__smtpd_auth_clear(s);
			s->phase = PH_CMD;
		}
		s->auth_overlong = auth && rc == CORREU_ERR_LIMIT;
		if (rc == CORREU_ERR_LIMIT)
			rc = correu__smtpd_reply(s, 500, auth ? "5.5.6" : "5.5.2",
			                         auth ? "Authentication line too long"
			                              : "Line too long");
		else
			rc = correu__smtpd_reply(s, 500, "5.5.2",
			                         "Bare CR or LF in command, use CRLF");
	} else if (rc == CORREU_LINE_READY && s->auth_overlong) {
		/* The first line after the discarded one: a command, framed by
		 * the AUTH decoder, so the command limit is checked here. */
		s->auth_overlong = false;
		if (line_len > s->svc->set.max_line - 2)
			rc = correu__smtpd_reply(s, 500, "5.5.2", "Line too long");
		else
			rc = command(s, line, line_len, used < len);
	} else if (rc == CORREU_LINE_READY) {
		if (auth)
			rc = correu__smtpd_auth_line(s, line, line_len);
		else
			rc = command(s, line, line_len, used < len);
	}
	return rc < 0 ? rc : (int)used;
}

/* After a reply: a pending shutdown or end of input closes an idle session. */
void correu__smtpd_after(correu__smtpd *s)
{
	if (s->wait != W_NONE || (s->phase != PH_CMD && s->phase != PH_AUTH))
		return;
	if (s->peer_eof)
		s->phase = PH_CLOSING;
	else if (s->shutdown && !s->delivery)
		(void)correu__smtpd_close_421(s, "4.3.2", "Server shutting down");
}

static bool can_read(const correu__smtpd *s)
{
	if (s->wait != W_NONE || correu__server_out_held(&s->out))
		return false;
	return s->phase == PH_CMD || s->phase == PH_AUTH || s->phase == PH_DATA ||
	       s->phase == PH_BDAT;
}

/* Consume one command line or one piece of a message. */
static int step(correu__smtpd *s, const uint8_t *in, size_t len)
{
	s->stepped = false;
	if (!can_read(s) || len == 0)
		return 0;
	if (s->phase == PH_DATA || s->phase == PH_BDAT)
		/* At most max_input bytes are offered, so the count fits. */
		return (int)correu__smtpd_body_feed(s, in, len);
	return read_line(s, in, len);
}

static int s_recv(const uint8_t *in, size_t len, uint64_t now_ms, void *session)
{
	correu__smtpd *s = session;
	int rc;

	s->now = now_ms;
	rc = step(s, in, len);
	/* With the normalise option a line ended by a bare CR is known only
	 * from the byte after it, which the decoder leaves unconsumed; take
	 * one more step so that the call still consumes something. */
	if (rc == 0 && s->stepped)
		rc = step(s, in, len);
	if (rc >= 0)
		correu__smtpd_after(s);
	return rc;
}

static int s_want(void *session)
{
	const correu__smtpd *s = session;

	return correu__server_want(s->phase == PH_CLOSING, s->phase == PH_TLS, can_read(s));
}

/* RFC 3207 section 4.2: after the handshake the client starts over, and
 * the server forgets everything it learnt from it in plaintext. */
static void tls_started(correu__smtpd *s, uint64_t discarded)
{
	s->tls = true;
	s->phase = PH_CMD;
	s->helo_len = 0;
	s->esmtp = false;
	correu_wipe(s->user, sizeof(s->user));
	s->user_len = 0;
	correu__smtpd_txn_reset(s);
	correu__smtpd_auth_clear(s);
	correu__server_lines_reset(&s->lines);
	s->auth_overlong = false;
	correu__server_note_discarded(s->conn, discarded, "STARTTLS");
}

static int s_event(uint32_t ev, uint64_t arg, uint64_t now_ms, void *session)
{
	correu__smtpd *s = session;
	int rc = 0;

	s->now = now_ms;
	switch (ev) {
	case CORREU_SERVER_EV_TIMER: (void)correu__server_out_due(&s->out, now_ms); break;
	case CORREU_SERVER_EV_IDLE:
		rc = correu__smtpd_close_421(s, "4.4.2", "Idle timeout, closing connection");
		break;
	case CORREU_SERVER_EV_PEER_CLOSED:
		/* A message cut off is dropped; one whose commit is under way
		 * still gets its reply written, in case the client reads. */
		s->peer_eof = true;
		if (s->phase == PH_DATA || s->phase == PH_BDAT)
			s->phase = PH_CLOSING;
		correu__smtpd_after(s);
		break;
	case CORREU_SERVER_EV_TLS_STARTED:
		if (s->phase != PH_TLS)
			return CORREU_ERR_STATE;
		tls_started(s, arg);
		break;
	case CORREU_SERVER_EV_SHUTDOWN:
		s->shutdown = true;
		correu__smtpd_after(s);
		break;
	default: break;
	}
	return rc;
}

static int s_close(void *session)
{
	if (session)
		session_free(session);
	return 0;
}

static int s_refuse(uint32_t reason, uint8_t *buf, size_t cap, void *userdata)
{
	correu_smtp_service *svc = userdata;
	int n;

	(void)reason;
	n = snprintf((char *)buf, cap, "421 4.7.0 %s Too many connections, try again later\r\n",
	             svc ? svc->host : "localhost");
	return n < 0 || (size_t)n >= cap ? 0 : n;
}

static const correu_server_core smtpd_core = {
	CORREU_SERVER_CORE_VERSION,
	s_open,
	s_recv,
	correu__server_out_send_buf,
	correu__server_out_send_ack,
	s_want,
	correu__server_out_deadline,
	s_event,
	s_close,
	s_refuse,
};

const correu_server_core *correu_smtp_server_core(void)
{
	return &smtpd_core;
}
