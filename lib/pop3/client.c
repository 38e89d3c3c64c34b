/*
 * The POP3 client core's handle (POP3 layer): settings, lifecycle, the
 * byte interface (recv, send_buf, send_ack), time and deadlines, and the
 * event and fatal-error paths every other client file goes through.
 */
#include <string.h>

#include "pop3_internal.h"

#define DEF_MAX_LINE 4096
#define DEF_MAX_BODY_LINE 1048576
#define DEF_MAX_MESSAGE (1024ull * 1024 * 1024)
#define DEF_MAX_CHUNK 16384
#define DEF_MAX_CAPA 16384
#define DEF_MAX_OUTPUT 65536
#define DEF_MAX_QUEUE 262144
#define DEF_MAX_COMMANDS 4096
/* RFC 2449 §4: a command line is at most 255 octets, CRLF included. */
#define DEF_MAX_COMMAND 255
/* RFC 1939 §3 gives the server's idle timer (10 minutes); a client waits
 * less for any single step. */
#define DEF_T_GREETING 60000u
#define DEF_T_COMMAND 300000u
#define DEF_T_SEND 180000u
/* RFC 2449 §4: responses may be up to 512 octets, CRLF included. */
#define MIN_LINE 512

void correu_pop3_settings_init(correu_pop3_settings *s)
{
	if (!s)
		return;
	memset(s, 0, sizeof(*s));
	s->version = CORREU_POP3_SETTINGS_VERSION;
	s->tls_policy = CORREU_POP3_TLS_REQUIRED;
}

static void fill_defaults(correu_pop3_settings *s)
{
	if (!s->max_line)
		s->max_line = DEF_MAX_LINE;
	if (!s->max_body_line)
		s->max_body_line = DEF_MAX_BODY_LINE;
	if (!s->max_message)
		s->max_message = DEF_MAX_MESSAGE;
	if (!s->max_chunk)
		s->max_chunk = DEF_MAX_CHUNK;
	if (!s->max_capa)
		s->max_capa = DEF_MAX_CAPA;
	if (!s->max_output)
		s->max_output = DEF_MAX_OUTPUT;
	if (!s->max_queue)
		s->max_queue = DEF_MAX_QUEUE;
	if (!s->max_commands)
		s->max_commands = DEF_MAX_COMMANDS;
	if (!s->max_command)
		s->max_command = DEF_MAX_COMMAND;
	if (!s->timeout_greeting_ms)
		s->timeout_greeting_ms = DEF_T_GREETING;
	if (!s->timeout_command_ms)
		s->timeout_command_ms = DEF_T_COMMAND;
	if (!s->timeout_send_ms)
		s->timeout_send_ms = DEF_T_SEND;
}

static int check_settings(const correu_pop3_settings *s)
{
	const uint32_t flags = CORREU_POP3_NO_PIPELINING | CORREU_POP3_ALLOW_PLAINTEXT_AUTH |
	                       CORREU_POP3_BODY_NORMALISE;

	if (s->version != CORREU_POP3_SETTINGS_VERSION || !s->on_event || (s->flags & ~flags) ||
	    s->tls_policy > CORREU_POP3_TLS_IMPLICIT)
		return CORREU_ERR_ARG;
	/* Two line buffers are allocated from max_line; the output must hold
	 * the longest command and a SASL response line. */
	if (s->max_line < MIN_LINE || s->max_line > SIZE_MAX / 4 || s->max_command < 16 ||
	    s->max_output < 1024 || s->max_output < s->max_command || s->max_queue < s->max_command)
		return CORREU_ERR_ARG;
	return 0;
}

int correu_pop3_client_new(const correu_pop3_settings *settings, correu_pop3_client **client_out)
{
	correu_pop3_settings s;
	correu_pop3_client *c;
	const correu_allocator *a;
	int rc;

	if (!settings || !client_out)
		return CORREU_ERR_ARG;
	*client_out = NULL;
	s = *settings;
	fill_defaults(&s);
	rc = check_settings(&s);
	if (rc < 0)
		return rc;
	a = correu__allocator(s.allocator);
	c = correu__calloc(a, sizeof(*c));
	if (!c)
		return CORREU_ERR_NOMEM;
	c->set = s;
	c->alloc = a;
	if (s.logger)
		c->logger = *s.logger;
	c->set.logger = NULL;
	correu__proto_sasl_init(&c->sasl, a, &c->logger, "pop3: AUTH");
	c->tls = s.tls_policy == CORREU_POP3_TLS_IMPLICIT;
	correu__buf_init(&c->out, a, s.max_output);
	correu__proto_cmdq_init(&c->cmds, a, sizeof(correu__pop3_cmd), s.max_commands,
	                        s.max_queue, &c->timer);
	correu__pop3_caps_init(&c->caps, a, s.max_capa);
	correu__pop3_caps_init(&c->capa_new, a, s.max_capa);
	rc = correu__pop3_reader_init(&c->rd, a, s.max_line, s.max_body_line,
	                              (s.flags & CORREU_POP3_BODY_NORMALISE) ? CORREU_DOT_NORMALISE
	                                                                     : 0);
	/* The greeting answers the connection: it is the first reply awaited. */
	if (rc == 0)
		rc = correu__pop3_inflight(c, CORREU_POP3_CMD_GREETING);
	if (rc < 0) {
		correu_pop3_client_free(c);
		return rc;
	}
	c->state = ST_GREETING;
	c->timer.progress = true; /* the first clock update starts the greeting timer */
	*client_out = c;
	return 0;
}

void correu_pop3_client_free(correu_pop3_client *c)
{
	if (!c)
		return;
	correu__pop3_auth_clear(c);
	if (c->rd.mem)
		correu__pop3_reader_free(&c->rd);
	correu__pop3_caps_free(&c->caps);
	correu__pop3_caps_free(&c->capa_new);
	/* PASS and AUTH lines pass through the queue and the output. */
	correu__buf_free(&c->out, true);
	correu__proto_cmdq_free(&c->cmds);
	if (c->timestamp)
		correu__free(c->alloc, c->timestamp, c->timestamp_len);
	correu__free(c->alloc, c, sizeof(*c));
}

int correu__pop3_deliver(correu_pop3_client *c, correu_pop3_event *ev)
{
	int rc;

	ev->version = CORREU_POP3_EVENT_VERSION;
	if (!ev->text)
		ev->text = "";
	if (!ev->code_text)
		ev->code_text = "";
	rc = c->set.on_event(ev, c->set.event_userdata);
	if (rc < 0 && c->state != ST_FAILED) {
		c->state = ST_FAILED;
		c->error = rc;
		correu__pop3_auth_clear(c);
	}
	return rc < 0 ? rc : 0;
}

int correu__pop3_emit(correu_pop3_client *c, uint32_t type, uint32_t cmd, uint32_t msg)
{
	correu_pop3_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.command = cmd;
	ev.msg = msg;
	return correu__pop3_deliver(c, &ev);
}

int correu__pop3_fail(correu_pop3_client *c, int err, const char *why)
{
	correu_pop3_event ev;

	if (c->state == ST_FAILED)
		return c->error;
	c->state = ST_FAILED;
	c->error = err;
	correu__pop3_auth_clear(c);
	correu__log(&c->logger, CORREU_LOG_ERROR, "pop3: %s (%s)", why, correu_err_name(err));
	memset(&ev, 0, sizeof(ev));
	ev.version = CORREU_POP3_EVENT_VERSION;
	ev.type = CORREU_POP3_EV_ERROR;
	ev.error = err;
	ev.text = why;
	ev.text_len = strlen(why);
	ev.code_text = "";
	(void)c->set.on_event(&ev, c->set.event_userdata);
	return err;
}

int correu__pop3_usable(const correu_pop3_client *c)
{
	if (c->state == ST_FAILED)
		return c->error ? c->error : CORREU_ERR_POISONED;
	if (c->state == ST_CLOSED)
		return CORREU_ERR_CLOSED;
	return 0;
}

static const char *why(int rc)
{
	switch (rc) {
	case CORREU_ERR_LIMIT: return "response line or message too long";
	case CORREU_ERR_BARE_EOL: return "bare CR or LF in a response";
	case CORREU_ERR_NOMEM: return "out of memory";
	default: return "malformed response";
	}
}

/* Hand one thing the reader found to the dispatcher. */
static int dispatch(correu_pop3_client *c, int what)
{
	const uint8_t *p = c->rd.line;
	size_t n = c->rd.line_len;

	switch (what) {
	case RD_STATUS: return correu__pop3_dispatch_status(c, p, n);
	case RD_LINE: return correu__pop3_dispatch_line(c, p, n);
	case RD_DATA: return correu__pop3_dispatch_data(c, p, n);
	default: return correu__pop3_dispatch_end(c);
	}
}

/* Frame responses and dispatch them; stops at the first fatal error. */
static int feed(correu_pop3_client *c, const uint8_t *in, size_t len)
{
	size_t off = 0;
	int rc;

	for (;;) {
		size_t used;

		rc = correu__pop3_reader_feed(&c->rd, len ? in + off : in, len - off, &used);
		off += used;
		if (rc < 0)
			return correu__pop3_fail(c, rc, why(rc));
		if (rc == 0)
			break;
		rc = dispatch(c, rc);
		if (rc < 0)
			return c->state == ST_FAILED ? c->error
			                             : correu__pop3_fail(c, rc, "cannot go on");
		if (c->state == ST_FAILED)
			return c->error;
		if (c->state == ST_TLS_WAIT && off < len)
			return correu__pop3_fail(c, CORREU_ERR_PROTO,
			                         "plaintext bytes after STLS go-ahead");
		if (c->state == ST_CLOSED && off < len)
			return correu__pop3_fail(c, CORREU_ERR_PROTO,
			                         "bytes after the session ended");
		if (c->state == ST_CLOSED || c->state == ST_TLS_WAIT)
			break;
	}
	return 0;
}

correu_ssize correu_pop3_client_recv(correu_pop3_client *c, const uint8_t *in, size_t len,
                                     uint64_t now_ms)
{
	int rc;

	if (!c || (len && !in) || len > (size_t)PTRDIFF_MAX)
		return CORREU_ERR_ARG;
	/* However the bytes were split, anything after the end is the same
	 * violation. */
	if (len && c->state == ST_CLOSED)
		return correu__pop3_fail(c, CORREU_ERR_PROTO, "bytes after the session ended");
	rc = correu__pop3_usable(c);
	if (rc < 0)
		return rc;
	if (len)
		c->timer.progress = true;
	correu__proto_timer_at(&c->timer, now_ms);
	/* RFC 2595 §4 and DESIGN: nothing read after the go-ahead and before
	 * the handshake can be trusted; a server (or an attacker) that sends
	 * it is refused, never buffered for later. */
	if (len && c->state == ST_TLS_WAIT)
		return correu__pop3_fail(c, CORREU_ERR_PROTO,
		                         "plaintext bytes after STLS go-ahead");
	c->in_recv = true;
	rc = feed(c, in, len);
	c->in_recv = false;
	return rc < 0 ? rc : (correu_ssize)len;
}

int correu_pop3_client_tick(correu_pop3_client *c, uint64_t now_ms)
{
	if (!c)
		return CORREU_ERR_ARG;
	correu__proto_timer_at(&c->timer, now_ms);
	return c->state == ST_FAILED ? c->error : 0;
}

int correu_pop3_client_eof(correu_pop3_client *c)
{
	if (!c)
		return CORREU_ERR_ARG;
	if (c->state == ST_CLOSED)
		return 0;
	if (c->state == ST_FAILED)
		return c->error;
	if (correu__pop3_reader_pending(&c->rd))
		return correu__pop3_fail(c, CORREU_ERR_INCOMPLETE,
		                         "connection closed inside a response");
	return correu__pop3_fail(c, CORREU_ERR_EOF, "connection closed by the server");
}

const uint8_t *correu_pop3_client_send_buf(correu_pop3_client *c, size_t *len_out)
{
	return correu__proto_out_peek(c ? &c->out : NULL, len_out);
}

int correu_pop3_client_send_ack(correu_pop3_client *c, size_t n)
{
	int rc = correu__proto_out_ack(c ? &c->out : NULL, n);

	if (rc <= 0)
		return rc;
	c->timer.progress = true;
	/* A failed session's final QUIT only drains. */
	return c->state == ST_FAILED ? 0 : correu__pop3_pump(c);
}

int correu_pop3_client_want_read(const correu_pop3_client *c)
{
	if (!c || c->state == ST_FAILED || c->state == ST_CLOSED || c->state == ST_TLS_WAIT)
		return 0;
	return c->cmds.nsent > 0;
}

int correu_pop3_client_want_write(const correu_pop3_client *c)
{
	return c && c->out.len > 0;
}

int correu_pop3_client_idle(const correu_pop3_client *c)
{
	return c && c->state == ST_READY && c->cmds.len == 0 && c->out.len == 0;
}

int correu_pop3_client_error(const correu_pop3_client *c)
{
	return c ? c->error : CORREU_ERR_ARG;
}

uint64_t correu_pop3_client_next_deadline(const correu_pop3_client *c)
{
	uint64_t t;

	if (!c || c->state == ST_FAILED || c->state == ST_CLOSED || c->state == ST_TLS_WAIT)
		return UINT64_MAX;
	if (c->out.len)
		t = c->set.timeout_send_ms;
	else if (c->cmds.nsent)
		t = correu__pop3_cmd_at((correu_pop3_client *)c, 0)->cmd == CORREU_POP3_CMD_GREETING
		            ? c->set.timeout_greeting_ms
		            : c->set.timeout_command_ms;
	else
		return UINT64_MAX;
	return correu__proto_after(c->timer.base_ms, t);
}

int correu_pop3_client_is_tls(const correu_pop3_client *c)
{
	return c && c->tls;
}

int correu_pop3_client_logged_in(const correu_pop3_client *c)
{
	return c && c->login == LOGIN_DONE;
}

const char *correu_pop3_client_apop_timestamp(const correu_pop3_client *c, size_t *len_out)
{
	if (len_out)
		*len_out = 0;
	if (!c || !len_out || !c->timestamp)
		return NULL;
	*len_out = c->timestamp_len;
	return c->timestamp;
}

int correu_pop3_client_tls_done(correu_pop3_client *c)
{
	if (!c)
		return CORREU_ERR_ARG;
	if (c->state != ST_TLS_WAIT)
		return c->state == ST_FAILED ? c->error : CORREU_ERR_STATE;
	/* From the event callback, the rest of the bytes recv is reading
	 * would pass as if they had come over TLS. */
	if (c->in_recv)
		return CORREU_ERR_STATE;
	c->tls = true;
	c->timer.progress = true;
	/* RFC 2595 §4: forget everything learnt in plaintext. */
	correu__pop3_reader_reset(&c->rd);
	correu__pop3_caps_clear(&c->caps);
	return correu__pop3_send_capa(c);
}
