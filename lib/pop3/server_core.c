/*
 * The POP3 server session (POP3 layer, server side): the operations the
 * server runtime drives per connection (correu/server.h). Input is read
 * one command line per `recv` (server_command.c), so the runtime's
 * back-pressure works and bytes pipelined behind STLS are never taken (RFC
 * 2595 section 4); replies wait in one output buffer; a store request, a
 * held-back reply or a multi-line answer still being produced stops
 * reading until it is done. A multi-line answer (a listing, a message) is produced as the
 * output drains, from `send_ack` and from the store's completions, so a
 * large message is never held whole.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "pop3d_int.h"

/* The output entries of the table below take the session for its output. */
_Static_assert(offsetof(correu__pop3d, out) == 0, "the output must come first");

static void session_free(correu__pop3d *s)
{
	const correu_allocator *a = s->alloc;

	/* A pending request is cancelled before what it works on is closed. */
	correu__pop3d_req_end(s);
	correu__pop3d_auth_clear(s);
	correu__pop3d_body_end(s);
	correu__pop3d_maildrop_free(s);
	if (s->enc_mem)
		correu__free(a, s->enc_mem, correu_dot_encoder_sizeof());
	correu__server_lines_free(&s->lines, a);
	correu__server_out_free(&s->out);
	correu_wipe(s->user, sizeof(s->user));
	s->svc->sessions--;
	correu__free(a, s, sizeof(*s));
}

static int buffers_init(correu__pop3d *s)
{
	const correu_pop3_server_settings *set = &s->svc->set;
	int rc;

	s->enc_mem = correu__alloc(s->alloc, correu_dot_encoder_sizeof());
	if (!s->enc_mem)
		return CORREU_ERR_NOMEM;
	rc = correu__server_lines_init(&s->lines, s->alloc, set->max_line, set->max_auth_line, 0);
	/* Messages from the store should have CRLF line ends; a bare LF from
	 * a lax backend is sent as CRLF rather than cutting the session. */
	if (rc == 0)
		rc = correu_dot_encoder_init(s->enc_mem, correu_dot_encoder_sizeof(),
		                             CORREU_DOT_NORMALISE, &s->enc);
	return rc;
}

static int greet(correu__pop3d *s)
{
	char text[POP3D_MAX_HOST + POP3D_MAX_TS + 32];

	/* RFC 1939 section 7: the APOP timestamp goes in the greeting. */
	snprintf(text, sizeof(text), "%s POP3 server ready%s%s", s->svc->host, s->ts_len ? " " : "",
	         s->ts);
	return correu__pop3d_ok(s, text);
}

static int s_open(const correu_server_peer *peer, correu_server_conn *conn, void **out,
                  void *userdata)
{
	correu_pop3_service *svc = userdata;
	correu__pop3d *s;
	int rc;

	if (!peer || !out || !svc || peer->version != CORREU_SERVER_PEER_VERSION)
		return CORREU_ERR_ARG;
	s = correu__calloc(svc->base.alloc, sizeof(*s));
	if (!s)
		return CORREU_ERR_NOMEM;
	svc->sessions++;
	s->svc = svc;
	s->alloc = svc->base.alloc;
	s->conn = conn;
	s->tls = (peer->flags & CORREU_SERVER_PEER_TLS) != 0;
	s->can_stls = (peer->flags & CORREU_SERVER_PEER_STARTTLS) != 0;
	correu__server_out_init(&s->out, s->alloc, svc->set.max_output);
	rc = buffers_init(s);
	if (rc == 0)
		rc = correu__pop3d_make_ts(s, peer->conn_id);
	if (rc == 0)
		rc = greet(s);
	if (rc < 0) {
		session_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int correu__pop3d_produce(correu__pop3d *s)
{
	int rc = 0;

	/* Stay under one chunk queued: the runtime writes while we read the
	 * next piece, and memory stays bounded whatever the message size. */
	while (rc == 0 && s->job != J_NONE && s->wait == W_NONE && s->state != PS_CLOSING &&
	       correu__pop3d_queued(s) < s->svc->set.max_chunk)
		rc = s->job == J_BODY ? correu__pop3d_body_more(s) : correu__pop3d_listing_more(s);
	return rc;
}

/* RFC 1939 section 6: a session that ends without QUIT (the client went
 * away, or we shut down) never enters the UPDATE state: nothing is
 * deleted. A QUIT already under way is finished. */
void correu__pop3d_after(correu__pop3d *s)
{
	bool quitting = s->wait == W_FLAGS || s->wait == W_EXPUNGE;

	if (correu__pop3d_produce(s) < 0) {
		/* Past "+OK" of a multi-line answer no -ERR can be sent. */
		correu__pop3d_log(s, CORREU_LOG_WARN, "multi-line answer failed, closing");
		s->state = PS_CLOSING;
	}
	if (s->state != PS_AUTH && s->state != PS_TRANS)
		return;
	if (s->peer_eof && !quitting)
		s->state = PS_CLOSING;
	else if (s->shutdown && s->wait == W_NONE && s->job == J_NONE && !s->in_auth)
		(void)correu__pop3d_close_err(s, "SYS/TEMP", "Server shutting down");
}

static bool can_read(const correu__pop3d *s)
{
	if (s->wait != W_NONE || s->job != J_NONE || correu__server_out_held(&s->out))
		return false;
	return s->state == PS_AUTH || s->state == PS_TRANS;
}

static int s_recv(const uint8_t *in, size_t len, uint64_t now_ms, void *session)
{
	correu__pop3d *s = session;
	int rc;

	s->now = now_ms;
	if (!can_read(s) || len == 0)
		return 0;
	rc = correu__pop3d_read_line(s, in, len);
	if (rc >= 0)
		correu__pop3d_after(s);
	return rc;
}

static int s_send_ack(size_t n, void *session)
{
	int rc = correu__server_out_send_ack(n, session);

	/* Room in the output: the next piece of a multi-line answer. */
	if (rc == 0)
		correu__pop3d_after(session);
	return rc;
}

static int s_want(void *session)
{
	const correu__pop3d *s = session;

	return correu__server_want(s->state == PS_CLOSING, s->state == PS_TLS, can_read(s));
}

/* RFC 2595 section 4: after the handshake the client starts over, and
 * the server forgets what it learnt in plaintext (a USER given before).
 * The greeting is not repeated. */
static void tls_started(correu__pop3d *s, uint64_t discarded)
{
	s->tls = true;
	s->state = PS_AUTH;
	correu_wipe(s->user, sizeof(s->user));
	s->user_len = 0;
	s->user_given = false;
	s->auth_skip = false;
	correu__pop3d_auth_clear(s);
	correu__server_lines_reset(&s->lines);
	correu__server_note_discarded(s->conn, discarded, "STLS");
}

static int s_event(uint32_t ev, uint64_t arg, uint64_t now_ms, void *session)
{
	correu__pop3d *s = session;
	int rc = 0;

	s->now = now_ms;
	switch (ev) {
	case CORREU_SERVER_EV_TIMER:
		(void)correu__server_out_due(&s->out, now_ms);
		break;
	case CORREU_SERVER_EV_IDLE:
		/* RFC 1939 section 3: an autologout timer ends the session
		 * without entering UPDATE. */
		if (s->state == PS_AUTH || s->state == PS_TRANS)
			rc = correu__pop3d_close_err(s, NULL, "Autologout, idle for too long");
		s->state = PS_CLOSING;
		break;
	case CORREU_SERVER_EV_PEER_CLOSED:
		s->peer_eof = true;
		break;
	case CORREU_SERVER_EV_TLS_STARTED:
		if (s->state != PS_TLS)
			return CORREU_ERR_STATE;
		tls_started(s, arg);
		break;
	case CORREU_SERVER_EV_SHUTDOWN:
		s->shutdown = true;
		break;
	default:
		break;
	}
	if (rc == 0)
		correu__pop3d_after(s);
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
	static const char line[] = "-ERR [SYS/TEMP] Too many connections, try again later\r\n";

	(void)reason;
	(void)userdata;
	if (cap < sizeof(line) - 1)
		return 0;
	memcpy(buf, line, sizeof(line) - 1);
	return (int)(sizeof(line) - 1);
}

static const correu_server_core pop3d_core = {
	CORREU_SERVER_CORE_VERSION, s_open, s_recv, correu__server_out_send_buf, s_send_ack, s_want,
	correu__server_out_deadline, s_event, s_close, s_refuse,
};

const correu_server_core *correu_pop3_server_core(void)
{
	return &pop3d_core;
}
